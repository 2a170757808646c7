//! Time-based one-time passwords (RFC 6238) for the second factor, and the sealing of their
//! secrets at rest.
//!
//! - Parameters are the ones every authenticator app understands (Google Authenticator, Microsoft
//!   Authenticator): HMAC-SHA-1, 6 digits, 30-second steps. Secrets are 160 bits from the OS
//!   generator (RFC 4226 §4 R6; NIST SP 800-63B-4 §3.1.4.1: at least 112 bits; ASVS 5.0 V6.5.3
//!   CSPRNG).
//! - A code is accepted for the current step and one step either side (RFC 6238 §5.2 recommends
//!   at most one step of network delay), and only for a step later than the last one accepted,
//!   so no code is ever accepted twice (RFC 6238 §5.2; NIST SP 800-63B-4 §3.1.4.2; ASVS 5.0
//!   V6.5.1). The caller stores the step [`verify`] returns.
//! - Time is an input (`now`), never read here, so tests move it instead of sleeping.
//! - Secrets are stored encrypted with AES-256-GCM under a key derived for this purpose only,
//!   with a random 96-bit nonce and the account id as associated data, so a sealed secret copied
//!   to another account's row does not open (NIST SP 800-63B-4 §3.1.4.2: OTP secrets protected at
//!   rest; ASVS 5.0 V11.3.2 approved AEAD). Stored form: base64(nonce ‖ ciphertext ‖ tag).

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use rand::RngCore;
use totp_rs::{Algorithm, TOTP};

/// Digits per code.
pub const DIGITS: usize = 6;
/// Seconds per step.
pub const PERIOD: u64 = 30;
/// The HMAC algorithm, as named in `otpauth://` URIs.
pub const ALGORITHM: &str = "SHA1";
/// Steps accepted on either side of the current one.
pub const SKEW_STEPS: i64 = 1;
/// Secret length: 160 bits, the HMAC-SHA-1 output size (RFC 4226 §4 R6).
pub const SECRET_BYTES: usize = 20;

const NONCE_BYTES: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum TotpError {
    #[error("a stored TOTP secret could not be opened")]
    Unseal,
    #[error("a TOTP secret could not be sealed")]
    Seal,
    #[error("the TOTP parameters were refused: {0}")]
    Parameters(String),
    #[error("the QR code could not be drawn: {0}")]
    QrCode(String),
}

/// A shared TOTP secret. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(..)")
    }
}

impl TotpSecret {
    /// A new random secret from the OS generator.
    pub fn generate() -> Self {
        let mut bytes = vec![0u8; SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        Self(bytes)
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// RFC 4648 base32 without padding: the "manual key" people type into an app.
    pub fn base32(&self) -> String {
        self.totp(String::new(), String::new()).get_secret_base32()
    }

    fn totp(&self, issuer: String, account_name: String) -> TOTP {
        // `new_unchecked`: the length is ours (160 bits) and labels are cleaned by the caller.
        TOTP::new_unchecked(
            Algorithm::SHA1,
            DIGITS,
            0,
            PERIOD,
            self.0.clone(),
            (!issuer.is_empty()).then_some(issuer),
            account_name,
        )
    }

    /// The code for a step.
    fn code_at_step(&self, step: i64) -> Option<String> {
        let seconds = u64::try_from(step).ok()?.checked_mul(PERIOD)?;
        Some(self.totp(String::new(), String::new()).generate(seconds))
    }
}

/// What an authenticator app needs to be set up, for a QR code or for typing in. Never printed
/// (it holds the secret).
#[derive(Clone)]
pub struct Provisioning {
    pub secret_base32: String,
    pub otpauth_uri: String,
    /// `data:image/svg+xml;base64,…`
    pub qr_code: String,
    pub issuer: String,
    pub account_name: String,
}

impl std::fmt::Debug for Provisioning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provisioning")
            .field("issuer", &self.issuer)
            .field("account_name", &self.account_name)
            .finish_non_exhaustive()
    }
}

