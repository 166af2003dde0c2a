//! Reading shell commands as words, for the heuristics that look at what a
//! lesson runs: the importer's trust checks (`markdown::shape`) and what a
//! lesson touches on the engine (`lesson::footprint`).
//!
//! This is not a shell parser. It splits where a shell would start another
//! simple command (`;`, `&&`, `||`, `|`, `&`, new lines, `$(`, backticks,
//! parentheses), respects quotes, and leaves heredoc bodies out. Callers
//! that decide safety treat anything they do not recognise as unsafe, so a
//! split in the wrong place costs parallelism, never correctness.

use std::sync::LazyLock;

use regex::Regex;

/// Simple commands of a shell line: split on `;`, `&&`, `||`, `|`, `&` and
/// new lines outside quotes, heredoc bodies left out.
pub fn segments(run: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut pending: Vec<String> = Vec::new();
    for line in run.split('\n') {
        if let Some(word) = pending.first() {
            if line.trim() == word {
                pending.remove(0);
            }
            continue;
        }
        pending.extend(heredoc_words(line));
        let chars: Vec<char> = line.chars().collect();
        let mut k = 0;
        while k < chars.len() {
            let c = chars[k];
            match (quote, c) {
                (Some(q), _) if c == q => quote = None,
                (None, '\'' | '"') => quote = Some(c),
                // `2>&1`, `&>file` and `>&2` redirect; they do not end a command.
                (None, '&')
                    if k > 0 && matches!(chars[k - 1], '>' | '<')
                        || chars.get(k + 1) == Some(&'>') => {}
                (None, ';' | '|' | '&') => {
                    out.push(std::mem::take(&mut cur));
                    // `&&`, `||`: one separator.
                    if chars.get(k + 1) == Some(&c) {
                        k += 1;
                    }
                    k += 1;
                    continue;
                }
                _ => {}
            }
            cur.push(c);
            k += 1;
        }
        if quote.is_none() && !cur.ends_with('\\') {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push('\n');
        }
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.replace("\\\n", " ").trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn heredoc_words(line: &str) -> Vec<String> {
    static RE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?"#).expect("heredoc regex")
    });
    if line.contains("<<<") {
        return Vec::new();
    }
    RE.captures_iter(line).map(|c| c[1].to_string()).collect()
}

/// The simple commands of `run`, each as its words with quotes removed.
/// Command substitutions and subshells become commands of their own, and
/// redirections stay words (`>`, `2>&1`, `>>file`).
pub fn commands(run: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for segment in segments(run) {
        let mut words: Vec<String> = Vec::new();
        let mut word = String::new();
        let mut quoted = false;
        let mut quote: Option<char> = None;
        let mut stack: Vec<(char, Option<char>)> = Vec::new();
        let mut chars = segment.chars().peekable();
        let end_word = |words: &mut Vec<String>, word: &mut String, quoted: &mut bool| {
            if !word.is_empty() || *quoted {
                words.push(std::mem::take(word));
            }
            *quoted = false;
        };
        while let Some(c) = chars.next() {
            match (quote, c) {
                (Some('\''), '\'') | (Some('"'), '"') => quote = None,
                (Some('\''), _) => word.push(c),
                (_, '\\') => {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                }
                (None, '\'' | '"') => {
                    quote = Some(c);
                    quoted = true;
                }
                // A command substitution or a subshell starts a command,
                // with quoting of its own; its end resumes the outer one.
                (_, '$') if chars.peek() == Some(&'(') => {
                    chars.next();
                    stack.push(('(', quote.take()));
                    end_word(&mut words, &mut word, &mut quoted);
                    out.push(std::mem::take(&mut words));
                }
                (None, '(') => {
                    stack.push(('(', None));
                    end_word(&mut words, &mut word, &mut quoted);
                    out.push(std::mem::take(&mut words));
                }
                (_, '`') => {
                    if stack.last().is_some_and(|(k, _)| *k == '`') {
                        quote = stack.pop().and_then(|(_, q)| q);
                    } else {
                        stack.push(('`', quote.take()));
                    }
                    end_word(&mut words, &mut word, &mut quoted);
                    out.push(std::mem::take(&mut words));
                }
                (None, ')') => {
                    if stack.last().is_some_and(|(k, _)| *k == '(') {
                        quote = stack.pop().and_then(|(_, q)| q);
                    }
                    end_word(&mut words, &mut word, &mut quoted);
                    out.push(std::mem::take(&mut words));
                }
                (None, c) if c.is_whitespace() => end_word(&mut words, &mut word, &mut quoted),
                _ => word.push(c),
            }
        }
        end_word(&mut words, &mut word, &mut quoted);
        out.push(words);
    }
    out.retain(|w| !w.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmds(run: &str) -> Vec<Vec<&'static str>> {
        commands(run)
            .into_iter()
            .map(|c| {
                c.into_iter()
                    .map(|w| &*Box::leak(w.into_boxed_str()))
                    .collect()
            })
            .collect()
    }

    #[test]
    fn substitutions_and_subshells_are_commands_of_their_own() {
        assert_eq!(
            cmds("{\n  ID=$(docker container ls --latest --quiet)\n  docker exec -it $ID bash\n}"),
            vec![
                vec!["{"],
                vec!["ID="],
                vec!["docker", "container", "ls", "--latest", "--quiet"],
                vec!["docker", "exec", "-it", "$ID", "bash"],
                vec!["}"],
            ]
        );
        assert_eq!(
            cmds("echo \"n=`docker ps -q`\" && (cd app; ls) > out.txt"),
            vec![
                vec!["echo", "n="],
                vec!["docker", "ps", "-q"],
                vec![],
                vec!["cd", "app"],
                vec!["ls"],
                vec![">", "out.txt"],
            ]
            .into_iter()
            .filter(|c| !c.is_empty())
            .collect::<Vec<_>>()
        );
    }

    #[test]
    fn quotes_are_removed_and_heredoc_bodies_left_out() {
        assert_eq!(
            cmds("docker build -t 'a b' --file - . <<'EOF'\nFROM x\nRUN rm -rf /\nEOF\necho \"it's\" 2>&1"),
            vec![
                vec!["docker", "build", "-t", "a b", "--file", "-", ".", "<<EOF"],
                vec!["echo", "it's", "2>&1"],
            ]
        );
    }
}
