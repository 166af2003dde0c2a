//! Expected reports shared by the CLI tests (fake engine) and the live tests
//! (real engine): the same lessons must give the same verdicts on both.

/// What `check` prints when every step of every lesson matches, given the
/// verdicts of the steps whose documented output is a variant and the
/// containers the run leaves behind.
pub fn all_passed(variants: &[(&str, &str)], cleaned: &str) -> String {
    let variant = |title: &str| -> String {
        variants
            .iter()
            .find(|(t, _)| *t == title)
            .map(|(_, v)| format!(" [variant: {v}]"))
            .unwrap_or_default()
    };
    let ok = |title: &str| format!("  ok {title}{} [TIME]\n", variant(title));
    let mut out = String::new();
    out.push_str("finding-the-image · Finding the image\n");
    out.push_str("  skip Search Docker Hub (needs `registry`: Docker Hub is not reachable)\n");
    out.push_str(
        "  skip Read the whole description (needs `registry`: Docker Hub is not reachable)\n",
    );
    out.push_str("interesting-outputs · Interesting command outputs\n");
    for t in ["image pull", "image ls", "container run", "scan"] {
        out.push_str(&ok(t));
    }
    out.push_str("  skip regctl manifest (needs `registry`: Docker Hub is not reachable)\n");
    out.push_str("create-from-scratch · Create your image from scratch\n");
    for t in ["Build the image", "Look at its size", "Run it"] {
        out.push_str(&ok(t));
    }
    out.push_str("image-layers · Image layers behavior\n");
    out.push_str(&ok("Show the history"));
    out.push_str("debug-without-shell · Access and debug images without shell\n");
    for t in [
        "Start the app in the background",
        "Try to open a shell",
        "Borrow the tools of a debug container",
    ] {
        out.push_str(&ok(t));
    }
    out.push_str("non-root-user · Setup user non-root\n");
    for t in [
        "Build the non-root image",
        "Run the non-root image",
        "Check the user from a debug container",
    ] {
        out.push_str(&ok(t));
    }
    out.push_str(&format!(
        "cleaned up 2 container(s) this run created: {cleaned}\n"
    ));
    out.push_str("14 passed, 0 failed, 3 skipped\n");
    out
}

/// The verdicts that name a variant on client 20.10 with its built-in BuildKit.
pub const VARIANTS_20_10: &[(&str, &str)] = &[
    ("container run", "client < 28"),
    ("scan", "client < 28"),
    ("Build the image", "builder == builtin"),
    ("Build the non-root image", "builder == builtin"),
];

/// `check interesting-outputs` on client 28 when the pull error says
/// `reserved word`: that step fails, and its diff shows that word only.
pub const ONE_WORD_DRIFT: &str = "
    interesting-outputs · Interesting command outputs
      FAIL image pull [TIME]
        where: interesting-outputs › step 1 `image pull`
        why: output differs from the docs
        command: docker image pull scratch
        diff: - documented + real
          Using default tag: latest
        - Error response from daemon: 'scratch' is a reserved name
        + Error response from daemon: 'scratch' is a reserved word
      ok image ls [TIME]
      ok container run [TIME]
      ok scan [TIME]
      skip regctl manifest (needs `registry`: Docker Hub is not reachable)
    3 passed, 1 failed, 1 skipped
    ";
