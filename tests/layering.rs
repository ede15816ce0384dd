//! Layering runs one way: ffi -> connections -> drivers -> domain, process, event, error. The
//! layers below the C boundary name nothing of it, and drivers do not reach back into `conn`.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `dir` (or `dir` itself when it is a file).
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The files under `paths` (relative to src/) whose text names `needle`, except `allowed`.
fn offenders(paths: &[&str], needle: &str, allowed: &[&str]) -> Vec<String> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    for p in paths {
        rust_files(&src.join(p), &mut files);
    }
    files
        .iter()
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(needle)))
        .map(|f| f.strip_prefix(&src).unwrap_or(f).display().to_string())
        .filter(|f| !allowed.contains(&f.as_str()))
        .collect()
}

#[test]
fn the_core_names_nothing_of_ffi() {
    let found = offenders(
        &[
            "error", "event", "driver", "domain", "process", "api", "conn.rs", "auth.rs",
            "host.rs", "uri.rs", "ctext.rs",
        ],
        "crate::ffi",
        &[],
    );
    assert!(found.is_empty(), "these name crate::ffi: {found:?}");
}

#[test]
fn drivers_do_not_reach_into_conn() {
    let found = offenders(&["driver"], "crate::conn", &[]);
    assert!(found.is_empty(), "these name crate::conn: {found:?}");
}
