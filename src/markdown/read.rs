//! Markdown tutorial → lessons: which block is a command, an output, a file
//! to write or prose, and where every piece of prose and every heading goes.
//!
//! - `#`/`##` headings start lessons, deeper ones title the steps under them
//!   (numbered when one heading holds several commands, `Step N` with none).
//! - Prose before a command is its `text`; prose before a lesson's first
//!   heading or step is the intro (its last paragraph introduces the first
//!   step); prose after the last command goes to that step. A heading with
//!   no command under it, and a section with none, pass their words on to
//!   the next step or lesson, so nothing a reader would see is dropped.
//! - The project's own layout (a command fence, then `<details>` output
//!   blocks whose summary carries exit codes and conditions, as `render`
//!   writes it) is read exactly and taken as written. Everything else is a
//!   real-world tutorial: its outputs are escaped and shaped (`shape`) and
//!   its steps get what they need to pass (`finish`).

use super::blocks::{blocks, Block};
use super::finish::{finish, Draft, LessonDraft};
use super::format::{
    parse_needs, parse_recorded, parse_summary, parse_typed, LEGEND, TERMINAL, TYPED,
};
use super::{files, shell};
use crate::lesson::model::{StepDoc, VariantDoc};

/// What an import found.
#[derive(Debug, Clone)]
pub struct Imported {
    pub lessons: Vec<crate::lesson::model::LessonDoc>,
    /// Everything the summary lists, in file order.
    pub notes: Vec<Note>,
    /// Steps whose output the docs show.
    pub with_output: usize,
}

/// One line of the import summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub line: usize,
    pub kind: NoteKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NoteKind {
    /// A command that is not a step.
    Skipped,
    /// A step marked `requires: [host]`.
    Host,
    Warning,
}

#[rustfmt::skip]
const SHELL: &[&str] = &[
    "bash", "sh", "shell", "zsh", "fish", "console", "terminal", "shell-session",
    "shellsession", "sh-session", "bash-session", "powershell", "ps", "ps1", "pwsh", "cmd",
    "bat",
];
#[rustfmt::skip]
const OUTPUT: &[&str] = &[
    "", "text", "output", "txt", "plaintext", "plain", "log", "none",
];
/// Read a Markdown tutorial into lessons.
pub fn import(markdown: &str) -> Imported {
    let blocks = blocks(markdown);
    let mut b = Builder::default();
    let mut i = 0;
    while i < blocks.len() {
        i = b.block(&blocks, i);
    }
    b.finish_lesson();
    finish(b.lessons, b.notes)
}

#[derive(Default)]
struct Builder {
    lessons: Vec<LessonDraft>,
    notes: Vec<Note>,
    cur: Option<LessonDraft>,
    /// Id and needs from a `<!-- lesson: … -->` comment, for the next lesson.
    meta: Option<(String, Vec<String>)>,
    prose: Vec<String>,
    heading: Option<String>,
    /// Indices of the steps under the current heading.
    group: Vec<usize>,
    seen_heading: bool,
    /// Index of the block after the last command block: an output block there
    /// belongs to its last command.
    after_command: Option<usize>,
}

fn code_text(info: &str, body: &str) -> String {
    let fence = "`".repeat(3.max(super::format::longest_run(body, '`') + 1));
    format!("{fence}{info}\n{body}{fence}")
}

fn says_output(prose: &str) -> bool {
    let p = prose.to_lowercase();
    [
        "should see",
        "you'll see",
        "you will see",
        "output",
        "prints",
        "returns",
        "displays",
        "shows",
        "looks like",
        "similar to",
        "response",
        "result",
    ]
    .iter()
    .any(|w| p.contains(w))
}

impl Builder {
    fn lesson(&mut self) -> &mut LessonDraft {
        self.cur
            .get_or_insert_with(|| LessonDraft::new("Tutorial", 1, 1, None))
    }

    /// Handle the block at `i`; returns the index of the next one.
    fn block(&mut self, blocks: &[Block], i: usize) -> usize {
        match &blocks[i] {
            Block::Heading { level, text, line } if *level <= 2 => {
                self.start_lesson(text, *level, *line);
            }
            Block::Heading { text, .. } => self.step_heading(text),
            Block::Comment { text, .. } => self.comment(text),
            Block::FrontMatter { .. } => {}
            // The legend `render` writes explains markers; it is not the lesson's.
            Block::Prose { text, .. } if text == LEGEND => {}
            Block::Prose { text, .. } if parse_recorded(text).is_some_and(|r| r.0) => {
                self.lesson().recorded = parse_recorded(text).map(|r| r.1);
            }
            Block::Prose { text, .. } => {
                // "You should see:" between a command and its output.
                let waiting = self.after_command == Some(i) && self.last_waits();
                if waiting && says_output(text) {
                    self.append_to_last(text);
                    self.after_command = Some(i + 1);
                } else {
                    self.prose.push(text.clone());
                }
            }
            Block::Details { raw, .. } => self.prose.push(raw.clone()),
            Block::Code {
                lang,
                info,
                body,
                line,
                indented,
            } => return self.code(blocks, i, lang, info, body, *line, *indented),
        }
        i + 1
    }

