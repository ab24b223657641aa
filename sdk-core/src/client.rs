//! The client handle and its builder.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};
use url::Url;

use crate::config::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, ENV_API_KEY, ENV_BASE_URL,
    Environment, RetryPolicy,
};
use crate::error::{Error, Result};
use crate::response::RateLimit;
use crate::retry::Budget;
use crate::session::{SessionState, SessionTokens};

/// A secret string (API key, token) that never shows in `Debug` output.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Secret(pub(crate) String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// How requests to the API authenticate.
#[derive(Debug, Clone)]
pub(crate) enum Credentials {
    /// No `Authorization` header.
    None,
    /// `Authorization: Bearer af_live_...`.
    ApiKey(Secret),
    /// An access token that is refreshed on 401.
    Session(Arc<SessionState>),
}

/// Settings shared by a client and the clients derived from it.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) base_url: Url,
    pub(crate) timeout: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) user_agent: HeaderValue,
    pub(crate) extra_headers: HeaderMap,
}

#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) config: Arc<Config>,
    pub(crate) credentials: Credentials,
    pub(crate) rate_limit: Arc<Mutex<Option<RateLimit>>>,
    pub(crate) budget: Arc<Budget>,
}

/// The AnimaForge API client.
///
/// Cheap to clone (an `Arc` inside); clones share the connection pool, the rate-limit
/// state and the retry budget. It runs on the caller's tokio runtime and starts no
/// background tasks. `Debug` output never contains the API key or tokens.
///
/// ```no_run
/// # async fn run() -> animaforge_core::Result<()> {
/// use animaforge_core::{AnimaForge, GenerateConfig, Quality};
///
/// let client = AnimaForge::new("af_live_...");
/// let job = client
///     .animations()
///     .generate("rotating cube", GenerateConfig::default().quality(Quality::High))
///     .await?;
/// let animation = job.wait().await?;
/// println!("URL: {}", animation.url);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct AnimaForge {
    pub(crate) inner: Arc<Inner>,
}

impl AnimaForge {
    /// A client with an API key; the base URL is `ANIMAFORGE_BASE_URL` when set, else
    /// production.
    ///
    /// # Panics
    ///
    /// When `ANIMAFORGE_BASE_URL` is set but not a valid http(s) URL, or the TLS backend
    /// cannot be initialised. Use [`AnimaForge::builder`] to get an error instead.
    pub fn new(api_key: impl Into<String>) -> AnimaForge {
        match AnimaForge::builder().api_key(api_key).build() {
            Ok(client) => client,
            Err(e) => panic!("cannot create the AnimaForge client: {e}"),
        }
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from `ANIMAFORGE_API_KEY` and `ANIMAFORGE_BASE_URL`. Without
    /// a key the client makes unauthenticated calls (public listings, search, login).
    pub fn from_env() -> Result<AnimaForge> {
        AnimaForge::builder().build()
    }

    /// The base URL every path is joined to, `/v1` included.
    pub fn base_url(&self) -> &Url {
        &self.inner.config.base_url
    }

    /// The rate-limit state of the last response that carried rate-limit headers.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.rate_limit.lock().ok().and_then(|g| g.clone())
    }

    /// A client with the same settings, connection pool and rate-limit state that
    /// authenticates with `api_key` instead.
    pub fn with_api_key(&self, api_key: impl Into<String>) -> AnimaForge {
        self.with_credentials(Credentials::ApiKey(Secret(api_key.into())))
    }

    /// Whether the client sends any credentials.
    pub fn is_authenticated(&self) -> bool {
        !matches!(self.inner.credentials, Credentials::None)
    }

    pub(crate) fn with_credentials(&self, credentials: Credentials) -> AnimaForge {
        AnimaForge {
            inner: Arc::new(Inner {
                http: self.inner.http.clone(),
                config: self.inner.config.clone(),
                credentials,
                rate_limit: self.inner.rate_limit.clone(),
                budget: self.inner.budget.clone(),
            }),
        }
    }
}

