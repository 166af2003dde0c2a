//! Behaviour of the public API, on outputs like the tutorial's.

use std::collections::HashMap;

use super::*;

const ID: &str = "460764e65f7fb1b9f9d2a8c7c720f3919b494bfae17bb89d3b482d2698faa470";
const ID2: &str = "d6f930e1f595a96ca7377d692c0df4bf449eafb1de7ec7de9eb851da2235c8ee";
const DIGEST: &str = "sha256:3fc7c254b5bd9074a2a58a69d9f80a492266d589b6267e2ca506ba14d0884f1f";

fn with(mode: Mode, sizes: SizeBand) -> Options {
    Options {
        mode,
        sizes,
        ..Options::default()
    }
}

fn compare_with(doc: &str, real: &str, opts: Options, known: &[(&str, &str)]) -> Comparison {
    let known: HashMap<String, String> = known
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    Pattern::parse(doc).unwrap().compare(real, &opts, &known)
}

fn compare(doc: &str, real: &str) -> Comparison {
    compare_with(doc, real, Options::default(), &[])
}

fn matches(doc: &str, real: &str) -> bool {
    compare(doc, real).matched
}

fn parse_error(doc: &str) -> (usize, usize, String) {
    let e = Pattern::parse(doc).unwrap_err();
    (e.line, e.column, e.message)
}

fn plain(tag: DiffTag, text: &str) -> DiffLine {
    DiffLine {
        tag,
        segments: vec![(false, text.to_string())],
    }
}

fn note(text: &str) -> DiffLine {
    plain(DiffTag::Note, text)
}

fn changed(diff: &[DiffLine]) -> Vec<DiffLine> {
    diff.iter()
        .filter(|l| matches!(l.tag, DiffTag::Removed | DiffTag::Added | DiffTag::Note))
        .cloned()
        .collect()
}

#[test]
fn identical_output_matches_with_an_empty_diff() {
    let c = compare("a\nb\n", "a\r\n\x1b[32mb\x1b[0m   \n\n");
    assert_eq!(
        c,
        Comparison {
            matched: true,
            captures: vec![],
            diff: vec![]
        }
    );
}

#[test]
fn empty_outputs() {
    assert!(matches("", ""));
    assert!(matches("\n\n", "  \r\n"));
    assert_eq!(compare("", "x").diff, vec![plain(DiffTag::Added, "x")]);
    assert_eq!(compare("x", "").diff, vec![plain(DiffTag::Removed, "x")]);
}

#[test]
fn each_volatile_kind_matches_another_value_of_its_kind() {
    assert!(matches(ID, ID2));
    assert!(!matches(ID, &ID2[..63]));
    assert!(matches("root@3f165a273e85:/#", "root@d6f930e1f595:/#"));
    assert!(!matches("root@3f165a273e85:/#", "root@d6f930e1f59:/#"));
    let doc = format!("writing image {DIGEST} done");
    assert!(matches(&doc, &format!("writing image sha256:{ID} done")));
    assert!(!matches(&doc, "writing image sha256:abc done"));
    assert!(matches("#8 DONE 0.2s", "#8 DONE 1m3.5s"));
    assert!(matches("#8 DONE 0.2s", "#8 DONE 150ms"));
    assert!(!matches("#8 DONE 0.2s", "#8 DONE soon"));
    assert!(matches("About a minute ago", "3 weeks ago"));
    assert!(matches("Up 3 seconds", "Up Less than a second"));
    assert!(matches(
        "Exited (0) 2 seconds ago",
        "Exited (0) About an hour ago"
    ));
    assert!(!matches(
        "Exited (0) 2 seconds ago",
        "Exited (1) 2 seconds ago"
    ));
    assert!(!matches("About a minute ago", "a while ago"));
    assert!(matches("START 11:00", "START 9:48"));
    assert!(matches(
        "at 2022-05-01T11:00:05Z",
        "at 2025-12-31T23:59:59.123456789+01:00"
    ));
    assert!(!matches("START 11:00", "START 11h00"));
    assert!(matches("SIZE 1.81MB", "SIZE 2.2MB"));
    assert!(!matches("SIZE 1.81MB", "SIZE 2.2"));
}

