//! `check --bless`: accept reality by writing the real output of failing
//! steps back into the lesson files.
//!
//! Two ways, chosen by the flag:
//! - `--bless` (or `--bless=replace`) rewrites the value that was compared:
//!   the output of the variant chosen for this environment (or the step's
//!   own output), and its exit code when that differed.
//! - `--bless=variant` keeps that output for the engines it belongs to and
//!   adds the real one as a new variant whose `when:` holds here and not
//!   where the compared output was recorded (see [`when`]). The variant goes
//!   right before the compared variant, or after the last one when the
//!   step's own output was compared, so [`Step::choose`] picks it here and
//!   still picks the old output there. It notes its own `recorded:` facts,
//!   so a later bless against it knows exactly where it came from.
//!
//! The new text comes from [`Pattern::bless`], which keeps the documented
//! lines (markers included) that still match, so a blessed lesson stays
//! tolerant of volatile values.
//!
//! The work is split so each part can be tested alone: [`plan`] turns a run's
//! outcome into edits without touching a file, [`edit::apply`] turns a file's
//! text and its edits into the new text and checks that it reads back as
//! meant, and [`write`] does the reading and the atomic writing. `check`
//! prints what happened.
//!
//! Steps that failed without a usable output (timed out, interrupted, engine
//! lost, session broken) are left alone and reported. After `--bless`, `check`
//! exits 0 when every failing step was written back and 1 when some were
//! not; an interrupted run or a lost engine keep their own codes.
//!
//! [`Step::choose`]: crate::lesson::Step::choose

pub mod edit;
pub mod when;

use std::collections::HashMap;
use std::path::PathBuf;

use anyhow::Context;

use crate::error::{Error, Exit};
use crate::lesson::recorded::{self, Recorded};
use crate::lesson::{Expected, Lesson, LessonSet, Step, Unknown};
use crate::matcher::Mode;
use crate::outcome::{Failure, RunOutcome, Status, StepOutcome, VariantRef};
use crate::settings::Bless;

/// What to change in one lesson file.
#[derive(Debug, Clone, PartialEq)]
pub struct FilePlan {
    pub file: PathBuf,
    pub edits: Vec<Edit>,
}

/// One step's change.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub step: usize,
    pub title: String,
    pub change: Change,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// Rewrite the compared output and exit code (`None`: unchanged).
    Replace {
        variant: Option<VariantRef>,
        output: Option<String>,
        exit: Option<i32>,
        /// The step listed `undocumented` values, now written in: drop the key.
        fill: bool,
    },
    /// Insert a variant at this place among the step's variants.
    AddVariant { at: usize, variant: NewVariant },
}

/// A variant `--bless=variant` adds.
#[derive(Debug, Clone, PartialEq)]
pub struct NewVariant {
    pub when: String,
    /// Other conditions that would also tell the two engines apart, for the
    /// maintainer who knows which fact made the difference.
    pub also: Vec<String>,
    pub recorded: String,
    /// Written when the compared output had a mode of its own.
    pub mode: Option<Mode>,
    /// Written when it differs from the step's own exit code.
    pub exit: Option<i32>,
    pub output: String,
}

/// A failing step that is not written back, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Left {
    pub file: PathBuf,
    pub title: String,
    pub why: String,
}

/// What `--bless` will do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub files: Vec<FilePlan>,
    pub left: Vec<Left>,
}

/// Decide what to write for the failing steps of `outcome`. Nothing is read
/// or written: the lessons and the outcome hold everything needed.
pub fn plan(set: &LessonSet, outcome: &RunOutcome, how: Bless) -> Plan {
    let mut plan = Plan::default();
    // Values captured by earlier steps, as the runner had them, so markers
    // that refer to them keep matching in the blessed text.
    let mut known: HashMap<String, String> = HashMap::new();
    let here = Here::of(outcome);
    for lo in &outcome.lessons {
        let Some(lesson) = set.get(&lo.id) else {
            continue;
        };
        for so in &lo.steps {
            let fills = lesson
                .steps
                .get(so.index)
                .is_some_and(|step| fills(step, so));
            if so.status == Status::Failed || fills {
                match lesson
                    .steps
                    .get(so.index)
                    .ok_or_else(|| "the lesson has changed since the run".to_string())
                    .and_then(|step| change(lesson, step, so, &known, how, &here))
                {
                    Ok(change) => plan.add(
                        &lo.file,
                        Edit {
                            step: so.index,
                            title: so.title.clone(),
                            change,
                        },
                    ),
                    Err(why) => plan.left.push(Left {
                        file: lo.file.clone(),
                        title: so.title.clone(),
                        why,
                    }),
                }
            }
            known.extend(so.captures.iter().cloned());
        }
    }
    plan
}

