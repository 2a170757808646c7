//! Teams: an organization's members, their roles, and the invitations that bring people in.
//!
//! | role | may |
//! | --- | --- |
//! | `owner` | everything, including members of any role and deleting the organization |
//! | `admin` | projects, and members and invitations other than owners |
//! | `member` | read the organization, its members and projects; create projects |
//! | `billing` | read the organization and its projects' VAT data |
//!
//! An organization always keeps at least one owner: the last one can be neither demoted nor
//! removed, nor leave (the organization's row is locked while its membership changes, so two
//! owners demoting each other at once cannot both succeed). Anyone who is not a member gets
//! "not found", whether or not the organization exists; a member whose role does not allow an
//! action gets `insufficient_role`. Roles are read from the database on every request, so a
//! removal or a demotion takes effect on the caller's next request.
//!
//! An invitation is bound to a mailbox and a role and is accepted, once, within 7 days, by a
//! signed-in account whose verified address is that mailbox. The link is the same whether or not
//! the address has an account, and nothing the inviter sees tells them which. Every change is
//! written to the organization's event log and emailed to the person concerned.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde_json::json;

use crate::auth::tokens;
use crate::config::Throttles;
use crate::db::models::accounts::{self, Account};
use crate::db::models::organization_events::{self, NewOrganizationEvent, OrganizationEvent};
use crate::db::models::organization_invitations::{
    self as invitations, NewOrganizationInvitation, OrganizationInvitation,
};
use crate::db::models::organizations::{self, MemberRow, MemberView};
use crate::db::{DbConnection, DbError};
pub use crate::domain::Role;
use crate::domain::{AccountId, Email, InvitationId, OpaqueToken, OrganizationId};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::mail::{self, Template};
use crate::services::Context;
use crate::services::{email_key, throttle, ClientInfo};

/// How long an invitation link works.
pub const INVITATION_TTL_DAYS: i64 = 7;

/// Kinds of the organization's events, as stored and returned.
pub mod event {
    pub const INVITATION_SENT: &str = "invitation_sent";
    pub const INVITATION_RESENT: &str = "invitation_resent";
    pub const INVITATION_CANCELLED: &str = "invitation_cancelled";
    pub const MEMBER_JOINED: &str = "member_joined";
    pub const ROLE_CHANGED: &str = "role_changed";
    pub const MEMBER_REMOVED: &str = "member_removed";
    pub const MEMBER_LEFT: &str = "member_left";
    pub const ORGANIZATION_UPDATED: &str = "organization_updated";
    pub const PROJECT_UPDATED: &str = "project_updated";
    pub const PROJECT_DELETION_REQUESTED: &str = "project_deletion_requested";
    pub const PROJECT_DELETED: &str = "project_deleted";
}

#[derive(Debug, thiserror::Error)]
pub enum TeamError {
    /// Not a member (or no such organization, member or invitation): the same answer.
    #[error("not found")]
    NotFound,
    #[error("the caller's role does not allow this")]
    InsufficientRole,
    #[error("the organization would have no owner")]
    LastOwner,
    #[error("already a member")]
    AlreadyMember,
    #[error("an invitation to this address is pending")]
    InvitationPending,
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("unknown or cancelled invitation")]
    InvitationInvalid,
    #[error("invitation expired")]
    InvitationExpired,
    #[error("invitation already accepted")]
    InvitationUsed,
    #[error("the invitation is for another address")]
    WrongAccount,
    /// Too many invitation emails for the organization or the address; seconds to wait.
    #[error("too many invitations")]
    Throttled(u64),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(TeamError);

/// A pending invitation, as the organization's managers see it.
#[derive(Debug, Clone)]
pub struct InvitationView {
    pub invitation: OrganizationInvitation,
    pub invited_by_name: Option<String>,
}

