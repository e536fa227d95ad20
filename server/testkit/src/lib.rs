//! What the servers' tests share; see README.md.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Utc};

/// The variable `.ci/run` sets to a fresh PostgreSQL database.
pub const POSTGRES_URL: &str = "PLYSTRA_TEST_POSTGRES_URL";

/// The PostgreSQL database of the tests: the first of `names` that is set and not empty.
///
/// `None` means the PostgreSQL half of a test is not run. Under CI (`CI` set to anything but
/// `false`/`0`) a missing database is a failure instead: this panics, naming the variable.
pub fn postgres_url(names: &[&str]) -> Option<String> {
    let found = names
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|v| !v.is_empty()));
    if found.is_none() && under_ci() {
        #[allow(clippy::panic)] // a test helper: failing the test is the point
        {
            panic!(
                "CI is set but none of {} names a PostgreSQL database: the PostgreSQL tests \
                 must run in CI (.ci/run sets {POSTGRES_URL} to a fresh database)",
                names.join(", ")
            );
        }
    }
    found
}

/// Whether the tests run under CI.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Creates a schema of its own on the database at `url` and answers the URL that selects it
/// (`options[search_path]`), so a test sees an empty instance whatever else runs there.
pub async fn fresh_schema_url(url: &str) -> Result<String, sqlx::Error> {
    let schema = format!(
        "t_{}_{:012x}",
        std::process::id(),
        rand::random::<u64>() >> 16
    );
    let admin = sqlx::PgPool::connect(url).await?;
    sqlx::query(&format!("CREATE SCHEMA {schema}"))
        .execute(&admin)
        .await?;
    admin.close().await;
    let separator = if url.contains('?') { '&' } else { '?' };
    Ok(format!("{url}{separator}options[search_path]={schema}"))
}

/// A clock the test moves by hand; clones share the time.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<AtomicI64>);

impl Default for ManualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl ManualClock {
    /// Starts at 2026-05-12T01:00:00Z.
    pub fn new() -> Self {
        ManualClock(Arc::new(AtomicI64::new(1_778_547_600)))
    }

    /// Moves the clock forward (whole seconds).
    pub fn advance(&self, by: chrono::Duration) {
        self.0.fetch_add(by.num_seconds(), Ordering::SeqCst);
    }

    /// The current time of this clock.
    pub fn now(&self) -> DateTime<Utc> {
        DateTime::from_timestamp(self.0.load(Ordering::SeqCst), 0).unwrap_or_default()
    }

    /// The clock as the servers read it.
    pub fn clock(&self) -> Arc<dyn Fn() -> DateTime<Utc> + Send + Sync> {
        let this = self.clone();
        Arc::new(move || this.now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manual_clock_moves_only_when_told() {
        let clock = ManualClock::new();
        let read = clock.clock();
        assert_eq!(read().to_rfc3339(), "2026-05-12T01:00:00+00:00");
        clock.advance(chrono::Duration::minutes(15));
        assert_eq!(read().to_rfc3339(), "2026-05-12T01:15:00+00:00");
    }

    #[test]
    fn the_first_set_name_wins() {
        // Variables of this test only, so parallel tests do not see them.
        unsafe {
            std::env::set_var("TESTKIT_T_A", "");
            std::env::set_var("TESTKIT_T_B", "postgres://b");
        }
        let found = std::panic::catch_unwind(|| postgres_url(&["TESTKIT_T_A", "TESTKIT_T_B"]));
        assert_eq!(found.ok().flatten().as_deref(), Some("postgres://b"));
    }
}
