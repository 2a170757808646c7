//! `Application::build`: opens the database (migrations applied, legal defaults published),
//! loads keys, starts the email worker, and binds the HTTP server (port 0 in tests). Everything
//! a request needs is built here once and shared through [`AppState`].

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{DefaultHeaders, ErrorHandlerResponse, ErrorHandlers};
use actix_web::web::{self, Bytes};
use actix_web::{App, HttpMessage as _, HttpRequest, HttpResponse, HttpServer};
use utoipa_actix_web::AppExt;

use crate::auth::captcha::Captcha;
use crate::auth::jwt::JwtKeys;
use crate::auth::keys::KeyMaterial;
use crate::auth::password::PasswordHasher;
use crate::auth::totp::SecretCipher;
use crate::clock::{Clock, SystemClock};
use crate::config::Settings;
use crate::db::Db;
use crate::error::{self, ApiError, PROBLEM_JSON};
use crate::jobs::provisioners::Provisioner;
use crate::jobs::wake::Background;
use crate::jobs::worker::JobWorker;
use crate::mail::templates::Templates;
use crate::mail::transport::Transport;
use crate::mail::worker::{CommonVars, MailWorker};
use crate::services::Context;
use crate::telemetry::otlp::{Span, SpanKind, Tracer};

/// Request body limit for JSON endpoints.
pub const JSON_LIMIT: usize = 64 * 1024;

/// Content-Security-Policy of API answers.
const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
/// Content-Security-Policy of the API reference under `/docs` (Redoc) only: its scripts from
/// here and nothing inline, but styled-components injects `<style>` elements and search runs in
/// a worker made from a `blob:`. Nothing is fetched from anywhere else.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; worker-src blob:; \
     object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Content-Security-Policy of the web app: no inline scripts or styles; the third-party
