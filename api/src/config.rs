//! Typed settings: defaults, then an optional TOML file (`PORTAL_CONFIG`), then `PORTAL_*`
//! environment variables. Every value is parsed at start; a bad one stops the program with a
//! message naming the variable. Secrets are never printed (`Debug` redacts them).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::auth::captcha::{CaptchaProvider, CaptchaSettings};
use crate::db::DatabaseTarget;
use crate::domain::password::PasswordPolicy;
use crate::services::throttle::{self, Limit};

/// Which portal the program is: the seeds describe two with different rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Profile {
    Ai,
    Cloud,
}

/// Argon2id cost parameters (OWASP Password Storage Cheat Sheet: m=19 MiB, t=2, p=1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HashSettings {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    /// Hashes computed at once (defaults to the number of cores).
    pub workers: usize,
    /// Sign-ins allowed to wait for a worker before the rest are answered 503.
    pub queue: usize,
    /// The longest a sign-in may expect to wait for a worker (estimated from the recent hash
    /// duration) before it is answered 503 instead.
    pub max_wait: std::time::Duration,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provisioner {
    Simulated,
    Webhook,
}

#[derive(Clone)]
pub struct Settings {
    pub database: DatabaseTarget,
    pub database_pool_size: u32,
    /// How long a request waits for the database (a connection, a lock, a statement) before it
    /// answers 503 `database_unavailable`.
    pub database_timeout: Duration,
    /// Other origins (`scheme://host[:port]`) whose pages may call the API from a browser, with
    /// credentials (CORS). None by default: the web app is served by the API itself.
    pub cors_origins: Vec<String>,
    /// Days between closing an account and erasing its personal data.
    pub account_deletion_grace_days: u32,
    pub bind: SocketAddr,
    pub public_url: url::Url,
    pub profile: Profile,
    pub portal_name: String,
    pub support_email: String,
    pub data_dir: PathBuf,
    pub smtp_url: Option<String>,
    pub mail_from: String,
    pub mail_dir: PathBuf,
    pub mail_console: bool,
    pub captcha: CaptchaSettings,
    pub password_policy: PasswordPolicy,
    pub corporate_email_only: bool,
    pub default_phone_region: Option<String>,
    pub hash: HashSettings,
    pub jwt_key_file: Option<PathBuf>,
    pub jwt_audience: String,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub session_ttl: Duration,
    pub secret_key: Option<[u8; 32]>,
    pub web_dir: Option<PathBuf>,
    /// Proxies whose `X-Forwarded-For` is believed (`PORTAL_TRUSTED_PROXIES`); none by default.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Throttle limits (`PORTAL_THROTTLE_*`, `PORTAL_CAPTCHA_AFTER_FAILURES`).
    pub throttles: Throttles,
    pub provisioner: Provisioner,
    /// Simulated provisioner: time from project creation to the cluster being provisioned.
    pub provision_delay: Duration,
    /// Simulated provisioner: probability (0.0–1.0) that provisioning fails.
    pub provision_failure_rate: f64,
    /// Webhook provisioner: the operator's URL (required with `webhook`).
    pub provisioner_webhook_url: Option<url::Url>,
    /// Webhook provisioner: the HMAC-SHA256 key of requests and callbacks (required with `webhook`).
    pub provisioner_webhook_secret: Option<String>,
    pub log_format: LogFormat,
    /// OpenTelemetry trace export (`PORTAL_OTLP_*`); off unless an endpoint is set.
    pub otlp: Option<OtlpSettings>,
}

/// Where and how spans are exported (OTLP/HTTP, JSON bodies).
#[derive(Clone)]
pub struct OtlpSettings {
    /// `{PORTAL_OTLP_ENDPOINT}/v1/traces`, as the OTLP specification builds a signal's URL.
    pub traces_url: url::Url,
    /// Sent with every export (`PORTAL_OTLP_HEADERS`: `key=value,…`, values URL-encoded), e.g.
    /// a collector's API key. Never logged.
    pub headers: Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)>,
    /// How long spans wait to be sent in a batch (`PORTAL_OTLP_INTERVAL`, 5 s).
    pub interval: Duration,
    /// The `service.name` resource attribute (`PORTAL_OTLP_SERVICE_NAME`, `service-portal`).
    pub service_name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("database", &self.database.backend_name())
            .field("bind", &self.bind)
            .field("public_url", &self.public_url.as_str())
            .field("profile", &self.profile)
            .field("portal_name", &self.portal_name)
            .field("smtp", &self.smtp_url.as_ref().map(|_| "configured"))
            .field("captcha", &self.captcha)
            .field("hash", &self.hash)
            .field("secret_key", &self.secret_key.map(|_| "**redacted**"))
            .field(
                "otlp",
                &self
                    .otlp
                    .as_ref()
                    .map(|o| o.traces_url.origin().ascii_serialization()),
            )
            .finish_non_exhaustive()
    }
}

/// A configuration value that could not be used; names the variable.
#[derive(Debug, thiserror::Error)]
#[error("{variable}: {message}")]
pub struct ConfigError {
    pub variable: String,
    pub message: String,
}

fn err(variable: &str, message: impl Into<String>) -> ConfigError {
    ConfigError {
        variable: variable.to_owned(),
        message: message.into(),
    }
}

/// Raw values by variable name (`PORTAL_…`), from the file and the environment.
struct Source(BTreeMap<String, String>);

impl Source {
    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    fn string(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_owned()
    }

