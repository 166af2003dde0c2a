//! The tutorial part of README.md, written from the lessons.
//!
//! The README keeps hand-written text around two marker lines; everything
//! between them is generated and everything outside is left byte for byte.
//! The layout follows the original tutorial: a `##` heading per lesson, a
//! `###` heading per step, the prose, the command in a plain fenced block and
//! the documented output folded in a `<details>` block. Variants get one more
//! folded block each, so the default output stays the one a reader sees first.
//!
//! The text is built to be read back by `import`: a hidden comment before each
//! lesson heading keeps its id and needs, the summaries carry exit codes,
//! conditions and notes in a fixed form, and requirements and typed input use
//! fixed phrases (in `format`). `import` of a rendered README gives the
//! lessons back.

use std::fmt::Write as _;

use super::format::{
    longest_run, one_line, write_needs, write_recorded, write_summary, write_typed,
};
pub use super::format::{LEGEND, NOTE};
use crate::lesson::model::InputDoc;
use crate::lesson::{Lesson, Step};

/// The line that opens the generated part.
pub const BEGIN: &str = "<!-- lessons:begin -->";
/// The line that closes the generated part.
pub const END: &str = "<!-- lessons:end -->";
/// Why a README cannot be rendered into.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpliceError {
    #[error("has no `{BEGIN}` and `{END}` lines: add both, each on a line of its own, where the lessons go")]
    NoMarkers,
    #[error("has `{0}` but not `{1}`: add it on a line of its own")]
    Missing(&'static str, &'static str),
    #[error("has `{END}` before `{BEGIN}`")]
    Reversed,
    #[error("has `{0}` more than once")]
    Repeated(&'static str),
}

/// Everything between the markers: the note, the legend and the lessons.
pub fn render_lessons(lessons: &[Lesson]) -> String {
    let mut out = String::new();
    out.push_str(NOTE);
    out.push_str("\n\n");
    out.push_str(LEGEND);
    out.push('\n');
    for lesson in lessons {
        out.push('\n');
        render_lesson(&mut out, lesson);
    }
    out.push('\n');
    out
}

/// Put `body` between the marker lines of `readme`.
pub fn splice(readme: &str, body: &str) -> Result<String, SpliceError> {
    let begin = marker_line(readme, BEGIN)?;
    let end = marker_line(readme, END)?;
    let (begin, end) = match (begin, end) {
        (None, None) => return Err(SpliceError::NoMarkers),
        (Some(_), None) => return Err(SpliceError::Missing(BEGIN, END)),
        (None, Some(_)) => return Err(SpliceError::Missing(END, BEGIN)),
        (Some(b), Some(e)) => (b, e),
    };
    if end.0 < begin.1 {
        return Err(SpliceError::Reversed);
    }
    let mut out = String::with_capacity(readme.len() + body.len());
    out.push_str(&readme[..begin.1]);
    out.push_str(body);
    out.push_str(&readme[end.0..]);
    Ok(out)
}

/// Start and end (after its newline) of the line that is exactly `marker`.
fn marker_line(text: &str, marker: &'static str) -> Result<Option<(usize, usize)>, SpliceError> {
    let mut found = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        if line.trim_end_matches(['\n', '\r']).trim_end() == marker {
            if found.is_some() {
                return Err(SpliceError::Repeated(marker));
            }
            found = Some((start, end));
        }
        start = end;
    }
    // A marker on the last line without a newline still ends its line.
    Ok(found)
}

fn render_lesson(out: &mut String, lesson: &Lesson) {
    if lesson.needs.is_empty() {
        let _ = writeln!(out, "<!-- lesson: {} -->", lesson.id);
    } else {
        let _ = writeln!(
            out,
            "<!-- lesson: {}; needs: {} -->",
            lesson.id,
            lesson.needs.join(", ")
        );
    }
    let _ = writeln!(out, "## {}", one_line(&lesson.title));
    paragraph(out, &lesson.intro);
    if let Some(r) = &lesson.recorded {
        paragraph(out, &write_recorded(true, r));
    }
    for step in &lesson.steps {
        render_step(out, step);
    }
}

