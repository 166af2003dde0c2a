//! Markdown tutorial → lesson files.
//!
//! Two ways of writing a command and its output are understood:
//!
//! - the original tutorial's: a fenced block holding the command, followed by
//!   a `<details>` block whose fenced block is the output (what `render`
//!   writes too, with exit codes, conditions and notes in the summary);
//! - console blocks (```` ```console ````, ```` ```shell-session ````), where a
//!   line starting with `$ ` is a command (continued by a trailing `\` or by
//!   `> ` lines) and the lines after it are its output.
//!
//! Each `#`/`##` heading starts a lesson (sections without commands are
//! left out), each `###` heading titles the steps under it (numbered when it
//! holds several commands, `Step N` when there is no heading), and the prose
//! before a command becomes its `text`. A fenced block that is neither a
//! console block nor followed by an output block is prose.
//!
//! The YAML is written by hand, in the layout of the lesson files (block
//! scalars for text with lines), and read back before it is returned: a
//! lesson that would not read back as imported is an error, not a file.

use std::fmt::Write as _;

use crate::lesson::model::{InputDoc, LessonDoc, StepDoc, StopDoc, VariantDoc};
use crate::render::{REGISTRY, TERMINAL, TYPED};
use crate::yaml_text::{flow_list, key_value};

/// What an import found.
#[derive(Debug, Clone)]
pub struct Imported {
    pub lessons: Vec<LessonDoc>,
    /// Titles of `##` sections that held no command.
    pub skipped: Vec<String>,
}

/// One piece of the Markdown source.
#[derive(Debug, Clone)]
enum Block<'a> {
    Heading {
        level: usize,
        text: String,
    },
    Fence {
        info: String,
        body: Vec<String>,
        raw: Vec<&'a str>,
    },
    Details {
        summary: String,
        output: String,
        raw: Vec<&'a str>,
    },
    Comment(String),
    Line(&'a str),
}

/// Read a Markdown tutorial into lessons.
pub fn import(markdown: &str) -> Imported {
    let blocks = tokenize(markdown);
    let mut b = Builder::default();
    let mut i = 0;
    while i < blocks.len() {
        match &blocks[i] {
            Block::Heading { level, text } if *level <= 2 => b.start_lesson(text, *level),
            Block::Heading { text, .. } => b.step_heading(text),
            Block::Comment(text) => b.comment(text),
            Block::Line(l) => b.prose.push((*l).to_string()),
            Block::Details { raw, .. } => b.prose.extend(raw.iter().map(|l| (*l).to_string())),
            Block::Fence { info, body, raw } => {
                if let Some((steps, next)) = command_at(&blocks, i, info, body) {
                    for (k, s) in steps.into_iter().enumerate() {
                        b.add_step(s, k == 0);
                    }
                    i = next;
                    continue;
                }
                b.prose.extend(raw.iter().map(|l| (*l).to_string()));
            }
        }
        i += 1;
    }
    b.finish_lesson();
    Imported {
        lessons: b.lessons,
        skipped: b.skipped,
    }
}

/// Split the source into headings, fenced blocks, `<details>` blocks,
/// comments and other lines.
fn tokenize(src: &str) -> Vec<Block<'_>> {
    let lines: Vec<&str> = src.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim_start();
        let ind = line.len() - t.len();
        if ind <= 3 {
            if let Some((fence, info)) = fence_open(t) {
                if let Some(close) = fence_close(&lines, i + 1, &fence) {
                    let body = lines[i + 1..close]
                        .iter()
                        .map(|l| dedent(l, ind).to_string())
                        .collect();
                    out.push(Block::Fence {
                        info,
                        body,
                        raw: lines[i..=close].to_vec(),
                    });
                    i = close + 1;
                    continue;
                }
            }
            if t.starts_with("<details") {
                if let Some(close) = (i..lines.len()).find(|&j| lines[j].contains("</details>")) {
                    let raw = lines[i..=close].to_vec();
                    out.push(details(&raw));
                    i = close + 1;
                    continue;
                }
            }
            if t.starts_with("<!--") {
                if let Some(close) = (i..lines.len()).find(|&j| lines[j].contains("-->")) {
                    let joined = lines[i..=close].join("\n");
                    let inner = joined
                        .trim()
                        .trim_start_matches("<!--")
                        .trim_end_matches("-->")
                        .trim()
                        .to_string();
                    out.push(Block::Comment(inner));
                    i = close + 1;
                    continue;
                }
            }
            if let Some((level, text)) = heading(t) {
                out.push(Block::Heading { level, text });
                i += 1;
                continue;
            }
        }
        out.push(Block::Line(line));
        i += 1;
    }
    out
}

