//! Trace export: with `PORTAL_OTLP_ENDPOINT` set, the spans of a request, of the provisioning
//! attempt it caused and of the call to the operator's webhook reach an OpenTelemetry collector
//! on loopback as OTLP/JSON — one trace, continuing the caller's, with the span id the operator
//! received in `traceparent`. A request the caller did not sample is not recorded; no token,
//! password or email address is ever part of a span; a collector that refuses an export once
//! gets it again.

use std::time::Duration;

use portal_tests::http_sink::{HttpSink, Received};
use portal_tests::{both_backends, Backend, TestApp};
use serde_json::Value;

use crate::organizations::{member, organization};
use crate::provisioning::traced_project;
use crate::support::PASSWORD;

const CALLER: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const UNSAMPLED: &str = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";

both_backends!(spans_reach_the_collector_as_one_trace, story: story);

async fn story(backend: Backend) {
    // The collector refuses the first export (503): the exporter sends it again.
    let collector = HttpSink::start(1).await;
    let operator = HttpSink::start(0).await;
    let provision_url = format!("{}/provision", operator.base);
    let app = TestApp::spawn_with(
        backend,
        &[
            ("PORTAL_OTLP_ENDPOINT", &collector.base),
            ("PORTAL_OTLP_INTERVAL", "1s"),
            (
                "PORTAL_OTLP_HEADERS",
                "authorization=Bearer%20collector-key",
            ),
            ("PORTAL_PROVISIONER", "webhook"),
            ("PORTAL_PROVISIONER_WEBHOOK_URL", &provision_url),
            (
                "PORTAL_PROVISIONER_WEBHOOK_SECRET",
                "test-webhook-secret-0123456789",
            ),
        ],
    )
    .await;
    let email = "otel@maju.example";
    let person = member(&app, email).await;
    let org = organization(&app, &person.access).await;
    let org_id = org["id"].as_str().unwrap();

    // Not sampled by the caller: not recorded. An unknown path: a span named by its method.
    let res = app
        .client
        .get(app.url("/v1/me"))
        .bearer_auth(&person.access)
        .header("traceparent", UNSAMPLED)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .client
        .get(app.url("/v1/no-such-thing"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);

    traced_project(&app, &person.access, org_id, "Traced", CALLER).await;
    let call = operator.wait_count(1).await.remove(0);
    let call_span = call
        .header("traceparent")
        .unwrap()
        .split('-')
        .nth(2)
        .unwrap()
        .to_owned();

    let exports = collector
        .wait_until(
            "the request's, the attempt's and the call's spans, accepted",
            |r| {
                // The first export was refused: what counts is what came after it. Each span is
                // exported when it ends, and the three end in no fixed order (the attempt after the
                // call it contains; the request whenever its answer is written), so wait for all.
                r.len() > 1 && {
                    let after = spans(&r[1..]);
                    after.iter().any(|s| s["spanId"] == call_span.as_str())
                        && after.iter().any(|s| s["name"] == "provision cluster")
                        && after
                            .iter()
                            .any(|s| s["name"] == "POST /v1/organizations/{id}/projects")
                }
            },
        )
        .await;
    for export in &exports {
        assert_eq!(export.path, "/v1/traces");
        assert_eq!(export.header("content-type"), Some("application/json"));
        assert_eq!(export.header("authorization"), Some("Bearer collector-key"));
    }
    assert!(exports.len() >= 2);
    assert_eq!(
        exports[1].body, exports[0].body,
        "the refused export, sent again"
    );
    let all = spans(&exports);

    let resource =
        &serde_json::from_slice::<Value>(&exports[0].body).unwrap()["resourceSpans"][0]["resource"];
    assert_eq!(attribute(resource, "service.name"), "service-portal");

    // The request: a server span in the caller's trace, under the caller's span.
    let server = find(&all, "POST /v1/organizations/{id}/projects");
    assert_eq!(server["traceId"], "4bf92f3577b34da6a3ce929d0e0e4736");
    assert_eq!(server["parentSpanId"], "00f067aa0ba902b7");
    assert_eq!(server["kind"], 2);
    assert_eq!(
        attribute(server, "http.route"),
        "/v1/organizations/{id}/projects"
    );
    assert_eq!(attribute(server, "http.response.status_code"), "201");
    assert_eq!(attribute(server, "http.request.method"), "POST");
    assert_eq!(attribute(server, "portal.request_id").len(), 36);
    assert_eq!(attribute(server, "portal.account_id").len(), 36);
    // The provisioning attempt, however much later it ran, is a child of the request.
    let attempt = find(&all, "provision cluster");
    assert_eq!(attempt["traceId"], server["traceId"]);
    assert_eq!(attempt["parentSpanId"], server["spanId"]);
    assert_eq!(attempt["kind"], 1);
    assert_eq!(attribute(attempt, "portal.provision.outcome"), "accepted");
    // The webhook call is a child of the attempt, with the id the operator received.
    let client = all
        .iter()
        .find(|s| s["spanId"] == call_span.as_str())
        .unwrap();
    assert_eq!(client["traceId"], server["traceId"]);
    assert_eq!(client["parentSpanId"], attempt["spanId"]);
    assert_eq!(client["kind"], 3);
    assert_eq!(attribute(client, "http.response.status_code"), "202");
    let nanos = |s: &Value, k: &str| s[k].as_str().unwrap().parse::<u128>().unwrap();
    for span in [server, attempt, client] {
        assert!(nanos(span, "endTimeUnixNano") >= nanos(span, "startTimeUnixNano"));
    }

    // A request without `traceparent` starts a trace of its own.
    let onboarding = find(&all, "GET /v1/me/onboarding");
    assert!(onboarding.get("parentSpanId").is_none(), "{onboarding}");
    assert_ne!(onboarding["traceId"], server["traceId"]);
    let unmatched = find(&all, "GET");
    assert_eq!(attribute(unmatched, "http.response.status_code"), "404");
    assert!(unmatched["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["key"] != "http.route"));
    assert!(
        all.iter()
            .all(|s| s["traceId"] != "0af7651916cd43dd8448eb211c80319c"),
        "an unsampled request is not recorded"
    );

    // Nothing secret leaves in a span.
    let text: String = exports
        .iter()
        .map(|e| String::from_utf8_lossy(&e.body).into_owned())
        .collect();
    for secret in [person.access.as_str(), &person.refresh, PASSWORD, email] {
        assert!(!text.contains(secret), "{secret:?} was exported");
    }

    // The exporter counts what it sent.
    let mut exported = 0.0;
    for _ in 0..50 {
        let metrics = app.get("/metrics").await.text().await.unwrap();
        exported = metrics
            .lines()
            .find_map(|l| l.strip_prefix("portal_trace_spans_total{outcome=\"exported\"} "))
            .map_or(0.0, |v| v.parse().unwrap());
        if exported > 0.0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        exported >= all.len() as f64 - 1.0,
        "{exported} of {}",
        all.len()
    );
}

/// Every span of every export, once each (a resent export repeats its spans).
fn spans(exports: &[Received]) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    let mut all = Vec::new();
    for export in exports {
        let body: Value = serde_json::from_slice(&export.body).unwrap();
        for resource in body["resourceSpans"].as_array().unwrap() {
            for scope in resource["scopeSpans"].as_array().unwrap() {
                for span in scope["spans"].as_array().unwrap() {
                    if seen.insert(span["spanId"].as_str().unwrap().to_owned()) {
                        all.push(span.clone());
                    }
                }
            }
        }
    }
    all
}

fn find<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    spans
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no span {name:?}"))
}

/// A string or integer attribute's value, as a string.
fn attribute(span: &Value, key: &str) -> String {
    let value = &span["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["key"] == key)
        .unwrap_or_else(|| panic!("no attribute {key} in {span}"))["value"];
    value["stringValue"]
        .as_str()
        .or_else(|| value["intValue"].as_str())
        .unwrap()
        .to_owned()
}
