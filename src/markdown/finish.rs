//! Drafts → lessons that can pass: each real-world step gets the shape its
//! documented output calls for, and each lesson what it needs to run.
//!
//! - An output the docs do not show, and an exit code they do not give, are
//!   listed in `undocumented` (never invented): `check` does not compare
//!   them and `check --bless` writes the real ones in. An output that reads
//!   as an error gets the exit code the Docker CLI documents for it, or an
//!   undocumented one.
//! - Interactive sessions become `tty` + `input` steps.
//! - Tools beyond the shell become `requires:` entries; commands that reach
//!   past Docker and the lesson's folder get `requires: [host]` and a line in
//!   the summary; `images:` lists what `FROM` and `docker run` use.
//! - An ID shown in an output and typed into a later command, whole or as
//!   a prefix of at least 4 characters (`docker logs 4f9c2a`), becomes a
//!   capture (`{{CONTAINER_ID=hex64}}`, then `$CONTAINER_ID`), when the
//!   exact ID appears in exactly one earlier output. Docker takes the whole
//!   ID wherever it takes a prefix.
//! - Lessons of a tutorial need the one before (they share its files and
//!   images), unless the file says otherwise.

use std::sync::LazyLock;

use regex::Regex;

use super::read::{blank_step, Imported, Note, NoteKind};
use super::shape;
use super::shell::Command;
use crate::lesson::model::{InputDoc, LessonDoc, StepDoc, Undocumented};
use crate::matcher::Mode;

/// A step being read.
#[derive(Debug, Clone)]
pub struct Draft {
    pub doc: StepDoc,
    pub line: usize,
    /// In the project's own layout: taken as written.
    pub native: bool,
    /// Writes a file the tutorial shows.
    pub file: bool,
    /// Output lines the docs show, if they show any.
    pub output: Option<Vec<String>>,
    pub command: Option<Command>,
    /// Paragraphs before the command, and after it.
    pub text: Vec<String>,
    pub closing: Vec<String>,
}

impl Draft {
    pub fn new(line: usize) -> Draft {
        Draft {
            doc: blank_step(),
            line,
            native: false,
            file: false,
            output: None,
            command: None,
            text: Vec::new(),
            closing: Vec::new(),
        }
    }
}

/// A lesson being read.
#[derive(Debug, Clone)]
pub struct LessonDraft {
    pub title: String,
    pub level: usize,
    pub line: usize,
    pub meta: Option<(String, Vec<String>)>,
    /// Where the outputs were recorded, when the lesson says.
    pub recorded: Option<String>,
    pub intro: Vec<String>,
    pub steps: Vec<Draft>,
    /// Paragraphs after the last command.
    pub leftover: Vec<String>,
}

impl LessonDraft {
    pub fn new(
        title: &str,
        level: usize,
        line: usize,
        meta: Option<(String, Vec<String>)>,
    ) -> LessonDraft {
        LessonDraft {
            title: title.to_string(),
            level,
            line,
            meta,
            recorded: None,
            intro: Vec::new(),
            steps: Vec::new(),
            leftover: Vec::new(),
        }
    }
}

