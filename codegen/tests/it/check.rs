//! `check` passes on the committed tree and fails, naming the file, when generated code is edited.

use std::path::{Path, PathBuf};

use plystra_codegen::{Error, check, generate};

use crate::{mini_spec, root};

/// A throwaway workspace root with the tiny spec as its only contract.
fn scratch_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let (_, text) = mini_spec();
    std::fs::create_dir_all(dir.path().join("codegen")).unwrap();
    std::fs::create_dir_all(dir.path().join("spec")).unwrap();
    std::fs::write(dir.path().join("spec/mini.yaml"), text).unwrap();
    std::fs::write(
        dir.path().join("codegen/contracts.yaml"),
        "contracts:\n  - name: mini\n    spec: spec/mini.yaml\n    client: client/generated.rs\n    server: server/generated\n",
    )
    .unwrap();
    dir
}

fn drifted(root: &Path) -> Vec<PathBuf> {
    match check(root, None) {
        Err(Error::Drift(files)) => files,
        other => panic!("expected drift, got {other:?}"),
    }
}

#[test]
fn the_committed_generated_code_matches_spec() {
    let count = check(&root(), None).unwrap_or_else(|e| panic!("{e}"));
    // Plystra: client + 7 server files; each Authplane contract the same.
    assert_eq!(count, 24);
}

#[test]
fn check_fails_when_a_generated_file_is_edited() {
    let dir = scratch_root();
    let written = generate(dir.path(), None).unwrap();
    assert_eq!(written.len(), 8);
    assert_eq!(check(dir.path(), None).unwrap(), 8);

    let edited = dir.path().join("server/generated/types.rs");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text.replace("pub struct Pet ", "pub struct Pet2 ")).unwrap();
    assert_eq!(
        drifted(dir.path()),
        [PathBuf::from("server/generated/types.rs")]
    );

    std::fs::remove_file(dir.path().join("client/generated.rs")).unwrap();
    assert_eq!(drifted(dir.path()).len(), 2);
}

#[test]
fn check_fails_on_a_stray_file_and_generate_removes_it() {
    let dir = scratch_root();
    generate(dir.path(), None).unwrap();
    let stray = dir.path().join("server/generated/old_tag.rs");
    std::fs::write(&stray, "// left over\n").unwrap();
    assert_eq!(
        drifted(dir.path()),
        [PathBuf::from("server/generated/old_tag.rs")]
    );
    generate(dir.path(), None).unwrap();
    assert!(!stray.exists());
    assert!(check(dir.path(), None).is_ok());
}

#[test]
fn unknown_contract_names_are_refused() {
    let dir = scratch_root();
    assert!(matches!(
        check(dir.path(), Some("nope")),
        Err(Error::UnknownContract(_))
    ));
}
