//! Verifying webhook deliveries, and signing them (for tests and servers).
//!
//! Three signatures are accepted, strongest first:
//! 1. Standard Webhooks headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and
//!    `webhook-signature: v1,<base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")>` (several
//!    space-separated entries allowed). The key is the secret's bytes, or for a secret
//!    starting with `whsec_`, the base64-decoded rest.
//! 2. `X-AnimaForge-Signature: sha256=<hex HMAC-SHA256(secret, raw body)>`, with the body's
//!    `timestamp` checked.
//! 3. The body's own `signature` member: the HMAC of the body without that member (the
//!    server writes it last), with the body's `timestamp` checked.
//!
//! **Verify the raw bytes of the request body exactly as received.** A body that was
//! parsed and serialised again (reordered keys, other whitespace) does not verify: the
//! verifier only takes `&[u8]` for that reason.
//!
//! Comparisons are constant-time; timestamps must be within the tolerance on both sides
//! of now (or of the given receive time); several secrets can be given during a rotation.

mod signer;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use animaforge_api::{
    AnimationGeneratedData, AnimationPurchasedData, UserFollowedData, WebhookEvent,
    WebhookEventType,
};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::client::Secret;
use crate::error::{Error, Result, WebhookErrorKind};

pub use signer::{SignedWebhook, WebhookSigner};

/// The default timestamp tolerance: 5 minutes either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(300);

/// Case-insensitive header lookup over whatever map a web framework hands out.
pub trait HeaderLookup {
    /// The value of header `name` (lower case), if present and text.
    fn header(&self, name: &str) -> Option<&str>;
}

impl HeaderLookup for http::HeaderMap {
    fn header(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|v| v.to_str().ok())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for [(K, V)] {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_ref())
    }
}

impl<K: AsRef<str>, V: AsRef<str>> HeaderLookup for Vec<(K, V)> {
    fn header(&self, name: &str) -> Option<&str> {
        self.as_slice().header(name)
    }
}

impl HeaderLookup for HashMap<String, String> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

