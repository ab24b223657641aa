//! Users: `/users/{id}`, `/users/{id}/animations`, `/users/{id}/follow`.

use animaforge_api::{
    AnimationList, FollowState, ListAnimationsQuery, UserProfile, UserProfileResponse, UserStats,
};
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};

use super::animations::{list_filter, list_page};
use crate::app::AppState;
use crate::http::{ApiError, ApiResult, AuthUser, Data, MaybeUser, Path, Query};
use crate::store::accounts::UserRow;
use crate::store::social;
use crate::webhook_hooks;

/// `/users/{id}/*`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/users/{id}", get(profile))
        .route("/users/{id}/animations", get(animations))
        .route("/users/{id}/follow", post(follow).delete(unfollow))
}

/// The user by id, or by username as a convenience.
async fn user(state: &AppState, id: &str) -> ApiResult<UserRow> {
    if let Some(row) = state.store.user_by_id(id).await? {
        return Ok(row);
    }
    if !id.starts_with("user_")
        && let Some(row) = state.store.user_by_handle(id).await?
        && row.username.eq_ignore_ascii_case(id)
    {
        return Ok(row);
    }
    Err(ApiError::not_found("User"))
}

async fn profile(
    State(state): State<AppState>,
    // Optional, but invalid credentials are refused like everywhere.
    MaybeUser(_caller): MaybeUser,
    Path(id): Path<String>,
) -> ApiResult<Data<UserProfileResponse>> {
    let row = user(&state, &id).await?;
    let c = state.store.user_counters(&row.id).await?;
    let mut badges = vec![];
    if c.accounts_before < 1000 {
        badges.push("early_adopter".to_owned());
    }
    if c.likes_received >= 100 {
        badges.push("top_creator".to_owned());
    }
    if c.published >= 10 {
        badges.push("prolific".to_owned());
    }
    Ok(Data::ok(UserProfileResponse {
        user: UserProfile {
            display_name: row.display_name.unwrap_or_else(|| row.username.clone()),
            id: row.id,
            username: row.username,
            bio: row.bio,
            avatar_url: row.avatar_url,
            stats: UserStats {
                animations: c.published,
                downloads: c.downloads,
                likes_received: c.likes_received,
                followers: c.followers,
                following: c.following,
            },
            badges,
            joined_at: row.created_at,
        },
    }))
}

async fn animations(
    State(state): State<AppState>,
    MaybeUser(caller): MaybeUser,
    Path(id): Path<String>,
    Query(q): Query<ListAnimationsQuery>,
) -> ApiResult<Data<AnimationList>> {
    let row = user(&state, &id).await?;
    let filter = list_filter(&q, Some(row.id), caller.map(|u| u.id))?;
    Ok(Data::ok(list_page(&state, &filter).await?))
}

async fn set_follow(
    state: &AppState,
    me: &AuthUser,
    id: &str,
    follow: bool,
) -> ApiResult<Data<FollowState>> {
    let target = user(state, id).await?;
    if target.id == me.id {
        return Err(ApiError::validation("id", "cannot follow yourself"));
    }
    let mut tx = state.store.begin().await?;
    let (changed, follower_count) = social::set_follow(&mut tx, &me.id, &target.id, follow).await?;
    if changed && follow {
        webhook_hooks::user_followed(&mut tx, &me.id, &target.id).await?;
    }
    tx.commit().await?;
    Ok(Data::ok(FollowState {
        following: follow,
        follower_count,
    }))
}

async fn follow(
    State(state): State<AppState>,
    me: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<FollowState>> {
    set_follow(&state, &me, &id, true).await
}

async fn unfollow(
    State(state): State<AppState>,
    me: AuthUser,
    Path(id): Path<String>,
) -> ApiResult<Data<FollowState>> {
    set_follow(&state, &me, &id, false).await
}
