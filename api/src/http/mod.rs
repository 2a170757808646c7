//! The HTTP edge: handlers per resource with their request/response DTOs (documented with
//! utoipa), the mapping of service errors to problem details, and the route table. Handlers
//! parse, call one service function, and shape the answer; no SQL and no rules live here.

pub mod account_settings;
pub mod accounts;
pub mod admin;
pub mod client;
pub mod idempotency;
pub mod invitations;
pub mod json;
pub mod me;
pub mod mfa;
pub mod my_sessions;
pub mod oauth;
pub mod organizations;
pub mod passwords;
pub mod personal_tokens;
pub mod portal;
pub mod projects;
pub mod provisioning;
pub mod rfc3339;
pub mod sales;
pub mod sessions;
pub mod system;
pub mod teams;
pub mod verification;

use utoipa_actix_web::scope;

use crate::error::{ApiError, ProblemCode};

/// The paging parameters of the lists that run oldest first (organizations, projects).
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Items per page, 1–100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    #[param(example = "0193a5b2-1f00-7a3e-9c11-2b7d5e8f9a10")]
    pub after: Option<String>,
}

/// Splits `limit + 1` fetched rows into a page of `limit` and the cursor of the next page (the
/// id of the page's last item, when more follow). Every cursor-paged list uses it.
pub fn paginate<T>(
    mut rows: Vec<T>,
    limit: u32,
    id: impl Fn(&T) -> String,
) -> (Vec<T>, Option<String>) {
    let more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let next = if more { rows.last().map(id) } else { None };
    (rows, next)
}

/// Checks the parameters of a cursor-paginated list (`limit` 1–100, default 20; `before` an id
/// from the previous page, or `after` for lists running oldest first) and returns the limit.
pub fn page_limit(limit: Option<u32>, before: Option<&str>) -> Result<u32, ApiError> {
    let limit = limit.unwrap_or(20);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidQuery,
            "limit must be between 1 and 100.",
        ));
    }
    if before.is_some_and(|b| uuid::Uuid::try_parse(b).is_err()) {
        return Err(ApiError::bad_request(
            ProblemCode::InvalidQuery,
            "before is not a valid cursor.",
        ));
    }
    Ok(limit)
}
use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every documented endpoint; the OpenAPI document is collected from the same calls,
/// so the router and the document cannot drift.
pub fn routes(cfg: &mut ServiceConfig<'_>) {
    cfg.service(
        scope::scope("/v1")
            // Tried in this order, and each route with a path parameter costs a regex match: the
            // route every client calls most comes first.
            .service(me::get_me)
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
            .service(sessions::mfa_code)
            .service(passwords::request_reset)
            .service(passwords::confirm_reset)
            .service(passwords::change_password)
            .service(account_settings::update_profile)
            .service(account_settings::request_email_change)
            .service(account_settings::confirm_email_change)
            .service(account_settings::cancel_email_change)
            .service(account_settings::export)
            .service(account_settings::export_with_password)
            .service(account_settings::close_account)
            .service(account_settings::restore_account)
            .service(mfa::start_totp)
            .service(mfa::activate_totp)
            .service(mfa::disable_totp)
            .service(mfa::regenerate_recovery_codes)
            .service(me::get_onboarding)
            .service(me::accept_consents)
            .service(me::list_devices)
            .service(me::remove_device)
            .service(me::list_security_events)
            .service(personal_tokens::create_token)
            .service(personal_tokens::list_tokens)
            .service(personal_tokens::revoke_token)
            .service(my_sessions::list_sessions)
            .service(my_sessions::end_other_sessions)
            .service(my_sessions::end_session)
            .service(sales::list_sales_representatives)
            .service(organizations::create_organization)
            .service(organizations::list_organizations)
            .service(organizations::get_organization)
            .service(organizations::update_organization)
            .service(organizations::delete_organization)
            .service(teams::invite_member)
            .service(teams::list_invitations)
            .service(teams::resend_invitation)
            .service(teams::cancel_invitation)
            .service(teams::list_members)
            .service(teams::change_member_role)
            .service(teams::remove_member)
            .service(teams::list_organization_events)
            .service(teams::lookup_organization_invitation)
            .service(teams::accept_organization_invitation)
            .service(projects::create_project)
            .service(projects::list_projects)
            .service(projects::get_project)
            .service(projects::update_project)
            .service(projects::delete_project)
            .service(projects::get_project_history)
            .service(provisioning::provisioning_callback)
            .service(oauth::device_authorization)
            .service(oauth::token_endpoint)
            .service(oauth::introspect)
            .service(oauth::revoke)
            .service(oauth::lookup_device_request)
            .service(oauth::approve_device_request)
            .service(oauth::deny_device_request)
            .service(oauth::register_client)
            .service(oauth::list_clients)
            .service(invitations::lookup)
            .service(invitations::accept)
            .service(admin::publish_legal)
            .service(admin::list_sales_representatives)
            .service(admin::create_sales_representative)
            .service(admin::update_sales_representative)
            .service(admin::find_account)
            .service(admin::reset_mfa)
            .service(my_sessions::revoke_account_sessions)
            .service(account_settings::close_account_by_staff)
            .service(admin::create_enterprise_account),
    )
    .service(system::jwks)
    .service(oauth::metadata)
    .service(system::healthz)
    .service(system::readyz);
}
