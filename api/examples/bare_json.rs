//! A bare actix-web JSON handler, for `bench/run`: the reference the authenticated read
//! (`GET /v1/me`) is held to. Same actix-web as the portal, one worker per core, one route that
//! serializes a body shaped like `Me`. Not a test.
//!
//! ```sh
//! cargo run --release -p portal-api --example bare_json -- 127.0.0.1:8099
//! ```

use actix_web::{web, App, HttpResponse, HttpServer};
use serde::Serialize;

#[derive(Serialize)]
struct Body {
    id: &'static str,
    email: &'static str,
    full_name: &'static str,
    phone_number: &'static str,
    account_type: &'static str,
    role: &'static str,
    locale: &'static str,
    email_verified_at: &'static str,
    created_at: &'static str,
}

async fn handler() -> HttpResponse {
    HttpResponse::Ok().json(Body {
        id: "0196a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b",
        email: "bench@example.co.id",
        full_name: "Budi Santoso",
        phone_number: "+6281234567890",
        account_type: "sme",
        role: "user",
        locale: "en",
        email_verified_at: "2025-01-01T00:00:00.000000Z",
        created_at: "2025-01-01T00:00:00.000000Z",
    })
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let bind = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8099".to_owned());
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    HttpServer::new(|| App::new().route("/", web::get().to(handler)))
        .workers(workers)
        .bind(bind)?
        .run()
        .await
}
