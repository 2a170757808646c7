//! Argon2id password hashing on a fixed set of dedicated threads.
//!
//! Hashing is the whole cost of a sign-in, so it never runs on the async executor nor on the
//! general blocking pool. `workers` threads (one per core by default) each own one reusable
//! argon2 memory block (`memory_kib`, 19 MiB by default), so a hash never allocates: memory under
//! any load is `workers` blocks, not one per request. A thread hands its block back to the
//! operating system after [`IDLE_RELEASE`] without work, so an idle server holds none.
//!
//! Admission is decided before anything else of a sign-in, at once: a request is admitted when
//! fewer than `workers + queue` are admitted already *and* the wait it would have fits within
//! `max_wait`. The wait is estimated from what each thread has left of the hash it is running
//! and the recent hash duration. Anything else is refused at once ([`HashError::Overloaded`],
//! answered 503 + Retry-After), so nothing piles up.
//!
//! While the pool is refusing (a refusal in the last [`OVERLOAD_WINDOW`]), more sign-ins arrive
//! than it can hash, so a thread that frees up always finds another one soon: the queue is then
//! cut to what gets a thread within a quarter of a hash ([`OVERLOAD_WAIT_SHARE`]). The admitted
//! keep the latency of an unloaded server plus at most a quarter hash instead of waiting out a
//! full queue; a thread may sit idle for a moment between sign-ins. A closed loop that never
//! exceeds `workers + queue` (a client with a few connections) is never refused and keeps the
//! whole queue.
//!
//! Unknown accounts are verified against a dummy hash so that the answer takes the same time
//! (OWASP ASVS 5.0 V6.3; NIST SP 800-63B-4 §3.1.1.2 on salted, costly hashing). The dummy is a
//! well-formed PHC string with random salt and output: verifying against it costs one full hash,
//! making it costs nothing at start.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::RngCore as _;

use crate::config::HashSettings;

/// How long a hashing thread keeps its memory block without work before handing it back.
pub const IDLE_RELEASE: Duration = Duration::from_secs(2);

/// After a refusal, how long the pool keeps the short queue of overload.
pub const OVERLOAD_WINDOW: Duration = Duration::from_secs(1);

/// Under overload, the longest expected wait admitted, as a share of the recent hash duration.
const OVERLOAD_WAIT_SHARE: u64 = 4;

/// Length of the hash output we store (bytes).
const OUTPUT_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("too many password hashes waiting")]
    Overloaded,
    #[error("password hashing failed: {0}")]
    Failed(String),
}

impl From<argon2::password_hash::Error> for HashError {
    fn from(e: argon2::password_hash::Error) -> Self {
        HashError::Failed(e.to_string())
    }
}

impl From<argon2::Error> for HashError {
    fn from(e: argon2::Error) -> Self {
        HashError::Failed(e.to_string())
    }
}

/// The outcome of checking a password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub matches: bool,
    /// The stored hash was made with other parameters and should be replaced.
    pub needs_rehash: bool,
}

/// What the pool is doing, for metrics and tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashStats {
    /// Admitted and not finished (running, waiting, or doing the request's other work).
    pub admitted: usize,
    /// Hashes running now.
    pub running: usize,
    /// Jobs waiting for a thread.
    pub queued: usize,
    /// The most hashes that ever ran at once.
    pub peak_running: usize,
    /// Requests refused since start.
    pub refused: u64,
    /// Recent hash duration (exponentially weighted), microseconds; 0 before the first hash.
    pub recent_hash_us: u64,
}

/// A place among the admitted requests, held until the request's hash is done.
#[derive(Debug)]
pub struct Admission {
    shared: Arc<Shared>,
}

