//! Bad input gets a clear 4xx problem+json answer on every endpoint. The endpoints are read from
//! the OpenAPI document the server serves, so an endpoint added later is held to the same rules.

use portal_tests::{assert_problem, both_backends, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

use crate::support::problem;

/// An id that exists nowhere (bodies are refused before anything is looked up).
pub const SOME_ID: &str = "0190c6a8-0000-7000-8000-000000000000";

/// One documented operation.
#[derive(Clone, Debug)]
pub struct Operation {
    pub method: Method,
    /// As documented, with `{parameters}`.
    pub template: String,
    /// Whether the operation needs a bearer token.
    pub auth: bool,
    /// The JSON body's schema (with `$ref` resolved), for operations that take one.
    pub body: Option<Value>,
    /// Every status the document says the operation can answer.
    pub statuses: Vec<u16>,
}

impl Operation {
    /// The path with every parameter replaced by `segment`.
    pub fn path_with(&self, segment: &str) -> String {
        let mut out = String::new();
        let mut rest = self.template.as_str();
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let close = rest[open..].find('}').unwrap() + open;
            out.push_str(segment);
            rest = &rest[close + 1..];
        }
        out.push_str(rest);
        out
    }

    pub fn path(&self) -> String {
        self.path_with(SOME_ID)
    }

    /// The body's property names, in the document's order.
    pub fn properties(&self) -> Vec<(String, Value)> {
        self.body
            .as_ref()
            .and_then(|s| s["properties"].as_object())
            .map(|p| p.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default()
    }

    /// Checks the body only after verifying a signature over it (by design): body errors
    /// cannot be seen without the operator's secret.
    pub fn is_signed(&self) -> bool {
        self.template == "/v1/provisioning/callbacks"
    }
}

/// Every operation of the served OpenAPI document.
pub async fn operations(app: &TestApp) -> Vec<Operation> {
    let doc: Value = app.get("/openapi.json").await.json().await.unwrap();
    let resolve = |schema: &Value| -> Value {
        match schema["$ref"].as_str() {
            Some(reference) => {
                let name = reference.rsplit('/').next().unwrap();
                doc["components"]["schemas"][name].clone()
            }
            None => schema.clone(),
        }
    };
    let mut out = Vec::new();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let method = match method.as_str() {
                "get" => Method::GET,
                "post" => Method::POST,
                "put" => Method::PUT,
                "patch" => Method::PATCH,
                "delete" => Method::DELETE,
                _ => continue,
            };
            let body = op["requestBody"]["content"]["application/json"]["schema"]
                .as_object()
                .map(|_| resolve(&op["requestBody"]["content"]["application/json"]["schema"]));
            out.push(Operation {
                method,
                template: template.clone(),
                auth: op["security"].as_array().is_some_and(|s| !s.is_empty()),
                body,
                statuses: op["responses"]
                    .as_object()
                    .map(|r| r.keys().filter_map(|k| k.parse().ok()).collect())
                    .unwrap_or_default(),
            });
        }
    }
    assert!(out.len() > 10, "the document lists the API");
    out
}

/// The operations that read a JSON body, whose body errors come first.
async fn json_operations(app: &TestApp) -> Vec<Operation> {
    let ops: Vec<Operation> = operations(app)
        .await
        .into_iter()
        .filter(|op| op.body.is_some() && !op.is_signed())
        .collect();
    assert!(ops.len() >= 6, "{ops:?}");
    ops
}

/// Sends `body` with `content_type` (and a bearer token) to the operation.
async fn send(
    app: &TestApp,
    op: &Operation,
    token: &Tokens,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(op.method.clone(), app.url(&op.path()))
        .bearer_auth(token.for_op(op))
        .body(body);
    if let Some(content_type) = content_type {
        req = req.header("content-type", content_type);
    }
    req.send().await.unwrap()
}

/// Tokens that pass every endpoint's guard: body errors come after the guard (token, live
/// session, role, onboarding step) and before anything else.
pub struct Tokens {
    /// A customer who finished onboarding.
    pub customer: String,
    /// Staff who finished onboarding.
    pub staff: String,
}

impl Tokens {
    pub fn for_op(&self, op: &Operation) -> &str {
        if op.template.starts_with("/v1/admin/") {
            &self.staff
        } else {
            &self.customer
        }
    }
}

async fn token(app: &TestApp) -> Tokens {
    let customer = crate::mfa::ready_for_mfa(app, "errors@example.com").await;
    crate::mfa::mfa_on(app, &customer).await;
    let staff = crate::enterprise::staff(app).await;
    Tokens {
        customer: customer.access,
        staff: staff.access,
    }
}

