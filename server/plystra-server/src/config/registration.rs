//! Who may register (docs/behaviour.md §6.4): everything off by default. The section is the domain's
//! [`Policy`], so this module reads and checks it with free functions.

use server_common::{Lookup, Setting};

use super::Problem;
use super::production::weak_secret;
use crate::domain::registration::Policy;

/// Ordinary registration with a token.
pub const ENABLED: Setting = Setting {
    names: &["PLYSTRA_AUTH_REGISTRATION_ENABLED"],
    flag: None,
    default: Some("false"),
    unset: None,
    doc: "Ordinary registration, for callers presenting `PLYSTRA_AUTH_REGISTRATION_TOKEN` \
          (on: `1`, `true`, `yes`, `on`, `enabled`).",
};

/// The ordinary registration token.
pub const TOKEN: Setting = Setting {
    names: &["PLYSTRA_AUTH_REGISTRATION_TOKEN"],
    flag: None,
    default: None,
    unset: None,
    doc: "The token ordinary registration requires.",
};

/// Public sign-up without a token.
pub const PUBLIC_USER_ENABLED: Setting = Setting {
    names: &["PLYSTRA_AUTH_PUBLIC_USER_REGISTRATION_ENABLED"],
    flag: None,
    default: Some("false"),
    unset: None,
    doc: "Public user registration, without a token.",
};

/// Bootstrap registration of the first administrator.
pub const BOOTSTRAP_ENABLED: Setting = Setting {
    names: &["PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED"],
    flag: None,
    default: Some("false"),
    unset: None,
    doc: "Bootstrap registration of the first instance super admin, with \
          `PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN`, while none exists.",
};

/// The bootstrap registration token.
pub const BOOTSTRAP_TOKEN: Setting = Setting {
    names: &["PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN"],
    flag: None,
    default: None,
    unset: None,
    doc: "The token bootstrap registration requires.",
};

/// Reads the five registration settings.
pub fn from(lookup: &Lookup) -> Policy {
    Policy {
        ordinary_enabled: lookup.flag(&ENABLED),
        ordinary_token: lookup.text(&TOKEN),
        public_user_enabled: lookup.flag(&PUBLIC_USER_ENABLED),
        bootstrap_enabled: lookup.flag(&BOOTSTRAP_ENABLED),
        bootstrap_token: lookup.text(&BOOTSTRAP_TOKEN),
    }
}

/// In production: an enabled mode needs a strong token.
pub fn problems(policy: &Policy) -> Vec<Problem> {
    let mut problems = Vec::new();
    let modes = [
        (
            policy.bootstrap_enabled,
            &policy.bootstrap_token,
            BOOTSTRAP_ENABLED,
            BOOTSTRAP_TOKEN,
        ),
        (
            policy.ordinary_enabled,
            &policy.ordinary_token,
            ENABLED,
            TOKEN,
        ),
    ];
    for (enabled, token, switch, token_setting) in modes {
        if enabled
            && let Some(fix) = weak_secret(token.as_deref(), &format!(" ({} is on)", switch.name()))
        {
            problems.push(Problem {
                variable: token_setting.name(),
                fix,
            });
        }
    }
    problems
}
