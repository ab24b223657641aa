//! Full-text search and autocomplete on both engines.
//!
//! SQLite ranks with FTS5's bm25 over `search_fts` (title weighted 10, tags 5,
//! description 2); PostgreSQL with `ts_rank` over the generated, GIN-indexed
//! `animations.search_vector` (title A, tags B, description C). Either way an exact
//! title match counts double, and the score is divided by the best score of the whole
//! result, so the best hit has 1. User text never reaches the query syntax: the caller
//! passes word tokens, which are quoted for FTS5 and given to `plainto_tsquery`.

use std::collections::BTreeMap;

use sqlx::FromRow;

use super::animations::{ANIMATION_COLUMNS, AnimationRow};
use super::{Engine, Param, Store, StoreResult, bind_params, on_pool};

/// Sort keys of search.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    /// Best match first, then newest (the default).
    #[default]
    Relevance,
    /// Creation time.
    CreatedAt,
    /// Last update.
    UpdatedAt,
    /// Title.
    Title,
    /// Views.
    Views,
    /// Downloads.
    Downloads,
    /// Likes.
    Likes,
    /// Price.
    Price,
    /// Duration.
    Duration,
}

impl SearchOrder {
    fn column(self) -> &'static str {
        match self {
            SearchOrder::Relevance => "raw",
            SearchOrder::CreatedAt => "a.created_at",
            SearchOrder::UpdatedAt => "a.updated_at",
            SearchOrder::Title => "a.title_lower",
            SearchOrder::Views => "a.views",
            SearchOrder::Downloads => "a.downloads",
            SearchOrder::Likes => "a.likes",
            SearchOrder::Price => "a.price_cents",
            SearchOrder::Duration => "COALESCE(a.duration, 0)",
        }
    }
}

/// What to look for and how to present it. Only `ready` animations are found.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// Lower-case word tokens, all of which must match; none matches everything.
    pub tokens: Vec<String>,
    /// The tokens joined by spaces: a title equal to it counts double.
    pub phrase: String,
    /// Category wire name.
    pub category: Option<String>,
    /// Licence wire name.
    pub license: Option<String>,
    /// `Some(true)`: price 0; `Some(false)`: priced.
    pub free: Option<bool>,
    /// Seconds, inclusive.
    pub min_duration: Option<f64>,
    /// Seconds, inclusive.
    pub max_duration: Option<f64>,
    /// Sort key.
    pub order: SearchOrder,
    /// Descending (ignored for relevance, which is always best first).
    pub descending: bool,
    /// From 1.
    pub page: u32,
    /// 1 to 100.
    pub per_page: u32,
}

/// One hit: the animation and its score in 0..=1.
#[derive(Debug, Clone, FromRow)]
pub struct SearchHit {
    /// The animation.
    #[sqlx(flatten)]
    pub row: AnimationRow,
    /// Relevance relative to the best hit.
    pub score: f64,
}

/// One page of hits with the size and facets of the whole result.
#[derive(Debug, Clone, Default)]
pub struct SearchPage {
    /// The page.
    pub hits: Vec<SearchHit>,
    /// Hits in the whole result.
    pub total: u64,
    /// Hits per category.
    pub categories: BTreeMap<String, u64>,
    /// Hits per licence.
    pub licenses: BTreeMap<String, u64>,
}

#[derive(FromRow)]
struct FacetRow {
    category: String,
    license: String,
    n: i64,
}

