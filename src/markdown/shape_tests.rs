//! Unit tests of `shape`.

use super::*;

#[test]
fn segments_respect_quotes_and_heredocs() {
    assert_eq!(
        segments("a && b | c; d 'x;y' \"p|q\"\ncat <<EOF\nrm -rf /\nEOF\ne \\\n  f"),
        ["a", "b", "c", "d 'x;y' \"p|q\"", "cat <<EOF", "e    f"]
    );
}

#[test]
fn host_commands_are_named() {
    let r = |s: &str| host_reasons(s);
    assert_eq!(
        r("sudo apt-get install -y curl"),
        ["runs `sudo`", "installs packages (`apt-get`)"]
    );
    assert_eq!(
        r("curl -fsSL https://get.docker.com | sh"),
        ["pipes a download into a shell"]
    );
    assert_eq!(
        r("rm -rf /var/lib/x"),
        ["removes files outside the lesson folder (`rm -r`)"]
    );
    assert_eq!(
        r("echo x > /etc/motd"),
        ["writes outside the lesson folder (a `>` redirect)"]
    );
    assert_eq!(
        r("sudo systemctl restart docker"),
        ["runs `sudo`", "manages services (`systemctl`)"]
    );
    assert!(r("docker run busybox sh -c 'rm -rf /tmp/x; echo > /etc/x'").is_empty());
    assert!(r("rm -rf build && echo hi > out.txt 2>/dev/null").is_empty());
}

#[test]
fn tools_images_and_errors() {
    assert_eq!(
        tools("go build -o app . && setcap x app | jq ."),
        ["go", "setcap", "jq"]
    );
    assert_eq!(tools("X=1 docker ps && curl -s localhost"), ["curl"]);
    let (used, built) = images(
        "cat > Dockerfile <<EOF\nFROM golang:1.24 AS build\nFROM scratch\nCOPY --from=build /a /a\nEOF\ndocker build -t hello . && docker run --rm -p 80:80 --name x busybox:latest echo hi",
    );
    assert_eq!(
        (used, built),
        (
            vec!["golang:1.24".into(), "busybox:latest".into()],
            vec!["hello".into()]
        )
    );
    let lines = |s: &str| s.lines().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(error_exit("docker ps", &lines("CONTAINER ID\n")), None);
    assert_eq!(
        error_exit(
            "docker run hello",
            &lines("docker: Error response from daemon: bad.\nSee 'docker run --help'.")
        ),
        Some(Some(125))
    );
    assert_eq!(
        error_exit(
            "docker image ls scratch",
            &lines("Error response from daemon: x")
        ),
        Some(Some(1))
    );
    assert_eq!(error_exit("./run.sh", &lines("fatal: no")), Some(None));
    assert_eq!(
        documented(&lines("a {{.Name}}\n...\n…\nb")),
        "a \\{{.Name}}\n{{...}}\n{{...}}\nb\n"
    );
    assert!(buildkit(&lines("[+] Building 1.2s (5/5) FINISHED")));
    assert_eq!(
        skip_reason("vim Dockerfile", false),
        Some("opens an editor".into())
    );
    assert_eq!(
        skip_reason("docker stop <container-id>", false),
        Some("has a placeholder `<container-id>` to fill in".into())
    );
    assert_eq!(skip_reason("docker build -t x . < /dev/null", false), None);
}
