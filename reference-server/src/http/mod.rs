//! HTTP plumbing shared by every route: the envelope, [`ApiError`], extractors whose
//! rejections are envelopes, request ids, authentication and rate limiting.

pub mod auth;
pub mod envelope;
pub mod error;
pub mod extract;
pub mod fallback;
pub mod rate_limit;
pub mod request_id;
pub mod spec_check;

pub use auth::{AuthUser, Caller, MaybeUser};
pub use envelope::Data;
pub use error::{ApiError, ApiResult};
pub use extract::{ClientAddr, Json, Path, Query};
pub use request_id::current_request_id;
