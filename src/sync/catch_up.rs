//! Own edits a collection with sync off kept from the server, published once the
//! collection syncs again: as new changes that take the other devices from what
//! they know of each record to what this device holds (DESIGN.md §5: nothing is
//! lost when a collection is turned off and on again).

use std::collections::BTreeSet;

use super::apply::base_or_empty;
use super::merge::{RecState, fold};
use super::merge_sets as sets;
use crate::model::fields::is_set_valued;
use crate::model::{Change, FieldChange, FieldValue, Op};
use crate::store::sync_scope::{self as held, REPUBLISHED, SKIPPED};
use crate::store::sync_state::{self as st, LostValue};
use crate::store::{Db, Result, Store, StoreError, Writer};

/// Publish, as new own changes, what skipped changes did to records whose
/// collections now sync; returns how many changes were logged. The record's own
/// changes not sent yet (numbered above `unsent_above`, which no server has seen)
/// are folded into the same catch-up: they were made on top of the skipped ones,
/// so sent alone their bases would describe versions nobody else knows.
pub fn republish(store: &mut Store, unsent_above: u64) -> Result<u64> {
    let me = store.device().to_string();
    let records = held::skipped_records(store, &me)?;
    if records.is_empty() {
        return Ok(0);
    }
    let off: BTreeSet<String> = store
        .collections(None)?
        .into_iter()
        .filter(|c| !c.sync)
        .map(|c| c.id)
        .collect();
    store.write(|w| {
        let mut logged = 0;
        for (id, kind) in &records {
            if kind == "collection" {
                // Turning it on logged its whole definition.
                if !off.contains(id) {
                    held::mark_republished(w, &me, id, i64::MAX as u64)?;
                }
                continue;
            }
            // A record with an undecodable change (sent as skipped, see
            // `Store::own_changes_decodable`) cannot be caught up: retire it.
            let read = w.attempt(|w| {
                let states = known_and_here(w, &me, id, kind, Some(unsent_above))?;
                Ok((states, st::record_changes(w, id)?))
            });
            let ((known, here), changes) = match read {
                Err(StoreError::Corrupt { .. }) => {
                    held::mark_republished(w, &me, id, i64::MAX as u64)?;
                    continue;
                }
                other => other?,
            };
            let kept: Vec<Change> = changes
                .into_iter()
                .filter(|c| c.device == me && republishing(c, unsent_above))
                .collect();
            let touched = Touched::by(kept.iter());
            let still_off = [&known.collection, &here.collection]
                .into_iter()
                .flatten()
                .any(|c| off.contains(c));
            if still_off {
                continue;
            }
            // Marked first: the catch-up changes logged next are ordinary unsent ones.
            held::mark_republished(w, &me, id, unsent_above)?;
            keep_overruled(w, &kept, &here)?;
            for op in catch_up(&known, &here, &touched) {
                w.log_change(id, kind, op)?;
                logged += 1;
            }
        }
        Ok(logged)
    })
}

/// A record as the other devices know it (every change but this device's
/// skipped and republished ones, and with `unsent_above` its unsent ones above
/// that number) and as it is here.
pub fn known_and_here(
    db: &impl Db,
    me: &str,
    id: &str,
    kind: &str,
    unsent_above: Option<u64>,
) -> Result<(RecState, RecState)> {
    let start = base_or_empty(db, id, kind)?;
    let all = st::record_changes(db, id)?;
    let shared: Vec<Change> = all
        .iter()
        .filter(|c| {
            let kept_back = match c.submitted_at.as_str() {
                SKIPPED | REPUBLISHED => true,
                "" => unsent_above.is_some_and(|above| c.seq > above),
                _ => false,
            };
            !(c.device == me && kept_back)
        })
        .cloned()
        .collect();
    Ok((fold(start.clone(), &shared), fold(start, &all)))
}

