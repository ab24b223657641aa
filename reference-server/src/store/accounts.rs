//! Users as accounts (credentials, tier) and refresh-token families.

use chrono::{DateTime, Utc};
use sqlx::FromRow;

use super::{Store, StoreResult, Tx, on_pool, on_tx};

/// A user row.
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    /// `user_...`.
    pub id: String,
    /// Handle as registered.
    pub username: String,
    /// Email as registered.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Display name, if set.
    pub display_name: Option<String>,
    /// Biography, if set.
    pub bio: Option<String>,
    /// Avatar URL, if set.
    pub avatar_url: Option<String>,
    /// `free`, `pro` or `enterprise`.
    pub tier: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

const USER_COLUMNS: &str =
    "id, username, email, password_hash, display_name, bio, avatar_url, tier, created_at";

/// A new account to insert.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// `user_...`.
    pub id: &'a str,
    /// Handle.
    pub username: &'a str,
    /// Email.
    pub email: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// Which unique value a registration collided with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// The username.
    Username,
    /// The email address.
    Email,
}

impl Store {
    /// Inserts an account; `Err(Ok(taken))` when the username or email exists.
    pub async fn insert_user(&self, user: &NewUser<'_>) -> StoreResult<Result<(), Taken>> {
        let result = on_pool!(self, pool => sqlx::query(
            "INSERT INTO users (id, username, username_lower, email, email_lower, password_hash, tier, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, 'free', $7)",
        )
        .bind(user.id)
        .bind(user.username)
        .bind(user.username.to_lowercase())
        .bind(user.email)
        .bind(user.email.to_lowercase())
        .bind(user.password_hash)
        .bind(user.created_at)
        .execute(pool)
        .await.map(|r| r.rows_affected()));
        match result {
            Ok(_) => Ok(Ok(())),
            Err(err) => match super::unique_violation(&err) {
                Some(what) if what.contains("email") => Ok(Err(Taken::Email)),
                Some(_) => Ok(Err(Taken::Username)),
                None => Err(err),
            },
        }
    }

    /// Which of `username` / `email` are already taken (case-insensitively).
    pub async fn taken(&self, username: &str, email: &str) -> StoreResult<Option<Taken>> {
        let rows: Vec<(String, String)> = on_pool!(self, pool => sqlx::query_as(
            "SELECT username_lower, email_lower FROM users WHERE username_lower = $1 OR email_lower = $2",
        )
        .bind(username.to_lowercase())
        .bind(email.to_lowercase())
        .fetch_all(pool)
        .await)?;
        if rows.iter().any(|(u, _)| *u == username.to_lowercase()) {
            return Ok(Some(Taken::Username));
        }
        Ok(rows.first().map(|_| Taken::Email))
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(pool).await)
    }

    /// The user with this email (case-insensitive).
    pub async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email_lower = $1");
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(email.to_lowercase())
            .fetch_optional(pool)
            .await)
    }

    /// The user whose username or email is `who` (case-insensitive).
    pub async fn user_by_handle(&self, who: &str) -> StoreResult<Option<UserRow>> {
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM users WHERE username_lower = $1 OR email_lower = $1"
        );
        on_pool!(self, pool => sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(who.to_lowercase())
            .fetch_optional(pool)
            .await)
    }

    /// Sets a user's tier; false when there is no such user.
    pub async fn set_tier(&self, user_id: &str, tier: &str) -> StoreResult<bool> {
        let done = on_pool!(self, pool => sqlx::query("UPDATE users SET tier = $1 WHERE id = $2")
            .bind(tier)
            .bind(user_id)
            .execute(pool)
            .await.map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    /// The tier of a user, if the user exists.
    pub async fn user_tier(&self, user_id: &str) -> StoreResult<Option<String>> {
        on_pool!(self, pool => sqlx::query_scalar("SELECT tier FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await)
    }
}

/// A refresh token row.
#[derive(Debug, Clone, FromRow)]
pub struct RefreshTokenRow {
    /// Row id.
    pub id: String,
    /// Tokens minted from one login share a family.
    pub family_id: String,
    /// Owner.
    pub user_id: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
    /// Set when the token was exchanged for a new one.
    pub used_at: Option<DateTime<Utc>>,
    /// Set when the family was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A refresh token to insert.
#[derive(Debug)]
pub struct NewRefreshToken<'a> {
    /// Row id.
    pub id: &'a str,
    /// SHA-256 of the token, hex.
    pub token_hash: &'a str,
    /// Family.
    pub family_id: &'a str,
    /// Owner.
    pub user_id: &'a str,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

impl Store {
    /// Inserts a refresh token outside any transaction.
    pub async fn insert_refresh_token(&self, token: &NewRefreshToken<'_>) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        insert_refresh_token(&mut tx, token).await?;
        tx.commit().await
    }
}

/// Inserts a refresh token in `tx`.
pub async fn insert_refresh_token(tx: &mut Tx, token: &NewRefreshToken<'_>) -> StoreResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "INSERT INTO refresh_tokens (id, token_hash, family_id, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token.id)
    .bind(token.token_hash)
    .bind(token.family_id)
    .bind(token.user_id)
    .bind(token.created_at)
    .bind(token.expires_at)
    .execute(&mut *conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// The refresh token with this hash.
pub async fn refresh_token_by_hash(
    tx: &mut Tx,
    hash: &str,
) -> StoreResult<Option<RefreshTokenRow>> {
    on_tx!(tx, conn => sqlx::query_as(
        "SELECT id, family_id, user_id, expires_at, used_at, revoked_at
         FROM refresh_tokens WHERE token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut *conn)
    .await)
}

/// Marks a token used; false when another request used it first.
pub async fn mark_refresh_token_used(
    tx: &mut Tx,
    id: &str,
    at: DateTime<Utc>,
) -> StoreResult<bool> {
    let done = on_tx!(tx, conn => sqlx::query(
        "UPDATE refresh_tokens SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(id)
    .execute(&mut *conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(done == 1)
}

impl Store {
    /// Whether the login `family_id` was revoked (a refresh token of it was reused).
    pub async fn refresh_family_revoked(&self, family_id: &str) -> StoreResult<bool> {
        let revoked: i64 = on_pool!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT 1 FROM refresh_tokens
                WHERE family_id = $1 AND revoked_at IS NOT NULL LIMIT 1) revoked",
        )
        .bind(family_id)
        .fetch_one(pool)
        .await)?;
        Ok(revoked > 0)
    }
}

/// Revokes every token of a family.
pub async fn revoke_refresh_family(
    tx: &mut Tx,
    family_id: &str,
    at: DateTime<Utc>,
) -> StoreResult<()> {
    on_tx!(tx, conn => sqlx::query(
        "UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL",
    )
    .bind(at)
    .bind(family_id)
    .execute(&mut *conn)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}
