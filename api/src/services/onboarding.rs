//! The onboarding gate: the steps an account must still take, in order — accept the current
//! legal documents, create an organization, create a project, activate MFA. Until none remain,
//! other authenticated endpoints answer 403 `onboarding_incomplete` with the next step.
//!
//! The gate is read on every gated request, so it is one statement of indexed lookups; nothing
//! in the access token needs to change for it to lift. Publishing a new legal version re-opens
//! the first step for everyone. Staff accounts (admins) skip the organization and project steps;
//! someone who joined another person's organization by invitation skips both too.

use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable, Text};
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{DbConnection, DbError};
use crate::startup::AppState;

/// One step of the journey after the first sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    AcceptLegalDocuments,
    CreateOrganization,
    CreateProject,
    ActivateMfa,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AcceptLegalDocuments => "accept_legal_documents",
            Self::CreateOrganization => "create_organization",
            Self::CreateProject => "create_project",
            Self::ActivateMfa => "activate_mfa",
        }
    }
}

#[derive(QueryableByName)]
struct GateRow {
    #[diesel(sql_type = Text)]
    account_type: String,
    #[diesel(sql_type = Text)]
    role: String,
    #[diesel(sql_type = Bool)]
    terms_ok: bool,
    #[diesel(sql_type = Bool)]
    privacy_ok: bool,
    #[diesel(sql_type = Bool)]
    eula_ok: bool,
    #[diesel(sql_type = Bool)]
    has_organization: bool,
    /// A project the account ever created (deleting it does not undo the step), a project in
    /// one of its organizations, or an organization it joined by invitation (someone else's:
    /// nobody who joined a team is asked for a project of their own).
    #[diesel(sql_type = Bool)]
    has_project: bool,
    #[diesel(sql_type = Nullable<Text>)]
    mfa_activated: Option<String>,
}

/// "Has the account accepted the current version of `kind`?" (true when none is published).
fn consent_clause(kind: &str) -> String {
    format!(
        "(NOT EXISTS (SELECT 1 FROM legal_documents WHERE kind = '{kind}') OR EXISTS (\
           SELECT 1 FROM consents c WHERE c.account_id = a.id AND c.kind = '{kind}' AND c.version = (\
             SELECT d.version FROM legal_documents d WHERE d.kind = '{kind}' \
             ORDER BY d.published_at DESC, d.id DESC LIMIT 1)))"
    )
}

/// The steps still to do, in order; empty when onboarding is complete. `None` if no such account.
pub fn remaining_in(conn: &mut DbConnection, account_id: &str) -> QueryResult<Option<Vec<Step>>> {
    let sql = format!(
        "SELECT a.account_type, a.role, {terms} AS terms_ok, {privacy} AS privacy_ok, {eula} AS eula_ok, \
           EXISTS (SELECT 1 FROM organization_members m WHERE m.account_id = a.id) AS has_organization, \
           (a.first_project_at IS NOT NULL \
            OR EXISTS (SELECT 1 FROM projects p JOIN organization_members m ON m.organization_id = p.organization_id \
                   WHERE m.account_id = a.id) \
            OR EXISTS (SELECT 1 FROM organization_members m JOIN organizations o ON o.id = m.organization_id \
                   WHERE m.account_id = a.id AND o.created_by <> a.id)) AS has_project, \
           (SELECT CAST(t.activated_at AS TEXT) FROM mfa_totp t WHERE t.account_id = a.id) AS mfa_activated \
         FROM accounts a WHERE a.id = $1",
        terms = consent_clause("terms"),
        privacy = consent_clause("privacy"),
        eula = consent_clause("eula"),
    );
    let sql = match conn {
        DbConnection::Sqlite(_) => sql.replace("$1", "?"),
        DbConnection::Postgres(_) => sql,
    };
    let row = diesel::sql_query(sql)
        .bind::<Text, _>(account_id)
        .get_result::<GateRow>(conn)
        .optional()?;
    Ok(row.map(|r| {
        let staff = r.role == "admin";
        let mut steps = Vec::new();
        let eula_needed = r.account_type == "enterprise";
        if !(r.terms_ok && r.privacy_ok && (!eula_needed || r.eula_ok)) {
            steps.push(Step::AcceptLegalDocuments);
        }
        if !staff && !r.has_organization {
            steps.push(Step::CreateOrganization);
        }
        if !staff && !r.has_project {
            steps.push(Step::CreateProject);
        }
        if r.mfa_activated.is_none() {
            steps.push(Step::ActivateMfa);
        }
        steps
    }))
}

/// The steps still to do for the account.
pub async fn remaining(state: &AppState, account_id: String) -> Result<Vec<Step>, DbError> {
    state
        .db
        .read(move |conn| Ok(remaining_in(conn, &account_id)?.unwrap_or_default()))
        .await
}
