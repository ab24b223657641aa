//! The resource accessors: one type per tag of the API.

mod account;
mod animations;
mod catalog;
mod jobs;
mod system;
mod webhooks;

pub use account::{ApiKeys, Auth};
pub use animations::Animations;
pub use catalog::{Analytics, Marketplace, Search, Templates, Users};
pub use jobs::Jobs;
pub use system::{Files, System};
pub use webhooks::Webhooks;

use crate::client::AnimaForge;

/// A fresh `Idempotency-Key`, minted once per logical call.
pub(crate) fn new_idempotency_key() -> String {
    format!("af-{}", uuid::Uuid::new_v4())
}

impl AnimaForge {
    /// Accounts and sessions: register, login, refresh, me.
    pub fn auth(&self) -> Auth {
        Auth {
            client: self.clone(),
        }
    }

    /// API keys: create, list, revoke.
    pub fn api_keys(&self) -> ApiKeys {
        ApiKeys {
            client: self.clone(),
        }
    }

    /// Animations: generate, list, get, upload, update, delete, download, like, source.
    pub fn animations(&self) -> Animations {
        Animations {
            client: self.clone(),
        }
    }

    /// Generation jobs: get, cancel, attach, events.
    pub fn jobs(&self) -> Jobs {
        Jobs {
            client: self.clone(),
        }
    }

    /// Scene templates.
    pub fn templates(&self) -> Templates {
        Templates {
            client: self.clone(),
        }
    }

    /// Public profiles and following.
    pub fn users(&self) -> Users {
        Users {
            client: self.clone(),
        }
    }

    /// Full-text search and autocomplete.
    pub fn search(&self) -> Search {
        Search {
            client: self.clone(),
        }
    }

    /// Featured and trending lists, purchases.
    pub fn marketplace(&self) -> Marketplace {
        Marketplace {
            client: self.clone(),
        }
    }

    /// Creator analytics.
    pub fn analytics(&self) -> Analytics {
        Analytics {
            client: self.clone(),
        }
    }

    /// Webhook endpoints.
    pub fn webhooks(&self) -> Webhooks {
        Webhooks {
            client: self.clone(),
        }
    }

    /// Health and the spec.
    pub fn system(&self) -> System {
        System {
            client: self.clone(),
        }
    }

    /// Downloads of file URLs (`animation.url`, thumbnails, signed URLs).
    pub fn files(&self) -> Files {
        Files {
            client: self.clone(),
        }
    }
}
