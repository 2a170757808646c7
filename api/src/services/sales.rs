//! Sales representatives: the people who recommended the portal, chosen from a list on the
//! organization form (`GET /v1/sales-representatives` lists the active ones). Staff create,
//! rename and deactivate them (exposed under `/v1/admin/sales-representatives`); a deactivated
//! representative stays on the organizations that chose them but can no longer be chosen.
//! A few are published at first start so that a fresh portal can be used at once.

use chrono::{DateTime, SubsecRound, Utc};

use crate::db::models::sales::{
    self, NewSalesRepresentative as NewRow, SalesRepresentative, SalesRepresentativeChanges,
};
use crate::db::{DbConnection, DbError};
use crate::domain::{Email, FullName};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::services::Context;

/// The representatives published when the table is empty.
const DEFAULTS: [(&str, &str); 3] = [
    ("Andi Pratama", "andi.pratama@sales.example.com"),
    ("Dewi Lestari", "dewi.lestari@sales.example.com"),
    ("Rizky Hidayat", "rizky.hidayat@sales.example.com"),
];

pub use crate::domain::SalesRepresentativeId;

/// A new representative, already parsed.
#[derive(Debug, Clone)]
pub struct NewSalesRepresentative {
    pub name: FullName,
    pub email: Email,
    /// Whether people can choose them right away (usually true).
    pub active: bool,
}

impl NewSalesRepresentative {
    /// Parses the fields of a staff form, reporting every bad field at once.
    pub fn parse(name: &str, email: &str, active: Option<bool>) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = FullName::parse(name)
            .map_err(|e| errors.push(name_error(e)))
            .ok();
        let email = Email::parse(email, false)
            .map_err(|e| errors.push(FieldError::new("email", e.code(), e.to_string())))
            .ok();
        match (name, email) {
            (Some(name), Some(email)) if errors.is_empty() => Ok(Self {
                name,
                email,
                active: active.unwrap_or(true),
            }),
            _ => Err(errors),
        }
    }
}

/// Changes to a representative; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct SalesRepresentativeUpdate {
    pub name: Option<FullName>,
    pub email: Option<Email>,
    pub active: Option<bool>,
}

impl SalesRepresentativeUpdate {
    /// Parses the fields of a staff form (each optional), reporting every bad field at once.
    pub fn parse(
        name: Option<&str>,
        email: Option<&str>,
        active: Option<bool>,
    ) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = name.and_then(|n| {
            FullName::parse(n)
                .map_err(|e| errors.push(name_error(e)))
                .ok()
        });
        let email = email.and_then(|e| {
            Email::parse(e, false)
                .map_err(|e| errors.push(FieldError::new("email", e.code(), e.to_string())))
                .ok()
        });
        if errors.is_empty() {
            Ok(Self {
                name,
                email,
                active,
            })
        } else {
            Err(errors)
        }
    }
}

fn name_error(e: crate::domain::NameError) -> FieldError {
    // FullName's codes say "full_name_…"; here the field is `name`.
    let code = match e {
        crate::domain::NameError::Required => "name_required",
        crate::domain::NameError::TooLong => "name_too_long",
        crate::domain::NameError::InvalidCharacters => "name_invalid_characters",
    };
    FieldError::new("name", code, e.to_string())
}

#[derive(Debug, thiserror::Error)]
pub enum SalesError {
    #[error("no such sales representative")]
    NotFound,
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(SalesError);

/// Publishes the default representatives when there are none (first start), inside the caller's
/// unit of work.
pub fn seed_defaults_in(conn: &mut DbConnection, now: DateTime<Utc>) -> Result<usize, SalesError> {
    let now = now.naive_utc().trunc_subsecs(6);
    if sales::count(conn)? > 0 {
        return Ok(0);
    }
    for (name, email) in DEFAULTS {
        let id = uuid::Uuid::now_v7().to_string();
        sales::insert(
            conn,
            &NewRow {
                id: &id,
                name,
                email,
                active: true,
                created_at: now,
                updated_at: now,
            },
        )?;
    }
    Ok(DEFAULTS.len())
}

/// The representatives people can choose, by name.
pub async fn list_active(state: &Context) -> Result<Vec<SalesRepresentative>, SalesError> {
    state
        .db
        .read(|conn| sales::active(conn).map_err(SalesError::from))
        .await
}

/// Every representative, active or not (staff).
pub async fn list_all(state: &Context) -> Result<Vec<SalesRepresentative>, SalesError> {
    state
        .db
        .read(|conn| sales::all(conn).map_err(SalesError::from))
        .await
}

/// One representative (staff).
pub async fn get(
    state: &Context,
    id: &SalesRepresentativeId,
) -> Result<SalesRepresentative, SalesError> {
    let id = id.clone();
    state
        .db
        .read(move |conn| sales::find(conn, id.as_str())?.ok_or(SalesError::NotFound))
        .await
}

/// Adds a representative (staff).
pub async fn create(
    state: &Context,
    input: NewSalesRepresentative,
) -> Result<SalesRepresentative, SalesError> {
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    state
        .db
        .write(move |conn| {
            let id = uuid::Uuid::now_v7().to_string();
            sales::insert(
                conn,
                &NewRow {
                    id: &id,
                    name: input.name.as_str(),
                    email: input.email.as_str(),
                    active: input.active,
                    created_at: now,
                    updated_at: now,
                },
            )?;
            sales::find(conn, &id)?.ok_or(SalesError::NotFound)
        })
        .await
}

/// Renames, re-addresses, deactivates or reactivates a representative (staff).
pub async fn update(
    state: &Context,
    id: &SalesRepresentativeId,
    changes: SalesRepresentativeUpdate,
) -> Result<SalesRepresentative, SalesError> {
    let now = state.clock.now().naive_utc().trunc_subsecs(6);
    let id = id.clone();
    state
        .db
        .write(move |conn| {
            let row = SalesRepresentativeChanges {
                name: changes.name.as_ref().map(FullName::as_str),
                email: changes.email.as_ref().map(Email::as_str),
                active: changes.active,
                updated_at: Some(now),
            };
            if sales::update(conn, id.as_str(), &row)? == 0 {
                return Err(SalesError::NotFound);
            }
            sales::find(conn, id.as_str())?.ok_or(SalesError::NotFound)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_representative_reports_every_bad_field() {
        let errors = NewSalesRepresentative::parse(" ", "not-an-email", None).unwrap_err();
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [("name", "name_required"), ("email", "email_invalid")]
        );
        let ok =
            NewSalesRepresentative::parse("Sari  Wulandari", "sari@example.co.id", None).unwrap();
        assert_eq!(ok.name.as_str(), "Sari Wulandari");
        assert!(ok.active);
    }

    #[test]
    fn an_update_parses_only_what_is_given() {
        let u = SalesRepresentativeUpdate::parse(None, None, Some(false)).unwrap();
        assert!(u.name.is_none() && u.email.is_none());
        assert_eq!(u.active, Some(false));
        assert!(SalesRepresentativeUpdate::parse(Some("<b>"), None, None).is_err());
    }

    #[test]
    fn ids_are_uuids() {
        assert!(SalesRepresentativeId::parse("0193a5b0-7e1c-7c3e-8f00-000000000001").is_some());
        assert!(SalesRepresentativeId::parse("1").is_none());
        assert!(SalesRepresentativeId::parse("' OR 1=1 --").is_none());
    }
}
