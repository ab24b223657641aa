//! Templates, users, search, marketplace and analytics.

use animaforge_api::{
    AnimationAnalytics, AnimationList, AnimationSummary, AutocompleteQuery, AutocompleteResponse,
    Dashboard, DateRangeQuery, FeaturedList, FollowState, ListAnimationsQuery, Purchase,
    PurchaseList, PurchaseListItem, PurchaseRequest, PurchaseResponse, PurchasesQuery, SearchQuery,
    SearchResponse, SearchResult, Template, TemplateList, TrendingList, TrendingQuery, UserProfile,
    UserProfileResponse,
};
use http::Method;

use super::new_idempotency_key;
use crate::call::Call;
use crate::client::AnimaForge;
use crate::pagination::PageCall;
use crate::transport::RequestSpec;

/// Scene templates. Get it from [`AnimaForge::templates`].
#[derive(Debug, Clone)]
pub struct Templates {
    pub(crate) client: AnimaForge,
}

impl Templates {
    /// Every template (`GET /templates`).
    pub fn list(&self) -> Call<Vec<Template>> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["templates"]),
            |d: TemplateList| d.templates,
        )
    }
}

/// Public profiles and following. Get it from [`AnimaForge::users`].
#[derive(Debug, Clone)]
pub struct Users {
    pub(crate) client: AnimaForge,
}

impl Users {
    /// A public profile (`GET /users/{id}`).
    pub fn get(&self, id: &str) -> Call<UserProfile> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["users", id]),
            |d: UserProfileResponse| d.user,
        )
    }

    /// A user's animations (`GET /users/{id}/animations`); `.stream()` pages through all.
    pub fn animations(&self, id: &str, query: ListAnimationsQuery) -> PageCall<AnimationSummary> {
        PageCall::new::<AnimationList>(
            &self.client,
            RequestSpec::get(&["users", id, "animations"]).query(&query),
        )
    }

    /// Follows a user (`POST /users/{id}/follow`).
    pub fn follow(&self, id: &str) -> Call<FollowState> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::POST, &["users", id, "follow"]),
            |d: FollowState| d,
        )
    }

    /// Unfollows a user (`DELETE /users/{id}/follow`).
    pub fn unfollow(&self, id: &str) -> Call<FollowState> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::DELETE, &["users", id, "follow"]),
            |d: FollowState| d,
        )
    }
}

/// Search. Get it from [`AnimaForge::search`].
#[derive(Debug, Clone)]
pub struct Search {
    pub(crate) client: AnimaForge,
}

impl Search {
    /// Searches for `text` with the default filters (`GET /search?q=...`).
    pub fn search(&self, text: impl Into<String>) -> PageCall<SearchResult> {
        self.query(SearchQuery {
            q: Some(text.into()),
            ..SearchQuery::default()
        })
    }

    /// Searches with every filter (`GET /search`); `.stream()` pages through all hits.
    /// The page's `facets` hold the counts.
    pub fn query(&self, query: SearchQuery) -> PageCall<SearchResult> {
        PageCall::new::<SearchResponse>(&self.client, RequestSpec::get(&["search"]).query(&query))
    }

    /// Suggestions for a prefix (`GET /search/autocomplete`).
    pub fn autocomplete(&self, prefix: impl Into<String>, limit: Option<u32>) -> Call<Vec<String>> {
        let query = AutocompleteQuery {
            q: prefix.into(),
            limit,
        };
        let spec = RequestSpec::get(&["search", "autocomplete"]).query(&query);
        Call::try_mapped(&self.client, spec, |d: AutocompleteResponse| d.suggestions)
    }
}

/// The marketplace. Get it from [`AnimaForge::marketplace`].
#[derive(Debug, Clone)]
pub struct Marketplace {
    pub(crate) client: AnimaForge,
}

impl Marketplace {
    /// Featured animations (`GET /marketplace/featured`).
    pub fn featured(&self) -> Call<Vec<AnimationSummary>> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["marketplace", "featured"]),
            |d: FeaturedList| d.featured,
        )
    }

    /// Trending animations (`GET /marketplace/trending`).
    pub fn trending(&self, query: TrendingQuery) -> Call<Vec<AnimationSummary>> {
        let spec = RequestSpec::get(&["marketplace", "trending"]).query(&query);
        Call::try_mapped(&self.client, spec, |d: TrendingList| d.trending)
    }

    /// Buys an animation (`POST /marketplace/purchase`). An `Idempotency-Key` is minted
    /// for the call and sent on every attempt, so a retry never charges twice.
    pub fn purchase(
        &self,
        animation_id: impl Into<String>,
        payment_method: impl Into<String>,
    ) -> Call<Purchase> {
        let body = PurchaseRequest {
            animation_id: animation_id.into(),
            payment_method: payment_method.into(),
        };
        let spec = RequestSpec::post_json(&["marketplace", "purchase"], &body).map(|mut spec| {
            spec.idempotency_key = Some(new_idempotency_key());
            spec
        });
        Call::try_mapped(&self.client, spec, |d: PurchaseResponse| d.purchase)
    }

    /// The caller's purchases (`GET /marketplace/purchases`); `.stream()` pages through all.
    pub fn purchases(&self, query: PurchasesQuery) -> PageCall<PurchaseListItem> {
        PageCall::new::<PurchaseList>(
            &self.client,
            RequestSpec::get(&["marketplace", "purchases"]).query(&query),
        )
    }
}

/// Creator analytics. Get it from [`AnimaForge::analytics`].
#[derive(Debug, Clone)]
pub struct Analytics {
    pub(crate) client: AnimaForge,
}

impl Analytics {
    /// The caller's dashboard (`GET /analytics/dashboard`).
    pub fn dashboard(&self, range: DateRangeQuery) -> Call<Dashboard> {
        let spec = RequestSpec::get(&["analytics", "dashboard"]).query(&range);
        Call::try_mapped(&self.client, spec, |d: Dashboard| d)
    }

    /// One animation's analytics (`GET /analytics/animations/{id}`).
    pub fn animation(&self, id: &str, range: DateRangeQuery) -> Call<AnimationAnalytics> {
        let spec = RequestSpec::get(&["analytics", "animations", id]).query(&range);
        Call::try_mapped(&self.client, spec, |d: AnimationAnalytics| d)
    }
}
