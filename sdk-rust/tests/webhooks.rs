//! Webhook endpoints against the real server, and a real signed delivery to a local
//! receiver, verified with the SDK's verifier.

mod common;

use std::time::Duration;

use animaforge::{Error, WebhookData, WebhookEventType, WebhookStatus};
use common::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

type Delivery = (Vec<(String, String)>, Vec<u8>);

/// A minimal HTTP/1.1 endpoint on 127.0.0.1 that answers 200 and hands each request's
/// headers and raw body to the test.
async fn receiver() -> (u16, mpsc::UnboundedReceiver<Delivery>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 8192];
                let header_end = loop {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                        break pos + 4;
                    }
                };
                let head = String::from_utf8_lossy(&buf[..header_end]).into_owned();
                let headers: Vec<(String, String)> = head
                    .lines()
                    .skip(1)
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                while buf.len() < header_end + length {
                    let n = socket.read(&mut chunk).await.unwrap_or(0);
                    if n == 0 {
                        break;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                }
                let body = buf[header_end..].to_vec();
                let _ = socket
                    .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .await;
                let _ = tx.send((headers, body));
            });
        }
    });
    (port, rx)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhooks_create_list_delete_and_a_verified_delivery() {
    let server = Server::start_with(&["--webhook-allow-hosts", "127.0.0.1"]).await;
    let (port, mut deliveries) = receiver().await;
    let (creator, session) = server.key_client("hooked").await;
    let (follower, follower_session) = server.key_client("fan").await;
    let creator_id = session.user().unwrap().id.clone();
    let secret = "test-webhook-secret-0123456789";

    let short = creator
        .webhooks()
        .create(
            format!("http://127.0.0.1:{port}/hook"),
            vec![WebhookEventType::UserFollowed],
            "short",
        )
        .await
        .unwrap_err();
    match &short {
        Error::Validation { field, .. } => assert_eq!(field.as_deref(), Some("secret")),
        other => panic!("{other:?}"),
    }

    let hook = creator
        .webhooks()
        .create(
            format!("http://127.0.0.1:{port}/hook"),
            vec![WebhookEventType::UserFollowed],
            secret,
        )
        .await
        .unwrap();
    assert_eq!(hook.status, WebhookStatus::Active);
    assert_eq!(hook.events, vec![WebhookEventType::UserFollowed]);
    let listed = creator.webhooks().list().await.unwrap();
    assert_eq!(
        listed.iter().map(|w| &w.id).collect::<Vec<_>>(),
        vec![&hook.id]
    );

    // Following the creator makes the server deliver a signed `user.followed`.
    follower.users().follow(&creator_id).await.unwrap();
    let (headers, body) = tokio::time::timeout(Duration::from_secs(60), deliveries.recv())
        .await
        .expect("a delivery within a minute")
        .expect("receiver running");
    let verifier = creator.webhooks().verifier(&[secret]);
    let event = verifier.verify(&body, &headers).unwrap();
    assert_eq!(event.event, WebhookEventType::UserFollowed);
    match WebhookData::from_event(&event).unwrap() {
        WebhookData::UserFollowed(data) => {
            assert_eq!(data.user_id, creator_id);
            assert_eq!(data.follower_id, follower_session.user().unwrap().id);
        }
        other => panic!("{other:?}"),
    }
    // The same bytes with another secret, or altered, do not verify.
    let wrong = creator.webhooks().verifier(&["another-secret-0123456789"]);
    assert!(wrong.verify(&body, &headers).is_err());
    let mut tampered = body.clone();
    if let Some(b) = tampered.iter_mut().find(|b| b.is_ascii_digit()) {
        *b = if *b == b'9' { b'8' } else { *b + 1 };
    }
    assert!(verifier.verify(&tampered, &headers).is_err());

    creator.webhooks().delete(&hook.id).await.unwrap();
    assert!(creator.webhooks().list().await.unwrap().is_empty());
    let twice = creator.webhooks().delete(&hook.id).await.unwrap_err();
    assert!(matches!(twice, Error::NotFound(_)), "{twice:?}");
    server.stop().await;
}
