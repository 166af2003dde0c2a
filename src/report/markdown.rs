//! The Markdown report: the matrix as a table, for a GitHub job summary
//! (`$GITHUB_STEP_SUMMARY`) or a pull-request comment.
//!
//! It says on which engines (and Docker versions) the tutorial holds: a
//! heading with the total, the table (one row per lesson, one column per
//! engine, each cell ok / FAIL n / skip), a line per engine with its server
//! version and counts, then the failing steps, each with its diff folded in
//! a `<details>` block so a long build log does not swamp the page. A run on
//! one engine is a matrix of one column.

use crate::color::Palette;
use crate::outcome::{EngineOutcome, MatrixOutcome, RunOutcome, Status};
use crate::settings::Verbosity;

use super::human::Human;
use super::{matrix_cells, Reporter};

pub struct Markdown;

/// A cell's text, safe inside a table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

impl Reporter for Markdown {
    fn render(&self, outcome: &RunOutcome) -> String {
        let name = outcome
            .environment
            .as_ref()
            .map_or_else(|| "engine".to_string(), |e| e.endpoint.clone());
        self.render_matrix(&MatrixOutcome {
            engines: vec![EngineOutcome {
                name,
                unreachable: None,
                run: Some(outcome.clone()),
            }],
            planned: outcome
                .lessons
                .iter()
                .map(|l| (l.id.clone(), l.needed_only))
                .collect(),
        })
    }

    fn render_matrix(&self, outcome: &MatrixOutcome) -> String {
        let plain = Human {
            palette: Palette { enabled: false },
            verbosity: Verbosity::Normal,
        };
        let mut out = format!("### knowing-scratch: {}\n\n", outcome.summary_line());
        let cells = matrix_cells(outcome);
        for (r, row) in cells.iter().enumerate() {
            let texts: Vec<String> = row
                .iter()
                .enumerate()
                .map(|(c, t)| match (r, c) {
                    (0, 0) => t.clone(),
                    (0, _) => format!("`{}`", cell(t)),
                    (_, 0) => cell(t),
                    _ if t.starts_with("FAIL") => format!("**{t}**"),
                    _ => t.clone(),
                })
                .collect();
            out.push_str(&format!("| {} |\n", texts.join(" | ")));
            if r == 0 {
                out.push_str(&format!("|{}\n", " --- |".repeat(row.len())));
            }
        }
        out.push('\n');
        for engine in &outcome.engines {
            match &engine.run {
                None => out.push_str(&format!(
                    "- `{}`: unreachable: {}\n",
                    cell(&engine.name),
                    engine.unreachable.as_deref().unwrap_or_default()
                )),
                Some(run) => {
                    let version = run
                        .environment
                        .as_ref()
                        .map(|e| format!("{}: ", e.describe()))
                        .unwrap_or_default();
                    let mut line = format!(
                        "- `{}`: {version}{}",
                        cell(&engine.name),
                        run.summary_line()
                    );
                    if run.interrupted {
                        line.push_str(", interrupted");
                    }
                    if run.engine_lost {
                        line.push_str(", the engine stopped answering");
                    }
                    out.push_str(&line);
                    out.push('\n');
                }
            }
        }
        let failing: Vec<_> = outcome
            .engines
            .iter()
            .filter_map(|e| e.run.as_ref().map(|r| (e, r)))
            .flat_map(|(e, r)| {
                r.lessons.iter().flat_map(move |l| {
                    l.steps
                        .iter()
                        .filter(|s| s.status == Status::Failed)
                        .map(move |s| (e, l, s))
                })
            })
            .collect();
        if failing.is_empty() {
            return out;
        }
        out.push_str("\n#### Failing steps\n");
        for (engine, lesson, step) in failing {
            let why: Vec<String> = step.failures.iter().map(|f| f.describe()).collect();
            out.push_str(&format!(
                "\n<details><summary><code>{}</code> › {} › step {} <code>{}</code>: {}</summary>\n\n",
                html(&engine.name),
                html(&lesson.id),
                step.index + 1,
                html(&step.title),
                html(&why.join("; "))
            ));
            out.push_str(&format!("```diff\n$ {}\n", step.command.trim_end()));
            out.push_str(&plain.diff(&step.diff, ""));
            out.push_str("```\n\n</details>\n");
        }
        out
    }
}

/// Text safe inside HTML.
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
