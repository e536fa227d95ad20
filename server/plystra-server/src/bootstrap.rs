//! Operator commands that act on the database directly: the first instance super admin
//! (`plystra-server bootstrap-super-admin`) and the demo's admin grant and API key
//! (`plystra-server seed-demo --api-key`).

use crate::domain::principal::Principal;
use crate::domain::time;
use crate::store::{AdminGrantRecord, ApiKeyRecord, AuditEntry, NewAdminGrant, Store, StoreError};
use crate::{ApiError, Server};

/// What `bootstrap-super-admin` is asked to do.
#[derive(Debug, Clone)]
pub struct Bootstrap {
    /// The user to make instance super admin.
    pub user_id: String,
    /// The member the grant records (default: the user's primary active binding).
    pub member_id: Option<String>,
    /// The grant's id (default: `ag_<user id>_instance_super_admin`).
    pub grant_id: Option<String>,
    /// Succeed without change when a usable super admin grant exists already.
    pub if_exists_ok: bool,
    /// Where the grant says it came from.
    pub source: &'static str,
}

/// Why bootstrap did not create a grant.
#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    /// No such user.
    #[error("user {0:?} does not exist: create it first (or pass the id of an existing user)")]
    UnknownUser(String),
    /// A usable super admin grant exists and `--if-exists ok` was not given.
    #[error(
        "an active instance super admin grant exists already; pass --if-exists ok to accept that"
    )]
    Exists,
    /// A grant with the id exists.
    #[error("an admin grant with id {0:?} exists already")]
    IdTaken(String),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
}

/// The default grant id for `user_id`: `ag_<user id with - . @ as _>_instance_super_admin`.
pub fn default_grant_id(user_id: &str) -> String {
    let safe: String = user_id
        .chars()
        .map(|c| if matches!(c, '-' | '.' | '@') { '_' } else { c })
        .collect();
    format!("ag_{safe}_instance_super_admin")
}

/// Creates the instance super admin grant (level `instance_super_admin`, key `*`) unless one is
/// in force. Returns whether a grant was created.
///
/// A command-line operation: it reads the system clock.
pub async fn bootstrap_super_admin(store: &Store, b: &Bootstrap) -> Result<bool, BootstrapError> {
    let at = time::system_clock()();
    let now = time::format(at);
    if store
        .user_by_id(&b.user_id)
        .await
        .map_err(BootstrapError::Store)?
        .is_none()
    {
        return Err(BootstrapError::UnknownUser(b.user_id.clone()));
    }
    let member_id = match &b.member_id {
        Some(member) => member.clone(),
        None => store
            .active_bindings(&b.user_id, &now)
            .await
            .map_err(BootstrapError::Store)?
            .first()
            .map(|binding| binding.member_id.clone())
            .unwrap_or_default(),
    };
    let id = b
        .grant_id
        .clone()
        .unwrap_or_else(|| default_grant_id(&b.user_id));
    let record = AdminGrantRecord {
        id: id.clone(),
        user_id: b.user_id.clone(),
        member_id,
        space_id: String::new(),
        group_id: String::new(),
        level: "instance_super_admin".into(),
        permission_key: "*".into(),
        status: "active".into(),
        granted_by_user_id: String::new(),
        granted_by_member_id: String::new(),
        expires_at: None,
        revoked_at: None,
        revoked_reason: String::new(),
        metadata: serde_json::json!({ "source": b.source }).to_string(),
        created_at: now.clone(),
        updated_at: now.clone(),
    };
    let audit = AuditEntry {
        id: crate::domain::tokens::new_id("audit_"),
        action: "admin_grant.bootstrapped".into(),
        resource_type: "admin_grant".into(),
        resource_id: id.clone(),
        decision: "allow".into(),
        trace: serde_json::json!({ "user_id": b.user_id, "source": b.source }).to_string(),
        created_at: time::format_micros(at),
        ..AuditEntry::default()
    };
    match store
        .bootstrap_super_admin(&NewAdminGrant { record, audit }, b.if_exists_ok)
        .await
    {
        Ok(created) => Ok(created),
        Err(StoreError::SuperAdminExists) => Err(BootstrapError::Exists),
        Err(StoreError::Conflict { .. }) => Err(BootstrapError::IdTaken(id)),
        Err(e) => Err(BootstrapError::Store(e)),
    }
}

/// The demo's API key: space `space_acme`, `authz:check`, `authz:explain`, `audit:read`,
/// created on behalf of alice. Returns the plaintext (shown once; only its hash is kept).
pub async fn demo_api_key(server: &Server) -> Result<String, ApiError> {
    let now = time::format(server.now());
    let alice = Principal::Session {
        session_id: String::new(),
        user_id: "user_alice".into(),
        active_space_id: "space_acme".into(),
        active_member_id: "member_finance_reviewer".into(),
        active_user_member_id: "um_alice_finance_reviewer".into(),
        grants: Vec::new(),
    };
    let record = ApiKeyRecord {
        id: crate::domain::tokens::new_id("ak_"),
        name: "Finance Reviewer demo".into(),
        key_prefix: String::new(),
        level: "space".into(),
        space_id: "space_acme".into(),
        group_id: String::new(),
        permission_keys: r#"["authz:check","authz:explain","audit:read"]"#.into(),
        status: "active".into(),
        expires_at: None,
        last_used_at: None,
        created_by_user_id: "user_alice".into(),
        created_by_member_id: "member_finance_reviewer".into(),
        revoked_at: None,
        revoked_by_user_id: String::new(),
        revoked_reason: String::new(),
        metadata: r#"{"source":"plystra-server seed-demo"}"#.into(),
        created_at: now.clone(),
        updated_at: now,
    };
    let minted = server.mint_api_key(None, &alice, record).await?;
    server
        .store()
        .create_api_key(&minted.new)
        .await
        .map_err(ApiError::internal)?;
    Ok(minted.plaintext)
}

#[cfg(test)]
mod tests {
    #[test]
    fn default_grant_ids_are_safe() {
        assert_eq!(
            super::default_grant_id("user-a.b@c"),
            "ag_user_a_b_c_instance_super_admin"
        );
    }
}