    fn parse<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, ConfigError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse()
                .map_err(|e| err(name, format!("cannot use {raw:?}: {e}"))),
        }
    }

    fn bool(&self, name: &str, default: bool) -> Result<bool, ConfigError> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if ["1", "true", "yes", "on"].contains(&v.as_str()) => Ok(true),
            Some(v) if ["0", "false", "no", "off"].contains(&v.as_str()) => Ok(false),
            Some(v) => Err(err(name, format!("expected true or false, got {v:?}"))),
        }
    }

    /// A throttle limit written `MAX/WINDOW` or `MAX/WINDOW/BLOCK` (durations like `90s`, `15m`,
    /// `1h`, `1d`, or plain seconds); the block defaults to the window.
    fn limit(&self, name: &str, default: Limit) -> Result<Limit, ConfigError> {
        let Some(raw) = self.get(name) else {
            return Ok(default);
        };
        let bad = || {
            err(
                name,
                format!("expected MAX/WINDOW[/BLOCK], e.g. 30/1h or 5/15m/30m, got {raw:?}"),
            )
        };
        let mut parts = raw.trim().split('/');
        let max: i32 = parts
            .next()
            .and_then(|m| m.trim().parse().ok())
            .filter(|m| *m >= 1)
            .ok_or_else(bad)?;
        let window = parts.next().and_then(parse_duration).ok_or_else(bad)?;
        let block = match parts.next() {
            None => window,
            Some(b) => parse_duration(b).ok_or_else(bad)?,
        };
        if parts.next().is_some() {
            return Err(bad());
        }
        Ok(Limit { max, window, block })
    }

    fn seconds(&self, name: &str, default: u64) -> Result<Duration, ConfigError> {
        let secs: u64 = self.parse(name, default)?;
        if secs == 0 {
            return Err(err(name, "must be a positive number of seconds"));
        }
        Ok(Duration::from_secs(secs))
    }
}

/// Every variable the program reads; used to refuse unknown keys in the config file.
const KNOWN: &[&str] = &[
    "PORTAL_DATABASE_URL",
    "PORTAL_DATABASE_POOL_SIZE",
    "PORTAL_DATABASE_TIMEOUT",
    "PORTAL_ACCOUNT_DELETION_GRACE_DAYS",
    "PORTAL_CORS_ORIGINS",
    "PORTAL_BIND",
    "PORTAL_PUBLIC_URL",
    "PORTAL_PROFILE",
    "PORTAL_NAME",
    "PORTAL_SUPPORT_EMAIL",
    "PORTAL_DATA_DIR",
    "PORTAL_SMTP_URL",
    "PORTAL_MAIL_FROM",
    "PORTAL_MAIL_DIR",
    "PORTAL_MAIL_CONSOLE",
    "PORTAL_CAPTCHA",
    "PORTAL_CAPTCHA_SITE_KEY",
    "PORTAL_CAPTCHA_SECRET",
    "PORTAL_CAPTCHA_VERIFY_URL",
    "PORTAL_CAPTCHA_POW_DIFFICULTY",
    "PORTAL_PASSWORD_MIN_LENGTH",
    "PORTAL_PASSWORD_MAX_LENGTH",
    "PORTAL_PASSWORD_REQUIRE_UPPERCASE",
    "PORTAL_PASSWORD_REQUIRE_LOWERCASE",
    "PORTAL_PASSWORD_REQUIRE_DIGIT",
    "PORTAL_PASSWORD_REQUIRE_SYMBOL",
    "PORTAL_PASSWORD_REJECT_COMMON",
    "PORTAL_CORPORATE_EMAIL_ONLY",
    "PORTAL_DEFAULT_PHONE_REGION",
    "PORTAL_ARGON2_MEMORY_KIB",
    "PORTAL_ARGON2_ITERATIONS",
    "PORTAL_ARGON2_PARALLELISM",
    "PORTAL_HASH_WORKERS",
    "PORTAL_HASH_QUEUE",
    "PORTAL_HASH_MAX_WAIT_MS",
    "PORTAL_JWT_KEY_FILE",
    "PORTAL_JWT_AUDIENCE",
    "PORTAL_ACCESS_TOKEN_TTL",
    "PORTAL_REFRESH_TOKEN_TTL",
    "PORTAL_SESSION_TTL",
    "PORTAL_SECRET_KEY",
    "PORTAL_WEB_DIR",
    "PORTAL_TRUST_FORWARDED_FOR",
    "PORTAL_TRUSTED_PROXIES",
    "PORTAL_CAPTCHA_AFTER_FAILURES",
    "PORTAL_THROTTLE_SIGN_IN_PER_ACCOUNT",
    "PORTAL_THROTTLE_SIGN_IN_PER_CLIENT",
    "PORTAL_THROTTLE_DEVICE_CODES_PER_ACCOUNT",
    "PORTAL_THROTTLE_MFA_CODES_PER_ACCOUNT",
    "PORTAL_THROTTLE_REAUTH_PER_ACCOUNT",
    "PORTAL_THROTTLE_RESEND_INTERVAL",
    "PORTAL_THROTTLE_RESEND_PER_HOUR",
    "PORTAL_THROTTLE_EMAIL_REQUESTS_PER_CLIENT",
    "PORTAL_THROTTLE_BAD_TOKENS_PER_CLIENT",
    "PORTAL_THROTTLE_RESETS_PER_ADDRESS",
    "PORTAL_THROTTLE_RESETS_PER_CLIENT",
    "PORTAL_THROTTLE_INVITATIONS_PER_ORGANIZATION",
    "PORTAL_THROTTLE_INVITATIONS_PER_ADDRESS",
    "PORTAL_THROTTLE_PERSONAL_TOKEN_REQUESTS",
    "PORTAL_PROVISIONER",
    "PORTAL_PROVISION_DELAY_SECONDS",
    "PORTAL_PROVISION_FAILURE_RATE",
    "PORTAL_PROVISIONER_WEBHOOK_URL",
    "PORTAL_PROVISIONER_WEBHOOK_SECRET",
    "PORTAL_LOG_FORMAT",
    "PORTAL_OTLP_ENDPOINT",
    "PORTAL_OTLP_HEADERS",
    "PORTAL_OTLP_INTERVAL",
    "PORTAL_OTLP_SERVICE_NAME",
];