/// What the acceptance page shows about an invitation (to whoever holds the link).
#[derive(Debug, Clone)]
pub struct InvitationPreview {
    pub organization_name: String,
    pub email: String,
    pub role: Role,
    pub invited_by_name: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Who acts, from where.
pub struct Actor {
    pub account: Account,
    pub client: ClientInfo,
}

/// The caller's role in the organization; `NotFound` when they are not a member.
pub fn role_in(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    account_id: &AccountId,
) -> Result<Role, TeamError> {
    organizations::member(conn, organization_id, account_id)?
        .map(|m| m.role)
        .ok_or(TeamError::NotFound)
}

pub(crate) fn require(allowed: bool) -> Result<(), TeamError> {
    if allowed {
        Ok(())
    } else {
        Err(TeamError::InsufficientRole)
    }
}

pub(crate) fn now_of(state: &Context) -> DateTime<Utc> {
    state.clock.now().trunc_subsecs(6)
}

pub(crate) struct Event<'a> {
    pub organization_id: &'a OrganizationId,
    pub kind: &'static str,
    pub actor: Option<&'a Actor>,
    pub subject_account_id: Option<&'a AccountId>,
    pub subject_email: Option<&'a str>,
    pub role: Option<Role>,
    pub at: NaiveDateTime,
    /// What else the event names (a project, the fields changed).
    pub details: Option<serde_json::Value>,
}

/// Adds an event to the organization's log, inside the caller's transaction.
pub(crate) fn record(conn: &mut DbConnection, e: Event<'_>) -> Result<(), DbError> {
    let id = uuid::Uuid::now_v7().to_string();
    let details = e.details.as_ref().map(serde_json::Value::to_string);
    organization_events::insert(
        conn,
        &NewOrganizationEvent {
            id: &id,
            organization_id: e.organization_id,
            kind: e.kind,
            actor_id: e.actor.map(|a| &a.account.id),
            subject_account_id: e.subject_account_id,
            subject_email: e.subject_email,
            role: e.role,
            occurred_at: e.at,
            client_ip: e.actor.and_then(|a| a.client.ip.as_deref()),
            details: details.as_deref(),
        },
    )?;
    Ok(())
}

/// The parsed invitation form.
fn parse_invitation(
    email: &str,
    role: &str,
    corporate_only: bool,
) -> Result<(Email, Role), TeamError> {
    let mut errors = Vec::new();
    let email = Email::parse(email, corporate_only)
        .map_err(|e| errors.push(FieldError::new("email", e.code(), e.to_string())))
        .ok();
    let role = Role::parse(role.trim());
    if role.is_none() {
        errors.push(FieldError::new(
            "role",
            "role_invalid",
            "must be one of owner, admin, member, billing",
        ));
    }
    match (email, role) {
        (Some(email), Some(role)) => Ok((email, role)),
        _ => Err(TeamError::Invalid(errors)),
    }
}

/// Counts one invitation email against the organization's and the address's limits (inside
/// the transaction that sends it, so a refused or failed invitation counts nothing):
/// `Throttled` when either is used up, so that nobody can use the portal to flood a mailbox.
fn spend_invitation_quota(
    conn: &mut DbConnection,
    limits: &Throttles,
    organization_id: &OrganizationId,
    address: &str,
    now: DateTime<Utc>,
) -> Result<(), TeamError> {
    for (key, limit) in [
        (
            format!("invite:org:{organization_id}"),
            limits.invitations_per_organization,
        ),
        (
            format!("invite:to:{}", email_key(address)),
            limits.invitations_per_address,
        ),
    ] {
        if let Some(wait) = throttle::take(conn, &key, limit, now)? {
            return Err(TeamError::Throttled(wait));
        }
    }
    Ok(())
}

/// Queues the invitation email with a fresh link.
fn send_invitation(
    conn: &mut DbConnection,
    link: &str,
    invitation_email: &str,
    role: Role,
    organization_name: &str,
    actor: &Actor,
    at: NaiveDateTime,
) -> Result<(), DbError> {
    // In the language of the invited account if there is one, else the inviter's.
    let locale = accounts::find_by_email(conn, invitation_email)?
        .map_or_else(|| actor.account.locale.clone(), |a| a.locale);
    mail::enqueue(
        conn,
        invitation_email,
        Template::OrganizationInvitation,
        &locale,
        &json!({
            "organization_name": organization_name,
            "role": role.as_str(),
            "invited_by": actor.account.full_name,
            "link": link,
            "expires_days": INVITATION_TTL_DAYS,
        }),
        at,
    )?;
    Ok(())
}

