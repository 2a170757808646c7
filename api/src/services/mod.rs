//! Use cases, one module each. Services take parsed inputs (typed ids, domain types), hold the
//! rules, run each unit of work in one transaction, and return a `thiserror` enum per area that
//! `http` maps to problem details. They never see HTTP.
//!
//! What a service function takes says where it runs:
//! - `&Context` ([`context::Context`]): a use case, called by a handler or a worker; it opens
//!   its own unit of work.
//! - `&mut DbConnection`: a step that runs inside its caller's unit (see `db`) and never begins
//!   or commits a transaction; where a use case has both forms, the step is the one named `_in`
//!   (`legal::publish` and `legal::publish_in`).
//!
//! What runs before there is a `Context` (seeding at start-up, the command line's
//! `create-admin`) opens the unit itself (`Db::write_blocking`) and calls the `_in` step.

pub mod accounts;
pub mod closure;
pub mod context;
pub mod devices;
pub mod email_changes;
pub mod events;
pub mod invitations;
pub mod legal;
pub mod mfa;
pub mod notices;
pub mod oauth;
pub mod onboarding;
pub mod organizations;
pub mod passwords;
pub mod personal_tokens;
pub mod profile;
pub mod projects;
pub mod sales;
pub mod sessions;
pub mod signin;
pub mod signup;
pub mod staff;
pub mod teams;
pub mod throttle;
pub mod verification;

pub use context::Context;

use sha2::{Digest, Sha256};

/// What is known about the caller's client, for records and throttling.
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// Preferred language from `Accept-Language` (`en` or `id`).
    pub language: Option<String>,
}

impl ClientInfo {
    /// The user agent, bounded for storage.
    pub fn user_agent(&self) -> Option<String> {
        self.user_agent
            .as_ref()
            .map(|ua| ua.chars().take(512).collect())
    }
}

/// A stable, non-reversible key for a normalized email (throttles keyed by address must not store it).
pub fn email_key(normalized: &str) -> String {
    hex::encode(&Sha256::digest(normalized.as_bytes())[..16])
}

/// A short human description of a user agent ("Chrome on Linux"), for device lists and emails.
pub fn describe_user_agent(ua: Option<&str>) -> String {
    let Some(ua) = ua else {
        return "Unknown device".to_owned();
    };
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("OPR/") {
        "Opera"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.starts_with("curl/") {
        "curl"
    } else {
        "API client"
    };
    let os = if ua.contains("Android") {
        Some("Android")
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        Some("iOS")
    } else if ua.contains("Windows") {
        Some("Windows")
    } else if ua.contains("Mac OS X") || ua.contains("Macintosh") {
        Some("macOS")
    } else if ua.contains("Linux") {
        Some("Linux")
    } else {
        None
    };
    match os {
        Some(os) => format!("{browser} on {os}"),
        None => browser.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_agents_are_described_briefly() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36";
        assert_eq!(describe_user_agent(Some(chrome)), "Chrome on Linux");
        assert_eq!(describe_user_agent(Some("curl/8.5.0")), "curl");
        assert_eq!(describe_user_agent(None), "Unknown device");
    }
}
