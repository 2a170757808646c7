//! The job worker: a tokio task per replica, woken after a commit that added a job and polling
//! otherwise (a job may be due later, or added by another replica). It claims each due job with
//! a lease (a conditional UPDATE, atomic on both backends: one worker wins), runs it outside any
//! transaction, and records the outcome only if it still holds the lease. A worker that dies
//! leaves its lease to expire ([`LEASE`]); the job is then claimed again — after a restart, or
//! by another replica — so provisioning resumes rather than being lost.
//!
//! Retries: an attempt that could not hand the work over is retried after [`backoff`] (30 s
//! doubling to 30 min), up to [`MAX_ATTEMPTS`]; then the project fails with
//! "provisioner unreachable".

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};

use super::provisioners::{Action, Outcome, ProvisionRequest, Provisioner};
use super::wake::Wake;
use super::{DELETE_CLUSTER, PROVISION_CLUSTER};
use crate::clock::Clock;
use crate::db::models::jobs::{self, Job};
use crate::db::models::projects::{self as project_rows, Project};
use crate::db::{Db, DbError};
use crate::domain::{AccountId, PersonalTokenId, ProjectId};
use crate::services::projects::{self, status, ClusterOutcome, DeletionOutcome};
use crate::telemetry::otlp::{Span, SpanKind};

const BATCH: i64 = 20;
/// How long a claimed job is reserved for its worker; longer than any attempt takes.
/// A claimed job is held this long, and the lease renewed every [`RENEW_EVERY`] while it runs:
/// a job interrupted by a crash is taken over within seconds of the next start.
pub const LEASE: Duration = Duration::from_secs(15);
const RENEW_EVERY: Duration = Duration::from_secs(5);
/// Attempts before a job that keeps failing to hand over its work is given up.
pub const MAX_ATTEMPTS: i32 = 8;
/// The reason a project fails with when the provisioner could not be reached.
pub const UNREACHABLE: &str = "provisioner unreachable";

/// Delay before attempt `attempts + 1`: 30 s, 1 min, 2 min, … up to 30 min.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 7) - 1).unwrap_or(0);
    Duration::from_secs((30u64 << exp).min(1800))
}

pub struct JobWorker {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub provisioner: Provisioner,
    /// Base of links in emails.
    pub public_url: String,
    pub wake: Arc<Wake>,
    /// Wakes the email worker after an outcome queued an email.
    pub mail_wake: Arc<Wake>,
    pub worker_id: String,
    pub tracer: crate::telemetry::otlp::Tracer,
}

/// How a cluster job ended, for the project.
enum Settled {
    Cluster(ClusterOutcome),
    Deletion(DeletionOutcome),
}

/// A job this worker holds the lease on, with its project.
struct Claimed {
    job: Job,
    project: Option<Project>,
}

impl JobWorker {
    /// Runs until the task is dropped.
    pub async fn run(self) {
        super::wake::run_passes(&self.wake, "jobs", || self.run_due()).await;
    }

    /// Runs what is due now; returns how many jobs this worker handled.
    pub async fn run_due(&self) -> Result<usize, DbError> {
        let now = self.clock.now().naive_utc();
        let ids = self
            .db
            .read(move |c| jobs::due_ids(c, now, BATCH).map_err(DbError::from))
            .await?;
        let mut handled = 0;
        for id in ids {
            if let Some(claimed) = self.claim(id).await? {
                self.execute(claimed).await?;
                handled += 1;
            }
        }
        Ok(handled)
    }

    /// Takes the lease; a provisioning job also moves its project from `pending` to
    /// `provisioning` in the same transaction.
    async fn claim(&self, id: String) -> Result<Option<Claimed>, DbError> {
        let worker = self.worker_id.clone();
        let now = self.clock.now();
        let at = now.naive_utc().trunc_subsecs(6);
        let lease_until = (now + LEASE).naive_utc();
        self.db
            .write(move |c| {
                let Some(job) = jobs::claim(c, &id, &worker, at, lease_until)? else {
                    return Ok(None);
                };
                let project = match (job.kind.as_str(), job.subject::<ProjectId>()) {
                    (PROVISION_CLUSTER, Some(id)) => {
                        projects::mark_provisioning(c, &id, at)?;
                        project_rows::find(c, &id)?
                    }
                    (DELETE_CLUSTER, Some(id)) => project_rows::find(c, &id)?,
                    _ => None,
                };
                Ok(Some(Claimed { job, project }))
            })
            .await
    }

