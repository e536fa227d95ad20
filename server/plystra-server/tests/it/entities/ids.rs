//! Ids across the nine entities: client-chosen (within the id rules) or generated with the
//! entity's prefix.

use super::*;

on_both_backends!(World::new =>
    ids_are_client_chosen_or_prefixed,
);

/// The nine entities, created with as little as each needs.
#[derive(Debug, Clone, Copy)]
enum Kind {
    User,
    Space,
    Group,
    Member,
    UserMember,
    Role,
    MemberRole,
    Permission,
    RolePermission,
}

impl Kind {
    const ALL: [Kind; 9] = [
        Kind::User,
        Kind::Space,
        Kind::Group,
        Kind::Member,
        Kind::UserMember,
        Kind::Role,
        Kind::MemberRole,
        Kind::Permission,
        Kind::RolePermission,
    ];

    fn prefix(self) -> &'static str {
        match self {
            Kind::User => "user_",
            Kind::Space => "space_",
            Kind::Group => "group_",
            Kind::Member => "member_",
            Kind::UserMember => "um_",
            Kind::Role => "role_",
            Kind::MemberRole => "mr_",
            Kind::Permission => "perm_",
            Kind::RolePermission => "rp_",
        }
    }

    /// The code of a create whose id is taken (role permissions are upserts: not checked).
    fn taken_id_code(self) -> Option<&'static str> {
        Some(match self {
            Kind::User => "USER_CREATE_FAILED",
            Kind::Space => "SPACE_CREATE_FAILED",
            Kind::Group => "GROUP_CREATE_FAILED",
            Kind::Member => "MEMBER_CREATE_FAILED",
            Kind::UserMember => "USER_MEMBER_CREATE_FAILED",
            Kind::Role => "ROLE_CREATE_FAILED",
            Kind::MemberRole => "MEMBER_ROLE_CREATE_FAILED",
            Kind::Permission => "PERMISSION_CREATE_FAILED",
            Kind::RolePermission => return None,
        })
    }

    /// Creates one (in space_acme when space-bound) with `id` if given; `n` keeps unique fields
    /// unique. Answers the id.
    async fn create(self, w: &World, id: Option<&str>, n: usize) -> Result<String, plystra::Error> {
        let name = format!("ids{n}");
        let mut body = match self {
            Kind::User => json!({"email": format!("{name}@example.com")}),
            Kind::Space => json!({"name": name}),
            Kind::Group => json!({"path": name}),
            Kind::Member => json!({"display_name": name}),
            Kind::UserMember => json!({"user_id": "user_bob",
                                       "member_id": "member_finance_reviewer",
                                       "relation_type": "delegate"}),
            Kind::Role => json!({"key": name}),
            Kind::MemberRole => json!({"member_id": "member_finance_reviewer",
                                       "role_id": "role_finance_approver"}),
            Kind::Permission => json!({"resource": name, "action": "read", "scope": "space"}),
            Kind::RolePermission => {
                let permission = json!({"resource": name, "action": "bind", "scope": "space"});
                let permission = w.create_permission(permission).await?;
                json!({"role_id": "role_finance_approver", "permission_id": permission.id})
            }
        };
        if let Some(id) = id {
            body["id"] = id.into();
        }
        Ok(match self {
            Kind::User => w.create_user(body).await?.id,
            Kind::Space => w.create_space(body).await?.id,
            Kind::Group => w.create_group(ACME, body).await?.id,
            Kind::Member => w.create_member(ACME, body).await?.id,
            Kind::UserMember => w.create_user_member(ACME, body).await?.id,
            Kind::Role => w.create_role(ACME, body).await?.id,
            Kind::MemberRole => w.create_member_role(ACME, body).await?.id,
            Kind::Permission => w.create_permission(body).await?.id,
            Kind::RolePermission => w.bind(body).await?.id,
        })
    }
}

async fn ids_are_client_chosen_or_prefixed(w: &World) {
    let too_long = "x".repeat(129);
    let mut n = 0;
    for kind in Kind::ALL {
        let mut next = || {
            n += 1;
            n
        };
        let generated = kind.create(w, None, next()).await.unwrap();
        let prefix = kind.prefix();
        assert!(
            generated.starts_with(prefix) && generated.len() > prefix.len(),
            "{kind:?}: {generated}"
        );
        let chosen = format!("Chosen-{kind:?}_9");
        assert_eq!(kind.create(w, Some(&chosen), next()).await.unwrap(), chosen);
        let longest = format!("{:x<128}", format!("{kind:?}_"));
        assert_eq!(longest.len(), 128);
        assert_eq!(
            kind.create(w, Some(&longest), next()).await.unwrap(),
            longest
        );
        if let Some(code) = kind.taken_id_code() {
            let again = kind.create(w, Some(&chosen), next()).await;
            assert_eq!(failure(again), (409, code.to_string()), "{kind:?}");
        }
        for bad in [
            "has.dot",
            "has space",
            "caf\u{e9}",
            "a/b",
            too_long.as_str(),
        ] {
            let result = kind.create(w, Some(bad), next()).await;
            assert_eq!(
                failure(result),
                (400, "VALIDATION_FAILED".into()),
                "{kind:?} {bad}"
            );
        }
    }
}
