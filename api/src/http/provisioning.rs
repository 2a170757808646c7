//! `POST /v1/provisioning/callbacks`: the operator's report of a cluster's outcome (webhook
//! provisioner). Public, and authenticated only by the HMAC signature over the raw body with
//! the shared secret; a timestamp more than five minutes off is refused (replay protection).

use actix_web::http::StatusCode;
use actix_web::{post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{self, ApiError, Problem, ProblemCode};
use crate::http::projects::ClusterStatus;
use crate::jobs::provisioners::webhook::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use crate::services::projects::{self, utc, CallbackError, ProvisioningReport, ReportedStatus};
use crate::startup::AppState;

/// Largest callback body accepted.
const CALLBACK_LIMIT: usize = 16 * 1024;

impl From<CallbackError> for ApiError {
    fn from(e: CallbackError) -> Self {
        match e {
            CallbackError::NotEnabled => ApiError::unauthorized(
                ProblemCode::CallbacksDisabled,
                "Provisioning callbacks are accepted only with the webhook provisioner.",
            ),
            CallbackError::Signature(s) => ApiError::unauthorized(s.code(), s.to_string()),
            CallbackError::Invalid(errors) => ApiError::validation(errors),
            CallbackError::NotFound => ApiError::not_found(),
            CallbackError::AlreadySettled(status) => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::ClusterAlreadySettled,
                "Already reported",
            )
            .detail(format!(
                "The project's cluster is already {status}; a reported outcome cannot change."
            )),
            CallbackError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// The outcome the operator reports.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportedOutcome {
    /// The cluster of a `cluster.provision` request is ready.
    Ready,
    /// The request (provision or delete) failed; give a `reason`.
    Failed,
    /// The cluster of a `cluster.delete` request is gone.
    Deleted,
}

/// An operator's report, signed like the provisioning request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvisioningCallback {
    /// The `project_id` of the provisioning request.
    #[schema(example = "0193a5b3-0a00-7d2e-8b45-6c1f0e2d3a4b")]
    pub project_id: String,
    pub status: ReportedOutcome,
    /// Why it failed, shown to the customer (`failed` only; at most 500 characters).
    #[schema(example = "no capacity in zone ap-southeast-3a")]
    pub reason: Option<String>,
}

/// The project's cluster after the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackResult {
    #[schema(example = "0193a5b3-0a00-7d2e-8b45-6c1f0e2d3a4b")]
    pub project_id: String,
    pub cluster_status: ClusterStatus,
    pub cluster_failure_reason: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// Report a provisioning outcome (operators).
///
/// Called by the operator's provisioning system after a `cluster.provision` webhook (`ready`
/// or `failed`) or a `cluster.delete` webhook (`deleted` or `failed`). The raw
/// body must be signed: `X-Portal-Timestamp: <unix seconds>` and `X-Portal-Signature:
/// v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`, with the webhook secret. Only a project
/// still `pending` or `provisioning` (or, for a deletion, `deleting`) moves; a second report
/// answers 409.
#[utoipa::path(
    tag = "provisioning",
    params(
        ("X-Portal-Timestamp" = String, Header, description = "Unix time in seconds; within five minutes of the portal's clock"),
        ("X-Portal-Signature" = String, Header, description = "`v1=` and the hex HMAC-SHA256 of `<timestamp>.<raw body>`"),
    ),
    request_body(content = ProvisioningCallback, example = json!({
        "project_id": "0193a5b3-0a00-7d2e-8b45-6c1f0e2d3a4b", "status": "ready"})),
    responses(
        (status = 200, description = "Recorded", body = CallbackResult),
        (status = 204, description = "Recorded: the cluster is deleted, and so is the project"),
        (status = 400, description = "The (authentic) body is not a valid report", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Missing or wrong signature (`signature_invalid`), timestamp out of range (`signature_expired`), or callbacks disabled", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such project", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The cluster's outcome was already reported (`cluster_already_settled`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid `reason`", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/provisioning/callbacks")]
pub async fn provisioning_callback(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let body = match payload.to_bytes_limited(CALLBACK_LIMIT).await {
        Ok(Ok(body)) => body,
        Ok(Err(_)) => {
            return Err(ApiError::bad_request(
                ProblemCode::InvalidBody,
                "The body could not be read.",
            ))
        }
        Err(_) => return Err(error::for_status(StatusCode::PAYLOAD_TOO_LARGE)),
    };
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    projects::verify_callback(
        &state,
        header(TIMESTAMP_HEADER),
        header(SIGNATURE_HEADER),
        &body,
    )?;
    let report: ProvisioningCallback = serde_json::from_slice(&body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::bad_request(ProblemCode::MalformedJson, "The body is not valid JSON.")
        } else {
            ApiError::bad_request(
                ProblemCode::InvalidBody,
                format!(
                    "The body does not match the schema: {}",
                    e.to_string()
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(200)
                        .collect::<String>()
                ),
            )
        }
    })?;
    let project = projects::report(
        &state,
        ProvisioningReport {
            project_id: report.project_id,
            outcome: match report.status {
                ReportedOutcome::Ready => ReportedStatus::Ready,
                ReportedOutcome::Failed => ReportedStatus::Failed,
                ReportedOutcome::Deleted => ReportedStatus::Deleted,
            },
            reason: report.reason,
        },
    )
    .await?;
    // A deleted project is gone: nothing left to describe.
    let Some(project) = project else {
        return Ok(HttpResponse::NoContent().finish());
    };
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(CallbackResult {
            cluster_status: ClusterStatus::from_stored(&project.cluster_status),
            project_id: project.id.into(),
            cluster_failure_reason: project.cluster_failure_reason,
            updated_at: utc(project.updated_at),
        }))
}
