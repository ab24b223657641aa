//! The server on S3-compatible storage: moto's S3 server (`moto_server` from the
//! workspace's `.venv`, installed by `tests/setup.sh`) stands in for the bucket on
//! 127.0.0.1, and the server binary runs against it with credentials in its environment,
//! as a deployment would. The bucket is inspected independently of the server through an
//! S3 client of the test's own. Without `moto_server` the test prints a notice and
//! skips, unless `CI=true`.
#![allow(clippy::print_stderr)]

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::*;
use futures::TryStreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt};
use serde_json::{Value, json};

/// A `moto_server` child process, killed on drop.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/moto_server")
}

/// Starts `moto_server` on a free loopback port and waits until it answers; `None`
/// (with a notice) when it is not installed, a panic instead under `CI=true`.
async fn start_moto() -> Option<Moto> {
    let binary = moto_binary();
    if !binary.exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!(
                "moto_server is required under CI=true but {} is missing (run tests/setup.sh)",
                binary.display()
            );
        }
        eprintln!(
            "notice: {} missing (run tests/setup.sh); S3 storage test skipped",
            binary.display()
        );
        return None;
    }
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
        l.local_addr().expect("addr").port()
    };
    let child = Command::new(&binary)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn moto_server");
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    let http = client();
    for _ in 0..300 {
        if http.get(&moto.endpoint).send().await.is_ok() {
            return Some(moto);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto_server did not answer on {}", moto.endpoint);
}

/// Creates `bucket` with a plain path-style `PUT /{bucket}`.
async fn create_bucket(endpoint: &str, bucket: &str) {
    let res = client()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .expect("create bucket");
    assert!(res.status().is_success(), "create bucket: {}", res.status());
}

/// An S3 client of our own for the bucket, signing with moto's dummy credentials.
fn bucket_client(endpoint: &str, bucket: &str) -> AmazonS3 {
    AmazonS3Builder::new()
        .with_endpoint(endpoint)
        .with_allow_http(true)
        .with_region("us-east-1")
        .with_bucket_name(bucket)
        .with_access_key_id("testing")
        .with_secret_access_key("testing")
        .build()
        .expect("bucket client")
}

async fn list(bucket: &AmazonS3) -> Vec<String> {
    let mut names: Vec<String> = bucket
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .expect("list bucket");
    names.sort();
    names
}

async fn read_object(bucket: &AmazonS3, name: &str) -> Vec<u8> {
    bucket
        .get(&ObjectPath::from(name))
        .await
        .expect("get object")
        .bytes()
        .await
        .expect("object bytes")
        .to_vec()
}

/// The `animaforge-server` binary on the bucket, configured as in production: the
/// endpoint in the storage URL, the credentials in the child's `AWS_*` variables (set on
/// the child only; any `AWS_*` of this process is withheld from it).
struct S3Server {
    base: String,
    child: tokio::process::Child,
    _data_dir: tempfile::TempDir,
}

impl S3Server {
    async fn spawn(storage_url: &str) -> S3Server {
        let data_dir = tempfile::tempdir().expect("tempdir");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("port");
            l.local_addr().expect("addr").port()
        };
        let bind = format!("127.0.0.1:{port}");
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_animaforge-server"));
        for (name, _) in std::env::vars_os() {
            if name.to_string_lossy().starts_with("AWS_") {
                cmd.env_remove(name);
            }
        }
        cmd.args(["--bind", &bind, "--data-dir"])
            .arg(data_dir.path())
            .args(["--argon2-memory-kib", "64", "--argon2-iterations", "1"])
            .args([
                "--log-format",
                "json",
                "--storage-url",
                storage_url,
                "serve",
            ])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .kill_on_drop(true);
        let server = S3Server {
            base: format!("http://{bind}/v1"),
            child: cmd.spawn().expect("spawn animaforge-server"),
            _data_dir: data_dir,
        };
        for _ in 0..200 {
            if let Ok(res) = client().get(format!("{}/health", server.base)).send().await
                && res.status().is_success()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the server on S3 storage did not become healthy");
    }

    async fn send(&self, req: reqwest::RequestBuilder, token: Option<&str>) -> Res {
        let req = match token {
            Some(t) => req.bearer_auth(t),
            None => req,
        };
        read(req.send().await.expect("request")).await
    }

    async fn register(&self, username: &str) -> String {
        let body = json!({"username": username, "email": format!("{username}@example.com"),
            "password": "Passw0rd-long"});
        let req = client()
            .post(format!("{}/auth/register", self.base))
            .json(&body);
        let res = self.send(req, None).await;
        res.assert_ok(201)["token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    async fn upload(&self, token: &str, video: Vec<u8>) -> String {
        let part = reqwest::multipart::Part::bytes(video)
            .file_name("animation.mp4")
            .mime_str("video/mp4")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .text("metadata", metadata("On S3").to_string())
            .part("file", part);
        let req = client()
            .post(format!("{}/animations", self.base))
            .multipart(form);
        let res = self.send(req, Some(token)).await;
        res.assert_ok(202)["animation"]["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    async fn animation(&self, id: &str, token: &str) -> Value {
        let req = client().get(format!("{}/animations/{id}", self.base));
        self.send(req, Some(token)).await.assert_ok(200)["animation"].clone()
    }

    async fn wait_ready(&self, id: &str, token: &str) -> Value {
        for _ in 0..300 {
            let animation = self.animation(id, token).await;
            if animation["status"] == "ready" {
                return animation;
            }
            assert_eq!(animation["status"], "processing", "{animation}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("animation {id} never became ready");
    }
}

#[tokio::test]
async fn uploads_thumbnails_downloads_and_deletes_live_in_the_bucket() {
    let Some(moto) = start_moto().await else {
        return;
    };
    let bucket_name = format!("af-test-{}", uuid::Uuid::new_v4().simple());
    create_bucket(&moto.endpoint, &bucket_name).await;
    let bucket = bucket_client(&moto.endpoint, &bucket_name);
    assert!(list(&bucket).await.is_empty());

    let storage_url = format!(
        "s3://{bucket_name}?endpoint={}&allow_http=true&region=us-east-1",
        moto.endpoint
    );
    let mut server = S3Server::spawn(&storage_url).await;
    let health = server
        .send(client().get(format!("{}/health", server.base)), None)
        .await;
    assert_eq!(health.data()["storage"]["status"], "ok", "{}", health.body);
    assert_eq!(health.data()["storage"]["detail"], "s3");

    let token = server.register("s3owner").await;
    let video = std::fs::read(make_mp4(2, 320, 240, 24)).expect("fixture");
    let id = server.upload(&token, video.clone()).await;
    let video_object = format!("{id}.mp4");
    let thumbnail_object = format!("{id}.jpg");

    // The upload is in the bucket, byte for byte.
    assert!(list(&bucket).await.contains(&video_object));
    assert_eq!(read_object(&bucket, &video_object).await, video);

    // Processing reads it back from the bucket and puts the thumbnail beside it.
    let animation = server.wait_ready(&id, &token).await;
    assert_eq!(
        animation["metadata"]["file_size"],
        video.len() as u64,
        "{animation}"
    );
    assert_eq!(
        list(&bucket).await,
        vec![thumbnail_object.clone(), video_object.clone()]
    );
    let thumbnail = read_object(&bucket, &thumbnail_object).await;
    assert!(thumbnail.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");

    // The download redirects to a signed URL that serves the stored bytes.
    let res = client()
        .get(format!("{}/animations/{id}/download", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .expect("download");
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(location.contains(&format!("/v1/files/{video_object}?")));
    let res = client().get(&location).send().await.expect("signed");
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "video/mp4");
    assert_eq!(res.bytes().await.expect("body").to_vec(), video);

    // So does the thumbnail URL.
    let thumbnail_url = animation["thumbnail_url"].as_str().expect("thumbnail_url");
    let res = client().get(thumbnail_url).send().await.expect("thumb");
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.expect("body").to_vec(), thumbnail);

    // Deleting the animation deletes both objects.
    let req = client().delete(format!("{}/animations/{id}", server.base));
    server.send(req, Some(&token)).await.assert_ok(200);
    assert_eq!(list(&bucket).await, Vec::<String>::new());

    // A file larger than one part (5 MiB) goes up as an S3 multipart upload of three
    // parts and is stored whole, including the short last part.
    let mut large = fake_mp4(12 * 1024 * 1024 + 12_345);
    for (i, byte) in large.iter_mut().enumerate().skip(64) {
        *byte = (i % 251) as u8;
    }
    let large_id = server.upload(&token, large.clone()).await;
    let large_object = format!("{large_id}.mp4");
    let stored = read_object(&bucket, &large_object).await;
    assert_eq!(stored.len(), large.len());
    assert!(
        stored == large,
        "the multipart object differs from the upload"
    );

    server.child.kill().await.expect("stop the server");
    drop(moto);
}

#[test]
fn s3_url_options_are_checked_and_never_hold_credentials() {
    let dir = tempfile::tempdir().expect("tempdir");
    let open = |url: &str| {
        animaforge_server::storage::Storage::open(Some(url), dir.path(), b"key")
            .map(|s| s.backend().to_owned())
            .map_err(|e| format!("{e:#}"))
    };
    assert_eq!(
        open("s3://bucket?endpoint=http://127.0.0.1:1&allow_http=true&region=eu-west-1").as_deref(),
        Ok("s3")
    );
    let err = open("s3://bucket?secret_access_key=hunter2").expect_err("credentials");
    assert!(err.contains("`secret_access_key`"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    let err = open("s3://bucket?allow_http=maybe").expect_err("bad boolean");
    assert!(err.contains("S3 storage"), "{err}");
}
