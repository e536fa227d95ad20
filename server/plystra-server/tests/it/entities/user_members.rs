//! User-member bindings (tag `User Members`): what a binding is filled with, what it needs,
//! every operation's happy path, and the list filters.

use super::*;

on_both_backends!(World::new =>
    a_created_binding_is_filled_from_its_user_and_member,
    a_binding_needs_a_user_a_member_of_its_space_and_a_relation,
    a_binding_is_read_patched_and_revoked,
    user_member_filters_combine,
);

/// `member_temp` and the bindings `a_created_binding_is_filled_from_its_user_and_member`
/// creates (`um_t1`, `um_t2` and one with a generated id, answered), without its checks.
async fn bindings(w: &World) -> types::UserMember {
    w.create_member(ACME, json!({"id": "member_temp", "display_name": "temp"}))
        .await
        .unwrap();
    for body in [
        json!({"id": "um_t1", "user_id": "user_bob", "member_id": "member_temp",
               "relation_type": "delegate"}),
        json!({"id": "um_t2", "user_id": "user_alice", "member_id": "member_temp",
               "relation_type": "temporary", "is_primary": true,
               "linked_at": "2026-01-02T03:04:05Z"}),
    ] {
        w.create_user_member(ACME, body).await.unwrap();
    }
    let body =
        json!({"user_id": "user_bob", "member_id": "member_temp", "relation_type": "delegate"});
    w.create_user_member(ACME, body).await.unwrap()
}

