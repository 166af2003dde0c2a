//! Conditions that choose a step's output variant: `client >= 28`,
//! `builder == legacy`, `runc < 1.1`, `store == containerd`, joined with `and`.
//!
//! Variants are picked from facts detected before the run, never by trying
//! each one until something matches, so a report can say which it used.

use std::cmp::Ordering;
use std::fmt;

/// What a condition can test, detected once per run.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Facts {
    pub client: Option<Version>,
    pub server: Option<Version>,
    pub runc: Option<Version>,
    pub builder: Builder,
    /// `None` when the engine did not say (an old client, a fake).
    pub store: Option<Store>,
}

/// Where the engine keeps images. The containerd image store (the default of
/// new Engine 29 installs) changes image IDs, sizes and build export lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Store {
    /// The engine's own graph driver (overlay2 and friends).
    Classic,
    /// containerd's snapshotters (`driver-type: io.containerd.snapshotter.v1`).
    Containerd,
}

impl Store {
    pub fn name(self) -> &'static str {
        match self {
            Store::Classic => "classic",
            Store::Containerd => "containerd",
        }
    }

    fn parse(s: &str) -> Option<Store> {
        match s {
            "classic" => Some(Store::Classic),
            "containerd" => Some(Store::Containerd),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Builder {
    /// BuildKit inside the docker client (20.10 with `DOCKER_BUILDKIT=1`).
    Builtin,
    /// The buildx plugin.
    Buildx,
    /// The classic builder.
    #[default]
    Legacy,
}

impl Builder {
    pub fn name(self) -> &'static str {
        match self {
            Builder::Builtin => "builtin",
            Builder::Buildx => "buildx",
            Builder::Legacy => "legacy",
        }
    }

    fn parse(s: &str) -> Option<Builder> {
        match s {
            "builtin" => Some(Builder::Builtin),
            "buildx" => Some(Builder::Buildx),
            "legacy" => Some(Builder::Legacy),
            _ => None,
        }
    }
}

/// A dotted version; missing parts compare as zero (`28` == `28.0.0`).
#[derive(Debug, Clone, Eq, serde::Serialize)]
#[serde(into = "String")]
pub struct Version(pub Vec<u64>);

impl Version {
    /// Reads the leading numbers of texts like `28.2.2`, `20.10.24+dfsg1`, `v0.13.1`.
    pub fn parse_loose(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches('v');
        let mut parts = Vec::new();
        for piece in s.split('.') {
            let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
            if digits.is_empty() {
                break;
            }
            parts.push(digits.parse().ok()?);
            if digits.len() != piece.len() {
                break;
            }
        }
        (!parts.is_empty()).then_some(Version(parts))
    }

    fn part(&self, i: usize) -> u64 {
        self.0.get(i).copied().unwrap_or(0)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        let n = self.0.len().max(other.0.len());
        (0..n)
            .map(|i| self.part(i).cmp(&other.part(i)))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.0.iter().map(u64::to_string).collect();
        f.write_str(&parts.join("."))
    }
}

impl From<Version> for String {
    fn from(v: Version) -> String {
        v.to_string()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Subject {
    Client,
    Server,
    Runc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Lt,
    Le,
    Eq,
    Ne,
    Ge,
    Gt,
}

impl Op {
    fn holds(self, o: Ordering) -> bool {
        match self {
            Op::Lt => o.is_lt(),
            Op::Le => o.is_le(),
            Op::Eq => o.is_eq(),
            Op::Ne => o.is_ne(),
            Op::Ge => o.is_ge(),
            Op::Gt => o.is_gt(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Test {
    Version(Subject, Op, Version),
    Builder(bool, Builder),
    Store(bool, Store),
}

/// `==` is true, `!=` false; other operators do not apply to names.
fn equality(op: Op, what: &str, clause: &str) -> Result<bool, String> {
    match op {
        Op::Eq => Ok(true),
        Op::Ne => Ok(false),
        _ => Err(format!(
            "{what} compare with == or != only, not `{}`",
            clause.trim()
        )),
    }
}

/// A parsed `when:`; all of its tests must hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    text: String,
    tests: Vec<Test>,
}

impl Condition {
    pub fn parse(text: &str) -> Result<Condition, String> {
        let mut tests = Vec::new();
        for clause in text.split(" and ") {
            let words: Vec<&str> = clause.split_whitespace().collect();
            let [subject, op, value] = words[..] else {
                return Err(format!(
                    "malformed condition `{}`: expected `SUBJECT OP VALUE`, such as `client >= 28` or `builder == buildx`",
                    clause.trim()
                ));
            };
            let op = match op {
                "<" => Op::Lt,
                "<=" => Op::Le,
                "==" => Op::Eq,
                "!=" => Op::Ne,
                ">=" => Op::Ge,
                ">" => Op::Gt,
                _ => {
                    return Err(format!(
                        "unknown operator `{op}` in `{}`: use <, <=, ==, !=, >= or >",
                        clause.trim()
                    ))
                }
            };
            let test = match subject {
                "client" | "server" | "runc" => {
                    let version = Version::parse_loose(value)
                        .filter(|_| value.chars().all(|c| c.is_ascii_digit() || c == '.'))
                        .ok_or_else(|| format!("malformed version `{value}` in `{}`: expected numbers like `28` or `20.10.24`", clause.trim()))?;
                    let subject = match subject {
                        "client" => Subject::Client,
                        "server" => Subject::Server,
                        _ => Subject::Runc,
                    };
                    Test::Version(subject, op, version)
                }
                "builder" => {
                    let builder = Builder::parse(value).ok_or_else(|| {
                        format!("unknown builder `{value}`: use builtin, buildx or legacy")
                    })?;
                    Test::Builder(equality(op, "builders", clause)?, builder)
                }
                "store" => {
                    let store = Store::parse(value).ok_or_else(|| {
                        format!("unknown store `{value}`: use classic or containerd")
                    })?;
                    Test::Store(equality(op, "stores", clause)?, store)
                }
                _ => {
                    return Err(format!(
                        "unknown subject `{subject}` in `{}`: use client, server, runc, builder or store",
                        clause.trim()
                    ))
                }
            };
            tests.push(test);
        }
        Ok(Condition {
            text: text.trim().to_string(),
            tests,
        })
    }

    /// Whether every test holds; a version that could not be detected fails its test.
    pub fn holds(&self, facts: &Facts) -> bool {
        self.tests.iter().all(|t| match t {
            Test::Version(subject, op, want) => {
                let have = match subject {
                    Subject::Client => &facts.client,
                    Subject::Server => &facts.server,
                    Subject::Runc => &facts.runc,
                };
                have.as_ref().is_some_and(|v| op.holds(v.cmp(want)))
            }
            Test::Builder(equal, b) => (facts.builder == *b) == *equal,
            // An engine that did not say which store it uses fails both `==` and `!=`.
            Test::Store(equal, st) => facts.store.is_some_and(|have| (have == *st) == *equal),
        })
    }

    pub fn text(&self) -> &str {
        &self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(client: &str, builder: Builder) -> Facts {
        Facts {
            client: Version::parse_loose(client),
            server: Version::parse_loose("20.10.24"),
            runc: Version::parse_loose("1.1.5"),
            builder,
            store: Some(Store::Classic),
        }
    }

    #[test]
    fn versions_compare_by_number() {
        let v = |s| Version::parse_loose(s).unwrap();
        assert!(v("28.2.2") > v("28"));
        assert!(v("20.10.24+dfsg1") < v("28"));
        assert_eq!(v("28"), v("28.0.0"));
        assert_eq!(v("v0.13.1").to_string(), "0.13.1");
        assert!(v("1.10") > v("1.9"));
    }

    #[test]
    fn conditions_hold_on_facts() {
        let c = Condition::parse("client >= 28 and builder == buildx").unwrap();
        assert!(c.holds(&facts("28.2.2", Builder::Buildx)));
        assert!(!c.holds(&facts("20.10.24", Builder::Buildx)));
        assert!(!c.holds(&facts("28.2.2", Builder::Legacy)));
        assert!(Condition::parse("runc < 1.1").unwrap().holds(&Facts {
            runc: Version::parse_loose("1.0.3"),
            ..Facts::default()
        }));
        assert!(!Condition::parse("server >= 1")
            .unwrap()
            .holds(&Facts::default()));
        assert!(Condition::parse("builder != legacy")
            .unwrap()
            .holds(&facts("20.10", Builder::Builtin)));
    }

    #[test]
    fn store_conditions_need_a_known_store() {
        let containerd = Condition::parse("store == containerd").unwrap();
        let classic = Condition::parse("store != containerd").unwrap();
        let mut f = facts("28.5.2", Builder::Buildx);
        assert!(!containerd.holds(&f));
        assert!(classic.holds(&f));
        f.store = Some(Store::Containerd);
        assert!(containerd.holds(&f));
        assert!(!classic.holds(&f));
        f.store = None;
        assert!(!containerd.holds(&f));
        assert!(!classic.holds(&f));
        assert_eq!(
            Condition::parse("store == zfs").unwrap_err(),
            "unknown store `zfs`: use classic or containerd"
        );
        assert_eq!(
            Condition::parse("store >= classic").unwrap_err(),
            "stores compare with == or != only, not `store >= classic`"
        );
    }

    #[test]
    fn malformed_conditions_say_what_is_wrong() {
        assert_eq!(
            Condition::parse("client >= twenty").unwrap_err(),
            "malformed version `twenty` in `client >= twenty`: expected numbers like `28` or `20.10.24`"
        );
        assert_eq!(
            Condition::parse("client => 28").unwrap_err(),
            "unknown operator `=>` in `client => 28`: use <, <=, ==, !=, >= or >"
        );
        assert_eq!(
            Condition::parse("kernel >= 6").unwrap_err(),
            "unknown subject `kernel` in `kernel >= 6`: use client, server, runc, builder or store"
        );
        assert_eq!(
            Condition::parse("client>=28").unwrap_err(),
            "malformed condition `client>=28`: expected `SUBJECT OP VALUE`, such as `client >= 28` or `builder == buildx`"
        );
        assert_eq!(
            Condition::parse("builder >= buildx").unwrap_err(),
            "builders compare with == or != only, not `builder >= buildx`"
        );
    }
}
