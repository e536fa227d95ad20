//! The `settings` table: one value per key.

use chrono::{DateTime, SecondsFormat, Utc};

use super::{Store, StoreError, with_pool};

/// The key under which the issuer this database last served is kept.
const ISSUER: &str = "issuer";

impl Store {
    /// Records `issuer` as the one this database serves and answers the one recorded before, if
    /// it was different (`None` on first start or when unchanged).
    pub async fn record_issuer(
        &self,
        issuer: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let previous = self.setting(ISSUER).await?;
        if previous.as_deref() != Some(issuer) {
            self.set_setting(ISSUER, issuer, now).await?;
        }
        Ok(previous.filter(|previous| previous != issuer))
    }

    /// The value of `key`, if set.
    pub async fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        let sql = "SELECT value FROM settings WHERE key = $1";
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar(sql).bind(key).fetch_optional(pool).await
        })?)
    }

    /// Sets `key` to `value`.
    pub async fn set_setting(
        &self,
        key: &str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let sql = "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                   ON CONFLICT (key) DO UPDATE SET value = excluded.value, \
                   updated_at = excluded.updated_at";
        let at = now.to_rfc3339_opts(SecondsFormat::Secs, true);
        with_pool!(self, pool => {
            sqlx::query(sql).bind(key).bind(value).bind(&at).execute(pool).await.map(drop)
        })?;
        Ok(())
    }
}
