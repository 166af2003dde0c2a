//! `check` replays every lesson and tells whether the docs still match.

use support::expect::{
    all_lessons, all_passed, HEADER_20_10, HEADER_28, ONE_WORD_DRIFT, VARIANTS_20_10,
    VARIANTS_20_10_28_2,
};
use support::tape;
use support::test::Test;
use support::text::unindent;

/// `check ARGS` on the 28 tape passes every lesson, with the same report.
fn docker_28_passes(args: &[&str]) {
    Test::new()
        .tape("docker-28-buildx.tape")
        .args(args)
        .stdout(&all_passed(
            HEADER_28,
            &all_lessons(),
            VARIANTS_20_10_28_2,
            &[
                "52eee8440a8a",
                "4c1623a1a255",
                "11c2b57dfac8",
                "90aff01ee1b1",
            ],
        ))
        .stderr("")
        .run();
}

#[test]
fn docker_28_with_buildx_matches_the_docs() {
    docker_28_passes(&["check"]);
}

/// Lessons side by side print the serial report, word for word.
#[test]
fn docker_28_with_buildx_matches_the_docs_with_three_jobs() {
    docker_28_passes(&["check", "--jobs", "3"]);
}

#[test]
fn docker_20_10_with_builtin_buildkit_uses_its_variants() {
    Test::new()
        .tape("docker-20.10-builtin.tape")
        .env("DOCKER_BUILDKIT", "1")
        .arg("check")
        .stdout(&all_passed(
            HEADER_20_10,
            &all_lessons(),
            VARIANTS_20_10,
            &[
                "e655a43b52f3",
                "f96cb4797f8d",
                "d4b415313ef5",
                "e7ac19bcac45",
            ],
        ))
        .stderr("")
        .run();
}

#[test]
fn volatile_values_are_not_drift() {
    Test::new()
        .tape("docker-28-buildx-volatile.tape")
        .arg("check")
        .stdout(&all_passed(
            HEADER_28,
            &all_lessons(),
            VARIANTS_20_10_28_2,
            &[
                "63fff9551b9b",
                "5d2734b2b366",
                "c0e4f2a6b8d1",
                "2b6e8d0f1a3c",
            ],
        ))
        .stderr("")
        .run();
}

/// A stopped step's container goes with the signal (`--sig-proxy`, `--rm`);
/// the one left running in the background is removed at the end, by ID.
/// The engine lock is taken before the first step and removed, by its ID,
/// after the cleanup.
#[test]
fn the_run_removes_exactly_the_containers_it_created() {
    let out = Test::new()
        .args(["check", "debug-without-shell"])
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            create-from-scratch · Create your image from scratch (needed by a later lesson)
              ok Build the image [TIME]
              ok Look at its size [TIME]
              ok Run it [TIME]
            debug-without-shell · Access and debug images without shell
              ok Start the app in the background [TIME]
              ok Try to open a shell [variant: server < 28] [TIME]
              ok Borrow the tools of a debug container [TIME]
            cleaned up 1 container(s) this run created: 90aff01ee1b1
            6 passed, 0 failed, 0 skipped
            ",
        )
        .run();
    assert_eq!(
        masked_calls(&out.calls),
        with_lock(
        "version --format '{{json .}}'
buildx version
info --format '{{json .DriverStatus}}'
[take the engine lock]
image ls -q --no-trunc --filter dangling=true
image build --file Dockerfile-simple --progress plain --tag knowing-scratch-image .
image ls knowing-scratch-image
container run --label io.knowing-scratch.run=RUN --label io.knowing-scratch.step=create-from-scratch/2 --rm knowing-scratch-image
ps -q --no-trunc --filter label=io.knowing-scratch.run=RUN --filter label=io.knowing-scratch.step=create-from-scratch/2
container run --label io.knowing-scratch.run=RUN --label io.knowing-scratch.step=debug-without-shell/0 --detach knowing-scratch-image
container ls --latest --quiet
container exec -it 90aff01ee1b1 bash
container run --label io.knowing-scratch.run=RUN --label io.knowing-scratch.step=debug-without-shell/2 --rm -it --pid container:90aff01ee1b1 busybox
ps -aq --no-trunc --filter label=io.knowing-scratch.run=RUN
rm -f 90aff01ee1b1d44480db116ee2a83bc9ca40b404fe904e2081c5fe94090f6cce
image ls -q --no-trunc --filter dangling=true
rm -f LOCK
")
    );
}

