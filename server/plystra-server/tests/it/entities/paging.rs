//! Pagination: keyset cursors, two rows a page, every row once in key order (id breaks ties).
//! Rows are created out of order, with ids that do not sort like the key. And the limits and
//! cursors every list accepts.

use super::*;

on_both_backends!(World::new =>
    global_lists_page_in_key_order,
    space_lists_page_in_key_order,
    list_limits_and_bad_cursors,
);

async fn global_lists_page_in_key_order(w: &World) {
    // Users by email (alice and bob are the demo's).
    for (id, email) in [
        ("user_p1", "pgc@example.com"),
        ("user_p2", "pga@example.com"),
        ("user_p3", "pgd@example.com"),
        ("user_p4", "pgb@example.com"),
    ] {
        w.create_user(json!({"id": id, "email": email}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_users()),
        [
            "user_alice",
            "user_bob",
            "user_p2",
            "user_p4",
            "user_p1",
            "user_p3"
        ]
    );

    // Spaces by name (Acme is the demo's); two share a name.
    for (id, name) in [
        ("space_p3", "pgbeta"),
        ("space_p1", "pgdelta"),
        ("space_p4", "pgalpha"),
        ("space_p2", "pgalpha"),
    ] {
        w.create_space(json!({"id": id, "name": name}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_spaces()),
        [ACME, "space_p2", "space_p4", "space_p3", "space_p1"]
    );

    // Permissions by (resource, action, scope); the demo has (invoice, approve, group_tree).
    for (id, resource, action, scope) in [
        ("perm_p1", "pgdoc", "read", "space"),
        ("perm_p2", "pgdoc", "read", "self"),
        ("perm_p3", "pgdoc", "edit", "group"),
        ("perm_p4", "invoice", "approve", "space"),
        ("perm_p5", "pgdoc", "edit", "group_tree"),
    ] {
        let body = json!({"id": id, "resource": resource, "action": action, "scope": scope});
        w.create_permission(body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_permissions()),
        [
            "perm_invoice_approve_group_tree",
            "perm_p4",
            "perm_p3",
            "perm_p5",
            "perm_p2",
            "perm_p1",
        ]
    );

    // Role permissions of every space by (role key, resource, action, scope): two roles of
    // different spaces share a key and are bound to the same permission.
    for (id, space, key) in [
        ("role_pa", "space_p1", "pgrole"),
        ("role_pb", "space_p2", "pgrole"),
        ("role_pc", ACME, "auditor"),
    ] {
        w.create_role(space, json!({"id": id, "key": key}))
            .await
            .unwrap();
    }
    for (id, role, permission) in [
        ("rp_z2", "role_pb", "perm_p1"),
        ("rp_z1", "role_pa", "perm_p1"),
        ("rp_z3", "role_pa", "perm_p3"),
        ("rp_z4", "role_pc", "perm_p4"),
    ] {
        let body = json!({"id": id, "role_id": role, "permission_id": permission});
        w.bind(body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_role_permissions()),
        [
            "rp_z4",
            "rp_finance_approver_invoice_approve_group_tree",
            "rp_z3",
            "rp_z1",
            "rp_z2",
        ]
    );
}

async fn space_lists_page_in_key_order(w: &World) {
    let space = "space_pg";
    w.create_space(json!({"id": space, "name": "pgspace"}))
        .await
        .unwrap();

    // Groups by path.
    for (id, path) in [
        ("group_g1", "pgb"),
        ("group_g2", "pga"),
        ("group_g3", "pga.y"),
        ("group_g4", "pga.x"),
        ("group_g5", "pgb.a"),
    ] {
        w.create_group(space, json!({"id": id, "path": path}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_groups().space_id(space)),
        ["group_g2", "group_g4", "group_g3", "group_g1", "group_g5"]
    );

    // Members by display name; two share one.
    for (id, name) in [
        ("member_m3", "pgmc"),
        ("member_m4", "pgma"),
        ("member_m1", "pgmb"),
        ("member_m2", "pgma"),
    ] {
        w.create_member(space, json!({"id": id, "display_name": name}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_members().space_id(space)),
        ["member_m2", "member_m4", "member_m1", "member_m3"]
    );

    // Roles by key.
    for (id, key) in [
        ("role_r1", "pgrc"),
        ("role_r2", "pgra"),
        ("role_r3", "pgrb"),
    ] {
        w.create_role(space, json!({"id": id, "key": key}))
            .await
            .unwrap();
    }
    assert_eq!(
        pages!(w.api().list_roles().space_id(space)),
        ["role_r2", "role_r3", "role_r1"]
    );

    // User members by (user email, member display name); u3 and u4 tie.
    for (id, user, member) in [
        ("um_u1", "user_bob", "member_m2"),
        ("um_u2", "user_alice", "member_m1"),
        ("um_u4", "user_alice", "member_m2"),
        ("um_u3", "user_alice", "member_m2"),
        ("um_u5", "user_bob", "member_m3"),
    ] {
        let body = json!({"id": id, "user_id": user, "member_id": member,
                          "relation_type": "delegate"});
        w.create_user_member(space, body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_user_members().space_id(space)),
        ["um_u3", "um_u4", "um_u2", "um_u1", "um_u5"]
    );

    // Member roles by (member display name, role key); q3 and q4 tie (two members named pgma).
    for (id, member, role) in [
        ("mr_q1", "member_m1", "role_r2"),
        ("mr_q2", "member_m2", "role_r1"),
        ("mr_q4", "member_m4", "role_r2"),
        ("mr_q3", "member_m2", "role_r2"),
    ] {
        let body = json!({"id": id, "member_id": member, "role_id": role});
        w.create_member_role(space, body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_member_roles().space_id(space)),
        ["mr_q3", "mr_q4", "mr_q2", "mr_q1"]
    );

    // The space's role permissions by (role key, resource, action, scope); space_acme's demo
    // binding is not among them.
    for (id, resource, action, scope) in [
        ("perm_s1", "pgdoc", "read", "space"),
        ("perm_s2", "pgdoc", "edit", "group"),
    ] {
        let body = json!({"id": id, "resource": resource, "action": action, "scope": scope});
        w.create_permission(body).await.unwrap();
    }
    for (id, role, permission) in [
        ("rp_s1", "role_r1", "perm_s1"),
        ("rp_s2", "role_r2", "perm_s1"),
        ("rp_s3", "role_r2", "perm_s2"),
        ("rp_s4", "role_r3", "perm_invoice_approve_group_tree"),
    ] {
        let body = json!({"id": id, "role_id": role, "permission_id": permission});
        w.bind_in(space, body).await.unwrap();
    }
    assert_eq!(
        pages!(w.api().list_space_role_permissions().space_id(space)),
        ["rp_s3", "rp_s2", "rp_s4", "rp_s1"]
    );
}

async fn list_limits_and_bad_cursors(w: &World) {
    // For each list: the route default without a limit and for one out of 1–200 (sent raw, as
    // the SDK only sends positive numbers); a limit inside is answered as is; a cursor that is
    // not one of the server's is 400.
    macro_rules! check {
        ($list:expr, $path:literal, $default:literal) => {{
            assert_eq!(limit_of($list.call().await), $default, "{} default", $path);
            assert_eq!(limit_of($list.limit(201u32).call().await), $default, $path);
            assert_eq!(limit_of($list.limit(200u32).call().await), 200, $path);
            assert_eq!(limit_of($list.limit(1u32).call().await), 1, $path);
            for limit in ["0", "-1", "1000"] {
                let (status, body) = w.raw("GET", $path, &[("limit", limit)]).await;
                assert_eq!(status, 200, "{} {body}", $path);
                let answered = &body["pagination"]["limit"];
                assert_eq!(answered, $default, "{} limit={limit}", $path);
            }
            for cursor in ["not a cursor", "@@@@"] {
                let result = failure($list.cursor(cursor).call().await);
                let expected = (400, String::from("VALIDATION_FAILED"));
                assert_eq!(result, expected, "{} cursor {cursor:?}", $path);
            }
        }};
    }
    let api = w.api();
    check!(api.list_users(), "/api/v1/users", 50);
    check!(api.list_spaces(), "/api/v1/spaces", 50);
    check!(
        api.list_groups().space_id(ACME),
        "/api/v1/spaces/space_acme/groups",
        200
    );
    check!(
        api.list_members().space_id(ACME),
        "/api/v1/spaces/space_acme/members",
        50
    );
    check!(
        api.list_user_members().space_id(ACME),
        "/api/v1/spaces/space_acme/user-members",
        50
    );
    check!(
        api.list_roles().space_id(ACME),
        "/api/v1/spaces/space_acme/roles",
        50
    );
    check!(
        api.list_member_roles().space_id(ACME),
        "/api/v1/spaces/space_acme/member-roles",
        50
    );
    check!(api.list_permissions(), "/api/v1/permissions", 50);
    check!(api.list_role_permissions(), "/api/v1/role-permissions", 50);
    check!(
        api.list_space_role_permissions().space_id(ACME),
        "/api/v1/spaces/space_acme/role-permissions",
        50
    );
}
