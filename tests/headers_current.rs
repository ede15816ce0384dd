//! The checked-in headers are what cbindgen makes of the crate now (`make headers` updates them).

fn check(name: &str) {
    let fresh = std::fs::read_to_string(format!("{}/include/libvirt/{name}", env!("OUT_DIR")))
        .unwrap_or_else(|e| panic!("build.rs did not write {name}: {e}"));
    let checked_in = std::fs::read_to_string(format!(
        "{}/include/libvirt/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap_or_else(|e| panic!("include/libvirt/{name}: {e}"));
    assert!(
        fresh == checked_in,
        "include/libvirt/{name} is stale: run `make headers`"
    );
}

#[test]
fn libvirt_h_is_current() {
    check("libvirt.h");
}

#[test]
fn virterror_h_is_current() {
    check("virterror.h");
}

#[test]
fn qemu_process_h_is_current() {
    check("qemu_process.h");
}
