//! Admission (docs/behaviour.md §4.2–§4.4): the generated endpoint hands every request to
//! [`Server`]'s [`Admission`] before it parses parameters or body. The operation's rule (its
//! `x-plystra-access`, in `OPERATIONS`) says what is needed; a credential becomes a
//! [`Principal`], the rule's scope is read from the request and replaced by the stored scope of
//! the entity it names, and the principal is checked against it. Handlers get the admitted
//! [`Caller`] in their context and check handler-resolved scopes themselves.

use std::ops::Deref;

use plystra_server_api::runtime::{Access, Admission, Ctx, Operation, Permission};
use plystra_server_api::types::ErrorCode;
use poem::Request;
use poem::http::StatusCode;
use poem::web::headers::authorization::Bearer;
use poem::web::headers::{Authorization, HeaderMapExt};

use super::Server;
use super::session::{store_error, unauthenticated};
use crate::ApiError;
use crate::domain::principal::{ActiveGrant, EntityKind, GroupRef, Principal, Requirement, Target};
use crate::domain::time;
use crate::domain::tokens::TokenHasher;
use crate::http::decision_headers::DecisionSlot;
use crate::store::SessionRecord;
use subtle::ConstantTimeEq;

/// Who an admitted request is, as handlers see it: the [`Principal`] (it derefs to one), and for
/// the session-only operations (`{authenticated: true}`) the live Bearer session itself.
#[derive(Debug, Clone)]
pub struct Caller {
    principal: Principal,
    session: Option<SessionRecord>,
    decision: Option<DecisionSlot>,
}

impl Caller {
    fn new(principal: Principal, request: &Request) -> Self {
        Caller {
            principal,
            session: None,
            decision: DecisionSlot::of(request).cloned(),
        }
    }

    /// Where the check handler leaves an explained Decision for `http::decision_headers`.
    pub(super) fn decision_slot(&self) -> Option<&DecisionSlot> {
        self.decision.as_ref()
    }

    /// The live Bearer session of a `{authenticated: true}` operation (401 elsewhere).
    pub(super) fn session(&self) -> Result<&SessionRecord, ApiError> {
        self.session.as_ref().ok_or_else(unauthenticated)
    }
}

impl Deref for Caller {
    type Target = Principal;

    fn deref(&self) -> &Principal {
        &self.principal
    }
}

/// What a public operation sees of its caller: the Bearer token, if one was sent (`/auth/logout`
/// revokes the session it names).
#[derive(Debug, Clone, Default)]
pub struct Guest {
    /// The token of an `Authorization: Bearer` header.
    pub bearer: Option<String>,
}

/// The context of a protected operation.
pub(super) type Call = Ctx<Caller>;

impl plystra_server_api::runtime::Probe for Caller {
    fn probe() -> Self {
        Caller {
            principal: Principal::Session {
                session_id: String::new(),
                user_id: String::new(),
                active_space_id: String::new(),
                active_member_id: String::new(),
                active_user_member_id: String::new(),
                grants: Vec::new(),
            },
            session: None,
            decision: None,
        }
    }
}

impl plystra_server_api::runtime::Probe for Guest {
    fn probe() -> Self {
        Guest::default()
    }
}

/// The entity kinds `x-plystra-access` may name.
pub fn entity_kind(kind: &str) -> Option<EntityKind> {
    Some(match kind {
        "group" => EntityKind::Group,
        "member" => EntityKind::Member,
        "user_member" => EntityKind::UserMember,
        "role" => EntityKind::Role,
        "resource" => EntityKind::Resource,
        "audit_log" => EntityKind::AuditLog,
        "admin_grant" => EntityKind::AdminGrant,
        _ => return None,
    })
}

/// The requirement of `rule` for `request`: its permission, and the scope read from the
/// request's parameters.
fn requirement(
    rule: &Permission,
    request: &Request,
    operation: &Operation,
) -> Result<Requirement, ApiError> {
    let value = |source: Option<plystra_server_api::runtime::Source>| {
        source
            .and_then(|s| s.value(request, operation))
            .map(str::to_string)
    };
    let entity = match rule.entity {
        Some(entity) => {
            let kind = entity_kind(entity.kind).ok_or_else(|| {
                ApiError::internal(format!(
                    "x-plystra-access names entity kind {:?}",
                    entity.kind
                ))
            })?;
            entity
                .id
                .value(request, operation)
                .map(|id| (kind, id.to_string()))
        }
        None => None,
    };
    Ok(Requirement {
        permission: rule.key,
        space_id: value(rule.space),
        group_id: value(rule.group),
        entity,
        handler_resolved: rule.handler_resolved,
    })
}

