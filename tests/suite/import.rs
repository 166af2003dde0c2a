//! The import corpus: Markdown tutorials in the styles people write them
//! (console blocks, script blocks, separate output blocks, indented code,
//! root/host/PowerShell prompts, heredocs, sessions, error outputs, host
//! commands, prose everywhere), each in `tests/fixtures/import/`.
//!
//! For each one the whole import is a reviewed snapshot: every lesson file
//! (title, text, command, output, exit, undocumented values, requirements)
//! and every summary line, exactly. The written lessons must also load.

use std::path::{Path, PathBuf};

use knowing_scratch::lesson::load_dir;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

fn ks(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = support::command(dir)
        .args(["--color", "never"])
        .args(args)
        .output()
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Import `name`.md: the snapshot of what it prints, and the lessons load.
fn imports(name: &str) {
    let file = format!("{name}.md");
    let (code, stdout, stderr) = ks(&corpus(), &["import", &file]);
    assert_eq!(code, 0, "{stderr}");
    insta::with_settings!({
        snapshot_path => corpus().join("snapshots"),
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, format!("{stdout}--- summary on stderr\n{stderr}"));
    });
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("lessons");
    let (code, written, again) = ks(
        &corpus(),
        &["import", &file, "--out", out.to_str().unwrap()],
    );
    assert_eq!((code, again.as_str()), (0, stderr.as_str()));
    let set = load_dir(&out).unwrap_or_else(|e| panic!("{name}: the lessons load: {e}"));
    assert_eq!(set.lessons.len(), written.lines().count());
    assert_eq!(set.lessons.len(), stdout.matches("\nid: ").count());
}

macro_rules! corpus_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(
            #[test]
            fn $test() {
                imports($name);
            }
        )*
    };
}

corpus_tests! {
    hello_world_with_a_dockerfile_fence => "01-hello-world",
    multi_stage_build_with_front_matter_and_output_block => "02-multi-stage",
    scratch_image_from_an_indented_heredoc => "03-scratch-heredoc",
    each_command_with_its_own_output_block => "04-output-blocks",
    indented_code_blocks_and_setext_headings => "05-indented",
    root_host_and_powershell_prompts => "06-prompts",
    comments_and_commands_without_prompts => "07-comments-and-promptless",
    continuations_and_heredocs_stay_whole => "08-continuations",
    interactive_sessions_become_typed_input => "09-interactive",
    errors_elisions_templates_and_buildkit_logs => "10-errors-and-elisions",
    host_commands_are_flagged_and_unscriptable_ones_skipped => "11-trust",
    every_paragraph_and_heading_lands_somewhere => "12-prose-everywhere",
}

/// A lesson with one step marked `requires: [host]`, run with the fake
/// docker client (its commands need no Docker).
fn host_lesson() -> (tempfile::TempDir, String) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("lessons")).unwrap();
    std::fs::write(
        tmp.path().join("lessons/01-host.yaml"),
        "id: host\ntitle: Host\nsteps:\n  - title: plain\n    run: echo plain\n    output: |\n      plain\n\n  - title: touches the host\n    run: |\n      echo ran > marker.txt\n      cat marker.txt\n    requires: [host]\n    output: |\n      ran\n",
    )
    .unwrap();
    let docker = support::fake_docker().display().to_string();
    (tmp, docker)
}

