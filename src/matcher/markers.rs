//! The explicit `{{…}}` markers of documented text.
//!
//! | marker | matches |
//! | --- | --- |
//! | `{{*}}` | any text within the line, possibly none |
//! | `{{...}}` alone on a line | any number of lines, possibly none |
//! | `{{KIND}}` | a value of a volatile kind (see `rules`) or `int` |
//! | `{{/REGEX/}}` | text the regex accepts; write `/` as `\/` |
//! | `{{NAME=KIND}}`, `{{NAME=/REGEX/}}` | the same, stored under `NAME` |
//! | `{{size<NAME}}` (`<=`, `>`, `>=`) | a size compared with capture `NAME` |
//! | `\{{` | a literal `{{` |
//!
//! Any other `{{` is an error rather than literal text: a typo such as
//! `{{hexx}}` would otherwise silently demand the literal text `{{hexx}}`,
//! and the lesson would fail for a reason nobody can see. Docker format
//! strings in documented *output* are rare enough to be escaped.

use regex::Regex;

use super::rules;
use super::PatternError;
use crate::suggest::edit_distance;

/// A piece of one documented line.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    /// Literal text, escapes resolved.
    Text(String),
    Marker(Marker),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Marker {
    Any,
    Kind(usize),
    Regex(UserRegex),
    Capture { name: String, what: Capturing },
    SizeCmp { op: SizeOp, name: String },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Capturing {
    Kind(usize),
    Regex(UserRegex),
}

/// A custom regex, checked, with the number of groups it has of its own.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct UserRegex {
    pub source: String,
    pub groups: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SizeOp {
    Lt,
    Le,
    Gt,
    Ge,
}

impl SizeOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            SizeOp::Lt => "<",
            SizeOp::Le => "<=",
            SizeOp::Gt => ">",
            SizeOp::Ge => ">=",
        }
    }

    pub(crate) fn holds(self, value: f64, reference: f64) -> bool {
        match self {
            SizeOp::Lt => value < reference,
            SizeOp::Le => value <= reference,
            SizeOp::Gt => value > reference,
            SizeOp::Ge => value >= reference,
        }
    }
}

const DOTS: &str = "{{...}}";

/// Whether the line is a `{{...}}` line.
pub(crate) fn is_dots(line: &str) -> bool {
    line.trim() == DOTS
}

/// Splits one documented line (not a `{{...}}` line) into text and markers,
/// each with the 1-based column it starts at (so a later check, such as a
/// comparison with a capture nobody makes, can point at its marker).
/// `number` is the 1-based line number, for errors.
pub(crate) fn split_placed(line: &str, number: usize) -> Result<Vec<(Piece, usize)>, PatternError> {
    let column = |at: usize| line[..at].chars().count() + 1;
    let error = |at: usize, message: String| PatternError {
        line: number,
        column: column(at),
        message,
    };
    let mut pieces = Vec::new();
    let mut text = String::new();
    // Where the text being gathered starts; escapes do not end it.
    let mut text_at = 0;
    let mut pos = 0;
    while let Some(found) = line[pos..].find("{{") {
        let at = pos + found;
        if line[..at].ends_with('\\') {
            text.push_str(&line[pos..at - 1]);
            text.push_str("{{");
            pos = at + 2;
            continue;
        }
        text.push_str(&line[pos..at]);
        if !text.is_empty() {
            pieces.push((Piece::Text(std::mem::take(&mut text)), column(text_at)));
        }
        let (marker, end) = marker(line, at).map_err(|message| error(at, message))?;
        pieces.push((Piece::Marker(marker), column(at)));
        pos = end;
        text_at = end;
    }
    text.push_str(&line[pos..]);
    if !text.is_empty() {
        pieces.push((Piece::Text(text), column(text_at)));
    }
    Ok(pieces)
}

/// [`split_placed`] without the columns.
#[cfg(test)]
pub(crate) fn split(line: &str, number: usize) -> Result<Vec<Piece>, PatternError> {
    Ok(split_placed(line, number)?
        .into_iter()
        .map(|(piece, _)| piece)
        .collect())
}

