//! The third-party captchas (reCAPTCHA, hCaptcha, Cloudflare Turnstile): the widget's token is
//! posted with our secret to the provider's `siteverify` endpoint.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use serde::Deserialize;

use super::{Captcha, CaptchaError, CaptchaPass, CaptchaProvider};

/// Longest third-party widget token forwarded to its provider (theirs are ≤ 2,048 today).
const MAX_PROVIDER_TOKEN_LEN: usize = 4096;
/// Largest `siteverify` answer read; theirs are a few hundred bytes.
const MAX_SITEVERIFY_BODY: usize = 16 * 1024;
const SITEVERIFY_TIMEOUT: Duration = Duration::from_secs(5);

/// The part of a `siteverify` answer we read (reCAPTCHA, hCaptcha and Turnstile share it).
#[derive(Deserialize)]
struct SiteVerify {
    success: bool,
    #[serde(default, rename = "error-codes")]
    error_codes: Vec<String>,
}

impl Captcha {
    pub(super) async fn verify_remote(
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::super::test_support::*;
    use super::super::*;
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    // Against a stub `siteverify` on loopback.

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