/// The throttles an operator can tune; the defaults are the limits the product ships with.
#[derive(Debug, Clone, Copy)]
pub struct Throttles {
    pub sign_in_per_account: Limit,
    pub sign_in_per_client: Limit,
    pub device_codes_per_account: Limit,
    pub mfa_codes_per_account: Limit,
    pub reauth_per_account: Limit,
    pub resend_interval: Limit,
    pub resend_per_hour: Limit,
    pub email_requests_per_client: Limit,
    pub bad_tokens_per_client: Limit,
    pub resets_per_address: Limit,
    pub resets_per_client: Limit,
    pub invitations_per_organization: Limit,
    pub invitations_per_address: Limit,
    /// Requests with one personal access token.
    pub personal_token_requests: Limit,
    /// Failed sign-ins of an account after which a captcha is asked for.
    pub captcha_after_failures: i32,
}

impl Default for Throttles {
    fn default() -> Self {
        Self {
            sign_in_per_account: throttle::SIGN_IN_PER_ACCOUNT,
            sign_in_per_client: throttle::SIGN_IN_PER_CLIENT,
            device_codes_per_account: throttle::DEVICE_CODES_PER_ACCOUNT,
            mfa_codes_per_account: throttle::MFA_CODES_PER_ACCOUNT,
            reauth_per_account: throttle::REAUTH_PER_ACCOUNT,
            resend_interval: throttle::RESEND_INTERVAL,
            resend_per_hour: throttle::RESEND_PER_HOUR,
            email_requests_per_client: throttle::EMAIL_REQUESTS_PER_CLIENT,
            bad_tokens_per_client: throttle::BAD_TOKENS_PER_CLIENT,
            resets_per_address: throttle::RESETS_PER_ADDRESS,
            resets_per_client: throttle::RESETS_PER_CLIENT,
            invitations_per_organization: throttle::INVITATIONS_PER_ORGANIZATION,
            invitations_per_address: throttle::INVITATIONS_PER_ADDRESS,
            personal_token_requests: crate::services::personal_tokens::REQUESTS_PER_TOKEN,
            captcha_after_failures: throttle::CAPTCHA_AFTER_FAILURES,
        }
    }
}

impl Throttles {
    fn from_source(src: &Source) -> Result<Self, ConfigError> {
        let d = Self::default();
        let t = Self {
            sign_in_per_account: src
                .limit("PORTAL_THROTTLE_SIGN_IN_PER_ACCOUNT", d.sign_in_per_account)?,
            sign_in_per_client: src
                .limit("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", d.sign_in_per_client)?,
            device_codes_per_account: src.limit(
                "PORTAL_THROTTLE_DEVICE_CODES_PER_ACCOUNT",
                d.device_codes_per_account,
            )?,
            mfa_codes_per_account: src.limit(
                "PORTAL_THROTTLE_MFA_CODES_PER_ACCOUNT",
                d.mfa_codes_per_account,
            )?,
            reauth_per_account: src
                .limit("PORTAL_THROTTLE_REAUTH_PER_ACCOUNT", d.reauth_per_account)?,
            resend_interval: src.limit("PORTAL_THROTTLE_RESEND_INTERVAL", d.resend_interval)?,
            resend_per_hour: src.limit("PORTAL_THROTTLE_RESEND_PER_HOUR", d.resend_per_hour)?,
            email_requests_per_client: src.limit(
                "PORTAL_THROTTLE_EMAIL_REQUESTS_PER_CLIENT",
                d.email_requests_per_client,
            )?,
            bad_tokens_per_client: src.limit(
                "PORTAL_THROTTLE_BAD_TOKENS_PER_CLIENT",
                d.bad_tokens_per_client,
            )?,
            resets_per_address: src
                .limit("PORTAL_THROTTLE_RESETS_PER_ADDRESS", d.resets_per_address)?,
            resets_per_client: src
                .limit("PORTAL_THROTTLE_RESETS_PER_CLIENT", d.resets_per_client)?,
            invitations_per_organization: src.limit(
                "PORTAL_THROTTLE_INVITATIONS_PER_ORGANIZATION",
                d.invitations_per_organization,
            )?,
            invitations_per_address: src.limit(
                "PORTAL_THROTTLE_INVITATIONS_PER_ADDRESS",
                d.invitations_per_address,
            )?,
            personal_token_requests: src.limit(
                "PORTAL_THROTTLE_PERSONAL_TOKEN_REQUESTS",
                d.personal_token_requests,
            )?,
            captcha_after_failures: src
                .parse("PORTAL_CAPTCHA_AFTER_FAILURES", d.captcha_after_failures)?,
        };
        if t.captcha_after_failures < 1 {
            return Err(err("PORTAL_CAPTCHA_AFTER_FAILURES", "must be at least 1"));
        }
        // Second-factor guessing must stay far below what brute force needs (RFC 6238 §5.2,
        // NIST SP 800-63B-4 §3.2.2: no more than 100 consecutive failures).
        for (name, limit) in [
            ("PORTAL_THROTTLE_SIGN_IN_PER_ACCOUNT", t.sign_in_per_account),
            (
                "PORTAL_THROTTLE_DEVICE_CODES_PER_ACCOUNT",
                t.device_codes_per_account,
            ),
            (
                "PORTAL_THROTTLE_MFA_CODES_PER_ACCOUNT",
                t.mfa_codes_per_account,
            ),
            ("PORTAL_THROTTLE_REAUTH_PER_ACCOUNT", t.reauth_per_account),
        ] {
            if limit.max > 100 {
                return Err(err(
                    name,
                    "at most 100 failures per window (NIST SP 800-63B-4 §3.2.2)",
                ));
            }
        }
        Ok(t)
    }
}