impl Drop for Admission {
    fn drop(&mut self) {
        self.shared.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

type Job = Box<dyn FnOnce(&mut Memory) + Send>;

struct Queue {
    jobs: VecDeque<Job>,
    closed: bool,
}

struct Shared {
    queue: Mutex<Queue>,
    ready: Condvar,
    workers: usize,
    capacity: usize,
    max_wait_us: u64,
    /// The origin of the microsecond times below.
    epoch: Instant,
    /// When each thread started the hash it is running (µs since `epoch`, plus one), 0 when idle.
    started_us: Vec<AtomicU64>,
    /// The last refusal (µs since `epoch`, plus one), 0 before the first.
    refused_at_us: AtomicU64,
    admitted: AtomicUsize,
    running: AtomicUsize,
    peak_running: AtomicUsize,
    refused: AtomicU64,
    recent_hash_us: AtomicU64,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared")
            .field("workers", &self.workers)
            .field("capacity", &self.capacity)
            .finish_non_exhaustive()
    }
}

/// Closes the queue when the last handle goes, so the threads end (tests start many servers).
struct Pool {
    shared: Arc<Shared>,
}

impl Drop for Pool {
    fn drop(&mut self) {
        if let Ok(mut queue) = self.shared.queue.lock() {
            queue.closed = true;
        }
        self.shared.ready.notify_all();
    }
}

/// One thread's argon2 working memory, kept between hashes.
#[derive(Default)]
struct Memory(Vec<Block>);

impl Memory {
    fn blocks(&mut self, count: usize) -> &mut [Block] {
        if self.0.len() != count {
            self.0 = Vec::new();
            self.0 = vec![Block::default(); count];
        }
        &mut self.0
    }

    fn is_held(&self) -> bool {
        !self.0.is_empty()
    }

