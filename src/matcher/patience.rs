//! A patience diff over lines turned into numbers, for long outputs.
//!
//! Both the alignment (`sequence`) and the diff (`diff`) compare a documented
//! text with a real one of up to hundreds of thousands of lines. Profiling
//! 100k lines with one change showed most of their time in hashing: `similar`
//! finds the lines unique to each side with a SipHash map, once per diff, on
//! strings. Here each line is hashed once, with a fast hash, into a dense
//! number (the second side's lines are only looked up: a line the first
//! side lacks just needs a number of its own). A side numbered in full is
//! best sorted by hash ([`Sorted`]); a few lines of it, a map ([`Numbers`]).
//! The unique lines are then counted in plain arrays, and the anchors are
//! the longest run of lines unique on both sides that keeps its order
//! (patience sorting, `O(n log n)`). Between anchors, Myers' diff (from
//! `similar`, with the caller's deadline) handles the rest, as `similar`'s
//! own patience diff does; a stretch with no line in common is one change
//! without it. Only equality of numbers matters, never their values.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::time::Instant;

use similar::{Algorithm, DiffOp};

/// A fast, non-cryptographic hash (the Fx hash of rustc): lines come from
/// the documentation and the command's output, not from an adversary who
/// could aim for collisions, and a collision costs only time.
#[derive(Default)]
pub(crate) struct FxHasher(u64);

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ rest.len() as u64);
    }

    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map hashed with [`FxHasher`].
pub(crate) type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// Lines as dense numbers: equal lines get equal numbers.
#[derive(Default)]
pub(crate) struct Numbers<'a> {
    ids: FxHashMap<&'a str, u32>,
    next: u32,
    /// The lengths of the numbered lines (the last bit: this long or
    /// longer): a line of another length is new without being hashed.
    lengths: [u64; LENGTH_WORDS],
}

const LENGTH_WORDS: usize = 32;

fn length_bit(line: &str) -> (usize, u64) {
    let n = line.len().min(LENGTH_WORDS * 64 - 1);
    (n / 64, 1 << (n % 64))
}

impl<'a> Numbers<'a> {
    /// Room for `lines` different lines without growing.
    pub fn with_capacity(lines: usize) -> Numbers<'a> {
        Numbers {
            ids: HashMap::with_capacity_and_hasher(lines, BuildHasherDefault::default()),
            next: 0,
            lengths: [0; LENGTH_WORDS],
        }
    }

    /// The number of `line` if it has one, else a fresh one: for the lines
    /// of the other side, which only need to equal the lines numbered so far.
    pub fn of_other(&mut self, line: &str) -> u32 {
        let (word, bit) = length_bit(line);
        if self.lengths[word] & bit == 0 {
            return self.fresh();
        }
        match self.ids.get(line) {
            Some(&id) => id,
            None => self.fresh(),
        }
    }

    /// The number of `line`.
    pub fn of(&mut self, line: &'a str) -> u32 {
        let (word, bit) = length_bit(line);
        self.lengths[word] |= bit;
        let next = self.next;
        let id = *self.ids.entry(line).or_insert(next);
        if id == next {
            self.next += 1;
        }
        id
    }

    /// A number no line has, nor will have.
    pub fn fresh(&mut self) -> u32 {
        self.next += 1;
        self.next - 1
    }

    /// How many numbers were handed out.
    pub fn count(&self) -> usize {
        self.next as usize
    }
}

/// Lines as dense numbers for a side known in full, without a hash map:
/// each line is hashed once, in order, and the hashes sorted. Numbering the
/// documented side of a long diff through a map missed the cache on almost
/// every insert (the map of 100k lines is megabytes, met at random); sorting
/// reads and writes memory mostly in order. Numbers differ from those of
/// [`Numbers`], but equal lines, and only they, share one.
pub(crate) struct Sorted<'a> {
    lines: &'a [&'a str],
    /// `(hash, line)`, sorted.
    by_hash: Vec<(u64, u32)>,
    ids: Vec<u32>,
    next: u32,
    hash: fn(&str) -> u64,
}

