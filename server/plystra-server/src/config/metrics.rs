//! `GET /metrics` (docs/behaviour.md §15).

use server_common::{Lookup, Setting};

/// Whether `/metrics` answers.
pub const ENABLED: Setting = Setting {
    names: &["METRICS_ENABLED", "PLYSTRA_METRICS_ENABLED"],
    flag: None,
    default: Some("false"),
    unset: None,
    doc: "Whether `GET /metrics` answers (on: `1`, `true`, `yes`, `on`, `enabled`); otherwise \
          it is 404 `FEATURE_DISABLED`.",
};

/// The token that may read `/metrics`.
pub const TOKEN: Setting = Setting {
    names: &["METRICS_TOKEN", "PLYSTRA_METRICS_TOKEN"],
    flag: None,
    default: None,
    unset: None,
    doc: "A token that may read `/metrics` without a session or API key (in \
          `X-Plystra-Metrics-Token`, `X-Metrics-Token` or as Bearer).",
};

/// The metrics endpoint. `Debug` shows only whether the token is set.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Metrics {
    /// [`ENABLED`].
    pub enabled: bool,
    /// [`TOKEN`].
    pub token: Option<String>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics")
            .field("enabled", &self.enabled)
            .field("token", &self.token.as_ref().map(|_| "<set>"))
            .finish()
    }
}

impl Metrics {
    /// Reads [`ENABLED`] and [`TOKEN`].
    pub fn from(lookup: &Lookup) -> Metrics {
        Metrics {
            enabled: lookup.flag(&ENABLED),
            token: lookup.text(&TOKEN),
        }
    }
}
