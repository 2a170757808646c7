//! An example program that uses Service Portal's API the way a CLI should: it signs in by the
//! OAuth 2.0 Device Authorization Grant (RFC 8628) — asking for a device code, showing the
//! person a short code and a link, polling the token endpoint at the interval the portal asks
//! for (slower after `slow_down`) until the person approves in the browser — and then lists the
//! person's organizations and projects with the access token, within the scopes it asked for.
//! Finally it revokes its refresh token (RFC 7009), as a CLI's `logout` would.
//!
//! It checks the portal's metadata (RFC 8414) for the device grant, and calls the endpoints at
//! the base URL it was given (the metadata names them at the portal's public address, which a
//! program on the operator's own network may reach differently).

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

/// What to sign in to, as whom.
#[derive(Debug, Clone)]
pub struct Options {
    pub base_url: String,
    pub client_id: String,
    pub scope: String,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            base_url: "http://127.0.0.1:8080".into(),
            client_id: "portal".into(),
            scope: "organizations:read projects:read".into(),
        }
    }
}

/// The codes to show the person (RFC 8628 §3.2).
#[derive(Debug, Clone, Deserialize)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: String,
    pub expires_in: u64,
    pub interval: u64,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    grant_types_supported: Vec<String>,
}

const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

#[derive(Debug, Deserialize)]
struct Tokens {
    access_token: String,
    refresh_token: String,
}

/// An organization and the names and statuses of its projects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub organizations: Vec<(String, Vec<(String, String)>)>,
}

impl Listing {
    /// As the program prints it.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for (organization, projects) in &self.organizations {
            out.push_str(&format!("{organization}\n"));
            if projects.is_empty() {
                out.push_str("  (no projects)\n");
            }
            for (name, status) in projects {
                out.push_str(&format!("  {name}  [{status}]\n"));
            }
        }
        out
    }
}

fn error(what: &str, e: impl std::fmt::Display) -> String {
    format!("{what}: {e}")
}

/// Signs in by device code (calling `show` with the codes to show the person), lists the
/// organizations and projects, and signs out.
pub async fn run(options: &Options, show: impl FnOnce(&DeviceCode)) -> Result<Listing, String> {
    let http = reqwest::Client::builder()
        .user_agent(concat!("portal-device-login/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| error("http client", e))?;
    let base = options.base_url.trim_end_matches('/');
    let meta: Metadata = http
        .get(format!("{base}/.well-known/oauth-authorization-server"))
        .send()
        .await
        .map_err(|e| error("metadata", e))?
        .json()
        .await
        .map_err(|e| error("metadata", e))?;
    if !meta.grant_types_supported.iter().any(|g| g == DEVICE_GRANT) {
        return Err("this portal does not offer sign-in by device code".into());
    }

    // 1. The device code.
    let res = http
        .post(format!("{base}/v1/oauth/device_authorization"))
        .form(&[
            ("client_id", options.client_id.as_str()),
            ("scope", options.scope.as_str()),
        ])
        .send()
        .await
        .map_err(|e| error("device authorization", e))?;
    if !res.status().is_success() {
        let body: Value = res.json().await.unwrap_or_default();
        return Err(format!(
            "device authorization refused: {}",
            body["error_description"]
        ));
    }
    let code: DeviceCode = res
        .json()
        .await
        .map_err(|e| error("device authorization", e))?;
    show(&code);

    // 2. Poll until the person decides (RFC 8628 §3.5).
    let mut interval = Duration::from_secs(code.interval.max(1));
    let deadline = std::time::Instant::now() + Duration::from_secs(code.expires_in);
    let tokens: Tokens = loop {
        tokio::time::sleep(interval).await;
        if std::time::Instant::now() > deadline {
            return Err("the code expired before it was approved".into());
        }
        let res = http
            .post(format!("{base}/v1/oauth/token"))
            .form(&[
                ("grant_type", DEVICE_GRANT),
                ("device_code", code.device_code.as_str()),
                ("client_id", options.client_id.as_str()),
            ])
            .send()
            .await
            .map_err(|e| error("token", e))?;
        if res.status().is_success() {
            break res.json().await.map_err(|e| error("token", e))?;
        }
        let body: Value = res.json().await.unwrap_or_default();
        match body["error"].as_str().unwrap_or_default() {
            "authorization_pending" => {}
            "slow_down" => interval += Duration::from_secs(5),
            "access_denied" => return Err("the sign-in was denied".into()),
            "expired_token" => return Err("the code expired before it was approved".into()),
            other => return Err(format!("token request refused: {other}")),
        }
    };

    // 3. Use the access token.
    let get = |path: String| {
        let http = http.clone();
        let token = tokens.access_token.clone();
        async move {
            let res = http
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .map_err(|e| error(&path, e))?;
            if !res.status().is_success() {
                return Err(format!("{path}: {}", res.status()));
            }
            res.json::<Value>().await.map_err(|e| error(&path, e))
        }
    };
    let mut organizations = Vec::new();
    let list = get("/v1/organizations?limit=100".into()).await?;
    for org in list["items"].as_array().cloned().unwrap_or_default() {
        let id = org["id"].as_str().unwrap_or_default();
        let projects = get(format!("/v1/organizations/{id}/projects?limit=100")).await?;
        let projects = projects["items"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(|p| {
                (
                    p["name"].as_str().unwrap_or_default().to_owned(),
                    p["cluster_status"].as_str().unwrap_or("-").to_owned(),
                )
            })
            .collect();
        organizations.push((
            org["name"].as_str().unwrap_or_default().to_owned(),
            projects,
        ));
    }

    // 4. Sign out: the session ends (RFC 7009).
    http.post(format!("{base}/v1/oauth/revoke"))
        .form(&[
            ("token", tokens.refresh_token.as_str()),
            ("token_type_hint", "refresh_token"),
            ("client_id", options.client_id.as_str()),
        ])
        .send()
        .await
        .map_err(|e| error("revocation", e))?;
    Ok(Listing { organizations })
}
