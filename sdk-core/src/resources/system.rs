//! Health, the spec, and file URLs.

use animaforge_api::Health;
use url::Url;

use crate::call::Call;
use crate::client::AnimaForge;
use crate::error::Error;
use crate::response::Response;
use crate::transfer::Download;
use crate::transport::{RequestSpec, Target};

/// Health and the spec. Get it from [`AnimaForge::system`].
#[derive(Debug, Clone)]
pub struct System {
    pub(crate) client: AnimaForge,
}

impl System {
    /// The server's health (`GET /health`).
    pub fn health(&self) -> Call<Health> {
        Call::mapped(&self.client, RequestSpec::get(&["health"]), |d: Health| d)
    }

    /// The OpenAPI document the server serves (`GET /openapi.json`), as JSON.
    pub fn openapi(&self) -> Call<serde_json::Value> {
        Call::new(
            &self.client,
            RequestSpec::get(&["openapi.json"]),
            |_, raw| {
                let status = raw.meta.status;
                let id = raw.meta.request_id.clone();
                let value: serde_json::Value = serde_json::from_slice(&raw.body)
                    .map_err(|e| Error::decode(e.to_string(), Some(status), id))?;
                // Served bare or in the usual envelope.
                let value = match value {
                    serde_json::Value::Object(mut map)
                        if map.contains_key("success") && map.contains_key("data") =>
                    {
                        map.remove("data").unwrap_or_default()
                    }
                    other => other,
                };
                Ok(Response {
                    data: value,
                    meta: raw.meta,
                })
            },
        )
    }
}

/// File URLs. Get it from [`AnimaForge::files`].
#[derive(Debug, Clone)]
pub struct Files {
    pub(crate) client: AnimaForge,
}

impl Files {
    /// Downloads a URL the API handed out: `animation.url` (which redirects to a signed
    /// URL), a thumbnail URL or a signed file URL (`GET /files/{object}`). Credentials
    /// are sent only to URLs below the base URL, and never after a redirect. A relative
    /// URL is taken relative to the base URL.
    pub fn download(&self, url: &str) -> Download {
        let base = self.client.base_url();
        let parsed = Url::parse(url).or_else(|_| {
            let mut root = base.clone();
            root.set_path(&format!("{}/", base.path()));
            root.join(url.trim_start_matches('/'))
        });
        let target = parsed
            .map(Target::Url)
            .map_err(|e| Error::config(format!("invalid URL `{url}`: {e}")));
        Download::new(&self.client, target)
    }
}