/// The fence (``` or ~~~, possibly longer) and info string opening a block.
fn fence_open(t: &str) -> Option<(String, String)> {
    let c = t.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let n = t.chars().take_while(|x| *x == c).count();
    if n < 3 {
        return None;
    }
    let info = t[n..].trim();
    if c == '`' && info.contains('`') {
        return None;
    }
    Some((t[..n].to_string(), info.to_string()))
}

fn fence_close(lines: &[&str], from: usize, fence: &str) -> Option<usize> {
    let c = fence.chars().next()?;
    (from..lines.len()).find(|&j| {
        let t = lines[j].trim();
        t.len() >= fence.len() && t.chars().all(|x| x == c)
    })
}

fn dedent(line: &str, n: usize) -> &str {
    let spaces = line.len() - line.trim_start_matches(' ').len();
    &line[spaces.min(n)..]
}

fn heading(t: &str) -> Option<(usize, String)> {
    let level = t.chars().take_while(|c| *c == '#').count();
    if !(1..=6).contains(&level) {
        return None;
    }
    let rest = &t[level..];
    if !(rest.is_empty() || rest.starts_with([' ', '\t'])) {
        return None;
    }
    let text = rest.trim();
    // A closing run of `#` is not part of the text.
    let text = match text.trim_end_matches('#') {
        s if s.len() < text.len() && (s.is_empty() || s.ends_with(' ')) => s.trim_end(),
        _ => text,
    };
    Some((level, text.to_string()))
}

fn details<'a>(raw: &[&'a str]) -> Block<'a> {
    let joined = raw.join("\n");
    let summary = joined
        .split_once("<summary>")
        .and_then(|(_, r)| r.split_once("</summary>"))
        .map_or(String::new(), |(s, _)| s.trim().to_string());
    let mut output = String::new();
    let inner = &raw[1..raw.len().saturating_sub(1)];
    for (i, line) in inner.iter().enumerate() {
        let t = line.trim_start();
        let ind = line.len() - t.len();
        if let Some((fence, _)) = fence_open(t) {
            if let Some(close) = fence_close(inner, i + 1, &fence) {
                let body: Vec<&str> = inner[i + 1..close].iter().map(|l| dedent(l, ind)).collect();
                output = text_of(&body);
            }
            break;
        }
    }
    Block::Details {
        summary,
        output,
        raw: raw.to_vec(),
    }
}

/// Lines as a value: joined, with a final newline when there are any.
fn text_of<S: AsRef<str>>(lines: &[S]) -> String {
    let mut s: String = lines
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<&str>>()
        .join("\n");
    if !lines.is_empty() {
        s.push('\n');
    }
    s
}

/// A command read from the Markdown, before it gets its title and text.
#[derive(Debug, Clone, Default)]
struct Found {
    run: String,
    output: String,
    exit: i32,
    stop: Option<StopDoc>,
    input: Vec<InputDoc>,
    variants: Vec<VariantDoc>,
}

