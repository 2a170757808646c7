//! The HTTP edge: handlers per resource with their request/response DTOs (documented with
//! utoipa), the mapping of service errors to problem details, and the route table. Handlers
//! parse, call one service function, and shape the answer; no SQL and no rules live here.

pub mod accounts;
pub mod client;
pub mod gate;
pub mod me;
pub mod portal;
pub mod sessions;
pub mod system;
pub mod verification;

use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint; the OpenAPI document is collected from the same calls,
/// so the router and the document cannot drift.
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        scope::scope("/v1")
            .service(portal::get_config)
            .service(portal::list_legal_documents)
            .service(portal::get_legal_document)
            .service(portal::create_captcha_challenge)
            .service(accounts::sign_up)
            .service(verification::confirm)
            .service(verification::resend)
            .service(sessions::refresh)
            .service(sessions::sign_out)
            .service(sessions::sign_in)
            .service(sessions::device_code)
            .service(sessions::resend_device_code)
            .service(me::get_me),
    )
    .service(system::jwks)
    .service(system::healthz)
    .service(system::readyz);
}