#[test]
fn integers_are_not_volatile() {
    assert!(matches("1 10001 /app", "1 10001 /app"));
    let c = compare("1 10001 /app", "1 10002 /app");
    assert!(!c.matched);
    assert_eq!(
        c.diff,
        vec![
            DiffLine {
                tag: DiffTag::Removed,
                segments: vec![
                    (false, "1 ".into()),
                    (true, "10001".into()),
                    (false, " /app".into())
                ]
            },
            DiffLine {
                tag: DiffTag::Added,
                segments: vec![
                    (false, "1 ".into()),
                    (true, "10002".into()),
                    (false, " /app".into())
                ]
            },
        ]
    );
    assert!(matches("{{int}} 10001 /app", "42 10001 /app"));
}

#[test]
fn size_band() {
    let ratio = Options::default();
    assert!(compare_with("1.81MB", "2.2MB", ratio, &[]).matched);
    let c = compare_with("1.81MB", "75MB", ratio, &[]);
    assert!(!c.matched);
    assert_eq!(
        c.diff,
        vec![
            note("line 1: size `75MB` is too far from the documented `1.81MB` (allowed: a factor of 1.5 either way)"),
            // Nothing in common: the whole line changed, no word stands out.
            plain(DiffTag::Removed, "1.81MB"),
            plain(DiffTag::Added, "75MB"),
        ]
    );
    assert!(compare_with("0B", "0B", ratio, &[]).matched);
    assert!(!compare_with("0B", "1B", ratio, &[]).matched);
    let exact = with(Mode::Lines, SizeBand::Exact);
    assert!(compare_with("1.81MB", "1.81MB", exact, &[]).matched);
    assert!(!compare_with("1.81MB", "1.82MB", exact, &[]).matched);
    let any = with(Mode::Lines, SizeBand::Any);
    assert!(compare_with("1.81MB", "75GB", any, &[]).matched);
    assert!(!compare_with("1.81MB", "big", any, &[]).matched);
}

#[test]
fn the_same_documented_id_must_be_the_same_real_id() {
    let doc = format!("{ID}\nroot@460764e65f7f:/# {ID}");
    let real_same = format!("{ID2}\nroot@d6f930e1f595:/# {ID2}");
    assert!(matches(&doc, &real_same));
    let real_other = format!("{ID2}\nroot@d6f930e1f595:/# {ID}");
    let c = compare(&doc, &real_other);
    assert!(!c.matched);
    assert_eq!(
        c.diff[0],
        note(&format!(
            "line 2: `{ID}` is documented more than once for one value, but the output has `{ID2}` and then `{ID}`"
        ))
    );
    // Different documented IDs may be different real IDs, or the same one.
    assert!(matches(&format!("{ID}\n{ID2}"), &format!("{ID2}\n{ID}")));
    assert!(matches(&format!("{ID}\n{ID2}"), &format!("{ID2}\n{ID2}")));
    // Measurements are not identities: one documented duration, many real.
    assert!(matches(
        "#1 DONE 0.0s\n#2 DONE 0.0s",
        "#1 DONE 0.1s\n#2 DONE 2.3s"
    ));
}

#[test]
fn table_columns_realign() {
    let doc = "REPOSITORY              TAG       IMAGE ID       CREATED              SIZE\n\
               knowing-scratch-image   latest    1dfd3056e96d   About a minute ago   1.81MB";
    let real = "REPOSITORY              TAG       IMAGE ID       CREATED         SIZE\n\
                knowing-scratch-image   latest    0b8c1e4d2a77   5 seconds ago   2.04MB";
    assert!(matches(doc, real));
    assert!(!matches("  a  b", "a b"), "indentation is exact");
    assert!(!matches("a b", "a  b"), "a single space is exact");
}

#[test]
fn any_text_within_a_line() {
    assert!(matches(
        "failed to get manifest {{*}}: not found",
        "failed to get manifest x:y: not found"
    ));
    assert!(matches("a{{*}}b", "ab"));
    assert!(!matches("a{{*}}b", "ab c"));
}

#[test]
fn any_number_of_lines() {
    let doc = "Using default tag: latest\n{{...}}\nError response from daemon: 'scratch' is a reserved name";
    let end = "Error response from daemon: 'scratch' is a reserved name";
    assert!(matches(doc, &format!("Using default tag: latest\n{end}")));
    assert!(matches(
        doc,
        &format!("Using default tag: latest\nlatest: Pulling\n{end}")
    ));
    assert!(matches(
        doc,
        &format!("Using default tag: latest\n1\n2\n3\n{end}")
    ));
    assert!(!matches(doc, &format!("{end}\nUsing default tag: latest")));
    assert!(matches("{{...}}", ""));
    assert!(matches("  {{...}}  \nlast", "x\ny\nlast"));
}

