//! The proof of work: challenges signed with the server's key, checked without any state (see
//! the parent module for the protocol).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::Mac;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::{
    Captcha, CaptchaError, CaptchaPass, CaptchaProvider, HmacSha256, PowChallenge, POW_ALGORITHM,
};

/// Longest proof-of-work response looked at; a real one is about 170 characters.
const MAX_POW_RESPONSE_LEN: usize = 512;
/// Digits of `u64::MAX`.
const MAX_NONCE_DIGITS: usize = 20;
/// Domain separation for the challenge signature.
const MAC_DOMAIN: &[u8] = b"service-portal/captcha/pow/v1\0";

/// The signed payload of a challenge.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Payload {
    id: String,
    #[allow(dead_code)] // only there to make every challenge unique and unpredictable
    salt: String,
    diff: u8,
    exp: i64,
}

impl Captcha {
    /// A new proof-of-work challenge valid from `now` for the configured lifetime.
    pub fn issue(&self, now: DateTime<Utc>) -> Result<PowChallenge, CaptchaError> {
        if self.settings.provider != CaptchaProvider::Pow {
            return Err(CaptchaError::NotPow);
        }
        let ttl = TimeDelta::from_std(self.settings.pow_ttl).unwrap_or(TimeDelta::MAX);
        let exp = now
            .checked_add_signed(ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .timestamp();
        // Whole seconds, so that what the client is told is exactly what is signed.
        let expires_at = DateTime::from_timestamp(exp, 0).unwrap_or(DateTime::<Utc>::MAX_UTC);

        let id = uuid::Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(now.timestamp()).unwrap_or(0),
            now.timestamp_subsec_nanos(),
        ));
        let mut salt = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        let difficulty = self.settings.pow_difficulty;
        // Every value is hex, digits or a UUID: nothing to escape.
        let payload = format!(
            r#"{{"id":"{id}","salt":"{}","diff":{difficulty},"exp":{exp}}}"#,
            to_hex(&salt)
        );
        let tag = self.sign(payload.as_bytes()).finalize().into_bytes();
        let challenge = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(payload),
            URL_SAFE_NO_PAD.encode(tag)
        );
        Ok(PowChallenge {
            challenge,
            algorithm: POW_ALGORITHM,
            difficulty,
            expires_at,
        })
    }

    fn sign(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(MAC_DOMAIN);
        mac.update(payload);
        mac
    }

    pub(super) fn verify_pow(
        &self,
        response: &str,
        now: DateTime<Utc>,
    ) -> Result<CaptchaPass, CaptchaError> {
        if response.len() > MAX_POW_RESPONSE_LEN {
            return Err(CaptchaError::Invalid);
        }
        let (token, nonce) = response.rsplit_once(':').ok_or(CaptchaError::Invalid)?;
        // One spelling per nonce: what is hashed is exactly what the client sent.
        if !is_canonical_u64(nonce) {
            return Err(CaptchaError::Invalid);
        }
        let (payload, tag) = token.split_once('.').ok_or(CaptchaError::Invalid)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| CaptchaError::Invalid)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| CaptchaError::Invalid)?;
        self.sign(&payload)
            .verify_slice(&tag)
            .map_err(|_| CaptchaError::Invalid)?;

        let payload: Payload =
            serde_json::from_slice(&payload).map_err(|_| CaptchaError::Invalid)?;
        let expires_at = DateTime::from_timestamp(payload.exp, 0).ok_or(CaptchaError::Invalid)?;
        if now >= expires_at {
            return Err(CaptchaError::Expired);
        }
        let digest = Sha256::digest(response.as_bytes());
        if leading_zero_bits(&digest) < u32::from(payload.diff) {
            return Err(CaptchaError::Invalid);
        }
        Ok(CaptchaPass {
            single_use: Some((payload.id, expires_at)),
        })
    }
}

/// Finds the smallest nonce such that `SHA-256("<challenge>:<nonce>")` has at least `difficulty`
/// leading zero bits, by brute force from 0. Expect about `2^difficulty` hashes.
pub fn solve_pow(challenge: &str, difficulty: u8) -> u64 {
    let mut prefix = Sha256::new();
    prefix.update(challenge.as_bytes());
    prefix.update(b":");
    let mut digits = [0u8; MAX_NONCE_DIGITS];
    (0..=u64::MAX)
        .find(|&nonce| {
            let digest = prefix
                .clone()
                .chain_update(write_decimal(nonce, &mut digits))
                .finalize();
            leading_zero_bits(&digest) >= u32::from(difficulty)
        })
        // Unreachable below difficulty 64; above it no answer is likely to exist at all.
        .unwrap_or(u64::MAX)
}

