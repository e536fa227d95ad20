//! Timestamps: RFC 3339 UTC with second precision, the format stored and sent; audit rows keep
//! microseconds (fixed width, so they still sort as text) to order rows of the same second.

use std::sync::Arc;

use chrono::{DateTime, SecondsFormat, Utc};

/// Where the server reads the time. Everything that needs "now" is handed one; tests substitute
/// a clock they move by hand.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system's wall clock: the only place the server reads it (clippy's `disallowed-methods`
/// refuses `Utc::now` everywhere else).
pub fn system_clock() -> Clock {
    #[allow(clippy::disallowed_methods)]
    Arc::new(Utc::now)
}

/// `2026-05-12T01:00:00Z`.
pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `2026-05-12T01:00:00.000123Z`: the audit log's time, always six fractional digits.
pub fn format_micros(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses a stored timestamp; `None` if it is not one.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_sorts_as_text() {
        let t = parse("2026-05-12T01:00:00Z").unwrap();
        assert_eq!(format(t), "2026-05-12T01:00:00Z");
        assert!(format(t) < format(t + chrono::Duration::seconds(1)));
        assert!(parse("yesterday").is_none());
        let precise = format_micros(t + chrono::Duration::microseconds(5));
        assert_eq!(precise, "2026-05-12T01:00:00.000005Z");
        assert_eq!(parse(&precise), Some(t + chrono::Duration::microseconds(5)));
        assert!(format_micros(t) < precise);
    }
}
