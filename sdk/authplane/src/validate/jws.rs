//! Compact JWS parsing and signature verification with ring.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;
use serde_json::Value;

use super::ValidationError;
use super::jwks::Jwk;

/// Larger tokens are rejected before any decoding, so a huge header cannot cost memory or CPU.
const MAX_TOKEN_LEN: usize = 16 * 1024;

/// A signature algorithm the validator can check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Algorithm {
    /// RSASSA-PKCS1-v1_5 with SHA-256, keys of 2048 to 8192 bits.
    Rs256,
    /// ECDSA on P-256 with SHA-256 (Authplane's default).
    Es256,
    /// Ed25519.
    EdDsa,
}

impl Algorithm {
    /// Every algorithm, the validator's default.
    pub const ALL: [Algorithm; 3] = [Algorithm::Es256, Algorithm::Rs256, Algorithm::EdDsa];

    /// The JOSE name (`RS256`, `ES256`, `EdDSA`).
    pub fn as_str(self) -> &'static str {
        match self {
            Algorithm::Rs256 => "RS256",
            Algorithm::Es256 => "ES256",
            Algorithm::EdDsa => "EdDSA",
        }
    }

    /// The algorithm of a JOSE name; `None` for any other (including `none` and `HS256`).
    pub fn from_name(name: &str) -> Option<Algorithm> {
        Algorithm::ALL.into_iter().find(|alg| alg.as_str() == name)
    }
}

/// The protected header members the validator looks at.
#[derive(Debug, Deserialize)]
pub(crate) struct Header {
    pub(crate) alg: String,
    pub(crate) kid: Option<String>,
    pub(crate) typ: Option<String>,
    /// Extensions the signer says must be understood; this validator understands none.
    pub(crate) crit: Option<Value>,
}

/// A compact JWS split into its parts; the signature is not checked yet.
pub(crate) struct Jws<'a> {
    pub(crate) header: Header,
    /// `base64(header) "." base64(payload)`, what the signature covers.
    pub(crate) signing_input: &'a [u8],
    pub(crate) payload: Vec<u8>,
    pub(crate) signature: Vec<u8>,
}

pub(crate) fn parse(token: &str) -> Result<Jws<'_>, ValidationError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(ValidationError::Malformed("too long"));
    }
    let mut parts = token.split('.');
    let (Some(header_b64), Some(payload_b64), Some(signature_b64), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(ValidationError::Malformed("not a compact JWS"));
    };
    let decode = |part: &str, what| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| ValidationError::Malformed(what))
    };
    let header: Header = serde_json::from_slice(&decode(header_b64, "header encoding")?)
        .map_err(|_| ValidationError::Malformed("header"))?;
    // The first two parts and the dot between them, as they came (never re-encoded).
    let signing_input = &token.as_bytes()[..header_b64.len() + 1 + payload_b64.len()];
    Ok(Jws {
        header,
        signing_input,
        payload: decode(payload_b64, "payload encoding")?,
        signature: decode(signature_b64, "signature encoding")?,
    })
}

/// A public key of the issuer, decoded from its JWK once when the JWKS is loaded.
#[derive(Debug)]
pub(crate) struct VerifyingKey {
    material: Material,
    /// The JWK's `alg`: when present, the only algorithm the key may verify.
    alg: Option<String>,
}

#[derive(Debug)]
enum Material {
    Rsa {
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// An uncompressed SEC1 point: `04 || x || y`.
    P256(Vec<u8>),
    Ed25519(Vec<u8>),
}

impl VerifyingKey {
    /// The key of a JWK; `None` for encryption keys and key types this validator cannot use.
    pub(crate) fn from_jwk(jwk: &Jwk) -> Option<VerifyingKey> {
        if jwk.use_.as_deref().is_some_and(|u| u != "sig") {
            return None;
        }
        let bytes = |value: &Option<String>| {
            value
                .as_deref()
                .and_then(|v| URL_SAFE_NO_PAD.decode(v).ok())
        };
        let material = match (jwk.kty.as_str(), jwk.crv.as_deref()) {
            ("RSA", _) => Material::Rsa {
                n: bytes(&jwk.n)?,
                e: bytes(&jwk.e)?,
            },
            ("EC", Some("P-256")) => {
                let (x, y) = (bytes(&jwk.x)?, bytes(&jwk.y)?);
                if x.len() != 32 || y.len() != 32 {
                    return None;
                }
                Material::P256([&[4u8][..], &x, &y].concat())
            }
            ("OKP", Some("Ed25519")) => Material::Ed25519(bytes(&jwk.x)?),
            _ => return None,
        };
        Some(VerifyingKey {
            material,
            alg: jwk.alg.clone(),
        })
    }

