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
//!
//! Tabs (`{{< tabs >}}`, then a `{{< tab name="Linux" >}}` … `{{< /tab >}}`
//! per platform) show the same task for several systems; a replay runs one
//! of them. `choose_tabs` keeps the tab named by `--tab`, else the first
//! whose name says Linux, else the first, and blanks the other tabs' lines
//! and the shortcode lines, so line numbers stay too. Other lines that hold
//! one shortcode alone are page furniture and go as well
//! (`drop_shortcode_lines`). [`prepare`] runs the three passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use anyhow::Context;
use regex::Regex;

use super::{Note, NoteKind};

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
struct Substituted {
    text: String,
    /// The parameters replaced and their values, each once, in name order.
    used: Vec<(String, String)>,
    /// Line, shortcode and name of each parameter left as written.
    missing: Vec<(usize, String, String)>,
}

/// Replace the `param` shortcodes of `markdown` whose value `params` holds.
fn substitute(markdown: &str, params: &Params) -> Substituted {
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
                    if !out.used.iter().any(|(u, _)| u == name) {
                        out.used.push((name.to_string(), value.clone()));
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

/// A page made ready for `import`: its parameters filled in, one tab of each
/// group kept, its furniture lines gone; with the summary's notes on what
/// that left out or could not do, and the parameters used.
pub struct Prepared {
    pub text: String,
    pub notes: Vec<Note>,
    pub used: Vec<(String, String)>,
}

/// Make `markdown` ready for `import` (see [`Prepared`]).
pub fn prepare(markdown: &str, params: &Params, prefer_tabs: &[String]) -> Prepared {
    let filled = substitute(markdown, params);
    let (text, skipped_tabs) = choose_tabs(&filled.text, prefer_tabs);
    let (text, includes) = drop_shortcode_lines(&text);
    let warning = |line, text| Note {
        line,
        kind: NoteKind::Warning,
        text,
    };
    let mut notes: Vec<Note> = filled
        .missing
        .iter()
        .map(|(line, shortcode, name)| {
            warning(
                *line,
                format!("`{shortcode}` is a Hugo site parameter with no value here: give it with `--param {name}=VALUE`"),
            )
        })
        .collect();
    notes.extend(skipped_tabs.iter().map(|tab| Note {
        line: tab.line,
        kind: NoteKind::Skipped,
        text: format!(
            "tab `{}` of the tabs at line {}: kept `{}` (`--tab NAME` keeps another)",
            tab.name, tab.group_line, tab.kept
        ),
    }));
    notes.extend(includes.into_iter().map(|(line, shortcode)| {
        warning(
            line,
            format!("`{shortcode}` pulls in another file, which import does not read: its commands are not in the lessons"),
        )
    }));
    notes.sort_by_key(|n| n.line);
    Prepared {
        text,
        notes,
        used: filled.used,
    }
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

static TABS_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\{\{[<%]\s*tabs\b[^}]*[>%]\}\}\s*$").expect("regex compiles")
});
static TABS_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*\{\{[<%]\s*/tabs\s*[>%]\}\}\s*$").expect("regex compiles"));
static TAB_OPEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\{\{[<%]\s*tab\s+(?:name=)?"([^"]*)"[^}]*[>%]\}\}"#).expect("regex compiles")
});
static TAB_CLOSE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{\{[<%]\s*/tab\s*[>%]\}\}").expect("regex compiles"));

/// A tab left out: its line, its name, and the line and the kept tab of its
/// group.
#[derive(Debug, Clone, PartialEq, Eq)]
struct SkippedTab {
    line: usize,
    name: String,
    group_line: usize,
    kept: String,
}

/// One `{{< tab >}}` of a group: its name and its lines (0-based, the
/// shortcode lines included).
struct Tab {
    name: String,
    first: usize,
    lines: Vec<usize>,
}