    fn release(&mut self) {
        self.0 = Vec::new();
    }
}

#[derive(Clone)]
pub struct PasswordHasher {
    params: Params,
    pool: Arc<Pool>,
    dummy_hash: Arc<str>,
}

impl PasswordHasher {
    pub fn new(settings: &HashSettings) -> Result<Self, HashError> {
        let params = Params::new(
            settings.memory_kib,
            settings.iterations,
            settings.parallelism,
            Some(OUTPUT_LEN),
        )?;
        let workers = settings.workers.max(1);
        let shared = Arc::new(Shared {
            queue: Mutex::new(Queue {
                jobs: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
            workers,
            capacity: workers + settings.queue,
            max_wait_us: u64::try_from(settings.max_wait.as_micros()).unwrap_or(u64::MAX),
            epoch: Instant::now(),
            started_us: (0..workers).map(|_| AtomicU64::new(0)).collect(),
            refused_at_us: AtomicU64::new(0),
            admitted: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            peak_running: AtomicUsize::new(0),
            refused: AtomicU64::new(0),
            recent_hash_us: AtomicU64::new(0),
        });
        for i in 0..workers {
            let shared = shared.clone();
            std::thread::Builder::new()
                .name(format!("portal-hash-{i}"))
                .spawn(move || work(&shared, i))
                .map_err(|e| HashError::Failed(format!("cannot start a hashing thread: {e}")))?;
        }
        let mut salt = [0u8; 16];
        let mut output = [0u8; OUTPUT_LEN];
        rand::rngs::OsRng.fill_bytes(&mut salt);
        rand::rngs::OsRng.fill_bytes(&mut output);
        let dummy_hash = phc(&params, &salt, &output)?.into();
        Ok(Self {
            params,
            pool: Arc::new(Pool { shared }),
            dummy_hash,
        })
    }

    /// Hashes a new password (PHC string with a random salt).
    pub async fn hash(&self, password: String) -> Result<String, HashError> {
        let admission = self.admit()?;
        let params = self.params.clone();
        self.run_admitted(admission, move |memory| {
            let mut salt = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut salt);
            let mut output = [0u8; OUTPUT_LEN];
            argon2id(&params).hash_password_into_with_memory(
                password.as_bytes(),
                &salt,
                &mut output,
                memory.blocks(params.block_count()),
            )?;
            phc(&params, &salt, &output)
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

    /// Takes a place among the admitted requests, or refuses at once: when `workers + queue`
    /// are admitted already, or when the expected wait for a thread would pass `max_wait` (a
    /// quarter hash while the pool is overloaded, see the module). A sign-in takes it before
    /// any other work, so that an overloaded server answers 503 immediately and a refused
    /// attempt is never counted against the account.
    pub fn admit(&self) -> Result<Admission, HashError> {
        self.admit_at(Instant::now())
    }

    fn admit_at(&self, now: Instant) -> Result<Admission, HashError> {
        let shared = &self.pool.shared;
        let now_us = shared.micros(now);
        let mut ahead = shared.admitted.load(Ordering::Acquire);
        loop {
            if ahead >= shared.capacity
                || shared.expected_wait_us(ahead, now_us) > shared.wait_limit_us(now_us)
            {
                shared.refused.fetch_add(1, Ordering::Relaxed);
                shared.refused_at_us.store(now_us + 1, Ordering::Relaxed);
                return Err(HashError::Overloaded);
            }
            match shared.admitted.compare_exchange_weak(
                ahead,
                ahead + 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => {
                    return Ok(Admission {
                        shared: shared.clone(),
                    })
                }
                Err(now) => ahead = now,
            }
        }
    }

    /// [`PasswordHasher::verify`] with a place already taken by [`PasswordHasher::admit`].
    pub async fn verify_admitted(
        &self,
        admission: Admission,
        stored: Option<String>,
        password: String,
    ) -> Result<Verified, HashError> {
        let params = self.params.clone();
        let known = stored.is_some();
        let phc = stored.unwrap_or_else(|| self.dummy_hash.to_string());
        self.run_admitted(admission, move |memory| {
            let (matches, same) = check(memory, &phc, password.as_bytes(), &params)?;
            let matches = matches && known;
            Ok(Verified {
                matches,
                needs_rehash: matches && !same,
            })
        })
        .await
    }

    /// What the pool is doing now.
    pub fn stats(&self) -> HashStats {
        let shared = &self.pool.shared;
        HashStats {
            admitted: shared.admitted.load(Ordering::Relaxed),
            running: shared.running.load(Ordering::Relaxed),
            queued: shared.queue.lock().map(|q| q.jobs.len()).unwrap_or(0),
            peak_running: shared.peak_running.load(Ordering::Relaxed),
            refused: shared.refused.load(Ordering::Relaxed),
            recent_hash_us: shared.recent_hash_us.load(Ordering::Relaxed),
        }
    }

    /// Runs `job` on a hashing thread; the admission is given back when the job is done (even
    /// if the caller stopped waiting).
    async fn run_admitted<T, F>(&self, admission: Admission, job: F) -> Result<T, HashError>
    where
        F: FnOnce(&mut Memory) -> Result<T, HashError> + Send + 'static,
        T: Send + 'static,
    {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let shared = &self.pool.shared;
        {
            let mut queue = shared
                .queue
                .lock()
                .map_err(|_| HashError::Failed("the hashing queue is poisoned".into()))?;
            queue.jobs.push_back(Box::new(move |memory: &mut Memory| {
                let result = job(memory);
                drop(admission);
                let _ = tx.send(result);
            }));
        }
        shared.ready.notify_one();
        rx.await
            .map_err(|_| HashError::Failed("the hashing thread stopped".into()))?
    }
}

impl Shared {
    fn micros(&self, at: Instant) -> u64 {
        u64::try_from(at.saturating_duration_since(self.epoch).as_micros()).unwrap_or(u64::MAX - 1)
    }

    /// How long a request with `ahead` others admitted before it would wait for a thread: each
    /// thread frees up when its running hash is done (a thread not running one yet counts a
    /// whole hash: the admitted ahead will take it), and every `workers` requests ahead of it
    /// in the queue add one more hash.
    fn expected_wait_us(&self, ahead: usize, now_us: u64) -> u64 {
        if ahead < self.workers {
            return 0;
        }
        let hash = self.recent_hash_us.load(Ordering::Relaxed);
        let mut left: Vec<u64> = self
            .started_us
            .iter()
            .map(|started| match started.load(Ordering::Relaxed) {
                0 => hash,
                at => hash.saturating_sub(now_us.saturating_sub(at - 1)),
            })
            .collect();
        left.sort_unstable();
        let queued = ahead - self.workers;
        let rounds = (queued / self.workers) as u64;
        left[queued % self.workers].saturating_add(rounds.saturating_mul(hash))
    }

    /// The longest expected wait admitted now: `max_wait`, or a quarter hash while the pool
    /// has refused in the last [`OVERLOAD_WINDOW`].
    fn wait_limit_us(&self, now_us: u64) -> u64 {
        let refused = self.refused_at_us.load(Ordering::Relaxed);
        let window = u64::try_from(OVERLOAD_WINDOW.as_micros()).unwrap_or(u64::MAX);
        if refused != 0 && now_us.saturating_sub(refused - 1) < window {
            let quarter = self.recent_hash_us.load(Ordering::Relaxed) / OVERLOAD_WAIT_SHARE;
            quarter.min(self.max_wait_us)
        } else {
            self.max_wait_us
        }
    }
}

/// A hashing thread: takes jobs in order, keeps its memory block between them, hands it back
/// after [`IDLE_RELEASE`] without work, ends when the pool is dropped.
fn work(shared: &Shared, index: usize) {
    crate::memory::lower_this_thread(HASH_NICE);
    let mut memory = Memory::default();
    loop {
        let job = {
            let Ok(mut queue) = shared.queue.lock() else {
                return;
            };
            loop {
                if let Some(job) = queue.jobs.pop_front() {
                    break job;
                }
                if queue.closed {
                    return;
                }
                if memory.is_held() {
                    let Ok((q, timeout)) = shared.ready.wait_timeout(queue, IDLE_RELEASE) else {
                        return;
                    };
                    queue = q;
                    if timeout.timed_out() && queue.jobs.is_empty() {
                        memory.release();
                        crate::memory::release_free_memory();
                    }
                } else {
                    let Ok(q) = shared.ready.wait(queue) else {
                        return;
                    };
                    queue = q;
                }
            }
        };
        let running = shared.running.fetch_add(1, Ordering::AcqRel) + 1;
        shared.peak_running.fetch_max(running, Ordering::AcqRel);
        let started = Instant::now();
        shared.started_us[index].store(shared.micros(started) + 1, Ordering::Relaxed);
        // A panicking job drops its reply sender: its caller gets `Failed`, the thread goes on.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
        shared.started_us[index].store(0, Ordering::Relaxed);
        let took = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        let recent = shared.recent_hash_us.load(Ordering::Relaxed);
        let next = if recent == 0 {
            took
        } else {
            (recent * 4 + took) / 5
        };
        shared.recent_hash_us.store(next, Ordering::Relaxed);
        shared.running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// How much lower the hashing threads' CPU priority is than the rest (`nice`). A hash is
/// ~18 ms of pure computation; every request's short steps (reading it, a database query,
/// writing the answer — of a sign-in too) should not wait for a time slice behind one when the
/// cores are busy. The hashing threads still get every cycle nothing else wants, so sign-in
/// throughput is the same.
const HASH_NICE: i32 = 5;

fn argon2id(params: &Params) -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
}

/// The PHC string of an argon2id hash.
fn phc(params: &Params, salt: &[u8], output: &[u8]) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(salt)?;
    let hash = PasswordHash {
        algorithm: argon2::ARGON2ID_IDENT,
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(output)?),
    };
    Ok(hash.to_string())
}

/// Checks `password` against the PHC string `stored` with the thread's memory block; returns
/// whether it matches and whether `stored` was made with the configured parameters.
fn check(
    memory: &mut Memory,
    stored: &str,
    password: &[u8],
    params: &Params,
) -> Result<(bool, bool), HashError> {
    let parsed = PasswordHash::new(stored)?;
    let same = same_parameters(&parsed, params);
    if parsed.algorithm != argon2::ARGON2ID_IDENT {
        // Another argon2 variant (never written by this server): the library's own check.
        use argon2::password_hash::PasswordVerifier as _;
        let matches = Argon2::default().verify_password(password, &parsed).is_ok();
        return Ok((matches, false));
    }
    let expected = parsed
        .hash
        .ok_or_else(|| HashError::Failed("the stored hash has no output".into()))?;
    let salt = parsed
        .salt
        .ok_or_else(|| HashError::Failed("the stored hash has no salt".into()))?;
    let mut salt_buf = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buf)?;
    let version = parsed
        .version
        .map(Version::try_from)
        .transpose()?
        .unwrap_or_default();
    let stored_params = Params::try_from(&parsed)?;
    let blocks = stored_params.block_count();
    let mut output = vec![0u8; expected.len()];
    Argon2::new(Algorithm::Argon2id, version, stored_params).hash_password_into_with_memory(
        password,
        salt,
        &mut output,
        memory.blocks(blocks),
    )?;
    // `Output`'s equality is constant-time.
    Ok((Output::new(&output)? == expected, same))
}

/// True when the stored hash is argon2id, version 0x13, with the configured cost.
fn same_parameters(hash: &PasswordHash<'_>, params: &Params) -> bool {
    if hash.algorithm != argon2::ARGON2ID_IDENT || hash.version != Some(Version::V0x13.into()) {
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
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    fn settings(workers: usize, queue: usize) -> HashSettings {
        HashSettings {
            memory_kib: 1024,
            iterations: 1,
            parallelism: 1,
            workers,
            queue,
            max_wait: Duration::from_secs(60),
        }
    }

    fn cheap(workers: usize, queue: usize) -> PasswordHasher {
        PasswordHasher::new(&settings(workers, queue)).unwrap()
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let h = cheap(1, 1);
        let phc = h.hash("Correct horse 1!".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
        assert!(
            h.verify(Some(phc.clone()), "Correct horse 1!".into())
                .await
                .unwrap()
                .matches
        );
        assert!(!h.verify(Some(phc), "wrong".into()).await.unwrap().matches);
    }

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_library_both_ways() {
        let h = cheap(1, 1);
        let ours = h.hash("Correct horse 1!".into()).await.unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default()
            .verify_password(b"Correct horse 1!", &parsed)
            .is_ok());
        let params = Params::new(1024, 1, 1, None).unwrap();
        let salt = SaltString::generate(&mut rand::rngs::OsRng);
        let theirs = argon2id(&params)
            .hash_password(b"Correct horse 1!", &salt)
            .unwrap()
            .to_string();
        let v = h
            .verify(Some(theirs), "Correct horse 1!".into())
            .await
            .unwrap();
        assert_eq!(
            v,
            Verified {
                matches: true,
                needs_rehash: false
            }
        );
    }

    #[tokio::test]
    async fn an_unknown_account_never_matches() {
        let h = cheap(1, 1);
        assert!(h.dummy_hash.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"));
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
            ..settings(1, 1)
        })
        .unwrap();
        let v = new
            .verify(Some(phc), "Correct horse 1!".into())
            .await
            .unwrap();
        assert!(v.matches && v.needs_rehash);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_pool_never_runs_more_hashes_than_its_workers() {
        let h = PasswordHasher::new(&HashSettings {
            memory_kib: 8 * 1024,
            ..settings(2, 30)
        })
        .unwrap();
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let h = h.clone();
                tokio::spawn(async move { h.hash(format!("password {i}")).await })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().is_ok());
        }
        let stats = h.stats();
        assert_eq!(stats.peak_running, 2, "{stats:?}");
        assert_eq!((stats.admitted, stats.queued), (0, 0), "{stats:?}");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn jobs_wait_their_turn_and_each_thread_keeps_one_block() {
        let h = cheap(3, 20);
        let now = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..15)
            .map(|_| {
                let (h, now, most) = (h.clone(), now.clone(), most.clone());
                tokio::spawn(async move {
                    let admission = h.admit().unwrap();
                    h.run_admitted(admission, move |memory| {
                        let n = now.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(n, Ordering::SeqCst);
                        let first = memory.blocks(1024).as_ptr() as usize;
                        std::thread::sleep(Duration::from_millis(20));
                        let again = memory.blocks(1024).as_ptr() as usize;
                        now.fetch_sub(1, Ordering::SeqCst);
                        Ok(first == again)
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            assert!(t.await.unwrap().unwrap(), "the block was reallocated");
        }
        assert_eq!(most.load(Ordering::SeqCst), 3);
        assert_eq!(h.stats().peak_running, 3);
    }

    #[tokio::test]
    async fn beyond_workers_and_queue_the_hasher_refuses_at_once() {
        let h = cheap(2, 3);
        let held: Vec<_> = (0..5).map(|_| h.admit().unwrap()).collect();
        assert!(matches!(h.admit(), Err(HashError::Overloaded)));
        assert!(matches!(
            h.hash("x".into()).await,
            Err(HashError::Overloaded)
        ));
        assert!(matches!(
            h.verify(None, "x".into()).await,
            Err(HashError::Overloaded)
        ));
        assert_eq!(h.stats().refused, 3);
        assert_eq!(h.stats().admitted, 5);
        drop(held);
        assert_eq!(h.stats().admitted, 0);
        assert!(h.hash("x".into()).await.is_ok());
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_is_refused_before_the_queue_is_full() {
        let h = PasswordHasher::new(&HashSettings {
            max_wait: Duration::from_millis(50),
            ..settings(2, 10)
        })
        .unwrap();
        // Recent hashes took 30 ms: the 3rd and 4th request would wait one round (30 ms, fits),
        // the 5th two rounds (60 ms, does not), although the queue has room for 10.
        h.pool
            .shared
            .recent_hash_us
            .store(30_000, Ordering::Relaxed);
        let held: Vec<_> = (0..4).map(|_| h.admit().unwrap()).collect();
        assert!(matches!(h.admit(), Err(HashError::Overloaded)));
        drop(held);
        assert!(h.admit().is_ok());
    }

    #[test]
    fn the_wait_counts_what_each_running_hash_has_left() {
        let h = cheap(2, 10);
        let shared = &h.pool.shared;
        shared.recent_hash_us.store(20_000, Ordering::Relaxed);
        // Thread 0 started 15 ms ago (5 ms left), thread 1 4 ms ago (16 ms left).
        shared.started_us[0].store(100_000 - 15_000 + 1, Ordering::Relaxed);
        shared.started_us[1].store(100_000 - 4_000 + 1, Ordering::Relaxed);
        assert_eq!(shared.expected_wait_us(1, 100_000), 0);
        assert_eq!(shared.expected_wait_us(2, 100_000), 5_000);
        assert_eq!(shared.expected_wait_us(3, 100_000), 16_000);
        assert_eq!(shared.expected_wait_us(4, 100_000), 25_000);
        // A thread past the recent duration is about to free up; an idle one with requests
        // admitted ahead counts a whole hash.
        shared.started_us[0].store(100_000 - 30_000 + 1, Ordering::Relaxed);
        shared.started_us[1].store(0, Ordering::Relaxed);
        assert_eq!(shared.expected_wait_us(2, 100_000), 0);
        assert_eq!(shared.expected_wait_us(3, 100_000), 20_000);
    }

    #[tokio::test]
    async fn after_a_refusal_the_queue_holds_only_a_quarter_hash_of_wait() {
        let h = cheap(2, 10);
        h.pool
            .shared
            .recent_hash_us
            .store(20_000, Ordering::Relaxed);
        let now = Instant::now() + Duration::from_secs(10);
        // Not overloaded: the queue takes requests up to `max_wait` (60 s here).
        let held: Vec<_> = (0..12).map(|_| h.admit_at(now).unwrap()).collect();
        assert!(matches!(h.admit_at(now), Err(HashError::Overloaded)));
        drop(held);
        // Refused a moment ago: two free threads are taken, but a third request would wait a
        // whole hash (both threads about to start one), more than a quarter hash.
        let held: Vec<_> = (0..2).map(|_| h.admit_at(now).unwrap()).collect();
        assert!(matches!(h.admit_at(now), Err(HashError::Overloaded)));
        // A thread with 4 ms left lets one more in (4 ms is within 5 ms); the next would wait
        // for the other thread's whole hash.
        h.pool.shared.started_us[0]
            .store(h.pool.shared.micros(now) + 1 - 16_000, Ordering::Relaxed);
        let third = h.admit_at(now).unwrap();
        assert!(matches!(h.admit_at(now), Err(HashError::Overloaded)));
        // A refusal-free window later, the whole queue is open again.
        let later = now + OVERLOAD_WINDOW + Duration::from_millis(1);
        let more: Vec<_> = (0..9).map(|_| h.admit_at(later).unwrap()).collect();
        assert_eq!(h.stats().admitted, 12);
        drop((held, third, more));
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[tokio::test]
    async fn hashing_threads_run_below_the_priority_of_the_rest() {
        use crate::memory::this_thread_nice;
        let here = this_thread_nice();
        let h = cheap(1, 0);
        let admission = h.admit().unwrap();
        let there = h
            .run_admitted(admission, |_| Ok(this_thread_nice()))
            .await
            .unwrap();
        assert_eq!(there, (here + HASH_NICE).min(19));
    }

    #[test]
    fn an_idle_thread_hands_its_block_back() {
        let mut memory = Memory::default();
        assert!(!memory.is_held());
        assert_eq!(memory.blocks(16).len(), 16);
        assert!(memory.is_held());
        memory.release();
        assert!(!memory.is_held());
    }

    #[test]
    fn dropping_the_hasher_ends_its_threads() {
        let h = cheap(2, 0);
        let shared = Arc::downgrade(&h.pool.shared);
        drop(h);
        let deadline = Instant::now() + Duration::from_secs(5);
        while shared.strong_count() > 0 {
            assert!(Instant::now() < deadline, "hashing threads still running");
            std::thread::sleep(Duration::from_millis(5));
        }
    }
}
