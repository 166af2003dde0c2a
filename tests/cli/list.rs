use crate::test::Test;

#[test]
fn lists_the_six_lessons_in_tutorial_order() {
    Test::new()
        .arg("list")
        .stdout(
            "
            finding-the-image     2 steps  Finding the image  (requires registry)
            interesting-outputs   5 steps  Interesting command outputs  (requires regctl, registry)
            create-from-scratch   3 steps  Create your image from scratch
            image-layers          1 steps  Image layers behavior  (needs create-from-scratch)
            debug-without-shell   3 steps  Access and debug images without shell  (needs create-from-scratch)
            non-root-user         3 steps  Setup user non-root
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
