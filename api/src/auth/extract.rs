//! The guard every authenticated endpoint goes through. A handler gets its caller only as one of
//! the extractors below, and each of them checks, in this order:
//!
//! 1. the access token (signature, type, issuer, audience, lifetime — offline, RFC 8725);
//! 2. that its session is still live: not signed out or revoked, not past its absolute lifetime,
//!    its device not removed, its account not closed (one indexed read of shared state, so a
//!    revocation on any replica takes effect on every replica at once; OWASP ASVS 5.0 V7.2.1,
//!    V7.4.1, V7.4.2);
//! 3. for staff routes, the account's current role (from the database, not the token);
//! 4. the onboarding step the endpoint needs.
//!
//! The request body and query are parsed only after the guard has let the request through: the
//! guard leaves a [`BodyGate`] in the request's extensions, and the crate's own `Json` and
//! `Query` extractors wait for it before they look at the body or the query string. So a
//! customer's token on a staff route answers 403 whatever it sent, and a signed-out token 401,
//! never a parser's complaint. (`actix_web::web::Json`/`Query` are disallowed in `clippy.toml`.)

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use actix_web::http::StatusCode;
use actix_web::{dev::Payload, web, FromRequest, HttpMessage, HttpRequest};
use tokio::sync::watch;

use crate::db::models::accounts::Account;
use crate::db::models::sessions as session_rows;
use crate::db::DbError;
use crate::domain::{AccountId, AccountRole, PersonalTokenId, SessionId};
use crate::error::{ApiError, ProblemCode};
use crate::services::onboarding::{self, Step};
use crate::services::personal_tokens;
use crate::startup::AppState;

/// The caller: an account with a live session, or with a personal access token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account, as stored now.
    pub account: Account,
    /// What the request authenticated with.
    pub credential: Credential,
}

/// What a request authenticated with.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An access token of this live session.
    Session(SessionId),
    /// A personal access token, which has no session.
    PersonalToken(PersonalTokenId),
}

impl Caller {
    /// The caller's session. A personal access token has none: its scopes reach no route that
    /// asks for one ([`personal_tokens::Scope::for_route`]), so this answers as a route outside
    /// the token's scopes would.
    pub fn session_id(&self) -> Result<SessionId, ApiError> {
        match &self.credential {
            Credential::Session(id) => Ok(id.clone()),
            Credential::PersonalToken(_) => Err(ApiError::insufficient_scope(None)),
        }
    }

    pub fn account_id(&self) -> &AccountId {
        &self.account.id
    }

    pub fn is_staff(&self) -> bool {
        self.account.role == AccountRole::Admin
    }
}

/// A caller whose onboarding is complete.
#[derive(Debug, Clone)]
pub struct Onboarded(pub Caller);

/// A caller who has done every onboarding step before `S` (the endpoint of `S` itself, or of a
/// later step already reached).
#[derive(Debug, Clone)]
pub struct Reached<S: StepMarker>(pub Caller, PhantomData<S>);

/// Staff (the `admin` role) with a complete onboarding.
#[derive(Debug, Clone)]
pub struct Staff(pub Caller);

macro_rules! deref_caller {
    ($($t:ty),*) => {$(
        impl std::ops::Deref for $t {
            type Target = Caller;
            fn deref(&self) -> &Caller {
                &self.0
            }
        }
    )*};
}
deref_caller!(Onboarded, Staff);

impl<S: StepMarker> std::ops::Deref for Reached<S> {
    type Target = Caller;
    fn deref(&self) -> &Caller {
        &self.0
    }
}

/// Names an onboarding step at the type level, for [`Reached`].
pub trait StepMarker: 'static {
    const STEP: Step;
}

/// Type-level onboarding steps.
pub mod steps {
    use super::{Step, StepMarker};

    macro_rules! step_marker {
        ($($name:ident),*) => {$(
            #[derive(Debug, Clone, Copy)]
            pub struct $name;
            impl StepMarker for $name {
                const STEP: Step = Step::$name;
            }
        )*};
    }
    step_marker!(
        AcceptLegalDocuments,
        CreateOrganization,
        CreateProject,
        ActivateMfa
    );
}

/// What an endpoint needs beyond a live session.
#[derive(Debug, Clone, Copy)]
enum Need {
    Session,
    Complete,
    Reached(Step),
    Staff,
}

/// Left in the request's extensions by the guard: body and query extractors wait on it, so they
/// run only once the guard has let the request through.
#[derive(Clone)]
pub struct BodyGate(watch::Receiver<bool>);

