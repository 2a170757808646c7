//! The onboarding gate's one statement: what an account has done of the journey (see
//! `services::onboarding` for the steps it makes). Read on every gated request, so it is one
//! statement of indexed lookups.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};

use crate::db::DbConnection;
use crate::domain::{AccountId, AccountRole, AccountType};

/// What the account has done so far.
#[derive(Debug, QueryableByName)]
pub struct Gate {
    #[diesel(sql_type = Text)]
    pub account_type: AccountType,
    #[diesel(sql_type = Text)]
    pub role: AccountRole,
    #[diesel(sql_type = Bool)]
    pub terms_ok: bool,
    #[diesel(sql_type = Bool)]
    pub privacy_ok: bool,
    #[diesel(sql_type = Bool)]
    pub eula_ok: bool,
    #[diesel(sql_type = Bool)]
    pub has_organization: bool,
    /// A project the account ever created (deleting it does not undo the step), a project in
    /// one of its organizations, or an organization it joined by invitation (someone else's:
    /// nobody who joined a team is asked for a project of their own).
    #[diesel(sql_type = Bool)]
    pub has_project: bool,
    #[diesel(sql_type = Nullable<Text>)]
    pub mfa_activated: Option<String>,
}

/// "Has the account `a` accepted the current version of `$kind`?" (true when none is
/// published), as SQL.
macro_rules! consent_clause {
    ($kind:literal) => {
        concat!(
            "(NOT EXISTS (SELECT 1 FROM legal_documents WHERE kind = '",
            $kind,
            "') OR EXISTS (",
            "SELECT 1 FROM consents c WHERE c.account_id = a.id AND c.kind = '",
            $kind,
            "' AND c.version = (SELECT d.version FROM legal_documents d WHERE d.kind = '",
            $kind,
            "' ORDER BY d.published_at DESC, d.id DESC LIMIT 1)))"
        )
    };
}

/// The gate's statement, with the account id bound at `$placeholder` (`?` on SQLite, `$1` on
/// PostgreSQL).
macro_rules! gate_sql {
    ($placeholder:literal) => {
        concat!(
            "SELECT a.account_type, a.role, ",
            consent_clause!("terms"), " AS terms_ok, ",
            consent_clause!("privacy"), " AS privacy_ok, ",
            consent_clause!("eula"), " AS eula_ok, ",
            "EXISTS (SELECT 1 FROM organization_members m WHERE m.account_id = a.id) AS has_organization, ",
            "(a.first_project_at IS NOT NULL ",
            "OR EXISTS (SELECT 1 FROM projects p JOIN organization_members m ON m.organization_id = p.organization_id ",
            "WHERE m.account_id = a.id) ",
            "OR EXISTS (SELECT 1 FROM organization_members m JOIN organizations o ON o.id = m.organization_id ",
            "WHERE m.account_id = a.id AND o.created_by <> a.id)) AS has_project, ",
            "(SELECT CAST(t.activated_at AS TEXT) FROM mfa_totp t WHERE t.account_id = a.id) AS mfa_activated ",
            "FROM accounts a WHERE a.id = ", $placeholder
        )
    };
}

/// What the account has done; `None` if there is no such account.
pub fn gate(conn: &mut DbConnection, account_id: &AccountId) -> QueryResult<Option<Gate>> {
    let sql = match conn {
        DbConnection::Sqlite(_) => gate_sql!("?"),
        DbConnection::Postgres(_) => gate_sql!("$1"),
    };
    diesel::sql_query(sql)
        .bind::<Text, _>(account_id)
        .get_result::<Gate>(conn)
        .optional()
}
