//! Files of the test corpus (tests/corpus, see its SOURCES.md).

use std::path::PathBuf;

/// A file under tests/corpus, by its path relative to that folder.
pub fn corpus(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(rel)
}