impl HeaderLookup for BTreeMap<String, String> {
    fn header(&self, name: &str) -> Option<&str> {
        self.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The `data` of a webhook event, typed by its `event`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WebhookData {
    /// `animation.generated`.
    AnimationGenerated(AnimationGeneratedData),
    /// `animation.purchased`.
    AnimationPurchased(AnimationPurchasedData),
    /// `user.followed`.
    UserFollowed(UserFollowedData),
}

impl WebhookData {
    /// Reads `event.data` as the type its `event` names.
    pub fn from_event(event: &WebhookEvent) -> Result<WebhookData> {
        let data = event.data.clone();
        let parsed = match event.event {
            WebhookEventType::AnimationGenerated => {
                serde_json::from_value(data).map(WebhookData::AnimationGenerated)
            }
            WebhookEventType::AnimationPurchased => {
                serde_json::from_value(data).map(WebhookData::AnimationPurchased)
            }
            WebhookEventType::UserFollowed => {
                serde_json::from_value(data).map(WebhookData::UserFollowed)
            }
        };
        parsed.map_err(|e| {
            fail(
                WebhookErrorKind::InvalidPayload,
                format!("the event's data is not {}: {e}", event.event),
            )
        })
    }
}

/// Verifies webhook deliveries against one or more secrets.
#[derive(Debug, Clone)]
pub struct Verifier {
    secrets: Vec<Secret>,
    tolerance: Duration,
    received_at: Option<DateTime<Utc>>,
}

impl Verifier {
    /// A verifier for `secrets` (give the old and the new one during a rotation).
    pub fn new<S: AsRef<str>>(secrets: &[S]) -> Verifier {
        Verifier {
            secrets: secrets
                .iter()
                .map(|s| Secret(s.as_ref().to_owned()))
                .collect(),
            tolerance: DEFAULT_TOLERANCE,
            received_at: None,
        }
    }

    /// How far the timestamp may be from the receive time, either way (default 5 min).
    pub fn tolerance(mut self, tolerance: Duration) -> Verifier {
        self.tolerance = tolerance;
        self
    }

    /// When the delivery arrived (default: now), for deliveries verified later.
    pub fn received_at(mut self, at: DateTime<Utc>) -> Verifier {
        self.received_at = Some(at);
        self
    }

    /// Verifies a delivery and parses it. `raw_body` must be the request body's bytes
    /// exactly as received.
    pub fn verify<H: HeaderLookup + ?Sized>(
        &self,
        raw_body: &[u8],
        headers: &H,
    ) -> Result<WebhookEvent> {
        if self.secrets.is_empty() || self.secrets.iter().any(|s| s.0.is_empty()) {
            return Err(fail(
                WebhookErrorKind::InvalidSecret,
                "no usable webhook secret was given",
            ));
        }
        if let Some(signatures) = headers.header("webhook-signature") {
            return self.verify_standard(raw_body, headers, signatures);
        }
        if let Some(signature) = headers.header("x-animaforge-signature") {
            let expected = parse_sha256(signature)?;
            self.match_any(&expected, |key| hmac(key, &[raw_body]))?;
            let event = parse(raw_body)?;
            self.check_time(event.timestamp)?;
            return Ok(event);
        }
        let (signed, expected) = split_body_signature(raw_body)?;
        self.match_any(&expected, |key| hmac(key, &[&signed]))?;
        let event = parse(raw_body)?;
        self.check_time(event.timestamp)?;
        Ok(event)
    }

    fn verify_standard<H: HeaderLookup + ?Sized>(
        &self,
        body: &[u8],
        headers: &H,
        signatures: &str,
    ) -> Result<WebhookEvent> {
        let id = headers.header("webhook-id").ok_or_else(|| {
            fail(
                WebhookErrorKind::MalformedSignature,
                "webhook-signature without a webhook-id header",
            )
        })?;
        let timestamp = headers.header("webhook-timestamp").ok_or_else(|| {
            fail(
                WebhookErrorKind::MissingTimestamp,
                "webhook-signature without a webhook-timestamp header",
            )
        })?;
        let seconds: i64 = timestamp.trim().parse().map_err(|_| {
            fail(
                WebhookErrorKind::MissingTimestamp,
                "webhook-timestamp is not a Unix time",
            )
        })?;
        let candidates: Vec<Vec<u8>> = signatures
            .split_whitespace()
            .filter_map(|entry| entry.strip_prefix("v1,"))
            .filter_map(|b64| STANDARD.decode(b64).ok())
            .collect();
        if candidates.is_empty() {
            return Err(fail(
                WebhookErrorKind::MalformedSignature,
                "webhook-signature has no v1 signature",
            ));
        }
        let prefix = format!("{id}.{}.", timestamp.trim());
        let mut matched = false;
        for secret in &self.secrets {
            let key = standard_key(&secret.0)?;
            let mac = hmac(&key, &[prefix.as_bytes(), body]);
            for candidate in &candidates {
                matched |= bool::from(mac.as_slice().ct_eq(candidate.as_slice()));
            }
        }
        if !matched {
            return Err(mismatch());
        }
        let at = DateTime::from_timestamp(seconds, 0).ok_or_else(|| {
            fail(
                WebhookErrorKind::MissingTimestamp,
                "webhook-timestamp is out of range",
            )
        })?;
        self.check_time(at)?;
        parse(body)
    }

    fn match_any(&self, expected: &[u8], mac_for: impl Fn(&[u8]) -> Vec<u8>) -> Result<()> {
        let mut matched = false;
        for secret in &self.secrets {
            matched |= bool::from(mac_for(secret.0.as_bytes()).as_slice().ct_eq(expected));
        }
        if matched { Ok(()) } else { Err(mismatch()) }
    }

    fn check_time(&self, at: DateTime<Utc>) -> Result<()> {
        let now = self.received_at.unwrap_or_else(Utc::now);
        let tolerance = chrono::Duration::from_std(self.tolerance).unwrap_or(chrono::Duration::MAX);
        if at < now - tolerance {
            return Err(fail(
                WebhookErrorKind::TimestampTooOld,
                format!(
                    "the delivery is from {at}, older than the tolerance of {:?}",
                    self.tolerance
                ),
            ));
        }
        if at > now + tolerance {
            return Err(fail(
                WebhookErrorKind::TimestampInFuture,
                format!(
                    "the delivery is from {at}, further in the future than the tolerance of {:?}",
                    self.tolerance
                ),
            ));
        }
        Ok(())
    }
}

/// Verifies a delivery against `secrets` with a timestamp `tolerance`; see [`Verifier`].
pub fn verify<H: HeaderLookup + ?Sized>(
    raw_body: &[u8],
    headers: &H,
    secrets: &[&str],
    tolerance: Duration,
) -> Result<WebhookEvent> {
    Verifier::new(secrets)
        .tolerance(tolerance)
        .verify(raw_body, headers)
}

fn fail(kind: WebhookErrorKind, message: impl Into<String>) -> Error {
    Error::WebhookVerification {
        kind,
        message: message.into(),
    }
}

fn mismatch() -> Error {
    fail(
        WebhookErrorKind::SignatureMismatch,
        "no secret produces this signature; verify the raw request body exactly as received \
         (a body that was parsed and serialised again does not verify) and check the secret",
    )
}

pub(crate) fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// The Standard Webhooks key of a secret.
pub(crate) fn standard_key(secret: &str) -> Result<Vec<u8>> {
    match secret.strip_prefix("whsec_") {
        Some(rest) => STANDARD.decode(rest).map_err(|_| {
            fail(
                WebhookErrorKind::InvalidSecret,
                "a whsec_ secret is not valid base64",
            )
        }),
        None => Ok(secret.as_bytes().to_vec()),
    }
}

fn parse_sha256(value: &str) -> Result<Vec<u8>> {
    let hex_part = value.trim().strip_prefix("sha256=").ok_or_else(|| {
        fail(
            WebhookErrorKind::MalformedSignature,
            "the signature does not start with sha256=",
        )
    })?;
    hex::decode(hex_part).map_err(|_| {
        fail(
            WebhookErrorKind::MalformedSignature,
            "the signature is not hex",
        )
    })
}

const MEMBER: &[u8] = br#","signature":""#;

/// Splits a body into the bytes its `signature` member signs and the signature.
fn split_body_signature(body: &[u8]) -> Result<(Vec<u8>, Vec<u8>)> {
    let start = body
        .windows(MEMBER.len())
        .rposition(|w| w == MEMBER)
        .ok_or_else(|| {
            fail(
                WebhookErrorKind::MissingSignature,
                "no signature header and no signature in the body",
            )
        })?;
    let value_start = start + MEMBER.len();
    let value_len = body[value_start..]
        .iter()
        .position(|&b| b == b'"')
        .ok_or_else(|| {
            fail(
                WebhookErrorKind::MalformedSignature,
                "the body's signature is not terminated",
            )
        })?;
    let value = std::str::from_utf8(&body[value_start..value_start + value_len]).map_err(|_| {
        fail(
            WebhookErrorKind::MalformedSignature,
            "the body's signature is not text",
        )
    })?;
    let rest = &body[value_start + value_len + 1..];
    if rest
        .iter()
        .filter(|b| !b.is_ascii_whitespace())
        .ne(b"}".iter())
    {
        return Err(fail(
            WebhookErrorKind::MalformedSignature,
            "the signature is not the body's last member",
        ));
    }
    let mut signed = body[..start].to_vec();
    signed.extend_from_slice(rest);
    Ok((signed, parse_sha256(value)?))
}

fn parse(body: &[u8]) -> Result<WebhookEvent> {
    serde_json::from_slice(body).map_err(|e| {
        fail(
            WebhookErrorKind::InvalidPayload,
            format!("the body is not a webhook event: {e}"),
        )
    })
}