/// captcha's own hosts only when that captcha is configured.
pub fn page_csp(provider: crate::auth::captcha::CaptchaProvider) -> String {
    use crate::auth::captcha::CaptchaProvider as P;
    let (scripts, frames, connect) = match provider {
        P::Recaptcha => (
            " https://www.google.com https://www.gstatic.com",
            " https://www.google.com https://recaptcha.google.com",
            "",
        ),
        P::Hcaptcha => (
            " https://hcaptcha.com https://*.hcaptcha.com",
            " https://hcaptcha.com https://*.hcaptcha.com",
            " https://hcaptcha.com https://*.hcaptcha.com",
        ),
        P::Turnstile => (
            " https://challenges.cloudflare.com",
            " https://challenges.cloudflare.com",
            "",
        ),
        P::Pow | P::Off => ("", "", ""),
    };
    let frame_src = if frames.is_empty() { " 'none'" } else { frames };
    format!(
        "default-src 'self'; script-src 'self'{scripts}; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'{connect}; font-src 'self'; worker-src 'self'; frame-src{frame_src}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// What every request can reach: the use cases' [`Context`] (reached through `Deref`, so
/// `state.db` and `state.settings` read as before) and what only HTTP needs. Cheap to clone
/// (handles and `Arc`s).
#[derive(Clone)]
pub struct AppState {
    pub context: Context,
    pub jwks_body: Bytes,
    pub openapi_body: Bytes,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Exports spans when `PORTAL_OTLP_ENDPOINT` is set; records nothing otherwise.
    pub tracer: Tracer,
    pub known_routes: Arc<KnownRoutes>,
}

impl std::ops::Deref for AppState {
    type Target = Context;

    fn deref(&self) -> &Context {
        &self.context
    }
}

pub struct Application {
    server: Server,
    port: u16,
    state: AppState,
    workers: Vec<tokio::task::AbortHandle>,
}

/// Stops a running application at once, as a crash would: the listener closes, open
/// connections are dropped, the workers stop wherever they are (a lease they held stays in the
/// database until it expires). For tests of what the next replica does.
#[derive(Clone)]
pub struct Killer {
    server: actix_web::dev::ServerHandle,
    workers: Vec<tokio::task::AbortHandle>,
}

impl Killer {
    pub fn kill(&self) {
        for worker in &self.workers {
            worker.abort();
        }
        let server = self.server.clone();
        tokio::spawn(async move { server.stop(false).await });
    }
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_with_clock(settings, Arc::new(SystemClock)).await
    }

    /// Builds with a given clock (tests move time with it).
    pub async fn build_with_clock(
        settings: Settings,
        clock: Arc<dyn Clock>,
    ) -> anyhow::Result<Self> {
        let state = prepare(settings, clock).await?;
        let worker = MailWorker {
            db: state.db.clone(),
            clock: state.clock.clone(),
            transport: Transport::new(
                state.settings.smtp_url.as_deref(),
                state.settings.mail_dir.clone(),
                state.settings.mail_console,
            )?,
            templates: Templates::load()?,
            from: state
                .settings
                .mail_from
                .parse()
                .map_err(|e| anyhow::anyhow!("PORTAL_MAIL_FROM: {e}"))?,
            common: CommonVars {
                portal_name: state.settings.portal_name.clone(),
                public_url: state.settings.issuer(),
                support_email: state.settings.support_email.clone(),
            },
            wake: state.mail_wake.clone(),
            worker_id: uuid::Uuid::now_v7().to_string(),
            metrics: state.metrics.clone(),
        };
        let mail_task = tokio::spawn(worker.run()).abort_handle();
        let jobs = JobWorker {
            db: state.db.clone(),
            clock: state.clock.clone(),
            provisioner: Provisioner::from_settings(&state.settings, &state.tracer)?,
            public_url: state.settings.issuer(),
            wake: state.jobs_wake.clone(),
            mail_wake: state.mail_wake.clone(),
            worker_id: uuid::Uuid::now_v7().to_string(),
            tracer: state.tracer.clone(),
        };
        let jobs_task = tokio::spawn(jobs.run()).abort_handle();

        let listener = TcpListener::bind(state.settings.bind).map_err(|e| {
            anyhow::anyhow!("PORTAL_BIND: cannot listen on {}: {e}", state.settings.bind)
        })?;
        let port = listener.local_addr()?.port();
        // What start-up built and dropped (the OpenAPI document, migrations) goes back to the
        // system instead of staying in the allocator's free lists (~4 MB), and so do the pages
        // of code that only start-up ran (~10 MB, see `memory::release_code`). A moment after
        // the server started: its workers build their routes on their own threads after `run`.
        tokio::spawn(async {
            tokio::time::sleep(Duration::from_millis(500)).await;
            tokio::task::spawn_blocking(crate::memory::release_free_memory);
        });
        let app_state = state.clone();
        // Blocking work on a server worker is database calls: no more threads than connections.
        let blocking = state.settings.database_pool_size as usize + 2;
        let server = HttpServer::new(move || build_app(app_state.clone()))
            .worker_max_blocking_threads(blocking)
            .listen(listener)?
            .shutdown_timeout(10)
            .run();
        Ok(Self {
            server,
            port,
            state,
            workers: vec![mail_task, jobs_task],
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The wake handles of the email and job workers (tests wait on them instead of sleeping).
    pub fn background(&self) -> Background {
        Background {
            mail: self.state.mail_wake.clone(),
            jobs: self.state.jobs_wake.clone(),
        }
    }

    /// A handle that stops this application at once (see [`Killer`]).
    pub fn killer(&self) -> Killer {
        Killer {
            server: self.server.handle(),
            workers: self.workers.clone(),
        }
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let stopped = self.server.await;
        // The last requests' spans go out before the process ends.
        self.state.tracer.flush(Duration::from_secs(5)).await;
        stopped
    }
}

/// Opens the database and builds the shared state (also used by CLI subcommands).
pub async fn prepare(settings: Settings, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
    let mut db = Db::connect(
        &settings.database,
        settings.database_pool_size,
        settings.database_timeout,
    )
    .map_err(|e| anyhow::anyhow!("PORTAL_DATABASE_URL: cannot open the database: {e}"))?;
    let metrics = crate::metrics::Metrics::new(db.backend())?;
    db.observe_pool_wait(metrics.pool_wait.clone());
    let now = clock.now();
    let migrate_db = db.clone();
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        migrate_db.migrate()?;
        migrate_db.write_blocking(|conn| -> anyhow::Result<()> {
            crate::services::legal::seed_defaults_in(conn, now)?;
            crate::services::sales::seed_defaults_in(conn, now)?;
            Ok(())
        })?;
        Ok(())
    })
    .await??;

    let keys = KeyMaterial::load(&settings)?;
    let jwt = JwtKeys::new(&keys, &settings.issuer(), &settings.jwt_audience)?;
    let jwks_body = Bytes::from(serde_json::to_vec(jwt.jwks())?);
    let captcha = Captcha::new(settings.captcha.clone(), keys.derive("captcha"), None);
    let hasher = PasswordHasher::new(&settings.hash)?;
    let document = crate::openapi::document();
    let tracer = Tracer::start(settings.otlp.as_ref(), metrics.trace_spans.clone())?;
    let token_limiter = Arc::new(crate::services::personal_tokens::UseLimiter::new(
        settings.throttles.personal_token_requests,
    ));
    Ok(AppState {
        context: Context {
            code_key: keys.derive("one-time-codes"),
            totp_cipher: Arc::new(SecretCipher::new(&keys.derive("totp-secrets"))),
            settings: Arc::new(settings),
            db,
            clock,
            hasher,
            jwt: Arc::new(jwt),
            token_limiter,
            captcha: Arc::new(captcha),
            mail_wake: Arc::default(),
            jobs_wake: Arc::default(),
        },
        jwks_body,
        openapi_body: Bytes::from(crate::openapi::to_json(&document)),
        known_routes: Arc::new(KnownRoutes::from_document(&document)),
        metrics: Arc::new(metrics),
        tracer,
    })
}

fn build_app(
    state: AppState,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<EitherBody<BoxBody>>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let web_dir = state.settings.web_dir.clone();
    let routes = state.known_routes.clone();
    let page_csp = HeaderValue::from_str(&page_csp(state.settings.captcha.provider))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    let metrics = state.metrics.clone();
    let tracer = state.tracer.clone();
    let cors_origins = state.settings.cors_origins.clone();
    let (app, _) = App::new()
        .into_utoipa_app()
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(JSON_LIMIT))
        .app_data(web::PathConfig::default().error_handler(|e, _| error::path_error(e).into()))
        .app_data(web::QueryConfig::default().error_handler(|e, _| error::query_error(e).into()))
        .configure(crate::http::routes)
        .split_for_parts();
    let app = SIDE_ROUTES
        .iter()
        .fold(app, |app, (path, side)| app.route(path, side.route()));
    // Requests under /v1 that match no route reach the default service (through the scope),
    // so it is set in both cases.
    let app = app.default_service(web::to(not_found));
    let app = match web_dir {
        Some(dir) => app.service(
            actix_files::Files::new("/", dir.clone())
                .index_file("index.html")
                .default_handler(web::to(move |req: HttpRequest| {
                    spa_fallback(req, dir.clone(), routes.clone())
                })),
        ),
        None => app,
    };
    let cors = cors(&cors_origins);
    app.wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
        .wrap(actix_web::middleware::Condition::new(
            !cors_origins.is_empty(),
            cors,
        ))
        .wrap(
            DefaultHeaders::new()
                .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
                .add((header::REFERRER_POLICY, "no-referrer"))
                .add((header::X_FRAME_OPTIONS, "DENY"))
                .add((header::CONTENT_SECURITY_POLICY, API_CSP)),
        )
        .wrap_fn(move |mut req, srv| {
            use actix_web::dev::Service as _;
            // HEAD is answered as GET without the body (RFC 9110 §9.3.2).
            let head = req.method() == actix_web::http::Method::HEAD;
            if head {
                req.head_mut().method = actix_web::http::Method::GET;
            }
            let method = req.method().clone();
            let docs = req.path() == "/docs" || req.path().starts_with("/docs/");
            let started = std::time::Instant::now();
            let metrics = metrics.clone();
            // A request id from the caller is kept when it is safe to echo and log; otherwise
            // one is made. It is returned, and every log line of the request carries it.
            let request_id = req
                .headers()
                .get(REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .filter(|v| valid_request_id(v))
                .map(str::to_owned)
                .unwrap_or_else(new_request_id);
            // W3C Trace Context: this request is a span of the caller's trace, or starts one.
            let caller = req
                .headers()
                .get("traceparent")
                .and_then(|v| v.to_str().ok())
                .and_then(crate::telemetry::TraceContext::parse);
            let trace = caller.map_or_else(|| tracer.root(), |t| t.child());
            actix_web::HttpMessage::extensions_mut(&req).insert(trace);
            // Only a recorded request pays for its span (off: not even the clone).
            let span_start = tracer
                .records(&trace)
                .then(|| (std::time::SystemTime::now(), tracer.clone()));
            let span = tracing::info_span!(
                "request",
                request_id = %request_id,
                trace_id = %trace.trace_id_hex()
            );
            let fut = {
                let _entered = span.enter();
                srv.call(req)
            };
            let page_csp = page_csp.clone();
            tracing::Instrument::instrument(
                async move {
                    let mut res = fut.await?;
                    let status = res.status().as_u16();
                    let elapsed = started.elapsed();
                    // One access line: the route template, never the path or query (they may carry
                    // ids and tokens); no token, code or password ever.
                    let route = res
                        .request()
                        .match_pattern()
                        .unwrap_or_else(|| "(unmatched)".to_owned());
                    let problem = res
                        .response()
                        .extensions()
                        .get::<crate::error::ProblemCode>()
                        .map(|c| c.as_str());
                    metrics.observe_request(
                        method.as_str(),
                        &route,
                        status,
                        elapsed.as_secs_f64(),
                        problem,
                    );
                    let account_id = res
                        .request()
                        .extensions()
                        .get::<crate::auth::extract::CallerId>()
                        .map(|c| c.0.clone());
                    // The client's address is worked out (and written as text) only for a
                    // line that is kept.
                    if tracing::enabled!(target: "access", tracing::Level::INFO) {
                        let client_ip = crate::http::client::client_info(res.request()).ip;
                        tracing::info!(
                            target: "access",
                            %method,
                            %route,
                            status,
                            duration_ms = elapsed.as_secs_f64() * 1000.0,
                            client_ip = client_ip.as_deref().unwrap_or("-"),
                            account_id = account_id.as_deref().unwrap_or("-"),
                            "request"
                        );
                    }
                    if let Some((start, tracer)) = span_start {
                        tracer.record(server_span(ServerSpan {
                            trace,
                            parent: caller.map(|c| c.span_id),
                            method: method.as_str(),
                            route: res.request().match_pattern().as_deref(),
                            status,
                            start,
                            request_id: &request_id,
                            account_id: account_id.as_deref(),
                        }));
                    }
                    if let Ok(value) = HeaderValue::from_str(&request_id) {
                        res.headers_mut()
                            .insert(header::HeaderName::from_static(REQUEST_ID), value);
                    }
                    // Pages and scripts get the page policy (the API reference its own); everything
                    // else keeps the API's `default-src 'none'`.
                    let page = res
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|ct| ct.starts_with("text/html") || ct.contains("javascript"));
                    if page {
                        let policy = if docs {
                            HeaderValue::from_static(DOCS_CSP)
                        } else {
                            page_csp
                        };
                        res.headers_mut()
                            .insert(header::CONTENT_SECURITY_POLICY, policy);
                    }
                    if head {
                        return Ok(res.map_body(|_, _| EitherBody::new(BoxBody::new(()))));
                    }
                    Ok(res.map_into_boxed_body().map_into_left_body())
                },
                span,
            )
        })
}

/// What the request middleware knows of a request when it ends.
struct ServerSpan<'a> {
    trace: crate::telemetry::TraceContext,
    parent: Option<[u8; 8]>,
    method: &'a str,
    /// The route template; `None` when no route matched.
    route: Option<&'a str>,
    status: u16,
    start: std::time::SystemTime,
    request_id: &'a str,
    account_id: Option<&'a str>,
}

