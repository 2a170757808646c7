//! Bad input gets a clear 4xx problem+json answer on every endpoint, and never a 5xx.

use portal_tests::{assert_problem, both_backends, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::problem;

/// A challenge id that does not exist (the body is refused before it is looked up).
const CHALLENGE: &str = "0190c6a8-0000-7000-8000-000000000000";

/// Every endpoint that reads a JSON body, with a body whose first field has the wrong type.
fn json_endpoints() -> Vec<(String, Value)> {
    vec![
        ("/v1/accounts".into(), json!({ "full_name": 5 })),
        ("/v1/email-verifications".into(), json!({ "token": 5 })),
        (
            "/v1/email-verifications/resend".into(),
            json!({ "email": ["budi@example.com"] }),
        ),
        ("/v1/sessions".into(), json!({ "email": { "a": 1 } })),
        (
            format!("/v1/sessions/{CHALLENGE}/device-code"),
            json!({ "code": 123456 }),
        ),
        ("/v1/sessions/refresh".into(), json!({ "refresh_token": 5 })),
    ]
}

async fn post_raw(
    app: &TestApp,
    path: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut req = app.client.post(app.url(path)).body(body);
    if let Some(content_type) = content_type {
        req = req.header("content-type", content_type);
    }
    req.send().await.unwrap()
}

both_backends!(
    unknown_routes_and_wrong_methods_are_problems,
    |app: TestApp| async move {
        assert_problem(app.get("/v1/nothing-here").await, 404, "not_found").await;
        assert_problem(app.get("/v1/accounts").await, 405, "method_not_allowed").await;
    }
);

both_backends!(
    malformed_json_is_a_400_on_every_json_endpoint,
    |app: TestApp| async move {
        for (path, _) in json_endpoints() {
            for body in [
                "{'email': 1}",
                "not json",
                "",
                "{",
                "{,}",
                "{\"",
                "nul",
                "\"unterminated",
            ] {
                let res = post_raw(&app, &path, Some("application/json"), body.into()).await;
                let p = problem(res, 400, "malformed_json").await;
                assert!(p.body["detail"].is_string(), "{path}: {}", p.text);
            }
        }
    }
);

both_backends!(
    a_body_that_is_not_json_is_malformed_json_wherever_the_syntax_error_is,
    |app: TestApp| async move {
        // None of these is JSON (RFC 8259): an unfinished object, a number as a key, an
        // unclosed array. They must not be reported as schema mismatches of valid JSON.
        let mut wrong = Vec::new();
        for (path, _) in json_endpoints() {
            for body in ["{\"surprise\": 1,", "{1:2}", "[1,2", "{\"email\":"] {
                let res = post_raw(&app, &path, Some("application/json"), body.into()).await;
                let status = res.status().as_u16();
                let text = res.text().await.unwrap();
                let problem: Value = serde_json::from_str(&text).unwrap();
                if status != 400 || problem["code"] != "malformed_json" {
                    wrong.push(format!(
                        "POST {path} {body:?}: {status} {}",
                        problem["code"]
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

both_backends!(
    unknown_fields_are_refused_on_every_json_endpoint,
    |app: TestApp| async move {
        for (path, _) in json_endpoints() {
            let res = app.post(&path, &json!({ "surprise": true })).await;
            let p = problem(res, 400, "invalid_body").await;
            let detail = p.body["detail"].as_str().unwrap();
            assert!(detail.contains("surprise"), "{path}: {detail}");
        }
        // Also next to otherwise valid fields.
        let mut body = app
            .sign_up_body("budi@example.com", crate::support::PASSWORD)
            .await;
        body["is_admin"] = json!(true);
        problem(app.post("/v1/accounts", &body).await, 400, "invalid_body").await;
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": "a@example.com", "password": "x", "role": "admin" }),
            )
            .await;
        problem(res, 400, "invalid_body").await;
    }
);

both_backends!(
    wrong_types_and_missing_fields_are_refused_on_every_json_endpoint,
    |app: TestApp| async move {
        for (path, body) in json_endpoints() {
            problem(app.post(&path, &body).await, 400, "invalid_body").await;
            for other in [json!(null), json!([]), json!("text"), json!(42)] {
                problem(app.post(&path, &other).await, 400, "invalid_body").await;
            }
        }
        // Every required field missing.
        for path in [
            "/v1/accounts",
            "/v1/email-verifications",
            "/v1/email-verifications/resend",
            "/v1/sessions",
        ] {
            problem(app.post(path, &json!({})).await, 400, "invalid_body").await;
        }
        let res = app
            .post(
                "/v1/sessions",
                &json!({ "email": "a@example.com", "password": "x", "use_cookies": "yes" }),
            )
            .await;
        problem(res, 400, "invalid_body").await;
    }
);

both_backends!(
    bodies_that_are_not_json_are_unsupported_media,
    |app: TestApp| async move {
        for (path, _) in json_endpoints() {
            for content_type in [
                Some("text/plain"),
                Some("application/x-www-form-urlencoded"),
                Some("multipart/form-data; boundary=x"),
                Some("application/xml"),
                None,
            ] {
                let res = post_raw(&app, &path, content_type, b"{}".to_vec()).await;
                let p = problem(res, 415, "unsupported_media_type").await;
                assert!(p.body["detail"].is_string(), "{path} {content_type:?}");
            }
        }
    }
);

both_backends!(
    bodies_over_64_kib_are_too_large,
    |app: TestApp| async move {
        let huge = json!({ "email": "a".repeat(64 * 1024) })
            .to_string()
            .into_bytes();
        assert!(huge.len() > 64 * 1024);
        for (path, _) in json_endpoints() {
            let res = post_raw(&app, &path, Some("application/json"), huge.clone()).await;
            problem(res, 413, "payload_too_large").await;
        }
        // Just under the limit the body is read, and judged on its content.
        let big = json!({ "email": "a".repeat(60 * 1024) });
        let res = app.post("/v1/email-verifications/resend", &big).await;
        assert_eq!(res.status(), 202);
    }
);

both_backends!(unknown_paths_are_404_problems, |app: TestApp| async move {
    for path in [
        "/",
        "/v1",
        "/v1/",
        "/v2/accounts",
        "/v1/accounts/123",
        "/v1/accounts/",
        "/v1/sessions/abc/unknown",
        "/.well-known/openid-configuration",
        "/v1/legal-documents/terms/extra",
        "/index.html",
    ] {
        let p = problem(app.get(path).await, 404, "not_found").await;
        assert!(p.body["detail"].is_string(), "{path}");
        let res = app.post(path, &json!({})).await;
        problem(res, 404, "not_found").await;
    }
});

both_backends!(
    wrong_methods_are_405_with_an_allow_header,
    |app: TestApp| async move {
        let cases: Vec<(Method, String, &str)> = vec![
            (Method::GET, "/v1/accounts".into(), "POST"),
            (Method::PUT, "/v1/accounts".into(), "POST"),
            (Method::DELETE, "/v1/accounts".into(), "POST"),
            (Method::GET, "/v1/email-verifications".into(), "POST"),
            (Method::GET, "/v1/email-verifications/resend".into(), "POST"),
            (Method::GET, "/v1/sessions".into(), "POST"),
            (Method::PATCH, "/v1/sessions".into(), "POST"),
            (
                Method::GET,
                format!("/v1/sessions/{CHALLENGE}/device-code"),
                "POST",
            ),
            (
                Method::GET,
                format!("/v1/sessions/{CHALLENGE}/device-code/resend"),
                "POST",
            ),
            (Method::GET, "/v1/sessions/refresh".into(), "POST"),
            (Method::POST, "/v1/sessions/current".into(), "DELETE"),
            (Method::GET, "/v1/sessions/current".into(), "DELETE"),
            (Method::GET, "/v1/captcha/challenges".into(), "POST"),
            (Method::POST, "/v1/config".into(), "GET"),
            (Method::POST, "/v1/legal-documents".into(), "GET"),
            (Method::DELETE, "/v1/legal-documents/terms".into(), "GET"),
            (Method::POST, "/v1/me".into(), "GET"),
            (Method::DELETE, "/v1/me".into(), "GET"),
            (Method::POST, "/.well-known/jwks.json".into(), "GET"),
            (Method::POST, "/healthz".into(), "GET"),
            (Method::PUT, "/readyz".into(), "GET"),
        ];
        let mut wrong = Vec::new();
        for (method, path, allow) in cases {
            let res = app
                .client
                .request(method.clone(), app.url(&path))
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let allowed = res
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned());
            let text = res.text().await.unwrap();
            let body: Value = serde_json::from_str(&text).unwrap_or_default();
            if status != 405
                || body["code"] != "method_not_allowed"
                || allowed.as_deref() != Some(allow)
            {
                wrong.push(format!(
                    "{method} {path}: {status} Allow {allowed:?}, wanted {allow}: {text}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

/// A stand-in for the built web app, for the server to serve at `/`.
fn web_dir() -> &'static str {
    static DIR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let dir = std::env::temp_dir().join(format!("portal-test-web-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>Service Portal</title>",
        )
        .unwrap();
        dir.display().to_string()
    });
    &DIR
}

both_backends!(
    with_the_web_app_served_api_paths_still_answer_404_and_405_problems,
    [("PORTAL_WEB_DIR", web_dir())],
    |app: TestApp| async move {
        // Client-side routes of the web app get its index page.
        let res = app.get("/sign-in").await;
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        // API paths keep their problem answers.
        problem(app.get("/v1/nothing-here").await, 404, "not_found").await;
        let mut wrong = Vec::new();
        for (method, path, allow) in [
            (Method::GET, "/v1/accounts", "POST"),
            (Method::GET, "/v1/sessions", "POST"),
            (Method::POST, "/v1/sessions/current", "DELETE"),
            (Method::POST, "/v1/me", "GET"),
            (Method::POST, "/healthz", "GET"),
        ] {
            let res = app
                .client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let allowed = res
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned());
            if status != 405 || allowed.as_deref() != Some(allow) {
                wrong.push(format!(
                    "{method} {path}: {status}, Allow {allowed:?}, wanted 405 with {allow}"
                ));
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }
);

both_backends!(
    wrong_methods_on_metrics_openapi_and_docs_are_405_too,
    |app: TestApp| async move {
        for path in ["/metrics", "/openapi.json", "/docs", "/docs/reference.js"] {
            assert_eq!(app.get(path).await.status(), 200, "{path} exists");
            let res = app.post(path, &json!({})).await;
            let p = problem(res, 405, "method_not_allowed").await;
            assert_eq!(p.header("allow").as_deref(), Some("GET"), "{path}");
        }
    }
);

both_backends!(
    every_problem_carries_no_store_and_the_api_security_headers,
    |app: TestApp| async move {
        for res in [
            app.get("/v1/nothing").await,
            app.get("/v1/accounts").await,
            app.post("/v1/sessions", &json!({ "x": 1 })).await,
            app.get("/v1/me").await,
        ] {
            let headers = res.headers().clone();
            let status = res.status();
            assert!(status.is_client_error());
            assert_eq!(headers["cache-control"], "no-store", "{status}");
            assert_eq!(headers["x-content-type-options"], "nosniff", "{status}");
            assert!(headers.contains_key("content-security-policy"), "{status}");
        }
    }
);

/// A small deterministic generator, so a failing fuzz case can be reproduced.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % n as u64).unwrap()
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next().to_le_bytes()[0]).collect()
    }
}

/// Strings that have broken services before: NULs, control and direction characters, emoji,
/// huge values, markup, SQL, paths, lone surrogates' neighbours.
fn odd_strings() -> Vec<String> {
    vec![
        String::new(),
        " ".into(),
        "\u{0}".into(),
        "budi\u{0}@example.com".into(),
        "\u{0}budi@example.com".into(),
        "budi@example.com\u{0}".into(),
        "\u{202e}moc.elpmaxe@idub".into(),
        "😀".repeat(300),
        "a".repeat(20_000),
        "' OR '1'='1' --".into(),
        "<script>alert(1)</script>".into(),
        "../../../../etc/passwd".into(),
        "%00%ff".into(),
        "\u{feff}budi@example.com".into(),
        "BUDI@EXAMPLE.COM".into(),
        "budi@example.com".into(),
        "+62 812-3456-7890".into(),
        "123456".into(),
        "\t\r\n".into(),
        "\u{fffd}\u{fffe}\u{ffff}".into(),
        "ǅ̴̢̛̫̣̓̉̋ǅ".into(),
        "null".into(),
        "{{ portal_name }}".into(),
        "${jndi:ldap://x}".into(),
    ]
}

fn odd_values(rng: &mut Rng) -> Value {
    let pool = [
        json!(null),
        json!(0),
        json!(-1),
        json!(1.5e308),
        json!(u64::MAX),
        json!(true),
        json!([]),
        json!({}),
        json!([null]),
        json!([{ "kind": null }]),
        json!({ "nested": { "deeper": [1, 2, 3] } }),
    ];
    if rng.below(2) == 0 {
        rng.pick(&pool).clone()
    } else {
        let strings = odd_strings();
        json!(rng.pick(&strings).clone())
    }
}

/// The fields each JSON endpoint knows, so that generated bodies get past the schema and reach
/// the service with odd values.
fn schema(path: &str) -> &'static [&'static str] {
    match path {
        "/v1/accounts" => &[
            "full_name",
            "email",
            "password",
            "phone_number",
            "captcha",
            "consents",
            "locale",
        ],
        "/v1/email-verifications" => &["token"],
        "/v1/email-verifications/resend" => &["email"],
        "/v1/sessions" => &[
            "email",
            "password",
            "captcha",
            "device_token",
            "use_cookies",
        ],
        "/v1/sessions/refresh" => &["refresh_token"],
        _ => &["code"],
    }
}

/// Fills every field with `value`, as the right shape where the field is not a string.
fn filled(path: &str, value: &str) -> Value {
    let mut body = serde_json::Map::new();
    for field in schema(path) {
        let v = match *field {
            "consents" => {
                json!([{ "kind": value, "version": value }, { "kind": "terms", "version": value }])
            }
            "use_cookies" => json!(true),
            _ => json!(value),
        };
        body.insert((*field).to_owned(), v);
    }
    Value::Object(body)
}

/// Raw bodies that are not (quite) JSON.
fn malformed_bodies(rng: &mut Rng) -> Vec<Vec<u8>> {
    let mut bodies: Vec<Vec<u8>> = [
        "",
        " ",
        "null",
        "true",
        "0",
        "-1",
        "1e999",
        "\"string\"",
        "[]",
        "[{}]",
        "{",
        "}",
        "{]",
        "{\"a\"}",
        "{\"a\":}",
        "{\"a\":1,}",
        "{'a':1}",
        "\u{feff}{}",
        "NaN",
        "Infinity",
        "{\"email\":\"a\",\"email\":\"b\"}",
        "{\"email\":\"\\ud800\"}",
        "{\"email\":\"\\u0000\"}",
        "{\"email\":\"a\\x00\"}",
        "{\"email\":1e99999}",
        "{\"\":\"\"}",
        "\u{0}",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    bodies.push(vec![0xff, 0xfe, 0x00, 0x7b]);
    bodies.push(b"{\"email\":\"\xff\xfe\"}".to_vec());
    bodies.push("[".repeat(5000).into_bytes());
    bodies.push(format!("{}1{}", "[".repeat(200), "]".repeat(200)).into_bytes());
    bodies.push(format!("{}{}", "{\"a\":".repeat(300), "}".repeat(300)).into_bytes());
    for _ in 0..8 {
        let len = rng.below(300);
        bodies.push(rng.bytes(len));
    }
    bodies
}

/// What went wrong with one fuzz request, if anything.
async fn check(res: reqwest::Response, what: &str) -> Option<String> {
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.unwrap_or_default();
    let short: String = text.chars().take(200).collect();
    if status >= 500 {
        return Some(format!("{what}: {status} {short}"));
    }
    if status >= 400 {
        if !content_type.starts_with("application/problem+json") {
            return Some(format!("{what}: {status} with {content_type:?}: {short}"));
        }
        let Ok(body) = serde_json::from_str::<Value>(&text) else {
            return Some(format!("{what}: {status} body is not JSON: {short}"));
        };
        let complete = body["type"].is_string()
            && body["title"].is_string()
            && body["code"].is_string()
            && body["status"] == status;
        if !complete {
            return Some(format!("{what}: {status} incomplete problem: {short}"));
        }
    }
    None
}

both_backends!(
    a_hundred_kinds_of_malformed_request_never_get_a_5xx,
    |app: TestApp| async move {
        let mut rng = Rng(0x5EED_CAFE_F00D_0001);
        let mut failures = Vec::new();
        let mut sent = 0usize;
        let json_paths: Vec<String> = json_endpoints().into_iter().map(|(p, _)| p).collect();

        // Bodies to every JSON endpoint: malformed, odd values in the right shape, random mixes.
        for path in &json_paths {
            let mut cases: Vec<(String, Vec<u8>)> = malformed_bodies(&mut rng)
                .into_iter()
                .map(|b| {
                    (
                        format!(
                            "raw {:?}",
                            String::from_utf8_lossy(&b)
                                .chars()
                                .take(40)
                                .collect::<String>()
                        ),
                        b,
                    )
                })
                .collect();
            for value in odd_strings() {
                let body = filled(path, &value);
                cases.push((
                    format!("filled {:?}", value.chars().take(20).collect::<String>()),
                    body.to_string().into_bytes(),
                ));
            }
            for _ in 0..40 {
                let mut body = serde_json::Map::new();
                for field in schema(path) {
                    if rng.below(4) != 0 {
                        body.insert((*field).to_owned(), odd_values(&mut rng));
                    }
                }
                if rng.below(8) == 0 {
                    body.insert("extra".into(), json!(1));
                }
                let body = Value::Object(body).to_string();
                cases.push((
                    format!("mixed {}", body.chars().take(60).collect::<String>()),
                    body.into_bytes(),
                ));
            }
            for (what, body) in cases {
                let res = app
                    .client
                    .post(app.url(path))
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                failures.extend(check(res, &format!("POST {path} {what}")).await);
            }
        }

        // Odd path parameters.
        let segments = [
            "%00",
            "a%00b",
            "%ff",
            "%2e%2e",
            "..%2f..",
            "%2F",
            "%20",
            "😀",
            "%F0%9F%98%80",
            "null",
            "-1",
            "0",
            "'%20OR%20'1'='1",
            "%3Cscript%3E",
            "terms%00",
            "TERMS",
            "eula",
            &"a".repeat(64),
            &"a".repeat(65),
            &"a".repeat(3000),
        ];
        for segment in segments {
            let requests = [
                (
                    Method::POST,
                    format!("/v1/sessions/{segment}/device-code"),
                    Some(json!({ "code": "123456" })),
                ),
                (
                    Method::POST,
                    format!("/v1/sessions/{segment}/device-code/resend"),
                    None,
                ),
                (Method::GET, format!("/v1/legal-documents/{segment}"), None),
                (
                    Method::GET,
                    format!("/v1/legal-documents/terms?language={segment}"),
                    None,
                ),
                (
                    Method::GET,
                    format!("/v1/legal-documents?language={segment}&x={segment}"),
                    None,
                ),
            ];
            for (method, path, body) in requests {
                let mut req = app.client.request(method.clone(), app.url(&path));
                if let Some(body) = body {
                    req = req.json(&body);
                }
                let res = req.send().await.unwrap();
                sent += 1;
                failures.extend(check(res, &format!("{method} {path}")).await);
            }
        }

        // Odd credentials on the endpoints that need a bearer token.
        let mut authorizations: Vec<Vec<u8>> = [
            "Bearer",
            "Bearer ",
            "Bearer a.b.c",
            "Bearer eyJhbGciOiJub25lIn0.e30.",
            "Bearer eyJ.eyJ.eyJ",
            "bearer x",
            "Basic YTpi",
            "Bearer \u{1}",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        authorizations.push(format!("Bearer {}", "a".repeat(5000)).into_bytes());
        authorizations.push(b"Bearer \xff\xfe".to_vec());
        for authorization in authorizations {
            for (method, path) in [
                (Method::GET, "/v1/me"),
                (Method::DELETE, "/v1/sessions/current"),
            ] {
                let Ok(value) = reqwest::header::HeaderValue::from_bytes(&authorization) else {
                    continue;
                };
                let res = app
                    .client
                    .request(method.clone(), app.url(path))
                    .header("authorization", value)
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                failures.extend(
                    check(
                        res,
                        &format!(
                            "{method} {path} with {:?}",
                            String::from_utf8_lossy(&authorization)
                                .chars()
                                .take(30)
                                .collect::<String>()
                        ),
                    )
                    .await,
                );
            }
        }

        // Endpoints without a body, sent one anyway, and every public GET with junk query strings.
        for (method, path) in [
            (Method::POST, "/v1/captcha/challenges"),
            (Method::GET, "/v1/config"),
            (Method::GET, "/v1/legal-documents"),
            (Method::GET, "/.well-known/jwks.json"),
            (Method::GET, "/healthz"),
            (Method::GET, "/readyz"),
            (Method::GET, "/metrics"),
            (Method::GET, "/openapi.json"),
        ] {
            for _ in 0..4 {
                let len = rng.below(200);
                let body = rng.bytes(len);
                let res = app
                    .client
                    .request(
                        method.clone(),
                        app.url(&format!("{path}?q=%ff%00&language=xx")),
                    )
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                failures.extend(check(res, &format!("{method} {path} with junk")).await);
            }
        }

        assert!(sent > 700, "{sent} requests sent");
        assert!(
            failures.is_empty(),
            "{} of {sent} malformed requests were mishandled:\n{}",
            failures.len(),
            failures.join("\n")
        );
        // Still healthy afterwards.
        assert_eq!(app.get("/readyz").await.status(), 200);
    }
);

both_backends!(
    head_is_answered_like_get_without_a_body,
    |app: TestApp| async move {
        for path in [
            "/healthz",
            "/v1/config",
            "/v1/legal-documents",
            "/.well-known/jwks.json",
        ] {
            let get = app.get(path).await;
            assert_eq!(get.status(), 200, "{path}");
            let res = app.client.head(app.url(path)).send().await.unwrap();
            assert_eq!(res.status(), 200, "HEAD {path}");
            assert_eq!(
                res.headers().get("content-type"),
                get.headers().get("content-type"),
                "HEAD {path}"
            );
            assert!(
                res.text().await.unwrap().is_empty(),
                "HEAD {path} has no body"
            );
        }
    }
);