#[test]
fn custom_regex() {
    assert!(matches(
        r"Docker version {{/\d+\.\d+\.\d+/}}, build {{/[0-9a-f]{7}/}}",
        "Docker version 28.2.2, build e6534b4"
    ));
    assert!(!matches(r"version {{/\d+\.\d+/}}", "version 28"));
    assert!(matches(r"path {{/\/go\/bin\/\w+/}}", "path /go/bin/app"));
}

#[test]
fn named_captures_are_returned_in_order() {
    let c = compare(
        "{{ID=hex64}}\nroot@{{SHORT=hex12}}:/#\n{{IMG=/[a-z-]+/}} {{SIZE=size}}",
        &format!("{ID2}\nroot@d6f930e1f595:/#\nknowing-scratch-image 1.81MB"),
    );
    assert!(c.matched);
    assert_eq!(
        c.captures,
        vec![
            ("ID".to_string(), ID2.to_string()),
            ("SHORT".to_string(), "d6f930e1f595".to_string()),
            ("IMG".to_string(), "knowing-scratch-image".to_string()),
            ("SIZE".to_string(), "1.81MB".to_string()),
        ]
    );
}

#[test]
fn size_compared_with_an_earlier_capture() {
    let doc = "knowing-scratch-image   latest   {{size<PLAIN}}";
    let known = [("PLAIN", "1.81MB")];
    let opts = Options::default();
    assert!(compare_with(doc, "knowing-scratch-image latest 1.2MB", opts, &known).matched);
    let larger = compare_with(doc, "knowing-scratch-image latest 2MB", opts, &known);
    assert!(!larger.matched);
    assert_eq!(
        larger.diff[0],
        note("line 1: size `2MB` is not < `1.81MB` (capture `PLAIN`)")
    );
    let missing = compare_with(doc, "knowing-scratch-image latest 1.2MB", opts, &[]);
    assert!(!missing.matched);
    assert_eq!(
        missing.diff[0],
        note("line 1: no earlier capture named `PLAIN` to compare the size `1.2MB` with")
    );
    assert!(compare_with("{{size>=PLAIN}}", "1.81MB", opts, &known).matched);
}

#[test]
fn escaped_marker_is_literal() {
    let doc = r"table \{{.CreatedBy}}\t\{{.Size}}";
    assert!(matches(doc, r"table {{.CreatedBy}}\t{{.Size}}"));
    assert!(!matches(doc, r"table x\ty"));
}

#[test]
fn unordered_lines() {
    let opts = with(Mode::Unordered, SizeBand::default());
    let doc = "root 1 /app\nroot 9 bash\n{{*}} ps aux";
    assert!(compare_with(doc, "root 17 ps aux\nroot 1 /app\nroot 9 bash", opts, &[]).matched);
    let c = compare_with(doc, "root 17 ps aux\nroot 1 /app\nroot 9 sh", opts, &[]);
    assert!(!c.matched);
    assert_eq!(
        changed(&c.diff),
        vec![
            DiffLine {
                tag: DiffTag::Removed,
                segments: vec![(false, "root 9 ".into()), (true, "bash".into())]
            },
            DiffLine {
                tag: DiffTag::Added,
                segments: vec![(false, "root 9 ".into()), (true, "sh".into())]
            },
        ]
    );
    assert!(!compare_with("a\na", "a", opts, &[]).matched, "a multiset");
    assert!(!compare_with("a", "a\nb", opts, &[]).matched);
    assert!(compare_with("a\n{{...}}", "b\na\nc", opts, &[]).matched);
}

#[test]
fn one_changed_word_is_emphasised() {
    let c = compare(
        "Using default tag: latest\nError response from daemon: 'scratch' is a reserved name",
        "Using default tag: latest\nError response from daemon: 'scratch' is a reserved word",
    );
    assert_eq!(
        c.diff,
        vec![
            plain(DiffTag::Same, "Using default tag: latest"),
            DiffLine {
                tag: DiffTag::Removed,
                segments: vec![
                    (
                        false,
                        "Error response from daemon: 'scratch' is a reserved ".into()
                    ),
                    (true, "name".into())
                ]
            },
            DiffLine {
                tag: DiffTag::Added,
                segments: vec![
                    (
                        false,
                        "Error response from daemon: 'scratch' is a reserved ".into()
                    ),
                    (true, "word".into())
                ]
            },
        ]
    );
}