impl Plan {
    fn add(&mut self, file: &PathBuf, edit: Edit) {
        match self.files.iter_mut().find(|f| f.file == *file) {
            Some(f) => f.edits.push(edit),
            None => self.files.push(FilePlan {
                file: file.clone(),
                edits: vec![edit],
            }),
        }
    }
}

/// The engine of the run, as far as a new variant needs it.
struct Here {
    facts: Option<crate::lesson::Facts>,
    recorded: String,
    /// Compared as the runner did: over ssh, the transport's noise is no output.
    over_ssh: bool,
}

impl Here {
    fn of(outcome: &RunOutcome) -> Here {
        match &outcome.environment {
            Some(e) => Here {
                facts: Some(e.facts.clone()),
                recorded: recorded::describe(&e.facts, e.buildx.as_deref()),
                over_ssh: e.transport == crate::target::Transport::Ssh,
            },
            None => Here {
                facts: None,
                recorded: String::new(),
                over_ssh: false,
            },
        }
    }
}

/// A step compared against its own output that lists `undocumented` values
/// and ran to its end: `--bless` writes what it printed in.
fn fills(step: &Step, so: &StepOutcome) -> bool {
    so.variant.is_none()
        && step.expected.unknown.any()
        && matches!(so.status, Status::Passed | Status::Failed)
}

fn reasons(failures: &[Failure]) -> String {
    let r: Vec<String> = failures.iter().map(Failure::describe).collect();
    if r.is_empty() {
        "no output was recorded".into()
    } else {
        r.join("; ")
    }
}

/// The change for one failing step, or why there is none.
fn change(
    lesson: &Lesson,
    step: &Step,
    so: &StepOutcome,
    known: &HashMap<String, String>,
    how: Bless,
    here: &Here,
) -> Result<Change, String> {
    let compared: &Expected = match &so.variant {
        None => &step.expected,
        Some(v) => {
            &step
                .variants
                .get(v.index)
                .ok_or("the lesson has changed since the run")?
                .expected
        }
    };
    let Some(actual) = &so.actual else {
        return Err(reasons(&so.failures));
    };
    let usable = so
        .failures
        .iter()
        .all(|f| matches!(f, Failure::Output | Failure::ExitCode { .. }));
    if !usable {
        return Err(reasons(&so.failures));
    }
    // Values the docs leave out are written in once the step has run.
    let fill = fills(step, so);
    let unknown = if fill {
        step.expected.unknown
    } else {
        Unknown::default()
    };
    let blessed = (so.failures.iter().any(|f| matches!(f, Failure::Output)) || unknown.output)
        .then(|| {
            let options = crate::matcher::Options {
                over_ssh: here.over_ssh,
                ..compared.options
            };
            let mut new = compared.output.bless(actual, &options, known);
            // The matcher keeps the documented text's final newline; an
            // output written for the first time gets one, like the others.
            if compared.output.source().is_empty() && !new.is_empty() && !new.ends_with('\n') {
                new.push('\n');
            }
            new
        })
        .filter(|new| new != compared.output.source());
    let exit = so
        .failures
        .iter()
        .find_map(|f| match f {
            Failure::ExitCode { actual, .. } => Some(*actual),
            _ => None,
        })
        .or(so.actual_exit.filter(|_| unknown.exit));
    if fill {
        // Filled in place whatever `--bless` says: no output was documented.
        return Ok(Change::Replace {
            variant: None,
            output: blessed,
            exit,
            fill,
        });
    }
    if blessed.is_none() && exit.is_none() {
        return Err(
            "the real output gives back the documented text; check its markers".to_string(),
        );
    }
    match how {
        Bless::Replace => Ok(Change::Replace {
            variant: so.variant.clone(),
            output: blessed,
            exit,
            fill: false,
        }),
        Bless::Variant => {
            let facts = here
                .facts
                .as_ref()
                .ok_or("no engine facts were detected in this run")?;
            let there = recorded_facts(lesson, step, so.variant.as_ref());
            let found = when::separate(facts, &there, when::builds(&step.run)).ok_or_else(|| {
                let said = match (&so.variant, &lesson.recorded) {
                    (None, None) => "the lesson has no `recorded:` line".to_string(),
                    (None, Some(r)) => format!("the lesson's `recorded:` says `{}`", r.trim()),
                    (Some(v), _) => format!("the variant `{}` was recorded on an engine that differs in nothing known (give it a `recorded:`)", v.when),
                };
                format!(
                    "no detected fact tells this engine ({}) from the one its output was recorded on: {said}",
                    here.recorded
                )
            })?;
            let exit = exit.unwrap_or(compared.exit);
            Ok(Change::AddVariant {
                at: so.variant.as_ref().map_or(step.variants.len(), |v| v.index),
                variant: NewVariant {
                    when: found.when,
                    also: found.also,
                    recorded: here.recorded.clone(),
                    mode: (compared.options.mode != step.expected.options.mode)
                        .then_some(compared.options.mode),
                    exit: (exit != step.expected.exit).then_some(exit),
                    output: blessed.unwrap_or_else(|| compared.output.source().to_string()),
                },
            })
        }
    }
}

