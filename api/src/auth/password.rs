//! Argon2id password hashing on a bounded pool.
//!
//! Hashing is the whole cost of a sign-in, so it never runs on the async executor: at most
//! `workers` hashes run at once on blocking threads, at most `queue` more wait for a turn, and
//! anything beyond is refused at once ([`HashError::Overloaded`], answered 503 + Retry-After)
//! instead of piling up memory (each hash holds `memory_kib` of RAM).
//! Unknown accounts are verified against a dummy hash so that the answer takes the same time
//! (OWASP ASVS 5.0 V6.3; NIST SP 800-63B-4 §3.1.1.2 on salted, costly hashing).

use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::HashSettings;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password hashes waiting")]
    Overloaded,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The stored hash was made with other parameters and should be replaced.
    pub needs_rehash: bool,
}

/// A place among the running and waiting hashes, held until the hash is done.
#[derive(Debug)]
pub struct Admission {
    _permit: tokio::sync::OwnedSemaphorePermit,
}

#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    params: Params,
    admission: Arc<Semaphore>,
    running: Arc<Semaphore>,
    dummy_hash: Arc<String>,
}

impl PasswordHasher {
    pub fn new(settings: &HashSettings) -> Result<Self, HashError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            None,
        )
        .map_err(|e| HashError::Failed(e.to_string()))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let dummy_hash = argon
            .hash_password(b"dummy password for unknown accounts", &salt)
            .map_err(|e| HashError::Failed(e.to_string()))?
            .to_string();
        Ok(Self {
            argon,
            params,
            admission: Arc::new(Semaphore::new(settings.workers + settings.queue)),
            running: Arc::new(Semaphore::new(settings.workers)),
            dummy_hash: Arc::new(dummy_hash),
        })
    }

    /// Hashes a new password (PHC string with a random salt).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let argon = self.argon.clone();
        self.run(move || {
            let salt = SaltString::generate(&mut rand::rngs::OsRng);
            argon
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| HashError::Failed(e.to_string()))
        })
        .await
    }

    /// Checks `password` against `stored`, or against the dummy hash when there is no account,
    /// so both cases cost the same.
    pub async fn verify(
        &self,
        stored: Option<String>,
        password: String,
    ) -> Result<Verified, HashError> {
        let admission = self.admit()?;
        self.verify_admitted(admission, stored, password).await
    }

    /// Takes a place among the running and waiting hashes, or refuses at once. A sign-in takes
    /// it before any other work, so that an overloaded server answers 503 immediately and a
    /// refused attempt is never counted against the account.
    pub fn admit(&self) -> Result<Admission, HashError> {
        self.admission
            .clone()
            .try_acquire_owned()
            .map(|permit| Admission { _permit: permit })
            .map_err(|_| HashError::Overloaded)
    }

    /// [`PasswordHasher::verify`] with a place already taken by [`PasswordHasher::admit`].
    pub async fn verify_admitted(
        &self,
        admission: Admission,
        stored: Option<String>,
        password: String,
    ) -> Result<Verified, HashError> {
        let argon = self.argon.clone();
        let params = self.params.clone();
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.as_str().to_owned());
        self.run_admitted(admission, move || {
            let parsed = PasswordHash::new(&phc).map_err(|e| HashError::Failed(e.to_string()))?;
            let matches = argon.verify_password(password.as_bytes(), &parsed).is_ok() && known;
            Ok(Verified {
                matches,
                needs_rehash: matches && !same_parameters(&parsed, &params),
            })
        })
        .await
    }

    /// Admits the job if a worker or a queue slot is free, then runs it on a blocking thread.
    async fn run<T, F>(&self, job: F) -> Result<T, HashError>
    where
        F: FnOnce() -> Result<T, HashError> + Send + 'static,
        T: Send + 'static,
    {
        let admission = self.admit()?;
        self.run_admitted(admission, job).await
    }

    async fn run_admitted<T, F>(&self, admission: Admission, job: F) -> Result<T, HashError>
    where
        F: FnOnce() -> Result<T, HashError> + Send + 'static,
        T: Send + 'static,
    {
        let _admitted = admission;
        let _running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| HashError::Overloaded)?;
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| HashError::Failed(e.to_string()))?
    }
}

/// True when the stored hash is argon2id with the configured cost.
fn same_parameters(hash: &PasswordHash<'_>, params: &Params) -> bool {
    if hash.algorithm.as_str() != "argon2id" {
        return false;
    }
    match Params::try_from(hash) {
        Ok(p) => {
            p.m_cost() == params.m_cost()
                && p.t_cost() == params.t_cost()
                && p.p_cost() == params.p_cost()
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap(workers: usize, queue: usize) -> PasswordHasher {
        PasswordHasher::new(&HashSettings {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            workers,
            queue,
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let h = cheap(1, 1);
        let phc = h.hash("Correct horse 1!".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(
            h.verify(Some(phc.clone()), "Correct horse 1!".into())
                .await
                .unwrap()
                .matches
        );
        assert!(!h.verify(Some(phc), "wrong".into()).await.unwrap().matches);
    }

    #[tokio::test]
    async fn an_unknown_account_never_matches() {
        let h = cheap(1, 1);
        let v = h
            .verify(None, "dummy password for unknown accounts".into())
            .await
            .unwrap();
        assert!(!v.matches);
    }

    #[tokio::test]
    async fn a_hash_with_old_parameters_asks_to_be_upgraded() {
        let old = cheap(1, 1);
        let phc = old.hash("Correct horse 1!".into()).await.unwrap();
        let new = PasswordHasher::new(&HashSettings {
            memory_kib: 2048,
            iterations: 1,
            parallelism: 1,
            workers: 1,
            queue: 1,
        })
        .unwrap();
        let v = new
            .verify(Some(phc), "Correct horse 1!".into())
            .await
            .unwrap();
        assert!(v.matches && v.needs_rehash);
    }

    #[tokio::test]
    async fn beyond_workers_and_queue_the_hasher_refuses_at_once() {
        let h = cheap(1, 0);
        let held = h.admission.clone().try_acquire_owned().unwrap();
        assert!(matches!(
            h.hash("x".into()).await,
            Err(HashError::Overloaded)
        ));
        drop(held);
        assert!(h.hash("x".into()).await.is_ok());
    }
}
