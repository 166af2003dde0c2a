//! Markdown source → a flat list of blocks, each with the line it starts on.
//!
//! pulldown-cmark (the CommonMark parser mdBook and rustdoc use) does the
//! reading, so indented code blocks, setext headings, HTML blocks, front
//! matter and code inside lists come out as any CommonMark reader sees them.
//! This file only flattens its events into what the importer works with:
//! headings, code blocks, `<details>` output blocks, comments and prose.
//! Prose keeps its source text (Markdown and all), because a step's `text`
//! is Markdown too. A list or quote is one prose block unless a code block
//! sits inside it; then its pieces come out one by one, so the code is seen.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

/// One piece of a Markdown document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    Heading {
        level: usize,
        /// Plain text: emphasis, links and HTML dropped, code spans kept.
        text: String,
        line: usize,
    },
    Code {
        /// The info string's first word, lowercase (`bash`, `console`, ``).
        lang: String,
        /// The whole info string (`Dockerfile title="app/Dockerfile"`).
        info: String,
        body: String,
        /// Line of the fence (or of an indented block's first line).
        line: usize,
        indented: bool,
    },
    /// A `<details>` block: its `<summary>` (HTML) and its first code block.
    Details {
        summary: String,
        output: String,
        /// The first paragraph inside, before the output.
        prose: Option<String>,
        raw: String,
        line: usize,
    },
    Comment {
        text: String,
        line: usize,
    },
    Prose {
        text: String,
        line: usize,
    },
    /// YAML front matter: not prose, not commands.
    FrontMatter {
        line: usize,
    },
}

/// Byte offsets of line starts, to turn offsets into 1-based lines.
pub struct Lines(Vec<usize>);

impl Lines {
    pub fn new(src: &str) -> Lines {
        let mut starts = vec![0];
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        Lines(starts)
    }

