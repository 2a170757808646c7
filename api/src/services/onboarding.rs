//! The onboarding gate: the steps an account must still take, in order — accept the current
//! legal documents, create an organization, create a project, activate MFA. Until none remain,
//! other authenticated endpoints answer 403 `onboarding_incomplete` with the next step.
//!
//! The gate is read on every gated request, so it is one statement of indexed lookups; nothing
//! in the access token needs to change for it to lift. Publishing a new legal version re-opens
//! the first step for everyone. Staff accounts (admins) skip the organization and project steps;
//! someone who joined another person's organization by invitation skips both too.

use serde::Serialize;
use utoipa::ToSchema;

use crate::db::models::onboarding::gate;
use crate::db::{DbConnection, DbError, QueryResult};
use crate::domain::{AccountId, AccountRole, AccountType};
use crate::services::Context;

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

/// The steps still to do, in order; empty when onboarding is complete. `None` if no such account.
pub fn remaining_in(
    conn: &mut DbConnection,
    account_id: &AccountId,
) -> QueryResult<Option<Vec<Step>>> {
    let row = gate(conn, account_id)?;
    Ok(row.map(|r| {
        let staff = r.role == AccountRole::Admin;
        let mut steps = Vec::new();
        let eula_needed = r.account_type == AccountType::Enterprise;
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
pub async fn remaining(state: &Context, account_id: AccountId) -> Result<Vec<Step>, DbError> {
    state
        .db
        .read(move |conn| Ok(remaining_in(conn, &account_id)?.unwrap_or_default()))
        .await
}