/// Keep one tab of each group (`prefer` first, in order, case aside; else
/// one whose name says Linux; else the first); blank the rest.
fn choose_tabs(markdown: &str, prefer: &[String]) -> (String, Vec<SkippedTab>) {
    let mut lines: Vec<String> = markdown.split_inclusive('\n').map(str::to_string).collect();
    let mut skipped = Vec::new();
    let code = in_code(&lines);
    let mut group: Option<(usize, Vec<Tab>)> = None;
    for i in 0..lines.len() {
        let text = lines[i].trim_end_matches(['\n', '\r']).to_string();
        // Shortcodes shown inside a code block are the block's text.
        if group.is_none() {
            if code[i] {
                continue;
            }
            if TABS_OPEN.is_match(&text) {
                group = Some((i, Vec::new()));
                blank(&mut lines[i]);
            }
            continue;
        }
        let (start, tabs) = group.as_mut().expect("in a group");
        if TABS_CLOSE.is_match(&text) {
            blank(&mut lines[i]);
            let start = *start;
            let tabs = std::mem::take(tabs);
            group = None;
            let keep = pick(&tabs, prefer);
            for (k, tab) in tabs.iter().enumerate() {
                if Some(k) == keep {
                    continue;
                }
                for &l in &tab.lines {
                    blank(&mut lines[l]);
                }
                skipped.push(SkippedTab {
                    line: tab.first + 1,
                    name: tab.name.clone(),
                    group_line: start + 1,
                    kept: keep.map(|k| tabs[k].name.clone()).unwrap_or_default(),
                });
            }
            continue;
        }
        if let Some(caps) = TAB_OPEN.captures(&text) {
            tabs.push(Tab {
                name: caps[1].to_string(),
                first: i,
                lines: Vec::new(),
            });
        }
        if let Some(tab) = tabs.last_mut() {
            tab.lines.push(i);
        }
        // The kept tab's text stays, without its shortcodes.
        let stripped = TAB_CLOSE
            .replace_all(&TAB_OPEN.replace_all(&text, ""), "")
            .into_owned();
        if stripped != text {
            let end = &lines[i][text.len()..];
            lines[i] = if stripped.trim().is_empty() {
                end.to_string()
            } else {
                format!("{stripped}{end}")
            };
        }
    }
    (lines.concat(), skipped)
}

/// Per line: whether it belongs to a fenced code block (fences included).
fn in_code(lines: &[String]) -> Vec<bool> {
    let mut fence: Option<&str> = None;
    lines
        .iter()
        .map(|line| {
            let trimmed = line.trim_start();
            match fence {
                Some(f) if trimmed.starts_with(f) => fence = None,
                Some(_) => {}
                None if trimmed.starts_with("```") => fence = Some("```"),
                None if trimmed.starts_with("~~~") => fence = Some("~~~"),
                None => return false,
            }
            true
        })
        .collect()
}

static SHORTCODE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*\{\{(?:<\s*(/?[\w.-]+)[^\n]*>|%\s*(/?[\w.-]+)[^\n]*%)\}\}\s*$")
        .expect("regex compiles")
});

/// Blank the lines outside code that hold nothing but one shortcode (a
/// video, a button, a `notice`'s opening and closing lines): page furniture,
/// not the tutorial's words. Returns the `include`s among them, whose text
/// a replay never sees, with their lines.
fn drop_shortcode_lines(markdown: &str) -> (String, Vec<(usize, String)>) {
    let mut lines: Vec<String> = markdown.split_inclusive('\n').map(str::to_string).collect();
    let code = in_code(&lines);
    let mut includes = Vec::new();
    for (i, line) in lines.iter_mut().enumerate() {
        if code[i] {
            continue;
        }
        let text = line.trim_end_matches(['\n', '\r']);
        let Some(caps) = SHORTCODE_LINE.captures(text) else {
            continue;
        };
        let name = caps.get(1).or(caps.get(2)).map_or("", |m| m.as_str());
        if name == "param" {
            // Left for its warning (`substitute`).
            continue;
        }
        if name.contains("include") {
            includes.push((i + 1, text.trim().to_string()));
        }
        blank(line);
    }
    (lines.concat(), includes)
}

