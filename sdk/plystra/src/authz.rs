//! Builders for authorization requests, including Context Mode (actor, resource and grants sent
//! inline by an API key).

use crate::types;

/// An authorization request: `action` plus an actor, a target (registered resource or inline
/// resource) and, in Context Mode, the grants.
///
/// ```
/// use plystra::authz::{Actor, AuthzCheck, Grant, Resource};
/// use plystra::types::PermissionScope;
///
/// let request = AuthzCheck::new("approve")
///     .actor(Actor::new("user_alice", "member_finance_reviewer", "space_acme"))
///     .resource(Resource::new("invoice").external_id("invoice_001").group_path("finance.apac"))
///     .grant(Grant::new("invoice", "approve", PermissionScope::GroupTree).scope_anchor_group_path("finance"));
/// assert_eq!(request.into_request().grants.map(|g| g.len()), Some(1));
/// ```
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct AuthzCheck(types::AuthzRequest);

impl AuthzCheck {
    /// A request for `action`.
    pub fn new(action: impl Into<String>) -> Self {
        AuthzCheck(types::AuthzRequest {
            action: Some(action.into()),
            ..Default::default()
        })
    }

    /// The acting user, member and space (without it, a session acts as its active member).
    pub fn actor(mut self, actor: Actor) -> Self {
        self.0.actor = Some(actor.0);
        self
    }

    /// A resource registered in Plystra, by type and id.
    pub fn registered(
        mut self,
        resource_type: impl Into<String>,
        resource_id: impl Into<String>,
    ) -> Self {
        self.0.resource_type = Some(resource_type.into());
        self.0.resource_id = Some(resource_id.into());
        self
    }

    /// The target described inline (Context Mode; API keys only).
    pub fn resource(mut self, resource: Resource) -> Self {
        self.0.resource = Some(resource.0);
        self
    }

    /// Adds a grant (Context Mode; API keys only).
    pub fn grant(mut self, grant: Grant) -> Self {
        self.0.grants.get_or_insert_with(Vec::new).push(grant.0);
        self
    }

    /// The request body.
    pub fn into_request(self) -> types::AuthzRequest {
        self.0
    }
}

impl From<types::AuthzRequest> for AuthzCheck {
    fn from(request: types::AuthzRequest) -> Self {
        AuthzCheck(request)
    }
}

macro_rules! setters {
    ($ty:ident { $($(#[$doc:meta])* $field:ident),* $(,)? }) => {
        impl $ty {
            $(
                $(#[$doc])*
                pub fn $field(mut self, value: impl Into<String>) -> Self {
                    self.0.$field = Some(value.into());
                    self
                }
            )*
        }
    };
}

/// The actor of an authorization request.
#[derive(Debug, Clone)]
#[must_use]
pub struct Actor(types::AuthzActorContext);

impl Actor {
    /// The user acting as a member in a space.
    pub fn new(
        user_id: impl Into<String>,
        member_id: impl Into<String>,
        space_id: impl Into<String>,
    ) -> Self {
        Actor(types::AuthzActorContext {
            user_id: Some(user_id.into()),
            member_id: Some(member_id.into()),
            space_id: Some(space_id.into()),
            ..Default::default()
        })
    }
}

setters!(Actor {
    /// The user-member binding (same as `user_member_id`).
    binding_id,
    /// The user-member binding.
    user_member_id,
    /// Context Mode: the user's email.
    user_email,
    /// Context Mode: the user's status (default `active`).
    user_status,
    /// Context Mode: the member's display name.
    member_display_name,
    /// Context Mode: the member's status (default `active`).
    member_status,
    /// Context Mode: the binding's status (default `active`).
    binding_status,
    /// Context Mode: the binding's relation type.
    relation_type,
    /// Context Mode: the space's name.
    space_name,
    /// Context Mode: the space's status (default `active`).
    space_status,
});

/// An inline target resource (Context Mode).
#[derive(Debug, Clone)]
#[must_use]
pub struct Resource(types::AuthzResourceContext);

impl Resource {
    /// A resource of a registered type.
    pub fn new(resource_type: impl Into<String>) -> Self {
        Resource(types::AuthzResourceContext {
            type_: Some(resource_type.into()),
            ..Default::default()
        })
    }

    /// Free-form attributes.
    pub fn metadata(mut self, metadata: serde_json::Map<String, serde_json::Value>) -> Self {
        self.0.metadata = Some(metadata);
        self
    }
}

setters!(Resource {
    /// The resource id.
    id,
    /// The id in the caller's system.
    external_id,
    /// The space the resource lives in.
    space_id,
    /// Its group, by id.
    group_id,
    /// Its group, by dot path (`finance.apac`).
    group_path,
    /// The owning member.
    owner_member_id,
    /// Display name.
    display_name,
    /// Visibility.
    visibility,
    /// Status (default `active`).
    status,
});

/// An inline grant (Context Mode).
#[derive(Debug, Clone)]
#[must_use]
pub struct Grant(types::AuthzGrantContext);

impl Grant {
    /// A grant of `action` on `resource` with `scope`.
    pub fn new(
        resource: impl Into<String>,
        action: impl Into<String>,
        scope: types::PermissionScope,
    ) -> Self {
        Grant(types::AuthzGrantContext {
            resource: Some(resource.into()),
            action: Some(action.into()),
            scope: Some(scope),
            ..Default::default()
        })
    }
}

setters!(Grant {
    /// The role key (default `inline`).
    role_key,
    /// The role id.
    role_id,
    /// The permission id.
    permission_id,
    /// The space of the grant (default: the actor's).
    space_id,
    /// The anchor group of `group`/`group_tree` scopes, by id.
    scope_anchor_group_id,
    /// The anchor group of `group`/`group_tree` scopes, by path.
    scope_anchor_group_path,
});
