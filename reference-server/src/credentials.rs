//! Secrets and credentials: password hashing (Argon2id, off the async threads),
//! access tokens (HS256 JWTs), refresh tokens and API keys (random, stored as SHA-256),
//! and the server's own signing secrets (generated into the data dir on first start).

use std::path::Path;

use anyhow::Context;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use chrono::{DateTime, Duration, Utc};
use jsonwebtoken::{DecodingKey, EncodingKey, Header, Validation};
use rand::Rng;
use rand::distr::Alphanumeric;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The server's signing secrets. `Debug` shows nothing of them.
#[derive(Clone)]
pub struct Secrets {
    jwt: Vec<u8>,
    url_signing: Vec<u8>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secrets([redacted])")
    }
}

#[derive(Serialize, Deserialize)]
struct SecretsFile {
    jwt_secret: String,
    url_signing_secret: String,
}

impl Secrets {
    /// The given secrets, completed from `<data_dir>/secrets.json`, which is created
    /// with fresh random secrets (mode 0600) when missing.
    pub fn load(data_dir: &Path, jwt: Option<&str>, url: Option<&str>) -> anyhow::Result<Secrets> {
        if let (Some(j), Some(u)) = (jwt, url) {
            return Ok(Secrets::from_parts(j.as_bytes(), u.as_bytes()));
        }
        let path = data_dir.join("secrets.json");
        let stored: SecretsFile = match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes).context("reading secrets.json")?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(data_dir)?;
                let fresh = SecretsFile {
                    jwt_secret: random_hex(32),
                    url_signing_secret: random_hex(32),
                };
                write_private(&path, &serde_json::to_vec_pretty(&fresh)?)?;
                fresh
            }
            Err(e) => return Err(e).context("reading secrets.json"),
        };
        Ok(Secrets::from_parts(
            jwt.unwrap_or(&stored.jwt_secret).as_bytes(),
            url.unwrap_or(&stored.url_signing_secret).as_bytes(),
        ))
    }

    /// Secrets from raw bytes.
    pub fn from_parts(jwt: &[u8], url_signing: &[u8]) -> Secrets {
        Secrets {
            jwt: jwt.to_vec(),
            url_signing: url_signing.to_vec(),
        }
    }

    /// The key for file URL signatures.
    pub fn url_signing_key(&self) -> &[u8] {
        &self.url_signing
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}

/// `n` random bytes as hex.
pub fn random_hex(n: usize) -> String {
    let mut bytes = vec![0u8; n];
    rand::rng().fill(&mut bytes[..]);
    hex::encode(bytes)
}

/// `n` random alphanumeric characters.
pub fn random_alphanumeric(n: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(n)
        .map(char::from)
        .collect()
}

/// SHA-256 of `text`, hex.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Argon2id with configurable costs.
#[derive(Debug, Clone)]
pub struct PasswordHashing {
    params: Params,
}

impl PasswordHashing {
    /// Costs: memory in KiB and iterations, one lane.
    pub fn new(memory_kib: u32, iterations: u32) -> anyhow::Result<PasswordHashing> {
        let params = Params::new(memory_kib.max(8), iterations.max(1), 1, None)
            .map_err(|e| anyhow::anyhow!("argon2 parameters: {e}"))?;
        Ok(PasswordHashing { params })
    }

    fn argon2(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    /// Hashes a password on the blocking pool; returns a PHC string.
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())
                .map_err(|e| anyhow::anyhow!("salt: {e}"))?;
            argon2
                .hash_password(password.as_bytes(), &salt)
                .map(|h| h.to_string())
                .map_err(|e| anyhow::anyhow!("hashing: {e}"))
        })
        .await?
    }

    /// Checks a password against a PHC string on the blocking pool.
    pub async fn verify(&self, password: String, phc: String) -> anyhow::Result<bool> {
        let argon2 = self.argon2();
        tokio::task::spawn_blocking(move || {
            let parsed =
                PasswordHash::new(&phc).map_err(|e| anyhow::anyhow!("stored hash: {e}"))?;
            Ok(argon2.verify_password(password.as_bytes(), &parsed).is_ok())
        })
        .await?
    }
}

/// Claims of an access token.
#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    typ: String,
    /// The login (refresh-token family) the token belongs to: revoking the family
    /// revokes its access tokens too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sid: Option<String>,
}

/// A verified access token: whose it is and which login issued it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    /// The user id.
    pub user_id: String,
    /// The refresh-token family of the login.
    pub family_id: Option<String>,
}

/// Signs an access token for `user_id` of the login `family_id`, valid for `ttl`;
/// returns it and its expiry.
pub fn issue_access_token(
    secrets: &Secrets,
    user_id: &str,
    family_id: &str,
    ttl: Duration,
) -> anyhow::Result<(String, DateTime<Utc>)> {
    let now = Utc::now();
    let expires = now + ttl;
    let claims = Claims {
        sub: user_id.to_owned(),
        iat: now.timestamp(),
        exp: expires.timestamp(),
        typ: "access".into(),
        sid: Some(family_id.to_owned()),
    };
    let token = jsonwebtoken::encode(
        &Header::default(),
        &claims,
        &EncodingKey::from_secret(&secrets.jwt)?,
    )?;
    Ok((
        token,
        DateTime::from_timestamp(expires.timestamp(), 0).unwrap_or(expires),
    ))
}

/// The claims of a valid, unexpired access token.
pub fn verify_access_token(secrets: &Secrets, token: &str) -> Option<AccessClaims> {
    let mut validation = Validation::new(jsonwebtoken::Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(&secrets.jwt).ok()?,
        &validation,
    )
    .ok()?;
    // Ids never hold NUL (PostgreSQL could not even look one up).
    let ids = [Some(&data.claims.sub), data.claims.sid.as_ref()];
    if ids.into_iter().flatten().any(|id| id.contains('\0')) {
        return None;
    }
    (data.claims.typ == "access").then_some(AccessClaims {
        user_id: data.claims.sub,
        family_id: data.claims.sid,
    })
}

/// The visible prefix of API keys.
pub const API_KEY_PREFIX: &str = "af_live_";

/// Characters of an API key shown in lists (`af_live_` and four more).
pub const API_KEY_SHOWN: usize = API_KEY_PREFIX.len() + 4;

/// A new API key: `af_live_` and 40 random alphanumerics.
pub fn new_api_key() -> String {
    format!("{API_KEY_PREFIX}{}", random_alphanumeric(40))
}

/// A new opaque refresh token.
pub fn new_refresh_token() -> String {
    format!("refresh_{}", random_alphanumeric(48))
}
