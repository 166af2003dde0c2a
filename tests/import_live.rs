//! Import, then replay, against the real Docker engine: three small
//! walkthroughs of the import corpus (a hello-world built from busybox, a
//! multi-stage Go build into a scratch image, a scratch image whose
//! Dockerfile is written by a heredoc) go through the workflow the README
//! describes: `import`, `check --bless` to fill in what the docs leave out,
//! a review of the change, then `check` passes as it is.
//!
//! Like `tests/live.rs`, these fail rather than skip when no engine answers,
//! and take the same turn on the engine (`support::engine`). The
//! client is `KNOWING_SCRATCH_E2E_CLIENT_NEW` (default `/usr/local/bin/docker`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn client() -> PathBuf {
    let path = PathBuf::from(
        std::env::var("KNOWING_SCRATCH_E2E_CLIENT_NEW")
            .unwrap_or_else(|_| "/usr/local/bin/docker".into()),
    );
    assert!(path.is_file(), "no docker client at {}", path.display());
    path
}

fn ks(dir: &Path, docker: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_knowing-scratch"))
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("KNOWING_SCRATCH_REGISTRY", "0")
        .env_remove("KNOWING_SCRATCH_ALLOW_HOST")
        .args(["--color", "never", "--docker"])
        .arg(docker)
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lesson_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect();
    files.sort();
    files
}

/// import → check --bless → review → check, for one walkthrough.
fn walkthrough(name: &str, images: &[&str], blessed: &[&str], passed: usize) {
    let docker = client();
    let _engine = support::engine::Engine::take(&docker);
    let tmp = tempfile::tempdir().unwrap();
    let md = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(format!("{name}.md"));
    let (code, _, stderr) = ks(
        tmp.path(),
        &docker,
        &["import", md.to_str().unwrap(), "--out", "lessons"],
    );
    assert_eq!(code, 0, "{stderr}");
    let imported = lesson_files(&tmp.path().join("lessons"));

    let (code, stdout, stderr) = ks(tmp.path(), &docker, &["check", "--bless"]);
    let got: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("blessed "))
        .collect();
    assert_eq!((code, got.as_slice()), (0, blessed), "{stdout}{stderr}");

    // The review: every documented value is as imported; the change only
    // adds what the docs left out and drops the `undocumented:` lines.
    let after = lesson_files(&tmp.path().join("lessons"));
    for ((file, before), (_, now)) in imported.iter().zip(&after) {
        let diff = similar::TextDiff::from_lines(before, now);
        for change in diff.iter_all_changes() {
            if change.tag() == similar::ChangeTag::Delete {
                assert!(
                    change.value().trim_start().starts_with("undocumented: "),
                    "{file}: bless removed a documented line: {:?}",
                    change.value()
                );
            }
        }
        assert!(!now.contains("undocumented:"), "{file}:\n{now}");
    }

    let (code, stdout, stderr) = ks(tmp.path(), &docker, &["check"]);
    let summary = format!("{passed} passed, 0 failed, 0 skipped\n");
    assert!(code == 0 && stdout.ends_with(&summary), "{stdout}{stderr}");

    // The images were built here; nothing else is removed.
    let _ = Command::new(&docker)
        .args(["image", "rm"])
        .args(images)
        .output();
}

#[test]
fn hello_world_imports_and_passes_after_bless() {
    walkthrough(
        "01-hello-world",
        &["ks-import-hello"],
        &["blessed lessons/02-build-and-run.yaml: step 'Step 1', and exit code 0"],
        3,
    );
}

#[test]
fn multi_stage_build_imports_and_passes_after_bless() {
    walkthrough(
        "02-multi-stage",
        &["ks-import-multi"],
        &["blessed lessons/03-build-it.yaml: step 'Step 1', and exit code 0"],
        4,
    );
}

#[test]
fn scratch_image_from_a_heredoc_imports_and_passes_after_bless() {
    walkthrough(
        "03-scratch-heredoc",
        &["ks-import-scratch"],
        &[
            "blessed lessons/01-write-the-dockerfile.yaml: step 'Step 1': exit code 0",
            "blessed lessons/02-build-and-run.yaml: step 'Step 1', and exit code 0",
        ],
        5,
    );
}
