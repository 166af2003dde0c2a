//! `knowing-scratch import FILE.md [--out DIR]`: turn a Markdown tutorial into
//! lesson files, printed as YAML documents or written as `NN-<id>.yaml`.

use anyhow::Context;

use crate::error::{Error, Exit};
use crate::import;
use crate::settings::ImportArgs;

pub fn import(args: &ImportArgs) -> Result<Exit, Error> {
    let file = args.file.as_path();
    let markdown = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the tutorial `{}`", file.display()))?;
    let found = import::import(&markdown);
    if found.lessons.is_empty() {
        return Err(Error::Usage(format!(
            "`{}` holds no commands to import: write each as a fenced block followed by a `<details>` output block, or as `$ ` lines in a ```console block",
            file.display()
        )));
    }
    for title in &found.skipped {
        eprintln!("left out section `{title}`: it holds no command");
    }
    let name = file.file_name().map_or_else(
        || "a Markdown tutorial".into(),
        |n| n.to_string_lossy().to_string(),
    );
    let header = format!("Imported from {name} by `knowing-scratch import`.");
    let mut docs = Vec::new();
    for lesson in &found.lessons {
        let yaml = import::to_yaml(lesson, Some(&header));
        import::reads_back(lesson, &yaml).map_err(|e| {
            Error::Usage(format!(
                "the YAML written for lesson `{}` does not read back as imported ({e}); please report this",
                lesson.id
            ))
        })?;
        docs.push(yaml);
    }
    let Some(dir) = args.out.as_deref() else {
        print!("{}", docs.join("---\n"));
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
    for (path, yaml) in paths.iter().zip(&docs) {
        std::fs::write(path, yaml).with_context(|| format!("cannot write `{}`", path.display()))?;
        println!("wrote {}", path.display());
    }
    Ok(Exit::Ok)
}