impl BodyGate {
    /// Waits until the guard of this request, if any, has finished.
    pub async fn wait(req: &HttpRequest) {
        let gate = req.extensions().get::<BodyGate>().cloned();
        if let Some(BodyGate(mut rx)) = gate {
            // An error means the guard's future was dropped: the request is being answered
            // with the guard's refusal and this value will never be used.
            let _ = rx.wait_for(|done| *done).await;
        }
    }
}

type GuardFuture<T> = Pin<Box<dyn Future<Output = Result<T, ApiError>>>>;

/// The account a request was made for, once the guard has let it through (for the access log).
#[derive(Debug, Clone)]
pub struct CallerId(pub String);

fn guarded<T: 'static>(req: &HttpRequest, need: Need, wrap: fn(Caller) -> T) -> GuardFuture<T> {
    let (tx, rx) = watch::channel(false);
    req.extensions_mut().insert(BodyGate(rx));
    let req = req.clone();
    Box::pin(async move {
        let caller = guard(&req, need).await?;
        req.extensions_mut()
            .insert(CallerId(caller.account.id.to_string()));
        let _ = tx.send(true);
        Ok(wrap(caller))
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = GuardFuture<Self>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        guarded(req, Need::Session, |c| c)
    }
}

impl FromRequest for Onboarded {
    type Error = ApiError;
    type Future = GuardFuture<Self>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        guarded(req, Need::Complete, Onboarded)
    }
}

impl<S: StepMarker> FromRequest for Reached<S> {
    type Error = ApiError;
    type Future = GuardFuture<Self>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        guarded(req, Need::Reached(S::STEP), |c| Reached(c, PhantomData))
    }
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = GuardFuture<Self>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        guarded(req, Need::Staff, Staff)
    }
}

/// The problem for a session that is over: signed out, revoked, expired or its device removed.
pub fn session_ended() -> ApiError {
    ApiError::unauthorized(
        ProblemCode::SessionEnded,
        "This session has ended; sign in again.",
    )
    .next("POST", "/v1/sessions")
}

fn forbidden_for_customers() -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, ProblemCode::Forbidden, "Forbidden")
        .detail("This endpoint is for the provider's staff.")
}

