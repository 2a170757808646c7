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
//!
//! This module holds the settings, the answers and [`Captcha`], which picks the check; [`pow`] is
//! the proof of work, [`remote`] the third-party providers.

mod pow;
mod remote;

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use hmac::Hmac;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

pub use pow::solve_pow;

type HmacSha256 = Hmac<Sha256>;

/// Default number of leading zero bits a proof of work must have: 2^18, about 260,000 hashes on
/// average. WebCrypto's asynchronous `digest` makes that seconds rather than milliseconds in a
/// browser worker (slow phones more), so lower it before raising it.
pub const DEFAULT_POW_DIFFICULTY: u8 = 18;
/// Default lifetime of a proof-of-work challenge.
pub const DEFAULT_POW_TTL: Duration = Duration::from_secs(5 * 60);
/// The hash the puzzle uses, named as WebCrypto names it.
pub const POW_ALGORITHM: &str = "SHA-256";

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

impl Captcha {
    /// `key` signs proof-of-work challenges; every replica must share it.
    /// A captcha whose remote verification calls go through `http` (`None`: a client with a
    /// 5-second timeout, built when first needed).
    pub fn new(settings: CaptchaSettings, key: [u8; 32], http: Option<reqwest::Client>) -> Self {
        Self {
            settings,
            mac: pow::keyed_mac(&key),
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
}

/// What the tests of this module and its parts share.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod test_support {
    use super::*;
    use chrono::TimeZone;

    pub const KEY: [u8; 32] = [7; 32];

    pub fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 14, 15, 9, 26).unwrap()
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder().no_proxy().build().unwrap()
    }

    pub fn pow(difficulty: u8) -> Captcha {
        let settings = CaptchaSettings {
            pow_difficulty: difficulty,
            ..CaptchaSettings::default()
        };
        Captcha::new(settings, KEY, Some(client()))
    }

    pub fn third_party(provider: CaptchaProvider, verify_url: String) -> Captcha {
        let settings = CaptchaSettings {
            provider,
            site_key: Some("site-key".into()),
            secret: Some("s3cr&t=+/".into()),
            verify_url: Some(verify_url),
            ..CaptchaSettings::default()
        };
        Captcha::new(settings, KEY, Some(client()))
    }

    /// A `siteverify` address where nothing listens.
    pub async fn closed_port_url() -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        drop(listener);
        format!("http://{addr}/siteverify")
    }

    pub fn solved(challenge: &PowChallenge) -> String {
        let nonce = solve_pow(&challenge.challenge, challenge.difficulty);
        format!("{}:{nonce}", challenge.challenge)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::test_support::*;
    use super::*;

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
}
