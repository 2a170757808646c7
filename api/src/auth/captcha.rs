//! Captcha: the "I'm not a robot" check in front of sign-up (and sign-in when the risk calls for it).
//!
//! The default needs no third party: a **proof of work** in the style of ALTCHA and Friendly Captcha.
//!
//! 1. `POST /v1/captcha/challenges` calls [`Captcha::issue`], which returns an opaque, signed token:
//!    `base64url(payload) "." base64url(HMAC-SHA256(key, payload))`, where the payload is a compact JSON
//!    object `{"id":<UUIDv7>,"salt":<16 random bytes, hex>,"diff":<difficulty>,"exp":<unix seconds>}`.
//!    Nothing is stored: the signature is what makes the challenge ours, so any replica can check it.
//! 2. The browser (web/src/captcha/pow.worker.ts) or any API client finds a `nonce` (a `u64`, written in
//!    decimal) such that `SHA-256(token ":" nonce)` starts with at least `diff` zero bits — on average
//!    `2^diff` hashes, cheap for one person and costly for a bot farm — and submits `"<token>:<nonce>"`
//!    as its captcha response. [`solve_pow`] does the same in Rust, for tests and the CLI.
//! 3. [`Captcha::verify`] bounds the input, checks the signature in constant time, the expiry and the
//!    work, and returns the challenge id with its expiry in [`CaptchaPass::single_use`]. The **caller**
//!    makes the answer single-use by recording that id in the database until it expires (an insert
//!    that fails on a duplicate): this module holds no state, so the API stays stateless.
//!
//! The challenge's difficulty is inside the signed payload, so a change of configuration never breaks
//! challenges already handed out, and a client cannot lower it. The MAC input starts with a fixed
//! domain label, so the key could be shared with another purpose without tokens being confused.
//!
//! reCAPTCHA, hCaptcha and Cloudflare Turnstile are the alternatives: their widget gives the browser a
//! token, and [`Captcha::verify`] posts it with our secret to the provider's `siteverify` endpoint.
//! A provider that cannot be reached, or answers nonsense, is [`CaptchaError::Unavailable`] (a 503 for
//! the person, a warning in the log that names neither the secret nor the token).
//!
//! `off` accepts everything; it is only ever chosen by explicit configuration (`PORTAL_CAPTCHA=off`).

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, TimeDelta, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// Default number of leading zero bits a proof of work must have: 2^18, about 260,000 hashes on
/// average. WebCrypto's asynchronous `digest` makes that seconds rather than milliseconds in a
/// browser worker (slow phones more), so lower it before raising it.
pub const DEFAULT_POW_DIFFICULTY: u8 = 18;
/// Default lifetime of a proof-of-work challenge.
pub const DEFAULT_POW_TTL: Duration = Duration::from_secs(5 * 60);
/// The hash the puzzle uses, named as WebCrypto names it.
pub const POW_ALGORITHM: &str = "SHA-256";

/// Longest proof-of-work response looked at; a real one is about 170 characters.
const MAX_POW_RESPONSE_LEN: usize = 512;
/// Longest third-party widget token forwarded to its provider (theirs are ≤ 2,048 today).
const MAX_PROVIDER_TOKEN_LEN: usize = 4096;
/// Largest `siteverify` answer read; theirs are a few hundred bytes.
const MAX_SITEVERIFY_BODY: usize = 16 * 1024;
const SITEVERIFY_TIMEOUT: Duration = Duration::from_secs(5);
/// Digits of `u64::MAX`.
const MAX_NONCE_DIGITS: usize = 20;
/// Domain separation for the challenge signature.
const MAC_DOMAIN: &[u8] = b"service-portal/captcha/pow/v1\0";

/// Which captcha the portal asks for (`PORTAL_CAPTCHA`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptchaProvider {
    /// Built-in proof of work (default): no third party.
    Pow,
    /// Google reCAPTCHA (v2 checkbox or invisible).
    Recaptcha,
    /// hCaptcha.
    Hcaptcha,
    /// Cloudflare Turnstile.
    Turnstile,
    /// No captcha at all; only by explicit configuration.
    Off,
}