fn render_step(out: &mut String, step: &Step) {
    let _ = write!(out, "\n### {}\n", one_line(&step.title));
    paragraph(out, &step.text);
    // With typed input the terminal goes without saying.
    let terminal = step.tty.as_ref().is_some_and(Vec::is_empty);
    if let Some(needs) = write_needs(&step.requires, terminal) {
        let _ = write!(out, "\n{needs}\n");
    }
    out.push('\n');
    fenced(out, "", step.run.trim_end_matches('\n'));
    if let Some(input) = &step.tty {
        if !input.is_empty() {
            let _ = write!(out, "\n{}\n\n", super::format::TYPED);
            for x in input {
                let typed = InputDoc {
                    wait: x.wait.clone(),
                    send: x.send.clone(),
                };
                let _ = writeln!(out, "{}", write_typed(&typed));
            }
        }
    }
    let mut notes = Vec::new();
    if step.expected.exit != 0 {
        notes.push(format!("exit code {}", step.expected.exit));
    }
    if let Some(n) = step.stop.lines {
        notes.push(format!(
            "stopped after {n} line{}",
            if n == 1 { "" } else { "s" }
        ));
    } else if let Some(d) = step.stop.after {
        notes.push(format!("stopped after {}", duration(d)));
    }
    details(
        out,
        &write_summary(None, &notes, None),
        None,
        step.expected.output.source(),
    );
    for v in &step.variants {
        let notes = if v.expected.exit != 0 {
            vec![format!("exit code {}", v.expected.exit)]
        } else {
            Vec::new()
        };
        details(
            out,
            &write_summary(Some(v.when.text()), &notes, v.note.as_deref()),
            v.recorded.as_deref(),
            v.expected.output.source(),
        );
    }
}

/// A folded output block, laid out exactly like the original tutorial's;
/// a variant recorded elsewhere than its lesson says so first.
fn details(out: &mut String, summary: &str, recorded: Option<&str>, text: &str) {
    let _ = write!(out, "\n<details>\n  <summary>{summary}</summary>\n\n");
    if let Some(r) = recorded {
        let _ = write!(out, "  {}\n\n", write_recorded(false, r));
    }
    let mut block = String::new();
    fenced(&mut block, "", text.strip_suffix('\n').unwrap_or(text));
    for line in block.lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {line}");
        }
    }
    out.push_str("</details>\n");
}

/// A fenced code block whose fence is longer than any backtick run inside.
fn fenced(out: &mut String, info: &str, text: &str) {
    let fence = "`".repeat(3.max(longest_run(text, '`') + 1));
    let _ = writeln!(out, "{fence}{info}");
    if !text.is_empty() {
        out.push_str(text);
        out.push('\n');
    }
    let _ = writeln!(out, "{fence}");
}

fn paragraph(out: &mut String, text: &str) {
    let text = text.trim_matches('\n').trim_end();
    if !text.is_empty() {
        out.push('\n');
        out.push_str(text);
        out.push('\n');
    }
}

fn duration(d: std::time::Duration) -> String {
    let ms = d.as_millis();
    if ms % 60_000 == 0 {
        format!("{}m", ms / 60_000)
    } else if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{ms}ms")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splice_keeps_everything_outside_the_markers() {
        let readme = "# Title\n\ntext\n<!-- lessons:begin -->\nold\n<!-- lessons:end -->\ntail\n";
        assert_eq!(
            splice(readme, "new\n").unwrap(),
            "# Title\n\ntext\n<!-- lessons:begin -->\nnew\n<!-- lessons:end -->\ntail\n"
        );
        let crlf = "a\r\n<!-- lessons:begin -->\r\n<!-- lessons:end -->\r\nb";
        assert_eq!(
            splice(crlf, "x\n").unwrap(),
            "a\r\n<!-- lessons:begin -->\r\nx\n<!-- lessons:end -->\r\nb"
        );
    }

    #[test]
    fn splice_explains_missing_markers() {
        assert_eq!(splice("# t\n", ""), Err(SpliceError::NoMarkers));
        assert_eq!(
            splice("<!-- lessons:begin -->\n", ""),
            Err(SpliceError::Missing(BEGIN, END))
        );
        assert_eq!(
            splice("<!-- lessons:end -->\n<!-- lessons:begin -->\n", ""),
            Err(SpliceError::Reversed)
        );
        assert_eq!(
            splice(
                "<!-- lessons:begin -->\n<!-- lessons:begin -->\n<!-- lessons:end -->\n",
                ""
            ),
            Err(SpliceError::Repeated(BEGIN))
        );
    }

    #[test]
    fn output_blocks_are_indented_like_the_tutorial() {
        let mut out = String::new();
        details(&mut out, "Output", None, "a\n\n  b\n");
        assert_eq!(
            out,
            "\n<details>\n  <summary>Output</summary>\n\n  ```\n  a\n\n    b\n  ```\n</details>\n"
        );
        let mut empty = String::new();
        details(&mut empty, "Output", None, "");
        assert_eq!(
            empty,
            "\n<details>\n  <summary>Output</summary>\n\n  ```\n  ```\n</details>\n"
        );
        let mut recorded = String::new();
        details(&mut recorded, "Output when x", Some("engine 28.5.2"), "a\n");
        assert_eq!(
            recorded,
            "\n<details>\n  <summary>Output when x</summary>\n\n  *Recorded: engine 28.5.2.*\n\n  ```\n  a\n  ```\n</details>\n"
        );
    }
}