/// The steps that the fence at `i` starts, and the index of the block after them.
fn command_at(
    blocks: &[Block],
    i: usize,
    info: &str,
    body: &[String],
) -> Option<(Vec<Found>, usize)> {
    let console = matches!(
        info.split_whitespace().next().unwrap_or(""),
        "console" | "shell-session" | "shellsession" | "sh-session" | "terminal"
    ) || body
        .iter()
        .find(|l| !l.trim().is_empty())
        .is_some_and(|l| l.starts_with("$ "));
    let (mut found, inline) = if console {
        let steps = console_steps(body);
        if steps.is_empty() {
            return None;
        }
        (steps, true)
    } else {
        (
            vec![Found {
                run: text_of(body),
                ..Found::default()
            }],
            false,
        )
    };
    // What follows the block: what is typed, then the output blocks.
    let mut j = i + 1;
    let skip_blank = |j: &mut usize| {
        while matches!(blocks.get(*j), Some(Block::Line(l)) if l.trim().is_empty()) {
            *j += 1;
        }
    };
    skip_blank(&mut j);
    let mut input = Vec::new();
    if matches!(blocks.get(j), Some(Block::Line(l)) if l.trim() == TYPED) {
        j += 1;
        skip_blank(&mut j);
        while let Some(Block::Line(l)) = blocks.get(j) {
            let Some(x) = typed_item(l) else { break };
            input.push(x);
            j += 1;
        }
        skip_blank(&mut j);
    }
    let mut outputs = Vec::new();
    loop {
        let mut k = j;
        skip_blank(&mut k);
        match blocks.get(k) {
            Some(Block::Details {
                summary, output, ..
            }) => {
                outputs.push((parse_summary(summary), output.clone()));
                j = k + 1;
            }
            _ => break,
        }
    }
    let single = found.len() == 1 && found[0].output.is_empty();
    if outputs.is_empty() {
        // A plain block with no output after it is an example, not a command.
        if !inline {
            return None;
        }
        return Some((found, i + 1));
    }
    if !single {
        // Output blocks after a console block with several commands: keep
        // the console's own outputs.
        return Some((found, i + 1));
    }
    let step = &mut found[0];
    step.input = input;
    let mut first = true;
    for (summary, output) in outputs {
        match summary.when {
            None if first => {
                step.output = output;
                step.exit = summary.exit.unwrap_or(0);
                step.stop = summary.stop;
            }
            None => {}
            Some(when) => {
                let exit = summary.exit.unwrap_or(0);
                step.variants.push(VariantDoc {
                    when,
                    note: summary.note,
                    output: Some(output),
                    exit: (exit != step.exit).then_some(exit),
                    mode: None,
                });
            }
        }
        first = false;
    }
    Some((found, j))
}

/// Commands and outputs of a console block.
fn console_steps(body: &[String]) -> Vec<Found> {
    let mut steps: Vec<(Vec<String>, Vec<String>)> = Vec::new();
    let mut continues = false;
    for line in body {
        if let Some(cmd) = line.strip_prefix("$ ").or((line == "$").then_some("")) {
            continues = cmd.ends_with('\\');
            steps.push((vec![cmd.to_string()], Vec::new()));
            continue;
        }
        let Some((cmd, out)) = steps.last_mut() else {
            continue;
        };
        if out.is_empty() && (continues || line.starts_with("> ") || line == ">") {
            let l = line
                .strip_prefix("> ")
                .or(line.strip_prefix('>').filter(|r| r.is_empty()))
                .unwrap_or(line);
            continues = l.ends_with('\\');
            cmd.push(l.to_string());
        } else {
            continues = false;
            out.push(line.clone());
        }
    }
    steps
        .into_iter()
        .map(|(cmd, mut out)| {
            while out.last().is_some_and(|l| l.trim().is_empty()) {
                out.pop();
            }
            Found {
                run: text_of(&cmd),
                output: text_of(&out),
                ..Found::default()
            }
        })
        .collect()
}

/// What a `<summary>` says: `Output when COND (exit code N; stopped after N lines): note`.
#[derive(Debug, Clone, Default)]
struct Summary {
    when: Option<String>,
    exit: Option<i32>,
    stop: Option<StopDoc>,
    note: Option<String>,
}