/// The marker opening at byte `at`, and the byte just past it.
fn marker(line: &str, at: usize) -> Result<(Marker, usize), String> {
    let inner = at + 2;
    let after = &line[inner..];
    if after.starts_with('/') {
        let (regex, end) = user_regex(line, inner + 1)?;
        return Ok((Marker::Regex(regex), end));
    }
    if let Some(eq) = capture_with_regex(after) {
        let name = after[..eq].trim();
        check_name(name)?;
        let slash = inner + after[eq..].find('/').expect("found by capture_with_regex") + eq;
        let (regex, end) = user_regex(line, slash + 1)?;
        let what = Capturing::Regex(regex);
        let name = name.to_string();
        return Ok((Marker::Capture { name, what }, end));
    }
    let Some(close) = after.find("}}") else {
        return Err("unclosed `{{`: a marker ends with `}}` on the same line".to_string());
    };
    let end = inner + close + 2;
    let content = after[..close].trim();
    let marker = match content {
        "*" => Marker::Any,
        "..." => return Err("`{{...}}` must be alone on its line".to_string()),
        _ => {
            if let Some(rest) = content.strip_prefix("size") {
                if let Some((op, name)) = size_comparison(rest) {
                    check_name(name)?;
                    let name = name.to_string();
                    return Ok((Marker::SizeCmp { op, name }, end));
                }
            }
            if let Some((name, kind)) = content.split_once('=') {
                let name = name.trim();
                check_name(name)?;
                let what = Capturing::Kind(kind_named(kind.trim())?);
                let name = name.to_string();
                Marker::Capture { name, what }
            } else if is_word(content) {
                Marker::Kind(kind_named(content)?)
            } else {
                return Err(format!(
                    "`{{{{{content}}}}}` is not a marker; write `\\{{{{` for a literal `{{{{`"
                ));
            }
        }
    };
    Ok((marker, end))
}

/// `NAME=/` at the start of a marker's content: the byte offset of `=`.
fn capture_with_regex(after: &str) -> Option<usize> {
    let eq = after.find('=')?;
    let name = after[..eq].trim();
    let rest = after[eq + 1..].trim_start();
    (is_word(name) && rest.starts_with('/')).then_some(eq)
}

/// A regex starting at byte `start` and ending with `/}}`; `\/` is `/`.
fn user_regex(line: &str, start: usize) -> Result<(UserRegex, usize), String> {
    let mut source = String::new();
    let mut chars = line[start..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, '/')) => source.push('/'),
                Some((_, other)) => {
                    source.push('\\');
                    source.push(other);
                }
                None => source.push('\\'),
            },
            '/' if line[start + i + 1..].starts_with("}}") => {
                let regex = Regex::new(&source).map_err(|e| {
                    format!("invalid regex `{source}`: {}", regex_error_summary(&e))
                })?;
                let groups = regex.captures_len() - 1;
                return Ok((UserRegex { source, groups }, start + i + 3));
            }
            _ => source.push(c),
        }
    }
    Err("unclosed `{{/`: a regex marker ends with `/}}` on the same line".to_string())
}

/// The line of the regex crate's message that says what is wrong (its first
/// line is only "regex parse error:" for syntax errors).
fn regex_error_summary(error: &regex::Error) -> String {
    let text = error.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .or_else(|| text.lines().next())
        .unwrap_or_default()
        .to_string()
}

fn size_comparison(rest: &str) -> Option<(SizeOp, &str)> {
    let rest = rest.trim_start();
    let (op, name) = if let Some(n) = rest.strip_prefix("<=") {
        (SizeOp::Le, n)
    } else if let Some(n) = rest.strip_prefix(">=") {
        (SizeOp::Ge, n)
    } else if let Some(n) = rest.strip_prefix('<') {
        (SizeOp::Lt, n)
    } else if let Some(n) = rest.strip_prefix('>') {
        (SizeOp::Gt, n)
    } else {
        return None;
    };
    Some((op, name.trim()))
}

fn is_word(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_name(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_uppercase() || c == '_');
    if first_ok && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_') {
        Ok(())
    } else {
        Err(format!(
            "invalid capture name `{name}`: a name is upper-case letters, digits and `_`, \
             not starting with a digit"
        ))
    }
}

fn kind_named(kind: &str) -> Result<usize, String> {
    if let Some(rule) = rules::by_name(kind) {
        return Ok(rule);
    }
    let mut message = format!(
        "unknown volatile kind `{kind}`; known kinds: {}",
        rules::names()
    );
    if let Some(close) = closest_kind(kind) {
        message.push_str(&format!("; did you mean `{close}`?"));
    }
    Err(message)
}

