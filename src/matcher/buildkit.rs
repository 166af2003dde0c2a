//! Comparing `docker build --progress plain` logs.
//!
//! A plain BuildKit log is a set of build steps (vertices) printed as they
//! progress: `#N <name>` introduces vertex N, later `#N …` lines add details
//! and end with its status (`DONE 0.3s`, `CACHED`, `ERROR: …`, `CANCELED`).
//! Vertex numbers, the interleaving of parallel steps and the repetition of
//! progress lines change from run to run and between client versions, so the
//! documented and the real log are both read into vertices and compared as
//! sets: vertices pair up by name, and a pair matches when its status and its
//! set of details match (each with the volatile rules). What is ignored:
//!
//! - `#N sha256:<hex>` lines (the 20.10 client's vertex digests, and layer
//!   download progress that starts the same way);
//! - `#N ...` lines: the printer marks a vertex whose output another
//!   vertex's interrupted, which depends on timing (seen on a busy machine);
//! - a leading BuildKit timestamp (`0.512 `) and a trailing `done` or
//!   `<duration> done` of a detail, and so details printed twice (once in
//!   progress, once done), also when the progress line came before its value
//!   (`transferring context:`, then `transferring context: 129B 0.0s done`);
//! - blank lines.
//!
//! A vertex the real log names but never gives a status counts as a success
//! where the documentation says `DONE` or `CACHED`, as long as no step of the
//! real log failed or was canceled. BuildKit's plain printer holds a vertex's
//! `DONE` back while one of its progress lines is still open in the update
//! that completes it (`progressui`, "active statuses appear completed
//! vertex"); when the line's own end reaches the printer first, or never, the
//! `DONE` is never printed. Seen on a busy machine for `load build
//! definition`, in a build that went on to finish. A build that ends well
//! has completed every step it started, so the missing line is the printer's
//! timing, not Docker's answer.
//!
//! Lines that do not start with `#N` (`ERROR: failed to solve: …`, warnings,
//! the framed error excerpt) are compared in order, as in lines mode. A
//! `{{...}}` line among them also allows real vertices the documentation
//! does not mention.
//!
//! The diff lists vertices as `<name>: <status>` lines with their details
//! indented below, documented order first, so a step that changed shows as
//! `- [builder 4/4] RUN …: DONE 0.2s` / `+ [builder 4/4] RUN …: ERROR: …`.
//!
//! Over 500 lines on purpose: reading the documented log, reading the real
//! one, pairing them, the diff's summaries and `--bless` all walk the same
//! vertex shapes, which stay private to this file.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use regex::Regex;

use super::line::{Compiler, Ctx, Line, Mismatch};
use super::normalize::escape_markers;
use super::sequence::{self, Item, Pairing};
use super::PatternError;

static VERTEX_LINE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^#(\d+)(?: (.*))?$").expect("vertex regex compiles"));
static IGNORED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:sha256:[0-9a-f]{64}(?: .*)?|\.\.\.)$").expect("regex compiles")
});
static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:DONE(?: .*)?|CACHED|CANCELED|ERROR(?:[: ].*)?)$").expect("regex compiles")
});
static TIMESTAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d+\.\d+ ").expect("regex compiles"));
static DONE_SUFFIX: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?: (?:(?:(?:\d+h)?\d+m)?\d+(?:\.\d+)?(?:ms|µs|us|ns|s)|\{\{duration\}\}))? done$")
        .expect("regex compiles")
});

/// Splits `#N rest`.
fn vertex_line(line: &str) -> Option<(&str, &str)> {
    let caps = VERTEX_LINE.captures(line)?;
    let number = caps.get(1).expect("group 1").as_str();
    Some((number, caps.get(2).map_or("", |m| m.as_str())))
}

/// A detail without its timestamp and `done`.
fn strip_detail(rest: &str) -> &str {
    let rest = TIMESTAMP.find(rest).map_or(rest, |m| &rest[m.end()..]);
    DONE_SUFFIX.find(rest).map_or(rest, |m| &rest[..m.start()])
}