    /// Whether the last step is a command still without a shown output.
    fn last_waits(&self) -> bool {
        self.cur
            .as_ref()
            .and_then(|l| l.steps.last())
            .is_some_and(|s| !s.native && !s.file && s.output.is_none())
    }

    #[allow(clippy::too_many_arguments)]
    fn code(
        &mut self,
        blocks: &[Block],
        i: usize,
        lang: &str,
        info: &str,
        body: &str,
        line: usize,
        indented: bool,
    ) -> usize {
        let first = line + usize::from(!indented);
        let next_details = matches!(blocks.get(i + 1), Some(Block::Details { .. }))
            || matches!(blocks.get(i + 1), Some(Block::Prose { text, .. }) if text == TYPED);
        let parsed = shell::parse(body, first, !matches!(lang, "console" | "terminal"));
        let prompted = body.lines().any(|l| shell::prompt(l).is_some());
        // The project's own layout: a command block, then `<details>` outputs.
        if next_details && !indented && (lang.is_empty() || prompted) {
            let run = if prompted && parsed.commands.len() == 1 {
                parsed.commands[0].run.clone()
            } else {
                body.trim_end_matches('\n').to_string()
            };
            return self.native(blocks, i + 1, run, line);
        }
        // An output after a command.
        let output_like = OUTPUT.contains(&lang) || !SHELL.contains(&lang) && !indented;
        if self.after_command == Some(i) && self.last_waits() && output_like && !prompted {
            let lines: Vec<String> = body.lines().map(str::to_string).collect();
            if let Some(s) = self.cur.as_mut().and_then(|l| l.steps.last_mut()) {
                s.output = Some(lines);
            }
            return i + 1;
        }
        let shellish = SHELL.contains(&lang)
            || indented
            || (lang.is_empty()
                && (prompted
                    || parsed
                        .commands
                        .first()
                        .is_some_and(|c| shell::KNOWN.contains(&first_word(&c.run)))));
        if shellish && !parsed.commands.is_empty() {
            for (k, c) in parsed.commands.into_iter().enumerate() {
                self.prose.extend(c.comments.iter().cloned());
                if let Some(why) = super::shape::skip_reason(&c.run, !c.typed.is_empty()) {
                    self.note(
                        c.line,
                        NoteKind::Skipped,
                        format!("`{}`: {why}", first_line(&c.run)),
                    );
                    self.prose.push(code_text("", &format!("{}\n", c.run)));
                    continue;
                }
                let mut d = Draft::new(c.line);
                d.doc.run = c.run.clone();
                if !c.output.is_empty() || !c.typed.is_empty() {
                    d.output = Some(c.output.clone());
                }
                d.command = Some(c);
                self.add_step(d, k == 0);
            }
            if parsed.comments > 0 || !parsed.stray.is_empty() {
                for (l, text) in parsed.stray {
                    self.note(
                        l,
                        NoteKind::Warning,
                        format!("`{text}` comes before any command: kept in the step's text"),
                    );
                    self.prose.push(text);
                }
            }
            self.after_command = Some(i + 1);
            return i + 1;
        }
        if let Some(name) = files::file_name(self.prose.last(), &blocks[i + 1..], lang, info) {
            let mut d = Draft::new(line);
            d.file = true;
            d.doc.run = files::write_file(&name, body);
            d.doc.title = format!("Write `{name}`");
            self.add_step(d, true);
            return i + 1;
        }
        self.prose.push(code_text(info, body));
        i + 1
    }

    /// A command in the project's layout; `j` is the block after it.
    fn native(&mut self, blocks: &[Block], mut j: usize, run: String, line: usize) -> usize {
        let mut d = Draft::new(line);
        d.native = true;
        d.doc.run = run;
        if matches!(blocks.get(j), Some(Block::Prose { text, .. }) if text == TYPED) {
            j += 1;
            if let Some(Block::Prose { text, .. }) = blocks.get(j) {
                let items: Vec<_> = text.lines().map(parse_typed).collect();
                if items.iter().all(Option::is_some) {
                    d.doc.input = items.into_iter().flatten().collect();
                    j += 1;
                }
            }
        }
        let mut first = true;
        while let Some(Block::Details {
            summary,
            output,
            prose,
            ..
        }) = blocks.get(j)
        {
            let Some(s) = parse_summary(summary) else {
                break;
            };
            match s.when {
                None if first => {
                    d.doc.output.clone_from(output);
                    d.doc.exit = s.exit.unwrap_or(0);
                    d.doc.stop = s.stop;
                }
                None => {}
                Some(when) => {
                    let exit = s.exit.unwrap_or(0);
                    d.doc.variants.push(VariantDoc {
                        when,
                        note: s.note,
                        output: Some(output.clone()),
                        exit: (exit != d.doc.exit).then_some(exit),
                        mode: None,
                        recorded: prose
                            .as_deref()
                            .and_then(parse_recorded)
                            .and_then(|(lesson, r)| (!lesson).then_some(r)),
                    });
                }
            }
            first = false;
            j += 1;
        }
        self.add_step(d, true);
        self.after_command = None;
        j
    }