/// A pending invitation of the organization that `account_id` may resend or cancel (an owner,
/// or an admin for any role but owner), with its role.
fn managed_invitation(
    conn: &mut DbConnection,
    organization_id: &OrganizationId,
    invitation_id: &InvitationId,
    account_id: &AccountId,
) -> Result<(OrganizationInvitation, Role), TeamError> {
    let mine = role_in(conn, organization_id, account_id)?;
    require(mine.manages_members())?;
    let invitation = invitations::find(conn, organization_id, invitation_id)?
        .filter(|i| i.accepted_at.is_none() && i.cancelled_at.is_none())
        .ok_or(TeamError::NotFound)?;
    let role = invitation.role;
    require(mine.may_assign(role))?;
    Ok((invitation, role))
}

/// Invites `email` to the organization with `role`.
pub async fn invite(
    state: &Context,
    actor: Actor,
    organization: &OrganizationId,
    email: &str,
    role: &str,
) -> Result<InvitationView, TeamError> {
    let (email, role) = parse_invitation(email, role, state.settings.corporate_email_only)?;
    let now = now_of(state);
    let at = now.naive_utc();
    let link = state.settings.link("/organization-invitation?token=");
    let limits = state.settings.throttles;
    let organization_id = organization.clone();
    let view = state
        .db
        .write(move |conn| {
            organizations::lock(conn, &organization_id)?;
            let mine = role_in(conn, &organization_id, &actor.account.id)?;
            require(mine.manages_members() && mine.may_assign(role))?;
            let address = email.normalized();
            if let Some(existing) = accounts::find_by_email(conn, &address)? {
                if organizations::member(conn, &organization_id, &existing.id)?.is_some() {
                    return Err(TeamError::AlreadyMember);
                }
            }
            if invitations::pending_for(conn, &organization_id, &address)?.is_some() {
                return Err(TeamError::InvitationPending);
            }
            spend_invitation_quota(conn, &limits, &organization_id, &address, now)?;
            let token = tokens::new_token();
            let id = InvitationId::generate();
            invitations::insert(
                conn,
                &NewOrganizationInvitation {
                    id: &id,
                    organization_id: &organization_id,
                    email: &address,
                    role,
                    token_hash: &tokens::hash_token(&token),
                    invited_by: &actor.account.id,
                    created_at: at,
                    sent_at: at,
                    expires_at: at + chrono::Duration::days(INVITATION_TTL_DAYS),
                },
            )?;
            let name = organizations::name_of(conn, &organization_id)?.unwrap_or_default();
            let link = format!("{link}{token}");
            send_invitation(conn, &link, &address, role, &name, &actor, at)?;
            record(
                conn,
                Event {
                    organization_id: &organization_id,
                    kind: event::INVITATION_SENT,
                    actor: Some(&actor),
                    subject_account_id: None,
                    subject_email: Some(&address),
                    role: Some(role),
                    at,
                    details: None,
                },
            )?;
            let invitation =
                invitations::find(conn, &organization_id, &id)?.ok_or(TeamError::NotFound)?;
            Ok(InvitationView {
                invitation,
                invited_by_name: Some(actor.account.full_name.clone()),
            })
        })
        .await;
    match view {
        Ok(view) => {
            state.mail_wake.notify_one();
            Ok(view)
        }
        // Two invitations to one address raced past the check: the unique index decided.
        Err(TeamError::Database(e)) if e.is_unique_violation() => Err(TeamError::InvitationPending),
        Err(e) => Err(e),
    }
}

/// The organization's pending invitations (owners and admins).
pub async fn invitations(
    state: &Context,
    account_id: &AccountId,
    organization: &OrganizationId,
) -> Result<Vec<InvitationView>, TeamError> {
    let (account_id, organization_id) = (account_id.to_owned(), organization.clone());
    state
        .db
        .read(move |conn| {
            require(role_in(conn, &organization_id, &account_id)?.manages_members())?;
            Ok(invitations::pending(conn, &organization_id)?
                .into_iter()
                .map(|(invitation, invited_by_name)| InvitationView {
                    invitation,
                    invited_by_name,
                })
                .collect())
        })
        .await
}

