//! Reading a folder of lesson files into checked lessons: the folder scan,
//! each file read and parsed (`yaml_errors` rewords what does not parse,
//! `validate` checks what does), then the checks across files: `needs` names
//! lessons and never loops.
//!
//! Every problem is collected with its file, line and column, so one run
//! reports all of them; nothing runs while any remain.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::error::{err, LessonError, LoadErrors};
use super::model::LessonDoc;
use super::positions::{Pos, Positions};
use super::yaml_errors::explain_yaml_error;
use super::{validate, Lesson, LessonSet};
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