/// The token of an `Authorization: Bearer` header, read as poem-openapi's bearer scheme reads it.
fn bearer(request: &Request) -> Option<String> {
    request
        .headers()
        .typed_get::<Authorization<Bearer>>()
        .map(|auth| auth.token().to_string())
}

/// The principal of `session`, holding `grants`.
fn session_principal(session: &SessionRecord, grants: Vec<ActiveGrant>) -> Principal {
    Principal::Session {
        session_id: session.id.clone(),
        user_id: session.user_id.clone(),
        active_space_id: session.active_space_id.clone(),
        active_member_id: session.active_member_id.clone(),
        active_user_member_id: session.active_user_member_id.clone(),
        grants,
    }
}

impl Admission for Server {
    type Principal = Caller;
    type Guest = Guest;

    async fn admit(
        &self,
        request: &Request,
        operation: &'static Operation,
    ) -> poem::Result<Option<Caller>> {
        match operation.access {
            Some(Access::Authenticated) => {
                let now = time::format(self.now());
                let token = bearer(request).ok_or_else(unauthenticated)?;
                let session = self
                    .session(&plystra_server_api::Credential::BearerAuth(token), &now)
                    .await?;
                // Session-only operations check no permission, so the user's grants are not
                // read: the principal carries none.
                let principal = session_principal(&session, Vec::new());
                Ok(Some(Caller {
                    session: Some(session),
                    ..Caller::new(principal, request)
                }))
            }
            Some(Access::Permission(rule)) => {
                let requirement = requirement(&rule, request, operation)?;
                let principal = match rule.or_scheme {
                    Some(_) => self.admit_metrics_reader(request, &requirement).await?,
                    None => Some(self.admit_for(request, &requirement).await?),
                };
                Ok(principal.map(|principal| Caller::new(principal, request)))
            }
            Some(Access::Public) => Ok(None),
            None => {
                Err(ApiError::internal(format!("{} states no access rule", operation.id)).into())
            }
        }
    }

    fn guest(&self, request: &Request, _operation: &'static Operation) -> Guest {
        let bearer = request
            .header("authorization")
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_string());
        Guest { bearer }
    }

    fn request_id(&self, request: &Request) -> String {
        crate::http::RequestId::of(request)
    }

    fn client_ip(&self, request: &Request) -> Option<std::net::IpAddr> {
        crate::http::ClientIp::of(request)
    }
}

/// Prefix of API key plaintexts.
pub const API_KEY_PREFIX: &str = "ply_ak_";

/// A key's `last_used_at` is stamped at most this often (one write per minute per key, not
/// per request).
const TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The credential of a request, as the middleware reads it.
enum Presented<'a> {
    ApiKey(&'a str),
    Session(&'a str),
}

fn presented(request: &Request) -> Option<Presented<'_>> {
    if let Some(key) = request.header("x-plystra-api-key") {
        return Some(Presented::ApiKey(key.trim()));
    }
    let value = request.header("authorization")?.trim();
    let (scheme, token) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return None;
    }
    let token = token.trim();
    if token.starts_with(API_KEY_PREFIX) {
        Some(Presented::ApiKey(token))
    } else {
        Some(Presented::Session(token))
    }
}

/// Whether `key` has the `ply_ak_<id>.<secret>` shape.
pub fn well_formed_key(key: &str) -> bool {
    key.strip_prefix(API_KEY_PREFIX)
        .and_then(|rest| rest.split_once('.'))
        .is_some_and(|(id, secret)| !id.is_empty() && !secret.is_empty())
}

/// 403 `ADMIN_PERMISSION_REQUIRED` naming the permission.
pub fn permission_required(permission: &str) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        ErrorCode::AdminPermissionRequired,
        "The current user does not have the required admin permission.",
    )
    .with_details(serde_json::json!({ "permission": permission }))
}