impl CaptchaProvider {
    /// The configuration and wire name: `pow`, `recaptcha`, `hcaptcha`, `turnstile` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pow => "pow",
            Self::Recaptcha => "recaptcha",
            Self::Hcaptcha => "hcaptcha",
            Self::Turnstile => "turnstile",
            Self::Off => "off",
        }
    }

    /// The provider's own `siteverify` endpoint, for the third-party ones.
    pub fn default_verify_url(self) -> Option<&'static str> {
        match self {
            Self::Recaptcha => Some("https://www.google.com/recaptcha/api/siteverify"),
            Self::Hcaptcha => Some("https://api.hcaptcha.com/siteverify"),
            Self::Turnstile => Some("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
            Self::Pow | Self::Off => None,
        }
    }
}

impl fmt::Display for CaptchaProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A captcha provider name that is none of the known ones.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown captcha provider {0:?}: expected one of pow, recaptcha, hcaptcha, turnstile, off")]
pub struct ParseCaptchaProviderError(String);

impl FromStr for CaptchaProvider {
    type Err = ParseCaptchaProviderError;

    /// Parses a configuration value; ASCII case and surrounding spaces are ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        [
            Self::Pow,
            Self::Recaptcha,
            Self::Hcaptcha,
            Self::Turnstile,
            Self::Off,
        ]
        .into_iter()
        .find(|provider| provider.as_str().eq_ignore_ascii_case(name))
        .ok_or_else(|| ParseCaptchaProviderError(s.to_owned()))
    }
}

/// Captcha configuration. `Debug` never prints the secret.
#[derive(Clone)]
pub struct CaptchaSettings {
    pub provider: CaptchaProvider,
    /// Public key of a third-party widget, handed to clients by `GET /v1/config`.
    pub site_key: Option<String>,
    /// Server-side secret of a third-party provider.
    pub secret: Option<String>,
    /// Override of the provider's `siteverify` URL (tests point it at loopback).
    pub verify_url: Option<String>,
    /// Leading zero bits a proof of work must have.
    pub pow_difficulty: u8,
    /// How long a proof-of-work challenge may be answered.
    pub pow_ttl: Duration,
}

impl Default for CaptchaSettings {
    fn default() -> Self {
        Self {
            provider: CaptchaProvider::Pow,
            site_key: None,
            secret: None,
            verify_url: None,
            pow_difficulty: DEFAULT_POW_DIFFICULTY,
            pow_ttl: DEFAULT_POW_TTL,
        }
    }
}

impl fmt::Debug for CaptchaSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CaptchaSettings")
            .field("provider", &self.provider)
            .field("site_key", &self.site_key)
            .field("secret", &self.secret.as_ref().map(|_| "<redacted>"))
            .field("verify_url", &self.verify_url)
            .field("pow_difficulty", &self.pow_difficulty)
            .field("pow_ttl", &self.pow_ttl)
            .finish()
    }
}

/// A proof-of-work challenge, as `POST /v1/captcha/challenges` returns it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PowChallenge {
    /// Opaque signed token; the answer is `"<challenge>:<nonce>"`.
    pub challenge: String,
    /// Always `"SHA-256"`.
    pub algorithm: &'static str,
    /// Leading zero bits `SHA-256("<challenge>:<nonce>")` must have.
    pub difficulty: u8,
    /// After this instant the answer is refused.
    pub expires_at: DateTime<Utc>,
}

/// A captcha that passed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a proof of work is single-use only if the caller records its id"]
pub struct CaptchaPass {
    /// For a proof of work: the challenge id and its expiry. The caller must record the id (refusing a
    /// duplicate) and may forget it after the expiry. `None` for third-party providers (they enforce
    /// single use themselves) and for `off`.
    pub single_use: Option<(String, DateTime<Utc>)>,
}

/// Why a captcha did not pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaError {
    #[error("complete the captcha")]
    Missing,
    #[error("the captcha answer is not valid")]
    Invalid,
    #[error("the captcha expired; solve a new one")]
    Expired,
    #[error("the captcha was not accepted; try again")]
    Rejected,
    #[error("the captcha cannot be checked right now; try again in a moment")]
    Unavailable,
    #[error("this portal does not use the built-in captcha challenge")]
    NotPow,
}

