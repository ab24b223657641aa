//! Media checks and processing.
