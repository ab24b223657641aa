//! The API's complete workflow with the Rust SDK: register, generate an animation with
//! live progress, wait, download the video and its thumbnail, publish it to the
//! marketplace and find it by search.
//!
//! ```text
//! ANIMAFORGE_BASE_URL=http://127.0.0.1:8080/v1 \
//!     cargo run -p animaforge --example complete_workflow -- [OUT_DIR]
//! ```
//!
//! `ANIMAFORGE_BASE_URL` defaults to the development server, `http://localhost:8080/v1`;
//! `OUT_DIR` to `out/complete-workflow`.
#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::Duration;

use animaforge::{
    AnimaForge, AnimationStatus, GenerateConfig, JobUpdate, Money, Quality, UploadMetadata,
    UploadSource, WaitOptions,
};

/// What the workflow made.
#[derive(Debug)]
pub struct Outcome {
    /// The generated animation.
    pub generated_id: String,
    /// The downloaded MP4.
    pub video: PathBuf,
    /// The downloaded JPEG thumbnail.
    pub thumbnail: PathBuf,
    /// The published (uploaded) animation.
    pub published_id: String,
    /// Whether searching for its title found it.
    pub found_by_search: bool,
}

/// Runs the workflow against the API at `base_url`, writing files into `out_dir`.
pub async fn run(base_url: &str, out_dir: &Path) -> animaforge::Result<Outcome> {
    let anonymous = AnimaForge::builder().base_url(base_url).build()?;

    // 1. Register, then act through an API key of the new account.
    let username = format!("creator{}", unique_suffix());
    let session = anonymous
        .auth()
        .register(
            &username,
            format!("{username}@example.com"),
            "SecurePass123!",
        )
        .await?;
    let key = session
        .client()
        .api_keys()
        .create("complete-workflow")
        .await?;
    let client = anonymous.with_api_key(key.key);

    // 2. Generate.
    let job = client
        .animations()
        .generate(
            "A blue sphere rotating and morphing into a cube",
            GenerateConfig::default()
                .quality(Quality::Low)
                .duration(2.0),
        )
        .await?;
    println!("job {} queued", job.id());

    // 3. Wait, printing progress and log lines as they arrive.
    let animation = job
        .wait_with(
            WaitOptions::default()
                .timeout(Some(Duration::from_secs(600)))
                .on_update(|update| match update {
                    JobUpdate::Progress { progress, .. } => println!("{progress:>3}%"),
                    JobUpdate::Log { message } => println!("     {message}"),
                    _ => {}
                }),
        )
        .await?;
    println!(
        "generated {} ({} bytes)",
        animation.id, animation.metadata.file_size
    );

    // 4. Download the video (through its signed URL) and the thumbnail.
    std::fs::create_dir_all(out_dir).map_err(|e| animaforge::Error::Io {
        path: out_dir.display().to_string(),
        source: e,
    })?;
    let video = out_dir.join("animation.mp4");
    let thumbnail = out_dir.join("thumbnail.jpg");
    client
        .animations()
        .download(&animation.id)
        .to_path(&video)
        .await?;
    client
        .files()
        .download(&animation.thumbnail_url)
        .to_path(&thumbnail)
        .await?;

    // 5. Publish to the marketplace: upload with metadata, wait until it is listed.
    let title = format!("Sphere into cube {}", unique_suffix());
    let mut metadata = UploadMetadata::new(&title);
    metadata.description = Some("A blue sphere rotating and morphing into a cube".into());
    metadata.tags = Some(vec!["sphere".into(), "cube".into(), "morph".into()]);
    metadata.price = Some(Money::from_cents(499));
    let uploaded = client
        .animations()
        .upload(UploadSource::path(&video), metadata)
        .await?;
    let mut status = uploaded.status;
    while status == AnimationStatus::Processing {
        tokio::time::sleep(Duration::from_millis(200)).await;
        status = client.animations().get(&uploaded.id).await?.status;
    }
    println!("published {} ({status})", uploaded.id);

    // 6. Search for it.
    let results = client.search().search(&title).await?;
    let found_by_search = results.items.iter().any(|r| r.animation.id == uploaded.id);
    println!(
        "search for {title:?}: {} result(s), found: {found_by_search}",
        results.items.len()
    );

    Ok(Outcome {
        generated_id: animation.id,
        video,
        thumbnail,
        published_id: uploaded.id,
        found_by_search,
    })
}

/// A suffix that makes names unique across runs.
fn unique_suffix() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}{}", std::process::id(), nanos % 1_000_000_000)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base_url = std::env::var(animaforge::ENV_BASE_URL)
        .unwrap_or_else(|_| animaforge::Environment::Development.base_url().to_owned());
    let out_dir = std::env::args()
        .nth(1)
        .map_or_else(|| PathBuf::from("out/complete-workflow"), PathBuf::from);
    let outcome = run(&base_url, &out_dir).await?;
    println!("video:     {}", outcome.video.display());
    println!("thumbnail: {}", outcome.thumbnail.display());
    Ok(())
}
