//! One documented line, compiled, and the state a comparison carries.
//!
//! Lines come in three shapes, cheapest first, because long outputs are
//! mostly made of the first two:
//!
//! - plain text, compared with `==`;
//! - text with column gaps and volatile values found by the rules, matched
//!   piece by piece: literal text with `starts_with`, a gap by skipping
//!   spaces, a value with its rule's regex anchored at that point (or the
//!   rule's byte loop, for IDs and digests). Those regexes are compiled
//!   once for the whole program, so a table of 100k rows costs no
//!   compilation at all;
//! - lines with explicit markers, which are written by hand and few: one
//!   anchored regex for the line, with a group for each value that needs a
//!   check, so `{{*}}` and custom regexes backtrack as regexes do.
//!
//! A value is checked beyond its regex when its rule says so (sizes within
//! the band), when one documented value must stay one real value, and for
//! captures and size comparisons.
//!
//! Runs of two or more spaces inside a documented line match any run of
//! spaces, so a table whose column widths changed still matches; leading
//! indentation and single spaces are compared as written.
//!
//! A line matches or not as a whole: the bindings it makes are undone when a
//! later value of the same line fails, so a failed attempt leaves no trace.
//!
//! Over 500 lines on purpose: the three shapes share the compiler and the
//! comparison state (`Ctx`, its checkpoints and rollback), and split apart
//! they would need that state public between files.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;

use super::markers::{self, Capturing, Marker, Piece, SizeOp};
use super::patience::FxHashMap;
use super::rules::{self, RULES};
use super::{Options, PatternError};

/// Each rule's accept regex, anchored at the start of the text it is given.
static ANCHORED: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    RULES
        .iter()
        .map(|r| Regex::new(&format!("^(?:{})", r.accept)).expect("rule regex compiles"))
        .collect()
});

#[derive(Debug, Clone)]
pub(crate) struct Line {
    /// The documented line as written (normalised).
    pub source: String,
    /// 1-based line in the documented text.
    pub number: usize,
    pub kind: Kind,
    /// The captures this line compares sizes with, and the column of each
    /// comparison, in order.
    references: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
pub(crate) enum Kind {
    /// Compared with `==` (escapes resolved).
    Literal(String),
    /// `{{...}}`: any number of lines.
    Dots,
    /// Text, column gaps and volatile values.
    Pieces(Vec<Element>),
    /// A line with markers.
    Regex(Box<LineRegex>),
}

#[derive(Debug, Clone)]
pub(crate) enum Element {
    Text(String),
    /// A run of 2+ spaces in the documentation: 1+ spaces in reality.
    Gap,
    Value(Check),
}

#[derive(Debug, Clone)]
pub(crate) struct LineRegex {
    regex: Regex,
    /// The group of each value to check.
    slots: Vec<(usize, Check)>,
}

/// A value that needs a check beyond matching its kind.
#[derive(Debug, Clone)]
pub(crate) enum Check {
    /// A value found in the documented text; `id` numbers the distinct
    /// documented values of a consistent rule in the pattern.
    Volatile {
        rule: usize,
        documented: String,
        id: u32,
    },
    Capture(String),
    SizeCmp {
        op: SizeOp,
        name: String,
    },
}

/// What the lines of one pattern share while compiling: regexes by source,
/// and a number for each documented value that must stay one real value
/// (so a comparison keys its bindings by number, not by text).
#[derive(Default)]
pub(crate) struct Compiler {
    regexes: HashMap<String, Regex>,
    values: HashMap<(usize, String), u32>,
}

impl Compiler {
    fn volatile(&mut self, rule: usize, documented: &str) -> Check {
        let id = if RULES[rule].consistent {
            let next = u32::try_from(self.values.len()).expect("fewer than 2^32 values");
            *self
                .values
                .entry((rule, documented.to_string()))
                .or_insert(next)
        } else {
            u32::MAX
        };
        Check::Volatile {
            rule,
            documented: documented.to_string(),
            id,
        }
    }
}

impl Line {
    /// Compiles `text`, line `number` of the documented text.
    pub(crate) fn compile(
        text: &str,
        number: usize,
        compiler: &mut Compiler,
    ) -> Result<Line, PatternError> {
        if markers::is_dots(text) {
            return Ok(Line {
                source: text.to_string(),
                number,
                kind: Kind::Dots,
                references: Vec::new(),
            });
        }
        let (pieces, columns): (Vec<Piece>, Vec<usize>) =
            markers::split_placed(text, number)?.into_iter().unzip();
        let references = pieces
            .iter()
            .zip(columns)
            .filter_map(|(piece, column)| match piece {
                Piece::Marker(Marker::SizeCmp { name, .. }) => Some((name.clone(), column)),
                _ => None,
            })
            .collect();
        Ok(Line {
            source: text.to_string(),
            number,
            kind: compile_pieces(&pieces, number, compiler)?,
            references,
        })
    }