impl Settings {
    /// Reads the optional file named by `PORTAL_CONFIG`, then the environment.
    pub fn load() -> Result<Self, ConfigError> {
        let mut values = BTreeMap::new();
        if let Ok(path) = std::env::var("PORTAL_CONFIG") {
            values.extend(read_file(&path)?);
        }
        for (key, value) in std::env::vars() {
            if key.starts_with("PORTAL_") && key != "PORTAL_CONFIG" {
                values.insert(key, value);
            }
        }
        Self::from_map(values)
    }

    /// Builds settings from explicit values (tests and embedding), on top of the defaults.
    pub fn from_map(values: BTreeMap<String, String>) -> Result<Self, ConfigError> {
        let src = Source(values);

        let data_dir = PathBuf::from(src.string("PORTAL_DATA_DIR", "data"));
        let default_db = format!("sqlite://{}", data_dir.join("portal.db").display());
        let database_url = src.string("PORTAL_DATABASE_URL", &default_db);
        let database =
            DatabaseTarget::parse(&database_url).map_err(|m| err("PORTAL_DATABASE_URL", m))?;
        let default_pool = match database {
            DatabaseTarget::Sqlite(_) => 4,
            DatabaseTarget::Postgres(_) => 16,
        };
        let database_pool_size: u32 = src.parse("PORTAL_DATABASE_POOL_SIZE", default_pool)?;
        if database_pool_size == 0 {
            return Err(err("PORTAL_DATABASE_POOL_SIZE", "must be at least 1"));
        }
        let database_timeout = src.seconds("PORTAL_DATABASE_TIMEOUT", 2)?;
        let mut cors_origins = Vec::new();
        for raw in src
            .string("PORTAL_CORS_ORIGINS", "")
            .split(',')
            .map(str::trim)
            .filter(|o| !o.is_empty())
        {
            let origin = url::Url::parse(raw)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .filter(|u| u.path() == "/" && u.query().is_none() && u.fragment().is_none())
                .map(|u| u.origin().ascii_serialization())
                .filter(|o| o.eq_ignore_ascii_case(raw.trim_end_matches('/')))
                .ok_or_else(|| {
                    err(
                        "PORTAL_CORS_ORIGINS",
                        format!("{raw:?} is not an origin like https://app.example.com"),
                    )
                })?;
            cors_origins.push(origin);
        }
        let account_deletion_grace_days: u32 =
            src.parse("PORTAL_ACCOUNT_DELETION_GRACE_DAYS", 30)?;
        if account_deletion_grace_days == 0 {
            return Err(err(
                "PORTAL_ACCOUNT_DELETION_GRACE_DAYS",
                "must be at least 1 day",
            ));
        }

        let bind: SocketAddr =
            src.parse("PORTAL_BIND", SocketAddr::from(([127, 0, 0, 1], 8080)))?;
        let default_public = format!("http://{bind}");
        let public_raw = src.string("PORTAL_PUBLIC_URL", &default_public);
        let public_url = url::Url::parse(public_raw.trim_end_matches('/'))
            .map_err(|e| err("PORTAL_PUBLIC_URL", format!("not a URL: {e}")))?;
        if !matches!(public_url.scheme(), "http" | "https") || public_url.host().is_none() {
            return Err(err(
                "PORTAL_PUBLIC_URL",
                "must be an http:// or https:// URL",
            ));
        }

        let profile = match src
            .string("PORTAL_PROFILE", "ai")
            .to_ascii_lowercase()
            .as_str()
        {
            "ai" => Profile::Ai,
            "cloud" => Profile::Cloud,
            other => {
                return Err(err(
                    "PORTAL_PROFILE",
                    format!("expected ai or cloud, got {other:?}"),
                ))
            }
        };
        let default_name = match profile {
            Profile::Ai => "Service Portal AI",
            Profile::Cloud => "Service Portal Cloud",
        };
        let portal_name = src.string("PORTAL_NAME", default_name);
        if portal_name.trim().is_empty() || portal_name.len() > 80 {
            return Err(err("PORTAL_NAME", "must be 1 to 80 characters"));
        }

        let mail_from = src.string(
            "PORTAL_MAIL_FROM",
            &format!("{portal_name} <no-reply@localhost>"),
        );
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(err(
                "PORTAL_MAIL_FROM",
                "must be an address such as \"Portal <no-reply@example.com>\"",
            ));
        }
        let support_email = src.string("PORTAL_SUPPORT_EMAIL", "support@localhost");
        let smtp_url = src.get("PORTAL_SMTP_URL").map(str::to_owned);
        if let Some(url) = &smtp_url {
            let parsed = url::Url::parse(url).map_err(|_| {
                err(
                    "PORTAL_SMTP_URL",
                    "not a URL (smtp://host:port or smtps://…)",
                )
            })?;
            if !matches!(parsed.scheme(), "smtp" | "smtps") {
                return Err(err(
                    "PORTAL_SMTP_URL",
                    "must start with smtp:// or smtps://",
                ));
            }
        }
        let mail_dir =
            PathBuf::from(src.string("PORTAL_MAIL_DIR", &data_dir.join("mail").to_string_lossy()));
        let mail_console = src.bool("PORTAL_MAIL_CONSOLE", smtp_url.is_none())?;

