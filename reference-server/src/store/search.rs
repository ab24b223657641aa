//! Full-text search and autocomplete on both engines.
//!
//! SQLite ranks with FTS5's bm25 over `search_fts` (title weighted 10, tags 5,
//! description 2); PostgreSQL with `ts_rank` over the generated, GIN-indexed
//! `animations.search_vector` (title A, tags B, description C). Either way an exact
//! title match counts double, and the score is divided by the best score of the whole
//! result, so the best hit has 1. User text never reaches the query syntax: the caller
//! passes word tokens, which are quoted for FTS5 and given to `plainto_tsquery`.
//!
//! On SQLite `search_docs` carries copies of the filter columns (kept by triggers), so
//! filters, facets and ranking read it next to the FTS rowid and only the page's
//! animations are looked up.

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
    /// The sort expression over the columns of `t` (`a`: animations; `d`: SQLite's
    /// `search_docs`, which has only some of them: `None` for the others).
    fn column(self, t: &str) -> Option<String> {
        let docs = t == "d";
        Some(match self {
            SearchOrder::Relevance => "raw".to_owned(),
            SearchOrder::CreatedAt => format!("{t}.created_at"),
            SearchOrder::Title => format!("{t}.title_lower"),
            SearchOrder::Price => format!("{t}.price_cents"),
            SearchOrder::Duration => format!("COALESCE({t}.duration, 0)"),
            SearchOrder::UpdatedAt if !docs => "a.updated_at".to_owned(),
            SearchOrder::Views if !docs => "a.views".to_owned(),
            SearchOrder::Downloads if !docs => "a.downloads".to_owned(),
            SearchOrder::Likes if !docs => "a.likes".to_owned(),
            _ => return None,
        })
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
    /// The best raw score of the group, when asked for.
    best: Option<f64>,
}