fn parse_summary(html: &str) -> Summary {
    let s = unhtml(html);
    let mut out = Summary::default();
    let Some(mut rest) = s.strip_prefix("Output") else {
        return out;
    };
    if let Some(r) = rest.strip_prefix(" when ") {
        let end = r.find([':', '(']).unwrap_or(r.len());
        out.when = Some(r[..end].trim().to_string());
        rest = &r[end..];
    }
    let rest = rest.trim_start();
    let rest = match rest.strip_prefix('(').and_then(|r| r.split_once(')')) {
        Some((inside, after)) => {
            for item in inside.split(';').map(str::trim) {
                if let Some(n) = item.strip_prefix("exit code ") {
                    out.exit = n.trim().parse().ok();
                } else if let Some(what) = item.strip_prefix("stopped after ") {
                    let lines = what
                        .strip_suffix(" lines")
                        .or(what.strip_suffix(" line"))
                        .and_then(|n| n.trim().parse().ok());
                    out.stop = Some(StopDoc {
                        lines,
                        after: lines.is_none().then(|| what.trim().to_string()),
                    });
                }
            }
            after
        }
        None => rest,
    };
    if let Some(note) = rest.trim_start().strip_prefix(':') {
        let note = note.trim();
        if !note.is_empty() {
            out.note = Some(note.to_string());
        }
    }
    out
}

