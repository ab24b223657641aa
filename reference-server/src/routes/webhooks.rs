//! Webhook endpoints: `POST /webhooks`, `GET /webhooks`, `DELETE /webhooks/{id}`.

use animaforge_api::{
    CreateWebhookRequest, MessageResponse, Webhook, WebhookEventType, WebhookList, WebhookResponse,
    WebhookStatus,
};
use axum::Router;
use axum::extract::State;
use axum::routing::{delete, get};

use crate::app::AppState;
use crate::http::{ApiError, ApiResult, AuthUser, Data, Json, Path};
use crate::store::webhooks::{self as db, WebhookRow};
use crate::store::{self, new_id};
use crate::webhooks::target::{self, AllowList};

/// `/webhooks`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks", get(list).post(create))
        .route("/webhooks/{id}", delete(remove))
}

async fn create(
    State(state): State<AppState>,
    user: AuthUser,
    Json(req): Json<CreateWebhookRequest>,
) -> ApiResult<Data<WebhookResponse>> {
    let url =
        target::check_url(&req.url).map_err(|e| ApiError::validation("url", e.to_string()))?;
    if req.events.is_empty() {
        return Err(ApiError::validation(
            "events",
            "must name at least one event",
        ));
    }
    let secret_len = req.secret.chars().count();
    if !(16..=256).contains(&secret_len) {
        return Err(ApiError::validation(
            "secret",
            "must be 16 to 256 characters",
        ));
    }
    let allow = AllowList::new(&state.config.webhooks.webhook_allow_hosts);
    target::check_resolved(&url, &allow)
        .await
        .map_err(|e| ApiError::validation("url", e.to_string()))?;

    let mut events = req.events.clone();
    events.sort();
    events.dedup();
    let row = WebhookRow {
        id: new_id("webhook"),
        user_id: user.id.clone(),
        url: req.url.clone(),
        events: serde_json::to_string(&events).map_err(ApiError::internal)?,
        secret: req.secret.clone(),
        status: WebhookStatus::Active.as_str().to_owned(),
        created_at: store::now(),
    };
    db::insert_webhook(&state.store, &row).await?;
    tracing::info!(webhook_id = %row.id, user_id = %user.id, "webhook registered");
    Ok(Data::created(WebhookResponse {
        webhook: wire(&row),
    }))
}

async fn list(State(state): State<AppState>, user: AuthUser) -> ApiResult<Data<WebhookList>> {
    let rows = db::list_webhooks(&state.store, &user.id).await?;
    Ok(Data::ok(WebhookList {
        webhooks: rows.iter().map(wire).collect(),
    }))
}

async fn remove(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<MessageResponse>> {
    if !db::delete_webhook(&state.store, &user.id, &id).await? {
        return Err(ApiError::not_found("Webhook"));
    }
    tracing::info!(webhook_id = %id, "webhook deleted");
    Ok(Data::ok(MessageResponse {
        message: "Webhook deleted".into(),
    }))
}

/// The endpoint as the API shows it (never the secret).
fn wire(row: &WebhookRow) -> Webhook {
    let events: Vec<WebhookEventType> = serde_json::from_str(&row.events).unwrap_or_default();
    Webhook {
        id: row.id.clone(),
        url: row.url.clone(),
        events,
        status: row.status.parse().unwrap_or(WebhookStatus::Disabled),
        created_at: row.created_at,
    }
}
