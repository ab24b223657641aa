//! Webhook vectors: good, tampered, stale, future, rotated secret, wrong secret, missing
//! headers, for each signature scheme.

use std::time::Duration;

use animaforge_core::webhooks::{self, WebhookData};
use animaforge_core::{
    Error, SignedWebhook, Verifier, WebhookErrorKind, WebhookEventType, WebhookSigner,
};
use chrono::{DateTime, Utc};
use serde_json::json;

const SECRET: &str = "whsec_dGVzdC1zZWNyZXQtMTIzNDU2Nzg5MA==";
const OLD_SECRET: &str = "an-old-secret-0123456789";
const TOLERANCE: Duration = Duration::from_secs(300);

fn signed_at(secret: &str, at: DateTime<Utc>) -> SignedWebhook {
    WebhookSigner::new(secret)
        .sign(
            "evt_1",
            WebhookEventType::AnimationGenerated,
            &json!({"animation_id": "anim_123", "job_id": "job_abc123", "status": "completed"}),
            at,
        )
        .unwrap()
}

fn signed(secret: &str) -> SignedWebhook {
    signed_at(secret, Utc::now())
}

/// The headers of one scheme only.
fn only(delivery: &SignedWebhook, names: &[&str]) -> Vec<(String, String)> {
    delivery
        .headers
        .iter()
        .filter(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .cloned()
        .collect()
}

const STANDARD: &[&str] = &["webhook-id", "webhook-timestamp", "webhook-signature"];
const HEADER: &[&str] = &["x-animaforge-signature"];
const BODY: &[&str] = &[];

fn kind(result: animaforge_core::Result<animaforge_api::WebhookEvent>) -> WebhookErrorKind {
    match result {
        Err(Error::WebhookVerification { kind, .. }) => kind,
        other => panic!("expected a verification error, got {other:?}"),
    }
}

#[test]
fn good_deliveries_verify_under_every_scheme() {
    let delivery = signed(SECRET);
    for scheme in [STANDARD, HEADER, BODY] {
        let headers = only(&delivery, scheme);
        let event =
            webhooks::verify(&delivery.body, &headers, &[SECRET], TOLERANCE).expect("verifies");
        assert_eq!(event.id, "evt_1");
        assert_eq!(event.event, WebhookEventType::AnimationGenerated);
        match WebhookData::from_event(&event).unwrap() {
            WebhookData::AnimationGenerated(data) => assert_eq!(data.job_id, "job_abc123"),
            other => panic!("{other:?}"),
        }
    }
    let mut map = http::HeaderMap::new();
    for (k, v) in &delivery.headers {
        map.insert(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            v.parse().unwrap(),
        );
    }
    webhooks::verify(&delivery.body, &map, &[SECRET], TOLERANCE)
        .expect("an http::HeaderMap works too");
}

#[test]
fn tampered_bodies_fail_under_every_scheme() {
    let delivery = signed(SECRET);
    let tampered = String::from_utf8(delivery.body.clone())
        .unwrap()
        .replace("anim_123", "anim_999")
        .into_bytes();
    for scheme in [STANDARD, HEADER, BODY] {
        let headers = only(&delivery, scheme);
        assert_eq!(
            kind(webhooks::verify(&tampered, &headers, &[SECRET], TOLERANCE)),
            WebhookErrorKind::SignatureMismatch
        );
    }
}

#[test]
fn a_re_serialised_body_does_not_verify_and_the_message_says_why() {
    let delivery = signed(SECRET);
    let value: serde_json::Value = serde_json::from_slice(&delivery.body).unwrap();
    let pretty = serde_json::to_vec_pretty(&value).unwrap();
    let headers = only(&delivery, HEADER);
    let error = webhooks::verify(&pretty, &headers, &[SECRET], TOLERANCE).unwrap_err();
    assert!(error.to_string().contains("raw request body"), "{error}");
}

#[test]
fn stale_and_future_deliveries_fail_in_both_directions() {
    let stale = signed_at(SECRET, Utc::now() - chrono::Duration::minutes(10));
    let future = signed_at(SECRET, Utc::now() + chrono::Duration::minutes(10));
    for scheme in [STANDARD, HEADER, BODY] {
        assert_eq!(
            kind(webhooks::verify(
                &stale.body,
                &only(&stale, scheme),
                &[SECRET],
                TOLERANCE
            )),
            WebhookErrorKind::TimestampTooOld
        );
        assert_eq!(
            kind(webhooks::verify(
                &future.body,
                &only(&future, scheme),
                &[SECRET],
                TOLERANCE
            )),
            WebhookErrorKind::TimestampInFuture
        );
    }
    // Verified later against the time it was received, the stale one is fine.
    let received = Utc::now() - chrono::Duration::minutes(9);
    Verifier::new(&[SECRET])
        .received_at(received)
        .verify(&stale.body, &only(&stale, STANDARD))
        .unwrap();
}

#[test]
fn rotated_secrets_verify_with_either_and_wrong_ones_fail() {
    let by_old = signed(OLD_SECRET);
    let by_new = signed(SECRET);
    let verifier = Verifier::new(&[SECRET, OLD_SECRET]);
    for scheme in [STANDARD, HEADER, BODY] {
        verifier
            .verify(&by_old.body, &only(&by_old, scheme))
            .expect("old secret still accepted");
        verifier
            .verify(&by_new.body, &only(&by_new, scheme))
            .expect("new secret accepted");
        assert_eq!(
            kind(
                Verifier::new(&["wrong-secret-0123456789"])
                    .verify(&by_new.body, &only(&by_new, scheme))
            ),
            WebhookErrorKind::SignatureMismatch
        );
    }
}

#[test]
fn missing_or_malformed_signatures_are_refused() {
    let delivery = signed(SECRET);
    let bare =
        br#"{"id":"evt_1","event":"user.followed","data":{},"timestamp":"2025-01-15T10:30:00Z"}"#;
    let none: Vec<(String, String)> = Vec::new();
    assert_eq!(
        kind(webhooks::verify(bare, &none, &[SECRET], TOLERANCE)),
        WebhookErrorKind::MissingSignature
    );

    let no_timestamp: Vec<(String, String)> = only(&delivery, STANDARD)
        .into_iter()
        .filter(|(k, _)| k != "webhook-timestamp")
        .collect();
    assert_eq!(
        kind(webhooks::verify(
            &delivery.body,
            &no_timestamp,
            &[SECRET],
            TOLERANCE
        )),
        WebhookErrorKind::MissingTimestamp
    );

    let no_id: Vec<(String, String)> = only(&delivery, STANDARD)
        .into_iter()
        .filter(|(k, _)| k != "webhook-id")
        .collect();
    assert_eq!(
        kind(webhooks::verify(
            &delivery.body,
            &no_id,
            &[SECRET],
            TOLERANCE
        )),
        WebhookErrorKind::MalformedSignature
    );

    let bad_header = vec![("X-AnimaForge-Signature".to_owned(), "md5=abc".to_owned())];
    assert_eq!(
        kind(webhooks::verify(
            &delivery.body,
            &bad_header,
            &[SECRET],
            TOLERANCE
        )),
        WebhookErrorKind::MalformedSignature
    );

    assert_eq!(
        kind(webhooks::verify(
            &delivery.body,
            &only(&delivery, HEADER),
            &[],
            TOLERANCE
        )),
        WebhookErrorKind::InvalidSecret
    );
}

#[test]
fn standard_webhooks_accepts_any_listed_signature() {
    let delivery = signed(SECRET);
    let mut headers = only(&delivery, STANDARD);
    for (k, v) in &mut headers {
        if k == "webhook-signature" {
            *v = format!("v1,AAAA {v} v2,ignored");
        }
    }
    webhooks::verify(&delivery.body, &headers, &[SECRET], TOLERANCE)
        .expect("one matching entry is enough");
}

#[test]
fn the_body_signature_is_the_hmac_of_the_body_without_it() {
    let delivery = signed("plain-secret-0123456789");
    let text = String::from_utf8(delivery.body.clone()).unwrap();
    let cut = text.rfind(r#","signature":""#).unwrap();
    let unsigned = format!("{}}}", &text[..cut]);
    let inner = WebhookSigner::new("plain-secret-0123456789").signature_header(unsigned.as_bytes());
    assert!(text.ends_with(&format!(r#","signature":"{inner}"}}"#)));
}
