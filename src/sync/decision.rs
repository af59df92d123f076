//! Policy decisions (`local` / `remote`, DESIGN.md §6) as changes: how they are
//! stamped so they never beat an edit their device had not seen, and how a device
//! corrects a decision made in favour of a value it had already replaced.

use super::apply::FollowUp;
use super::merge::RecState;
use crate::model::fields::is_set_valued;
use crate::model::{Change, FieldValue, Op};
use crate::store::sync_state as st;
use crate::store::{Result, Writer};

/// The stamp of a policy decision overruling the write stamped `overruled`: just
/// above it (it extends that stamp, so it sorts before every stamp that is newer),
/// marked with the deciding device. `None` (a fresh stamp) when nothing was written.
pub fn decision_stamp(overruled: &str, device: &str) -> Option<String> {
    (!overruled.is_empty()).then(|| format!("{overruled}{DECISION}{device}"))
}

/// Marks a policy decision's stamp (sorts after every stamp character).
const DECISION: char = '~';

/// Whether a change stamp is a policy decision's ([`decision_stamp`]).
pub fn is_decision(hlc: &str) -> bool {
    hlc.contains(DECISION)
}

/// What this device's own changes wrote to `key` of a record, oldest first.
fn own_writes(changes: &[Change], me: &str, key: &str) -> Vec<(String, Option<FieldValue>)> {
    let mut out: Vec<(String, Option<FieldValue>)> = changes
        .iter()
        .filter(|c| c.device == me)
        .filter_map(|c| match &c.op {
            Op::Update { fields } => fields
                .iter()
                .find(|f| f.key == key)
                .map(|f| (c.hlc.clone(), f.new.clone())),
            Op::Create { body, .. } => Some((c.hlc.clone(), body.fields().remove(key))),
            _ => None,
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Another device's policy decision that put back a value of ours we have since
/// replaced: it decided without having seen our newer edit, and meant our value.
/// Our newest edit of the field goes back on top of it (as a decision itself, so
/// no device defends it again).
pub(super) fn stale_decision_for_us(
    w: &Writer<'_>,
    after: &RecState,
    c: &Change,
) -> Result<Vec<FollowUp>> {
    let me = w.device().to_string();
    let Op::Update { fields } = &c.op else {
        return Ok(Vec::new());
    };
    if !is_decision(&c.hlc) || c.device == me {
        return Ok(Vec::new());
    }
    let now = after.body.fields();
    let mut known: Option<Vec<Change>> = None;
    let mut out = Vec::new();
    for f in fields {
        if is_set_valued(&f.key) || now.get(&f.key) != f.new.as_ref() {
            continue;
        }
        let changes = match &mut known {
            Some(k) => k,
            None => known.insert(st::record_changes(w, &c.record_id)?),
        };
        let writes = own_writes(changes, &me, &f.key);
        let Some((newest_at, newest)) = writes.iter().rev().find(|(h, _)| !is_decision(h)) else {
            continue;
        };
        let replaced_ours = writes
            .iter()
            .any(|(h, v)| h < newest_at && v == &f.new && !is_decision(h));
        if newest != &f.new && replaced_ours {
            out.push(FollowUp {
                record_id: c.record_id.clone(),
                kind: c.kind.clone(),
                key: f.key.clone(),
                want: newest.clone(),
                overrules: f.new.clone(),
            });
        }
    }
    Ok(out)
}

/// Whether `c` is another device's decision for a value this device itself wrote
/// to `key` before: a decision in our favour. Deferring to it (policy `remote`)
/// would only bring back our own older value.
pub(super) fn decided_for_us(
    w: &Writer<'_>,
    c: &Change,
    key: &str,
    value: Option<&FieldValue>,
) -> Result<bool> {
    if !is_decision(&c.hlc) || c.device == w.device() {
        return Ok(false);
    }
    let changes = st::record_changes(w, &c.record_id)?;
    Ok(own_writes(&changes, w.device(), key)
        .iter()
        .any(|(h, v)| !is_decision(h) && v.as_ref() == value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decision_beats_only_what_it_overrules() {
        let overruled = "1790000000005-0002-aaaa";
        let d = decision_stamp(overruled, "bbbb").unwrap();
        assert!(d.as_str() > overruled);
        assert!(is_decision(&d) && !is_decision(overruled));
        // Any later stamp, even one in the same millisecond, stays newer.
        for later in ["1790000000005-0003-0000", "1790000000006-0000-aaaa"] {
            assert!(later > d.as_str(), "{later} > {d}");
        }
        // A decision on a decision still beats it, and nothing newer.
        let dd = decision_stamp(&d, "aaaa").unwrap();
        assert!(dd > d && "1790000000005-0003-0000" > dd.as_str());
        assert_eq!(decision_stamp("", "aaaa"), None);
    }
}