/// The FTS5 query of `tokens`: each a quoted string (quotes doubled), all required.
pub fn fts5_query(tokens: &[String]) -> String {
    tokens
        .iter()
        .map(|t| format!("\"{}\"", t.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Pushes `p` and returns its placeholder.
fn bind(p: Param, params: &mut Vec<Param>) -> String {
    params.push(p);
    format!("${}", params.len())
}

/// The source of hits of one query, its filters and raw score, with their parameters.
struct Source {
    /// `FROM` clause.
    from: String,
    /// `WHERE` condition.
    filter: String,
    /// The raw score of a hit (higher is better).
    raw: String,
    params: Vec<Param>,
}

impl Store {
    /// The hits of `f` with the filter columns on `t`: the FTS match joined to
    /// `search_docs` (`d`) on SQLite, `animations` (`a`) otherwise. `with_animations`
    /// joins `animations` too; `ranked` sets up the raw score (else it is unusable).
    fn search_source(
        &self,
        f: &SearchFilter,
        t: &str,
        with_animations: bool,
        ranked: bool,
    ) -> Source {
        let mut params: Vec<Param> = vec![];
        let mut clauses = vec![];
        let (from, raw, phrase_column) = if f.tokens.is_empty() {
            ("animations a".to_owned(), "1.0".to_owned(), "")
        } else {
            match self.engine() {
                Engine::Sqlite => {
                    let m = bind(Param::Text(fts5_query(&f.tokens)), &mut params);
                    clauses.push(format!("search_fts MATCH {m}"));
                    if ranked {
                        // bm25 as FTS5's rank column, which (unlike the function) an
                        // aggregate may read.
                        clauses.push("search_fts.rank MATCH 'bm25(10.0, 2.0, 5.0)'".to_owned());
                    }
                    // Driven by the match (CROSS JOIN keeps the order): the catalogue is
                    // never scanned, and `search_docs` is read by rowid in FTS order.
                    let mut from =
                        "search_fts CROSS JOIN search_docs d ON d.doc = search_fts.rowid"
                            .to_owned();
                    if with_animations {
                        from.push_str(" CROSS JOIN animations a ON a.id = d.animation_id");
                    }
                    (from, "-search_fts.rank".to_owned(), "d.title_lower")
                }
                Engine::Postgres => {
                    let q = bind(Param::Text(f.tokens.join(" ")), &mut params);
                    clauses.push("a.search_vector @@ tsq".to_owned());
                    (
                        format!("animations a CROSS JOIN plainto_tsquery('simple', {q}) AS tsq"),
                        "CAST(ts_rank(a.search_vector, tsq) AS DOUBLE PRECISION)".to_owned(),
                        "a.title_lower",
                    )
                }
            }
        };
        clauses.push(format!("{t}.status = 'ready'"));
        if let Some(c) = &f.category {
            let c = bind(Param::Text(c.clone()), &mut params);
            clauses.push(format!("{t}.category = {c}"));
        }
        if let Some(l) = &f.license {
            let l = bind(Param::Text(l.clone()), &mut params);
            clauses.push(format!("{t}.license = {l}"));
        }
        match f.free {
            Some(true) => clauses.push(format!("{t}.price_cents = 0")),
            Some(false) => clauses.push(format!("{t}.price_cents > 0")),
            None => {}
        }
        if let Some(min) = f.min_duration {
            let min = bind(Param::Float(min), &mut params);
            clauses.push(format!("{t}.duration >= {min}"));
        }
        if let Some(max) = f.max_duration {
            let max = bind(Param::Float(max), &mut params);
            clauses.push(format!("{t}.duration <= {max}"));
        }
        // An exact title match counts double.
        let raw = if phrase_column.is_empty() || !ranked {
            raw
        } else {
            let phrase = bind(Param::Text(f.phrase.clone()), &mut params);
            format!("({raw} * (CASE WHEN {phrase_column} = {phrase} THEN 2.0 ELSE 1.0 END))")
        };
        Source {
            from,
            filter: clauses.join(" AND "),
            raw,
            params,
        }
    }

    /// Searches the catalogue.
    ///
    /// Two passes over the matches: one `GROUP BY` for the facets (and the best score
    /// when the page does not start with it), and one ranking narrow rows down to the
    /// page, whose animations alone are then read whole. With relevance order the
    /// first page's first row holds the best score. On SQLite both passes read the
    /// filter columns from `search_docs`, never each hit's `animations` row.
    pub async fn search(&self, f: &SearchFilter) -> StoreResult<SearchPage> {
        let sqlite_fts = !f.tokens.is_empty() && self.engine() == Engine::Sqlite;
        let t = if sqlite_fts { "d" } else { "a" };
        let skip = i64::from(f.page.saturating_sub(1)) * i64::from(f.per_page);
        let relevance = f.order == SearchOrder::Relevance;
        // The best score must come from the facet pass unless the page starts with it;
        // with no words every hit scores 1.
        let best_from_facets = !(f.tokens.is_empty() || (relevance && skip == 0));

        // Facets (and the best score), without ranking unless needed.
        let facets = self.search_source(f, t, false, best_from_facets);
        let best = if best_from_facets {
            format!("MAX({})", facets.raw)
        } else {
            "CAST(NULL AS DOUBLE PRECISION)".to_owned()
        };
        let facet_sql = format!(
            "SELECT {t}.category AS category, {t}.license AS license, COUNT(*) AS n,
                {best} AS best
             FROM {} WHERE {} GROUP BY {t}.category, {t}.license",
            facets.from, facets.filter
        );

        // The page: rank narrow rows, then read the page's animations whole.
        let (sort_t, with_animations) = match f.order.column(t) {
            Some(_) => (t, false),
            None => ("a", true),
        };
        let page = self.search_source(f, t, with_animations, true);
        let mut params = page.params;
        let limit = bind(Param::Int(i64::from(f.per_page)), &mut params);
        let offset = bind(Param::Int(skip), &mut params);
        let id = if sqlite_fts { "d.animation_id" } else { "a.id" };
        let (inner_order, outer_order) = if relevance {
            (
                format!("raw DESC, {t}.created_at DESC, {id} DESC"),
                "p.raw DESC, a.created_at DESC, a.id DESC".to_owned(),
            )
        } else {
            let dir = if f.descending { "DESC" } else { "ASC" };
            let inner = f.order.column(sort_t).unwrap_or_default();
            let outer = f.order.column("a").unwrap_or_default();
            (
                format!("{inner} {dir}, {id} {dir}"),
                format!("{outer} {dir}, a.id {dir}"),
            )
        };
        let page_sql = format!(
            "SELECT {ANIMATION_COLUMNS}, CAST(p.raw AS DOUBLE PRECISION) AS score
             FROM (SELECT {id} AS pid, {} AS raw FROM {} WHERE {}
                   ORDER BY {inner_order} LIMIT {limit} OFFSET {offset}) p
             JOIN animations a ON a.id = p.pid JOIN users u ON u.id = a.owner_id
             ORDER BY {outer_order}",
            page.raw, page.from, page.filter
        );

        let (mut hits, facets): (Vec<SearchHit>, Vec<FacetRow>) = on_pool!(self, pool => {
            let q = sqlx::query_as::<_, FacetRow>(sqlx::AssertSqlSafe(facet_sql));
            let facets = bind_params!(q, &facets.params).fetch_all(pool).await?;
            let total: i64 = facets.iter().map(|r| r.n).sum();
            let hits = if total > skip {
                let q = sqlx::query_as::<_, SearchHit>(sqlx::AssertSqlSafe(page_sql));
                bind_params!(q, &params).fetch_all(pool).await?
            } else {
                vec![]
            };
            (hits, facets)
        });

        // Scores relative to the best hit of the whole result.
        let best = if best_from_facets {
            facets.iter().filter_map(|r| r.best).fold(0.0, f64::max)
        } else {
            hits.first().map_or(0.0, |h| h.score)
        };
        for hit in &mut hits {
            hit.score = if f.tokens.is_empty() || best <= 0.0 {
                1.0
            } else {
                (hit.score / best).clamp(0.0, 1.0)
            };
        }
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
