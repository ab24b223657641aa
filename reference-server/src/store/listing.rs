//! Listing the catalogue: filters, sort keys, stable pagination.

use super::animations::{ANIMATION_COLUMNS, AnimationRow};
use super::{Param, Store, StoreResult, bind_params, on_pool};

/// Sort keys, in the API's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Creation time.
    #[default]
    CreatedAt,
    /// Last update.
    UpdatedAt,
    /// Title, case-insensitive.
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

impl SortKey {
    fn column(self) -> &'static str {
        match self {
            SortKey::CreatedAt => "a.created_at",
            SortKey::UpdatedAt => "a.updated_at",
            SortKey::Title => "a.title_lower",
            SortKey::Views => "a.views",
            SortKey::Downloads => "a.downloads",
            SortKey::Likes => "a.likes",
            SortKey::Price => "a.price_cents",
            SortKey::Duration => "COALESCE(a.duration, 0)",
        }
    }
}

/// Which animations to list and how. Only `ready` animations are ever listed.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    /// Only this owner's.
    pub owner_id: Option<String>,
    /// Who is asking: their own animations are listed whatever their status.
    pub viewer_id: Option<String>,
    /// Category wire name.
    pub category: Option<String>,
    /// Licence wire name.
    pub license: Option<String>,
    /// `Some(true)`: price 0; `Some(false)`: priced.
    pub free: Option<bool>,
    /// Words that must each appear in the title, description or tags.
    pub search_words: Vec<String>,
    /// A search text without any word: nothing matches.
    pub search_unmatchable: bool,
    /// Sort key.
    pub sort: SortKey,
    /// Descending when true.
    pub descending: bool,
    /// From 1.
    pub page: u32,
    /// 1 to 100.
    pub per_page: u32,
}

/// Escapes `%`, `_` and `\` for a `LIKE ... ESCAPE '\'` pattern.
pub fn like_pattern(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 2);
    out.push('%');
    for c in word.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// One page of animations and the total matching the filter.
    pub async fn list_animations(&self, f: &ListFilter) -> StoreResult<(Vec<AnimationRow>, u64)> {
        let mut params: Vec<Param> = vec![];
        let mut bind = |p: Param| {
            params.push(p);
            format!("${}", params.len())
        };
        let mut clauses = vec![match &f.viewer_id {
            Some(viewer) => format!(
                "(a.status = 'ready' OR a.owner_id = {})",
                bind(Param::Text(viewer.clone()))
            ),
            None => "a.status = 'ready'".to_owned(),
        }];
        if let Some(owner) = &f.owner_id {
            clauses.push(format!("a.owner_id = {}", bind(Param::Text(owner.clone()))));
        }
        if let Some(c) = &f.category {
            clauses.push(format!("a.category = {}", bind(Param::Text(c.clone()))));
        }
        if let Some(l) = &f.license {
            clauses.push(format!("a.license = {}", bind(Param::Text(l.clone()))));
        }
        match f.free {
            Some(true) => clauses.push("a.price_cents = 0".into()),
            Some(false) => clauses.push("a.price_cents > 0".into()),
            None => {}
        }
        if f.search_unmatchable {
            clauses.push("1 = 0".into());
        }
        for word in &f.search_words {
            let p = bind(Param::Text(like_pattern(word)));
            clauses.push(format!(
                "(a.title_lower LIKE {p} ESCAPE '\\' OR LOWER(a.description) LIKE {p} ESCAPE '\\' \
                 OR LOWER(a.tags) LIKE {p} ESCAPE '\\')"
            ));
        }
        let where_sql = clauses.join(" AND ");
        let dir = if f.descending { "DESC" } else { "ASC" };
        let count_params = params.clone();
        params.push(Param::Int(i64::from(f.per_page)));
        let limit = format!("${}", params.len());
        params.push(Param::Int(
            i64::from(f.page.saturating_sub(1)) * i64::from(f.per_page),
        ));
        let offset = format!("${}", params.len());

        let list_sql = format!(
            "SELECT {ANIMATION_COLUMNS} FROM animations a JOIN users u ON u.id = a.owner_id
             WHERE {where_sql} ORDER BY {} {dir}, a.id {dir} LIMIT {limit} OFFSET {offset}",
            f.sort.column()
        );
        // The whole catalogue's total is kept by triggers (`catalogue_counts`).
        let unfiltered = f.owner_id.is_none()
            && f.category.is_none()
            && f.license.is_none()
            && f.free.is_none()
            && f.search_words.is_empty()
            && !f.search_unmatchable;
        let count_sql = if unfiltered && f.viewer_id.is_none() {
            "SELECT COALESCE((SELECT count FROM catalogue_counts WHERE status = 'ready'), 0)"
                .to_owned()
        } else if unfiltered {
            // The kept total, plus the viewer's own animations that are not ready ($1).
            "SELECT COALESCE((SELECT count FROM catalogue_counts WHERE status = 'ready'), 0)
                + (SELECT COUNT(*) FROM animations WHERE owner_id = $1 AND status <> 'ready')"
                .to_owned()
        } else {
            format!("SELECT COUNT(*) FROM animations a WHERE {where_sql}")
        };
        on_pool!(self, pool => {
            let q = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql));
            let total = bind_params!(q, &count_params).fetch_one(pool).await?;
            let q = sqlx::query_as::<_, AnimationRow>(sqlx::AssertSqlSafe(list_sql));
            let rows = bind_params!(q, &params).fetch_all(pool).await?;
            Ok((rows, u64::try_from(total).unwrap_or(0)))
        })
    }
}
