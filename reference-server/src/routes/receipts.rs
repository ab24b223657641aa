//! Purchase receipts: `GET /receipts/{purchase_id}?signature=...`, a small HTML page
//! outside the API. The `receipt_url` of a purchase carries a signature that never
//! expires (made with the URL-signing secret), so the link can be opened in a browser
//! or forwarded without credentials; without a valid signature the page is not found.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::app::AppState;
use crate::http::{ApiError, ApiResult, Path, Query};
use crate::store::marketplace::{PurchaseRow, purchase_by_id};

use super::search::text::escape_html as escape;

/// The receipt link of purchase `id`.
pub fn receipt_url(state: &AppState, id: &str) -> String {
    format!(
        "{}/receipts/{id}?signature={}",
        state.public_base,
        state.storage.sign_forever(&signed_name(id))
    )
}

fn signed_name(id: &str) -> String {
    format!("receipt:{id}")
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReceiptQuery {
    #[serde(default)]
    signature: String,
}

/// `GET /receipts/{id}`.
pub(crate) async fn receipt(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> ApiResult<Response> {
    let not_found = || ApiError::not_found("Receipt");
    if !state
        .storage
        .verify_forever(&signed_name(&id), &q.signature)
    {
        return Err(not_found());
    }
    let purchase = purchase_by_id(&state.store, &id)
        .await?
        .ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "private, max-age=3600"),
        ],
        page(&purchase),
    )
        .into_response())
}

fn page(p: &PurchaseRow) -> String {
    let amount = format!(
        "{}.{:02} {}",
        p.amount_cents / 100,
        p.amount_cents % 100,
        escape(&p.currency)
    );
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>AnimaForge receipt {id}</title></head><body>\n\
         <h1>AnimaForge receipt</h1>\n<dl>\n\
         <dt>Receipt</dt><dd>{id}</dd>\n\
         <dt>Date</dt><dd>{date}</dd>\n\
         <dt>Animation</dt><dd>{title} ({animation})</dd>\n\
         <dt>Amount</dt><dd>{amount}</dd>\n\
         <dt>Status</dt><dd>{status}</dd>\n\
         </dl>\n</body></html>\n",
        id = escape(&p.id),
        date = p.created_at.format("%Y-%m-%d %H:%M UTC"),
        title = escape(&p.title),
        animation = escape(&p.animation_id),
        status = escape(&p.status),
    )
}