impl Server {
    /// The hasher of API keys: `PLYSTRA_API_KEY_SECRET`, or (without one) a secret generated
    /// once and kept in the database.
    pub(super) async fn api_key_hasher(&self) -> Result<&TokenHasher, ApiError> {
        let config = self.config();
        self.hasher(
            &self.api_keys,
            "api_key",
            config.secrets.api_key.as_deref(),
            &config.secrets.api_key_previous,
        )
        .await
    }

    /// The hasher of session tokens: `PLYSTRA_SESSION_SECRET`, or (without one) a secret
    /// generated once and kept in the database. Tokens are never stored under a bare hash.
    pub(super) async fn session_hasher(&self) -> Result<&TokenHasher, ApiError> {
        let config = self.config();
        self.hasher(
            &self.tokens,
            "session",
            config.secrets.session.as_deref(),
            &config.secrets.session_previous,
        )
        .await
    }

    async fn hasher<'a>(
        &'a self,
        cell: &'a tokio::sync::OnceCell<TokenHasher>,
        name: &str,
        configured: Option<&str>,
        previous: &[String],
    ) -> Result<&'a TokenHasher, ApiError> {
        cell.get_or_try_init(|| async {
            let secret = match configured {
                Some(secret) => secret.to_string(),
                None => self
                    .store()
                    .instance_secret(name, &time::format(self.now()))
                    .await
                    .map_err(store_error)?,
            };
            Ok(TokenHasher::new(Some(&secret), previous))
        })
        .await
    }

    /// Authenticates `request` and checks it against `requirement`.
    async fn admit_for(
        &self,
        request: &Request,
        requirement: &Requirement,
    ) -> Result<Principal, ApiError> {
        let now = self.now();
        let (principal, stamp_use) = self.authenticate(request, now).await?;
        if !self.permits(&principal, requirement).await? {
            return Err(permission_required(requirement.permission));
        }
        if let (Principal::ApiKey(key), true) = (&principal, stamp_use) {
            self.store()
                .touch_api_key(&key.id, &time::format(now))
                .await
                .map_err(store_error)?;
        }
        Ok(principal)
    }

    /// Admits a request under `/api/` that reached no operation (`http::auth`): a credential
    /// holding `instance:read`, or `instance:manage` for POST, PATCH, PUT and DELETE.
    pub async fn admit_unrouted(&self, request: &Request) -> Result<(), ApiError> {
        let mutating = matches!(
            request.method().as_str(),
            "POST" | "PATCH" | "PUT" | "DELETE"
        );
        let requirement = Requirement {
            permission: if mutating {
                "instance:manage"
            } else {
                "instance:read"
            },
            space_id: None,
            group_id: None,
            entity: None,
            handler_resolved: false,
        };
        self.admit_for(request, &requirement).await.map(|_| ())
    }

    /// Whether `GET /metrics` may answer (docs/behaviour.md §15): metrics enabled (else 404
    /// `FEATURE_DISABLED`), then the configured metrics token in `X-Plystra-Metrics-Token`,
    /// `X-Metrics-Token` or as Bearer (compared in constant time), or else a session or API key
    /// holding `metrics:read`; anything less is 401 `METRICS_TOKEN_REQUIRED`. The token admits
    /// without a principal.
    async fn admit_metrics_reader(
        &self,
        request: &Request,
        requirement: &Requirement,
    ) -> Result<Option<Principal>, ApiError> {
        if !self.config().metrics.enabled {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                ErrorCode::FeatureDisabled,
                "Metrics are disabled.",
            ));
        }
        if let Some(expected) = self.config().metrics.token.as_deref() {
            let bearer = request
                .header("authorization")
                .and_then(|h| h.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token.trim());
            let presented = [
                request.header("x-plystra-metrics-token"),
                request.header("x-metrics-token"),
                bearer,
            ];
            if presented
                .into_iter()
                .flatten()
                .any(|token| bool::from(token.as_bytes().ct_eq(expected.as_bytes())))
            {
                return Ok(None);
            }
        }
        match self.admit_for(request, requirement).await {
            Ok(principal) => Ok(Some(principal)),
            Err(_) => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                ErrorCode::MetricsTokenRequired,
                "A valid metrics token or a credential with metrics:read is required.",
            )),
        }
    }

    /// The principal of the request's credential, and whether its use should be stamped (an
    /// API key last stamped over a minute ago).
    async fn authenticate(
        &self,
        request: &Request,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(Principal, bool), ApiError> {
        let now_text = time::format(now);
        match presented(request).ok_or_else(unauthenticated)? {
            Presented::ApiKey(key) => {
                if !well_formed_key(key) {
                    return Err(unauthenticated());
                }
                let hashes = self.api_key_hasher().await?.candidates(key);
                let found = self
                    .store()
                    .key_in_force(&hashes, &now_text)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(unauthenticated)?;
                let stale = found
                    .last_used_at
                    .as_deref()
                    .and_then(time::parse)
                    .is_none_or(|at| now - at >= TOUCH_EVERY);
                Ok((Principal::ApiKey(found.key), stale))
            }
            Presented::Session(token) => {
                let session = self
                    .store()
                    .session_by_access(&self.session_hasher().await?.candidates(token), &now_text)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(unauthenticated)?;
                Ok((
                    self.session_principal_now(&session, &now_text).await?,
                    false,
                ))
            }
        }
    }

    /// The principal of a live session: its user with the grants in force at `now`.
    async fn session_principal_now(
        &self,
        session: &SessionRecord,
        now: &str,
    ) -> Result<Principal, ApiError> {
        let grants = self
            .store()
            .grants_in_force(&session.user_id, now)
            .await
            .map_err(store_error)?;
        Ok(session_principal(session, grants))
    }

    /// Whether `principal` meets `requirement`, once the entity the route names (if it exists)
    /// has replaced the route's scope with its stored one.
    async fn permits(
        &self,
        principal: &Principal,
        requirement: &Requirement,
    ) -> Result<bool, ApiError> {
        if principal.is_super_admin() {
            return Ok(true);
        }
        let (mut space_id, mut group_id) =
            (requirement.space_id.clone(), requirement.group_id.clone());
        if let Some((kind, id)) = &requirement.entity
            && let Some((space, group)) = self
                .store()
                .entity_scope(*kind, id)
                .await
                .map_err(store_error)?
        {
            space_id = space;
            group_id = group;
        }
        let group = self.group_for(principal, group_id.as_deref()).await?;
        let target = Target {
            space_id: space_id.as_deref(),
            group_id: group_id.as_deref(),
            group: group.as_ref(),
        };
        Ok(principal.allows_requirement(requirement, &target))
    }

    /// The group a target names, looked up only if a group-level grant or key could use it.
    pub(super) async fn group_for(
        &self,
        principal: &Principal,
        group_id: Option<&str>,
    ) -> Result<Option<GroupRef>, ApiError> {
        match group_id {
            Some(id) if principal.needs_group_lookup() => {
                self.store().group_ref(id).await.map_err(store_error)
            }
            _ => Ok(None),
        }
    }
}

