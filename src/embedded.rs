//! The lessons and what they build, inside the binary, so that an installed
//! `knowing-scratch` works in any folder.

use include_dir::{include_dir, Dir};

static LESSONS: Dir = include_dir!("$CARGO_MANIFEST_DIR/lessons");
static APP: Dir = include_dir!("$CARGO_MANIFEST_DIR/app");

const FILES: &[(&str, &str)] = &[
    ("Dockerfile", include_str!("../Dockerfile")),
    ("Dockerfile-simple", include_str!("../Dockerfile-simple")),
    (".dockerignore", include_str!("../.dockerignore")),
];

/// Lay the lessons, Dockerfiles and app out in a new temporary folder.
pub fn unpack() -> anyhow::Result<tempfile::TempDir> {
    use anyhow::Context;
    let tmp = tempfile::Builder::new()
        .prefix("knowing-scratch-")
        .tempdir()
        .context("create a folder for the built-in lessons")?;
    let root = tmp.path();
    std::fs::create_dir_all(root.join("lessons"))?;
    std::fs::create_dir_all(root.join("app"))?;
    LESSONS
        .extract(root.join("lessons"))
        .context("unpack the built-in lessons")?;
    APP.extract(root.join("app")).context("unpack the app")?;
    for (name, text) in FILES {
        std::fs::write(root.join(name), text).with_context(|| format!("write {name}"))?;
    }
    Ok(tmp)
}
