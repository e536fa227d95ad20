//! Who may call what (docs/behaviour.md §4.3–§4.5): the requirement of a call, permission-key
//! matching, and the evaluation of admin grants and API keys against a requirement.
//!
//! Everything here is pure. Which requirement an operation carries is stated in the spec
//! (`x-plystra-access`, in the generated `OPERATIONS`); admission (`service::principal`) builds
//! the [`Requirement`] from it, loads the principal and resolves scopes, then asks
//! [`Principal::allows_requirement`].

/// A permission key such as `users:read`: a domain and an action, both lower-case.
pub type PermissionKey = &'static str;

/// An entity whose stored scope replaces the route's scope when it exists (§4.3 step 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntityKind {
    /// A group (its space, and the group itself).
    Group,
    /// A member (its space).
    Member,
    /// A user-member binding (its space).
    UserMember,
    /// A role (its space).
    Role,
    /// A resource (its space and group).
    Resource,
    /// An audit log row (its space).
    AuditLog,
    /// An admin grant (its space and group).
    AdminGrant,
}

/// What an operation asks of the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// The permission key, e.g. `users:manage`.
    pub permission: PermissionKey,
    /// The space the call acts in, when the route names one.
    pub space_id: Option<String>,
    /// The group the call acts in, when the route names one.
    pub group_id: Option<String>,
    /// The entity whose stored scope decides, when the route names one.
    pub entity: Option<(EntityKind, String)>,
    /// The real scope is only known to the handler (the target of a grant or key, the space of
    /// an authz check): a scoped principal holding the permission passes admission and is
    /// checked again by the handler.
    pub handler_resolved: bool,
}

impl Requirement {
    /// Whether a scoped holding passes without a space or group to check (see the field).
    pub fn handler_resolved(&self) -> bool {
        self.handler_resolved && self.space_id.is_none() && self.group_id.is_none()
    }
}

/// Whether a held key grants `required` (§4.5): `*` grants everything; otherwise the domains
/// must be equal and the held action be the same, `*`, or `manage`. Case and surrounding space
/// are ignored.
pub fn permission_matches(held: &str, required: &str) -> bool {
    let held = held.trim();
    let required = required.trim();
    if held == "*" {
        return true;
    }
    if held.eq_ignore_ascii_case(required) {
        return true;
    }
    let (Some((held_domain, held_action)), Some((required_domain, _))) =
        (held.split_once(':'), required.split_once(':'))
    else {
        return false;
    };
    held_domain.eq_ignore_ascii_case(required_domain)
        && (held_action == "*" || held_action.eq_ignore_ascii_case("manage"))
}

/// Whether `key` is a well-formed permission key: `*`, or `domain:action` with each part made
/// of `a-z 0-9 _ -` (the action may also be `*`).
pub fn valid_permission_key(key: &str) -> bool {
    fn token(t: &str) -> bool {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
    }
    if key == "*" {
        return true;
    }
    match key.split_once(':') {
        Some((domain, action)) => token(domain) && (action == "*" || token(action)),
        None => false,
    }
}

/// The level of an admin grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrantLevel {
    /// Everything, whatever the permission key.
    InstanceSuperAdmin,
    /// The key's permissions anywhere.
    InstanceAdmin,
    /// The key's permissions in one space.
    SpaceAdmin,
    /// The key's permissions in one group and its descendants.
    GroupAdmin,
}

impl GrantLevel {
    /// Parses a stored level.
    pub fn parse(text: &str) -> Option<Self> {
        Some(match text {
            "instance_super_admin" => GrantLevel::InstanceSuperAdmin,
            "instance_admin" => GrantLevel::InstanceAdmin,
            "space_admin" => GrantLevel::SpaceAdmin,
            "group_admin" => GrantLevel::GroupAdmin,
            _ => return None,
        })
    }

    /// The scope kind of the level.
    pub fn reach(self) -> Reach {
        match self {
            GrantLevel::InstanceSuperAdmin | GrantLevel::InstanceAdmin => Reach::Instance,
            GrantLevel::SpaceAdmin => Reach::Space,
            GrantLevel::GroupAdmin => Reach::Group,
        }
    }
}

/// How far a grant or key reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Every space.
    Instance,
    /// One space.
    Space,
    /// One group subtree.
    Group,
}