impl Server {
    /// Whether `principal` holds `permission` in the scope `(space_id, group_id)` (`""` for
    /// none): instance reach when both are empty. The handler-side check of handler-resolved
    /// routes.
    pub(super) async fn may(
        &self,
        principal: &Principal,
        permission: &str,
        space_id: &str,
        group_id: &str,
    ) -> Result<bool, ApiError> {
        let some = |s: &str| (!s.is_empty()).then_some(s.to_string());
        let group_id = some(group_id);
        let group = self.group_for(principal, group_id.as_deref()).await?;
        let space_id = some(space_id);
        let target = Target {
            space_id: space_id.as_deref(),
            group_id: group_id.as_deref(),
            group: group.as_ref(),
        };
        Ok(principal.allows(permission, &target))
    }

    /// [`Server::may`], or 403 naming the permission.
    pub(super) async fn require(
        &self,
        principal: &Principal,
        permission: &str,
        space_id: &str,
        group_id: &str,
    ) -> Result<(), ApiError> {
        if self.may(principal, permission, space_id, group_id).await? {
            Ok(())
        } else {
            Err(permission_required(permission))
        }
    }

    /// An `allow` audit row for a management change made by `principal`.
    pub(super) fn audit_entry(
        &self,
        ctx: &Call,
        principal: &Principal,
        action: &str,
        resource: (&str, &str),
        space_id: &str,
        trace: serde_json::Value,
    ) -> crate::store::AuditEntry {
        let (ip_address, user_agent) = super::session::client(ctx);
        let (member, user_member) = match principal {
            Principal::Session {
                active_member_id,
                active_user_member_id,
                ..
            } => (active_member_id.clone(), active_user_member_id.clone()),
            Principal::ApiKey(_) => (String::new(), String::new()),
        };
        let mut trace = trace;
        if let (Principal::ApiKey(key), Some(object)) = (principal, trace.as_object_mut()) {
            object.insert("api_key_id".into(), key.id.clone().into());
        }
        crate::store::AuditEntry {
            id: crate::domain::tokens::new_id("audit_"),
            space_id: space_id.to_string(),
            actor_user_id: principal.user_id().to_string(),
            actor_member_id: member,
            actor_user_member_id: user_member,
            action: action.to_string(),
            resource_type: resource.0.to_string(),
            resource_id: resource.1.to_string(),
            decision: "allow".into(),
            deny_code: String::new(),
            request_id: ctx.request_id.clone(),
            ip_address,
            user_agent,
            trace: trace.to_string(),
            created_at: time::format_micros(self.now()),
        }
    }
}