    pub(crate) fn is_dots(&self) -> bool {
        matches!(self.kind, Kind::Dots)
    }

    /// The text of a line that only its exact text matches.
    pub(crate) fn literal(&self) -> Option<&str> {
        match &self.kind {
            Kind::Literal(text) => Some(text),
            _ => None,
        }
    }

    /// The literal text every matching real line starts with.
    pub(crate) fn prefix(&self) -> &str {
        match &self.kind {
            Kind::Literal(text) => text,
            Kind::Pieces(elements) => match elements.first() {
                Some(Element::Text(text)) => text,
                _ => "",
            },
            Kind::Dots | Kind::Regex(_) => "",
        }
    }

    /// Names this line captures, in order.
    pub(crate) fn captures(&self) -> impl Iterator<Item = &str> {
        self.checks().filter_map(|c| match c {
            Check::Capture(name) => Some(name.as_str()),
            _ => None,
        })
    }

    /// Names this line compares sizes with, with their columns, in order.
    pub(crate) fn references(&self) -> impl Iterator<Item = (&str, usize)> {
        self.references
            .iter()
            .map(|(name, column)| (name.as_str(), *column))
    }

    fn checks(&self) -> Box<dyn Iterator<Item = &Check> + '_> {
        match &self.kind {
            Kind::Regex(r) => Box::new(r.slots.iter().map(|(_, c)| c)),
            Kind::Pieces(elements) => Box::new(elements.iter().filter_map(|e| match e {
                Element::Value(c) => Some(c),
                _ => None,
            })),
            Kind::Literal(_) | Kind::Dots => Box::new(std::iter::empty()),
        }
    }

    /// Matches a real line, binding its values in `ctx`; on failure nothing
    /// stays bound. A text mismatch anywhere wins over a value that does
    /// not fit, so `Mismatch::Check` means "this line, changed".
    pub(crate) fn matches<'r>(&self, real: &'r str, ctx: &mut Ctx<'r>) -> Result<(), Mismatch> {
        let checkpoint = ctx.checkpoint();
        let result = match &self.kind {
            Kind::Literal(text) if text == real => Ok(()),
            Kind::Literal(_) => Err(Mismatch::Text),
            Kind::Dots => Ok(()),
            Kind::Pieces(elements) => match_pieces(elements, real, ctx),
            Kind::Regex(line) => match line.regex.captures(real) {
                None => Err(Mismatch::Text),
                Some(caps) => line.slots.iter().try_for_each(|(group, check)| {
                    let value = caps.get(*group).map_or("", |m| m.as_str());
                    ctx.check(check, value).map_err(Mismatch::Check)
                }),
            },
        };
        if result.is_err() {
            ctx.rollback(checkpoint);
        }
        result
    }
}

fn match_pieces<'r>(
    elements: &[Element],
    real: &'r str,
    ctx: &mut Ctx<'r>,
) -> Result<(), Mismatch> {
    let mut rest = real;
    let mut misfit = None;
    for element in elements {
        match element {
            Element::Text(text) => {
                rest = rest.strip_prefix(text.as_str()).ok_or(Mismatch::Text)?;
            }
            Element::Gap => {
                let after = rest.trim_start_matches(' ');
                if after.len() == rest.len() {
                    return Err(Mismatch::Text);
                }
                rest = after;
            }
            Element::Value(check) => {
                let Check::Volatile { rule, .. } = check else {
                    unreachable!("pieces hold found values only")
                };
                let end = match RULES[*rule].quick {
                    Some(quick) => quick(rest),
                    None => ANCHORED[*rule].find(rest).map(|m| m.end()),
                };
                let (found, after) = rest.split_at(end.ok_or(Mismatch::Text)?);
                if misfit.is_none() {
                    misfit = ctx.check(check, found).err();
                }
                rest = after;
            }
        }
    }
    match (rest.is_empty(), misfit) {
        (false, _) => Err(Mismatch::Text),
        (true, Some(why)) => Err(Mismatch::Check(why)),
        (true, None) => Ok(()),
    }
}

