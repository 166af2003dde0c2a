//! `check --bless`: accept reality by writing the real output of failing
//! steps back into the lesson files.
//!
//! Only the value that was compared changes: the output of the variant chosen
//! for this environment (or the step's own output), and its exit code when
//! that differed. The new text comes from [`Pattern::bless`], which keeps the
//! documented lines (markers included) that still match, so a blessed lesson
//! stays tolerant of volatile values. The file is edited as text, not
//! re-serialised: comments, key order, quoting and the other steps keep every
//! byte. Before anything is written the edited file is read back and must
//! equal the old document with only the blessed values changed. Writes are
//! atomic (a temporary file in the same folder, then a rename).
//!
//! Steps that failed without a usable output (timed out, interrupted, engine
//! lost, session broken) are left alone and reported. After `--bless`, `check`
//! exits 0 when every failing step was written back and 1 when some were
//! not; an interrupted run or a lost engine keep their own codes.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::color::Palette;
use crate::error::{Error, Exit};
use crate::lesson::model::LessonDoc;
use crate::lesson::positions::Positions;
use crate::lesson::{Expected, LessonSet, Unknown};
use crate::matcher::Pattern;
use crate::outcome::{Failure, RunOutcome, Status};
use crate::settings::Settings;
use crate::yaml_text::{self, Scalar};

/// What `--bless` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blessed {
    /// Steps written back.
    pub written: usize,
    /// Failing steps left as they were.
    pub left: usize,
}

impl Blessed {
    /// The exit code of a `check --bless` run.
    pub fn exit(&self, outcome: &RunOutcome) -> Exit {
        match outcome.exit() {
            Exit::Drift if self.left == 0 => Exit::Ok,
            other => other,
        }
    }
}

/// One value to rewrite in a lesson file.
#[derive(Debug, Clone)]
struct Edit {
    step: usize,
    /// `None`: the step's own output.
    variant: Option<usize>,
    title: String,
    label: String,
    output: Option<String>,
    exit: Option<i32>,
    /// The step lists `undocumented` values: drop the key once they are written.
    fill: bool,
}

/// Write the real outputs of the failing steps of `outcome` into their lesson
/// files, and print what changed (to stderr when stdout carries a report).
pub fn bless(
    set: &LessonSet,
    outcome: &RunOutcome,
    settings: &Settings,
    report_on_stdout: bool,
) -> Result<Blessed, Error> {
    let color = if report_on_stdout {
        settings.color_stderr
    } else {
        settings.color_stdout
    };
    let p = Palette::new(color);
    let err = Palette::new(settings.color_stderr);
    let mut out: Box<dyn Write> = if report_on_stdout {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout())
    };
    let mut result = Blessed::default();
    let mut edits: Vec<(PathBuf, Vec<Edit>)> = Vec::new();
    // Captures of earlier steps, gathered as the runner did, so markers that
    // refer to them still match.
    let mut known: HashMap<String, String> = HashMap::new();
    for lo in &outcome.lessons {
        let Some(lesson) = set.get(&lo.id) else {
            continue;
        };
        for so in &lo.steps {
            let Some(step) = lesson.steps.get(so.index) else {
                continue;
            };
            let (variant, expected): (Option<usize>, &Expected) = if so.variant == "default" {
                (None, &step.expected)
            } else {
                match step
                    .variants
                    .iter()
                    .position(|v| v.when.text() == so.variant)
                {
                    Some(i) => (Some(i), &step.variants[i].expected),
                    None => (None, &step.expected),
                }
            };
            let Some(actual) = &so.actual else {
                if so.status == Status::Failed {
                    result.left += 1;
                    not_blessed(&err, &lo.file, &so.title, &reasons(&so.failures));
                }
                continue;
            };
            let cmp = expected.output.compare(actual, &expected.options, &known);
            if cmp.matched {
                known.extend(cmp.captures);
            }
            // Values the docs leave out are written in once the step has run.
            let unknown = if variant.is_none() {
                expected.unknown
            } else {
                Unknown::default()
            };
            let fill = unknown.any() && matches!(so.status, Status::Passed | Status::Failed);
            if so.status != Status::Failed && !fill {
                continue;
            }
            let usable = so
                .failures
                .iter()
                .all(|f| matches!(f, Failure::Output | Failure::ExitCode { .. }));
            if !usable {
                result.left += 1;
                not_blessed(&err, &lo.file, &so.title, &reasons(&so.failures));
                continue;
            }
            let output = (so.failures.iter().any(|f| matches!(f, Failure::Output))
                || unknown.output)
                .then(|| {
                    let mut new = expected.output.bless(actual, &expected.options, &known);
                    // The matcher keeps the documented text's final newline; an
                    // output written for the first time gets one, like the others.
                    if expected.output.source().is_empty()
                        && !new.is_empty()
                        && !new.ends_with('\n')
                    {
                        new.push('\n');
                    }
                    new
                })
                .filter(|new| new != expected.output.source());
            let exit = so
                .failures
                .iter()
                .find_map(|f| match f {
                    Failure::ExitCode { actual, .. } => Some(*actual),
                    _ => None,
                })
                .or(so.actual_exit.filter(|_| unknown.exit));
            if output.is_none() && exit.is_none() && !fill {
                result.left += 1;
                not_blessed(
                    &err,
                    &lo.file,
                    &so.title,
                    "the real output gives back the documented text; check its markers",
                );
                continue;
            }
            let edit = Edit {
                step: so.index,
                variant,
                title: so.title.clone(),
                label: so.variant.clone(),
                output,
                exit,
                fill,
            };
            match edits.iter_mut().find(|(f, _)| *f == lo.file) {
                Some((_, list)) => list.push(edit),
                None => edits.push((lo.file.clone(), vec![edit])),
            }
        }
    }
    for (file, list) in &edits {
        let source = std::fs::read_to_string(file)
            .map_err(|e| Error::Usage(format!("cannot read {}: {e}", file.display())))?;
        let edited = match edit_source(&source, list) {
            Ok(t) => t,
            Err(e) => {
                // Other files can still be blessed; this one stays as it was.
                result.left += list.len();
                eprintln!(
                    "{} {}: {e}; nothing was written to it",
                    err.fail("not blessed"),
                    file.display()
                );
                continue;
            }
        };
        write_atomic(file, edited.as_bytes())
            .map_err(|e| Error::Usage(format!("cannot write {}: {e}", file.display())))?;
        for e in list {
            result.written += 1;
            let variant = if e.label == "default" {
                String::new()
            } else {
                format!(" (variant {})", e.label)
            };
            let exit = match (&e.output, e.exit) {
                (Some(_), Some(code)) => format!(", and exit code {code}"),
                (None, Some(code)) => format!(": exit code {code}"),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "{} {}: step '{}'{variant}{exit}",
                p.pass("blessed"),
                file.display(),
                e.title
            );
        }
    }
    Ok(result)
}

