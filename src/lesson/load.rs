//! Reading a folder of lesson files into checked lessons: the folder scan,
//! each file read and parsed (`yaml_errors` rewords what does not parse,
//! `validate` checks what does), then the checks across files: `needs` names
//! lessons and never loops, and a size comparison names a capture that a
//! step run before it makes.
//!
//! Every problem is collected with its file, line and column, so one run
//! reports all of them; nothing runs while any remain.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::{err, LessonError, LoadErrors};
use super::model::LessonDoc;
use super::positions::{Pos, Positions};
use super::yaml_errors::explain_yaml_error;
use super::{validate, Expected, Lesson, LessonSet, Step};
use crate::suggest::closest;

/// Load and check every `*.yaml`/`*.yml` file of `dir`, in name order.
pub fn load_dir(dir: &Path) -> Result<LessonSet, LoadErrors> {
    let fail = |message: String| {
        LoadErrors(vec![LessonError {
            file: dir.to_path_buf(),
            line: None,
            column: None,
            message,
        }])
    };
    let entries =
        std::fs::read_dir(dir).map_err(|e| fail(format!("cannot read the lessons folder: {e}")))?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.is_file() && matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml"))
        })
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(fail(
            "no lessons here: a lessons folder holds `*.yaml` files (choose another with `--lessons DIR`)".into(),
        ));
    }
    let mut errors = Vec::new();
    let mut lessons: Vec<Lesson> = Vec::new();
    let mut lines_of_ids: HashMap<String, (PathBuf, Pos)> = HashMap::new();
    let mut need_positions = Vec::new();
    let mut positions_of = Vec::new();
    for file in &files {
        let bytes = match std::fs::read(file) {
            Ok(b) => b,
            Err(e) => {
                errors.push(err(file, None, format!("cannot read: {e}")));
                continue;
            }
        };
        match load_file(file, &bytes) {
            Ok((lesson, positions)) => {
                let id_pos = positions.nearest("id");
                if let Some((first, _)) = lines_of_ids.get(&lesson.id) {
                    errors.push(err(
                        file,
                        Some(id_pos),
                        format!(
                            "duplicate lesson id `{}`: {} uses it too",
                            lesson.id,
                            first.display()
                        ),
                    ));
                } else {
                    lines_of_ids.insert(lesson.id.clone(), (file.clone(), id_pos));
                }
                for (i, _) in lesson.needs.iter().enumerate() {
                    need_positions.push((
                        lessons.len(),
                        i,
                        positions.nearest(&format!("needs[{i}]")),
                    ));
                }
                lessons.push(lesson);
                positions_of.push(positions);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    // Checks across files: `needs` must name lessons, and never loop.
    let known: Vec<&str> = lessons.iter().map(|l| l.id.as_str()).collect();
    for (li, ni, pos) in &need_positions {
        let lesson = &lessons[*li];
        let need = &lesson.needs[*ni];
        if !known.contains(&need.as_str()) {
            let guess =
                closest(need, &known).map_or(String::new(), |b| format!("; did you mean `{b}`?"));
            errors.push(err(
                &lesson.file,
                Some(*pos),
                format!(
                    "`needs` names `{need}`, which is no lesson (known lessons: {}){guess}",
                    known.join(", ")
                ),
            ));
        }
    }
    if errors.is_empty() {
        if let Some(cycle) = find_cycle(&lessons) {
            let first = lessons
                .iter()
                .find(|l| l.id == cycle[0])
                .expect("cycle names lessons");
            let pos = need_positions
                .iter()
                .find(|(li, ni, _)| {
                    lessons[*li].id == cycle[0] && lessons[*li].needs[*ni] == cycle[1]
                })
                .map(|(_, _, p)| *p);
            errors.push(err(
                &first.file,
                pos,
                format!("`needs` makes a cycle: {}", cycle.join(" -> ")),
            ));
        }
    }
    if errors.is_empty() {
        errors = uncaptured(&lessons, &positions_of);
    }
    if errors.is_empty() {
        Ok(LessonSet {
            dir: dir.to_path_buf(),
            lessons,
        })
    } else {
        Err(LoadErrors(errors))
    }
}

fn find_cycle(lessons: &[Lesson]) -> Option<Vec<String>> {
    fn walk(lessons: &[Lesson], id: &str, path: &mut Vec<String>) -> Option<Vec<String>> {
        if let Some(i) = path.iter().position(|p| p == id) {
            let mut cycle = path[i..].to_vec();
            cycle.push(id.to_string());
            return Some(cycle);
        }
        let lesson = lessons.iter().find(|l| l.id == id)?;
        path.push(id.to_string());
        for n in &lesson.needs {
            if let Some(c) = walk(lessons, n, path) {
                return Some(c);
            }
        }
        path.pop();
        None
    }
    lessons
        .iter()
        .find_map(|l| walk(lessons, &l.id, &mut Vec::new()))
}

/// Size comparisons with a capture no step before them makes. Steps run
/// before a step are the earlier steps of its lesson and every step of the
/// lessons it needs (they run first); any other name could only fail, at run
/// time, as drift. Any of a step's outputs (its own, its variants') counts
/// as making a capture, since which one applies is known only at run time.
fn uncaptured(lessons: &[Lesson], positions: &[Positions]) -> Vec<LessonError> {
    let made = |l: &Lesson| -> Vec<String> { l.steps.iter().flat_map(step_captures).collect() };
    let mut errors = Vec::new();
    for (lesson, positions) in lessons.iter().zip(positions) {
        let mut known: Vec<String> = needed(lessons, lesson).into_iter().flat_map(made).collect();
        for step in &lesson.steps {
            for expected in outputs(step) {
                // A variant without an output of its own shares the step's:
                // reported there once.
                let Some(at) = positions.value(&expected.path) else {
                    continue;
                };
                for r in expected.output.references() {
                    if known.contains(&r.name) {
                        continue;
                    }
                    let names: Vec<&str> = known.iter().map(String::as_str).collect();
                    let fix = match closest(&r.name, &names) {
                        Some(best) => format!("did you mean `{best}`?"),
                        None => format!(
                            "capture it in an earlier step (or in a lesson this one needs), as in `{{{{{}=size}}}}`",
                            r.name
                        ),
                    };
                    let (line, column) = at.inside(r.line, r.column);
                    errors.push(LessonError {
                        file: lesson.file.clone(),
                        line: Some(line),
                        column: Some(column),
                        message: format!(
                            "in `output`: no earlier capture named `{}` to compare the size with; {fix}",
                            r.name
                        ),
                    });
                }
            }
            known.extend(step_captures(step));
        }
    }
    errors
}

/// A step's documented outputs: its own, then its variants'.
fn outputs(step: &Step) -> impl Iterator<Item = &Expected> {
    std::iter::once(&step.expected).chain(step.variants.iter().map(|v| &v.expected))
}

fn step_captures(step: &Step) -> Vec<String> {
    outputs(step)
        .flat_map(|e| e.output.capture_names())
        .collect()
}

/// The lessons `lesson` needs, directly or not (each once, cycles or not).
fn needed<'a>(lessons: &'a [Lesson], lesson: &Lesson) -> Vec<&'a Lesson> {
    let mut found: Vec<&Lesson> = Vec::new();
    let mut todo: Vec<&str> = lesson.needs.iter().map(String::as_str).collect();
    while let Some(id) = todo.pop() {
        if id == lesson.id || found.iter().any(|l| l.id == id) {
            continue;
        }
        if let Some(l) = lessons.iter().find(|l| l.id == id) {
            found.push(l);
            todo.extend(l.needs.iter().map(String::as_str));
        }
    }
    found
}

