//! Stale edits: a field the user changed whose stored value moved since they saw it.

use super::{EditContext, Field, RecordEdit, text};
use crate::model::{Collection, Kind, Record};

/// One field of a stale edit: what the user saw, what they typed, what is stored now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleField {
    pub field: Field,
    pub seen: String,
    pub mine: String,
    pub now: String,
}

/// The changes of `edit` whose base (`seen`) is no longer what `current` holds and
/// that do not already hold the new value (both sides making the same change is no
/// conflict). Blind changes (`seen: None`) never are.
pub(super) fn moved_since_seen(
    current: &Record,
    edit: &RecordEdit,
    collections: &[Collection],
    cx: &EditContext,
) -> Vec<StaleField> {
    let mut out = Vec::new();
    for c in &edit.changes {
        let Some(seen) = &c.seen else { continue };
        let now = text::show(current, c.field, collections, cx);
        if now.trim() != seen.trim() && now.trim() != c.value.trim() {
            out.push(StaleField {
                field: c.field,
                seen: seen.clone(),
                mine: c.value.clone(),
                now,
            });
        }
    }
    out
}

/// "org was changed meanwhile (it is now "Globex")", one clause per field.
pub(super) fn describe(kind: Kind, stale: &[StaleField]) -> String {
    stale
        .iter()
        .map(|s| {
            format!(
                "{} was changed meanwhile (it is now {:?})",
                s.field.name(kind),
                s.now
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}
