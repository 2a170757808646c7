//! Access tokens: short-lived JWTs signed with Ed25519 (`EdDSA`), verifiable offline by third
//! parties from `/.well-known/jwks.json`.
//!
//! RFC 8725 practices: one algorithm accepted (§3.1), explicit typing `typ: at+jwt` checked on
//! every verification (§3.11, RFC 9068), `iss` and `aud` validated (§3.8, §3.9), `kid` is the
//! RFC 7638 thumbprint of the key. Everything here is built once at start; verifying a token
//! costs one signature check and no database round trip, and only the first time: the claims of
//! a token whose signature checked out are kept (keyed by the token's SHA-256, at most
//! [`VERIFIED_CACHE_SIZE`] tokens) until the token expires, and every later use checks only its
//! lifetime against the clock. Invalid tokens are never kept.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::auth::keys::KeyMaterial;
use crate::domain::AccountId;

pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";

/// Most access tokens whose verified claims are kept (about 400 bytes each).
pub const VERIFIED_CACHE_SIZE: usize = 8192;

/// Tolerated clock difference for `nbf` between replicas.
const CLOCK_SKEW_SECONDS: i64 = 30;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub iss: String,
    pub aud: String,
    /// The account id.
    pub sub: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub jti: String,
    /// The session (refresh-token family) the token belongs to.
    pub sid: String,
    /// The account's role (`user` or `admin`).
    pub role: String,
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the access token is not valid")]
    Invalid,
    #[error("the access token has expired")]
    Expired,
    #[error("cannot sign the token: {0}")]
    Signing(String),
}

pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    header: Header,
    validation: Validation,
    issuer: String,
    audience: String,
    jwks: serde_json::Value,
    verified: quick_cache::sync::Cache<[u8; 32], std::sync::Arc<AccessClaims>>,
}

impl JwtKeys {
    pub fn new(material: &KeyMaterial, issuer: &str, audience: &str) -> anyhow::Result<Self> {
        let encoding = EncodingKey::from_ed_pem(material.signing_pem.as_bytes())
            .map_err(|e| anyhow::anyhow!("cannot load the signing key: {e}"))?;
        let x = URL_SAFE_NO_PAD.encode(material.signing_key.verifying_key().to_bytes());
        let decoding = DecodingKey::from_ed_components(&x)
            .map_err(|e| anyhow::anyhow!("cannot load the verifying key: {e}"))?;
        // RFC 7638: members in lexicographic order, no whitespace.
        let thumbprint_input = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));

        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(ACCESS_TOKEN_TYPE.to_owned());
        header.kid = Some(kid.clone());

        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub", "nbf"]);
        // Lifetime is checked in `verify` against the injected clock, not the library's.
        validation.validate_exp = false;
        validation.validate_nbf = false;

        let jwks = serde_json::json!({
            "keys": [{
                "kty": "OKP",
                "crv": "Ed25519",
                "x": x,
                "kid": kid,
                "use": "sig",
                "alg": "EdDSA",
            }]
        });
        Ok(Self {
            encoding,
            decoding,
            header,
            validation,
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            jwks,
            verified: quick_cache::sync::Cache::new(VERIFIED_CACHE_SIZE),
        })
    }

    /// The JSON Web Key Set with the public key.
    pub fn jwks(&self) -> &serde_json::Value {
        &self.jwks
    }

    pub fn issue(
        &self,
        account_id: &AccountId,
        session_id: &str,
        role: &str,
        now: DateTime<Utc>,
        ttl: std::time::Duration,
    ) -> Result<(String, i64), TokenError> {
        let iat = now.timestamp();
        let exp = iat + i64::try_from(ttl.as_secs()).unwrap_or(900);
        let claims = AccessClaims {
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            sub: account_id.to_string(),
            iat,
            nbf: iat,
            exp,
            jti: uuid::Uuid::now_v7().to_string(),
            sid: session_id.to_owned(),
            role: role.to_owned(),
        };
        let token = jsonwebtoken::encode(&self.header, &claims, &self.encoding)
            .map_err(|e| TokenError::Signing(e.to_string()))?;
        Ok((token, exp))
    }

    /// Verifies signature, type, issuer, audience and lifetime against `now` (the signature,
    /// type, issuer and audience only on a token's first use). The claims are shared with the
    /// cache, not copied.
    pub fn verify(
        &self,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<std::sync::Arc<AccessClaims>, TokenError> {
        if token.len() > 4096 {
            return Err(TokenError::Invalid);
        }
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let claims = match self.verified.get(&key) {
            Some(claims) => claims,
            None => {
                let claims = std::sync::Arc::new(self.verify_signed(token)?);
                self.verified.insert(key, claims.clone());
                claims
            }
        };
        let t = now.timestamp();
        if claims.nbf > t + CLOCK_SKEW_SECONDS {
            return Err(TokenError::Invalid);
        }
        if claims.exp <= t {
            self.verified.remove(&key);
            return Err(TokenError::Expired);
        }
        Ok(claims)
    }

    /// The signature, type, issuer and audience.
    fn verify_signed(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Invalid)?;
        if header.typ.as_deref() != Some(ACCESS_TOKEN_TYPE) || header.alg != Algorithm::EdDSA {
            return Err(TokenError::Invalid);
        }
        jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| TokenError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use ed25519_dalek::SigningKey;

    fn fresh_keys() -> JwtKeys {
        let signing_key = SigningKey::generate(&mut rand::rngs::OsRng);
        let signing_pem = signing_key
            .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
            .unwrap()
            .to_string();
        let material = KeyMaterial {
            signing_key,
            signing_pem,
            secret: [7; 32],
        };
        JwtKeys::new(&material, "https://portal.test", "portal").unwrap()
    }

    #[test]
    fn a_kept_token_is_still_checked_for_its_lifetime() {
        let keys = fresh_keys();
        let now = Utc::now();
        let account = AccountId::generate();
        let (token, exp) = keys
            .issue(
                &account,
                "ses",
                "user",
                now,
                std::time::Duration::from_secs(900),
            )
            .unwrap();
        assert_eq!(keys.verify(&token, now).unwrap().sub, account.as_str());
        // The second use comes from the kept claims, with the same answer.
        assert_eq!(keys.verify(&token, now).unwrap().sid, "ses");
        let after = DateTime::from_timestamp(exp, 0).unwrap();
        assert!(matches!(
            keys.verify(&token, after),
            Err(TokenError::Expired)
        ));
        let before = now - chrono::Duration::seconds(CLOCK_SKEW_SECONDS + 5);
        assert!(matches!(
            keys.verify(&token, before),
            Err(TokenError::Invalid)
        ));
    }

    #[test]
    fn a_token_altered_after_a_good_use_is_refused() {
        let keys = fresh_keys();
        let now = Utc::now();
        let (token, _) = keys
            .issue(
                &AccountId::generate(),
                "ses",
                "user",
                now,
                std::time::Duration::from_secs(900),
            )
            .unwrap();
        assert!(keys.verify(&token, now).is_ok());
        let (signed, signature) = token.rsplit_once('.').unwrap();
        let mut sig = signature.as_bytes().to_vec();
        sig[3] = if sig[3] == b'A' { b'B' } else { b'A' };
        let forged = format!("{signed}.{}", String::from_utf8(sig).unwrap());
        assert!(matches!(
            keys.verify(&forged, now),
            Err(TokenError::Invalid)
        ));
        let other = fresh_keys();
        assert!(matches!(
            other.verify(&token, now),
            Err(TokenError::Invalid)
        ));
    }
}
