//! Expected reports shared by the CLI tests (fake engine) and the live tests
//! (real engine): the same lessons must give the same verdicts on both.

/// A lesson as the reports name it: id, title, and its steps' titles, each
/// with why it is skipped when Docker Hub is out of reach and no tool but the
/// system's is on PATH (`None`: it runs).
pub struct Lesson {
    pub id: &'static str,
    pub title: &'static str,
    pub steps: &'static [(&'static str, Option<&'static str>)],
}

/// Why a step that `requires: [registry]` is skipped.
pub const NO_REGISTRY: &str = "needs `registry`: Docker Hub is not reachable";
/// Why a step that `requires: [registry, regctl]` is skipped.
pub const NO_REGISTRY_NO_REGCTL: &str =
    "needs `registry`: Docker Hub is not reachable; needs `regctl`: not found on PATH";

/// Every lesson, in tutorial order.
pub const LESSONS: &[Lesson] = &[
    Lesson {
        id: "finding-the-image",
        title: "Finding the image",
        steps: &[
            ("Search Docker Hub", Some(NO_REGISTRY)),
            ("Read the whole description", Some(NO_REGISTRY)),
        ],
    },
    Lesson {
        id: "interesting-outputs",
        title: "Interesting command outputs",
        steps: &[
            ("image pull", None),
            ("image ls", None),
            ("container run", None),
            ("scan", None),
            ("regctl manifest", Some(NO_REGISTRY_NO_REGCTL)),
        ],
    },
    Lesson {
        id: "create-from-scratch",
        title: "Create your image from scratch",
        steps: &[
            ("Build the image", None),
            ("Look at its size", None),
            ("Run it", None),
        ],
    },
    Lesson {
        id: "image-layers",
        title: "Image layers behavior",
        steps: &[("Show the history", None)],
    },
    Lesson {
        id: "debug-without-shell",
        title: "Access and debug images without shell",
        steps: &[
            ("Start the app in the background", None),
            ("Try to open a shell", None),
            ("Borrow the tools of a debug container", None),
        ],
    },
    Lesson {
        id: "non-root-user",
        title: "Setup user non-root",
        steps: &[
            ("Build the non-root image", None),
            ("Run the non-root image", None),
            ("Check the user from a debug container", None),
        ],
    },
    Lesson {
        id: "how-small",
        title: "How small can it get?",
        steps: &[
            ("Build the plain image under its own tag", None),
            ("Note its size", None),
            ("Build a stripped binary", None),
            ("Compare the sizes", None),
        ],
    },
    Lesson {
        id: "shell-form",
        title: "Shell form needs a shell",
        steps: &[
            ("Build with a shell-form ENTRYPOINT", None),
            ("Run it", None),
            ("RUN in a scratch stage", None),
            ("The fix is the exec form", None),
        ],
    },
    Lesson {
        id: "user-needs-passwd",
        title: "A user name needs /etc/passwd",
        steps: &[
            ("Build without /etc/passwd", None),
            ("Run it", None),
            ("A number needs no lookup", None),
        ],
    },
    Lesson {
        id: "look-inside",
        title: "Looking inside without a shell",
        steps: &[
            ("Build the non-root image under its own tag", None),
            ("Create a container without starting it", None),
            ("List its whole file system", None),
            ("Copy one file out", None),
        ],
    },
    Lesson {
        id: "what-the-os-gives",
        title: "What the OS usually gives you",
        steps: &[
            ("Build the app with its extra subcommands", None),
            ("No /tmp", None),
            ("Give it a /tmp", None),
            ("No time zones", None),
            ("No CA certificates", None),
            ("Bring them along", None),
            ("Time zones work", None),
            ("Certificates work", None),
        ],
    },
    Lesson {
        id: "debug-namespaces",
        title: "Debugging with --pid and --network container",
        steps: &[
            ("Build and start the app as root", None),
            ("Join its processes and its network", None),
        ],
    },
];

