//! Applying a file's bless edits to its text, and checking the result: the
//! edited text must read back as the old document with exactly the planned
//! changes (compared as values), and every blessed output must compile as a
//! pattern. Pure: text in, text out.

use crate::bless::{Change, Edit, NewVariant};
use crate::lesson::model::{LessonDoc, VariantDoc};
use crate::lesson::positions::Positions;
use crate::lesson::Condition;
use crate::matcher::{Mode, Pattern};
use crate::yaml_edit;
use crate::yaml_text::{self, Scalar};

/// Apply the edits to a lesson file's text and check the result.
pub fn apply(source: &str, edits: &[Edit]) -> Result<String, String> {
    let before: LessonDoc =
        serde_norway::from_str(source).map_err(|e| format!("the file does not parse: {e}"))?;
    let mut want = before.clone();
    let mut text = source.to_string();
    for e in edits {
        let step = want
            .steps
            .get_mut(e.step)
            .ok_or_else(|| format!("the file has no step {}", e.step + 1))?;
        match &e.change {
            Change::Replace {
                variant,
                output,
                exit,
                fill,
            } => {
                let variant = variant.as_ref().map(|v| v.index);
                let at = match variant {
                    None => format!("steps[{}]", e.step),
                    Some(v) => format!("steps[{}].variants[{v}]", e.step),
                };
                if variant.is_some_and(|v| v >= step.variants.len()) {
                    return Err(format!("step {} has no such variant", e.step + 1));
                }
                if let Some(new) = output {
                    let after: &[&str] = match variant {
                        None => &["run"],
                        Some(_) => &["note", "when"],
                    };
                    text = yaml_edit::set(&text, &at, "output", &yaml_text::scalar(new), after)?;
                    match variant {
                        None => step.output.clone_from(new),
                        Some(v) => step.variants[v].output = Some(new.clone()),
                    }
                }
                if let Some(code) = *exit {
                    let inherited = match variant {
                        None => 0,
                        Some(_) => step.exit,
                    };
                    let present = Positions::index(&text).key(&format!("{at}.exit")).is_some();
                    let write = present || code != inherited;
                    if write {
                        let after: &[&str] = match variant {
                            None => &["output", "run"],
                            Some(_) => &["output", "note", "when"],
                        };
                        text = yaml_edit::set(
                            &text,
                            &at,
                            "exit",
                            &Scalar::Inline(code.to_string()),
                            after,
                        )?;
                    }
                    match variant {
                        None => step.exit = code,
                        Some(v) if write => step.variants[v].exit = Some(code),
                        Some(_) => {}
                    }
                }
                if *fill {
                    text = yaml_edit::remove(&text, &format!("steps[{}].undocumented", e.step))?;
                    step.undocumented.clear();
                }
            }
            Change::AddVariant { at, variant } => {
                if *at > step.variants.len() {
                    return Err(format!("step {} has no variant {}", e.step + 1, at + 1));
                }
                text = yaml_edit::insert_item(
                    &text,
                    &format!("steps[{}].variants", e.step),
                    *at,
                    &entries(variant),
                )?;
                step.variants.insert(*at, doc(variant));
            }
        }
    }
    let after: LessonDoc = serde_norway::from_str(&text)
        .map_err(|e| format!("the rewritten file does not parse: {e}"))?;
    if after != want {
        return Err("the rewritten file does not read back as intended".into());
    }
    for e in edits {
        let (output, when) = match &e.change {
            Change::Replace { output, .. } => (output.as_deref(), None),
            Change::AddVariant { variant, .. } => {
                (Some(variant.output.as_str()), Some(&variant.when))
            }
        };
        if let Some(new) = output {
            Pattern::parse(new).map_err(|err| {
                format!(
                    "the blessed output of step '{}' does not compile: {err}",
                    e.title
                )
            })?;
        }
        if let Some(when) = when {
            Condition::parse(when)?;
        }
    }
    Ok(text)
}

/// A new variant's keys, in the order the lessons write them.
fn entries(v: &NewVariant) -> Vec<(&'static str, Scalar)> {
    let mut out = vec![
        ("when", yaml_text::scalar(&v.when)),
        ("recorded", yaml_text::scalar(&v.recorded)),
    ];
    if let Some(mode) = v.mode {
        let name = match mode {
            Mode::Lines => "lines",
            Mode::Unordered => "unordered",
            Mode::Buildkit => "buildkit",
        };
        out.push(("match", Scalar::Inline(name.to_string())));
    }
    if let Some(exit) = v.exit {
        out.push(("exit", Scalar::Inline(exit.to_string())));
    }
    out.push(("output", yaml_text::scalar(&v.output)));
    out
}

