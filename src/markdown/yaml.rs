//! Imported lessons → YAML, in the layout of the hand-written lesson files.
//!
//! Written by hand rather than by a serializer so that the files read like
//! the others: keys in the usual order, block scalars for text with lines,
//! defaults left out. What is written is read back and must equal the lesson
//! it came from (compared as values), so a quoting slip is an error, never a
//! lesson that means something else.

use std::fmt::Write as _;

use crate::lesson::model::{LessonDoc, Undocumented};
use crate::matcher::Mode;
use crate::yaml_text::{flow_list, key_value};

/// A lesson as YAML, under an optional `#` comment header.
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
    if doc.exclusive {
        out.push_str("exclusive: true\n");
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
        if !s.undocumented.is_empty() {
            let names: Vec<String> = s
                .undocumented
                .iter()
                .map(|u| match u {
                    Undocumented::Output => "output".to_string(),
                    Undocumented::Exit => "exit".to_string(),
                })
                .collect();
            let _ = writeln!(out, "    undocumented: {}", flow_list(&names));
        }
        match s.mode {
            Some(Mode::Buildkit) => out.push_str("    match: buildkit\n"),
            Some(Mode::Unordered) => out.push_str("    match: unordered\n"),
            Some(Mode::Lines) | None => {}
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
                if let Some(r) = &v.recorded {
                    out.push_str(&key_value(8, "recorded", r));
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
    if back == *doc {
        Ok(())
    } else {
        Err("it reads back differently".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lesson::model::{InputDoc, StepDoc};

    fn step(title: &str, run: &str) -> StepDoc {
        serde_norway::from_str(&format!("title: {title:?}\nrun: {run:?}\n")).unwrap()
    }

    #[test]
    fn every_key_reads_back() {
        let mut a = step("yes", "printf '  x\\n'");
        a.output = "  x\n".into();
        a.undocumented = vec![Undocumented::Exit];
        let mut b = step("Build", "docker build .");
        b.mode = Some(Mode::Buildkit);
        b.requires = vec!["host".into()];
        b.undocumented = vec![Undocumented::Output, Undocumented::Exit];
        let mut c = step("shell", "docker run -it busybox");
        c.tty = true;
        c.input = vec![InputDoc {
            wait: "/ # ".into(),
            send: "exit".into(),
        }];
        c.output = "{{...}}\n".into();
        let doc = LessonDoc {
            id: "a-tricky-title".into(),
            title: "A: tricky \"title\"".into(),
            intro: String::new(),
            needs: vec!["first".into()],
            recorded: None,
            images: vec!["busybox:latest".into()],
            exclusive: false,
            steps: vec![a, b, c],
        };
        let yaml = to_yaml(&doc, Some("Imported."));
        assert_eq!(
            yaml,
            "# Imported.\nid: a-tricky-title\ntitle: \"A: tricky \\\"title\\\"\"\nneeds: [first]\nimages: [busybox:latest]\nsteps:\n  - title: \"yes\"\n    run: printf '  x\\n'\n    output: |2\n        x\n    undocumented: [exit]\n\n  - title: Build\n    run: docker build .\n    requires: [host]\n    undocumented: [output, exit]\n    match: buildkit\n\n  - title: shell\n    run: docker run -it busybox\n    output: |\n      {{...}}\n    tty: true\n    input:\n      - wait: \"/ # \"\n        send: exit\n"
        );
        reads_back(&doc, &yaml).unwrap();
    }
}
