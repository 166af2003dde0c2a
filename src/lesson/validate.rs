//! The checks one lesson file must pass once it parses: ids, titles, values
//! that are text in the model (durations, sizes, conditions, output
//! patterns), exit codes. Each problem points at the line and column of the
//! value that is wrong; all of them are collected, and the lesson is built
//! only when there are none.

use std::collections::HashMap;
use std::path::Path;

use super::error::{err, LessonError};
use super::model::{LessonDoc, StepDoc, Undocumented, VariantDoc};
use super::positions::Positions;
use super::values::{parse_duration, parse_sizes};
use super::{Condition, Expected, Lesson, Step, Unknown, Variant, DEFAULT_TIMEOUT};
use crate::exec::{Exchange, Stop};
use crate::matcher::{Mode, Options, Pattern, SizeBand};
use crate::suggest::closest;

struct Checker<'a> {
    file: &'a Path,
    positions: &'a Positions,
    errors: Vec<LessonError>,
}

impl Checker<'_> {
    fn fail(&mut self, path: &str, message: String) {
        let pos = self.positions.nearest(path);
        self.errors.push(err(self.file, Some(pos), message));
    }

    /// A process ends with 0 to 255: any other `exit` could never match.
    fn exit_code(&mut self, path: &str, code: i32) {
        if !(0..=255).contains(&code) {
            self.fail(
                path,
                format!(
                    "`exit` is {code}, which no command can end with: exit codes run from 0 to 255"
                ),
            );
        }
    }

    /// Compile an output; a marker error points at its own line in the file.
    fn expected(
        &mut self,
        path: &str,
        output: &str,
        exit: i32,
        mode: Mode,
        sizes: SizeBand,
    ) -> Expected {
        let pos = self.positions.value(path);
        let output_line = pos.map_or(1, |p| p.line);
        let pattern = match Pattern::parse(output) {
            Ok(p) => p,
            Err(e) => {
                let (line, column) = pos.map_or((1, 1), |p| p.inside(e.line, e.column));
                self.errors.push(LessonError {
                    file: self.file.to_path_buf(),
                    line: Some(line),
                    column: Some(column),
                    message: format!("in `output`: {}", e.message),
                });
                Pattern::parse("").expect("the empty pattern compiles")
            }
        };
        Expected {
            output: pattern,
            exit,
            options: Options {
                mode,
                sizes,
                ..Options::default()
            },
            output_line,
            path: path.to_string(),
            unknown: Unknown::default(),
        }
    }
}

pub(super) fn check(
    file: &Path,
    doc: LessonDoc,
    positions: &Positions,
) -> Result<Lesson, Vec<LessonError>> {
    let mut c = Checker {
        file,
        positions,
        errors: Vec::new(),
    };
    if doc.id.is_empty()
        || !doc
            .id
            .chars()
            .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-')
    {
        let fixed: String = doc
            .id
            .trim()
            .chars()
            .map(|ch| match ch {
                'A'..='Z' => ch.to_ascii_lowercase(),
                'a'..='z' | '0'..='9' | '-' => ch,
                _ => '-',
            })
            .collect();
        let guess = if fixed.is_empty() {
            String::new()
        } else {
            format!("; try `{fixed}`")
        };
        c.fail(
            "id",
            format!(
                "lesson id `{}` must be lowercase letters, digits and dashes{guess}",
                doc.id
            ),
        );
    }
    if doc.title.trim().is_empty() {
        c.fail("title", "a lesson needs a `title`".into());
    }
    if doc.steps.is_empty() {
        c.fail(
            "steps",
            "`steps` is empty: a lesson needs at least one step".into(),
        );
    }
    let mut titles: HashMap<String, usize> = HashMap::new();
    let mut steps = Vec::new();
    for (i, s) in doc.steps.into_iter().enumerate() {
        let at = format!("steps[{i}]");
        if let Some(first) = titles.insert(s.title.trim().to_string(), i) {
            let first_line = positions.nearest(&format!("steps[{first}].title")).line;
            c.fail(
                &format!("{at}.title"),
                format!("duplicate step title `{}` (first used on line {first_line}): titles identify steps", s.title),
            );
        }
        steps.push(check_step(&mut c, &at, s));
    }
    if c.errors.is_empty() {
        Ok(Lesson {
            id: doc.id,
            title: doc.title,
            intro: doc.intro,
            needs: doc.needs,
            recorded: doc.recorded,
            images: doc.images,
            exclusive: doc.exclusive,
            file: file.to_path_buf(),
            steps,
        })
    } else {
        Err(c.errors)
    }
}

