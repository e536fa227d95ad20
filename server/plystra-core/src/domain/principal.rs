//! Who may call what (docs/behaviour.md §4.3–§4.5): the requirement each route carries, permission-key
//! matching, and the evaluation of admin grants and API keys against a requirement.
//!
//! Everything here is pure: the HTTP middleware loads the principal and resolves scopes, then asks
//! [`Principal::allows`]. Requirements are built from `&'static str` keys and borrowed path
//! segments, so computing one allocates only for the scope ids it keeps.

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

/// What a route asks of the caller.
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
}

impl Requirement {
    fn unscoped(permission: PermissionKey) -> Self {
        Requirement {
            permission,
            space_id: None,
            group_id: None,
            entity: None,
        }
    }

    fn in_space(permission: PermissionKey, space_id: &str) -> Self {
        Requirement {
            space_id: Some(space_id.to_string()),
            ..Self::unscoped(permission)
        }
    }

    fn with_entity(mut self, kind: EntityKind, id: &str) -> Self {
        self.entity = Some((kind, id.to_string()));
        self
    }

    /// Permissions whose real scope only the handler knows (the target of a grant or key, the
    /// space of an authz check): scoped principals pass the middleware and are checked again.
    pub fn handler_resolved(&self) -> bool {
        self.space_id.is_none()
            && self.group_id.is_none()
            && (self.permission.starts_with("api_keys:")
                || self.permission.starts_with("admin_grants:")
                || self.permission.starts_with("capabilities:")
                || self.permission == "authz:check")
    }
}

/// Who the middleware lets through without a credential (§4.2). `GET /auth/me` and the actor
/// routes check for a Bearer session themselves.
pub fn is_public(method: &str, path: &str) -> bool {
    if method == "OPTIONS" {
        return true;
    }
    matches!(
        (method, path),
        (
            "GET",
            "/api/v1/health"
                | "/api/v1/ready"
                | "/api/v1/version"
                | "/metrics"
                | "/api/v1/auth/me"
                | "/api/v1/actor/context"
        ) | (
            "POST",
            "/api/v1/auth/register"
                | "/api/v1/auth/login"
                | "/api/v1/auth/refresh"
                | "/api/v1/auth/logout"
                | "/api/v1/actor/switch-member"
        )
    )
}

/// At most this many path segments are looked at; longer paths fall to the default requirement.
const MAX_SEGMENTS: usize = 10;

/// `read` or `manage` of a domain, by method: POST, PATCH, PUT and DELETE manage, the rest read.
///
/// Upstream counts PUT as a read, which would let `registry:read` replace a resource mapping
/// with `PUT /resource-types/{key}/mapping`; here every method that writes needs `:manage`.
fn rm(mutating: bool, read: PermissionKey, manage: PermissionKey) -> PermissionKey {
    if mutating { manage } else { read }
}

