//! Public portal information: settings clients need, legal documents, captcha challenges.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::captcha::CaptchaProvider;
use crate::config::Profile;
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::language;
use crate::http::json::Query;
use crate::services::legal::{self, LegalError};
use crate::startup::AppState;

impl From<LegalError> for ApiError {
    fn from(e: LegalError) -> Self {
        match e {
            LegalError::UnknownKind | LegalError::NotPublished => ApiError::not_found(),
            LegalError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// One rule of the password policy, for a live checklist.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordRuleInfo {
    /// The code a violation of this rule is reported with.
    #[schema(example = "password_missing_symbol")]
    pub code: String,
    #[schema(example = "must include a symbol")]
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordPolicyInfo {
    #[schema(example = 14)]
    pub min_length: usize,
    #[schema(example = 128)]
    pub max_length: usize,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_digit: bool,
    pub require_symbol: bool,
    pub reject_common: bool,
    /// The active rules in the order they are checked.
    pub rules: Vec<PasswordRuleInfo>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CaptchaInfo {
    /// `pow` (built-in proof of work), a third-party widget, or `off`.
    #[schema(value_type = String, example = "pow")]
    pub provider: CaptchaProvider,
    /// Site key for third-party widgets.
    pub site_key: Option<String>,
    /// Leading zero bits a proof-of-work answer needs.
    pub pow_difficulty: Option<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LegalVersion {
    #[schema(example = "terms")]
    pub kind: String,
    #[schema(example = "1.0")]
    pub version: String,
    pub title: String,
}

/// Settings a client needs to build its forms.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalConfig {
    #[schema(example = "Service Portal AI")]
    pub portal_name: String,
    pub profile: Profile,
    pub password_policy: PasswordPolicyInfo,
    /// Free-mail addresses are refused at sign-up.
    pub corporate_email_only: bool,
    /// Country assumed for phone numbers without a `+` prefix, if any.
    pub default_phone_region: Option<String>,
    pub captcha: CaptchaInfo,
    /// Current legal document versions.
    pub legal_documents: Vec<LegalVersion>,
    /// Languages the portal speaks.
    #[schema(example = json!(["en", "id"]))]
    pub languages: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub struct LanguageQuery {
    /// `en` or `id`; defaults to `Accept-Language`, then English.
    pub language: Option<String>,
}

/// Portal settings for clients.
///
/// The password policy (for a live checklist), captcha provider, current legal versions and
/// portal name. Public.
#[utoipa::path(
    tag = "portal",
    responses((status = 200, description = "Portal settings", body = PortalConfig)),
)]
#[get("/config")]
pub async fn get_config(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = &state.settings;
    let policy = &s.password_policy;
    let docs = legal::all_current(&state, "en").await?;
    let body = PortalConfig {
        portal_name: s.portal_name.clone(),
        profile: s.profile,
        password_policy: PasswordPolicyInfo {
            min_length: policy.min_length,
            max_length: policy.max_length,
            require_uppercase: policy.require_uppercase,
            require_lowercase: policy.require_lowercase,
            require_digit: policy.require_digit,
            require_symbol: policy.require_symbol,
            reject_common: policy.reject_common,
            rules: policy
                .rules_summary()
                .into_iter()
                .map(|(code, message)| PasswordRuleInfo {
                    code: code.to_owned(),
                    message,
                })
                .collect(),
        },
        corporate_email_only: s.corporate_email_only,
        default_phone_region: s.default_phone_region.clone(),
        captcha: CaptchaInfo {
            provider: state.captcha.provider(),
            site_key: state.captcha.site_key().map(str::to_owned),
            pow_difficulty: (state.captcha.provider() == CaptchaProvider::Pow)
                .then_some(s.captcha.pow_difficulty),
        },
        legal_documents: docs
            .into_iter()
            .map(|d| LegalVersion {
                kind: d.kind,
                version: d.version,
                title: d.title,
            })
            .collect(),
        languages: vec!["en".into(), "id".into()],
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "public, max-age=60"))
        .json(body))
}

/// A legal document's current version (`language` is `en` when the version has no text in the
/// language asked for).
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalDocumentSummary {
    /// `terms`, `privacy` or `eula` (Enterprise accounts only).
    #[schema(example = "terms")]
    pub kind: String,
    #[schema(example = "1.0")]
    pub version: String,
    #[schema(example = "en")]
    pub language: String,
    #[schema(example = "Terms and Conditions")]
    pub title: String,
    pub published_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LegalDocumentList {
    pub items: Vec<LegalDocumentSummary>,
}

/// A legal document with its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct LegalDocument {
    #[schema(example = "terms")]
    pub kind: String,
    #[schema(example = "1.0")]
    pub version: String,
    #[schema(example = "en")]
    pub language: String,
    pub title: String,
    /// The text, in Markdown.
    pub body: String,
    pub published_at: DateTime<Utc>,
}

fn utc(at: chrono::NaiveDateTime) -> DateTime<Utc> {
    DateTime::from_naive_utc_and_offset(at, Utc)
}

/// Current legal documents.
///
/// The current version of the Terms and Conditions, the Privacy Policy and the End-User License
/// Agreement (which applies to Enterprise accounts only).
#[utoipa::path(
    tag = "portal",
    params(LanguageQuery),
    responses(
        (status = 200, description = "Current versions", body = LegalDocumentList),
        (status = 400, description = "Unsupported language", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/legal-documents")]
pub async fn list_legal_documents(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: Query<LanguageQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = language(&req, query.language.as_deref())?;
    let docs = legal::all_current(&state, lang).await?;
    Ok(HttpResponse::Ok().json(LegalDocumentList {
        items: docs
            .into_iter()
            .map(|d| LegalDocumentSummary {
                kind: d.kind,
                version: d.version,
                language: d.language,
                title: d.title,
                published_at: utc(d.published_at),
            })
            .collect(),
    }))
}

/// One current legal document with its text.
///
/// The version in force of a legal document (Terms, Privacy Policy, EULA) as Markdown, in the
/// language asked for (`language`, else `Accept-Language`). A version published without a text
/// in that language is still the one in force: its English text is returned, with `language`
/// `en` saying so.
#[utoipa::path(
    tag = "portal",
    params(
        ("kind" = String, Path, description = "`terms`, `privacy` or `eula`", example = "terms"),
        LanguageQuery,
    ),
    responses(
        (status = 200, description = "The current version", body = LegalDocument),
        (status = 400, description = "Unsupported language", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown kind", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/legal-documents/{kind}")]
pub async fn get_legal_document(
    state: web::Data<AppState>,
    req: HttpRequest,
    kind: web::Path<String>,
    query: Query<LanguageQuery>,
) -> Result<HttpResponse, ApiError> {
    let lang = language(&req, query.language.as_deref())?;
    let d = legal::current(&state, &kind, lang).await?;
    Ok(HttpResponse::Ok().json(LegalDocument {
        kind: d.kind,
        version: d.version,
        language: d.language,
        title: d.title,
        body: d.body,
        published_at: utc(d.published_at),
    }))
}

/// A proof-of-work challenge.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaptchaChallenge {
    /// Opaque signed challenge.
    pub challenge: String,
    /// Hash function of the puzzle.
    #[schema(example = "SHA-256")]
    pub algorithm: String,
    /// Find a decimal `nonce` such that SHA-256(`challenge` + ":" + `nonce`) starts with this many
    /// zero bits; then send `"<challenge>:<nonce>"` as the `captcha` field.
    #[schema(example = 18)]
    pub difficulty: u8,
    pub expires_at: DateTime<Utc>,
}

/// Issue a built-in captcha challenge.
///
/// Only when the portal's captcha provider is `pow`. Each solved challenge is accepted once.
#[utoipa::path(
    tag = "portal",
    responses(
        (status = 201, description = "A new challenge", body = CaptchaChallenge),
        (status = 409, description = "The portal does not use the built-in captcha", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/captcha/challenges")]
pub async fn create_captcha_challenge(
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let c = state.captcha.issue(state.clock.now()).map_err(|_| {
        ApiError::new(
            actix_web::http::StatusCode::CONFLICT,
            ProblemCode::CaptchaNotPow,
            "Captcha provider mismatch",
        )
        .detail("This portal does not use the built-in proof-of-work captcha; see GET /v1/config.")
    })?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(CaptchaChallenge {
            challenge: c.challenge,
            algorithm: c.algorithm.to_owned(),
            difficulty: c.difficulty,
            expires_at: c.expires_at,
        }))
}
