//! Reports of a run. Every format reads the same [`RunOutcome`]; each lives in
//! its own file.

pub mod human;
pub mod json;
pub mod junit;

use crate::outcome::RunOutcome;

/// A report format.
pub trait Reporter {
    fn render(&self, outcome: &RunOutcome) -> String;
}
