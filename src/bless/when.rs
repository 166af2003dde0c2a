//! The `when:` of a variant that `--bless=variant` adds: a condition that
//! holds on this engine and not on the one the compared output was recorded
//! on, made from the detected facts that differ between the two.
//!
//! One fact is enough to tell two engines apart, and the shortest condition
//! covers the most engines that share the change, so the condition is the
//! first differing fact in this order, the most telling first:
//! - the image store: it changes image IDs, sizes and the build log's export
//!   lines, and an engine with another store is mostly another version too,
//!   so the store is the narrower explanation;
//! - the engine (`server`): it prints the daemon's messages and runs the
//!   builds, whatever the client;
//! - the builder, for steps that build: it writes the build log;
//! - the client: its own messages and table layouts;
//! - runc, which changes only the runtime's few messages.
//!
//! The other differing facts are returned too, so the maintainer who knows
//! which one made the difference can pick it. A version condition names as
//! few parts as tell the two apart: here 28.5.2 against 20.10.24 gives
//! `server >= 28`, against 28.2.2 `server >= 28.5`, and the other way round
//! `server < 28` and `server < 28.5`. A fact unknown on either side tells
//! nothing.

use crate::lesson::recorded::Recorded;
use crate::lesson::{Builder, Condition, Facts, Store, Version};

/// A condition for the new variant, and others that would do too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Separation {
    pub when: String,
    pub also: Vec<String>,
}

/// Whether a step's command builds an image, so that the builder matters.
pub fn builds(command: &str) -> bool {
    command
        .split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|')
        .any(|w| w == "build")
}

/// A condition true on `here` and false on `there`, or `None` when no known
/// fact differs.
pub fn separate(here: &Facts, there: &Recorded, builds: bool) -> Option<Separation> {
    let mut found: Vec<String> = Vec::new();
    found.extend(store(here.store, there.store));
    found.extend(version(
        "server",
        here.server.as_ref(),
        there.server.as_ref(),
    ));
    if builds {
        found.extend(builder(here.builder, there.builder));
    }
    found.extend(version(
        "client",
        here.client.as_ref(),
        there.client.as_ref(),
    ));
    found.extend(version("runc", here.runc.as_ref(), there.runc.as_ref()));
    // Each must hold here; parse them as a lesson would, to be sure.
    found.retain(|c| Condition::parse(c).is_ok_and(|c| c.holds(here)));
    let mut found = found.into_iter();
    Some(Separation {
        when: found.next()?,
        also: found.collect(),
    })
}

fn store(here: Option<Store>, there: Option<Store>) -> Option<String> {
    let (here, there) = (here?, there?);
    (there != here).then(|| format!("store == {}", here.name()))
}

fn builder(here: Builder, there: Option<Builder>) -> Option<String> {
    let there = there?;
    (there != here).then(|| format!("builder == {}", here.name()))
}

/// `SUBJECT >= V` or `SUBJECT < V` with `V` as short as still tells them apart.
fn version(subject: &str, here: Option<&Version>, there: Option<&Version>) -> Option<String> {
    let (here, there) = (here?, there?);
    if here > there {
        // The shortest prefix of here's version above there's.
        let v = prefixes(here).find(|p| p > there)?;
        Some(format!("{subject} >= {v}"))
    } else if here < there {
        // The shortest prefix of there's version above here's.
        let v = prefixes(there).find(|p| p > here)?;
        Some(format!("{subject} < {v}"))
    } else {
        None
    }
}

