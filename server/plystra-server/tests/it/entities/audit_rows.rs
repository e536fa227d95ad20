//! Audit: one `allow` row per successful mutation, in the same transaction; none on failure.

use super::*;

on_both_backends!(World::new =>
    every_mutation_writes_one_audit_row,
    failed_mutations_write_no_audit_row,
);

async fn every_mutation_writes_one_audit_row(w: &World) {
    let api = w.api();

    // Users: only with an audit space, which the row is written into.
    w.unaudited(w.create_user(json!({"id": "user_quiet", "email": "quiet@example.com"})))
        .await;
    let quiet = UserUpdateRequest {
        username: Some("quiet".into()),
        ..Default::default()
    };
    w.unaudited(w.update_user("user_quiet", quiet)).await;
    w.unaudited(api.disable_user().user_id("user_quiet").call())
        .await;
    w.unaudited(api.restore_user().user_id("user_quiet").call())
        .await;
    let user = "user_loud";
    let body = json!({"id": user, "email": "loud@example.com", "audit_space_id": ACME});
    w.audited(row("user.created", user, ACME), w.create_user(body))
        .await;
    let in_acme = || UserUpdateRequest {
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };
    let patch = UserUpdateRequest {
        username: Some("loud".into()),
        ..in_acme()
    };
    w.audited(row("user.updated", user, ACME), w.update_user(user, patch))
        .await;
    let disable = api.disable_user().user_id(user).body(in_acme());
    w.audited(row("user.disabled", user, ACME), disable.call())
        .await;
    let restore = api.restore_user().user_id(user).body(in_acme());
    w.audited(row("user.restored", user, ACME), restore.call())
        .await;

    // Spaces: the row is in the space itself.
    let space = "space_audit";
    let body = json!({"id": space, "name": "audit"});
    w.audited(row("space.created", space, space), w.create_space(body))
        .await;
    let rename = SpaceMutationRequest {
        name: Some("audited".into()),
        ..Default::default()
    };
    let patch = api.update_space().space_id(space).body(rename);
    w.audited(row("space.updated", space, space), patch.call())
        .await;
    let disable = api.disable_space().space_id(space);
    w.audited(row("space.disabled", space, space), disable.call())
        .await;
    let restore = api.restore_space().space_id(space);
    w.audited(row("space.restored", space, space), restore.call())
        .await;

    // Groups.
    let group = "group_audit";
    let body = json!({"id": group, "path": "audit"});
    w.audited(
        row("group.created", group, ACME),
        w.create_group(ACME, body),
    )
    .await;
    let rename = GroupUpdateRequest {
        display_name: Some("Audit".into()),
        ..Default::default()
    };
    let patch = w.update_group(ACME, group, rename);
    w.audited(row("group.updated", group, ACME), patch).await;
    let disable = api.disable_group().space_id(ACME).group_id(group);
    w.audited(row("group.disabled", group, ACME), disable.call())
        .await;

    // Members.
    let member = "member_audit";
    let body = json!({"id": member, "display_name": "audit"});
    let create = w.create_member(ACME, body);
    w.audited(row("member.created", member, ACME), create).await;
    let rename = MemberUpdateRequest {
        display_name: Some("audited".into()),
        ..Default::default()
    };
    let patch = w.update_member(ACME, member, rename);
    w.audited(row("member.updated", member, ACME), patch).await;

    // User members.
    let um = "um_audit";
    let body = json!({"id": um, "user_id": "user_bob", "member_id": member,
                      "relation_type": "delegate"});
    let create = w.create_user_member(ACME, body);
    w.audited(row("user_member.created", um, ACME), create)
        .await;
    let relation = UserMemberUpdateRequest {
        relation_type: Some("login".into()),
        ..Default::default()
    };
    let patch = w.update_user_member(ACME, um, relation);
    w.audited(row("user_member.updated", um, ACME), patch).await;
    let revoke = api.revoke_user_member().space_id(ACME).user_member_id(um);
    w.audited(row("user_member.revoked", um, ACME), revoke.call())
        .await;
    let disable = api.disable_member().space_id(ACME).member_id(member);
    w.audited(row("member.disabled", member, ACME), disable.call())
        .await;

    // Roles.
    let role = "role_audit";
    let body = json!({"id": role, "key": "audit"});
    let create = w.create_role(ACME, body);
    w.audited(row("role.created", role, ACME), create).await;
    let rename = RoleUpdateRequest {
        name: Some("Audit".into()),
        ..Default::default()
    };
    let patch = w.update_role(ACME, role, rename);
    w.audited(row("role.updated", role, ACME), patch).await;

    // Member roles.
    let mr = "mr_audit";
    let body = json!({"id": mr, "member_id": "member_finance_reviewer", "role_id": role});
    let create = w.create_member_role(ACME, body);
    w.audited(row("member_role.created", mr, ACME), create)
        .await;
    let revoke = api.revoke_member_role().space_id(ACME).member_role_id(mr);
    w.audited(row("member_role.revoked", mr, ACME), revoke.call())
        .await;

    // Permissions: only with an audit space.
    let body = json!({"id": "perm_quiet", "resource": "quiet", "action": "read", "scope": "space"});
    w.unaudited(w.create_permission(body)).await;
    let describe = PermissionUpdateRequest {
        description: Some("quiet".into()),
        ..Default::default()
    };
    w.unaudited(w.update_permission("perm_quiet", describe))
        .await;
    let perm = "perm_audit";
    let body = json!({"id": perm, "resource": "audit", "action": "read", "scope": "space",
                      "audit_space_id": ACME});
    let create = w.create_permission(body);
    w.audited(row("permission.created", perm, ACME), create)
        .await;
    let describe = PermissionUpdateRequest {
        description: Some("audited".into()),
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };
    let patch = w.update_permission(perm, describe);
    w.audited(row("permission.updated", perm, ACME), patch)
        .await;

    // Role permissions: in the role's space, on both routes; each upsert is one created row.
    let role_elsewhere = "role_audit_elsewhere";
    w.create_role(space, json!({"id": role_elsewhere, "key": "audit"}))
        .await
        .unwrap();
    let rp = "rp_audit";
    let body = json!({"id": rp, "role_id": role_elsewhere, "permission_id": perm});
    w.audited(
        row("role_permission.created", rp, space),
        w.bind(body.clone()),
    )
    .await;
    w.audited(row("role_permission.created", rp, space), w.bind(body))
        .await;
    let delete = api.delete_role_permission().role_permission_id(rp);
    w.audited(row("role_permission.deleted", rp, space), delete.call())
        .await;
    let rp = "rp_audit_acme";
    let body = json!({"id": rp, "role_id": role, "permission_id": perm});
    let create = w.bind_in(ACME, body);
    w.audited(row("role_permission.created", rp, ACME), create)
        .await;
    let delete = api.delete_space_role_permission().space_id(ACME);
    let delete = delete.role_permission_id(rp);
    w.audited(row("role_permission.deleted", rp, ACME), delete.call())
        .await;

    // Disabling roles and permissions (after their last use above).
    let disable = api.disable_role().space_id(ACME).role_id(role);
    w.audited(row("role.disabled", role, ACME), disable.call())
        .await;
    let disable = api
        .disable_permission()
        .permission_id(perm)
        .body(PermissionUpdateRequest {
            audit_space_id: Some(ACME.into()),
            ..Default::default()
        });
    w.audited(row("permission.disabled", perm, ACME), disable.call())
        .await;
}