/// A line's parts before deciding its shape.
enum Part<'m> {
    Text(String),
    Gap,
    Value(usize, String),
    Marker(&'m Marker),
}

fn compile_pieces(
    pieces: &[Piece],
    number: usize,
    compiler: &mut Compiler,
) -> Result<Kind, PatternError> {
    let mut parts: Vec<Part> = Vec::new();
    for (index, piece) in pieces.iter().enumerate() {
        match piece {
            Piece::Text(text) => {
                let mut text = text.as_str();
                if index == 0 {
                    let body = text.trim_start_matches(' ');
                    push_text(&mut parts, &text[..text.len() - body.len()]);
                    text = body;
                }
                let mut last = 0;
                for (range, rule) in rules::find_volatiles(text) {
                    push_with_gaps(&mut parts, &text[last..range.start]);
                    parts.push(Part::Value(rule, text[range.clone()].to_string()));
                    last = range.end;
                }
                push_with_gaps(&mut parts, &text[last..]);
            }
            Piece::Marker(marker) => parts.push(Part::Marker(marker)),
        }
    }
    if parts.iter().any(|p| matches!(p, Part::Marker(_))) {
        return Ok(Kind::Regex(Box::new(line_regex(&parts, number, compiler)?)));
    }
    if parts.is_empty() {
        return Ok(Kind::Literal(String::new()));
    }
    if let [Part::Text(text)] = parts.as_slice() {
        return Ok(Kind::Literal(text.clone()));
    }
    let elements = parts
        .into_iter()
        .map(|p| match p {
            Part::Text(text) => Element::Text(text),
            Part::Gap => Element::Gap,
            Part::Value(rule, documented) => Element::Value(compiler.volatile(rule, &documented)),
            Part::Marker(_) => unreachable!("lines with markers become regexes"),
        })
        .collect();
    Ok(Kind::Pieces(elements))
}

fn push_text(parts: &mut Vec<Part>, text: &str) {
    if text.is_empty() {
        return;
    }
    match parts.last_mut() {
        Some(Part::Text(so_far)) => so_far.push_str(text),
        _ => parts.push(Part::Text(text.to_string())),
    }
}

/// Text with column gaps (inner runs of 2+ spaces).
fn push_with_gaps(parts: &mut Vec<Part>, text: &str) {
    let mut rest = text;
    while let Some(start) = rest.find("  ") {
        push_text(parts, &rest[..start]);
        parts.push(Part::Gap);
        rest = rest[start..].trim_start_matches(' ');
    }
    push_text(parts, rest);
}

fn line_regex(
    parts: &[Part],
    number: usize,
    compiler: &mut Compiler,
) -> Result<LineRegex, PatternError> {
    let size = rules::by_name("size").expect("size is a rule");
    let mut source = String::from("^");
    let mut slots = Vec::new();
    let mut group = 1;
    // Appends `inner` as a group (when `check` is given) or without one;
    // `inner_groups` are the groups `inner` has of its own.
    let mut push = |source: &mut String, inner: &str, inner_groups: usize, check: Option<Check>| {
        match check {
            Some(check) => {
                source.push('(');
                slots.push((group, check));
                group += 1;
            }
            None => source.push_str("(?:"),
        }
        source.push_str(inner);
        source.push(')');
        group += inner_groups;
    };
    for part in parts {
        match part {
            Part::Text(text) => source.push_str(&regex::escape(text)),
            Part::Gap => source.push_str(" +"),
            Part::Value(rule, documented) => {
                let check = compiler.volatile(*rule, documented);
                push(&mut source, RULES[*rule].accept, 0, Some(check));
            }
            Part::Marker(marker) => match marker {
                Marker::Any => source.push_str(".*"),
                Marker::Kind(rule) => push(&mut source, RULES[*rule].accept, 0, None),
                Marker::Regex(user) => push(&mut source, &user.source, user.groups, None),
                Marker::Capture { name, what } => {
                    let check = Some(Check::Capture(name.clone()));
                    match what {
                        Capturing::Kind(rule) => push(&mut source, RULES[*rule].accept, 0, check),
                        Capturing::Regex(user) => {
                            push(&mut source, &user.source, user.groups, check);
                        }
                    }
                }
                Marker::SizeCmp { op, name } => {
                    let check = Check::SizeCmp {
                        op: *op,
                        name: name.clone(),
                    };
                    push(&mut source, RULES[size].accept, 0, Some(check));
                }
            },
        }
    }
    source.push('$');
    let regex = match compiler.regexes.get(&source) {
        Some(regex) => regex.clone(),
        None => {
            let regex = Regex::new(&source).map_err(|e| PatternError {
                line: number,
                column: 1,
                message: format!("line too complex to compile: {e}"),
            })?;
            compiler.regexes.insert(source, regex.clone());
            regex
        }
    };
    Ok(LineRegex { regex, slots })
}

