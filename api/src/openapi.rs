//! The OpenAPI 3.1 document: collected from the same `service(...)` calls that build the router
//! (`http::routes`), plus the shared problem schema and the bearer security scheme. Served at
//! `/openapi.json`, committed at `openapi/openapi.json`, and checked to match by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, NextAction, Problem};
use crate::jobs::provisioners::webhook::ProvisionEvent;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Service Portal API",
        description = "Self-service onboarding and identity for the cloud portal: sign up, verify \
email, sign in from new devices with an emailed code, and manage sessions.\n\n\
Errors are RFC 9457 problem details (`application/problem+json`) with a stable `code`; \
validation errors list one message per field in `errors`; a body or query that does not match \
its schema answers `400` with `errors[]` entries `{field, code}` (`required`, `unknown_field`, \
`invalid_type`, `invalid_value`). Access tokens are Ed25519-signed JWTs \
(`typ: at+jwt`) verifiable with the keys at `/.well-known/jwks.json`; a token whose session \
ended answers `401 session_ended` on every endpoint.\n\n\
Any endpoint that reaches the database may answer `503 database_unavailable` with `Retry-After` \
while the database is down, restarting or locked past the bound: nothing was changed, send the \
request again.",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "/", description = "The portal that serves this document")),
    components(schemas(Problem, FieldError, NextAction, ProvisionEvent)),
    modifiers(&BearerScheme),
    tags(
        (name = "portal", description = "Public portal settings, legal documents and captcha challenges"),
        (name = "accounts", description = "Sign up and email verification"),
        (name = "sessions", description = "Sign in, device verification, MFA codes, refresh and sign out"),
        (name = "me", description = "The signed-in account: profile, onboarding, devices, sessions, security events"),
        (name = "passwords", description = "Forgotten-password reset by emailed link, and password change"),
        (name = "mfa", description = "Multi-factor authentication: TOTP authenticator apps and recovery codes"),
        (name = "admin", description = "Staff: enterprise accounts, legal document versions, sales representatives, MFA resets, ending an account's sessions, OAuth clients"),
        (name = "organizations", description = "Organizations and the sales representatives who recommend the portal"),
        (name = "projects", description = "Projects and their cluster status (pending, provisioning, ready, failed)"),
        (name = "provisioning", description = "Callbacks from the operator's provisioning system (webhook provisioner, HMAC-signed)"),
        (name = "oauth", description = "OAuth 2.0 for programs: device sign-in (RFC 8628) and its approval, tokens, introspection (RFC 7662), revocation (RFC 7009), metadata (RFC 8414)"),
        (name = "system", description = "Keys and health"),
    ),
)]
pub struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "Access token from `POST /v1/sessions` or `POST /v1/sessions/refresh` (or, for programs, `POST /v1/oauth/token`), or a personal access token (`sp_pat_…`, `POST /v1/me/tokens`) on the endpoints its scopes allow.",
                    ))
                    .build(),
            ),
        );
    }
}

/// The whole document, as the router registers it.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(doc)
        .configure(crate::http::routes)
        .split_for_parts();
    finish(doc)
}

/// Bodies whose fields are all required, although a missing one is reported like an empty one
/// (their `#[serde(default)]` would otherwise make the derived schema give each a `""` default
/// and require none, so generated clients would make them optional).
const ALL_FIELDS_REQUIRED: &[&str] = &["CreateOrganizationBody", "CreateProjectBody"];

/// The create operations that honour `Idempotency-Key` (`http::idempotency`).
const IDEMPOTENT: &[&str] = &[
    "/v1/accounts",
    "/v1/organizations",
    "/v1/organizations/{id}/projects",
];

/// Gives every request and response body an example in OpenAPI 3.1 `examples`: the route's own
/// where it has one, else one built from the field examples of its schema; a problem answer's
/// example carries its status and the code its description names.
fn add_examples(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::example::ExampleBuilder;
    use utoipa::openapi::RefOr;
    let schemas = serde_json::to_value(&doc.components)
        .ok()
        .and_then(|c| c.get("schemas").cloned())
        .unwrap_or_default();
    let example_for = |content: &utoipa::openapi::Content, problem: Option<(&str, &str)>| {
        if let Some(value) = &content.example {
            return Some(value.clone());
        }
        if let Some((status, description)) = problem {
            return Some(problem_example(status, description));
        }
        let schema = serde_json::to_value(content.schema.as_ref()?).ok()?;
        example_of(&schema, &schemas, 0)
    };
    let set = |content: &mut utoipa::openapi::Content, value: serde_json::Value| {
        content.example = None;
        content
            .examples
            .entry("example".to_owned())
            .or_insert_with(|| RefOr::T(ExampleBuilder::new().value(Some(value)).build()));
    };
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for op in operations.into_iter().flatten() {
            if let Some(body) = op.request_body.as_mut() {
                for content in body.content.values_mut() {
                    if let Some(value) = example_for(content, None) {
                        set(content, value);
                    }
                }
            }
            for (status, response) in &mut op.responses.responses {
                let RefOr::T(response) = response else {
                    continue;
                };
                let description = response.description.clone();
                for (media, content) in &mut response.content {
                    let problem = (media == crate::error::PROBLEM_JSON)
                        .then_some((status.as_str(), description.as_str()));
                    if let Some(value) = example_for(content, problem) {
                        set(content, value);
                    }
                }
            }
        }
    }
}

