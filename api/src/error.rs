//! `ApiError`: every refusal and failure as RFC 9457 problem details
//! (`application/problem+json`) with a stable machine-readable `code`, per-field messages for
//! validation, and `Retry-After` where waiting helps. Causes are logged, never sent.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One message about one request field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON pointer-like dotted path (`password`, `accepted_documents.0.version`).
    #[schema(example = "password")]
    pub field: String,
    /// Stable machine-readable reason.
    #[schema(example = "password_missing_symbol")]
    pub code: String,
    /// Human-readable message for people.
    #[schema(example = "must include a symbol")]
    pub message: String,
}

impl FieldError {
    pub fn new(
        field: impl Into<String>,
        code: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Self {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        }
    }
}

/// RFC 9457 problem details, as sent on every error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// URI reference identifying the problem type (`urn:service-portal:problem:<code>`).
    #[serde(rename = "type")]
    #[schema(example = "urn:service-portal:problem:validation_failed")]
    pub problem_type: String,
    /// Short summary of the problem type.
    #[schema(example = "The request is not valid")]
    pub title: String,
    /// The HTTP status code.
    #[schema(example = 422)]
    pub status: u16,
    /// Explanation specific to this occurrence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Stable machine-readable error code.
    pub code: ProblemCode,
    /// Per-field messages (validation problems).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait before trying again (also in the `Retry-After` header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    /// Where to go next, when the client can fix the situation (e.g. resend a verification email).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<NextAction>,
    /// For `onboarding_incomplete`: the next onboarding step (`accept_legal_documents`,
    /// `create_organization`, `create_project`, `activate_mfa`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<crate::services::onboarding::Step>)]
    pub next_step: Option<String>,
}

/// Every `code` a problem answer can carry: the single list the OpenAPI document's enum, the
/// web app's messages (a test checks each has an English and an Indonesian one) and the server
/// share.
macro_rules! problem_codes {
    ($($variant:ident => $code:literal,)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ProblemCode {
            $($variant,)*
        }

        impl ProblemCode {
            /// Every code, in the order of the list.
            pub const ALL: &'static [ProblemCode] = &[$(ProblemCode::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(ProblemCode::$variant => $code,)*
                }
            }
        }
    };
}

problem_codes! {
    AccountClosed => "account_closed",
    AlreadyMember => "already_member",
    BadRequest => "bad_request",
    CallbacksDisabled => "callbacks_disabled",
    CaptchaNotPow => "captcha_not_pow",
    CaptchaUnavailable => "captcha_unavailable",
    ChallengeExpired => "challenge_expired",
    ChallengeNotFound => "challenge_not_found",
    ClusterAlreadySettled => "cluster_already_settled",
    CrossSiteRequest => "cross_site_request",
    DatabaseUnavailable => "database_unavailable",
    EmailAlreadyVerified => "email_already_verified",
    EmailChangeLinkInvalid => "email_change_link_invalid",
    EmailNotVerified => "email_not_verified",
    EmailTaken => "email_taken",
    Forbidden => "forbidden",
    IdempotencyKeyInUse => "idempotency_key_in_use",
    IdempotencyKeyInvalid => "idempotency_key_invalid",
    IdempotencyKeyReused => "idempotency_key_reused",
    InsufficientRole => "insufficient_role",
    InsufficientScope => "insufficient_scope",
    InternalError => "internal_error",
    InvalidBody => "invalid_body",
    InvalidCode => "invalid_code",
    InvalidCredentials => "invalid_credentials",
    InvalidQuery => "invalid_query",
    InvalidRefreshToken => "invalid_refresh_token",
    InvalidToken => "invalid_token",
    InvitationExpired => "invitation_expired",
    InvitationInvalid => "invitation_invalid",
    InvitationPending => "invitation_pending",
    InvitationUsed => "invitation_used",
    InvitationWrongAccount => "invitation_wrong_account",
    LanguageUnsupported => "language_unsupported",
    LastOwner => "last_owner",
    MalformedJson => "malformed_json",
    MethodNotAllowed => "method_not_allowed",
    MfaCodeRequired => "mfa_code_required",
    MfaEnrollmentNotStarted => "mfa_enrollment_not_started",
    MfaNotActive => "mfa_not_active",
    MissingToken => "missing_token",
    NotFound => "not_found",
    NotReady => "not_ready",
    OnboardingIncomplete => "onboarding_incomplete",
    OrganizationHasProjects => "organization_has_projects",
    Overloaded => "overloaded",
    PayloadTooLarge => "payload_too_large",
    ProjectDeleting => "project_deleting",
    ReauthenticationFailed => "reauthentication_failed",
    ReauthenticationRequired => "reauthentication_required",
    RefreshTokenReused => "refresh_token_reused",
    RequestFailed => "request_failed",
    ResendTooSoon => "resend_too_soon",
    ResetLinkInvalid => "reset_link_invalid",
    RestoreLinkInvalid => "restore_link_invalid",
    SessionEnded => "session_ended",
    SignatureExpired => "signature_expired",
    SignatureInvalid => "signature_invalid",
    SignatureMissing => "signature_missing",
    SoleOwner => "sole_owner",
    TokenExpired => "token_expired",
    TooManyAttempts => "too_many_attempts",
    TooManyRequests => "too_many_requests",
    TooManyResends => "too_many_resends",
    Unauthorized => "unauthorized",
    UnsupportedMediaType => "unsupported_media_type",
    ValidationFailed => "validation_failed",
    VerificationTokenExpired => "verification_token_expired",
    VerificationTokenInvalid => "verification_token_invalid",
    VerificationTokenUsed => "verification_token_used",
    VersionExists => "version_exists",
}

