//! Which kind of registration a request gets (docs/behaviour.md §6.4), decided under the
//! registration lock from the settings, whether a super admin exists, and the presented token.

use subtle::ConstantTimeEq;

/// What `POST /auth/register` creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The first instance super admin (bootstrap token).
    Bootstrap,
    /// User, default space, member, binding, space admin grant and a session.
    Ordinary,
    /// The user only; no session.
    PublicUserOnly,
}

impl Mode {
    /// The contract's `registration_mode`.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Bootstrap => "bootstrap",
            Mode::Ordinary => "ordinary",
            Mode::PublicUserOnly => "public_user_only",
        }
    }
}

/// The registration settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Policy {
    /// `PLYSTRA_AUTH_REGISTRATION_ENABLED`
    pub ordinary_enabled: bool,
    /// `PLYSTRA_AUTH_REGISTRATION_TOKEN`
    pub ordinary_token: Option<String>,
    /// `PLYSTRA_AUTH_PUBLIC_USER_REGISTRATION_ENABLED`
    pub public_user_enabled: bool,
    /// `PLYSTRA_BOOTSTRAP_REGISTRATION_ENABLED`
    pub bootstrap_enabled: bool,
    /// `PLYSTRA_BOOTSTRAP_REGISTRATION_TOKEN`
    pub bootstrap_token: Option<String>,
}

fn same(presented: &str, expected: Option<&String>) -> bool {
    expected.is_some_and(|e| !e.is_empty() && bool::from(presented.as_bytes().ct_eq(e.as_bytes())))
}

/// The mode, or the reason registration is refused (the 403 message).
pub fn decide(
    policy: &Policy,
    bootstrap_available: bool,
    token: Option<&str>,
) -> Result<Mode, &'static str> {
    let token = token.filter(|t| !t.is_empty());
    if bootstrap_available
        && policy.bootstrap_enabled
        && let Some(token) = token
    {
        return if same(token, policy.bootstrap_token.as_ref()) {
            Ok(Mode::Bootstrap)
        } else {
            Err("bootstrap registration token is invalid.")
        };
    }
    if policy.public_user_enabled {
        return Ok(Mode::PublicUserOnly);
    }
    if bootstrap_available {
        return Err("first instance super admin must be bootstrapped before user registration.");
    }
    if !policy.ordinary_enabled {
        return Err("registration is disabled.");
    }
    match token {
        Some(token) if same(token, policy.ordinary_token.as_ref()) => Ok(Mode::Ordinary),
        _ => Err("registration token is invalid."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy {
            ordinary_enabled: true,
            ordinary_token: Some("ordinary-token".into()),
            public_user_enabled: false,
            bootstrap_enabled: true,
            bootstrap_token: Some("bootstrap-token".into()),
        }
    }

    #[test]
    fn the_modes_in_order() {
        let p = policy();
        assert_eq!(
            decide(&p, true, Some("bootstrap-token")),
            Ok(Mode::Bootstrap)
        );
        assert!(decide(&p, true, Some("wrong")).is_err());
        assert!(decide(&p, true, None).unwrap_err().contains("bootstrapped"));
        assert_eq!(
            decide(&p, false, Some("ordinary-token")),
            Ok(Mode::Ordinary)
        );
        assert_eq!(
            decide(&p, false, Some("bootstrap-token")),
            Err("registration token is invalid.")
        );
        let off = Policy {
            ordinary_enabled: false,
            ..policy()
        };
        assert_eq!(
            decide(&off, false, Some("ordinary-token")),
            Err("registration is disabled.")
        );
        let public = Policy {
            public_user_enabled: true,
            ..policy()
        };
        assert_eq!(decide(&public, false, None), Ok(Mode::PublicUserOnly));
        assert_eq!(
            decide(&Policy::default(), true, Some("x")).unwrap_err(),
            "first instance super admin must be bootstrapped before user registration."
        );
    }
}