impl<'a> Sorted<'a> {
    pub fn new(lines: &'a [&'a str]) -> Sorted<'a> {
        Sorted::with_hash(lines, fx_hash)
    }

    fn with_hash(lines: &'a [&'a str], hash: fn(&str) -> u64) -> Sorted<'a> {
        let mut by_hash: Vec<(u64, u32)> = lines
            .iter()
            .enumerate()
            .map(|(i, line)| (hash(line), u32::try_from(i).expect("fewer than 2^32 lines")))
            .collect();
        by_hash.sort_unstable();
        let mut ids = vec![0; lines.len()];
        let mut next = 0;
        for run in by_hash.chunk_by(|a, b| a.0 == b.0) {
            for (k, &(_, i)) in run.iter().enumerate() {
                // Within one hash, equal text is the same line; another
                // text is a collision and a line of its own.
                let text = lines[i as usize];
                ids[i as usize] = match run[..k].iter().find(|e| lines[e.1 as usize] == text) {
                    Some(earlier) => ids[earlier.1 as usize],
                    None => {
                        next += 1;
                        next - 1
                    }
                };
            }
        }
        Sorted {
            lines,
            by_hash,
            ids,
            next,
            hash,
        }
    }

    /// The number of each line.
    pub fn ids(&self) -> &[u32] {
        &self.ids
    }

    /// The number of a line equal to `line`, else a fresh one.
    pub fn of_other(&mut self, line: &str) -> u32 {
        let h = (self.hash)(line);
        let start = self.by_hash.partition_point(|e| e.0 < h);
        let equal = self.by_hash[start..]
            .iter()
            .take_while(|e| e.0 == h)
            .find(|e| self.lines[e.1 as usize] == line);
        match equal {
            Some(e) => self.ids[e.1 as usize],
            None => {
                self.next += 1;
                self.next - 1
            }
        }
    }

    /// How many numbers were handed out.
    pub fn count(&self) -> usize {
        self.next as usize
    }
}

fn fx_hash(line: &str) -> u64 {
    let mut hasher = FxHasher::default();
    line.hash(&mut hasher);
    hasher.finish()
}

/// The diff of `old` and `new` (numbers below `count`), as `similar`'s
/// patience diff shapes it: `Equal` runs and the changes between them.
pub(crate) fn diff(old: &[u32], new: &[u32], count: usize, deadline: Instant) -> Vec<DiffOp> {
    let mut ops = Vec::new();
    let (mut i, mut j) = (0, 0);
    for (a, b) in anchors(old, new, count) {
        let run = equal_run(&old[i..a], &new[j..b]);
        if run > 0 {
            push(
                &mut ops,
                DiffOp::Equal {
                    old_index: i,
                    new_index: j,
                    len: run,
                },
            );
        }
        gap(old, new, i + run..a, j + run..b, deadline, &mut ops);
        (i, j) = (a, b);
    }
    gap(old, new, i..old.len(), j..new.len(), deadline, &mut ops);
    ops
}

/// Lines unique on both sides, paired, in the longest order both keep.
fn anchors(old: &[u32], new: &[u32], count: usize) -> Vec<(usize, usize)> {
    // 0: absent, 1: once, 2: more often.
    let mut seen_old = vec![0u8; count];
    let mut seen_new = vec![0u8; count];
    let mut at_new = vec![0u32; count];
    for &id in old {
        let s = &mut seen_old[id as usize];
        *s = (*s + 1).min(2);
    }
    for (j, &id) in new.iter().enumerate() {
        let s = &mut seen_new[id as usize];
        *s = (*s + 1).min(2);
        at_new[id as usize] = u32::try_from(j).unwrap_or(u32::MAX);
    }
    let pairs: Vec<(usize, usize)> = old
        .iter()
        .enumerate()
        .filter(|&(_, &id)| seen_old[id as usize] == 1 && seen_new[id as usize] == 1)
        .map(|(i, &id)| (i, at_new[id as usize] as usize))
        .collect();
    longest_increasing(&pairs)
}

/// The longest subsequence of `pairs` (increasing in the first) whose
/// second values increase too; the earliest such when several are as long.
fn longest_increasing(pairs: &[(usize, usize)]) -> Vec<(usize, usize)> {
    // tails[k]: index in `pairs` of the smallest end of a run of length k + 1.
    let mut tails: Vec<usize> = Vec::new();
    let mut before: Vec<usize> = vec![usize::MAX; pairs.len()];
    for (k, &(_, b)) in pairs.iter().enumerate() {
        // Tails end in increasing values: past the last one, the run grows
        // without a search (most pairs, when the two sides mostly agree).
        let len = match tails.last() {
            Some(&t) if pairs[t].1 < b => tails.len(),
            _ => tails.partition_point(|&t| pairs[t].1 < b),
        };
        if len > 0 {
            before[k] = tails[len - 1];
        }
        if len == tails.len() {
            tails.push(k);
        } else {
            tails[len] = k;
        }
    }
    let mut out = Vec::with_capacity(tails.len());
    let mut k = tails.last().copied().unwrap_or(usize::MAX);
    while k != usize::MAX {
        out.push(pairs[k]);
        k = before[k];
    }
    out.reverse();
    out
}

