//! Permissions and role permissions (tag `Permissions`): defaults and validation, global scope,
//! uniqueness, the role-permission upsert, both routes and the space boundary, soft deletes,
//! every operation's happy path.

use super::*;

on_both_backends!(World::new =>
    a_created_permission_needs_resource_action_and_scope,
    a_global_permission_is_always_stored_disabled,
    a_permission_is_unique_by_resource_action_and_scope,
    a_permission_is_read_listed_patched_and_disabled,
    a_role_permission_is_filled_from_its_role_and_permission_and_upserted,
    a_role_permission_is_read_and_listed_on_both_routes,
    the_space_route_keeps_role_permissions_to_its_space,
    a_deleted_role_permission_is_soft_deleted_and_revived,
);

/// `report:export` (scope space) and `report:purge` (scope global), without checks.
async fn export_and_purge(w: &World) -> (types::Permission, types::Permission) {
    let export = json!({"resource": "report", "action": "export", "scope": "space",
                        "description": "Export reports"});
    let export = w.create_permission(export).await.unwrap();
    let purge = json!({"resource": "report", "action": "purge", "scope": "global",
                       "status": "active"});
    (export, w.create_permission(purge).await.unwrap())
}

async fn a_created_permission_needs_resource_action_and_scope(w: &World) {
    // Create: resource, action and scope required, a `perm_` id, active.
    let export = w
        .create_permission(
            json!({"resource": "report", "action": "export", "scope": "space",
                   "description": "Export reports"}),
        )
        .await
        .unwrap();
    assert!(export.id.starts_with("perm_"), "{}", export.id);
    assert_eq!(
        (
            export.resource.as_str(),
            export.action.as_str(),
            export.scope
        ),
        ("report", "export", PermissionScope::Space)
    );
    assert_eq!(export.status, Status::Active);
    for (resource, action) in [("", "export"), ("report", "")] {
        let body = json!({"resource": resource, "action": action, "scope": "group"});
        invalid!(w.create_permission(body));
    }
}

async fn a_global_permission_is_always_stored_disabled(w: &World) {
    // Scope `global` is always stored disabled.
    let purge = w
        .create_permission(
            json!({"resource": "report", "action": "purge", "scope": "global",
                   "status": "active"}),
        )
        .await
        .unwrap();
    assert_eq!(purge.status, Status::Disabled);
    let active = PermissionUpdateRequest {
        status: Some(Status::Active),
        ..Default::default()
    };
    let still = w.update_permission(&purge.id, active).await.unwrap();
    assert_eq!(still.status, Status::Disabled);
    let archive = w
        .create_permission(json!({"resource": "report", "action": "archive", "scope": "group"}))
        .await
        .unwrap();
    let globalised = PermissionUpdateRequest {
        scope: Some(PermissionScope::Global),
        ..Default::default()
    };
    let globalised = w.update_permission(&archive.id, globalised).await.unwrap();
    assert_eq!(
        (globalised.scope, globalised.status),
        (PermissionScope::Global, Status::Disabled)
    );
}

async fn a_permission_is_unique_by_resource_action_and_scope(w: &World) {
    let (export, _) = export_and_purge(w).await;

    // (resource, action, scope) is unique.
    fails!(
        w.create_permission(json!({"resource": "report", "action": "export", "scope": "space"})),
        409,
        "PERMISSION_CREATE_FAILED"
    );
    let onto_purge = PermissionUpdateRequest {
        action: Some("purge".into()),
        scope: Some(PermissionScope::Global),
        ..Default::default()
    };
    fails!(
        w.update_permission(&export.id, onto_purge),
        409,
        "PERMISSION_UPDATE_FAILED"
    );
}

async fn a_permission_is_read_listed_patched_and_disabled(w: &World) {
    let (export, purge) = export_and_purge(w).await;

    // Read, list, patch, disable.
    let read = w
        .api()
        .get_permission()
        .permission_id(&export.id)
        .call()
        .await;
    assert_eq!(read.unwrap().description, "Export reports");
    let listed = w.api().list_permissions().call().await.unwrap();
    for id in [
        "perm_invoice_approve_group_tree",
        export.id.as_str(),
        purge.id.as_str(),
    ] {
        assert!(listed.iter().any(|p| p.id == id), "{id}");
    }
    let describe = PermissionUpdateRequest {
        description: Some("Export any report".into()),
        ..Default::default()
    };
    let patched = w.update_permission(&export.id, describe).await.unwrap();
    assert_eq!(patched.description, "Export any report");
    assert_eq!(patched.scope, PermissionScope::Space);
    let disabled = w.api().disable_permission().permission_id(&export.id);
    assert_eq!(disabled.call().await.unwrap().status, Status::Disabled);
}

async fn a_role_permission_is_filled_from_its_role_and_permission_and_upserted(w: &World) {
    let permission = "perm_report_read";
    w.create_permission(
        json!({"id": permission, "resource": "report", "action": "read",
               "scope": "group_tree"}),
    )
    .await
    .unwrap();
    let binding = json!({"role_id": "role_finance_approver", "permission_id": permission});

    // Create (global route): filled from the role and the permission.
    let rp = w.bind(binding.clone()).await.unwrap();
    assert!(rp.id.starts_with("rp_"), "{}", rp.id);
    assert_eq!(
        (
            rp.role_id.as_str(),
            rp.role_key.as_str(),
            rp.space_id.as_str()
        ),
        ("role_finance_approver", "finance_approver", ACME)
    );
    assert_eq!(rp.permission_id, permission);
    assert_eq!(
        (rp.resource.as_str(), rp.action.as_str(), rp.scope),
        ("report", "read", PermissionScope::GroupTree)
    );
    assert_eq!(rp.deleted_at, None);

    // Binding the same pair again is an upsert: 201 with the same id.
    assert_eq!(w.bind(binding.clone()).await.unwrap().id, rp.id);
    assert_eq!(w.bind_in(ACME, binding.clone()).await.unwrap().id, rp.id);

    // Role and permission must exist.
    for body in [
        json!({"role_id": "role_nope", "permission_id": permission}),
        json!({"role_id": "role_finance_approver", "permission_id": "perm_nope"}),
    ] {
        invalid!(w.bind(body.clone()));
        invalid!(w.bind_in(ACME, body));
    }
}

