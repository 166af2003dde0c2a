//! Unit tests of `line`.

use super::*;

fn line(text: &str) -> Line {
    Line::compile(text, 1, &mut Compiler::default()).unwrap()
}

fn check(doc: &str, real: &str) -> Result<(), Mismatch> {
    let opts = Options::default();
    let known = HashMap::new();
    line(doc).matches(real, &mut Ctx::new(&opts, &known))
}

#[test]
fn plain_lines_stay_strings() {
    assert!(matches!(line("1 10001 /app").kind, Kind::Literal(_)));
    assert_eq!(check("1 10001 /app", "1 10001 /app"), Ok(()));
    assert_eq!(check("1 10001 /app", "1 10002 /app"), Err(Mismatch::Text));
    assert_eq!(line(r"a \{{b}}").literal(), Some("a {{b}}"));
}

#[test]
fn columns_realign_but_indentation_and_single_spaces_are_exact() {
    let doc = "knowing-scratch-image   latest    1dfd3056e96d   About a minute ago   1.81MB";
    assert_eq!(
        check(
            doc,
            "knowing-scratch-image latest 0123456789ab 2 hours ago 1.9MB"
        ),
        Ok(())
    );
    assert_eq!(
        check(
            doc,
            "knowing-scratch-image          latest  0123456789ab  2 hours ago         1.9MB"
        ),
        Ok(())
    );
    assert_eq!(check("a  b", "ab"), Err(Mismatch::Text));
    assert_eq!(check("a b", "a  b"), Err(Mismatch::Text));
    assert_eq!(check("  a  b", "  a b"), Ok(()));
    assert_eq!(check("  a  b", " a b"), Err(Mismatch::Text));
}

#[test]
fn size_comparison_with_a_capture_of_this_comparison() {
    let opts = Options::default();
    let known = HashMap::new();
    let mut ctx = Ctx::new(&opts, &known);
    assert_eq!(line("{{BIG=size}}").matches("7MB", &mut ctx), Ok(()));
    assert_eq!(line("{{size<BIG}}").matches("2MB", &mut ctx), Ok(()));
    assert_eq!(
        line("{{size>=BIG}}").matches("2MB", &mut ctx),
        Err(Mismatch::Check(
            "size `2MB` is not >= `7MB` (capture `BIG`)".into()
        ))
    );
}

#[test]
fn a_failed_line_leaves_no_bindings() {
    let opts = Options::default();
    let known = HashMap::new();
    let mut ctx = Ctx::new(&opts, &known);
    let l = line("{{A=int}} {{A=int}}");
    assert_eq!(
        l.matches("1 2", &mut ctx),
        Err(Mismatch::Check(
            "capture `A` is `1` earlier but `2` here".into()
        ))
    );
    assert_eq!(ctx.captured("A"), None);
    assert_eq!(l.matches("3 3", &mut ctx), Ok(()));
    assert_eq!(ctx.captured("A"), Some("3"));
}

#[test]
fn user_regex_groups_do_not_shift_slots() {
    let opts = Options::default();
    let known = HashMap::new();
    let mut ctx = Ctx::new(&opts, &known);
    let l = line("{{/(a|b)+/}} {{V=/(x)(y)?/}} {{W=int}}");
    assert_eq!(l.matches("abab xy 42", &mut ctx), Ok(()));
    assert_eq!(ctx.captured("V"), Some("xy"));
    assert_eq!(ctx.captured("W"), Some("42"));
}
