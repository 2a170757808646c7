//! Key material: the Ed25519 key that signs access tokens and the 32-byte server secret
//! (captcha challenges, code hashes). Production passes them in (`PORTAL_JWT_KEY_FILE`,
//! `PORTAL_SECRET_KEY`); without them, development keys are created once under
//! `<data dir>/keys/` with owner-only permissions and kept, so tokens survive restarts.

use std::path::Path;

use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use ed25519_dalek::SigningKey;
use rand::RngCore;

use crate::config::Settings;

pub struct KeyMaterial {
    pub signing_key: SigningKey,
    /// PKCS#8 PEM of the signing key (what jsonwebtoken loads).
    pub signing_pem: String,
    pub secret: [u8; 32],
}

impl KeyMaterial {
    pub fn load(settings: &Settings) -> anyhow::Result<Self> {
        let keys_dir = settings.data_dir.join("keys");
        let (signing_key, signing_pem) = match &settings.jwt_key_file {
            Some(path) => {
                read_signing_key(path).map_err(|e| anyhow::anyhow!("PORTAL_JWT_KEY_FILE: {e}"))?
            }
            None => {
                let path = keys_dir.join("jwt-ed25519.pem");
                if path.exists() {
                    read_signing_key(&path)?
                } else {
                    let key = SigningKey::generate(&mut rand::rngs::OsRng);
                    let pem = key
                        .to_pkcs8_pem(ed25519_dalek::pkcs8::spki::der::pem::LineEnding::LF)
                        .map_err(|e| anyhow::anyhow!("cannot encode the signing key: {e}"))?
                        .to_string();
                    write_private(&path, pem.as_bytes())?;
                    tracing::info!(path = %path.display(), "created a development token signing key");
                    (key, pem)
                }
            }
        };
        let secret = match settings.secret_key {
            Some(secret) => secret,
            None => {
                let path = keys_dir.join("secret.key");
                if path.exists() {
                    let text = std::fs::read_to_string(&path)?;
                    let bytes = hex::decode(text.trim())
                        .map_err(|_| anyhow::anyhow!("{} is not hexadecimal", path.display()))?;
                    <[u8; 32]>::try_from(bytes.as_slice())
                        .map_err(|_| anyhow::anyhow!("{} must hold 32 bytes", path.display()))?
                } else {
                    let mut secret = [0u8; 32];
                    rand::rngs::OsRng.fill_bytes(&mut secret);
                    write_private(&path, hex::encode(secret).as_bytes())?;
                    tracing::info!(path = %path.display(), "created a development server secret");
                    secret
                }
            }
        };
        Ok(Self {
            signing_key,
            signing_pem,
            secret,
        })
    }

    /// A subkey for one purpose, so that no two uses share a key.
    pub fn derive(&self, purpose: &str) -> [u8; 32] {
        use hmac::{Hmac, Mac};
        let mut mac = <Hmac<sha2::Sha256> as Mac>::new_from_slice(&self.secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(purpose.as_bytes());
        mac.finalize().into_bytes().into()
    }
}

fn read_signing_key(path: &Path) -> anyhow::Result<(SigningKey, String)> {
    let pem = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    let key = SigningKey::from_pkcs8_pem(&pem)
        .map_err(|e| anyhow::anyhow!("{} is not an Ed25519 PKCS#8 PEM key: {e}", path.display()))?;
    Ok((key, pem))
}

fn write_private(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", path.display()))?;
    file.write_all(contents)?;
    Ok(())
}