async fn a_role_permission_is_read_and_listed_on_both_routes(w: &World) {
    let permission = "perm_report_read";
    w.create_permission(
        json!({"id": permission, "resource": "report", "action": "read",
               "scope": "group_tree"}),
    )
    .await
    .unwrap();
    let binding = json!({"role_id": "role_finance_approver", "permission_id": permission});
    let rp = w.bind(binding.clone()).await.unwrap();

    // Read on both routes; list on both.
    let read = w.api().get_role_permission().role_permission_id(&rp.id);
    assert_eq!(read.call().await.unwrap().role_key, "finance_approver");
    let read = w.api().get_space_role_permission().space_id(ACME);
    let read = read.role_permission_id(&rp.id).call().await.unwrap();
    assert_eq!(
        (read.resource.as_str(), read.space_id.as_str()),
        ("report", ACME)
    );
    let demo = "rp_finance_approver_invoice_approve_group_tree";
    let listed = w.api().list_role_permissions().call().await.unwrap();
    assert!(listed.iter().any(|r| r.id == rp.id) && listed.iter().any(|r| r.id == demo));
    let listed = w
        .api()
        .list_space_role_permissions()
        .space_id(ACME)
        .call()
        .await;
    let listed = listed.unwrap();
    assert!(listed.iter().any(|r| r.id == rp.id) && listed.iter().any(|r| r.id == demo));
}

async fn the_space_route_keeps_role_permissions_to_its_space(w: &World) {
    let permission = "perm_report_read";
    w.create_permission(
        json!({"id": permission, "resource": "report", "action": "read",
               "scope": "group_tree"}),
    )
    .await
    .unwrap();
    let binding = json!({"role_id": "role_finance_approver", "permission_id": permission});

    // The space route: the role must be of the path space; another space's binding is 404.
    let second = w.second_space().await;
    w.create_role(second, json!({"id": "role_second", "key": "second_reader"}))
        .await
        .unwrap();
    invalid!(w.bind_in(second, binding.clone()));
    invalid!(w.bind_in(
        ACME,
        json!({"role_id": "role_second", "permission_id": permission})
    ));
    let theirs = w
        .bind_in(
            second,
            json!({"role_id": "role_second", "permission_id": permission}),
        )
        .await
        .unwrap();
    assert_eq!(
        (theirs.space_id.as_str(), theirs.role_key.as_str()),
        (second, "second_reader")
    );
    let listed = w
        .api()
        .list_space_role_permissions()
        .space_id(second)
        .call()
        .await;
    assert_eq!(ids!(listed.unwrap()), [theirs.id.as_str()]);
    let get = w.api().get_space_role_permission().space_id(ACME);
    fails!(
        get.role_permission_id(&theirs.id).call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
    let delete = w.api().delete_space_role_permission().space_id(ACME);
    fails!(
        delete.role_permission_id(&theirs.id).call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
    let get = w.api().get_space_role_permission().space_id(second);
    assert_eq!(
        get.role_permission_id(&theirs.id)
            .call()
            .await
            .unwrap()
            .deleted_at,
        None,
        "untouched by the refused delete"
    );

    // The global route deletes too.
    let delete = w
        .api()
        .delete_role_permission()
        .role_permission_id(&theirs.id);
    assert!(delete.call().await.unwrap().deleted_at.is_some());
    fails!(
        w.api()
            .get_role_permission()
            .role_permission_id(&theirs.id)
            .call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
}

async fn a_deleted_role_permission_is_soft_deleted_and_revived(w: &World) {
    let permission = "perm_report_read";
    w.create_permission(
        json!({"id": permission, "resource": "report", "action": "read",
               "scope": "group_tree"}),
    )
    .await
    .unwrap();
    let binding = json!({"role_id": "role_finance_approver", "permission_id": permission});
    let rp = w.bind(binding.clone()).await.unwrap();

    // DELETE soft-deletes: the row comes back with deleted_at, then reads are 404.
    let delete = w.api().delete_space_role_permission().space_id(ACME);
    let deleted = delete.role_permission_id(&rp.id).call().await.unwrap();
    assert_eq!(deleted.id, rp.id);
    assert!(deleted.deleted_at.is_some());
    fails!(
        w.api()
            .get_role_permission()
            .role_permission_id(&rp.id)
            .call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );
    let get = w.api().get_space_role_permission().space_id(ACME);
    fails!(
        get.role_permission_id(&rp.id).call(),
        404,
        "ROLE_PERMISSION_NOT_FOUND"
    );

    // Binding again revives the same row.
    let revived = w.bind_in(ACME, binding.clone()).await.unwrap();
    assert_eq!(
        (revived.id.as_str(), revived.deleted_at),
        (rp.id.as_str(), None)
    );
    let read = w
        .api()
        .get_role_permission()
        .role_permission_id(&rp.id)
        .call()
        .await;
    assert_eq!(read.unwrap().deleted_at, None);
}
