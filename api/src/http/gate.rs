//! Handler-side use of the onboarding gate.

use actix_web::http::StatusCode;

use crate::auth::extract::Authenticated;
use crate::error::ApiError;
use crate::services::onboarding::{self, Step};
use crate::startup::AppState;

fn incomplete(next: Step) -> ApiError {
    let href = match next {
        Step::AcceptLegalDocuments => "/v1/me/consents",
        Step::CreateOrganization => "/v1/organizations",
        Step::CreateProject => "/v1/organizations/{id}/projects",
        Step::ActivateMfa => "/v1/me/mfa/totp",
    };
    ApiError::new(
        StatusCode::FORBIDDEN,
        "onboarding_incomplete",
        "Onboarding incomplete",
    )
    .detail(format!(
        "Finish onboarding first; the next step is `{}`. See GET /v1/me/onboarding.",
        next.as_str()
    ))
    .next("POST", href)
    .step(next.as_str())
}

/// Lets the request through only when onboarding is complete.
pub async fn require_complete(state: &AppState, auth: &Authenticated) -> Result<(), ApiError> {
    let steps = onboarding::remaining(state, auth.account_id.clone())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    match steps.first() {
        None => Ok(()),
        Some(next) => Err(incomplete(*next)),
    }
}

/// Lets the request through when every step before `step` is done (the endpoint for `step`
/// itself, or for a later one that was already reached).
pub async fn require_reached(
    state: &AppState,
    auth: &Authenticated,
    step: Step,
) -> Result<(), ApiError> {
    let steps = onboarding::remaining(state, auth.account_id.clone())
        .await
        .map_err(|e| ApiError::internal(&e))?;
    match steps.first() {
        Some(next) if *next < step => Err(incomplete(*next)),
        _ => Ok(()),
    }
}