/// Values the kept-back edits wrote that newer changes overruled here never
/// reached anyone: history keeps them, as it keeps every value that lost.
fn keep_overruled(w: &mut Writer<'_>, kept: &[Change], here: &RecState) -> Result<()> {
    let now = here.body.fields();
    let at = w.clock().now_rfc3339();
    // Only each field's last kept-back write: earlier ones this device replaced itself.
    let mut seen: BTreeSet<&str> = BTreeSet::new();
    let mut latest = kept.iter().collect::<Vec<_>>();
    latest.sort_by(|a, b| b.hlc.cmp(&a.hlc));
    for c in latest {
        let Op::Update { fields } = &c.op else {
            continue;
        };
        for f in fields {
            if !seen.insert(f.key.as_str()) {
                continue;
            }
            let current = now.get(&f.key);
            let lost = if is_set_valued(&f.key) {
                // Values it added that are gone now.
                let gone: BTreeSet<String> = sets::items(f.new.as_ref())
                    .difference(&sets::items(f.base.as_ref()))
                    .filter(|v| !sets::items(current).contains(*v))
                    .cloned()
                    .collect();
                let comps = matches!(f.new, Some(FieldValue::Comps(_)));
                sets::from_items(&gone, comps)
            } else if f.new.as_ref() != current {
                f.new.clone()
            } else {
                None
            };
            if lost.is_some() {
                st::add_loser(
                    w,
                    &LostValue {
                        record_id: c.record_id.clone(),
                        key: f.key.clone(),
                        value: lost,
                        lost_change: c.change_id.clone(),
                        won_change: "a newer change (made while sync was off here)".into(),
                        policy: "newest".into(),
                        at: at.clone(),
                    },
                )?;
            }
        }
    }
    Ok(())
}

/// Whether an own change is published again now: kept back by sync off, or
/// not sent yet and numbered above what any server has seen.
fn republishing(c: &Change, unsent_above: u64) -> bool {
    c.submitted_at == SKIPPED || (c.submitted_at.is_empty() && c.seq > unsent_above)
}

/// What the kept-back changes of a record wrote.
#[derive(Default)]
struct Touched {
    exists: bool,
    collection: bool,
    fields: BTreeSet<String>,
}

impl Touched {
    fn by<'a>(changes: impl Iterator<Item = &'a Change>) -> Touched {
        let mut t = Touched::default();
        for c in changes {
            match &c.op {
                Op::Create { body, .. } => {
                    t.exists = true;
                    t.collection = true;
                    t.fields.extend(body.fields().into_keys());
                }
                Op::Delete { .. } => t.exists = true,
                Op::Move { .. } => t.collection = true,
                Op::Update { fields } => t.fields.extend(fields.iter().map(|f| f.key.clone())),
                Op::CollectionPut { .. } | Op::CollectionDelete { .. } => {}
            }
        }
        t
    }
}

/// The changes that carry what the kept-back changes wrote, as it stands here,
/// from what the others know: every register they touched is written again
/// (also when it looks the same as what the others know: a concurrent change
/// may be on its way, and the newer word must be this device's).
fn catch_up(known: &RecState, here: &RecState, touched: &Touched) -> Vec<Op> {
    match (known.live(), here.live()) {
        (_, true) if !known.live() => vec![Op::Create {
            collection: here.collection.clone().expect("live records have one"),
            body: here.body.clone(),
        }],
        (_, false) => {
            let collection = here.collection.clone().or_else(|| known.collection.clone());
            match collection {
                Some(collection) if known.live() || touched.exists => vec![Op::Delete {
                    collection,
                    base: if known.live() {
                        known.body.clone()
                    } else {
                        here.body.clone()
                    },
                }],
                _ => Vec::new(),
            }
        }
        (_, true) => {
            let mut ops = Vec::new();
            let (from, to) = (known.collection.clone(), here.collection.clone());
            if touched.collection || from != to {
                ops.push(Op::Move {
                    from: from.expect("live records have one"),
                    to: to.expect("live records have one"),
                });
            }
            let (old, new) = (known.body.fields(), here.body.fields());
            let keys: BTreeSet<&String> = old
                .keys()
                .chain(new.keys())
                .filter(|k| old.get(*k) != new.get(*k))
                .chain(touched.fields.iter())
                .collect();
            let fields: Vec<FieldChange> = keys
                .into_iter()
                .map(|k| FieldChange {
                    key: k.clone(),
                    base: old.get(k).cloned(),
                    new: new.get(k).cloned(),
                })
                .collect();
            if !fields.is_empty() {
                ops.push(Op::Update { fields });
            }
            ops
        }
    }
}