#[test]
fn diff_shows_matched_volatile_lines_as_documented_and_elides() {
    let doc: Vec<String> = (0..12).map(|i| format!("step {i} DONE 0.{i}s")).collect();
    let mut real: Vec<String> = (0..12).map(|i| format!("step {i} DONE 1{i}.5s")).collect();
    real[6] = "step 6 ERROR".to_string();
    let c = compare(&doc.join("\n"), &real.join("\n"));
    assert_eq!(
        c.diff,
        vec![
            DiffLine {
                tag: DiffTag::Elided(3),
                segments: vec![]
            },
            plain(DiffTag::Same, "step 3 DONE 0.3s"),
            plain(DiffTag::Same, "step 4 DONE 0.4s"),
            plain(DiffTag::Same, "step 5 DONE 0.5s"),
            DiffLine {
                tag: DiffTag::Removed,
                segments: vec![(false, "step 6 ".into()), (true, "DONE 0.6s".into())]
            },
            DiffLine {
                tag: DiffTag::Added,
                segments: vec![(false, "step 6 ".into()), (true, "ERROR".into())]
            },
            plain(DiffTag::Same, "step 7 DONE 0.7s"),
            plain(DiffTag::Same, "step 8 DONE 0.8s"),
            plain(DiffTag::Same, "step 9 DONE 0.9s"),
            DiffLine {
                tag: DiffTag::Elided(2),
                segments: vec![]
            },
        ]
    );
}

#[test]
fn diff_of_missing_and_extra_lines() {
    let c = compare("a\nb {{int}}\nc\nd", "a\nb 1\nx\nc\nd\ne");
    assert_eq!(
        c.diff,
        vec![
            plain(DiffTag::Same, "a"),
            plain(DiffTag::Same, "b {{int}}"),
            plain(DiffTag::Added, "x"),
            plain(DiffTag::Same, "c"),
            plain(DiffTag::Same, "d"),
            plain(DiffTag::Added, "e"),
        ]
    );
}

#[test]
fn parse_errors_point_at_the_marker() {
    assert_eq!(
        parse_error("ok\nIMAGE {{hex64"),
        (
            2,
            7,
            "unclosed `{{`: a marker ends with `}}` on the same line".into()
        )
    );
    assert_eq!(
        parse_error("a\nb\n  {{hexx}}"),
        (
            3,
            3,
            "unknown volatile kind `hexx`; known kinds: hex64, hex12, digest, duration, reltime, clock, size, builder, int; did you mean `hex64`?".into()
        )
    );
    assert_eq!(
        parse_error("x {{/[a-/}}"),
        (1, 3, "invalid regex `[a-`: unclosed character class".into())
    );
    assert_eq!(
        parse_error("\n{{image=hex12}}"),
        (
            2,
            1,
            "invalid capture name `image`: a name is upper-case letters, digits and `_`, not starting with a digit".into()
        )
    );
    assert_eq!(
        parse_error("start\n{{...}} more"),
        (2, 1, "`{{...}}` must be alone on its line".into())
    );
    assert_eq!(
        parse_error("#5 ok {{.ID}}"),
        (
            1,
            7,
            "`{{.ID}}` is not a marker; write `\\{{` for a literal `{{`".into()
        )
    );
}

#[test]
fn capture_and_reference_names() {
    let p = Pattern::parse("{{A=int}} {{size<B}}\n{{size>A}} {{C=/x/}} {{A=int}}\n{{size<=B}}")
        .unwrap();
    assert_eq!(p.capture_names(), vec!["A".to_string(), "C".to_string()]);
    assert_eq!(p.referenced_names(), vec!["B".to_string()]);
    assert_eq!(
        p.source(),
        "{{A=int}} {{size<B}}\n{{size>A}} {{C=/x/}} {{A=int}}\n{{size<=B}}"
    );
}

#[test]
fn references_know_where_they_are() {
    let p = Pattern::parse("{{A=int}}\n  x {{size<B}} {{size>A}}\n{{size<=B}} {{size>C}}").unwrap();
    assert_eq!(
        p.references(),
        [
            Reference {
                name: "B".into(),
                line: 2,
                column: 5
            },
            Reference {
                name: "C".into(),
                line: 3,
                column: 13
            }
        ]
    );
}

