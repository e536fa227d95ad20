//! Passwords: argon2id, m = 64 MiB, t = 3, p = 2, 16-byte salt, 32-byte key (docs/behaviour.md §6.7),
//! in the PHC string format. Only argon2id hashes verify.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

fn argon2() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    let params = Params::new(65536, 3, 2, Some(32)).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password for storage.
pub fn hash(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

/// Whether `password` matches `encoded`. Anything but an argon2id hash fails.
pub fn verify(password: &str, encoded: &str) -> bool {
    match PasswordHash::new(encoded) {
        Ok(parsed) if parsed.algorithm.as_str() == "argon2id" => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        _ => false,
    }
}

/// Spends the time of one verification, so that an unknown account answers as slowly as a
/// wrong password.
pub fn verify_dummy(password: &str) {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let encoded = DUMMY.get_or_init(|| hash("not a real password").unwrap_or_default());
    let _ = verify(password, encoded);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argon2id_round_trip_and_nothing_else() {
        let encoded = hash("plystra-demo").unwrap();
        assert!(
            encoded.starts_with("$argon2id$v=19$m=65536,t=3,p=2$"),
            "{encoded}"
        );
        assert!(verify("plystra-demo", &encoded));
        assert!(!verify("plystra-dem0", &encoded));
        let argon2i = encoded.replacen("argon2id", "argon2i", 1);
        assert!(!verify("plystra-demo", &argon2i));
        assert!(!verify("x", "$pbkdf2-sha256$i=1000$c2FsdA$aGFzaA"));
    }
}
