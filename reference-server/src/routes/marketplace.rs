//! The marketplace: `/marketplace/featured`, `/marketplace/trending`,
//! `/marketplace/purchase`, `/marketplace/purchases`.

mod trending;

use animaforge_api::{
    AnimationPurchasedData, ErrorCode, ErrorDetails, FeaturedList, Money, Pagination, Purchase,
    PurchaseList, PurchaseListItem, PurchaseRequest, PurchaseResponse, PurchaseStatus,
    PurchasedAnimation, PurchasesQuery, Timeframe, TrendingList, TrendingQuery, WebhookEventType,
};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use sha2::{Digest, Sha256};

use super::views;
use crate::analytics_hooks::{self, Visit};
use crate::app::AppState;
use crate::http::{ApiError, ApiResult, AuthUser, ClientAddr, Data, Json, MaybeUser, Query};
use crate::payments::{ChargeRequest, PaymentError, PaymentProvider, TestProvider};
use crate::store::marketplace::{self as db, KeyClaim, PurchaseRow};
use crate::store::{self, analytics};

/// The currency of every price.
const CURRENCY: &str = "USD";

/// `/marketplace/...`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/marketplace/featured", get(featured))
        .route("/marketplace/trending", get(trending))
        .route("/marketplace/purchase", post(purchase))
        .route("/marketplace/purchases", get(purchases))
}

async fn featured(
    State(state): State<AppState>,
    MaybeUser(_user): MaybeUser,
) -> ApiResult<Data<FeaturedList>> {
    let rows = db::featured(&state.store).await?;
    Ok(Data::ok(FeaturedList {
        featured: rows.iter().map(|r| views::summary(&state, r)).collect(),
    }))
}

async fn trending(
    State(state): State<AppState>,
    MaybeUser(_user): MaybeUser,
    Query(q): Query<TrendingQuery>,
) -> ApiResult<Data<TrendingList>> {
    let limit = q.limit.unwrap_or(10);
    if !(1..=50).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 50"));
    }
    let (window, half_life) = trending::window(q.timeframe.unwrap_or(Timeframe::Week));
    let now = chrono::Utc::now().timestamp();
    let since = window.map_or(0, |w| now - w);
    let buckets = analytics::activity_since(&state.store, since).await?;
    let mut ranked = trending::rank(&buckets, now, half_life);
    ranked.truncate(usize::try_from(limit).unwrap_or(10));
    let rows = db::ready_animations(&state.store, &ranked).await?;
    let trending = ranked
        .iter()
        .filter_map(|id| rows.iter().find(|r| &r.id == id))
        .map(|r| views::summary(&state, r))
        .collect();
    Ok(Data::ok(TrendingList { trending }))
}

/// The `Idempotency-Key` header, validated.
fn idempotency_key(headers: &HeaderMap) -> ApiResult<Option<String>> {
    let Some(value) = headers.get("idempotency-key") else {
        return Ok(None);
    };
    let bad = || ApiError::validation("Idempotency-Key", "must be 1 to 255 visible characters");
    let text = value.to_str().map_err(|_| bad())?;
    if text.is_empty() || text.len() > 255 || !text.bytes().all(|b| (0x21..0x7f).contains(&b)) {
        return Err(bad());
    }
    Ok(Some(text.to_owned()))
}