fn assert_bless_round_trip(doc: &str, real: &str, opts: Options) -> String {
    let known = HashMap::new();
    let blessed = Pattern::parse(doc).unwrap().bless(real, &opts, &known);
    let again = Pattern::parse(&blessed)
        .unwrap()
        .compare(real, &opts, &known);
    assert!(again.matched, "blessed:\n{blessed}\ndiff: {:?}", again.diff);
    blessed
}

#[test]
fn bless_keeps_matching_lines_as_written_and_takes_drifted_ones() {
    let doc = format!(
        "{ID}\nroot@{{{{SHORT=hex12}}}}:/#\nError response from daemon: 'scratch' is a reserved name.\nSee 'docker run --help'.\n"
    );
    let real = format!(
        "{ID2}\r\nroot@d6f930e1f595:/#\nError response from daemon: 'scratch' is a reserved name\n\nRun 'docker run --help' for more information {{{{x}}}}  \n"
    );
    let blessed = assert_bless_round_trip(&doc, &real, Options::default());
    assert_eq!(
        blessed,
        format!(
            "{ID}\nroot@{{{{SHORT=hex12}}}}:/#\nError response from daemon: 'scratch' is a reserved name\n\nRun 'docker run --help' for more information \\{{{{x}}}}\n"
        )
    );
    let no_newline = assert_bless_round_trip("a\nb", "a\nc\n", Options::default());
    assert_eq!(no_newline, "a\nc");
}

#[test]
fn bless_keeps_dots_and_matches_unchanged_output_exactly() {
    let doc = "first\n{{...}}\nlast 1.81MB\n";
    assert_eq!(
        assert_bless_round_trip(doc, "first\nx\ny\nlast 1.9MB\n", Options::default()),
        doc
    );
    assert_eq!(
        assert_bless_round_trip(doc, "first\nx\nlast 9GB\nmore\n", Options::default()),
        "first\n{{...}}\nlast 9GB\nmore\n"
    );
    let opts = with(Mode::Unordered, SizeBand::default());
    assert_eq!(
        assert_bless_round_trip("b {{int}}\na\n", "a\nc\nb 2\n", opts),
        "a\nc\nb {{int}}\n"
    );
}

const SEED_BUILD: &str = "#1 [internal] load build definition from Dockerfile-simple
#1 sha256:c2b14c6c81e91084d4a6a31f519054a313c4a2f0419c7e5dd526cf5efdee0691
#1 transferring dockerfile: 44B done
#1 DONE 0.0s

#2 [internal] load .dockerignore
#2 sha256:b4743841e7ace600972aa5913c0114df86bd4e80ce06da58a62c4b6187a4f73e
#2 transferring context: 2B done
#2 DONE 0.0s

#3 [internal] load metadata for docker.io/library/golang:1.18.1
#3 sha256:12b03ca396919374cac1f2bb4a1c46c80c15f6cef6eb69f217f095455132c948
#3 DONE 0.0s

#4 [builder 1/4] FROM docker.io/library/golang:1.18.1
#4 sha256:4ad06f069bd7e52d9fe9fb6d39bd478fa15fb210df73b45129c8c5233652c3b2
#4 DONE 0.0s

#5 [builder 2/4] WORKDIR /app
#5 sha256:87fccf2b991e137e524160caa53ff94def5eb942a93f59c0e5c16f1ec417405c
#5 CACHED

#6 [internal] load build context
#6 sha256:a8e83eb1e8a1eaae9ab2ad4c6e55459829e992ed2020a7ea5df4445eac76611c
#6 transferring context: 3.52kB done
#6 DONE 0.0s

#7 [builder 3/4] COPY . .
#7 sha256:89d57ce88fbeab051fd8f8404cec9f651796cd4913c9a9b4278224dcff798dc6
#7 DONE 0.0s

#8 [builder 4/4] RUN CGO_ENABLED=0 go build -o /go/bin/app .
#8 sha256:d97b9de6adeece92705a3f75d8c29a4a12848b46c728b69352513e547aaa982a
#8 DONE 0.2s

#9 [stage-1 1/1] COPY --from=builder /go/bin/app /app
#9 sha256:f966d14202f622dd1b88724a3c29cd0e39b6a814a317e27977f7fa715d482333
#9 DONE 0.0s

#10 exporting to image
#10 sha256:e8c613e07b0b7ff33893b694f7759a10d42e180f2b4dc349fb57dc6b71dcab00
#10 exporting layers done
#10 writing image sha256:1dfd3056e96d552eb5b5825eb5c2e52e52ec96829755b21a4c787607aeddf07f done
#10 naming to docker.io/library/knowing-scratch-image done
#10 DONE 0.0s
";