/// The FTS5 query of `tokens`: each a quoted string (quotes doubled), all required.
pub fn fts5_query(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

impl Store {
    /// Searches the catalogue.
    pub async fn search(&self, f: &SearchFilter) -> StoreResult<SearchPage> {
        let mut params: Vec<Param> = vec![];
        let bind = |p: Param, params: &mut Vec<Param>| {
            params.push(p);
            format!("${}", params.len())
        };

        // The source of hits and their raw scores.
        let (with, from, raw) = if f.tokens.is_empty() {
            (String::new(), "animations a".to_owned(), "1.0".to_owned())
        } else {
            match self.engine() {
                Engine::Sqlite => {
                    let m = bind(Param::Text(fts5_query(&f.tokens)), &mut params);
                    // The hits first, then each looked up by key (the planner must not
                    // scan the catalogue and probe the index per row).
                    (
                        format!(
                            "WITH s AS MATERIALIZED (SELECT d.animation_id AS id,
                                -bm25(search_fts, 10.0, 2.0, 5.0) AS raw
                              FROM search_fts JOIN search_docs d ON d.doc = search_fts.rowid
                              WHERE search_fts MATCH {m})"
                        ),
                        "s CROSS JOIN animations a ON a.id = s.id".to_owned(),
                        "s.raw".to_owned(),
                    )
                }
                Engine::Postgres => {
                    let q = bind(Param::Text(f.tokens.join(" ")), &mut params);
                    (
                        String::new(),
                        format!("animations a CROSS JOIN plainto_tsquery('simple', {q}) AS tsq"),
                        "CAST(ts_rank(a.search_vector, tsq) AS DOUBLE PRECISION)".to_owned(),
                    )
                }
            }
        };

        // Filters.
        let mut clauses = vec!["a.status = 'ready'".to_owned()];
        if !f.tokens.is_empty() && self.engine() == Engine::Postgres {
            clauses.push("a.search_vector @@ tsq".into());
        }
        if let Some(c) = &f.category {
            clauses.push(format!(
                "a.category = {}",
                bind(Param::Text(c.clone()), &mut params)
            ));
        }
        if let Some(l) = &f.license {
            clauses.push(format!(
                "a.license = {}",
                bind(Param::Text(l.clone()), &mut params)
            ));
        }
        match f.free {
            Some(true) => clauses.push("a.price_cents = 0".into()),
            Some(false) => clauses.push("a.price_cents > 0".into()),
            None => {}
        }
        if let Some(min) = f.min_duration {
            clauses.push(format!(
                "a.duration >= {}",
                bind(Param::Float(min), &mut params)
            ));
        }
        if let Some(max) = f.max_duration {
            clauses.push(format!(
                "a.duration <= {}",
                bind(Param::Float(max), &mut params)
            ));
        }
        let where_sql = clauses.join(" AND ");
        let facet_params = params.clone();

        // An exact title match counts double (bound after the shared parameters: the
        // facet query does not use it).
        let raw = if f.tokens.is_empty() {
            raw
        } else {
            let phrase = bind(Param::Text(f.phrase.clone()), &mut params);
            format!("({raw} * (CASE WHEN a.title_lower = {phrase} THEN 2.0 ELSE 1.0 END))")
        };

        // The page.
        let limit = bind(Param::Int(i64::from(f.per_page)), &mut params);
        let offset = bind(
            Param::Int(i64::from(f.page.saturating_sub(1)) * i64::from(f.per_page)),
            &mut params,
        );
        let (inner_order, outer_order) = match f.order {
            SearchOrder::Relevance => (
                "raw DESC, a.created_at DESC, a.id DESC".to_owned(),
                "p.raw DESC, a.created_at DESC, a.id DESC".to_owned(),
            ),
            other => {
                let dir = if f.descending { "DESC" } else { "ASC" };
                let order = format!("{} {dir}, a.id {dir}", other.column());
                (order.clone(), order)
            }
        };
        // Rank on narrow rows, then read the page's animations whole.
        let page_sql = format!(
            "{with} SELECT {ANIMATION_COLUMNS},
                CAST(COALESCE(p.raw / NULLIF(p.best, 0), 1.0) AS DOUBLE PRECISION) AS score
             FROM (SELECT a.id AS pid, {raw} AS raw, MAX({raw}) OVER () AS best
                   FROM {from} WHERE {where_sql}
                   ORDER BY {inner_order} LIMIT {limit} OFFSET {offset}) p
             JOIN animations a ON a.id = p.pid JOIN users u ON u.id = a.owner_id
             ORDER BY {outer_order}"
        );
        let facet_sql = format!(
            "{with} SELECT a.category, a.license, COUNT(*) AS n FROM {from}
             WHERE {where_sql} GROUP BY a.category, a.license"
        );

        let (hits, facets): (Vec<SearchHit>, Vec<FacetRow>) = on_pool!(self, pool => {
            let q = sqlx::query_as::<_, FacetRow>(sqlx::AssertSqlSafe(facet_sql));
            let facets = bind_params!(q, &facet_params).fetch_all(pool).await?;
            let total: i64 = facets.iter().map(|r| r.n).sum();
            let hits = if total > 0 {
                let q = sqlx::query_as::<_, SearchHit>(sqlx::AssertSqlSafe(page_sql));
                bind_params!(q, &params).fetch_all(pool).await?
            } else {
                vec![]
            };
            (hits, facets)
        });

        let mut page = SearchPage {
            hits,
            ..SearchPage::default()
        };
        for r in facets {
            let n = u64::try_from(r.n).unwrap_or(0);
            page.total += n;
            *page.categories.entry(r.category).or_default() += n;
            *page.licenses.entry(r.license).or_default() += n;
        }
        for hit in &mut page.hits {
            hit.score = hit.score.clamp(0.0, 1.0);
        }
        Ok(page)
    }

    /// Up to `limit` suggestions starting with `prefix` (lower case), most weighty
    /// first: titles, tags and searched queries together.
    pub async fn suggestions(&self, prefix: &str, limit: u32) -> StoreResult<Vec<String>> {
        let upper = format!("{prefix}\u{10FFFF}");
        on_pool!(self, pool => sqlx::query_scalar(
            "SELECT term FROM search_suggestions WHERE term >= $1 AND term < $2
             GROUP BY term HAVING SUM(weight) > 0
             ORDER BY SUM(weight) DESC, term LIMIT $3",
        )
        .bind(prefix)
        .bind(&upper)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await)
    }

    /// Counts one search for `query` (normalised, lower case) among the suggestions.
    pub async fn record_search_query(&self, query: &str) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO search_suggestions (term, source, weight) VALUES ($1, 'query', 1)
             ON CONFLICT (term, source) DO UPDATE SET weight = search_suggestions.weight + 1",
        )
        .bind(query)
        .execute(pool)
        .await
        .map(|_| ()))
    }
}