async fn purchase(
    State(state): State<AppState>,
    user: AuthUser,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
    Json(req): Json<PurchaseRequest>,
) -> ApiResult<Response> {
    if req.animation_id.is_empty() || req.animation_id.len() > 64 {
        return Err(ApiError::validation(
            "animation_id",
            "must be 1 to 64 characters",
        ));
    }
    if !TestProvider::accepts(&req.payment_method) {
        return Err(ApiError::validation(
            "payment_method",
            "must be a payment method: card_ followed by letters, digits or _",
        ));
    }
    let key = idempotency_key(&headers)?;
    let visit = Visit {
        user_id: Some(user.id.clone()),
        client_ip: addr.map(|a| a.ip().to_string()),
        referrer: None,
        headers: headers.clone(),
    };
    let Some(key) = key else {
        let (status, body) = buy(&state, &user, &req, None, &visit).await?;
        return Ok(Data(status, body).into_response());
    };

    let hash = hex::encode(Sha256::digest(
        serde_json::to_vec(&req).map_err(ApiError::internal)?,
    ));
    match db::claim_key(&state.store, &user.id, &key, &hash).await? {
        KeyClaim::Claimed => {}
        KeyClaim::Replay(status, body) => {
            let data: serde_json::Value =
                serde_json::from_str(&body).map_err(ApiError::internal)?;
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
            return Ok(Data(status, data).into_response());
        }
        KeyClaim::Mismatch => {
            return Err(key_conflict(
                "This Idempotency-Key was used with a different body",
            ));
        }
        KeyClaim::InFlight => {
            return Err(key_conflict(
                "The first request with this Idempotency-Key is still running",
            ));
        }
    }
    match buy(&state, &user, &req, Some(&key), &visit).await {
        Ok((status, body)) => {
            let text = serde_json::to_string(&body).map_err(ApiError::internal)?;
            db::complete_key(&state.store, &user.id, &key, status.as_u16(), &text).await?;
            Ok(Data(status, body).into_response())
        }
        Err(err) => {
            db::release_key(&state.store, &user.id, &key).await?;
            Err(err)
        }
    }
}

fn key_conflict(message: &str) -> ApiError {
    ApiError::new(ErrorCode::Conflict, message).with_details(ErrorDetails {
        field: Some("Idempotency-Key".into()),
        constraint: Some("must be used with one body, one request at a time".into()),
        ..ErrorDetails::default()
    })
}

/// Buys the animation, or returns the caller's existing purchase (200).
async fn buy(
    state: &AppState,
    user: &AuthUser,
    req: &PurchaseRequest,
    key: Option<&str>,
    visit: &Visit,
) -> ApiResult<(StatusCode, PurchaseResponse)> {
    let row = state
        .store
        .animation(&req.animation_id)
        .await?
        .filter(|r| r.status == "ready" || r.owner_id == user.id)
        .ok_or_else(|| ApiError::not_found("Animation"))?;
    if row.owner_id == user.id {
        return Err(ApiError::validation(
            "animation_id",
            "must not be your own animation",
        ));
    }
    if row.price_cents == 0 {
        return Err(ApiError::validation(
            "animation_id",
            "must be a priced animation; this one is free",
        ));
    }
    if let Some(existing) = db::purchase_of(&state.store, &user.id, &row.id).await? {
        return Ok((StatusCode::OK, response(state, &existing)));
    }

    // Charge first; record only what was paid.
    let provider = TestProvider::new(state.store.clone());
    let reference = match key {
        Some(k) => format!("purchase:{}:{k}", user.id),
        None => store::new_id("ref"),
    };
    let charge = provider
        .charge(&ChargeRequest {
            payment_method: req.payment_method.clone(),
            amount_cents: row.price_cents,
            currency: CURRENCY.into(),
            reference,
        })
        .await
        .map_err(payment_error)?;

    let purchase = PurchaseRow {
        id: store::new_id("purchase"),
        buyer_id: user.id.clone(),
        animation_id: row.id.clone(),
        seller_id: row.owner_id.clone(),
        title: row.title.clone(),
        amount_cents: row.price_cents,
        currency: CURRENCY.into(),
        status: PurchaseStatus::Completed.as_str().into(),
        provider: provider.name().into(),
        charge_id: charge.id.clone(),
        created_at: store::now(),
    };
    let committed = record(state, &purchase).await;
    if let Err(err) = committed {
        // A concurrent purchase of the same animation by the same buyer won: pay this
        // charge back and answer with that purchase.
        if let Err(refund) = provider.refund(&charge.id).await {
            tracing::error!(charge_id = %charge.id, error = %refund, "refund failed");
        }
        if store::unique_violation(&err).is_some()
            && let Some(existing) = db::purchase_of(&state.store, &user.id, &row.id).await?
        {
            return Ok((StatusCode::OK, response(state, &existing)));
        }
        return Err(err.into());
    }
    tracing::info!(purchase_id = %purchase.id, animation_id = %row.id, "purchase completed");
    analytics_hooks::animation_purchased(state, &row.id, visit, row.price_cents).await;
    Ok((StatusCode::CREATED, response(state, &purchase)))
}