fn reasons(failures: &[Failure]) -> String {
    let r: Vec<String> = failures.iter().map(Failure::describe).collect();
    if r.is_empty() {
        "no output was recorded".into()
    } else {
        r.join("; ")
    }
}

fn not_blessed(p: &Palette, file: &Path, title: &str, why: &str) {
    eprintln!(
        "{} {}: step '{title}': {why}",
        p.fail("not blessed"),
        file.display()
    );
}

/// Apply the edits to a lesson file's text and check the result.
fn edit_source(source: &str, edits: &[Edit]) -> Result<String, String> {
    let before: LessonDoc =
        serde_norway::from_str(source).map_err(|e| format!("the file does not parse: {e}"))?;
    let mut want = before.clone();
    let mut text = source.to_string();
    for e in edits {
        let at = match e.variant {
            None => format!("steps[{}]", e.step),
            Some(v) => format!("steps[{}].variants[{v}]", e.step),
        };
        let step = want
            .steps
            .get_mut(e.step)
            .ok_or_else(|| format!("the file has no step {}", e.step + 1))?;
        if let Some(new) = &e.output {
            let after: &[&str] = match e.variant {
                None => &["run"],
                Some(_) => &["note", "when"],
            };
            text = set_value(&text, &at, "output", &yaml_text::scalar(new), after)?;
            match e.variant {
                None => step.output.clone_from(new),
                Some(v) => step.variants[v].output = Some(new.clone()),
            }
        }
        if let Some(code) = e.exit {
            let inherited = match e.variant {
                None => 0,
                Some(_) => step.exit,
            };
            let present = Positions::index(&text).key(&format!("{at}.exit")).is_some();
            if present || code != inherited {
                let after: &[&str] = match e.variant {
                    None => &["output", "run"],
                    Some(_) => &["output", "note", "when"],
                };
                text = set_value(&text, &at, "exit", &Scalar::Inline(code.to_string()), after)?;
            }
            match e.variant {
                None => step.exit = code,
                Some(v) => {
                    if present || code != inherited {
                        step.variants[v].exit = Some(code);
                    }
                }
            }
        }
    }
    for e in edits.iter().filter(|e| e.fill) {
        text = remove_key(&text, &format!("steps[{}].undocumented", e.step))?;
        if let Some(step) = want.steps.get_mut(e.step) {
            step.undocumented.clear();
        }
    }
    let after: LessonDoc = serde_norway::from_str(&text)
        .map_err(|e| format!("the rewritten file does not parse: {e}"))?;
    if format!("{after:?}") != format!("{want:?}") {
        return Err("the rewritten file does not read back as intended".into());
    }
    for e in edits {
        if let Some(new) = &e.output {
            Pattern::parse(new).map_err(|err| {
                format!(
                    "the blessed output of step '{}' does not compile: {err}",
                    e.title
                )
            })?;
        }
    }
    Ok(text)
}

