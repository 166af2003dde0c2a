//! The documentation commands: `render`, `import`, `check --bless`,
//! `completions` and `man`. One module per command; fixtures live in
//! `tests/fixtures/docs/`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use support::text::assert_text;

/// What one run of the binary gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn fixtures() -> PathBuf {
    support::fixture("docs")
}

/// Run the binary in `dir`, without colors and without asking the network.
fn ks(dir: &Path, args: &[&str]) -> Run {
    ks_with(dir, &[], args)
}

/// [`ks`] with these environment variables.
fn ks_with(dir: &Path, env: &[(&str, &Path)], args: &[&str]) -> Run {
    // The engine test talks to the real engine, where the user's docker would.
    let out = Command::from_std(support::command(dir))
        .envs(support::user_docker_env())
        .envs(env.iter().copied())
        .args(["--color", "never"])
        .args(args)
        .timeout(std::time::Duration::from_secs(300))
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

/// Replace exactly one occurrence of `from` in the file.
fn edit_once(file: &Path, from: &str, to: &str) {
    let text = read(file);
    assert_eq!(
        text.matches(from).count(),
        1,
        "`{from}` occurs once in {}",
        file.display()
    );
    std::fs::write(file, text.replacen(from, to, 1)).unwrap();
}

mod render {
    use super::*;

    /// A temp dir with the render fixture lessons and a README to render into.
    fn setup(readme: &str) -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(
            &fixtures().join("render/lessons"),
            &tmp.path().join("lessons"),
        );
        let path = tmp.path().join("README.md");
        std::fs::copy(fixtures().join("render").join(readme), &path).unwrap();
        (tmp, path)
    }

    #[test]
    fn writes_the_lessons_between_the_markers_exactly() {
        let (tmp, readme) = setup("README.md");
        let r = ks(tmp.path(), &["render"]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "rendered 2 lessons into `README.md`\n", "")
        );
        assert_text(
            "the rendered README",
            &read(&fixtures().join("render/README.expected.md")),
            &read(&readme),
        );
        let again = ks(tmp.path(), &["render"]);
        assert_eq!(
            (again.code, again.stdout.as_str()),
            (0, "`README.md` is already up to date\n")
        );
    }

    #[test]
    fn check_passes_on_a_fresh_readme_and_writes_nothing() {
        let (tmp, readme) = setup("README.expected.md");
        let before = std::fs::metadata(&readme).unwrap().modified().unwrap();
        let r = ks(tmp.path(), &["render", "--check"]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (0, "", "`README.md` is up to date with the lessons\n")
        );
        assert_eq!(
            std::fs::metadata(&readme).unwrap().modified().unwrap(),
            before
        );
    }

    /// The `-`/`+` lines of a unified diff, without its headers.
    fn changes(diff: &str) -> Vec<&str> {
        diff.lines()
            .filter(|l| {
                (l.starts_with('-') || l.starts_with('+'))
                    && !l.starts_with("---")
                    && !l.starts_with("+++")
            })
            .collect()
    }

    #[test]
    fn check_fails_with_a_diff_when_one_word_of_prose_changes() {
        let (tmp, readme) = setup("README.expected.md");
        edit_once(
            &tmp.path().join("lessons/01-basics.yaml"),
            "Print a greeting.",
            "Print a welcome.",
        );
        let stale = read(&readme);
        let r = ks(tmp.path(), &["render", "--check"]);
        assert_eq!(r.code, 1, "{r:?}");
        assert_eq!(
            r.stdout,
            "--- README.md (as it is)\n+++ README.md (rendered)\n@@ -19,7 +19,7 @@\n \n ### Say hello\n \n-Print a greeting. The output holds a number that changes, so the\n+Print a welcome. The output holds a number that changes, so the\n lesson writes `{{int}}` there.\n \n ```\n"
        );
        assert_eq!(
            r.stderr,
            "stale: `README.md` does not match the lessons: run `knowing-scratch render` to update it\n"
        );
        assert_eq!(read(&readme), stale, "--check writes nothing");
    }

    #[test]
    fn check_fails_with_a_diff_when_one_word_of_output_changes() {
        let (tmp, _) = setup("README.expected.md");
        edit_once(
            &tmp.path().join("lessons/02-more.yaml"),
            "      not found [http 404]: {{*}}\n",
            "      missing [http 404]: {{*}}\n",
        );
        let r = ks(tmp.path(), &["render", "--check"]);
        assert_eq!(r.code, 1, "{r:?}");
        assert_eq!(
            changes(&r.stdout),
            [
                "-  not found [http 404]: {{*}}",
                "+  missing [http 404]: {{*}}"
            ]
        );
    }

    #[test]
    fn a_readme_without_markers_is_an_error_and_stays_untouched() {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(
            &fixtures().join("render/lessons"),
            &tmp.path().join("lessons"),
        );
        let text = "# Project\n\nNo markers here.\n";
        std::fs::write(tmp.path().join("README.md"), text).unwrap();
        for args in [&["render"][..], &["render", "--check"][..]] {
            let r = ks(tmp.path(), args);
            assert_eq!(
                (r.code, r.stdout.as_str(), r.stderr.as_str()),
                (
                    2,
                    "",
                    "error: `README.md` has no `<!-- lessons:begin -->` and `<!-- lessons:end -->` lines: add both, each on a line of its own, where the lessons go\n"
                )
            );
        }
        assert_eq!(read(&tmp.path().join("README.md")), text);
    }

    #[test]
    fn another_readme_can_be_named() {
        let (tmp, _) = setup("README.md");
        std::fs::rename(tmp.path().join("README.md"), tmp.path().join("DOCS.md")).unwrap();
        let r = ks(tmp.path(), &["render", "--readme", "DOCS.md"]);
        assert_eq!(
            (r.code, r.stdout.as_str()),
            (0, "rendered 2 lessons into `DOCS.md`\n")
        );
        assert_text(
            "the rendered DOCS.md",
            &read(&fixtures().join("render/README.expected.md")),
            &read(&tmp.path().join("DOCS.md")),
        );
    }
}

