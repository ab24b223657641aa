//! Who is calling: an API key (`af_live_...`) or an access token in
//! `Authorization: Bearer ...`, resolved once per request by [`authenticate`] and read
//! by the [`AuthUser`] (required) and [`MaybeUser`] (optional) extractors.

use animaforge_api::Tier;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header;
use axum::http::request::Parts;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::app::AppState;
use crate::credentials::{API_KEY_PREFIX, API_KEY_SHOWN, sha256_hex, verify_access_token};

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// An access token (JWT).
    AccessToken,
    /// An API key.
    ApiKey,
}

/// An authenticated caller. As an extractor: 401 when the request is anonymous or its
/// credentials are invalid.
#[derive(Debug, Clone)]
pub struct AuthUser {
    /// `user_...`.
    pub id: String,
    /// The account's tier now.
    pub tier: Tier,
    /// Key or token.
    pub method: AuthMethod,
}

/// An optional caller: `None` when anonymous; invalid credentials are still a 401.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<AuthUser>);

/// The result of reading the credentials, stored in the request's extensions.
#[derive(Debug, Clone)]
pub enum Caller {
    /// No `Authorization` header.
    Anonymous,
    /// Valid credentials.
    User(AuthUser),
    /// Credentials that do not authenticate, and why.
    Invalid(&'static str),
}

impl<S: Send + Sync> FromRequestParts<S> for AuthUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::User(user)) => Ok(user.clone()),
            Some(Caller::Invalid(why)) => Err(ApiError::unauthenticated(*why)),
            _ => Err(ApiError::unauthenticated(
                "Authentication required: send `Authorization: Bearer <API key or token>`",
            )),
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match parts.extensions.get::<Caller>() {
            Some(Caller::User(user)) => Ok(MaybeUser(Some(user.clone()))),
            Some(Caller::Invalid(why)) => Err(ApiError::unauthenticated(*why)),
            _ => Ok(MaybeUser(None)),
        }
    }
}

/// Middleware: resolves the credentials into a [`Caller`] extension.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let caller = match resolve(&state, request.headers()).await {
        Ok(caller) => caller,
        Err(err) => return err.into_response(),
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}

async fn resolve(state: &AppState, headers: &axum::http::HeaderMap) -> Result<Caller, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    // Two credentials are none: which one would count is anyone's guess.
    if headers
        .get_all(header::AUTHORIZATION)
        .iter()
        .nth(1)
        .is_some()
    {
        return Ok(Caller::Invalid(
            "Send one Authorization header, not several",
        ));
    }
    let Some(credential) = value.to_str().ok().and_then(|v| {
        v.strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
            .map(str::trim)
    }) else {
        return Ok(Caller::Invalid(
            "The Authorization header must be `Bearer <credential>`",
        ));
    };
    if credential.starts_with(API_KEY_PREFIX) {
        return api_key_caller(state, credential).await;
    }
    let Some(claims) = verify_access_token(&state.secrets, credential) else {
        // A JWT has three dot-separated parts; anything else was meant as a key.
        return Ok(Caller::Invalid(if credential.split('.').count() == 3 {
            "Invalid or expired access token"
        } else {
            "Invalid API key or access token (API keys start with `af_live_`)"
        }));
    };
    if let Some(family_id) = &claims.family_id
        && state.store.refresh_family_revoked(family_id).await?
    {
        return Ok(Caller::Invalid(
            "This login was revoked (a refresh token was reused); sign in again",
        ));
    }
    let user_id = claims.user_id;
    match state.store.user_tier(&user_id).await? {
        Some(tier) => Ok(Caller::User(AuthUser {
            id: user_id,
            tier: tier.parse().unwrap_or(Tier::Free),
            method: AuthMethod::AccessToken,
        })),
        None => Ok(Caller::Invalid(
            "The account of this token no longer exists",
        )),
    }
}

async fn api_key_caller(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let invalid = Ok(Caller::Invalid("Invalid API key"));
    if key.len() < API_KEY_SHOWN || !key.is_ascii() {
        return invalid;
    }
    let hash = sha256_hex(key);
    let now = crate::store::now();
    let candidates = state
        .store
        .api_keys_by_prefix(&key[..API_KEY_SHOWN])
        .await?;
    let Some(row) = candidates
        .into_iter()
        .find(|row| bool::from(row.key_hash.as_bytes().ct_eq(hash.as_bytes())))
    else {
        return invalid;
    };
    if row.expires_at.is_some_and(|at| at <= now) {
        return Ok(Caller::Invalid("This API key has expired"));
    }
    state.store.touch_api_key(&row.id, now).await?;
    let tier = state
        .store
        .user_tier(&row.user_id)
        .await?
        .unwrap_or_default();
    Ok(Caller::User(AuthUser {
        id: row.user_id,
        tier: tier.parse().unwrap_or(Tier::Free),
        method: AuthMethod::ApiKey,
    }))
}
