//! PKCE (RFC 7636): the code verifier and its S256 challenge.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::Error;

/// A PKCE code verifier. Keep it (in the user's session) between the authorization request and
/// [`OAuthClient::authorization_code`](super::OAuthClient::authorization_code).
///
/// ```
/// use authplane::oauth::PkceVerifier;
///
/// let verifier = PkceVerifier::generate()?;
/// assert_eq!(verifier.secret().len(), 43);
/// // The test vector of RFC 7636 appendix B.
/// let rfc = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk")?;
/// assert_eq!(rfc.challenge(), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
/// # Ok::<(), authplane::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct PkceVerifier(String);

impl PkceVerifier {
    /// The only challenge method this SDK sends (`plain` gives no protection).
    pub const METHOD: &'static str = "S256";

    /// A fresh verifier: 32 bytes from the system's CSPRNG, base64url-encoded into 43
    /// characters of the unreserved set (the encoding RFC 7636 §4.1 recommends).
    pub fn generate() -> Result<PkceVerifier, Error> {
        Ok(PkceVerifier(random_token(32)?))
    }

    /// A verifier kept from earlier. It must be 43 to 128 characters of
    /// `[A-Za-z0-9-._~]` (RFC 7636 §4.1).
    pub fn new(value: impl Into<String>) -> Result<PkceVerifier, Error> {
        let value = value.into();
        let unreserved =
            |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
        if !(43..=128).contains(&value.len()) || !value.bytes().all(unreserved) {
            return Err(Error::InvalidRequest(
                "a PKCE verifier is 43 to 128 characters of [A-Za-z0-9-._~]".into(),
            ));
        }
        Ok(PkceVerifier(value))
    }

    /// The verifier itself (sent only to the token endpoint).
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// The S256 challenge: `BASE64URL(SHA256(verifier))`.
    pub fn challenge(&self) -> String {
        let digest = ring::digest::digest(&ring::digest::SHA256, self.0.as_bytes());
        URL_SAFE_NO_PAD.encode(digest.as_ref())
    }
}

impl fmt::Debug for PkceVerifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceVerifier(<redacted>)")
    }
}

/// `bytes` random bytes from the system's CSPRNG, base64url-encoded.
pub(crate) fn random_token(bytes: usize) -> Result<String, Error> {
    use ring::rand::SecureRandom;
    let mut buffer = vec![0u8; bytes];
    ring::rand::SystemRandom::new()
        .fill(&mut buffer)
        .map_err(|_| Error::Crypto("the system random number generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc7636_appendix_b() {
        let verifier = PkceVerifier::new("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        assert_eq!(
            verifier.challenge(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn generated_verifiers_are_valid_and_distinct() {
        let a = PkceVerifier::generate().unwrap();
        let b = PkceVerifier::generate().unwrap();
        assert_ne!(a, b);
        // What `new` accepts is exactly the RFC's grammar, so this checks length and alphabet.
        assert_eq!(PkceVerifier::new(a.secret()).unwrap(), a);
        assert_eq!(a.secret().len(), 43);
        assert_eq!(format!("{a:?}"), "PkceVerifier(<redacted>)");
    }

    #[test]
    fn verifier_grammar() {
        assert!(PkceVerifier::new("a".repeat(42)).is_err());
        assert!(PkceVerifier::new("a".repeat(43)).is_ok());
        assert!(PkceVerifier::new("~._-".repeat(32)).is_ok());
        assert!(PkceVerifier::new("a".repeat(129)).is_err());
        assert!(PkceVerifier::new(format!("{}+", "a".repeat(43))).is_err());
        assert!(PkceVerifier::new(format!("{}=", "a".repeat(43))).is_err());
    }
}