        let provider: CaptchaProvider = src.parse("PORTAL_CAPTCHA", CaptchaProvider::Pow)?;
        let captcha = CaptchaSettings {
            provider,
            site_key: src.get("PORTAL_CAPTCHA_SITE_KEY").map(str::to_owned),
            secret: src.get("PORTAL_CAPTCHA_SECRET").map(str::to_owned),
            verify_url: src.get("PORTAL_CAPTCHA_VERIFY_URL").map(str::to_owned),
            pow_difficulty: src.parse("PORTAL_CAPTCHA_POW_DIFFICULTY", 16u8)?,
            pow_ttl: Duration::from_secs(300),
        };
        if matches!(
            provider,
            CaptchaProvider::Recaptcha | CaptchaProvider::Hcaptcha | CaptchaProvider::Turnstile
        ) {
            if captcha.secret.is_none() {
                return Err(err(
                    "PORTAL_CAPTCHA_SECRET",
                    "is required for this captcha provider",
                ));
            }
            if captcha.site_key.is_none() {
                return Err(err(
                    "PORTAL_CAPTCHA_SITE_KEY",
                    "is required for this captcha provider",
                ));
            }
        }
        if captcha.pow_difficulty == 0 || captcha.pow_difficulty > 32 {
            return Err(err(
                "PORTAL_CAPTCHA_POW_DIFFICULTY",
                "must be between 1 and 32 bits",
            ));
        }

        let base = match profile {
            Profile::Ai => PasswordPolicy::ai(),
            Profile::Cloud => PasswordPolicy::cloud(),
        };
        let password_policy = PasswordPolicy {
            min_length: src.parse("PORTAL_PASSWORD_MIN_LENGTH", base.min_length)?,
            max_length: src.parse("PORTAL_PASSWORD_MAX_LENGTH", base.max_length)?,
            require_uppercase: src
                .bool("PORTAL_PASSWORD_REQUIRE_UPPERCASE", base.require_uppercase)?,
            require_lowercase: src
                .bool("PORTAL_PASSWORD_REQUIRE_LOWERCASE", base.require_lowercase)?,
            require_digit: src.bool("PORTAL_PASSWORD_REQUIRE_DIGIT", base.require_digit)?,
            require_symbol: src.bool("PORTAL_PASSWORD_REQUIRE_SYMBOL", base.require_symbol)?,
            reject_common: src.bool("PORTAL_PASSWORD_REJECT_COMMON", base.reject_common)?,
            reject_personal_info: base.reject_personal_info,
        };
        if password_policy.min_length < 8 {
            return Err(err(
                "PORTAL_PASSWORD_MIN_LENGTH",
                "must be at least 8 (NIST SP 800-63B)",
            ));
        }
        if password_policy.max_length < 64 || password_policy.max_length > 1024 {
            return Err(err(
                "PORTAL_PASSWORD_MAX_LENGTH",
                "must be between 64 and 1024",
            ));
        }
        if password_policy.max_length < password_policy.min_length {
            return Err(err(
                "PORTAL_PASSWORD_MAX_LENGTH",
                "must not be below the minimum length",
            ));
        }
        let corporate_email_only =
            src.bool("PORTAL_CORPORATE_EMAIL_ONLY", profile == Profile::Cloud)?;
        let default_phone_region = match src.get("PORTAL_DEFAULT_PHONE_REGION") {
            None => None,
            Some(r) if r.len() == 2 && r.chars().all(|c| c.is_ascii_alphabetic()) => {
                Some(r.to_ascii_uppercase())
            }
            Some(r) => {
                return Err(err(
                    "PORTAL_DEFAULT_PHONE_REGION",
                    format!("expected a two-letter country code, got {r:?}"),
                ))
            }
        };

        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let hash = HashSettings {
            memory_kib: src.parse("PORTAL_ARGON2_MEMORY_KIB", 19 * 1024)?,
            iterations: src.parse("PORTAL_ARGON2_ITERATIONS", 2)?,
            parallelism: src.parse("PORTAL_ARGON2_PARALLELISM", 1)?,
            workers: src.parse("PORTAL_HASH_WORKERS", cores)?,
            queue: src.parse("PORTAL_HASH_QUEUE", cores)?,
            max_wait: std::time::Duration::from_millis(src.parse("PORTAL_HASH_MAX_WAIT_MS", 100)?),
        };
        if argon2::Params::new(hash.memory_kib, hash.iterations, hash.parallelism, None).is_err() {
            return Err(err(
                "PORTAL_ARGON2_MEMORY_KIB",
                "the argon2 parameters are out of range",
            ));
        }
        if hash.workers == 0 {
            return Err(err("PORTAL_HASH_WORKERS", "must be at least 1"));
        }

        let throttles = Throttles::from_source(&src)?;

