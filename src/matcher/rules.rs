//! The volatile kinds: values that differ from run to run, each one rule.
//!
//! A rule has a name (also the marker `{{name}}`), a regex that finds the kind
//! in documented text (absent for kinds that are only ever written as
//! markers, such as `int`: a plain integer in the docs is usually meant
//! literally, e.g. `10001` as a user id), a regex that accepts a real value,
//! and an optional check of a real value against the documented one (sizes
//! must stay within the size band).
//!
//! `consistent` rules are identities: the same documented container ID
//! printed twice must be the same real ID twice. Measurements are not: a
//! build log documents `DONE 0.0s` for many steps that take different times,
//! and `ps aux` documents one start time for processes started apart, so
//! durations, times and sizes map each occurrence on its own.
//!
//! Adding a kind is one entry in [`RULES`]; the marker parser, the error
//! messages and the tests of the table pick it up from there.

use std::ops::Range;
use std::sync::LazyLock;

use regex::{Regex, RegexSet};

use super::{Options, SizeBand};

/// Checks a real value against the documented one; `Err` says why not.
pub(crate) type Check = fn(documented: &str, real: &str, opts: &Options) -> Result<(), String>;

pub(crate) struct Rule {
    pub name: &'static str,
    /// Finds the kind in documented text; `None` for marker-only kinds.
    pub find: Option<&'static str>,
    /// Whether a value `find` found really is of the kind (a regex cannot say
    /// "twelve hex digits, not all of them decimal").
    pub plausible: fn(&str) -> bool,
    /// Accepts a real value. Embedded in a line's regex: no anchors, no
    /// capture groups.
    pub accept: &'static str,
    pub check: Option<Check>,
    /// One documented value stands for one real value in a comparison.
    pub consistent: bool,
    /// For kinds of a fixed shape: the length of the value at the start of a
    /// text, as `accept` anchored there finds it, without a regex (IDs and
    /// digests fill long tables, and a byte loop is much cheaper).
    pub quick: Option<fn(&str) -> Option<usize>>,
}

/// Docker's relative times (`units.HumanDuration`), without `ago`/`Up`.
macro_rules! reltime {
    () => {
        r"(?:Less than a second|About a minute|About an hour|\d+ (?:seconds?|minutes?|hours?|days?|weeks?|months?|years?))"
    };
}

/// Wall-clock times (`11:00`, `11:00:05`) and RFC 3339 timestamps.
macro_rules! clock {
    () => {
        r"(?:\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?|\d{1,2}:\d{2}(?::\d{2})?)"
    };
}

/// What follows the builder's name in a build log's `#0` line.
macro_rules! builder_tail {
    () => {
        "instance using docker driver"
    };
}
const BUILDER_TAIL: &str = builder_tail!();