/// Issuer and account name are shown in the app as "issuer (account)"; the `otpauth://` label
/// separates them with `:`, so a `:` inside either would be misread.
fn label_part(text: &str) -> String {
    text.replace(':', " ").trim().to_owned()
}

/// The key URI (Google Authenticator "Key Uri Format") and its QR code.
pub fn provisioning(
    secret: &TotpSecret,
    issuer: &str,
    account_name: &str,
) -> Result<Provisioning, TotpError> {
    let issuer = label_part(issuer);
    let account_name = label_part(account_name);
    let totp = TOTP::new(
        Algorithm::SHA1,
        DIGITS,
        0,
        PERIOD,
        secret.0.clone(),
        (!issuer.is_empty()).then(|| issuer.clone()),
        account_name.clone(),
    )
    .map_err(|e| TotpError::Parameters(e.to_string()))?;
    // Explicit parameters even where they are the defaults: some apps read them, none mind.
    let otpauth_uri = format!(
        "{}&algorithm={ALGORITHM}&digits={DIGITS}&period={PERIOD}",
        totp.get_url()
    );
    let qr_code = qr_svg_data_uri(&otpauth_uri)?;
    Ok(Provisioning {
        secret_base32: totp.get_secret_base32(),
        otpauth_uri,
        qr_code,
        issuer,
        account_name,
    })
}

/// Modules of light border around a QR code (ISO/IEC 18004 asks for four).
const QUIET_ZONE: usize = 4;

/// An SVG QR code of `text` as a data URI (error correction M, with the quiet zone). Drawn as
/// one path of horizontal runs on a `viewBox` of one unit per module: a few kilobytes, and it
/// scales to any size without blurring.
fn qr_svg_data_uri(text: &str) -> Result<String, TotpError> {
    use std::fmt::Write as _;
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| TotpError::QrCode(e.to_string()))?;
    let width = code.width();
    let dark: Vec<bool> = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    let mut path = String::with_capacity(width * width);
    for (y, row) in dark.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < width && row[x] {
                x += 1;
            }
            let run = x - start;
            let _ = write!(
                path,
                "M{},{}h{run}v1h-{run}z",
                start + QUIET_ZONE,
                y + QUIET_ZONE
            );
        }
    }
    let size = width + 2 * QUIET_ZONE;
    let svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"240\" height=\"240\" \
         viewBox=\"0 0 {size} {size}\" shape-rendering=\"crispEdges\">\
         <rect width=\"{size}\" height=\"{size}\" fill=\"#fff\"/>\
         <path fill=\"#000\" d=\"{path}\"/></svg>"
    );
    Ok(format!(
        "data:image/svg+xml;base64,{}",
        STANDARD.encode(svg.as_bytes())
    ))
}

/// The step `now` falls in (RFC 6238 `T`, with `T0` = 0).
pub fn step_at(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(PERIOD as i64)
}

/// Accepts `code` if it is the code of the current step or one step either side, and that step
/// is later than `last_used_step`. Returns the matched step, which the caller must store as the
/// new `last_used_step` in the same transaction.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    now: DateTime<Utc>,
    last_used_step: i64,
) -> Option<i64> {
    let code = normalize_code(code)?;
    let current = step_at(now);
    let mut matched = None;
    // Every candidate is computed and compared in constant time; the earliest acceptable wins.
    for step in (current - SKEW_STEPS..=current + SKEW_STEPS).rev() {
        let Some(expected) = secret.code_at_step(step) else {
            continue;
        };
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) && step > last_used_step {
            matched = Some(step);
        }
    }
    matched
}

