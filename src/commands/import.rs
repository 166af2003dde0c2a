//! `knowing-scratch import FILE.md [--out DIR] [--param NAME=VALUE] [--tab
//! NAME]`: turn a Markdown tutorial into lesson files, printed as YAML
//! documents or written as `NN-<id>.yaml`, and say on stderr what was found,
//! skipped and flagged.

use anyhow::Context;

use crate::error::{Error, Exit};
use crate::markdown::{self, hugo, yaml};
use crate::settings::ImportArgs;

pub fn import(args: &ImportArgs) -> Result<Exit, Error> {
    let file = args.file.as_path();
    let markdown = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the tutorial `{}`", file.display()))?;
    let (params, from) = site_params(args, &markdown)?;
    let page = hugo::prepare(&markdown, &params, &args.tabs);
    let mut found = markdown::import(&page.text);
    found.notes.extend(page.notes);
    found.notes.sort_by_key(|n| n.line);
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
    let mut summary = found.summary(&shown);
    if !page.used.is_empty() {
        let values: Vec<String> = page.used.iter().map(|(n, v)| format!("{n}={v}")).collect();
        summary.insert(
            1,
            format!(
                "Hugo site parameters filled in: {} ({from})",
                values.join(", ")
            ),
        );
    }
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

/// The Hugo site parameters for the page, and where they came from:
/// `--param` over the nearest `hugo.yaml`, read only when the page names a
/// parameter.
fn site_params(args: &ImportArgs, markdown: &str) -> Result<(hugo::Params, String), Error> {
    let mut params = hugo::Params::new();
    let mut from = Vec::new();
    if markdown.contains("param") {
        let folder = std::fs::canonicalize(&args.file)
            .ok()
            .and_then(|f| f.parent().map(std::path::Path::to_path_buf));
        if let Some(config) = folder.as_deref().and_then(hugo::site_config) {
            params = hugo::read_params(&config)?;
            let cwd = std::env::current_dir().unwrap_or_default();
            from.push(format!("`{}`", relative(&config, &cwd).display()));
        }
    }
    if !args.params.is_empty() {
        params.extend(args.params.iter().cloned());
        from.insert(0, "`--param`".to_string());
    }
    Ok((params, from.join(" and ")))
}

/// `path` as seen from the folder `from` (both absolute): `../hugo.yaml`.
fn relative(path: &std::path::Path, from: &std::path::Path) -> std::path::PathBuf {
    let common = path
        .components()
        .zip(from.components())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = std::path::PathBuf::new();
    for _ in common..from.components().count() {
        out.push("..");
    }
    out.extend(path.components().skip(common));
    out
}
