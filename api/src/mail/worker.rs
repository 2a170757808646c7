//! The delivery worker: claims due outbox messages with a lease (so one replica sends each),
//! renders and sends them, and records the outcome. Temporary failures are retried with
//! exponential backoff (30 s doubling to 1 h, 12 attempts); permanent ones stop at once.
//! A crash between sending and recording can at worst send a message again after the lease
//! expires; a message is never lost and never sent twice by one worker.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::Mailbox;
use serde_json::Value;

use super::templates::Templates;
use super::transport::{SendError, Transport};
use crate::clock::Clock;
use crate::db::models::outbox;
use crate::db::{Db, DbError};
use crate::jobs::wake::Wake;

const BATCH: i64 = 20;
/// A claimed message is held this long, and the lease renewed every [`RENEW_EVERY`] while the
/// send runs: a message interrupted by a crash goes out within seconds of the next start.
pub const LEASE: Duration = Duration::from_secs(15);
const RENEW_EVERY: Duration = Duration::from_secs(5);
/// While messages wait for a retry, the mail server is asked this often whether it answers
/// again; when it does, they are all due at once (instead of after their backoff).
const PROBE_EVERY: Duration = Duration::from_secs(10);
const MAX_ATTEMPTS: i32 = 12;

/// Variables every template receives.
#[derive(Clone)]
pub struct CommonVars {
    pub portal_name: String,
    pub public_url: String,
    pub support_email: String,
}

pub struct MailWorker {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub transport: Transport,
    pub templates: Templates,
    pub from: Mailbox,
    pub common: CommonVars,
    pub wake: Arc<Wake>,
    pub worker_id: String,
    /// Counts deliveries and failed attempts (`/metrics`).
    pub metrics: Arc<crate::metrics::Metrics>,
}

/// Delay before attempt `attempts + 1`.
pub fn backoff(attempts: i32) -> Duration {
    let exp = u32::try_from(attempts.clamp(1, 8) - 1).unwrap_or(0);
    Duration::from_secs((30u64 << exp).min(3600))
}

impl MailWorker {
    /// Runs until the task is dropped.
    pub async fn run(self) {
        let last_probe = std::sync::Mutex::new(tokio::time::Instant::now());
        crate::jobs::wake::run_passes(&self.wake, "mail", || async {
            if self.probe_due(&last_probe) {
                if let Err(e) = self.retry_if_server_is_back().await {
                    tracing::debug!(error = %e, "mail server probe skipped");
                }
            }
            self.deliver_due().await
        })
        .await;
    }

    /// Whether [`PROBE_EVERY`] has passed since the last probe (and the next one starts now).
    fn probe_due(&self, last: &std::sync::Mutex<tokio::time::Instant>) -> bool {
        let Ok(mut last) = last.lock() else {
            return false;
        };
        if last.elapsed() < PROBE_EVERY {
            return false;
        }
        *last = tokio::time::Instant::now();
        true
    }

    /// Delivers what is due now; returns how many messages were handled.
    pub async fn deliver_due(&self) -> Result<usize, DbError> {
        let now = self.clock.now().naive_utc();
        let ids = self
            .db
            .read(move |c| outbox::due_ids(c, now, BATCH).map_err(DbError::from))
            .await?;
        let mut handled = 0;
        for id in ids {
            let worker = self.worker_id.clone();
            let now = self.clock.now();
            let lease_until = (now + LEASE).naive_utc();
            let claimed = self
                .db
                .write(move |c| {
                    outbox::claim(c, &id, &worker, now.naive_utc(), lease_until)
                        .map_err(DbError::from)
                })
                .await?;
            if let Some(message) = claimed {
                self.deliver(message, now).await?;
                handled += 1;
            }
        }
        Ok(handled)
    }

    async fn deliver(
        &self,
        message: outbox::OutboxMessage,
        now: DateTime<Utc>,
    ) -> Result<(), DbError> {
        let outcome = match self.render(&message, now) {
            Ok(rendered) => {
                let send =
                    self.transport
                        .send(&message.id, &self.from, &message.recipient, &rendered);
                crate::db::while_renewing(send, RENEW_EVERY, || self.renew(&message.id)).await
            }
            Err(e) => Err(SendError::Permanent(format!("template: {e}"))),
        };
        let worker = self.worker_id.clone();
        let id = message.id.clone();
        let done_at = self.clock.now();
        match outcome {
            Ok(()) => {
                self.metrics.outbox_delivered.inc();
                tracing::info!(message_id = %id, template = %message.template, "email sent");
                self.db
                    .write(move |c| {
                        outbox::mark_sent(c, &id, &worker, done_at.naive_utc())
                            .map_err(DbError::from)
                    })
                    .await?;
            }
            Err(error) => {
                self.metrics.outbox_failures.inc();
                let retry = match &error {
                    SendError::Temporary(_) if message.attempts < MAX_ATTEMPTS => {
                        Some((done_at + backoff(message.attempts)).naive_utc())
                    }
                    _ => None,
                };
                tracing::warn!(message_id = %id, template = %message.template, attempts = message.attempts,
                    retry = retry.is_some(), error = %error, "email not delivered");
                let text = error.to_string();
                self.db
                    .write(move |c| {
                        outbox::mark_failed(c, &id, &worker, &text, retry).map_err(DbError::from)
                    })
                    .await?;
            }
        }
        Ok(())
    }

    async fn renew(&self, id: &str) {
        let (id, worker) = (id.to_owned(), self.worker_id.clone());
        let until = (self.clock.now() + LEASE).naive_utc();
        let renewed = self
            .db
            .write(move |c| outbox::renew(c, &id, &worker, until).map_err(DbError::from))
            .await;
        if let Err(e) = renewed {
            tracing::warn!(error = %e, "could not renew an email lease");
        }
    }

    /// When messages wait for a retry and the mail server answers again, makes them due now.
    pub async fn retry_if_server_is_back(&self) -> Result<(), DbError> {
        let now = self.clock.now().naive_utc();
        let waiting = self
            .db
            .read(move |c| outbox::any_backing_off(c, now).map_err(DbError::from))
            .await?;
        if waiting && self.transport.answers().await {
            let due = self
                .db
                .write(move |c| outbox::retry_now(c, now).map_err(DbError::from))
                .await?;
            if due > 0 {
                tracing::info!(
                    messages = due,
                    "the mail server answers again; retrying now"
                );
            }
        }
        Ok(())
    }

    fn render(
        &self,
        message: &outbox::OutboxMessage,
        now: DateTime<Utc>,
    ) -> Result<super::templates::Rendered, Box<dyn std::error::Error + Send + Sync>> {
        let mut vars: Value = serde_json::from_str(&message.payload)?;
        let object = vars.as_object_mut().ok_or("payload is not an object")?;
        object.insert(
            "portal_name".into(),
            Value::String(self.common.portal_name.clone()),
        );
        object.insert(
            "public_url".into(),
            Value::String(self.common.public_url.clone()),
        );
        object.insert(
            "support_email".into(),
            Value::String(self.common.support_email.clone()),
        );
        object.insert("lang".into(), Value::String(message.language.clone()));
        object.insert("year".into(), Value::from(chrono::Datelike::year(&now)));
        Ok(self
            .templates
            .render(&message.template, &message.language, &vars)?)
    }
}

#[cfg(test)]
mod tests {
    use super::backoff;
    use std::time::Duration;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::from_secs(30));
        assert_eq!(backoff(2), Duration::from_secs(60));
        assert_eq!(backoff(3), Duration::from_secs(120));
        assert_eq!(backoff(12), Duration::from_secs(3600));
    }
}
