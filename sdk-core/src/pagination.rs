//! Pages of lists and the auto-paging stream over them.

use std::collections::HashSet;
use std::future::IntoFuture;
use std::time::Duration;

use animaforge_api::{
    AnimationList, AnimationSummary, Pagination, PurchaseList, PurchaseListItem, SearchFacets,
    SearchResponse, SearchResult,
};
use futures::future::BoxFuture;
use futures::stream::BoxStream;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;

use crate::client::AnimaForge;
use crate::error::{Error, Result};
use crate::response::Response;
use crate::transport::{RequestSpec, decode_envelope};

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// Where the page sits in the list.
    pub pagination: Pagination,
    /// Counts over the whole result (search only).
    pub facets: Option<SearchFacets>,
}

impl<T> Page<T> {
    /// Whether a later page exists.
    pub fn has_next(&self) -> bool {
        u64::from(self.pagination.page) < self.pagination.pages
    }
}

/// Items with a stable id, so the auto-paging stream can tell repeats.
pub trait Identified {
    /// The item's id.
    fn id(&self) -> &str;
}

impl Identified for AnimationSummary {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Identified for SearchResult {
    fn id(&self) -> &str {
        &self.animation.id
    }
}

impl Identified for PurchaseListItem {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A wire list type that splits into a [`Page`].
pub trait Paged: DeserializeOwned {
    /// The item type.
    type Item;
    /// The page.
    fn into_page(self) -> Page<Self::Item>;
}

impl Paged for AnimationList {
    type Item = AnimationSummary;
    fn into_page(self) -> Page<AnimationSummary> {
        Page {
            items: self.animations,
            pagination: self.pagination,
            facets: None,
        }
    }
}

impl Paged for SearchResponse {
    type Item = SearchResult;
    fn into_page(self) -> Page<SearchResult> {
        Page {
            items: self.results,
            pagination: self.pagination,
            facets: Some(self.facets),
        }
    }
}

impl Paged for PurchaseList {
    type Item = PurchaseListItem;
    fn into_page(self) -> Page<PurchaseListItem> {
        Page {
            items: self.purchases,
            pagination: self.pagination,
            facets: None,
        }
    }
}

type PageDecoder<T> = fn(crate::transport::Raw) -> Result<Response<Page<T>>>;

fn decode_page<P: Paged>(raw: crate::transport::Raw) -> Result<Response<Page<P::Item>>> {
    Ok(decode_envelope::<P>(raw)?.map(Paged::into_page))
}

/// A list call: `.await` it for one [`Page`], or [`PageCall::stream`] every item of
/// every page from the requested one on.
#[must_use = "a list call does nothing until it is awaited or streamed"]
pub struct PageCall<T> {
    client: AnimaForge,
    spec: Result<RequestSpec>,
    page: u32,
    decode: PageDecoder<T>,
}

impl<T> std::fmt::Debug for PageCall<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCall")
            .field("page", &self.page)
            .finish_non_exhaustive()
    }
}

impl<T: Identified + Send + 'static> PageCall<T> {
    pub(crate) fn new<P: Paged<Item = T>>(
        client: &AnimaForge,
        spec: Result<RequestSpec>,
    ) -> PageCall<T> {
        let mut page = 1;
        let spec = spec.map(|mut spec| {
            if let Some(pos) = spec.query.iter().position(|(k, _)| k == "page") {
                page = spec.query.remove(pos).1.parse().unwrap_or(1);
            }
            spec
        });
        PageCall {
            client: client.clone(),
            spec,
            page: page.max(1),
            decode: decode_page::<P>,
        }
    }

    /// The total deadline of each page request.
    pub fn timeout(mut self, timeout: Duration) -> PageCall<T> {
        if let Ok(spec) = &mut self.spec {
            spec.timeout = Some(timeout);
        }
        self
    }

    /// Stops the call or the stream when `token` is cancelled.
    pub fn cancel_on(mut self, token: CancellationToken) -> PageCall<T> {
        if let Ok(spec) = &mut self.spec {
            spec.cancel = Some(token);
        }
        self
    }

    /// Fetches the page with its response metadata.
    pub async fn with_meta(self) -> Result<Response<Page<T>>> {
        fetch(&self.client, &self.spec?, self.page, self.decode).await
    }

    /// Every item of this page and the ones after it, fetched as the stream is read.
    ///
    /// Items already yielded are never yielded again (a list that shifts while it is read
    /// can repeat items across pages). A page that does not advance, or whose items were
    /// all yielded before, ends the stream with [`Error::Pagination`] instead of looping.
    pub fn stream(self) -> BoxStream<'static, Result<T>> {
        let PageCall {
            client,
            spec,
            page,
            decode,
        } = self;
        Box::pin(async_stream::try_stream! {
            let spec = spec?;
            let mut number = page;
            let mut seen: HashSet<String> = HashSet::new();
            loop {
                let page = fetch(&client, &spec, number, decode).await?.data;
                if page.pagination.page != number {
                    Err(Error::Pagination {
                        message: format!("asked for page {number}, the server returned page {}", page.pagination.page),
                    })?;
                }
                let count = page.items.len();
                let more = page.has_next();
                let fresh: Vec<T> = page.items.into_iter().filter(|i| seen.insert(i.id().to_owned())).collect();
                if count > 0 && fresh.is_empty() {
                    Err(Error::Pagination {
                        message: format!("page {number} repeats items of an earlier page"),
                    })?;
                }
                for item in fresh {
                    yield item;
                }
                if count == 0 || !more {
                    break;
                }
                number = number.checked_add(1).ok_or_else(|| Error::Pagination { message: "too many pages".into() })?;
            }
        })
    }
}

async fn fetch<T>(
    client: &AnimaForge,
    spec: &RequestSpec,
    page: u32,
    decode: PageDecoder<T>,
) -> Result<Response<Page<T>>> {
    let mut spec = spec.clone();
    spec.query.push(("page".to_owned(), page.to_string()));
    let raw = client.execute(spec).await?;
    decode(raw)
}

impl<T: Identified + Send + 'static> IntoFuture for PageCall<T> {
    type Output = Result<Page<T>>;
    type IntoFuture = BoxFuture<'static, Result<Page<T>>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move { Ok(self.with_meta().await?.data) })
    }
}
