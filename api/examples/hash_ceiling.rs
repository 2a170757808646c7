//! The argon2id ceiling of this machine, for `bench/run`: verifies one PHC hash in a tight loop
//! on `threads` OS threads for `seconds` seconds, with the same crate, API and parameters as
//! `auth::password` (argon2id v0x13, OWASP m=19456 KiB, t=2, p=1 by default), and prints the
//! verifications per second. Not a test: timings are only ever reported, never asserted.
//!
//! ```sh
//! cargo run --release -p portal-api --example hash_ceiling -- [threads] [seconds] [m_kib] [t] [p]
//! ```

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

const PASSWORD: &[u8] = b"Quiet-Harbor-Lantern-42";

fn arg<T: std::str::FromStr>(args: &[String], i: usize, default: T) -> T {
    args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads: usize = arg(&args, 0, cores).max(1);
    let seconds: f64 = arg(&args, 1, 10.0);
    let m_kib: u32 = arg(&args, 2, 19456);
    let t_cost: u32 = arg(&args, 3, 2);
    let p_cost: u32 = arg(&args, 4, 1);

    let params = Params::new(m_kib, t_cost, p_cost, None).map_err(|e| e.to_string())?;
    let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    let phc = argon
        .hash_password(PASSWORD, &salt)
        .map_err(|e| e.to_string())?
        .to_string();

    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let (argon, phc, stop, done) = (argon.clone(), phc.clone(), stop.clone(), done.clone());
            std::thread::spawn(move || -> Result<(), String> {
                while !stop.load(Ordering::Relaxed) {
                    // As in PasswordHasher::verify: parse the stored PHC string, then verify.
                    let parsed = PasswordHash::new(&phc).map_err(|e| e.to_string())?;
                    argon
                        .verify_password(PASSWORD, &parsed)
                        .map_err(|e| e.to_string())?;
                    done.fetch_add(1, Ordering::Relaxed);
                }
                Ok(())
            })
        })
        .collect();
    std::thread::sleep(Duration::from_secs_f64(seconds));
    stop.store(true, Ordering::Relaxed);
    // Count every hash started before the stop, over the time it took to finish them.
    for w in workers {
        w.join().map_err(|_| "hash thread panicked")??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let total = done.load(Ordering::Relaxed);
    let rate = total as f64 / elapsed;
    println!(
        "hashes_per_second={rate:.2} total={total} elapsed_s={elapsed:.3} threads={threads} \
         m_kib={m_kib} t={t_cost} p={p_cost} ms_per_hash_per_thread={:.2}",
        1000.0 * elapsed * threads as f64 / total.max(1) as f64
    );
    Ok(())
}