    /// Checks `signature` over `message` with `alg`, which must suit this key: an RSA key
    /// verifies only RS256, and so on, so no token can choose how its key is used.
    pub(crate) fn verify(
        &self,
        alg: Algorithm,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), ValidationError> {
        if self.alg.as_deref().is_some_and(|a| a != alg.as_str()) {
            return Err(ValidationError::KeyMismatch);
        }
        let verified =
            match (alg, &self.material) {
                (Algorithm::Rs256, Material::Rsa { n, e }) => RsaPublicKeyComponents { n, e }
                    .verify(&signature::RSA_PKCS1_2048_8192_SHA256, message, signature),
                (Algorithm::Es256, Material::P256(point)) => {
                    UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, point)
                        .verify(message, signature)
                }
                (Algorithm::EdDsa, Material::Ed25519(key)) => {
                    UnparsedPublicKey::new(&signature::ED25519, key).verify(message, signature)
                }
                _ => return Err(ValidationError::KeyMismatch),
            };
        verified.map_err(|_| ValidationError::BadSignature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_decodes() {
        let token = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJhIjoxfQ.AAEC";
        let jws = parse(token).unwrap();
        assert_eq!(jws.header.alg, "ES256");
        assert_eq!(jws.header.kid.as_deref(), Some("k1"));
        assert_eq!(jws.payload, br#"{"a":1}"#);
        assert_eq!(jws.signature, [0, 1, 2]);
        assert_eq!(
            jws.signing_input,
            b"eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJhIjoxfQ"
        );
    }

    #[test]
    fn rejects_malformed_tokens() {
        for token in [
            "",
            "a.b",
            "a.b.c.d",
            "!!.eyJhIjoxfQ.AAEC",
            "eyJhIjoxfQ.eyJhIjoxfQ.AAEC", // header without alg
            "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ==.AAEC", // padding
            "eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.AA+C", // not base64url
        ] {
            assert!(
                matches!(parse(token), Err(ValidationError::Malformed(_))),
                "{token}"
            );
        }
        let huge = format!("{}.e30.AA", "A".repeat(MAX_TOKEN_LEN));
        assert!(matches!(
            parse(&huge),
            Err(ValidationError::Malformed("too long"))
        ));
    }

    #[test]
    fn algorithm_names() {
        for alg in Algorithm::ALL {
            assert_eq!(Algorithm::from_name(alg.as_str()), Some(alg));
        }
        for other in ["none", "None", "HS256", "RS512", "es256", ""] {
            assert_eq!(Algorithm::from_name(other), None, "{other}");
        }
    }

    #[test]
    fn unusable_jwks_are_skipped() {
        let jwk = |json: &str| serde_json::from_str::<Jwk>(json).unwrap();
        assert!(VerifyingKey::from_jwk(&jwk(r#"{"kty":"oct","k":"AAAA"}"#)).is_none());
        assert!(
            VerifyingKey::from_jwk(&jwk(
                r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA","use":"enc"}"#
            ))
            .is_none()
        );
        assert!(
            VerifyingKey::from_jwk(&jwk(r#"{"kty":"EC","crv":"P-384","x":"AA","y":"AA"}"#))
                .is_none()
        );
        assert!(
            VerifyingKey::from_jwk(&jwk(r#"{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}"#))
                .is_none()
        );
        assert!(VerifyingKey::from_jwk(&jwk(r#"{"kty":"RSA","n":"AQAB"}"#)).is_none());
    }
}
