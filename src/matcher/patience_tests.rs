//! Unit tests of `patience`.

use super::*;
use std::time::Duration;

fn merge(ops: Vec<DiffOp>) -> Vec<DiffOp> {
    let mut out = Vec::new();
    for op in ops {
        push(&mut out, op);
    }
    out
}

fn numbers<'a>(n: &mut Numbers<'a>, lines: &[&'a str]) -> Vec<u32> {
    lines.iter().map(|l| n.of(l)).collect()
}

fn ours(old: &[&str], new: &[&str]) -> Vec<DiffOp> {
    let mut n = Numbers::default();
    let a = numbers(&mut n, old);
    let b: Vec<u32> = new.iter().map(|l| n.of_other(l)).collect();
    let ops = diff(&a, &b, n.count(), Instant::now() + Duration::from_secs(10));
    // The operations cover both sides in order, and equal runs are equal.
    let (mut i, mut j) = (0, 0);
    for op in &ops {
        let (tag, olds, news) = op.as_tag_tuple();
        assert_eq!((olds.start, news.start), (i, j), "{ops:?}");
        if tag == similar::DiffTag::Equal {
            assert_eq!(old[olds.clone()], new[news.clone()]);
        }
        (i, j) = (olds.end, news.end);
    }
    assert_eq!((i, j), (old.len(), new.len()), "{ops:?}");
    ops
}

/// Where the unique lines leave no choice, the same operations as
/// `similar`'s patience diff.
fn same_as_similar(old: &[&str], new: &[&str]) {
    let theirs = similar::capture_diff_slices(Algorithm::Patience, old, new);
    assert_eq!(ours(old, new), theirs, "{old:?} -> {new:?}");
}

#[test]
fn equal_lines_equal_numbers() {
    let mut n = Numbers::default();
    assert_eq!(numbers(&mut n, &["a", "b", "a", ""]), vec![0, 1, 0, 2]);
    assert_eq!(n.fresh(), 3);
    assert_eq!(n.of("c"), 4);
    assert_eq!(n.count(), 5);
    // The other side's lines: known ones keep their number, others get
    // one each, even when they repeat.
    assert_eq!(n.of_other("b"), 1);
    assert_eq!(n.of_other("z"), 5);
    assert_eq!(n.of_other("z"), 6);
    assert_eq!(n.count(), 7);
    // Lines past the lengths kept one by one are still found.
    let long = "x".repeat(5000);
    let longer = "x".repeat(6000);
    assert_eq!(n.of(&long), 7);
    assert_eq!(n.of_other(&long), 7);
    assert_eq!(n.of_other(&longer), 8);
    assert_eq!(n.of_other(&"x".repeat(2047)), 9);
    assert_eq!(n.of_other("y"), 10, "a length numbered, another text");
}

#[test]
fn sorted_lines_equal_numbers_for_equal_lines() {
    let lines = ["a", "b", "a", "", "c", "", "a"];
    // With Fx, and with a hash under which every line collides.
    for sorted in [Sorted::new(&lines), Sorted::with_hash(&lines, |_| 7)] {
        let mut sorted = sorted;
        let ids = sorted.ids().to_vec();
        for (i, a) in lines.iter().enumerate() {
            for (k, b) in lines.iter().enumerate() {
                assert_eq!(ids[i] == ids[k], a == b, "{a:?} {b:?}");
            }
        }
        assert_eq!(sorted.count(), 4);
        assert!(ids.iter().all(|&id| id < 4));
        assert_eq!(sorted.of_other("c"), ids[4]);
        assert_eq!(sorted.of_other(""), ids[3]);
        // Lines the side lacks: one fresh number each, even repeated.
        assert_eq!(sorted.of_other("z"), 4);
        assert_eq!(sorted.of_other("z"), 5);
        assert_eq!(sorted.count(), 6);
    }
}

#[test]
fn diffs_as_similar_does() {
    same_as_similar(&["a", "b", "c"], &["a", "b", "c"]);
    same_as_similar(&["a", "b", "c"], &["a", "x", "c"]);
    same_as_similar(&["a", "b", "c", "d"], &["a", "c", "d", "e"]);
    same_as_similar(&[], &["a"]);
    same_as_similar(&["a"], &[]);
    same_as_similar(&["", "a", "", "b", "c", ""], &["", "a", "", "", "c", "d"]);
    let old: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
    let mut new = old.clone();
    new[100] = "changed".into();
    new.remove(300);
    new.insert(400, "added".into());
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    same_as_similar(&old, &new);
    // Two anchors that cross: either may stay, and a valid diff results.
    let crossed = ours(&["x", "a", "x", "b", "x"], &["b", "x", "a", "x"]);
    assert_eq!(
        crossed
            .iter()
            .filter(|op| op.tag() == similar::DiffTag::Equal)
            .count(),
        1
    );
    let old: Vec<String> = (0..200).map(|i| format!("line {}", i % 37)).collect();
    let new: Vec<String> = (0..210).map(|i| format!("line {}", (i * 7) % 41)).collect();
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    let new: Vec<&str> = new.iter().map(String::as_str).collect();
    ours(&old, &new);
}

#[test]
fn a_stretch_with_nothing_in_common_is_what_myers_gives() {
    let far = Instant::now() + Duration::from_secs(10);
    for a in 0..=17 {
        for b in 0..=17 {
            // Two lines before each side, so the ranges do not start at 0.
            let old: Vec<u32> = [7, 8].into_iter().chain(0..a).collect();
            let new: Vec<u32> = [9].into_iter().chain(100..100 + b).collect();
            let (olds, news) = (2..old.len(), 1..new.len());
            let mut ours = Vec::new();
            gap(&old, &new, olds.clone(), news.clone(), far, &mut ours);
            let myers = similar::capture_diff_slices(
                Algorithm::Myers,
                &old[olds.clone()],
                &new[news.clone()],
            );
            let myers = myers.into_iter().map(|op| shift(op, 2, 1)).collect();
            assert_eq!(merge(ours), merge(myers), "{a} and {b} lines");
        }
    }
}

#[test]
fn anchors_keep_their_order() {
    assert_eq!(
        longest_increasing(&[(0, 5), (1, 1), (2, 2), (3, 0), (4, 3)]),
        vec![(1, 1), (2, 2), (4, 3)]
    );
    assert_eq!(longest_increasing(&[]), vec![]);
}
