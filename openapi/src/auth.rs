//! Accounts and sessions: register, login, refresh, me.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::common::Tier;

/// `POST /auth/register`.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RegisterRequest {
    /// 3 to 32 characters: letters, digits, `_` and `-`, starting with a letter.
    #[schemars(length(min = 3, max = 32), pattern(r"^[A-Za-z][A-Za-z0-9_-]{2,31}$"))]
    pub username: String,
    /// A valid email address; unique, compared case-insensitively.
    #[schemars(email, length(max = 254))]
    pub email: String,
    /// 8 to 128 characters with at least one letter and one digit.
    #[schemars(length(min = 8, max = 128))]
    pub password: String,
}

/// `POST /auth/login`.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct LoginRequest {
    /// The account's email address.
    #[schemars(length(min = 1, max = 254))]
    pub email: String,
    /// The account's password.
    #[schemars(length(min = 1, max = 128))]
    pub password: String,
}

/// `POST /auth/refresh`.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RefreshRequest {
    /// The refresh token from register, login or the last refresh.
    #[schemars(length(min = 1, max = 512))]
    pub refresh_token: String,
}

macro_rules! redacted_debug {
    ($name:ident { $($shown:ident),* } hides { $($hidden:ident),* }) => {
        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($name))
                    $(.field(stringify!($shown), &self.$shown))*
                    $(.field(stringify!($hidden), &"[redacted]"))*
                    .finish()
            }
        }
    };
}
pub(crate) use redacted_debug;

redacted_debug!(RegisterRequest { username, email } hides { password });
redacted_debug!(LoginRequest { email } hides { password });
redacted_debug!(RefreshRequest {} hides { refresh_token });

/// The account as returned by register and login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AccountUser {
    /// `user_...`.
    pub id: String,
    /// Unique handle.
    pub username: String,
    /// Email address.
    pub email: String,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// `data` of register and login.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AuthSession {
    /// The account.
    pub user: AccountUser,
    /// A signed access token (JWT) for the `Authorization: Bearer` header.
    pub token: String,
    /// An opaque token for `POST /auth/refresh`; single use.
    pub refresh_token: String,
    /// When `token` expires. Addition to the documented shape.
    pub expires_at: DateTime<Utc>,
}
redacted_debug!(AuthSession { user, expires_at } hides { token, refresh_token });

/// `data` of `POST /auth/refresh`.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TokenRefresh {
    /// A new access token.
    pub token: String,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// The replacement refresh token: refresh tokens rotate on every use, and reusing a
    /// rotated one revokes the whole family. Addition to the documented shape.
    pub refresh_token: String,
}
redacted_debug!(TokenRefresh { expires_at } hides { token, refresh_token });

/// Counters on the caller's own profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CurrentUserStats {
    /// Animations the user owns (generated or uploaded).
    pub animations_created: u64,
    /// Downloads of the user's animations.
    pub total_downloads: u64,
    /// Followers.
    pub followers: u64,
}

/// The authenticated user, with private fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CurrentUser {
    /// `user_...`.
    pub id: String,
    /// Unique handle.
    pub username: String,
    /// Email address.
    pub email: String,
    /// Display name; the username until set.
    pub display_name: String,
    /// Avatar image, if any.
    pub avatar_url: Option<String>,
    /// Short biography, if any.
    pub bio: Option<String>,
    /// Account tier.
    pub tier: Tier,
    /// Counters.
    pub stats: CurrentUserStats,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

/// `data` of `GET /auth/me`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct MeResponse {
    /// The authenticated user.
    pub user: CurrentUser,
}
