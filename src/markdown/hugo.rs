//! Site parameters of tutorials written for Hugo sites, Docker's own docs
//! among them: `FROM golang:{{% param "example_go_version" %}}` is what the
//! page shows as `FROM golang:1.25`. Left as written, the shortcode reaches
//! the shell and the build, and the lesson fails for a reason the page does
//! not have.
//!
//! `import` replaces each `{{% param NAME %}}` or `{{< param NAME >}}` (the
//! name quoted or not) with its value: from `--param NAME=VALUE`, else from
//! the `params:` of the nearest `hugo.yaml` or `hugo.yml` in the tutorial's
//! folder or above it. A parameter with no value stays as written, with a
//! warning that says how to give one. Values are one line, so the lines of
//! the tutorial keep their numbers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use anyhow::Context;
use regex::Regex;

static PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"\{\{%\s*param\s+(?:"([^"\n]+)"|([\w.-]+))\s*%\}\}|\{\{<\s*param\s+(?:"([^"\n]+)"|([\w.-]+))\s*>\}\}"#,
    )
    .expect("param regex compiles")
});

/// Site parameters: `name` (dotted for nested ones) → value.
pub type Params = BTreeMap<String, String>;

/// What substituting found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Substituted {
    pub text: String,
    /// The parameters replaced, each once, in name order.
    pub used: Vec<String>,
    /// Line and shortcode of each parameter left as written.
    pub missing: Vec<(usize, String, String)>,
}

/// Replace the `param` shortcodes of `markdown` whose value `params` holds.
pub fn substitute(markdown: &str, params: &Params) -> Substituted {
    let mut out = Substituted::default();
    let mut text = String::with_capacity(markdown.len());
    for (index, line) in markdown.split_inclusive('\n').enumerate() {
        let mut last = 0;
        for caps in PARAM.captures_iter(line) {
            let whole = caps.get(0).expect("group 0");
            let name = (1..=4)
                .find_map(|g| caps.get(g))
                .expect("one name group matches")
                .as_str();
            text.push_str(&line[last..whole.start()]);
            match params.get(name).filter(|v| !v.contains('\n')) {
                Some(value) => {
                    text.push_str(value);
                    if !out.used.iter().any(|u| u == name) {
                        out.used.push(name.to_string());
                    }
                }
                None => {
                    text.push_str(whole.as_str());
                    out.missing
                        .push((index + 1, whole.as_str().to_string(), name.to_string()));
                }
            }
            last = whole.end();
        }
        text.push_str(&line[last..]);
    }
    out.used.sort();
    out.text = text;
    out
}

/// The nearest `hugo.yaml` or `hugo.yml` from `folder` up.
pub fn site_config(folder: &Path) -> Option<PathBuf> {
    folder.ancestors().find_map(|dir| {
        ["hugo.yaml", "hugo.yml"]
            .iter()
            .map(|name| dir.join(name))
            .find(|path| path.is_file())
    })
}

/// The `params:` of a Hugo site configuration, nested keys dotted; only
/// strings, numbers and booleans have a value to put in a page.
pub fn read_params(config: &Path) -> anyhow::Result<Params> {
    let text = std::fs::read_to_string(config)
        .with_context(|| format!("cannot read `{}`", config.display()))?;
    let value: serde_norway::Value = serde_norway::from_str(&text)
        .with_context(|| format!("`{}` is not YAML", config.display()))?;
    let mut params = Params::new();
    if let Some(p) = value.get("params") {
        flatten("", p, &mut params);
    }
    Ok(params)
}

fn flatten(prefix: &str, value: &serde_norway::Value, out: &mut Params) {
    use serde_norway::Value;
    match value {
        Value::Mapping(map) => {
            for (key, v) in map {
                let Some(key) = key.as_str() else { continue };
                let name = if prefix.is_empty() {
                    key.to_string()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, v, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_string(), s.clone());
        }
        Value::Number(n) => {
            out.insert(prefix.to_string(), n.to_string());
        }
        Value::Bool(b) => {
            out.insert(prefix.to_string(), b.to_string());
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn both_shortcode_forms_quoted_or_not_are_replaced() {
        let md = "FROM golang:{{% param \"example_go_version\" %}}\nARG A={{< param example_alpine_version >}} {{%param example_go_version%}}\n";
        let p = params(&[
            ("example_go_version", "1.25"),
            ("example_alpine_version", "3.23"),
        ]);
        let s = substitute(md, &p);
        assert_eq!(s.text, "FROM golang:1.25\nARG A=3.23 1.25\n");
        assert_eq!(s.used, ["example_alpine_version", "example_go_version"]);
        assert_eq!(s.missing, []);
    }

    #[test]
    fn a_parameter_without_a_value_stays_and_is_reported_with_its_line() {
        let md = "one\nFROM golang:{{% param \"example_go_version\" %}}\n{{< tabs >}}\n";
        let s = substitute(md, &Params::new());
        assert_eq!(s.text, md);
        assert_eq!(
            s.missing,
            [(
                2,
                "{{% param \"example_go_version\" %}}".to_string(),
                "example_go_version".to_string()
            )]
        );
        // Mismatched delimiters are not a shortcode.
        assert_eq!(
            substitute("{{% param a >}}", &params(&[("a", "1")])).used,
            Vec::<String>::new()
        );
    }

    #[test]
    fn params_come_from_the_nearest_hugo_yaml_nested_keys_dotted() {
        let tmp = tempfile::tempdir().unwrap();
        let page = tmp.path().join("content/manuals/build");
        std::fs::create_dir_all(&page).unwrap();
        std::fs::write(
            tmp.path().join("hugo.yaml"),
            "title: Docs\nparams:\n  example_go_version: \"1.25\"\n  latest: 29\n  analytics:\n    google: GTM\n  list: [a, b]\n",
        )
        .unwrap();
        let config = site_config(&page).expect("found above the page");
        assert_eq!(config, tmp.path().join("hugo.yaml"));
        assert_eq!(
            read_params(&config).unwrap(),
            params(&[
                ("analytics.google", "GTM"),
                ("example_go_version", "1.25"),
                ("latest", "29")
            ])
        );
        assert_eq!(site_config(Path::new("/nonexistent/folder")), None);
    }
}
