//! Teams: an organization's members and roles, invitations by email, and the organization's
//! log of membership changes. Anyone who is not a member gets 404 for the organization and
//! everything under it; a member whose role does not allow an action gets 403
//! `insufficient_role`.

use actix_web::http::{header, StatusCode};
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::extract::{steps, Reached};
use crate::db::models::organization_events::OrganizationEvent;
use crate::db::models::organizations::MemberRow;
use crate::domain::{AccountId, InvitationId, OpaqueToken};
use crate::error::{ApiError, Problem, ProblemCode};
use crate::http::client::Client;
use crate::http::json::{Json, Query};
use crate::http::me::PageQuery;
use crate::http::organizations::Organization;
use crate::services::organizations::OrganizationId;
use crate::services::projects::utc;
use crate::services::teams::{self, Actor, InvitationView, Role, TeamError};
use crate::startup::AppState;

impl From<TeamError> for ApiError {
    fn from(e: TeamError) -> Self {
        match e {
            TeamError::NotFound => ApiError::not_found(),
            TeamError::InsufficientRole => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::InsufficientRole,
                "Not allowed for your role",
            )
            .detail("Your role in this organization does not allow this; ask one of its owners."),
            TeamError::LastOwner => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::LastOwner,
                "The organization needs an owner",
            )
            .detail("An organization keeps at least one owner: make someone else an owner first."),
            TeamError::AlreadyMember => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::AlreadyMember,
                "Already a member",
            )
            .detail("This person is already a member of the organization."),
            TeamError::InvitationPending => ApiError::new(
                StatusCode::CONFLICT,
                ProblemCode::InvitationPending,
                "Invitation pending",
            )
            .detail("An invitation to this address is already pending; resend it instead."),
            TeamError::Invalid(errors) => ApiError::validation(errors),
            TeamError::InvitationInvalid => ApiError::bad_request(
                ProblemCode::InvitationInvalid,
                "This invitation link is not valid (it may have been cancelled or replaced by a newer one).",
            ),
            TeamError::InvitationExpired => ApiError::new(
                StatusCode::GONE,
                ProblemCode::InvitationExpired,
                "Invitation expired",
            )
            .detail("This invitation has expired; ask the person who invited you for a new one."),
            TeamError::InvitationUsed => ApiError::new(
                StatusCode::GONE,
                ProblemCode::InvitationUsed,
                "Invitation already accepted",
            )
            .detail("This invitation was already accepted."),
            TeamError::WrongAccount => ApiError::new(
                StatusCode::FORBIDDEN,
                ProblemCode::InvitationWrongAccount,
                "Invitation for another address",
            )
            .detail(
                "This invitation was sent to another email address: sign in with the account of \
                 that address (or create one with it) to accept it.",
            ),
            TeamError::Throttled(wait) => ApiError::too_many(ProblemCode::TooManyRequests, wait)
                .detail(format!(
                    "Too many invitation emails for this organization or this address; try again \
                     in {} seconds.",
                    wait.max(1)
                )),
            TeamError::Database(db) => ApiError::internal(&db),
        }
    }
}

/// A role in an organization: `owner` (everything, including members and deleting the
/// organization), `admin` (projects, and members other than owners), `member` (read the
/// organization and its projects, create projects), `billing` (read the organization and its
/// projects' VAT data).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum OrganizationRole {
    Owner,
    Admin,
    Member,
    Billing,
}

impl From<Role> for OrganizationRole {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => Self::Owner,
            Role::Admin => Self::Admin,
            Role::Member => Self::Member,
            Role::Billing => Self::Billing,
        }
    }
}

impl From<OrganizationRole> for Role {
    fn from(role: OrganizationRole) -> Self {
        match role {
            OrganizationRole::Owner => Self::Owner,
            OrganizationRole::Admin => Self::Admin,
            OrganizationRole::Member => Self::Member,
            OrganizationRole::Billing => Self::Billing,
        }
    }
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    /// The address to invite; only the account with this verified address can accept.
    #[schema(example = "rina@maju.example", max_length = 254)]
    pub email: String,
    /// The role the person gets on accepting. Admins cannot invite owners.
    pub role: OrganizationRole,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRoleBody {
    /// The new role. Admins cannot give or take the owner role.
    pub role: OrganizationRole,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationInvitationTokenBody {
    /// The `token` query parameter of the emailed link.
    #[schema(
        example = "q3Zx8m1vQ0yHcB7hV4fJk2LrN9sT6uWd0aEeGiOoPp",
        max_length = 128
    )]
    pub token: String,
}

