//! Roles and member roles (tag `Roles`): defaults and validation, unique keys, what a member
//! role is filled with and needs, every operation's happy path, and the list filters.

use super::*;

on_both_backends!(World::new =>
    a_created_role_is_named_from_its_key,
    a_role_key_is_unique_per_space,
    a_role_is_read_listed_patched_and_disabled,
    a_member_role_is_filled_from_its_member_role_and_anchor,
    a_member_role_needs_a_member_role_and_anchor_of_its_space,
    member_roles_are_revoked_and_filtered,
);

async fn a_created_role_is_named_from_its_key(w: &World) {
    // Create: key required, name title-cased from the key unless given, a `role_` id.
    let reviewer = w
        .create_role(ACME, json!({"key": "invoice_reviewer"}))
        .await
        .unwrap();
    assert!(reviewer.id.starts_with("role_"), "{}", reviewer.id);
    assert_eq!(reviewer.space_id, ACME);
    assert_eq!(reviewer.name, "Invoice Reviewer");
    assert_eq!(reviewer.status, Status::Active);
    let named = w
        .create_role(
            ACME,
            json!({"key": "auditor", "name": "Chief Auditor", "description": "Reads everything"}),
        )
        .await
        .unwrap();
    assert_eq!(named.name, "Chief Auditor");
    invalid!(w.create_role(ACME, json!({"key": ""})));
}

async fn a_role_key_is_unique_per_space(w: &World) {
    // Keys are unique per space.
    fails!(
        w.create_role(ACME, json!({"key": "finance_approver"})),
        409,
        "ROLE_CREATE_FAILED"
    );
    let second = w.second_space().await;
    let elsewhere = w
        .create_role(second, json!({"key": "finance_approver"}))
        .await;
    assert_eq!(elsewhere.unwrap().space_id, second);
}

async fn a_role_is_read_listed_patched_and_disabled(w: &World) {
    let reviewer = w.create_role(ACME, json!({"key": "invoice_reviewer"}));
    let reviewer = reviewer.await.unwrap();
    let named =
        json!({"key": "auditor", "name": "Chief Auditor", "description": "Reads everything"});
    let named = w.create_role(ACME, named).await.unwrap();

    // Read in its space and by id alone; list.
    let read = w.api().get_role().space_id(ACME).role_id(&reviewer.id);
    assert_eq!(read.call().await.unwrap().key, "invoice_reviewer");
    let read = w.api().get_role_by_id().role_id(&named.id).call().await;
    assert_eq!(read.unwrap().key, "auditor");
    let listed = w.api().list_roles().space_id(ACME).call().await.unwrap();
    for id in [
        "role_finance_approver",
        reviewer.id.as_str(),
        named.id.as_str(),
    ] {
        assert!(listed.iter().any(|r| r.id == id), "{id}");
    }

    // Patch: a taken key conflicts; a free one is taken.
    let key = |key: &str| RoleUpdateRequest {
        key: Some(key.into()),
        ..Default::default()
    };
    fails!(
        w.update_role(ACME, &reviewer.id, key("finance_approver")),
        409,
        "ROLE_UPDATE_FAILED"
    );
    let patched = w
        .update_role(ACME, &reviewer.id, key("invoice_checker"))
        .await;
    assert_eq!(patched.unwrap().key, "invoice_checker");
    let describe = RoleUpdateRequest {
        name: Some("Checker".into()),
        description: Some("Checks invoices".into()),
        ..Default::default()
    };
    let patched = w.update_role(ACME, &reviewer.id, describe).await.unwrap();
    assert_eq!(
        (patched.name.as_str(), patched.description.as_str()),
        ("Checker", "Checks invoices")
    );

    // Disable.
    let disabled = w.api().disable_role().space_id(ACME).role_id(&reviewer.id);
    assert_eq!(disabled.call().await.unwrap().status, Status::Disabled);
}

/// `role_auditor`, the role of `mr_plain`.
async fn auditor(w: &World) {
    w.create_role(ACME, json!({"id": "role_auditor", "key": "auditor"}))
        .await
        .unwrap();
}