const HEADER: &str = "#0 building with \"default\" instance using docker driver\n\n";

/// A buildx run of the same build: other numbers, another order, no digest
/// lines, progress lines printed twice.
const BUILDX_BUILD: &str = "#0 building with \"default\" instance using docker driver

#1 [internal] load build definition from Dockerfile-simple
#1 transferring dockerfile: 44B done
#1 DONE 0.0s

#2 [internal] load metadata for docker.io/library/golang:1.18.1
#2 DONE 0.6s

#3 [internal] load .dockerignore
#3 transferring context: 2B done
#3 DONE 0.0s

#4 [builder 1/4] FROM docker.io/library/golang:1.18.1
#4 DONE 0.0s

#5 [internal] load build context
#5 transferring context: 3.61kB 0.0s done
#5 DONE 0.0s

#6 [builder 2/4] WORKDIR /app
#6 CACHED

#7 [builder 3/4] COPY . .
#7 DONE 0.1s

#8 [builder 4/4] RUN CGO_ENABLED=0 go build -o /go/bin/app .
#8 DONE 1.9s

#9 [stage-1 1/1] COPY --from=builder /go/bin/app /app
#9 DONE 0.0s

#10 exporting to image
#10 exporting layers
#10 exporting layers 0.1s done
#10 writing image sha256:0f3e9bd6c0b2bc4d8b1b70a0a9f8c9f3c1f1bb2e8d1a4f4c2f0b6e7a9d3c5e11
#10 writing image sha256:0f3e9bd6c0b2bc4d8b1b70a0a9f8c9f3c1f1bb2e8d1a4f4c2f0b6e7a9d3c5e11 done
#10 naming to docker.io/library/knowing-scratch-image done
#10 DONE 0.1s
";

fn buildkit() -> Options {
    with(Mode::Buildkit, SizeBand::default())
}

fn seed_with_header() -> String {
    format!("{HEADER}{SEED_BUILD}")
}

#[test]
fn buildkit_logs_match_as_sets_of_steps() {
    let c = compare_with(&seed_with_header(), BUILDX_BUILD, buildkit(), &[]);
    assert_eq!(c.diff, vec![]);
    assert!(c.matched);
    // Reorder the vertices and renumber them: still the same build.
    let blocks: Vec<&str> = BUILDX_BUILD.split("\n\n").collect();
    let mut shuffled: Vec<String> = blocks.iter().rev().map(|b| b.to_string()).collect();
    shuffled = shuffled
        .into_iter()
        .map(|b| {
            let n: usize = b[1..b.find(' ').unwrap()].parse().unwrap();
            b.replace(&format!("#{n} "), &format!("#{} ", 20 + n))
        })
        .collect();
    assert!(compare_with(&seed_with_header(), &shuffled.join("\n\n"), buildkit(), &[]).matched);
    // In lines mode the same pair is far apart.
    assert!(!compare(&seed_with_header(), BUILDX_BUILD).matched);
}

#[test]
fn buildkit_header_is_a_step_like_any_other() {
    let c = compare_with(SEED_BUILD, BUILDX_BUILD, buildkit(), &[]);
    assert!(!c.matched);
    assert_eq!(
        changed(&c.diff),
        vec![plain(
            DiffTag::Added,
            "building with \"default\" instance using docker driver: (no status)"
        )]
    );
}

#[test]
fn buildkit_changed_status_fails() {
    let real = BUILDX_BUILD.replace(
        "#8 DONE 1.9s",
        "#8 ERROR: process \"/bin/sh -c CGO_ENABLED=0 go build -o /go/bin/app .\" did not complete successfully: exit code: 1",
    );
    let c = compare_with(&seed_with_header(), &real, buildkit(), &[]);
    assert!(!c.matched);
    let name = "[builder 4/4] RUN CGO_ENABLED=0 go build -o /go/bin/app .: ";
    assert_eq!(
        changed(&c.diff),
        vec![
            DiffLine {
                tag: DiffTag::Removed,
                segments: vec![(false, name.into()), (true, "DONE 0.2s".into())]
            },
            DiffLine {
                tag: DiffTag::Added,
                segments: vec![
                    (false, name.into()),
                    (true, "ERROR: process \"/bin/sh -c CGO_ENABLED=0 go build -o /go/bin/app .\" did not complete successfully: exit code: 1".into())
                ]
            },
        ]
    );
    // DONE and CACHED both mean success: what is cached depends on the machine.
    let cached = BUILDX_BUILD.replace("#6 CACHED", "#6 DONE 0.0s");
    assert!(compare_with(&seed_with_header(), &cached, buildkit(), &[]).matched);
    let canceled = BUILDX_BUILD.replace("#6 CACHED", "#6 CANCELED");
    assert!(!compare_with(&seed_with_header(), &canceled, buildkit(), &[]).matched);
}