/// Whether `earlier` is a progress line printed before its value was known
/// (`transferring context:`, on a busy machine) that `later` finishes
/// (`transferring context: 129B`): the same detail, printed twice.
fn grows_into(earlier: &str, later: &str) -> bool {
    earlier.ends_with(':') && later.len() > earlier.len() && later.starts_with(earlier)
}

enum Part<'a> {
    Ignored,
    Status(&'a str),
    Detail(&'a str),
}

fn part(rest: &str) -> Part<'_> {
    if IGNORED.is_match(rest) {
        Part::Ignored
    } else if STATUS.is_match(rest) {
        Part::Status(rest)
    } else {
        Part::Detail(strip_detail(rest))
    }
}

/// The documented log, compiled.
#[derive(Debug, Clone)]
pub(crate) struct DocLog {
    vertices: Vec<DocVertex>,
    /// Indices of the pattern's lines outside vertices (blank lines left out).
    trailing: Vec<usize>,
    /// Whether a `{{...}}` line allows more vertices.
    open: bool,
}

#[derive(Debug, Clone)]
struct DocVertex {
    number: String,
    name: Line,
    status: Option<Line>,
    details: Vec<DocDetail>,
}

#[derive(Debug, Clone)]
struct DocDetail {
    /// Compiled from the stripped text.
    line: Line,
    /// The text after `#N ` as written, for blessing.
    written: String,
}

impl DocLog {
    /// Reads the documented lines `texts` (compiled as `lines`) as a log.
    pub(crate) fn compile(
        texts: &[&str],
        lines: &[Line],
        compiler: &mut Compiler,
    ) -> Result<DocLog, PatternError> {
        let mut log = DocLog {
            vertices: Vec::new(),
            trailing: Vec::new(),
            open: false,
        };
        let mut by_number: HashMap<&str, usize> = HashMap::new();
        for (index, text) in texts.iter().enumerate() {
            if text.trim().is_empty() {
                continue;
            }
            let Some((number, rest)) = vertex_line(text) else {
                log.open |= lines[index].is_dots();
                log.trailing.push(index);
                continue;
            };
            let offset = text.len() - rest.len();
            let compile = |t: &str, compiler: &mut Compiler| {
                Line::compile(t, index + 1, compiler).map_err(|mut e| {
                    e.column += text[..offset].chars().count();
                    e
                })
            };
            let Some(&v) = by_number.get(number) else {
                if matches!(part(rest), Part::Ignored) {
                    continue;
                }
                by_number.insert(number, log.vertices.len());
                log.vertices.push(DocVertex {
                    number: number.to_string(),
                    name: compile(rest, compiler)?,
                    status: None,
                    details: Vec::new(),
                });
                continue;
            };
            let vertex = &mut log.vertices[v];
            if rest == vertex.name.source {
                continue;
            }
            match part(rest) {
                Part::Ignored => {}
                Part::Status(status) => vertex.status = Some(compile(status, compiler)?),
                Part::Detail(detail) => {
                    if !vertex.details.iter().any(|d| d.line.source == detail) {
                        vertex.details.push(DocDetail {
                            line: compile(detail, compiler)?,
                            written: rest.to_string(),
                        });
                    }
                }
            }
        }
        Ok(log)
    }
}

struct RealVertex<'a> {
    number: &'a str,
    name: &'a str,
    status: Option<&'a str>,
    details: Vec<&'a str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// A blank line.
    Blank,
    /// The n-th trailing line.
    Trailing(usize),
    Header(usize),
    Status(usize),
    /// A line of detail `k` of vertex `v`.
    Detail(usize, usize),
    Ignored(usize),
    /// A digest line before its vertex's name.
    Stray,
}

struct RealLog<'a> {
    vertices: Vec<RealVertex<'a>>,
    trailing: Vec<&'a str>,
    roles: Vec<Role>,
}

