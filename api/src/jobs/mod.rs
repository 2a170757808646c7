//! Background jobs in the database: cluster provisioning and deletion, account erasure. A job
//! is written in the same transaction as the change that needs it ([`schedule`]), so it is never lost; the [`worker`]
//! of any replica claims due jobs with a lease, runs them, and records the outcome. A replica
//! that dies mid-job leaves a lease that expires, and another worker (or the same one after a
//! restart) claims the job again. Failures worth retrying are retried with exponential backoff.
//!
//! Provisioning is pluggable ([`provisioners`]): a simulated provisioner (default) and a
//! webhook to the operator's system, which reports back to a signed callback.

pub mod provisioners;
pub mod wake;
pub mod worker;

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::QueryResult;

use crate::config::{Provisioner, Settings};
use crate::db::models::jobs::{self, NewJob};
use crate::db::DbConnection;

/// Provisions the cluster of a project (`subject_id` is the project id).
pub const PROVISION_CLUSTER: &str = "provision_cluster";
/// Removes the cluster of a project being deleted, then the project (`subject_id`).
pub const DELETE_CLUSTER: &str = "delete_cluster";

/// Adds a job due at `run_at`, inside the caller's transaction. Wake the worker after commit.
pub fn schedule(
    conn: &mut DbConnection,
    kind: &str,
    subject_id: &str,
    run_at: NaiveDateTime,
    now: NaiveDateTime,
    trace: Option<&crate::telemetry::TraceContext>,
) -> QueryResult<()> {
    let id = uuid::Uuid::now_v7().to_string();
    let traceparent = trace.map(crate::telemetry::TraceContext::header);
    jobs::insert(
        conn,
        &NewJob {
            id: &id,
            kind,
            subject_id,
            status: "pending",
            attempts: 0,
            next_run_at: run_at,
            created_at: now,
            updated_at: now,
            traceparent: traceparent.as_deref(),
        },
    )
}

/// When a cluster job (provisioning or deletion) first runs, after it is asked for: the
/// simulated provisioner's configured delay (so that a restart in between simply resumes it),
/// at once for the webhook.
pub fn first_run_delay(settings: &Settings) -> Duration {
    match settings.provisioner {
        Provisioner::Simulated => settings.provision_delay,
        Provisioner::Webhook => Duration::ZERO,
    }
}