fn equal_run(old: &[u32], new: &[u32]) -> usize {
    old.iter().zip(new).take_while(|(a, b)| a == b).count()
}

/// Myers' diff of one stretch between anchors, pushed onto `ops`.
fn gap(
    old: &[u32],
    new: &[u32],
    olds: std::ops::Range<usize>,
    news: std::ops::Range<usize>,
    deadline: Instant,
    ops: &mut Vec<DiffOp>,
) {
    if olds.is_empty() && news.is_empty() {
        return;
    }
    let (o, n) = (olds.start, news.start);
    if disjoint(&old[olds.clone()], &new[news.clone()]) {
        // Nothing to keep: Myers would only delete and insert, which
        // `merge` joins into this one change anyway. Most stretches between
        // anchors of an alignment are such (lines that need matching have
        // numbers of their own), and Myers' set-up costs more than the check.
        push(ops, change(olds, news, false));
        return;
    }
    let found = similar::capture_diff_slices_deadline(
        Algorithm::Myers,
        &old[olds],
        &new[news],
        Some(deadline),
    );
    for op in found {
        push(ops, shift(op, o, n));
    }
}

/// Whether two short stretches have no number in common; `false` for long
/// ones, which are left to Myers.
fn disjoint(old: &[u32], new: &[u32]) -> bool {
    old.len() * new.len() <= 256 && old.iter().all(|a| !new.contains(a))
}

fn shift(op: DiffOp, o: usize, n: usize) -> DiffOp {
    match op {
        DiffOp::Equal {
            old_index,
            new_index,
            len,
        } => DiffOp::Equal {
            old_index: old_index + o,
            new_index: new_index + n,
            len,
        },
        DiffOp::Delete {
            old_index,
            old_len,
            new_index,
        } => DiffOp::Delete {
            old_index: old_index + o,
            old_len,
            new_index: new_index + n,
        },
        DiffOp::Insert {
            old_index,
            new_index,
            new_len,
        } => DiffOp::Insert {
            old_index: old_index + o,
            new_index: new_index + n,
            new_len,
        },
        DiffOp::Replace {
            old_index,
            old_len,
            new_index,
            new_len,
        } => DiffOp::Replace {
            old_index: old_index + o,
            old_len,
            new_index: new_index + n,
            new_len,
        },
    }
}

/// Appends `op`, joined with the last one when both are `Equal` runs or
/// both changes (into one delete, insert or replace), as `similar` reports
/// them; the operations of a long diff are joined as they come.
fn push(out: &mut Vec<DiffOp>, op: DiffOp) {
    let (tag, old, new) = op.as_tag_tuple();
    let joined = match out.last() {
        Some(last) => {
            let (last_tag, last_old, last_new) = last.as_tag_tuple();
            let both_equal = tag == similar::DiffTag::Equal && last_tag == similar::DiffTag::Equal;
            let both_changes =
                tag != similar::DiffTag::Equal && last_tag != similar::DiffTag::Equal;
            (both_equal || both_changes)
                .then(|| change(last_old.start..old.end, last_new.start..new.end, both_equal))
        }
        None => None,
    };
    match joined {
        Some(op) => *out.last_mut().expect("a last op") = op,
        None => out.push(op),
    }
}

fn change(old: std::ops::Range<usize>, new: std::ops::Range<usize>, equal: bool) -> DiffOp {
    match (equal, old.is_empty(), new.is_empty()) {
        (true, _, _) => DiffOp::Equal {
            old_index: old.start,
            new_index: new.start,
            len: old.len(),
        },
        (false, false, true) => DiffOp::Delete {
            old_index: old.start,
            old_len: old.len(),
            new_index: new.start,
        },
        (false, true, false) => DiffOp::Insert {
            old_index: old.start,
            new_index: new.start,
            new_len: new.len(),
        },
        _ => DiffOp::Replace {
            old_index: old.start,
            old_len: old.len(),
            new_index: new.start,
            new_len: new.len(),
        },
    }
}

#[cfg(test)]
#[path = "patience_tests.rs"]
mod tests;
