//! `knowing-scratch import FILE.md [--out DIR]`: turn a Markdown tutorial into
//! lesson files, printed as YAML documents or written as `NN-<id>.yaml`, and
//! say on stderr what was found, skipped and flagged.

use anyhow::Context;

use crate::error::{Error, Exit};
use crate::markdown::{self, yaml};
use crate::settings::ImportArgs;

pub fn import(args: &ImportArgs) -> Result<Exit, Error> {
    let file = args.file.as_path();
    let markdown = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the tutorial `{}`", file.display()))?;
    let found = markdown::import(&markdown);
    let shown = file.display().to_string();
    if found.lessons.is_empty() {
        for line in found.summary(&shown).iter().skip(1) {
            eprintln!("{line}");
        }
        return Err(Error::Usage(format!(
            "`{shown}` holds no commands to import: put them in ```console blocks after `$ ` prompts, in ```bash blocks, or in indented code blocks"
        )));
    }
    let name = file.file_name().map_or_else(
        || "a Markdown tutorial".into(),
        |n| n.to_string_lossy().to_string(),
    );
    let header = format!("Imported from {name} by `knowing-scratch import`.");
    let mut docs = Vec::new();
    for lesson in &found.lessons {
        let text = yaml::to_yaml(lesson, Some(&header));
        yaml::reads_back(lesson, &text).map_err(|e| {
            Error::Usage(format!(
                "the YAML written for lesson `{}` does not read back as imported ({e}); please report this",
                lesson.id
            ))
        })?;
        docs.push(text);
    }
    let summary = found.summary(&shown);
    let Some(dir) = args.out.as_deref() else {
        print!("{}", docs.join("---\n"));
        for line in &summary {
            eprintln!("{line}");
        }
        return Ok(Exit::Ok);
    };
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create the folder `{}`", dir.display()))?;
    let paths: Vec<_> = found
        .lessons
        .iter()
        .enumerate()
        .map(|(i, l)| dir.join(format!("{:02}-{}.yaml", i + 1, l.id)))
        .collect();
    if let Some(p) = paths.iter().find(|p| p.exists()) {
        return Err(Error::Usage(format!(
            "`{}` exists already: import into an empty folder, or remove it first",
            p.display()
        )));
    }
    for (path, text) in paths.iter().zip(&docs) {
        std::fs::write(path, text).with_context(|| format!("cannot write `{}`", path.display()))?;
        println!("wrote {}", path.display());
    }
    for line in &summary {
        eprintln!("{line}");
    }
    Ok(Exit::Ok)
}
