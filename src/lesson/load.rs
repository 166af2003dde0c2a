//! Reading a folder of lesson files into checked lessons.
//!
//! Every problem is collected with its file, line and column, so one run
//! reports all of them; nothing runs while any remain.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::model::{LessonDoc, StepDoc, Undocumented, VariantDoc};
use super::positions::{Pos, Positions};
use super::{Condition, Expected, Lesson, LessonSet, Step, Unknown, Variant, DEFAULT_TIMEOUT};
use crate::exec::{Exchange, Stop};
use crate::matcher::{Mode, Options, Pattern, SizeBand};

/// One problem in one lesson file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonError {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for LessonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

/// Everything wrong with a folder of lessons.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadErrors(pub Vec<LessonError>);

impl fmt::Display for LoadErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for LoadErrors {}

/// Load and check every `*.yaml`/`*.yml` file of `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<LessonSet, LoadErrors> {
    let fail = |message: String| {
        LoadErrors(vec![LessonError {
            file: dir.to_path_buf(),
            line: None,
            column: None,
            message,
        }])
    };
    let entries =
        std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read the lessons folder: {e}")))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(fail(
            "no lessons here: a lessons folder holds `*.yaml` files (choose another with `--lessons DIR`)".into(),
        ));
    }
    let mut errors = Vec::new();
    let mut lessons: Vec<Lesson> = Vec::new();
    let mut lines_of_ids: HashMap<String, (PathBuf, Pos)> = HashMap::new();
    let mut need_positions = Vec::new();
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                errors.push(err(file, None, format!("cannot read: {e}")));
                continue;
            }
        };
        match load_file(file, &bytes) {
            Ok((lesson, positions)) => {
                let id_pos = positions.nearest("id");
                if let Some((first, _)) = lines_of_ids.get(&lesson.id) {
                    errors.push(err(
                        file,
                        Some(id_pos),
                        format!(
                            "duplicate lesson id `{}`: {} uses it too",
                            lesson.id,
                            first.display()
                        ),
                    ));
                } else {
                    lines_of_ids.insert(lesson.id.clone(), (file.clone(), id_pos));
                }
                for (i, _) in lesson.needs.iter().enumerate() {
                    need_positions.push((
                        lessons.len(),
                        i,
                        positions.nearest(&format!("needs[{i}]")),
                    ));
                }
                lessons.push(lesson);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    // Checks across files: `needs` must name lessons, and never loop.
    let known: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    for (li, ni, pos) in &need_positions {
        let lesson = &lessons[*li];
        let need = &lesson.needs[*ni];
        if !known.contains(&need.as_str()) {
            let guess =
                closest(need, &known).map_or(String::new(), |b| format!("; did you mean `{b}`?"));
            errors.push(err(
                &lesson.file,
                Some(*pos),
                format!(
                    "`needs` names `{need}`, which is no lesson (known lessons: {}){guess}",
                    known.join(", ")
                ),
            ));
        }
    }
    if errors.is_empty() {
        if let Some(cycle) = find_cycle(&lessons) {
            let first = lessons
                .iter()
                .find(|l| l.id == cycle[0])
                .expect("cycle names lessons");
            let pos = need_positions
                .iter()
                .find(|(li, ni, _)| {
                    lessons[*li].id == cycle[0] && lessons[*li].needs[*ni] == cycle[1]
                })
                .map(|(_, _, p)| *p);
            errors.push(err(
                &first.file,
                pos,
                format!("`needs` makes a cycle: {}", cycle.join(" -> ")),
            ));
        }
    }
    if errors.is_empty() {
        Ok(LessonSet {
            dir: dir.to_path_buf(),
            lessons,
        })
    } else {
        Err(LoadErrors(errors))
    }
}

fn find_cycle(lessons: &[Lesson]) -> Option<Vec<String>> {
    fn walk(lessons: &[Lesson], id: &str, path: &mut Vec<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == id) {
            let mut cycle = path[i..].to_vec();
            cycle.push(id.to_string());
            return Some(cycle);
        }
        let lesson = lessons.iter().find(|l| l.id == id)?;
        path.push(id.to_string());
        for n in &lesson.needs {
            if let Some(c) = walk(lessons, n, path) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    lessons
        .iter()
        .find_map(|l| walk(lessons, &l.id, &mut Vec::new()))
}

fn err(file: &Path, pos: Option<Pos>, message: String) -> LessonError {
    LessonError {
        file: file.to_path_buf(),
        line: pos.map(|p| p.line),
        column: pos.map(|p| p.column),
        message,
    }
}

/// Parse one file's bytes into a lesson.
pub fn load_file(file: &Path, bytes: &[u8]) -> Result<(Lesson, Positions), Vec<LessonError>> {
    let source = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        let column = at
            - bytes[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        vec![LessonError {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message: format!(
                "not UTF-8 text (byte 0x{:02x}): lesson files must be saved as UTF-8",
                bytes[at]
            ),
        }]
    })?;
    if source.trim().is_empty() {
        return Err(vec![err(
            file,
            None,
            "the file is empty: a lesson needs `id`, `title` and `steps`".into(),
        )]);
    }
    let doc: LessonDoc = serde_norway::from_str(source).map_err(|e| {
        let loc = e.location().map(|l| (l.line(), l.column()));
        let (at, message) = explain_yaml_error(source, &e.to_string(), loc);
        vec![LessonError {
            file: file.to_path_buf(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            message,
        }]
    })?;
    let positions = Positions::index(source);
    let lesson = check(file, doc, &positions)?;
    Ok((lesson, positions))
}

/// The keys each part of a lesson file may hold, for "did you mean" and for
/// saying what is missing.
const NEEDED: &[(&str, &str)] = &[
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
fn explain_yaml_error(
    source: &str,
    raw: &str,
    loc: Option<(usize, usize)>,
) -> (Option<(usize, usize)>, String) {
    // libyaml writes "PROBLEM at line L column C, CONTEXT at line L column C";
    // serde errors are "PATH: MESSAGE at line L column C".
    let mark = regex::Regex::new(r" at line (\d+) column (\d+)").expect("a valid regex");
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

/// The candidate nearest to `word`, when it is close enough to be a typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// `90s`, `2m`, `1m30s`, `500ms`, or a bare number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let bad = || format!("`{t}` is not a duration: write it like `90s`, `2m` or `500ms`");
    if t.is_empty() {
        return Err(bad());
    }
    let mut total = Duration::ZERO;
    if let Ok(secs) = t.parse::<f64>() {
        if !secs.is_finite() || secs < 0.0 {
            return Err(bad());
        }
        total = Duration::from_secs_f64(secs);
    } else {
        let mut rest = t;
        while !rest.is_empty() {
            let n_end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(bad)?;
            if n_end == 0 {
                return Err(bad());
            }
            let n: f64 = rest[..n_end].parse().map_err(|_| bad())?;
            rest = &rest[n_end..];
            let u_end = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let unit = match &rest[..u_end] {
                "ms" => 0.001,
                "s" => 1.0,
                "m" => 60.0,
                "h" => 3600.0,
                _ => return Err(bad()),
            };
            rest = &rest[u_end..];
            total += Duration::from_secs_f64(n * unit);
        }
    }
    if total.is_zero() {
        return Err(format!("`{t}` is zero: a duration must be more than zero"));
    }
    Ok(total)
}

fn parse_sizes(text: &str) -> Result<SizeBand, String> {
    match text.trim() {
        "exact" => Ok(SizeBand::Exact),
        "any" => Ok(SizeBand::Any),
        t => t
            .strip_suffix('%')
            .and_then(|n| n.trim().parse::<f64>().ok())
            .filter(|n| n.is_finite() && *n >= 0.0)
            .map(|n| SizeBand::Ratio(n / 100.0))
            .ok_or_else(|| format!("`{t}` is not a size tolerance: use a percentage such as `50%`, `exact` or `any`")),
    }
}

struct Checker<'a> {
    file: &'a Path,
    positions: &'a Positions,
    errors: Vec<LessonError>,
}

impl Checker<'_> {
    fn fail(&mut self, path: &str, message: String) {
        let pos = self.positions.nearest(path);
        self.errors.push(err(self.file, Some(pos), message));
    }

    /// Compile an output; a marker error points at its own line in the file.
    fn expected(
        &mut self,
        path: &str,
        output: &str,
        exit: i32,
        mode: Mode,
        sizes: SizeBand,
    ) -> Expected {
        let pos = self.positions.value(path);
        let output_line = pos.map_or(1, |p| p.line);
        let pattern = match Pattern::parse(output) {
            Ok(p) => p,
            Err(e) => {
                let (line, column) = match pos {
                    Some(p) if p.block => (p.line + e.line - 1, p.column + e.column - 1),
                    Some(p) => (p.line, p.column + e.column - 1),
                    None => (1, 1),
                };
                self.errors.push(LessonError {
                    file: self.file.to_path_buf(),
                    line: Some(line),
                    column: Some(column),
                    message: format!("in `output`: {}", e.message),
                });
                Pattern::parse("").expect("the empty pattern compiles")
            }
        };
        Expected {
            output: pattern,
            exit,
            options: Options { mode, sizes },
            output_line,
            path: path.to_string(),
            unknown: Unknown::default(),
        }
    }
}

fn check(file: &Path, doc: LessonDoc, positions: &Positions) -> Result<Lesson, Vec<LessonError>> {
    let mut c = Checker {
        file,
        positions,
        errors: Vec::new(),
    };
    if doc.id.is_empty()
        || !doc
            .id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        let fixed: String = doc
            .id
            .trim()
            .chars()
            .map(|ch| match ch {
                'A'..='Z' => ch.to_ascii_lowercase(),
                'a'..='z' | '0'..='9' | '-' => ch,
                _ => '-',
            })
            .collect();
        let guess = if fixed.is_empty() {
            String::new()
        } else {
            format!("; try `{fixed}`")
        };
        c.fail(
            "id",
            format!(
                "lesson id `{}` must be lowercase letters, digits and dashes{guess}",
                doc.id
            ),
        );
    }
    if doc.title.trim().is_empty() {
        c.fail("title", "a lesson needs a `title`".into());
    }
    if doc.steps.is_empty() {
        c.fail(
            "steps",
            "`steps` is empty: a lesson needs at least one step".into(),
        );
    }
    let mut titles: HashMap<String, usize> = HashMap::new();
    let mut steps = Vec::new();
    for (i, s) in doc.steps.into_iter().enumerate() {
        let at = format!("steps[{i}]");
        if let Some(first) = titles.insert(s.title.trim().to_string(), i) {
            let first_line = positions.nearest(&format!("steps[{first}].title")).line;
            c.fail(
                &format!("{at}.title"),
                format!("duplicate step title `{}` (first used on line {first_line}): titles identify steps", s.title),
            );
        }
        steps.push(check_step(&mut c, &at, s));
    }
    if c.errors.is_empty() {
        Ok(Lesson {
            id: doc.id,
            title: doc.title,
            intro: doc.intro,
            needs: doc.needs,
            recorded: doc.recorded,
            images: doc.images,
            file: file.to_path_buf(),
            steps,
        })
    } else {
        Err(c.errors)
    }
}

