//! Unit tests of the engine detection.

use super::*;

fn status(json: &str) -> Vec<Vec<String>> {
    serde_json::from_str(json).unwrap()
}

#[test]
fn the_store_comes_from_the_driver_status() {
    // Engine 28.5 with `containerd-snapshotter`, then Engine 20.10 with overlay2.
    assert_eq!(
        store_from_driver_status(&status(
            r#"[["driver-type","io.containerd.snapshotter.v1"]]"#
        )),
        Store::Containerd
    );
    assert_eq!(
        store_from_driver_status(&status(
            r#"[["Backing Filesystem","extfs"],["Supports d_type","true"],["Native Overlay Diff","true"],["userxattr","false"]]"#
        )),
        Store::Classic
    );
}
