//! AnimaForge client core.