/// The new variant as the file should read back.
fn doc(v: &NewVariant) -> VariantDoc {
    VariantDoc {
        when: v.when.clone(),
        note: None,
        recorded: Some(v.recorded.clone()),
        output: Some(v.output.clone()),
        exit: v.exit,
        mode: v.mode,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outcome::VariantRef;

    const LESSON: &str = r#"# A comment that must survive.
id: demo
title: 'Demo'   # quoted on purpose
steps:
  - title: first
    run: printf 'a\n'
    output: |
      a
    # between steps

  - title: "second"
    run: echo hi
    output: "old"  # trailing comment
    exit: 0
    variants:
      - when: client < 28
        note: older clients
        output: |2
            indented
          x

      - when: client >= 99
        exit: 3
  - title: third
    run: |
      echo a
      echo b
    requires: [x]
"#;

    fn edit(step: usize, variant: Option<usize>, output: Option<&str>, exit: Option<i32>) -> Edit {
        Edit {
            step,
            title: String::new(),
            change: Change::Replace {
                variant: variant.map(|index| VariantRef {
                    index,
                    when: String::new(),
                }),
                output: output.map(str::to_string),
                exit,
                fill: false,
            },
        }
    }

    #[test]
    fn rewrites_a_block_and_nothing_else() {
        let got = apply(LESSON, &[edit(0, None, Some("b\nc\n"), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "    output: |\n      a\n",
                "    output: |\n      b\n      c\n"
            )
        );
    }

    #[test]
    fn turns_a_quoted_value_into_a_block_keeping_its_comment() {
        let got = apply(LESSON, &[edit(1, None, Some("new\n"), Some(2))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "    output: \"old\"  # trailing comment\n    exit: 0\n",
                "    output: |  # trailing comment\n      new\n    exit: 2\n"
            )
        );
    }

    #[test]
    fn rewrites_a_variant_block_with_an_indentation_indicator() {
        let got = apply(LESSON, &[edit(1, Some(0), Some("  y\n"), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "        output: |2\n            indented\n          x\n",
                "        output: |2\n            y\n"
            )
        );
    }

    #[test]
    fn inserts_a_missing_variant_output_and_exit() {
        let got = apply(LESSON, &[edit(1, Some(1), Some("z\n"), Some(4))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "      - when: client >= 99\n        exit: 3\n",
                "      - when: client >= 99\n        output: |\n          z\n        exit: 4\n"
            )
        );
        // A step without output gets one after its `run` block.
        let got = apply(LESSON, &[edit(2, None, Some("a\nb\n"), Some(1))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "      echo b\n    requires: [x]\n",
                "      echo b\n    output: |\n      a\n      b\n    exit: 1\n    requires: [x]\n"
            )
        );
    }

    #[test]
    fn an_exit_code_equal_to_the_inherited_one_is_not_written() {
        let got = apply(LESSON, &[edit(2, None, None, Some(0))]).unwrap();
        assert_eq!(got, LESSON);
    }

    #[test]
    fn odd_output_is_written_quoted() {
        let got = apply(LESSON, &[edit(0, None, Some("a\r\nb\n"), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace("    output: |\n      a\n", "    output: \"a\\r\\nb\\n\"\n")
        );
    }

    fn add(step: usize, at: usize, exit: Option<i32>, mode: Option<Mode>) -> Edit {
        Edit {
            step,
            title: String::new(),
            change: Change::AddVariant {
                at,
                variant: NewVariant {
                    when: "server >= 28".into(),
                    also: vec![],
                    recorded: "Docker 28.5.2 client (buildx 0.29.1), engine 28.5.2, runc 1.1.5"
                        .into(),
                    mode,
                    exit,
                    output: "new\n".into(),
                },
            },
        }
    }

    #[test]
    fn adds_a_variant_between_others_and_nothing_else() {
        let got = apply(LESSON, &[add(1, 1, Some(127), None)]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "\n      - when: client >= 99\n",
                "\n      - when: server >= 28\n        recorded: Docker 28.5.2 client (buildx 0.29.1), engine 28.5.2, runc 1.1.5\n        exit: 127\n        output: |\n          new\n\n      - when: client >= 99\n"
            )
        );
    }

    #[test]
    fn adds_the_first_variant_of_a_step() {
        let got = apply(LESSON, &[add(2, 0, None, Some(Mode::Unordered))]).unwrap();
        assert_eq!(
            got,
            LESSON.replace(
                "    requires: [x]\n",
                "    requires: [x]\n    variants:\n      - when: server >= 28\n        recorded: Docker 28.5.2 client (buildx 0.29.1), engine 28.5.2, runc 1.1.5\n        match: unordered\n        output: |\n          new\n"
            )
        );
        // Two edits of one file: each finds its place in the text the one before left.
        let got = apply(LESSON, &[add(0, 0, None, None), add(2, 0, None, None)]).unwrap();
        let read: LessonDoc = serde_norway::from_str(&got).unwrap();
        assert_eq!(read.steps[0].variants[0].when, "server >= 28");
        assert_eq!(read.steps[2].variants[0].output.as_deref(), Some("new\n"));
    }

    #[test]
    fn a_variant_past_the_end_is_refused() {
        assert_eq!(
            apply(LESSON, &[add(1, 3, None, None)]),
            Err("step 2 has no variant 4".into())
        );
    }

    #[test]
    fn a_layout_it_cannot_edit_safely_is_refused() {
        let flow = "id: f\ntitle: F\nsteps:\n  - {title: a, run: echo a, output: b}\n";
        assert_eq!(
            apply(flow, &[edit(0, None, Some("a\n"), None)]),
            Err("the rewritten file does not parse: found character that cannot start any token at line 4 column 37, while scanning for the next token".to_string())
        );
    }
}
