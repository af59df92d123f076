//! A record's history and the change log: what changed, on which device, when —
//! including values that lost a sync conflict — and setting a field back to an
//! earlier value. `pim history`, `pim log` and the TUI's history dialog come here.

use crate::model::{Change, FieldValue, Kind};
use crate::store::{LogFilter, Store, StoreError};
use crate::sync::review;
pub use crate::sync::review::{FieldDiff, HistoryEntry, key_label, text_of};
pub use words::{field_label, readable_value, value_lines};

mod words;

#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    /// Neither a record nor a logged change has this id.
    #[error("no record with id {0:?}")]
    Unknown(String),
    /// `@exists`/`@collection` lines describe what happened; they hold no value.
    #[error("{0} cannot be restored from history")]
    NotRestorable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A record's history, oldest first; a deleted record still has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordHistory {
    pub record_id: String,
    /// The record's title; `None` once it is deleted.
    pub title: Option<String>,
    pub entries: Vec<HistoryEntry>,
}

/// The history of record `id` (a full id: prefixes are the front-end's business).
pub fn of_record(store: &Store, id: &str) -> Result<RecordHistory, HistoryError> {
    let title = store.get(id)?.map(|r| r.title());
    let entries = review::history(store, id)?;
    if title.is_none() && entries.is_empty() {
        return Err(HistoryError::Unknown(id.to_string()));
    }
    Ok(RecordHistory {
        record_id: id.to_string(),
        title,
        entries,
    })
}

/// A field set back to an earlier value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub record_id: String,
    pub kind: Kind,
    pub title: String,
    /// The field in words.
    pub field: String,
    /// The value now in place, as one line.
    pub value: String,
}

/// Whether a history line's field can be set back (every field but the record's
/// existence and collection).
pub fn restorable(key: &str) -> bool {
    !key.starts_with('@')
}

/// Set field `key` of the record back to `value` (from its history): an ordinary
/// change that syncs.
pub fn restore(
    store: &mut Store,
    id: &str,
    key: &str,
    value: Option<&FieldValue>,
) -> Result<Restored, HistoryError> {
    if !restorable(key) {
        return Err(HistoryError::NotRestorable(key_label(key)));
    }
    review::restore(store, id, key, value)?;
    let r = store.require(id)?;
    Ok(Restored {
        record_id: r.id.clone(),
        kind: r.kind,
        title: r.title(),
        field: key_label(key),
        value: text_of(value),
    })
}

/// Logged changes, oldest first: all, or one record's; `last` keeps only the newest N.
pub fn log(
    store: &Store,
    record_id: Option<&str>,
    last: Option<usize>,
) -> Result<Vec<Change>, HistoryError> {
    Ok(store.log(&LogFilter {
        record_id: record_id.map(str::to_string),
        newest: last,
        ..Default::default()
    })?)
}

#[cfg(test)]
mod tests;