/// Which tab of a group to keep.
fn pick(tabs: &[Tab], prefer: &[String]) -> Option<usize> {
    prefer
        .iter()
        .find_map(|p| tabs.iter().position(|t| t.name.eq_ignore_ascii_case(p)))
        .or_else(|| {
            tabs.iter()
                .position(|t| t.name.to_ascii_lowercase().contains("linux"))
        })
        .or((!tabs.is_empty()).then_some(0))
}

/// Empty a line, keeping its line ending.
fn blank(line: &mut String) {
    let end = if line.ends_with("\r\n") {
        "\r\n"
    } else if line.ends_with('\n') {
        "\n"
    } else {
        ""
    };
    *line = end.to_string();
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
        assert_eq!(
            s.used,
            [
                ("example_alpine_version".to_string(), "3.23".to_string()),
                ("example_go_version".to_string(), "1.25".to_string())
            ]
        );
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
            []
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

    const TABBED: &str = "Intro\n\n{{< tabs group=\"os\" >}}\n{{< tab name=\"Mac\" >}}\n\n```console\n$ open -a Docker\n```\n\n{{< /tab >}}\n{{< tab name=\"Linux\" >}}\n\n```console\n$ systemctl start docker\n```\n\n{{< /tab >}}\n{{< /tabs >}}\n\n```console\n$ docker version\n```\n";

    #[test]
    fn tabs_keep_the_linux_one_and_blank_the_rest_line_for_line() {
        let (text, skipped) = choose_tabs(TABBED, &[]);
        assert_eq!(
            text,
            "Intro\n\n\n\n\n\n\n\n\n\n\n\n```console\n$ systemctl start docker\n```\n\n\n\n\n```console\n$ docker version\n```\n"
        );
        assert_eq!(text.lines().count(), TABBED.lines().count());
        assert_eq!(
            skipped,
            [SkippedTab {
                line: 4,
                name: "Mac".into(),
                group_line: 3,
                kept: "Linux".into()
            }]
        );
    }

    #[test]
    fn tab_picks_by_name_and_falls_back_to_the_first() {
        let (text, skipped) = choose_tabs(TABBED, &["mac".to_string()]);
        assert!(text.contains("$ open -a Docker\n"), "{text}");
        assert!(!text.contains("systemctl"), "{text}");
        assert_eq!(skipped[0].name, "Linux");
        assert_eq!(skipped[0].kept, "Mac");
        let other = TABBED.replace("Linux", "Windows");
        let (text, _) = choose_tabs(&other, &[]);
        assert!(text.contains("$ open -a Docker\n"), "{text}");
        // One-line tabs keep their text without the shortcodes.
        let inline = "{{< tabs >}}\n{{< tab name=\"Linux\" >}}**Linux**: apt{{< /tab >}}\n{{< tab name=\"Mac\" >}}brew{{< /tab >}}\n{{< /tabs >}}\n";
        assert_eq!(choose_tabs(inline, &[]).0, "\n**Linux**: apt\n\n\n");
    }

    #[test]
    fn lines_of_one_shortcode_go_and_includes_are_named() {
        let md = "{{< youtube-embed wJwqtAkmtQA >}}\nText {{< ref \"x\" >}} stays.\n{{% notice info %}}\nInside stays.\n{{% /notice %}}\n{{< include \"setup.md\" >}}\n```\n{{< button >}}\n```\n";
        let (text, includes) = drop_shortcode_lines(md);
        assert_eq!(
            text,
            "\nText {{< ref \"x\" >}} stays.\n\nInside stays.\n\n\n```\n{{< button >}}\n```\n"
        );
        assert_eq!(includes, [(6, "{{< include \"setup.md\" >}}".to_string())]);
    }

    #[test]
    fn tabs_shown_in_a_code_block_stay() {
        let md = "```\n{{< tabs >}}\n{{< tab name=\"A\" >}}\nx\n{{< /tab >}}\n{{< /tabs >}}\n```\n";
        assert_eq!(choose_tabs(md, &[]), (md.to_string(), Vec::new()));
    }
}