/// Sends a pending invitation again with a new link and a new 7 days; the old link stops
/// working.
pub async fn resend(
    state: &Context,
    actor: Actor,
    organization: &OrganizationId,
    invitation_id: &InvitationId,
) -> Result<InvitationView, TeamError> {
    let now = now_of(state);
    let at = now.naive_utc();
    let link = state.settings.link("/organization-invitation?token=");
    let limits = state.settings.throttles;
    let (organization_id, invitation_id) = (organization.clone(), invitation_id.to_owned());
    let view = state
        .db
        .write(move |conn| {
            let (invitation, role) =
                managed_invitation(conn, &organization_id, &invitation_id, &actor.account.id)?;
            spend_invitation_quota(conn, &limits, &organization_id, &invitation.email, now)?;
            let token = tokens::new_token();
            let expires_at = at + chrono::Duration::days(INVITATION_TTL_DAYS);
            if invitations::renew(
                conn,
                &invitation.id,
                &tokens::hash_token(&token),
                at,
                expires_at,
            )? == 0
            {
                return Err(TeamError::NotFound);
            }
            let name = organizations::name_of(conn, &organization_id)?.unwrap_or_default();
            send_invitation(
                conn,
                &format!("{link}{token}"),
                &invitation.email,
                role,
                &name,
                &actor,
                at,
            )?;
            record(
                conn,
                Event {
                    organization_id: &organization_id,
                    kind: event::INVITATION_RESENT,
                    actor: Some(&actor),
                    subject_account_id: None,
                    subject_email: Some(&invitation.email),
                    role: Some(role),
                    at,
                    details: None,
                },
            )?;
            let invitation = invitations::find(conn, &organization_id, &invitation.id)?
                .ok_or(TeamError::NotFound)?;
            let invited_by_name =
                accounts::find(conn, &invitation.invited_by)?.map(|a| a.full_name);
            Ok(InvitationView {
                invitation,
                invited_by_name,
            })
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(view)
}

/// Withdraws a pending invitation: its link stops working.
pub async fn cancel(
    state: &Context,
    actor: Actor,
    organization: &OrganizationId,
    invitation_id: &InvitationId,
) -> Result<(), TeamError> {
    let at = now_of(state).naive_utc();
    let (organization_id, invitation_id) = (organization.clone(), invitation_id.to_owned());
    state
        .db
        .write(move |conn| {
            let (invitation, role) =
                managed_invitation(conn, &organization_id, &invitation_id, &actor.account.id)?;
            if invitations::cancel(conn, &invitation.id, at)? == 0 {
                return Err(TeamError::NotFound);
            }
            record(
                conn,
                Event {
                    organization_id: &organization_id,
                    kind: event::INVITATION_CANCELLED,
                    actor: Some(&actor),
                    subject_account_id: None,
                    subject_email: Some(&invitation.email),
                    role: Some(role),
                    at,
                    details: None,
                },
            )?;
            Ok(())
        })
        .await
}

/// Checks an invitation token: pending and not expired.
fn usable(
    invitation: Option<OrganizationInvitation>,
    now: NaiveDateTime,
) -> Result<OrganizationInvitation, TeamError> {
    let invitation = invitation.ok_or(TeamError::InvitationInvalid)?;
    if invitation.cancelled_at.is_some() {
        return Err(TeamError::InvitationInvalid);
    }
    if invitation.accepted_at.is_some() {
        return Err(TeamError::InvitationUsed);
    }
    if invitation.expires_at <= now {
        return Err(TeamError::InvitationExpired);
    }
    Ok(invitation)
}

/// Whether `token` is a pending, unexpired invitation to the (normalized) address `email`,
/// inside the caller's unit of work: a sign-up from that link shows the person reads that
/// mailbox, so the new account's address counts as verified. The invitation stays pending
/// until it is accepted.
pub(crate) fn invites(
    conn: &mut DbConnection,
    token: &str,
    email: &str,
    now: NaiveDateTime,
) -> Result<bool, DbError> {
    let invitation = invitations::find_by_hash(conn, &tokens::hash_token(token))?;
    Ok(usable(invitation, now).is_ok_and(|i| i.email == email))
}

/// What an invitation link is for, without using it (the acceptance page; no sign-in needed).
/// It says nothing about whether the address has an account.
pub async fn preview(state: &Context, token: &OpaqueToken) -> Result<InvitationPreview, TeamError> {
    let now = now_of(state).naive_utc();
    let hash = tokens::hash_token(token.as_str());
    state
        .db
        .read(move |conn| {
            let invitation = usable(invitations::find_by_hash(conn, &hash)?, now)?;
            let organization_name = organizations::name_of(conn, &invitation.organization_id)?
                .ok_or(TeamError::InvitationInvalid)?;
            let invited_by_name =
                accounts::find(conn, &invitation.invited_by)?.map(|a| a.full_name);
            Ok(InvitationPreview {
                organization_name,
                role: invitation.role,
                email: invitation.email,
                invited_by_name,
                expires_at: DateTime::from_naive_utc_and_offset(invitation.expires_at, Utc),
            })
        })
        .await
}

/// Joins the organization with the invitation's role: only a signed-in account whose verified
/// address is the invited one.
pub async fn accept(
    state: &Context,
    actor: Actor,
    token: &OpaqueToken,
) -> Result<MemberView, TeamError> {
    let now = now_of(state);
    let at = now.naive_utc();
    let hash = tokens::hash_token(token.as_str());
    let console = state.settings.link("/");
    let view = state
        .db
        .write(move |conn| {
            let invitation = usable(invitations::find_by_hash(conn, &hash)?, at)?;
            if actor.account.email_normalized != invitation.email
                || actor.account.email_verified_at.is_none()
            {
                return Err(TeamError::WrongAccount);
            }
            let role = invitation.role;
            organizations::lock(conn, &invitation.organization_id)?;
            if organizations::member(conn, &invitation.organization_id, &actor.account.id)?
                .is_some()
            {
                return Err(TeamError::AlreadyMember);
            }
            if invitations::accept(conn, &invitation.id, &actor.account.id, at)? == 0 {
                return Err(TeamError::InvitationUsed);
            }
            organizations::add_member(
                conn,
                &invitation.organization_id,
                &actor.account.id,
                role,
                at,
            )?;
            record(
                conn,
                Event {
                    organization_id: &invitation.organization_id,
                    kind: event::MEMBER_JOINED,
                    actor: Some(&actor),
                    subject_account_id: Some(&actor.account.id),
                    subject_email: None,
                    role: Some(role),
                    at,
                    details: None,
                },
            )?;
            let view = organizations::find_for_member(
                conn,
                &invitation.organization_id,
                &actor.account.id,
            )?
            .ok_or(TeamError::NotFound)?;
            let by = accounts::find(conn, &invitation.invited_by)?.map(|a| a.full_name);
            notify(
                conn,
                &actor.account,
                &view.organization.name,
                "joined",
                role,
                by.as_deref(),
                &console,
                now,
            )?;
            Ok(view)
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(view)
}

/// Emails the person concerned by a membership change.
#[allow(clippy::too_many_arguments)]
fn notify(
    conn: &mut DbConnection,
    person: &Account,
    organization_name: &str,
    change: &str,
    role: Role,
    by: Option<&str>,
    console_url: &str,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    mail::enqueue(
        conn,
        &person.email,
        Template::OrganizationMembership,
        &person.locale,
        &json!({
            "full_name": person.full_name,
            "organization_name": organization_name,
            "change": change,
            "role": role.as_str(),
            "by": by,
            "occurred_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
            "console_url": console_url,
        }),
        now.naive_utc(),
    )?;
    Ok(())
}

/// The organization's members (every role but billing).
pub async fn members(
    state: &Context,
    account_id: &AccountId,
    organization: &OrganizationId,
) -> Result<Vec<MemberRow>, TeamError> {
    let (account_id, organization_id) = (account_id.to_owned(), organization.clone());
    state
        .db
        .read(move |conn| {
            require(role_in(conn, &organization_id, &account_id)?.reads_members())?;
            Ok(organizations::members(conn, &organization_id)?)
        })
        .await
}

/// Gives a member another role.
pub async fn change_role(
    state: &Context,
    actor: Actor,
    organization: &OrganizationId,
    member_id: &AccountId,
    role: &str,
) -> Result<MemberRow, TeamError> {
    let Some(new_role) = Role::parse(role.trim()) else {
        return Err(TeamError::Invalid(vec![FieldError::new(
            "role",
            "role_invalid",
            "must be one of owner, admin, member, billing",
        )]));
    };
    let now = now_of(state);
    let at = now.naive_utc();
    let console = state.settings.link("/");
    let (organization_id, member_id) = (organization.clone(), member_id.to_owned());
    let (row, changed) = state
        .db
        .write(move |conn| {
            organizations::lock(conn, &organization_id)?;
            let mine = role_in(conn, &organization_id, &actor.account.id)?;
            require(mine.manages_members())?;
            let target = organizations::member(conn, &organization_id, &member_id)?
                .ok_or(TeamError::NotFound)?;
            let current = target.role;
            require(mine.may_assign(current) && mine.may_assign(new_role))?;
            if current == new_role {
                return Ok((target, false));
            }
            if current == Role::Owner && organizations::owner_count(conn, &organization_id)? <= 1 {
                return Err(TeamError::LastOwner);
            }
            organizations::set_role(conn, &organization_id, &member_id, new_role)?;
            record(
                conn,
                Event {
                    organization_id: &organization_id,
                    kind: event::ROLE_CHANGED,
                    actor: Some(&actor),
                    subject_account_id: Some(&member_id),
                    subject_email: None,
                    role: Some(new_role),
                    at,
                    details: None,
                },
            )?;
            if let Some(person) = accounts::find(conn, &member_id)? {
                let name = organizations::name_of(conn, &organization_id)?.unwrap_or_default();
                let by = Some(actor.account.full_name.as_str());
                notify(
                    conn,
                    &person,
                    &name,
                    "role_changed",
                    new_role,
                    by,
                    &console,
                    now,
                )?;
            }
            let row = organizations::member(conn, &organization_id, &member_id)?
                .ok_or(TeamError::NotFound)?;
            Ok((row, true))
        })
        .await?;
    if changed {
        state.mail_wake.notify_one();
    }
    Ok(row)
}

/// Removes a member, or (when `member_id` is the caller) leaves the organization.
pub async fn remove(
    state: &Context,
    actor: Actor,
    organization: &OrganizationId,
    member_id: &AccountId,
) -> Result<(), TeamError> {
    let now = now_of(state);
    let at = now.naive_utc();
    let console = state.settings.link("/");
    let (organization_id, member_id) = (organization.clone(), member_id.to_owned());
    state
        .db
        .write(move |conn| {
            organizations::lock(conn, &organization_id)?;
            let mine = role_in(conn, &organization_id, &actor.account.id)?;
            let leaving = member_id == actor.account.id;
            let target = organizations::member(conn, &organization_id, &member_id)?
                .ok_or(TeamError::NotFound)?;
            let role = target.role;
            if !leaving {
                require(mine.manages_members() && mine.may_assign(role))?;
            }
            if role == Role::Owner && organizations::owner_count(conn, &organization_id)? <= 1 {
                return Err(TeamError::LastOwner);
            }
            organizations::remove_member(conn, &organization_id, &member_id)?;
            let kind = if leaving {
                event::MEMBER_LEFT
            } else {
                event::MEMBER_REMOVED
            };
            record(
                conn,
                Event {
                    organization_id: &organization_id,
                    kind,
                    actor: Some(&actor),
                    subject_account_id: Some(&member_id),
                    subject_email: None,
                    role: Some(role),
                    at,
                    details: None,
                },
            )?;
            if let Some(person) = accounts::find(conn, &member_id)? {
                let name = organizations::name_of(conn, &organization_id)?.unwrap_or_default();
                let (change, by) = if leaving {
                    ("left", None)
                } else {
                    ("removed", Some(actor.account.full_name.as_str()))
                };
                notify(conn, &person, &name, change, role, by, &console, now)?;
            }
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// A page of the organization's events, newest first (owners and admins).
pub async fn events(
    state: &Context,
    account_id: &AccountId,
    organization: &OrganizationId,
    before: Option<String>,
    limit: i64,
) -> Result<Vec<OrganizationEvent>, TeamError> {
    let (account_id, organization_id) = (account_id.to_owned(), organization.clone());
    state
        .db
        .read(move |conn| {
            require(role_in(conn, &organization_id, &account_id)?.manages_members())?;
            Ok(organization_events::page(
                conn,
                &organization_id,
                before.as_deref(),
                limit,
            )?)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invitation_form_reports_both_fields_at_once() {
        let Err(TeamError::Invalid(errors)) = parse_invitation("nope", "king", false) else {
            panic!("accepted");
        };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["email", "role"]);
        let (email, role) = parse_invitation(" Rina@Maju.Example ", "billing", false).unwrap();
        assert_eq!(email.normalized(), "rina@maju.example");
        assert_eq!(role, Role::Billing);
    }
}
