//! serde_norway's errors reworded for whoever wrote the lesson: plain words
//! for YAML syntax errors and type mismatches, the position where the fix
//! goes, and a "did you mean" for a misspelt key or value.
//!
//! serde_norway only gives text, so this parses its wording. The wording is
//! pinned by the tests below and by the bad-lesson corpus: a new serde_norway
//! that words things differently fails them instead of printing worse errors.

use std::sync::LazyLock;

use regex::Regex;

use super::positions::Positions;
use crate::suggest::closest;

/// The position libyaml and serde append to a message.
static MARK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r" at line (\d+) column (\d+)").expect("a valid regex"));

/// The keys each part of a lesson file may hold, for "did you mean" and for
/// saying what is missing.
pub(super) const NEEDED: &[(&str, &str)] = &[
    ("lesson", "a lesson needs `id`, `title` and `steps`"),
    ("step", "a step needs `title` and `run`"),
    ("variant", "a variant needs `when`, and `output` or `exit`"),
    ("input", "an `input` entry needs `wait` and `send`"),
];

/// What part of a lesson a serde path (`steps[0].variants[1]`) names.
fn part_of(path: &str) -> &'static str {
    let last = path.rsplit('.').next().unwrap_or_default();
    if path.is_empty() {
        "lesson"
    } else if last.starts_with("variants[") {
        "variant"
    } else if last.starts_with("input[") {
        "input"
    } else if last.starts_with("steps[") {
        "step"
    } else {
        "value"
    }
}

/// serde_norway's message made readable: plain words for YAML syntax errors
/// and type mismatches, and a "did you mean" for a misspelt key or value.
/// Returns the position to report (sometimes better than serde's, such as
/// the opening quote of a string that never closes) and the message.
pub(super) fn explain_yaml_error(
    source: &str,
    raw: &str,
    loc: Option<(usize, usize)>,
) -> (Option<(usize, usize)>, String) {
    // libyaml writes "PROBLEM at line L column C, CONTEXT at line L column C";
    // serde errors are "PATH: MESSAGE at line L column C".
    let mark = &*MARK;
    let marks: Vec<(usize, usize)> = mark
        .captures_iter(raw)
        .map(|c| (c[1].parse().unwrap_or(1), c[2].parse().unwrap_or(1)))
        .collect();
    let text = mark.replace_all(raw, "").into_owned();
    let (path, message) = match text.split_once(": ") {
        Some((p, m))
            if !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_[].".contains(c)) =>
        {
            (p, m)
        }
        _ => ("", text.as_str()),
    };
    if let Some(field) = message
        .strip_prefix("duplicate field `")
        .and_then(|r| r.split('`').next())
    {
        return explain_duplicate(source, path, field, loc);
    }
    if let Some(explained) = explain_data_error(path, message) {
        return (loc, explained);
    }
    explain_syntax_error(source, &text, &marks, loc)
}