/// A problem answer as the server would send it for `status`, with the code the description
/// names in backquotes (e.g. "… (`onboarding_incomplete`)") or the usual one for the status.
fn problem_example(status: &str, description: &str) -> serde_json::Value {
    use crate::error::ProblemCode;
    let named = description.split('`').skip(1).step_by(2).find_map(|word| {
        ProblemCode::ALL
            .iter()
            .find(|c| c.as_str() == word)
            .copied()
    });
    let code = named.unwrap_or(match status {
        "400" => ProblemCode::MalformedJson,
        "401" => ProblemCode::InvalidToken,
        "403" => ProblemCode::Forbidden,
        "404" => ProblemCode::NotFound,
        "405" => ProblemCode::MethodNotAllowed,
        "409" => ProblemCode::IdempotencyKeyInUse,
        "413" => ProblemCode::PayloadTooLarge,
        "415" => ProblemCode::UnsupportedMediaType,
        "422" => ProblemCode::ValidationFailed,
        "429" => ProblemCode::TooManyRequests,
        "503" => ProblemCode::DatabaseUnavailable,
        _ => ProblemCode::InternalError,
    });
    let status_number: u16 = status.parse().unwrap_or(500);
    let mut example = serde_json::json!({
        "type": format!("urn:service-portal:problem:{code}"),
        "title": actix_web::http::StatusCode::from_u16(status_number)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error"),
        "status": status_number,
        "detail": description,
        "code": code,
    });
    if code == ProblemCode::ValidationFailed {
        example["errors"] = serde_json::json!([
            { "field": "name", "code": "required", "message": "Enter a name." }
        ]);
    }
    if status == "429" || status == "503" {
        example["retry_after"] = serde_json::json!(30);
    }
    example
}

/// An example value for a JSON schema: its own example, else one built from its parts (field
/// examples, the first enum value, a value of its type and format).
fn example_of(
    schema: &serde_json::Value,
    schemas: &serde_json::Value,
    depth: usize,
) -> Option<serde_json::Value> {
    use serde_json::{json, Value};
    if depth > 8 {
        return None;
    }
    if let Some(example) = schema.get("example") {
        return Some(example.clone());
    }
    if let Some(example) = schema.get("examples").and_then(|e| e.get(0)) {
        return Some(example.clone());
    }
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next()?;
        return example_of(schemas.get(name)?, schemas, depth + 1);
    }
    if let Some(value) = schema.get("default") {
        return Some(value.clone());
    }
    if let Some(value) = schema.get("enum").and_then(|e| e.get(0)) {
        return Some(value.clone());
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(key).and_then(Value::as_array) {
            return options
                .iter()
                .filter(|s| s.get("type") != Some(&json!("null")))
                .find_map(|s| example_of(s, schemas, depth + 1));
        }
    }
    let kind = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ => return None,
    };
    Some(match kind {
        "object" => Value::Object(
            schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|properties| {
                    properties
                        .iter()
                        .filter_map(|(k, p)| {
                            let plain_string = p.get("example").is_none()
                                && p.get("$ref").is_none()
                                && p.get("format").is_none()
                                && p.get("type").is_some_and(|t| {
                                    t == "string"
                                        || t.as_array()
                                            .is_some_and(|a| a.contains(&json!("string")))
                                });
                            // Ids are UUIDv7 text.
                            if plain_string && (k == "id" || k.ends_with("_id")) {
                                return Some((
                                    k.clone(),
                                    json!("01938a6e-7c1d-7b3e-9f2a-5d4c3b2a1f0e"),
                                ));
                            }
                            Some((k.clone(), example_of(p, schemas, depth + 1)?))
                        })
                        .collect()
                })
                .unwrap_or_default(),
        ),
        "array" => Value::Array(
            schema
                .get("items")
                .and_then(|items| example_of(items, schemas, depth + 1))
                .into_iter()
                .collect(),
        ),
        "string" => json!(match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => "2026-12-06T09:30:00Z",
            Some("date") => "2026-12-06",
            Some("uuid") => "01938a6e-7c1d-7b3e-9f2a-5d4c3b2a1f0e",
            Some("email") => "budi@example.com",
            Some("uri") => "https://portal.example/",
            _ => "string",
        }),
        "integer" => schema.get("minimum").cloned().unwrap_or(json!(1)),
        "number" => json!(1.5),
        "boolean" => json!(true),
        _ => Value::Null,
    })
}

