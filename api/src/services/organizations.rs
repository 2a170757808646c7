//! Organizations: step 5 of the journey. A person names their organization, gives its address,
//! country, business phone and the sales representative who recommended the portal, and becomes
//! its owner. Every field is parsed here and every bad one reported at once, including a sales
//! representative that does not exist or is no longer active.
//!
//! An account sees only the organizations it belongs to; any other id is simply not found, so
//! nobody can learn whether an organization exists (ASVS 5.0 V8.2).

use chrono::{NaiveDateTime, SubsecRound};

use crate::db::models::organizations::{self, MemberView, NewOrganization};
use crate::db::models::sales;
use crate::db::{DbConnection, DbError};
use crate::domain::{AccountId, Country, PhoneNumber, PostalCode, Role};
use crate::error::FieldError;
use crate::impl_from_diesel;
use crate::services::sales::SalesRepresentativeId;
use crate::services::Context;

/// Longest organization name, in characters.
pub const MAX_NAME: usize = 100;
/// Longest address or VAT address, in characters.
pub const MAX_ADDRESS: usize = 255;
/// Longest description, in characters.
pub const MAX_DESCRIPTION: usize = 1000;
/// Longest city or region, in characters.
pub const MAX_PLACE: usize = 100;

pub use crate::domain::OrganizationId;

