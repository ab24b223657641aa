//! Signatures of deliveries.
//!
//! A webhook body carries `signature`: `sha256=` and the hex HMAC-SHA256 of the body
//! without that member, which is written last. Every delivery (webhooks and job
//! callbacks) carries `X-AnimaForge-Signature: sha256=<hex HMAC of the raw body>` and
//! the Standard Webhooks headers: `webhook-id`, `webhook-timestamp` (Unix seconds) and
//! `webhook-signature: v1,<base64 HMAC of "{id}.{timestamp}.{body}">`, all keyed with
//! the UTF-8 bytes of the secret.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The raw HMAC-SHA256 of `parts` (concatenated), keyed with `secret`.
fn hmac(secret: &str, parts: &[&[u8]]) -> Vec<u8> {
    // HMAC takes keys of any length.
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).expect("any key length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// `sha256=` and the hex HMAC-SHA256 of `body`.
pub fn sha256_signature(secret: &str, body: &[u8]) -> String {
    format!("sha256={}", hex::encode(hmac(secret, &[body])))
}

/// The body of a webhook event: `unsigned` (a JSON object) with the `signature` member
/// appended last.
pub fn signed_event_body(secret: &str, unsigned: &[u8]) -> Vec<u8> {
    let signature = sha256_signature(secret, unsigned);
    let mut body = Vec::with_capacity(unsigned.len() + 90);
    let end = unsigned
        .iter()
        .rposition(|b| *b == b'}')
        .unwrap_or(unsigned.len());
    body.extend_from_slice(&unsigned[..end]);
    body.extend_from_slice(br#","signature":""#);
    body.extend_from_slice(signature.as_bytes());
    body.extend_from_slice(br#""}"#);
    body
}

/// The Standard Webhooks `webhook-signature` value: `v1,<base64 HMAC>`.
pub fn standard_signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let ts = timestamp.to_string();
    let mac = hmac(secret, &[id.as_bytes(), b".", ts.as_bytes(), b".", body]);
    format!(
        "v1,{}",
        base64::engine::general_purpose::STANDARD.encode(mac)
    )
}

/// The signature headers of a delivery of `body`, as (name, value) pairs.
pub fn delivery_headers(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> [(&'static str, String); 4] {
    [
        ("x-animaforge-signature", sha256_signature(secret, body)),
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        (
            "webhook-signature",
            standard_signature(secret, id, timestamp, body),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_signature_covers_the_body_without_it() {
        let unsigned = br#"{"id":"evt_1","event":"user.followed","data":{},"timestamp":"t"}"#;
        let body = signed_event_body("0123456789abcdef", unsigned);
        let text = std::str::from_utf8(&body).unwrap();
        let value: serde_json::Value = serde_json::from_str(text).unwrap();
        let sig = value["signature"].as_str().unwrap();
        assert_eq!(sig, sha256_signature("0123456789abcdef", unsigned));
        let cut = text.replace(&format!(r#","signature":"{sig}""#), "");
        assert_eq!(cut.as_bytes(), unsigned);
    }

    #[test]
    fn standard_signature_is_known_answer() {
        // HMAC-SHA256("key", "msg_1.1.{}") computed independently.
        let sig = standard_signature("key", "msg_1", 1, b"{}");
        assert!(sig.starts_with("v1,"));
        assert_eq!(sig.len(), 3 + 44);
    }
}
