//! Search and autocomplete: `/search`, `/search/autocomplete`.

pub(crate) mod text;

use animaforge_api::{
    AutocompleteQuery, AutocompleteResponse, Pagination, SearchFacets, SearchHighlights,
    SearchQuery, SearchResponse, SearchResult, SearchSort, SortOrder,
};
use axum::Router;
use axum::extract::State;
use axum::routing::get;

use super::views;
use crate::app::AppState;
use crate::http::{ApiError, ApiResult, Data, MaybeUser, Query};
use crate::store::search::{SearchFilter, SearchOrder};

/// Longest accepted query, in characters.
const MAX_QUERY_CHARS: usize = 10_000;
/// Longest query remembered for autocomplete, in characters.
const MAX_REMEMBERED_CHARS: usize = 100;

/// `/search` and `/search/autocomplete`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/search", get(search))
        .route("/search/autocomplete", get(autocomplete))
}

/// The store's filter for a validated query.
fn filter(q: &SearchQuery) -> ApiResult<SearchFilter> {
    let text = q.q.as_deref().unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::validation(
            "q",
            "must be at most 10000 characters",
        ));
    }
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
    for (field, value) in [
        ("min_duration", q.min_duration),
        ("max_duration", q.max_duration),
    ] {
        if value.is_some_and(|v| !v.is_finite() || v < 0.0) {
            return Err(ApiError::validation(field, "must be a non-negative number"));
        }
    }
    if let (Some(min), Some(max)) = (q.min_duration, q.max_duration)
        && min > max
    {
        return Err(ApiError::validation(
            "min_duration",
            "must not exceed max_duration",
        ));
    }
    let tokens = text::tokens(text);
    let order = match q.sort.unwrap_or(SearchSort::Relevance) {
        SearchSort::Relevance => SearchOrder::Relevance,
        SearchSort::CreatedAt => SearchOrder::CreatedAt,
        SearchSort::UpdatedAt => SearchOrder::UpdatedAt,
        SearchSort::Title => SearchOrder::Title,
        SearchSort::Views => SearchOrder::Views,
        SearchSort::Downloads => SearchOrder::Downloads,
        SearchSort::Likes => SearchOrder::Likes,
        SearchSort::Price => SearchOrder::Price,
        SearchSort::Duration => SearchOrder::Duration,
    };
    Ok(SearchFilter {
        phrase: tokens.join(" "),
        tokens,
        category: q.category.map(|c| c.as_str().to_owned()),
        license: q.license.map(|l| l.as_str().to_owned()),
        free: q.free,
        min_duration: q.min_duration,
        max_duration: q.max_duration,
        order,
        descending: q.order.unwrap_or(SortOrder::Desc) == SortOrder::Desc,
        page,
        per_page,
    })
}

async fn search(
    State(state): State<AppState>,
    MaybeUser(_user): MaybeUser,
    Query(q): Query<SearchQuery>,
) -> ApiResult<Data<SearchResponse>> {
    let f = filter(&q)?;
    // Text with no searchable word in it (only symbols, say) matches nothing; an empty
    // query matches everything.
    if f.tokens.is_empty() && !q.q.as_deref().unwrap_or_default().trim().is_empty() {
        return Ok(Data::ok(SearchResponse {
            results: vec![],
            facets: SearchFacets {
                categories: Default::default(),
                licenses: Default::default(),
            },
            pagination: Pagination::new(f.page, f.per_page, 0),
        }));
    }
    let page = state.store.search(&f).await?;

    if f.page == 1 && page.total > 0 && !f.phrase.is_empty() {
        remember_query(&state, &f.phrase);
    }
    let results = page
        .hits
        .iter()
        .map(|hit| SearchResult {
            animation: views::summary(&state, &hit.row),
            score: hit.score,
            highlights: SearchHighlights {
                title: text::highlight(&hit.row.title, &f.tokens),
                description: text::fragment(&hit.row.description, &f.tokens),
            },
        })
        .collect();
    Ok(Data::ok(SearchResponse {
        results,
        facets: SearchFacets {
            categories: page.categories,
            licenses: page.licenses,
        },
        pagination: Pagination::new(f.page, f.per_page, page.total),
    }))
}

/// Counts a query that found something among the autocomplete suggestions, in the
/// background so that the search does not wait for a write.
fn remember_query(state: &AppState, phrase: &str) {
    if phrase.chars().count() > MAX_REMEMBERED_CHARS {
        return;
    }
    let store = state.store.clone();
    let phrase = phrase.to_owned();
    state.tasks.spawn(async move {
        if let Err(err) = store.record_search_query(&phrase).await {
            tracing::warn!(error = %err, "recording a search query failed");
        }
    });
}

async fn autocomplete(
    State(state): State<AppState>,
    MaybeUser(_user): MaybeUser,
    Query(q): Query<AutocompleteQuery>,
) -> ApiResult<Data<AutocompleteResponse>> {
    if q.q.chars().count() > 200 {
        return Err(ApiError::validation("q", "must be at most 200 characters"));
    }
    let limit = q.limit.unwrap_or(5);
    if !(1..=20).contains(&limit) {
        return Err(ApiError::validation("limit", "must be between 1 and 20"));
    }
    // Control characters (NUL among them) are never part of a title, tag or query.
    let prefix: String =
        q.q.trim_start()
            .to_lowercase()
            .chars()
            .filter(|c| !c.is_control())
            .collect();
    let suggestions = if prefix.trim().is_empty() {
        vec![]
    } else {
        state.store.suggestions(&prefix, limit).await?
    };
    Ok(Data::ok(AutocompleteResponse { suggestions }))
}