        let secret_key = match src.get("PORTAL_SECRET_KEY") {
            None => None,
            Some(hex_key) => {
                let bytes = hex::decode(hex_key.trim()).map_err(|_| {
                    err(
                        "PORTAL_SECRET_KEY",
                        "must be 64 hexadecimal characters (32 bytes)",
                    )
                })?;
                let key = <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| {
                    err(
                        "PORTAL_SECRET_KEY",
                        "must be 64 hexadecimal characters (32 bytes)",
                    )
                })?;
                // The all-zero example (or any one byte repeated) is no secret.
                if key.iter().all(|b| *b == key[0]) {
                    return Err(err(
                        "PORTAL_SECRET_KEY",
                        "is a placeholder (one byte repeated): generate a key with \
                         `openssl rand -hex 32`",
                    ));
                }
                Some(key)
            }
        };

        let access_token_ttl = src.seconds("PORTAL_ACCESS_TOKEN_TTL", 900)?;
        if access_token_ttl > Duration::from_secs(3600) {
            return Err(err(
                "PORTAL_ACCESS_TOKEN_TTL",
                "must be at most 3600 seconds",
            ));
        }

        let web_dir = match src.get("PORTAL_WEB_DIR") {
            Some(dir) => Some(PathBuf::from(dir)),
            None => Some(PathBuf::from("web/dist")).filter(|p| p.join("index.html").is_file()),
        };

        let provisioner = match src.string("PORTAL_PROVISIONER", "simulated").as_str() {
            "simulated" => Provisioner::Simulated,
            "webhook" => Provisioner::Webhook,
            other => {
                return Err(err(
                    "PORTAL_PROVISIONER",
                    format!("expected simulated or webhook, got {other:?}"),
                ))
            }
        };
        let provision_delay =
            Duration::from_secs(src.parse("PORTAL_PROVISION_DELAY_SECONDS", 5u64)?);
        if provision_delay > Duration::from_secs(24 * 3600) {
            return Err(err(
                "PORTAL_PROVISION_DELAY_SECONDS",
                "must be at most 86400 seconds",
            ));
        }
        let provision_failure_rate: f64 = src.parse("PORTAL_PROVISION_FAILURE_RATE", 0.0)?;
        if !(0.0..=1.0).contains(&provision_failure_rate) {
            return Err(err(
                "PORTAL_PROVISION_FAILURE_RATE",
                "must be a number from 0.0 to 1.0",
            ));
        }
        let provisioner_webhook_url = match src.get("PORTAL_PROVISIONER_WEBHOOK_URL") {
            None => None,
            Some(raw) => {
                let url = url::Url::parse(raw.trim()).map_err(|e| {
                    err("PORTAL_PROVISIONER_WEBHOOK_URL", format!("not a URL: {e}"))
                })?;
                if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
                    return Err(err(
                        "PORTAL_PROVISIONER_WEBHOOK_URL",
                        "must be an http:// or https:// URL",
                    ));
                }
                Some(url)
            }
        };
        let provisioner_webhook_secret = src
            .get("PORTAL_PROVISIONER_WEBHOOK_SECRET")
            .map(str::to_owned);
        if provisioner == Provisioner::Webhook {
            if provisioner_webhook_url.is_none() {
                return Err(err(
                    "PORTAL_PROVISIONER_WEBHOOK_URL",
                    "is required with PORTAL_PROVISIONER=webhook",
                ));
            }
            match &provisioner_webhook_secret {
                None => {
                    return Err(err(
                        "PORTAL_PROVISIONER_WEBHOOK_SECRET",
                        "is required with PORTAL_PROVISIONER=webhook",
                    ))
                }
                Some(secret) if secret.len() < 16 => {
                    return Err(err(
                        "PORTAL_PROVISIONER_WEBHOOK_SECRET",
                        "must be at least 16 characters",
                    ))
                }
                Some(_) => {}
            }
        }
        let log_format = match src.string("PORTAL_LOG_FORMAT", "text").as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(err(
                    "PORTAL_LOG_FORMAT",
                    format!("expected text or json, got {other:?}"),
                ))
            }
        };

        Ok(Self {
            database,
            database_pool_size,
            database_timeout,
            account_deletion_grace_days,
            cors_origins,
            bind,
            public_url,
            profile,
            portal_name,
            support_email,
            data_dir,
            smtp_url,
            mail_from,
            mail_dir,
            mail_console,
            captcha,
            password_policy,
            corporate_email_only,
            default_phone_region,
            hash,
            jwt_key_file: src.get("PORTAL_JWT_KEY_FILE").map(PathBuf::from),
            jwt_audience: src.string("PORTAL_JWT_AUDIENCE", "portal-api"),
            access_token_ttl,
            refresh_token_ttl: src.seconds("PORTAL_REFRESH_TOKEN_TTL", 14 * 24 * 3600)?,
            session_ttl: src.seconds("PORTAL_SESSION_TTL", 30 * 24 * 3600)?,
            secret_key,
            web_dir,
            trusted_proxies: trusted_proxies(&src)?,
            throttles,
            provisioner,
            provision_delay,
            provision_failure_rate,
            provisioner_webhook_url,
            provisioner_webhook_secret,
            log_format,
            otlp: otlp(&src)?,
        })
    }

    /// The issuer (`iss`) of access tokens: the public URL without a trailing slash.
    pub fn issuer(&self) -> String {
        self.public_url.as_str().trim_end_matches('/').to_owned()
    }

    /// A link under the public URL (for emails).
    pub fn link(&self, path_and_query: &str) -> String {
        format!("{}{}", self.issuer(), path_and_query)
    }
}

/// `90s`, `15m`, `1h`, `1d` or plain seconds; at least one second, at most 30 days.
fn parse_duration(raw: &str) -> Option<Duration> {
    let raw = raw.trim();
    let (number, unit) = match raw.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((i, _)) => raw.split_at(i),
        None => (raw, "s"),
    };
    let n: u64 = number.parse().ok()?;
    let seconds = n.checked_mul(match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return None,
    })?;
    (1..=30 * 86_400)
        .contains(&seconds)
        .then(|| Duration::from_secs(seconds))
}

/// `PORTAL_OTLP_ENDPOINT` and its companions; `None` when no endpoint is set.
fn otlp(src: &Source) -> Result<Option<OtlpSettings>, ConfigError> {
    const ENDPOINT: &str = "PORTAL_OTLP_ENDPOINT";
    const HEADERS: &str = "PORTAL_OTLP_HEADERS";
    let Some(raw) = src.get(ENDPOINT) else {
        return Ok(None);
    };
    let mut traces_url = url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .filter(|u| u.query().is_none() && u.fragment().is_none())
        .ok_or_else(|| {
            err(
                ENDPOINT,
                "expected the collector's OTLP/HTTP base URL, like http://collector:4318",
            )
        })?;
    let path = format!("{}/v1/traces", traces_url.path().trim_end_matches('/'));
    traces_url.set_path(&path);
    let mut headers = Vec::new();
    for pair in src
        .string(HEADERS, "")
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        // The value is not quoted back: it is usually a credential.
        let bad = || err(HEADERS, "expected key=value pairs separated by commas");
        let (name, value) = pair.split_once('=').ok_or_else(bad)?;
        let value = percent_encoding::percent_decode_str(value.trim())
            .decode_utf8()
            .map_err(|_| bad())?;
        let name = reqwest::header::HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| err(HEADERS, format!("{:?} is not a header name", name.trim())))?;
        let mut value = reqwest::header::HeaderValue::from_str(&value).map_err(|_| bad())?;
        value.set_sensitive(true);
        headers.push((name, value));
    }
    let interval = match src.get("PORTAL_OTLP_INTERVAL") {
        None => Duration::from_secs(5),
        Some(raw) => parse_duration(raw)
            .filter(|d| *d <= Duration::from_secs(60))
            .ok_or_else(|| {
                err(
                    "PORTAL_OTLP_INTERVAL",
                    format!("expected a duration from 1s to 60s, got {raw:?}"),
                )
            })?,
    };
    Ok(Some(OtlpSettings {
        traces_url,
        headers,
        interval,
        service_name: src.string("PORTAL_OTLP_SERVICE_NAME", "service-portal"),
    }))
}

