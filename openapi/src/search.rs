//! Full-text search and autocomplete.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::animations::AnimationSummary;
use crate::common::{Category, License, Pagination, SortOrder, wire_enum};

wire_enum! {
    /// Sort keys of search.
    pub enum SearchSort {
        /// Best match first (the default).
        Relevance = "relevance",
        /// Creation time.
        CreatedAt = "created_at",
        /// Last update.
        UpdatedAt = "updated_at",
        /// Title.
        Title = "title",
        /// View count.
        Views = "views",
        /// Download count.
        Downloads = "downloads",
        /// Like count.
        Likes = "likes",
        /// Price.
        Price = "price",
        /// Duration.
        Duration = "duration",
    }
}

/// Query of `GET /search`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchQuery {
    /// The words to look for; any text is accepted. Empty matches everything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(max = 10000))]
    pub q: Option<String>,
    /// Only this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Only animations at least this long, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub min_duration: Option<f64>,
    /// Only animations at most this long, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0))]
    pub max_duration: Option<f64>,
    /// Only this licence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// `true`: only free; `false`: only priced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free: Option<bool>,
    /// Sort key (default `relevance`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<SearchSort>,
    /// Sort order (default `desc`; relevance is always best first).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order: Option<SortOrder>,
    /// Page number, from 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1))]
    pub page: Option<u32>,
    /// Items per page, 1 to 100 (default 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 100))]
    pub per_page: Option<u32>,
}

/// Matched fragments, HTML-escaped, with matched terms in `<em>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchHighlights {
    /// The title with matches marked.
    pub title: String,
    /// A fragment of the description with matches marked.
    pub description: String,
}

/// One search hit: the animation as listed, with its score and highlights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchResult {
    /// The animation.
    #[serde(flatten)]
    pub animation: AnimationSummary,
    /// Relevance, 0 to 1, 1 the best in the result.
    #[schemars(range(min = 0, max = 1))]
    pub score: f64,
    /// Matched fragments.
    pub highlights: SearchHighlights,
}

/// Counts over the whole filtered result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchFacets {
    /// Hits per category.
    pub categories: BTreeMap<String, u64>,
    /// Hits per licence.
    pub licenses: BTreeMap<String, u64>,
}

/// `data` of `GET /search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct SearchResponse {
    /// One page of hits.
    pub results: Vec<SearchResult>,
    /// Counts over the whole result.
    pub facets: SearchFacets,
    /// Where the page sits.
    pub pagination: Pagination,
}

/// Query of `GET /search/autocomplete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AutocompleteQuery {
    /// The prefix typed so far.
    #[schemars(length(max = 200))]
    pub q: String,
    /// At most this many suggestions, 1 to 20 (default 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 20))]
    pub limit: Option<u32>,
}

/// `data` of `GET /search/autocomplete`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AutocompleteResponse {
    /// Suggestions, best first, lower case.
    pub suggestions: Vec<String>,
}
