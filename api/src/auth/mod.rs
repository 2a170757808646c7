//! Credentials and proofs: password hashing on a bounded pool, signed access tokens, opaque
//! tokens and codes, TOTP second factors, the captcha, and the extractor that authenticates
//! requests.

pub mod captcha;
pub mod extract;
pub mod jwt;
pub mod keys;
pub mod password;
pub mod tokens;
pub mod totp;
