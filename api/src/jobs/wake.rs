//! How a background worker (the email worker, the job worker) runs: passes over its due work
//! ([`run_passes`]), woken after a commit that gave it work, and how a caller waits until it has
//! caught up.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{watch, Notify};

use crate::db::{DbError, PassBackoff};

/// How often an idle worker looks for due work unwoken (work may be due later, or added by
/// another replica).
pub const IDLE_POLL: Duration = Duration::from_millis(500);
/// The longest wait between passes while the database fails.
pub const FAULT_BACKOFF_CAP: Duration = Duration::from_secs(4);

/// The loop of a background worker, until its task is dropped: `pass` handles what is due and
/// returns how much it handled; a pass that handled something is followed by another at once,
/// one that found nothing waits for a wake-up or [`IDLE_POLL`], and one the database failed
/// waits longer each time, up to [`FAULT_BACKOFF_CAP`]. Each pass is counted on `wake`, so
/// [`Wake::caught_up`] knows when the worker has been through everything due.
pub async fn run_passes<F, Fut>(wake: &Wake, worker: &'static str, mut pass: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<usize, DbError>>,
{
    let mut backoff = PassBackoff::new(worker, IDLE_POLL, FAULT_BACKOFF_CAP);
    loop {
        let number = wake.pass_started();
        let wait = match pass().await {
            Ok(handled) if handled > 0 => {
                backoff.succeeded();
                continue;
            }
            Ok(_) => {
                wake.pass_idle(number);
                backoff.succeeded()
            }
            Err(e) => backoff.failed(&e),
        };
        tokio::select! {
            _ = wake.notified() => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

/// Wakes one background worker, and tells whoever asks when the worker has handled everything
/// that was due when they asked.
///
/// The worker counts its passes over the due work ([`Wake::pass_started`]) and marks each pass
/// that found nothing more due ([`Wake::pass_idle`]). [`Wake::caught_up`] wakes the worker and
/// waits for an idle pass that *started* after the call: a pass already running may have read
/// the due work before the caller's commit, so it does not count.
#[derive(Debug)]
pub struct Wake {
    notify: Notify,
    /// (passes started, the newest pass that found nothing more due).
    passes: watch::Sender<(u64, u64)>,
}

impl Default for Wake {
    fn default() -> Self {
        Self {
            notify: Notify::new(),
            passes: watch::Sender::new((0, 0)),
        }
    }
}

impl Wake {
    /// Wakes the worker now instead of at its next poll (after a commit that queued work).
    pub fn notify_one(&self) {
        self.notify.notify_one();
    }

    /// For the worker: resolves when [`Wake::notify_one`] was called (now or since the last
    /// wait).
    pub async fn notified(&self) {
        self.notify.notified().await;
    }

    /// For the worker: a pass over the due work begins; returns its number.
    pub fn pass_started(&self) -> u64 {
        let mut number = 0;
        self.passes.send_modify(|(started, _)| {
            *started += 1;
            number = *started;
        });
        number
    }

    /// For the worker: pass `number` found nothing (more) due.
    pub fn pass_idle(&self, number: u64) {
        self.passes.send_if_modified(|(_, idle)| {
            let newer = number > *idle;
            if newer {
                *idle = number;
            }
            newer
        });
    }

    /// Wakes the worker and resolves once it has been through everything that was due at the
    /// time of the call (and what that work made due at once). Never resolves while the worker
    /// cannot finish a pass (its database is down, it was stopped): bound it with a timeout.
    pub async fn caught_up(&self) {
        let mut passes = self.passes.subscribe();
        let before = passes.borrow_and_update().0;
        self.notify.notify_one();
        let _ = passes.wait_for(|&(_, idle)| idle > before).await;
    }
}

/// The wake handles of a server's two workers.
#[derive(Clone, Debug, Default)]
pub struct Background {
    pub mail: Arc<Wake>,
    pub jobs: Arc<Wake>,
}

impl Background {
    /// Resolves once the job worker and then the email worker have handled everything due now,
    /// including the emails the jobs queued. For tests and graceful operations; bound it with a
    /// timeout (see [`Wake::caught_up`]).
    pub async fn caught_up(&self) {
        self.jobs.caught_up().await;
        self.mail.caught_up().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// A worker loop of the usual shape: `due` passes of work, then idle passes on each wake.
    async fn worker(wake: Arc<Wake>, due: Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::Ordering;
        loop {
            let pass = wake.pass_started();
            if due.load(Ordering::SeqCst) > 0 {
                tokio::task::yield_now().await;
                due.fetch_sub(1, Ordering::SeqCst);
                continue;
            }
            wake.pass_idle(pass);
            wake.notified().await;
        }
    }

    #[tokio::test]
    async fn caught_up_waits_until_everything_due_was_handled() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let wake = Arc::new(Wake::default());
        let due = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(worker(wake.clone(), due.clone()));
        tokio::time::timeout(Duration::from_secs(5), wake.caught_up())
            .await
            .expect("an idle worker catches up at once");
        due.store(5, Ordering::SeqCst);
        tokio::time::timeout(Duration::from_secs(5), wake.caught_up())
            .await
            .expect("caught up");
        assert_eq!(
            due.load(Ordering::SeqCst),
            0,
            "every due item handled first"
        );
        task.abort();
    }

    #[tokio::test]
    async fn a_stopped_worker_never_counts_as_caught_up() {
        let wake = Wake::default();
        let pass = wake.pass_started();
        wake.pass_idle(pass);
        // Nobody runs the next pass.
        let waited = tokio::time::timeout(Duration::from_millis(50), wake.caught_up()).await;
        assert!(waited.is_err());
    }
}
