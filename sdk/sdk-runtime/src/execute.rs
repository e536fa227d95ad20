//! The loop every request of both SDKs goes through: attempts, backoff, and the whole-call
//! deadline.

use std::time::Duration;

use tokio::time::Instant;

use crate::RetryPolicy;

/// The time limits of one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Deadline {
    /// The limit of one attempt, as the `reqwest::Client` has it (`None` when unknown or none).
    pub attempt_timeout: Option<Duration>,
    /// The limit of the whole call: every attempt and every wait between them (`None`: none).
    pub operation_timeout: Option<Duration>,
}

/// Sends `request` with `client` under `policy` and `limits`, and returns the last outcome.
///
/// With an operation timeout, each attempt's own timeout is cut to what is left of it, so the
/// attempt that is running when it passes fails as a timeout (`reqwest::Error::is_timeout`), and
/// a backoff that would end after it is not waited: the outcome before it is final. Either way
/// the call takes no longer than the operation timeout.
pub async fn execute(
    client: &reqwest::Client,
    mut request: reqwest::Request,
    policy: &RetryPolicy,
    limits: Deadline,
) -> (reqwest::Result<reqwest::Response>, u32) {
    let deadline = limits.operation_timeout.map(|limit| Instant::now() + limit);
    let method = request.method().clone();
    let mut attempt = 1;
    loop {
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            let own = request.timeout().copied().or(limits.attempt_timeout);
            *request.timeout_mut() = Some(own.map_or(left, |own| own.min(left)));
        }
        let spare = if policy.may_retry(&method, attempt) {
            request.try_clone()
        } else {
            None
        };
        let result = client.execute(request).await;
        let (next, wait) = match (spare, policy.delay(&result, attempt)) {
            (Some(next), Some(wait)) => (next, wait),
            _ => return (result, attempt),
        };
        if let Some(deadline) = deadline
            && Instant::now() + wait >= deadline
        {
            tracing::debug!(attempt, "operation timeout reached, not retrying");
            return (result, attempt);
        }
        tracing::debug!(attempt, wait_ms = wait.as_millis() as u64, "retrying");
        tokio::time::sleep(wait).await;
        request = next;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wiremock::matchers::method;
    use wiremock::{Mock, MockServer, ResponseTemplate};

    #[tokio::test]
    async fn the_operation_timeout_bounds_every_attempt_and_wait() {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
            .mount(&server)
            .await;
        let client = crate::tls::http_client_builder("t/1", None, None)
            .unwrap()
            .build()
            .unwrap();
        let policy = RetryPolicy::standard(100)
            .initial_backoff(Duration::from_millis(10))
            .max_backoff(Duration::from_millis(20));
        let limits = Deadline {
            attempt_timeout: Some(Duration::from_millis(150)),
            operation_timeout: Some(Duration::from_millis(600)),
        };
        let request = client.get(server.uri()).build().unwrap();
        let started = std::time::Instant::now();
        let (result, attempts) = execute(&client, request, &policy, limits).await;
        let took = started.elapsed();
        assert!(result.unwrap_err().is_timeout());
        assert!(attempts >= 3, "{attempts} attempts");
        assert!(took >= Duration::from_millis(550), "{took:?}");
        assert!(took < Duration::from_millis(1500), "{took:?}");
    }

    #[tokio::test]
    async fn without_limits_the_policy_alone_decides() {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(503))
            .expect(1)
            .mount(&server)
            .await;
        let client = crate::tls::http_client_builder("t/1", None, None)
            .unwrap()
            .build()
            .unwrap();
        let request = client.post(server.uri()).build().unwrap();
        let (result, attempts) = execute(
            &client,
            request,
            &RetryPolicy::standard(3),
            Deadline::default(),
        )
        .await;
        assert_eq!(result.unwrap().status().as_u16(), 503);
        assert_eq!(attempts, 1);
    }
}
