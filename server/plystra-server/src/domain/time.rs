//! Timestamps: RFC 3339 UTC with second precision, the one format stored and sent.

use chrono::{DateTime, SecondsFormat, Utc};

/// `2026-05-12T01:00:00Z`.
pub fn format(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
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
    }
}
