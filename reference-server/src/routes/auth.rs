//! Accounts and sessions: `/auth/register`, `/auth/login`, `/auth/refresh`, `/auth/me`.

use animaforge_api::{
    AccountUser, AuthSession, CurrentUser, CurrentUserStats, LoginRequest, MeResponse,
    RefreshRequest, RegisterRequest, Tier, TokenRefresh,
};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::Duration;

use super::validate;
use crate::app::AppState;
use crate::credentials::{issue_access_token, new_refresh_token, sha256_hex};
use crate::http::{ApiError, ApiResult, AuthUser, Data, Json};
use crate::store::accounts::{self, NewRefreshToken, NewUser, Taken, UserRow};
use crate::store::{self, Tx, new_id};

/// `/auth/*`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/refresh", post(refresh))
        .route("/auth/me", get(me))
}

fn taken_error(taken: Taken) -> ApiError {
    match taken {
        Taken::Username => ApiError::conflict("username", "This username is already taken"),
        Taken::Email => ApiError::conflict("email", "An account with this email already exists"),
    }
}

async fn register(
    State(state): State<AppState>,
    Json(req): Json<RegisterRequest>,
) -> ApiResult<Data<AuthSession>> {
    validate::username(&req.username)?;
    validate::email(&req.email)?;
    validate::password(&req.password)?;
    if let Some(taken) = state.store.taken(&req.username, &req.email).await? {
        return Err(taken_error(taken));
    }

    let hash = state.passwords.hash(req.password).await?;
    let id = new_id("user");
    let created_at = store::now();
    let new = NewUser {
        id: &id,
        username: &req.username,
        email: &req.email,
        password_hash: &hash,
        created_at,
    };
    state.store.insert_user(&new).await?.map_err(taken_error)?;
    tracing::info!(user_id = %id, "account registered");

    let user = AccountUser {
        id,
        username: req.username,
        email: req.email,
        created_at,
    };
    Ok(Data::created(start_session(&state, user).await?))
}

async fn login(
    State(state): State<AppState>,
    Json(req): Json<LoginRequest>,
) -> ApiResult<Data<AuthSession>> {
    validate::length("email", &req.email, 1, 254)?;
    validate::length("password", &req.password, 1, 128)?;
    let invalid = || ApiError::unauthenticated("Invalid email or password");
    let Some(row) = state.store.user_by_email(&req.email).await? else {
        // Spend the same time as a real check, so timing does not reveal accounts.
        let _ = state.passwords.hash(req.password).await;
        return Err(invalid());
    };
    if !state
        .passwords
        .verify(req.password, row.password_hash.clone())
        .await?
    {
        return Err(invalid());
    }
    let user = AccountUser {
        id: row.id,
        username: row.username,
        email: row.email,
        created_at: row.created_at,
    };
    Ok(Data::ok(start_session(&state, user).await?))
}

/// An access token and a refresh token of a new family.
async fn start_session(state: &AppState, user: AccountUser) -> ApiResult<AuthSession> {
    let family_id = new_id("fam");
    let (token, expires_at) = issue_access_token(
        &state.secrets,
        &user.id,
        &family_id,
        Duration::seconds(state.config.access_token_ttl_secs),
    )?;
    let refresh_token = new_refresh_token();
    let now = store::now();
    state
        .store
        .insert_refresh_token(&NewRefreshToken {
            id: &new_id("rt"),
            token_hash: &sha256_hex(&refresh_token),
            family_id: &family_id,
            user_id: &user.id,
            created_at: now,
            expires_at: now + Duration::seconds(state.config.refresh_token_ttl_secs),
        })
        .await?;
    Ok(AuthSession {
        user,
        token,
        refresh_token,
        expires_at,
    })
}

async fn refresh(
    State(state): State<AppState>,
    Json(req): Json<RefreshRequest>,
) -> ApiResult<Data<TokenRefresh>> {
    validate::length("refresh_token", &req.refresh_token, 1, 512)?;
    let now = store::now();
    let mut tx = state.store.begin().await?;
    let outcome = rotate(&state, &mut tx, &req.refresh_token, now).await;
    // A reuse revokes the family: commit that even though the request fails.
    tx.commit().await?;
    let (user_id, family_id, new_token) = outcome?;
    let (token, expires_at) = issue_access_token(
        &state.secrets,
        &user_id,
        &family_id,
        Duration::seconds(state.config.access_token_ttl_secs),
    )?;
    Ok(Data::ok(TokenRefresh {
        token,
        expires_at,
        refresh_token: new_token,
    }))
}

/// Exchanges a refresh token for a new one of the same family; a token used before
/// revokes its whole family.
async fn rotate(
    state: &AppState,
    tx: &mut Tx,
    presented: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> ApiResult<(String, String, String)> {
    let invalid = |why: &str| ApiError::unauthenticated(format!("Invalid refresh token: {why}"));
    let Some(row) = accounts::refresh_token_by_hash(tx, &sha256_hex(presented)).await? else {
        return Err(invalid("unknown"));
    };
    if row.revoked_at.is_some() {
        return Err(invalid("revoked"));
    }
    if row.used_at.is_some() || !accounts::mark_refresh_token_used(tx, &row.id, now).await? {
        accounts::revoke_refresh_family(tx, &row.family_id, now).await?;
        tracing::warn!(user_id = %row.user_id, "refresh token reused; session family revoked");
        return Err(invalid(
            "already used; every session of this login is revoked",
        ));
    }
    if row.expires_at <= now {
        return Err(invalid("expired"));
    }
    let new_token = new_refresh_token();
    accounts::insert_refresh_token(
        tx,
        &NewRefreshToken {
            id: &new_id("rt"),
            token_hash: &sha256_hex(&new_token),
            family_id: &row.family_id,
            user_id: &row.user_id,
            created_at: now,
            expires_at: now + Duration::seconds(state.config.refresh_token_ttl_secs),
        },
    )
    .await?;
    Ok((row.user_id, row.family_id, new_token))
}

async fn me(State(state): State<AppState>, user: AuthUser) -> ApiResult<Data<MeResponse>> {
    let row = state
        .store
        .user_by_id(&user.id)
        .await?
        .ok_or_else(|| ApiError::not_found("User"))?;
    let counters = state.store.user_counters(&user.id).await?;
    Ok(Data::ok(MeResponse {
        user: current_user(row, counters),
    }))
}

fn current_user(row: UserRow, c: store::users::UserCounters) -> CurrentUser {
    CurrentUser {
        display_name: row.display_name.unwrap_or_else(|| row.username.clone()),
        id: row.id,
        username: row.username,
        email: row.email,
        avatar_url: row.avatar_url,
        bio: row.bio,
        tier: row.tier.parse().unwrap_or(Tier::Free),
        stats: CurrentUserStats {
            animations_created: c.owned,
            total_downloads: c.downloads,
            followers: c.followers,
        },
        created_at: row.created_at,
    }
}
