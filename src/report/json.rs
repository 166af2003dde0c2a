//! The JSON report: one document per run, the [`RunOutcome`] as data.

use serde::Serialize;

use crate::outcome::{Counts, RunOutcome};

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

impl Reporter for Json {
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
