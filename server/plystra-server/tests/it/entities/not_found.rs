//! 404s across entities: unknown ids, and entities addressed under a space they are not of.

use super::*;

on_both_backends!(World::new =>
    unknown_ids_are_not_found,
    entities_of_another_space_are_not_found_under_it,
);

async fn unknown_ids_are_not_found(w: &World) {
    let api = w.api();
    not_found!("USER_NOT_FOUND" =>
        api.get_user().user_id("user_nope").call(),
        w.update_user("user_nope", UserUpdateRequest::default()),
        api.disable_user().user_id("user_nope").call(),
        api.restore_user().user_id("user_nope").call(),
    );
    let rename = SpaceMutationRequest {
        name: Some("x".into()),
        ..Default::default()
    };
    not_found!("SPACE_NOT_FOUND" =>
        api.get_space().space_id("space_nope").call(),
        api.update_space().space_id("space_nope").body(rename).call(),
        api.disable_space().space_id("space_nope").call(),
        api.restore_space().space_id("space_nope").call(),
    );
    not_found!("GROUP_NOT_FOUND" =>
        api.get_group().space_id(ACME).group_id("group_nope").call(),
        api.get_group_by_id().group_id("group_nope").call(),
        w.update_group(ACME, "group_nope", GroupUpdateRequest::default()),
        api.disable_group().space_id(ACME).group_id("group_nope").call(),
    );
    not_found!("MEMBER_NOT_FOUND" =>
        api.get_member().space_id(ACME).member_id("member_nope").call(),
        api.get_member_by_id().member_id("member_nope").call(),
        w.update_member(ACME, "member_nope", MemberUpdateRequest::default()),
        api.disable_member().space_id(ACME).member_id("member_nope").call(),
    );
    not_found!("USER_MEMBER_NOT_FOUND" =>
        api.get_user_member().space_id(ACME).user_member_id("um_nope").call(),
        api.get_user_member_by_id().user_member_id("um_nope").call(),
        w.update_user_member(ACME, "um_nope", UserMemberUpdateRequest::default()),
        api.revoke_user_member().space_id(ACME).user_member_id("um_nope").call(),
    );
    not_found!("ROLE_NOT_FOUND" =>
        api.get_role().space_id(ACME).role_id("role_nope").call(),
        api.get_role_by_id().role_id("role_nope").call(),
        w.update_role(ACME, "role_nope", RoleUpdateRequest::default()),
        api.disable_role().space_id(ACME).role_id("role_nope").call(),
    );
    not_found!("MEMBER_ROLE_NOT_FOUND" =>
        api.get_member_role().space_id(ACME).member_role_id("mr_nope").call(),
        api.revoke_member_role().space_id(ACME).member_role_id("mr_nope").call(),
    );
    not_found!("PERMISSION_NOT_FOUND" =>
        api.get_permission().permission_id("perm_nope").call(),
        w.update_permission("perm_nope", PermissionUpdateRequest::default()),
        api.disable_permission().permission_id("perm_nope").call(),
    );
    not_found!("ROLE_PERMISSION_NOT_FOUND" =>
        api.get_role_permission().role_permission_id("rp_nope").call(),
        api.delete_role_permission().role_permission_id("rp_nope").call(),
        api.get_space_role_permission().space_id(ACME).role_permission_id("rp_nope").call(),
        api.delete_space_role_permission().space_id(ACME).role_permission_id("rp_nope").call(),
    );
}

async fn entities_of_another_space_are_not_found_under_it(w: &World) {
    // Everything addressed here lives in space_acme; the path names space_second.
    let s = w.second_space().await;
    let api = w.api();
    let group = "group_finance";
    let member = "member_finance_reviewer";
    let um = "um_bob_finance_reviewer";
    let role = "role_finance_approver";
    let mr = "mr_finance_reviewer_approver_finance";
    let rp = "rp_finance_approver_invoice_approve_group_tree";
    let moved = || Some(String::from("moved"));
    let group_patch = GroupUpdateRequest {
        display_name: moved(),
        ..Default::default()
    };
    let member_patch = MemberUpdateRequest {
        display_name: moved(),
        ..Default::default()
    };
    let um_patch = UserMemberUpdateRequest {
        relation_type: moved(),
        ..Default::default()
    };
    let role_patch = RoleUpdateRequest {
        name: moved(),
        ..Default::default()
    };
    not_found!("GROUP_NOT_FOUND" =>
        api.get_group().space_id(s).group_id(group).call(),
        w.update_group(s, group, group_patch),
        api.disable_group().space_id(s).group_id(group).call(),
    );
    not_found!("MEMBER_NOT_FOUND" =>
        api.get_member().space_id(s).member_id(member).call(),
        w.update_member(s, member, member_patch),
        api.disable_member().space_id(s).member_id(member).call(),
    );
    not_found!("USER_MEMBER_NOT_FOUND" =>
        api.get_user_member().space_id(s).user_member_id(um).call(),
        w.update_user_member(s, um, um_patch),
        api.revoke_user_member().space_id(s).user_member_id(um).call(),
    );
    not_found!("ROLE_NOT_FOUND" =>
        api.get_role().space_id(s).role_id(role).call(),
        w.update_role(s, role, role_patch),
        api.disable_role().space_id(s).role_id(role).call(),
    );
    not_found!("MEMBER_ROLE_NOT_FOUND" =>
        api.get_member_role().space_id(s).member_role_id(mr).call(),
        api.revoke_member_role().space_id(s).member_role_id(mr).call(),
    );
    not_found!("ROLE_PERMISSION_NOT_FOUND" =>
        api.get_space_role_permission().space_id(s).role_permission_id(rp).call(),
        api.delete_space_role_permission().space_id(s).role_permission_id(rp).call(),
    );

    // Nothing was changed in space_acme.
    let read = api.get_group_by_id().group_id(group).call().await.unwrap();
    assert_eq!(
        (read.display_name.as_str(), read.status),
        ("Finance", Status::Active)
    );
    let read = api
        .get_member_by_id()
        .member_id(member)
        .call()
        .await
        .unwrap();
    assert_eq!(
        (read.display_name.as_str(), read.status),
        ("Finance Reviewer", Status::Active)
    );
    let read = api
        .get_user_member_by_id()
        .user_member_id(um)
        .call()
        .await
        .unwrap();
    assert_eq!(
        (read.relation_type.as_str(), read.status),
        ("login", BindingStatus::Active)
    );
    let read = api.get_role_by_id().role_id(role).call().await.unwrap();
    assert_eq!(
        (read.name.as_str(), read.status),
        ("Finance Approver", Status::Active)
    );
    let read = api
        .get_member_role()
        .space_id(ACME)
        .member_role_id(mr)
        .call()
        .await
        .unwrap();
    assert_eq!(read.status, BindingStatus::Active);
    let read = api
        .get_role_permission()
        .role_permission_id(rp)
        .call()
        .await
        .unwrap();
    assert_eq!(read.deleted_at, None);
}
