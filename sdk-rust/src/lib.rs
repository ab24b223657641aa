//! AnimaForge SDK.