async fn failed_mutations_write_no_audit_row(w: &World) {
    let api = w.api();
    let in_acme = || UserUpdateRequest {
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };

    // Users (with an audit space, so a success would have written a row).
    let dup = json!({"email": "alice@example.com", "audit_space_id": ACME});
    fails_unaudited!(w, w.create_user(dup), 409, "USER_CREATE_FAILED");
    let bad = json!({"email": "no-at-sign", "audit_space_id": ACME});
    fails_unaudited!(w, w.create_user(bad), 400, "VALIDATION_FAILED");
    let nowhere = json!({"email": "nowhere@example.com", "audit_space_id": "space_nope"});
    fails_unaudited!(w, w.create_user(nowhere), 400, "VALIDATION_FAILED");
    let taken = UserUpdateRequest {
        email: Some("bob@example.com".into()),
        ..in_acme()
    };
    fails_unaudited!(w, w.update_user(ALICE, taken), 409, "USER_UPDATE_FAILED");
    let disable = api.disable_user().user_id("user_nope").body(in_acme());
    fails_unaudited!(w, disable.call(), 404, "USER_NOT_FOUND");

    // Spaces.
    fails_unaudited!(w, w.create_space(json!({})), 400, "VALIDATION_FAILED");
    let dup = json!({"id": ACME, "name": "again"});
    fails_unaudited!(w, w.create_space(dup), 409, "SPACE_CREATE_FAILED");
    let disable = api.disable_space().space_id("space_nope");
    fails_unaudited!(w, disable.call(), 404, "SPACE_NOT_FOUND");

    // Groups.
    let bad = json!({"path": "finance..x"});
    fails_unaudited!(w, w.create_group(ACME, bad), 400, "VALIDATION_FAILED");
    let dup = json!({"path": "finance.apac"});
    fails_unaudited!(w, w.create_group(ACME, dup), 409, "GROUP_CREATE_FAILED");
    let rename = GroupUpdateRequest {
        display_name: Some("x".into()),
        ..Default::default()
    };
    let patch = w.update_group(ACME, "group_nope", rename);
    fails_unaudited!(w, patch, 404, "GROUP_NOT_FOUND");

    // Members.
    let blank = json!({"display_name": " "});
    fails_unaudited!(w, w.create_member(ACME, blank), 400, "VALIDATION_FAILED");
    let dup = json!({"id": "member_finance_reviewer", "display_name": "again"});
    fails_unaudited!(w, w.create_member(ACME, dup), 409, "MEMBER_CREATE_FAILED");
    let disable = api.disable_member().space_id(ACME).member_id("member_nope");
    fails_unaudited!(w, disable.call(), 404, "MEMBER_NOT_FOUND");

    // User members.
    let bad = json!({"user_id": "user_nope", "member_id": "member_finance_reviewer",
                     "relation_type": "delegate"});
    fails_unaudited!(w, w.create_user_member(ACME, bad), 400, "VALIDATION_FAILED");
    let revoke = api
        .revoke_user_member()
        .space_id(ACME)
        .user_member_id("um_nope");
    fails_unaudited!(w, revoke.call(), 404, "USER_MEMBER_NOT_FOUND");

    // Roles.
    let dup = json!({"key": "finance_approver"});
    fails_unaudited!(w, w.create_role(ACME, dup), 409, "ROLE_CREATE_FAILED");
    w.create_role(ACME, json!({"id": "role_other", "key": "other"}))
        .await
        .unwrap();
    let taken = RoleUpdateRequest {
        key: Some("finance_approver".into()),
        ..Default::default()
    };
    let patch = w.update_role(ACME, "role_other", taken);
    fails_unaudited!(w, patch, 409, "ROLE_UPDATE_FAILED");

    // Member roles.
    let second = w.second_space().await;
    w.create_member(
        second,
        json!({"id": "member_second", "display_name": "second"}),
    )
    .await
    .unwrap();
    let cross = json!({"member_id": "member_second", "role_id": "role_finance_approver"});
    let create = w.create_member_role(ACME, cross);
    fails_unaudited!(w, create, 400, "VALIDATION_FAILED");
    let revoke = api
        .revoke_member_role()
        .space_id(ACME)
        .member_role_id("mr_nope");
    fails_unaudited!(w, revoke.call(), 404, "MEMBER_ROLE_NOT_FOUND");

    // Permissions (with an audit space).
    let dup = json!({"resource": "invoice", "action": "approve", "scope": "group_tree",
                     "audit_space_id": ACME});
    fails_unaudited!(w, w.create_permission(dup), 409, "PERMISSION_CREATE_FAILED");
    let body = json!({"id": "perm_other", "resource": "invoice", "action": "approve",
                      "scope": "space"});
    w.create_permission(body).await.unwrap();
    let taken = PermissionUpdateRequest {
        scope: Some(PermissionScope::GroupTree),
        audit_space_id: Some(ACME.into()),
        ..Default::default()
    };
    let patch = w.update_permission("perm_other", taken);
    fails_unaudited!(w, patch, 409, "PERMISSION_UPDATE_FAILED");

    // Role permissions.
    let bad = json!({"role_id": "role_nope", "permission_id": "perm_other"});
    fails_unaudited!(w, w.bind(bad), 400, "VALIDATION_FAILED");
    let cross = json!({"role_id": "role_finance_approver", "permission_id": "perm_other"});
    fails_unaudited!(w, w.bind_in(second, cross), 400, "VALIDATION_FAILED");
    let delete = api.delete_role_permission().role_permission_id("rp_nope");
    fails_unaudited!(w, delete.call(), 404, "ROLE_PERMISSION_NOT_FOUND");
    let delete = api.delete_space_role_permission().space_id(second);
    let delete = delete.role_permission_id("rp_finance_approver_invoice_approve_group_tree");
    fails_unaudited!(w, delete.call(), 404, "ROLE_PERMISSION_NOT_FOUND");
}