/// The organization form, as received (the service parses every field).
#[derive(Debug, Clone)]
pub struct CreateOrganizationRequest {
    pub name: String,
    pub address: String,
    pub country: String,
    pub description: String,
    pub business_phone: String,
    pub city: String,
    pub region: String,
    pub zip: String,
    pub sales_representative_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum OrganizationError {
    #[error("invalid fields")]
    Invalid(Vec<FieldError>),
    /// Unknown, or the caller is not a member: the same answer for both.
    #[error("organization not found")]
    NotFound,
    /// A member whose role does not allow it.
    #[error("the caller's role does not allow this")]
    InsufficientRole,
    /// Deleting an organization that still has projects (how many).
    #[error("the organization still has {0} projects")]
    HasProjects(i64),
    #[error(transparent)]
    Database(#[from] DbError),
}
impl_from_diesel!(OrganizationError);

/// How a free-text field may look.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextRule {
    pub field: &'static str,
    pub max: usize,
    /// Line breaks allowed (addresses, descriptions); otherwise whitespace runs become one space.
    pub multiline: bool,
}

/// Parses a required free-text field: trimmed, at most `rule.max` characters, free of control
/// characters (other than line breaks where allowed), text-direction overrides and invisible
/// characters, which could make it display as something else in the portal or in emails.
pub(crate) fn text(rule: TextRule, raw: &str) -> Result<String, FieldError> {
    let field = rule.field;
    let normalized = raw.replace("\r\n", "\n").replace('\r', "\n");
    let tidy = if rule.multiline {
        normalized
            .lines()
            .map(|line| line.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned()
    } else {
        normalized.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    if tidy.is_empty() {
        return Err(FieldError::new(
            field,
            format!("{field}_required"),
            "is required",
        ));
    }
    let forbidden = |c: char| {
        (c.is_control() && !(rule.multiline && c == '\n'))
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{FEFF}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
    };
    if tidy.chars().any(forbidden) {
        return Err(FieldError::new(
            field,
            format!("{field}_invalid_characters"),
            "must not contain control or invisible characters",
        ));
    }
    if tidy.chars().count() > rule.max {
        return Err(FieldError::new(
            field,
            format!("{field}_too_long"),
            format!("must be at most {} characters", rule.max),
        ));
    }
    Ok(tidy)
}

/// A parsed organization form.
struct ValidOrganization {
    name: String,
    address: String,
    country: Country,
    description: String,
    business_phone: PhoneNumber,
    city: String,
    region: String,
    zip: PostalCode,
}

fn parse(
    req: &CreateOrganizationRequest,
    default_phone_region: Option<&str>,
    errors: &mut Vec<FieldError>,
) -> Option<ValidOrganization> {
    let mut field = |rule: TextRule, raw: &str| text(rule, raw).map_err(|e| errors.push(e)).ok();
    let name = field(
        TextRule {
            field: "name",
            max: MAX_NAME,
            multiline: false,
        },
        &req.name,
    );
    let address = field(
        TextRule {
            field: "address",
            max: MAX_ADDRESS,
            multiline: true,
        },
        &req.address,
    );
    let description = field(
        TextRule {
            field: "description",
            max: MAX_DESCRIPTION,
            multiline: true,
        },
        &req.description,
    );
    let city = field(
        TextRule {
            field: "city",
            max: MAX_PLACE,
            multiline: false,
        },
        &req.city,
    );
    let region = field(
        TextRule {
            field: "region",
            max: MAX_PLACE,
            multiline: false,
        },
        &req.region,
    );
    let country = Country::parse(&req.country)
        .map_err(|e| errors.push(FieldError::new("country", e.code(), e.to_string())))
        .ok();
    // A national number is read in the organization's own country.
    let region_for_phone = country.map(|c| c.code()).or(default_phone_region);
    let business_phone = PhoneNumber::parse(&req.business_phone, region_for_phone)
        .map_err(|e| {
            let code = match e {
                crate::domain::PhoneError::MissingCountryCode => {
                    "business_phone_missing_country_code"
                }
                crate::domain::PhoneError::Invalid => "business_phone_invalid",
            };
            errors.push(FieldError::new("business_phone", code, e.to_string()));
        })
        .ok();
    let zip = PostalCode::parse(&req.zip, country)
        .map_err(|e| errors.push(FieldError::new("zip", e.code(), e.to_string())))
        .ok();
    if req.sales_representative_id.trim().is_empty() {
        errors.push(FieldError::new(
            "sales_representative_id",
            "sales_representative_required",
            "choose the sales representative who recommended the portal",
        ));
    }
    // Whether the representative exists and is active is checked in the unit of work.
    Some(ValidOrganization {
        name: name?,
        address: address?,
        country: country?,
        description: description?,
        business_phone: business_phone?,
        city: city?,
        region: region?,
        zip: zip?,
    })
}

/// The value of `sales_representative_id` that says no sales representative recommended the
/// portal (a self-service customer).
pub const NO_SALES_REPRESENTATIVE: &str = "none";

fn is_none(raw: &str) -> bool {
    raw.trim().eq_ignore_ascii_case(NO_SALES_REPRESENTATIVE)
}

/// Checks the chosen sales representative inside the unit of work (a malformed id is reported
/// like an unknown one).
fn check_sales_representative(
    conn: &mut DbConnection,
    raw: &str,
    errors: &mut Vec<FieldError>,
) -> Result<Option<SalesRepresentativeId>, DbError> {
    if raw.trim().is_empty() || is_none(raw) {
        return Ok(None); // already reported as required, or nobody recommended the portal
    }
    let id = SalesRepresentativeId::parse(raw);
    let found = match &id {
        Some(id) => sales::find(conn, id.as_str())?,
        None => None,
    };
    match found {
        Some(rep) if rep.active => {}
        Some(_) => errors.push(FieldError::new(
            "sales_representative_id",
            "sales_representative_inactive",
            "this sales representative is no longer available; choose another one",
        )),
        None => errors.push(FieldError::new(
            "sales_representative_id",
            "sales_representative_unknown",
            "must be one of the sales representatives listed by GET /v1/sales-representatives",
        )),
    }
    Ok(id)
}

/// Creates an organization owned by `account_id`.
pub async fn create(
    state: &Context,
    account_id: &AccountId,
    req: CreateOrganizationRequest,
) -> Result<MemberView, OrganizationError> {
    let region = state.settings.default_phone_region.clone();
    let now: NaiveDateTime = state.clock.now().naive_utc().trunc_subsecs(6);
    let account_id = account_id.to_owned();
    state
        .db
        .write(move |conn| {
            let mut errors = Vec::new();
            match create_in(conn, &req, region.as_deref(), &account_id, now, &mut errors)? {
                Some(created) => Ok(created),
                None => Err(OrganizationError::Invalid(errors)),
            }
        })
        .await
}

/// Checks the form without writing anything, adding one message per bad field to `errors`.
pub fn validate(
    req: &CreateOrganizationRequest,
    default_region: Option<&str>,
    conn: &mut DbConnection,
    errors: &mut Vec<FieldError>,
) -> Result<(), DbError> {
    parse(req, default_region, errors);
    check_sales_representative(conn, &req.sales_representative_id, errors)?;
    Ok(())
}

/// Validates the form and creates the organization with `owner_id` as its owner, inside the
/// caller's unit of work. Returns `None` (and fills `errors`) when a field is not valid.
pub fn create_in(
    conn: &mut DbConnection,
    req: &CreateOrganizationRequest,
    default_region: Option<&str>,
    owner_id: &AccountId,
    now: NaiveDateTime,
    errors: &mut Vec<FieldError>,
) -> Result<Option<MemberView>, DbError> {
    let valid = parse(req, default_region, errors);
    let rep_id = check_sales_representative(conn, &req.sales_representative_id, errors)?;
    let valid = match valid {
        Some(v) if errors.is_empty() => v,
        _ => return Ok(None),
    };
    let id = OrganizationId::generate();
    organizations::insert(
        conn,
        &NewOrganization {
            id: &id,
            name: &valid.name,
            address: &valid.address,
            country: valid.country.code(),
            description: &valid.description,
            business_phone: valid.business_phone.as_str(),
            city: &valid.city,
            region: &valid.region,
            zip: valid.zip.as_str(),
            sales_representative_id: rep_id.as_ref().map(SalesRepresentativeId::as_str),
            created_by: owner_id,
            created_at: now,
            updated_at: now,
        },
    )?;
    organizations::add_member(conn, &id, owner_id, Role::Owner, now)?;
    Ok(organizations::find_for_member(conn, &id, owner_id)?)
}

/// The organizations the account belongs to.
pub async fn list(
    state: &Context,
    account_id: &AccountId,
) -> Result<Vec<MemberView>, OrganizationError> {
    let account_id = account_id.to_owned();
    state
        .db
        .read(move |conn| organizations::for_member(conn, &account_id).map_err(Into::into))
        .await
}

/// A page of the organizations the account belongs to, oldest first, after the organization
/// `after`; `limit` rows at most (ask for one more than shown to know whether more follow).
pub async fn page(
    state: &Context,
    account_id: &AccountId,
    after: Option<String>,
    limit: i64,
) -> Result<Vec<MemberView>, OrganizationError> {
    let account_id = account_id.to_owned();
    state
        .db
        .read(move |conn| {
            organizations::page_for_member(conn, &account_id, after.as_deref(), limit)
                .map_err(Into::into)
        })
        .await
}

/// A change to an organization: each field present replaces the stored one and is checked
/// like the creation form's.
#[derive(Debug, Clone, Default)]
pub struct UpdateOrganizationRequest {
    pub name: Option<String>,
    pub address: Option<String>,
    pub country: Option<String>,
    pub description: Option<String>,
    pub business_phone: Option<String>,
    pub city: Option<String>,
    pub region: Option<String>,
    pub zip: Option<String>,
    pub sales_representative_id: Option<String>,
}

impl UpdateOrganizationRequest {
    /// The names of the fields present, for the organization's log.
    fn fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("address", self.address.is_some()),
            ("country", self.country.is_some()),
            ("description", self.description.is_some()),
            ("business_phone", self.business_phone.is_some()),
            ("city", self.city.is_some()),
            ("region", self.region.is_some()),
            ("zip", self.zip.is_some()),
            (
                "sales_representative_id",
                self.sales_representative_id.is_some(),
            ),
        ]
        .into_iter()
        .filter_map(|(name, present)| present.then_some(name))
        .collect()
    }
}

/// Changes an organization (owners and admins). Every field given is checked as on creation,
/// against the others as they will be (a new country re-checks the stored phone and postal
/// code); every bad one is reported at once. The change is logged with the fields named.
pub async fn update(
    state: &Context,
    actor: crate::services::teams::Actor,
    id: &OrganizationId,
    change: UpdateOrganizationRequest,
) -> Result<MemberView, OrganizationError> {
    use crate::services::teams::{self, event, Event};
    let region = state.settings.default_phone_region.clone();
    let now: NaiveDateTime = state.clock.now().naive_utc().trunc_subsecs(6);
    let id = id.clone();
    state
        .db
        .write(move |conn| {
            let current = organizations::find_for_member(conn, &id, &actor.account.id)?
                .ok_or(OrganizationError::NotFound)?;
            let manages = current.role.manages_projects();
            if !manages {
                return Err(OrganizationError::InsufficientRole);
            }
            if change.fields().is_empty() {
                return Ok(current);
            }
            let o = &current.organization;
            let pick =
                |new: &Option<String>, old: &str| new.clone().unwrap_or_else(|| old.to_owned());
            let form = CreateOrganizationRequest {
                name: pick(&change.name, &o.name),
                address: pick(&change.address, &o.address),
                country: pick(&change.country, &o.country),
                description: pick(&change.description, &o.description),
                business_phone: pick(&change.business_phone, &o.business_phone),
                city: pick(&change.city, &o.city),
                region: pick(&change.region, &o.region),
                zip: pick(&change.zip, &o.zip),
                sales_representative_id: change.sales_representative_id.clone().unwrap_or_else(
                    || {
                        o.sales_representative_id
                            .clone()
                            .unwrap_or_else(|| NO_SALES_REPRESENTATIVE.to_owned())
                    },
                ),
            };
            let mut errors = Vec::new();
            let valid = parse(&form, region.as_deref(), &mut errors);
            // A representative kept as it is is not checked again (they may have left since).
            let rep_id = match &change.sales_representative_id {
                Some(raw) => check_sales_representative(conn, raw, &mut errors)?
                    .map(|r| r.as_str().to_owned()),
                None => o.sales_representative_id.clone(),
            };
            let valid = match valid {
                Some(v) if errors.is_empty() => v,
                _ => return Err(OrganizationError::Invalid(errors)),
            };
            organizations::update(
                conn,
                &id,
                &organizations::OrganizationChanges {
                    name: &valid.name,
                    address: &valid.address,
                    country: valid.country.code(),
                    description: &valid.description,
                    business_phone: valid.business_phone.as_str(),
                    city: &valid.city,
                    region: &valid.region,
                    zip: valid.zip.as_str(),
                    sales_representative_id: rep_id.as_deref(),
                    updated_at: now,
                },
            )?;
            teams::record(
                conn,
                Event {
                    organization_id: &id,
                    kind: event::ORGANIZATION_UPDATED,
                    actor: Some(&actor),
                    subject_account_id: None,
                    subject_email: None,
                    role: None,
                    at: now,
                    details: Some(serde_json::json!({ "fields": change.fields() })),
                },
            )?;
            organizations::find_for_member(conn, &id, &actor.account.id)?
                .ok_or(OrganizationError::NotFound)
        })
        .await
}

/// Deletes an organization (owners only) that has no projects left, with its memberships,
/// pending invitations and log. Every other member is emailed.
pub async fn delete(
    state: &Context,
    actor: crate::services::teams::Actor,
    id: &OrganizationId,
) -> Result<(), OrganizationError> {
    use crate::services::teams;
    let now = state.clock.now().trunc_subsecs(6);
    let console = state.settings.link("/");
    let id = id.clone();
    state
        .db
        .write(move |conn| {
            organizations::lock(conn, &id)?;
            let current = organizations::find_for_member(conn, &id, &actor.account.id)?
                .ok_or(OrganizationError::NotFound)?;
            if current.role != teams::Role::Owner {
                return Err(OrganizationError::InsufficientRole);
            }
            let projects = crate::db::models::projects::count_for_organization(conn, &id)?;
            if projects > 0 {
                return Err(OrganizationError::HasProjects(projects));
            }
            let members = organizations::members(conn, &id)?;
            for member in members.iter().filter(|m| m.account_id != actor.account.id) {
                if let Some(person) = crate::db::models::accounts::find(conn, &member.account_id)? {
                    crate::mail::enqueue(
                        conn,
                        &person.email,
                        crate::mail::Template::OrganizationDeleted,
                        &person.locale,
                        &serde_json::json!({
                            "full_name": person.full_name,
                            "organization_name": current.organization.name,
                            "by": actor.account.full_name,
                            "occurred_at": now.format("%Y-%m-%d %H:%M UTC").to_string(),
                            "console_url": console,
                        }),
                        now.naive_utc(),
                    )?;
                }
            }
            organizations::delete(conn, &id)?;
            Ok(())
        })
        .await?;
    state.mail_wake.notify_one();
    Ok(())
}

/// One organization the account belongs to; any other is not found.
pub async fn get(
    state: &Context,
    account_id: &AccountId,
    id: &OrganizationId,
) -> Result<MemberView, OrganizationError> {
    let account_id = account_id.to_owned();
    let id = id.clone();
    state
        .db
        .read(move |conn| {
            organizations::find_for_member(conn, &id, &account_id)?
                .ok_or(OrganizationError::NotFound)
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> CreateOrganizationRequest {
        CreateOrganizationRequest {
            name: "  PT Maju   Jaya ".into(),
            address: "Jl. Jend. Sudirman Kav. 52-53\r\nSenayan ".into(),
            country: "id".into(),
            description: "Cloud for analytics".into(),
            business_phone: "021 5150 1234".into(),
            city: "Jakarta Selatan".into(),
            region: "DKI Jakarta".into(),
            zip: "12190".into(),
            sales_representative_id: "0193a5b0-7e1c-7c3e-8f00-000000000001".into(),
        }
    }

    #[test]
    fn a_good_form_is_tidied_and_normalized() {
        let mut errors = Vec::new();
        let v = parse(&request(), None, &mut errors).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(v.name, "PT Maju Jaya");
        assert_eq!(v.address, "Jl. Jend. Sudirman Kav. 52-53\nSenayan");
        assert_eq!(v.country.code(), "ID");
        assert_eq!(v.business_phone.as_str(), "+622151501234");
        assert_eq!(v.zip.as_str(), "12190");
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let req = CreateOrganizationRequest {
            name: " ".into(),
            address: "".into(),
            country: "XX".into(),
            description: "a\u{202E}b".into(),
            business_phone: "12".into(),
            city: "c".repeat(101),
            region: "\t".into(),
            zip: "!".into(),
            sales_representative_id: "".into(),
        };
        let mut errors = Vec::new();
        assert!(parse(&req, None, &mut errors).is_none());
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(
            codes,
            [
                "name_required",
                "address_required",
                "description_invalid_characters",
                "city_too_long",
                "region_required",
                "country_unknown",
                "business_phone_missing_country_code",
                "zip_invalid",
                "sales_representative_required",
            ]
        );
    }

    #[test]
    fn single_line_fields_collapse_line_breaks_and_refuse_control_characters() {
        let rule = TextRule {
            field: "name",
            max: 10,
            multiline: false,
        };
        assert_eq!(text(rule, "a\nb").unwrap(), "a b");
        assert_eq!(
            text(rule, "a\u{0}b").unwrap_err().code,
            "name_invalid_characters"
        );
        assert_eq!(text(rule, &"é".repeat(10)).unwrap(), "é".repeat(10));
        assert_eq!(
            text(rule, &"é".repeat(11)).unwrap_err().code,
            "name_too_long"
        );
    }
}