impl<'a> RealLog<'a> {
    fn read(lines: &[&'a str]) -> RealLog<'a> {
        let mut log = RealLog {
            vertices: Vec::new(),
            trailing: Vec::new(),
            roles: Vec::with_capacity(lines.len()),
        };
        let mut by_number: HashMap<&str, usize> = HashMap::new();
        for &line in lines {
            let role = if line.trim().is_empty() {
                Role::Blank
            } else if let Some((number, rest)) = vertex_line(line) {
                match by_number.get(number) {
                    None if matches!(part(rest), Part::Ignored) => Role::Stray,
                    None => {
                        let v = log.vertices.len();
                        by_number.insert(number, v);
                        log.vertices.push(RealVertex {
                            number,
                            name: rest,
                            status: None,
                            details: Vec::new(),
                        });
                        Role::Header(v)
                    }
                    Some(&v) => {
                        let vertex = &mut log.vertices[v];
                        if rest == vertex.name {
                            Role::Header(v)
                        } else {
                            match part(rest) {
                                Part::Ignored => Role::Ignored(v),
                                Part::Status(status) => {
                                    vertex.status = Some(status);
                                    Role::Status(v)
                                }
                                Part::Detail(detail) => {
                                    let same = |d: &&str| *d == detail || grows_into(d, detail);
                                    let k = match vertex.details.iter().position(same) {
                                        Some(k) => {
                                            vertex.details[k] = detail;
                                            k
                                        }
                                        None => {
                                            vertex.details.push(detail);
                                            vertex.details.len() - 1
                                        }
                                    };
                                    Role::Detail(v, k)
                                }
                            }
                        }
                    }
                }
            } else {
                log.trailing.push(line);
                Role::Trailing(log.trailing.len() - 1)
            };
            log.roles.push(role);
        }
        log
    }

    /// Whether a step failed or was canceled: then a step without a status
    /// may never have ended.
    fn failed(&self) -> bool {
        self.vertices
            .iter()
            .any(|v| v.status.is_some_and(|s| !succeeded(s)))
            || self.trailing.iter().any(|t| t.starts_with("ERROR"))
    }
}

/// How one documented vertex fared.
struct Pair {
    real: usize,
    status: bool,
    details: Pairing,
    complete: bool,
}

/// The result of comparing a real log with a [`DocLog`].
pub(crate) struct Outcome<'a> {
    pub matched: bool,
    real: RealLog<'a>,
    /// Per documented vertex.
    pairs: Vec<Option<Pair>>,
    /// Per real vertex: the documented vertex it pairs with.
    taken: Vec<Option<usize>>,
    trailing: Vec<Item>,
}

/// Compares the real lines (normalised) with the documented log.
pub(crate) fn compare<'a: 'c, 'c>(
    doc: &DocLog,
    lines: &[Line],
    real: &[&'a str],
    ctx: &mut Ctx<'c>,
    notes: &mut Vec<String>,
) -> Outcome<'a> {
    let log = RealLog::read(real);
    let failed = log.failed();
    let mut taken: Vec<Option<usize>> = vec![None; log.vertices.len()];
    let mut pairs = Vec::with_capacity(doc.vertices.len());
    for (d, dv) in doc.vertices.iter().enumerate() {
        let candidates: Vec<usize> = (0..log.vertices.len())
            .filter(|&r| taken[r].is_none() && ctx.probe(&dv.name, log.vertices[r].name))
            .collect();
        let mut chosen = None;
        for &r in &candidates {
            let checkpoint = ctx.checkpoint();
            let pair = pair_vertex(dv, &log.vertices[r], r, failed, ctx, &mut Vec::new());
            if pair.complete {
                chosen = Some(pair);
                break;
            }
            ctx.rollback(checkpoint);
        }
        if chosen.is_none() {
            if let Some(&r) = candidates.first() {
                chosen = Some(pair_vertex(dv, &log.vertices[r], r, failed, ctx, notes));
            }
        }
        if let Some(pair) = &chosen {
            taken[pair.real] = Some(d);
        }
        pairs.push(chosen);
    }
    let doc_trailing: Vec<&Line> = doc.trailing.iter().map(|&i| &lines[i]).collect();
    let (trailing, trailing_matched) =
        match sequence::match_in_order(&doc_trailing, &log.trailing, ctx) {
            Some(items) => (items, true),
            None => (
                sequence::align(&doc_trailing, &log.trailing, ctx, notes),
                false,
            ),
        };
    let matched = trailing_matched
        && pairs.iter().all(|p| p.as_ref().is_some_and(|p| p.complete))
        && (doc.open || taken.iter().all(Option::is_some));
    Outcome {
        matched,
        real: log,
        pairs,
        taken,
        trailing,
    }
}