/// Remove `path`'s key and its value, whole lines.
fn remove_key(text: &str, path: &str) -> Result<String, String> {
    let k = Positions::index(text)
        .key(path)
        .ok_or_else(|| format!("no `{path}` in the file"))?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let end = value_end(&lines, k.line - 1, k.column - 1);
    let mut out: String = lines[..k.line - 1].concat();
    out.push_str(&lines[end + 1..].concat());
    Ok(out)
}

/// Leading spaces of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Index of the last line of the value whose key sits on line `key` at
/// column `col` (0-based): the value runs until a non-blank line indented no
/// deeper than the key. Trailing blank lines are not part of it.
fn value_end(lines: &[&str], key: usize, col: usize) -> usize {
    let mut end = key;
    for (i, line) in lines.iter().enumerate().skip(key + 1) {
        if is_blank(line) {
            continue;
        }
        if indent(line) <= col {
            break;
        }
        end = i;
    }
    end
}

/// Byte offset of the 0-based character column `col` in `line`.
fn byte_at(line: &str, col: usize) -> usize {
    line.char_indices().nth(col).map_or(line.len(), |(b, _)| b)
}

/// The text after a value that is not part of it on its line (spaces and a comment).
fn tail_after_value(rest: &str) -> &str {
    let trimmed = rest.trim_start();
    let start = rest.len() - trimmed.len();
    let end = match trimmed.chars().next() {
        None | Some('#') => return rest,
        Some('"') => {
            let mut escaped = false;
            trimmed
                .char_indices()
                .skip(1)
                .find(|&(_, c)| {
                    let close = c == '"' && !escaped;
                    escaped = c == '\\' && !escaped;
                    close
                })
                .map_or(trimmed.len(), |(i, _)| i + 1)
        }
        Some('\'') => {
            let b = trimmed.as_bytes();
            let mut i = 1;
            loop {
                if i >= b.len() {
                    break b.len();
                }
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    break i + 1;
                }
                i += 1;
            }
        }
        Some('|' | '>') => trimmed.find(char::is_whitespace).unwrap_or(trimmed.len()),
        Some(_) => trimmed
            .find(" #")
            .or_else(|| trimmed.find("\t#"))
            .map_or(trimmed.len(), |i| trimmed[..i].trim_end().len()),
    };
    &rest[start + end..]
}

/// Set `key` of the mapping at `map` (a YAML path) to `value`, replacing the
/// old value's text or, when the key is absent, inserting it after the first
/// of `after` that exists.
fn set_value(
    text: &str,
    map: &str,
    key: &str,
    value: &Scalar,
    after: &[&str],
) -> Result<String, String> {
    let positions = Positions::index(text);
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let bare = |l: &str| l.trim_end_matches(['\n', '\r']).to_string();
    let path = format!("{map}.{key}");
    let render = |col: usize, head: &str| -> Vec<String> {
        match value {
            Scalar::Inline(v) => vec![format!("{head}{v}")],
            Scalar::Block { header, lines } => {
                let mut out = vec![format!("{head}{header}")];
                for l in lines {
                    if l.is_empty() {
                        out.push(String::new());
                    } else {
                        out.push(format!("{}{l}", " ".repeat(col + yaml_text::STEP)));
                    }
                }
                out
            }
        }
    };
    let (start, end, new_lines) = if let Some(k) = positions.key(&path) {
        let line_no = k.line - 1;
        let col = k.column - 1;
        let line = bare(lines.get(line_no).ok_or("a key past the end of the file")?);
        let key_at = byte_at(&line, col);
        let colon = line[key_at..]
            .find(':')
            .map(|i| key_at + i)
            .ok_or_else(|| format!("no `:` after `{key}` on line {}", k.line))?;
        let rest = &line[colon + 1..];
        let end = value_end(&lines, line_no, col);
        // A value that ends on its own line may carry a comment; keep it.
        let tail = if end == line_no || rest.trim_start().starts_with(['|', '>']) {
            tail_after_value(rest)
        } else {
            ""
        };
        let mut new = render(col, &format!("{}: ", &line[..colon]));
        if let Some(first) = new.first_mut() {
            first.push_str(tail);
        }
        (line_no, end, new)
    } else {
        let anchor = after
            .iter()
            .find_map(|a| positions.key(&format!("{map}.{a}")))
            .ok_or_else(|| format!("cannot find where `{key}` goes in `{map}`"))?;
        let col = anchor.column - 1;
        let end = value_end(&lines, anchor.line - 1, col);
        let new = render(col, &format!("{}{key}: ", " ".repeat(col)));
        (end + 1, end, new)
    };
    let mut out = String::with_capacity(text.len() + 256);
    for l in &lines[..start] {
        out.push_str(l);
    }
    for l in &new_lines {
        out.push_str(l);
        out.push_str(eol);
    }
    for l in lines.iter().skip(end + 1) {
        out.push_str(l);
    }
    // The last line of the file may have had no newline.
    if !text.ends_with('\n') && end + 1 >= lines.len() && out.ends_with(eol) {
        out.truncate(out.len() - eol.len());
    }
    Ok(out)
}