/// The plain printer can leave out the `DONE` of a step that completed
/// (it holds it back while a progress line of the step is open): in a log
/// where nothing failed, a step without a status is the documented success.
#[test]
fn buildkit_step_the_printer_left_without_status() {
    let real = BUILDX_BUILD.replace("#1 DONE 0.0s\n", "");
    let c = compare_with(&seed_with_header(), &real, buildkit(), &[]);
    assert_eq!(c.diff, vec![]);
    assert!(c.matched);
    // Not where a step failed: a step without a status may never have ended.
    let failed = real.replace(
        "#8 DONE 1.9s",
        "#8 ERROR: process \"/bin/sh -c CGO_ENABLED=0 go build -o /go/bin/app .\" did not complete successfully: exit code: 1",
    );
    let texts = |real: &str| -> Vec<String> {
        let c = compare_with(&seed_with_header(), real, buildkit(), &[]);
        assert!(!c.matched);
        let sign = |tag| if tag == DiffTag::Removed { "-" } else { "+" };
        changed(&c.diff)
            .iter()
            .map(|l| {
                let text: String = l.segments.iter().map(|s| s.1.as_str()).collect();
                format!("{} {text}", sign(l.tag))
            })
            .collect()
    };
    let load = "[internal] load build definition from Dockerfile-simple";
    let run = "[builder 4/4] RUN CGO_ENABLED=0 go build -o /go/bin/app .";
    assert_eq!(
        texts(&failed),
        vec![
            format!("- {load}: DONE 0.0s"),
            format!("+ {load}: (no status)"),
            format!("- {run}: DONE 0.2s"),
            format!("+ {run}: ERROR: process \"/bin/sh -c CGO_ENABLED=0 go build -o /go/bin/app .\" did not complete successfully: exit code: 1"),
        ]
    );
    let canceled = real.replace("#6 CACHED", "#6 CANCELED");
    assert_eq!(
        texts(&canceled),
        vec![
            format!("- {load}: DONE 0.0s"),
            format!("+ {load}: (no status)"),
            "- [builder 2/4] WORKDIR /app: CACHED".to_string(),
            "+ [builder 2/4] WORKDIR /app: CANCELED".to_string(),
        ]
    );
    // Nor where the documentation gives the step another status.
    let doc = seed_with_header().replace("#8 DONE 0.2s", "#8 ERROR: exit code: 1");
    let real = BUILDX_BUILD.replace("#8 DONE 1.9s\n", "");
    assert!(!compare_with(&doc, &real, buildkit(), &[]).matched);
    // Blessing such a log keeps the documented status of the step.
    let real = BUILDX_BUILD.replace("#1 DONE 0.0s\n", "");
    let drifted = real.replace(
        "#10 naming to docker.io/library/knowing-scratch-image done",
        "#10 naming to docker.io/library/other done",
    );
    let blessed = assert_bless_round_trip(&seed_with_header(), &drifted, buildkit());
    assert!(
        blessed.contains(
            "#1 [internal] load build definition from Dockerfile-simple\n#1 transferring dockerfile: 44B done\n#1 DONE 0.0s\n"
        ),
        "{blessed}"
    );
    assert!(
        blessed.contains("#10 naming to docker.io/library/other done\n"),
        "{blessed}"
    );
}

#[test]
fn buildkit_missing_step_fails() {
    let real = BUILDX_BUILD.replace(
        "#9 [stage-1 1/1] COPY --from=builder /go/bin/app /app\n#9 DONE 0.0s\n",
        "",
    );
    let c = compare_with(&seed_with_header(), &real, buildkit(), &[]);
    assert!(!c.matched);
    assert_eq!(
        changed(&c.diff),
        vec![plain(
            DiffTag::Removed,
            "[stage-1 1/1] COPY --from=builder /go/bin/app /app: DONE 0.0s"
        )]
    );
}

