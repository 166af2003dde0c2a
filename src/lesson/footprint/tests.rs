use std::path::Path;

use super::*;
use crate::lesson::load_dir;

/// A lesson of one step per command.
fn lesson(commands: &[&str]) -> Lesson {
    let dir = tempfile::tempdir().unwrap();
    let mut yaml = String::from("id: l\ntitle: L\nsteps:\n");
    for (i, c) in commands.iter().enumerate() {
        yaml.push_str(&format!("  - title: s{i}\n    run: |\n"));
        for line in c.lines() {
            yaml.push_str(&format!("      {line}\n"));
        }
    }
    std::fs::write(dir.path().join("l.yaml"), yaml).unwrap();
    load_dir(dir.path()).unwrap().lessons.remove(0)
}

fn of(commands: &[&str]) -> Footprint {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM golang:1.24 AS build\nRUN x\nFROM scratch\nCOPY --from=build /a /a\n",
    )
    .unwrap();
    footprint(&lesson(commands), dir.path())
}

fn names(set: &BTreeSet<Thing>) -> Vec<String> {
    set.iter().map(Thing::to_string).collect()
}

#[test]
fn the_tutorials_lessons() {
    let set = load_dir(Path::new("lessons")).unwrap();
    let seen: Vec<String> = set
        .lessons
        .iter()
        .map(|l| {
            let fp = footprint(l, Path::new("."));
            let sections: Vec<String> = fp
                .sections
                .iter()
                .map(|s| format!("{}..={}", s.first, s.last))
                .collect();
            format!(
                "{}: alone={:?} sections={sections:?} builds={:?} reads={:?} writes={:?}",
                l.id,
                fp.alone,
                fp.builds,
                names(&fp.reads),
                names(&fp.writes)
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            r#"finding-the-image: alone=None sections=[] builds=[] reads=[] writes=[]"#,
            r#"interesting-outputs: alone=Some("step 'regctl manifest' runs `regctl`, which may change what other lessons see") sections=[] builds=[] reads=[] writes=["image scratch:latest"]"#,
            r#"create-from-scratch: alone=None sections=[] builds=[(0, true)] reads=["image golang:1.24", "images knowing-scratch-image:*", "image knowing-scratch-image:latest"] writes=["image knowing-scratch-image:latest"]"#,
            r#"image-layers: alone=None sections=[] builds=[] reads=["image knowing-scratch-image:latest"] writes=[]"#,
            r#"debug-without-shell: alone=None sections=["0..=1"] builds=[] reads=["image busybox:latest", "image knowing-scratch-image:latest"] writes=[]"#,
            r#"non-root-user: alone=None sections=["1..=2"] builds=[(0, true)] reads=["image busybox:latest", "image golang:1.24", "image knowing-scratch-image:latest"] writes=["image knowing-scratch-image:latest"]"#,
            r#"how-small: alone=None sections=[] builds=[(0, false), (2, false)] reads=["image golang:1.24", "image knowing-scratch-lab:plain", "image knowing-scratch-lab:stripped"] writes=["image knowing-scratch-lab:plain", "image knowing-scratch-lab:stripped"]"#,
            r#"shell-form: alone=None sections=[] builds=[(0, false), (2, true)] reads=["image golang:1.24", "image knowing-scratch-lab:plain", "image knowing-scratch-lab:shell-form"] writes=["image knowing-scratch-lab:run-in-scratch", "image knowing-scratch-lab:shell-form"]"#,
            r#"user-needs-passwd: alone=None sections=[] builds=[(0, false)] reads=["image golang:1.24", "image knowing-scratch-lab:no-passwd"] writes=["image knowing-scratch-lab:no-passwd"]"#,
            r#"look-inside: alone=None sections=[] builds=[(0, false)] reads=["image golang:1.24", "image knowing-scratch-lab:non-root"] writes=["image knowing-scratch-lab:non-root"]"#,
            r#"what-the-os-gives: alone=None sections=[] builds=[(0, false), (5, false)] reads=["image golang:1.24", "image knowing-scratch-lab:extras", "image knowing-scratch-lab:extras-fixed"] writes=["image knowing-scratch-lab:extras", "image knowing-scratch-lab:extras-fixed"]"#,
            r#"debug-namespaces: alone=None sections=["0..=1"] builds=[(0, false)] reads=["image busybox:latest", "image golang:1.24", "image knowing-scratch-lab:root"] writes=["image knowing-scratch-lab:root"]"#,
        ]
    );
}

#[test]
fn engine_wide_reads_run_alone() {
    let cases = [
        ("docker ps", "step 's0' runs `docker ps`, which lists containers of the whole engine"),
        ("docker container ls -a", "step 's0' runs `docker container ls -a`, which lists containers of the whole engine"),
        ("docker image ls", "step 's0' runs `docker image ls`, which lists every image on the engine"),
        ("docker images --filter dangling=true", "step 's0' runs `docker images --filter dangling=true`, which lists every image on the engine"),
        ("docker info", "step 's0' runs `docker info`, which reads or changes state of the whole engine"),
        ("docker system prune -f", "step 's0' runs `docker system prune -f`, which reads or changes state of the whole engine"),
        ("docker load -i x.tar", "step 's0' runs `docker load -i x.tar`, which reads or changes state of the whole engine"),
        ("docker frobnicate", "step 's0' runs `docker frobnicate`, a docker command whose reach is not known"),
        ("docker container ls --latest", "step 's0' runs `docker container ls --latest`, which reads the newest container on the engine, and no step before it made one"),
        ("echo $(docker ps -q)", "step 's0' runs `docker ps -q`, which lists containers of the whole engine"),
        ("docker --context other run x", "step 's0' talks to an engine of its own choosing"),
    ];
    for (command, why) in cases {
        assert_eq!(of(&[command]).alone.as_deref(), Some(why), "{command}");
    }
}

#[test]
fn what_it_cannot_tell_runs_alone() {
    let cases = [
        ("echo hi > notes.txt", "step 's0' writes the file `notes.txt`"),
        ("cat <<EOF >Dockerfile\nFROM x\nEOF", "step 's0' writes the file `Dockerfile`"),
        ("make build", "step 's0' runs `make`, which may change what other lessons see"),
        ("docker save app | tar -x", "step 's0' runs `tar`, which may change what other lessons see"),
        ("sed -i s/a/b/ f", "step 's0' runs `sed`, which may change what other lessons see"),
        ("docker ps -q | xargs docker rm -f", "step 's0' runs `docker ps -q`, which lists containers of the whole engine"),
        ("ls | xargs docker rm -f", "step 's0' runs docker through `xargs`"),
        ("docker run $IMAGE", "step 's0' runs `docker run $IMAGE`, whose image is not known before the run"),
        ("docker run --frob x img", "step 's0' runs `docker run --frob x img`, with `--frob`, which is not known"),
        ("docker run -v $PWD:/src img", "step 's0' runs `docker run -v $PWD:/src img`, which shares files or volumes with its host"),
        ("docker build -o out .", "step 's0' runs `docker build -o out .`, which writes files"),
        ("docker cp c:/etc/passwd .", "step 's0' runs `docker cp c:/etc/passwd .`, which writes files"),
        ("docker build -f other.Dockerfile .", "step 's0' builds from `other.Dockerfile`, which could not be read before the run"),
    ];
    for (command, why) in cases {
        assert_eq!(of(&[command]).alone.as_deref(), Some(why), "{command}");
    }
    let marked = {
        let mut l = lesson(&["echo hi"]);
        l.exclusive = true;
        footprint(&l, Path::new("."))
    };
    assert_eq!(
        marked.alone.as_deref(),
        Some("it is marked `exclusive: true`")
    );
}

#[test]
fn what_is_understood_is_read_and_written() {
    let fp = of(&[
        "docker build -t app:v1 .",
        "ID=$(docker create --name web -e A=1 -it app:v1 sh -c 'x > /y')",
        "docker cp $ID:/etc/passwd - | tar -xO | tail -n 1 2>/dev/null",
        "docker tag app:v1 docker.io/library/app:v2 && docker image ls app",
        "docker exec -it web ls >/dev/null; docker rmi busybox",
    ]);
    assert_eq!(fp.alone, None);
    assert_eq!(
        names(&fp.reads),
        ["images app:*", "image app:v1", "image golang:1.24"]
    );
    assert_eq!(
        names(&fp.writes),
        [
            "image app:v1",
            "image app:v2",
            "image busybox:latest",
            "container web"
        ]
    );
    // No `--quiet`: the build shows its log.
    assert_eq!(fp.builds, [(0, true)]);
}

#[test]
fn latest_holds_a_section_from_the_container_it_finds() {
    let fp = of(&[
        "docker build -q -t app .",
        "docker run -d app",
        "echo waiting",
        "docker container ls --latest --quiet",
        "docker run --rm app",
        "ID=$(docker ps -lq) && docker logs $ID",
    ]);
    assert_eq!(fp.alone, None);
    let sections: Vec<(usize, usize)> = fp.sections.iter().map(|s| (s.first, s.last)).collect();
    assert_eq!(sections, [(1, 3), (4, 5)]);
    assert_eq!(
        fp.sections[0].why,
        "`docker container ls --latest --quiet` must find the container made in step 2"
    );
    assert_eq!(fp.section_of(2).map(|s| s.first), Some(1));
    assert_eq!(fp.section_of(0), None);
    assert_eq!(fp.build_at(0), Some(false));
    assert_eq!(fp.build_at(1), None);
}

#[test]
fn footprints_meet_where_one_writes_what_the_other_touches() {
    let writer = of(&["docker build -q -t app:v1 ."]);
    let reader = of(&["docker run --rm app:v1"]);
    let lister = of(&["docker image ls app"]);
    let other = of(&["docker run --rm app:v2"]);
    assert!(writer.meets(&reader) && reader.meets(&writer));
    assert!(writer.meets(&lister));
    assert!(writer.meets(&writer));
    assert!(!reader.meets(&other));
    assert!(!reader.meets(&lister));
    assert!(!writer.meets(&other));
}
