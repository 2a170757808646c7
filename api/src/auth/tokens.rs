//! Opaque secrets handed to clients (refresh, device and verification tokens; one-time codes)
//! and the one-way forms stored in the database. Tokens carry 256 bits from the OS generator
//! and are stored as SHA-256 (ASVS 5.0 V7.2.3); short codes are stored as HMAC-SHA-256 under the
//! server secret, so a copy of the database alone does not reveal them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::{Rng, RngCore};
use sha2::{Digest, Sha256};

/// A new random token, URL-safe base64 of 32 bytes.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A uniformly random six-digit code ("012345" included).
pub fn new_code() -> String {
    format!("{:06}", rand::rngs::OsRng.gen_range(0..1_000_000u32))
}

/// The stored form of a short code, bound to what it is for (`context`, e.g. a challenge id).
pub fn hash_code(secret: &[u8; 32], context: &str, code: &str) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret) {
        Ok(mac) => mac,
        Err(_) => unreachable_key(),
    };
    mac.update(context.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// HMAC accepts keys of any length; this branch cannot be taken.
fn unreachable_key() -> ! {
    unreachable!("HMAC-SHA-256 accepts keys of any length")
}

/// Compares two stored forms in constant time.
/// (Lengths are fixed by the hash, so only the content is compared.)
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_url_safe() {
        let a = new_token();
        assert_eq!(a.len(), 43);
        assert_ne!(a, new_token());
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
    }

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..100 {
            let c = new_code();
            assert_eq!(c.len(), 6);
            assert!(c.chars().all(|d| d.is_ascii_digit()));
        }
    }

    #[test]
    fn a_code_hash_depends_on_its_context() {
        let key = [7u8; 32];
        assert_ne!(
            hash_code(&key, "a", "123456"),
            hash_code(&key, "b", "123456")
        );
        assert!(same(
            &hash_code(&key, "a", "123456"),
            &hash_code(&key, "a", "123456")
        ));
    }
}
