//! Sessions: create, look up by token hash, rotate, switch actor, revoke.

use super::{NewSession, Store, StoreError, on_pool};
use crate::store::Binding;

/// A live session.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    /// `sess_…`
    pub id: String,
    /// The user.
    pub user_id: String,
    /// The active binding's space.
    pub active_space_id: String,
    /// The active binding's member.
    pub active_member_id: String,
    /// The active binding.
    pub active_user_member_id: String,
    /// Access expiry.
    pub expires_at: String,
    /// Refresh expiry.
    pub refresh_expires_at: String,
}

/// Inserts a session; binds id, user, access hash, refresh hash, active space, member and
/// binding, ip, user agent, expiry, refresh expiry, now.
pub(super) const INSERT_SESSION: &str = "INSERT INTO sessions (id, user_id, access_hash, refresh_hash, \
     active_space_id, active_member_id, active_user_member_id, ip_address, user_agent, expires_at, \
     refresh_expires_at, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)";

type SessionRow = (String, String, String, String, String, String, String);

fn session(row: SessionRow) -> SessionRecord {
    SessionRecord {
        id: row.0,
        user_id: row.1,
        active_space_id: row.2,
        active_member_id: row.3,
        active_user_member_id: row.4,
        expires_at: row.5,
        refresh_expires_at: row.6,
    }
}

/// Live sessions of active users; `{token}` is `access_hash` or `refresh_hash`, `{expiry}` the
/// matching expiry column.
fn live(token: &str, expiry: &str) -> String {
    format!(
        "SELECT s.id, s.user_id, s.active_space_id, s.active_member_id, s.active_user_member_id, \
         s.expires_at, s.refresh_expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.{token} = $1 AND s.revoked_at IS NULL AND s.{expiry} > $2 \
           AND u.status = 'active' AND u.deleted_at IS NULL"
    )
}

impl Store {
    /// Stores a new session and stamps the user's `last_login_at`, in one transaction.
    pub async fn create_session(&self, new: &NewSession, now: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            sqlx::query(INSERT_SESSION)
            .bind(&new.id)
            .bind(&new.user_id)
            .bind(&new.access_hash)
            .bind(&new.refresh_hash)
            .bind(&new.actor.space_id)
            .bind(&new.actor.member_id)
            .bind(&new.actor.user_member_id)
            .bind(&new.ip_address)
            .bind(&new.user_agent)
            .bind(&new.expires_at)
            .bind(&new.refresh_expires_at)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
                .bind(now)
                .bind(&new.user_id)
                .execute(&mut *tx)
                .await?;
            tx.commit().await
        })?;
        Ok(())
    }

    async fn live_session(
        &self,
        sql: &str,
        hashes: &[String],
        now: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        for hash in hashes {
            let row: Option<SessionRow> = on_pool!(self, pool => sqlx::query_as(sql).bind(hash).bind(now).fetch_optional(pool).await)?;
            if let Some(row) = row {
                return Ok(Some(session(row)));
            }
        }
        Ok(None)
    }

    /// The live session whose access token hashes to one of `hashes`.
    pub async fn session_by_access(
        &self,
        hashes: &[String],
        now: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.live_session(&live("access_hash", "expires_at"), hashes, now)
            .await
    }

    /// The live session whose refresh token hashes to one of `hashes`.
    pub async fn session_by_refresh(
        &self,
        hashes: &[String],
        now: &str,
    ) -> Result<Option<SessionRecord>, StoreError> {
        self.live_session(&live("refresh_hash", "refresh_expires_at"), hashes, now)
            .await
    }

    /// Revokes the live sessions matching `condition` (on `$2`) for any of `hashes`; returns how
    /// many.
    async fn revoke_where(
        &self,
        condition: &str,
        hashes: &[String],
        now: &str,
    ) -> Result<u64, StoreError> {
        let sql = format!(
            "UPDATE sessions SET revoked_at = $1, updated_at = $1 WHERE ({condition}) AND revoked_at IS NULL"
        );
        let mut revoked = 0;
        for hash in hashes {
            revoked += on_pool!(self, pool => sqlx::query(&sql)
                .bind(now)
                .bind(hash)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(revoked)
    }

    /// Reuse detection: revokes the session whose *previous* refresh token is one of `hashes`.
    /// Returns whether one was found.
    pub async fn revoke_reused_refresh(
        &self,
        hashes: &[String],
        now: &str,
    ) -> Result<bool, StoreError> {
        Ok(self
            .revoke_where("previous_refresh_hash = $2", hashes, now)
            .await?
            > 0)
    }

    /// Replaces both token hashes of a live session (the refresh expiry is not extended), if its
    /// refresh hash is still `old_refresh_hash`: two concurrent refreshes cannot both win.
    pub async fn rotate_session(
        &self,
        id: &str,
        old_refresh_hash: &str,
        access_hash: &str,
        refresh_hash: &str,
        expires_at: &str,
        now: &str,
    ) -> Result<bool, StoreError> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE sessions SET access_hash = $1, refresh_hash = $2, previous_refresh_hash = $3, \
             expires_at = $4, updated_at = $5 \
             WHERE id = $6 AND refresh_hash = $3 AND revoked_at IS NULL",
        )
        .bind(access_hash)
        .bind(refresh_hash)
        .bind(old_refresh_hash)
        .bind(expires_at)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Makes `binding` the session's actor.
    pub async fn set_session_actor(
        &self,
        id: &str,
        binding: &Binding,
        now: &str,
    ) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE sessions SET active_space_id = $1, active_member_id = $2, \
             active_user_member_id = $3, updated_at = $4 WHERE id = $5",
        )
        .bind(&binding.space_id)
        .bind(&binding.member_id)
        .bind(&binding.user_member_id)
        .bind(now)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Revokes every session whose access or refresh token hashes to one of `hashes`.
    pub async fn revoke_sessions_by_token(
        &self,
        hashes: &[String],
        now: &str,
    ) -> Result<u64, StoreError> {
        self.revoke_where("access_hash = $2 OR refresh_hash = $2", hashes, now)
            .await
    }
}