/// The request's `SERVER` span, named and described as the HTTP semantic conventions say
/// (`{method} {route}`; a 5xx is an error, a 4xx is the client's).
fn server_span(request: ServerSpan<'_>) -> Span {
    let name = match request.route {
        Some(route) => format!("{} {route}", request.method),
        None => request.method.to_owned(),
    };
    let mut span = Span::start(request.trace, request.parent, name, SpanKind::Server);
    span.start = request.start;
    span.end = std::time::SystemTime::now();
    span.set("http.request.method", request.method);
    if let Some(route) = request.route {
        span.set("http.route", route);
    }
    span.set("http.response.status_code", i64::from(request.status));
    span.set("portal.request_id", request.request_id);
    if let Some(account) = request.account_id {
        span.set("portal.account_id", account);
    }
    if request.status >= 500 {
        span.set("error.type", request.status.to_string());
        span.error = Some(format!("answered {}", request.status));
    }
    span
}

/// CORS for the configured origins only (`PORTAL_CORS_ORIGINS`): the exact origin is echoed
/// with credentials and `Vary: Origin`, never `*`; a request from any other origin gets no CORS
/// headers (its browser keeps the answer from the page) rather than an error.
fn cors(origins: &[String]) -> actix_cors::Cors {
    let mut cors = actix_cors::Cors::default()
        .allowed_methods(["GET", "POST", "PUT", "PATCH", "DELETE"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::HeaderName::from_static(REQUEST_ID),
            header::HeaderName::from_static("traceparent"),
            header::HeaderName::from_static("tracestate"),
        ])
        .expose_headers([
            header::RETRY_AFTER,
            header::LOCATION,
            header::ETAG,
            header::WWW_AUTHENTICATE,
            header::HeaderName::from_static(REQUEST_ID),
        ])
        .supports_credentials()
        .block_on_origin_mismatch(false)
        .max_age(600);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The request id header, echoed on every response.
pub const REQUEST_ID: &str = "x-request-id";

/// A request id made here: a UUIDv7 (time-ordered, so ids sort as their requests came), its random
/// part from the thread's CSPRNG. `Uuid::now_v7` asks the kernel for those bytes on every call,
/// which took 1.6 % of the server's CPU under a `GET /v1/me` load.
fn new_request_id() -> String {
    use rand::RngCore as _;
    let mut random = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut random);
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| {
            u64::try_from(since.as_millis()).unwrap_or(u64::MAX)
        });
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// A caller's request id is kept if it is 1–128 characters of letters, digits and `-_.:`.
fn valid_request_id(value: &str) -> bool {
    (1..=128).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// Turns any error response that is not problem details yet (404, 405, 413 from the framework)
/// into one, keeping the status.
fn problem_for_bare_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    let is_page = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    // OAuth endpoints answer as RFC 6749 §5.2 says (JSON with `error`), for OAuth libraries.
    let is_oauth = res
        .response()
        .extensions()
        .get::<crate::http::oauth::OAuthAnswer>()
        .is_some();
    if is_problem || is_page || is_oauth {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, _) = res.into_parts();
    let problem = match req.app_data::<web::Data<AppState>>() {
        // A 405 from a static-file service: say which methods the path takes, if it is ours.
        Some(state) if status == actix_web::http::StatusCode::METHOD_NOT_ALLOWED => {
            unmatched(&req, &state.known_routes)
        }
        _ => error::for_status(status),
    };
    let response = actix_web::ResponseError::error_response(&problem);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// The routes served beside the API, outside the OpenAPI document (GET only): the one list the
/// router, the 405 answers ([`KnownRoutes`]) and the web app's fallback read.
const SIDE_ROUTES: [(&str, SideRoute); 4] = [
    ("/openapi.json", SideRoute::OpenApi),
    ("/metrics", SideRoute::Metrics),
    ("/docs", SideRoute::Docs),
    ("/docs/", SideRoute::Docs),
];

#[derive(Clone, Copy)]
enum SideRoute {
    OpenApi,
    Metrics,
    Docs,
}

impl SideRoute {
    fn route(self) -> actix_web::Route {
        match self {
            Self::OpenApi => web::get().to(openapi_json),
            Self::Metrics => web::get().to(crate::http::system::metrics),
            Self::Docs => web::get().to(docs_page),
        }
    }
}

/// Paths of the API with the methods each accepts, from the OpenAPI document: an unmatched
/// request to a known path is answered 405 with `Allow`, anything else 404.
pub struct KnownRoutes(Vec<(actix_web::dev::ResourceDef, String)>);

impl KnownRoutes {
    fn from_document(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<&str> = Vec::new();
                for (method, present) in [
                    ("GET", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ] {
                    if present {
                        methods.push(method);
                    }
                }
                (
                    actix_web::dev::ResourceDef::new(path.as_str()),
                    methods.join(", "),
                )
            })
            .collect::<Vec<_>>();
        let extra = SIDE_ROUTES
            .iter()
            .map(|(path, _)| (actix_web::dev::ResourceDef::new(*path), "GET".to_owned()));
        Self(routes.into_iter().chain(extra).collect())
    }

    fn allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, allow)| allow.as_str())
    }
}

