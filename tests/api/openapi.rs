//! The committed OpenAPI document is what the code generates, and what the server serves.

use portal_tests::{Backend, TestApp};

#[test]
fn committed_openapi_document_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../openapi/openapi.json"
    ))
    .expect("openapi/openapi.json is committed");
    let generated = portal_api::openapi::document_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date: run `cargo run -p portal-api -- openapi --output openapi/openapi.json`"
    );
}

#[tokio::test]
async fn the_server_serves_the_same_document_and_a_reference_page() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let served = app.get("/openapi.json").await.text().await.unwrap();
    assert_eq!(served, portal_api::openapi::document_json());
    let doc: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/accounts",
        "/v1/sessions",
        "/v1/sessions/{challenge_id}/device-code",
        "/v1/me",
    ] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    // Without the web app's files there is no reference page, and the answer says where the
    // document is.
    let res = app.get("/docs").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("/openapi.json"));
}

#[tokio::test]
async fn the_reference_page_comes_with_the_web_app_under_its_own_policy() {
    let app = TestApp::spawn_with(
        Backend::Sqlite,
        &[("PORTAL_WEB_DIR", crate::errors::web_dir())],
    )
    .await;
    let csp = |res: &reqwest::Response| {
        res.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned()
    };
    for path in ["/docs", "/docs/"] {
        let page = app.get(path).await;
        assert_eq!(page.status(), 200, "{path}");
        let policy = csp(&page);
        // Scripts only from here; Redoc's injected styles and blob: search worker, nothing else.
        assert!(policy.contains("script-src 'self';"), "{policy}");
        assert!(
            policy.contains("style-src 'self' 'unsafe-inline'"),
            "{policy}"
        );
        assert!(policy.contains("worker-src blob:"), "{policy}");
        assert!(
            !policy.contains("unsafe-eval") && !policy.contains("http"),
            "{policy}"
        );
        assert!(page.text().await.unwrap().contains("API reference"));
    }
    let script = app.get("/docs/docs.js").await;
    assert_eq!(script.status(), 200);
    assert!(csp(&script).contains("worker-src blob:"));
    // The web app keeps its own, stricter policy.
    let app_page = app.get("/sign-in").await;
    assert_eq!(app_page.status(), 200);
    let policy = csp(&app_page);
    assert!(
        policy.contains("style-src 'self';") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
}

/// What integrators' tools need of every operation: a unique operationId, a description, a
/// stated security (`[]` when public), examples of every body sent and received, and
/// `Retry-After` on every 429 and 503.
#[test]
fn every_operation_is_described_with_examples() {
    let doc: serde_json::Value =
        serde_json::from_str(&portal_api::openapi::document_json()).unwrap();
    let mut ids = std::collections::HashSet::new();
    let mut faults = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let what = format!("{method} {path}");
            let id = op["operationId"].as_str().unwrap_or_default().to_owned();
            if id.is_empty() || !ids.insert(id.clone()) {
                faults.push(format!("{what}: operationId {id:?} missing or repeated"));
            }
            if op["description"].as_str().is_none_or(str::is_empty) {
                faults.push(format!("{what}: no description"));
            }
            if !op["security"].is_array() {
                faults.push(format!("{what}: no security"));
            }
            let bodies = op["requestBody"]["content"]
                .as_object()
                .into_iter()
                .flatten();
            for (media, content) in bodies {
                if !content["examples"].is_object() {
                    faults.push(format!("{what}: no example of the {media} request"));
                }
            }
            for (status, response) in op["responses"].as_object().unwrap() {
                for (media, content) in response["content"].as_object().into_iter().flatten() {
                    if !content["examples"].is_object() {
                        faults.push(format!("{what} {status}: no example of {media}"));
                    }
                }
                if (status == "429" || status == "503")
                    && response["headers"]["Retry-After"].is_null()
                {
                    faults.push(format!("{what} {status}: Retry-After not documented"));
                }
            }
        }
    }
    assert!(ids.len() > 50, "{} operations", ids.len());
    assert!(faults.is_empty(), "{}", faults.join("\n"));
    // The call the portal makes to the operator is documented too.
    assert!(doc["webhooks"]["cluster.provision"]["post"]["requestBody"].is_object());
    let codes = doc["components"]["schemas"]["ProblemCode"]["enum"]
        .as_array()
        .unwrap();
    assert!(codes.iter().any(|c| c == "onboarding_incomplete"));
}
