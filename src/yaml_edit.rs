//! Editing a YAML file as text: set one key's value, or add one item to a
//! block sequence, and leave every other byte (comments, quoting, key order,
//! blank lines, line endings) as it was.
//!
//! Re-serialising with serde would lose all of that, and the lesson files are
//! written by hand. The edits find their place with [`Positions`] (the YAML
//! parser's own marks) and work on whole lines, so they handle block
//! mappings and block sequences, the layout every lesson uses. They do not
//! check what they wrote: the caller reads the result back and compares it
//! with what it meant (see `bless`), which also catches a layout these edits
//! cannot handle (a flow mapping, say).

use crate::lesson::positions::Positions;
use crate::yaml_text::{self, Scalar};

/// Set `key` of the mapping at `map` (a path such as `steps[2]`) to `value`,
/// replacing the old value's text or, when the key is absent, inserting it
/// after the first of `after` that exists.
pub fn set(
    text: &str,
    map: &str,
    key: &str,
    value: &Scalar,
    after: &[&str],
) -> Result<String, String> {
    let positions = Positions::index(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let path = format!("{map}.{key}");
    let (start, end, new_lines) = if let Some(k) = positions.key(&path) {
        let line_no = k.line - 1;
        let col = k.column - 1;
        let line = bare(lines.get(line_no).ok_or("a key past the end of the file")?);
        let key_at = byte_at(line, col);
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
        let mut new = entry(col, &format!("{}: ", &line[..colon]), value);
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
        let new = entry(col, &format!("{}{key}: ", " ".repeat(col)), value);
        (end + 1, end, new)
    };
    Ok(splice(text, &lines, start, end + 1, &new_lines))
}

/// Insert a mapping made of `entries` as item `index` of the block sequence
/// at `seq` (a path such as `steps[1].variants`), or after its last item when
/// `index` is its length. Comments right above an item stay with that item,
/// and items separated by blank lines stay so. An absent sequence is added as
/// the last key of its mapping.
pub fn insert_item(
    text: &str,
    seq: &str,
    index: usize,
    entries: &[(&str, Scalar)],
) -> Result<String, String> {
    let positions = Positions::index(text);
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    if positions.value(seq).is_none() {
        if index != 0 {
            return Err(format!("`{seq}` has no item {index}"));
        }
        let (map, key) = seq
            .rsplit_once('.')
            .ok_or_else(|| format!("`{seq}` names no key of a mapping"))?;
        let (_, last) = positions
            .keys(map)
            .pop()
            .ok_or_else(|| format!("cannot find where `{key}` goes in `{map}`"))?;
        let col = last.column - 1;
        let end = value_end(&lines, last.line - 1, col);
        let mut new = vec![format!("{}{key}:", " ".repeat(col))];
        new.extend(item(col + 2, col + 4, entries));
        return Ok(splice(text, &lines, end + 1, end + 1, &new));
    }
    let count = (0..)
        .take_while(|i| positions.value(&format!("{seq}[{i}]")).is_some())
        .count();
    // An item's place is that of its first key: the dash is on its line.
    let first_key = |i: usize| positions.keys(&format!("{seq}[{i}]")).into_iter().next();
    let (_, first) =
        first_key(0).ok_or_else(|| format!("`{seq}` is not a block sequence of mappings"))?;
    let first_line = bare(lines.get(first.line - 1).ok_or("an item past the end")?);
    let dash = indent(first_line);
    if !first_line[dash..].starts_with("- ") || first.column - 1 <= dash {
        return Err(format!("`{seq}` is not a block sequence of mappings"));
    }
    let key_col = first.column - 1;
    // Where the item at `i` starts, comments right above it included.
    let start_of = |i: usize| -> usize {
        let line = first_key(i).map_or(0, |(_, p)| p.line - 1);
        let mut start = line;
        while start > 0 {
            let above = bare(lines[start - 1]);
            if indent(above) == dash && above.trim_start().starts_with('#') {
                start -= 1;
            } else {
                break;
            }
        }
        start
    };
    let spaced = |i: usize| i > 0 && start_of(i) > 0 && is_blank(lines[start_of(i) - 1]);
    let new = item(dash, key_col, entries);
    if index < count {
        let at = start_of(index);
        let mut new = new;
        if spaced(index) {
            new.push(String::new());
        }
        Ok(splice(text, &lines, at, at, &new))
    } else if index == count {
        let (_, last) = first_key(count - 1).ok_or("no last item")?;
        let end = value_end(&lines, last.line - 1, dash);
        let mut all = Vec::new();
        if spaced(count - 1) {
            all.push(String::new());
        }
        all.extend(new);
        Ok(splice(text, &lines, end + 1, end + 1, &all))
    } else {
        Err(format!("`{seq}` has {count} items, not {index}"))
    }
}

/// The lines of a sequence item: a dash at column `dash`, keys at `key_col`.
/// Remove the key at `path` (`steps[0].undocumented`) and its value, whole
/// lines, keeping every other byte.
pub fn remove(text: &str, path: &str) -> Result<String, String> {
    let k = Positions::index(text)
        .key(path)
        .ok_or_else(|| format!("no `{path}` in the file"))?;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let end = value_end(&lines, k.line - 1, k.column - 1);
    let mut out: String = lines[..k.line - 1].concat();
    out.push_str(&lines[end + 1..].concat());
    Ok(out)
}

fn item(dash: usize, key_col: usize, entries: &[(&str, Scalar)]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, (key, value)) in entries.iter().enumerate() {
        let head = if i == 0 {
            format!(
                "{}- {}{key}: ",
                " ".repeat(dash),
                " ".repeat(key_col - dash - 2)
            )
        } else {
            format!("{}{key}: ", " ".repeat(key_col))
        };
        out.extend(entry(key_col, &head, value));
    }
    out
}

