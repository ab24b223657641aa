//! The catalogue: list, get, update, delete, download, like, unlike, source. Upload is
//! in [`super::upload`].

use animaforge_api::{
    AnimationList, AnimationResponse, AnimationSort, AnimationStatus, ErrorCode, LikeState,
    ListAnimationsQuery, MessageResponse, Pagination, SortOrder, SourceCode,
    UpdateAnimationRequest,
};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::net::SocketAddr;

use super::{upload, validate, views};
use crate::analytics_hooks::{self, Visit};
use crate::app::AppState;
use crate::http::{ApiError, ApiResult, AuthUser, ClientAddr, Data, Json, MaybeUser, Path, Query};
use crate::store::animations::{AnimationChanges, AnimationRow};
use crate::store::listing::{ListFilter, SortKey};
use crate::store::{self, purchases};

/// `/animations` and `/animations/{id}/...`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/animations",
            get(list).post(upload::upload).layer(upload::body_limit()),
        )
        .route("/animations/{id}", get(get_one).put(update).delete(remove))
        .route("/animations/{id}/download", get(download))
        .route("/animations/{id}/like", post(like).delete(unlike))
        .route("/animations/{id}/source", get(source))
}

/// Turns the documented query into a store filter (also used by user listings).
pub fn list_filter(
    q: &ListAnimationsQuery,
    owner_id: Option<String>,
    viewer_id: Option<String>,
) -> ApiResult<ListFilter> {
    let (page, per_page) = validate::pagination(q.page, q.per_page)?;
    // Every word counts (200 characters make at most 100 words); words are runs of
    // letters and digits, so quotes and brackets never match the stored tag list.
    // Text without any word matches nothing.
    let (search_words, search_unmatchable) = match &q.search {
        Some(s) => {
            validate::length("search", s, 0, 200)?;
            let words: Vec<String> = s
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_owned)
                .collect();
            let unmatchable = words.is_empty() && !s.trim().is_empty();
            (words, unmatchable)
        }
        None => (vec![], false),
    };
    let sort = match q.sort.unwrap_or(AnimationSort::CreatedAt) {
        AnimationSort::CreatedAt => SortKey::CreatedAt,
        AnimationSort::UpdatedAt => SortKey::UpdatedAt,
        AnimationSort::Title => SortKey::Title,
        AnimationSort::Views => SortKey::Views,
        AnimationSort::Downloads => SortKey::Downloads,
        AnimationSort::Likes => SortKey::Likes,
        AnimationSort::Price => SortKey::Price,
        AnimationSort::Duration => SortKey::Duration,
    };
    Ok(ListFilter {
        owner_id,
        viewer_id,
        category: q.category.map(|c| c.as_str().to_owned()),
        license: q.license.map(|l| l.as_str().to_owned()),
        free: q.free,
        search_words,
        search_unmatchable,
        sort,
        descending: q.order.unwrap_or(SortOrder::Desc) == SortOrder::Desc,
        page,
        per_page,
    })
}

/// One page of the catalogue as the API returns it.
pub async fn list_page(state: &AppState, filter: &ListFilter) -> ApiResult<AnimationList> {
    let (rows, total) = state.store.list_animations(filter).await?;
    Ok(AnimationList {
        animations: rows.iter().map(|r| views::summary(state, r)).collect(),
        pagination: Pagination::new(filter.page, filter.per_page, total),
    })
}

async fn list(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Query(q): Query<ListAnimationsQuery>,
) -> ApiResult<Data<AnimationList>> {
    let filter = list_filter(&q, None, user.map(|u| u.id))?;
    Ok(Data::ok(list_page(&state, &filter).await?))
}

/// The animation if the caller may see it: ready ones to everyone, others to the owner.
pub async fn visible(state: &AppState, id: &str, caller: Option<&str>) -> ApiResult<AnimationRow> {
    match state.store.animation(id).await? {
        Some(row)
            if row.status == AnimationStatus::Ready.as_str()
                || caller == Some(row.owner_id.as_str()) =>
        {
            Ok(row)
        }
        _ => Err(ApiError::not_found("Animation")),
    }
}

/// The animation if `user` owns it: 404 when missing or when someone else's and not
/// `ready` (its existence does not leak), 403 when someone else's.
pub async fn owned(state: &AppState, id: &str, user: &AuthUser) -> ApiResult<AnimationRow> {
    let row = visible(state, id, Some(&user.id)).await?;
    if row.owner_id != user.id {
        return Err(ApiError::forbidden(
            "Only the animation's creator may change it",
        ));
    }
    Ok(row)
}