/// Six ASCII digits, with spaces people copy from apps ("123 456") removed.
pub fn normalize_code(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == DIGITS && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Seals and opens TOTP secrets with AES-256-GCM under the `totp-secrets` key. Built once at
/// start and shared.
#[derive(Clone)]
pub struct SecretCipher {
    cipher: Aes256Gcm,
}

impl SecretCipher {
    pub fn new(key: &[u8; 32]) -> Self {
        Self {
            cipher: Aes256Gcm::new(key.into()),
        }
    }

    /// base64(nonce ‖ ciphertext ‖ tag), bound to `account_id`.
    pub fn seal(&self, account_id: &str, secret: &TotpSecret) -> Result<String, TotpError> {
        let mut nonce = [0u8; NONCE_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: &secret.0,
                    aad: account_id.as_bytes(),
                },
            )
            .map_err(|_| TotpError::Seal)?;
        let mut stored = Vec::with_capacity(NONCE_BYTES + sealed.len());
        stored.extend_from_slice(&nonce);
        stored.extend_from_slice(&sealed);
        Ok(STANDARD.encode(stored))
    }

    /// Opens what [`SecretCipher::seal`] produced for the same account under the same key.
    pub fn open(&self, account_id: &str, stored: &str) -> Result<TotpSecret, TotpError> {
        let bytes = STANDARD.decode(stored).map_err(|_| TotpError::Unseal)?;
        if bytes.len() <= NONCE_BYTES {
            return Err(TotpError::Unseal);
        }
        let (nonce, sealed) = bytes.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: sealed,
                    aad: account_id.as_bytes(),
                },
            )
            .map(TotpSecret)
            .map_err(|_| TotpError::Unseal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 6238 Appendix B SHA-1 seed.
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(b"12345678901234567890".to_vec())
    }

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(seconds, 0).unwrap()
    }

    /// RFC 6238 Appendix B, SHA-1, truncated to our 6 digits (the last 6 of the 8-digit values).
    const VECTORS: [(i64, &str); 6] = [
        (59, "287082"),
        (1_111_111_109, "081804"),
        (1_111_111_111, "050471"),
        (1_234_567_890, "005924"),
        (2_000_000_000, "279037"),
        (20_000_000_000, "353130"),
    ];

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let secret = rfc_secret();
        for (time, code) in VECTORS {
            assert_eq!(
                secret.code_at_step(step_at(at(time))).unwrap(),
                code,
                "T = {time}"
            );
            assert_eq!(verify(&secret, code, at(time), 0), Some(step_at(at(time))));
        }
    }

    #[test]
    fn eight_digit_rfc_vectors_hold_for_the_underlying_library() {
        let totp = TOTP::new_unchecked(
            Algorithm::SHA1,
            8,
            0,
            30,
            b"12345678901234567890".to_vec(),
            None,
            String::new(),
        );
        assert_eq!(totp.generate(59), "94287082");
        assert_eq!(totp.generate(1_111_111_109), "07081804");
        assert_eq!(totp.generate(20_000_000_000), "65353130");
    }

    #[test]
    fn one_step_either_side_is_accepted_and_two_are_not() {
        let secret = rfc_secret();
        let now = at(1_234_567_890);
        let step = step_at(now);
        let code_of = |s: i64| secret.code_at_step(s).unwrap();
        assert_eq!(verify(&secret, &code_of(step - 1), now, 0), Some(step - 1));
        assert_eq!(verify(&secret, &code_of(step + 1), now, 0), Some(step + 1));
        assert_eq!(verify(&secret, &code_of(step - 2), now, 0), None);
        assert_eq!(verify(&secret, &code_of(step + 2), now, 0), None);
    }

    #[test]
    fn a_step_already_used_is_refused() {
        let secret = rfc_secret();
        let now = at(1_234_567_890);
        let step = step_at(now);
        let code = secret.code_at_step(step).unwrap();
        assert_eq!(verify(&secret, &code, now, step - 1), Some(step));
        assert_eq!(verify(&secret, &code, now, step), None);
        // An earlier step's code after a later one was used: refused too.
        let earlier = secret.code_at_step(step - 1).unwrap();
        assert_eq!(verify(&secret, &earlier, now, step), None);
    }

    #[test]
    fn codes_are_normalized_and_malformed_ones_refused() {
        let secret = rfc_secret();
        let now = at(59);
        assert!(verify(&secret, " 287 082 ", now, 0).is_some());
        assert!(verify(&secret, "28708", now, 0).is_none());
        assert!(verify(&secret, "2870820", now, 0).is_none());
        assert!(verify(&secret, "28708a", now, 0).is_none());
        assert!(verify(&secret, "", now, 0).is_none());
    }

    #[test]
    fn generated_secrets_have_160_bits_and_a_32_character_manual_key() {
        let a = TotpSecret::generate();
        assert_eq!(a.0.len(), 20);
        assert_ne!(a, TotpSecret::generate());
        let key = a.base32();
        assert_eq!(key.len(), 32);
        assert!(key
            .chars()
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c)));
        assert_eq!(format!("{a:?}"), "TotpSecret(..)");
    }

    #[test]
    fn the_uri_names_issuer_and_account_and_the_qr_code_is_an_svg_data_uri() {
        let secret = rfc_secret();
        let p = provisioning(&secret, "Service Portal AI", "budi@example.co.id").unwrap();
        assert_eq!(p.secret_base32, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            p.otpauth_uri,
            "otpauth://totp/Service%20Portal%20AI:budi%40example.co.id\
             ?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Service%20Portal%20AI\
             &algorithm=SHA1&digits=6&period=30"
        );
        let svg = p
            .qr_code
            .strip_prefix("data:image/svg+xml;base64,")
            .unwrap();
        let svg = String::from_utf8(STANDARD.decode(svg).unwrap()).unwrap();
        assert!(svg.contains("<svg"));
        assert_eq!(
            read_qr(&svg),
            p.otpauth_uri,
            "the QR code holds the key URI"
        );
        // A colon in the portal name would split the label wrongly: it is replaced.
        let p = provisioning(&secret, "Portal: AI", "a@b.c").unwrap();
        assert_eq!(p.issuer, "Portal  AI");
    }

    /// Rasterizes the SVG this module draws (runs of `M x,y h n v1 h-n z` on a module grid)
    /// and decodes it as a scanner would.
    fn read_qr(svg: &str) -> String {
        let view_box = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
        let size: usize = view_box.split(' ').next().unwrap().parse().unwrap();
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let mut dark = vec![false; size * size];
        for run in d.split('M').filter(|r| !r.is_empty()) {
            let (xy, rest) = run.split_once('h').unwrap();
            let (x, y) = xy.split_once(',').unwrap();
            let (x, y): (usize, usize) = (x.parse().unwrap(), y.parse().unwrap());
            let n: usize = rest.split('v').next().unwrap().parse().unwrap();
            for i in x..x + n {
                dark[y * size + i] = true;
            }
        }
        const SCALE: usize = 4;
        let mut image =
            rqrr::PreparedImage::prepare_from_greyscale(size * SCALE, size * SCALE, |x, y| {
                if dark[(y / SCALE) * size + x / SCALE] {
                    0
                } else {
                    255
                }
            });
        let grids = image.detect_grids();
        assert_eq!(grids.len(), 1);
        grids[0].decode().unwrap().1
    }

    #[test]
    fn sealed_secrets_open_only_for_their_account_and_key() {
        let cipher = SecretCipher::new(&[1u8; 32]);
        let secret = TotpSecret::generate();
        let sealed = cipher.seal("account-1", &secret).unwrap();
        assert_ne!(
            sealed,
            cipher.seal("account-1", &secret).unwrap(),
            "fresh nonce"
        );
        assert_eq!(STANDARD.decode(&sealed).unwrap().len(), 12 + 20 + 16);
        assert_eq!(cipher.open("account-1", &sealed).unwrap(), secret);
        assert!(matches!(
            cipher.open("account-2", &sealed),
            Err(TotpError::Unseal)
        ));
        assert!(matches!(
            SecretCipher::new(&[2u8; 32]).open("account-1", &sealed),
            Err(TotpError::Unseal)
        ));
        assert!(matches!(
            cipher.open("account-1", "bm90IGEgc2VjcmV0"),
            Err(TotpError::Unseal)
        ));
        assert!(matches!(
            cipher.open("account-1", "%%%"),
            Err(TotpError::Unseal)
        ));
    }
}
