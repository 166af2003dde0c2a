//! Unit tests of `sequence`.

use super::*;
use crate::matcher::line::Compiler;
use crate::matcher::Options;

fn lines(text: &str) -> Vec<Line> {
    let mut compiler = Compiler::default();
    text.lines()
        .enumerate()
        .map(|(i, l)| Line::compile(l, i + 1, &mut compiler).unwrap())
        .collect()
}

fn in_order(doc: &str, real: &[&str]) -> Option<Vec<Item>> {
    let doc = lines(doc);
    let doc: Vec<&Line> = doc.iter().collect();
    let opts = Options::default();
    let known = HashMap::new();
    match_in_order(&doc, real, &mut Ctx::new(&opts, &known))
}

#[test]
fn dots_backtrack_to_a_later_place() {
    assert_eq!(
        in_order(
            "a\n{{...}}\nb\nc\n{{...}}\nd",
            &["a", "b", "x", "b", "c", "d"]
        ),
        Some(vec![
            Item::Same { doc: 0, real: 0 },
            Item::Dots { doc: 1, real: 1..3 },
            Item::Same { doc: 2, real: 3 },
            Item::Same { doc: 3, real: 4 },
            Item::Dots { doc: 4, real: 5..5 },
            Item::Same { doc: 5, real: 5 },
        ])
    );
    assert_eq!(in_order("a\n{{...}}\nb\nc", &["a", "b", "c", "x"]), None);
    assert_eq!(in_order("a", &[]), None);
    assert_eq!(
        in_order("{{...}}", &[]),
        Some(vec![Item::Dots { doc: 0, real: 0..0 }])
    );
}

#[test]
fn align_steps_over_missing_and_extra_lines() {
    let doc = lines("a {{int}}\nb {{int}}\nc {{int}}\nd {{int}}");
    let doc: Vec<&Line> = doc.iter().collect();
    let opts = Options::default();
    let known = HashMap::new();
    let mut notes = Vec::new();
    let items = align(
        &doc,
        &["a 1", "x", "c 3", "d 4", "e 5"],
        &mut Ctx::new(&opts, &known),
        &mut notes,
    );
    assert_eq!(
        items,
        vec![
            Item::Same { doc: 0, real: 0 },
            Item::Real(1),
            Item::Same { doc: 2, real: 2 },
            Item::Same { doc: 3, real: 3 },
            Item::Real(4),
        ]
    );
    assert!(notes.is_empty());
}

#[test]
fn unordered_pairs_by_maximum_matching() {
    let doc = lines("{{*}}\nb {{int}}\nplain");
    let doc: Vec<&Line> = doc.iter().collect();
    let opts = Options::default();
    let known = HashMap::new();
    let p = pair_unordered(&doc, &["b 2", "plain", "zzz"], &mut Ctx::new(&opts, &known));
    assert_eq!(p.doc, vec![Some(2), Some(0), Some(1)]);
    assert!(p.complete(&doc, false));
}
