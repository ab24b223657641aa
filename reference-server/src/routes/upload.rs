//! Multipart upload.
