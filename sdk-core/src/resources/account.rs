//! Accounts, sessions and API keys.

use animaforge_api::{
    ApiKey, ApiKeyList, AuthSession, CreateApiKeyRequest, CreateApiKeyResponse, CreatedApiKey,
    CurrentUser, LoginRequest, MeResponse, RefreshRequest, RegisterRequest, TokenRefresh,
};
use http::Method;
use serde::de::IgnoredAny;

use crate::call::Call;
use crate::client::AnimaForge;
use crate::session::{Session, SessionTokens};
use crate::transport::{RequestSpec, decode_envelope};

/// Accounts and sessions. Get it from [`AnimaForge::auth`].
#[derive(Debug, Clone)]
pub struct Auth {
    pub(crate) client: AnimaForge,
}

fn session_call(client: &AnimaForge, spec: crate::Result<RequestSpec>) -> Call<Session> {
    let spec = spec.map(|mut s| {
        s.send_auth = false;
        s.refresh_on_401 = false;
        s
    });
    Call::try_new(client, spec, |client, raw| {
        Ok(decode_envelope::<AuthSession>(raw)?.map(|session| {
            let tokens = SessionTokens {
                access_token: session.token,
                refresh_token: session.refresh_token,
                expires_at: Some(session.expires_at),
            };
            Session::start(client, Some(session.user), tokens)
        }))
    })
}

impl Auth {
    /// Creates an account (`POST /auth/register`) and signs in.
    pub fn register(
        &self,
        username: impl Into<String>,
        email: impl Into<String>,
        password: impl Into<String>,
    ) -> Call<Session> {
        let body = RegisterRequest {
            username: username.into(),
            email: email.into(),
            password: password.into(),
        };
        session_call(
            &self.client,
            RequestSpec::post_json(&["auth", "register"], &body),
        )
    }

    /// Signs in (`POST /auth/login`). The [`Session`]'s client refreshes its access
    /// token on 401.
    pub fn login(&self, email: impl Into<String>, password: impl Into<String>) -> Call<Session> {
        let body = LoginRequest {
            email: email.into(),
            password: password.into(),
        };
        session_call(
            &self.client,
            RequestSpec::post_json(&["auth", "login"], &body),
        )
    }

    /// Exchanges a refresh token for new tokens (`POST /auth/refresh`). Sessions do this
    /// by themselves; this is for tokens stored elsewhere.
    pub fn refresh(&self, refresh_token: impl Into<String>) -> Call<TokenRefresh> {
        let body = RefreshRequest {
            refresh_token: refresh_token.into(),
        };
        let spec = RequestSpec::post_json(&["auth", "refresh"], &body).map(|mut s| {
            s.send_auth = false;
            s.refresh_on_401 = false;
            s
        });
        Call::try_mapped(&self.client, spec, |d: TokenRefresh| d)
    }

    /// The authenticated user (`GET /auth/me`).
    pub fn me(&self) -> Call<CurrentUser> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["auth", "me"]),
            |d: MeResponse| d.user,
        )
    }

    /// A session from stored tokens, acting through this client's settings.
    pub fn resume(&self, tokens: SessionTokens) -> Session {
        Session::start(&self.client, None, tokens)
    }
}

/// API keys. Get it from [`AnimaForge::api_keys`].
#[derive(Debug, Clone)]
pub struct ApiKeys {
    pub(crate) client: AnimaForge,
}

impl ApiKeys {
    /// Creates a key that never expires (`POST /api-keys`). The secret is in the result
    /// only.
    pub fn create(&self, name: impl Into<String>) -> Call<CreatedApiKey> {
        self.create_with(CreateApiKeyRequest {
            name: name.into(),
            expires_at: None,
        })
    }

    /// Creates a key (`POST /api-keys`).
    pub fn create_with(&self, request: CreateApiKeyRequest) -> Call<CreatedApiKey> {
        let spec = RequestSpec::post_json(&["api-keys"], &request);
        Call::try_mapped(&self.client, spec, |d: CreateApiKeyResponse| d.api_key)
    }

    /// The caller's keys (`GET /api-keys`).
    pub fn list(&self) -> Call<Vec<ApiKey>> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["api-keys"]),
            |d: ApiKeyList| d.api_keys,
        )
    }

    /// Revokes a key (`DELETE /api-keys/{id}`).
    pub fn revoke(&self, id: &str) -> Call<()> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::DELETE, &["api-keys", id]),
            |_: IgnoredAny| (),
        )
    }
}
