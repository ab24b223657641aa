//! The marketplace: featured animations, purchases with their ledger entries, and the
//! idempotency keys of purchase requests.

use chrono::{DateTime, Duration, Utc};
use sqlx::FromRow;

use super::animations::{ANIMATION_COLUMNS, AnimationRow};
use super::{Param, Store, StoreResult, Tx, bind_params, on_pool, on_tx};

/// Most featured animations listed.
const FEATURED_LIMIT: i64 = 100;

/// Features (`true`) or unfeatures an animation. Returns `false` when it does not
/// exist (featuring) or was not featured (unfeaturing).
pub async fn set_featured(store: &Store, animation_id: &str, featured: bool) -> StoreResult<bool> {
    let n = if featured {
        on_pool!(store, pool => sqlx::query(
            "INSERT INTO featured (animation_id, featured_at)
             SELECT id, $2 FROM animations WHERE id = $1
             ON CONFLICT (animation_id) DO UPDATE SET featured_at = excluded.featured_at",
        )
        .bind(animation_id)
        .bind(super::now())
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?
    } else {
        on_pool!(store, pool => sqlx::query("DELETE FROM featured WHERE animation_id = $1")
            .bind(animation_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?
    };
    Ok(n > 0)
}

/// Featured ready animations, most recently featured first.
pub async fn featured(store: &Store) -> StoreResult<Vec<AnimationRow>> {
    let sql = format!(
        "SELECT {ANIMATION_COLUMNS} FROM featured f
         JOIN animations a ON a.id = f.animation_id JOIN users u ON u.id = a.owner_id
         WHERE a.status = 'ready' ORDER BY f.featured_at DESC, a.id DESC LIMIT {FEATURED_LIMIT}"
    );
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await)
}

/// Ready animations among `ids` (any order).
pub async fn ready_animations(store: &Store, ids: &[String]) -> StoreResult<Vec<AnimationRow>> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let params: Vec<Param> = ids.iter().map(|i| Param::Text(i.clone())).collect();
    let marks: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT {ANIMATION_COLUMNS} FROM animations a JOIN users u ON u.id = a.owner_id
         WHERE a.status = 'ready' AND a.id IN ({})",
        marks.join(", ")
    );
    on_pool!(store, pool => {
        let q = sqlx::query_as::<_, AnimationRow>(sqlx::AssertSqlSafe(sql));
        bind_params!(q, &params).fetch_all(pool).await
    })
}

/// A purchase row.
#[derive(Debug, Clone, FromRow)]
pub struct PurchaseRow {
    /// `purchase_...`.
    pub id: String,
    /// Buyer.
    pub buyer_id: String,
    /// What was bought.
    pub animation_id: String,
    /// Creator at the time.
    pub seller_id: String,
    /// Title at the time.
    pub title: String,
    /// Cents.
    pub amount_cents: i64,
    /// ISO 4217.
    pub currency: String,
    /// `completed` or `refunded`.
    pub status: String,
    /// Payment provider.
    pub provider: String,
    /// The provider's charge.
    pub charge_id: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

const PURCHASE_COLUMNS: &str = "id, buyer_id, animation_id, seller_id, title, amount_cents, \
    currency, status, provider, charge_id, created_at";

/// The buyer's purchase of an animation, if any.
pub async fn purchase_of(
    store: &Store,
    buyer_id: &str,
    animation_id: &str,
) -> StoreResult<Option<PurchaseRow>> {
    let sql = format!(
        "SELECT {PURCHASE_COLUMNS} FROM purchases WHERE buyer_id = $1 AND animation_id = $2"
    );
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(buyer_id)
        .bind(animation_id)
        .fetch_optional(pool)
        .await)
}

/// The purchase with this id.
pub async fn purchase_by_id(store: &Store, id: &str) -> StoreResult<Option<PurchaseRow>> {
    let sql = format!("SELECT {PURCHASE_COLUMNS} FROM purchases WHERE id = $1");
    on_pool!(store, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(pool)
        .await)
}