/// A key given twice: point at the second one and name the line of the first.
fn explain_duplicate(
    source: &str,
    path: &str,
    field: &str,
    loc: Option<(usize, usize)>,
) -> (Option<(usize, usize)>, String) {
    let full = if path.is_empty() {
        field.to_string()
    } else {
        format!("{path}.{field}")
    };
    let inside = if path.is_empty() {
        String::new()
    } else {
        format!(" in `{path}`")
    };
    // The index keeps the last occurrence of a key; the first is the
    // previous line that starts with the same key at the same column.
    let Some(second) = Positions::index(source).key(&full) else {
        return (loc, format!("`{field}` is given twice{inside}: keep one"));
    };
    let start = loc.map_or(1, |l| l.0);
    let first = source
        .lines()
        .enumerate()
        .take(second.line - 1)
        .skip(start - 1)
        .filter(|(_, l)| {
            l.get(second.column - 1..)
                .and_then(|rest| rest.strip_prefix(field))
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .map(|(i, _)| i + 1)
        .last();
    let first = first.map_or(String::new(), |n| format!(" (first on line {n})"));
    (
        Some((second.line, second.column)),
        format!("`{field}` is given twice{inside}{first}: keep one"),
    )
}

/// Type mismatches, unknown and missing keys.
fn explain_data_error(path: &str, message: &str) -> Option<String> {
    let named = |what: &str| {
        if path.is_empty() {
            what.to_string()
        } else {
            format!("{what} in `{path}`")
        }
    };
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (field, rest) = rest.split_once('`')?;
        let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
        let mut out = named(&format!("unknown key `{field}`"));
        match closest(field, &expected) {
            Some(best) => out.push_str(&format!("; did you mean `{best}`?")),
            None => {
                let list: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
                out.push_str(&format!("; the keys here are {}", list.join(", ")));
            }
        }
        return Some(out);
    }
    if let Some(rest) = message.strip_prefix("unknown variant `") {
        let (value, rest) = rest.split_once('`')?;
        let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
        let list: Vec<String> = expected.iter().map(|k| format!("`{k}`")).collect();
        let mut out = format!("`{path}` cannot be `{value}`: use {}", list.join(", "));
        if let Some(best) = closest(value, &expected) {
            out.push_str(&format!("; did you mean `{best}`?"));
        }
        return Some(out);
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let field = rest.split('`').next()?;
        let part = part_of(path);
        let need = NEEDED
            .iter()
            .find(|(p, _)| *p == part)
            .map_or(String::new(), |(_, n)| format!(": {n}"));
        return Some(if path.is_empty() {
            format!("the lesson has no `{field}`{need}")
        } else {
            format!("`{path}` has no `{field}`{need}")
        });
    }
    let rest = message
        .strip_prefix("invalid type: ")
        .or_else(|| message.strip_prefix("invalid value: "))?;
    let (found, expected) = rest.split_once(", expected ")?;
    let found = describe_found(found);
    let expected = match expected {
        "i32" | "i64" | "u32" | "u64" | "usize" => "a whole number",
        "a string" => "text",
        "a sequence" => "a list",
        "a boolean" => "`true` or `false`",
        e if e.starts_with("struct ") => "a mapping of keys",
        e => e,
    };
    let field = path.rsplit('.').next().unwrap_or_default();
    let field = field.split('[').next().unwrap_or_default();
    let hint = match (field, expected) {
        ("run", "text") => "; write several commands as one `|` block",
        ("steps", "a list") => "; start each step with `- `",
        ("needs" | "requires" | "images", "a list") => "; write it as a list, such as `[a, b]`",
        ("exit", _) => " (the exit code the command ends with)",
        _ => "",
    };
    Some(if path.is_empty() {
        format!(
            "a lesson file must be {expected}, not {found}: {}",
            NEEDED[0].1
        )
    } else {
        format!("`{path}` must be {expected}, not {found}{hint}")
    })
}

/// serde's description of the value it found, in plain words.
fn describe_found(found: &str) -> String {
    if let Some(s) = found.strip_prefix("string ") {
        let s = s.trim_matches('"');
        return format!("the text `{s}`");
    }
    match found {
        "sequence" => "a list".into(),
        "map" => "a mapping".into(),
        f => match f.split_once(' ') {
            Some(("integer" | "floating point" | "boolean", v)) => format!("`{v}`"),
            _ => f.to_string(),
        },
    }
}

/// YAML that does not parse.
fn explain_syntax_error(
    source: &str,
    text: &str,
    marks: &[(usize, usize)],
    loc: Option<(usize, usize)>,
) -> (Option<(usize, usize)>, String) {
    let (problem, context) = match text.split_once(", while ") {
        Some((p, c)) => (p, Some(c)),
        None => (text, None),
    };
    let context_at = marks.get(1).copied();
    let char_at = |(line, col): (usize, usize)| {
        source
            .lines()
            .nth(line.saturating_sub(1))
            .and_then(|l| l.chars().nth(col.saturating_sub(1)))
    };
    if problem.contains("tab character")
        || (problem == "found character that cannot start any token"
            && loc.and_then(char_at) == Some('\t'))
    {
        return (
            loc,
            "a tab indents this line: YAML indents with spaces only".into(),
        );
    }
    if problem == "found character that cannot start any token" {
        let ch = loc.and_then(char_at).unwrap_or('?');
        return (
            loc,
            format!("a value cannot start with `{ch}`: put the value in quotes"),
        );
    }
    if problem == "mapping values are not allowed in this context" {
        return (
            loc,
            "`: ` inside a value: put the value in quotes, or write it as a `|` block".into(),
        );
    }
    match (context, context_at) {
        (Some(c), Some(at)) if c.starts_with("scanning a quoted scalar") => {
            let quote = char_at(at).unwrap_or('"');
            return (
                Some(at),
                format!("this quoted text is never closed: the closing `{quote}` is missing"),
            );
        }
        (Some(c), Some(at)) if c.starts_with("parsing a flow sequence") => {
            return (
                Some(at),
                "this `[` list is never closed: a `]` (or a `,` between items) is missing".into(),
            );
        }
        (Some(c), Some(at)) if c.starts_with("parsing a flow mapping") => {
            return (
                Some(at),
                "this `{` mapping is never closed: a `}` (or a `,` between entries) is missing"
                    .into(),
            );
        }
        (Some(c), Some((line, col)))
            if c.starts_with("parsing a block collection")
                || c.starts_with("parsing a block mapping") =>
        {
            return (
                loc,
                format!(
                    "this line is not indented like the block it belongs to, which starts on line {line} at column {col}: line its key up with the keys above it"
                ),
            );
        }
        _ => {}
    }
    let mut out = format!("YAML syntax error: {problem}");
    if let Some(c) = context {
        out.push_str(&format!(", while {c}"));
        if let Some((line, col)) = context_at {
            out.push_str(&format!(" (line {line}, column {col})"));
        }
    }
    (loc, out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typo_suggestions() {
        let explain = |raw| explain_yaml_error("", raw, Some((3, 5)));
        assert_eq!(
            explain("steps[0]: unknown field `outptu`, expected one of `title`, `run`, `output` at line 3 column 5"),
            (Some((3, 5)), "unknown key `outptu` in `steps[0]`; did you mean `output`?".to_string())
        );
        assert_eq!(
            explain("unknown field `zzzzzz`, expected `title` or `run` at line 3 column 5").1,
            "unknown key `zzzzzz`; the keys here are `title`, `run`"
        );
    }

    #[test]
    fn type_mismatches_in_plain_words() {
        let explain = |raw| explain_yaml_error("", raw, None).1;
        assert_eq!(
            explain("steps[2].exit: invalid type: string \"zero\", expected i32 at line 9 column 11"),
            "`steps[2].exit` must be a whole number, not the text `zero` (the exit code the command ends with)"
        );
        assert_eq!(
            explain("steps: invalid type: map, expected a sequence at line 4 column 3"),
            "`steps` must be a list, not a mapping; start each step with `- `"
        );
        assert_eq!(
            explain("steps[0]: missing field `run` at line 4 column 5"),
            "`steps[0]` has no `run`: a step needs `title` and `run`"
        );
    }

    #[test]
    fn syntax_errors_point_where_the_fix_goes() {
        let src = "id: a\ntitle: \"A\nsteps: []\n";
        assert_eq!(
            explain_yaml_error(src, "found unexpected end of stream at line 4 column 1, while scanning a quoted scalar at line 2 column 8", Some((4, 1))),
            (Some((2, 8)), "this quoted text is never closed: the closing `\"` is missing".to_string())
        );
        assert_eq!(
            explain_yaml_error("a:\n\t- b\n", "found character that cannot start any token at line 2 column 1, while scanning for the next token", Some((2, 1))).1,
            "a tab indents this line: YAML indents with spaces only"
        );
    }
}