async fn guard(req: &HttpRequest, need: Need) -> Result<Caller, ApiError> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::internal(&std::io::Error::other("application state missing")))?
        .clone();
    // 1. The token.
    let bearer = bearer_token(req)?;
    if bearer.starts_with(personal_tokens::PREFIX) {
        return guard_personal_token(req, &state, &bearer, need).await;
    }
    let claims = verify_token(&bearer, &state)?;
    // 2. The session is live (and 4., the onboarding steps, read in the same trip when needed).
    let now = state.clock.now();
    let with_steps = !matches!(need, Need::Session);
    // A token this service signed always names an account and a session.
    let (Some(account_id), Some(session_id)) =
        (AccountId::parse(&claims.sub), SessionId::parse(&claims.sid))
    else {
        return Err(ApiError::unauthorized(
            ProblemCode::InvalidToken,
            "The access token is not valid.",
        ));
    };
    let found = state
        .db
        .read_now(move |conn| {
            let Some(live) = session_rows::liveness(conn, &session_id, &account_id)? else {
                return Ok::<_, DbError>(None);
            };
            let steps = if with_steps {
                onboarding::remaining_in(conn, &account_id)?.unwrap_or_default()
            } else {
                Vec::new()
            };
            Ok(Some((live, steps, session_id)))
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let Some((live, steps, session_id)) = found else {
        return Err(session_ended());
    };
    if !live.is_live(now.naive_utc()) {
        return Err(session_ended());
    }
    // A session approved for an OAuth client reaches only what its scopes allow.
    if let Some(scopes) = &live.scopes {
        let route = req.match_pattern().unwrap_or_default();
        let method = req.method().as_str();
        let signing_out = method == "DELETE" && route == "/v1/sessions/current";
        if !signing_out {
            let needed = personal_tokens::Scope::for_route(method, &route)
                .ok_or_else(|| ApiError::insufficient_scope(None))?;
            if !personal_tokens::parse_stored(scopes).contains(&needed) {
                return Err(ApiError::insufficient_scope(Some(needed.as_str())));
            }
        }
    }
    let caller = Caller {
        account: live.account,
        credential: Credential::Session(session_id),
    };
    // 3. The role, for staff routes.
    if matches!(need, Need::Staff) && !caller.is_staff() {
        return Err(forbidden_for_customers());
    }
    // 4. The onboarding step.
    let blocking = match need {
        Need::Session => None,
        Need::Complete | Need::Staff => steps.first().copied(),
        Need::Reached(step) => steps.first().copied().filter(|next| *next < step),
    };
    match blocking {
        Some(next) => Err(onboarding_incomplete(next)),
        None => Ok(caller),
    }
}

/// A request with a personal access token: the route must be one a token may reach, with a
/// scope the token holds; the token must be valid (not revoked or expired) and within its
/// request budget; then the account's onboarding is checked like a session's.
async fn guard_personal_token(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    token: &str,
    need: Need,
) -> Result<Caller, ApiError> {
    let route = req.match_pattern().unwrap_or_default();
    let needed = personal_tokens::Scope::for_route(req.method().as_str(), &route);
    let client_ip = crate::http::client::client_info(req).ip;
    let (record, account) = personal_tokens::authenticate(state, token, client_ip)
        .await
        .map_err(|e| match e {
            personal_tokens::UseError::Invalid => ApiError::unauthorized(
                ProblemCode::InvalidToken,
                "The personal access token is not valid: it was revoked, it expired, or it never existed.",
            ),
            personal_tokens::UseError::Throttled(wait) => {
                ApiError::too_many(ProblemCode::TooManyRequests, wait)
            }
            personal_tokens::UseError::Database(db) => ApiError::internal(&db),
        })?;
    let Some(needed) = needed else {
        return Err(ApiError::insufficient_scope(None));
    };
    if !personal_tokens::parse_stored(&record.scopes).contains(&needed) {
        return Err(ApiError::insufficient_scope(Some(needed.as_str())));
    }
    if matches!(need, Need::Staff) {
        return Err(forbidden_for_customers());
    }
    let account_id = account.id.clone();
    let steps = state
        .db
        .read(move |conn| {
            Ok::<_, DbError>(onboarding::remaining_in(conn, &account_id)?.unwrap_or_default())
        })
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let blocking = match need {
        Need::Session => None,
        Need::Complete | Need::Staff => steps.first().copied(),
        Need::Reached(step) => steps.first().copied().filter(|next| *next < step),
    };
    if let Some(next) = blocking {
        return Err(onboarding_incomplete(next));
    }
    Ok(Caller {
        account,
        credential: Credential::PersonalToken(record.id),
    })
}

/// The bearer token of the request.
fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized(
                ProblemCode::MissingToken,
                "Send an access token: `Authorization: Bearer <token>`.",
            )
        })?;
    let token = header
        .strip_prefix("Bearer ")
        .or_else(|| header.strip_prefix("bearer "))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| {
            ApiError::unauthorized(
                ProblemCode::InvalidToken,
                "The Authorization header must use the Bearer scheme.",
            )
        })?;
    Ok(token.to_owned())
}

fn verify_token(
    token: &str,
    state: &AppState,
) -> Result<std::sync::Arc<crate::auth::jwt::AccessClaims>, ApiError> {
    match state.jwt.verify(token, state.clock.now()) {
        Ok(claims) => Ok(claims),
        Err(crate::auth::jwt::TokenError::Expired) => Err(ApiError::unauthorized(
            ProblemCode::TokenExpired,
            "The access token has expired; refresh it with POST /v1/sessions/refresh.",
        )
        .next("POST", "/v1/sessions/refresh")),
        Err(_) => Err(ApiError::unauthorized(
            ProblemCode::InvalidToken,
            "The access token is not valid.",
        )),
    }
}

/// 403 `onboarding_incomplete` naming the next step and where to take it.
pub fn onboarding_incomplete(next: Step) -> ApiError {
    let href = match next {
        Step::AcceptLegalDocuments => "/v1/me/consents",
        Step::CreateOrganization => "/v1/organizations",
        Step::CreateProject => "/v1/organizations/{id}/projects",
        Step::ActivateMfa => "/v1/me/mfa/totp",
    };
    ApiError::new(
        StatusCode::FORBIDDEN,
        ProblemCode::OnboardingIncomplete,
        "Onboarding incomplete",
    )
    .detail(format!(
        "Finish onboarding first; the next step is `{}`. See GET /v1/me/onboarding.",
        next.as_str()
    ))
    .next("POST", href)
    .step(next.as_str())
}
