//! `check --format json|junit`: machine reports on stdout, the human
//! progress on stderr.

use quick_xml::events::Event;
use serde_json::Value;

use support::expect::{NO_REGISTRY, NO_REGISTRY_NO_REGCTL, TUTORIAL};
use support::test::Test;

#[test]
fn json_report_holds_the_environment_summary_and_every_step() {
    let out = Test::new()
        .tape("docker-20.10-builtin.tape")
        .env("DOCKER_BUILDKIT", "1")
        .args(["check", "--format", "json"])
        .args(TUTORIAL)
        .run();
    assert!(
        out.stderr.ends_with("14 passed, 0 failed, 3 skipped\n"),
        "the human summary goes to stderr:\n{}",
        out.stderr
    );
    let doc: Value = serde_json::from_str(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["schema"], 1);
    assert_eq!(
        doc["summary"],
        serde_json::json!({ "passed": 14, "failed": 0, "skipped": 3, "not_run": 0 })
    );
    let env = &doc["environment"];
    assert_eq!(env["client"], "20.10.24+dfsg1");
    assert_eq!(env["server"], "20.10.24+dfsg1");
    assert_eq!(env["runc"], "1.1.5+ds1");
    assert_eq!(env["containerd"], "1.6.20~ds1");
    assert_eq!(env["buildx"], "0.13.1+ds1");
    assert_eq!(env["builder"], "builtin");
    assert_eq!(env["registry"], false);
    assert_eq!(doc["interrupted"], false);
    assert_eq!(doc["engine_lost"], false);
    assert_eq!(
        doc["cleaned"],
        serde_json::json!(["d4b415313ef5", "e7ac19bcac45"])
    );

    let lessons = doc["lessons"].as_array().expect("lessons");
    let ids: Vec<&str> = lessons.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids, TUTORIAL);
    let steps: Vec<(String, &str, &str)> = lessons
        .iter()
        .flat_map(|l| {
            l["steps"].as_array().unwrap().iter().map(|s| {
                (
                    format!(
                        "{}/{}",
                        l["id"].as_str().unwrap(),
                        s["title"].as_str().unwrap()
                    ),
                    s["status"].as_str().unwrap(),
                    s["variant"].as_str().unwrap(),
                )
            })
        })
        .collect();
    let want: Vec<(String, &str, &str)> = [
        (
            "finding-the-image/Search Docker Hub",
            "skipped",
            "client < 25",
        ),
        (
            "finding-the-image/Read the whole description",
            "skipped",
            "default",
        ),
        ("interesting-outputs/image pull", "passed", "default"),
        ("interesting-outputs/image ls", "passed", "default"),
        ("interesting-outputs/container run", "passed", "client < 28"),
        ("interesting-outputs/scan", "passed", "client < 28"),
        ("interesting-outputs/regctl manifest", "skipped", "default"),
        (
            "create-from-scratch/Build the image",
            "passed",
            "builder == builtin",
        ),
        ("create-from-scratch/Look at its size", "passed", "default"),
        ("create-from-scratch/Run it", "passed", "default"),
        ("image-layers/Show the history", "passed", "default"),
        (
            "debug-without-shell/Start the app in the background",
            "passed",
            "default",
        ),
        (
            "debug-without-shell/Try to open a shell",
            "passed",
            "default",
        ),
        (
            "debug-without-shell/Borrow the tools of a debug container",
            "passed",
            "default",
        ),
        (
            "non-root-user/Build the non-root image",
            "passed",
            "builder == builtin",
        ),
        ("non-root-user/Run the non-root image", "passed", "default"),
        (
            "non-root-user/Check the user from a debug container",
            "passed",
            "default",
        ),
    ]
    .into_iter()
    .map(|(a, b, c)| (a.to_string(), b, c))
    .collect();
    assert_eq!(steps, want);

    let step = |lesson: usize, index: usize| &lessons[lesson]["steps"][index];
    let skipped = step(0, 0);
    assert_eq!(
        skipped["skip_reason"],
        "needs `registry`: Docker Hub is not reachable"
    );
    assert!(skipped.get("actual").is_none());
    let pull = step(1, 0);
    assert_eq!(pull["command"], "docker image pull scratch");
    assert_eq!(pull["expected_exit"], 1);
    assert_eq!(pull["actual_exit"], 1);
    assert_eq!(
        pull["actual"],
        "Using default tag: latest\nError response from daemon: 'scratch' is a reserved name\n"
    );
    let run_it = step(2, 2);
    assert_eq!(run_it["stopped"], true);
    assert!(run_it.get("actual_exit").is_none());
    assert_eq!(run_it["actual"], "I'm running from scratch.\n".repeat(3));
    let exec = step(4, 1);
    assert_eq!(exec["expected_exit"], 126);
    assert_eq!(exec["actual_exit"], 126);
}

