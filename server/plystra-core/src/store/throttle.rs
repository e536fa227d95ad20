//! Login throttling state, in the database so that replicas agree.

use super::{Store, StoreError, on_pool};

impl Store {
    /// The latest `locked_until` among `keys` that is after `now`, if any.
    pub async fn throttle_locked_until(
        &self,
        keys: &[String],
        now: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut latest: Option<String> = None;
        for key in keys {
            let until: Option<String> = on_pool!(self, pool => sqlx::query_scalar(
                "SELECT locked_until FROM login_throttle WHERE key = $1 AND locked_until > $2",
            )
            .bind(key)
            .bind(now)
            .fetch_optional(pool)
            .await)?
            .flatten();
            if until > latest {
                latest = until;
            }
        }
        Ok(latest)
    }

    /// Counts a failure on `key` (restarting the count when the window that began before
    /// `window_start` has passed) and returns the count, in one statement so concurrent
    /// failures on any replica all count.
    pub async fn throttle_record_failure(
        &self,
        key: &str,
        now: &str,
        window_start: &str,
    ) -> Result<i64, StoreError> {
        let failures: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_started_at <= $3 THEN 1 \
                               ELSE login_throttle.failures + 1 END, \
               window_started_at = CASE WHEN login_throttle.window_started_at <= $3 THEN $2 \
                                        ELSE login_throttle.window_started_at END \
             RETURNING failures",
        )
        .bind(key)
        .bind(now)
        .bind(window_start)
        .fetch_one(pool)
        .await)?;
        Ok(failures)
    }

    /// Locks `key` until `until` and starts its count afresh.
    pub async fn throttle_lock(&self, key: &str, now: &str, until: &str) -> Result<(), StoreError> {
        on_pool!(self, pool => sqlx::query(
            "UPDATE login_throttle SET locked_until = $1, failures = 0, window_started_at = $2 WHERE key = $3",
        )
        .bind(until)
        .bind(now)
        .bind(key)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Forgets `keys` (after a successful login).
    pub async fn throttle_reset(&self, keys: &[String]) -> Result<(), StoreError> {
        for key in keys {
            on_pool!(self, pool => sqlx::query("DELETE FROM login_throttle WHERE key = $1")
                .bind(key)
                .execute(pool)
                .await
                .map(|r| r.rows_affected()))?;
        }
        Ok(())
    }
}