#[test]
fn buildkit_detail_and_trailing_lines() {
    let doc = "#1 [builder 4/4] RUN go build\n#1 0.512 go: downloading x\n#1 ERROR: exit code: 1\n{{...}}\nERROR: failed to solve: exit code: 1";
    let real = "#7 [builder 4/4] RUN go build\n#7 1.020 go: downloading x\n#7 ERROR: exit code: 1\n------\n > [builder 4/4] RUN go build:\n#7 1.020 go: downloading x\n------\nERROR: failed to solve: exit code: 1";
    assert!(compare_with(doc, real, buildkit(), &[]).matched);
    let other_detail = real.replace("downloading x", "downloading y");
    assert!(!compare_with(doc, &other_detail, buildkit(), &[]).matched);
    let other_end = real.replace("solve: exit code: 1", "solve: exit code: 2");
    assert!(!compare_with(doc, &other_end, buildkit(), &[]).matched);
    // `{{...}}` also allows steps the documentation leaves out.
    let extra = format!("#9 [internal] load metadata\n#9 DONE 0.1s\n{real}");
    assert!(compare_with(doc, &extra, buildkit(), &[]).matched);
    assert!(!compare_with(&doc.replace("{{...}}\n", ""), &extra, buildkit(), &[]).matched);
}

#[test]
fn buildkit_bless_round_trips_with_documented_numbers() {
    let real = BUILDX_BUILD.replace("#6 CACHED", "#6 DONE 0.3s").replace(
        "#5 transferring context: 3.61kB 0.0s done",
        "#5 transferring context: 95MB 0.0s done",
    );
    let blessed = assert_bless_round_trip(&seed_with_header(), &real, buildkit());
    let expected = "#0 building with \"default\" instance using docker driver

#1 [internal] load build definition from Dockerfile-simple
#1 transferring dockerfile: 44B done
#1 DONE 0.0s

#3 [internal] load metadata for docker.io/library/golang:1.18.1
#3 DONE 0.0s

#2 [internal] load .dockerignore
#2 transferring context: 2B done
#2 DONE 0.0s

#4 [builder 1/4] FROM docker.io/library/golang:1.18.1
#4 DONE 0.0s

#6 [internal] load build context
#6 transferring context: 95MB 0.0s done
#6 DONE 0.0s

#5 [builder 2/4] WORKDIR /app
#5 CACHED

#7 [builder 3/4] COPY . .
#7 DONE 0.0s

#8 [builder 4/4] RUN CGO_ENABLED=0 go build -o /go/bin/app .
#8 DONE 0.2s

#9 [stage-1 1/1] COPY --from=builder /go/bin/app /app
#9 DONE 0.0s

#10 exporting to image
#10 exporting layers done
#10 writing image sha256:1dfd3056e96d552eb5b5825eb5c2e52e52ec96829755b21a4c787607aeddf07f done
#10 naming to docker.io/library/knowing-scratch-image done
#10 DONE 0.0s
";
    assert_eq!(blessed, expected);
}

/// buildx names the docker driver's builder after the current context, so a
/// reader on `DOCKER_CONTEXT=ks-28.5` or Docker Desktop (`desktop-linux`)
/// sees another name than the docs' `default`; the rest of the line and of
/// the log is still compared.
#[test]
fn the_builder_name_follows_the_context() {
    for name in ["ks-28.5", "desktop-linux", "default"] {
        let real = BUILDX_BUILD.replace("\"default\"", &format!("\"{name}\""));
        assert!(
            compare_with(BUILDX_BUILD, &real, buildkit(), &[]).matched,
            "{name}"
        );
        assert!(matches(HEADER, &HEADER.replace("default", name)), "{name}");
    }
    assert!(!matches(
        HEADER,
        "#0 building with \"default\" instance using kubernetes driver\n\n"
    ));
    let drift = BUILDX_BUILD
        .replace("\"default\"", "\"ks-28.5\"")
        .replace("load .dockerignore", "load .gitignore");
    assert!(!compare_with(BUILDX_BUILD, &drift, buildkit(), &[]).matched);
}

/// A busy machine makes BuildKit interleave vertices and mark the
/// interrupted one with `#N ...`: not drift.
#[test]
fn an_interrupted_vertex_is_not_drift() {
    let real = BUILDX_BUILD.replace(
        "#3 [internal] load .dockerignore\n",
        "#1 ...\n\n#3 [internal] load .dockerignore\n",
    );
    assert_ne!(real, BUILDX_BUILD);
    assert!(compare_with(BUILDX_BUILD, &real, buildkit(), &[]).matched);
}