mod import {
    use super::*;
    use knowing_scratch::lesson::{load_dir, Lesson, LessonSet};

    /// Everything a rendered README carries, as comparable text.
    fn summary(set: &LessonSet) -> Vec<String> {
        set.lessons.iter().map(describe).collect()
    }

    fn describe(l: &Lesson) -> String {
        let mut s = format!(
            "lesson {} | {} | needs {:?} | recorded {:?}\nintro {:?}\n",
            l.id,
            l.title,
            l.needs,
            l.recorded,
            l.intro.trim_end()
        );
        for st in &l.steps {
            s.push_str(&format!(
                "step {:?}\n  text {:?}\n  run {:?}\n  output {:?}\n  exit {}\n  requires {:?}\n  input {:?}\n  stop {:?}\n",
                st.title,
                st.text.trim_end(),
                st.run.trim_end(),
                st.expected.output.source(),
                st.expected.exit,
                st.requires,
                st.tty.as_ref().map(|t| t
                    .iter()
                    .map(|x| (x.wait.clone(), x.send.clone()))
                    .collect::<Vec<_>>()),
                st.stop,
            ));
            for v in &st.variants {
                s.push_str(&format!(
                    "  variant {:?} note {:?} recorded {:?} output {:?} exit {}\n",
                    v.when.text(),
                    v.note,
                    v.recorded,
                    v.expected.output.source(),
                    v.expected.exit
                ));
            }
        }
        s
    }

    /// Render `lessons` into a README, import it, and load what came out.
    fn round_trip(lessons: &Path, summary: &str) -> (LessonSet, LessonSet) {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(lessons, &tmp.path().join("lessons"));
        std::fs::write(
            tmp.path().join("README.md"),
            "# T\n\n<!-- lessons:begin -->\n<!-- lessons:end -->\n",
        )
        .unwrap();
        let r = ks(tmp.path(), &["render"]);
        assert_eq!(r.code, 0, "{r:?}");
        let r = ks(tmp.path(), &["import", "README.md", "--out", "back"]);
        assert_eq!((r.code, r.stderr.as_str()), (0, summary), "{r:?}");
        let original = load_dir(&tmp.path().join("lessons")).expect("the originals load");
        let back = load_dir(&tmp.path().join("back")).expect("the imported lessons load");
        (original, back)
    }

