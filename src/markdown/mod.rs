//! The tutorial Markdown format, read and written in one place.
//!
//! `write` renders lessons into a README, `read` (with `blocks`, `shell`,
//! `shape` and `finish`) imports Markdown, the project's own layout exactly
//! and real-world tutorials as well as their words allow, and `yaml` writes
//! imported lessons as lesson files. The phrases both directions share
//! (output summaries, requirement lines, typed input, code spans) live in
//! `format`, each writer beside its reader, so a change to one is a change
//! to both and the round-trip tests see it. `hugo` fills in the site
//! parameters of pages written for Hugo before anything is read.

mod blocks;
mod files;
mod finish;
mod format;
pub mod hugo;
mod read;
mod shape;
mod shell;
pub mod write;
pub mod yaml;

pub use finish::slug;
pub use read::{import, Imported, Note, NoteKind};

impl Imported {
    /// Number of steps over all lessons.
    pub fn steps(&self) -> usize {
        self.lessons.iter().map(|l| l.steps.len()).sum()
    }

    /// The summary `import` prints: counts, then every note with `file:line`.
    pub fn summary(&self, file: &str) -> Vec<String> {
        let plural =
            |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let mut out = vec![format!(
            "imported {file}: {}, {}, {} with a documented output",
            plural(self.lessons.len(), "lesson", "lessons"),
            plural(self.steps(), "step", "steps"),
            self.with_output
        )];
        for n in &self.notes {
            let (word, tail) = match n.kind {
                NoteKind::Skipped => ("skipped", ""),
                NoteKind::Host => ("host", "; marked `requires: [host]`"),
                NoteKind::Warning => ("warning", ""),
            };
            out.push(format!("{word} {file}:{}: {}{tail}", n.line, n.text));
        }
        let open = self
            .lessons
            .iter()
            .flat_map(|l| &l.steps)
            .filter(|s| !s.undocumented.is_empty())
            .count();
        if open > 0 {
            out.push(format!(
                "{} the docs leave out an output or exit code: `check --bless` fills them in",
                plural(open, "step where", "steps where")
            ));
        }
        if self.notes.iter().any(|n| n.kind == NoteKind::Host) {
            out.push(
                "steps marked `requires: [host]` run only with `--allow-host`: read them first with `list --commands`"
                    .to_string(),
            );
        }
        out
    }
}