/// The volatile kinds, in the order error messages list them. When two
/// kinds are found at the same place in documented text, the earlier wins.
pub(crate) const RULES: &[Rule] = &[
    Rule {
        name: "hex64",
        find: Some(r"\b[0-9a-f]{64}\b"),
        plausible: not_all_decimal,
        accept: "[0-9a-f]{64}",
        check: None,
        consistent: true,
        quick: Some(hex::<64>),
    },
    Rule {
        name: "hex12",
        find: Some(r"\b[0-9a-f]{12}\b"),
        plausible: not_all_decimal,
        accept: "[0-9a-f]{12}",
        check: None,
        consistent: true,
        quick: Some(hex::<12>),
    },
    Rule {
        name: "digest",
        find: Some(r"\bsha256:[0-9a-f]{64}\b"),
        plausible: always,
        accept: "sha256:[0-9a-f]{64}",
        check: None,
        consistent: true,
        quick: Some(digest),
    },
    Rule {
        name: "duration",
        find: Some(r"\b(?:(?:\d+h)?\d+m)?\d+(?:\.\d+)?(?:ms|µs|us|ns|s)\b"),
        plausible: always,
        accept: r"(?:(?:\d+h)?\d+m)?\d+(?:\.\d+)?(?:ms|µs|us|ns|s)",
        check: None,
        consistent: false,
        quick: None,
    },
    Rule {
        name: "reltime",
        find: Some(concat!(r"\b", reltime!(), r"\b")),
        plausible: always,
        accept: reltime!(),
        check: None,
        consistent: false,
        quick: None,
    },
    Rule {
        name: "clock",
        find: Some(concat!(r"\b", clock!(), r"\b")),
        plausible: always,
        accept: clock!(),
        check: None,
        consistent: false,
        quick: None,
    },
    Rule {
        name: "size",
        find: Some(r"\b\d+(?:\.\d+)?(?:B|kB|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)\b"),
        plausible: always,
        accept: r"\d+(?:\.\d+)?(?:B|kB|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)",
        check: Some(size_in_band),
        consistent: false,
        quick: None,
    },
    // buildx names the builder of the docker driver after the current
    // context: `default`, `desktop-linux` on Docker Desktop, or whatever
    // `DOCKER_CONTEXT` names. Only the name in the build log's `#0` line.
    Rule {
        name: "builder",
        find: Some(concat!(r#""[^"\n]*" "#, builder_tail!())),
        plausible: always,
        accept: concat!(r#""[^"\n]*" "#, builder_tail!()),
        check: None,
        consistent: false,
        quick: None,
    },
    Rule {
        name: "int",
        find: None,
        plausible: always,
        accept: r"-?\d+",
        check: None,
        consistent: false,
        quick: None,
    },
];

/// `N` lowercase hex digits at the start of `text`: `[0-9a-f]{N}`.
fn hex<const N: usize>(text: &str) -> Option<usize> {
    let digits = text.as_bytes().get(..N)?;
    digits
        .iter()
        .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        .then_some(N)
}

/// `sha256:[0-9a-f]{64}` at the start of `text`.
fn digest(text: &str) -> Option<usize> {
    let rest = text.strip_prefix("sha256:")?;
    Some("sha256:".len() + hex::<64>(rest)?)
}

fn always(_: &str) -> bool {
    true
}

fn not_all_decimal(s: &str) -> bool {
    !s.bytes().all(|b| b.is_ascii_digit())
}

static FINDERS: LazyLock<Vec<Option<Regex>>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|r| r.find.map(|f| Regex::new(f).expect("rule regex compiles")))
        .collect()
});

/// All finders at once, and the rule of each: one scan tells which
/// finders can match a text at all (a set matches exactly where its
/// patterns would), so only those scan it again for their values.
static FINDER_SET: LazyLock<(RegexSet, Vec<usize>)> = LazyLock::new(|| {
    let (rules, patterns): (Vec<usize>, Vec<&str>) = RULES
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.find.map(|f| (i, f)))
        .unzip();
    let set = RegexSet::new(patterns).expect("rule regexes compile");
    (set, rules)
});

/// The rule called `name`.
pub(crate) fn by_name(name: &str) -> Option<usize> {
    RULES.iter().position(|r| r.name == name)
}

/// The rule names, comma separated, for messages.
pub(crate) fn names() -> String {
    RULES.iter().map(|r| r.name).collect::<Vec<_>>().join(", ")
}

/// Volatile values in a piece of documented text: non-overlapping byte
/// ranges with their rule, in order. The leftmost value wins; at one
/// position, the earlier rule.
pub(crate) fn find_volatiles(text: &str) -> Vec<(Range<usize>, usize)> {
    if !text
        .bytes()
        .any(|b| b.is_ascii_digit() || b == b'A' || b == b'L')
        && !text.contains(BUILDER_TAIL)
    {
        // Every kind found in text has a digit, or starts "About"/"Less",
        // but for the builder's name.
        return Vec::new();
    }
    let mut found: Vec<(Range<usize>, usize)> = Vec::new();
    let (set, rules) = &*FINDER_SET;
    for rule in set.matches(text).iter().map(|k| rules[k]) {
        let Some(finder) = &FINDERS[rule] else {
            continue;
        };
        for m in finder.find_iter(text) {
            if (RULES[rule].plausible)(m.as_str()) {
                found.push((m.range(), rule));
            }
        }
    }
    found.sort_by_key(|(range, rule)| (range.start, *rule));
    let mut kept: Vec<(Range<usize>, usize)> = Vec::new();
    for (range, rule) in found {
        if kept.last().is_none_or(|(last, _)| last.end <= range.start) {
            kept.push((range, rule));
        }
    }
    kept
}

/// A docker size in bytes: `1.81MB`, `3.52kB`, `0B`, `2.2MiB`.
pub(crate) fn parse_size(text: &str) -> Option<f64> {
    let split = text.find(|c: char| !(c.is_ascii_digit() || c == '.'))?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    let factor = match unit {
        "B" => 1.0,
        "kB" | "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        "PB" => 1e15,
        "KiB" => 1024.0,
        "MiB" => 1024f64.powi(2),
        "GiB" => 1024f64.powi(3),
        "TiB" => 1024f64.powi(4),
        "PiB" => 1024f64.powi(5),
        _ => return None,
    };
    Some(number * factor)
}

