//! A few thousand malformed requests to every documented endpoint (random bytes, huge strings,
//! deep nesting, nulls, numbers where strings belong, NULs and other odd characters, odd path
//! parameters and credentials): never a 5xx, and every 4xx is problem details.

use portal_tests::{both_backends, TestApp};
use serde_json::{json, Value};

use crate::errors::{operations, Operation};
use crate::support::signed_in_account;

/// A small deterministic generator, so a failing case can be reproduced.
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

/// Strings that break services: NULs, control and direction characters, emoji, huge values,
/// markup, SQL, paths, template syntax.
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
        "Z̴̢̛̫̣̓̉̋algo".into(),
        "null".into(),
        "{{ portal_name }}".into(),
        "${jndi:ldap://x}".into(),
    ]
}

fn odd_value(rng: &mut Rng) -> Value {
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
        json!(rng.pick(&odd_strings()).clone())
    }
}

/// Every property set to `value`, in the shape the schema wants where it is not a string, so
/// that the body gets past parsing and reaches the service.
fn filled(op: &Operation, value: &str) -> Value {
    let mut body = serde_json::Map::new();
    for (name, schema) in op.properties() {
        let types: Vec<String> = match &schema["type"] {
            Value::String(t) => vec![t.clone()],
            Value::Array(ts) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let has = |t: &str| types.iter().any(|x| x == t);
        let v = if has("string") {
            json!(value)
        } else if has("boolean") {
            json!(true)
        } else if has("integer") || has("number") {
            json!(1)
        } else if has("array") {
            json!([{ "kind": value, "version": value }, value])
        } else {
            json!(value)
        };
        body.insert(name, v);
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
    for _ in 0..6 {
        let len = rng.below(300);
        bodies.push(rng.bytes(len));
    }
    bodies
}

/// What is wrong with an answer, if anything: a 5xx, a status the operation does not document
/// (`documented`, for operations of the document), or a 4xx that is not complete problem
/// details.
async fn check(res: reqwest::Response, documented: Option<&[u16]>, what: &str) -> Option<String> {
    let status = res.status().as_u16();
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let text = res.text().await.unwrap_or_default();
    let short: String = text.chars().take(160).collect();
    if status >= 500 {
        return Some(format!("{what}: {status} {short}"));
    }
    if documented.is_some_and(|d| !d.contains(&status)) {
        return Some(format!("{what}: {status} is not documented: {short}"));
    }
    // The OAuth endpoints answer as RFC 6749 §5.2 says, for OAuth libraries: JSON with
    // `error` and `error_description` (and the problem members beside).
    if status >= 400 && what.contains(" /v1/oauth/") && content_type.starts_with("application/json")
    {
        let Ok(body) = serde_json::from_str::<Value>(&text) else {
            return Some(format!("{what}: {status} body is not JSON: {short}"));
        };
        if !(body["error"].is_string()
            && body["error_description"].is_string()
            && body["status"] == status)
        {
            return Some(format!("{what}: {status} incomplete OAuth error: {short}"));
        }
        return None;
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

fn describe(body: &[u8]) -> String {
    format!(
        "{:?}",
        String::from_utf8_lossy(body)
            .chars()
            .take(40)
            .collect::<String>()
    )
}

both_backends!(
    thousands_of_malformed_requests_never_get_a_5xx,
    |app: TestApp| async move {
        let mut rng = Rng(0x5EED_CAFE_F00D_0001);
        let mut failures = Vec::new();
        let mut sent = 0usize;
        let tokens = signed_in_account(&app, "fuzz@example.com").await;
        let token = tokens["access_token"].as_str().unwrap().to_owned();
        let ops = operations(&app).await;

        // Bodies to every operation that takes one: malformed, odd values in the right shape,
        // and random mixes, with a valid token so that they get past authentication.
        for op in ops.iter().filter(|op| op.body.is_some()) {
            let path = op.path();
            let mut cases: Vec<(String, Vec<u8>)> = malformed_bodies(&mut rng)
                .into_iter()
                .map(|b| (format!("raw {}", describe(&b)), b))
                .collect();
            for value in odd_strings() {
                let body = filled(op, &value).to_string().into_bytes();
                cases.push((format!("filled {}", describe(value.as_bytes())), body));
            }
            let fields = op.properties();
            for _ in 0..16 {
                let mut body = serde_json::Map::new();
                for (name, _) in &fields {
                    if rng.below(4) != 0 {
                        body.insert(name.clone(), odd_value(&mut rng));
                    }
                }
                if rng.below(8) == 0 {
                    body.insert("extra".into(), json!(1));
                }
                let body = Value::Object(body).to_string().into_bytes();
                cases.push((format!("mixed {}", describe(&body)), body));
            }
            for (what, body) in cases {
                let res = app
                    .client
                    .request(op.method.clone(), app.url(&path))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                failures.extend(
                    check(
                        res,
                        Some(&op.statuses),
                        &format!("{} {path} {what}", op.method),
                    )
                    .await,
                );
            }
        }

        // Odd path parameters, with and without a body, with a valid token.
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
            &"a".repeat(64),
            &"a".repeat(65),
            &"a".repeat(3000),
        ];
        for op in ops.iter().filter(|op| op.template.contains('{')) {
            for segment in segments {
                let path = op.path_with(segment);
                let res = app
                    .client
                    .request(op.method.clone(), app.url(&path))
                    .bearer_auth(&token)
                    .json(&filled(op, "123456"))
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                failures
                    .extend(check(res, Some(&op.statuses), &format!("{} {path}", op.method)).await);
            }
        }
        for query in [
            "language=%00",
            "language=%ff",
            "language=id&language=en",
            "x=%00&language=xx",
            "language[]=id",
        ] {
            for (template, path) in [
                ("/v1/legal-documents", "/v1/legal-documents"),
                ("/v1/legal-documents/{kind}", "/v1/legal-documents/terms"),
            ] {
                let documented = ops
                    .iter()
                    .find(|op| op.method == reqwest::Method::GET && op.template == template)
                    .map(|op| op.statuses.clone());
                let path = format!("{path}?{query}");
                let res = app.get(&path).await;
                sent += 1;
                failures.extend(check(res, documented.as_deref(), &format!("GET {path}")).await);
            }
        }

        // Odd credentials on every operation that needs a bearer token.
        let mut authorizations: Vec<Vec<u8>> = [
            "Bearer",
            "Bearer ",
            "Bearer a.b.c",
            "Bearer eyJhbGciOiJub25lIn0.e30.",
            "Bearer eyJ.eyJ.eyJ",
            "bearer x",
            "Basic YTpi",
        ]
        .iter()
        .map(|s| s.as_bytes().to_vec())
        .collect();
        authorizations.push(format!("Bearer {}", "a".repeat(5000)).into_bytes());
        authorizations.push(b"Bearer \xff\xfe".to_vec());
        for op in ops.iter().filter(|op| op.auth) {
            for authorization in &authorizations {
                let value = reqwest::header::HeaderValue::from_bytes(authorization).unwrap();
                let res = app
                    .client
                    .request(op.method.clone(), app.url(&op.path()))
                    .header("authorization", value)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                let what = format!(
                    "{} {} with {}",
                    op.method,
                    op.template,
                    describe(authorization)
                );
                failures.extend(check(res, Some(&op.statuses), &what).await);
            }
        }

        // Operations without a body, sent random bytes anyway.
        for op in ops.iter().filter(|op| op.body.is_none()) {
            for _ in 0..3 {
                let len = rng.below(200);
                let res = app
                    .client
                    .request(op.method.clone(), app.url(&op.path()))
                    .bearer_auth(&token)
                    .header("content-type", "application/json")
                    .body(rng.bytes(len))
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                failures.extend(
                    check(
                        res,
                        Some(&op.statuses),
                        &format!("{} {} with junk", op.method, op.template),
                    )
                    .await,
                );
            }
        }
        for path in ["/metrics", "/openapi.json", "/docs"] {
            let res = app.get(&format!("{path}?q=%ff%00")).await;
            sent += 1;
            failures.extend(check(res, None, &format!("GET {path}")).await);
        }

        assert!(sent > 1000, "{sent} requests sent");
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