fn check_step(c: &mut Checker, at: &str, s: StepDoc) -> Step {
    if s.title.trim().is_empty() {
        c.fail(&format!("{at}.title"), "a step needs a `title`".into());
    }
    if s.run.trim().is_empty() {
        c.fail(
            &format!("{at}.run"),
            "`run` is empty: a step needs a command".into(),
        );
    }
    for (i, r) in s.requires.iter().enumerate() {
        if r.is_empty()
            || !r
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        {
            c.fail(
                &format!("{at}.requires[{i}]"),
                format!("`{r}` is not a capability or tool name"),
            );
        }
    }
    let timeout = match &s.timeout {
        None => DEFAULT_TIMEOUT,
        Some(t) => parse_duration(t).unwrap_or_else(|e| {
            c.fail(&format!("{at}.timeout"), format!("bad `timeout`: {e}"));
            DEFAULT_TIMEOUT
        }),
    };
    let mut stop = Stop::default();
    if let Some(d) = &s.stop {
        stop.lines = d.lines;
        if d.lines == Some(0) {
            c.fail(
                &format!("{at}.stop.lines"),
                "`stop.lines` is 0: it counts the lines of output after which the command is stopped, so it must be at least 1".into(),
            );
        }
        if let Some(after) = &d.after {
            match parse_duration(after) {
                Ok(a) => stop.after = Some(a),
                Err(e) => c.fail(
                    &format!("{at}.stop.after"),
                    format!("bad `stop.after`: {e}"),
                ),
            }
        }
        if d.lines.is_none() && d.after.is_none() {
            c.fail(
                &format!("{at}.stop"),
                "`stop` needs `lines` or `after`".into(),
            );
        }
    }
    let sizes = match &s.sizes {
        None => SizeBand::default(),
        Some(t) => parse_sizes(t).unwrap_or_else(|e| {
            c.fail(&format!("{at}.sizes"), format!("bad `sizes`: {e}"));
            SizeBand::default()
        }),
    };
    let mode = s.mode.unwrap_or_default();
    let tty = (s.tty || !s.input.is_empty()).then(|| {
        s.input
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if x.wait.is_empty() {
                    c.fail(
                        &format!("{at}.input[{i}].wait"),
                        "`wait` is empty: give the prompt to wait for".into(),
                    );
                }
                Exchange {
                    wait: x.wait.clone(),
                    send: x.send.clone(),
                }
            })
            .collect()
    });
    let mut expected = c.expected(&format!("{at}.output"), &s.output, s.exit, mode, sizes);
    expected.unknown = Unknown {
        output: s.undocumented.contains(&Undocumented::Output),
        exit: s.undocumented.contains(&Undocumented::Exit),
    };
    // A value is documented or not, never both.
    if expected.unknown.output && !s.output.is_empty() {
        c.fail(
            &format!("{at}.undocumented"),
            "lists `output`, but the step documents one: remove one of them".into(),
        );
    }
    if expected.unknown.exit && s.exit != 0 {
        c.fail(
            &format!("{at}.undocumented"),
            "lists `exit`, but the step documents one: remove one of them".into(),
        );
    }
    let variants = s
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| check_variant(c, &format!("{at}.variants[{i}]"), v, &s, mode, sizes))
        .collect();
    Step {
        title: s.title,
        text: s.text,
        run: s.run,
        requires: s.requires,
        timeout,
        stop,
        tty,
        expected,
        variants,
        line: c.positions.nearest(at).line,
    }
}

