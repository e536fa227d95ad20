//! Groups (tag `Groups`): paths, parents and depths, the tree, the rules a path keeps, every
//! operation's happy path, and a path change moving the subtree.

use super::*;

on_both_backends!(World::new =>
    a_group_path_gives_its_parent_depth_and_name,
    the_group_tree_and_list_are_ordered_by_path,
    another_space_may_reuse_a_group_path,
    group_paths_and_parents_that_break_the_rules_are_refused,
    a_group_is_read_patched_and_disabled,
    group_path_change_moves_the_subtree,
);

/// The groups `a_group_path_gives_its_parent_depth_and_name` creates, without its checks (the
/// setup of the tests that start from them). Answers tokyo (`finance.apac.tokyo`).
async fn created_groups(w: &World) -> types::Group {
    for body in [
        json!({"path": "ops"}),
        json!({"path": "finance.accounts_payable"}),
        json!({"path": "finance.emea.berlin", "parent_group_id": "group_finance_emea",
               "name": "berlin-hq", "display_name": "Berlin"}),
        json!({"path": "legal.emea.paris", "parent_id": "group_legal_emea"}),
    ] {
        w.create_group(ACME, body).await.unwrap();
    }
    let tokyo =
        json!({"path": "finance.apac.tokyo", "display_name": "Tokyo Office", "sort_order": 5});
    w.create_group(ACME, tokyo).await.unwrap()
}

/// `space_second` with a group at the path `finance` (id `group_second_finance`).
async fn second_space_finance(w: &World) -> &'static str {
    let second = w.second_space().await;
    let body = json!({"id": "group_second_finance", "path": "finance"});
    w.create_group(second, body).await.unwrap();
    second
}

async fn a_group_path_gives_its_parent_depth_and_name(w: &World) {
    // A root group: depth 0, no parent, name from the segment, sort order 1000.
    let ops = w.create_group(ACME, json!({"path": "ops"})).await.unwrap();
    assert!(ops.id.starts_with("group_"), "{}", ops.id);
    assert_eq!(
        (ops.space_id.as_str(), ops.path.as_str(), ops.depth),
        (ACME, "ops", 0)
    );
    assert_eq!(
        (ops.parent_group_id.as_str(), ops.parent_id.as_str()),
        ("", "")
    );
    assert_eq!(ops.name, "Ops");
    assert_eq!(ops.sort_order, 1000);
    assert_eq!(ops.status, Status::Active);

    // Without a given parent, a dotted path's parent is the group at its prefix.
    let payable = w
        .create_group(ACME, json!({"path": "finance.accounts_payable"}))
        .await
        .unwrap();
    assert_eq!(payable.parent_group_id, "group_finance");
    assert_eq!(payable.parent_id, "group_finance");
    assert_eq!(payable.depth, 1);
    assert_eq!(payable.name, "Accounts Payable");
    let tokyo = w
        .create_group(
            ACME,
            json!({"path": "finance.apac.tokyo", "display_name": "Tokyo Office", "sort_order": 5}),
        )
        .await
        .unwrap();
    assert_eq!(tokyo.parent_group_id, "group_finance_apac");
    assert_eq!(tokyo.depth, 2);
    assert_eq!(tokyo.name, "Tokyo Office", "name defaults to display_name");
    assert_eq!(tokyo.sort_order, 5);

    // A parent may be given as either field; both come back with the same value.
    let berlin = w
        .create_group(
            ACME,
            json!({"path": "finance.emea.berlin", "parent_group_id": "group_finance_emea",
                   "name": "berlin-hq", "display_name": "Berlin"}),
        )
        .await
        .unwrap();
    assert_eq!(berlin.parent_group_id, "group_finance_emea");
    assert_eq!(berlin.parent_id, "group_finance_emea");
    assert_eq!(berlin.name, "berlin-hq", "a given name wins");
    assert_eq!(berlin.depth, 2);
    let paris = w
        .create_group(
            ACME,
            json!({"path": "legal.emea.paris", "parent_id": "group_legal_emea"}),
        )
        .await
        .unwrap();
    assert_eq!(paris.parent_group_id, "group_legal_emea");
    assert_eq!(paris.parent_id, "group_legal_emea");
    assert_eq!(paris.name, "Paris");
}

async fn the_group_tree_and_list_are_ordered_by_path(w: &World) {
    created_groups(w).await;

    // The tree: every group of the space, by path.
    let tree = w
        .api()
        .get_group_tree()
        .space_id(ACME)
        .call()
        .await
        .unwrap();
    let paths: Vec<&str> = tree.iter().map(|g| g.path.as_str()).collect();
    let expected = [
        "finance",
        "finance.accounts_payable",
        "finance.apac",
        "finance.apac.tokyo",
        "finance.emea",
        "finance.emea.berlin",
        "legal",
        "legal.emea",
        "legal.emea.paris",
        "ops",
    ];
    assert_eq!(paths, expected);
    let listed = w.api().list_groups().space_id(ACME).call().await.unwrap();
    let listed: Vec<&str> = listed.iter().map(|g| g.path.as_str()).collect();
    assert_eq!(listed, expected, "the list is ordered by path too");
}