fn check_step(c: &mut Checker, at: &str, s: StepDoc) -> Step {
    if s.title.trim().is_empty() {
        c.fail(&format!("{at}.title"), "a step needs a `title`".into());
    }
    if s.run.trim().is_empty() {
        c.fail(
            &format!("{at}.run"),
            "`run` is empty: a step needs a command".into(),
        );
    }
    for (i, r) in s.requires.iter().enumerate() {
        if r.is_empty()
            || !r
                .chars()
                .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
        {
            c.fail(
                &format!("{at}.requires[{i}]"),
                format!("`{r}` is not a capability or tool name"),
            );
        }
    }
    let timeout = match &s.timeout {
        None => DEFAULT_TIMEOUT,
        Some(t) => parse_duration(t).unwrap_or_else(|e| {
            c.fail(&format!("{at}.timeout"), format!("bad `timeout`: {e}"));
            DEFAULT_TIMEOUT
        }),
    };
    let mut stop = Stop::default();
    if let Some(d) = &s.stop {
        stop.lines = d.lines;
        if d.lines == Some(0) {
            c.fail(
                &format!("{at}.stop.lines"),
                "`stop.lines` is 0: it counts the lines of output after which the command is stopped, so it must be at least 1".into(),
            );
        }
        if let Some(after) = &d.after {
            match parse_duration(after) {
                Ok(a) => stop.after = Some(a),
                Err(e) => c.fail(
                    &format!("{at}.stop.after"),
                    format!("bad `stop.after`: {e}"),
                ),
            }
        }
        if d.lines.is_none() && d.after.is_none() {
            c.fail(
                &format!("{at}.stop"),
                "`stop` needs `lines` or `after`".into(),
            );
        }
    }
    let sizes = match &s.sizes {
        None => SizeBand::default(),
        Some(t) => parse_sizes(t).unwrap_or_else(|e| {
            c.fail(&format!("{at}.sizes"), format!("bad `sizes`: {e}"));
            SizeBand::default()
        }),
    };
    let mode = s.mode.unwrap_or_default();
    let tty = (s.tty || !s.input.is_empty()).then(|| {
        s.input
            .iter()
            .enumerate()
            .map(|(i, x)| {
                if x.wait.is_empty() {
                    c.fail(
                        &format!("{at}.input[{i}].wait"),
                        "`wait` is empty: give the prompt to wait for".into(),
                    );
                }
                Exchange {
                    wait: x.wait.clone(),
                    send: x.send.clone(),
                }
            })
            .collect()
    });
    c.exit_code(&format!("{at}.exit"), s.exit);
    let mut expected = c.expected(&format!("{at}.output"), &s.output, s.exit, mode, sizes);
    expected.unknown = Unknown {
        output: s.undocumented.contains(&Undocumented::Output),
        exit: s.undocumented.contains(&Undocumented::Exit),
    };
    // A value is documented or not, never both.
    if expected.unknown.output && !s.output.is_empty() {
        c.fail(
            &format!("{at}.undocumented"),
            "lists `output`, but the step documents one: remove one of them".into(),
        );
    }
    if expected.unknown.exit && s.exit != 0 {
        c.fail(
            &format!("{at}.undocumented"),
            "lists `exit`, but the step documents one: remove one of them".into(),
        );
    }
    let variants = s
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| check_variant(c, &format!("{at}.variants[{i}]"), v, &s, mode, sizes))
        .collect();
    Step {
        title: s.title,
        text: s.text,
        run: s.run,
        requires: s.requires,
        timeout,
        stop,
        tty,
        expected,
        variants,
        line: c.positions.nearest(at).line,
    }
}

fn check_variant(
    c: &mut Checker,
    at: &str,
    v: &VariantDoc,
    s: &StepDoc,
    mode: Mode,
    sizes: SizeBand,
) -> Variant {
    let when = Condition::parse(&v.when).unwrap_or_else(|mut e| {
        // A misspelt subject gets a suggestion.
        let subjects = ["client", "server", "runc", "builder", "store"];
        let guess = v.when.split(" and ").find_map(|clause| {
            let word = clause.split_whitespace().next()?;
            (!subjects.contains(&word)).then(|| closest(word, &subjects))?
        });
        if let Some(best) = guess {
            e.push_str(&format!("; did you mean `{best}`?"));
        }
        c.fail(&format!("{at}.when"), e);
        Condition::parse("client >= 0").expect("a valid condition")
    });
    if let Some(code) = v.exit {
        c.exit_code(&format!("{at}.exit"), code);
    }
    if v.output.is_none() && v.exit.is_none() {
        c.fail(at, "a variant needs `output` or `exit`".into());
    }
    let (output, path) = match &v.output {
        Some(o) => (o.as_str(), format!("{at}.output")),
        None => (s.output.as_str(), format!("{at}.output")),
    };
    let expected = c.expected(
        &path,
        output,
        v.exit.unwrap_or(s.exit),
        v.mode.unwrap_or(mode),
        sizes,
    );
    Variant {
        when,
        note: v.note.clone(),
        recorded: v.recorded.clone(),
        expected,
    }
}
