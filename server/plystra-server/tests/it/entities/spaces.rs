//! Spaces (tag `Spaces`): defaults and validation, every operation's happy path.

use super::*;

on_both_backends!(World::new =>
    a_created_space_has_defaults_and_needs_a_name,
    a_space_is_read_listed_patched_disabled_and_restored,
);

async fn a_created_space_has_defaults_and_needs_a_name(w: &World) {
    // Create: name required, type `custom` unless given, status active, a `space_` id.
    let globex = w.create_space(json!({"name": "globex"})).await.unwrap();
    assert!(globex.id.starts_with("space_"), "{}", globex.id);
    assert_eq!(globex.name, "globex");
    assert_eq!(globex.type_, "custom");
    assert_eq!(globex.status, Status::Active);
    let team = w
        .create_space(json!({"name": "team", "type": "team"}))
        .await
        .unwrap();
    assert_eq!(team.type_, "team");
    invalid!(w.create_space(json!({})));
    invalid!(w.create_space(json!({"type": "team", "slug": "nameless"})));
}

async fn a_space_is_read_listed_patched_disabled_and_restored(w: &World) {
    let globex = w.create_space(json!({"name": "globex"})).await.unwrap();
    let team = w.create_space(json!({"name": "team", "type": "team"}));
    let team = team.await.unwrap();

    // Read, list, patch.
    let read = w
        .api()
        .get_space()
        .space_id(&globex.id)
        .call()
        .await
        .unwrap();
    assert_eq!(read.name, "globex");
    let listed = w.api().list_spaces().call().await.unwrap();
    for id in [ACME, globex.id.as_str(), team.id.as_str()] {
        assert!(listed.iter().any(|s| s.id == id), "{id}");
    }
    let rename = SpaceMutationRequest {
        name: Some("globex corp".into()),
        ..Default::default()
    };
    let patched = w.api().update_space().space_id(&globex.id).body(rename);
    assert_eq!(patched.call().await.unwrap().name, "globex corp");

    // Disable and restore.
    let disabled = w.api().disable_space().space_id(&globex.id).call().await;
    assert_eq!(disabled.unwrap().status, Status::Disabled);
    let restored = w.api().restore_space().space_id(&globex.id).call().await;
    assert_eq!(restored.unwrap().status, Status::Active);
}