    fn note(&mut self, line: usize, kind: NoteKind, text: String) {
        self.notes.push(Note { line, kind, text });
    }

    fn comment(&mut self, text: &str) {
        let Some(rest) = text.strip_prefix("lesson:") else {
            return;
        };
        let mut parts = rest.split(';');
        let id = parts.next().unwrap_or("").trim().to_string();
        let needs = parts
            .find_map(|p| p.trim().strip_prefix("needs:").map(str::to_string))
            .map(|n| {
                n.split(',')
                    .map(|x| x.trim().to_string())
                    .filter(|x| !x.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        if !id.is_empty() {
            self.meta = Some((id, needs));
        }
    }

    fn start_lesson(&mut self, title: &str, level: usize, line: usize) {
        self.finish_lesson();
        self.cur = Some(LessonDraft::new(title, level, line, self.meta.take()));
    }

    fn step_heading(&mut self, text: &str) {
        self.close_group();
        self.heading = Some(text.to_string());
        self.seen_heading = true;
    }

    /// The heading's steps get their titles; words left over move on.
    fn close_group(&mut self) {
        let lesson = self.lesson();
        let no_steps_yet = lesson.steps.is_empty();
        let n = self.group.len();
        let heading = self.heading.clone();
        let lesson = self.cur.as_mut().expect("a lesson");
        for (k, &i) in self.group.iter().enumerate() {
            let t = &mut lesson.steps[i].doc.title;
            if !t.is_empty() && heading.is_none() {
                continue;
            }
            *t = match &heading {
                Some(h) if n == 1 => h.clone(),
                Some(h) => format!("{h} ({})", k + 1),
                None => format!("Step {}", i + 1),
            };
        }
        let had_steps = !self.group.is_empty();
        self.group.clear();
        if had_steps || heading.is_none() {
            // Closing words of the heading's last command.
            if !self.prose.is_empty() {
                if no_steps_yet && !self.seen_heading {
                    lesson.intro.append(&mut self.prose);
                } else if let Some(last) = lesson.steps.last_mut() {
                    last.closing.append(&mut self.prose);
                }
            }
        } else if let Some(h) = heading {
            // A heading without a command: its words go to the next step.
            self.prose.insert(0, format!("**{h}**"));
        }
    }

    fn append_to_last(&mut self, text: &str) {
        if let Some(s) = self.cur.as_mut().and_then(|l| l.steps.last_mut()) {
            s.closing.push(text.to_string());
        }
    }

    fn add_step(&mut self, mut d: Draft, takes_prose: bool) {
        let seen_heading = self.seen_heading;
        let mut prose = if takes_prose {
            std::mem::take(&mut self.prose)
        } else {
            Vec::new()
        };
        prose.retain(|p| match parse_needs(p) {
            Some(items) => {
                for x in items {
                    if x == TERMINAL {
                        d.doc.tty = true;
                    } else {
                        d.doc.requires.push(x);
                    }
                }
                false
            }
            None => true,
        });
        let lesson = self.lesson();
        // Before any heading or step, earlier paragraphs introduce the lesson.
        if lesson.steps.is_empty() && !seen_heading && prose.len() > 1 {
            let last = prose.pop().expect("two paragraphs");
            lesson.intro.append(&mut prose);
            prose = vec![last];
        }
        d.text = prose;
        if !d.doc.input.is_empty() {
            d.doc.tty = false;
        }
        lesson.steps.push(d);
        let n = lesson.steps.len() - 1;
        self.group.push(n);
    }

    fn finish_lesson(&mut self) {
        if self.cur.is_none() {
            self.prose.clear();
            return;
        }
        self.close_group();
        let mut lesson = self.cur.take().expect("a lesson");
        // Words after the last command close it; with no command they wait
        // for the next lesson.
        lesson.leftover = std::mem::take(&mut self.prose);
        self.heading = None;
        self.seen_heading = false;
        self.after_command = None;
        self.lessons.push(lesson);
    }
}

fn first_word(s: &str) -> &str {
    s.split_whitespace().next().unwrap_or("")
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("");
    if s.lines().nth(1).is_some() {
        format!("{l} …")
    } else {
        l.to_string()
    }
}

/// Used by `finish` to build a step: its title is set later.
pub(super) fn blank_step() -> StepDoc {
    StepDoc {
        title: String::new(),
        text: String::new(),
        run: String::new(),
        output: String::new(),
        exit: 0,
        requires: Vec::new(),
        timeout: None,
        stop: None,
        mode: None,
        sizes: None,
        tty: false,
        input: Vec::new(),
        variants: Vec::new(),
        undocumented: Vec::new(),
    }
}