impl std::fmt::Display for ProblemCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A pointer to the request that resolves the problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NextAction {
    #[schema(example = "POST")]
    pub method: String,
    #[schema(example = "/v1/email-verifications/resend")]
    pub href: String,
}

/// An error answer; boxed so that `Result<T, ApiError>` stays small on the happy path.
#[derive(Debug, Clone)]
pub struct ApiError(Box<Inner>);

#[derive(Debug, Clone)]
struct Inner {
    status: StatusCode,
    code: ProblemCode,
    title: &'static str,
    detail: Option<String>,
    errors: Vec<FieldError>,
    retry_after: Option<u64>,
    next: Option<NextAction>,
    allow: Option<String>,
    step: Option<&'static str>,
    /// The scope a token lacked (`insufficient_scope`), for `WWW-Authenticate`.
    scope: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: ProblemCode, title: &'static str) -> Self {
        Self(Box::new(Inner {
            status,
            code,
            title,
            detail: None,
            errors: Vec::new(),
            retry_after: None,
            next: None,
            allow: None,
            step: None,
            scope: None,
        }))
    }

    /// 403 `insufficient_scope` for a token without the scope `needed` (or, with `None`, for a
    /// route no token may reach): RFC 6750 §3.1.
    pub fn insufficient_scope(needed: Option<&'static str>) -> Self {
        let mut e = Self::new(
            StatusCode::FORBIDDEN,
            ProblemCode::InsufficientScope,
            "The token's scopes do not allow this",
        )
        .detail(match needed {
            Some(scope) => format!("This request needs a token with the `{scope}` scope."),
            None => {
                "Tokens issued to programs cannot be used here: sign in to the portal to do this."
                    .to_owned()
            }
        });
        e.0.scope = needed;
        e
    }

    /// The onboarding step still to do (for `onboarding_incomplete`).
    pub fn step(mut self, step: &'static str) -> Self {
        self.0.step = Some(step);
        self
    }

    /// The methods a 405 answer lists in `Allow`.
    pub fn allow(mut self, methods: String) -> Self {
        self.0.allow = Some(methods);
        self
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.0.detail = Some(detail.into());
        self
    }

    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds.max(1));
        self
    }

    pub fn next(mut self, method: &str, href: &str) -> Self {
        self.0.next = Some(NextAction {
            method: method.to_owned(),
            href: href.to_owned(),
        });
        self
    }

    pub fn code(&self) -> &'static str {
        self.0.code.as_str()
    }

    /// 422 with one message per field.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ProblemCode::ValidationFailed,
            "The request is not valid",
        )
        .detail("One or more fields are not valid; see `errors`.");
        e.0.errors = errors;
        e
    }

    /// Adds per-field messages (for a body or query that does not match its schema).
    pub fn with_errors(mut self, errors: Vec<FieldError>) -> Self {
        self.0.errors = errors;
        self
    }

    pub fn bad_request(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, "The request is not valid").detail(detail)
    }

    pub fn unauthorized(code: ProblemCode, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, code, "Authentication required").detail(detail)
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, ProblemCode::NotFound, "Not found")
            .detail("There is nothing at this address.")
    }

    pub fn too_many(code: ProblemCode, seconds: u64) -> Self {
        Self::new(StatusCode::TOO_MANY_REQUESTS, code, "Too many requests")
            .detail(format!(
                "Too many attempts; try again in {} seconds.",
                seconds.max(1)
            ))
            .retry_after(seconds)
    }

    /// 503: the database did not answer in time; try again shortly.
    pub fn database_unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::DatabaseUnavailable,
            "The service is temporarily unavailable",
        )
        .detail("The database did not answer in time; nothing was changed. Try again shortly.")
        .retry_after(2)
    }

    pub fn overloaded() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::Overloaded,
            "The service is busy",
        )
        .detail("Too many sign-ins are being processed; try again shortly.")
        .retry_after(1)
    }

    /// 500: the cause is logged here and never sent. When the cause is the database being
    /// unavailable (down, restarting, connection lost, a lock held past the bound), the answer
    /// is 503 `database_unavailable` with `Retry-After` instead: the request can simply be
    /// sent again shortly, and nothing was changed.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        let mut chain = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            chain.push_str(": ");
            chain.push_str(&s.to_string());
            source = s.source();
        }
        if crate::db::is_unavailable(cause) {
            tracing::warn!(error = %chain, "database unavailable");
            return Self::database_unavailable();
        }
        tracing::error!(error = %chain, "request failed");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ProblemCode::InternalError,
            "Something went wrong",
        )
        .detail("The server could not complete the request; it has been logged.")
    }

    pub fn to_problem(&self) -> Problem {
        Problem {
            problem_type: format!("urn:service-portal:problem:{}", self.0.code),
            title: self.0.title.to_owned(),
            status: self.0.status.as_u16(),
            detail: self.0.detail.clone(),
            code: self.0.code,
            errors: self.0.errors.clone(),
            retry_after: self.0.retry_after,
            next: self.0.next.clone(),
            next_step: self.0.step.map(str::to_owned),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.0.code, self.0.status)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.0.status);
        // For the request middleware (metrics), which sees the response but not this error.
        builder.extensions_mut().insert(self.0.code);
        builder.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)));
        builder.insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")));
        if matches!(
            self.0.code,
            ProblemCode::MissingToken | ProblemCode::InvalidToken | ProblemCode::TokenExpired
        ) {
            // RFC 6750 §3: tell the client which scheme and why.
            let value = if self.0.code == ProblemCode::MissingToken {
                "Bearer".to_owned()
            } else {
                format!(
                    "Bearer error=\"invalid_token\", error_description=\"{}\"",
                    self.0.code
                )
            };
            builder.insert_header((header::WWW_AUTHENTICATE, value));
        }
        if self.0.code == ProblemCode::InsufficientScope {
            let value = match self.0.scope {
                Some(scope) => format!("Bearer error=\"insufficient_scope\", scope=\"{scope}\""),
                None => "Bearer error=\"insufficient_scope\"".to_owned(),
            };
            builder.insert_header((header::WWW_AUTHENTICATE, value));
        }
        if let Some(allow) = &self.0.allow {
            builder.insert_header((header::ALLOW, allow.as_str()));
        }
        if let Some(seconds) = self.0.retry_after {
            builder.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        builder.body(serde_json::to_string(&self.to_problem()).unwrap_or_default())
    }
}

