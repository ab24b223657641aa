//! Command line and environment: `animaforge-server serve|worker|set-tier|feature|
//! unfeature|migrate`, every setting also readable from an `ANIMAFORGE_*` variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The AnimaForge reference server.
#[derive(Debug, Clone, Parser)]
#[command(name = "animaforge-server", version, about)]
pub struct Cli {
    /// Settings shared by every subcommand.
    #[command(flatten)]
    pub config: Config,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the API.
    Serve,
    /// Run a render worker that claims generation jobs.
    Worker,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Set an account's tier (and so its rate limit).
    SetTier {
        /// Username or email of the account.
        user: String,
        /// `free`, `pro` or `enterprise`.
        tier: animaforge_api::Tier,
    },
    /// Feature an animation on the marketplace.
    Feature {
        /// `anim_...`.
        animation_id: String,
    },
    /// Stop featuring an animation.
    Unfeature {
        /// `anim_...`.
        animation_id: String,
    },
}

/// Log line format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable.
    Pretty,
    /// One JSON object per line.
    Json,
}

/// Every setting of the server. Secrets are redacted from `Debug`.
#[derive(Clone, Args)]
pub struct Config {
    /// Address to listen on.
    #[arg(
        long,
        env = "ANIMAFORGE_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: SocketAddr,

    /// Directory for the SQLite file, local storage and generated secrets.
    #[arg(
        long,
        env = "ANIMAFORGE_DATA_DIR",
        default_value = "./.data",
        global = true
    )]
    pub data_dir: PathBuf,

    /// `postgres://...` or `sqlite://path`; default: `<data-dir>/animaforge.db`.
    #[arg(
        long,
        env = "ANIMAFORGE_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// Database connections per process.
    #[arg(
        long,
        env = "ANIMAFORGE_DB_MAX_CONNECTIONS",
        default_value_t = 16,
        global = true
    )]
    pub db_max_connections: u32,

    /// `file:///dir` or `s3://bucket` (credentials and endpoint from the standard `AWS_*`
    /// variables); default: `<data-dir>/files`.
    #[arg(long, env = "ANIMAFORGE_STORAGE_URL", global = true)]
    pub storage_url: Option<String>,

    /// Secret for signing access tokens; generated into the data dir when absent.
    #[arg(
        long,
        env = "ANIMAFORGE_JWT_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub jwt_secret: Option<String>,

    /// Secret for signing file URLs; generated into the data dir when absent.
    #[arg(
        long,
        env = "ANIMAFORGE_URL_SIGNING_SECRET",
        global = true,
        hide_env_values = true
    )]
    pub url_signing_secret: Option<String>,

    /// Largest accepted upload in bytes.
    #[arg(long, env = "ANIMAFORGE_MAX_UPLOAD_BYTES", default_value_t = 500 * 1024 * 1024, global = true)]
    pub max_upload_bytes: u64,

    /// Log format.
    #[arg(
        long,
        env = "ANIMAFORGE_LOG_FORMAT",
        value_enum,
        default_value = "pretty",
        global = true
    )]
    pub log_format: LogFormat,

    /// Checks every response against the embedded OpenAPI spec and logs each mismatch
    /// at error level (a development and test aid; it buffers JSON bodies).
    #[arg(long, env = "ANIMAFORGE_VALIDATE_RESPONSES", global = true)]
    pub validate_responses: bool,

    /// Public base URL for absolute links (no trailing `/v1`); default `http://<bind>`.
    #[arg(long, env = "ANIMAFORGE_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// Access-token lifetime in seconds.
    #[arg(
        long,
        env = "ANIMAFORGE_ACCESS_TOKEN_TTL",
        default_value_t = 3600,
        global = true
    )]
    pub access_token_ttl_secs: i64,

    /// Refresh-token lifetime in seconds.
    #[arg(long, env = "ANIMAFORGE_REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600, global = true)]
    pub refresh_token_ttl_secs: i64,

    /// Lifetime of signed file URLs in seconds.
    #[arg(
        long,
        env = "ANIMAFORGE_SIGNED_URL_TTL",
        default_value_t = 3600,
        global = true
    )]
    pub signed_url_ttl_secs: i64,

    /// Argon2id memory cost in KiB.
    #[arg(long, env = "ANIMAFORGE_ARGON2_MEMORY_KIB", default_value_t = 19 * 1024, global = true)]
    pub argon2_memory_kib: u32,

    /// Argon2id iterations.
    #[arg(
        long,
        env = "ANIMAFORGE_ARGON2_ITERATIONS",
        default_value_t = 2,
        global = true
    )]
    pub argon2_iterations: u32,

    /// Days of finished history to keep: delivered webhook events with their attempts,
    /// the progress ticks of finished jobs (their logs and statuses stay), expired
    /// refresh tokens. 0 keeps everything.
    #[arg(
        long,
        env = "ANIMAFORGE_RETENTION_DAYS",
        default_value_t = 30,
        global = true
    )]
    pub retention_days: u32,

    /// Rate limits.
    #[command(flatten)]
    pub rate_limits: RateLimitConfig,

    /// Generation: renderer, model backends and workers.
    #[command(flatten)]
    pub jobs: crate::jobs::JobsConfig,

    /// Webhook delivery and target checks.
    #[command(flatten)]
    pub webhooks: crate::webhooks::WebhookConfig,

    /// Analytics (the trusted country header).
    #[command(flatten)]
    pub analytics: crate::analytics_hooks::AnalyticsConfig,
}

