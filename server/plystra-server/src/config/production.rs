//! The production guard: in production (`SERVER_MODE`/`PLYSTRA_ENV=production`) the server
//! refuses to start with unsafe settings, naming every one of them at once (docs/behaviour.md §17).
//! Each section says what is unsafe about itself (`problems()`); [`super::Config::check_production`]
//! collects them.

use server_common::settings::Problem;

/// Shortest accepted secret or registration token in production.
pub const MIN_SECRET_LENGTH: usize = 32;

/// Every unsafe setting found by [`super::Config::check_production`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ProductionError(pub Vec<Problem>);

impl std::fmt::Display for ProductionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "refusing to run in production (SERVER_MODE/PLYSTRA_ENV=production) with {} unsafe \
             setting(s):",
            self.0.len()
        )?;
        for problem in &self.0 {
            write!(f, "\n  - {}: {}", problem.variable, problem.fix)?;
        }
        Ok(())
    }
}

/// Values that are examples or development defaults, not secrets.
fn is_placeholder(value: &str) -> bool {
    let lower = value.trim().to_ascii_lowercase();
    const MARKERS: [&str; 8] = [
        "change-me",
        "change_me",
        "changeme",
        "placeholder",
        "replace-me",
        "replace_me",
        "replaceme",
        "insecure",
    ];
    const WHOLE: [&str; 7] = [
        "secret",
        "dev",
        "development",
        "test",
        "password",
        "plystra",
        "default",
    ];
    MARKERS.iter().any(|m| lower.contains(m))
        || WHOLE.contains(&lower.as_str())
        || ["dev-", "dev_", "test-", "test_"]
            .iter()
            .any(|p| lower.starts_with(p))
}

/// What is wrong with a production secret, if anything; `why` says why it is needed.
pub(super) fn weak_secret(value: Option<&str>, why: &str) -> Option<String> {
    let problem = match value {
        None => "is not set".to_string(),
        Some(v) if is_placeholder(v) => "is a placeholder value".to_string(),
        Some(v) if v.chars().count() < MIN_SECRET_LENGTH => {
            format!("is shorter than {MIN_SECRET_LENGTH} characters")
        }
        Some(_) => return None,
    };
    Some(format!(
        "{problem}{why}; generate a random one, e.g. with `openssl rand -hex 32`"
    ))
}
