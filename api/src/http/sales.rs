//! `GET /v1/sales-representatives`: whom a person can name on the organization form.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::extract::{steps, Reached};
use crate::error::{ApiError, Problem};
use crate::services::sales::{self, SalesError};
use crate::startup::AppState;

impl From<SalesError> for ApiError {
    fn from(e: SalesError) -> Self {
        match e {
            SalesError::NotFound => ApiError::not_found(),
            SalesError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// A sales representative, as people see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct SalesRepresentativeSummary {
    #[schema(example = "0193a5b0-7e1c-7c3e-8f00-4b2d9c1e5a01")]
    pub id: String,
    #[schema(example = "Andi Pratama")]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesRepresentativeList {
    /// The active representatives, by name.
    pub items: Vec<SalesRepresentativeSummary>,
}

/// List sales representatives.
///
/// The active sales representatives, by name: the choices for `sales_representative_id` when
/// creating an organization. Open from the `create_organization` onboarding step on.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The active sales representatives", body = SalesRepresentativeList,
            example = json!({"items": [{"id": "0193a5b0-7e1c-7c3e-8f00-4b2d9c1e5a01", "name": "Andi Pratama"}]})),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Legal documents not accepted yet (`onboarding_incomplete`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/sales-representatives")]
pub async fn list_sales_representatives(
    state: web::Data<AppState>,
    _caller: Reached<steps::CreateOrganization>,
) -> Result<HttpResponse, ApiError> {
    let reps = sales::list_active(&state).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "private, no-cache"))
        .json(SalesRepresentativeList {
            items: reps
                .into_iter()
                .map(|r| SalesRepresentativeSummary {
                    id: r.id,
                    name: r.name,
                })
                .collect(),
        }))
}
