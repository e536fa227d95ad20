//! Users, spaces, members and their bindings, as far as sessions need them; the demo identities.

use super::{Store, StoreError, on_pool};

/// A user as authentication sees it.
#[derive(Debug, Clone)]
pub struct UserRecord {
    /// `user_…`
    pub id: String,
    /// Normalised (trimmed, lower-case) email.
    pub email: String,
    /// `active` or `disabled`.
    pub status: String,
    /// argon2id PHC string, if the user has a password.
    pub password_hash: Option<String>,
}

/// An active user-member binding with what the actor context shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The binding's id.
    pub user_member_id: String,
    /// The user.
    pub user_id: String,
    /// The user's email.
    pub user_email: String,
    /// The member.
    pub member_id: String,
    /// The member's display name.
    pub member_display_name: String,
    /// The space.
    pub space_id: String,
    /// The space's name.
    pub space_name: String,
    /// `login`, `delegate`, `self`, `temporary`, …
    pub relation_type: String,
    /// The user's primary binding.
    pub is_primary: bool,
}

/// What a new session needs.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// `sess_…`
    pub id: String,
    /// The user.
    pub user_id: String,
    /// Keyed hash of the access token.
    pub access_hash: String,
    /// Keyed hash of the refresh token.
    pub refresh_hash: String,
    /// The actor the session starts as.
    pub actor: Binding,
    /// Client address.
    pub ip_address: String,
    /// Client user agent.
    pub user_agent: String,
    /// Access expiry.
    pub expires_at: String,
    /// Refresh expiry.
    pub refresh_expires_at: String,
}

type UserRow = (String, String, String, Option<String>);
type BindingRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    bool,
);

fn user(row: UserRow) -> UserRecord {
    UserRecord {
        id: row.0,
        email: row.1,
        status: row.2,
        password_hash: row.3,
    }
}

fn binding(row: BindingRow) -> Binding {
    Binding {
        user_member_id: row.0,
        user_id: row.1,
        user_email: row.2,
        member_id: row.3,
        member_display_name: row.4,
        space_id: row.5,
        space_name: row.6,
        relation_type: row.7,
        is_primary: row.8,
    }
}

const USER_COLUMNS: &str = "SELECT id, email, status, password_hash FROM users";

const ACTIVE_BINDINGS: &str = "SELECT um.id, um.user_id, u.email, um.member_id, m.display_name, \
     um.space_id, s.name, um.relation_type, um.is_primary \
     FROM user_members um \
     JOIN users u ON u.id = um.user_id \
     JOIN members m ON m.id = um.member_id \
     JOIN spaces s ON s.id = um.space_id \
     WHERE um.user_id = $1 AND um.status = 'active' AND um.deleted_at IS NULL \
       AND um.revoked_at IS NULL AND (um.expires_at IS NULL OR um.expires_at > $2) \
       AND m.status = 'active' AND m.deleted_at IS NULL \
       AND s.status = 'active' AND s.deleted_at IS NULL \
     ORDER BY um.is_primary DESC, s.name, m.display_name, um.id";

/// The Finance Reviewer demo identities (docs/behaviour.md §5): space `space_acme`, users alice and bob
/// with password hash `$2`, their members and bindings (including a revoked and an expired one).
/// `$1` is the creation time. Run by [`Store::seed_demo`](super::Store::seed_demo).
pub(super) const DEMO_IDENTITIES: &[&str] = &[
    "INSERT INTO spaces (id, name, slug, type, created_at, updated_at) VALUES ('space_acme', 'Acme', 'acme', 'custom', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO users (id, email, username, password_hash, password_changed_at, created_at, updated_at) VALUES ('user_alice', 'alice@example.com', 'alice', $2, $1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO users (id, email, username, password_hash, password_changed_at, created_at, updated_at) VALUES ('user_bob', 'bob@example.com', 'bob', $2, $1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO members (id, space_id, display_name, created_at, updated_at) VALUES ('member_finance_reviewer', 'space_acme', 'Finance Reviewer', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO members (id, space_id, display_name, created_at, updated_at) VALUES ('member_invoice_creator', 'space_acme', 'APAC Invoice Creator', $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary, linked_at, created_at, updated_at) VALUES ('um_alice_finance_reviewer', 'user_alice', 'member_finance_reviewer', 'space_acme', 'delegate', TRUE, $1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, is_primary, linked_at, created_at, updated_at) VALUES ('um_bob_finance_reviewer', 'user_bob', 'member_finance_reviewer', 'space_acme', 'login', TRUE, $1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, status, revoked_at, revoked_reason, linked_at, created_at, updated_at) VALUES ('um_alice_finance_reviewer_revoked', 'user_alice', 'member_finance_reviewer', 'space_acme', 'delegate', 'revoked', $1, 'demo: revoked binding', $1, $1, $1) ON CONFLICT (id) DO NOTHING",
    "INSERT INTO user_members (id, user_id, member_id, space_id, relation_type, expires_at, linked_at, created_at, updated_at) VALUES ('um_alice_finance_reviewer_expired', 'user_alice', 'member_finance_reviewer', 'space_acme', 'temporary', '2026-05-05T00:00:00Z', $1, $1, $1) ON CONFLICT (id) DO NOTHING",
];

impl Store {
    /// The non-deleted user with this (normalised) email.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE email = $1 AND deleted_at IS NULL");
        let row: Option<UserRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)?;
        Ok(row.map(user))
    }

    /// The non-deleted user with this id.
    pub async fn user_by_id(&self, id: &str) -> Result<Option<UserRecord>, StoreError> {
        let sql = format!("{USER_COLUMNS} WHERE id = $1 AND deleted_at IS NULL");
        let row: Option<UserRow> =
            on_pool!(self, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)?;
        Ok(row.map(user))
    }

    /// The user's usable bindings at `now`: active, not revoked or expired, with an active
    /// member and space; primary first, then by space name and member name.
    pub async fn active_bindings(
        &self,
        user_id: &str,
        now: &str,
    ) -> Result<Vec<Binding>, StoreError> {
        let rows: Vec<BindingRow> = on_pool!(self, pool => sqlx::query_as(ACTIVE_BINDINGS)
            .bind(user_id)
            .bind(now)
            .fetch_all(pool)
            .await)?;
        Ok(rows.into_iter().map(binding).collect())
    }
}
