//! Who may: a space admin with groups:manage.

use super::*;

on_both_backends!(World::new =>
    scoped_admin_manages_groups_of_its_space_only,
);

async fn scoped_admin_manages_groups_of_its_space_only(w: &World) {
    let second = w.second_space().await;
    let grant = json!({"user_id": "user_bob", "level": "space_admin",
                       "permission_key": "groups:manage", "space_id": ACME});
    let grant = request!(AdminGrantMutationRequest, grant);
    w.api()
        .create_admin_grant()
        .body(grant)
        .call()
        .await
        .unwrap();
    let bob = Plystra::new(&w.base).unwrap();
    let session = bob
        .auth()
        .login("bob@example.com", "plystra-demo")
        .await
        .unwrap();
    bob.set_access_token(&session.access_token);
    let api = bob.api();

    // In space_acme bob manages groups, and the audit row names him.
    let body = request!(
        GroupMutationRequest,
        json!({"id": "group_bobs", "path": "bobs"})
    );
    let create = api.create_group().space_id(ACME).body(body).call();
    let created = w
        .audited(
            Row {
                actor: "user_bob",
                ..row("group.created", "group_bobs", ACME)
            },
            create,
        )
        .await;
    assert_eq!(created.path, "bobs");
    let listed = api.list_groups().space_id(ACME).call().await.unwrap();
    assert!(listed.iter().any(|g| g.id == "group_bobs"));
    let tree = api.get_group_tree().space_id(ACME).call().await.unwrap();
    assert!(tree.iter().any(|g| g.id == "group_bobs"));
    api.get_group()
        .space_id(ACME)
        .group_id("group_finance")
        .call()
        .await
        .unwrap();
    api.get_group_by_id()
        .group_id("group_finance")
        .call()
        .await
        .unwrap();
    let rename = GroupUpdateRequest {
        display_name: Some("Bob's".into()),
        ..Default::default()
    };
    let patch = api.update_group().space_id(ACME).group_id("group_bobs");
    assert_eq!(
        patch.body(rename).call().await.unwrap().display_name,
        "Bob's"
    );
    let disable = api.disable_group().space_id(ACME).group_id("group_bobs");
    assert_eq!(disable.call().await.unwrap().status, Status::Disabled);

    // Nowhere else: another space's groups, users, other domains of his own space.
    let group = request!(GroupMutationRequest, json!({"path": "bobs"}));
    let user = request!(UserMutationRequest, json!({"email": "x@example.com"}));
    forbidden!(
        api.list_groups().space_id(second).call(),
        api.create_group().space_id(second).body(group).call(),
        api.get_group_tree().space_id(second).call(),
        api.list_users().call(),
        api.create_user().body(user).call(),
        api.list_members().space_id(ACME).call(),
        api.list_permissions().call(),
    );
}