fn check_with(dir: &Path, docker: &str, extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["--docker", docker, "check"];
    args.extend_from_slice(extra);
    let out = support::command(dir)
        .env("FAKE_DOCKER_TAPE", support::tape("docker-28-buildx.tape"))
        // The fake engine's ledger: the engine lock is a container it must remember.
        .env("FAKE_DOCKER_STATE", dir.join("fake-engine"))
        .args(["--color", "never"])
        .args(&args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn host_steps_run_only_with_allow_host() {
    let (tmp, docker) = host_lesson();
    let (code, stdout, _) = check_with(tmp.path(), &docker, &[]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.contains("needs `host`: it changes this machine; read it with `list --commands`, then pass --allow-host"),
        "{stdout}"
    );
    assert!(
        stdout.ends_with("1 passed, 0 failed, 1 skipped\n"),
        "{stdout}"
    );
    assert!(!tmp.path().join("marker.txt").exists());
    let (code, stdout, _) = check_with(tmp.path(), &docker, &["--allow-host"]);
    assert_eq!(code, 0, "{stdout}");
    assert!(
        stdout.ends_with("2 passed, 0 failed, 0 skipped\n"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("marker.txt")).unwrap(),
        "ran\n"
    );
}

#[test]
fn list_commands_shows_what_would_run_and_runs_nothing() {
    let (tmp, _) = host_lesson();
    let (code, stdout, stderr) = ks(tmp.path(), &["list", "--commands"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert_eq!(
        stdout,
        "host (lessons/01-host.yaml)\n  runs alone under --jobs: step 'touches the host' writes the file `marker.txt`\n  1. plain [line 4]\n     $ echo plain\n  2. touches the host [line 9]  (requires host)\n     $ echo ran > marker.txt\n       cat marker.txt\n"
    );
    assert!(!tmp.path().join("marker.txt").exists());
}

/// A page written for a Hugo site (Docker's own docs are one): its
/// `{{% param %}}` shortcodes get the values of the nearest `hugo.yaml`, or
/// of `--param`, and one with no value is left as written, with a warning.
#[test]
fn hugo_site_parameters_are_filled_in() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("content/build");
    std::fs::create_dir_all(&page).unwrap();
    std::fs::write(
        page.join("page.md"),
        "# Build\n\n```dockerfile\nFROM golang:{{% param \"example_go_version\" %}} AS build\nFROM alpine:{{< param example_alpine_version >}}\n```\n\n```console\n$ docker build -t hello .\n```\n",
    )
    .unwrap();
    let yaml = |go: &str, alpine: &str, images: &str| {
        format!(
            "# Imported from page.md by `knowing-scratch import`.\n\
             id: build\ntitle: Build\n{images}steps:\n  - title: Write `Dockerfile`\n    run: |\n      cat > Dockerfile <<'EOF'\n      FROM golang:{go} AS build\n      FROM alpine:{alpine}\n      EOF\n\n  - title: Step 2\n    run: docker build -t hello .\n    undocumented: [output, exit]\n    match: buildkit\n"
        )
    };
    let counts = "imported page.md: 1 lesson, 2 steps, 0 with a documented output\n";
    let open =
        "1 step where the docs leave out an output or exit code: `check --bless` fills them in\n";

    // No site around the page: both stay, each with a warning.
    let (code, stdout, stderr) = ks(&page, &["import", "page.md"]);
    assert_eq!(code, 0, "{stderr}");
    // An image whose name is not known yet is not listed.
    assert_eq!(
        stdout,
        yaml(
            "{{% param \"example_go_version\" %}}",
            "{{< param example_alpine_version >}}",
            ""
        )
    );
    assert_eq!(
        stderr,
        format!(
            "{counts}\
             warning page.md:4: `{{{{% param \"example_go_version\" %}}}}` is a Hugo site parameter with no value here: give it with `--param example_go_version=VALUE`\n\
             warning page.md:5: `{{{{< param example_alpine_version >}}}}` is a Hugo site parameter with no value here: give it with `--param example_alpine_version=VALUE`\n\
             {open}"
        )
    );

    // The site's hugo.yaml two folders up, and --param over it.
    std::fs::write(
        tmp.path().join("hugo.yaml"),
        "params:\n  example_go_version: \"1.25\"\n  example_alpine_version: \"3.23\"\n",
    )
    .unwrap();
    let (code, stdout, stderr) = ks(
        &page,
        &["import", "page.md", "--param", "example_go_version=1.24"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        yaml("1.24", "3.23", "images: [golang:1.24, alpine:3.23]\n")
    );
    assert_eq!(
        stderr,
        format!(
            "{counts}Hugo site parameters filled in: example_alpine_version=3.23, example_go_version=1.24 (`--param` and `../../hugo.yaml`)\n{open}"
        )
    );
}

/// Hugo tabs show one task for several systems: the replay keeps the Linux
/// tab (or the one `--tab` names) and lists the others as skipped.
#[test]
fn hugo_tabs_keep_one_tab_and_list_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("tabs.md"),
        "# Start\n\n{{< tabs group=\"os\" >}}\n{{< tab name=\"Mac\" >}}\n\n```console\n$ echo mac\nmac\n```\n\n{{< /tab >}}\n{{< tab name=\"Linux\" >}}\n\n```console\n$ echo linux\nlinux\n```\n\n{{< /tab >}}\n{{< /tabs >}}\n",
    )
    .unwrap();
    let lesson = |word: &str| {
        format!(
            "# Imported from tabs.md by `knowing-scratch import`.\nid: start\ntitle: Start\nsteps:\n  - title: Step 1\n    run: echo {word}\n    output: |\n      {word}\n"
        )
    };
    let counts = "imported tabs.md: 1 lesson, 1 step, 1 with a documented output\n";
    let (code, stdout, stderr) = ks(tmp.path(), &["import", "tabs.md"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, lesson("linux"));
    assert_eq!(
        stderr,
        format!("{counts}skipped tabs.md:4: tab `Mac` of the tabs at line 3: kept `Linux` (`--tab NAME` keeps another)\n")
    );
    let (code, stdout, stderr) = ks(tmp.path(), &["import", "tabs.md", "--tab", "mac"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout, lesson("mac"));
    assert_eq!(
        stderr,
        format!("{counts}skipped tabs.md:12: tab `Linux` of the tabs at line 3: kept `Mac` (`--tab NAME` keeps another)\n")
    );
}

/// A line that holds one Hugo shortcode alone (a video, a button) is page
/// furniture and leaves no trace; an `include` is named, since its commands
/// never reach the lessons.
#[test]
fn hugo_shortcode_lines_go_and_includes_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("page.md"),
        "## Try it\n\n{{< youtube-embed wJwqtAkmtQA >}}\n\n{{% include \"setup.md\" %}}\n\nSay it:\n\n```console\n$ echo hi\nhi\n```\n\n{{< button text=\"Next\" url=\"next\" >}}\n",
    )
    .unwrap();
    let (code, stdout, stderr) = ks(tmp.path(), &["import", "page.md"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout,
        "# Imported from page.md by `knowing-scratch import`.\nid: try-it\ntitle: Try it\nsteps:\n  - title: Step 1\n    text: |\n      Say it:\n    run: echo hi\n    output: |\n      hi\n"
    );
    assert_eq!(
        stderr,
        "imported page.md: 1 lesson, 1 step, 1 with a documented output\n\
         warning page.md:5: `{{% include \"setup.md\" %}}` pulls in another file, which import does not read: its commands are not in the lessons\n"
    );
}