/// Inserts a purchase and its sale in the ledger, in `tx`.
pub async fn insert_purchase(tx: &mut Tx, p: &PurchaseRow) -> StoreResult<()> {
    on_tx!(tx, conn => {
        sqlx::query(
            "INSERT INTO purchases (id, buyer_id, animation_id, seller_id, title, amount_cents,
                currency, status, provider, charge_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(&p.id)
        .bind(&p.buyer_id)
        .bind(&p.animation_id)
        .bind(&p.seller_id)
        .bind(&p.title)
        .bind(p.amount_cents)
        .bind(&p.currency)
        .bind(&p.status)
        .bind(&p.provider)
        .bind(&p.charge_id)
        .bind(p.created_at)
        .execute(&mut *conn)
        .await?;
        sqlx::query(
            "INSERT INTO ledger_entries (id, purchase_id, kind, seller_id, buyer_id, animation_id,
                amount_cents, currency, day, created_at)
             VALUES ($1, $2, 'sale', $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(super::new_id("ledger"))
        .bind(&p.id)
        .bind(&p.seller_id)
        .bind(&p.buyer_id)
        .bind(&p.animation_id)
        .bind(p.amount_cents)
        .bind(&p.currency)
        .bind(p.created_at.format("%Y-%m-%d").to_string())
        .bind(p.created_at)
        .execute(&mut *conn)
        .await?;
    });
    Ok(())
}

/// A purchase with what the list shows of its animation.
#[derive(Debug, Clone, FromRow)]
pub struct PurchaseListRow {
    /// The purchase.
    #[sqlx(flatten)]
    pub purchase: PurchaseRow,
    /// The animation's thumbnail object, while it exists.
    pub thumbnail_object: Option<String>,
    /// Current title, while the animation exists.
    pub current_title: Option<String>,
    /// The creator's username.
    pub creator_username: Option<String>,
}

/// One page of the buyer's purchases, newest first, and their total.
pub async fn list_purchases(
    store: &Store,
    buyer_id: &str,
    page: u32,
    per_page: u32,
) -> StoreResult<(Vec<PurchaseListRow>, u64)> {
    let offset = i64::from(page.saturating_sub(1)) * i64::from(per_page);
    on_pool!(store, pool => {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM purchases WHERE buyer_id = $1")
            .bind(buyer_id)
            .fetch_one(pool)
            .await?;
        let rows = sqlx::query_as(
            "SELECT p.id, p.buyer_id, p.animation_id, p.seller_id, p.title, p.amount_cents,
                p.currency, p.status, p.provider, p.charge_id, p.created_at,
                a.thumbnail_object, a.title AS current_title, u.username AS creator_username
             FROM purchases p
             LEFT JOIN animations a ON a.id = p.animation_id
             LEFT JOIN users u ON u.id = p.seller_id
             WHERE p.buyer_id = $1
             ORDER BY p.created_at DESC, p.id DESC LIMIT $2 OFFSET $3",
        )
        .bind(buyer_id)
        .bind(i64::from(per_page))
        .bind(offset)
        .fetch_all(pool)
        .await?;
        Ok((rows, u64::try_from(total).unwrap_or(0)))
    })
}

/// What a purchase request's idempotency key says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyClaim {
    /// The key is new: the request runs.
    Claimed,
    /// The first request finished: its status and `data`.
    Replay(u16, String),
    /// The key was used with another body.
    Mismatch,
    /// The first request is still running.
    InFlight,
}

/// Keys are kept this long.
const KEY_TTL_HOURS: i64 = 24;
/// A key whose request has been running this long is taken over (its server died).
const KEY_ABANDONED_MINUTES: i64 = 10;

/// Claims `key` of `user_id` for a request whose body hashes to `hash`.
pub async fn claim_key(
    store: &Store,
    user_id: &str,
    key: &str,
    hash: &str,
) -> StoreResult<KeyClaim> {
    let now = super::now();
    let expired = now - Duration::hours(KEY_TTL_HOURS);
    let abandoned = now - Duration::minutes(KEY_ABANDONED_MINUTES);
    on_pool!(store, pool => {
        sqlx::query(
            "DELETE FROM purchase_idempotency WHERE user_id = $1 AND key = $2
             AND (created_at < $3 OR (state = 'running' AND created_at < $4))",
        )
        .bind(user_id)
        .bind(key)
        .bind(expired)
        .bind(abandoned)
        .execute(pool)
        .await?;
        let inserted = sqlx::query(
            "INSERT INTO purchase_idempotency (user_id, key, request_hash, state, created_at)
             VALUES ($1, $2, $3, 'running', $4) ON CONFLICT (user_id, key) DO NOTHING",
        )
        .bind(user_id)
        .bind(key)
        .bind(hash)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected();
        if inserted == 1 {
            return Ok(KeyClaim::Claimed);
        }
        let row: Option<(String, String, Option<i64>, Option<String>)> = sqlx::query_as(
            "SELECT request_hash, state, status_code, response FROM purchase_idempotency
             WHERE user_id = $1 AND key = $2",
        )
        .bind(user_id)
        .bind(key)
        .fetch_optional(pool)
        .await?;
        Ok(match row {
            None => KeyClaim::InFlight,
            Some((h, _, _, _)) if h != hash => KeyClaim::Mismatch,
            Some((_, state, Some(status), Some(body))) if state == "done" => {
                KeyClaim::Replay(u16::try_from(status).unwrap_or(200), body)
            }
            Some(_) => KeyClaim::InFlight,
        })
    })
}

/// Stores the result of the key's request.
pub async fn complete_key(
    store: &Store,
    user_id: &str,
    key: &str,
    status: u16,
    body: &str,
) -> StoreResult<()> {
    on_pool!(store, pool => sqlx::query(
        "UPDATE purchase_idempotency SET state = 'done', status_code = $3, response = $4
         WHERE user_id = $1 AND key = $2",
    )
    .bind(user_id)
    .bind(key)
    .bind(i64::from(status))
    .bind(body)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// Forgets the key of a request that failed, so that nothing of it is kept.
pub async fn release_key(store: &Store, user_id: &str, key: &str) -> StoreResult<()> {
    on_pool!(store, pool => sqlx::query(
        "DELETE FROM purchase_idempotency WHERE user_id = $1 AND key = $2 AND state = 'running'",
    )
    .bind(user_id)
    .bind(key)
    .execute(pool)
    .await
    .map(|_| ()))
}

/// How many purchases of an animation exist, for checks.
pub async fn purchase_count(store: &Store, animation_id: &str) -> StoreResult<i64> {
    on_pool!(store, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM purchases WHERE animation_id = $1",
    )
    .bind(animation_id)
    .fetch_one(pool)
    .await)
}
