//! What both sides go through before they are compared.
//!
//! Terminal noise is never documentation: `\r\n` from a pseudo-terminal,
//! colour codes, and trailing blanks that a Markdown editor keeps or drops at
//! will. Both the documented and the real text become lines without them, and
//! without trailing empty lines.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

/// CSI sequences (colours, cursor moves), OSC sequences (titles, links) and
/// the two-character escapes.
static ANSI: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
        .expect("ansi regex compiles")
});

/// `text` normalised, its lines joined by `\n`.
pub(crate) fn normalise(text: &str) -> String {
    let text = if text.contains('\x1b') {
        ANSI.replace_all(text, "")
    } else {
        Cow::Borrowed(text)
    };
    let mut out = String::with_capacity(text.len());
    for line in text.split('\n') {
        let line = line.trim_end();
        if line.contains('\r') {
            out.push_str(overlay(line).trim_end());
        } else {
            out.push_str(line);
        }
        out.push('\n');
    }
    out.truncate(out.trim_end_matches('\n').len());
    out
}

/// A line as a terminal shows it: after a carriage return, what follows
/// overwrites the line from its first column (a shell redrawing its prompt,
/// a progress counter).
fn overlay(line: &str) -> String {
    let mut cells: Vec<char> = Vec::with_capacity(line.len());
    for part in line.split('\r') {
        for (column, c) in part.chars().enumerate() {
            match cells.get_mut(column) {
                Some(cell) => *cell = c,
                None => cells.push(c),
            }
        }
    }
    cells.into_iter().collect()
}

/// The lines of a normalised text.
pub(crate) fn lines(normalised: &str) -> Vec<&str> {
    if normalised.is_empty() {
        Vec::new()
    } else {
        normalised.split('\n').collect()
    }
}

/// `\{{` for every `{{`, so a real line reads as itself when it becomes
/// documented text.
pub(crate) fn escape_markers(line: &str) -> Cow<'_, str> {
    if line.contains("{{") {
        Cow::Owned(line.replace("{{", "\\{{"))
    } else {
        Cow::Borrowed(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_crlf_ansi_trailing_blanks_and_empty_lines() {
        let text = "\x1b[1;31mred\x1b[0m  \r\n\x1b]0;title\x07two\t\r\n\r\n  \n";
        assert_eq!(normalise(text), "red\ntwo");
        assert_eq!(lines(&normalise(text)), vec!["red", "two"]);
    }

    #[test]
    fn carriage_returns_overwrite_as_on_a_terminal() {
        // busybox redraws its prompt when the terminal is resized.
        assert_eq!(normalise("/ # \x1b[6n\r/ # \x1b[Jps aux\r\n"), "/ # ps aux");
        assert_eq!(normalise("50%\r100%\n"), "100%");
        assert_eq!(normalise("abcdef\rxy\n"), "xycdef");
    }

    #[test]
    fn keeps_inner_empty_lines_and_indentation() {
        assert_eq!(lines(&normalise("  a\n\nb\n")), vec!["  a", "", "b"]);
        assert_eq!(lines(&normalise("\n \n")), Vec::<&str>::new());
    }

    #[test]
    fn escapes_marker_openers() {
        assert_eq!(escape_markers("{{.Size}} ok"), "\\{{.Size}} ok");
        assert_eq!(escape_markers("plain"), "plain");
    }
}