/// Summary HTML back to text: `<code>` to backticks, entities decoded.
fn unhtml(s: &str) -> String {
    s.replace("<code>", "`")
        .replace("</code>", "`")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// `- after `PROMPT`: `TEXT``
fn typed_item(line: &str) -> Option<InputDoc> {
    let rest = line.trim().strip_prefix("- after ")?;
    let (wait, rest) = code_span(rest)?;
    let rest = rest.strip_prefix(": ")?;
    let (send, rest) = code_span(rest)?;
    rest.trim().is_empty().then_some(InputDoc { wait, send })
}

/// The content of the code span that starts `s`, and what follows it.
fn code_span(s: &str) -> Option<(String, &str)> {
    let n = s.chars().take_while(|c| *c == '`').count();
    if n == 0 {
        return None;
    }
    let ticks = "`".repeat(n);
    let body = &s[n..];
    let mut from = 0;
    loop {
        let at = from + body[from..].find(&ticks)?;
        let run = body[at..].chars().take_while(|c| *c == '`').count();
        if run == n {
            let mut content = &body[..at];
            if content.len() >= 2
                && content.starts_with(' ')
                && content.ends_with(' ')
                && !content.trim().is_empty()
            {
                content = &content[1..content.len() - 1];
            }
            return Some((content.to_string(), &body[at + n..]));
        }
        from = at + run;
    }
}

/// `*Needs access to Docker Hub, `regctl`.*`
fn needs_line(line: &str) -> Option<Vec<String>> {
    let inner = line.trim().strip_prefix("*Needs ")?.strip_suffix(".*")?;
    Some(
        inner
            .split(", ")
            .map(|item| {
                if item == REGISTRY {
                    "registry".to_string()
                } else {
                    code_span(item)
                        .filter(|(_, rest)| rest.is_empty())
                        .map_or_else(|| item.to_string(), |(c, _)| c)
                }
            })
            .collect(),
    )
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

#[derive(Default)]
struct Builder {
    lessons: Vec<LessonDoc>,
    skipped: Vec<String>,
    cur: Option<LessonDoc>,
    /// Id and needs from a `<!-- lesson: … -->` comment, for the next lesson.
    meta: Option<(String, Vec<String>)>,
    prose: Vec<String>,
    heading: Option<String>,
    /// Indices of the steps under the current `###` heading.
    group: Vec<usize>,
    seen_heading: bool,
    /// The current lesson comes from the `#` title, not a section: when it
    /// holds no command it is not reported as left out.
    document_title: bool,
}

fn blank_lesson(title: &str, id: String, needs: Vec<String>) -> LessonDoc {
    LessonDoc {
        id,
        title: title.to_string(),
        intro: String::new(),
        needs,
        recorded: None,
        images: Vec::new(),
        steps: Vec::new(),
    }
}

impl Builder {
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

    fn start_lesson(&mut self, title: &str, level: usize) {
        self.finish_lesson();
        let (id, needs) = self
            .meta
            .take()
            .unwrap_or_else(|| (slug(title), Vec::new()));
        self.cur = Some(blank_lesson(title, id, needs));
        self.document_title = level == 1;
    }

    fn step_heading(&mut self, text: &str) {
        self.finish_group();
        if let Some(l) = &mut self.cur {
            if l.steps.is_empty() && !self.seen_heading {
                l.intro = prose_text(&self.prose);
            }
        }
        self.prose.clear();
        self.heading = Some(text.to_string());
        self.seen_heading = true;
    }

    fn add_step(&mut self, f: Found, takes_prose: bool) {
        let lesson = self
            .cur
            .get_or_insert_with(|| blank_lesson("Tutorial", "tutorial".into(), Vec::new()));
        let mut requires = Vec::new();
        let mut prose = Vec::new();
        let mut tty = false;
        if takes_prose {
            for l in self.prose.drain(..) {
                match needs_line(&l) {
                    Some(n) => {
                        for x in n {
                            if x == TERMINAL {
                                tty = true;
                            } else {
                                requires.push(x);
                            }
                        }
                    }
                    None => prose.push(l),
                }
            }
            // Before any heading or step, earlier paragraphs introduce the lesson.
            if lesson.steps.is_empty() && !self.seen_heading {
                let paragraphs = split_last_paragraph(&prose);
                lesson.intro = prose_text(&paragraphs.0);
                prose = paragraphs.1;
            }
        }
        // A one-line command reads best as a plain value.
        let run = match f.run.strip_suffix('\n') {
            Some(one) if !one.contains('\n') => one.to_string(),
            _ => f.run,
        };
        lesson.steps.push(StepDoc {
            title: String::new(),
            text: prose_text(&prose),
            run,
            output: f.output,
            exit: f.exit,
            requires,
            timeout: None,
            stop: f.stop,
            mode: None,
            sizes: None,
            tty: tty && f.input.is_empty(),
            input: f.input,
            variants: f.variants,
            undocumented: Vec::new(),
        });
        self.group.push(lesson.steps.len() - 1);
    }

    /// Title the steps of the heading that ends.
    fn finish_group(&mut self) {
        let Some(lesson) = &mut self.cur else {
            self.group.clear();
            return;
        };
        let n = self.group.len();
        for (k, &i) in self.group.iter().enumerate() {
            lesson.steps[i].title = match &self.heading {
                Some(h) if n == 1 => h.clone(),
                Some(h) => format!("{h} ({})", k + 1),
                None => format!("Step {}", i + 1),
            };
        }
        self.group.clear();
    }

    fn finish_lesson(&mut self) {
        self.finish_group();
        self.prose.clear();
        self.heading = None;
        self.seen_heading = false;
        let Some(mut lesson) = self.cur.take() else {
            return;
        };
        if lesson.steps.is_empty() {
            if !self.document_title {
                self.skipped.push(lesson.title);
            }
            return;
        }
        // Titles identify steps: make repeats unique.
        let mut seen: Vec<String> = Vec::new();
        for s in &mut lesson.steps {
            let base = s.title.clone();
            let mut k = 2;
            while seen.contains(&s.title) {
                s.title = format!("{base} ({k})");
                k += 1;
            }
            seen.push(s.title.clone());
        }
        // Ids identify lessons too.
        let base = lesson.id.clone();
        let mut k = 2;
        while lesson.id.is_empty() || self.lessons.iter().any(|l| l.id == lesson.id) {
            lesson.id = if base.is_empty() {
                format!("lesson-{}", self.lessons.len() + 1)
            } else {
                format!("{base}-{k}")
            };
            k += 1;
        }
        self.lessons.push(lesson);
    }
}

/// Everything but the last paragraph, and the last paragraph.
fn split_last_paragraph(lines: &[String]) -> (Vec<String>, Vec<String>) {
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    let start = lines[..end]
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |i| i + 1);
    (lines[..start].to_vec(), lines[start..end].to_vec())
}

/// Prose lines as a `text` value: no leading or trailing blank lines.
fn prose_text(lines: &[String]) -> String {
    let Some(first) = lines.iter().position(|l| !l.trim().is_empty()) else {
        return String::new();
    };
    let last = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(first);
    text_of(
        &lines[first..=last]
            .iter()
            .map(|l| l.trim_end())
            .collect::<Vec<_>>(),
    )
}

/// A lesson as YAML, in the layout of the lesson files.
pub fn to_yaml(doc: &LessonDoc, header: Option<&str>) -> String {
    let mut out = String::new();
    if let Some(h) = header {
        for l in h.lines() {
            let _ = writeln!(out, "# {l}");
        }
    }
    out.push_str(&key_value(0, "id", &doc.id));
    out.push_str(&key_value(0, "title", &doc.title));
    if let Some(r) = &doc.recorded {
        out.push_str(&key_value(0, "recorded", r));
    }
    if !doc.needs.is_empty() {
        let _ = writeln!(out, "needs: {}", flow_list(&doc.needs));
    }
    if !doc.images.is_empty() {
        let _ = writeln!(out, "images: {}", flow_list(&doc.images));
    }
    if !doc.intro.is_empty() {
        out.push_str(&key_value(0, "intro", &doc.intro));
    }
    out.push_str("steps:\n");
    for (i, s) in doc.steps.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&key_value(2, "- title", &s.title));
        if !s.text.is_empty() {
            out.push_str(&key_value(4, "text", &s.text));
        }
        out.push_str(&key_value(4, "run", &s.run));
        if !s.requires.is_empty() {
            let _ = writeln!(out, "    requires: {}", flow_list(&s.requires));
        }
        if !s.output.is_empty() {
            out.push_str(&key_value(4, "output", &s.output));
        }
        if s.exit != 0 {
            let _ = writeln!(out, "    exit: {}", s.exit);
        }
        if let Some(stop) = &s.stop {
            out.push_str("    stop:\n");
            if let Some(n) = stop.lines {
                let _ = writeln!(out, "      lines: {n}");
            }
            if let Some(a) = &stop.after {
                out.push_str(&key_value(6, "after", a));
            }
        }
        if s.tty {
            out.push_str("    tty: true\n");
        }
        if !s.input.is_empty() {
            out.push_str("    input:\n");
            for x in &s.input {
                out.push_str(&key_value(6, "- wait", &x.wait));
                out.push_str(&key_value(8, "send", &x.send));
            }
        }
        if !s.variants.is_empty() {
            out.push_str("    variants:\n");
            for v in &s.variants {
                out.push_str(&key_value(6, "- when", &v.when));
                if let Some(n) = &v.note {
                    out.push_str(&key_value(8, "note", n));
                }
                if let Some(o) = &v.output {
                    out.push_str(&key_value(8, "output", o));
                }
                if let Some(e) = v.exit {
                    let _ = writeln!(out, "        exit: {e}");
                }
            }
        }
    }
    out
}

