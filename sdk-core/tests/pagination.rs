//! The auto-paging stream: every item once, repeats and stalls are errors.

mod common;

use animaforge_core::{Error, ListAnimationsQuery};
use common::*;
use futures::StreamExt;
use wiremock::matchers::{method, path, query_param};
use wiremock::{Mock, MockServer};

async fn mount_page(server: &MockServer, number: &str, body: serde_json::Value) {
    Mock::given(method("GET"))
        .and(path("/v1/animations"))
        .and(query_param("page", number))
        .respond_with(ok(body))
        .mount(server)
        .await;
}

async fn collect(server: &MockServer) -> (Vec<String>, Option<Error>) {
    let mut stream = client(&server.uri())
        .animations()
        .list(ListAnimationsQuery::default())
        .stream();
    let mut ids = Vec::new();
    while let Some(item) = stream.next().await {
        match item {
            Ok(a) => ids.push(a.id),
            Err(e) => return (ids, Some(e)),
        }
    }
    (ids, None)
}

#[tokio::test]
async fn streams_every_page_in_order() {
    let server = MockServer::start().await;
    mount_page(&server, "1", page(&["a", "b"], 1, 3)).await;
    mount_page(&server, "2", page(&["c", "d"], 2, 3)).await;
    mount_page(&server, "3", page(&["e"], 3, 3)).await;
    let (ids, error) = collect(&server).await;
    assert!(error.is_none(), "{error:?}");
    assert_eq!(ids, ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn a_repeated_page_is_an_error_not_a_loop() {
    let server = MockServer::start().await;
    mount_page(&server, "1", page(&["a", "b"], 1, 5)).await;
    mount_page(&server, "2", page(&["a", "b"], 2, 5)).await;
    let (ids, error) = collect(&server).await;
    assert_eq!(ids, ["a", "b"]);
    let error = error.expect("repeat detected");
    assert_eq!(error.code(), "PAGINATION_ERROR");
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn a_page_that_does_not_advance_is_an_error() {
    let server = MockServer::start().await;
    mount_page(&server, "1", page(&["a", "b"], 1, 5)).await;
    mount_page(&server, "2", page(&["c", "d"], 1, 5)).await;
    let (ids, error) = collect(&server).await;
    assert_eq!(ids, ["a", "b"]);
    assert!(matches!(error, Some(Error::Pagination { .. })), "{error:?}");
}

#[tokio::test]
async fn items_that_shift_onto_the_next_page_are_yielded_once() {
    let server = MockServer::start().await;
    mount_page(&server, "1", page(&["a", "b"], 1, 2)).await;
    mount_page(&server, "2", page(&["b", "c"], 2, 2)).await;
    let (ids, error) = collect(&server).await;
    assert!(error.is_none());
    assert_eq!(ids, ["a", "b", "c"]);
}

#[tokio::test]
async fn one_page_with_its_metadata() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/animations"))
        .and(query_param("page", "2"))
        .and(query_param("per_page", "2"))
        .and(query_param("category", "math"))
        .respond_with(ok(page(&["c", "d"], 2, 3)).insert_header("x-request-id", "req_page"))
        .mount(&server)
        .await;
    let query = ListAnimationsQuery {
        page: Some(2),
        per_page: Some(2),
        category: Some(animaforge_core::Category::Math),
        ..Default::default()
    };
    let response = client(&server.uri())
        .animations()
        .list(query)
        .with_meta()
        .await
        .unwrap();
    assert_eq!(response.request_id(), Some("req_page"));
    assert_eq!(response.data.items.len(), 2);
    assert!(response.data.has_next());
}