    pub fn line_of(&self, offset: usize) -> usize {
        match self.0.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_GFM
}

/// The blocks of `src`, in order.
pub fn blocks(src: &str) -> Vec<Block> {
    let lines = Lines::new(src);
    let events: Vec<(Event, Range<usize>)> =
        Parser::new_ext(src, options()).into_offset_iter().collect();
    let code: Vec<Range<usize>> = events
        .iter()
        .filter(|(e, _)| matches!(e, Event::Start(Tag::CodeBlock(_))))
        .map(|(_, r)| r.clone())
        .collect();
    let mut out = Vec::new();
    // Inline events loose in a list item (a tight item) gather into prose.
    let mut loose: Option<Range<usize>> = None;
    let flush = |loose: &mut Option<Range<usize>>, out: &mut Vec<Block>| {
        if let Some(r) = loose.take() {
            prose(src, &lines, r, out);
        }
    };
    // Everything before this offset is already part of a `<details>` block.
    let mut consumed = 0;
    let mut i = 0;
    while i < events.len() {
        let (event, range) = &events[i];
        if range.start < consumed {
            i += 1;
            continue;
        }
        let Event::Start(tag) = event else {
            if matches!(
                event,
                Event::Text(_) | Event::Code(_) | Event::InlineHtml(_) | Event::SoftBreak
            ) {
                let r = loose.get_or_insert(range.clone());
                r.end = r.end.max(range.end);
            }
            i += 1;
            continue;
        };
        flush(&mut loose, &mut out);
        let end = matching_end(&events, i);
        let holds_code = code
            .iter()
            .any(|c| range.start <= c.start && c.end <= range.end && *c != *range);
        let line = lines.line_of(range.start);
        match tag {
            Tag::List(_) | Tag::Item | Tag::BlockQuote(_) | Tag::FootnoteDefinition(_)
                if holds_code =>
            {
                // Open it up: its code blocks must be seen.
                i += 1;
                continue;
            }
            Tag::Heading { level, .. } => out.push(Block::Heading {
                level: *level as usize,
                text: heading_text(&events[i + 1..end]),
                line,
            }),
            Tag::CodeBlock(kind) => {
                let (info, indented) = match kind {
                    CodeBlockKind::Fenced(info) => (info.trim().to_string(), false),
                    CodeBlockKind::Indented => (String::new(), true),
                };
                let body: String = events[i + 1..end]
                    .iter()
                    .filter_map(|(e, _)| match e {
                        Event::Text(t) => Some(t.as_ref()),
                        _ => None,
                    })
                    .collect();
                out.push(Block::Code {
                    lang: lang_of(&info),
                    info,
                    body,
                    line,
                    indented,
                });
            }
            Tag::HtmlBlock => {
                let raw = &src[range.clone()];
                let t = raw.trim_start();
                if t.starts_with("<details") {
                    let close = src[range.start..]
                        .find("</details>")
                        .map(|k| range.start + k + "</details>".len());
                    if let Some(close) = close {
                        let close = src[close..].find('\n').map_or(src.len(), |k| close + k + 1);
                        out.push(details(&src[range.start..close], line));
                        consumed = close;
                        i = end + 1;
                        continue;
                    }
                }
                if t.starts_with("<!--") && t.trim_end().ends_with("-->") {
                    let inner = t.trim_end().trim_start_matches("<!--");
                    let inner = inner.strip_suffix("-->").unwrap_or(inner);
                    out.push(Block::Comment {
                        text: inner.trim().to_string(),
                        line,
                    });
                } else {
                    prose(src, &lines, range.clone(), &mut out);
                }
            }
            Tag::MetadataBlock(_) => out.push(Block::FrontMatter { line }),
            _ => prose(src, &lines, range.clone(), &mut out),
        }
        i = end + 1;
    }
    flush(&mut loose, &mut out);
    out
}

fn prose(src: &str, lines: &Lines, range: Range<usize>, out: &mut Vec<Block>) {
    let text = src[range.clone()].trim_end();
    if !text.trim().is_empty() {
        out.push(Block::Prose {
            text: text.to_string(),
            line: lines.line_of(range.start),
        });
    }
}

/// Index of the `End` event that closes the `Start` at `i`.
fn matching_end(events: &[(Event, Range<usize>)], i: usize) -> usize {
    let mut depth = 0usize;
    for (k, (e, _)) in events.iter().enumerate().skip(i) {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    events.len() - 1
}

/// A heading's words without Markdown or HTML; code spans keep their backticks.
fn heading_text(events: &[(Event, Range<usize>)]) -> String {
    let mut s = String::new();
    for (e, _) in events {
        match e {
            Event::Text(t) => s.push_str(t),
            Event::Code(c) => s.push_str(&super::format::code_span(c)),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            Event::End(TagEnd::Heading(_)) => break,
            _ => {}
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `bash` from ```` ```bash title="x" ````, `{.bash}` and `language-bash`.
fn lang_of(info: &str) -> String {
    let word = info
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("");
    let word = word.trim_matches(|c| c == '{' || c == '}' || c == '.');
    let word = word.strip_prefix("language-").unwrap_or(word);
    word.to_ascii_lowercase()
}

/// A `<details>` block: the summary and the first code block inside.
fn details(raw: &str, line: usize) -> Block {
    let summary = raw
        .split_once("<summary>")
        .and_then(|(_, r)| r.split_once("</summary>"))
        .map_or(String::new(), |(s, _)| s.trim().to_string());
    // The inside, as Markdown: from after the summary to `</details>`.
    let inner = raw
        .split_once("</summary>")
        .map_or(raw, |(_, r)| r)
        .rsplit_once("</details>")
        .map_or("", |(i, _)| i);
    let inner = inner.split_once('\n').map_or("", |(_, r)| r);
    let (mut output, mut prose) = (None, None);
    for b in blocks(inner) {
        match b {
            Block::Code { body, .. } => {
                output = Some(body);
                break;
            }
            Block::Prose { text, .. } if prose.is_none() => prose = Some(text),
            _ => {}
        }
    }
    Block::Details {
        summary,
        output: output.unwrap_or_default(),
        prose,
        raw: raw.trim_end().to_string(),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_in_lists_indented_and_setext() {
        let md = "Title\n=====\n\n1. Run it:\n\n   ```bash\n   docker ps\n   ```\n\n2. Then\n\n       ls -l\n\n- a\n- b\n";
        let b = blocks(md);
        assert_eq!(
            b,
            vec![
                Block::Heading {
                    level: 1,
                    text: "Title".into(),
                    line: 1
                },
                Block::Prose {
                    text: "Run it:".into(),
                    line: 4
                },
                Block::Code {
                    lang: "bash".into(),
                    info: "bash".into(),
                    body: "docker ps\n".into(),
                    line: 6,
                    indented: false
                },
                Block::Prose {
                    text: "Then".into(),
                    line: 10
                },
                Block::Code {
                    lang: String::new(),
                    info: String::new(),
                    body: "ls -l\n".into(),
                    line: 12,
                    indented: true
                },
                Block::Prose {
                    text: "- a\n- b".into(),
                    line: 14
                },
            ]
        );
    }

    #[test]
    fn details_comments_and_front_matter() {
        let md = "---\ntitle: x\n---\n\n<!-- lesson: a -->\n## `run` *it*\n\n<details>\n  <summary>Output (exit code 1)</summary>\n\n  ```\n  a\n\n    b\n  ```\n</details>\n\nafter\n";
        let b = blocks(md);
        assert_eq!(b[0], Block::FrontMatter { line: 1 });
        assert_eq!(
            b[1],
            Block::Comment {
                text: "lesson: a".into(),
                line: 5
            }
        );
        assert_eq!(
            b[2],
            Block::Heading {
                level: 2,
                text: "`run` it".into(),
                line: 6
            }
        );
        match &b[3] {
            Block::Details {
                summary,
                output,
                line,
                ..
            } => {
                assert_eq!(
                    (summary.as_str(), output.as_str(), *line),
                    ("Output (exit code 1)", "a\n\n  b\n", 8)
                );
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            b[4],
            Block::Prose {
                text: "after".into(),
                line: 18
            }
        );
        assert_eq!(lang_of("{.Dockerfile title=x}"), "dockerfile");
    }
}