impl Reach {
    /// An API key level (`instance`, `space`, `group`).
    pub fn parse_key_level(text: &str) -> Option<Self> {
        Some(match text {
            "instance" => Reach::Instance,
            "space" => Reach::Space,
            "group" => Reach::Group,
            _ => return None,
        })
    }

    /// The API key level's name on the wire.
    pub fn key_level(self) -> &'static str {
        match self {
            Reach::Instance => "instance",
            Reach::Space => "space",
            Reach::Group => "group",
        }
    }
}

/// A group as scope checks see it: its space and materialised path (`finance.apac`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    /// The group's id.
    pub id: String,
    /// The group's space.
    pub space_id: String,
    /// The group's path.
    pub path: String,
}

impl GroupRef {
    /// Whether this group is `target` or one of its ancestors.
    pub fn covers(&self, target: &GroupRef) -> bool {
        self.space_id == target.space_id
            && (target.path == self.path
                || target
                    .path
                    .strip_prefix(self.path.as_str())
                    .is_some_and(|rest| rest.starts_with('.')))
    }
}

/// The scope a call acts in, once the entity (if any) is resolved.
#[derive(Debug, Clone, Copy, Default)]
pub struct Target<'a> {
    /// The space, if known.
    pub space_id: Option<&'a str>,
    /// The group, if known (looked up only when a group-level grant or key needs it).
    pub group: Option<&'a GroupRef>,
    /// The group id, if the call names one (even if it does not exist).
    pub group_id: Option<&'a str>,
}

impl<'a> Target<'a> {
    /// The same target acting in `group` (the tests' shorthand; the middleware builds targets
    /// field by field).
    #[cfg(test)]
    pub fn with_group(mut self, group: &'a GroupRef) -> Self {
        self.group_id = Some(&group.id);
        self.group = Some(group);
        self
    }
}

/// One scoped permission holding: an admin grant or an API key's key.
#[derive(Debug, Clone)]
pub struct Holding {
    /// The reach.
    pub reach: Reach,
    /// The space (space and group reach).
    pub space_id: String,
    /// The group (group reach), with its path if it still exists.
    pub group: Option<GroupRef>,
}

impl Holding {
    /// Whether this reach covers `target`. `handler_resolved` lets a scoped holding through
    /// routes whose scope the handler checks itself.
    fn covers(&self, target: &Target<'_>, handler_resolved: bool) -> bool {
        if handler_resolved && target.space_id.is_none() && target.group_id.is_none() {
            return true;
        }
        match self.reach {
            Reach::Instance => true,
            Reach::Space => !self.space_id.is_empty() && target.space_id == Some(&self.space_id),
            Reach::Group => match (&self.group, target.group) {
                (Some(held), Some(wanted)) => held.covers(wanted),
                _ => false,
            },
        }
    }
}

/// An admin grant in force for a session's user.
#[derive(Debug, Clone)]
pub struct ActiveGrant {
    /// `ag_…`
    pub id: String,
    /// The level.
    pub level: GrantLevel,
    /// The permission key (`*` for a super admin).
    pub permission_key: String,
    /// The scope.
    pub holding: Holding,
}

/// An API key in force.
#[derive(Debug, Clone)]
pub struct ActiveKey {
    /// `ak_…`
    pub id: String,
    /// The key's permission keys.
    pub permission_keys: Vec<String>,
    /// The scope.
    pub holding: Holding,
    /// The user who created it.
    pub created_by_user_id: String,
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A human with a Bearer session and the admin grants in force for them.
    Session {
        /// `sess_…`
        session_id: String,
        /// The user.
        user_id: String,
        /// The session's active space.
        active_space_id: String,
        /// The session's active member.
        active_member_id: String,
        /// The session's active binding.
        active_user_member_id: String,
        /// Grants in force.
        grants: Vec<ActiveGrant>,
    },
    /// An API key.
    ApiKey(ActiveKey),
}

impl Principal {
    /// Whether the caller is a session holding an `instance_super_admin` grant. API keys never
    /// are, whatever their keys.
    pub fn is_super_admin(&self) -> bool {
        match self {
            Principal::Session { grants, .. } => grants
                .iter()
                .any(|g| g.level == GrantLevel::InstanceSuperAdmin),
            Principal::ApiKey(_) => false,
        }
    }