async fn a_member_role_is_filled_from_its_member_role_and_anchor(w: &World) {
    auditor(w).await;

    // Create: the member's and role's names and the anchor's path are filled in.
    let anchored = w
        .create_member_role(
            ACME,
            json!({"member_id": "member_invoice_creator", "role_id": "role_finance_approver",
                   "scope_anchor_group_id": "group_finance_apac"}),
        )
        .await
        .unwrap();
    assert!(anchored.id.starts_with("mr_"), "{}", anchored.id);
    assert_eq!(anchored.space_id, ACME);
    assert_eq!(anchored.member_display_name, "APAC Invoice Creator");
    assert_eq!(anchored.role_key, "finance_approver");
    assert_eq!(anchored.role_name, "Finance Approver");
    assert_eq!(anchored.scope_anchor_group_id, "group_finance_apac");
    assert_eq!(anchored.scope_anchor_path, "finance.apac");
    assert_eq!(anchored.status, BindingStatus::Active);
    let plain = w
        .create_member_role(
            ACME,
            json!({"id": "mr_plain", "member_id": "member_finance_reviewer",
                   "role_id": "role_auditor"}),
        )
        .await
        .unwrap();
    assert_eq!(
        (plain.role_key.as_str(), plain.role_name.as_str()),
        ("auditor", "Auditor")
    );
    assert_eq!(plain.member_display_name, "Finance Reviewer");
    assert_eq!(
        (
            plain.scope_anchor_group_id.as_str(),
            plain.scope_anchor_path.as_str()
        ),
        ("", "")
    );

    // Read fills the same fields.
    let read = w.api().get_member_role().space_id(ACME);
    let read = read.member_role_id(&anchored.id).call().await.unwrap();
    assert_eq!(read.member_display_name, "APAC Invoice Creator");
    assert_eq!(read.role_key, "finance_approver");
    assert_eq!(read.role_name, "Finance Approver");
    assert_eq!(read.scope_anchor_path, "finance.apac");
}

async fn a_member_role_needs_a_member_role_and_anchor_of_its_space(w: &World) {
    // Member, role and anchor must all be of the path space.
    let second = w.second_space().await;
    w.create_member(
        second,
        json!({"id": "member_second", "display_name": "second"}),
    )
    .await
    .unwrap();
    w.create_role(second, json!({"id": "role_second", "key": "second"}))
        .await
        .unwrap();
    w.create_group(second, json!({"id": "group_second", "path": "second"}))
        .await
        .unwrap();
    for (member, role, anchor) in [
        ("member_second", "role_finance_approver", ""),
        ("member_finance_reviewer", "role_second", ""),
        (
            "member_finance_reviewer",
            "role_finance_approver",
            "group_second",
        ),
        ("member_nope", "role_finance_approver", ""),
        ("member_finance_reviewer", "role_nope", ""),
        (
            "member_finance_reviewer",
            "role_finance_approver",
            "group_nope",
        ),
    ] {
        let mut body = json!({"member_id": member, "role_id": role});
        if !anchor.is_empty() {
            body["scope_anchor_group_id"] = anchor.into();
        }
        let result = w.create_member_role(ACME, body.clone()).await;
        assert_eq!(failure(result), (400, "VALIDATION_FAILED".into()), "{body}");
    }
}

async fn member_roles_are_revoked_and_filtered(w: &World) {
    auditor(w).await;
    let anchored = json!({"member_id": "member_invoice_creator", "role_id": "role_finance_approver",
                          "scope_anchor_group_id": "group_finance_apac"});
    let anchored = w.create_member_role(ACME, anchored).await.unwrap();
    let plain = json!({"id": "mr_plain", "member_id": "member_finance_reviewer",
                       "role_id": "role_auditor"});
    w.create_member_role(ACME, plain).await.unwrap();

    // Revoke.
    let revoke = w
        .api()
        .revoke_member_role()
        .space_id(ACME)
        .member_role_id("mr_plain");
    assert_eq!(revoke.call().await.unwrap().status, BindingStatus::Revoked);

    // Filters, alone and together (the demo has one member role).
    let demo = "mr_finance_reviewer_approver_finance";
    let anchored = anchored.id.as_str();
    let list = || w.api().list_member_roles().space_id(ACME);
    lists!(
        list().member_id("member_finance_reviewer"),
        [demo, "mr_plain"]
    );
    lists!(list().role_id("role_finance_approver"), [anchored, demo]);
    lists!(list().status(BindingStatus::Revoked), ["mr_plain"]);
    lists!(
        list()
            .member_id("member_finance_reviewer")
            .status(BindingStatus::Active),
        [demo]
    );
    lists!(list(), [anchored, demo, "mr_plain"]);
}
