//! The config file (`config.json` in the user's config directory) and how the settings
//! of one run are resolved: flags, then environment, then the file, then the default.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::failure::Failure;

/// Moves the config directory (tests, scripts, several profiles).
pub(crate) const ENV_CONFIG_DIR: &str = "ANIMAFORGE_CONFIG_DIR";
/// The base URL when nothing else names one: the development server of the API doc.
pub(crate) const DEFAULT_BASE_URL: &str = "http://localhost:8080/v1";

/// The settings the config file stores.
#[derive(Default, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct StoredConfig {
    /// The API key `auth login` created (or `config set api_key`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) api_key: Option<String>,
    /// The id of that key, to revoke it on logout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) api_key_id: Option<String>,
    /// The API the key belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) base_url: Option<String>,
    /// `human` or `json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) output: Option<String>,
    /// The account that signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) email: Option<String>,
}

impl std::fmt::Debug for StoredConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredConfig")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("api_key_id", &self.api_key_id)
            .field("base_url", &self.base_url)
            .field("output", &self.output)
            .field("email", &self.email)
            .finish()
    }
}

/// The keys `config get|set|unset` accept.
pub(crate) const KEYS: &[&str] = &["api_key", "base_url", "output", "email", "api_key_id"];

impl StoredConfig {
    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Result<Option<&str>, Failure> {
        Ok(match key {
            "api_key" => self.api_key.as_deref(),
            "api_key_id" => self.api_key_id.as_deref(),
            "base_url" => self.base_url.as_deref(),
            "output" => self.output.as_deref(),
            "email" => self.email.as_deref(),
            other => return Err(unknown_key(other)),
        })
    }

    /// Sets `key` (checked) or, with `None`, removes it.
    pub(crate) fn set(&mut self, key: &str, value: Option<String>) -> Result<(), Failure> {
        match key {
            "api_key" => {
                self.api_key = value;
                self.api_key_id = None;
            }
            "api_key_id" => self.api_key_id = value,
            "base_url" => {
                if let Some(url) = &value {
                    check_base_url(url)?;
                }
                self.base_url = value;
            }
            "output" => {
                if let Some(v) = &value
                    && v != "human"
                    && v != "json"
                {
                    return Err(Failure::usage(format!(
                        "output must be `human` or `json`, not `{v}`"
                    )));
                }
                self.output = value;
            }
            "email" => self.email = value,
            other => return Err(unknown_key(other)),
        }
        Ok(())
    }
}

fn unknown_key(key: &str) -> Failure {
    Failure::usage(format!(
        "unknown setting `{key}`; the settings are: {}",
        KEYS.join(", ")
    ))
}

fn check_base_url(url: &str) -> Result<(), Failure> {
    if url.starts_with("http://") || url.starts_with("https://") {
        Ok(())
    } else {
        Err(Failure::usage(format!(
            "base_url must be an http(s) URL, not `{url}`"
        )))
    }
}

/// The config directory: `ANIMAFORGE_CONFIG_DIR`, else `<user config dir>/animaforge`.
pub(crate) fn config_dir() -> Result<PathBuf, Failure> {
    if let Some(dir) = std::env::var_os(ENV_CONFIG_DIR).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::config_dir()
        .map(|d| d.join("animaforge"))
        .ok_or_else(|| {
            Failure::local(format!(
                "no config directory is known for this user; set {ENV_CONFIG_DIR}"
            ))
        })
}

/// The config file.
pub(crate) fn config_path() -> Result<PathBuf, Failure> {
    Ok(config_dir()?.join("config.json"))
}