/// The facts of the engine a documented output was recorded on: the
/// variant's own `recorded:`, else the lesson's, narrowed by what the
/// variant's `when:` says.
fn recorded_facts(lesson: &Lesson, step: &Step, variant: Option<&VariantRef>) -> Recorded {
    let lesson_facts = lesson
        .recorded
        .as_deref()
        .map(Recorded::parse)
        .unwrap_or_default();
    let Some(v) = variant.and_then(|v| step.variants.get(v.index)) else {
        return lesson_facts;
    };
    match &v.recorded {
        Some(r) => Recorded::parse(r),
        None => v.when.narrow(lesson_facts),
    }
}

/// What `--bless` did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Blessed {
    /// Steps written back.
    pub written: usize,
    /// Failing steps left as they were.
    pub left: usize,
}

impl Blessed {
    /// The exit code of a `check --bless` run.
    pub fn exit(&self, outcome: &RunOutcome) -> Exit {
        match outcome.exit() {
            Exit::Drift if self.left == 0 => Exit::Ok,
            other => other,
        }
    }
}

/// What became of one file of the plan: its edits written, or why not.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub file: PathBuf,
    pub result: Result<Vec<Edit>, String>,
}

/// Apply the plan: each file is read, edited, checked and replaced
/// atomically. A file whose edit fails its check is left as it was, and the
/// others are still written.
pub fn write(plan: &Plan) -> Result<Vec<Written>, Error> {
    let mut done = Vec::new();
    for f in &plan.files {
        let source = std::fs::read_to_string(&f.file)
            .with_context(|| format!("cannot read {}", f.file.display()))?;
        let result = match edit::apply(&source, &f.edits) {
            Ok(text) => {
                crate::fsutil::write_atomic(&f.file, text.as_bytes())
                    .with_context(|| format!("cannot write {}", f.file.display()))?;
                Ok(f.edits.clone())
            }
            Err(e) => Err(e),
        };
        done.push(Written {
            file: f.file.clone(),
            result,
        });
    }
    Ok(done)
}

/// Count what was written and what was left.
pub fn tally(plan: &Plan, written: &[Written]) -> Blessed {
    let mut b = Blessed {
        written: 0,
        left: plan.left.len(),
    };
    for (w, f) in written.iter().zip(&plan.files) {
        match &w.result {
            Ok(edits) => b.written += edits.len(),
            Err(_) => b.left += f.edits.len(),
        }
    }
    b
}

#[cfg(test)]
mod tests;
