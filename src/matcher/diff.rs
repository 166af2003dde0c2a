//! The diff shown when the output drifted.
//!
//! It compares the documented lines with the real output *normalised toward
//! them*: a real line that matched its documented line (volatile values and
//! markers included) is shown as the documented line, so only real drift
//! remains. A patience diff (with a deadline, so no pair of outputs can hang
//! the run) finds the changed lines, a word diff marks what changed inside a
//! changed line, and long unchanged stretches are cut to a few lines of
//! context around each change.

use std::time::{Duration, Instant};

use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

use super::patience::{self, Sorted};
use super::{DiffLine, DiffTag};

/// Unchanged lines kept before and after each change.
const CONTEXT: usize = 3;
/// Longest time a diff may take; past it, the rest shows as one change.
const DEADLINE: Duration = Duration::from_millis(200);
/// Largest change (in lines, each side) whose words are diffed: beyond it,
/// the lines have little to do with each other.
const WORD_DIFF_LINES: usize = 50;
/// Most changed lines a diff shows: a flood of output becomes a note, not
/// millions of diff lines in memory and on screen.
const MAX_CHANGED_LINES: usize = 500;

enum Block {
    /// Unchanged documented lines.
    Same(usize, usize),
    Changed(Vec<DiffLine>),
}

/// The diff of documented lines and normalised real lines, after the notes
/// that explain values that did not fit. Empty when there is nothing to show.
/// `origins[k]`, when given, is the documented line that real line `k` is
/// (its text as written): such a line needs no hashing to be numbered.
pub(crate) fn diff<'a>(
    documented: &[&'a str],
    real: &[&'a str],
    origins: &[Option<usize>],
    notes: &[String],
) -> Vec<DiffLine> {
    let mut out: Vec<DiffLine> = Vec::new();
    for note in notes {
        if !out.iter().any(|l| l.segments[0].1 == *note) {
            out.push(line(DiffTag::Note, note));
        }
    }
    let deadline = Instant::now() + DEADLINE;
    // Lines as numbers, equal lines equal numbers: the diff then compares
    // integers, not strings, which is most of its work on long outputs.
    let mut numbers = Sorted::new(documented);
    let documented_ids = numbers.ids().to_vec();
    // A documented line's own text has that line's number: looking it up
    // again would find the same (most lines of a long output are such).
    let real_ids: Vec<u32> = real
        .iter()
        .enumerate()
        .map(|(k, l)| match origins.get(k).copied().flatten() {
            Some(i) => documented_ids[i],
            None => numbers.of_other(l),
        })
        .collect();
    let ops = patience::diff(&documented_ids, &real_ids, numbers.count(), deadline);
    let mut blocks = Vec::new();
    let mut budget = MAX_CHANGED_LINES;
    let mut hidden = 0;
    for op in &ops {
        let (_, old, new) = op.as_tag_tuple();
        let size = old.len() + new.len();
        // Past the cap nothing more is shown: neither the changes nor the
        // unchanged lines around them, which would read as one long
        // unchanged stretch with the changes cut out.
        if budget == 0 {
            if !matches!(op, DiffOp::Equal { .. }) {
                hidden += size;
            }
            continue;
        }
        if let DiffOp::Equal { old_index, len, .. } = *op {
            blocks.push(Block::Same(old_index, len));
            continue;
        }
        let plain = |shown: usize| -> Vec<DiffLine> {
            let removed = documented[old.clone()]
                .iter()
                .map(|l| line(DiffTag::Removed, l));
            let added = real[new.clone()].iter().map(|l| line(DiffTag::Added, l));
            removed.chain(added).take(shown).collect()
        };
        let changes = if size > budget {
            hidden += size - budget;
            plain(std::mem::take(&mut budget))
        } else if old.len() <= WORD_DIFF_LINES && new.len() <= WORD_DIFF_LINES {
            budget -= size;
            word_diff(&documented[old.clone()], &real[new.clone()], deadline)
        } else {
            budget -= size;
            plain(size)
        };
        blocks.push(Block::Changed(changes));
    }
    if hidden > 0 {
        out.push(line(
            DiffTag::Note,
            &format!("the diff shows the first {MAX_CHANGED_LINES} changed lines; {hidden} more are not shown"),
        ));
    }
    if !blocks.iter().any(|b| matches!(b, Block::Changed(_))) {
        return out;
    }
    let count = blocks.len();
    for (k, block) in blocks.into_iter().enumerate() {
        match block {
            Block::Changed(lines) => out.extend(lines),
            Block::Same(start, len) => {
                let head = if k == 0 { 0 } else { CONTEXT };
                let tail = if k + 1 == count { 0 } else { CONTEXT };
                let same = |i: usize| line(DiffTag::Same, documented[i]);
                if len <= head + tail + 1 {
                    out.extend((start..start + len).map(same));
                } else {
                    out.extend((start..start + head).map(same));
                    out.push(DiffLine {
                        tag: DiffTag::Elided(len - head - tail),
                        segments: Vec::new(),
                    });
                    out.extend((start + len - tail..start + len).map(same));
                }
            }
        }
    }
    out
}

/// The changed lines of one small change, with the words that changed marked.
fn word_diff(documented: &[&str], real: &[&str], deadline: Instant) -> Vec<DiffLine> {
    let text_diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .deadline(deadline)
        .diff_slices(documented, real);
    let mut out = Vec::new();
    for op in text_diff.ops() {
        for change in text_diff.iter_inline_changes_deadline(op, Some(deadline)) {
            let mut segments: Vec<(bool, String)> = Vec::new();
            for (emphasized, text) in change.iter_strings_lossy() {
                match segments.last_mut() {
                    Some((last, so_far)) if *last == emphasized => so_far.push_str(&text),
                    _ => segments.push((emphasized, text.into_owned())),
                }
            }
            out.push(DiffLine {
                tag: tag(change.tag()),
                segments: absorb_spaces(segments),
            });
        }
    }
    out
}

fn tag(change: ChangeTag) -> DiffTag {
    match change {
        ChangeTag::Delete => DiffTag::Removed,
        ChangeTag::Insert => DiffTag::Added,
        ChangeTag::Equal => DiffTag::Same,
    }
}

/// Joins `changed`, ` `, `changed` into one changed segment: a shared space
/// between two changed words is not worth reading as unchanged.
fn absorb_spaces(segments: Vec<(bool, String)>) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::with_capacity(segments.len());
    let mut rest = segments.into_iter().peekable();
    while let Some((emphasized, text)) = rest.next() {
        let between_changes = !emphasized
            && !text.is_empty()
            && text.chars().all(char::is_whitespace)
            && out.last().is_some_and(|(e, _)| *e)
            && rest.peek().is_some_and(|(e, _)| *e);
        match out.last_mut() {
            Some((last, so_far)) if *last == emphasized || between_changes => {
                so_far.push_str(&text);
            }
            _ => out.push((emphasized, text)),
        }
    }
    if out.is_empty() {
        out.push((false, String::new()));
    }
    out
}

