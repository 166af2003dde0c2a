//! Comparing texts and masking what varies from run to run.
//!
//! One assertion, [`assert_text`], with one argument order (what, expected,
//! actual) and one diff format, used by every test that compares a whole
//! text. Masks replace what a run makes up (durations, temporary paths, IDs)
//! by a placeholder the expected text spells out: the tool's step durations
//! always have two decimals (`0.05s`), Docker's own (`DONE 5.4s`) one, so
//! Docker's are never masked.

use std::fmt::Write as _;
use std::sync::LazyLock;

use regex::Regex;
use similar::{ChangeTag, TextDiff};

/// Remove the indentation common to all lines, and the first line when it is
/// empty, so expected texts can be written indented in the test's source.
pub fn unindent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim().is_empty() {
            out.push_str(if line.ends_with('\n') { "\n" } else { "" });
        } else {
            out.push_str(&line[indent..]);
        }
    }
    // A closing quote on its own indented line leaves trailing spaces.
    let trimmed = out.trim_end_matches(' ');
    trimmed.to_string()
}

/// What differs between `expected` and `actual`, as a report naming `what`
/// (`None` when they are equal): a line diff, then the actual text whole.
pub fn diff(what: &str, expected: &str, actual: &str) -> Option<String> {
    if expected == actual {
        return None;
    }
    let mut report = format!("{what} differs (- expected, + actual):\n");
    for change in TextDiff::from_lines(expected, actual).iter_all_changes() {
        let sign = match change.tag() {
            ChangeTag::Equal => ' ',
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
        };
        let _ = write!(report, "{sign}{change}");
        if change.missing_newline() {
            let _ = writeln!(report, "⏎ (no newline at the end)");
        }
    }
    let _ = writeln!(report, "--- actual {what}, whole:\n{actual}---");
    Some(report)
}

/// Assert two texts are equal, printing a diff when they are not.
#[track_caller]
pub fn assert_text(what: &str, expected: &str, actual: &str) {
    if let Some(report) = diff(what, expected, actual) {
        panic!("{report}");
    }
}

/// The tool's step durations (`0.05s`).
static DURATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d+\.\d\ds\b").unwrap());
/// Short container and image IDs.
static SHORT_ID: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b[0-9a-f]{12}\b").unwrap());
/// Version numbers in a report's header line.
static VERSION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(engine|client|buildx|runc) \d[\w.+~-]*").unwrap());

/// The builder's mask: step durations as `[TIME]` and the temporary folder
/// `tmp` as `[TMP]`. Everything else must be exactly as expected.
pub fn mask(text: &str, tmp: &str) -> String {
    let text = text.replace(tmp, "[TMP]");
    DURATION.replace_all(&text, "[TIME]").into_owned()
}

/// The lab's mask, for runs whose IDs and versions are made up by the fake
/// client or the machine: step durations as `N.NNs`, short IDs as `<id>`, and
/// the version numbers of the header line (the first) as `V`.
pub fn normalize(text: &str) -> String {
    let text = DURATION.replace_all(text, "N.NNs");
    let (header, rest) = text.split_at(text.find('\n').unwrap_or(text.len()));
    let text = format!("{}{rest}", VERSION.replace_all(header, "$1 V"));
    SHORT_ID.replace_all(&text, "<id>").into_owned()
}

/// The header of a run through the fake client or on the live engine with
/// client 28, after [`normalize`].
pub const HEADER: &str = "engine V (classic image store), client V with buildx V, runc V\n";
