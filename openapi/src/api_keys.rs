//! API keys (`af_live_...`): create, list, revoke. Addition to the documented API.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::auth::redacted_debug;

/// `POST /api-keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreateApiKeyRequest {
    /// A label to recognise the key by.
    #[schemars(length(min = 1, max = 100))]
    pub name: String,
    /// When the key stops working; never when omitted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A key as listed: never the secret itself.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiKey {
    /// `key_...`.
    pub id: String,
    /// The label.
    pub name: String,
    /// The first characters of the key (`af_live_ab12`), to recognise it.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used to authenticate, if ever.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A freshly created key, with its secret: shown once and never again.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreatedApiKey {
    /// `key_...`.
    pub id: String,
    /// The label.
    pub name: String,
    /// The first characters of the key.
    pub prefix: String,
    /// The whole key, `af_live_` followed by 40 random characters.
    pub key: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}
redacted_debug!(CreatedApiKey { id, name, prefix, created_at, expires_at } hides { key });

/// `data` of `POST /api-keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreateApiKeyResponse {
    /// The new key.
    pub api_key: CreatedApiKey,
}

/// `data` of `GET /api-keys`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ApiKeyList {
    /// The caller's live keys, newest first.
    pub api_keys: Vec<ApiKey>,
}
