//! Webhook endpoints.

use animaforge_api::{
    CreateWebhookRequest, Webhook, WebhookEventType, WebhookList, WebhookResponse,
};
use http::Method;
use serde::de::IgnoredAny;

use crate::call::Call;
use crate::client::AnimaForge;
use crate::transport::RequestSpec;
use crate::webhooks::Verifier;

/// Webhook endpoints. Get it from [`AnimaForge::webhooks`].
#[derive(Debug, Clone)]
pub struct Webhooks {
    pub(crate) client: AnimaForge,
}

impl Webhooks {
    /// Registers an endpoint (`POST /webhooks`).
    pub fn create(
        &self,
        url: impl Into<String>,
        events: Vec<WebhookEventType>,
        secret: impl Into<String>,
    ) -> Call<Webhook> {
        self.create_with(CreateWebhookRequest {
            url: url.into(),
            events,
            secret: secret.into(),
        })
    }

    /// Registers an endpoint from a full request (`POST /webhooks`).
    pub fn create_with(&self, request: CreateWebhookRequest) -> Call<Webhook> {
        let spec = RequestSpec::post_json(&["webhooks"], &request);
        Call::try_mapped(&self.client, spec, |d: WebhookResponse| d.webhook)
    }

    /// The caller's endpoints (`GET /webhooks`).
    pub fn list(&self) -> Call<Vec<Webhook>> {
        Call::mapped(
            &self.client,
            RequestSpec::get(&["webhooks"]),
            |d: WebhookList| d.webhooks,
        )
    }

    /// Removes an endpoint (`DELETE /webhooks/{id}`).
    pub fn delete(&self, id: &str) -> Call<()> {
        Call::mapped(
            &self.client,
            RequestSpec::new(Method::DELETE, &["webhooks", id]),
            |_: IgnoredAny| (),
        )
    }

    /// A verifier for deliveries signed with `secrets` (several during a rotation).
    pub fn verifier<S: AsRef<str>>(&self, secrets: &[S]) -> Verifier {
        Verifier::new(secrets)
    }
}