/// Rate-limit quotas: requests per hour and burst per burst window, by tier.
#[derive(Debug, Clone, Args)]
pub struct RateLimitConfig {
    /// Switch rate limiting off (nothing counted or refused; the headers still report
    /// the quota).
    #[arg(
        long = "rate-limit-disabled",
        env = "ANIMAFORGE_RATE_LIMIT_DISABLED",
        global = true
    )]
    pub disabled: bool,
    /// Free tier: requests per hour.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_FREE_HOURLY",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_free_hourly: u64,
    /// Free tier: requests per burst window.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_FREE_BURST",
        default_value_t = 10,
        global = true
    )]
    pub rate_limit_free_burst: u64,
    /// Pro tier: requests per hour.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_PRO_HOURLY",
        default_value_t = 1000,
        global = true
    )]
    pub rate_limit_pro_hourly: u64,
    /// Pro tier: requests per burst window.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_PRO_BURST",
        default_value_t = 50,
        global = true
    )]
    pub rate_limit_pro_burst: u64,
    /// Enterprise tier: requests per hour.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_ENTERPRISE_HOURLY",
        default_value_t = 10_000,
        global = true
    )]
    pub rate_limit_enterprise_hourly: u64,
    /// Enterprise tier: requests per burst window.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_ENTERPRISE_BURST",
        default_value_t = 200,
        global = true
    )]
    pub rate_limit_enterprise_burst: u64,
    /// Anonymous callers (per client address): requests per hour.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_ANONYMOUS_HOURLY",
        default_value_t = 100,
        global = true
    )]
    pub rate_limit_anonymous_hourly: u64,
    /// Anonymous callers: requests per burst window.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_ANONYMOUS_BURST",
        default_value_t = 10,
        global = true
    )]
    pub rate_limit_anonymous_burst: u64,
    /// Length of the burst window in seconds.
    #[arg(
        long,
        env = "ANIMAFORGE_RATE_LIMIT_BURST_WINDOW",
        default_value_t = 1,
        global = true
    )]
    pub rate_limit_burst_window_secs: u64,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |s: &Option<String>| s.as_ref().map(|_| "[redacted]");
        f.debug_struct("Config")
            .field("bind", &self.bind)
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|u| redact_url(u)),
            )
            .field("storage_url", &self.storage_url)
            .field("jwt_secret", &redacted(&self.jwt_secret))
            .field("url_signing_secret", &redacted(&self.url_signing_secret))
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("log_format", &self.log_format)
            .field("public_url", &self.public_url)
            .field("retention_days", &self.retention_days)
            .field("rate_limits", &self.rate_limits)
            .finish_non_exhaustive()
    }
}

/// A database URL without its password.
pub fn redact_url(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        _ => url.to_owned(),
    }
}

impl Config {
    /// Parses settings from the environment alone (defaults for the rest), for tests
    /// and embedding.
    pub fn from_env() -> Config {
        Cli::parse_from(["animaforge-server", "serve"]).config
    }

    /// The database URL, defaulting to SQLite in the data directory.
    pub fn database_url(&self) -> String {
        self.database_url.clone().unwrap_or_else(|| {
            format!("sqlite://{}", self.data_dir.join("animaforge.db").display())
        })
    }

    /// The public base URL without a trailing slash (the API is under `/v1`).
    pub fn public_base(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').trim_end_matches("/v1").to_owned(),
            None => format!("http://{}", self.bind),
        }
    }
}
