//! Audit rows written in the same transaction as the change they record. (Reading them is the
//! audit API's business.)

/// One audit row.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    /// `audit_…`
    pub id: String,
    /// The space the change belongs to (`""` for instance-level changes).
    pub space_id: String,
    /// The user who made the change.
    pub actor_user_id: String,
    /// The member the user acted as.
    pub actor_member_id: String,
    /// The binding the user acted through.
    pub actor_user_member_id: String,
    /// `admin_grant.created`, `api_key.revoked`, …
    pub action: String,
    /// The kind of thing changed (`admin_grant`, `api_key`, …).
    pub resource_type: String,
    /// The id of the thing changed.
    pub resource_id: String,
    /// `allow` for management changes.
    pub decision: String,
    /// The deny code (`""` when allowed).
    pub deny_code: String,
    /// The request's id.
    pub request_id: String,
    /// The client address.
    pub ip_address: String,
    /// The client user agent.
    pub user_agent: String,
    /// JSON object with what changed (never a secret).
    pub trace: String,
    /// When.
    pub created_at: String,
}

/// Inserts an audit row; bind [`AuditEntry::values`] in order.
pub(crate) const INSERT_AUDIT: &str = "INSERT INTO audit_logs (id, space_id, actor_user_id, \
     actor_member_id, actor_user_member_id, action, resource_type, resource_id, decision, deny_code, \
     request_id, ip_address, user_agent, trace, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)";

impl AuditEntry {
    /// The values of [`INSERT_AUDIT`], in order.
    pub(crate) fn values(&self) -> [&str; 15] {
        [
            &self.id,
            &self.space_id,
            &self.actor_user_id,
            &self.actor_member_id,
            &self.actor_user_member_id,
            &self.action,
            &self.resource_type,
            &self.resource_id,
            &self.decision,
            &self.deny_code,
            &self.request_id,
            &self.ip_address,
            &self.user_agent,
            &self.trace,
            &self.created_at,
        ]
    }
}

/// Runs [`INSERT_AUDIT`] for `$entry` on the transaction `$tx` (either backend).
macro_rules! insert_audit {
    ($tx:expr, $entry:expr) => {{
        let mut query = sqlx::query($crate::store::audit::INSERT_AUDIT);
        for value in $entry.values() {
            query = query.bind(value);
        }
        query.execute(&mut *$tx).await
    }};
}
pub(crate) use insert_audit;

/// An audit row as lists show it (without its trace).
#[derive(Debug, Clone)]
pub struct AuditRow {
    /// `audit_…`
    pub id: String,
    /// Space.
    pub space_id: String,
    /// Acting user.
    pub actor_user_id: String,
    /// Acting member.
    pub actor_member_id: String,
    /// Acting binding.
    pub actor_user_member_id: String,
    /// What happened.
    pub action: String,
    /// Kind of target.
    pub resource_type: String,
    /// Target.
    pub resource_id: String,
    /// `allow` or `deny`.
    pub decision: String,
    /// Deny code or `""`.
    pub deny_code: String,
    /// Request id.
    pub request_id: String,
    /// Client address.
    pub ip_address: String,
    /// Client agent.
    pub user_agent: String,
    /// When.
    pub created_at: String,
}

/// Tables the console overview counts, with the name it reports them under.
const COUNTED: &[(&str, &str)] = &[
    (
        "users",
        "SELECT COUNT(*) FROM users WHERE deleted_at IS NULL",
    ),
    (
        "spaces",
        "SELECT COUNT(*) FROM spaces WHERE deleted_at IS NULL",
    ),
    (
        "groups",
        "SELECT COUNT(*) FROM groups WHERE deleted_at IS NULL",
    ),
    (
        "members",
        "SELECT COUNT(*) FROM members WHERE deleted_at IS NULL",
    ),
    (
        "roles",
        "SELECT COUNT(*) FROM roles WHERE deleted_at IS NULL",
    ),
    (
        "resources",
        "SELECT COUNT(*) FROM resources WHERE deleted_at IS NULL",
    ),
    (
        "admin_grants",
        "SELECT COUNT(*) FROM admin_grants WHERE deleted_at IS NULL AND status = 'active'",
    ),
    (
        "api_keys",
        "SELECT COUNT(*) FROM api_keys WHERE deleted_at IS NULL AND status = 'active'",
    ),
    ("audit_logs", "SELECT COUNT(*) FROM audit_logs"),
];

impl super::Store {
    /// Row counts for the console overview.
    pub async fn overview_counts(&self) -> Result<Vec<(&'static str, i64)>, super::StoreError> {
        let mut out = Vec::with_capacity(COUNTED.len());
        for (name, sql) in COUNTED {
            let n: i64 =
                super::on_pool!(self, pool => sqlx::query_scalar(sql).fetch_one(pool).await)?;
            out.push((*name, n));
        }
        Ok(out)
    }

    /// The newest `limit` audit rows.
    pub async fn recent_audit_logs(&self, limit: i64) -> Result<Vec<AuditRow>, super::StoreError> {
        let sql = "SELECT id, space_id, actor_user_id, actor_member_id, actor_user_member_id, action, \
             resource_type, resource_id, decision, deny_code, request_id, ip_address, user_agent, \
             created_at FROM audit_logs ORDER BY created_at DESC, id DESC LIMIT $1";
        Ok(super::on_pool!(self, pool => {
            let rows = sqlx::query(sql).bind(limit).fetch_all(pool).await?;
            rows.iter().map(|row| Ok(super::read_row!(row, AuditRow {
                id, space_id, actor_user_id, actor_member_id, actor_user_member_id, action,
                resource_type, resource_id, decision, deny_code, request_id, ip_address,
                user_agent, created_at,
            }))).collect::<Result<Vec<_>, sqlx::Error>>()
        })?)
    }
}
