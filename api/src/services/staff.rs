//! Staff work: the first admin (created from the command line), admins' own accounts, and the
//! checks that guard `/v1/admin/…`.

use chrono::{DateTime, Utc};

use crate::db::models::accounts::{self, NewAccount};
use crate::db::{Db, DbError};
use crate::domain::{Email, FullName, PhoneNumber};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::services::invitations;

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
    account_type: &str,
    role: &str,
    now: DateTime<Utc>,
) -> Result<accounts::Account, StaffError> {
    let normalized = person.email.normalized();
    if accounts::find_by_email(conn, &normalized)?.is_some() {
        return Err(StaffError::EmailTaken);
    }
    let id = uuid::Uuid::now_v7().to_string();
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
    accounts::find(conn, &id)?.ok_or(StaffError::Database(DbError::Query(
        diesel::result::Error::NotFound,
    )))
}

/// Creates a staff account (role `admin`) and emails it an invitation to set its password.
pub fn create_admin(
    db: &Db,
    person: PersonInput,
    link_base: &str,
    now: DateTime<Utc>,
) -> Result<String, StaffError> {
    db.write_blocking(|conn| {
        let account = insert_invited_account(conn, &person, "sme", "admin", now)?;
        invitations::invite_in(conn, &account, None, None, link_base, now)?;
        Ok(account.id)
    })
}
