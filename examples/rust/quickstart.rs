//! The Rust snippet of the API reference, as a program. `AnimaForge::new` takes the
//! key and reads the base URL from `ANIMAFORGE_BASE_URL` (production when unset):
//!
//! ```bash
//! ANIMAFORGE_API_KEY=af_live_... ANIMAFORGE_BASE_URL=http://127.0.0.1:8080/v1 \
//!     cargo run -p animaforge --example quickstart
//! ```
//!
//! The test `sdk-rust/tests/generate_quickstart.rs` runs it against a server it starts.
#![allow(clippy::print_stdout)]

use animaforge::{AnimaForge, GenerateConfig, Quality};

#[tokio::main]
async fn main() -> animaforge::Result<()> {
    let api_key =
        std::env::var(animaforge::ENV_API_KEY).unwrap_or_else(|_| "your_api_key".to_owned());

    let client = AnimaForge::new(api_key);

    // Generate animation
    let job = client
        .animations()
        .generate(
            "rotating cube",
            GenerateConfig::default().quality(Quality::High),
        )
        .await?;

    // Wait for completion
    let animation = job.wait().await?;
    println!("URL: {}", animation.url);
    Ok(())
}