    #[test]
    fn importing_the_rendered_readme_gives_the_lessons_back() {
        let (original, back) = round_trip(
            &fixtures().join("render/lessons"),
            "imported README.md: 2 lessons, 8 steps, 7 with a documented output\n",
        );
        assert_eq!(original.lessons.len(), 2);
        for (a, b) in summary(&original).iter().zip(summary(&back)) {
            assert_text("the imported lesson", a, &b);
        }
        assert_eq!(summary(&back).len(), 2);
    }

    #[test]
    fn the_project_lessons_survive_a_round_trip() {
        let (original, back) = round_trip(
            &support::repo().join("lessons"),
            "imported README.md: 12 lessons, 42 steps, 41 with a documented output\n",
        );
        assert_eq!(summary(&back).len(), original.lessons.len());
        for (a, b) in summary(&original).iter().zip(summary(&back)) {
            assert_text("the imported lesson", a, &b);
        }
    }

    #[test]
    fn the_seed_tutorial_imports_into_lessons_that_load() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::copy(
            fixtures().join("seed-README.md"),
            tmp.path().join("seed-README.md"),
        )
        .unwrap();
        let r = ks(
            tmp.path(),
            &["import", "seed-README.md", "--out", "lessons"],
        );
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (
                0,
                "wrote lessons/01-knowing-scratch-image.yaml\n\
                 wrote lessons/02-interesting-commands-output.yaml\n\
                 wrote lessons/03-create-your-image-from-scratch.yaml\n\
                 wrote lessons/04-image-layers-behavior.yaml\n\
                 wrote lessons/05-access-and-debug-images-without-shell.yaml\n\
                 wrote lessons/06-setup-user-non-root.yaml\n",
                "imported seed-README.md: 6 lessons, 19 steps, 19 with a documented output\n\
                 warning seed-README.md:427: section `References` holds no command: its text closes the lesson before, `Setup user non-root`\n"
            )
        );
        let set = load_dir(&tmp.path().join("lessons")).expect("the imported lessons load");
        let titles: Vec<(String, Vec<String>)> = set
            .lessons
            .iter()
            .map(|l| {
                (
                    l.id.clone(),
                    l.steps.iter().map(|s| s.title.clone()).collect(),
                )
            })
            .collect();
        let t = |id: &str, steps: &[&str]| {
            (
                id.to_string(),
                steps.iter().map(|s| (*s).to_string()).collect::<Vec<_>>(),
            )
        };
        assert_eq!(
            titles,
            vec![
                t("knowing-scratch-image", &["Step 1", "Step 2"]),
                t(
                    "interesting-commands-output",
                    &[
                        "image pull",
                        "image ls",
                        "container run",
                        "scan",
                        "regctl manifest"
                    ]
                ),
                t(
                    "create-your-image-from-scratch",
                    &["Step 1", "Step 2", "Step 3"]
                ),
                t("image-layers-behavior", &["Step 1"]),
                t(
                    "access-and-debug-images-without-shell",
                    &["Step 1", "Step 2", "Step 3", "Step 4"]
                ),
                t(
                    "setup-user-non-root",
                    &["Step 1", "Step 2", "Step 3", "Step 4"]
                ),
            ]
        );
        let ls = &set.lessons[1].steps[1];
        assert_eq!(ls.run, "docker image ls scratch");
        assert_eq!(
            ls.expected.output.source(),
            "Using default tag: latest\nError response from daemon: 'scratch' is a reserved name\n"
        );
        assert_eq!(
            ls.text,
            "You can use the `scratch` image as a base to build new images, but you can't list it. The `scratch` image isn't stored in your host either.\n"
        );
        let first = &set.lessons[0];
        assert!(
            first.intro.starts_with("Many know the [Scratch]"),
            "{}",
            first.intro
        );
        assert_eq!(first.steps[0].text, "Find this image on Docker Hub.\n");
        assert_eq!(
            first.steps[1].run,
            "docker search  scratch \\\n  --filter=is-official=true \\\n  --format '{{ .Description }}' \\\n  --no-trunc\n"
        );
        let build = &set.lessons[2].steps[0];
        assert_eq!(
            build.text,
            "Use the `Dockerfile-simple` file to build a new image from scratch. The new image will be really small.\n"
        );
        assert!(build.expected.output.source().ends_with(
            "#10 naming to docker.io/library/knowing-scratch-image done\n#10 DONE 0.0s\n"
        ));
    }

    #[test]
    fn without_out_the_documents_go_to_stdout() {
        let r = ks(&fixtures(), &["import", "seed-README.md"]);
        assert_eq!(r.code, 0, "{r:?}");
        let docs: Vec<&str> = r.stdout.split("---\n").collect();
        assert_eq!(docs.len(), 6);
        assert!(docs[1].starts_with(
            "# Imported from seed-README.md by `knowing-scratch import`.\nid: interesting-commands-output\ntitle: Interesting commands output\nneeds: [knowing-scratch-image]\nintro: |\n  There are multiple commands in Docker that print funny messages when using the `scratch` image.\nsteps:\n  - title: image pull\n    text: |\n      You can't pull the `scratch` image"
        ), "{}", docs[1]);
    }

    #[test]
    fn console_blocks_import() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(
            tmp.path().join("t.md"),
            "# Shell\n\n## Files\n\n### Look around\n\nList, then count.\n\n```console\n$ printf 'a\\nb\\n'\na\nb\n$ echo \\\n  done\ndone\n```\n",
        )
        .unwrap();
        let r = ks(tmp.path(), &["import", "t.md"]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (
                0,
                "# Imported from t.md by `knowing-scratch import`.\nid: files\ntitle: Files\nsteps:\n  - title: Look around (1)\n    text: |\n      List, then count.\n    run: printf 'a\\nb\\n'\n    output: |\n      a\n      b\n\n  - title: Look around (2)\n    run: |\n      echo \\\n        done\n    output: |\n      done\n",
                "imported t.md: 1 lesson, 2 steps, 2 with a documented output\n"
            )
        );
    }

    #[test]
    fn a_missing_or_empty_tutorial_is_a_usage_error() {
        let tmp = tempfile::tempdir().unwrap();
        let r = ks(tmp.path(), &["import", "nothere.md"]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (
                2,
                "",
                "error: cannot read the tutorial `nothere.md`: No such file or directory (os error 2)\n"
            )
        );
        std::fs::write(
            tmp.path().join("prose.md"),
            "# Notes\n\n## Only words\n\nNo commands.\n",
        )
        .unwrap();
        let r = ks(tmp.path(), &["import", "prose.md"]);
        assert_eq!(
            (r.code, r.stdout.as_str(), r.stderr.as_str()),
            (
                2,
                "",
                "warning prose.md:3: section `Only words` holds no command\nerror: `prose.md` holds no commands to import: put them in ```console blocks after `$ ` prompts, in ```bash blocks, or in indented code blocks\n"
            )
        );
    }

    #[test]
    fn import_never_overwrites_a_lesson_file() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("out")).unwrap();
        std::fs::write(
            tmp.path().join("out/02-interesting-commands-output.yaml"),
            "mine\n",
        )
        .unwrap();
        let seed = fixtures().join("seed-README.md");
        let r = ks(
            tmp.path(),
            &["import", seed.to_str().unwrap(), "--out", "out"],
        );
        assert_eq!(r.code, 2, "{r:?}");
        assert!(r.stderr.ends_with(
            "error: `out/02-interesting-commands-output.yaml` exists already: import into an empty folder, or remove it first\n"
        ), "{}", r.stderr);
        assert_eq!(
            read(&tmp.path().join("out/02-interesting-commands-output.yaml")),
            "mine\n"
        );
        assert!(!tmp
            .path()
            .join("out/01-knowing-scratch-image.yaml")
            .exists());
    }
}

