//! Users (tag `Users`): defaults and validation, the password, every operation's happy path.

use super::*;

on_both_backends!(World::new =>
    a_created_user_has_a_normalised_unique_email,
    a_user_password_follows_the_policy_and_is_never_answered,
    a_user_is_read_listed_disabled_and_restored,
    a_user_patch_normalises_the_email_and_keeps_the_rules,
);

/// Carol, created without checks (the setup of the tests that start from her).
async fn carol(w: &World) -> types::User {
    let body = json!({"email": "  Carol@Example.COM ", "username": "carol"});
    w.create_user(body).await.unwrap()
}

async fn a_created_user_has_a_normalised_unique_email(w: &World) {
    // Create: email trimmed and lower-cased, status active, a generated `user_` id.
    let carol = w
        .create_user(json!({"email": "  Carol@Example.COM ", "username": "carol"}))
        .await
        .unwrap();
    assert!(carol.id.starts_with("user_"), "{}", carol.id);
    assert_eq!(carol.email, "carol@example.com");
    assert_eq!(carol.username, "carol");
    assert_eq!(carol.status, Status::Active);

    // The email is required and needs an `@`; taken emails conflict, whatever their case.
    for email in ["", "   ", "carol.example.com"] {
        invalid!(w.create_user(json!({"email": email})));
    }
    fails!(
        w.create_user(json!({"email": " ALICE@example.com"})),
        409,
        "USER_CREATE_FAILED"
    );
    fails!(
        w.create_user(json!({"email": "carol@example.com"})),
        409,
        "USER_CREATE_FAILED"
    );

    // An audit space must exist.
    invalid!(w.create_user(json!({"email": "erin@example.com", "audit_space_id": "space_nope"})));
}

async fn a_user_password_follows_the_policy_and_is_never_answered(w: &World) {
    // A password is optional, follows the registration policy and is never answered.
    const PASSWORD: &str = "correct horse battery";
    invalid!(w.create_user(json!({"email": "dave@example.com", "password": "short"})));
    let (status, created) = w
        .raw_with(
            "POST",
            "/api/v1/users",
            &[],
            Some(json!({"email": "dave@example.com", "password": PASSWORD})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let dave = created["data"]["id"].as_str().unwrap().to_string();
    let (_, read) = w.raw("GET", &format!("/api/v1/users/{dave}"), &[]).await;
    let (_, listed) = w.raw("GET", "/api/v1/users", &[]).await;
    for body in [&created["data"], &read["data"]] {
        assert_eq!(body["email"], "dave@example.com");
        assert!(body.get("password").is_none() && body.get("password_hash").is_none());
    }
    for body in [&created, &read, &listed] {
        assert!(!body.to_string().contains(PASSWORD), "{body}");
        assert!(!body.to_string().contains("password_hash"), "{body}");
    }
    // It was kept: bound to a member, dave logs in with it.
    w.create_member(ACME, json!({"id": "member_dave", "display_name": "dave"}))
        .await
        .unwrap();
    w.create_user_member(
        ACME,
        json!({"user_id": dave, "member_id": "member_dave", "relation_type": "login"}),
    )
    .await
    .unwrap();
    let session = Plystra::new(&w.base)
        .unwrap()
        .auth()
        .login("dave@example.com", PASSWORD)
        .await
        .unwrap();
    assert_eq!(session.user.id, dave);
}

async fn a_user_is_read_listed_disabled_and_restored(w: &World) {
    let carol = carol(w).await;

    // Read and list.
    let read = w.api().get_user().user_id(&carol.id).call().await.unwrap();
    assert_eq!(read.email, "carol@example.com");
    let listed = w.api().list_users().call().await.unwrap();
    assert!(listed.iter().any(|u| u.id == carol.id));

    // Disable and restore.
    let disabled = w.api().disable_user().user_id(&carol.id).call().await;
    assert_eq!(disabled.unwrap().status, Status::Disabled);
    let restored = w.api().restore_user().user_id(&carol.id).call().await;
    assert_eq!(restored.unwrap().status, Status::Active);
}

async fn a_user_patch_normalises_the_email_and_keeps_the_rules(w: &World) {
    let carol = carol(w).await;

    // Patch: the email is normalised and must stay unique and valid; the password policy holds.
    let patched = w
        .update_user(
            &carol.id,
            UserUpdateRequest {
                email: Some(" Caroline@Example.com".into()),
                username: Some("caroline".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(
        (patched.email.as_str(), patched.username.as_str()),
        ("caroline@example.com", "caroline")
    );
    let email = |email: &str| UserUpdateRequest {
        email: Some(email.into()),
        ..Default::default()
    };
    fails!(
        w.update_user(&carol.id, email("BOB@example.com")),
        409,
        "USER_UPDATE_FAILED"
    );
    invalid!(w.update_user(&carol.id, email("caroline.example.com")));
    let short = UserUpdateRequest {
        password: Some("short".into()),
        ..Default::default()
    };
    invalid!(w.update_user(&carol.id, short));
}