/// The six lessons of the tutorial itself, which the tapes cover.
pub const TUTORIAL: [&str; 6] = [
    "finding-the-image",
    "interesting-outputs",
    "create-from-scratch",
    "image-layers",
    "debug-without-shell",
    "non-root-user",
];

/// Every lesson id, in order.
pub fn all_lessons() -> Vec<&'static str> {
    LESSONS.iter().map(|l| l.id).collect()
}

/// The first line of a human report on the engine and clients the tapes
/// were recorded from (`docker-28-buildx*.tape`, `docker-20.10-builtin.tape`).
pub const HEADER_28: &str =
    "engine 20.10.24+dfsg1 (classic image store), client 28.2.2 with buildx 0.13.1+ds1, runc 1.1.5+ds1\n";
pub const HEADER_20_10: &str =
    "engine 20.10.24+dfsg1 (classic image store), client 20.10.24+dfsg1 with built-in BuildKit, runc 1.1.5+ds1\n";

/// What `check LESSONS...` prints when every step matches (the steps that
/// need Docker Hub or `regctl` are skipped): `variants` names the steps, as
/// `lesson/step`, whose documented output is a variant, `header` the line
/// that names the engine, and `cleaned` the
/// containers the run removes at the end.
pub fn all_passed(
    header: &str,
    lessons: &[&str],
    variants: &[(&str, &str)],
    cleaned: &[&str],
) -> String {
    let mut out = header.to_string();
    let (mut passed, mut skipped) = (0, 0);
    for id in lessons {
        let lesson = LESSONS
            .iter()
            .find(|l| l.id == *id)
            .expect("a known lesson");
        out.push_str(&format!("{} · {}\n", lesson.id, lesson.title));
        for (title, skip) in lesson.steps {
            if let Some(why) = skip {
                skipped += 1;
                out.push_str(&format!("  skip {title} ({why})\n"));
                continue;
            }
            passed += 1;
            let variant = variants
                .iter()
                .find(|(step, _)| *step == format!("{id}/{title}"))
                .map(|(_, v)| format!(" [variant: {v}]"))
                .unwrap_or_default();
            out.push_str(&format!("  ok {title}{variant} [TIME]\n"));
        }
    }
    if !cleaned.is_empty() {
        // The report sorts them: lessons side by side make them in no fixed order.
        let mut cleaned = cleaned.to_vec();
        cleaned.sort_unstable();
        out.push_str(&format!(
            "cleaned up {} container(s) this run created: {}\n",
            cleaned.len(),
            cleaned.join(" ")
        ));
    }
    out.push_str(&format!("{passed} passed, 0 failed, {skipped} skipped\n"));
    out
}

/// The verdicts that name a variant on engine 20.10 with client 20.10 and its
/// built-in BuildKit.
pub const VARIANTS_20_10: &[(&str, &str)] = &[
    ("interesting-outputs/container run", "client < 28"),
    ("interesting-outputs/scan", "client < 28"),
    ("create-from-scratch/Build the image", "builder == builtin"),
    ("debug-without-shell/Try to open a shell", "server < 28"),
    (
        "non-root-user/Build the non-root image",
        "builder == builtin",
    ),
    ("shell-form/Run it", "client < 28"),
    ("shell-form/RUN in a scratch stage", "builder == builtin"),
    ("user-needs-passwd/Run it", "client < 28"),
];

/// The verdicts that name a variant on engine 20.10 with client 28.2 and
/// buildx 0.13: the lessons show Engine 28.5 first.
pub const VARIANTS_20_10_28_2: &[(&str, &str)] = &[
    ("debug-without-shell/Try to open a shell", "server < 28"),
    ("shell-form/Run it", "server < 28"),
    ("shell-form/RUN in a scratch stage", "server < 28"),
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
      skip regctl manifest (needs `registry`: Docker Hub is not reachable; needs `regctl`: not found on PATH)
    3 passed, 1 failed, 1 skipped
    ";