fn size_in_band(documented: &str, real: &str, opts: &Options) -> Result<(), String> {
    match opts.sizes {
        SizeBand::Any => Ok(()),
        SizeBand::Exact if documented == real => Ok(()),
        SizeBand::Exact => Err(format!(
            "size `{real}` is not the documented `{documented}` (sizes must be exact)"
        )),
        SizeBand::Ratio(r) => {
            let (Some(doc), Some(got)) = (parse_size(documented), parse_size(real)) else {
                return Err(format!("`{real}` is not a size"));
            };
            let fits = if doc == 0.0 {
                got == 0.0
            } else {
                let ratio = got / doc;
                ratio >= 1.0 / (1.0 + r) && ratio <= 1.0 + r
            };
            if fits {
                Ok(())
            } else {
                Err(format!(
                    "size `{real}` is too far from the documented `{documented}` \
                     (allowed: a factor of {} either way)",
                    1.0 + r
                ))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(&str, &'static str)> {
        find_volatiles(text)
            .into_iter()
            .map(|(range, rule)| (&text[range], RULES[rule].name))
            .collect()
    }

    fn accepts(rule: &str, value: &str) -> bool {
        let accept = RULES[by_name(rule).unwrap()].accept;
        Regex::new(&format!("^(?:{accept})$"))
            .unwrap()
            .is_match(value)
    }

    #[test]
    fn quick_matchers_find_what_the_regexes_find() {
        let hex64 = "460764e65f7fb1b9f9d2a8c7c720f3919b494bfae17bb89d3b482d2698faa470";
        let texts = [
            String::new(),
            hex64.to_string(),
            format!("{hex64} tail"),
            format!("{hex64}0"),
            hex64[..63].to_string(),
            hex64.to_uppercase(),
            "3f165a273e85".to_string(),
            "3f165a273e8".to_string(),
            "3f165a273e85:/#".to_string(),
            "3f165a273g85".to_string(),
            "3f165a273e8é5".to_string(),
            format!("sha256:{hex64}"),
            format!("sha256:{hex64} done"),
            format!("sha256:{}", &hex64[..63]),
            format!("sha512:{hex64}"),
            format!("sha256 {hex64}"),
        ];
        let mut quick = 0;
        for rule in RULES {
            let Some(fast) = rule.quick else { continue };
            quick += 1;
            let regex = Regex::new(&format!("^(?:{})", rule.accept)).unwrap();
            for text in &texts {
                let slow = regex.find(text).map(|m| m.end());
                assert_eq!(fast(text), slow, "{} on {text:?}", rule.name);
            }
        }
        assert_eq!(quick, 3, "hex64, hex12 and digest");
    }

    #[test]
    fn accept_regexes_have_no_groups() {
        for rule in RULES {
            assert_eq!(
                Regex::new(rule.accept).unwrap().captures_len(),
                1,
                "{}",
                rule.name
            );
        }
    }

    #[test]
    fn finds_each_kind_in_documented_text() {
        let id = "460764e65f7fb1b9f9d2a8c7c720f3919b494bfae17bb89d3b482d2698faa470";
        assert_eq!(kinds(id), vec![(id, "hex64")]);
        assert_eq!(
            kinds("root@3f165a273e85:/#"),
            vec![("3f165a273e85", "hex12")]
        );
        let digest = format!("writing image sha256:{id} done");
        assert_eq!(
            kinds(&digest),
            vec![(&digest[14..85], "digest")],
            "the digest wins over the hex64 inside it"
        );
        assert_eq!(
            kinds("#8 DONE 0.2s, 150ms, 2m3s, 1h2m3s, 12.345s"),
            vec![
                ("0.2s", "duration"),
                ("150ms", "duration"),
                ("2m3s", "duration"),
                ("1h2m3s", "duration"),
                ("12.345s", "duration")
            ]
        );
        assert_eq!(
            kinds("About a minute ago | Up 3 seconds | Exited (0) 2 seconds ago | Less than a second ago | About an hour ago | 3 weeks ago"),
            vec![
                ("About a minute", "reltime"),
                ("3 seconds", "reltime"),
                ("2 seconds", "reltime"),
                ("Less than a second", "reltime"),
                ("About an hour", "reltime"),
                ("3 weeks", "reltime")
            ]
        );
        assert_eq!(
            kinds("11:00 11:00:05 2022-05-01T11:00:05Z 2022-05-01T11:00:05.123+02:00"),
            vec![
                ("11:00", "clock"),
                ("11:00:05", "clock"),
                ("2022-05-01T11:00:05Z", "clock"),
                ("2022-05-01T11:00:05.123+02:00", "clock")
            ]
        );
        assert_eq!(
            kinds("1.81MB 3.52kB 44B 0B 19.20kB 2.2MiB 1.5GB"),
            vec![
                ("1.81MB", "size"),
                ("3.52kB", "size"),
                ("44B", "size"),
                ("0B", "size"),
                ("19.20kB", "size"),
                ("2.2MiB", "size"),
                ("1.5GB", "size")
            ]
        );
    }

    #[test]
    fn leaves_plain_text_alone() {
        assert_eq!(kinds("1 10001 /app"), vec![]);
        assert_eq!(kinds("123456789012"), vec![], "an integer, not a short id");
        assert_eq!(kinds("golang:1.18.1"), vec![]);
        assert_eq!(kinds("container_linux.go:380: starting"), vec![]);
        assert_eq!(kinds("abcdef0123456"), vec![], "13 hex digits");
        assert_eq!(kinds("v2s x44Bx 0.0.0.0:8080->80/tcp"), vec![]);
        assert_eq!(kinds("[builder 4/4] RUN go build"), vec![]);
    }

    #[test]
    fn accepts_real_values_of_each_kind() {
        assert!(accepts(
            "hex64",
            "d6f930e1f595a96ca7377d692c0df4bf449eafb1de7ec7de9eb851da2235c8ee"
        ));
        assert!(!accepts("hex64", "d6f930e1f595"));
        assert!(accepts("hex12", "123456789012"), "any real short id");
        assert!(!accepts("hex12", "D6F930E1F595"));
        assert!(accepts(
            "digest",
            "sha256:3fc7c254b5bd9074a2a58a69d9f80a492266d589b6267e2ca506ba14d0884f1f"
        ));
        assert!(!accepts("digest", "sha256:3fc7c254b5bd"));
        for d in ["0.0s", "1.2s", "150ms", "2m3s", "1h2m3s"] {
            assert!(accepts("duration", d), "{d}");
        }
        assert!(!accepts("duration", "2 seconds"));
        for t in ["Less than a second", "1 second", "5 hours", "About an hour"] {
            assert!(accepts("reltime", t), "{t}");
        }
        assert!(!accepts("reltime", "soon"));
        for c in ["9:05", "11:00:05", "2024-01-02T03:04:05.678901Z"] {
            assert!(accepts("clock", c), "{c}");
        }
        assert!(!accepts("clock", "11h00"));
        assert!(accepts("size", "75MB"));
        assert!(!accepts("size", "75"));
        assert!(accepts("int", "-12"));
        assert!(!accepts("int", "1.5"));
    }

    #[test]
    fn sizes_parse_in_decimal_and_binary_units() {
        assert_eq!(parse_size("1.81MB"), Some(1_810_000.0));
        assert_eq!(parse_size("3.52kB"), Some(3520.0));
        assert_eq!(parse_size("0B"), Some(0.0));
        assert_eq!(parse_size("2MiB"), Some(2_097_152.0));
        assert_eq!(parse_size("2XB"), None);
    }

    #[test]
    fn size_band() {
        let ratio = Options::default();
        assert_eq!(size_in_band("1.81MB", "2.2MB", &ratio), Ok(()));
        assert_eq!(size_in_band("1.81MB", "1.3MB", &ratio), Ok(()));
        assert_eq!(
            size_in_band("1.81MB", "75MB", &ratio),
            Err("size `75MB` is too far from the documented `1.81MB` (allowed: a factor of 1.5 either way)".into())
        );
        assert!(size_in_band("0B", "0B", &ratio).is_ok());
        assert!(size_in_band("0B", "1B", &ratio).is_err());
        assert!(size_in_band("1B", "0B", &ratio).is_err());
        let exact = Options {
            sizes: SizeBand::Exact,
            ..Options::default()
        };
        assert!(size_in_band("1.81MB", "1.81MB", &exact).is_ok());
        assert_eq!(
            size_in_band("1.81MB", "1.82MB", &exact),
            Err("size `1.82MB` is not the documented `1.81MB` (sizes must be exact)".into())
        );
        let any = Options {
            sizes: SizeBand::Any,
            ..Options::default()
        };
        assert!(size_in_band("1.81MB", "75GB", &any).is_ok());
        assert!(size_in_band("0B", "75GB", &any).is_ok());
    }
}
