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
    let page = app.get("/docs").await;
    assert_eq!(page.status(), 200);
    let csp = page.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"));
    let html = page.text().await.unwrap();
    assert!(html.contains("/docs/reference.js"));
    assert_eq!(app.get("/docs/reference.js").await.status(), 200);
}