/// `HMAC-SHA256` keyed with `key`. HMAC pads a key shorter than the hash's block with zeros
/// (RFC 2104), so keying with the zero-padded block is the same MAC — and cannot fail.
pub(super) fn keyed_mac(key: &[u8; 32]) -> HmacSha256 {
    let mut block = [0u8; 64];
    block[..key.len()].copy_from_slice(key);
    <HmacSha256 as Mac>::new(&block.into())
}

fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for &byte in digest {
        if byte != 0 {
            return bits + byte.leading_zeros();
        }
        bits += 8;
    }
    bits
}

/// Decimal digits of a `u64`, without sign or leading zeros.
fn is_canonical_u64(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= MAX_NONCE_DIGITS
        && s.bytes().all(|b| b.is_ascii_digit())
        && (s == "0" || !s.starts_with('0'))
        && s.parse::<u64>().is_ok()
}

fn write_decimal(mut n: u64, buf: &mut [u8; MAX_NONCE_DIGITS]) -> &[u8] {
    let mut start = buf.len();
    loop {
        start -= 1;
        buf[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[start..];
        }
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use super::*;
    #[tokio::test]
    async fn issued_challenge_solved_is_accepted_once_per_id() {
        let captcha = pow(8);
        let challenge = captcha.issue(now()).unwrap();
        assert_eq!(challenge.algorithm, "SHA-256");
        assert_eq!(challenge.difficulty, 8);
        assert_eq!(challenge.expires_at, now() + TimeDelta::minutes(5));

        let pass = captcha
            .verify(Some(&solved(&challenge)), None, now())
            .await
            .unwrap();
        let (id, expires_at) = pass.single_use.unwrap();
        assert_eq!(expires_at, challenge.expires_at);
        let id = uuid::Uuid::parse_str(&id).unwrap();
        assert_eq!(id.get_version_num(), 7);

        // Every challenge is new, so its id is what the caller records.
        let other = captcha.issue(now()).unwrap();
        assert_ne!(other.challenge, challenge.challenge);
        let other_pass = captcha
            .verify(Some(&solved(&other)), None, now())
            .await
            .unwrap();
        assert_ne!(other_pass.single_use.unwrap().0, id.to_string());
    }

    #[test]
    fn solve_pow_finds_the_smallest_nonce() {
        let challenge = pow(8).issue(now()).unwrap().challenge;
        let nonce = solve_pow(&challenge, 8);
        let meets = |n: u64| {
            let digest = Sha256::digest(format!("{challenge}:{n}").as_bytes());
            leading_zero_bits(&digest) >= 8
        };
        assert!(meets(nonce));
        assert!((0..nonce).all(|n| !meets(n)));
        assert_eq!(solve_pow(&challenge, 0), 0);
    }

    #[tokio::test]
    async fn a_nonce_without_enough_work_is_invalid() {
        let captcha = pow(12);
        let challenge = captcha.issue(now()).unwrap();
        let lazy = (0u64..)
            .map(|n| format!("{}:{n}", challenge.challenge))
            .find(|answer| leading_zero_bits(&Sha256::digest(answer.as_bytes())) < 12)
            .unwrap();
        assert_eq!(
            captcha.verify(Some(&lazy), None, now()).await,
            Err(CaptchaError::Invalid)
        );
    }

    #[tokio::test]
    async fn a_tampered_challenge_is_invalid() {
        let captcha = pow(8);
        let challenge = captcha.issue(now()).unwrap();
        let (payload, tag) = challenge.challenge.split_once('.').unwrap();

        // Lowering the difficulty inside the payload breaks the signature.
        let json = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert!(json.contains(r#""diff":8"#));
        let easier = URL_SAFE_NO_PAD.encode(json.replace(r#""diff":8"#, r#""diff":0"#));
        let forged = format!("{easier}.{tag}:0");
        assert_eq!(
            captcha.verify(Some(&forged), None, now()).await,
            Err(CaptchaError::Invalid)
        );

        // So does changing one character of the signature.
        let mut tag = tag.to_owned();
        let last = if tag.ends_with('A') { "B" } else { "A" };
        tag.replace_range(tag.len() - 1.., last);
        let token = format!("{payload}.{tag}");
        let answer = format!("{token}:{}", solve_pow(&token, 8));
        assert_eq!(
            captcha.verify(Some(&answer), None, now()).await,
            Err(CaptchaError::Invalid)
        );
    }

    #[tokio::test]
    async fn a_challenge_signed_with_another_key_is_invalid() {
        let challenge = pow(8).issue(now()).unwrap();
        let other = Captcha::new(CaptchaSettings::default(), [8; 32], Some(client()));
        assert_eq!(
            other.verify(Some(&solved(&challenge)), None, now()).await,
            Err(CaptchaError::Invalid)
        );
    }

    #[tokio::test]
    async fn an_answer_after_expiry_is_expired() {
        let captcha = pow(8);
        let challenge = captcha.issue(now()).unwrap();
        let answer = solved(&challenge);
        let just_before = challenge.expires_at - TimeDelta::seconds(1);
        assert!(captcha
            .verify(Some(&answer), None, just_before)
            .await
            .is_ok());
        for later in [challenge.expires_at, now() + TimeDelta::hours(1)] {
            assert_eq!(
                captcha.verify(Some(&answer), None, later).await,
                Err(CaptchaError::Expired)
            );
        }
    }

    #[tokio::test]
    async fn malformed_answers_are_invalid() {
        let captcha = pow(8);
        let challenge = captcha.issue(now()).unwrap();
        let token = &challenge.challenge;
        let nonce = solve_pow(token, 8);
        let (payload, _) = token.split_once('.').unwrap();
        let cases = [
            "x".to_owned(),
            token.clone(),
            format!("{token}:"),
            format!(":{nonce}"),
            format!("{token}:abc"),
            format!("{token}:-{nonce}"),
            format!("{token}:+{nonce}"),
            format!("{token}:0{nonce}"),
            format!("{token}: {nonce}"),
            format!("{token}:{nonce} "),
            format!("{token}:18446744073709551616"),
            format!("{payload}:{nonce}"),
            format!("{payload}.:{nonce}"),
            format!("{token}.x:{nonce}"),
            format!("{payload}.!!!:{nonce}"),
            format!("{token}=:{nonce}"),
            "é.é:1".to_owned(),
        ];
        for case in cases {
            assert_eq!(
                captcha.verify(Some(&case), None, now()).await,
                Err(CaptchaError::Invalid),
                "{case:?}"
            );
        }
    }

    #[tokio::test]
    async fn an_overlong_answer_is_refused_before_any_work() {
        let captcha = pow(8);
        let challenge = captcha.issue(now()).unwrap();
        let padded = format!("{}:{}", challenge.challenge, "0".repeat(600));
        assert_eq!(
            captcha.verify(Some(&padded), None, now()).await,
            Err(CaptchaError::Invalid)
        );
        let huge = "a".repeat(1 << 20);
        assert_eq!(
            captcha.verify(Some(&huge), None, now()).await,
            Err(CaptchaError::Invalid)
        );
    }

    #[test]
    fn challenge_serializes_for_clients() {
        let challenge = pow(8).issue(now()).unwrap();
        let json = serde_json::to_value(&challenge).unwrap();
        assert_eq!(json["algorithm"], "SHA-256");
        assert_eq!(json["difficulty"], 8);
        assert_eq!(json["expires_at"], "2025-03-14T15:14:26Z");
        assert_eq!(json["challenge"], challenge.challenge.as_str());
        let payload = challenge.challenge.split_once('.').unwrap().0;
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(payload["exp"], challenge.expires_at.timestamp());
        assert_eq!(payload["salt"].as_str().unwrap().len(), 32);
    }

    #[test]
    fn padded_key_is_the_same_hmac() {
        let by_slice = HmacSha256::new_from_slice(&KEY).unwrap();
        assert_eq!(
            keyed_mac(&KEY).chain_update(b"m").finalize().into_bytes(),
            by_slice.chain_update(b"m").finalize().into_bytes()
        );
    }

    #[test]
    fn leading_zero_bits_counts_across_bytes() {
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0x01]), 7);
        assert_eq!(leading_zero_bits(&[0x00, 0x00, 0x3f]), 18);
        assert_eq!(leading_zero_bits(&[0x00; 4]), 32);
        let mut buf = [0u8; MAX_NONCE_DIGITS];
        assert_eq!(write_decimal(0, &mut buf), b"0");
        assert_eq!(write_decimal(u64::MAX, &mut buf), b"18446744073709551615");
    }
}