mod bless {
    use super::*;

    /// A temp dir with the bless fixture lessons, and the fake docker client
    /// (the lessons never call docker: it answers the engine's detection).
    fn setup() -> (tempfile::TempDir, PathBuf, String) {
        let tmp = tempfile::tempdir().unwrap();
        copy_dir(
            &fixtures().join("bless/lessons"),
            &tmp.path().join("lessons"),
        );
        let file = tmp.path().join("lessons/01-echoes.yaml");
        let docker = support::fake_docker().display().to_string();
        (tmp, file, docker)
    }

    /// The report ends with this summary line.
    #[track_caller]
    fn assert_summary(r: &Run, summary: &str) {
        assert!(r.stdout.ends_with(summary), "{}", r.stdout);
    }

    fn check(dir: &Path, docker: &str, extra: &[&str]) -> Run {
        let mut args = vec!["--docker", docker, "check"];
        args.extend_from_slice(extra);
        let tape = support::tape("docker-28-buildx.tape");
        // The fake engine's ledger: the engine lock is a container it must remember.
        let state = dir.join("fake-engine");
        ks_with(
            dir,
            &[("FAKE_DOCKER_TAPE", &tape), ("FAKE_DOCKER_STATE", &state)],
            &args,
        )
    }

    #[test]
    fn the_fixture_passes_as_it_is() {
        let (tmp, _, docker) = setup();
        let r = check(tmp.path(), &docker, &[]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_summary(&r, "4 passed, 0 failed, 0 skipped\n");
    }

    #[test]
    fn bless_writes_back_only_the_compared_values() {
        let (tmp, file, docker) = setup();
        let pristine = read(&file);
        // Four kinds of drift: an output block, a variant's output, an exit
        // code, and an extra documented line after a marker that still matches.
        edit_once(
            &file,
            "      hello\n      world\n",
            "      hello\n      earth\n",
        );
        edit_once(&file, "          two\n", "          deux\n");
        edit_once(&file, "    exit: 3\n", "    exit: 4\n");
        edit_once(
            &file,
            "      took {{int}} ms\n",
            "      took {{int}} ms\n      extra\n",
        );
        let drifted = read(&file);

        // Without --bless nothing is written.
        let r = check(tmp.path(), &docker, &[]);
        assert_eq!(r.code, 1, "{r:?}");
        assert_summary(&r, "0 passed, 4 failed, 0 skipped\n");
        assert_eq!(read(&file), drifted);

        let r = check(tmp.path(), &docker, &["--bless"]);
        assert_eq!(r.code, 0, "{r:?}");
        let shown = "lessons/01-echoes.yaml";
        let blessed: Vec<&str> = r
            .stdout
            .lines()
            .filter(|l| l.starts_with("blessed "))
            .collect();
        assert_eq!(
            blessed,
            [
                format!("blessed {shown}: step 'greet'"),
                format!("blessed {shown}: step 'count' (variant client >= 28)"),
                format!("blessed {shown}: step 'fail': exit code 3"),
                format!("blessed {shown}: step 'number'"),
            ]
        );
        // Every byte outside the blessed values is as it was: here the
        // blessed values are the originals, so the whole file is.
        assert_text("the blessed lesson file", &pristine, &read(&file));
        let r = check(tmp.path(), &docker, &[]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_summary(&r, "4 passed, 0 failed, 0 skipped\n");
    }

    #[test]
    fn a_quoted_output_becomes_a_block_and_the_rest_keeps_its_bytes() {
        let (tmp, file, docker) = setup();
        edit_once(
            &file,
            "    output: \"oops\\n\"   #",
            "    output: \"oups\\n\"   #",
        );
        let drifted = read(&file);
        let r = check(tmp.path(), &docker, &["--bless"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout
                .contains("\nblessed lessons/01-echoes.yaml: step 'fail'\n"),
            "{}",
            r.stdout
        );
        let after = read(&file);
        let old_value = "    output: \"oups\\n\"   # double-quoted on purpose\n";
        let new_value = "    output: |   # double-quoted on purpose\n      oops\n";
        let at = drifted.find(old_value).unwrap();
        assert_eq!(&after[..at], &drifted[..at], "bytes before the value");
        assert_eq!(&after[at..at + new_value.len()], new_value);
        assert_eq!(
            &after[at + new_value.len()..],
            &drifted[at + old_value.len()..],
            "bytes after the value"
        );
        assert!(after.starts_with("# Lessons whose commands need no Docker"));
        assert!(after.contains("title: 'Echoes'   # odd quoting on purpose\n"));
        let r = check(tmp.path(), &docker, &[]);
        assert_eq!(r.code, 0, "{r:?}");
    }

    #[test]
    fn an_output_never_documented_is_written_after_the_command() {
        let (tmp, file, docker) = setup();
        let pristine = read(&file);
        let step = "\n  - title: new\n    run: printf 'fresh\\n'   # no output yet\n";
        std::fs::write(&file, format!("{pristine}{step}")).unwrap();
        let r = check(tmp.path(), &docker, &["--bless"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout
                .ends_with("\nblessed lessons/01-echoes.yaml: step 'new'\n"),
            "{}",
            r.stdout
        );
        assert_text(
            "the blessed lesson file",
            &format!("{pristine}{step}    output: |\n      fresh\n"),
            &read(&file),
        );
        let r = check(tmp.path(), &docker, &[]);
        assert_summary(&r, "5 passed, 0 failed, 0 skipped\n");
    }

    #[test]
    fn bless_fills_in_what_the_docs_left_out() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::create_dir(tmp.path().join("lessons")).unwrap();
        let file = tmp.path().join("lessons/01-gaps.yaml");
        std::fs::write(
            &file,
            "id: gaps\ntitle: Gaps\nsteps:\n  - title: both\n    run: printf 'made {{x}}\\n'; exit 4\n    undocumented: [output, exit]\n\n  - title: quiet\n    run: \"true\"\n    undocumented: [exit, output]\n  - title: exit only\n    run: echo hi\n    output: |\n      hi\n    undocumented: [exit]\n",
        )
        .unwrap();
        let docker = support::fake_docker().display().to_string();
        // Not compared: the first check passes, and writes nothing.
        let before = read(&file);
        let r = check(tmp.path(), &docker, &[]);
        assert_eq!(r.code, 0, "{r:?}");
        assert!(
            r.stdout.ends_with("3 passed, 0 failed, 0 skipped\n"),
            "{}",
            r.stdout
        );
        assert_eq!(read(&file), before);
        let r = check(tmp.path(), &docker, &["--bless"]);
        assert_eq!(r.code, 0, "{r:?}");
        assert_eq!(
            r.stdout
                .lines()
                .filter(|l| l.starts_with("blessed"))
                .collect::<Vec<_>>(),
            [
                "blessed lessons/01-gaps.yaml: step 'both', and exit code 4",
                "blessed lessons/01-gaps.yaml: step 'quiet': exit code 0",
                "blessed lessons/01-gaps.yaml: step 'exit only': exit code 0",
            ]
        );
        assert_text(
            "the blessed lesson",
            "id: gaps\ntitle: Gaps\nsteps:\n  - title: both\n    run: printf 'made {{x}}\\n'; exit 4\n    output: |\n      made \\{{x}}\n    exit: 4\n\n  - title: quiet\n    run: \"true\"\n  - title: exit only\n    run: echo hi\n    output: |\n      hi\n",
            &read(&file),
        );
    }

    #[test]
    fn a_step_that_timed_out_is_not_blessed() {
        let (tmp, file, docker) = setup();
        let text = read(&file).replace(
            "    run: printf 'took %s ms\\n' 42\n",
            "    run: printf 'took %s ms\\n' 42; sleep 30\n    timeout: 1s\n",
        );
        std::fs::write(&file, &text).unwrap();
        let r = check(tmp.path(), &docker, &["--bless"]);
        assert_eq!(r.code, 1, "{r:?}");
        assert!(
            r.stderr.contains(
                "not blessed lessons/01-echoes.yaml: step 'number': timed out after 1s\n"
            ),
            "{}",
            r.stderr
        );
        assert_eq!(read(&file), text);
    }
}

mod engine {
    use super::*;

    /// The seed tutorial, imported and checked against the real engine,
    /// reports its known drifts.
    #[test]
    fn the_imported_seed_drifts_where_docker_changed() {
        let _engine = support::engine::Engine::take(&support::lab::real_docker());
        let tmp = tempfile::tempdir().unwrap();
        let seed = fixtures().join("seed-README.md");
        let r = ks(
            tmp.path(),
            &["import", seed.to_str().unwrap(), "--out", "lessons"],
        );
        assert_eq!(r.code, 0, "{r:?}");
        let r = ks(
            tmp.path(),
            &[
                "check",
                "interesting-commands-output",
                "--no-deps",
                "--format",
                "json",
                "--report",
                "report.json",
            ],
        );
        assert!(
            r.code != 3 && !r.stderr.contains("no `docker` client"),
            "the Docker engine is not reachable; start it with tests/engine/setup.sh\n{r:?}"
        );
        assert_eq!(r.code, 1, "{r:?}");
        let report: serde_json::Value =
            serde_json::from_str(&read(&tmp.path().join("report.json"))).unwrap();
        let steps = report["lessons"][0]["steps"].as_array().unwrap();
        let verdict = |i: usize| -> (String, Vec<String>) {
            let s = &steps[i];
            (
                s["status"].as_str().unwrap().to_string(),
                s["failures"]
                    .as_array()
                    .map(|f| {
                        f.iter()
                            .map(|x| x["kind"].as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        };
        let failed = |kinds: &[&str]| {
            (
                "failed".to_string(),
                kinds.iter().map(|k| (*k).to_string()).collect::<Vec<_>>(),
            )
        };
        // image pull: the output still matches; the seed never documented its exit code.
        assert_eq!(verdict(0), failed(&["exit_code"]));
        assert_eq!(steps[0]["actual_exit"], 1);
        // image ls: the seed copied the pull error; Docker prints an empty table.
        assert_eq!(verdict(1), failed(&["output"]));
        // container run: reworded in client 28, and it exits 125.
        assert_eq!(verdict(2), failed(&["output", "exit_code"]));
        // scan: the plugin is gone.
        assert_eq!(verdict(3), failed(&["output", "exit_code"]));
        assert!(r.stdout.contains("  FAIL image ls"), "{}", r.stdout);
        for line in [
            "    - Using default tag: latest\n",
            "    - Error response from daemon: 'scratch' is a reserved name\n",
            "    + REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n",
            "    - docker: Error response from daemon: 'scratch' is a reserved name.\n",
            "    - See 'docker run --help'.\n",
            "    - manifest unknown\n",
        ] {
            assert!(r.stdout.contains(line), "missing {line:?} in\n{}", r.stdout);
        }
    }
}

mod completions {
    use super::*;

    #[test]
    fn every_shell_completes_the_subcommands() {
        for (shell, marker) in [
            ("bash", "complete -F _knowing__scratch"),
            ("zsh", "#compdef knowing-scratch"),
            ("fish", "complete -c knowing-scratch"),
        ] {
            let r = ks(&fixtures(), &["completions", shell]);
            assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{shell}");
            assert!(r.stdout.contains(marker), "{shell}: {marker}");
            for sub in [
                "list",
                "walk",
                "run",
                "check",
                "doctor",
                "render",
                "import",
                "completions",
                "man",
            ] {
                assert!(r.stdout.contains(sub), "{shell} completes `{sub}`");
            }
            let bless = if shell == "fish" {
                "-l bless"
            } else {
                "--bless"
            };
            assert!(r.stdout.contains(bless), "{shell} completes `--bless`");
        }
    }

    #[test]
    fn an_unknown_shell_is_a_usage_error() {
        let r = ks(&fixtures(), &["completions", "tcsh"]);
        assert_eq!(r.code, 2);
        assert!(r.stderr.contains("invalid value 'tcsh'"), "{}", r.stderr);
    }

    #[test]
    fn the_man_page_is_roff_with_its_title_first() {
        let r = ks(&fixtures(), &["man"]);
        assert_eq!((r.code, r.stderr.as_str()), (0, ""));
        assert!(
            r.stdout.starts_with(".TH knowing-scratch 1 "),
            "{}",
            &r.stdout[..80.min(r.stdout.len())]
        );
        assert!(r.stdout.contains("\n.SH NAME\n"));
        assert!(r.stdout.contains("render"));
        assert_eq!(r.stdout.matches("\n.TH ").count(), 0, "one title line");
    }
}
