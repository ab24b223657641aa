//! Against a running reference server: set `ANIMAFORGE_LIVE_URL` (for example
//! `http://127.0.0.1:8080/v1`) to run; skipped with a notice otherwise.
#![allow(clippy::print_stderr)]

use std::time::Duration;

use animaforge::{
    AnimaForge, Error, GenerateConfig, JobUpdate, ListAnimationsQuery, Quality, WaitOptions,
};
use futures::StreamExt;

fn live_url() -> Option<String> {
    let url = std::env::var("ANIMAFORGE_LIVE_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() {
        eprintln!("skipping: set ANIMAFORGE_LIVE_URL to run against a reference server");
    }
    url
}

fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}{}", nanos % 1_000_000_000_000)
}

#[tokio::test]
async fn accounts_keys_catalogue_and_search() {
    let Some(url) = live_url() else { return };
    let anonymous = AnimaForge::builder().base_url(&url).build().unwrap();

    let health = anonymous.system().health().await.unwrap();
    assert!(!health.version.is_empty());

    let name = unique("u");
    let email = format!("{name}@example.com");
    let session = anonymous
        .auth()
        .register(&name, &email, "SecurePass123!")
        .await
        .unwrap();
    assert_eq!(session.user().unwrap().username, name);
    let me = session.client().auth().me().await.unwrap();
    assert_eq!(me.email, email);

    let again = anonymous
        .auth()
        .register(&name, &email, "SecurePass123!")
        .await
        .unwrap_err();
    assert_eq!(again.code(), "CONFLICT", "{again}");
    let wrong = anonymous
        .auth()
        .login(&email, "wrong-password-1")
        .await
        .unwrap_err();
    assert_eq!(wrong.code(), "AUTHENTICATION_ERROR");

    let key = session.client().api_keys().create("cli").await.unwrap();
    assert!(key.key.starts_with("af_live_"));
    let client = anonymous.with_api_key(&key.key);
    assert_eq!(client.auth().me().await.unwrap().id, me.id);
    assert!(
        client
            .api_keys()
            .list()
            .await
            .unwrap()
            .iter()
            .any(|k| k.id == key.id)
    );

    let page = client
        .animations()
        .list(ListAnimationsQuery::default())
        .with_meta()
        .await
        .unwrap();
    assert!(page.meta.request_id.is_some());
    let streamed: Vec<_> = client
        .animations()
        .list(ListAnimationsQuery {
            per_page: Some(2),
            ..Default::default()
        })
        .stream()
        .collect()
        .await;
    assert!(streamed.iter().all(Result::is_ok));
    assert_eq!(streamed.len() as u64, page.data.pagination.total);

    let results = client.search().search("physics").await.unwrap();
    assert!(results.facets.is_some());
    client.search().autocomplete("ph", Some(5)).await.unwrap();

    let missing = client
        .animations()
        .get("anim_does_not_exist")
        .await
        .unwrap_err();
    assert!(matches!(missing, Error::NotFound(_)), "{missing:?}");
    assert!(missing.request_id().is_some());

    let templates = client.templates().list().await.unwrap();
    assert!(!templates.is_empty());
}

#[tokio::test]
async fn generate_wait_and_download() {
    let Some(url) = live_url() else { return };
    let anonymous = AnimaForge::builder().base_url(&url).build().unwrap();
    let name = unique("g");
    let session = anonymous
        .auth()
        .register(&name, format!("{name}@example.com"), "SecurePass123!")
        .await
        .unwrap();
    let client = session.client();

    let job = client
        .animations()
        .generate(
            "A blue sphere rotating",
            GenerateConfig::default()
                .quality(Quality::Low)
                .duration(2.0),
        )
        .await
        .unwrap();
    let updates = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = updates.clone();
    let options = WaitOptions::default()
        .timeout(Some(Duration::from_secs(300)))
        .on_update(move |u: &JobUpdate| sink.lock().unwrap().push(u.clone()));
    match job.wait_with(options).await {
        Ok(animation) => {
            assert!(!updates.lock().unwrap().is_empty());
            let dir = std::env::temp_dir().join(unique("afdl"));
            std::fs::create_dir_all(&dir).unwrap();
            let info = client
                .animations()
                .download(&animation.id)
                .to_path(dir.join("a.mp4"))
                .await
                .unwrap();
            assert_eq!(info.bytes, animation.metadata.file_size);
            let mut thumb = Vec::new();
            client
                .files()
                .download(&animation.thumbnail_url)
                .to_writer(&mut thumb)
                .await
                .unwrap();
            assert!(thumb.starts_with(&[0xFF, 0xD8]), "a JPEG");
        }
        Err(Error::JobFailed {
            job_id,
            last_logs,
            error,
            ..
        }) => {
            // A server without a renderer fails the job; the error still names it.
            assert_eq!(job_id, job.id());
            eprintln!("job failed (no renderer?): {error:?} {last_logs:?}");
        }
        Err(other) => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn upload_then_download_through_the_signed_redirect() {
    let Some(url) = live_url() else { return };
    let Ok(video) = std::env::var("ANIMAFORGE_LIVE_VIDEO") else {
        eprintln!("skipping: set ANIMAFORGE_LIVE_VIDEO to an MP4 file");
        return;
    };
    let anonymous = AnimaForge::builder().base_url(&url).build().unwrap();
    let name = unique("up");
    let session = anonymous
        .auth()
        .register(&name, format!("{name}@example.com"), "SecurePass123!")
        .await
        .unwrap();
    let client = session.client();
    let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = sent.clone();
    let uploaded = client
        .animations()
        .upload(
            animaforge::UploadSource::path(&video),
            animaforge::UploadMetadata::new("Live upload"),
        )
        .on_progress(move |p| counter.store(p.bytes, std::sync::atomic::Ordering::SeqCst))
        .await
        .unwrap();
    let size = std::fs::metadata(&video).unwrap().len();
    assert_eq!(sent.load(std::sync::atomic::Ordering::SeqCst), size);

    let mut ready = None;
    for _ in 0..50 {
        let animation = client.animations().get(&uploaded.id).await.unwrap();
        if animation.status == animaforge::AnimationStatus::Ready {
            ready = Some(animation);
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let animation = ready.expect("the upload is processed");
    let mut bytes = Vec::new();
    let info = client
        .animations()
        .download(&animation.id)
        .to_writer(&mut bytes)
        .await
        .unwrap();
    assert_eq!(info.bytes, size);
    assert_eq!(bytes, std::fs::read(&video).unwrap());
}