/// Collects every `(operation, what)` whose answer was not the expected problem.
async fn expect(
    res: reqwest::Response,
    status: u16,
    code: &str,
    what: String,
    wrong: &mut Vec<String>,
) -> Value {
    let actual = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = res.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap_or_default();
    let complete = content_type.starts_with("application/problem+json")
        && body["type"] == format!("urn:service-portal:problem:{code}")
        && body["title"].is_string()
        && body["status"] == status;
    if actual != status || body["code"] != code || !complete {
        let short: String = text.chars().take(160).collect();
        wrong.push(format!(
            "{what}: wanted {status} {code}, got {actual} {content_type}: {short}"
        ));
    }
    body
}

fn report(wrong: &[String]) {
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
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
        let token = token(&app).await;
        let mut wrong = Vec::new();
        for op in json_operations(&app).await {
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
                let res = send(&app, &op, &token, Some("application/json"), body.into()).await;
                let what = format!("{} {} {body:?}", op.method, op.template);
                expect(res, 400, "malformed_json", what, &mut wrong).await;
            }
        }
        report(&wrong);
    }
);

both_backends!(
    a_body_that_is_not_json_is_malformed_json_wherever_the_syntax_error_is,
    |app: TestApp| async move {
        // None of these is JSON (RFC 8259): an unfinished object, a number as a key, an
        // unclosed array. They must not be answered as schema mismatches of valid JSON.
        let token = token(&app).await;
        let mut wrong = Vec::new();
        for op in json_operations(&app).await {
            for body in ["{\"surprise\": 1,", "{1:2}", "[1,2"] {
                let res = send(&app, &op, &token, Some("application/json"), body.into()).await;
                let what = format!("{} {} {body:?}", op.method, op.template);
                expect(res, 400, "malformed_json", what, &mut wrong).await;
            }
        }
        report(&wrong);
    }
);

