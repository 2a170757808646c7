//! Keys, health and metrics.

use std::sync::atomic::Ordering;

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, Problem};
use crate::startup::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Public keys for verifying access tokens (RFC 7517 JSON Web Key Set).
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
#[utoipa::path(tag = "system", responses((status = 200, description = "Alive", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
    })
}

/// Readiness: the database answers.
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
            "not_ready",
            "Not ready",
        )
        .detail("The database does not answer.")
        .retry_after(5)
    })?;
    Ok(HttpResponse::Ok().json(Health {
        status: "ok".into(),
    }))
}

/// Prometheus metrics (text exposition format).
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let m = &state.metrics;
    let body = format!(
        "# HELP portal_http_requests_total HTTP requests answered, by status class.\n\
         # TYPE portal_http_requests_total counter\n\
         portal_http_requests_total{{class=\"2xx\"}} {}\n\
         portal_http_requests_total{{class=\"3xx\"}} {}\n\
         portal_http_requests_total{{class=\"4xx\"}} {}\n\
         portal_http_requests_total{{class=\"5xx\"}} {}\n\
         # HELP portal_info Build information.\n\
         # TYPE portal_info gauge\n\
         portal_info{{version=\"{}\",database=\"{}\"}} 1\n",
        m.responses[0].load(Ordering::Relaxed),
        m.responses[1].load(Ordering::Relaxed),
        m.responses[2].load(Ordering::Relaxed),
        m.responses[3].load(Ordering::Relaxed),
        env!("CARGO_PKG_VERSION"),
        state.db.backend(),
    );
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
