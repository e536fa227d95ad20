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
        ..Contract::default()
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
        ..Contract::default()
    };
    assert_eq!(
        render(&contract, &spec).unwrap(),
        render(&contract, &spec).unwrap()
    );
}

/// The client extras a contract can ask for: progenitor hooks with an inner type, and envelope
/// and operation impls for `{data, request_id}` envelopes.
#[test]
fn mini_client_with_hooks_and_envelopes() {
    let (path, text) = mini_spec();
    let spec = parse_spec(&path, &text).unwrap();
    let contract = Contract {
        name: "mini".into(),
        spec: path,
        client: Some(PathBuf::from("client.rs")),
        client_hooks: Some("crate::hooks::Hooks".into()),
        envelope: Some(plystra_codegen::EnvelopeNames {
            data: "data".into(),
            request_id: "request_id".into(),
            pagination: Some("pagination".into()),
        }),
        ..Contract::default()
    };
    let files = render(&contract, &spec).unwrap();
    let client = &files[&PathBuf::from("client.rs")];
    assert!(client.contains("inner: crate::hooks::Hooks"));
    assert_eq!(
        client.matches("impl crate::envelope::Envelope for").count(),
        3
    );
    // createPet and adoptPet answer PetEnvelope, listPets PetListEnvelope, getHealth
    // HealthEnvelope; getMetrics answers text and gets none.
    assert_eq!(client.matches("crate::envelope::Operation for").count(), 4);
    let extras = &client[client.find("impl crate::envelope::Envelope").unwrap()..];
    insta::assert_snapshot!("client_envelope_impls", extras);
}

/// The replay dispatch: one arm per operation, parameters and bodies parsed into the types the
/// generated builders take, enveloped answers finished with `call`, byte streams with
/// `call_text`.
#[test]
fn mini_replay_dispatch() {
    let (path, text) = mini_spec();
    let spec = parse_spec(&path, &text).unwrap();
    let contract = Contract {
        name: "mini".into(),
        spec: path,
        client: Some(PathBuf::from("client.rs")),
        envelope: Some(plystra_codegen::EnvelopeNames {
            data: "data".into(),
            request_id: "request_id".into(),
            pagination: Some("pagination".into()),
        }),
        replay: Some(plystra_codegen::Replay {
            out: PathBuf::from("replay.rs"),
            sdk: "mini".into(),
            client: "mini::Mini".into(),
        }),
        ..Contract::default()
    };
    let files = render(&contract, &spec).unwrap();
    let dispatch = &files[&PathBuf::from("replay.rs")];
    assert!(dispatch.starts_with(plystra_codegen::HEADER));
    assert!(dispatch.contains("Ok(text(mini::call_text(builder.send()).await))"));
    assert!(dispatch.contains("json_body::<mini::types::PetRequest>(body)?"));
    assert!(dispatch.contains("arg::<mini::types::PetKind>(query, \"kind\")?"));
    insta::assert_snapshot!("replay_dispatch", dispatch);

    let without_client = Contract {
        client: None,
        ..contract
    };
    assert!(matches!(
        render(&without_client, &spec),
        Err(plystra_codegen::Error::Generate(_))
    ));
}
