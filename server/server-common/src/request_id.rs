//! Request ids: a client's `X-Request-ID` is kept when it is 1–128 printable ASCII characters
//! without quotes or backslashes; otherwise the server makes one up. The
//! [`Envelope`](crate::envelope::Envelope) middleware assigns it and echoes it on every response.

use poem::Request;

/// The header carrying the request id, both ways.
pub const HEADER: &str = "x-request-id";

/// The request id of the current request, stored in the request's extensions by the envelope
/// middleware before any handler runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

impl RequestId {
    /// The client's id if acceptable, else a fresh `req_` + 16 hex digits.
    pub fn accept_or_generate(presented: Option<&str>) -> RequestId {
        match presented.map(str::trim).filter(|id| is_acceptable(id)) {
            Some(id) => RequestId(id.to_string()),
            None => RequestId(format!("req_{:016x}", rand::random::<u64>())),
        }
    }

    /// The id of `request` (empty if the middleware did not run, as in unit tests).
    pub fn of(request: &Request) -> String {
        request
            .extensions()
            .get::<RequestId>()
            .map(|id| id.0.clone())
            .unwrap_or_default()
    }
}

fn is_acceptable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| (33..=126).contains(&b) && !matches!(b, b'"' | b'\'' | b'\\'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_acceptable_ids_and_replaces_the_rest() {
        assert_eq!(
            RequestId::accept_or_generate(Some(" req_abc ")).0,
            "req_abc"
        );
        for bad in [
            None,
            Some(""),
            Some("has space"),
            Some("quote\""),
            Some("back\\slash"),
        ] {
            let id = RequestId::accept_or_generate(bad).0;
            assert!(
                id.starts_with("req_") && id.len() == 20,
                "{bad:?} gave {id}"
            );
        }
        let long = "a".repeat(129);
        assert_ne!(RequestId::accept_or_generate(Some(&long)).0, long);
        let max = "a".repeat(128);
        assert_eq!(RequestId::accept_or_generate(Some(&max)).0, max);
    }
}