fn line(tag: DiffTag, text: &str) -> DiffLine {
    DiffLine {
        tag,
        segments: vec![(false, text.to_string())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(tag: DiffTag, text: &str) -> DiffLine {
        line(tag, text)
    }

    #[test]
    fn long_unchanged_stretches_are_elided() {
        let doc: Vec<String> = (1..=20).map(|i| format!("line {i}")).collect();
        let mut real = doc.clone();
        real[9] = "changed".into();
        let doc: Vec<&str> = doc.iter().map(String::as_str).collect();
        let real: Vec<&str> = real.iter().map(String::as_str).collect();
        let d = diff(&doc, &real, &[], &[]);
        assert_eq!(
            d,
            vec![
                DiffLine {
                    tag: DiffTag::Elided(6),
                    segments: vec![]
                },
                plain(DiffTag::Same, "line 7"),
                plain(DiffTag::Same, "line 8"),
                plain(DiffTag::Same, "line 9"),
                plain(DiffTag::Removed, "line 10"),
                plain(DiffTag::Added, "changed"),
                plain(DiffTag::Same, "line 11"),
                plain(DiffTag::Same, "line 12"),
                plain(DiffTag::Same, "line 13"),
                DiffLine {
                    tag: DiffTag::Elided(7),
                    segments: vec![]
                },
            ]
        );
    }

    #[test]
    fn nothing_is_shown_past_the_cap() {
        // 2000 lines, every 4th changed: 500 changes of 2 lines each.
        let doc: Vec<String> = (0..2000).map(|i| format!("line {i}")).collect();
        let real: Vec<String> = (0..2000)
            .map(|i| {
                if i % 4 == 0 {
                    format!("other {i}")
                } else {
                    format!("line {i}")
                }
            })
            .collect();
        let doc: Vec<&str> = doc.iter().map(String::as_str).collect();
        let real: Vec<&str> = real.iter().map(String::as_str).collect();
        let d = diff(&doc, &real, &[], &[]);
        assert_eq!(
            d[0],
            plain(
                DiffTag::Note,
                "the diff shows the first 500 changed lines; 500 more are not shown"
            )
        );
        let changed = d
            .iter()
            .filter(|l| matches!(l.tag, DiffTag::Removed | DiffTag::Added))
            .count();
        assert_eq!(changed, 500);
        // The diff ends with the last change shown: the 250th, line 996.
        let last = d.last().unwrap();
        assert_eq!(last.tag, DiffTag::Added);
        assert_eq!(
            last.segments,
            [(true, "other".to_string()), (false, " 996".to_string())]
        );
        // Between the 250 changes, the 3 unchanged lines of each gap.
        assert_eq!(d.len(), 1 + 500 + 249 * 3);
    }

    #[test]
    fn known_origins_give_the_same_diff() {
        let doc = ["a", "b", "a", "c", "d", "e"];
        let real = ["a", "x", "a", "c", "b", "e", "a"];
        let origins = [Some(0), None, Some(2), Some(3), Some(1), Some(5), None];
        let d = diff(&doc, &real, &origins, &[]);
        assert_eq!(d, diff(&doc, &real, &[], &[]));
        assert!(d.iter().any(|l| l.tag == DiffTag::Removed), "{d:?}");
    }

    #[test]
    fn short_stretches_between_changes_stay() {
        let d = diff(
            &["a", "1", "2", "3", "4", "5", "6", "7", "b"],
            &["A", "1", "2", "3", "4", "5", "6", "7", "B"],
            &[],
            &[],
        );
        assert_eq!(d.len(), 11, "7 unchanged lines, 1 would be hidden: {d:?}");
        assert!(d.iter().all(|l| !matches!(l.tag, DiffTag::Elided(_))));
    }

    #[test]
    fn spaces_between_changed_words_join_them() {
        let segments = |s: &[(bool, &str)]| -> Vec<(bool, String)> {
            s.iter().map(|(e, t)| (*e, t.to_string())).collect()
        };
        assert_eq!(
            absorb_spaces(segments(&[
                (false, "a: "),
                (true, "DONE"),
                (false, " "),
                (true, "0.2s"),
                (false, " x")
            ])),
            segments(&[(false, "a: "), (true, "DONE 0.2s"), (false, " x")])
        );
        assert_eq!(
            absorb_spaces(segments(&[(false, " "), (true, "b"), (false, " ")])),
            segments(&[(false, " "), (true, "b"), (false, " ")])
        );
    }

    #[test]
    fn no_change_means_only_notes() {
        assert_eq!(diff(&["a"], &["a"], &[], &[]), vec![]);
        assert_eq!(
            diff(&["a"], &["a"], &[], &["n".to_string(), "n".to_string()]),
            vec![plain(DiffTag::Note, "n")]
        );
    }
}