/// The calls that take the engine lock (`src/lock.rs`), in place of the
/// line `[take the engine lock]` of `calls`: an image to make the lock
/// container from, and the container, named and labelled with its holder.
fn with_lock(calls: impl AsRef<str>) -> String {
    calls.as_ref().replace(
        "[take the engine lock]\n",
        "image ls --quiet --no-trunc\n\
         create --name knowing-scratch-lock --label io.knowing-scratch.lock.host=[..] \
         --label io.knowing-scratch.lock.boot=[..] --label io.knowing-scratch.lock.pid=[..] \
         --label io.knowing-scratch.lock.start=[..] --label io.knowing-scratch.lock.since=[..] \
         sha256:0000000000000000000000000000000000000000000000000000000000000001 /knowing-scratch-lock\n",
    )
}

/// The fake's call log with the run id as `RUN`, the engine lock's ID as
/// `LOCK` and its holder's labels as `[..]`.
fn masked_calls(calls: &str) -> String {
    let holder = regex::Regex::new(r"(io\.knowing-scratch\.lock\.\w+)=\S+").unwrap();
    let lock_id = calls
        .lines()
        .last()
        .and_then(|l| l.strip_prefix("rm -f "))
        .expect("the lock removed last");
    let calls = match run_id_of(calls) {
        Some(run_id) => calls.replace(&run_id, "RUN"),
        None => calls.to_string(),
    };
    holder
        .replace_all(&calls, "$1=[..]")
        .replace(lock_id, "LOCK")
}

/// The run id in the fake's call log (from the first labelled call).
fn run_id_of(calls: &str) -> Option<String> {
    calls
        .lines()
        .find_map(|l| l.split("io.knowing-scratch.run=").nth(1))
        .and_then(|rest| rest.split(' ').next())
        .map(str::to_string)
}

/// A `--no-cache` rebuild leaves the previous image dangling: the run
/// removes that image, and not the one that was dangling before it began.
#[test]
fn the_run_removes_exactly_the_images_it_left_dangling() {
    let real = std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape");
    let ours = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    let theirs = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let out = Test::new()
        .lesson(
            "rebuild.yaml",
            "
            id: rebuild
            title: Rebuild
            steps:
              - title: Build again
                run: docker image build --no-cache --tag app .
                output: |
                  built
            ",
        )
        .tape_text(&format!(
            "{real}\n$ docker image build --no-cache --tag app .\n@dangles {ours}\nbuilt\n"
        ))
        .fake_state("images", &format!("{theirs} dangling\n"))
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            rebuild · Rebuild
              ok Build again [TIME]
            removed 1 dangling image(s) this run left: 222222222222
            1 passed, 0 failed, 0 skipped
            ",
        )
        .run();
    assert_eq!(
        masked_calls(&out.calls),
        with_lock(format!(
            "version --format '{{{{json .}}}}'
buildx version
info --format '{{{{json .DriverStatus}}}}'
[take the engine lock]
image ls -q --no-trunc --filter dangling=true
image build --no-cache --tag app .
image ls -q --no-trunc --filter dangling=true
image rm {ours}
rm -f LOCK
"
        ))
    );
    assert_eq!(
        out.fake_state("images"),
        format!("{theirs} dangling\n{ours} dangling\n{ours} rm\n")
    );
}

/// Containers carry the run's label only through `docker run` and `create`:
/// a run without them does not ask the engine for its containers at the end,
/// while one with them does (above).
#[test]
fn a_run_that_creates_no_container_does_not_list_containers() {
    let out = Test::new()
        .lesson(
            "images.yaml",
            "id: images\ntitle: Images\nsteps:\n\
             \x20 - title: Build the image\n    run: docker image build --file Dockerfile-simple --progress plain --tag knowing-scratch-image .\n    output: |\n      {{...}}\n\
             \x20 - title: Look at its size\n    run: docker image ls knowing-scratch-image\n    output: |\n      {{...}}\n",
        )
        .args(["check"])
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            images · Images
              ok Build the image [TIME]
              ok Look at its size [TIME]
            2 passed, 0 failed, 0 skipped
            ",
        )
        .run();
    assert_eq!(
        masked_calls(&out.calls),
        with_lock(
            "version --format '{{json .}}'
buildx version
info --format '{{json .DriverStatus}}'
[take the engine lock]
image ls -q --no-trunc --filter dangling=true
image build --file Dockerfile-simple --progress plain --tag knowing-scratch-image .
image ls knowing-scratch-image
image ls -q --no-trunc --filter dangling=true
rm -f LOCK
"
        )
    );
}

/// The 28 tape with one word of one output changed: the pull error now says
/// `reserved word`.
pub fn one_word_drift_tape() -> String {
    let real = std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape");
    let pull = "$ docker image pull scratch\n@exit 1\nUsing default tag: latest\n@stderr\nError response from daemon: 'scratch' is a reserved name\n";
    assert_eq!(real.matches(pull).count(), 1, "the pull entry as recorded");
    real.replace(pull, &pull.replace("reserved name", "reserved word"))
}