    /// Whether some grant or key of this caller gives `permission` in `target`.
    pub fn allows(&self, permission: &str, target: &Target<'_>) -> bool {
        self.allows_with(permission, target, false)
    }

    /// [`Principal::allows`] for a middleware requirement, with the handler-resolved pass.
    pub fn allows_requirement(&self, requirement: &Requirement, target: &Target<'_>) -> bool {
        self.allows_with(
            requirement.permission,
            target,
            requirement.handler_resolved(),
        )
    }

    fn allows_with(&self, permission: &str, target: &Target<'_>, handler_resolved: bool) -> bool {
        match self {
            Principal::Session { grants, .. } => grants.iter().any(|g| {
                g.level == GrantLevel::InstanceSuperAdmin
                    || (permission_matches(&g.permission_key, permission)
                        && g.holding.covers(target, handler_resolved))
            }),
            Principal::ApiKey(key) => {
                key.permission_keys
                    .iter()
                    .any(|held| permission_matches(held, permission))
                    && key.holding.covers(target, handler_resolved)
            }
        }
    }

    /// Whether the caller has `permission` everywhere: a super admin, an instance admin whose
    /// key matches, or an instance-level API key whose keys match.
    pub fn has_instance_reach(&self, permission: &str) -> bool {
        self.allows(permission, &Target::default())
    }

    /// Whether some grant or key is group-level, so a target group's path must be looked up.
    pub fn needs_group_lookup(&self) -> bool {
        match self {
            Principal::Session { grants, .. } => {
                grants.iter().any(|g| g.holding.reach == Reach::Group)
            }
            Principal::ApiKey(key) => key.holding.reach == Reach::Group,
        }
    }

