//! Keys, health and metrics.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem, ProblemCode};
use crate::startup::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Public keys for verifying access tokens (RFC 7517 JSON Web Key Set).
///
/// Each key's `kid` is its RFC 7638 thumbprint, the value of the `kid` header of the access
/// tokens it signed. Cacheable; a rotated key stays listed while tokens it signed are valid.
#[utoipa::path(
    tag = "system",
    responses((status = 200, description = "The key set", content_type = "application/jwk-set+json", body = Object)),
)]
#[get("/.well-known/jwks.json")]
pub async fn jwks(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/jwk-set+json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        // Public keys, for anyone to verify tokens with, from any origin.
        .insert_header(("Access-Control-Allow-Origin", "*"))
        .body(state.jwks_body.clone())
}

/// Liveness: the process answers.
///
/// Answers without touching the database: restart the process only when this fails.
#[utoipa::path(tag = "system", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers.
///
/// A connection can be had and answers within the database timeout (on SQLite, the write lock
/// too); otherwise `503 not_ready` with `Retry-After`, and the load balancer should send
/// requests elsewhere.
#[utoipa::path(
    tag = "system",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    state.db.ping().await.map_err(|e| {
        tracing::warn!(error = %e, "readiness check failed");
        ApiError::new(
            actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
            ProblemCode::NotReady,
            "Not ready",
        )
        .detail("The database does not answer.")
        .retry_after(5)
    })?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}

/// Prometheus metrics (text exposition format 0.0.4). The state gauges are read now: the hashing
/// pool and connection pool from memory, the outbox and jobs with one short query each.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let now = state.clock.now().naive_utc();
    let db = state
        .db
        .read(move |conn| crate::metrics::db_snapshot(conn, now))
        .await
        .ok();
    match state
        .metrics
        .render(&state.hasher.stats(), state.db.pool_state(), db.as_ref())
    {
        Ok(body) => HttpResponse::Ok()
            .content_type("text/plain; version=0.0.4; charset=utf-8")
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "metrics could not be rendered");
            HttpResponse::InternalServerError().finish()
        }
    }
}
