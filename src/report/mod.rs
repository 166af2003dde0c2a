//! Reports of a run. Every format reads the same [`RunOutcome`]; each lives in
//! its own file. A run over several engines is a [`MatrixOutcome`]: each
//! format shows it as a matrix (lesson by engine), then what failed where.

pub mod human;
pub mod json;
pub mod junit;
pub mod markdown;

use crate::outcome::{MatrixOutcome, RunOutcome};

/// A report format.
pub trait Reporter {
    fn render(&self, outcome: &RunOutcome) -> String;
    /// A run over several engines (`check --engine …`).
    fn render_matrix(&self, outcome: &MatrixOutcome) -> String;
}

/// The rows of a matrix as text cells: a header (`lesson`, then each engine)
/// and one row per lesson, needed-only lessons marked.
pub fn matrix_cells(outcome: &MatrixOutcome) -> Vec<Vec<String>> {
    let mut rows = vec![std::iter::once("lesson".to_string())
        .chain(outcome.engines.iter().map(|e| e.name.clone()))
        .collect::<Vec<_>>()];
    for (lesson, needed_only) in outcome.rows() {
        let name = if needed_only {
            format!("{lesson} (needed)")
        } else {
            lesson.to_string()
        };
        rows.push(
            std::iter::once(name)
                .chain(
                    outcome
                        .engines
                        .iter()
                        .map(|e| outcome.cell(e, lesson).text()),
                )
                .collect(),
        );
    }
    rows
}
