//! What a `recorded:` line says about where documented outputs were
//! recorded: `Docker 28.2.2 client (buildx 0.13.1), engine 20.10.24, runc 1.1.5`.
//!
//! The line stays free text for readers (the walkthrough shows it), so it is
//! read leniently: each comma-separated part may name the client, the engine
//! (or server) or runc next to a version, a builder (`buildx`, `built-in`,
//! `legacy`), and an image store (`containerd store`, `classic store`,
//! `overlay2 store`). A fact the line does not name, or names twice with
//! different values, is unknown, and an unknown fact never tells two engines
//! apart. [`describe`] writes a line in the same shape, which reads back to
//! the facts it was written from.

use super::condition::{Builder, Facts, Store, Version};

/// Facts as a `recorded:` line states them; `None` where it does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recorded {
    pub client: Option<Version>,
    pub server: Option<Version>,
    pub runc: Option<Version>,
    pub builder: Option<Builder>,
    pub store: Option<Store>,
}

/// One fact, either not seen yet, seen with one value, or contradicted.
enum Seen<T> {
    No,
    Once(T),
    Conflict,
}

impl<T: PartialEq> Seen<T> {
    fn add(&mut self, value: T) {
        *self = match std::mem::replace(self, Seen::No) {
            Seen::No => Seen::Once(value),
            Seen::Once(v) if v == value => Seen::Once(v),
            _ => Seen::Conflict,
        };
    }

    fn known(self) -> Option<T> {
        match self {
            Seen::Once(v) => Some(v),
            _ => None,
        }
    }
}

/// A word that is a version: digits and dots, maybe after a `v` and before a
/// suffix (`20.10.24+dfsg1`).
fn version(word: &str) -> Option<Version> {
    word.trim_start_matches('v')
        .starts_with(|c: char| c.is_ascii_digit())
        .then(|| Version::parse_loose(word))?
}

impl Recorded {
    pub fn parse(text: &str) -> Recorded {
        let (mut client, mut server, mut runc, mut builder, mut store) =
            (Seen::No, Seen::No, Seen::No, Seen::No, Seen::No);
        for part in text.split([',', ';']) {
            let words: Vec<String> = part
                .split(|c: char| c.is_whitespace() || "()[]".contains(c))
                .filter(|w| !w.is_empty())
                .map(str::to_ascii_lowercase)
                .collect();
            // The version right after the word, else right before it.
            let near = |i: usize| {
                words
                    .get(i + 1)
                    .and_then(|w| version(w))
                    .or_else(|| i.checked_sub(1).and_then(|j| version(&words[j])))
            };
            // `containerd 1.6.20` is a version; `containerd store` a store.
            if words.iter().any(|w| w == "store") {
                for word in &words {
                    match word.as_str() {
                        "containerd" => store.add(Store::Containerd),
                        "classic" | "overlay2" => store.add(Store::Classic),
                        _ => {}
                    }
                }
            }
            for (i, word) in words.iter().enumerate() {
                match word.as_str() {
                    "client" => near(i).into_iter().for_each(|v| client.add(v)),
                    "engine" | "server" => near(i).into_iter().for_each(|v| server.add(v)),
                    "runc" => near(i).into_iter().for_each(|v| runc.add(v)),
                    "buildx" => builder.add(Builder::Buildx),
                    "built-in" | "builtin" => builder.add(Builder::Builtin),
                    "legacy" => builder.add(Builder::Legacy),
                    _ => {}
                }
            }
        }
        Recorded {
            client: client.known(),
            server: server.known(),
            runc: runc.known(),
            builder: builder.known(),
            store: store.known(),
        }
    }

    /// Every fact known: what was detected here.
    pub fn of(facts: &Facts) -> Recorded {
        Recorded {
            client: facts.client.clone(),
            server: facts.server.clone(),
            runc: facts.runc.clone(),
            builder: Some(facts.builder),
            store: facts.store,
        }
    }
}

/// A `recorded:` line for `facts`; `buildx` is the plugin's version, when known.
pub fn describe(facts: &Facts, buildx: Option<&str>) -> String {
    let mut parts = Vec::new();
    if let Some(client) = &facts.client {
        let builder = match facts.builder {
            Builder::Buildx => match buildx.and_then(Version::parse_loose) {
                Some(v) => format!("buildx {v}"),
                None => "buildx".to_string(),
            },
            Builder::Builtin => "built-in BuildKit".to_string(),
            Builder::Legacy => "legacy builder".to_string(),
        };
        parts.push(format!("Docker {client} client ({builder})"));
    }
    if let Some(server) = &facts.server {
        parts.push(format!("engine {server}"));
    }
    if let Some(runc) = &facts.runc {
        parts.push(format!("runc {runc}"));
    }
    if let Some(store) = facts.store {
        parts.push(format!("{} store", store.name()));
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Option<Version> {
        Version::parse_loose(s)
    }

    #[test]
    fn reads_the_lessons_lines() {
        assert_eq!(
            Recorded::parse("Docker 28.2.2 client (buildx 0.13.1), engine 20.10.24, runc 1.1.5"),
            Recorded {
                client: v("28.2.2"),
                server: v("20.10.24"),
                runc: v("1.1.5"),
                builder: Some(Builder::Buildx),
                store: None,
            }
        );
        assert_eq!(
            Recorded::parse("engine 28.5.2 with the containerd image store (containerd 2.1.9)"),
            Recorded {
                server: v("28.5.2"),
                store: Some(Store::Containerd),
                ..Recorded::default()
            }
        );
        assert_eq!(
            Recorded::parse("engine 28.5.2, overlay2 store, containerd 2.1.9"),
            Recorded {
                server: v("28.5.2"),
                store: Some(Store::Classic),
                ..Recorded::default()
            }
        );
        assert_eq!(
            Recorded::parse("Docker 28.2.2 client, engine 20.10.24"),
            Recorded {
                client: v("28.2.2"),
                server: v("20.10.24"),
                ..Recorded::default()
            }
        );
        // Two clients: which one recorded what is not known.
        assert_eq!(
            Recorded::parse("Docker Hub search output as documented in 2022 (client 20.10), columns updated for client 25 and later"),
            Recorded::default()
        );
        assert_eq!(
            Recorded::parse("server v28.5.2+1, client 20.10 (built-in BuildKit)"),
            Recorded {
                client: v("20.10"),
                server: v("28.5.2"),
                builder: Some(Builder::Builtin),
                ..Recorded::default()
            }
        );
        assert_eq!(Recorded::parse("by hand"), Recorded::default());
    }

    #[test]
    fn a_described_line_reads_back_as_its_facts() {
        for (builder, buildx, store, line) in [
            (
                Builder::Buildx,
                Some("0.29.1+ds1"),
                Some(Store::Containerd),
                "Docker 28.5.2 client (buildx 0.29.1), engine 28.5.2, runc 1.1.5, containerd store",
            ),
            (
                Builder::Builtin,
                None,
                Some(Store::Classic),
                "Docker 28.5.2 client (built-in BuildKit), engine 28.5.2, runc 1.1.5, classic store",
            ),
            (
                Builder::Legacy,
                None,
                None,
                "Docker 28.5.2 client (legacy builder), engine 28.5.2, runc 1.1.5",
            ),
        ] {
            let facts = Facts {
                client: v("28.5.2"),
                server: v("28.5.2+dfsg1"),
                runc: v("1.1.5+ds1"),
                builder,
                store,
            };
            assert_eq!(describe(&facts, buildx), line);
            assert_eq!(Recorded::parse(line), Recorded::of(&facts));
        }
        assert_eq!(describe(&Facts::default(), None), "");
    }
}