async fn another_space_may_reuse_a_group_path(w: &World) {
    // Another space may reuse a path; its groups are not in this space's tree (nor parents
    // here: see `group_paths_and_parents_that_break_the_rules_are_refused`).
    let second = w.second_space().await;
    let other = w
        .create_group(
            second,
            json!({"id": "group_second_finance", "path": "finance"}),
        )
        .await
        .unwrap();
    assert_eq!((other.space_id.as_str(), other.depth), (second, 0));
    let tree = w
        .api()
        .get_group_tree()
        .space_id(second)
        .call()
        .await
        .unwrap();
    assert_eq!(ids!(tree), ["group_second_finance"]);
}

async fn group_paths_and_parents_that_break_the_rules_are_refused(w: &World) {
    created_groups(w).await;
    second_space_finance(w).await;

    // Paths and parents that break the rules.
    for body in [
        json!({"path": ""}),
        json!({"path": "finance..x"}),
        json!({"path": ".finance"}),
        json!({"path": "finance."}),
        json!({"path": "fin ance"}),
        json!({"path": "finance/x"}),
        json!({"path": "finance.caf\u{e9}"}),
        json!({"path": "nowhere.x"}),
        json!({"path": "finance.x", "parent_group_id": "group_nope"}),
        json!({"path": "finance.x", "parent_group_id": "group_second_finance"}),
        json!({"path": "finance.x", "parent_id": "group_second_finance"}),
        json!({"path": "legal.x", "parent_group_id": "group_finance"}),
        json!({"path": "finance.apac.x", "parent_id": "group_finance"}),
        json!({"path": "x", "parent_group_id": "group_finance"}),
    ] {
        let result = w.create_group(ACME, body.clone()).await;
        assert_eq!(failure(result), (400, "VALIDATION_FAILED".into()), "{body}");
    }
    fails!(
        w.create_group(ACME, json!({"path": "finance"})),
        409,
        "GROUP_CREATE_FAILED"
    );
    fails!(
        w.create_group(ACME, json!({"path": "finance.apac.tokyo"})),
        409,
        "GROUP_CREATE_FAILED"
    );
}

async fn a_group_is_read_patched_and_disabled(w: &World) {
    let tokyo = created_groups(w).await;

    // Read in its space and by id alone; patch; disable.
    let read = w.api().get_group().space_id(ACME).group_id(&tokyo.id);
    assert_eq!(read.call().await.unwrap().path, "finance.apac.tokyo");
    let read = w.api().get_group_by_id().group_id(&tokyo.id).call().await;
    assert_eq!(read.unwrap().space_id, ACME);
    let patched = w
        .update_group(
            ACME,
            &tokyo.id,
            GroupUpdateRequest {
                display_name: Some("Tokyo".into()),
                sort_order: Some(7),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.display_name.as_str(), patched.sort_order),
        ("Tokyo", 7)
    );
    assert_eq!(patched.path, "finance.apac.tokyo");
    let disabled = w.api().disable_group().space_id(ACME).group_id(&tokyo.id);
    assert_eq!(disabled.call().await.unwrap().status, Status::Disabled);
}

async fn group_path_change_moves_the_subtree(w: &World) {
    for (id, path) in [
        ("group_ops", "ops"),
        ("group_east", "ops.east"),
        ("group_nyc", "ops.east.nyc"),
        ("group_soho", "ops.east.nyc.soho"),
        ("group_eastern", "ops.eastern"),
    ] {
        w.create_group(ACME, json!({"id": id, "path": path}))
            .await
            .unwrap();
    }
    let path = |path: &str| GroupUpdateRequest {
        path: Some(path.into()),
        ..Default::default()
    };

    // Renamed at the same level: the descendants follow; a sibling sharing the prefix does not.
    let east = w.update_group(ACME, "group_east", path("ops.north")).await;
    let east = east.unwrap();
    assert_eq!((east.path.as_str(), east.depth), ("ops.north", 1));
    for (id, path, depth) in [
        ("group_ops", "ops", 0),
        ("group_east", "ops.north", 1),
        ("group_nyc", "ops.north.nyc", 2),
        ("group_soho", "ops.north.nyc.soho", 3),
        ("group_eastern", "ops.eastern", 1),
    ] {
        assert_eq!(w.path_of(id).await, (path.to_string(), depth), "{id}");
    }

    // Moved one level deeper under another branch: paths and depths of the subtree change.
    let moved = GroupUpdateRequest {
        path: Some("finance.apac.north".into()),
        parent_group_id: Some("group_finance_apac".into()),
        ..Default::default()
    };
    let east = w.update_group(ACME, "group_east", moved).await.unwrap();
    assert_eq!((east.path.as_str(), east.depth), ("finance.apac.north", 2));
    assert_eq!(east.parent_group_id, "group_finance_apac");
    assert_eq!(east.parent_id, "group_finance_apac");
    for (id, path, depth) in [
        ("group_ops", "ops", 0),
        ("group_east", "finance.apac.north", 2),
        ("group_nyc", "finance.apac.north.nyc", 3),
        ("group_soho", "finance.apac.north.nyc.soho", 4),
        ("group_eastern", "ops.eastern", 1),
        ("group_finance_apac", "finance.apac", 1),
    ] {
        assert_eq!(w.path_of(id).await, (path.to_string(), depth), "{id}");
    }
    let tree = w
        .api()
        .get_group_tree()
        .space_id(ACME)
        .call()
        .await
        .unwrap();
    let paths: Vec<&str> = tree.iter().map(|g| g.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "finance",
            "finance.apac",
            "finance.apac.north",
            "finance.apac.north.nyc",
            "finance.apac.north.nyc.soho",
            "finance.emea",
            "legal",
            "legal.emea",
            "ops",
            "ops.eastern",
        ]
    );
}
