//! The keys of the token and API key hashes.

use server_common::{Lookup, Setting};

use super::Problem;
use super::production::weak_secret;

/// The key of the session token hashes.
pub const SESSION_SECRET: Setting = Setting {
    names: &[
        "PLYSTRA_SESSION_SECRET",
        "SESSION_SECRET",
        "JWT_SECRET",
        "PLYSTRA_JWT_SECRET",
    ],
    flag: None,
    default: None,
    unset: Some("random, kept in the database"),
    doc: "Key of the session token hashes. Unset: a random key kept in the database \
          (development only; production refuses to start without one).",
};

/// Earlier session secrets.
pub const SESSION_SECRET_PREVIOUS: Setting = Setting {
    names: &["PLYSTRA_SESSION_SECRET_PREVIOUS"],
    flag: None,
    default: None,
    unset: None,
    doc: "Comma list of earlier session secrets, still accepted when looking tokens up.",
};

/// The key of the API key hashes.
pub const API_KEY_SECRET: Setting = Setting {
    names: &["PLYSTRA_API_KEY_SECRET", "API_KEY_SECRET"],
    flag: None,
    default: None,
    unset: Some("random, kept in the database"),
    doc: "Key of the API key hashes; must differ from the session secret. Unset: a random key \
          kept in the database (development only).",
};

/// Earlier API key secrets.
pub const API_KEY_SECRET_PREVIOUS: Setting = Setting {
    names: &["PLYSTRA_API_KEY_SECRET_PREVIOUS"],
    flag: None,
    default: None,
    unset: None,
    doc: "Comma list of earlier API key secrets, still accepted when looking keys up.",
};

/// The hash keys. `Debug` shows only whether each is set.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secrets {
    /// [`SESSION_SECRET`]; `None`: a random key kept in the database.
    pub session: Option<String>,
    /// [`SESSION_SECRET_PREVIOUS`].
    pub session_previous: Vec<String>,
    /// [`API_KEY_SECRET`]; `None`: a random key kept in the database.
    pub api_key: Option<String>,
    /// [`API_KEY_SECRET_PREVIOUS`].
    pub api_key_previous: Vec<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = |value: &Option<String>| value.as_ref().map(|_| "<set>");
        f.debug_struct("Secrets")
            .field("session", &set(&self.session))
            .field("session_previous", &self.session_previous.len())
            .field("api_key", &set(&self.api_key))
            .field("api_key_previous", &self.api_key_previous.len())
            .finish()
    }
}

impl Secrets {
    /// Reads the four secret settings.
    pub fn from(lookup: &Lookup) -> Secrets {
        Secrets {
            session: lookup.text(&SESSION_SECRET),
            session_previous: lookup.list(&SESSION_SECRET_PREVIOUS),
            api_key: lookup.text(&API_KEY_SECRET),
            api_key_previous: lookup.list(&API_KEY_SECRET_PREVIOUS),
        }
    }

    /// In production: both set, long, random-looking, and different.
    pub fn problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(fix) = weak_secret(self.session.as_deref(), "") {
            problems.push(Problem {
                variable: SESSION_SECRET.name(),
                fix,
            });
        }
        let api_key = match weak_secret(self.api_key.as_deref(), "") {
            Some(fix) => Some(fix),
            None if self.api_key == self.session => Some(format!(
                "is the same as {}; give each its own random value",
                SESSION_SECRET.name()
            )),
            None => None,
        };
        if let Some(fix) = api_key {
            problems.push(Problem {
                variable: API_KEY_SECRET.name(),
                fix,
            });
        }
        problems
    }
}
