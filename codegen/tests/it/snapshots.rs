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
        access: true,
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

/// What browser flows and OAuth-style endpoints need (`tests/specs/browser.yaml`): form bodies,
/// HTML, redirects with their headers, header parameters, cookie and basic security, optional
/// credentials, several 2xx, several media types for one status; the client leaves the pages
/// out and reduces errors to one type.
#[test]
fn browser_spec_output() {
    let (path, text) = crate::browser_spec();
    let spec = parse_spec(&path, &text).unwrap();
    let contract = Contract {
        name: "browser".into(),
        spec: path,
        client: Some(PathBuf::from("client.rs")),
        server: Some(PathBuf::from("server")),
        client_exclude_tags: vec!["Pages".into()],
        ..Contract::default()
    };
    let files = render(&contract, &spec).unwrap();
    for (file, text) in &files {
        let name = format!("browser_{}", file.display()).replace(['/', '.'], "_");
        insta::assert_snapshot!(name, text);
    }

    let client = &files[&PathBuf::from("client.rs")];
    for excluded in ["fn get_login", "fn post_login", "fn authorize"] {
        assert!(!client.contains(excluded), "{excluded} is left out");
    }
    // The header parameter, lowercased; the form body.
    assert!(client.contains("pub fn dpop<V>(mut self, value: V)"));
    assert!(client.contains(".form_urlencoded(&body)?"));
    // createThing: 400 and 409 differ, so errors are untyped and listed; the text 500 is left
    // out; 200 and 201 share one success type.
    assert!(client.contains("Error<::serde_json::Value>"));
    assert!(client.contains(r#"(("create_thing", 409), "Conflict")"#));
    assert!(client.contains(r#"static ANONYMOUS: &[&str] = &["issue_token"];"#));

    let responses = &files[&PathBuf::from("server/responses.rs")];
    assert!(responses.contains("pub enum PostLoginTooManyRequestsBody"));
    assert!(responses.contains("Ok(poem_openapi::payload::Json<types::Thing>)"));
    assert!(responses.contains("Created(poem_openapi::payload::Json<types::Thing>)"));
    let operations = &files[&PathBuf::from("server/operations.rs")];
    assert!(operations.contains("credential: Option<Credential>,"));
    assert!(operations.contains("dpop: Option<String>,"));
    let endpoint = &files[&PathBuf::from("server/endpoint.rs")];
    assert!(endpoint.contains("credential: security::OptionalSession,"));
    assert!(endpoint.contains("body: crate::runtime::Form<types::TokenForm>,"));
    assert!(endpoint.contains("dpop: poem_openapi::param::Header<Option<String>>,"));
}

/// progenitor cannot take a redirect-only operation; the client must leave it out, and an
/// exclusion that matches nothing is a typo.
#[test]
fn the_client_refuses_redirect_flows_and_unused_exclusions() {
    let (path, text) = crate::browser_spec();
    let spec = parse_spec(&path, &text).unwrap();
    let contract = Contract {
        name: "browser".into(),
        spec: path,
        client: Some(PathBuf::from("client.rs")),
        client_exclude_tags: vec!["Nope".into()],
        client_exclude_operations: vec!["getLogin".into(), "missing".into()],
        ..Contract::default()
    };
    let problems: Vec<String> = match render(&contract, &spec) {
        Err(plystra_codegen::Error::Invalid(problems)) => {
            problems.iter().map(ToString::to_string).collect()
        }
        other => panic!("expected problems, got {other:?}"),
    };
    assert_eq!(
        problems,
        [
            "postLogin: /paths/~1login/post/responses: no 2xx response (a redirect-only browser flow): the client cannot call it; list it in client_exclude_tags or client_exclude_operations",
            "authorize: /paths/~1authorize/get/responses: no 2xx response (a redirect-only browser flow): the client cannot call it; list it in client_exclude_tags or client_exclude_operations",
            "codegen/contracts.yaml: client_exclude_tags: no operation is tagged \"Nope\"",
            "codegen/contracts.yaml: client_exclude_operations: no operation \"missing\" is left to exclude",
        ]
    );
}