#[test]
fn one_changed_word_is_drift_and_the_diff_shows_that_word() {
    Test::new()
        .tape_text(&one_word_drift_tape())
        .args(["check", "interesting-outputs"])
        .stdout(&format!("{HEADER_28}{}", unindent(ONE_WORD_DRIFT)))
        .stderr("")
        .status(1)
        .run();
}

#[test]
fn one_changed_word_is_the_only_change_marked_in_the_json_diff() {
    let out = Test::new()
        .tape_text(&one_word_drift_tape())
        .args(["check", "--format", "json", "interesting-outputs"])
        .status(1)
        .run();
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    let step = &doc["lessons"][0]["steps"][0];
    assert_eq!(step["title"], "image pull");
    assert_eq!(step["status"], "failed");
    assert_eq!(step["failures"], serde_json::json!([{ "kind": "output" }]));
    let changed: Vec<(String, String)> = step["diff"]
        .as_array()
        .expect("a diff")
        .iter()
        .flat_map(|line| {
            let tag = line["tag"].as_str().unwrap_or("?").to_string();
            line["segments"]
                .as_array()
                .expect("segments")
                .iter()
                .filter(|s| s[0] == true)
                .map(move |s| (tag.clone(), s[1].as_str().expect("text").to_string()))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("removed".to_string(), "name".to_string()),
            ("added".to_string(), "word".to_string())
        ]
    );
}

#[test]
fn an_engine_that_dies_midway_exits_3_and_runs_nothing_more() {
    let real = std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape");
    let ls = "$ docker image ls scratch\n";
    assert_eq!(real.matches(ls).count(), 1);
    Test::new()
        .tape_text(&real.replace(ls, &format!("{ls}@die\n")))
        .args(["check", "interesting-outputs", "image-layers"])
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            interesting-outputs · Interesting command outputs
              ok image pull [TIME]
              FAIL image ls [TIME]
                where: interesting-outputs › step 2 `image ls`
                why: the Docker engine stopped answering: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?
                command: docker image ls scratch
                diff: - documented + real
                  REPOSITORY   TAG       IMAGE ID   CREATED   SIZE
                + Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?
              ---- container run (not run: the Docker engine stopped answering)
              ---- scan (not run: the Docker engine stopped answering)
              ---- regctl manifest (not run: the Docker engine stopped answering)
            create-from-scratch · Create your image from scratch (needed by a later lesson)
              ---- Build the image (not run: the Docker engine stopped answering)
              ---- Look at its size (not run: the Docker engine stopped answering)
              ---- Run it (not run: the Docker engine stopped answering)
            image-layers · Image layers behavior
              ---- Show the history (not run: the Docker engine stopped answering)
            the Docker engine stopped answering; the steps after it were not run
            1 passed, 1 failed, 7 skipped
            ",
        )
        .stderr("")
        .status(3)
        .run();
}

/// The 28 tape with its first-build entry replaced by the build the same
/// command prints when the engine built the image before.
fn warm_build_tape() -> String {
    let real = std::fs::read_to_string(tape("docker-28-buildx.tape")).expect("read the tape");
    let warm = std::fs::read_to_string(tape("docker-28-buildx-warm-build.tape"))
        .expect("read the warm build");
    let head = "$ docker image build --file Dockerfile-simple --progress plain --tag knowing-scratch-image .\n";
    let start = real.find(head).expect("the first-build entry");
    let end = real
        .find("$ docker image ls knowing-scratch-image\n")
        .expect("the next entry");
    let entry = &warm[warm.find(head).expect("the warm entry")..];
    format!("{}{entry}\n{}", &real[..start], &real[end..])
}

/// The lesson says which steps read `CACHED` depends on what the machine built
/// before; a second run of the lessons on the same engine prints them.
#[test]
fn a_warm_build_cache_is_not_drift() {
    let tape = warm_build_tape();
    assert!(
        tape.contains("#7 [builder 4/4] RUN CGO_ENABLED=0 go build -o /go/bin/app .\n#7 CACHED\n")
    );
    Test::new()
        .tape_text(&tape)
        .args(["check", "create-from-scratch"])
        .stdout(
            "
            engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1
            create-from-scratch · Create your image from scratch
              ok Build the image [TIME]
              ok Look at its size [TIME]
              ok Run it [TIME]
            3 passed, 0 failed, 0 skipped
            ",
        )
        .stderr("")
        .run();
}