/// 405 for a known path with another method, 404 otherwise.
fn unmatched(req: &HttpRequest, routes: &KnownRoutes) -> ApiError {
    match routes.allowed(req.path()).map(str::to_owned) {
        Some(allow) => {
            error::for_status(actix_web::http::StatusCode::METHOD_NOT_ALLOWED).allow(allow)
        }
        None => ApiError::not_found(),
    }
}

async fn not_found(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> actix_web::Result<HttpResponse> {
    Err(unmatched(&req, &state.known_routes).into())
}

/// Client-side routes of the web app get `index.html`; API-looking paths get a 404 problem.
async fn spa_fallback(
    req: HttpRequest,
    dir: PathBuf,
    routes: Arc<KnownRoutes>,
) -> actix_web::Result<HttpResponse> {
    let path = req.path();
    let api_like = ["/v1", "/.well-known", "/openapi", "/healthz", "/readyz"]
        .into_iter()
        .chain(SIDE_ROUTES.iter().map(|(p, _)| p.trim_end_matches('/')))
        .any(|p| path == p || path.starts_with(&format!("{p}/")));
    let file_like = path
        .rsplit('/')
        .next()
        .is_some_and(|last| last.contains('.'));
    if api_like
        || file_like
        || !matches!(
            *req.method(),
            actix_web::http::Method::GET | actix_web::http::Method::HEAD
        )
    {
        return Err(unmatched(&req, &routes).into());
    }
    let index = tokio::fs::read(dir.join("index.html"))
        .await
        .map_err(|_| ApiError::not_found())?;
    Ok(page_response("text/html; charset=utf-8", index))
}

fn page_response(
    content_type: &'static str,
    body: impl actix_web::body::MessageBody + 'static,
) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

async fn openapi_json(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"))
        .body(state.openapi_body.clone())
}

/// The API reference (Redoc, built into the web app's files by `npm run build` in `web/`), or a
/// problem saying where the document is when the web app is not served.
async fn docs_page(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let page = match &state.settings.web_dir {
        Some(dir) => tokio::fs::read(dir.join("docs").join("index.html"))
            .await
            .ok(),
        None => None,
    };
    match page {
        Some(page) => Ok(page_response("text/html; charset=utf-8", page)),
        None => Err(ApiError::not_found().detail(
            "The API reference comes with the web app's files (npm run build in web/); the \
             OpenAPI document itself is at /openapi.json.",
        )),
    }
}
