//! Rows to wire types.
