//! API keys: stored as SHA-256 hashes with a short visible prefix.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreResult, on_pool};

/// An API key row (never the key itself).
#[derive(Debug, Clone, FromRow)]
pub struct ApiKeyRow {
    /// `key_...`.
    pub id: String,
    /// Owner.
    pub user_id: String,
    /// Label.
    pub name: String,
    /// First characters of the key.
    pub prefix: String,
    /// SHA-256 of the key, hex.
    pub key_hash: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last successful authentication.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
}

const KEY_COLUMNS: &str =
    "id, user_id, name, prefix, key_hash, created_at, last_used_at, expires_at";

impl Store {
    /// Inserts a key.
    pub async fn insert_api_key(&self, key: &ApiKeyRow) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query(
            "INSERT INTO api_keys (id, user_id, name, prefix, key_hash, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.id)
        .bind(&key.user_id)
        .bind(&key.name)
        .bind(&key.prefix)
        .bind(&key.key_hash)
        .bind(key.created_at)
        .bind(key.expires_at)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A user's live (not revoked) keys, newest first.
    pub async fn list_api_keys(&self, user_id: &str) -> StoreResult<Vec<ApiKeyRow>> {
        let sql = format!(
            "SELECT {KEY_COLUMNS} FROM api_keys WHERE user_id = $1 AND revoked_at IS NULL
             ORDER BY created_at DESC, id DESC"
        );
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(user_id).fetch_all(pool).await)
    }

    /// Live keys whose visible prefix is `prefix` (candidates for a constant-time
    /// comparison of the hash).
    pub async fn api_keys_by_prefix(&self, prefix: &str) -> StoreResult<Vec<ApiKeyRow>> {
        let sql =
            format!("SELECT {KEY_COLUMNS} FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL");
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(prefix).fetch_all(pool).await)
    }

    /// Revokes a user's key; false when the user has no such live key.
    pub async fn revoke_api_key(
        &self,
        user_id: &str,
        id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<bool> {
        let done = on_pool!(self, pool => sqlx::query(
            "UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(at)
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// Records a successful use of a key.
    pub async fn touch_api_key(&self, id: &str, at: DateTime<Utc>) -> StoreResult<()> {
        on_pool!(self, pool => sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
            .bind(at)
            .bind(id)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
        Ok(())
    }
}
