//! Closed accounts: the closure (with its restore link, stored hashed) and, after the grace
//! period, the erasure of the personal data.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{
    account_closures, accounts, consents, devices, email_changes, invitations, mfa_totp,
    organization_members, organizations, password_resets, projects, recovery_codes,
    security_events, sessions, sign_in_challenges,
};
use crate::db::DbConnection;
use crate::domain::{AccountId, Role};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = account_closures)]
pub struct Closure {
    pub id: String,
    pub account_id: AccountId,
    pub restore_token_hash: String,
    pub closed_by: Option<AccountId>,
    pub closed_at: NaiveDateTime,
    pub erase_after: NaiveDateTime,
    pub restored_at: Option<NaiveDateTime>,
    pub erased_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = account_closures)]
pub struct NewClosure<'a> {
    pub id: &'a str,
    pub account_id: &'a AccountId,
    pub restore_token_hash: &'a str,
    pub closed_by: Option<&'a AccountId>,
    pub closed_at: NaiveDateTime,
    pub erase_after: NaiveDateTime,
}

/// Closes the account; 0 when it was closed already.
pub fn close(conn: &mut DbConnection, new: &NewClosure<'_>) -> QueryResult<usize> {
    let closed = diesel::update(accounts::table.find(new.account_id))
        .filter(accounts::closed_at.is_null())
        .set((
            accounts::closed_at.eq(new.closed_at),
            accounts::updated_at.eq(new.closed_at),
        ))
        .execute(conn)?;
    if closed == 1 {
        diesel::insert_into(account_closures::table)
            .values(new)
            .execute(conn)?;
    }
    Ok(closed)
}

pub fn find_by_token_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<Closure>> {
    account_closures::table
        .filter(account_closures::restore_token_hash.eq(hash))
        .select(Closure::as_select())
        .first(conn)
        .optional()
}

/// The closure in force for the account (neither restored nor erased), if any.
pub fn open_for(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Option<Closure>> {
    account_closures::table
        .filter(account_closures::account_id.eq(account_id))
        .filter(account_closures::restored_at.is_null())
        .filter(account_closures::erased_at.is_null())
        .order(account_closures::closed_at.desc())
        .select(Closure::as_select())
        .first(conn)
        .optional()
}

/// Restores the account; 0 when the closure was restored or erased meanwhile.
pub fn restore(
    conn: &mut DbConnection,
    closure: &Closure,
    now: NaiveDateTime,
) -> QueryResult<usize> {
    let restored = diesel::update(account_closures::table.find(&closure.id))
        .filter(account_closures::restored_at.is_null())
        .filter(account_closures::erased_at.is_null())
        .set(account_closures::restored_at.eq(now))
        .execute(conn)?;
    if restored == 1 {
        diesel::update(accounts::table.find(&closure.account_id))
            .set((
                accounts::closed_at.eq(None::<NaiveDateTime>),
                accounts::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(restored)
}

/// Organizations the account is the only owner of that have projects or other members: closing
/// would leave them without an owner.
pub fn sole_owner_of_organizations_in_use(
    conn: &mut DbConnection,
    account_id: &AccountId,
) -> QueryResult<Vec<String>> {
    let owned: Vec<(String, String)> = organization_members::table
        .inner_join(organizations::table)
        .filter(organization_members::account_id.eq(account_id))
        .filter(organization_members::role.eq(Role::Owner))
        .select((organizations::id, organizations::name))
        .load(conn)?;
    let mut blocking = Vec::new();
    for (id, name) in owned {
        let other_owners: i64 = organization_members::table
            .filter(organization_members::organization_id.eq(&id))
            .filter(organization_members::role.eq(Role::Owner))
            .filter(organization_members::account_id.ne(account_id))
            .count()
            .get_result(conn)?;
        let project_count: i64 = projects::table
            .filter(projects::organization_id.eq(&id))
            .count()
            .get_result(conn)?;
        let other_members: i64 = organization_members::table
            .filter(organization_members::organization_id.eq(&id))
            .filter(organization_members::account_id.ne(account_id))
            .count()
            .get_result(conn)?;
        if other_owners == 0 && (project_count > 0 || other_members > 0) {
            blocking.push(name);
        }
    }
    Ok(blocking)
}

/// Erases the personal data of a closed account and records it; 0 when the closure was
/// restored (or erased) meanwhile. Kept: the account row with its id (organizations and
/// projects point at it) without name, email, phone or password; consent records and security
/// events without addresses. Gone: devices, sessions and their tokens, sign-in challenges, MFA,
/// recovery codes, reset and email-change links, invitations, memberships, and organizations
/// left with nobody and no project. The address can then be used for a new account.
pub fn erase(conn: &mut DbConnection, closure: &Closure, now: NaiveDateTime) -> QueryResult<usize> {
    let marked = diesel::update(account_closures::table.find(&closure.id))
        .filter(account_closures::restored_at.is_null())
        .filter(account_closures::erased_at.is_null())
        .set(account_closures::erased_at.eq(now))
        .execute(conn)?;
    if marked == 0 {
        return Ok(0);
    }
    let id = closure.account_id.as_str();
    let placeholder = format!("erased+{id}@erased.invalid");
    diesel::update(accounts::table.find(id))
        .set((
            accounts::email.eq(&placeholder),
            accounts::email_normalized.eq(&placeholder),
            accounts::full_name.eq(""),
            accounts::phone_number.eq(""),
            accounts::password_hash.eq(None::<String>),
            accounts::erased_at.eq(now),
            accounts::updated_at.eq(now),
        ))
        .execute(conn)?;
    diesel::delete(devices::table.filter(devices::account_id.eq(id))).execute(conn)?;
    diesel::delete(sessions::table.filter(sessions::account_id.eq(id))).execute(conn)?;
    diesel::delete(sign_in_challenges::table.filter(sign_in_challenges::account_id.eq(id)))
        .execute(conn)?;
    diesel::delete(mfa_totp::table.filter(mfa_totp::account_id.eq(id))).execute(conn)?;
    diesel::delete(recovery_codes::table.filter(recovery_codes::account_id.eq(id)))
        .execute(conn)?;
    diesel::delete(password_resets::table.filter(password_resets::account_id.eq(id)))
        .execute(conn)?;
    diesel::delete(email_changes::table.filter(email_changes::account_id.eq(id))).execute(conn)?;
    diesel::delete(invitations::table.filter(invitations::account_id.eq(id))).execute(conn)?;
    diesel::update(security_events::table.filter(security_events::account_id.eq(id)))
        .set((
            security_events::client_ip.eq(None::<String>),
            security_events::user_agent.eq(None::<String>),
            security_events::details.eq(None::<String>),
        ))
        .execute(conn)?;
    diesel::update(consents::table.filter(consents::account_id.eq(id)))
        .set((
            consents::client_ip.eq(None::<String>),
            consents::user_agent.eq(None::<String>),
        ))
        .execute(conn)?;
    let memberships: Vec<String> = organization_members::table
        .filter(organization_members::account_id.eq(id))
        .select(organization_members::organization_id)
        .load(conn)?;
    diesel::delete(organization_members::table.filter(organization_members::account_id.eq(id)))
        .execute(conn)?;
    for organization in memberships {
        let members: i64 = organization_members::table
            .filter(organization_members::organization_id.eq(&organization))
            .count()
            .get_result(conn)?;
        let project_count: i64 = projects::table
            .filter(projects::organization_id.eq(&organization))
            .count()
            .get_result(conn)?;
        if members == 0 && project_count == 0 {
            diesel::delete(organizations::table.find(&organization)).execute(conn)?;
        }
    }
    Ok(1)
}