/// Attribute `name` of an element, unescaped.
fn attr(e: &quick_xml::events::BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name.as_bytes())
        .map(|a| a.unescape_value().expect("an attribute value").into_owned())
}

#[test]
fn junit_report_has_a_testsuite_per_lesson_and_a_testcase_per_step() {
    let out = Test::new()
        .tape_text(
            &std::fs::read_to_string(support::tape("docker-28-buildx.tape"))
                .unwrap()
                .replacen(
                    "COPY /go/bin/app /app # buildkit   2.21MB",
                    "COPY /go/bin/app /app # buildkit   75.3MB",
                    1,
                ),
        )
        .args(["check", "--format", "junit"])
        .args(TUTORIAL)
        .status(1)
        .run();
    assert!(
        out.stderr.ends_with("13 passed, 1 failed, 3 skipped\n"),
        "{}",
        out.stderr
    );

    // (suite name, tests attribute, [(case name, classname, outcome, message)])
    type Case = (String, String, String, String);
    let mut suites: Vec<(String, String, Vec<Case>)> = Vec::new();
    let mut reader = quick_xml::Reader::from_str(&out.stdout);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testsuite" => {
                suites.push((
                    attr(&e, "name").unwrap(),
                    attr(&e, "tests").unwrap(),
                    Vec::new(),
                ));
            }
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => {
                let suite = suites.last_mut().expect("a testcase inside a testsuite");
                suite.2.push((
                    attr(&e, "name").unwrap(),
                    attr(&e, "classname").unwrap(),
                    "passed".into(),
                    String::new(),
                ));
            }
            Event::Start(e) | Event::Empty(e)
                if e.name().as_ref() == b"skipped" || e.name().as_ref() == b"failure" =>
            {
                let case = suites
                    .last_mut()
                    .and_then(|s| s.2.last_mut())
                    .expect("inside a testcase");
                case.2 = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                case.3 = attr(&e, "message").unwrap_or_default();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let names: Vec<&str> = suites.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, TUTORIAL);
    let tests: Vec<&str> = suites.iter().map(|s| s.1.as_str()).collect();
    assert_eq!(tests, ["2", "5", "3", "1", "3", "3"]);
    let skip = NO_REGISTRY;
    let case = |n: &str, c: &str, o: &str, m: &str| -> Case {
        (n.into(), format!("knowing-scratch.{c}"), o.into(), m.into())
    };
    let cases: Vec<Case> = suites.into_iter().flat_map(|s| s.2).collect();
    assert_eq!(
        cases,
        [
            case("01 Search Docker Hub", "finding-the-image", "skipped", skip),
            case(
                "02 Read the whole description",
                "finding-the-image",
                "skipped",
                skip
            ),
            case("01 image pull", "interesting-outputs", "passed", ""),
            case("02 image ls", "interesting-outputs", "passed", ""),
            case("03 container run", "interesting-outputs", "passed", ""),
            case("04 scan", "interesting-outputs", "passed", ""),
            case(
                "05 regctl manifest",
                "interesting-outputs",
                "skipped",
                NO_REGISTRY_NO_REGCTL,
            ),
            case("01 Build the image", "create-from-scratch", "passed", ""),
            case("02 Look at its size", "create-from-scratch", "passed", ""),
            case("03 Run it", "create-from-scratch", "passed", ""),
            case(
                "01 Show the history",
                "image-layers",
                "failure",
                "output differs from the docs"
            ),
            case(
                "01 Start the app in the background",
                "debug-without-shell",
                "passed",
                ""
            ),
            case(
                "02 Try to open a shell",
                "debug-without-shell",
                "passed",
                ""
            ),
            case(
                "03 Borrow the tools of a debug container",
                "debug-without-shell",
                "passed",
                ""
            ),
            case("01 Build the non-root image", "non-root-user", "passed", ""),
            case("02 Run the non-root image", "non-root-user", "passed", ""),
            case(
                "03 Check the user from a debug container",
                "non-root-user",
                "passed",
                ""
            ),
        ]
    );
    // The failure carries the command and the diff.
    assert!(
        out.stdout.contains("- COPY /go/bin/app /app # buildkit   2.21MB\n+ COPY /go/bin/app /app # buildkit   75.3MB\n"),
        "{}",
        out.stdout
    );
}
