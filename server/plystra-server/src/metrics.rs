//! What `GET /metrics` reports, in the Prometheus text format (prometheus-client): requests and
//! their latency per operation, authorization decisions by outcome and deny code, and audit
//! writes with their latency. Upstream's two counters keep their names
//! (`audit_logs_written_total`, `authz_denies_total`).

use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// Labels of the request metrics.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    /// The operationId (`unmatched` for paths outside the contract).
    operation: &'static str,
    /// HTTP status code.
    status: u16,
}

/// Labels of the decision counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabels {
    /// `allow` or `deny`.
    decision: &'static str,
    /// The deny code (`""` for an allow).
    deny_code: &'static str,
}

/// Labels of the latency histogram.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

type HistogramFamily<L> = Family<L, Histogram, fn() -> Histogram>;

/// Latency buckets from 100 µs to ~3.3 s.
fn latency_histogram() -> Histogram {
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

/// The server's metrics; cheap to share (`Arc` inside each metric).
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily<OperationLabel>,
    decisions: Family<DecisionLabels, Counter>,
    denies: Counter,
    audit_written: Counter,
    audit_latency: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Fresh metrics, all registered.
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "plystra_http_requests",
            "HTTP requests by operation and status",
            requests.clone(),
        );
        let latency: HistogramFamily<OperationLabel> =
            Family::new_with_constructor(latency_histogram);
        registry.register(
            "plystra_http_request_duration_seconds",
            "Time to answer a request, by operation",
            latency.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "plystra_authz_decisions",
            "Authorization decisions by outcome and deny code",
            decisions.clone(),
        );
        let denies = Counter::default();
        registry.register("authz_denies", "Authorization denies", denies.clone());
        let audit_written = Counter::default();
        registry.register(
            "audit_logs_written",
            "Audit rows written for decisions",
            audit_written.clone(),
        );
        let audit_latency = latency_histogram();
        registry.register(
            "plystra_audit_write_duration_seconds",
            "Time to write a decision's audit row durably",
            audit_latency.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            decisions,
            denies,
            audit_written,
            audit_latency,
        }
    }

    /// One answered request.
    pub fn observe_request(&self, operation: &'static str, status: u16, took: Duration) {
        self.requests
            .get_or_create(&RequestLabels { operation, status })
            .inc();
        self.latency
            .get_or_create(&OperationLabel { operation })
            .observe(took.as_secs_f64());
    }

    /// One authorization decision (`deny_code` is `""` for an allow).
    pub fn observe_decision(&self, allowed: bool, deny_code: &'static str) {
        let decision = if allowed { "allow" } else { "deny" };
        self.decisions
            .get_or_create(&DecisionLabels {
                decision,
                deny_code,
            })
            .inc();
        if !allowed {
            self.denies.inc();
        }
    }

    /// One decision's audit row, durable after `took`.
    pub fn observe_audit_write(&self, took: Duration) {
        self.audit_written.inc();
        self.audit_latency.observe(took.as_secs_f64());
    }

    /// Everything, in the Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_in_the_text_format() {
        let metrics = Metrics::new();
        metrics.observe_request("listUsers", 200, Duration::from_millis(3));
        metrics.observe_decision(false, "SCOPE_OUT_OF_BOUNDS");
        metrics.observe_decision(true, "");
        metrics.observe_audit_write(Duration::from_micros(800));
        let text = metrics.render();
        assert!(
            text.contains(r#"plystra_http_requests_total{operation="listUsers",status="200"} 1"#)
        );
        assert!(
            text.contains(
                r#"plystra_http_request_duration_seconds_count{operation="listUsers"} 1"#
            )
        );
        assert!(text.contains(
            r#"plystra_authz_decisions_total{decision="deny",deny_code="SCOPE_OUT_OF_BOUNDS"} 1"#
        ));
        assert!(text.contains("authz_denies_total 1"));
        assert!(text.contains("audit_logs_written_total 1"));
        assert!(text.contains("plystra_audit_write_duration_seconds_count 1"));
        assert!(text.ends_with("# EOF\n"));
    }
}