fn check_variant(
    c: &mut Checker,
    at: &str,
    v: &VariantDoc,
    s: &StepDoc,
    mode: Mode,
    sizes: SizeBand,
) -> Variant {
    let when = Condition::parse(&v.when).unwrap_or_else(|mut e| {
        // A misspelt subject gets a suggestion.
        let subjects = ["client", "server", "runc", "builder"];
        let guess = v.when.split(" and ").find_map(|clause| {
            let word = clause.split_whitespace().next()?;
            (!subjects.contains(&word)).then(|| closest(word, &subjects))?
        });
        if let Some(best) = guess {
            e.push_str(&format!("; did you mean `{best}`?"));
        }
        c.fail(&format!("{at}.when"), e);
        Condition::parse("client >= 0").expect("a valid condition")
    });
    if v.output.is_none() && v.exit.is_none() {
        c.fail(at, "a variant needs `output` or `exit`".into());
    }
    let (output, path) = match &v.output {
        Some(o) => (o.as_str(), format!("{at}.output")),
        None => (s.output.as_str(), format!("{at}.output")),
    };
    let expected = c.expected(
        &path,
        output,
        v.exit.unwrap_or(s.exit),
        v.mode.unwrap_or(mode),
        sizes,
    );
    Variant {
        when,
        note: v.note.clone(),
        expected,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2"), Ok(Duration::from_secs(2)));
        assert_eq!(
            parse_duration("0s").unwrap_err(),
            "`0s` is zero: a duration must be more than zero"
        );
        assert_eq!(
            parse_duration("soon").unwrap_err(),
            "`soon` is not a duration: write it like `90s`, `2m` or `500ms`"
        );
        assert!(parse_duration("5 parsecs").is_err());
    }

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
        assert_eq!(closest("zzzzzz", &["title", "run"]), None);
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

    #[test]
    fn sizes() {
        assert_eq!(parse_sizes("50%"), Ok(SizeBand::Ratio(0.5)));
        assert_eq!(parse_sizes("exact"), Ok(SizeBand::Exact));
        assert!(parse_sizes("big").is_err());
    }
}