/// Builds an [`AnimaForge`] client.
///
/// Unset values come from `ANIMAFORGE_API_KEY` and `ANIMAFORGE_BASE_URL`, then the
/// defaults: production, a 60 s total timeout per call, a 10 s connect timeout and
/// [`RetryPolicy::default`].
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<Secret>,
    session: Option<SessionTokens>,
    base_url: Option<String>,
    environment: Option<Environment>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "[redacted]"))
            .field("session", &self.session.as_ref().map(|_| "[redacted]"))
            .field("base_url", &self.base_url)
            .field("environment", &self.environment)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("retry", &self.retry)
            .field("user_agent", &self.user_agent)
            .field(
                "headers",
                &self.headers.iter().map(|(k, _)| k).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl ClientBuilder {
    /// The API key (`af_live_...`).
    pub fn api_key(mut self, key: impl Into<String>) -> ClientBuilder {
        self.api_key = Some(Secret(key.into()));
        self
    }

    /// Authenticate with a stored session (access and refresh token) instead of a key.
    pub fn session(mut self, tokens: SessionTokens) -> ClientBuilder {
        self.session = Some(tokens);
        self
    }

    /// The base URL, `/v1` included (a URL without a path gets `/v1`). Wins over the
    /// environment.
    pub fn base_url(mut self, url: impl Into<String>) -> ClientBuilder {
        self.base_url = Some(url.into());
        self
    }

    /// One of the documented deployments.
    pub fn environment(mut self, environment: Environment) -> ClientBuilder {
        self.environment = Some(environment);
        self
    }

    /// The total deadline of one call: every attempt and every wait between attempts.
    pub fn timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.timeout = Some(timeout);
        self
    }

    /// The time allowed to open a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> ClientBuilder {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> ClientBuilder {
        self.retry = Some(policy);
        self
    }

    /// The `User-Agent` header.
    pub fn user_agent(mut self, agent: impl Into<String>) -> ClientBuilder {
        self.user_agent = Some(agent.into());
        self
    }

    /// A header sent with every API request (never with signed file downloads).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> ClientBuilder {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// A reqwest client to use instead of building one. It must not follow redirects
    /// (`redirect::Policy::none()`): downloads handle them so that the `Authorization`
    /// header never reaches the storage host.
    pub fn http_client(mut self, client: reqwest::Client) -> ClientBuilder {
        self.http = Some(client);
        self
    }

    /// Builds the client.
    pub fn build(self) -> Result<AnimaForge> {
        let base = match (self.base_url, self.environment) {
            (Some(url), _) => url,
            (None, Some(env)) => env.base_url().to_owned(),
            (None, None) => std::env::var(ENV_BASE_URL)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .unwrap_or_else(|| Environment::Production.base_url().to_owned()),
        };
        let base_url = parse_base_url(&base)?;

        let api_key = self.api_key.or_else(|| {
            std::env::var(ENV_API_KEY)
                .ok()
                .filter(|v| !v.trim().is_empty())
                .map(Secret)
        });
        let credentials = match (self.session, api_key) {
            (Some(tokens), _) => Credentials::Session(Arc::new(SessionState::new(tokens))),
            (None, Some(key)) => Credentials::ApiKey(key),
            (None, None) => Credentials::None,
        };

        let user_agent = self
            .user_agent
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::config("the user agent is not a valid header value"))?;
        let mut extra_headers = HeaderMap::new();
        for (name, value) in self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("`{name}` is not a valid header name")))?;
            let mut value = HeaderValue::from_str(&value)
                .map_err(|_| Error::config(format!("the value of `{name}` is not valid")))?;
            value.set_sensitive(true);
            extra_headers.append(header, value);
        }

        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                .build()
                .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?,
        };
        let retry = self.retry.unwrap_or_default();
        let budget = Arc::new(Budget::new(retry.budget));

        Ok(AnimaForge {
            inner: Arc::new(Inner {
                http,
                config: Arc::new(Config {
                    base_url,
                    timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                    retry,
                    user_agent,
                    extra_headers,
                }),
                credentials,
                rate_limit: Arc::new(Mutex::new(None)),
                budget,
            }),
        })
    }
}

fn parse_base_url(text: &str) -> Result<Url> {
    let mut url = Url::parse(text.trim())
        .map_err(|e| Error::config(format!("invalid base URL `{text}`: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.cannot_be_a_base() {
        return Err(Error::config(format!(
            "the base URL `{text}` is not an http(s) URL"
        )));
    }
    if url.path() == "/" || url.path().is_empty() {
        url.set_path("/v1");
    }
    let trimmed = url.path().trim_end_matches('/').to_owned();
    url.set_path(&trimmed);
    url.set_query(None);
    url.set_fragment(None);
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_get_v1_and_lose_trailing_slashes() {
        assert_eq!(
            parse_base_url("http://localhost:8080").unwrap().as_str(),
            "http://localhost:8080/v1"
        );
        assert_eq!(
            parse_base_url("http://h/v1/").unwrap().as_str(),
            "http://h/v1"
        );
        assert!(parse_base_url("ftp://h").is_err());
        assert!(parse_base_url("not a url").is_err());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let client = AnimaForge::builder()
            .api_key("af_live_supersecret")
            .base_url("http://localhost:1")
            .header("X-Extra", "hidden-value")
            .build()
            .unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("supersecret"), "{text}");
        assert!(!text.contains("hidden-value"), "{text}");
        let builder = AnimaForge::builder().api_key("af_live_supersecret");
        assert!(!format!("{builder:?}").contains("supersecret"));
    }
}