/// `DONE …` and `CACHED` both say the step succeeded.
fn succeeded(status: &str) -> bool {
    status == "CACHED" || status == "DONE" || status.starts_with("DONE ")
}

/// Pairs a documented vertex with real vertex `r`; `failed` tells whether
/// any real step failed or was canceled.
fn pair_vertex<'c>(
    dv: &DocVertex,
    rv: &RealVertex<'c>,
    r: usize,
    failed: bool,
    ctx: &mut Ctx<'c>,
    notes: &mut Vec<String>,
) -> Pair {
    let _ = dv.name.matches(rv.name, ctx);
    let status = match (&dv.status, rv.status) {
        (None, None) => true,
        // Which steps come from the cache depends on the machine, not the docs.
        (Some(line), Some(real)) if succeeded(&line.source) && succeeded(real) => true,
        // The printer can leave a completed step's `DONE` out (module docs).
        (Some(line), None) if succeeded(&line.source) && !failed => true,
        (Some(line), Some(real)) => match line.matches(real, ctx) {
            Ok(()) => true,
            Err(Mismatch::Check(why)) => {
                notes.push(format!("line {}: {why}", line.number));
                false
            }
            Err(Mismatch::Text) => false,
        },
        _ => false,
    };
    let doc_details: Vec<&Line> = dv.details.iter().map(|d| &d.line).collect();
    let details = sequence::pair_unordered(&doc_details, &rv.details, ctx);
    let complete = status && details.complete(&doc_details, false);
    Pair {
        real: r,
        status,
        details,
        complete,
    }
}

const NO_STATUS: &str = "(no status)";