fn visit(user: Option<&AuthUser>, addr: Option<SocketAddr>, headers: &HeaderMap) -> Visit {
    Visit {
        user_id: user.map(|u| u.id.clone()),
        client_ip: addr.map(|a| a.ip().to_string()),
        referrer: headers
            .get(header::REFERER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        headers: headers.clone(),
    }
}

async fn get_one(
    State(state): State<AppState>,
    method: Method,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> ApiResult<Data<AnimationResponse>> {
    let mut row = visible(&state, &id, user.as_ref().map(|u| u.id.as_str())).await?;
    // A view of a ready animation by anyone but its owner (an owner checking on an
    // upload or a generation is not an audience); HEAD changes nothing.
    let by_owner = user.as_ref().is_some_and(|u| u.id == row.owner_id);
    if row.status == AnimationStatus::Ready.as_str() && !by_owner && method != Method::HEAD {
        state.store.count_animation_view(&id).await?;
        row.views += 1;
        let visit = visit(user.as_ref(), addr, &headers);
        analytics_hooks::animation_viewed(&state, &id, &visit).await;
    }
    let versions = state.store.animation_versions(&id).await?;
    Ok(Data::ok(AnimationResponse {
        animation: views::detail(&state, &row, &versions),
    }))
}

async fn update(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
    Json(req): Json<UpdateAnimationRequest>,
) -> ApiResult<Data<AnimationResponse>> {
    owned(&state, &id, &user).await?;
    if let Some(t) = &req.title {
        validate::length("title", t, 1, 200)?;
    }
    if let Some(d) = &req.description {
        validate::length("description", d, 0, 5000)?;
    }
    if let Some(t) = &req.tags {
        validate::tags("tags", t)?;
    }
    if let Some(p) = req.price {
        validate::price("price", p)?;
    }
    if let Some(c) = &req.changelog {
        validate::length("changelog", c, 1, 500)?;
    }
    let changes = AnimationChanges {
        title: req.title,
        description: req.description,
        tags: req.tags,
        price_cents: req.price.map(|p| p.cents()),
        license: req.license.map(|l| l.as_str().to_owned()),
        category: req.category.map(|c| c.as_str().to_owned()),
        changelog: req.changelog,
    };
    state
        .store
        .update_animation(&id, &changes, store::now())
        .await?;
    let row = state
        .store
        .animation(&id)
        .await?
        .ok_or_else(|| ApiError::not_found("Animation"))?;
    let versions = state.store.animation_versions(&id).await?;
    Ok(Data::ok(AnimationResponse {
        animation: views::detail(&state, &row, &versions),
    }))
}

async fn remove(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<MessageResponse>> {
    let row = owned(&state, &id, &user).await?;
    state.store.delete_animation(&id).await?;
    for object in [row.video_object.as_deref(), row.thumbnail_object.as_deref()]
        .into_iter()
        .flatten()
    {
        if let Err(err) = state.storage.delete(object).await {
            tracing::warn!(animation_id = %id, error = %err, "deleting a file failed");
        }
    }
    tracing::info!(animation_id = %id, "animation deleted");
    Ok(Data::ok(MessageResponse {
        message: "Animation deleted successfully".into(),
    }))
}

/// Whether the caller may download (and read the source of) `row`: free, owned or
/// purchased. Anonymous callers of a paid animation get 401, others 403.
async fn may_download(state: &AppState, row: &AnimationRow, user: &AuthUser) -> ApiResult<()> {
    if row.price_cents == 0 {
        return Ok(());
    }
    if user.id == row.owner_id || purchases::owns(&state.store, &user.id, &row.id).await? {
        return Ok(());
    }
    Err(ApiError::forbidden(
        "Purchase this animation to download it",
    ))
}

async fn download(
    State(state): State<AppState>,
    method: Method,
    user: AuthUser,
    Path(id): Path<String>,
    ClientAddr(addr): ClientAddr,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let row = visible(&state, &id, Some(&user.id)).await?;
    may_download(&state, &row, &user).await?;
    let Some(object) = row
        .video_object
        .as_deref()
        .filter(|_| row.status == AnimationStatus::Ready.as_str())
    else {
        // Only the owner sees an animation that is not ready (`visible`).
        let why = if row.status == AnimationStatus::Failed.as_str() {
            "Processing the animation failed; it has no video"
        } else {
            "The animation is still processing; its video is not ready yet"
        };
        return Err(ApiError::new(ErrorCode::Conflict, why));
    };
    if method != Method::HEAD {
        state.store.count_animation_download(&id).await?;
        let visit = visit(Some(&user), addr, &headers);
        analytics_hooks::animation_downloaded(&state, &id, &visit).await;
    }
    let url =
        state
            .storage
            .signed_url(&state.public_base, object, state.config.signed_url_ttl_secs);
    Ok((StatusCode::FOUND, [(header::LOCATION, url)]).into_response())
}

async fn set_like(
    state: &AppState,
    user: &AuthUser,
    id: &str,
    like: bool,
) -> ApiResult<Data<LikeState>> {
    visible(state, id, Some(&user.id)).await?;
    let (changed, like_count) = state.store.set_like(&user.id, id, like).await?;
    if changed {
        analytics_hooks::animation_liked(state, id, &user.id, like).await;
    }
    Ok(Data::ok(LikeState {
        liked: like,
        like_count,
    }))
}

async fn like(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<LikeState>> {
    set_like(&state, &user, &id, true).await
}

async fn unlike(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<LikeState>> {
    set_like(&state, &user, &id, false).await
}

async fn source(
    State(state): State<AppState>,
    MaybeUser(user): MaybeUser,
    Path(id): Path<String>,
) -> ApiResult<Data<SourceCode>> {
    let row = visible(&state, &id, user.as_ref().map(|u| u.id.as_str())).await?;
    let Some(source_code) = row.source_code.clone() else {
        return Err(ApiError::not_found("Source code"));
    };
    match &user {
        Some(user) => may_download(&state, &row, user).await?,
        None if row.price_cents > 0 => {
            return Err(ApiError::unauthenticated(
                "Sign in to read the source of a paid animation",
            ));
        }
        None => {}
    }
    Ok(Data::ok(SourceCode {
        source_code,
        language: "python".into(),
        framework: "manim-community".into(),
        version: row
            .manim_version
            .clone()
            .unwrap_or_else(|| "unknown".into()),
    }))
}