/// Why a real line does not match a documented one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Mismatch {
    /// The text differs.
    Text,
    /// The text has the right shape, but a value does not fit; says why.
    Check(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A documented value of a consistent rule, by its number.
    Value(u32),
    Capture(String),
}

/// The state of one comparison: its options, the captures of earlier
/// steps, and what documented values and captures stand for so far (parts
/// of the real output, which outlives the comparison).
pub(crate) struct Ctx<'a> {
    opts: &'a Options,
    known: &'a HashMap<String, String>,
    /// Hashed with Fx: a long output binds a value on most lines.
    bound: FxHashMap<Key, &'a str>,
    /// Keys in the order bound, to undo.
    log: Vec<Key>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(opts: &'a Options, known: &'a HashMap<String, String>) -> Ctx<'a> {
        Ctx {
            opts,
            known,
            bound: FxHashMap::default(),
            log: Vec::new(),
        }
    }

    pub(crate) fn checkpoint(&self) -> usize {
        self.log.len()
    }

    pub(crate) fn rollback(&mut self, checkpoint: usize) {
        while self.log.len() > checkpoint {
            let key = self.log.pop().expect("log longer than checkpoint");
            self.bound.remove(&key);
        }
    }

    /// Whether `line` matches `real`, leaving no bindings behind.
    pub(crate) fn probe(&mut self, line: &Line, real: &'a str) -> bool {
        let checkpoint = self.checkpoint();
        let matched = line.matches(real, self).is_ok();
        self.rollback(checkpoint);
        matched
    }

    /// Whether `line` has the shape of `real`, even if a value does not fit:
    /// the line is then the documented one, changed. Leaves no bindings.
    pub(crate) fn probe_shape(&mut self, line: &Line, real: &'a str) -> bool {
        let checkpoint = self.checkpoint();
        let shaped = line.matches(real, self) != Err(Mismatch::Text);
        self.rollback(checkpoint);
        shaped
    }

    /// The value captured under `name` in this comparison.
    pub(crate) fn captured(&self, name: &str) -> Option<&'a str> {
        self.bound.get(&Key::Capture(name.to_string())).copied()
    }

    fn bind(&mut self, key: Key, value: &'a str) -> Result<(), String> {
        match self.bound.entry(key) {
            Entry::Occupied(earlier) if *earlier.get() == value => Ok(()),
            Entry::Occupied(earlier) => Err((*earlier.get()).to_string()),
            Entry::Vacant(slot) => {
                self.log.push(slot.key().clone());
                slot.insert(value);
                Ok(())
            }
        }
    }

    fn check(&mut self, check: &Check, value: &'a str) -> Result<(), String> {
        match check {
            Check::Volatile {
                rule,
                documented,
                id,
            } => {
                let rule_def = &RULES[*rule];
                if let Some(check) = rule_def.check {
                    check(documented, value, self.opts)?;
                }
                if rule_def.consistent {
                    let key = Key::Value(*id);
                    self.bind(key, value).map_err(|earlier| {
                        format!(
                            "`{documented}` is documented more than once for one value, \
                             but the output has `{earlier}` and then `{value}`"
                        )
                    })?;
                }
                Ok(())
            }
            Check::Capture(name) => {
                self.bind(Key::Capture(name.clone()), value)
                    .map_err(|earlier| {
                        format!("capture `{name}` is `{earlier}` earlier but `{value}` here")
                    })
            }
            Check::SizeCmp { op, name } => {
                let reference = self
                    .captured(name)
                    .or_else(|| self.known.get(name).map(String::as_str))
                    .ok_or_else(|| {
                        format!(
                            "no earlier capture named `{name}` to compare the size `{value}` with"
                        )
                    })?;
                let reference_size = rules::parse_size(reference).ok_or_else(|| {
                    format!("capture `{name}` is `{reference}`, which is not a size")
                })?;
                let size =
                    rules::parse_size(value).ok_or_else(|| format!("`{value}` is not a size"))?;
                if op.holds(size, reference_size) {
                    Ok(())
                } else {
                    Err(format!(
                        "size `{value}` is not {} `{reference}` (capture `{name}`)",
                        op.symbol()
                    ))
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "line_tests.rs"]
mod tests;