impl CaptchaError {
    /// Stable machine-readable code for problem details.
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "captcha_required",
            Self::Invalid => "captcha_invalid",
            Self::Expired => "captcha_expired",
            Self::Rejected => "captcha_rejected",
            Self::Unavailable => "captcha_unavailable",
            Self::NotPow => "captcha_not_pow",
        }
    }
}

/// Issues and checks captchas. Cheap to clone; build it once at start.
#[derive(Clone)]
pub struct Captcha {
    settings: CaptchaSettings,
    /// HMAC state already keyed, cloned for each use rather than re-keyed.
    mac: HmacSha256,
    /// Built on first use: only the remote providers need it, and building it (the system's
    /// certificates) costs tens of milliseconds and a megabyte at start.
    http: std::sync::OnceLock<reqwest::Client>,
}

impl fmt::Debug for Captcha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Captcha")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

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

/// The part of a `siteverify` answer we read (reCAPTCHA, hCaptcha and Turnstile share it).
#[derive(Deserialize)]
struct SiteVerify {
    success: bool,
    #[serde(default, rename = "error-codes")]
    error_codes: Vec<String>,
}

impl Captcha {
    /// `key` signs proof-of-work challenges; every replica must share it.
    /// A captcha whose remote verification calls go through `http` (`None`: a client with a
    /// 5-second timeout, built when first needed).
    pub fn new(settings: CaptchaSettings, key: [u8; 32], http: Option<reqwest::Client>) -> Self {
        Self {
            settings,
            mac: keyed_mac(&key),
            http: http.map(std::sync::OnceLock::from).unwrap_or_default(),
        }
    }

    pub fn provider(&self) -> CaptchaProvider {
        self.settings.provider
    }

    /// The third-party widget's public key, if one is configured.
    pub fn site_key(&self) -> Option<&str> {
        self.settings.site_key.as_deref()
    }

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

    /// Checks a captcha response (`None` when the client sent none) with the configured provider.
    /// `remote_ip` is forwarded to third-party providers as `remoteip`.
    pub async fn verify(
        &self,
        response: Option<&str>,
        remote_ip: Option<IpAddr>,
        now: DateTime<Utc>,
    ) -> Result<CaptchaPass, CaptchaError> {
        let provider = self.settings.provider;
        if provider == CaptchaProvider::Off {
            return Ok(CaptchaPass { single_use: None });
        }
        let response = match response {
            Some(r) if !r.trim().is_empty() => r,
            _ => return Err(CaptchaError::Missing),
        };
        match provider {
            CaptchaProvider::Off => Ok(CaptchaPass { single_use: None }),
            CaptchaProvider::Pow => self.verify_pow(response, now),
            CaptchaProvider::Recaptcha | CaptchaProvider::Hcaptcha | CaptchaProvider::Turnstile => {
                self.verify_remote(provider, response, remote_ip).await
            }
        }
    }

    fn sign(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = self.mac.clone();
        mac.update(MAC_DOMAIN);
        mac.update(payload);
        mac
    }