both_backends!(
    unknown_fields_are_refused_on_every_json_endpoint,
    |app: TestApp| async move {
        let token = token(&app).await;
        let mut wrong = Vec::new();
        for op in json_operations(&app).await {
            let body = json!({ "surprise": true }).to_string().into_bytes();
            let res = send(&app, &op, &token, Some("application/json"), body).await;
            let what = format!("{} {}", op.method, op.template);
            let p = expect(res, 400, "invalid_body", what.clone(), &mut wrong).await;
            if p["code"] == "invalid_body"
                && (!p["detail"].as_str().unwrap_or("").contains("surprise")
                    || p["errors"][0]["field"] != "surprise"
                    || p["errors"][0]["code"] != "unknown_field"
                    || p.to_string().contains("expected one of"))
            {
                wrong.push(format!("{what}: the field is named, in our words: {p}"));
            }
        }
        report(&wrong);
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
    wrong_types_are_refused_on_every_json_endpoint,
    |app: TestApp| async move {
        let token = token(&app).await;
        let mut wrong = Vec::new();
        for op in json_operations(&app).await {
            // The whole body of the wrong type.
            for body in [json!(null), json!([]), json!("text"), json!(42)] {
                let res = send(
                    &app,
                    &op,
                    &token,
                    Some("application/json"),
                    body.to_string().into(),
                )
                .await;
                let what = format!("{} {} {body}", op.method, op.template);
                expect(res, 400, "invalid_body", what, &mut wrong).await;
            }
            // Each field of the wrong type.
            for (name, schema) in op.properties() {
                let is_bool = schema["type"] == "boolean"
                    || schema["type"]
                        .as_array()
                        .is_some_and(|t| t.iter().any(|t| t == "boolean"));
                let value = if is_bool { json!("text") } else { json!(true) };
                let body = json!({ name.clone(): value });
                let res = send(
                    &app,
                    &op,
                    &token,
                    Some("application/json"),
                    body.to_string().into(),
                )
                .await;
                let what = format!("{} {} {body}", op.method, op.template);
                let p = expect(res, 400, "invalid_body", what.clone(), &mut wrong).await;
                // The field is named, with a stable code, in the product's own words.
                if p["code"] == "invalid_body" {
                    let first = &p["errors"][0];
                    if first["field"] != name.as_str() || first["code"] != "invalid_type" {
                        wrong.push(format!("{what}: errors[0] names the field: {p}"));
                    }
                    let text = p.to_string();
                    if text.contains("invalid type") || text.contains("expected") {
                        wrong.push(format!("{what}: parser text in the answer: {p}"));
                    }
                }
            }
        }
        report(&wrong);
        // Every required field missing: each names the first missing field as `required`.
        for path in [
            "/v1/accounts",
            "/v1/email-verifications",
            "/v1/email-verifications/resend",
            "/v1/sessions",
        ] {
            let p = problem(app.post(path, &json!({})).await, 400, "invalid_body").await;
            let errors = p.field_errors();
            assert_eq!(errors.len(), 1, "{path}: {}", p.text);
            assert_eq!(errors[0].1, "required", "{path}: {}", p.text);
            assert!(!p.text.contains("missing field"), "{path}: {}", p.text);
        }
    }
);

both_backends!(
    bodies_that_are_not_json_are_unsupported_media,
    |app: TestApp| async move {
        let token = token(&app).await;
        let mut wrong = Vec::new();
        for op in json_operations(&app).await {
            for content_type in [
                Some("text/plain"),
                Some("application/x-www-form-urlencoded"),
                Some("multipart/form-data; boundary=x"),
                Some("application/xml"),
                None,
            ] {
                let res = send(&app, &op, &token, content_type, b"{}".to_vec()).await;
                let what = format!("{} {} as {content_type:?}", op.method, op.template);
                expect(res, 415, "unsupported_media_type", what, &mut wrong).await;
            }
        }
        report(&wrong);
    }
);

both_backends!(
    bodies_over_64_kib_are_too_large,
    |app: TestApp| async move {
        let token = token(&app).await;
        let huge = json!({ "email": "a".repeat(64 * 1024) })
            .to_string()
            .into_bytes();
        assert!(huge.len() > 64 * 1024);
        let mut wrong = Vec::new();
        for op in operations(&app)
            .await
            .into_iter()
            .filter(|op| op.body.is_some())
        {
            let res = send(&app, &op, &token, Some("application/json"), huge.clone()).await;
            let what = format!("{} {}", op.method, op.template);
            expect(res, 413, "payload_too_large", what, &mut wrong).await;
        }
        report(&wrong);
        // Just under the limit the body is read, and judged on its content.
        let big = json!({ "email": "a".repeat(60 * 1024) });
        let res = app.post("/v1/email-verifications/resend", &big).await;
        assert_eq!(res.status(), 202);
    }
);

both_backends!(unknown_paths_are_404_problems, |app: TestApp| async move {
    for path in [
        "/v1",
        "/v1/",
        "/v2/accounts",
        "/v1/accounts/123",
        "/v1/accounts/",
        "/v1/sessions/abc/unknown",
        "/.well-known/openid-configuration",
        "/v1/legal-documents/terms/extra",
        "/healthz/extra",
    ] {
        let p = problem(app.get(path).await, 404, "not_found").await;
        assert!(p.body["detail"].is_string(), "{path}");
        let res = app.post(path, &json!({})).await;
        problem(res, 404, "not_found").await;
    }
});

/// The methods of each documented path, in the order an `Allow` header lists them.
fn allowed_by_path(ops: &[Operation]) -> Vec<(String, Vec<Method>)> {
    let order = [
        Method::GET,
        Method::POST,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
    ];
    let mut paths: Vec<String> = ops.iter().map(|op| op.template.clone()).collect();
    paths.dedup();
    paths
        .into_iter()
        .map(|path| {
            let methods = order
                .iter()
                .filter(|m| ops.iter().any(|op| op.template == path && op.method == **m))
                .cloned()
                .collect();
            (path, methods)
        })
        .collect()
}

both_backends!(
    every_documented_path_answers_a_wrong_method_with_405_and_allow,
    |app: TestApp| async move {
        let ops = operations(&app).await;
        let mut wrong = Vec::new();
        for (template, methods) in allowed_by_path(&ops) {
            let op = ops.iter().find(|op| op.template == template).unwrap();
            let path = op.path();
            let allow: Vec<String> = methods.iter().map(|m| m.to_string()).collect();
            for method in [
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ] {
                if methods.contains(&method) {
                    continue;
                }
                let res = app
                    .client
                    .request(method.clone(), app.url(&path))
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                let header = res
                    .headers()
                    .get("allow")
                    .map(|v| v.to_str().unwrap().to_owned());
                let what = format!("{method} {path}");
                expect(res, 405, "method_not_allowed", what.clone(), &mut wrong).await;
                let listed: Vec<String> = header
                    .as_deref()
                    .unwrap_or_default()
                    .split(',')
                    .map(|m| m.trim().to_owned())
                    .filter(|m| !m.is_empty())
                    .collect();
                if listed != allow {
                    wrong.push(format!("{what}: Allow {header:?}, wanted {allow:?}"));
                }
            }
        }
        report(&wrong);
    }
);

both_backends!(
    wrong_methods_on_metrics_openapi_and_docs_are_405_too,
    [("PORTAL_WEB_DIR", web_dir())],
    |app: TestApp| async move {
        let mut wrong = Vec::new();
        for path in ["/metrics", "/openapi.json", "/docs", "/docs/"] {
            assert_eq!(app.get(path).await.status(), 200, "{path} exists");
            let res = app.post(path, &json!({})).await;
            let allow = res
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned());
            expect(
                res,
                405,
                "method_not_allowed",
                format!("POST {path}"),
                &mut wrong,
            )
            .await;
            if allow.as_deref() != Some("GET") {
                wrong.push(format!("POST {path}: Allow {allow:?}, wanted GET"));
            }
        }
        report(&wrong);
    }
);

