//! Payments: the [`PaymentProvider`] trait the marketplace charges through, and the
//! built-in [`TestProvider`].
//!
//! The test provider takes these payment methods: `card_declined` (declined),
//! `card_processing_error` (a transient provider failure) and any other `card_...`
//! (succeeds). It keeps its own books (`test_payment_charges`) and, like real
//! providers, charges a given `reference` at most once.

use std::future::Future;
use std::pin::Pin;

use crate::store::{self, Store, on_pool};

/// A boxed future of a provider call.
pub type ProviderFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, PaymentError>> + Send + 'a>>;

/// What to charge.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    /// The buyer's payment method (`card_...`).
    pub payment_method: String,
    /// Cents.
    pub amount_cents: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// The caller's idempotency reference: the same reference is charged once.
    pub reference: String,
}

/// A successful charge.
#[derive(Debug, Clone)]
pub struct Charge {
    /// The provider's id of the charge.
    pub id: String,
}

/// Why a charge failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PaymentError {
    /// The payment method was declined; nothing was charged.
    #[error("the payment method was declined")]
    Declined,
    /// The provider failed; nothing was charged, and a retry may succeed.
    #[error("the payment provider failed: {0}")]
    Provider(String),
    /// The provider does not know the payment method.
    #[error("unknown payment method")]
    InvalidMethod,
}

/// A payment provider.
pub trait PaymentProvider: Send + Sync {
    /// A short name, stored with each purchase.
    fn name(&self) -> &'static str;
    /// Charges the request's amount.
    fn charge<'a>(&'a self, request: &'a ChargeRequest) -> ProviderFuture<'a, Charge>;
    /// Pays a charge back in full.
    fn refund<'a>(&'a self, charge_id: &'a str) -> ProviderFuture<'a, ()>;
}

/// The built-in test provider, keeping its books in the server's database.
#[derive(Debug, Clone)]
pub struct TestProvider {
    store: Store,
}

impl TestProvider {
    /// The test provider on `store`.
    pub fn new(store: Store) -> TestProvider {
        TestProvider { store }
    }

    /// Whether `method` has the form the provider accepts (`card_` and 1 to 59 letters,
    /// digits or `_`).
    pub fn accepts(method: &str) -> bool {
        method.strip_prefix("card_").is_some_and(|rest| {
            !rest.is_empty()
                && rest.len() <= 59
                && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    }
}

impl PaymentProvider for TestProvider {
    fn name(&self) -> &'static str {
        "test"
    }

    fn charge<'a>(&'a self, request: &'a ChargeRequest) -> ProviderFuture<'a, Charge> {
        Box::pin(async move {
            match request.payment_method.as_str() {
                "card_declined" => return Err(PaymentError::Declined),
                "card_processing_error" => {
                    return Err(PaymentError::Provider("processing error".into()));
                }
                m if !TestProvider::accepts(m) => return Err(PaymentError::InvalidMethod),
                _ => {}
            }
            let store = &self.store;
            let id = store::new_id("ch");
            let provider_failure = |e: sqlx::Error| PaymentError::Provider(e.to_string());
            let existing: Option<String> = on_pool!(store, pool => sqlx::query_scalar(
                "SELECT id FROM test_payment_charges WHERE reference = $1 AND refunded = 0",
            )
            .bind(&request.reference)
            .fetch_optional(pool)
            .await)
            .map_err(provider_failure)?;
            if let Some(id) = existing {
                return Ok(Charge { id });
            }
            on_pool!(store, pool => sqlx::query(
                "INSERT INTO test_payment_charges (id, payment_method, reference, amount_cents,
                    currency, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&id)
            .bind(&request.payment_method)
            .bind(&request.reference)
            .bind(request.amount_cents)
            .bind(&request.currency)
            .bind(store::now())
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(provider_failure)?;
            tracing::info!(charge_id = %id, amount_cents = request.amount_cents, "test charge made");
            Ok(Charge { id })
        })
    }

    fn refund<'a>(&'a self, charge_id: &'a str) -> ProviderFuture<'a, ()> {
        Box::pin(async move {
            let store = &self.store;
            on_pool!(store, pool => sqlx::query(
                "UPDATE test_payment_charges SET refunded = 1 WHERE id = $1",
            )
            .bind(charge_id)
            .execute(pool)
            .await
            .map(|_| ()))
            .map_err(|e| PaymentError::Provider(e.to_string()))?;
            tracing::info!(charge_id, "test charge refunded");
            Ok(())
        })
    }
}

/// Charges not refunded of the test provider with `payment_method`, for checks.
pub async fn test_charges(store: &Store, payment_method: &str) -> store::StoreResult<i64> {
    on_pool!(store, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM test_payment_charges WHERE payment_method = $1 AND refunded = 0",
    )
    .bind(payment_method)
    .fetch_one(pool)
    .await)
}
