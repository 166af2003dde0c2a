//! The JSON report: one document per run, the [`RunOutcome`] as data.
//!
//! Schema 1 is a run on one engine (no `--engine`): the run's fields at the
//! top. Schema 2 is a run over engines (`--engine`, even one): an `engines`
//! array, each object the engine's name, its own `summary` and the schema-1
//! fields of its run, or `unreachable` with the client's words.

use serde::Serialize;

use crate::outcome::{Counts, EngineOutcome, MatrixOutcome, RunOutcome};

use super::Reporter;

pub struct Json;

#[derive(Serialize)]
struct Document<'a> {
    /// Bumped when a field changes meaning or goes away.
    schema: u32,
    summary: Counts,
    #[serde(flatten)]
    run: &'a RunOutcome,
}

#[derive(Serialize)]
struct MatrixDocument<'a> {
    schema: u32,
    summary: Counts,
    engines: Vec<EngineDocument<'a>>,
}

#[derive(Serialize)]
struct EngineDocument<'a> {
    summary: Counts,
    #[serde(flatten)]
    engine: &'a EngineOutcome,
}

impl Reporter for Json {
    fn render_matrix(&self, outcome: &MatrixOutcome) -> String {
        let doc = MatrixDocument {
            schema: 2,
            summary: outcome.counts(),
            engines: outcome
                .engines
                .iter()
                .map(|engine| EngineDocument {
                    summary: engine.counts(),
                    engine,
                })
                .collect(),
        };
        let mut text = serde_json::to_string_pretty(&doc).expect("outcomes always serialize");
        text.push('\n');
        text
    }

    fn render(&self, outcome: &RunOutcome) -> String {
        let doc = Document {
            schema: 1,
            summary: outcome.counts(),
            run: outcome,
        };
        let mut text = serde_json::to_string_pretty(&doc).expect("outcomes always serialize");
        text.push('\n');
        text
    }
}