both_backends!(
    head_is_answered_like_get_without_a_body,
    |app: TestApp| async move {
        let mut wrong = Vec::new();
        for path in [
            "/healthz",
            "/v1/config",
            "/v1/legal-documents",
            "/.well-known/jwks.json",
        ] {
            let get = app.get(path).await;
            assert_eq!(get.status(), 200, "{path}");
            let res = app.client.head(app.url(path)).send().await.unwrap();
            let status = res.status().as_u16();
            let same_type = res.headers().get("content-type") == get.headers().get("content-type");
            let empty = res.text().await.unwrap().is_empty();
            if status != 200 || !same_type || !empty {
                wrong.push(format!(
                    "HEAD {path}: {status}, same content type {same_type}, empty {empty}"
                ));
            }
        }
        report(&wrong);
    }
);

/// A stand-in for the built web app, for the server to serve at `/`.
/// A stand-in for the built web app: its page, and the API reference page and script.
pub fn web_dir() -> &'static str {
    static DIR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let dir = std::env::temp_dir().join(format!("portal-test-web-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(
            dir.join("index.html"),
            "<!doctype html><title>Service Portal</title>",
        )
        .unwrap();
        std::fs::write(
            dir.join("docs/index.html"),
            "<!doctype html><title>API reference</title><script src=\"/docs/docs.js\"></script>",
        )
        .unwrap();
        std::fs::write(dir.join("docs/docs.js"), "// Redoc.init(...)\n").unwrap();
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
            (Method::POST, "/v1/me", "GET, PATCH, DELETE"),
            (Method::POST, "/healthz", "GET"),
        ] {
            let res = app
                .client
                .request(method.clone(), app.url(path))
                .send()
                .await
                .unwrap();
            let header = res
                .headers()
                .get("allow")
                .map(|v| v.to_str().unwrap().to_owned());
            let what = format!("{method} {path}");
            expect(res, 405, "method_not_allowed", what.clone(), &mut wrong).await;
            if header.as_deref() != Some(allow) {
                wrong.push(format!("{what}: Allow {header:?}, wanted {allow}"));
            }
        }
        report(&wrong);
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

both_backends!(
    bad_query_values_name_the_parameter_in_our_own_words,
    |app: TestApp| async move {
        let tokens = token(&app).await;
        for (query, field, code) in [
            ("limit=abc", "limit", "invalid_value"),
            ("limit=-1", "limit", "invalid_value"),
            ("colour=red", "colour", "unknown_field"),
        ] {
            let res = app
                .get_auth(&format!("/v1/me/security-events?{query}"), &tokens.customer)
                .await;
            let p = problem(res, 400, "invalid_query").await;
            assert_eq!(
                p.field_errors(),
                [(field.to_owned(), code.to_owned())],
                "{query}: {}",
                p.text
            );
            assert!(
                !p.text.contains("deserialize") && !p.text.contains("invalid digit"),
                "{query}: {}",
                p.text
            );
        }
        let res = app.get("/v1/legal-documents/terms?lang=id").await;
        let p = problem(res, 400, "invalid_query").await;
        assert_eq!(
            p.field_errors(),
            [("lang".to_owned(), "unknown_field".to_owned())]
        );
        // Staff lookups too, for staff.
        let res = app
            .get_auth("/v1/admin/accounts?email=a@example.com&x=1", &tokens.staff)
            .await;
        let p = problem(res, 400, "invalid_query").await;
        assert_eq!(p.field_errors()[0].0, "x", "{}", p.text);
    }
);