    async fn execute(&self, claimed: Claimed) -> Result<(), DbError> {
        let Claimed { job, project } = claimed;
        if job.kind == crate::services::closure::ERASE_ACCOUNT {
            let Some(subject) = job.subject::<AccountId>() else {
                return self
                    .settle(&job, "failed", Some("not an account id"), None)
                    .await;
            };
            let now = self.clock.now();
            let erased = self
                .db
                .write(move |c| crate::services::closure::erase_in(c, &subject, now))
                .await?;
            tracing::info!(job_id = %job.id, erased, "account erasure ran");
            return self.settle(&job, "done", None, None).await;
        }
        if job.kind == crate::services::personal_tokens::EXPIRY_NOTICE {
            let Some(subject) = job.subject::<PersonalTokenId>() else {
                return self
                    .settle(&job, "failed", Some("not a token id"), None)
                    .await;
            };
            let now = self.clock.now();
            let public_url = self.public_url.clone();
            let sent = self
                .db
                .write(move |c| {
                    crate::services::personal_tokens::send_expiry_notice_in(
                        c,
                        &subject,
                        &public_url,
                        now,
                    )
                })
                .await?;
            if sent {
                self.mail_wake.notify_one();
            }
            return self.settle(&job, "done", None, None).await;
        }
        let action = match job.kind.as_str() {
            PROVISION_CLUSTER => Action::Provision,
            DELETE_CLUSTER => Action::Delete,
            _ => {
                tracing::error!(job_id = %job.id, kind = %job.kind, "unknown job kind");
                return self
                    .settle(&job, "failed", Some("unknown job kind"), None)
                    .await;
            }
        };
        let Some(project) = project else {
            // The project is gone: nothing left to do.
            return self.settle(&job, "done", None, None).await;
        };
        // Provisioning stops once the project settled or is being deleted; a deletion runs only
        // while the project is `deleting`.
        let current = project.cluster_status.as_str();
        let due = match action {
            Action::Provision => status::UNSETTLED.contains(&current),
            Action::Delete => current == status::DELETING,
        };
        if !due {
            return self.settle(&job, "done", None, None).await;
        }
        // The attempt is a span under the request that created the project (or a new trace
        // for a job queued without one).
        let parent = job
            .traceparent
            .as_deref()
            .and_then(crate::telemetry::TraceContext::parse);
        let trace = parent.map_or_else(|| self.tracer.root(), |p| p.child());
        let request = ProvisionRequest {
            action,
            job_id: job.id.clone(),
            attempt: job.attempts,
            project_id: project.id.to_string(),
            organization_id: project.organization_id.to_string(),
            project_name: project.name.clone(),
            trace,
        };
        let span = self.tracer.records(&trace).then(|| {
            let name = match action {
                Action::Provision => "provision cluster",
                Action::Delete => "delete cluster",
            };
            let mut span = Span::start(trace, parent.map(|p| p.span_id), name, SpanKind::Internal);
            span.set("portal.job.id", job.id.as_str());
            span.set("portal.job.attempt", i64::from(job.attempts));
            span.set("portal.project.id", project.id.as_str());
            span.set("portal.provisioner", self.provisioner.name());
            span
        });
        let provision = self.provisioner.provision(&request, self.clock.now());
        let outcome =
            crate::db::while_renewing(provision, RENEW_EVERY, || self.renew(&job.id)).await;
        if let Some(mut span) = span {
            let (label, error) = match &outcome {
                Outcome::Ready => ("ready", None),
                Outcome::Failed(reason) => ("failed", Some(reason.clone())),
                Outcome::Accepted => ("accepted", None),
                Outcome::Retry(error) => ("retry", Some(error.clone())),
            };
            span.set("portal.provision.outcome", label);
            span.error = error;
            self.tracer.finish(span);
        }
        match outcome {
            Outcome::Ready if action == Action::Delete => {
                tracing::info!(job_id = %job.id, project_id = %project.id, "cluster deleted");
                self.settle(
                    &job,
                    "done",
                    None,
                    Some(Settled::Deletion(DeletionOutcome::Deleted)),
                )
                .await
            }
            Outcome::Failed(reason) if action == Action::Delete => {
                tracing::info!(job_id = %job.id, project_id = %project.id, %reason, "cluster deletion failed");
                self.settle(
                    &job,
                    "failed",
                    Some(&reason.clone()),
                    Some(Settled::Deletion(DeletionOutcome::Failed(reason))),
                )
                .await
            }
            Outcome::Ready => {
                tracing::info!(job_id = %job.id, project_id = %project.id, "cluster ready");
                self.settle(
                    &job,
                    "done",
                    None,
                    Some(Settled::Cluster(ClusterOutcome::Ready)),
                )
                .await
            }
            Outcome::Failed(reason) => {
                tracing::info!(job_id = %job.id, project_id = %project.id, %reason, "cluster failed");
                self.settle(
                    &job,
                    "failed",
                    Some(&reason.clone()),
                    Some(Settled::Cluster(ClusterOutcome::Failed(reason))),
                )
                .await
            }
            Outcome::Accepted => {
                tracing::info!(job_id = %job.id, project_id = %project.id, "provisioning accepted by the operator");
                self.settle(&job, "waiting", None, None).await
            }
            Outcome::Retry(error) if job.attempts < MAX_ATTEMPTS => {
                let retry_at = self.clock.now() + backoff(job.attempts);
                tracing::warn!(job_id = %job.id, project_id = %project.id, attempts = job.attempts, %error,
                    "provisioning attempt failed; will retry");
                self.retry(&job, &error, retry_at).await
            }
            Outcome::Retry(error) => {
                tracing::warn!(job_id = %job.id, project_id = %project.id, attempts = job.attempts, %error,
                    "provisioner attempts exhausted");
                let outcome = match action {
                    Action::Provision => {
                        Settled::Cluster(ClusterOutcome::Failed(UNREACHABLE.to_owned()))
                    }
                    Action::Delete => {
                        Settled::Deletion(DeletionOutcome::Failed(UNREACHABLE.to_owned()))
                    }
                };
                self.settle(&job, "failed", Some(&error), Some(outcome))
                    .await
            }
        }
    }

