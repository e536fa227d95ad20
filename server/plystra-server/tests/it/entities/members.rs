//! Members (tag `Members`): defaults and validation, every operation's happy path.

use super::*;

on_both_backends!(World::new =>
    a_created_member_has_defaults_and_needs_a_name,
    a_member_is_read_listed_patched_and_disabled,
);

async fn a_created_member_has_defaults_and_needs_a_name(w: &World) {
    // Create: display name required, type `human` unless given, a `member_` id.
    let contractor = w
        .create_member(ACME, json!({"display_name": "Contractor"}))
        .await
        .unwrap();
    assert!(contractor.id.starts_with("member_"), "{}", contractor.id);
    assert_eq!(contractor.space_id, ACME);
    assert_eq!(contractor.member_type, "human");
    assert_eq!(contractor.status, Status::Active);
    let bot = w
        .create_member(
            ACME,
            json!({"display_name": "Build Bot", "member_type": "service"}),
        )
        .await
        .unwrap();
    assert_eq!(bot.member_type, "service");
    for name in ["", "   "] {
        invalid!(w.create_member(ACME, json!({"display_name": name})));
    }
}

async fn a_member_is_read_listed_patched_and_disabled(w: &World) {
    let contractor = w.create_member(ACME, json!({"display_name": "Contractor"}));
    let contractor = contractor.await.unwrap();
    let bot = json!({"display_name": "Build Bot", "member_type": "service"});
    let bot = w.create_member(ACME, bot).await.unwrap();

    // Read in its space and by id alone; list; patch; disable.
    let read = w
        .api()
        .get_member()
        .space_id(ACME)
        .member_id(&contractor.id);
    assert_eq!(read.call().await.unwrap().display_name, "Contractor");
    let read = w.api().get_member_by_id().member_id(&bot.id).call().await;
    assert_eq!(read.unwrap().display_name, "Build Bot");
    let listed = w.api().list_members().space_id(ACME).call().await.unwrap();
    for id in [
        "member_finance_reviewer",
        contractor.id.as_str(),
        bot.id.as_str(),
    ] {
        assert!(listed.iter().any(|m| m.id == id), "{id}");
    }
    let rename = MemberUpdateRequest {
        display_name: Some("Contract Worker".into()),
        ..Default::default()
    };
    let patched = w.update_member(ACME, &contractor.id, rename).await.unwrap();
    assert_eq!(patched.display_name, "Contract Worker");
    let disabled = w.api().disable_member().space_id(ACME);
    let disabled = disabled.member_id(&contractor.id).call().await.unwrap();
    assert_eq!(disabled.status, Status::Disabled);
}
