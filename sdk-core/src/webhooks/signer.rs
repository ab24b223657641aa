//! Signing deliveries the way the server does: body signature, header and Standard
//! Webhooks headers together.

use animaforge_api::WebhookEventType;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{hmac, standard_key};
use crate::client::Secret;
use crate::error::Result;

/// A signed delivery: the exact body bytes and the headers to send with them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedWebhook {
    /// The body, `signature` member last.
    pub body: Vec<u8>,
    /// `Content-Type`, `X-AnimaForge-Signature`, `webhook-id`, `webhook-timestamp`,
    /// `webhook-signature`.
    pub headers: Vec<(String, String)>,
}

impl SignedWebhook {
    /// The value of a header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// Signs webhook deliveries with one secret, producing all three signatures.
#[derive(Debug, Clone)]
pub struct WebhookSigner {
    secret: Secret,
}

#[derive(Serialize)]
struct Unsigned<'a> {
    id: &'a str,
    event: WebhookEventType,
    data: &'a serde_json::Value,
    timestamp: DateTime<Utc>,
}

impl WebhookSigner {
    /// A signer for `secret`.
    pub fn new(secret: impl Into<String>) -> WebhookSigner {
        WebhookSigner {
            secret: Secret(secret.into()),
        }
    }

    /// `sha256=<hex HMAC-SHA256(secret, body)>`.
    pub fn signature_header(&self, body: &[u8]) -> String {
        format!(
            "sha256={}",
            hex::encode(hmac(self.secret.0.as_bytes(), &[body]))
        )
    }

    /// `v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>`.
    pub fn standard_signature(&self, id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
        let key = standard_key(&self.secret.0)?;
        let prefix = format!("{id}.{timestamp}.");
        Ok(format!(
            "v1,{}",
            STANDARD.encode(hmac(&key, &[prefix.as_bytes(), body]))
        ))
    }

    /// Builds and signs the delivery of event `id`.
    pub fn sign(
        &self,
        id: &str,
        event: WebhookEventType,
        data: &serde_json::Value,
        timestamp: DateTime<Utc>,
    ) -> Result<SignedWebhook> {
        let unsigned = serde_json::to_vec(&Unsigned {
            id,
            event,
            data,
            timestamp,
        })
        .map_err(|e| crate::Error::config(format!("cannot encode the event: {e}")))?;
        let inner_signature = self.signature_header(&unsigned);
        let mut body = unsigned;
        body.pop();
        body.extend_from_slice(format!(r#","signature":"{inner_signature}"}}"#).as_bytes());

        let seconds = timestamp.timestamp();
        let headers = vec![
            ("Content-Type".to_owned(), "application/json".to_owned()),
            (
                "X-AnimaForge-Signature".to_owned(),
                self.signature_header(&body),
            ),
            ("webhook-id".to_owned(), id.to_owned()),
            ("webhook-timestamp".to_owned(), seconds.to_string()),
            (
                "webhook-signature".to_owned(),
                self.standard_signature(id, seconds, &body)?,
            ),
        ];
        Ok(SignedWebhook { body, headers })
    }
}
