//! Staff work: the first admin (created from the command line), admins' own accounts, and the
//! checks that guard `/v1/admin/…`.

use chrono::{DateTime, Utc};

use crate::db::models::accounts::{self, NewAccount};
use crate::db::{
    Committed::{self, Done, Refused},
    DbError,
};
use crate::domain::{
    AccountId, AccountRole, AccountType, Email, FullName, OrganizationId, PhoneNumber,
};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::services::{invitations, Context};

#[derive(Debug, thiserror::Error)]
pub enum StaffError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(StaffError);

/// Parsed identity fields of a person that staff create.
pub struct PersonInput {
    pub email: Email,
    pub full_name: FullName,
    pub phone_number: PhoneNumber,
    pub locale: &'static str,
}

/// Parses the identity fields, collecting one message per bad field (with a field prefix).
pub fn parse_person(
    prefix: &str,
    email: &str,
    full_name: &str,
    phone_number: &str,
    locale: Option<&str>,
    default_region: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<PersonInput> {
    let email = Email::parse(email, false)
        .map_err(|e| {
            errors.push(FieldError::new(
                format!("{prefix}email"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    let name = FullName::parse(full_name)
        .map_err(|e| {
            errors.push(FieldError::new(
                format!("{prefix}full_name"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    let phone = PhoneNumber::parse(phone_number, default_region)
        .map_err(|e| {
            errors.push(FieldError::new(
                format!("{prefix}phone_number"),
                e.code(),
                e.to_string(),
            ))
        })
        .ok();
    let locale = match locale {
        None | Some("en") => Some("en"),
        Some("id") => Some("id"),
        Some(_) => {
            errors.push(FieldError::new(
                format!("{prefix}locale"),
                "locale_unsupported",
                "must be \"en\" or \"id\"",
            ));
            None
        }
    };
    Some(PersonInput {
        email: email?,
        full_name: name?,
        phone_number: phone?,
        locale: locale?,
    })
}

/// Inserts an account without a password, inside the caller's unit of work.
pub fn insert_invited_account(
    conn: &mut crate::db::DbConnection,
    person: &PersonInput,
    account_type: AccountType,
    role: AccountRole,
    now: DateTime<Utc>,
) -> Result<accounts::Account, StaffError> {
    let normalized = person.email.normalized();
    if accounts::find_by_email(conn, &normalized)?.is_some() {
        return Err(StaffError::EmailTaken);
    }
    let id = AccountId::generate();
    let at = now.naive_utc();
    let inserted = accounts::insert(
        conn,
        &NewAccount {
            id: &id,
            email: person.email.as_str(),
            email_normalized: &normalized,
            full_name: person.full_name.as_str(),
            phone_number: person.phone_number.as_str(),
            password_hash: None,
            account_type,
            role,
            locale: person.locale,
            email_verified_at: None,
            created_at: at,
            updated_at: at,
        },
    );
    if let Err(e) = inserted {
        let e = DbError::from(e);
        return Err(if e.is_unique_violation() {
            StaffError::EmailTaken
        } else {
            e.into()
        });
    }
    accounts::find(conn, &id)?.ok_or(StaffError::Database(DbError::missing_row()))
}

/// Creates a staff account (role `admin`) and emails it an invitation to set its password,
/// inside the caller's unit of work (the command line's `create-admin`).
pub fn create_admin_in(
    conn: &mut crate::db::DbConnection,
    person: &PersonInput,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<AccountId, StaffError> {
    let account = insert_invited_account(conn, person, AccountType::Sme, AccountRole::Admin, now)?;
    invitations::invite_in(conn, &account, None, None, link_base, now)?;
    Ok(account.id)
}

/// What staff submit to create an Enterprise account with its organization.
pub struct EnterpriseRequest {
    pub full_name: String,
    pub email: String,
    pub phone_number: String,
    pub locale: Option<String>,
    pub organization: crate::services::organizations::CreateOrganizationRequest,
}

/// The account with this (normalized) address, for staff looking someone up.
pub async fn find_account(
    state: &Context,
    normalized_email: String,
) -> Result<Option<accounts::Account>, DbError> {
    state
        .db
        .read(move |conn| Ok(accounts::find_by_email(conn, &normalized_email)?))
        .await
}

/// Creates an Enterprise account, its organization (the person is the owner) and emails an
/// invitation to set a password — all in one unit of work. Returns (account id, organization id).
pub async fn create_enterprise(
    state: &crate::services::Context,
    req: EnterpriseRequest,
    actor: (AccountId, String),
) -> Result<(AccountId, OrganizationId), StaffError> {
    let region = state.settings.default_phone_region.clone();
    let link_base = state.settings.link("/accept-invitation?token=");
    let now = state.clock.now();
    let created = state
        .db
        .write_or_refuse(
            move |conn| -> Result<Committed<(AccountId, OrganizationId), StaffError>, StaffError> {
                let mut errors = Vec::new();
                let person = parse_person(
                    "",
                    &req.email,
                    &req.full_name,
                    &req.phone_number,
                    req.locale.as_deref(),
                    region.as_deref(),
                    &mut errors,
                );
                // Organization fields are checked too, so every bad field is reported at once; the
                // organization is only written when everything is valid.
                let Some(person) = person.filter(|_| errors.is_empty()) else {
                    let mut org_errors = Vec::new();
                    crate::services::organizations::validate(
                        &req.organization,
                        region.as_deref(),
                        conn,
                        &mut org_errors,
                    )?;
                    errors.extend(prefixed(org_errors));
                    return Ok(Refused(StaffError::Invalid(errors)));
                };
                let account = match insert_invited_account(
                    conn,
                    &person,
                    AccountType::Enterprise,
                    AccountRole::User,
                    now,
                ) {
                    Ok(account) => account,
                    Err(StaffError::EmailTaken) => return Ok(Refused(StaffError::EmailTaken)),
                    Err(e) => return Err(e),
                };
                let mut org_errors = Vec::new();
                let org = crate::services::organizations::create_in(
                    conn,
                    &req.organization,
                    region.as_deref(),
                    &account.id,
                    now.naive_utc(),
                    &mut org_errors,
                )?;
                let Some(org) = org else {
                    // Nothing is kept: the transaction rolls back with this error.
                    return Err(StaffError::Invalid(prefixed(org_errors)));
                };
                let organization = org.organization;
                invitations::invite_in(
                    conn,
                    &account,
                    Some(&organization.name),
                    Some((&actor.0, &actor.1)),
                    &link_base,
                    now,
                )?;
                Ok(Done((account.id, organization.id)))
            },
        )
        .await?;
    state.mail_wake.notify_one();
    Ok(created)
}

fn prefixed(errors: Vec<FieldError>) -> Vec<FieldError> {
    errors
        .into_iter()
        .map(|e| FieldError::new(format!("organization.{}", e.field), e.code, e.message))
        .collect()
}