/// Whether `yaml` reads back as `doc`.
pub fn reads_back(doc: &LessonDoc, yaml: &str) -> Result<(), String> {
    let back: LessonDoc = serde_norway::from_str(yaml).map_err(|e| e.to_string())?;
    if format!("{back:?}") == format!("{doc:?}") {
        Ok(())
    } else {
        Err("it reads back differently".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_layout() {
        let md = "# Doc\n\nIntro text.\n\n**Index**\n\nFind it.\n\n```\ndocker search x\n```\n\n<details>\n  <summary>Output</summary>\n\n  ```\n  NAME\n  x\n  ```\n</details>\n\nThen this.\n\n```\ndocker a \\\n  --b\n```\n\n<details>\n  <summary>Output</summary>\n\n  ```\n  ok\n  ```\n</details>\n\n## Section two\n\nAbout it.\n\n### pull\n\nYou can't.\n\n```\ndocker pull x\n```\n\n<details>\n  <summary>Output</summary>\n\n  ```\n  denied\n  ```\n</details>\n\n## References\n\n* a link\n";
        let got = import(md);
        assert_eq!(got.skipped, vec!["References".to_string()]);
        assert_eq!(got.lessons.len(), 2);
        let a = &got.lessons[0];
        assert_eq!((a.id.as_str(), a.title.as_str()), ("doc", "Doc"));
        assert_eq!(a.intro, "Intro text.\n\n**Index**\n");
        assert_eq!(a.steps[0].title, "Step 1");
        assert_eq!(a.steps[0].text, "Find it.\n");
        assert_eq!(a.steps[0].run, "docker search x");
        assert_eq!(a.steps[0].output, "NAME\nx\n");
        assert_eq!(a.steps[1].title, "Step 2");
        assert_eq!(a.steps[1].text, "Then this.\n");
        assert_eq!(a.steps[1].run, "docker a \\\n  --b\n");
        let b = &got.lessons[1];
        assert_eq!(
            (b.id.as_str(), b.intro.as_str()),
            ("section-two", "About it.\n")
        );
        assert_eq!(b.steps[0].title, "pull");
        assert_eq!(b.steps[0].text, "You can't.\n");
        assert_eq!(b.steps[0].output, "denied\n");
    }

    #[test]
    fn console_blocks() {
        let md = "## Try\n\n### Both\n\nRun these.\n\n```console\n$ echo a \\\n  b\na b\n$ {\n>   X=1\n> }\n$ false\n\n```\n\n```sh\nnot a command\n```\n";
        let got = import(md);
        let s = &got.lessons[0].steps;
        assert_eq!(s.len(), 3);
        assert_eq!(
            s.iter().map(|s| s.title.as_str()).collect::<Vec<_>>(),
            ["Both (1)", "Both (2)", "Both (3)"]
        );
        assert_eq!(s[0].text, "Run these.\n");
        assert_eq!(s[0].run, "echo a \\\n  b\n");
        assert_eq!(s[0].output, "a b\n");
        assert_eq!(s[1].run, "{\n  X=1\n}\n");
        assert_eq!(s[1].output, "");
        assert_eq!(s[2].run, "false");
        assert_eq!(s[2].text, "");
    }

    #[test]
    fn summaries() {
        assert_eq!(
            format!("{:?}", parse_summary("Output")),
            format!("{:?}", Summary::default())
        );
        let s = parse_summary(
            "Output when client &lt; 28 (exit code 125): the <code>--help</code> hint &amp; more",
        );
        assert_eq!(s.when.as_deref(), Some("client < 28"));
        assert_eq!(s.exit, Some(125));
        assert!(s.stop.is_none());
        assert_eq!(s.note.as_deref(), Some("the `--help` hint & more"));
        let s = parse_summary("Output (exit code 1; stopped after 3 lines)");
        assert_eq!(s.exit, Some(1));
        assert_eq!(s.stop.as_ref().and_then(|s| s.lines), Some(3));
        let s = parse_summary("Output (stopped after 5s)");
        assert_eq!(s.stop.and_then(|s| s.after), Some("5s".into()));
    }

    #[test]
    fn inline_pieces() {
        let x = typed_item("- after `/ # `: `ps aux`").unwrap();
        assert_eq!((x.wait.as_str(), x.send.as_str()), ("/ # ", "ps aux"));
        assert!(typed_item("- after `/ # ` `ps aux`").is_none());
        assert_eq!(code_span("`` a`b ``: x"), Some(("a`b".into(), ": x")));
        assert_eq!(
            needs_line("*Needs access to Docker Hub, `regctl`.*"),
            Some(vec!["registry".into(), "regctl".into()])
        );
        assert_eq!(slug("Setup user non-root!"), "setup-user-non-root");
        assert_eq!(heading("### image ls ##"), Some((3, "image ls".into())));
        assert_eq!(heading("#hashtag"), None);
    }

    #[test]
    fn yaml_reads_back() {
        let md = "## A: tricky \"title\"\n\n### yes\n\n```console\n$ printf '  x\\n'\n  x\n```\n";
        let got = import(md);
        let doc = &got.lessons[0];
        let yaml = to_yaml(doc, Some("Imported."));
        assert_eq!(
            yaml,
            "# Imported.\nid: a-tricky-title\ntitle: \"A: tricky \\\"title\\\"\"\nsteps:\n  - title: \"yes\"\n    run: printf '  x\\n'\n    output: |2\n        x\n"
        );
        reads_back(doc, &yaml).unwrap();
    }
}