    async fn renew(&self, id: &str) {
        let (id, worker) = (id.to_owned(), self.worker_id.clone());
        let until = (self.clock.now() + LEASE).naive_utc();
        let renewed = self
            .db
            .write(move |c| jobs::renew(c, &id, &worker, until).map_err(DbError::from))
            .await;
        if let Err(e) = renewed {
            tracing::warn!(error = %e, "could not renew a job lease");
        }
    }

    /// Ends the lease with a final or waiting status and, if this worker still held it, settles
    /// the project (in the same transaction).
    async fn settle(
        &self,
        job: &Job,
        job_status: &'static str,
        error: Option<&str>,
        outcome: Option<Settled>,
    ) -> Result<(), DbError> {
        let id = job.id.clone();
        let project_id = job.subject::<ProjectId>();
        let worker = self.worker_id.clone();
        let error = error.map(str::to_owned);
        let public_url = self.public_url.clone();
        let now = self.clock.now().naive_utc().trunc_subsecs(6);
        let emailed = self
            .db
            .write(move |c| {
                let held = jobs::release(c, &id, &worker, job_status, None, error.as_deref(), now)?;
                if held == 0 {
                    tracing::info!(job_id = %id, "lease lost before the outcome was recorded");
                    return Ok(false);
                }
                match (outcome, project_id) {
                    (Some(Settled::Cluster(outcome)), Some(id)) => {
                        projects::finish(c, &id, &outcome, &public_url, now).map_err(DbError::from)
                    }
                    (Some(Settled::Deletion(outcome)), Some(id)) => {
                        projects::finish_deletion(c, &id, &outcome, &public_url, now)
                    }
                    _ => Ok(false),
                }
            })
            .await?;
        if emailed {
            self.mail_wake.notify_one();
        }
        Ok(())
    }

    async fn retry(&self, job: &Job, error: &str, at: DateTime<Utc>) -> Result<(), DbError> {
        let id = job.id.clone();
        let worker = self.worker_id.clone();
        let error = error.to_owned();
        let now = self.clock.now().naive_utc().trunc_subsecs(6);
        let retry_at = at.naive_utc();
        self.db
            .write(move |c| {
                jobs::release(
                    c,
                    &id,
                    &worker,
                    "pending",
                    Some(retry_at),
                    Some(&error),
                    now,
                )
                .map_err(DbError::from)
            })
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_half_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(120));
        assert_eq!(backoff(7), Duration::from_secs(1800));
        assert_eq!(backoff(50), Duration::from_secs(1800));
    }
}