    fn verify_pow(&self, response: &str, now: DateTime<Utc>) -> Result<CaptchaPass, CaptchaError> {
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

    async fn verify_remote(
        &self,
        provider: CaptchaProvider,
        response: &str,
        remote_ip: Option<IpAddr>,
    ) -> Result<CaptchaPass, CaptchaError> {
        if response.len() > MAX_PROVIDER_TOKEN_LEN {
            return Err(CaptchaError::Invalid);
        }
        let Some(secret) = self.settings.secret.as_deref() else {
            tracing::warn!(
                provider = provider.as_str(),
                "captcha provider has no secret configured"
            );
            return Err(CaptchaError::Unavailable);
        };
        let Some(url) = self
            .settings
            .verify_url
            .as_deref()
            .or(provider.default_verify_url())
        else {
            return Err(CaptchaError::Unavailable);
        };

        let remote_ip = remote_ip.map(|ip| ip.to_string());
        let mut form = vec![("secret", secret), ("response", response)];
        if let Some(ip) = remote_ip.as_deref() {
            form.push(("remoteip", ip));
        }
        let unavailable = |what: &str, error: &dyn fmt::Display| {
            tracing::warn!(
                provider = provider.as_str(),
                %error,
                "captcha verification unavailable: {what}"
            );
            CaptchaError::Unavailable
        };

        let http = match self.http.get() {
            Some(client) => client,
            None => {
                let client = reqwest::Client::builder()
                    .timeout(std::time::Duration::from_secs(5))
                    .build()
                    .map_err(|e| unavailable("cannot build the HTTP client", &e))?;
                self.http.get_or_init(|| client)
            }
        };
        let mut reply = http
            .post(url)
            .timeout(SITEVERIFY_TIMEOUT)
            .form(&form)
            .send()
            .await
            .map_err(|e| unavailable("request failed", &e))?;
        let status = reply.status();
        if !status.is_success() {
            return Err(unavailable("unexpected status", &status));
        }
        if reply
            .content_length()
            .is_some_and(|len| len > MAX_SITEVERIFY_BODY as u64)
        {
            return Err(unavailable("answer too large", &"content-length"));
        }
        let mut body = Vec::new();
        while let Some(chunk) = reply
            .chunk()
            .await
            .map_err(|e| unavailable("reading the answer failed", &e))?
        {
            if body.len() + chunk.len() > MAX_SITEVERIFY_BODY {
                return Err(unavailable("answer too large", &"body"));
            }
            body.extend_from_slice(&chunk);
        }
        let answer: SiteVerify =
            serde_json::from_slice(&body).map_err(|e| unavailable("unreadable answer", &e))?;

        if answer.success {
            return Ok(CaptchaPass { single_use: None });
        }
        // The provider refusing our own secret is our misconfiguration, not the person's failure.
        if answer.error_codes.iter().any(|code| {
            matches!(
                code.as_str(),
                "missing-input-secret" | "invalid-input-secret" | "sitekey-secret-mismatch"
            )
        }) {
            tracing::warn!(
                provider = provider.as_str(),
                error_codes = ?answer.error_codes,
                "captcha provider refused the configured secret"
            );
            return Err(CaptchaError::Unavailable);
        }
        tracing::debug!(
            provider = provider.as_str(),
            error_codes = ?answer.error_codes,
            "captcha rejected by provider"
        );
        Err(CaptchaError::Rejected)
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
fn keyed_mac(key: &[u8; 32]) -> HmacSha256 {
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
    use super::*;
    use chrono::TimeZone;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    const KEY: [u8; 32] = [7; 32];

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 14, 15, 9, 26).unwrap()
    }

    fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    fn pow(difficulty: u8) -> Captcha {
        let settings = CaptchaSettings {
            pow_difficulty: difficulty,
            ..CaptchaSettings::default()
        };
        Captcha::new(settings, KEY, Some(client()))
    }

    fn third_party(provider: CaptchaProvider, verify_url: String) -> Captcha {
        let settings = CaptchaSettings {
            provider,
            site_key: Some("site-key".into()),
            secret: Some("s3cr&t=+/".into()),
            verify_url: Some(verify_url),
            ..CaptchaSettings::default()
        };
        Captcha::new(settings, KEY, Some(client()))
    }

    fn solved(challenge: &PowChallenge) -> String {
        let nonce = solve_pow(&challenge.challenge, challenge.difficulty);
        format!("{}:{nonce}", challenge.challenge)
    }

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

    #[tokio::test]
    async fn no_answer_is_missing() {
        let captcha = pow(8);
        for response in [None, Some(""), Some("  ")] {
            assert_eq!(
                captcha.verify(response, None, now()).await,
                Err(CaptchaError::Missing)
            );
        }
        // Nothing is sent to a provider either (this URL would make it Unavailable).
        let turnstile = third_party(CaptchaProvider::Turnstile, closed_port_url().await);
        assert_eq!(
            turnstile.verify(None, None, now()).await,
            Err(CaptchaError::Missing)
        );
    }

    #[tokio::test]
    async fn off_accepts_anything_and_issues_nothing() {
        let settings = CaptchaSettings {
            provider: CaptchaProvider::Off,
            ..CaptchaSettings::default()
        };
        let captcha = Captcha::new(settings, KEY, Some(client()));
        for response in [None, Some(""), Some("anything")] {
            assert_eq!(
                captcha.verify(response, None, now()).await,
                Ok(CaptchaPass { single_use: None })
            );
        }
        assert_eq!(captcha.issue(now()), Err(CaptchaError::NotPow));
    }

    #[test]
    fn only_pow_issues_challenges() {
        for provider in [
            CaptchaProvider::Recaptcha,
            CaptchaProvider::Hcaptcha,
            CaptchaProvider::Turnstile,
        ] {
            let captcha = third_party(provider, "http://127.0.0.1:9/".into());
            assert_eq!(captcha.issue(now()), Err(CaptchaError::NotPow));
            assert_eq!(captcha.site_key(), Some("site-key"));
            assert_eq!(captcha.provider(), provider);
        }
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
    fn provider_names_parse_and_print() {
        for provider in [
            CaptchaProvider::Pow,
            CaptchaProvider::Recaptcha,
            CaptchaProvider::Hcaptcha,
            CaptchaProvider::Turnstile,
            CaptchaProvider::Off,
        ] {
            assert_eq!(provider.as_str().parse(), Ok(provider));
            assert_eq!(serde_json::to_value(provider).unwrap(), provider.as_str());
        }
        assert_eq!(" Turnstile ".parse(), Ok(CaptchaProvider::Turnstile));
        assert!("google".parse::<CaptchaProvider>().is_err());
        assert!("".parse::<CaptchaProvider>().is_err());
    }

    #[test]
    fn settings_debug_hides_the_secret() {
        let settings = CaptchaSettings {
            secret: Some("hunter2-secret".into()),
            ..CaptchaSettings::default()
        };
        let printed = format!("{settings:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("<redacted>"));
        let captcha = Captcha::new(settings, KEY, Some(client()));
        assert!(!format!("{captcha:?}").contains("hunter2"));
    }

    #[test]
    fn errors_have_codes_and_messages() {
        assert_eq!(CaptchaError::Missing.code(), "captcha_required");
        assert_eq!(CaptchaError::Missing.to_string(), "complete the captcha");
        assert_eq!(CaptchaError::Expired.code(), "captcha_expired");
        assert_eq!(CaptchaError::Unavailable.code(), "captcha_unavailable");
        assert_eq!(CaptchaError::NotPow.code(), "captcha_not_pow");
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

    // --- third-party providers, against a stub `siteverify` on loopback ---

    struct Received {
        head: String,
        form: Vec<(String, String)>,
    }

    impl Received {
        fn field(&self, name: &str) -> Option<&str> {
            self.form
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        }
    }

    /// Serves one request with `answer` as a JSON body and hands back what it received.
    async fn stub_siteverify(answer: &'static str) -> (String, tokio::task::JoinHandle<Received>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/siteverify", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut buf = Vec::new();
            let mut chunk = [0u8; 1024];
            let head_end = loop {
                let n = socket.read(&mut chunk).await.unwrap();
                assert!(n > 0, "connection closed before the request ended");
                buf.extend_from_slice(&chunk[..n]);
                if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                    break i + 4;
                }
            };
            let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
            let length: usize = head
                .lines()
                .find_map(|line| {
                    let (name, value) = line.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().unwrap())
                })
                .unwrap();
            while buf.len() < head_end + length {
                let n = socket.read(&mut chunk).await.unwrap();
                assert!(n > 0, "connection closed before the body ended");
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = String::from_utf8(buf[head_end..head_end + length].to_vec()).unwrap();
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            socket.write_all(reply.as_bytes()).await.unwrap();
            socket.shutdown().await.ok();
            Received {
                head,
                form: decode_form(&body),
            }
        });
        (url, server)
    }

    async fn closed_port_url() -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/siteverify")
    }