async fn a_created_binding_is_filled_from_its_user_and_member(w: &World) {
    w.create_member(ACME, json!({"id": "member_temp", "display_name": "temp"}))
        .await
        .unwrap();

    // Create: not primary, linked now, active, with the user's email and the member's name.
    let t1 = w
        .create_user_member(
            ACME,
            json!({"id": "um_t1", "user_id": "user_bob", "member_id": "member_temp",
                   "relation_type": "delegate"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (
            t1.user_id.as_str(),
            t1.member_id.as_str(),
            t1.space_id.as_str()
        ),
        ("user_bob", "member_temp", ACME)
    );
    assert_eq!(t1.relation_type, "delegate");
    assert!(!t1.is_primary);
    assert_eq!(t1.linked_at, Some(w.now()));
    assert_eq!(t1.status, BindingStatus::Active);
    assert_eq!(t1.email, "bob@example.com");
    assert_eq!(t1.member_display_name, "temp");
    let linked = "2026-01-02T03:04:05Z";
    let t2 = w
        .create_user_member(
            ACME,
            json!({"id": "um_t2", "user_id": "user_alice", "member_id": "member_temp",
                   "relation_type": "temporary", "is_primary": true, "linked_at": linked}),
        )
        .await
        .unwrap();
    assert!(t2.is_primary);
    assert_eq!(
        t2.linked_at,
        Some(linked.parse::<chrono::DateTime<chrono::Utc>>().unwrap())
    );
    let generated = w
        .create_user_member(
            ACME,
            json!({"user_id": "user_bob", "member_id": "member_temp", "relation_type": "delegate"}),
        )
        .await
        .unwrap();
    assert!(generated.id.starts_with("um_"), "{}", generated.id);
}

async fn a_binding_needs_a_user_a_member_of_its_space_and_a_relation(w: &World) {
    w.create_member(ACME, json!({"id": "member_temp", "display_name": "temp"}))
        .await
        .unwrap();

    // The user must exist, the member be of this space, the relation be given.
    let second = w.second_space().await;
    w.create_member(
        second,
        json!({"id": "member_second", "display_name": "second"}),
    )
    .await
    .unwrap();
    for (user, member, relation) in [
        ("user_nope", "member_temp", "delegate"),
        ("user_bob", "member_nope", "delegate"),
        ("user_bob", "member_second", "delegate"),
        ("user_bob", "member_temp", ""),
        ("user_bob", "member_temp", "   "),
    ] {
        let body = json!({"user_id": user, "member_id": member, "relation_type": relation});
        let result = w.create_user_member(ACME, body.clone()).await;
        assert_eq!(failure(result), (400, "VALIDATION_FAILED".into()), "{body}");
    }
}

async fn a_binding_is_read_patched_and_revoked(w: &World) {
    let generated = bindings(w).await;

    // Read in its space and by id alone; patch.
    let read = w
        .api()
        .get_user_member()
        .space_id(ACME)
        .user_member_id("um_t1");
    assert_eq!(read.call().await.unwrap().member_id, "member_temp");
    let read = w.api().get_user_member_by_id().user_member_id("um_t2");
    assert_eq!(read.call().await.unwrap().relation_type, "temporary");
    let t3 = w
        .create_user_member(
            ACME,
            json!({"id": "um_t3", "user_id": "user_bob", "member_id": "member_temp",
                   "relation_type": "delegate"}),
        )
        .await
        .unwrap();
    let login = UserMemberUpdateRequest {
        relation_type: Some("login".into()),
        ..Default::default()
    };
    let t3 = w.update_user_member(ACME, &t3.id, login).await.unwrap();
    assert_eq!(t3.relation_type, "login");

    // Revoke, with a reason and without one.
    let reason = UserMemberUpdateRequest {
        revoked_reason: Some("left the team".into()),
        ..Default::default()
    };
    let revoke = w
        .api()
        .revoke_user_member()
        .space_id(ACME)
        .user_member_id("um_t1");
    let revoked = revoke.body(reason).call().await.unwrap();
    assert_eq!(revoked.status, BindingStatus::Revoked);
    assert!(revoked.revoked_at.is_some());
    assert_eq!(revoked.revoked_reason, "left the team");
    let revoke = w.api().revoke_user_member().space_id(ACME);
    let revoked = revoke.user_member_id(&generated.id).call().await.unwrap();
    assert_eq!(revoked.status, BindingStatus::Revoked);
    assert!(revoked.revoked_at.is_some());
}

async fn user_member_filters_combine(w: &World) {
    let generated = bindings(w).await;
    let t3 = json!({"id": "um_t3", "user_id": "user_bob", "member_id": "member_temp",
                    "relation_type": "delegate"});
    w.create_user_member(ACME, t3).await.unwrap();
    let login = UserMemberUpdateRequest {
        relation_type: Some("login".into()),
        ..Default::default()
    };
    w.update_user_member(ACME, "um_t3", login).await.unwrap();
    let reason = UserMemberUpdateRequest {
        revoked_reason: Some("left the team".into()),
        ..Default::default()
    };
    let revoke = w.api().revoke_user_member().space_id(ACME);
    revoke
        .user_member_id("um_t1")
        .body(reason)
        .call()
        .await
        .unwrap();
    let revoke = w.api().revoke_user_member().space_id(ACME);
    revoke.user_member_id(&generated.id).call().await.unwrap();

    // Filters, alone and together (the demo has four bindings in space_acme).
    let generated = generated.id.as_str();
    let demo_alice = "um_alice_finance_reviewer";
    let demo_bob = "um_bob_finance_reviewer";
    let demo_revoked = "um_alice_finance_reviewer_revoked";
    let demo_expired = "um_alice_finance_reviewer_expired";
    let list = || w.api().list_user_members().space_id(ACME);
    lists!(
        list().user_id("user_bob"),
        [demo_bob, generated, "um_t1", "um_t3"]
    );
    lists!(
        list().member_id("member_temp"),
        [generated, "um_t1", "um_t2", "um_t3"]
    );
    lists!(
        list().status(BindingStatus::Revoked),
        [demo_revoked, generated, "um_t1"]
    );
    lists!(list().relation_type("login"), [demo_bob, "um_t3"]);
    lists!(
        list().user_id("user_alice").relation_type("temporary"),
        [demo_expired, "um_t2"]
    );
    lists!(
        list()
            .member_id("member_temp")
            .status(BindingStatus::Active),
        ["um_t2", "um_t3"]
    );
    lists!(
        list(),
        [
            demo_alice,
            demo_expired,
            demo_revoked,
            demo_bob,
            generated,
            "um_t1",
            "um_t2",
            "um_t3"
        ]
    );
}