    /// The user behind the call: the session's user, or the user who created the key.
    pub fn user_id(&self) -> &str {
        match self {
            Principal::Session { user_id, .. } => user_id,
            Principal::ApiKey(key) => &key.created_by_user_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn group(id: &str, space: &str, path: &str) -> GroupRef {
        GroupRef {
            id: id.into(),
            space_id: space.into(),
            path: path.into(),
        }
    }

    fn grant(level: GrantLevel, key: &str, space: &str, group: Option<GroupRef>) -> ActiveGrant {
        ActiveGrant {
            id: "ag_test".into(),
            level,
            permission_key: key.into(),
            holding: Holding {
                reach: level.reach(),
                space_id: space.into(),
                group,
            },
        }
    }

    fn session(grants: Vec<ActiveGrant>) -> Principal {
        Principal::Session {
            session_id: "sess".into(),
            user_id: "user".into(),
            active_space_id: String::new(),
            active_member_id: String::new(),
            active_user_member_id: String::new(),
            grants,
        }
    }

    fn key(reach: Reach, keys: &[&str], space: &str, group: Option<GroupRef>) -> Principal {
        Principal::ApiKey(ActiveKey {
            id: "ak_test".into(),
            permission_keys: keys.iter().map(|k| k.to_string()).collect(),
            holding: Holding {
                reach,
                space_id: space.into(),
                group,
            },
            created_by_user_id: "user".into(),
        })
    }

    fn unscoped(permission: PermissionKey, handler_resolved: bool) -> Requirement {
        Requirement {
            permission,
            space_id: None,
            group_id: None,
            entity: None,
            handler_resolved,
        }
    }

    fn in_space(space: &str) -> Target<'_> {
        Target {
            space_id: Some(space),
            ..Target::default()
        }
    }

    #[test]
    fn permission_matching_follows_the_wildcard_and_manage_rules() {
        assert!(permission_matches("*", "users:read"));
        assert!(permission_matches("users:read", "users:read"));
        assert!(permission_matches("Users:Read ", "users:read"));
        assert!(permission_matches("users:*", "users:manage"));
        assert!(permission_matches("users:manage", "users:read"));
        assert!(permission_matches("api_keys:manage", "api_keys:revoke"));
        assert!(!permission_matches("users:read", "users:manage"));
        assert!(!permission_matches("users:read", "spaces:read"));
        assert!(!permission_matches("users:manage", "*"));
        assert!(!permission_matches("users", "users:read"));
    }

    #[test]
    fn permission_key_syntax() {
        for ok in [
            "*",
            "users:read",
            "users:*",
            "admin_grants:manage",
            "api-keys:read",
        ] {
            assert!(valid_permission_key(ok), "{ok}");
        }
        for bad in [
            "*:read",
            "users",
            "Users:read",
            "users:Read",
            "users:",
            ":read",
            "users:read/write",
            "users:**",
            "users:read:extra",
            "",
        ] {
            assert!(!valid_permission_key(bad), "{bad}");
        }
    }

    #[test]
    fn super_admin_allows_everything_and_only_sessions_are_super() {
        let p = session(vec![grant(GrantLevel::InstanceSuperAdmin, "*", "", None)]);
        assert!(p.is_super_admin());
        assert!(p.allows("users:manage", &Target::default()));
        let admin = session(vec![grant(GrantLevel::InstanceAdmin, "*", "", None)]);
        assert!(!admin.is_super_admin());
        assert!(admin.allows("users:manage", &Target::default()));
        assert!(!key(Reach::Instance, &["*"], "", None).is_super_admin());
    }

    #[test]
    fn space_admin_needs_the_same_space() {
        let p = session(vec![grant(
            GrantLevel::SpaceAdmin,
            "members:manage",
            "space_a",
            None,
        )]);
        assert!(p.allows("members:read", &in_space("space_a")));
        assert!(!p.allows("members:read", &in_space("space_b")));
        assert!(!p.allows("members:read", &Target::default()));
        assert!(!p.allows("roles:read", &in_space("space_a")));
        assert!(!p.has_instance_reach("members:read"));
    }

    #[test]
    fn group_admin_needs_a_group_in_its_subtree() {
        let finance = group("group_finance", "space_a", "finance");
        let p = session(vec![grant(
            GrantLevel::GroupAdmin,
            "resources:manage",
            "space_a",
            Some(finance.clone()),
        )]);
        let apac = group("group_apac", "space_a", "finance.apac");
        let legal = group("group_legal", "space_a", "legal");
        let lookalike = group("group_fin2", "space_a", "finance2");
        let other_space = group("group_x", "space_b", "finance.apac");
        let target = |g| in_space("space_a").with_group(g);
        assert!(p.allows("resources:read", &target(&finance)));
        assert!(p.allows("resources:read", &target(&apac)));
        assert!(!p.allows("resources:read", &target(&legal)));
        assert!(!p.allows("resources:read", &target(&lookalike)));
        assert!(!p.allows("resources:read", &target(&other_space)));
        // A space-only requirement is not enough for a group admin.
        assert!(!p.allows("resources:read", &in_space("space_a")));
    }

    #[test]
    fn handler_resolved_routes_let_scoped_principals_through_the_middleware_only() {
        let p = session(vec![grant(
            GrantLevel::SpaceAdmin,
            "api_keys:manage",
            "space_a",
            None,
        )]);
        let keys = unscoped("api_keys:create", true);
        assert!(p.allows_requirement(&keys, &Target::default()));
        assert!(!p.allows("api_keys:create", &Target::default()));
        let users = unscoped("users:read", false);
        let q = session(vec![grant(GrantLevel::SpaceAdmin, "*", "space_a", None)]);
        assert!(!q.allows_requirement(&users, &Target::default()));
        let k = key(Reach::Space, &["authz:check"], "space_a", None);
        let check = unscoped("authz:check", true);
        assert!(k.allows_requirement(&check, &Target::default()));
        let spaces = unscoped("spaces:read", false);
        assert!(!k.allows_requirement(&spaces, &Target::default()));
        // A space in the requirement turns the handler-resolved pass off.
        let scoped = Requirement {
            space_id: Some("space_b".into()),
            ..unscoped("authz:check", true)
        };
        assert!(!scoped.handler_resolved());
        assert!(!k.allows_requirement(&scoped, &in_space("space_b")));
    }

    #[test]
    fn api_keys_match_keys_and_scope() {
        let k = key(Reach::Space, &["audit:read"], "space_a", None);
        assert!(k.allows("audit:read", &in_space("space_a")));
        assert!(!k.allows("audit:read", &in_space("space_b")));
        assert!(!k.allows("users:read", &in_space("space_a")));
        let i = key(Reach::Instance, &["users:manage"], "", None);
        assert!(i.has_instance_reach("users:read"));
        assert!(!i.has_instance_reach("spaces:read"));
    }
}
