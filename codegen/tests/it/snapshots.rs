//! What the generators write for the tiny spec, snapshotted: a generator or progenitor upgrade
//! shows up as a reviewable diff (`cargo insta review`).

use std::path::PathBuf;

use plystra_codegen::{Contract, parse_spec, render};

use crate::mini_spec;

#[test]
fn mini_spec_output() {
    let (path, text) = mini_spec();
    let spec = parse_spec(&path, &text).unwrap();
    let contract = Contract {
        name: "mini".into(),
        spec: path,
        client: Some(PathBuf::from("client.rs")),
        server: Some(PathBuf::from("server")),
    };
    let files = render(&contract, &spec).unwrap();
    let names: Vec<_> = files.keys().map(|p| p.display().to_string()).collect();
    assert_eq!(
        names,
        [
            "client.rs",
            "server/endpoint.rs",
            "server/mod.rs",
            "server/operations.rs",
            "server/probe.rs",
            "server/responses.rs",
            "server/security.rs",
            "server/types.rs",
        ]
    );
    for (file, text) in &files {
        assert!(
            text.starts_with(plystra_codegen::HEADER),
            "{} has the header",
            file.display()
        );
        let name = file.display().to_string().replace(['/', '.'], "_");
        insta::assert_snapshot!(name, text);
    }
}

#[test]
fn rendering_is_deterministic() {
    let (path, text) = mini_spec();
    let spec = parse_spec(&path, &text).unwrap();
    let contract = Contract {
        name: "mini".into(),
        spec: path,
        client: Some(PathBuf::from("client.rs")),
        server: Some(PathBuf::from("server")),
    };
    assert_eq!(
        render(&contract, &spec).unwrap(),
        render(&contract, &spec).unwrap()
    );
}