impl Outcome<'_> {
    /// The documented and the normalised real log as vertex summaries, for
    /// the diff.
    pub(crate) fn summaries(&self, doc: &DocLog, lines: &[Line]) -> (Vec<String>, Vec<String>) {
        let mut documented = Vec::new();
        for dv in &doc.vertices {
            let status = dv.status.as_ref().map_or(NO_STATUS, |s| s.source.as_str());
            documented.push(format!("{}: {status}", dv.name.source));
            for detail in &dv.details {
                documented.push(format!("    {}", detail.line.source));
            }
        }
        documented.extend(doc.trailing.iter().map(|&i| lines[i].source.clone()));

        let mut order: Vec<((usize, usize), usize)> = Vec::new();
        let (mut last, mut sub) = (0, 0);
        for (r, taken) in self.taken.iter().enumerate() {
            match taken {
                Some(d) => {
                    last = d + 1;
                    order.push(((last, 0), r));
                }
                None => {
                    sub += 1;
                    order.push(((last, sub), r));
                }
            }
        }
        order.sort_by_key(|&(key, _)| key);
        let mut real = Vec::new();
        for (_, r) in order {
            let rv = &self.real.vertices[r];
            let real_status = rv.status.unwrap_or(NO_STATUS);
            let Some(d) = self.taken[r] else {
                real.push(format!("{}: {real_status}", rv.name));
                real.extend(rv.details.iter().map(|t| format!("    {t}")));
                continue;
            };
            let dv = &doc.vertices[d];
            let pair = self.pairs[d].as_ref().expect("taken vertices have a pair");
            let status = match (&dv.status, pair.status) {
                (Some(s), true) => s.source.as_str(),
                (None, true) => NO_STATUS,
                (_, false) => real_status,
            };
            real.push(format!("{}: {status}", dv.name.source));
            for (k, paired) in pair.details.doc.iter().enumerate() {
                if paired.is_some() {
                    real.push(format!("    {}", dv.details[k].line.source));
                }
            }
            for (k, paired) in pair.details.real.iter().enumerate() {
                if paired.is_none() {
                    real.push(format!("    {}", rv.details[k]));
                }
            }
        }
        for item in &self.trailing {
            real.push(match item {
                Item::Same { doc: d, .. } | Item::Dots { doc: d, .. } => {
                    lines[doc.trailing[*d]].source.clone()
                }
                Item::Real(t) => self.real.trailing[*t].to_string(),
            });
        }
        (documented, real)
    }

    /// The real log with the documented lines that still match put back,
    /// renumbered to the documented vertex numbers.
    pub(crate) fn bless(&self, doc: &DocLog, lines: &[Line], real: &[&str]) -> Vec<String> {
        let used: HashSet<&str> = doc.vertices.iter().map(|v| v.number.as_str()).collect();
        let mut fresh = used
            .iter()
            .chain(self.real.vertices.iter().map(|v| &v.number))
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .map_or(0, |n| n + 1);
        let numbers: Vec<String> = (0..self.real.vertices.len())
            .map(|r| match self.taken[r] {
                Some(d) => doc.vertices[d].number.clone(),
                None if !used.contains(self.real.vertices[r].number) => {
                    self.real.vertices[r].number.to_string()
                }
                None => {
                    fresh += 1;
                    (fresh - 1).to_string()
                }
            })
            .collect();

        let mut at: Vec<Vec<String>> = vec![Vec::new(); self.real.trailing.len() + 1];
        for item in &self.trailing {
            match item {
                Item::Same { doc: d, real: t } => {
                    at[*t].push(lines[doc.trailing[*d]].source.clone());
                }
                Item::Real(t) => at[*t].push(escape_markers(self.real.trailing[*t]).into()),
                Item::Dots {
                    doc: d,
                    real: range,
                } => {
                    at[range.start].push(lines[doc.trailing[*d]].source.clone());
                }
            }
        }

        // Where a paired vertex the printer left without a status ends: the
        // documented status goes in after that line (module docs).
        let mut last_line: Vec<Option<usize>> = vec![None; self.real.vertices.len()];
        for (j, role) in self.real.roles.iter().enumerate() {
            if let Role::Header(v) | Role::Detail(v, _) | Role::Ignored(v) = *role {
                last_line[v] = Some(j);
            }
        }
        let mut out = Vec::new();
        let mut emitted: HashSet<(usize, usize)> = HashSet::new();
        for (j, role) in self.real.roles.iter().enumerate() {
            let rest = || vertex_line(real[j]).map_or("", |(_, rest)| rest);
            let written = |v: usize, text: &str| format!("#{} {text}", numbers[v]);
            let pair_of = |v: usize| self.taken[v].map(|d| (d, self.pairs[d].as_ref()));
            match *role {
                Role::Blank => out.push(String::new()),
                Role::Trailing(t) => out.append(&mut at[t]),
                Role::Stray => out.push(escape_markers(real[j]).into()),
                Role::Ignored(v) => out.push(written(v, &escape_markers(rest()))),
                Role::Header(v) => match pair_of(v) {
                    Some((d, _)) => out.push(written(v, &doc.vertices[d].name.source)),
                    None => out.push(written(v, &escape_markers(rest()))),
                },
                Role::Status(v) => match pair_of(v) {
                    Some((d, Some(pair))) if pair.status => {
                        let status = doc.vertices[d].status.as_ref().expect("status matched");
                        out.push(written(v, &status.source));
                    }
                    _ => out.push(written(v, &escape_markers(rest()))),
                },
                Role::Detail(v, k) => match pair_of(v) {
                    Some((d, Some(pair))) if pair.details.real[k].is_some() => {
                        let detail = pair.details.real[k].expect("checked");
                        if emitted.insert((v, k)) {
                            out.push(written(v, &doc.vertices[d].details[detail].written));
                        }
                    }
                    _ => out.push(written(v, &escape_markers(rest()))),
                },
            }
            let (Role::Header(v) | Role::Detail(v, _) | Role::Ignored(v)) = *role else {
                continue;
            };
            if last_line[v] != Some(j) || self.real.vertices[v].status.is_some() {
                continue;
            }
            if let Some((d, Some(pair))) = pair_of(v) {
                if let (true, Some(status)) = (pair.status, &doc.vertices[d].status) {
                    out.push(written(v, &status.source));
                }
            }
        }
        out.append(&mut at[self.real.trailing.len()]);
        out
    }
}

#[cfg(test)]
#[path = "buildkit_tests.rs"]
mod tests;