/// A JSON object column as the contract's metadata map (empty if the row is not an object).
pub(super) fn metadata(text: &str) -> std::collections::BTreeMap<String, serde_json::Value> {
    serde_json::from_str(text).unwrap_or_default()
}

/// An optional stored timestamp as the contract's date-time.
pub(super) fn optional_time(text: &Option<String>) -> Option<chrono::DateTime<chrono::Utc>> {
    text.as_deref().and_then(time::parse)
}

/// The effective page size: 1–200, anything else falls back to `default` (docs/behaviour.md §3).
pub(super) fn page_limit(limit: Option<i32>, default: i32) -> i32 {
    limit.filter(|l| (1..=200).contains(l)).unwrap_or(default)
}

/// The pagination object of a core list (no cursors).
pub(super) fn pagination(limit: i32) -> plystra_server_api::types::Pagination {
    plystra_server_api::types::Pagination {
        limit,
        cursor: None,
        has_more: false,
    }
}

/// A client-supplied id, or a fresh `prefix_…` one. Ids are 1–128 characters of
/// `A-Z a-z 0-9 _ -`.
pub(super) fn id_or_new(id: Option<&str>, prefix: &str) -> Result<String, ApiError> {
    match id.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(crate::domain::tokens::new_id(prefix)),
        Some(id)
            if id.len() <= 128
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') =>
        {
            Ok(id.to_string())
        }
        Some(_) => Err(ApiError::validation("Request body is invalid.")
            .with_details("id must be 1-128 characters of A-Z, a-z, 0-9, _ and -".into())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_shape() {
        assert!(well_formed_key("ply_ak_ak_1.abc"));
        assert!(!well_formed_key("ply_ak_.abc"));
        assert!(!well_formed_key("ply_ak_ak_1."));
        assert!(!well_formed_key("ply_ak_ak_1"));
        assert!(!well_formed_key("ply_at_x.y"));
    }

    #[test]
    fn credentials_are_read_from_either_header() {
        let r = Request::builder()
            .header("authorization", "BEARER ply_ak_a.b")
            .finish();
        assert!(matches!(
            presented(&r),
            Some(Presented::ApiKey("ply_ak_a.b"))
        ));
        let r = Request::builder()
            .header("authorization", "Bearer ply_at_x")
            .header("x-plystra-api-key", "ply_ak_k.s")
            .finish();
        assert!(matches!(
            presented(&r),
            Some(Presented::ApiKey("ply_ak_k.s"))
        ));
        let r = Request::builder()
            .header("authorization", "bearer ply_at_x")
            .finish();
        assert!(matches!(
            presented(&r),
            Some(Presented::Session("ply_at_x"))
        ));
        let r = Request::builder()
            .header("authorization", "Basic abc")
            .header("x-plystra-admin-token", "t")
            .finish();
        assert!(presented(&r).is_none());
    }
}
