use support::test::Test;

#[test]
fn lists_the_lessons_in_tutorial_order() {
    Test::new()
        .arg("list")
        .stdout(
            "
            finding-the-image     2 steps  Finding the image  (requires registry)
            interesting-outputs   5 steps  Interesting command outputs  (requires regctl, registry; runs alone under --jobs)
            create-from-scratch   3 steps  Create your image from scratch
            image-layers          1 step   Image layers behavior  (needs create-from-scratch)
            debug-without-shell   3 steps  Access and debug images without shell  (needs create-from-scratch)
            non-root-user         3 steps  Setup user non-root
            how-small             4 steps  How small can it get?
            shell-form            4 steps  Shell form needs a shell  (needs how-small)
            user-needs-passwd     3 steps  A user name needs /etc/passwd
            look-inside           4 steps  Looking inside without a shell
            what-the-os-gives     8 steps  What the OS usually gives you
            debug-namespaces      2 steps  Debugging with --pid and --network container
            ",
        )
        .stderr("")
        .run();
}

#[test]
fn list_needs_no_engine() {
    Test::new()
        .env("FAKE_DOCKER_DOWN", "1")
        .arg("list")
        .stderr("")
        .run();
}