    fn decode_form(body: &str) -> Vec<(String, String)> {
        let decode = |s: &str| {
            let bytes = s.as_bytes();
            let mut out = Vec::new();
            let mut i = 0;
            while i < bytes.len() {
                match bytes[i] {
                    b'+' => out.push(b' '),
                    b'%' => {
                        let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
                        out.push(u8::from_str_radix(hex, 16).unwrap());
                        i += 2;
                    }
                    b => out.push(b),
                }
                i += 1;
            }
            String::from_utf8(out).unwrap()
        };
        body.split('&')
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap();
                (decode(k), decode(v))
            })
            .collect()
    }

    #[tokio::test]
    async fn provider_success_passes_and_receives_secret_response_and_ip() {
        for provider in [
            CaptchaProvider::Recaptcha,
            CaptchaProvider::Hcaptcha,
            CaptchaProvider::Turnstile,
        ] {
            let (url, server) = stub_siteverify(r#"{"success":true,"hostname":"x"}"#).await;
            let captcha = third_party(provider, url);
            let ip: IpAddr = "203.0.113.7".parse().unwrap();
            let pass = captcha
                .verify(Some("widget token&=+/é"), Some(ip), now())
                .await;
            assert_eq!(pass, Ok(CaptchaPass { single_use: None }), "{provider}");

            let received = server.await.unwrap();
            assert!(received.head.starts_with("POST /siteverify HTTP/1.1\r\n"));
            assert!(received
                .head
                .to_ascii_lowercase()
                .contains("content-type: application/x-www-form-urlencoded"));
            assert_eq!(received.field("secret"), Some("s3cr&t=+/"));
            assert_eq!(received.field("response"), Some("widget token&=+/é"));
            assert_eq!(received.field("remoteip"), Some("203.0.113.7"));
            assert_eq!(received.form.len(), 3);
        }
    }

    #[tokio::test]
    async fn provider_failure_is_rejected_and_remoteip_is_optional() {
        let (url, server) =
            stub_siteverify(r#"{"success":false,"error-codes":["invalid-input-response"]}"#).await;
        let captcha = third_party(CaptchaProvider::Hcaptcha, url);
        assert_eq!(
            captcha.verify(Some("used token"), None, now()).await,
            Err(CaptchaError::Rejected)
        );
        let received = server.await.unwrap();
        assert_eq!(received.field("remoteip"), None);
        assert_eq!(received.field("response"), Some("used token"));

        let (url, _server) = stub_siteverify(r#"{"success":false}"#).await;
        let captcha = third_party(CaptchaProvider::Recaptcha, url);
        let ip: IpAddr = "2001:db8::1".parse().unwrap();
        assert_eq!(
            captcha.verify(Some("t"), Some(ip), now()).await,
            Err(CaptchaError::Rejected)
        );
    }

    #[tokio::test]
    async fn provider_refusing_our_secret_is_unavailable() {
        let (url, _server) =
            stub_siteverify(r#"{"success":false,"error-codes":["invalid-input-secret"]}"#).await;
        let captcha = third_party(CaptchaProvider::Turnstile, url);
        assert_eq!(
            captcha.verify(Some("t"), None, now()).await,
            Err(CaptchaError::Unavailable)
        );
    }

    #[tokio::test]
    async fn unreachable_or_confused_provider_is_unavailable() {
        let captcha = third_party(CaptchaProvider::Turnstile, closed_port_url().await);
        assert_eq!(
            captcha.verify(Some("t"), None, now()).await,
            Err(CaptchaError::Unavailable)
        );

        for nonsense in ["<html>busy</html>", r#"{"ok":true}"#, ""] {
            let (url, _server) = stub_siteverify(nonsense).await;
            let captcha = third_party(CaptchaProvider::Turnstile, url);
            assert_eq!(
                captcha.verify(Some("t"), None, now()).await,
                Err(CaptchaError::Unavailable),
                "{nonsense:?}"
            );
        }

        let settings = CaptchaSettings {
            provider: CaptchaProvider::Recaptcha,
            secret: None,
            verify_url: Some(closed_port_url().await),
            ..CaptchaSettings::default()
        };
        let no_secret = Captcha::new(settings, KEY, Some(client()));
        assert_eq!(
            no_secret.verify(Some("t"), None, now()).await,
            Err(CaptchaError::Unavailable)
        );
    }

    #[tokio::test]
    async fn overlong_widget_token_is_not_forwarded() {
        // Were it sent, the closed port would make it Unavailable.
        let captcha = third_party(CaptchaProvider::Recaptcha, closed_port_url().await);
        let token = "t".repeat(MAX_PROVIDER_TOKEN_LEN + 1);
        assert_eq!(
            captcha.verify(Some(&token), None, now()).await,
            Err(CaptchaError::Invalid)
        );
        assert_eq!(
            captcha
                .verify(Some(&"t".repeat(MAX_PROVIDER_TOKEN_LEN)), None, now())
                .await,
            Err(CaptchaError::Unavailable)
        );
    }
}
