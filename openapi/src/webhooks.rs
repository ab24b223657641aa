//! Webhook endpoints and the events delivered to them.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::auth::redacted_debug;
use crate::common::wire_enum;
use crate::money::Money;

wire_enum! {
    /// Events a webhook can subscribe to.
    pub enum WebhookEventType {
        /// A generation job completed.
        AnimationGenerated = "animation.generated",
        /// Someone bought one of the owner's animations.
        AnimationPurchased = "animation.purchased",
        /// Someone followed the owner.
        UserFollowed = "user.followed",
    }
}

wire_enum! {
    /// States of a webhook endpoint.
    pub enum WebhookStatus {
        /// Receives deliveries.
        Active = "active",
        /// Turned off after the receiver answered 410 Gone.
        Disabled = "disabled",
    }
}

/// `POST /webhooks`.
#[derive(Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct CreateWebhookRequest {
    /// An http(s) URL. Private, loopback and link-local addresses are refused unless the
    /// operator allows them.
    #[schemars(url, length(max = 2048))]
    pub url: String,
    /// One or more events.
    #[schemars(length(min = 1))]
    pub events: Vec<WebhookEventType>,
    /// The signing secret, 16 to 256 characters.
    #[schemars(length(min = 16, max = 256))]
    pub secret: String,
}
redacted_debug!(CreateWebhookRequest { url, events } hides { secret });

/// A webhook endpoint (never its secret).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Webhook {
    /// `webhook_...`.
    pub id: String,
    /// Where deliveries go.
    pub url: String,
    /// Subscribed events.
    pub events: Vec<WebhookEventType>,
    /// State.
    pub status: WebhookStatus,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
}

/// `data` of `POST /webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookResponse {
    /// The endpoint.
    pub webhook: Webhook,
}

/// `data` of `GET /webhooks`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookList {
    /// The caller's endpoints, newest first.
    pub webhooks: Vec<Webhook>,
}

/// `data` of an `animation.generated` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationGeneratedData {
    /// The new animation.
    pub animation_id: String,
    /// The job that made it.
    pub job_id: String,
    /// `completed`.
    pub status: String,
}

/// `data` of an `animation.purchased` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct AnimationPurchasedData {
    /// What was bought.
    pub animation_id: String,
    /// The purchase.
    pub purchase_id: String,
    /// Who bought it.
    pub buyer_id: String,
    /// What was paid.
    pub amount: Money,
    /// ISO 4217 code.
    pub currency: String,
}

/// `data` of a `user.followed` event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct UserFollowedData {
    /// Who was followed (the webhook's owner).
    pub user_id: String,
    /// Who followed.
    pub follower_id: String,
}

/// The body POSTed to a webhook endpoint.
///
/// `signature` is `sha256=` and the hex HMAC-SHA256, keyed with the endpoint's secret, of
/// the body's bytes without the signature member: the server writes `signature` last, so
/// the signed bytes are the body with the trailing `,"signature":"sha256=<64 hex>"` cut
/// out. The `X-AnimaForge-Signature` header carries `sha256=` and the HMAC of the whole
/// raw body; the Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
/// `webhook-signature`) are sent as well.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct WebhookEvent {
    /// `evt_...`, the same for every delivery attempt. Addition to the documented shape.
    pub id: String,
    /// The event type.
    pub event: WebhookEventType,
    /// The event's data; its shape depends on `event`.
    pub data: serde_json::Value,
    /// When the event happened.
    pub timestamp: DateTime<Utc>,
    /// `sha256=<hex>`.
    pub signature: String,
}
