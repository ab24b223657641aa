//! Token sessions: the access token, its refresh on 401, single-flight.

use std::sync::RwLock;

use animaforge_api::{AccountUser, RefreshRequest, TokenRefresh};
use chrono::{DateTime, Utc};
use tokio::time::Instant;

use crate::client::{AnimaForge, Credentials};
use crate::error::Result;
use crate::transport::RequestSpec;

/// An access token and the refresh token that renews it.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionTokens {
    /// The access token (JWT) sent as `Authorization: Bearer`.
    pub access_token: String,
    /// The single-use refresh token.
    pub refresh_token: String,
    /// When the access token expires, if known.
    pub expires_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for SessionTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionTokens")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

#[derive(Debug)]
struct Versioned {
    tokens: SessionTokens,
    generation: u64,
}

/// The mutable side of a session, shared by every clone of its client.
pub(crate) struct SessionState {
    current: RwLock<Versioned>,
    refresh_lock: tokio::sync::Mutex<()>,
    refreshes: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for SessionState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionState")
            .field("generation", &self.generation())
            .finish()
    }
}

impl SessionState {
    pub(crate) fn new(tokens: SessionTokens) -> SessionState {
        SessionState {
            current: RwLock::new(Versioned {
                tokens,
                generation: 0,
            }),
            refresh_lock: tokio::sync::Mutex::new(()),
            refreshes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The access token and the generation it belongs to.
    pub(crate) fn access(&self) -> (String, u64) {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        (guard.tokens.access_token.clone(), guard.generation)
    }

    pub(crate) fn generation(&self) -> u64 {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .generation
    }

    pub(crate) fn tokens(&self) -> SessionTokens {
        self.current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .tokens
            .clone()
    }

    fn install(&self, refresh: TokenRefresh) {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        guard.tokens = SessionTokens {
            access_token: refresh.token,
            refresh_token: refresh.refresh_token,
            expires_at: Some(refresh.expires_at),
        };
        guard.generation += 1;
    }

    /// Refreshes the tokens unless someone else already did since `seen_generation`.
    /// Concurrent callers queue on one lock, so N requests that hit 401 together cause
    /// one `POST /auth/refresh` (refresh tokens are single use: a second refresh with the
    /// same token would revoke the session).
    pub(crate) async fn refresh_after(
        &self,
        client: &AnimaForge,
        seen_generation: u64,
        deadline: Option<Instant>,
    ) -> Result<()> {
        let _guard = self.refresh_lock.lock().await;
        if self.generation() != seen_generation {
            return Ok(());
        }
        let refresh_token = self.tokens().refresh_token;
        let mut spec =
            RequestSpec::post_json(&["auth", "refresh"], &RefreshRequest { refresh_token })?;
        spec.send_auth = false;
        spec.refresh_on_401 = false;
        spec.deadline = deadline;
        let refreshed: TokenRefresh = Box::pin(client.execute_json(spec)).await?.data;
        self.refreshes
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::debug!(generation = seen_generation + 1, "access token refreshed");
        self.install(refreshed);
        Ok(())
    }
}

/// A signed-in account: the user and a client that authenticates with the session's
/// access token, refreshing it once on 401 (single-flight) and repeating the request.
#[derive(Debug, Clone)]
pub struct Session {
    user: Option<AccountUser>,
    client: AnimaForge,
}

impl Session {
    pub(crate) fn start(
        base: &AnimaForge,
        user: Option<AccountUser>,
        tokens: SessionTokens,
    ) -> Session {
        let state = std::sync::Arc::new(SessionState::new(tokens));
        Session {
            user,
            client: base.with_credentials(Credentials::Session(state)),
        }
    }

    /// The account that signed in (from register or login).
    pub fn user(&self) -> Option<&AccountUser> {
        self.user.as_ref()
    }

    /// The client that acts as this account.
    pub fn client(&self) -> &AnimaForge {
        &self.client
    }

    /// The current tokens (they change when the session refreshes), to store the session.
    pub fn tokens(&self) -> SessionTokens {
        match &self.client.inner.credentials {
            Credentials::Session(state) => state.tokens(),
            _ => SessionTokens {
                access_token: String::new(),
                refresh_token: String::new(),
                expires_at: None,
            },
        }
    }

    /// How many times the access token has been refreshed.
    pub fn refresh_count(&self) -> u64 {
        match &self.client.inner.credentials {
            Credentials::Session(state) => {
                state.refreshes.load(std::sync::atomic::Ordering::Relaxed)
            }
            _ => 0,
        }
    }

    /// Refreshes the access token now.
    pub async fn refresh(&self) -> Result<()> {
        match &self.client.inner.credentials {
            Credentials::Session(state) => {
                state
                    .refresh_after(&self.client, state.generation(), None)
                    .await
            }
            _ => Ok(()),
        }
    }
}
