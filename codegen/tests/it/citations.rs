//! Every citation of the behaviour reference names a section that `docs/behaviour.md` has: a
//! tracked file that cites "behaviour.md" followed by `§4.3` (or a list such as `§10.5–§10.6`,
//! `§1.1, §2, §17`) fails this test unless the document has a heading beginning with that number
//! (`### 4.3 Admission of protected routes`). Citations of the Authplane reference ("authplane"
//! just before the file name) are left alone.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Command;

/// The document, relative to the workspace root.
const DOC: &str = "docs/behaviour.md";
/// The cited file name.
const NEEDLE: &str = "behaviour.md";
/// How far after the file name a citation's section numbers may reach.
const WINDOW: usize = 200;

/// The tracked files, relative to the workspace root.
fn tracked_files() -> Vec<PathBuf> {
    let output = Command::new("git")
        .arg("-C")
        .arg(super::root())
        .args(["ls-files", "-z"])
        .output()
        .expect("git ls-files runs");
    assert!(output.status.success(), "git ls-files failed");
    output
        .stdout
        .split(|b| *b == 0)
        .filter(|name| !name.is_empty())
        .map(|name| PathBuf::from(String::from_utf8_lossy(name).into_owned()))
        .collect()
}

/// `4.3` from `4.3 Admission …`, `4` from `4. Credentials …` or `§4 …`; `None` when the text
/// does not begin with a number.
fn leading_number(text: &str) -> Option<String> {
    let text = text.trim_start().trim_start_matches('§');
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number = text[..end].trim_end_matches('.');
    let well_formed = !number.is_empty()
        && number
            .split('.')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit()));
    well_formed.then(|| number.to_string())
}

/// The section numbers of the document's headings.
fn headings(doc: &str) -> BTreeSet<String> {
    doc.lines()
        .filter(|line| line.starts_with('#'))
        .filter_map(|line| leading_number(line.trim_start_matches('#')))
        .collect()
}

/// The text a citation's numbers may be in: from just after the file name up to the first `)`,
/// `;`, `:`, a `.` that ends a sentence, or a blank line, at most [`WINDOW`] characters.
fn citation_window(after: &str) -> &str {
    let mut previous_newline = false;
    let mut chars = after.char_indices().peekable();
    let mut taken = 0;
    while let Some((i, c)) = chars.next() {
        taken += 1;
        let next = chars.peek().map(|&(_, n)| n);
        let sentence_end = c == '.' && next.is_none_or(char::is_whitespace);
        let blank_line = c == '\n' && previous_newline;
        if taken > WINDOW || matches!(c, ')' | ';' | ':') || sentence_end || blank_line {
            return &after[..i];
        }
        if c == '\n' {
            previous_newline = true;
        } else if !c.is_whitespace() {
            previous_newline = false;
        }
    }
    after
}

/// `(line, section)` of every Plystra citation in `text`.
fn citations(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(offset) = text[from..].find(NEEDLE) {
        let start = from + offset;
        let end = start + NEEDLE.len();
        from = end;
        let before = &text[..start];
        let context_start = before.char_indices().rev().nth(39).map_or(0, |(i, _)| i);
        if before[context_start..].to_lowercase().contains("authplane") {
            continue;
        }
        let line = before.matches('\n').count() + 1;
        let window = citation_window(&text[end..]);
        for section in window.split('§').skip(1).filter_map(leading_number) {
            found.push((line, section));
        }
    }
    found
}

#[test]
fn the_helpers_read_headings_and_citations() {
    let doc = "# Title\n## 0. Scope\n### 4.3 Admission\n## 10. Checks\n#### Not numbered\n";
    let want: BTreeSet<String> = ["0", "4.3", "10"].map(String::from).into();
    assert_eq!(headings(doc), want);

    let text = concat!(
        "//! Who may call what (behaviour.md §4.3–§4.5): the table\n",
        "//! the trace (`trace`, behaviour.md §10.5–§10.6).\n",
        "//! on answers (behaviour.md\n",
        "//! §10.5). Then §99 is not a citation.\n",
        "- HTTP (behaviour.md §1.1, §2, §17): CORS from §98\n",
        "in behaviour.md §10's order: who may\n",
        "the order behaviour.md lists the checks. §97\n",
        "see reference/authplane/behaviour.md §96\n",
    );
    let found = citations(text);
    let got: Vec<(usize, &str)> = found.iter().map(|(line, s)| (*line, s.as_str())).collect();
    assert_eq!(
        got,
        [
            (1, "4.3"),
            (1, "4.5"),
            (2, "10.5"),
            (2, "10.6"),
            (3, "10.5"),
            (5, "1.1"),
            (5, "2"),
            (5, "17"),
            (6, "10"),
        ]
    );
}

#[test]
fn every_cited_section_of_the_behaviour_reference_has_a_heading() {
    let root = super::root();
    let doc = std::fs::read_to_string(root.join(DOC))
        .unwrap_or_else(|e| panic!("{DOC} cannot be read: {e}"));
    let have = headings(&doc);
    assert!(!have.is_empty(), "{DOC} has no numbered headings");
    let mut cited = 0;
    let mut missing = Vec::new();
    for file in tracked_files() {
        // Binary and non-UTF-8 files cite nothing.
        let Ok(text) = std::fs::read_to_string(root.join(&file)) else {
            continue;
        };
        for (line, section) in citations(&text) {
            cited += 1;
            if !have.contains(&section) {
                missing.push(format!("{}:{line} cites §{section}", file.display()));
            }
        }
    }
    assert!(cited >= 50, "only {cited} citations of {DOC} found");
    assert!(
        missing.is_empty(),
        "{DOC} has no heading beginning with these section numbers (add `## N. …` or \
         `### N.M …`, or correct the citation):\n{}",
        missing.join("\n")
    );
}
