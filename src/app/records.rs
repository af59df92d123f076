//! (use case module: filled in by its owner)