/// The kind name a typo most likely meant, if one is close.
fn closest_kind(kind: &str) -> Option<&'static str> {
    let typed = kind.to_ascii_lowercase();
    rules::RULES
        .iter()
        .map(|r| (edit_distance(&typed, r.name), r.name))
        .filter(|&(d, _)| d <= 2 && d < typed.chars().count())
        .min_by_key(|&(d, _)| d)
        .map(|(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(line: &str) -> (usize, String) {
        let e = split(line, 7).unwrap_err();
        assert_eq!(e.line, 7);
        (e.column, e.message)
    }

    fn text(s: &str) -> Piece {
        Piece::Text(s.to_string())
    }

    #[test]
    fn splits_text_and_markers() {
        assert_eq!(
            split("a {{*}} b {{hex12}}", 1).unwrap(),
            vec![
                text("a "),
                Piece::Marker(Marker::Any),
                text(" b "),
                Piece::Marker(Marker::Kind(1)),
            ]
        );
        assert_eq!(
            split("{{ ID = hex64 }}", 1).unwrap(),
            vec![Piece::Marker(Marker::Capture {
                name: "ID".into(),
                what: Capturing::Kind(0)
            })]
        );
        assert_eq!(
            split("{{size<=PLAIN}}", 1).unwrap(),
            vec![Piece::Marker(Marker::SizeCmp {
                op: SizeOp::Le,
                name: "PLAIN".into()
            })]
        );
    }

    #[test]
    fn regex_markers_unescape_slashes_and_count_groups() {
        assert_eq!(
            split(r"{{/a\/(b|c)}}x/}}!", 1).unwrap(),
            vec![
                Piece::Marker(Marker::Regex(UserRegex {
                    source: "a/(b|c)}}x".into(),
                    groups: 1
                })),
                text("!"),
            ]
        );
        assert_eq!(
            split(r"{{V=/v\d+/}}", 1).unwrap(),
            vec![Piece::Marker(Marker::Capture {
                name: "V".into(),
                what: Capturing::Regex(UserRegex {
                    source: r"v\d+".into(),
                    groups: 0
                })
            })]
        );
    }

    #[test]
    fn escaped_openers_are_text() {
        assert_eq!(
            split(r"table \{{.CreatedBy}}\t\{{.Size}}", 1).unwrap(),
            vec![text(r"table {{.CreatedBy}}\t{{.Size}}")]
        );
    }

    #[test]
    fn dots_line() {
        assert!(is_dots("  {{...}} "));
        assert!(!is_dots("{{...}} x"));
    }

    #[test]
    fn unclosed_marker() {
        assert_eq!(
            err("ab {{hex64"),
            (
                4,
                "unclosed `{{`: a marker ends with `}}` on the same line".into()
            )
        );
        assert_eq!(
            err("é {{/abc}}"),
            (
                3,
                "unclosed `{{/`: a regex marker ends with `/}}` on the same line".into()
            )
        );
    }

    #[test]
    fn unknown_kind_lists_kinds_and_suggests_the_closest() {
        assert_eq!(
            err("x {{hexx}}"),
            (
                3,
                "unknown volatile kind `hexx`; known kinds: hex64, hex12, digest, duration, \
                 reltime, clock, size, builder, int; did you mean `hex64`?"
                    .into()
            )
        );
        assert_eq!(
            err("{{ID=sizes}}").1,
            "unknown volatile kind `sizes`; known kinds: hex64, hex12, digest, duration, \
             reltime, clock, size, builder, int; did you mean `size`?"
        );
        assert_eq!(
            err("{{banana}}").1,
            "unknown volatile kind `banana`; known kinds: hex64, hex12, digest, duration, \
             reltime, clock, size, builder, int"
        );
    }

    #[test]
    fn not_a_marker() {
        assert_eq!(
            err("{{.CreatedBy}}"),
            (
                1,
                "`{{.CreatedBy}}` is not a marker; write `\\{{` for a literal `{{`".into()
            )
        );
    }

    #[test]
    fn invalid_regex() {
        assert_eq!(
            err("ok {{/(a/}}"),
            (4, "invalid regex `(a`: unclosed group".into())
        );
    }

    #[test]
    fn invalid_capture_name() {
        let expected = "invalid capture name `id`: a name is upper-case letters, digits and `_`, \
                        not starting with a digit";
        assert_eq!(err("{{id=hex64}}"), (1, expected.into()));
        assert_eq!(err("  {{id=/x/}}"), (3, expected.into()));
        assert_eq!(
            err("{{size<1X}}").1,
            "invalid capture name `1X`: a name is upper-case letters, digits and `_`, \
             not starting with a digit"
        );
    }

    #[test]
    fn dots_not_alone() {
        assert_eq!(
            err("x {{...}}"),
            (3, "`{{...}}` must be alone on its line".into())
        );
    }

    #[test]
    fn pieces_know_their_columns() {
        let placed = split_placed(r"a \{{b}} {{size<X}} é{{*}}", 1).unwrap();
        let columns: Vec<usize> = placed.iter().map(|(_, c)| *c).collect();
        assert_eq!(columns, vec![1, 10, 20, 22]);
    }
}
