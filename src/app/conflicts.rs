//! Sync conflicts waiting for a decision (conflict policy `ask`): list, show, settle.
//!
//! `pim conflicts` and the TUI's conflict dialog both come here, so the same choice
//! is allowed (or refused) the same way in both. A resolution is an ordinary change
//! that syncs; whatever was not kept goes to the record's history.

use crate::model::Kind;
use crate::store::{Store, StoreError};
pub use crate::sync::apply::Resolution;
use crate::sync::engine::SyncError;
use crate::sync::review::{self, key_label};
pub use crate::sync::review::{ConflictView, Side};
use crate::sync::setup;

#[derive(Debug, thiserror::Error)]
pub enum ConflictError {
    #[error("no open conflict {0}")]
    NotOpen(i64),
    /// A merged text for a field that is not text (the record's existence, its
    /// collection, or a sub-component like an alarm).
    #[error("field {0} has no text value: keep mine, theirs or both")]
    NoTextValue(String),
    /// Keeping both sides of "record exists" or "collection" cannot mean anything.
    #[error("{0}: both sides cannot be kept, choose mine or theirs")]
    NoBoth(String),
    /// The field was edited here after the conflict was queued: settling it now
    /// would overwrite that edit.
    #[error(
        "{field} changed since this conflict was queued (now {now}); nothing was settled, look at it again"
    )]
    Moved { field: String, now: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

/// A user's decision, before it is checked against the conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Mine,
    Theirs,
    /// Multi-valued: the union; other fields: keep mine and a copy of the record
    /// holding theirs.
    Both,
    /// A merged value typed as text (multi-valued: comma-separated).
    Text(String),
}

/// A settled conflict, for the front-end to confirm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub id: i64,
    pub record_id: String,
    pub kind: Option<Kind>,
    /// The record's title after the decision (`(deleted)` when it no longer exists).
    pub title: String,
    /// The field in words.
    pub field: String,
    /// What was kept: `mine`, `theirs`, `both` or `the edited value`.
    pub kept: &'static str,
}

/// Every open conflict, oldest first.
pub fn list(store: &Store) -> Result<Vec<ConflictView>, ConflictError> {
    Ok(review::open_conflicts(store)?)
}

/// One open conflict with both sides.
pub fn show(store: &Store, id: i64) -> Result<ConflictView, ConflictError> {
    let c = setup::conflict(store, id)?
        .filter(|c| c.resolved_at.is_empty())
        .ok_or(ConflictError::NotOpen(id))?;
    Ok(review::view(store, &c)?)
}

/// Whether the field of a conflict holds text a user can type (not `@exists`,
/// `@collection` or a sub-component such as `#VALARM`).
pub fn has_text(key: &str) -> bool {
    !key.starts_with('@') && !key.starts_with('#')
}

/// Whether "both" means something for the field: every field but the record's
/// existence and collection.
pub fn can_keep_both(key: &str) -> bool {
    !key.starts_with('@')
}

/// Turn a decision into the resolution for conflict `c`, refusing what cannot apply.
pub fn resolution(c: &ConflictView, d: &Decision) -> Result<Resolution, ConflictError> {
    Ok(match d {
        Decision::Mine => Resolution::Mine,
        Decision::Theirs => Resolution::Theirs,
        Decision::Both if can_keep_both(&c.key) => Resolution::Both,
        Decision::Both => return Err(ConflictError::NoBoth(key_label(&c.key))),
        Decision::Text(t) if has_text(&c.key) => {
            review::merged_text(c.mine.value.as_ref(), &c.key, t)
        }
        Decision::Text(_) => return Err(ConflictError::NoTextValue(key_label(&c.key))),
    })
}

/// Settle open conflict `id` as decided.
pub fn decide(store: &mut Store, id: i64, d: &Decision) -> Result<Resolved, ConflictError> {
    let view = show(store, id)?;
    let how = resolution(&view, d)?;
    settle(store, &view, &how)
}

/// Settle open conflict `id` with a resolution already made (the TUI's dialog builds
/// it while the user goes through the queue); checked like [`decide`].
pub fn resolve(store: &mut Store, id: i64, how: &Resolution) -> Result<Resolved, ConflictError> {
    let view = show(store, id)?;
    settle(store, &view, how)
}

fn settle(
    store: &mut Store,
    view: &ConflictView,
    how: &Resolution,
) -> Result<Resolved, ConflictError> {
    let kept = match how {
        Resolution::Mine => "mine",
        Resolution::Theirs => "theirs",
        Resolution::Both if can_keep_both(&view.key) => "both",
        Resolution::Both => return Err(ConflictError::NoBoth(key_label(&view.key))),
        Resolution::Value(_) if has_text(&view.key) => "the edited value",
        Resolution::Value(_) => return Err(ConflictError::NoTextValue(key_label(&view.key))),
    };
    // One transaction: the field is checked against what the dialog showed as
    // "mine" and settled before anything else can change it.
    let outcome = store.write(|w| {
        if let Some(moved) = moved_since_queued(w, view)? {
            return Ok(Err(moved));
        }
        crate::sync::apply::resolve(w, view.id, how).map(Ok)
    });
    let c = outcome.map_err(SyncError::from)??;
    let title = store
        .get(&c.record_id)?
        .map(|r| r.title())
        .unwrap_or_else(|| view.title.clone());
    Ok(Resolved {
        id: view.id,
        kind: Kind::parse(&c.kind),
        record_id: c.record_id,
        title,
        field: key_label(&c.key),
        kept,
    })
}

/// The field of `view` as stored now, when it is no longer the "mine" the user saw.
fn moved_since_queued(
    w: &crate::store::Writer<'_>,
    view: &ConflictView,
) -> Result<Option<ConflictError>, StoreError> {
    if view.key.starts_with('@') {
        return Ok(None);
    }
    let Some(current) = w.get(&view.record_id)? else {
        return Ok(None);
    };
    let now = current.body.fields().get(&view.key).cloned();
    Ok((now != view.mine.value).then(|| ConflictError::Moved {
        field: key_label(&view.key),
        now: review::text_of(now.as_ref()),
    }))
}

#[cfg(test)]
pub(crate) mod tests;