/// A response whose body is problem details.
fn problem_response(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    utoipa::openapi::RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

/// Documents `Idempotency-Key` on one create operation: the header, the replay marker on its
/// success answer, and the `409` of a key still in use.
fn document_idempotency(op: &mut utoipa::openapi::path::Operation) {
    use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
    use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
    op.parameters.get_or_insert_with(Vec::new).push(
        ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes a retry safe (draft-ietf-httpapi-idempotency-key-header): the same key \
                 with the same request within 24 hours gets the first answer again, with \
                 `Idempotent-Replayed: true`, instead of creating a second one. 1–255 visible \
                 ASCII characters, e.g. a UUID, bare or as a quoted string; otherwise `400 \
                 idempotency_key_invalid`. The same key with another request is `422 \
                 idempotency_key_reused`. Answers 429 and 5xx are not kept.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .examples(["\"9b2f6c1e-4a3d-4f7e-8c2b-5d1a0e3f4b6c\""]),
            ))
            .build(),
    );
    for (status, response) in &mut op.responses.responses {
        if status.starts_with('2') {
            if let RefOr::T(response) = response {
                let mut header = utoipa::openapi::header::Header::new(
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .enum_values(Some(["true"])),
                );
                header.description =
                    Some("`true` when this is the stored answer to an earlier request with the same `Idempotency-Key`.".to_owned());
                response
                    .headers
                    .insert("Idempotent-Replayed".to_owned(), header);
            }
        }
    }
    let RefOr::T(mut conflict) = problem_response(
        "The first request with this `Idempotency-Key` is still running \
         (`idempotency_key_in_use`); retry after `Retry-After`",
    ) else {
        return;
    };
    let mut retry = utoipa::openapi::header::Header::new(
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1)),
    );
    retry.description = Some("Seconds to wait before sending the request again.".to_owned());
    conflict.headers.insert("Retry-After".to_owned(), retry);
    op.responses
        .responses
        .insert("409".to_owned(), RefOr::T(conflict));
}

/// What the route annotations cannot say once for all operations: a public operation declares
/// `security: []` (OpenAPI 3.1 §4.8.10: no requirement, rather than none stated), every `429`
/// and `503` documents the `Retry-After` it carries, and the bodies above require every field.
fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{schema::Schema, ObjectBuilder, RefOr, Type};
    for path in IDEMPOTENT {
        if let Some(op) = doc.paths.paths.get_mut(*path).and_then(|i| i.post.as_mut()) {
            document_idempotency(op);
        }
    }
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            op.security.get_or_insert_with(Vec::new);
            if op.request_body.is_some() {
                // What the JSON extractor answers for any body, before the handler runs.
                for (status, description) in [
                    ("400", "Malformed body or unknown field"),
                    ("413", "Body too large"),
                    ("415", "Not JSON"),
                ] {
                    op.responses
                        .responses
                        .entry(status.to_owned())
                        .or_insert_with(|| problem_response(description));
                }
            }
            for (status, response) in &mut op.responses.responses {
                if status != "429" && status != "503" {
                    continue;
                }
                if let RefOr::T(response) = response {
                    response
                        .headers
                        .entry("Retry-After".to_owned())
                        .or_insert_with(|| {
                            let mut header = utoipa::openapi::header::Header::new(
                                ObjectBuilder::new()
                                    .schema_type(Type::Integer)
                                    .minimum(Some(1)),
                            );
                            header.description = Some(
                                "Seconds to wait before sending the request again (RFC 9110 \
                                 §10.2.3), when a wait is known."
                                    .to_owned(),
                            );
                            header
                        });
                }
            }
        }
    }
    if let Some(components) = doc.components.as_mut() {
        for name in ALL_FIELDS_REQUIRED {
            if let Some(RefOr::T(Schema::Object(object))) = components.schemas.get_mut(*name) {
                object.required = object.properties.keys().cloned().collect();
                for property in object.properties.values_mut() {
                    if let RefOr::T(Schema::Object(property)) = property {
                        property.default = None;
                    }
                }
            }
        }
    }
    add_examples(&mut doc);
    doc
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document_json() -> String {
    to_json(&document())
}

