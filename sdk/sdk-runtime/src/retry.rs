//! Retry policy: opt-in, exponential backoff with full jitter, idempotent requests only unless
//! asked otherwise.

use std::time::Duration;

use reqwest::{Method, StatusCode};

/// When and how often a call is tried again. The default is [`RetryPolicy::disabled`].
///
/// ```
/// use std::time::Duration;
/// use sdk_runtime::RetryPolicy;
///
/// let policy = RetryPolicy::standard(4)
///     .initial_backoff(Duration::from_millis(50))
///     .max_backoff(Duration::from_secs(2));
/// assert_eq!(policy.max_attempts(), 4);
/// ```
///
/// Both SDKs take one on their builders (`Plystra::builder(..).retry(policy)`,
/// `OAuthClient::builder(..).retry(policy)`). A retry is made after a connection failure, a
/// per-attempt timeout, a 429 (after its `Retry-After` when sent, capped at the maximum backoff)
/// or a 502/503/504, and only for GET, HEAD, OPTIONS, PUT and DELETE unless
/// [`retry_non_idempotent`](RetryPolicy::retry_non_idempotent) is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy::disabled()
    }
}

impl RetryPolicy {
    /// One attempt, no retry.
    pub fn disabled() -> Self {
        RetryPolicy {
            max_attempts: 1,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(10),
            retry_non_idempotent: false,
        }
    }

    /// Up to `max_attempts` attempts in all (the first try included), backing off from 100 ms
    /// up to 10 s.
    pub fn standard(max_attempts: u32) -> Self {
        RetryPolicy {
            max_attempts: max_attempts.max(1),
            ..RetryPolicy::disabled()
        }
    }

    /// The first backoff; later ones double, with full jitter.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// The longest wait between attempts, `Retry-After` included.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Also retry POST and PATCH. Only for calls you know to be safe to repeat.
    pub fn retry_non_idempotent(mut self, yes: bool) -> Self {
        self.retry_non_idempotent = yes;
        self
    }

    /// Attempts in all, the first try included.
    pub fn max_attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Whether a request with `method` may be tried again after attempt number `attempt`.
    pub fn may_retry(&self, method: &Method, attempt: u32) -> bool {
        let idempotent = matches!(
            *method,
            Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
        );
        attempt < self.max_attempts && (idempotent || self.retry_non_idempotent)
    }

    /// How long to wait before the next attempt, or `None` if the outcome is final.
    pub fn delay(
        &self,
        outcome: &reqwest::Result<reqwest::Response>,
        attempt: u32,
    ) -> Option<Duration> {
        match outcome {
            Err(e) if e.is_connect() || e.is_timeout() => Some(self.backoff(attempt)),
            Err(_) => None,
            Ok(response) => match response.status() {
                StatusCode::TOO_MANY_REQUESTS => Some(
                    crate::retry_after(response.headers())
                        .map(|wait| wait.min(self.max_backoff))
                        .unwrap_or_else(|| self.backoff(attempt)),
                ),
                StatusCode::BAD_GATEWAY
                | StatusCode::SERVICE_UNAVAILABLE
                | StatusCode::GATEWAY_TIMEOUT => Some(self.backoff(attempt)),
                _ => None,
            },
        }
    }

    /// Full jitter: a random wait in `[0, min(max, initial * 2^(attempt-1))]`.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(attempt.saturating_sub(1)))
            .min(self.max_backoff);
        exp.mul_f64(rand::random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_idempotent_methods_retry_by_default() {
        let policy = RetryPolicy::standard(3);
        assert!(policy.may_retry(&Method::GET, 1));
        assert!(policy.may_retry(&Method::GET, 2));
        assert!(!policy.may_retry(&Method::GET, 3));
        assert!(!policy.may_retry(&Method::POST, 1));
        assert!(
            policy
                .clone()
                .retry_non_idempotent(true)
                .may_retry(&Method::POST, 1)
        );
        assert!(!RetryPolicy::disabled().may_retry(&Method::GET, 1));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy::standard(10)
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(250));
        for attempt in 1..10 {
            let cap =
                Duration::from_millis(100 * 2u64.pow(attempt - 1)).min(Duration::from_millis(250));
            assert!(policy.backoff(attempt) <= cap, "attempt {attempt}");
        }
    }
}
