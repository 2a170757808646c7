//! Small helpers shared by the story modules: reading problem details in full, waiting for (or
//! for the absence of) email, and walking through the sign-in steps.

use std::time::Duration;

use portal_tests::TestApp;
use reqwest::header::HeaderMap;
use reqwest::Response;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

/// A password that meets the `ai` profile and has nothing to do with the test people.
pub const PASSWORD: &str = "Quiet-Harbor-Lantern-42";
/// Long enough for any email the server sends to arrive on a slow machine.
pub const MAIL_WAIT: Duration = Duration::from_secs(10);

/// Someone signed in through the API: the address, the tokens of the session, and the
/// device token that makes this client a trusted device.
#[derive(Clone, Debug)]
pub struct Person {
    pub email: String,
    pub access: String,
    pub refresh: String,
    pub device_token: String,
}

impl Person {
    /// From the token answer of a completed sign-in from a new device (access, refresh and
    /// device tokens, each required).
    pub fn from_tokens(email: &str, tokens: &Value) -> Self {
        let text = |name: &str| {
            tokens[name]
                .as_str()
                .unwrap_or_else(|| panic!("no {name} in {tokens}"))
                .to_owned()
        };
        Self {
            email: email.to_owned(),
            access: text("access_token"),
            refresh: text("refresh_token"),
            device_token: text("device_token"),
        }
    }

    /// A fresh access token (after the test moved the clock past the old one's lifetime).
    pub async fn refresh(&mut self, app: &TestApp) {
        let res = app
            .post(
                "/v1/sessions/refresh",
                &json!({ "refresh_token": self.refresh }),
            )
            .await;
        assert_eq!(res.status(), 200, "refresh: {}", res.text().await.unwrap());
        let tokens: Value = res.json().await.unwrap();
        self.access = tokens["access_token"].as_str().unwrap().to_owned();
        self.refresh = tokens["refresh_token"].as_str().unwrap().to_owned();
    }
}

/// What an error answer carried: its headers and its problem body.
pub struct Problem {
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Problem {
    /// `(field, code)` of every field error, in order.
    pub fn field_errors(&self) -> Vec<(String, String)> {
        self.body["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .map(|e| {
                        (
                            e["field"].as_str().unwrap_or_default().to_owned(),
                            e["code"].as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The codes reported for one field, in order.
    pub fn codes_for(&self, field: &str) -> Vec<String> {
        self.field_errors()
            .into_iter()
            .filter(|(f, _)| f == field)
            .map(|(_, c)| c)
            .collect()
    }

    /// The `Retry-After` header in seconds; panics when it is missing or not a number.
    pub fn retry_after(&self) -> u64 {
        let value = self
            .headers
            .get("retry-after")
            .unwrap_or_else(|| panic!("a Retry-After header: {}", self.text));
        value
            .to_str()
            .unwrap()
            .parse()
            .expect("Retry-After in seconds")
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap().to_owned())
    }
}

/// Asserts a complete RFC 9457 answer: `status`, `application/problem+json`, and `type`,
/// `title`, `status` and `code` members that agree with each other.
pub async fn problem(res: Response, status: u16, code: &str) -> Problem {
    let actual = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    assert_eq!(actual, status, "status, expecting {code}: {text}");
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type:?} for {code}: {text}"
    );
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(body["code"], code, "{text}");
    assert_eq!(body["status"], status, "{text}");
    assert_eq!(
        body["type"],
        format!("urn:service-portal:problem:{code}"),
        "{text}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "a title: {text}"
    );
    Problem {
        headers,
        body,
        text,
    }
}

/// A 422 whose only errors are `expected` (field, code) pairs, in any order.
pub async fn only_field_errors(res: Response, expected: &[(&str, &str)]) -> Problem {
    let p = problem(res, 422, "validation_failed").await;
    let mut actual = p.field_errors();
    actual.sort();
    let mut wanted: Vec<(String, String)> = expected
        .iter()
        .map(|(f, c)| ((*f).to_owned(), (*c).to_owned()))
        .collect();
    wanted.sort();
    assert_eq!(actual, wanted, "{}", p.text);
    for error in p.body["errors"].as_array().unwrap() {
        assert!(
            error["message"].as_str().is_some_and(|m| !m.is_empty()),
            "every field error has a message: {}",
            p.text
        );
    }
    p
}

/// Lets the workers handle everything due ([`TestApp::settle`]), then asserts that `to` has
/// exactly `expected` emails.
pub async fn assert_mail_count_stays(app: &TestApp, to: &str, expected: usize) {
    app.settle().await;
    assert_eq!(
        app.mail.count_to(to),
        expected,
        "emails to {to}: {:?}",
        app.mail
            .all()
            .iter()
            .filter(|m| m.to.iter().any(|r| r.eq_ignore_ascii_case(to)))
            .map(|m| m.subject.clone())
            .collect::<Vec<_>>()
    );
}

/// Waits for the `n`-th email to `to` and returns it.
pub async fn nth_mail(app: &TestApp, to: &str, n: usize) -> portal_tests::ReceivedMail {
    let mails = app.mail.wait_count(to, n, MAIL_WAIT).await;
    mails[n - 1].clone()
}

/// Signs in with the password from a new device; returns the challenge id and the emailed code.
pub async fn device_challenge(app: &TestApp, email: &str, password: &str) -> (String, String) {
    let before = app.settled_mail_count(email).await;
    let res = app
        .post(
            "/v1/sessions",
            &json!({ "email": email, "password": password }),
        )
        .await;
    assert_eq!(res.status(), 202, "sign in: {}", res.text().await.unwrap());
    let challenge: Value = res.json().await.unwrap();
    assert_eq!(challenge["next_step"], "device_code");
    let mail = nth_mail(app, email, before + 1).await;
    assert!(
        mail.subject.contains("Please verify your device"),
        "{}",
        mail.subject
    );
    let code = mail.six_digit_code().expect("a code in the email");
    (challenge["challenge_id"].as_str().unwrap().to_owned(), code)
}

pub fn device_code_path(challenge_id: &str) -> String {
    format!("/v1/sessions/{challenge_id}/device-code")
}

/// A six-digit code that is not `code`.
pub fn other_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

/// Sends `email`/`password` to `POST /v1/sessions`, with an optional captcha.
pub async fn sign_in(
    app: &TestApp,
    email: &str,
    password: &str,
    captcha: Option<&str>,
) -> Response {
    let mut body = json!({ "email": email, "password": password });
    if let Some(captcha) = captcha {
        body["captcha"] = json!(captcha);
    }
    app.post("/v1/sessions", &body).await
}

/// A captcha answer with a genuine signed challenge but a nonce that does not do the work.
pub async fn captcha_without_the_work(app: &TestApp) -> String {
    let res = app.post("/v1/captcha/challenges", &json!({})).await;
    assert_eq!(res.status(), 201);
    let c: Value = res.json().await.unwrap();
    let challenge = c["challenge"].as_str().unwrap();
    let difficulty = u32::try_from(c["difficulty"].as_u64().unwrap()).unwrap();
    let nonce = (0u64..)
        .find(|n| leading_zero_bits(&Sha256::digest(format!("{challenge}:{n}"))) < difficulty)
        .unwrap();
    format!("{challenge}:{nonce}")
}

fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// Signs up, confirms the link, and signs in from a new device: the token response.
pub async fn signed_in_account(app: &TestApp, email: &str) -> Value {
    app.verified_account(email, PASSWORD).await;
    app.signed_in(email, PASSWORD).await
}