/// A member of an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    #[schema(example = "0193a5b2-1f00-7a3e-9c11-2b7d5e8f9a10")]
    pub account_id: String,
    #[schema(example = "Rina Wijaya")]
    pub full_name: String,
    #[schema(example = "rina@maju.example")]
    pub email: String,
    pub role: OrganizationRole,
    pub joined_at: DateTime<Utc>,
}

impl From<MemberRow> for Member {
    fn from(m: MemberRow) -> Self {
        Self {
            account_id: m.account_id.into(),
            full_name: m.full_name,
            email: m.email,
            role: m.role.into(),
            joined_at: utc(m.joined_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberList {
    /// Owners first, then by the time they joined.
    pub items: Vec<Member>,
}

/// A pending invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationInvitation {
    #[schema(example = "0193a5b2-2a00-7b3e-8c11-2b7d5e8f9a11")]
    pub id: String,
    #[schema(example = "rina@maju.example")]
    pub email: String,
    pub role: OrganizationRole,
    /// Who sent it (their name), when known.
    #[schema(example = "Siti Rahma")]
    pub invited_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the current link was sent (a resend sends a new one).
    pub sent_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// The link no longer works; resend it or cancel it.
    pub expired: bool,
}

impl OrganizationInvitation {
    fn new(v: InvitationView, now: DateTime<Utc>) -> Self {
        let i = v.invitation;
        Self {
            id: i.id.into(),
            email: i.email,
            role: i.role.into(),
            invited_by: v.invited_by_name,
            created_at: utc(i.created_at),
            sent_at: utc(i.sent_at),
            expires_at: utc(i.expires_at),
            expired: utc(i.expires_at) <= now,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    /// Pending invitations, newest first (expired ones too, marked `expired`).
    pub items: Vec<OrganizationInvitation>,
}

/// What an invitation link is for.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationInvitationPreview {
    #[schema(example = "PT Maju Jaya Teknologi")]
    pub organization_name: String,
    /// The invited address: sign in (or sign up) with it to accept.
    #[schema(example = "rina@maju.example")]
    pub email: String,
    pub role: OrganizationRole,
    #[schema(example = "Siti Rahma")]
    pub invited_by: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// One change to an organization's membership.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationEventInfo {
    pub id: String,
    /// `invitation_sent`, `invitation_resent`, `invitation_cancelled`, `member_joined`,
    /// `role_changed`, `member_removed`, `member_left`, `organization_updated`,
    /// `project_updated`, `project_deletion_requested`, `project_deleted`.
    #[schema(example = "role_changed")]
    pub kind: String,
    /// The account that made the change.
    pub actor_id: Option<String>,
    /// The member concerned (joined, role changed, removed, left).
    pub account_id: Option<String>,
    /// The invited address (invitations).
    pub email: Option<String>,
    /// The role given, or the role held before a removal.
    pub role: Option<OrganizationRole>,
    pub occurred_at: DateTime<Utc>,
    pub ip: Option<String>,
    /// What else the event names: `project_id` and `project_name` (project events), `fields`
    /// (the fields changed).
    #[schema(value_type = Option<Object>)]
    pub details: Option<serde_json::Value>,
}

impl From<OrganizationEvent> for OrganizationEventInfo {
    fn from(e: OrganizationEvent) -> Self {
        Self {
            id: e.id,
            kind: e.kind,
            actor_id: e.actor_id.map(String::from),
            account_id: e.subject_account_id.map(String::from),
            email: e.subject_email,
            role: e.role.map(OrganizationRole::from),
            occurred_at: utc(e.occurred_at),
            ip: e.client_ip,
            details: e.details.and_then(|d| serde_json::from_str(&d).ok()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrganizationEventPage {
    pub items: Vec<OrganizationEventInfo>,
    /// Pass as `before` for the next (older) page; absent on the last page.
    pub next_cursor: Option<String>,
}

fn token(raw: &str) -> Result<OpaqueToken, ApiError> {
    OpaqueToken::parse(raw).ok_or_else(|| TeamError::InvitationInvalid.into())
}

/// Invite someone to the organization.
///
/// Owners and admins (admins cannot invite owners). Emails a single-use link, valid 7 days,
/// bound to the address: only the account with that verified address can accept it. The link
/// works whether or not the address has an account, and this answer is the same either way.
/// Invitation emails are limited per organization and per invited address (`429`).
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    request_body(content = InviteBody, example = json!({"email": "rina@maju.example", "role": "member"})),
    responses(
        (status = 201, description = "Invited; the email is on its way", body = OrganizationInvitation),
        (status = 400, description = "Malformed body, unknown field or role", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the caller's role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member (`already_member`), or an invitation to this address is pending (`invitation_pending`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid address (`errors` says why)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many invitation emails for the organization or the address (`too_many_requests`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/organizations/{id}/invitations")]
pub async fn invite_member(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<OrganizationId>,
    body: Json<InviteBody>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    let body = body.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let view = teams::invite(
        &state,
        actor,
        &org,
        &body.email,
        Role::from(body.role).as_str(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(OrganizationInvitation::new(view, state.clock.now())))
}

/// List the organization's pending invitations.
///
/// Owners and admins. Expired ones are listed too (`expired`), until resent or cancelled.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    responses(
        (status = 200, description = "Pending invitations", body = InvitationList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or not an owner or admin (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}/invitations")]
pub async fn list_invitations(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<OrganizationId>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    let now = state.clock.now();
    let items = teams::invitations(&state, &auth.0.account.id, &org).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(InvitationList {
            items: items
                .into_iter()
                .map(|v| OrganizationInvitation::new(v, now))
                .collect(),
        }))
}

/// Send an invitation again.
///
/// A new link, valid 7 days from now; the previous link stops working.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The organization's id"),
        ("invitation_id" = String, Path, description = "The invitation's id"),
    ),
    responses(
        (status = 200, description = "Sent again", body = OrganizationInvitation),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the caller's role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or no such pending invitation", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many invitation emails for the organization or the address (`too_many_requests`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/organizations/{id}/invitations/{invitation_id}/resend")]
pub async fn resend_invitation(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<(OrganizationId, InvitationId)>,
) -> Result<HttpResponse, ApiError> {
    let (org, invitation) = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let view = teams::resend(&state, actor, &org, &invitation).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(OrganizationInvitation::new(view, state.clock.now())))
}

/// Cancel an invitation.
///
/// Its link stops working at once.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The organization's id"),
        ("invitation_id" = String, Path, description = "The invitation's id"),
    ),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the caller's role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or no such pending invitation", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/organizations/{id}/invitations/{invitation_id}")]
pub async fn cancel_invitation(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<(OrganizationId, InvitationId)>,
) -> Result<HttpResponse, ApiError> {
    let (org, invitation) = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    teams::cancel(&state, actor, &org, &invitation).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Look an organization invitation up.
///
/// For the page the emailed link opens, signed in or not: which organization, which role, who
/// invited, and the invited address (sign in or sign up with it to accept). Does not use the
/// invitation, and says nothing about whether the address has an account.
#[utoipa::path(
    tag = "organizations",
    request_body = OrganizationInvitationTokenBody,
    responses(
        (status = 200, description = "A pending invitation", body = OrganizationInvitationPreview),
        (status = 400, description = "Unknown or cancelled invitation (`invitation_invalid`), or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or already accepted", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/organization-invitations/lookup")]
pub async fn lookup_organization_invitation(
    state: web::Data<AppState>,
    body: Json<OrganizationInvitationTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let preview = teams::preview(&state, &token(&body.token)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(OrganizationInvitationPreview {
            organization_name: preview.organization_name,
            email: preview.email,
            role: preview.role.into(),
            invited_by: preview.invited_by_name,
            expires_at: preview.expires_at,
        }))
}

/// Accept an organization invitation.
///
/// Joins the organization with the invited role. Only an account whose verified address is
/// the invited one (else 403 `invitation_wrong_account`), once. Someone who joins an
/// organization is not asked to create one, or a project, during onboarding.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    request_body = OrganizationInvitationTokenBody,
    responses(
        (status = 200, description = "Joined: the organization, with the caller's role", body = Organization),
        (status = 400, description = "Unknown or cancelled invitation (`invitation_invalid`), or malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Legal documents not accepted yet, or the invitation is for another address (`invitation_wrong_account`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already a member (`already_member`)", body = Problem, content_type = "application/problem+json"),
        (status = 410, description = "Expired or already accepted", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[post("/organization-invitations/accept")]
pub async fn accept_organization_invitation(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateOrganization>,
    Client(client): Client,
    body: Json<OrganizationInvitationTokenBody>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let joined = teams::accept(&state, actor, &token(&body.token)?).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Organization::from(joined)))
}

/// List the organization's members.
///
/// Every role but `billing`. Owners first.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id")),
    responses(
        (status = 200, description = "The members", body = MemberList),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the `billing` role (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}/members")]
pub async fn list_members(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<OrganizationId>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    let items = teams::members(&state, &auth.0.account.id, &org).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .json(MemberList {
            items: items.into_iter().map(Member::from).collect(),
        }))
}

/// Change a member's role.
///
/// Owners change anyone's; admins anyone's but an owner's, and never to `owner`. The last
/// owner cannot be demoted (409 `last_owner`). Takes effect on the member's next request; the
/// member is emailed.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The organization's id"),
        ("account_id" = String, Path, description = "The member's account id"),
    ),
    request_body(content = ChangeRoleBody, example = json!({"role": "admin"})),
    responses(
        (status = 200, description = "The member, with the new role", body = Member),
        (status = 400, description = "Malformed body, unknown field or role", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the caller's role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or no such member", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave the organization without an owner (`last_owner`)", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not JSON", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[patch("/organizations/{id}/members/{account_id}")]
pub async fn change_member_role(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<(OrganizationId, AccountId)>,
    body: Json<ChangeRoleBody>,
) -> Result<HttpResponse, ApiError> {
    let (org, member) = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    let role = body.into_inner().role;
    let row = teams::change_role(&state, actor, &org, &member, Role::from(role).as_str()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Member::from(row)))
}

/// Remove a member, or leave.
///
/// Owners remove anyone, admins anyone but an owner; every member may remove themselves
/// (leave). The last owner can neither be removed nor leave (409 `last_owner`). The removed
/// person loses access on their next request and is emailed.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(
        ("id" = String, Path, description = "The organization's id"),
        ("account_id" = String, Path, description = "The member's account id (the caller's own to leave)"),
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or the caller's role does not allow it (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization, or no such member", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "It would leave the organization without an owner (`last_owner`)", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[delete("/organizations/{id}/members/{account_id}")]
pub async fn remove_member(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    Client(client): Client,
    path: web::Path<(OrganizationId, AccountId)>,
) -> Result<HttpResponse, ApiError> {
    let (org, member) = path.into_inner();
    let actor = Actor {
        account: auth.0.account,
        client,
    };
    teams::remove(&state, actor, &org, &member).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The organization's membership events, newest first.
///
/// Owners and admins: invitations sent, resent, cancelled; members joining, changing role,
/// removed, leaving — who did it, when and from where. Paginated by cursor.
#[utoipa::path(
    tag = "organizations",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "The organization's id"), PageQuery),
    responses(
        (status = 200, description = "A page of events", body = OrganizationEventPage),
        (status = 400, description = "Bad paging parameters", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No valid access token", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Onboarding incomplete, or not an owner or admin (`insufficient_role`)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such organization among the caller's", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/organizations/{id}/events")]
pub async fn list_organization_events(
    state: web::Data<AppState>,
    auth: Reached<steps::CreateProject>,
    path: web::Path<OrganizationId>,
    query: Query<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    let org = path.into_inner();
    let query = query.into_inner();
    let limit = crate::http::page_limit(query.limit, query.before.as_deref())?;
    let items = teams::events(
        &state,
        &auth.0.account.id,
        &org,
        query.before,
        i64::from(limit) + 1,
    )
    .await?;
    let (items, next_cursor) = crate::http::paginate(items, limit, |e| e.id.clone());
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(OrganizationEventPage {
            items: items.into_iter().map(OrganizationEventInfo::from).collect(),
            next_cursor,
        }))
}