/// `head` (the key and `: `) and the value, as lines; block text is indented
/// under the key's column `col`.
fn entry(col: usize, head: &str, value: &Scalar) -> Vec<String> {
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
}

/// `text` with its lines `start..end` replaced by `new` (each ended with the
/// file's line ending).
fn splice(text: &str, lines: &[&str], start: usize, end: usize, new: &[String]) -> String {
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let mut out = String::with_capacity(text.len() + 256);
    for l in &lines[..start] {
        out.push_str(l);
    }
    // Text after a last line with no line ending starts on a line of its own.
    if !new.is_empty() && !out.is_empty() && !out.ends_with('\n') {
        out.push_str(eol);
    }
    for l in new {
        out.push_str(l);
        out.push_str(eol);
    }
    for l in lines.iter().skip(end) {
        out.push_str(l);
    }
    // The last line of the file may have had no line ending; keep it so.
    if !text.ends_with('\n') && end >= lines.len() && out.ends_with(eol) {
        out.truncate(out.len() - eol.len());
    }
    out
}

/// A line without its line ending.
fn bare(line: &str) -> &str {
    line.trim_end_matches(['\n', '\r'])
}

/// Leading spaces of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

fn is_blank(line: &str) -> bool {
    line.trim().is_empty()
}

/// Index of the last line of the value whose key (or sequence dash) sits on
/// line `key` at column `col` (0-based): the value runs until a non-blank
/// line indented no deeper than the key. Trailing blank lines are not part of it.
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

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# top\nsteps:\n  - title: a\n    run: x\n    variants:\n      # about the first\n      - when: client < 28\n        output: |\n          #1 a log line, not a comment\n\n      - when: runc < 1.1\n        exit: 3\n  - title: b   # no variants\n    run: |\n      y\n    output: z\n";

    fn v(when: &str, output: &str) -> Vec<(&'static str, Scalar)> {
        vec![
            ("when", yaml_text::scalar(when)),
            ("output", yaml_text::scalar(output)),
        ]
    }

    #[test]
    fn sets_a_value_keeping_the_comment_after_it() {
        let got = set(DOC, "steps[1]", "title", &Scalar::Inline("c".into()), &[]).unwrap();
        assert_eq!(got, DOC.replace("title: b   # no", "title: c   # no"));
        let got = set(DOC, "steps[1]", "output", &yaml_text::scalar("p\nq\n"), &[]).unwrap();
        assert_eq!(
            got,
            DOC.replace("    output: z\n", "    output: |\n      p\n      q\n")
        );
    }

    #[test]
    fn sets_an_absent_key_after_the_first_anchor_that_exists() {
        let got = set(
            DOC,
            "steps[1]",
            "exit",
            &Scalar::Inline("2".into()),
            &["nothing", "run"],
        )
        .unwrap();
        assert_eq!(got, DOC.replace("      y\n", "      y\n    exit: 2\n"));
        assert_eq!(
            set(
                DOC,
                "steps[1]",
                "exit",
                &Scalar::Inline("2".into()),
                &["nothing"]
            ),
            Err("cannot find where `exit` goes in `steps[1]`".into())
        );
    }

    #[test]
    fn inserts_an_item_before_another_with_the_comments_above_it_kept_there() {
        let got = insert_item(DOC, "steps[0].variants", 0, &v("server >= 28", "new\n")).unwrap();
        assert_eq!(
            got,
            DOC.replace(
                "      # about the first\n",
                "      - when: server >= 28\n        output: |\n          new\n      # about the first\n"
            )
        );
        // Items apart by a blank line stay apart.
        let got = insert_item(DOC, "steps[0].variants", 1, &v("server >= 28", "new")).unwrap();
        assert_eq!(
            got,
            DOC.replace(
                "\n      - when: runc < 1.1\n",
                "\n      - when: server >= 28\n        output: new\n\n      - when: runc < 1.1\n"
            )
        );
    }

    #[test]
    fn appends_an_item_after_the_last() {
        let got = insert_item(DOC, "steps[0].variants", 2, &v("server >= 28", "new")).unwrap();
        assert_eq!(
            got,
            DOC.replace(
                "        exit: 3\n",
                "        exit: 3\n\n      - when: server >= 28\n        output: new\n"
            )
        );
        assert_eq!(
            insert_item(DOC, "steps[0].variants", 3, &v("a", "b")),
            Err("`steps[0].variants` has 2 items, not 3".into())
        );
    }

    #[test]
    fn adds_an_absent_sequence_as_the_last_key() {
        let got = insert_item(DOC, "steps[1].variants", 0, &v("server >= 28", "n\n")).unwrap();
        assert_eq!(
            got,
            format!(
                "{DOC}    variants:\n      - when: server >= 28\n        output: |\n          n\n"
            )
        );
        // A file whose last line has no line ending keeps it so.
        let doc = DOC.strip_suffix('\n').unwrap();
        let got = insert_item(doc, "steps[1].variants", 0, &v("server >= 28", "nn")).unwrap();
        assert_eq!(
            got,
            format!("{doc}\n    variants:\n      - when: server >= 28\n        output: nn")
        );
        // Windows line endings stay.
        let crlf = DOC.replace('\n', "\r\n");
        let got = insert_item(&crlf, "steps[1].variants", 0, &v("server >= 28", "nn")).unwrap();
        assert_eq!(
            got,
            format!("{crlf}    variants:\r\n      - when: server >= 28\r\n        output: nn\r\n")
        );
    }

    #[test]
    fn refuses_a_flow_sequence() {
        let flow = "steps:\n  - title: a\n    variants: [{when: x, output: y}]\n";
        assert_eq!(
            insert_item(flow, "steps[0].variants", 0, &v("a", "b")),
            Err("`steps[0].variants` is not a block sequence of mappings".into())
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
