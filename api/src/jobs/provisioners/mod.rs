//! Provisioners: what actually creates (and removes) a project's cluster. The worker hands one a
//! [`ProvisionRequest`] and acts on the [`Outcome`]:
//!
//! | outcome | project | job |
//! | --- | --- | --- |
//! | `Ready` | `ready`, email | done |
//! | `Failed(reason)` | `failed` with the reason, email | failed (final, not retried) |
//! | `Accepted` | stays `provisioning` | waiting for the operator's callback |
//! | `Retry(error)` | stays `provisioning` | retried with backoff; after the last attempt `failed` |
//!
//! The simulated provisioner's failures are final (they stand for a provider that answered "no"),
//! so that a test or a demo can observe `failed`; an error talking to the webhook is a
//! transport problem and is retried.

pub mod simulated;
pub mod webhook;

use crate::config::{self, Settings};
use crate::telemetry::otlp::Tracer;

/// What a provisioner is asked to do with a project's cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Create it (a new project).
    Provision,
    /// Remove it (the project is being deleted); `Ready` then means "gone".
    Delete,
}

impl Action {
    /// The webhook's `event`.
    pub fn event(self) -> &'static str {
        match self {
            Self::Provision => "cluster.provision",
            Self::Delete => "cluster.delete",
        }
    }
}

/// What a provisioner is asked to create or remove.
#[derive(Debug, Clone)]
pub struct ProvisionRequest {
    pub action: Action,
    /// The job (stable across retries: the operator can use it to deduplicate).
    pub job_id: String,
    pub attempt: i32,
    pub project_id: String,
    pub organization_id: String,
    pub project_name: String,
    /// This attempt's span (a child of the request that asked for the cluster); each call the
    /// provisioner makes is a child span of it.
    pub trace: crate::telemetry::TraceContext,
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The cluster is ready (or, for a deletion, gone).
    Ready,
    /// Provisioning failed for good, with a reason to show the customer.
    Failed(String),
    /// The operator took the request and will report the outcome to the callback.
    Accepted,
    /// Could not hand the request over; try again later. The error is for logs only.
    Retry(String),
}

/// The configured provisioner.
#[derive(Debug)]
pub enum Provisioner {
    Simulated(simulated::Simulated),
    Webhook(webhook::Webhook),
}

impl Provisioner {
    /// Builds the provisioner the settings name (the webhook's URL and secret are checked at
    /// configuration time).
    pub fn from_settings(settings: &Settings, tracer: &Tracer) -> anyhow::Result<Self> {
        Ok(match settings.provisioner {
            config::Provisioner::Simulated => Self::Simulated(simulated::Simulated {
                failure_rate: settings.provision_failure_rate,
            }),
            config::Provisioner::Webhook => {
                let url = settings.provisioner_webhook_url.clone().ok_or_else(|| {
                    anyhow::anyhow!("PORTAL_PROVISIONER_WEBHOOK_URL: is required")
                })?;
                let secret = settings.provisioner_webhook_secret.clone().ok_or_else(|| {
                    anyhow::anyhow!("PORTAL_PROVISIONER_WEBHOOK_SECRET: is required")
                })?;
                Self::Webhook(webhook::Webhook::new(
                    url,
                    secret.into_bytes(),
                    settings.link("/v1/provisioning/callbacks"),
                    tracer.clone(),
                )?)
            }
        })
    }

    /// `simulated` or `webhook`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Simulated(_) => "simulated",
            Self::Webhook(_) => "webhook",
        }
    }

    /// Runs one attempt. `now` stamps signed requests.
    pub async fn provision(
        &self,
        request: &ProvisionRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Outcome {
        match self {
            Self::Simulated(p) => p.provision(request),
            Self::Webhook(p) => p.provision(request, now).await,
        }
    }
}
