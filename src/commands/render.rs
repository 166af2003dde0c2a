//! `knowing-scratch render [--check]`: write the lessons into README.md, or
//! tell (with a diff, exit 1) that the README no longer matches them.

use anyhow::Context;

use crate::color::Palette;
use crate::commands::load_lessons;
use crate::error::{Error, Exit};
use crate::markdown::write as render;
use crate::settings::{RenderArgs, Settings};

pub fn render(settings: &Settings, args: &RenderArgs) -> Result<Exit, Error> {
    let readme = args.readme.as_path();
    let lessons = load_lessons(settings)?;
    let old = std::fs::read_to_string(readme)
        .with_context(|| format!("cannot read the README `{}`", readme.display()))?;
    let body = render::render_lessons(&lessons.set.lessons);
    let new = render::splice(&old, &body)
        .map_err(|e| Error::Usage(format!("`{}` {e}", readme.display())))?;
    let name = readme.display().to_string();
    if args.check {
        if new == old {
            eprintln!("`{name}` is up to date with the lessons");
            return Ok(Exit::Ok);
        }
        let p = Palette::new(settings.color_stdout);
        print!("{}", diff(&old, &new, &name, &p));
        let e = Palette::new(settings.color_stderr);
        eprintln!(
            "{} `{name}` does not match the lessons: run `knowing-scratch render` to update it",
            e.fail("stale:")
        );
        return Ok(Exit::Drift);
    }
    if new == old {
        println!("`{name}` is already up to date");
    } else {
        crate::fsutil::write_atomic(readme, new.as_bytes())
            .with_context(|| format!("cannot write the README `{name}`"))?;
        println!(
            "rendered {} lesson{} into `{name}`",
            lessons.set.lessons.len(),
            if lessons.set.lessons.len() == 1 {
                ""
            } else {
                "s"
            }
        );
    }
    Ok(Exit::Ok)
}

/// A unified diff from the README as it is to the README as rendered.
fn diff(old: &str, new: &str, name: &str, p: &Palette) -> String {
    let text = similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{name} (as it is)"), &format!("{name} (rendered)"))
        .to_string();
    if !p.enabled {
        return text;
    }
    text.lines()
        .map(|l| {
            if l.starts_with('+') && !l.starts_with("+++") {
                p.diff_added(l)
            } else if l.starts_with('-') && !l.starts_with("---") {
                p.diff_removed(l)
            } else if l.starts_with("@@") {
                p.dim(l)
            } else {
                l.to_string()
            }
        })
        .map(|l| l + "\n")
        .collect()
}