/// Replace `path` with `bytes` through a temporary file in the same folder,
/// so a reader never sees half a file; the file's permissions are kept.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::Builder::new()
        .prefix(".knowing-scratch-")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file().set_permissions(meta.permissions())?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const LESSON: &str = r#"# A comment that must survive.
id: demo
title: 'Demo'   # quoted on purpose
steps:
  - title: first
    run: printf 'a\n'
    output: |
      a
    # between steps

  - title: "second"
    run: echo hi
    output: "old"  # trailing comment
    exit: 0
    variants:
      - when: client < 28
        note: older clients
        output: |2
            indented
          x

      - when: client >= 99
        exit: 3
  - title: third
    run: |
      echo a
      echo b
    requires: [x]
"#;

    fn edit(step: usize, variant: Option<usize>, output: Option<&str>, exit: Option<i32>) -> Edit {
        Edit {
            step,
            variant,
            title: String::new(),
            label: String::new(),
            output: output.map(str::to_string),
            exit,
            fill: false,
        }
    }

    #[test]
    fn rewrites_a_block_and_nothing_else() {
        let got = edit_source(LESSON, &[edit(0, None, Some("b\nc\n"), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "    output: |\n      a\n",
                "    output: |\n      b\n      c\n"
            )
        );
    }

    #[test]
    fn turns_a_quoted_value_into_a_block_keeping_its_comment() {
        let got = edit_source(LESSON, &[edit(1, None, Some("new\n"), Some(2))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "    output: \"old\"  # trailing comment\n    exit: 0\n",
                "    output: |  # trailing comment\n      new\n    exit: 2\n"
            )
        );
    }

    #[test]
    fn rewrites_a_variant_block_with_an_indentation_indicator() {
        let got = edit_source(LESSON, &[edit(1, Some(0), Some("  y\n"), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "        output: |2\n            indented\n          x\n",
                "        output: |2\n            y\n"
            )
        );
    }

    #[test]
    fn inserts_a_missing_variant_output_and_exit() {
        let got = edit_source(LESSON, &[edit(1, Some(1), Some("z\n"), Some(4))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "      - when: client >= 99\n        exit: 3\n",
                "      - when: client >= 99\n        output: |\n          z\n        exit: 4\n"
            )
        );
        // A step without output gets one after its `run` block.
        let got = edit_source(LESSON, &[edit(2, None, Some("a\nb\n"), Some(1))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "      echo b\n    requires: [x]\n",
                "      echo b\n    output: |\n      a\n      b\n    exit: 1\n    requires: [x]\n"
            )
        );
    }

    #[test]
    fn an_exit_code_equal_to_the_inherited_one_is_not_written() {
        let got = edit_source(LESSON, &[edit(2, None, None, Some(0))]).unwrap();
        assert_eq!(got, LESSON);
    }

    #[test]
    fn odd_output_is_written_quoted() {
        let got = edit_source(LESSON, &[edit(0, None, Some("a\r\nb\n"), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace("    output: |\n      a\n", "    output: \"a\\r\\nb\\n\"\n")
        );
    }

    #[test]
    fn a_layout_it_cannot_edit_safely_is_refused() {
        let flow = "id: f\ntitle: F\nsteps:\n  - {title: a, run: echo a, output: b}\n";
        assert_eq!(
            edit_source(flow, &[edit(0, None, Some("a\n"), None)]),
            Err("the rewritten file does not parse: found character that cannot start any token at line 4 column 37, while scanning for the next token".to_string())
        );
    }

    #[test]
    fn tails_after_values() {
        assert_eq!(tail_after_value(" \"a # b\" # c"), " # c");
        assert_eq!(tail_after_value(" 'it''s' # c"), " # c");
        assert_eq!(tail_after_value(" plain words  # c"), "  # c");
        assert_eq!(tail_after_value(" |2-  # c"), "  # c");
        assert_eq!(tail_after_value(" x"), "");
    }
}