/// `PORTAL_TRUSTED_PROXIES`: comma-separated addresses or networks (`10.0.0.0/8`, `::1`).
fn trusted_proxies(src: &Source) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    const NAME: &str = "PORTAL_TRUSTED_PROXIES";
    if src.get("PORTAL_TRUST_FORWARDED_FOR").is_some() {
        return Err(err(
            "PORTAL_TRUST_FORWARDED_FOR",
            "was replaced by PORTAL_TRUSTED_PROXIES: list the addresses or networks of the proxies \
             in front of the portal (e.g. 10.0.0.0/8,127.0.0.1)",
        ));
    }
    let Some(raw) = src.get(NAME) else {
        return Ok(Vec::new());
    };
    raw.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<ipnet::IpNet>()
                .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| err(NAME, format!("{p:?} is not an address or network")))
        })
        .collect()
}

fn read_file(path: &str) -> Result<BTreeMap<String, String>, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| err("PORTAL_CONFIG", format!("cannot read {path}: {e}")))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| err("PORTAL_CONFIG", format!("{path} is not valid TOML: {e}")))?;
    let mut out = BTreeMap::new();
    for (key, value) in table {
        let name = format!("PORTAL_{}", key.to_ascii_uppercase());
        if !KNOWN.contains(&name.as_str()) {
            return Err(err(
                "PORTAL_CONFIG",
                format!("{path}: unknown setting {key:?}"),
            ));
        }
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            other => {
                return Err(err(
                    &name,
                    format!("{path}: expected a string, number or boolean, got {other}"),
                ))
            }
        };
        out.insert(name, text);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        Settings::from_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn defaults_run_the_ai_profile_on_sqlite() {
        let s = with(&[]).unwrap();
        assert_eq!(s.profile, Profile::Ai);
        assert_eq!(s.password_policy.min_length, 14);
        assert!(matches!(s.database, DatabaseTarget::Sqlite(_)));
        assert_eq!(s.bind.port(), 8080);
    }

    #[test]
    fn a_mistyped_database_url_names_the_variable() {
        let e = with(&[("PORTAL_DATABASE_URL", "postgress://x")]).unwrap_err();
        assert_eq!(e.variable, "PORTAL_DATABASE_URL");
    }

    #[test]
    fn the_cloud_profile_wants_corporate_email_and_eight_characters() {
        let s = with(&[("PORTAL_PROFILE", "cloud")]).unwrap();
        assert!(s.corporate_email_only);
        assert_eq!(s.password_policy.min_length, 8);
    }

    #[test]
    fn the_webhook_provisioner_needs_a_url_and_a_secret() {
        let e = with(&[("PORTAL_PROVISIONER", "webhook")]).unwrap_err();
        assert_eq!(e.variable, "PORTAL_PROVISIONER_WEBHOOK_URL");
        let url = (
            "PORTAL_PROVISIONER_WEBHOOK_URL",
            "https://operator.example/provision",
        );
        let e = with(&[("PORTAL_PROVISIONER", "webhook"), url]).unwrap_err();
        assert_eq!(e.variable, "PORTAL_PROVISIONER_WEBHOOK_SECRET");
        let secret = ("PORTAL_PROVISIONER_WEBHOOK_SECRET", "0123456789abcdef0123");
        let s = with(&[("PORTAL_PROVISIONER", "webhook"), url, secret]).unwrap();
        assert_eq!(s.provisioner, Provisioner::Webhook);
        assert!(!format!("{s:?}").contains("0123456789abcdef0123"));
    }

    #[test]
    fn the_simulated_provisioner_defaults_to_five_seconds_and_no_failures() {
        let s = with(&[]).unwrap();
        assert_eq!(s.provisioner, Provisioner::Simulated);
        assert_eq!(s.provision_delay, Duration::from_secs(5));
        assert_eq!(s.provision_failure_rate, 0.0);
    }

    #[test]
    fn bad_values_are_refused_with_their_variable() {
        for (k, v) in [
            ("PORTAL_PROFILE", "gold"),
            ("PORTAL_CAPTCHA", "maybe"),
            ("PORTAL_BIND", "nowhere"),
            ("PORTAL_PUBLIC_URL", "ftp://x"),
            ("PORTAL_SECRET_KEY", "abc"),
            ("PORTAL_PASSWORD_MIN_LENGTH", "4"),
            ("PORTAL_MAIL_CONSOLE", "perhaps"),
            ("PORTAL_PROVISION_FAILURE_RATE", "1.5"),
            ("PORTAL_PROVISION_DELAY_SECONDS", "-1"),
            ("PORTAL_PROVISIONER_WEBHOOK_URL", "ftp://operator"),
        ] {
            let e = with(&[(k, v)]).unwrap_err();
            assert_eq!(e.variable, k, "{k}={v}");
        }
    }

    #[test]
    fn throttles_default_to_the_shipped_limits_and_can_be_set() {
        let t = with(&[]).unwrap().throttles;
        assert_eq!(t.email_requests_per_client.max, 30);
        assert_eq!(
            t.email_requests_per_client.window,
            Duration::from_secs(3600)
        );
        assert_eq!(t.captcha_after_failures, 3);
        let t = with(&[
            ("PORTAL_THROTTLE_EMAIL_REQUESTS_PER_CLIENT", "500/1h"),
            ("PORTAL_THROTTLE_SIGN_IN_PER_ACCOUNT", "10/30m/1h"),
            ("PORTAL_THROTTLE_RESEND_INTERVAL", "1/90"),
            ("PORTAL_CAPTCHA_AFTER_FAILURES", "5"),
        ])
        .unwrap()
        .throttles;
        assert_eq!(t.email_requests_per_client.max, 500);
        assert_eq!(t.email_requests_per_client.block, Duration::from_secs(3600));
        assert_eq!(t.sign_in_per_account.window, Duration::from_secs(1800));
        assert_eq!(t.sign_in_per_account.block, Duration::from_secs(3600));
        assert_eq!(t.resend_interval.window, Duration::from_secs(90));
        assert_eq!(t.captcha_after_failures, 5);
    }

    #[test]
    fn bad_throttles_are_refused_with_their_variable() {
        for (key, value) in [
            ("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", "30"),
            ("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", "0/1h"),
            ("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", "30/1w"),
            ("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", "30/1h/1h/1h"),
            ("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", "30/0s"),
            ("PORTAL_THROTTLE_SIGN_IN_PER_CLIENT", "30/31d"),
            ("PORTAL_THROTTLE_MFA_CODES_PER_ACCOUNT", "1000/15m"),
            ("PORTAL_CAPTCHA_AFTER_FAILURES", "0"),
        ] {
            let e = with(&[(key, value)]).unwrap_err();
            assert!(e.to_string().contains(key), "{key}={value}: {e}");
        }
    }

    #[test]
    fn trusted_proxies_are_addresses_or_networks() {
        assert!(with(&[]).unwrap().trusted_proxies.is_empty());
        let s = with(&[("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1,::1")]).unwrap();
        let nets: Vec<String> = s.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(nets, ["10.0.0.0/8", "127.0.0.1/32", "::1/128"]);
        let e = with(&[("PORTAL_TRUSTED_PROXIES", "10.0.0.0/8,proxy.local")]).unwrap_err();
        assert!(e.to_string().contains("PORTAL_TRUSTED_PROXIES"), "{e}");
        // The old on/off switch is refused with the way forward, never silently ignored.
        let e = with(&[("PORTAL_TRUST_FORWARDED_FOR", "true")]).unwrap_err();
        assert!(e.to_string().contains("PORTAL_TRUSTED_PROXIES"), "{e}");
    }

    #[test]
    fn trace_export_is_off_until_an_endpoint_is_set() {
        assert!(with(&[]).unwrap().otlp.is_none());
        let s = with(&[
            ("PORTAL_OTLP_ENDPOINT", "http://collector:4318/"),
            (
                "PORTAL_OTLP_HEADERS",
                "authorization=Bearer%20k1, x-tenant = acme",
            ),
        ])
        .unwrap();
        let otlp = s.otlp.unwrap();
        assert_eq!(otlp.traces_url.as_str(), "http://collector:4318/v1/traces");
        assert_eq!(otlp.interval, Duration::from_secs(5));
        assert_eq!(otlp.service_name, "service-portal");
        let headers: Vec<(&str, &str)> = otlp
            .headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(
            headers,
            [("authorization", "Bearer k1"), ("x-tenant", "acme")]
        );
        // A path prefix is kept (a collector behind a proxy).
        let s = with(&[("PORTAL_OTLP_ENDPOINT", "https://otel.example/ingest")]).unwrap();
        assert_eq!(
            s.otlp.unwrap().traces_url.as_str(),
            "https://otel.example/ingest/v1/traces"
        );
        for (name, value) in [
            ("PORTAL_OTLP_ENDPOINT", "collector:4318"),
            ("PORTAL_OTLP_ENDPOINT", "ftp://collector"),
            ("PORTAL_OTLP_HEADERS", "just-a-secret-token"),
            ("PORTAL_OTLP_HEADERS", "bad header=x"),
            ("PORTAL_OTLP_INTERVAL", "2m"),
        ] {
            let mut pairs = vec![(name, value)];
            if name != "PORTAL_OTLP_ENDPOINT" {
                pairs.push(("PORTAL_OTLP_ENDPOINT", "http://127.0.0.1:4318"));
            }
            let e = with(&pairs).unwrap_err().to_string();
            assert!(e.contains(name), "{e}");
            assert!(
                !e.contains("just-a-secret-token"),
                "a credential is never echoed: {e}"
            );
        }
    }

    #[test]
    fn every_variable_read_here_is_accepted_in_the_config_file() {
        // Each quoted `PORTAL_…` name in this file is a variable the program reads.
        let source = include_str!("config.rs");
        let mut missing = Vec::new();
        for piece in source.split("\"PORTAL_").skip(1) {
            let Some(end) = piece.find('"') else { continue };
            let name = format!("PORTAL_{}", &piece[..end]);
            let plain = name
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
            if plain && end > 0 && name != "PORTAL_CONFIG" && !KNOWN.contains(&name.as_str()) {
                missing.push(name);
            }
        }
        assert!(missing.is_empty(), "not in KNOWN: {missing:?}");
    }

    #[test]
    fn a_placeholder_secret_key_is_refused() {
        let e = with(&[("PORTAL_SECRET_KEY", &"0".repeat(64))]).unwrap_err();
        assert!(e.to_string().contains("PORTAL_SECRET_KEY"), "{e}");
        let key = "0123456789abcdef".repeat(4);
        assert_eq!(
            with(&[("PORTAL_SECRET_KEY", &key)])
                .unwrap()
                .secret_key
                .unwrap()[1],
            0x23
        );
    }
}