/// Parse one file's bytes into a lesson.
pub fn load_file(file: &Path, bytes: &[u8]) -> Result<(Lesson, Positions), Vec<LessonError>> {
    let source = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|b| **b == b'\n').count() + 1;
        let column = at
            - bytes[..at]
                .iter()
                .rposition(|b| *b == b'\n')
                .map_or(0, |i| i + 1)
            + 1;
        vec![LessonError {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
            message: format!(
                "not UTF-8 text (byte 0x{:02x}): lesson files must be saved as UTF-8",
                bytes[at]
            ),
        }]
    })?;
    if source.trim().is_empty() {
        return Err(vec![err(
            file,
            None,
            "the file is empty: a lesson needs `id`, `title` and `steps`".into(),
        )]);
    }
    let doc: LessonDoc = serde_norway::from_str(source).map_err(|e| {
        let loc = e.location().map(|l| (l.line(), l.column()));
        let (at, message) = explain_yaml_error(source, &e.to_string(), loc);
        vec![LessonError {
            file: file.to_path_buf(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            message,
        }]
    })?;
    let positions = Positions::index(source);
    let lesson = validate::check(file, doc, &positions)?;
    Ok((lesson, positions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(files: &[(&str, &str)]) -> Result<LessonSet, String> {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        load_dir(dir.path()).map_err(|e| {
            e.0.iter()
                .map(|e| format!("{}:{}: {}", e.line.unwrap(), e.column.unwrap(), e.message))
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    const BUILD: &str =
        "id: build\ntitle: B\nsteps:\n  - title: s\n    run: x\n    output: \"{{PLAIN=size}}\"\n";

    #[test]
    fn a_needed_lesson_makes_captures_for_later_ones() {
        let shrink = "id: shrink\ntitle: S\nneeds: [build]\nsteps:\n  - title: s\n    run: x\n    output: |\n      {{size<PLAIN}}\n";
        assert!(load(&[("a.yaml", BUILD), ("b.yaml", shrink)]).is_ok());
    }

    #[test]
    fn a_capture_counts_only_after_its_step_and_in_lessons_that_need_it() {
        let alone = "id: alone\ntitle: A\nsteps:\n  - title: s\n    run: x\n    output: |\n      {{size<PLAIN}}\n";
        let later = "id: later\ntitle: L\nsteps:\n  - title: compare\n    run: x\n    output: \"{{size>=LATE}}\"\n  - title: capture\n    run: x\n    output: \"{{LATE=size}}\"\n";
        let hint = "capture it in an earlier step (or in a lesson this one needs), as in";
        assert_eq!(
            load(&[("a.yaml", BUILD), ("b.yaml", alone), ("c.yaml", later)]).unwrap_err(),
            format!(
                "7:7: in `output`: no earlier capture named `PLAIN` to compare the size with; {hint} `{{{{PLAIN=size}}}}`\n\
                 6:14: in `output`: no earlier capture named `LATE` to compare the size with; {hint} `{{{{LATE=size}}}}`"
            )
        );
    }

    #[test]
    fn a_variant_with_its_own_output_is_checked_too() {
        let lesson = "id: v\ntitle: V\nsteps:\n  - title: s\n    run: x\n    output: \"{{A=size}}\"\n    variants:\n      - when: client >= 28\n        output: \"{{size<B}}\"\n";
        assert_eq!(
            load(&[("a.yaml", lesson)]).unwrap_err(),
            "9:18: in `output`: no earlier capture named `B` to compare the size with; capture it in an earlier step (or in a lesson this one needs), as in `{{B=size}}`"
        );
    }
}
