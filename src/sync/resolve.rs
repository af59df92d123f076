//! Settling a conflict the `ask` policy queued (DESIGN.md §6): the chosen value is
//! published as an ordinary change, and whatever was not kept goes to history.

use super::apply::{duplicate, folded, materialize, now_str, publish};
use super::merge::{EXISTS, union};
use crate::model::FieldValue;
use crate::model::fields::is_set_valued;
use crate::store::sync_state::{self as st, Conflict, LostValue};
use crate::store::{Result, StoreError, Writer};

/// How the user settles a queued conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    Mine,
    Theirs,
    /// Set-valued fields: the union; other fields: keep mine and duplicate theirs.
    Both,
    Value(Option<FieldValue>),
}

/// Resolve a queued conflict; the outcome is published as an ordinary change.
pub fn resolve(w: &mut Writer<'_>, id: i64, how: &Resolution) -> Result<Conflict> {
    let c = st::conflict(w, id)?
        .filter(|c| c.resolved_at.is_empty())
        .ok_or_else(|| StoreError::NoRecord(format!("open conflict {id}")))?;
    let label = match how {
        Resolution::Mine => "mine",
        Resolution::Theirs => "theirs",
        Resolution::Both => "both",
        Resolution::Value(_) => "value",
    };
    st::mark_resolved(w, id, label, &now_str(w))?;
    let state = folded(w, &c.record_id, &c.kind)?;
    materialize(w, &state)?;
    let value = match how {
        Resolution::Mine => c.local.clone(),
        Resolution::Theirs => c.remote.clone(),
        Resolution::Both if is_set_valued(&c.key) => union(c.local.as_ref(), c.remote.as_ref()),
        Resolution::Both => {
            duplicate(w, &state, &c.key, c.remote.as_ref())?;
            c.local.clone()
        }
        Resolution::Value(v) => v.clone(),
    };
    publish(w, &c.record_id, &c.kind, &c.key, value.as_ref())?;
    // A value chosen for a record deleted meanwhile has nowhere to go: history
    // keeps it (the deletion won).
    if c.key != EXISTS && value.is_some() && w.get(&c.record_id)?.is_none() {
        st::add_loser(
            w,
            &LostValue {
                record_id: c.record_id.clone(),
                key: c.key.clone(),
                value: value.clone(),
                lost_change: format!("resolution {label}"),
                won_change: "record deleted".into(),
                policy: "ask".into(),
                at: now_str(w),
            },
        )?;
    }
    // Whatever the user did not keep stays in history.
    for (side, v) in [("local", &c.local), (c.remote_change.as_str(), &c.remote)] {
        // "both" keeps both values (a union, or mine plus a duplicate with theirs).
        if v != &value && how != &Resolution::Both {
            st::add_loser(
                w,
                &LostValue {
                    record_id: c.record_id.clone(),
                    key: c.key.clone(),
                    value: v.clone(),
                    lost_change: side.to_string(),
                    won_change: format!("resolution {label}"),
                    policy: "ask".into(),
                    at: now_str(w),
                },
            )?;
        }
    }
    Ok(c)
}
