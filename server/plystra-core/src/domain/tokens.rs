//! Opaque tokens (`ply_at_`, `ply_rt_` + 64 hex) stored only as keyed hashes: hex
//! HMAC-SHA256 under the session secret (plain SHA-256 when none is configured). Lookups also try
//! the previous secrets, so a secret can be rotated without logging everybody out.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Access-token prefix.
pub const ACCESS_PREFIX: &str = "ply_at_";
/// Refresh-token prefix.
pub const REFRESH_PREFIX: &str = "ply_rt_";

/// `prefix` + 64 hex digits of fresh randomness.
pub fn generate(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 32]>()))
}

/// A fresh access and refresh token.
pub fn session_tokens() -> (String, String) {
    (generate(ACCESS_PREFIX), generate(REFRESH_PREFIX))
}

/// A session id: `sess_` + 64 hex digits.
pub fn session_id() -> String {
    generate("sess_")
}

/// `prefix` + 16 hex digits: the default id of a new row.
pub fn new_id(prefix: &str) -> String {
    format!("{prefix}{}", hex::encode(rand::random::<[u8; 8]>()))
}

/// Hashes tokens under the current secret and recognises hashes made under earlier ones.
#[derive(Clone, Default)]
pub struct TokenHasher {
    primary: Option<Vec<u8>>,
    previous: Vec<Vec<u8>>,
}

impl std::fmt::Debug for TokenHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenHasher")
            .field("keyed", &self.primary.is_some())
            .field("previous", &self.previous.len())
            .finish()
    }
}

impl TokenHasher {
    /// A hasher with `primary` (if any) for new hashes and `previous` for lookups only.
    pub fn new(primary: Option<&str>, previous: &[String]) -> Self {
        TokenHasher {
            primary: primary.map(|s| s.as_bytes().to_vec()),
            previous: previous.iter().map(|s| s.as_bytes().to_vec()).collect(),
        }
    }

    fn with_key(key: Option<&[u8]>, token: &str) -> String {
        match key.and_then(|key| Hmac::<Sha256>::new_from_slice(key).ok()) {
            Some(mut mac) => {
                mac.update(token.as_bytes());
                hex::encode(mac.finalize().into_bytes())
            }
            None => hex::encode(Sha256::digest(token.as_bytes())),
        }
    }

    /// The hash to store for `token`.
    pub fn hash(&self, token: &str) -> String {
        Self::with_key(self.primary.as_deref(), token)
    }

    /// Every hash `token` may be stored under: the current secret first.
    pub fn candidates(&self, token: &str) -> Vec<String> {
        let mut out = vec![self.hash(token)];
        out.extend(
            self.previous
                .iter()
                .map(|key| Self::with_key(Some(key), token)),
        );
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_have_their_prefix_and_length() {
        let token = generate(ACCESS_PREFIX);
        assert!(
            token.starts_with("ply_at_") && token.len() == 7 + 64,
            "{token}"
        );
        assert_ne!(token, generate(ACCESS_PREFIX));
        assert_eq!(new_id("sess_").len(), 5 + 16);
    }

    #[test]
    fn hashes_are_keyed_and_previous_secrets_still_match() {
        let old = TokenHasher::new(Some("old-secret-old-secret-old-secret"), &[]);
        let new = TokenHasher::new(
            Some("new-secret-new-secret-new-secret"),
            &["old-secret-old-secret-old-secret".into()],
        );
        let token = "ply_at_abc";
        assert_ne!(old.hash(token), new.hash(token));
        assert!(new.candidates(token).contains(&old.hash(token)));
        assert_ne!(TokenHasher::default().hash(token), new.hash(token));
        assert!(!new.hash(token).contains("abc"));
    }
}
