//! API keys: `POST /api-keys`, `GET /api-keys`, `DELETE /api-keys/{id}`.

use animaforge_api::{
    ApiKey, ApiKeyList, CreateApiKeyRequest, CreateApiKeyResponse, CreatedApiKey, MessageResponse,
};
use axum::Router;
use axum::extract::State;
use axum::routing::{delete, get};

use super::validate;
use crate::app::AppState;
use crate::credentials::{API_KEY_SHOWN, new_api_key, sha256_hex};
use crate::http::{ApiError, ApiResult, AuthUser, Data, Json, Path};
use crate::store::api_keys::ApiKeyRow;
use crate::store::{self, new_id};

/// `/api-keys`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api-keys", get(list).post(create))
        .route("/api-keys/{id}", delete(revoke))
}

async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateApiKeyRequest>,
) -> ApiResult<Data<CreateApiKeyResponse>> {
    validate::length("name", &req.name, 1, 100)?;
    let now = store::now();
    if req.expires_at.is_some_and(|at| at <= now) {
        return Err(ApiError::validation("expires_at", "must be in the future"));
    }
    let key = new_api_key();
    let row = ApiKeyRow {
        id: new_id("key"),
        user_id: user.id.clone(),
        name: req.name,
        prefix: key[..API_KEY_SHOWN].to_owned(),
        key_hash: sha256_hex(&key),
        created_at: now,
        last_used_at: None,
        expires_at: req.expires_at,
    };
    state.store.insert_api_key(&row).await?;
    tracing::info!(user_id = %user.id, key_id = %row.id, "API key created");
    Ok(Data::created(CreateApiKeyResponse {
        api_key: CreatedApiKey {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            key,
            created_at: row.created_at,
            expires_at: row.expires_at,
        },
    }))
}

async fn list(State(state): State<AppState>, user: AuthUser) -> ApiResult<Data<ApiKeyList>> {
    let rows = state.store.list_api_keys(&user.id).await?;
    let api_keys = rows
        .into_iter()
        .map(|r| ApiKey {
            id: r.id,
            name: r.name,
            prefix: r.prefix,
            created_at: r.created_at,
            last_used_at: r.last_used_at,
            expires_at: r.expires_at,
        })
        .collect();
    Ok(Data::ok(ApiKeyList { api_keys }))
}

async fn revoke(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<MessageResponse>> {
    if state
        .store
        .revoke_api_key(&user.id, &id, store::now())
        .await?
    {
        tracing::info!(user_id = %user.id, key_id = %id, "API key revoked");
        return Ok(Data::ok(MessageResponse {
            message: "API key revoked".into(),
        }));
    }
    // Another account's key is as invisible as a missing one: its existence is private.
    Err(ApiError::not_found("API key"))
}
