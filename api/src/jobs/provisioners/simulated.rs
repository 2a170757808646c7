//! The simulated provisioner (default): no real infrastructure. The job runs the configured
//! delay after the project is created (`PORTAL_PROVISION_DELAY_SECONDS`), then the cluster is
//! ready — or, with probability `PORTAL_PROVISION_FAILURE_RATE`, fails with a plausible reason.
//! A simulated failure is final.

use rand::Rng;

use super::{Action, Outcome, ProvisionRequest};

/// Reasons a simulated provisioning fails with, picked at random.
pub const FAILURE_REASONS: [&str; 3] = [
    "simulated failure: no capacity in zone",
    "simulated failure: GPU node quota exceeded",
    "simulated failure: network setup timed out",
];

#[derive(Debug, Clone)]
pub struct Simulated {
    /// Probability (0.0–1.0) that an attempt fails.
    pub failure_rate: f64,
}

impl Simulated {
    pub fn provision(&self, request: &ProvisionRequest) -> Outcome {
        // Removing a simulated cluster always works.
        if request.action == Action::Delete {
            return Outcome::Ready;
        }
        let mut rng = rand::thread_rng();
        if self.failure_rate > 0.0 && rng.gen::<f64>() < self.failure_rate {
            let reason = FAILURE_REASONS[rng.gen_range(0..FAILURE_REASONS.len())];
            Outcome::Failed(reason.to_owned())
        } else {
            Outcome::Ready
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> ProvisionRequest {
        ProvisionRequest {
            action: Action::Provision,
            job_id: "j".into(),
            attempt: 1,
            project_id: "p".into(),
            organization_id: "o".into(),
            project_name: "Analytics".into(),
            trace: crate::telemetry::TraceContext::new_root(false),
        }
    }

    #[test]
    fn a_rate_of_zero_always_succeeds_and_one_always_fails() {
        let ok = Simulated { failure_rate: 0.0 };
        let ko = Simulated { failure_rate: 1.0 };
        for _ in 0..100 {
            assert_eq!(ok.provision(&request()), Outcome::Ready);
            match ko.provision(&request()) {
                Outcome::Failed(reason) => assert!(FAILURE_REASONS.contains(&reason.as_str())),
                other => panic!("{other:?}"),
            }
        }
    }
}
