//! Signing keys and token minting for tests of resource servers (feature `test-util`): serve
//! [`jwk_set`] where the validator fetches keys (or pass it to
//! [`ValidatorBuilder::jwks`](crate::validate::ValidatorBuilder::jwks)) and send tokens made by
//! [`TestKey::mint`].
//!
//! ```
//! use authplane::testing::{TestKey, jwk_set};
//! use authplane::Validator;
//! use serde_json::json;
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let key = TestKey::es256("key-1")?;
//! let validator = Validator::builder("https://as.test", "https://api.test")
//!     .jwks(jwk_set([&key]))
//!     .build()?;
//! let token = key.mint(&json!({
//!     "iss": "https://as.test", "sub": "user-1", "aud": "https://api.test",
//!     "exp": 4_000_000_000u64, "scope": "read",
//! }))?;
//! assert_eq!(validator.validate(&token).await?.sub, "user-1");
//! # Ok(()) }
//! ```

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::rand::SystemRandom;
use ring::signature::{self, KeyPair};
use serde_json::{Value, json};

use crate::Error;
use crate::validate::{Algorithm, Jwk, JwkSet};

/// A private signing key with its `kid`.
pub struct TestKey {
    kid: String,
    signer: Signer,
}

enum Signer {
    Es256(signature::EcdsaKeyPair),
    Ed25519(signature::Ed25519KeyPair),
    Rs256(signature::RsaKeyPair),
}

impl std::fmt::Debug for TestKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestKey")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm())
            .finish()
    }
}

const KEY_FAILURE: Error = Error::Crypto("test key generation failed");
const SIGN_FAILURE: Error = Error::Crypto("test signing failed");

impl TestKey {
    /// A fresh P-256 key for ES256.
    pub fn es256(kid: impl Into<String>) -> Result<TestKey, Error> {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let pkcs8 = signature::EcdsaKeyPair::generate_pkcs8(alg, &rng).map_err(|_| KEY_FAILURE)?;
        let pair = signature::EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref(), &rng)
            .map_err(|_| KEY_FAILURE)?;
        Ok(TestKey {
            kid: kid.into(),
            signer: Signer::Es256(pair),
        })
    }

    /// A fresh Ed25519 key for EdDSA.
    pub fn ed25519(kid: impl Into<String>) -> Result<TestKey, Error> {
        let pkcs8 = signature::Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| KEY_FAILURE)?;
        let pair =
            signature::Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).map_err(|_| KEY_FAILURE)?;
        Ok(TestKey {
            kid: kid.into(),
            signer: Signer::Ed25519(pair),
        })
    }

    /// An RSA key for RS256 from a PKCS#8 DER private key (ring cannot generate RSA keys).
    pub fn rs256_from_pkcs8(kid: impl Into<String>, der: &[u8]) -> Result<TestKey, Error> {
        let pair = signature::RsaKeyPair::from_pkcs8(der).map_err(|_| KEY_FAILURE)?;
        Ok(TestKey {
            kid: kid.into(),
            signer: Signer::Rs256(pair),
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The algorithm the key signs with.
    pub fn algorithm(&self) -> Algorithm {
        match self.signer {
            Signer::Es256(_) => Algorithm::Es256,
            Signer::Ed25519(_) => Algorithm::EdDsa,
            Signer::Rs256(_) => Algorithm::Rs256,
        }
    }

    /// The public key as a JWK, with `kid`, `alg` and `use: sig`.
    pub fn jwk(&self) -> Jwk {
        let b64 = |bytes: &[u8]| Some(URL_SAFE_NO_PAD.encode(bytes));
        let mut jwk = Jwk {
            kid: Some(self.kid.clone()),
            alg: Some(self.algorithm().as_str().to_string()),
            use_: Some("sig".to_string()),
            ..Jwk::default()
        };
        match &self.signer {
            Signer::Es256(pair) => {
                // An uncompressed point: 0x04, then x and y, 32 bytes each.
                let point = pair.public_key().as_ref();
                jwk.kty = "EC".into();
                jwk.crv = Some("P-256".into());
                jwk.x = b64(point.get(1..33).unwrap_or_default());
                jwk.y = b64(point.get(33..65).unwrap_or_default());
            }
            Signer::Ed25519(pair) => {
                jwk.kty = "OKP".into();
                jwk.crv = Some("Ed25519".into());
                jwk.x = b64(pair.public_key().as_ref());
            }
            Signer::Rs256(pair) => {
                let public = signature::RsaPublicKeyComponents::<Vec<u8>>::from(pair.public());
                jwk.kty = "RSA".into();
                jwk.n = b64(&public.n);
                jwk.e = b64(&public.e);
            }
        }
        jwk
    }

    /// An access token with these claims, as Authplane signs them: header
    /// `{"alg", "kid", "typ": "at+jwt"}`.
    pub fn mint(&self, claims: &Value) -> Result<String, Error> {
        let header = json!({"alg": self.algorithm().as_str(), "kid": self.kid, "typ": "at+jwt"});
        self.sign(&header, claims)
    }

    /// A compact JWS of any header and payload, signed with this key's algorithm whatever the
    /// header says (to test how validators treat odd headers).
    pub fn sign(&self, header: &Value, claims: &Value) -> Result<String, Error> {
        let encode = |value: &Value| {
            serde_json::to_vec(value)
                .map(|json| URL_SAFE_NO_PAD.encode(json))
                .map_err(|_| SIGN_FAILURE)
        };
        let signing_input = format!("{}.{}", encode(header)?, encode(claims)?);
        let message = signing_input.as_bytes();
        let rng = SystemRandom::new();
        let signature = match &self.signer {
            Signer::Es256(pair) => pair
                .sign(&rng, message)
                .map_err(|_| SIGN_FAILURE)?
                .as_ref()
                .to_vec(),
            Signer::Ed25519(pair) => pair.sign(message).as_ref().to_vec(),
            Signer::Rs256(pair) => {
                let mut signature = vec![0; pair.public().modulus_len()];
                pair.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut signature)
                    .map_err(|_| SIGN_FAILURE)?;
                signature
            }
        };
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature)
        ))
    }
}

/// The public keys as a JWK Set.
pub fn jwk_set<'a>(keys: impl IntoIterator<Item = &'a TestKey>) -> JwkSet {
    JwkSet {
        keys: keys.into_iter().map(TestKey::jwk).collect(),
    }
}