/// Reads the config file; a missing file is an empty config.
pub(crate) fn load() -> Result<StoredConfig, Failure> {
    let path = config_path()?;
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            Failure::local(format!(
                "the config file {} is invalid: {e}",
                path.display()
            ))
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(StoredConfig::default()),
        Err(e) => Err(Failure::local(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Writes the config file, readable by its owner only: the directory is made with mode
/// 0700, the file written to a temporary file with mode 0600 and renamed into place.
pub(crate) fn save(config: &StoredConfig) -> Result<PathBuf, Failure> {
    let dir = config_dir()?;
    create_private_dir(&dir)?;
    let path = dir.join("config.json");
    let temp = dir.join(format!(".config.json.{}.tmp", std::process::id()));
    let io =
        |e: std::io::Error, p: &Path| Failure::local(format!("cannot write {}: {e}", p.display()));
    let mut text = serde_json::to_vec_pretty(config)
        .map_err(|e| Failure::local(format!("cannot encode the config: {e}")))?;
    text.push(b'\n');
    {
        let mut file = private_file(&temp).map_err(|e| io(e, &temp))?;
        file.write_all(&text).map_err(|e| io(e, &temp))?;
        file.sync_all().map_err(|e| io(e, &temp))?;
    }
    std::fs::rename(&temp, &path).map_err(|e| {
        let _ = std::fs::remove_file(&temp);
        io(e, &path)
    })?;
    Ok(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    let io = |e: std::io::Error| Failure::local(format!("cannot create {}: {e}", dir.display()));
    if !dir.exists() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io)?;
    }
    let mode = std::fs::metadata(dir).map_err(io)?.permissions().mode();
    if mode & 0o077 != 0 {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(io)?;
    }
    Ok(())
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> Result<(), Failure> {
    std::fs::create_dir_all(dir)
        .map_err(|e| Failure::local(format!("cannot create {}: {e}", dir.display())))
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::create(path)
}

/// Where the API key of a run came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeySource {
    /// `--api-key`.
    Flag,
    /// `ANIMAFORGE_API_KEY`.
    Environment,
    /// The config file.
    Stored,
}

impl KeySource {
    /// How a message names the key.
    pub(crate) fn describe(self) -> &'static str {
        match self {
            KeySource::Flag => "the API key given with --api-key",
            KeySource::Environment => "the API key in ANIMAFORGE_API_KEY",
            KeySource::Stored => "the stored API key",
        }
    }
}

/// The settings of one run, resolved.
#[derive(Clone)]
pub(crate) struct Resolved {
    /// The base URL.
    pub(crate) base_url: String,
    /// The API key, if any source gave one.
    pub(crate) api_key: Option<String>,
    /// Where `api_key` came from.
    pub(crate) api_key_source: Option<KeySource>,
    /// Print JSON.
    pub(crate) json: bool,
}

impl std::fmt::Debug for Resolved {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolved")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("api_key_source", &self.api_key_source)
            .field("json", &self.json)
            .finish()
    }
}

/// Flags > `ANIMAFORGE_API_KEY` / `ANIMAFORGE_BASE_URL` > the config file > default.
pub(crate) fn resolve(
    flag_base_url: Option<&str>,
    flag_api_key: Option<&str>,
    flag_json: bool,
    stored: &StoredConfig,
) -> Resolved {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let base_url = flag_base_url
        .map(str::to_owned)
        .or_else(|| env(animaforge::ENV_BASE_URL))
        .or_else(|| stored.base_url.clone())
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    // The stored key belongs to the server it was created on: it is never sent to a
    // different base URL named by a flag or the environment.
    let same_server = stored
        .base_url
        .as_deref()
        .is_none_or(|stored_url| same_url(stored_url, &base_url));
    let api_key = flag_api_key
        .filter(|key| !key.trim().is_empty())
        .map(|key| (key.to_owned(), KeySource::Flag))
        .or_else(|| env(animaforge::ENV_API_KEY).map(|key| (key, KeySource::Environment)))
        .or_else(|| {
            stored
                .api_key
                .clone()
                .filter(|_| same_server)
                .map(|key| (key, KeySource::Stored))
        });
    let (api_key, api_key_source) = api_key.unzip();
    Resolved {
        base_url,
        api_key,
        api_key_source,
        json: flag_json || stored.output.as_deref() == Some("json"),
    }
}

/// Whether two base URLs name the same API (a trailing slash and the `/v1` the client
/// adds when it is missing do not matter).
pub(crate) fn same_url(a: &str, b: &str) -> bool {
    let api = |url: &str| {
        let url = url.trim_end_matches('/');
        url.strip_suffix("/v1").unwrap_or(url).to_owned()
    };
    api(a) == api(b)
}
