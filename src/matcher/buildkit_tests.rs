//! Unit tests of `buildkit`.

use super::*;

#[test]
fn details_lose_timestamps_and_done() {
    assert_eq!(strip_detail("0.512 go: downloading x"), "go: downloading x");
    assert_eq!(
        strip_detail("transferring context: 19.20kB 0.0s done"),
        "transferring context: 19.20kB"
    );
    assert_eq!(strip_detail("exporting layers done"), "exporting layers");
    assert_eq!(strip_detail("naming to x {{duration}} done"), "naming to x");
    assert_eq!(strip_detail("done"), "done");
}

#[test]
fn a_detail_printed_before_its_value_is_the_same_detail() {
    let lines = [
        "#1 [internal] load .dockerignore",
        "#1 transferring context:",
        "#1 transferring context: 129B 0.0s done",
        "#1 DONE 0.1s",
    ];
    let log = RealLog::read(&lines);
    assert_eq!(log.vertices[0].details, vec!["transferring context: 129B"]);
    assert_eq!(
        log.roles,
        vec![
            Role::Header(0),
            Role::Detail(0, 0),
            Role::Detail(0, 0),
            Role::Status(0)
        ]
    );
    // A finished detail is not a prefix of another.
    assert!(!grows_into("exporting layers", "exporting layers 0.1s"));
}

#[test]
fn reads_vertices_statuses_and_details() {
    let lines = [
        "#0 building with \"default\" instance using docker driver",
        "",
        "#1 [internal] load build definition from Dockerfile",
        "#1 sha256:c2b14c6c81e91084d4a6a31f519054a313c4a2f0419c7e5dd526cf5efdee0691",
        "#1 transferring dockerfile: 44B",
        "#2 [builder 2/4] WORKDIR /app",
        "#1 transferring dockerfile: 44B 0.0s done",
        "#1 DONE 0.0s",
        "#2 [builder 2/4] WORKDIR /app",
        "#2 CACHED",
        "ERROR: failed to solve",
    ];
    let log = RealLog::read(&lines);
    assert_eq!(log.vertices.len(), 3);
    assert_eq!(
        log.vertices[1].details,
        vec!["transferring dockerfile: 44B"]
    );
    assert_eq!(log.vertices[1].status, Some("DONE 0.0s"));
    assert_eq!(log.vertices[2].status, Some("CACHED"));
    assert_eq!(log.trailing, vec!["ERROR: failed to solve"]);
    assert_eq!(
        log.roles,
        vec![
            Role::Header(0),
            Role::Blank,
            Role::Header(1),
            Role::Ignored(1),
            Role::Detail(1, 0),
            Role::Header(2),
            Role::Detail(1, 0),
            Role::Status(1),
            Role::Header(2),
            Role::Status(2),
            Role::Trailing(0),
        ]
    );
}

/// BuildKit prints `#N ...` when another vertex's output interrupts N's,
/// which depends on how busy the machine is: no detail of the step.
#[test]
fn an_interrupted_vertex_mark_is_no_detail() {
    assert!(matches!(part("..."), Part::Ignored));
    assert!(matches!(part("... more"), Part::Detail("... more")));
}
