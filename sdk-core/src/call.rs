//! A prepared API call: await it for the data, or ask for the response metadata too.

use std::future::IntoFuture;
use std::time::Duration;

use futures::future::BoxFuture;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use crate::client::AnimaForge;
use crate::error::Result;
use crate::response::Response;
use crate::transport::{Raw, RequestSpec, decode_envelope};

type Decoder<T> = Box<dyn FnOnce(&AnimaForge, Raw) -> Result<Response<T>> + Send>;

/// One API call, ready to send.
///
/// `.await` it to get the data; [`Call::with_meta`] also returns the request id and the
/// rate-limit state. Options set per call: [`Call::timeout`], [`Call::cancel_on`],
/// [`Call::idempotency_key`]. Nothing is sent until the call is awaited; dropping the
/// future abandons it.
#[must_use = "a call does nothing until it is awaited"]
pub struct Call<T> {
    client: AnimaForge,
    spec: Result<RequestSpec>,
    decode: Decoder<T>,
}

impl<T> std::fmt::Debug for Call<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("method", &self.spec.as_ref().map(|s| s.method.clone()).ok())
            .field("target", &self.spec.as_ref().map(|s| s.target.clone()).ok())
            .finish_non_exhaustive()
    }
}

impl<T: Send + 'static> Call<T> {
    pub(crate) fn new(
        client: &AnimaForge,
        spec: RequestSpec,
        decode: impl FnOnce(&AnimaForge, Raw) -> Result<Response<T>> + Send + 'static,
    ) -> Call<T> {
        Call {
            client: client.clone(),
            spec: Ok(spec),
            decode: Box::new(decode),
        }
    }

    /// A call whose `data` is decoded as `D` and converted by `map`.
    pub(crate) fn mapped<D: DeserializeOwned>(
        client: &AnimaForge,
        spec: RequestSpec,
        map: impl FnOnce(D) -> T + Send + 'static,
    ) -> Call<T> {
        Call::new(client, spec, move |_, raw| {
            Ok(decode_envelope::<D>(raw)?.map(map))
        })
    }

    /// A call that fails before sending with `error` (an argument that cannot be encoded).
    pub(crate) fn failed(client: &AnimaForge, error: crate::Error) -> Call<T> {
        Call {
            client: client.clone(),
            spec: Err(error),
            decode: Box::new(|_, _| Err(crate::Error::Cancelled)),
        }
    }

    /// A call from a spec that may have failed to build, with its own decoder.
    pub(crate) fn try_new(
        client: &AnimaForge,
        spec: Result<RequestSpec>,
        decode: impl FnOnce(&AnimaForge, Raw) -> Result<Response<T>> + Send + 'static,
    ) -> Call<T> {
        match spec {
            Ok(spec) => Call::new(client, spec, decode),
            Err(e) => Call::failed(client, e),
        }
    }

    /// A call from a spec that may have failed to build.
    pub(crate) fn try_mapped<D: DeserializeOwned>(
        client: &AnimaForge,
        spec: Result<RequestSpec>,
        map: impl FnOnce(D) -> T + Send + 'static,
    ) -> Call<T> {
        match spec {
            Ok(spec) => Call::mapped(client, spec, map),
            Err(e) => Call::failed(client, e),
        }
    }

    /// The total deadline of this call, instead of the client's.
    pub fn timeout(mut self, timeout: Duration) -> Call<T> {
        if let Ok(spec) = &mut self.spec {
            spec.timeout = Some(timeout);
        }
        self
    }

    /// Stops the call (with [`crate::Error::Cancelled`]) when `token` is cancelled.
    pub fn cancel_on(mut self, token: CancellationToken) -> Call<T> {
        if let Ok(spec) = &mut self.spec {
            spec.cancel = Some(token);
        }
        self
    }

    /// The `Idempotency-Key` to send (and repeat on every attempt) instead of the one
    /// minted for generate and purchase. A POST with a key is retried like a GET.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Call<T> {
        if let Ok(spec) = &mut self.spec {
            spec.idempotency_key = Some(key.into());
        }
        self
    }

    /// Sends the call and returns the data with the response's metadata.
    pub async fn with_meta(self) -> Result<Response<T>> {
        let raw = self.client.execute(self.spec?).await?;
        (self.decode)(&self.client, raw)
    }

    /// Sends the call and returns the data.
    pub async fn send(self) -> Result<T> {
        Ok(self.with_meta().await?.data)
    }
}

impl<T: Send + 'static> IntoFuture for Call<T> {
    type Output = Result<T>;
    type IntoFuture = BoxFuture<'static, Result<T>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}
