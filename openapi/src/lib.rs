//! Wire types of the AnimaForge API, shared by the reference server and the client core.
//!
//! `openapi/animaforge.yaml` is the contract. Every type here that appears on the wire is
//! registered in [`schema::components`]; the test `tests/spec_drift.rs` compares the JSON
//! Schema derived from each type with the component of the same name in the spec and fails
//! on any difference in fields, types, required-ness, constraints or enum values.
//!
//! Conventions:
//! - Responses always carry every documented field; a value that does not exist is `null`,
//!   never omitted. Request fields that are optional may be omitted.
//! - Money is [`Money`]: whole cents inside, a JSON number with at most two decimals on
//!   the wire.
//! - Timestamps are RFC 3339 in UTC; calendar dates are `YYYY-MM-DD`.

pub mod analytics;
pub mod animations;
pub mod api_keys;
pub mod auth;
pub mod common;
pub mod envelope;
pub mod health;
pub mod jobs;
pub mod marketplace;
pub mod money;
pub mod schema;
pub mod search;
pub mod spec;
pub mod templates;
pub mod users;
#[cfg(feature = "validate")]
pub mod validate;
pub mod webhooks;

pub use analytics::*;
pub use animations::*;
pub use api_keys::*;
pub use auth::*;
pub use common::*;
pub use envelope::*;
pub use health::*;
pub use jobs::*;
pub use marketplace::*;
pub use money::Money;
pub use search::*;
pub use templates::*;
pub use users::*;
pub use webhooks::*;
