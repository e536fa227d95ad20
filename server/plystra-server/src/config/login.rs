//! The login throttle and the password rule.

use server_common::settings::parse_duration;
use server_common::{Lookup, Setting, SettingError};

/// Failed logins per key before it locks.
pub const MAX_FAILURES: Setting = Setting {
    names: &["PLYSTRA_AUTH_LOGIN_MAX_FAILURES"],
    flag: None,
    default: Some("8"),
    unset: None,
    doc: "Failed logins counted per e-mail address and, separately, per client address \
          within the window before that key locks.",
};

/// The window failures are counted in.
pub const WINDOW: Setting = Setting {
    names: &["PLYSTRA_AUTH_LOGIN_WINDOW"],
    flag: None,
    default: Some("15m"),
    unset: None,
    doc: "The window failed logins are counted in: `90s`, `15m`, `1h`, or minutes.",
};

/// How long a key stays locked.
pub const LOCKOUT: Setting = Setting {
    names: &["PLYSTRA_AUTH_LOGIN_LOCKOUT"],
    flag: None,
    default: Some("15m"),
    unset: None,
    doc: "How long a locked key stays locked: `90s`, `15m`, `1h`, or minutes.",
};

/// The shortest accepted password.
pub const PASSWORD_MIN_LENGTH: Setting = Setting {
    names: &["PLYSTRA_PASSWORD_MIN_LENGTH"],
    flag: None,
    default: Some("12"),
    unset: None,
    doc: "Shortest accepted password, in bytes.",
};

/// Login throttling and passwords.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// [`MAX_FAILURES`].
    pub max_failures: i64,
    /// [`WINDOW`].
    pub window: chrono::Duration,
    /// [`LOCKOUT`].
    pub lockout: chrono::Duration,
    /// [`PASSWORD_MIN_LENGTH`].
    pub password_min_length: usize,
}

impl Login {
    /// Reads the four settings.
    pub fn from(lookup: &Lookup) -> Result<Login, SettingError> {
        Ok(Login {
            max_failures: i64::from(lookup.count(&MAX_FAILURES)?),
            window: span(lookup, &WINDOW)?,
            lockout: span(lookup, &LOCKOUT)?,
            password_min_length: lookup.count(&PASSWORD_MIN_LENGTH)? as usize,
        })
    }
}

fn span(lookup: &Lookup, setting: &Setting) -> Result<chrono::Duration, SettingError> {
    lookup.parse_with(setting, |text| {
        parse_duration(text)
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .ok_or("expected a duration such as 90s, 15m or 1h (or minutes)")
    })
}
