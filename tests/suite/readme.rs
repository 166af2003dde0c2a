//! Keeps the README honest: its tutorial part is rendered from the lessons,
//! and CI runs exactly the test command it documents.

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    support::repo()
}

#[test]
fn readme_tutorial_is_rendered_from_the_lessons() {
    let out = Command::new(env!("CARGO_BIN_EXE_knowing-scratch"))
        .args(["render", "--check", "--color", "never"])
        .current_dir(root())
        .output()
        .expect("run knowing-scratch render --check");
    assert_eq!(
        out.status.code(),
        Some(0),
        "README.md is stale; run `knowing-scratch render`:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn ci_runs_the_readme_test_command() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let ci = std::fs::read_to_string(root().join(".ci/run")).unwrap();
    let command = "tests/engine/setup.sh && cargo test --locked";
    assert!(
        readme.contains(&format!("{command}\n")),
        "the README lost its test command"
    );
    assert!(
        ci.lines().any(|l| l == command),
        ".ci/run must run the README's test command as written"
    );
}
