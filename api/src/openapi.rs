//! The OpenAPI 3.1 document: collected from the same `service(...)` calls that build the router
//! (`http::routes`), plus the shared problem schema and the bearer security scheme. Served at
//! `/openapi.json`, committed at `openapi/openapi.json`, and checked to match by a test.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, NextAction, Problem};

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
    components(schemas(Problem, FieldError, NextAction)),
    modifiers(&BearerScheme),
    tags(
        (name = "portal", description = "Public portal settings, legal documents and captcha challenges"),
        (name = "accounts", description = "Sign up and email verification"),
        (name = "sessions", description = "Sign in, device verification, MFA codes, refresh and sign out"),
        (name = "me", description = "The signed-in account: profile, onboarding, devices, sessions, security events"),
        (name = "passwords", description = "Forgotten-password reset by emailed link, and password change"),
        (name = "mfa", description = "Multi-factor authentication: TOTP authenticator apps and recovery codes"),
        (name = "admin", description = "Staff: enterprise accounts, legal document versions, sales representatives, MFA resets, ending an account's sessions"),
        (name = "organizations", description = "Organizations and the sales representatives who recommend the portal"),
        (name = "projects", description = "Projects and their cluster status (pending, provisioning, ready, failed)"),
        (name = "provisioning", description = "Callbacks from the operator's provisioning system (webhook provisioner, HMAC-signed)"),
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
                        "Access token from `POST /v1/sessions` or `POST /v1/sessions/refresh`.",
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

/// What the route annotations cannot say once for all operations: a public operation declares
/// `security: []` (OpenAPI 3.1 §4.8.10: no requirement, rather than none stated), every `429`
/// and `503` documents the `Retry-After` it carries, and the bodies above require every field.
fn finish(mut doc: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::{schema::Schema, ObjectBuilder, RefOr, Type};
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
    doc
}

/// The document as committed: pretty JSON with a trailing newline.
pub fn document_json() -> String {
    to_json(&document())
}

/// Pretty JSON with a trailing newline.
pub fn to_json(doc: &utoipa::openapi::OpenApi) -> String {
    let mut text = doc.to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