/// Paragraphs as a `text` value.
fn paragraphs(p: &[String]) -> String {
    let joined = p
        .iter()
        .map(|x| x.trim_end())
        .filter(|x| !x.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    if joined.is_empty() {
        joined
    } else {
        joined + "\n"
    }
}

pub fn finish(drafts: Vec<LessonDraft>, mut notes: Vec<Note>) -> Imported {
    // Sections without a command hand their words to a neighbour.
    let mut kept: Vec<LessonDraft> = Vec::new();
    let mut carry: Vec<String> = Vec::new();
    let mut waiting: Vec<(usize, String)> = Vec::new();
    for mut d in drafts {
        if d.steps.is_empty() {
            if d.level >= 2 {
                carry.push(format!("**{}**", d.title));
                waiting.push((d.line, d.title.clone()));
            }
            carry.append(&mut d.intro);
            carry.append(&mut d.leftover);
            continue;
        }
        if !carry.is_empty() {
            let mut intro = std::mem::take(&mut carry);
            intro.append(&mut d.intro);
            d.intro = intro;
        }
        for (line, title) in waiting.drain(..) {
            notes.push(Note {
                line,
                kind: NoteKind::Warning,
                text: format!(
                    "section `{title}` holds no command: its text opens the next lesson, `{}`",
                    d.title
                ),
            });
        }
        kept.push(d);
    }
    if let Some(last) = kept.last_mut() {
        let step = last.steps.last_mut().expect("kept lessons have steps");
        step.closing.append(&mut carry);
        for (line, title) in waiting.drain(..) {
            notes.push(Note {
                line,
                kind: NoteKind::Warning,
                text: format!(
                    "section `{title}` holds no command: its text closes the lesson before, `{}`",
                    last.title
                ),
            });
        }
    }
    for (line, title) in waiting {
        notes.push(Note {
            line,
            kind: NoteKind::Warning,
            text: format!("section `{title}` holds no command"),
        });
    }
    let built: Vec<String> = kept
        .iter()
        .flat_map(|l| l.steps.iter())
        .filter(|s| !s.native)
        .flat_map(|s| shape::images(&s.doc.run).1)
        .collect();
    let mut lessons: Vec<LessonDoc> = Vec::new();
    let mut with_output = 0;
    for mut d in kept {
        if let Some(last) = d.steps.last_mut() {
            last.closing.append(&mut d.leftover);
        }
        let explicit = d.meta.is_some();
        let (id, needs) = d
            .meta
            .take()
            .unwrap_or_else(|| (slug(&d.title), Vec::new()));
        let mut lesson = LessonDoc {
            id,
            title: d.title.clone(),
            intro: paragraphs(&d.intro),
            needs,
            recorded: d.recorded.clone(),
            images: Vec::new(),
            exclusive: false,
            steps: Vec::new(),
        };
        for s in &mut d.steps {
            if !s.native {
                shape_step(s, &mut notes);
                for image in shape::images(&s.doc.run).0 {
                    if !built.contains(&image) && !lesson.images.contains(&image) {
                        lesson.images.push(image);
                    }
                }
            }
        }
        captures(&mut d.steps);
        for s in d.steps {
            let mut doc = s.doc;
            let mut text = s.text;
            text.extend(s.closing);
            doc.text = paragraphs(&text);
            // A one-line command reads best as a plain value, and a longer
            // one as a block that ends its last line.
            let body = doc.run.trim_end_matches('\n');
            doc.run = if body.contains('\n') {
                format!("{body}\n")
            } else {
                body.to_string()
            };
            if !doc.output.is_empty() {
                with_output += 1;
            }
            lesson.steps.push(doc);
        }
        unique_titles(&mut lesson.steps);
        // Ids identify lessons too.
        let base = lesson.id.clone();
        let mut k = 2;
        while lesson.id.is_empty() || lessons.iter().any(|l| l.id == lesson.id) {
            lesson.id = if base.is_empty() {
                format!("lesson-{}", lessons.len() + 1)
            } else {
                format!("{base}-{k}")
            };
            k += 1;
        }
        if !explicit {
            if let Some(prev) = lessons.last() {
                lesson.needs.push(prev.id.clone());
            }
        }
        lessons.push(lesson);
    }
    notes.sort_by_key(|n| (n.line, n.kind));
    Imported {
        lessons,
        notes,
        with_output,
    }
}

/// The step a real-world command becomes.
fn shape_step(s: &mut Draft, notes: &mut Vec<Note>) {
    let first = s.doc.run.lines().next().unwrap_or("").to_string();
    let host = shape::host_reasons(&s.doc.run);
    if !host.is_empty() {
        s.doc.requires.push("host".into());
        notes.push(Note {
            line: s.line,
            kind: NoteKind::Host,
            text: format!("`{first}`: {}", host.join(", ")),
        });
    }
    if s.file {
        return;
    }
    for tool in shape::tools(&s.doc.run) {
        if !s.doc.requires.contains(&tool) {
            s.doc.requires.push(tool);
        }
    }
    let command = s.command.clone().unwrap_or_default();
    let Some(lines) = s.output.clone() else {
        s.doc.undocumented = vec![Undocumented::Output, Undocumented::Exit];
        // What `--bless` writes for a build is a BuildKit log.
        if shape::builds(&s.doc.run) {
            s.doc.mode = Some(Mode::Buildkit);
        }
        return;
    };
    let mut unknown = Vec::new();
    if command.interactive() {
        s.doc.tty = true;
        let Some(last) = command.typed.last() else {
            return;
        };
        let prompt = last.0.clone();
        s.doc.input = command
            .typed
            .iter()
            .map(|(wait, send)| InputDoc {
                wait: wait.clone(),
                send: send.clone(),
            })
            .collect();
        s.doc.tty = false;
        let mut out = String::from("{{...}}\n");
        out.push_str(&shape::documented(&lines));
        if !command.exited {
            s.doc.input.push(InputDoc {
                wait: prompt,
                send: "exit".into(),
            });
            out.push_str("{{...}}\n");
            notes.push(Note {
                line: s.line,
                kind: NoteKind::Warning,
                text: format!(
                    "`{first}`: the session shown does not end; the step types `exit` last"
                ),
            });
        }
        s.doc.output = out;
        s.doc.undocumented = vec![Undocumented::Exit];
        return;
    }
    // An empty output block documents a command that prints nothing.
    if lines.iter().all(|l| l.trim().is_empty()) {
        return;
    }
    if shape::buildkit(&lines) {
        s.doc.mode = Some(Mode::Buildkit);
    }
    if lines
        .first()
        .is_some_and(|l| l.starts_with("[+] Building "))
    {
        // A terminal's redrawn view: a replay prints the plain log instead.
        unknown.push(Undocumented::Output);
        notes.push(Note {
            line: s.line,
            kind: NoteKind::Warning,
            text: format!("`{first}`: the output shown is BuildKit's terminal view, which a replay never prints; left for `check --bless`"),
        });
    } else {
        s.doc.output = shape::documented(&lines);
    }
    match shape::error_exit(&s.doc.run, &lines) {
        None => {}
        Some(Some(code)) => s.doc.exit = code,
        Some(None) => unknown.push(Undocumented::Exit),
    }
    s.doc.undocumented = unknown;
}

/// IDs copied from an output into a later command become captures.
fn captures(steps: &mut [Draft]) {
    static HEX: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\b([0-9a-f]{64}|[0-9a-f]{12})\b").expect("hex regex"));
    let mut names: Vec<String> = Vec::new();
    for i in 0..steps.len() {
        if steps[i].native || steps[i].doc.output.is_empty() {
            continue;
        }
        let ids: Vec<String> = HEX
            .find_iter(&steps[i].doc.output)
            .map(|m| m.as_str().to_string())
            .filter(|id| id.chars().any(|c| c.is_ascii_digit()))
            .collect();
        for id in ids {
            // Safe only when the ID is shown once, here.
            let shown = steps.iter().filter(|s| s.doc.output.contains(&id)).count();
            let used = |s: &Draft| !s.native && !prefixes(&s.doc.run, &id).is_empty();
            if shown != 1 || !steps[i + 1..].iter().any(used) {
                continue;
            }
            let run = &steps[i].doc.run;
            let base = if run.contains(" build") || run.contains("images") || run.contains("image ")
            {
                "IMAGE_ID"
            } else {
                "CONTAINER_ID"
            };
            let mut name = base.to_string();
            let mut k = 2;
            while names.contains(&name) {
                name = format!("{base}_{k}");
                k += 1;
            }
            names.push(name.clone());
            let kind = if id.len() == 64 { "hex64" } else { "hex12" };
            steps[i].doc.output = steps[i]
                .doc
                .output
                .replace(&id, &format!("{{{{{name}={kind}}}}}"));
            for s in steps[i + 1..].iter_mut().filter(|s| !s.native) {
                for word in prefixes(&s.doc.run, &id) {
                    s.doc.run = replace_word(&s.doc.run, &word, &format!("${name}"));
                }
            }
        }
    }
}

/// The words of `text` that are `id` or a prefix of it of at least 4
/// characters, longest first.
fn prefixes(text: &str, id: &str) -> Vec<String> {
    let mut found: Vec<String> = text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 4 && id.starts_with(w))
        .map(str::to_string)
        .collect();
    found.sort_by_key(|w| std::cmp::Reverse(w.len()));
    found.dedup();
    found
}

fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(k) = rest.find(word) {
        let before = rest[..k].chars().next_back();
        let after = rest[k + word.len()..].chars().next();
        out.push_str(&rest[..k]);
        if before.is_some_and(|c| c.is_ascii_alphanumeric())
            || after.is_some_and(|c| c.is_ascii_alphanumeric())
        {
            out.push_str(word);
        } else {
            out.push_str(with);
        }
        rest = &rest[k + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Titles identify steps: make repeats unique.
fn unique_titles(steps: &mut [StepDoc]) {
    let mut seen: Vec<String> = Vec::new();
    for s in steps.iter_mut() {
        let base = s.title.clone();
        let mut k = 2;
        while seen.contains(&s.title) {
            s.title = format!("{base} ({k})");
            k += 1;
        }
        seen.push(s.title.clone());
    }
}

/// A lesson id from a title: lowercase ASCII letters, digits and dashes.
pub fn slug(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.ends_with('-') && !s.is_empty() {
            s.push('-');
        }
    }
    s.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::super::read::import;

    /// The commands and outputs of the one imported lesson.
    fn steps(markdown: &str) -> Vec<(String, String)> {
        let imported = import(markdown);
        assert_eq!(imported.lessons.len(), 1);
        imported.lessons[0]
            .steps
            .iter()
            .map(|s| (s.run.clone(), s.output.clone()))
            .collect()
    }

    const ID: &str = "4f9c2a1b7d3e8f6a5c4b3a2910e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0";

    #[test]
    fn an_id_typed_whole_or_as_a_prefix_becomes_a_capture() {
        let md = format!(
            "# T\n\n```console\n$ docker run -d busybox sleep 300\n{ID}\n$ docker logs 4f9c2a\n$ docker inspect {ID} 4f9c2a1b7d3e\n$ docker rm -f 4f9c\n```\n"
        );
        let runs: Vec<String> = steps(&md).into_iter().map(|s| s.0).collect();
        assert_eq!(
            runs,
            [
                "docker run -d busybox sleep 300",
                "docker logs $CONTAINER_ID",
                "docker inspect $CONTAINER_ID $CONTAINER_ID",
                "docker rm -f $CONTAINER_ID",
            ]
        );
        assert_eq!(steps(&md)[0].1, "{{CONTAINER_ID=hex64}}\n");
    }

    #[test]
    fn a_short_word_or_another_id_stays_as_written() {
        let md = format!(
            "# T\n\n```console\n$ docker run -d busybox sleep 300\n{ID}\n$ docker logs 4f9\n$ docker logs 4f9d\n$ echo a4f9c\n```\n"
        );
        let steps = steps(&md);
        assert_eq!(steps[0].1, format!("{ID}\n"));
        let runs: Vec<&str> = steps.iter().map(|s| s.0.as_str()).collect();
        assert_eq!(
            runs[1..],
            ["docker logs 4f9", "docker logs 4f9d", "echo a4f9c"]
        );
    }
}