/// Writes the purchase, its ledger entry and the seller's `animation.purchased` event
/// in one transaction.
async fn record(state: &AppState, p: &PurchaseRow) -> Result<(), sqlx::Error> {
    let data = AnimationPurchasedData {
        animation_id: p.animation_id.clone(),
        purchase_id: p.id.clone(),
        buyer_id: p.buyer_id.clone(),
        amount: Money::from_cents(p.amount_cents),
        currency: p.currency.clone(),
    };
    let data = serde_json::to_value(data).map_err(|e| sqlx::Error::Encode(Box::new(e)))?;
    let mut tx = state.store.begin().await?;
    db::insert_purchase(&mut tx, p).await?;
    crate::webhooks::outbox::enqueue(
        &mut tx,
        &p.seller_id,
        WebhookEventType::AnimationPurchased,
        data,
    )
    .await?;
    tx.commit().await
}

fn payment_error(err: PaymentError) -> ApiError {
    match err {
        PaymentError::Declined => ApiError::new(
            ErrorCode::PaymentDeclined,
            "The payment method was declined",
        )
        .with_details(ErrorDetails {
            field: Some("payment_method".into()),
            ..ErrorDetails::default()
        }),
        PaymentError::Provider(cause) => {
            tracing::warn!(error = %cause, "payment provider failed");
            ApiError::new(
                ErrorCode::PaymentProviderError,
                "The payment provider failed; nothing was charged. Try again later",
            )
        }
        PaymentError::InvalidMethod => {
            ApiError::validation("payment_method", "is not a known payment method")
        }
    }
}

fn response(state: &AppState, p: &PurchaseRow) -> PurchaseResponse {
    PurchaseResponse {
        purchase: Purchase {
            id: p.id.clone(),
            animation_id: p.animation_id.clone(),
            amount: Money::from_cents(p.amount_cents),
            currency: p.currency.clone(),
            status: p.status.parse().unwrap_or(PurchaseStatus::Completed),
            receipt_url: super::receipts::receipt_url(state, &p.id),
            created_at: p.created_at,
        },
    }
}

async fn purchases(
    State(state): State<AppState>,
    user: AuthUser,
    Query(q): Query<PurchasesQuery>,
) -> ApiResult<Data<PurchaseList>> {
    let page = q.page.unwrap_or(1);
    if page < 1 {
        return Err(ApiError::validation("page", "must be at least 1"));
    }
    let per_page = q.per_page.unwrap_or(20);
    if !(1..=100).contains(&per_page) {
        return Err(ApiError::validation(
            "per_page",
            "must be between 1 and 100",
        ));
    }
    let (rows, total) = db::list_purchases(&state.store, &user.id, page, per_page).await?;
    let purchases = rows
        .into_iter()
        .map(|r| {
            let p = r.purchase;
            PurchaseListItem {
                animation: PurchasedAnimation {
                    id: p.animation_id.clone(),
                    title: r.current_title.unwrap_or_else(|| p.title.clone()),
                    thumbnail_url: r.thumbnail_object.map(|o| {
                        state.storage.signed_url(
                            &state.public_base,
                            &o,
                            state.config.signed_url_ttl_secs,
                        )
                    }),
                    creator_username: r.creator_username.unwrap_or_default(),
                },
                id: p.id,
                amount: Money::from_cents(p.amount_cents),
                currency: p.currency,
                status: p.status.parse().unwrap_or(PurchaseStatus::Completed),
                created_at: p.created_at,
            }
        })
        .collect();
    Ok(Data::ok(PurchaseList {
        purchases,
        pagination: Pagination::new(page, per_page, total),
    }))
}
