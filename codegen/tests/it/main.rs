//! Integration tests of plystra-codegen (one binary; each file is a module).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

mod authplane_coverage;
mod check;
mod citations;
mod snapshots;
mod validation;
mod workspace;

use std::path::{Path, PathBuf};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The tiny spec that exercises every supported construct.
pub fn mini_spec() -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/mini.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}

/// The tiny spec with browser pages, forms and OAuth-style endpoints.
pub fn browser_spec() -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs/browser.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    (path, text)
}
