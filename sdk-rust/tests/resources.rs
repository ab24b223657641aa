//! Every resource of the SDK against the real reference server, started in-process by
//! each test (SQLite in a temporary directory).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use animaforge::{
    AnimationStatus, Category, Error, GenerateConfig, License, ListAnimationsQuery, Money,
    UpdateAnimationRequest, UploadMetadata, UploadSource,
};
use common::{PASSWORD, Server, test_video, unique, upload_ready, wait_ready};
use futures::TryStreamExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_sessions_and_api_keys() {
    let server = Server::start().await;
    let anonymous = server.anonymous();

    let health = anonymous.system().health().await.unwrap();
    assert!(!health.version.is_empty());

    let name = unique("acct");
    let email = format!("{name}@example.com");
    let session = anonymous
        .auth()
        .register(&name, &email, PASSWORD)
        .await
        .unwrap();
    assert_eq!(session.user().unwrap().username, name);
    let me = session.client().auth().me().await.unwrap();
    assert_eq!(me.email, email);

    let again = anonymous
        .auth()
        .register(&name, &email, PASSWORD)
        .await
        .unwrap_err();
    assert!(matches!(again, Error::Conflict(_)), "{again:?}");
    let wrong = anonymous
        .auth()
        .login(&email, "wrong-password-1")
        .await
        .unwrap_err();
    assert!(matches!(wrong, Error::Authentication(_)), "{wrong:?}");

    // Login and an explicit refresh: the new access token still works.
    let login = anonymous.auth().login(&email, PASSWORD).await.unwrap();
    let before = login.tokens();
    login.refresh().await.unwrap();
    assert_ne!(login.tokens().refresh_token, before.refresh_token);
    assert_eq!(login.refresh_count(), 1);
    assert_eq!(login.client().auth().me().await.unwrap().id, me.id);

    // API keys: create, use, list, revoke; a revoked key is refused.
    let key = login.client().api_keys().create("sdk tests").await.unwrap();
    assert!(key.key.starts_with("af_live_"));
    assert!(
        !format!("{key:?}").contains(&key.key),
        "Debug hides the key"
    );
    let by_key = anonymous.with_api_key(&key.key);
    assert_eq!(by_key.auth().me().await.unwrap().id, me.id);
    let keys = by_key.api_keys().list().await.unwrap();
    let listed = keys.iter().find(|k| k.id == key.id).expect("listed");
    assert_eq!(listed.name, "sdk tests");
    login.client().api_keys().revoke(&key.id).await.unwrap();
    let refused = by_key.auth().me().await.unwrap_err();
    assert!(matches!(refused, Error::Authentication(_)), "{refused:?}");
    assert_eq!(refused.status(), Some(401));
    assert!(refused.request_id().unwrap().starts_with("req_"));
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogue_upload_list_get_update_like_download_delete() {
    let server = Server::start().await;
    let (owner, _) = server.key_client("owner").await;
    let (fan, _) = server.key_client("fan").await;

    // Upload with byte progress; the last report is the file's size.
    let video = test_video();
    let size = std::fs::metadata(&video).unwrap().len();
    let sent = Arc::new(AtomicU64::new(0));
    let counter = sent.clone();
    let mut metadata = UploadMetadata::new(unique("Catalogue "));
    metadata.tags = Some(vec!["math".into(), "test".into()]);
    metadata.category = Some(Category::Math);
    let uploaded = owner
        .animations()
        .upload(UploadSource::path(&video), metadata)
        .on_progress(move |p| counter.store(p.bytes, Ordering::SeqCst))
        .await
        .unwrap();
    assert_eq!(sent.load(Ordering::SeqCst), size);
    assert_eq!(uploaded.status, AnimationStatus::Processing);
    wait_ready(&owner, &uploaded.id).await;

    let animation = fan.animations().get(&uploaded.id).await.unwrap();
    assert_eq!(animation.status, AnimationStatus::Ready);
    assert_eq!(animation.metadata.as_ref().unwrap().file_size, size);
    assert!(animation.thumbnail_url.is_some());

    // Two more, then a page of one and the stream over every page.
    for n in 0..2 {
        upload_ready(&owner, UploadMetadata::new(format!("Page item {n}"))).await;
    }
    let page = fan
        .animations()
        .list(ListAnimationsQuery {
            per_page: Some(1),
            ..Default::default()
        })
        .with_meta()
        .await
        .unwrap();
    assert_eq!(page.data.items.len(), 1);
    assert_eq!(page.data.pagination.total, 3);
    assert!(page.data.has_next());
    assert!(page.meta.request_id.is_some());
    let all: Vec<_> = fan
        .animations()
        .list(ListAnimationsQuery {
            per_page: Some(1),
            ..Default::default()
        })
        .stream()
        .try_collect()
        .await
        .unwrap();
    let mut ids: Vec<_> = all.iter().map(|a| a.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 3);
    assert!(ids.contains(&uploaded.id));

    // Update as a new version.
    let updated = owner
        .animations()
        .update(
            &uploaded.id,
            UpdateAnimationRequest {
                title: Some("Renamed".into()),
                price: Some(Money::from_cents(999)),
                license: Some(License::CcBy),
                changelog: Some("Second cut".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(updated.title, "Renamed");
    assert_eq!(updated.price, Money::from_cents(999));
    assert_eq!(updated.versions.len(), 2);
    let refused = fan
        .animations()
        .update(
            &uploaded.id,
            UpdateAnimationRequest {
                title: Some("Not mine".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(refused, Error::Authorization(_) | Error::NotFound(_)),
        "{refused:?}"
    );

    // Like and unlike.
    let liked = fan.animations().like(&uploaded.id).await.unwrap();
    assert!(liked.liked);
    assert_eq!(liked.like_count, 1);
    let unliked = fan.animations().unlike(&uploaded.id).await.unwrap();
    assert!(!unliked.liked);
    assert_eq!(unliked.like_count, 0);

    // Download through the signed redirect: the same bytes.
    let mut bytes = Vec::new();
    let info = owner
        .animations()
        .download(&uploaded.id)
        .to_writer(&mut bytes)
        .await
        .unwrap();
    assert_eq!(info.bytes, size);
    assert_eq!(bytes, std::fs::read(&video).unwrap());
    let mut thumb = Vec::new();
    owner
        .files()
        .download(animation.thumbnail_url.as_deref().unwrap())
        .to_writer(&mut thumb)
        .await
        .unwrap();
    assert!(thumb.starts_with(&[0xFF, 0xD8]), "a JPEG");

    // An upload has no Manim source.
    let source = owner.animations().source(&uploaded.id).await.unwrap_err();
    assert!(matches!(source, Error::NotFound(_)), "{source:?}");

    // Delete.
    owner.animations().delete(&uploaded.id).await.unwrap();
    let gone = owner.animations().get(&uploaded.id).await.unwrap_err();
    assert!(matches!(gone, Error::NotFound(_)), "{gone:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_profiles_follow_and_unfollow() {
    let server = Server::start().await;
    let (creator, creator_session) = server.key_client("creator").await;
    let (follower, _) = server.key_client("follower").await;
    let creator_id = creator_session.user().unwrap().id.clone();
    upload_ready(&creator, UploadMetadata::new("By the creator")).await;

    let profile = follower.users().get(&creator_id).await.unwrap();
    assert_eq!(profile.username, creator_session.user().unwrap().username);
    assert_eq!(profile.stats.animations, 1);
    let theirs = follower
        .users()
        .animations(&creator_id, ListAnimationsQuery::default())
        .await
        .unwrap();
    assert_eq!(theirs.items.len(), 1);
    assert_eq!(theirs.items[0].title, "By the creator");

    let followed = follower.users().follow(&creator_id).await.unwrap();
    assert!(followed.following);
    assert_eq!(followed.follower_count, 1);
    assert_eq!(
        follower
            .users()
            .get(&creator_id)
            .await
            .unwrap()
            .stats
            .followers,
        1
    );
    let unfollowed = follower.users().unfollow(&creator_id).await.unwrap();
    assert!(!unfollowed.following);
    assert_eq!(unfollowed.follower_count, 0);

    let missing = follower.users().get("user_missing").await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn search_with_facets_and_autocomplete() {
    let server = Server::start().await;
    let (client, _) = server.key_client("searcher").await;
    let mut wanted = UploadMetadata::new("Pendulum physics simulation");
    wanted.description = Some("A damped pendulum".into());
    wanted.category = Some(Category::Science);
    let id = upload_ready(&client, wanted).await;
    upload_ready(&client, UploadMetadata::new("Unrelated title")).await;

    let page = client.search().search("pendulum").await.unwrap();
    assert_eq!(page.items.len(), 1, "{:?}", page.items);
    assert_eq!(page.items[0].animation.id, id);
    assert!(page.items[0].score > 0.0);
    let facets = page.facets.expect("facets");
    assert_eq!(facets.categories.get("science"), Some(&1));

    let none = client.search().search("zeppelin").await.unwrap();
    assert!(none.items.is_empty());

    let suggestions = client.search().autocomplete("pend", Some(5)).await.unwrap();
    assert!(
        suggestions
            .iter()
            .any(|s| s.to_lowercase().contains("pendulum")),
        "{suggestions:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketplace_purchases_with_the_test_payment_methods() {
    let server = Server::start().await;
    let (seller, _) = server.key_client("seller").await;
    let (buyer, _) = server.key_client("buyer").await;
    let (declined, _) = server.key_client("declined").await;
    let mut priced = UploadMetadata::new("Priced animation");
    priced.price = Some(Money::from_cents(499));
    priced.license = Some(License::Proprietary);
    let id = upload_ready(&seller, priced).await;

    let purchase = buyer
        .marketplace()
        .purchase(&id, "card_visa")
        .await
        .unwrap();
    assert_eq!(purchase.animation_id, id);
    assert_eq!(purchase.amount, Money::from_cents(499));
    assert_eq!(purchase.currency, "USD");
    // Buying again returns the same purchase and charges nothing.
    let again = buyer
        .marketplace()
        .purchase(&id, "card_visa")
        .await
        .unwrap();
    assert_eq!(again.id, purchase.id);

    let refused = declined
        .marketplace()
        .purchase(&id, "card_declined")
        .await
        .unwrap_err();
    assert!(matches!(refused, Error::PaymentDeclined(_)), "{refused:?}");
    assert_eq!(refused.status(), Some(402));
    let own = seller
        .marketplace()
        .purchase(&id, "card_visa")
        .await
        .unwrap_err();
    assert!(matches!(own, Error::Validation { .. }), "{own:?}");

    let purchases = buyer
        .marketplace()
        .purchases(Default::default())
        .await
        .unwrap();
    assert_eq!(purchases.items.len(), 1);
    assert_eq!(purchases.items[0].animation.id, id);

    buyer.marketplace().featured().await.unwrap();
    let trending = buyer
        .marketplace()
        .trending(Default::default())
        .await
        .unwrap();
    assert!(trending.len() <= 50);

    // The seller's analytics see the sale.
    let dashboard = seller
        .analytics()
        .dashboard(Default::default())
        .await
        .unwrap();
    assert_eq!(dashboard.overview.total_revenue, Money::from_cents(499));
    let one = seller
        .analytics()
        .animation(&id, Default::default())
        .await
        .unwrap();
    assert_eq!(one.animation_id, id);
    let foreign = buyer
        .analytics()
        .animation(&id, Default::default())
        .await
        .unwrap_err();
    assert!(
        matches!(foreign, Error::Authorization(_) | Error::NotFound(_)),
        "{foreign:?}"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_map_to_their_variants_with_request_ids() {
    let server = Server::start().await;
    let (client, _) = server.key_client("errors").await;

    let missing = client.animations().get("anim_missing").await.unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    assert_eq!(missing.code(), "NOT_FOUND");
    assert_eq!(missing.status(), Some(404));
    assert!(missing.request_id().unwrap().starts_with("req_"));

    let invalid = client
        .animations()
        .generate("a cube", GenerateConfig::default().duration(100.0))
        .await
        .unwrap_err();
    match &invalid {
        Error::Validation {
            field, constraint, ..
        } => {
            assert_eq!(field.as_deref(), Some("config.duration"));
            assert!(
                constraint.as_deref().unwrap().contains("1 and 60"),
                "{constraint:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(invalid.status(), Some(400));
    assert!(invalid.request_id().is_some());

    let anonymous = server.anonymous().with_api_key("af_live_not_a_real_key");
    let unauthorized = anonymous.auth().me().await.unwrap_err();
    assert!(
        matches!(unauthorized, Error::Authentication(_)),
        "{unauthorized:?}"
    );
    assert_eq!(unauthorized.code(), "AUTHENTICATION_ERROR");
    assert!(!unauthorized.to_string().contains("af_live_not_a_real_key"));

    let nobody = server.anonymous().auth().me().await.unwrap_err();
    assert_eq!(nobody.status(), Some(401));
    server.stop().await;
}
