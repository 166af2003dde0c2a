//! Files a tutorial asks the reader to write: a fenced `Dockerfile`, or a
//! source file the prose names ("Save this as `main.go`", or a `title=`
//! attribute) that a later block uses. Each becomes a step that writes it
//! with a quoted heredoc, byte for byte, so the replay has the files the
//! reader had. A fence that no later block uses stays an example in the text.

use super::blocks::Block;

#[rustfmt::skip]
const SOURCE: &[&str] = &[
    "dockerfile", "docker", "go", "c", "python", "py", "js", "javascript", "json", "yaml",
    "yml", "toml", "html", "ini", "conf", "rust", "java", "ruby", "php", "nginx", "cpp", "make",
    "makefile", "text", "txt", "",
];

/// A file the prose asks the reader to save: its name, when a later
/// block uses it (a Dockerfile is used by any later `docker build`).
pub fn file_name(
    prose: Option<&String>,
    later: &[Block],
    lang: &str,
    info: &str,
) -> Option<String> {
    if !SOURCE.contains(&lang) {
        return None;
    }
    let from_info = info.split_whitespace().find_map(|w| {
        let (k, v) = w.split_once('=')?;
        matches!(k, "title" | "filename" | "file" | "name").then(|| v.trim_matches('"').to_string())
    });
    let from_prose = prose.and_then(|p| {
        let lower = p.to_lowercase();
        let asks = [
            "create", "save", "write", "add", "put", "paste", "make", "named", "called", "contents",
        ]
        .iter()
        .any(|w| lower.contains(w));
        asks.then(|| file_spans(p).into_iter().next()).flatten()
    });
    let dockerfile = matches!(lang, "dockerfile" | "docker");
    let name = from_info
        .or(from_prose)
        .or_else(|| dockerfile.then(|| "Dockerfile".to_string()))?;
    let base = name.rsplit('/').next().unwrap_or(&name).to_string();
    let used = later.iter().any(|b| match b {
        Block::Code { body, .. } => {
            body.contains(&base)
                || (base.starts_with("Dockerfile") || base == "Containerfile")
                    && body.contains("build")
        }
        _ => false,
    });
    used.then_some(name)
}

/// Code spans of `prose` that look like file names.
fn file_spans(prose: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = prose;
    while let Some(k) = rest.find('`') {
        let Some((span, after)) = super::format::read_code_span(&rest[k..]) else {
            break;
        };
        let plain = !span.is_empty()
            && !span.contains(char::is_whitespace)
            && span
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c));
        let named = span.contains('.')
            || ["Dockerfile", "Containerfile", "Makefile"]
                .iter()
                .any(|n| span.ends_with(n));
        if plain && named && !span.starts_with('-') {
            out.push(span);
        }
        rest = after;
    }
    out
}

/// A command that writes `body` to `name`, as the reader's editor would.
pub fn write_file(name: &str, body: &str) -> String {
    let mut word = "EOF".to_string();
    while body.lines().any(|l| l.trim() == word) {
        word.push('_');
    }
    let dir = name
        .rsplit_once('/')
        .map(|(d, _)| d)
        .filter(|d| !d.is_empty());
    let mkdir = dir.map_or(String::new(), |d| format!("mkdir -p {d} && "));
    format!("{mkdir}cat > {name} <<'{word}'\n{body}{word}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(body: &str) -> Block {
        Block::Code {
            lang: "bash".into(),
            info: "bash".into(),
            body: body.into(),
            line: 1,
            indented: false,
        }
    }

    #[test]
    fn names_come_from_the_info_string_or_the_prose() {
        let later = [code("docker build -t x .\n")];
        let prose = "Save this as `app/main.go`, next to `go.mod`:".to_string();
        assert_eq!(
            file_name(None, &later, "dockerfile", ""),
            Some("Dockerfile".into())
        );
        assert_eq!(
            file_name(
                None,
                &later,
                "dockerfile",
                "Dockerfile title=\"Dockerfile.prod\""
            ),
            Some("Dockerfile.prod".into())
        );
        let uses = [code("go build ./main.go\n")];
        assert_eq!(
            file_name(Some(&prose), &uses, "go", ""),
            Some("app/main.go".into())
        );
        // Shown but never used: an example, not a file to write.
        assert_eq!(file_name(Some(&prose), &later, "go", ""), None);
        // Prose that does not ask for a file.
        let said = "This is how `main.go` looks:".to_string();
        assert_eq!(file_name(Some(&said), &uses, "go", ""), None);
        assert_eq!(file_name(Some(&prose), &uses, "bash", ""), None);
    }

    #[test]
    fn the_heredoc_word_never_ends_the_body_early() {
        assert_eq!(
            write_file("Dockerfile", "FROM scratch\n"),
            "cat > Dockerfile <<'EOF'\nFROM scratch\nEOF"
        );
        assert_eq!(
            write_file("app/run.sh", "cat <<EOF\nEOF\n"),
            "mkdir -p app && cat > app/run.sh <<'EOF_'\ncat <<EOF\nEOF\nEOF_"
        );
    }
}