/// Pretty JSON with a trailing newline, with the `webhooks` the portal calls (which the
/// derive cannot describe).
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> String {
    #[derive(serde::Serialize)]
    struct WithWebhooks<'a> {
        #[serde(flatten)]
        doc: &'a utoipa::openapi::OpenApi,
        webhooks: serde_json::Value,
    }
    let mut text = serde_json::to_string_pretty(&WithWebhooks {
        doc,
        webhooks: webhooks(),
    })
    .unwrap_or_default();
    text.push('\n');
    text
}

/// The webhook provisioner's call to the operator (`PORTAL_PROVISIONER=webhook`).
fn webhooks() -> serde_json::Value {
    let header = |name: &str, description: &str, example: &str| {
        serde_json::json!({
            "name": name,
            "in": "header",
            "required": true,
            "description": description,
            "schema": { "type": "string" },
            "example": example,
        })
    };
    serde_json::json!({
        "cluster.provision": {
            "post": {
                "operationId": "cluster_provision",
                "tags": ["provisioning"],
                "summary": "Create a project's cluster (sent to the operator).",
                "description": "With `PORTAL_PROVISIONER=webhook`, the portal POSTs this to \
    `PORTAL_PROVISIONER_WEBHOOK_URL` for each new project. A 2xx answer means accepted: the project \
    stays `provisioning` until the operator POSTs the signed outcome to `callback_url` \
    (`POST /v1/provisioning/callbacks`). Any other answer, a timeout (10 s) or a connection error \
    is retried with backoff (30 s doubling to 30 min, 8 attempts), then the project fails.",
                "security": [],
                "parameters": [
                    header("X-Portal-Timestamp", "Unix seconds when the request was signed; refuse it when more than five minutes from your clock.", "1765000000"),
                    header("X-Portal-Signature", "`v1=` and the hex HMAC-SHA256, under the shared secret, of `<timestamp>.<body>`; compare in constant time.", "v1=5d41402abc4b2a76b9719d911017c592ae1f4c3b2a1d0e9f8c7b6a5d4c3b2a1f"),
                    header("X-Portal-Delivery", "The same on every retry of one project's request: deduplicate with it.", "01938a6e-9b8c-7d6e-8f1a-2b3c4d5e6f70"),
                    header("traceparent", "W3C Trace Context: a child span of the request that created the project.", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                ],
                "requestBody": {
                    "required": true,
                    "content": {
                        "application/json": {
                            "schema": { "$ref": "#/components/schemas/ProvisionEvent" }
                        }
                    }
                },
                "responses": {
                    "2XX": { "description": "Accepted: the outcome follows by callback." },
                    "default": { "description": "Not accepted: the request is sent again later." }
                }
            }
        },
        "cluster.delete": {
            "post": {
                "operationId": "cluster_delete",
                "tags": ["provisioning"],
                "summary": "Remove a project's cluster (sent to the operator).",
                "description": "With `PORTAL_PROVISIONER=webhook`, the portal POSTs this (the same \
    body with `\"event\": \"cluster.delete\"`, signed the same way) to \
    `PORTAL_PROVISIONER_WEBHOOK_URL` when someone deletes a project. A 2xx answer means accepted: \
    the project stays `deleting` until the operator POSTs `{\"project_id\", \"status\": \"deleted\"}` \
    (the project is then gone) or `\"failed\"` with a `reason` (the project is kept, `failed`) to \
    `callback_url`. Retried like provisioning.",
                "security": [],
                "parameters": [
                    header("X-Portal-Timestamp", "Unix seconds when the request was signed; refuse it when more than five minutes from your clock.", "1765000000"),
                    header("X-Portal-Signature", "`v1=` and the hex HMAC-SHA256, under the shared secret, of `<timestamp>.<body>`; compare in constant time.", "v1=5d41402abc4b2a76b9719d911017c592ae1f4c3b2a1d0e9f8c7b6a5d4c3b2a1f"),
                    header("X-Portal-Delivery", "The same on every retry of one deletion: deduplicate with it.", "01938a6e-9b8c-7d6e-8f1a-2b3c4d5e6f71"),
                    header("traceparent", "W3C Trace Context: a child span of the request that deleted the project.", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
                ],
                "requestBody": {
                    "required": true,
                    "content": {
                        "application/json": {
                            "schema": { "$ref": "#/components/schemas/ProvisionEvent" }
                        }
                    }
                },
                "responses": {
                    "2XX": { "description": "Accepted: the outcome follows by callback." },
                    "default": { "description": "Not accepted: the request is sent again later." }
                }
            }
        }
    })
}