/// Problem for a status the framework produced on its own (404, 405, 413, …).
pub fn for_status(status: StatusCode) -> ApiError {
    match status.as_u16() {
        404 => ApiError::not_found(),
        405 => ApiError::new(status, ProblemCode::MethodNotAllowed, "Method not allowed")
            .detail("This address does not accept this method."),
        413 => ApiError::new(
            status,
            ProblemCode::PayloadTooLarge,
            "Request body too large",
        )
        .detail("The request body is larger than this endpoint accepts."),
        415 => ApiError::new(
            status,
            ProblemCode::UnsupportedMediaType,
            "Unsupported media type",
        )
        .detail("Send the body as application/json."),
        400 => ApiError::new(status, ProblemCode::BadRequest, "The request is not valid")
            .detail("The request could not be understood."),
        401 => ApiError::unauthorized(ProblemCode::Unauthorized, "Sign in to continue."),
        403 => ApiError::new(status, ProblemCode::Forbidden, "Forbidden"),
        s if s >= 500 => ApiError::new(status, ProblemCode::InternalError, "Something went wrong"),
        _ => ApiError::new(status, ProblemCode::RequestFailed, "The request failed"),
    }
}

pub fn path_error(_err: actix_web::error::PathError) -> ApiError {
    ApiError::not_found()
}

pub fn query_error(_err: actix_web::error::QueryPayloadError) -> ApiError {
    ApiError::bad_request(ProblemCode::InvalidQuery, "The query string is not valid.")
}
