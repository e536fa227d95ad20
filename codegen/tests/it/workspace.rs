//! The crate boundaries, as each crate's README states them: every normal or build dependency of
//! a workspace crate must be named in that README's "May depend on" paragraph (or its
//! `## Dependencies` section), so a crate cannot gain a dependency without its README saying so.
//! Read from `cargo metadata`, the same graph cargo builds.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

/// The paragraph of `readme` that states what the crate may depend on.
fn allowed_paragraph(readme: &str) -> Option<String> {
    let paragraphs: Vec<&str> = readme.split("\n\n").collect();
    for (i, paragraph) in paragraphs.iter().enumerate() {
        let lower = paragraph.to_lowercase();
        if lower.contains("may depend on") {
            return Some(paragraph.to_string());
        }
        if lower.trim_start().starts_with("## dependencies") {
            return paragraphs.get(i + 1).map(|p| p.to_string());
        }
    }
    None
}

/// Whether `name` stands in `text` as a word of its own (crate names contain `-` and `_`).
fn names(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

#[test]
fn every_crate_names_its_dependencies_in_its_readme() {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(super::root())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut problems = BTreeMap::new();
    let mut checked = 0;
    for package in metadata["packages"].as_array().unwrap() {
        let name = package["name"].as_str().unwrap();
        let manifest = Path::new(package["manifest_path"].as_str().unwrap());
        let readme_path = manifest.with_file_name("README.md");
        let readme = std::fs::read_to_string(&readme_path)
            .unwrap_or_else(|e| panic!("{name}: {} unreadable: {e}", readme_path.display()));
        let Some(allowed) = allowed_paragraph(&readme) else {
            problems.insert(
                name.to_string(),
                "its README has no \"May depend on\" paragraph".to_string(),
            );
            continue;
        };
        let missing: Vec<&str> = package["dependencies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["kind"].is_null() || d["kind"] == "build")
            .map(|d| d["name"].as_str().unwrap())
            .filter(|dep| !names(&allowed, dep) && !names(&allowed, &dep.replace('-', "_")))
            .collect();
        if !missing.is_empty() {
            problems.insert(
                name.to_string(),
                format!(
                    "depends on {} which {} does not allow: name it in the \"May depend on\" \
                     paragraph or drop the dependency",
                    missing.join(", "),
                    readme_path.display()
                ),
            );
        }
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} crates checked");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn a_name_counts_only_as_a_whole_word() {
    assert!(names("poem, sqlx", "poem"));
    assert!(names("`poem-openapi` and poem", "poem"));
    assert!(!names("poem-openapi only", "poem"));
    assert!(names("poem-openapi only", "poem-openapi"));
    assert!(!names("plystra-server-api", "plystra-server"));
    assert!(names("on sqlx.", "sqlx"));
}
