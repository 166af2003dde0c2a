//! Writing YAML scalars by hand, the way the lesson files are written: plain
//! when that is safe, a `|` block for text with lines, double quotes for the
//! rest. `import` and `--bless` use it; both read their result back to make
//! sure it means what was meant.

/// How a value is written after `key:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// On the key's line: plain or double-quoted.
    Inline(String),
    /// A block scalar: the header (`|`, `|-`, `|2`) on the key's line, then
    /// the lines, indented by the caller.
    Block { header: String, lines: Vec<String> },
}

/// Spaces between a key's column and its block's text.
pub const STEP: usize = 2;

/// Choose how to write `text`.
pub fn scalar(text: &str) -> Scalar {
    let odd = text.chars().any(|c| {
        (c.is_control() && c != '\n' && c != '\t')
            || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}')
    });
    if odd {
        return Scalar::Inline(quoted(text));
    }
    if !text.contains('\n') {
        return Scalar::Inline(if plain_safe(text) {
            text.to_string()
        } else {
            quoted(text)
        });
    }
    // `|+` would swallow the blank lines that follow it in the file.
    if text.ends_with("\n\n") || text.trim_matches(['\n', ' ', '\t']).is_empty() {
        return Scalar::Inline(quoted(text));
    }
    let (body, chomp) = match text.strip_suffix('\n') {
        Some(b) => (b, ""),
        None => (text, "-"),
    };
    // The first text line sets the indentation unless told; spaces there are text.
    let first = text.trim_start_matches('\n');
    let indicator = if first.starts_with(' ') || first.starts_with('\t') {
        STEP.to_string()
    } else {
        String::new()
    };
    Scalar::Block {
        header: format!("|{indicator}{chomp}"),
        lines: body.split('\n').map(str::to_string).collect(),
    }
}

/// `key: value` lines at `indent` spaces, ending with a newline. A key
/// written `- key` starts a sequence item; its block text goes under the key.
pub fn key_value(indent: usize, key: &str, text: &str) -> String {
    let pad = " ".repeat(indent);
    let column = indent + if key.starts_with("- ") { 2 } else { 0 };
    match scalar(text) {
        Scalar::Inline(v) => format!("{pad}{key}: {v}\n"),
        Scalar::Block { header, lines } => {
            let mut out = format!("{pad}{key}: {header}\n");
            for l in lines {
                if l.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(&" ".repeat(column + STEP));
                    out.push_str(&l);
                    out.push('\n');
                }
            }
            out
        }
    }
}

/// A flow sequence of short strings: `[registry, regctl]`.
pub fn flow_list(items: &[String]) -> String {
    let items: Vec<String> = items
        .iter()
        .map(|i| {
            if plain_safe(i) && !i.contains([',', '[', ']', '{', '}']) {
                i.clone()
            } else {
                quoted(i)
            }
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// A double-quoted scalar: JSON strings are valid YAML.
pub fn quoted(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// Whether `text` reads back as the same string when written plain.
/// Conservative: anything that could be a number, boolean, null or an
/// indicator is quoted.
pub fn plain_safe(text: &str) -> bool {
    let Some(first) = text.chars().next() else {
        return false;
    };
    if text.trim() != text || text.contains(['\n', '\t']) {
        return false;
    }
    if !(first.is_alphanumeric() || "/.($_".contains(first)) {
        return false;
    }
    if text.contains(": ") || text.contains(" #") || text.ends_with(':') {
        return false;
    }
    let lower = text.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "y" | "n" | "yes" | "no" | "true" | "false" | "on" | "off" | "null" | "~" | ".nan" | ".inf"
    ) {
        return false;
    }
    // Numbers, dates and times: anything starting with a digit and holding no space.
    !(first.is_ascii_digit() || first == '.') || text.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Doc {
        k: String,
    }

    #[derive(serde::Deserialize)]
    struct Nested {
        s: Vec<Item>,
    }

    #[derive(serde::Deserialize)]
    struct Item {
        #[allow(dead_code)]
        t: i32,
        k: String,
    }

    /// The text read back at the top level and inside a sequence item.
    fn round(text: &str) -> (String, String, String) {
        let top = key_value(0, "k", text);
        let doc: Doc = serde_norway::from_str(&top).unwrap_or_else(|e| panic!("{top}: {e}"));
        let nested = format!(
            "s:\n  - t: 1\n{}\n  - t: 2\n    k: x\n",
            key_value(4, "k", text)
        );
        let n: Nested = serde_norway::from_str(&nested).unwrap_or_else(|e| panic!("{nested}: {e}"));
        (nested, doc.k, n.s[0].k.clone())
    }

    #[test]
    fn chooses_a_readable_form() {
        assert_eq!(
            scalar("docker image ls"),
            Scalar::Inline("docker image ls".into())
        );
        assert_eq!(scalar("true"), Scalar::Inline("\"true\"".into()));
        assert_eq!(scalar("1.81MB"), Scalar::Inline("\"1.81MB\"".into()));
        assert_eq!(scalar("/ # "), Scalar::Inline("\"/ # \"".into()));
        assert_eq!(scalar("a: b"), Scalar::Inline("\"a: b\"".into()));
        assert_eq!(scalar(""), Scalar::Inline("\"\"".into()));
        assert_eq!(
            scalar("a\nb\n"),
            Scalar::Block {
                header: "|".into(),
                lines: vec!["a".into(), "b".into()]
            }
        );
        assert_eq!(
            scalar("  1 root\n"),
            Scalar::Block {
                header: "|2".into(),
                lines: vec!["  1 root".into()]
            }
        );
        assert_eq!(scalar("a\n\n"), Scalar::Inline("\"a\\n\\n\"".into()));
        assert_eq!(scalar("a\r\n"), Scalar::Inline("\"a\\r\\n\"".into()));
        assert_eq!(
            flow_list(&["registry".into(), "a, b".into()]),
            "[registry, \"a, b\"]"
        );
    }

    #[test]
    fn what_is_written_reads_back() {
        for text in [
            "plain words",
            "x\n",
            "x",
            "a\nb",
            "  1 root /app\n  2 x\n",
            "\n  indented after a blank\n",
            "\tTab\n",
            "{{...}}\n/ # ps aux\n",
            "- dash\n# hash\n",
            "trailing spaces   \nnext\n",
            "with \"quotes\" and 'single'",
            "#1 [internal] load\n\n#2 DONE\n",
            "only\n\n\n",
            "\u{1b}[0m colored\n",
            "yes",
            "0",
            "- a",
            "? q",
            "@x",
        ] {
            let (src, top, nested) = round(text);
            assert_eq!(top, text, "written as:\n{src}");
            assert_eq!(nested, text, "written as:\n{src}");
        }
    }
}