/// `28`, `28.5`, `28.5.2` for `28.5.2`.
fn prefixes(v: &Version) -> impl Iterator<Item = Version> + '_ {
    (1..=v.0.len()).map(|n| Version(v.0[..n].to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<Version> {
        Version::parse_loose(s)
    }

    fn facts(client: &str, server: &str, runc: &str, builder: Builder) -> Facts {
        Facts {
            client: v(client),
            server: v(server),
            runc: v(runc),
            builder,
            store: Some(Store::Classic),
        }
    }

    /// What the lessons say they were recorded on.
    fn lessons() -> Recorded {
        Recorded::parse(
            "Docker 28.2.2 client (buildx 0.13.1), engine 20.10.24, runc 1.1.5, classic store",
        )
    }

    fn sep(when: &str, also: &[&str]) -> Option<Separation> {
        Some(Separation {
            when: when.into(),
            also: also.iter().map(|s| s.to_string()).collect(),
        })
    }

    #[test]
    fn the_engine_comes_first() {
        let here = facts("28.5.2", "28.5.2+dfsg1", "1.1.5+ds1", Builder::Buildx);
        assert_eq!(
            separate(&here, &lessons(), false),
            sep("server >= 28", &["client >= 28.5"])
        );
        assert_eq!(
            separate(&here, &lessons(), true),
            sep("server >= 28", &["client >= 28.5"])
        );
    }

    #[test]
    fn the_store_comes_before_the_engine() {
        let here = Facts {
            store: Some(Store::Containerd),
            ..facts("28.5.2", "28.5.2", "1.1.5", Builder::Buildx)
        };
        assert_eq!(
            separate(&here, &lessons(), false),
            sep("store == containerd", &["server >= 28", "client >= 28.5"])
        );
        // The store of a line that does not name one is unknown.
        let unnamed = Recorded {
            store: None,
            ..lessons()
        };
        assert_eq!(
            separate(&here, &unnamed, false),
            sep("server >= 28", &["client >= 28.5"])
        );
        // An engine that did not say its store.
        let here = Facts {
            store: None,
            ..here
        };
        assert_eq!(
            separate(&here, &lessons(), false),
            sep("server >= 28", &["client >= 28.5"])
        );
    }

    #[test]
    fn the_builder_tells_builds_apart_and_only_builds() {
        let here = facts("20.10.24", "20.10.24", "1.1.5", Builder::Builtin);
        assert_eq!(
            separate(&here, &lessons(), true),
            sep("builder == builtin", &["client < 28"])
        );
        assert_eq!(separate(&here, &lessons(), false), sep("client < 28", &[]));
        assert!(builds("docker image build \\\n  --file x ."));
        assert!(builds("cd app && docker build ."));
        assert!(!builds("docker image ls knowing-scratch-image"));
        assert!(!builds("docker container run --rm builder"));
    }

    #[test]
    fn versions_are_cut_as_short_as_tells_them_apart() {
        let there = Recorded {
            runc: v("1.1.5"),
            ..Recorded::default()
        };
        let runc = |r: &str| separate(&facts("", "", r, Builder::Legacy), &there, false);
        assert_eq!(runc("1.3.0"), sep("runc >= 1.3", &[]));
        assert_eq!(runc("1.1.12"), sep("runc >= 1.1.12", &[]));
        assert_eq!(runc("2"), sep("runc >= 2", &[]));
        assert_eq!(runc("1.0.3"), sep("runc < 1.1", &[]));
        assert_eq!(runc("0.9"), sep("runc < 1", &[]));
        assert_eq!(runc("1.1.5+ds1"), None);
    }

    #[test]
    fn an_unknown_fact_tells_nothing() {
        let here = facts("28.5.2", "28.5.2", "1.1.5", Builder::Buildx);
        assert_eq!(separate(&here, &Recorded::default(), true), None);
        // The engine was not detected here: only the client is left.
        let here = Facts {
            server: None,
            ..here
        };
        assert_eq!(
            separate(&here, &lessons(), true),
            sep("client >= 28.5", &[])
        );
    }

    #[test]
    fn the_condition_holds_here_and_not_there() {
        let cases = [
            Facts {
                store: Some(Store::Containerd),
                ..facts("28.5.2", "28.5.2", "1.1.5", Builder::Buildx)
            },
            facts("28.5.2", "28.5.2", "1.1.5", Builder::Buildx),
            facts("20.10.24", "20.10.24", "1.1.5", Builder::Builtin),
            facts("28.2.2", "20.10.24", "1.0.3", Builder::Buildx),
            facts("23.0.1", "20.10.24", "1.1.5", Builder::Legacy),
            facts("29.0.0", "29.0.0", "1.3.0", Builder::Buildx),
        ];
        let there = Facts {
            client: v("28.2.2"),
            server: v("20.10.24"),
            runc: v("1.1.5"),
            builder: Builder::Buildx,
            store: Some(Store::Classic),
        };
        for here in &cases {
            for builds in [false, true] {
                let s = separate(here, &lessons(), builds).expect("a difference");
                for c in std::iter::once(&s.when).chain(&s.also) {
                    let c = Condition::parse(c).unwrap();
                    assert!(c.holds(here), "{} on {here:?}", c.text());
                    assert!(!c.holds(&there), "{} on the recorded engine", c.text());
                }
            }
        }
    }
}