/// The requirement of a protected route (§4.4), from its method, path and `space_id` query
/// parameter (used by `/audit/logs` and `/resources` only).
pub fn requirement_for(method: &str, path: &str, query_space_id: Option<&str>) -> Requirement {
    let mutating = matches!(method, "POST" | "PATCH" | "PUT" | "DELETE");
    let mut segments = [""; MAX_SEGMENTS];
    let mut count = 0;
    let rest = path.strip_prefix("/api/v1/").unwrap_or(path);
    for segment in rest.split('/').filter(|s| !s.is_empty()) {
        if count == MAX_SEGMENTS {
            return Requirement::unscoped(rm(mutating, "instance:read", "instance:manage"));
        }
        segments[count] = segment;
        count += 1;
    }
    let query_space = |permission| match query_space_id.filter(|s| !s.is_empty()) {
        Some(space) => Requirement::in_space(permission, space),
        None => Requirement::unscoped(permission),
    };
    use EntityKind as K;
    match &segments[..count] {
        ["authz", "check" | "explain"] => Requirement::unscoped("authz:check"),
        ["metrics"] if !path.starts_with("/api/") => Requirement::unscoped("metrics:read"),
        ["admin", "grants", rest @ ..] => {
            let r = Requirement::unscoped(rm(mutating, "admin_grants:read", "admin_grants:manage"));
            match rest {
                [id, ..] => r.with_entity(K::AdminGrant, id),
                [] => r,
            }
        }
        ["api-keys", rest @ ..] => Requirement::unscoped(match (method, rest) {
            ("GET", _) => "api_keys:read",
            ("POST", [_, "revoke"]) => "api_keys:revoke",
            ("POST", []) => "api_keys:create",
            _ => "api_keys:manage",
        }),
        ["audit", "logs"] => query_space("audit:read"),
        ["audit", "logs", id, ..] => {
            Requirement::unscoped("audit:read").with_entity(K::AuditLog, id)
        }
        ["users", ..] => Requirement::unscoped(rm(mutating, "users:read", "users:manage")),
        ["spaces"] => Requirement::unscoped(rm(mutating, "spaces:read", "spaces:manage")),
        ["spaces", sid] | ["spaces", sid, "disable" | "restore"] => {
            Requirement::in_space(rm(mutating, "spaces:read", "spaces:manage"), sid)
        }
        ["spaces", sid, "groups"] | ["spaces", sid, "groups", "tree"] => {
            Requirement::in_space(rm(mutating, "groups:read", "groups:manage"), sid)
        }
        ["spaces", sid, "groups", gid, ..] => {
            let mut r = Requirement::in_space(rm(mutating, "groups:read", "groups:manage"), sid);
            r.group_id = Some(gid.to_string());
            r.with_entity(K::Group, gid)
        }
        ["spaces", sid, "members", ..] => {
            Requirement::in_space(rm(mutating, "members:read", "members:manage"), sid)
        }
        ["spaces", sid, "user-members", ..] => Requirement::in_space(
            rm(mutating, "user_members:read", "user_members:manage"),
            sid,
        ),
        [
            "spaces",
            sid,
            "roles" | "role-permissions" | "member-roles" | "member-role-grants",
            ..,
        ] => Requirement::in_space(rm(mutating, "roles:read", "roles:manage"), sid),
        ["spaces", sid, "resources"] => {
            Requirement::in_space(rm(mutating, "resources:read", "resources:manage"), sid)
        }
        ["spaces", sid, "resources", rid, ..] => {
            Requirement::in_space(rm(mutating, "resources:read", "resources:manage"), sid)
                .with_entity(K::Resource, rid)
        }
        ["spaces", sid, "data", ..] => {
            Requirement::in_space(rm(mutating, "data:read", "data:manage"), sid)
        }
        ["spaces", sid, "audit-logs", ..] => Requirement::in_space("audit:read", sid),
        ["groups", id] => Requirement::unscoped(rm(mutating, "groups:read", "groups:manage"))
            .with_entity(K::Group, id),
        ["members", id] => Requirement::unscoped(rm(mutating, "members:read", "members:manage"))
            .with_entity(K::Member, id),
        ["user-members", id] => {
            Requirement::unscoped(rm(mutating, "user_members:read", "user_members:manage"))
                .with_entity(K::UserMember, id)
        }
        ["roles", id] => Requirement::unscoped(rm(mutating, "roles:read", "roles:manage"))
            .with_entity(K::Role, id),
        ["permissions" | "role-permissions", ..] => {
            Requirement::unscoped(rm(mutating, "permissions:read", "permissions:manage"))
        }
        ["resource-types", ..] => {
            Requirement::unscoped(rm(mutating, "registry:read", "registry:manage"))
        }
        ["resources"] => query_space(rm(mutating, "resources:read", "resources:manage")),
        ["resources", _, id, ..] => {
            Requirement::unscoped(rm(mutating, "resources:read", "resources:manage"))
                .with_entity(K::Resource, id)
        }
        ["data", ..] | ["app-data", ..] => {
            Requirement::unscoped(rm(mutating, "data:read", "data:manage"))
        }
        ["plugins" | "app-modules", ..] => {
            Requirement::unscoped(rm(mutating, "plugins:read", "plugins:manage"))
        }
        ["templates", ..] => {
            Requirement::unscoped(rm(mutating, "templates:read", "templates:manage"))
        }
        ["capability-grants", ..] => {
            Requirement::unscoped(rm(mutating, "capabilities:read", "capabilities:manage"))
        }
        ["grants", "introspect"] | ["capability-outcomes", ..] => {
            Requirement::unscoped("capabilities:invoke")
        }
        // Everything else, `console/overview`, `capabilities` and `admin/me` included, and
        // paths that are no route at all (the middleware runs before routing).
        _ => Requirement::unscoped(rm(mutating, "instance:read", "instance:manage")),
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
    fn requirement_table() {
        let r = requirement_for("GET", "/api/v1/users", None);
        assert_eq!((r.permission, r.space_id), ("users:read", None));
        let r = requirement_for("POST", "/api/v1/users/user_1/disable", None);
        assert_eq!(r.permission, "users:manage");
        let r = requirement_for("PATCH", "/api/v1/spaces/space_a", None);
        assert_eq!(
            (r.permission, r.space_id.as_deref()),
            ("spaces:manage", Some("space_a"))
        );
        let r = requirement_for("GET", "/api/v1/spaces/space_a/groups/group_b", None);
        assert_eq!(
            (r.permission, r.group_id.as_deref(), r.entity),
            (
                "groups:read",
                Some("group_b"),
                Some((EntityKind::Group, "group_b".into()))
            )
        );
        let r = requirement_for("GET", "/api/v1/spaces/space_a/groups/tree", None);
        assert_eq!((r.group_id, r.entity), (None, None));
        let r = requirement_for("POST", "/api/v1/spaces/space_a/member-role-grants", None);
        assert_eq!(r.permission, "roles:manage");
        assert_eq!(
            requirement_for("POST", "/api/v1/api-keys", None).permission,
            "api_keys:create"
        );
        assert_eq!(
            requirement_for("POST", "/api/v1/api-keys/ak_1/revoke", None).permission,
            "api_keys:revoke"
        );
        assert_eq!(
            requirement_for("GET", "/api/v1/api-keys/ak_1", None).permission,
            "api_keys:read"
        );
        let r = requirement_for("GET", "/api/v1/audit/logs", Some("space_a"));
        assert_eq!(
            (r.permission, r.space_id.as_deref()),
            ("audit:read", Some("space_a"))
        );
        let r = requirement_for("GET", "/api/v1/audit/logs/audit_1", Some("space_x"));
        assert_eq!(r.entity, Some((EntityKind::AuditLog, "audit_1".into())));
        assert_eq!(r.space_id, None);
        let r = requirement_for("POST", "/api/v1/resources", Some("space_a"));
        assert_eq!(r.space_id.as_deref(), Some("space_a"));
        assert_eq!(
            requirement_for("PUT", "/api/v1/resource-types/invoice/mapping", None).permission,
            "registry:manage"
        );
        assert_eq!(
            requirement_for("GET", "/api/v1/admin/me", None).permission,
            "instance:read"
        );
        assert_eq!(
            requirement_for("GET", "/api/v1/no/such/route", None).permission,
            "instance:read"
        );
        assert_eq!(
            requirement_for("POST", "/api/v1/authz/explain", None).permission,
            "authz:check"
        );
    }

    #[test]
    fn public_routes() {
        assert!(is_public("OPTIONS", "/api/v1/users"));
        assert!(is_public("POST", "/api/v1/auth/login"));
        assert!(is_public("GET", "/api/v1/health"));
        assert!(!is_public("POST", "/api/v1/health"));
        assert!(!is_public("GET", "/api/v1/users"));
        assert!(!is_public("GET", "/api/v1/admin/me"));
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
        let keys = requirement_for("POST", "/api/v1/api-keys", None);
        assert!(p.allows_requirement(&keys, &Target::default()));
        assert!(!p.allows("api_keys:create", &Target::default()));
        let users = requirement_for("GET", "/api/v1/users", None);
        let q = session(vec![grant(GrantLevel::SpaceAdmin, "*", "space_a", None)]);
        assert!(!q.allows_requirement(&users, &Target::default()));
        let k = key(Reach::Space, &["authz:check"], "space_a", None);
        let check = requirement_for("POST", "/api/v1/authz/check", None);
        assert!(k.allows_requirement(&check, &Target::default()));
        let spaces = requirement_for("GET", "/api/v1/spaces", None);
        assert!(!k.allows_requirement(&spaces, &Target::default()));
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
