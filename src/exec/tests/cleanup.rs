//! Removing what a step or a run created, against a fake `docker` that
//! logs its calls.

use std::fs;

use super::*;

#[test]
fn stopped_step_removes_its_running_containers() {
    let log = "\"$(dirname \"$0\")/docker.log\"";
    let docker = format!(
        "echo \"$*\" >>{log}\n\
         case $1 in\n\
           run) echo started; exec sleep 30 ;;\n\
           ps) echo 0123456789abcdef0123456789abcdef ;;\n\
         esac\n"
    );
    let lab = lab_with(&docker, 1 << 20);
    let mut s = lab.start();
    let mut app = step(5, "docker run app");
    app.stop.lines = Some(1);
    let result = run(&mut s, &app);
    assert_eq!(result.output, "started\n");
    assert_eq!(result.end, End::Stopped);
    assert_eq!(result.removed_containers, vec!["0123456789ab"]);
    assert_eq!(
        fs::read_to_string(lab.file("docker.log")).unwrap(),
        "run --label io.knowing-scratch.run=R --label io.knowing-scratch.step=lesson/5 app\n\
         ps -q --no-trunc --filter label=io.knowing-scratch.run=R --filter label=io.knowing-scratch.step=lesson/5\n\
         rm -f 0123456789abcdef0123456789abcdef\n"
    );
}

#[test]
fn cleanup_removes_the_runs_containers() {
    let log = "\"$(dirname \"$0\")/docker.log\"";
    let docker = format!(
        "echo \"$*\" >>{log}\n\
         [ \"$1\" = ps ] && printf 'aaaaaaaaaaaaaaaa\\nbbbbbbbbbbbbbbbb\\n'\n\
         exit 0\n"
    );
    let lab = lab_with(&docker, 1);
    let removed = cleanup(&lab.config.docker, &[], "R1").unwrap();
    assert_eq!(removed, vec!["aaaaaaaaaaaa", "bbbbbbbbbbbb"]);
    assert_eq!(
        fs::read_to_string(lab.file("docker.log")).unwrap(),
        "ps -aq --no-trunc --filter label=io.knowing-scratch.run=R1\n\
         rm -f aaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbb\n"
    );
}

#[test]
fn cleanup_with_nothing_to_remove() {
    let log = "\"$(dirname \"$0\")/docker.log\"";
    let lab = lab_with(&format!("echo \"$*\" >>{log}\n"), 1);
    assert!(cleanup(&lab.config.docker, &[], "R1").unwrap().is_empty());
    assert_eq!(
        fs::read_to_string(lab.file("docker.log")).unwrap(),
        "ps -aq --no-trunc --filter label=io.knowing-scratch.run=R1\n"
    );
}

#[test]
fn only_the_images_left_dangling_since_the_start_are_removed() {
    let log = "\"$(dirname \"$0\")/docker.log\"";
    let listing = "\"$(dirname \"$0\")/dangling\"";
    let docker = format!(
        "echo \"$*\" >>{log}\n\
         case $1/$2 in\n\
           image/ls) cat {listing} ;;\n\
           image/rm) [ \"$3\" = sha256:cccc ] && {{ echo 'conflict: image is being used' >&2; exit 1; }}; echo \"Deleted: $3\" ;;\n\
         esac\n"
    );
    let lab = lab_with(&docker, 1);
    fs::write(lab.file("dangling"), "sha256:aaaa\n").unwrap();
    let before = dangling_images(&lab.config.docker, &[]).unwrap();
    fs::write(
        lab.file("dangling"),
        "sha256:aaaa\nsha256:bbbbbbbbbbbbbbbb\nsha256:cccc\n",
    )
    .unwrap();
    let (removed, problems) = remove_new_dangling(&lab.config.docker, &[], &before);
    assert_eq!(removed, vec!["bbbbbbbbbbbb"]);
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("conflict: image is being used"),
        "{problems:?}"
    );
    assert_eq!(
        fs::read_to_string(lab.file("docker.log")).unwrap(),
        "image ls -q --no-trunc --filter dangling=true\n\
         image ls -q --no-trunc --filter dangling=true\n\
         image rm sha256:bbbbbbbbbbbbbbbb\n\
         image rm sha256:cccc\n"
    );
}
