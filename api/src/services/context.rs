//! What the use cases need to run: the database, the clock, the settings, the password hasher,
//! the token signer, the captcha, the keys and the wake-ups of the background workers. Built
//! once at start ([`crate::startup::prepare`]); the HTTP layer holds it inside its own state
//! (which adds what only HTTP needs: the JWKS and OpenAPI bodies, metrics, the tracer, the
//! route table). Cheap to clone (handles and `Arc`s).

use std::sync::Arc;

use crate::auth::captcha::Captcha;
use crate::auth::jwt::JwtKeys;
use crate::auth::password::PasswordHasher;
use crate::auth::totp::SecretCipher;
use crate::clock::Clock;
use crate::config::Settings;
use crate::db::Db;
use crate::jobs::wake::Wake;
use crate::services::personal_tokens::UseLimiter;

#[derive(Clone)]
pub struct Context {
    pub settings: Arc<Settings>,
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub hasher: PasswordHasher,
    pub jwt: Arc<JwtKeys>,
    pub captcha: Arc<Captcha>,
    /// Key for one-time code hashes.
    pub code_key: [u8; 32],
    /// Seals TOTP secrets at rest (AES-256-GCM under the `totp-secrets` key).
    pub totp_cipher: Arc<SecretCipher>,
    /// Wakes the email worker after a commit that queued mail.
    pub mail_wake: Arc<Wake>,
    /// Wakes the job worker after a commit that added a job.
    pub jobs_wake: Arc<Wake>,
    /// Counts the requests of each personal access token.
    pub token_limiter: Arc<UseLimiter>,
}
