//! Applying a remote change inside the caller's transaction, and acting on the
//! conflicts it reveals according to the account's policy (DESIGN.md §6).
//!
//! The stored record is always the fold of its changes ([`super::merge`]), except
//! for fields an open `ask` conflict holds at the local value until resolved.
//! Policies act by *publishing a new ordinary change* that is newer than the value
//! it overrules, so the fold on every device reaches the value the deciding device
//! chose (unless a newer edit it had not seen beats it there):
//!
//! - `newest`: the fold's answer; the losing value goes to history.
//! - `local` / `remote`: when the fold disagrees with the wanted side, publish it
//!   as a *decision*: a change stamped just above the value it overrules, not
//!   "now", so it never beats an edit made after that value that this device has
//!   not seen yet. A decision in favour of another device's value it has since
//!   replaced (the decider had not seen the newer edit) is corrected by that
//!   device: it puts its newest edit back on top. So a field always ends on some
//!   device's last edit ([`super::decision`]).
//! - `keep-both`: the losing value goes into a duplicate record whose id is derived
//!   from (record, field, value), so every device that notices the same conflict
//!   makes the *same* duplicate instead of one each.
//! - `ask`: queue the conflict persistently; the field keeps the local value until a
//!   resolution (mine | theirs | both | a value) publishes the chosen one.

use serde::{Deserialize, Serialize};

pub(crate) use super::collections::save_collection_merged;
use super::collections::{ensure_collection, settle_collection};
use super::decision::{decided_for_us, decision_stamp, stale_decision_for_us};
use super::merge::{COLLECTION, Clash, EXISTS, RecState, clashes, fold};
pub use super::resolve::{Resolution, resolve};
use crate::model::fields::is_set_valued;
use crate::model::{Change, FieldValue, Kind, Op, Property};
use crate::store::change_log;
use crate::store::sync_state::{self as st, Conflict, LostValue};
use crate::store::{Db, Result, StoreError, Writer};

/// How concurrent edits of one field are settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    #[default]
    Newest,
    Local,
    Remote,
    KeepBoth,
    Ask,
}

impl Policy {
    pub fn parse(s: &str) -> Option<Policy> {
        Some(match s {
            "newest" => Policy::Newest,
            "local" | "mine" => Policy::Local,
            "remote" | "theirs" => Policy::Remote,
            "keep-both" | "both" => Policy::KeepBoth,
            "ask" => Policy::Ask,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Policy::Newest => "newest",
            Policy::Local => "local",
            Policy::Remote => "remote",
            Policy::KeepBoth => "keep-both",
            Policy::Ask => "ask",
        }
    }
}

/// What applying one remote change did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Applied {
    /// False for duplicates.
    pub applied: bool,
    pub conflicts: u64,
    /// Policy decisions to carry out once the changes applied together with this
    /// one are in ([`follow_up`]).
    pub follow_ups: Vec<FollowUp>,
}

/// A `local`/`remote` policy decision: publish `want` for `key` of the record,
/// provided the value it overrules is still the current one. Deciding after the
/// whole group is applied matters: a later change from the same device may already
/// have settled the clash, and a resolution stamped "now" would silently
/// overrule that change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowUp {
    pub record_id: String,
    pub kind: String,
    pub key: String,
    pub want: Option<FieldValue>,
    pub overrules: Option<FieldValue>,
}

/// The current value of `key` (a field, [`EXISTS`] or [`COLLECTION`]) of a stored record.
fn current(w: &Writer<'_>, id: &str, key: &str) -> Result<Option<FieldValue>> {
    let row = w.get(id)?;
    Ok(match key {
        EXISTS => row.map(|r| FieldValue::Comps(vec![r.body.main])),
        COLLECTION => {
            row.map(|r| FieldValue::Props(vec![Property::new("X-COLLECTION", r.collection)]))
        }
        field => row.and_then(|r| r.body.fields().remove(field)),
    })
}

fn same(key: &str, a: Option<&FieldValue>, b: Option<&FieldValue>) -> bool {
    match key {
        // Existence: only whether there is a record matters.
        EXISTS => a.is_some() == b.is_some(),
        _ => a == b,
    }
}

/// Carry out the policy decisions of a group of applied changes (in the same
/// transaction), skipping those a later change made moot.
pub fn follow_up(w: &mut Writer<'_>, todo: &[FollowUp]) -> Result<()> {
    let mut done = std::collections::BTreeSet::new();
    for f in todo.iter().rev() {
        // The latest decision per field counts.
        if !done.insert((f.record_id.clone(), f.key.clone())) {
            continue;
        }
        let now = current(w, &f.record_id, &f.key)?;
        if same(&f.key, now.as_ref(), f.want.as_ref()) {
            continue;
        }
        if !same(&f.key, now.as_ref(), f.overrules.as_ref()) {
            // A later change of the group settled the field otherwise: the value
            // this decision wanted lost to it, and history keeps it.
            let won = folded(w, &f.record_id, &f.kind)?
                .writer_of(&f.key)
                .to_string();
            st::add_loser(
                w,
                &LostValue {
                    record_id: f.record_id.clone(),
                    key: f.key.clone(),
                    value: f.want.clone(),
                    lost_change: "local".into(),
                    won_change: won,
                    policy: "newest".into(),
                    at: now_str(w),
                },
            )?;
            continue;
        }
        let n = w.changes.len();
        let beat = folded(w, &f.record_id, &f.kind)?
            .writer_of(&f.key)
            .to_string();
        w.stamp_next(decision_stamp(&beat, w.device()));
        let published = publish(w, &f.record_id, &f.kind, &f.key, f.want.as_ref());
        w.stamp_next(None);
        published?;
        mark_resolutions(w, n)?;
    }
    Ok(())
}

/// The fold of every change known for `id` (from its snapshot base, if any).
pub fn folded(db: &impl Db, id: &str, kind: &str) -> Result<RecState> {
    Ok(fold_known(db, id, kind)?.0)
}

/// What a loaded snapshot said of the record (its fold starts there), else nothing.
pub(crate) fn base_or_empty(db: &impl Db, id: &str, kind: &str) -> Result<RecState> {
    Ok(match st::base_state(db, id)? {
        Some(json) => serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
            what: format!("sync base of {id}"),
            reason: e.to_string(),
        })?,
        None => RecState::empty(id, kind),
    })
}

/// The fold, and the (HLC, change id) of the newest change in it.
fn fold_known(db: &impl Db, id: &str, kind: &str) -> Result<(RecState, Option<(String, String)>)> {
    let start = base_or_empty(db, id, kind)?;
    let changes = st::record_changes(db, id)?;
    let last = changes
        .iter()
        .map(|c| (c.hlc.clone(), c.change_id.clone()))
        .max();
    Ok((fold(start, &changes), last))
}

/// Apply one change from another device. The caller advances the vector in the
/// same transaction, and has already held back changes of collections with sync
/// off here (`engine::scoped::Holds`): they wait, they are never dropped.
pub fn apply_remote(w: &mut Writer<'_>, c: &Change, policy: Policy) -> Result<Applied> {
    w.hlc().observe(&c.hlc);
    if change_log::has_change(w, &c.device, c.seq)? {
        return Ok(Applied::default());
    }
    if c.kind == "collection" {
        w.insert_change(c)?;
        settle_collection(w, &c.record_id)?;
        return Ok(Applied {
            applied: true,
            ..Applied::default()
        });
    }
    let row = w.get(&c.record_id)?;
    let (fold_before, last) = fold_known(w, &c.record_id, &c.kind)?;
    let mut before = fold_before.clone();
    match row {
        Some(row) => {
            before.body = row.body;
            before.collection = Some(row.collection);
            before.exists = true;
        }
        None => before.exists = false,
    }
    w.insert_change(c)?;
    // Usually the change is the record's newest: fold it on top instead of
    // reading every change of the record again.
    let newest = last
        .as_ref()
        .is_none_or(|(h, id)| (c.hlc.as_str(), c.change_id.as_str()) > (h.as_str(), id.as_str()));
    let after = if fold_before.covers(c) {
        fold_before
    } else if newest {
        let mut a = fold_before;
        a.apply(c);
        a
    } else {
        folded(w, &c.record_id, &c.kind)?
    };
    materialize(w, &after)?;
    let found = clashes(&before, &after, c);
    let n = found.len() as u64;
    let mut follow_ups = Vec::new();
    let clashed: Vec<String> = found.iter().map(|c| c.key.clone()).collect();
    lost_without_clash(w, &before, &after, c, &clashed)?;
    for clash in found {
        // `local` and `remote` insist only on behalf of this device's own edits,
        // never on a value an earlier policy decision wrote: each edit is defended
        // at most once, so devices with opposite policies cannot fight forever.
        let writer = before.writer_of(&clash.key).to_string();
        let own_edit = writer.ends_with(&format!("-{}", c_device(w)))
            && !st::is_resolution(w, &writer)?
            && !decided_for_us(w, c, &clash.key, clash.remote.as_ref())?;
        follow_ups.extend(settle(w, &after, c, clash, policy, own_edit)?);
    }
    follow_ups.extend(stale_decision_for_us(w, &after, c)?);
    Ok(Applied {
        applied: true,
        conflicts: n,
        follow_ups,
    })
}

/// A remote field write that the fold overruled (a newer write was already here)
/// although it was made on top of the value here: no clash by the three-way rule,
/// yet its value is gone. Keep it in history so no edit disappears silently.
fn lost_without_clash(
    w: &Writer<'_>,
    before: &RecState,
    after: &RecState,
    c: &Change,
    clashed: &[String],
) -> Result<()> {
    let Op::Update { fields } = &c.op else {
        return Ok(());
    };
    let had = before.body.fields();
    let now = after.body.fields();
    let mut later: Option<Vec<Change>> = None;
    for f in fields {
        if is_set_valued(&f.key) || clashed.contains(&f.key) {
            continue;
        }
        if now.get(&f.key) != f.new.as_ref() && had.get(&f.key) != f.new.as_ref() {
            // A later change made on top of this value (it arrived first) replaced
            // it knowingly: nothing was lost.
            let known = match &mut later {
                Some(l) => l,
                None => later.insert(st::record_changes(w, &c.record_id)?),
            };
            let replaced = known.iter().any(|k| {
                k.hlc > c.hlc
                    && matches!(&k.op, Op::Update { fields } if fields
                        .iter()
                        .any(|g| g.key == f.key && g.base == f.new))
            });
            if replaced {
                continue;
            }
            st::add_loser(
                w,
                &LostValue {
                    record_id: c.record_id.clone(),
                    key: f.key.clone(),
                    value: f.new.clone(),
                    lost_change: c.change_id.clone(),
                    won_change: after.writer_of(&f.key).to_string(),
                    policy: "newest".into(),
                    at: now_str(w),
                },
            )?;
        }
    }
    Ok(())
}

/// Write the row for `state`, then re-apply the values open conflicts hold.
pub fn materialize(w: &mut Writer<'_>, state: &RecState) -> Result<()> {
    let mut state = state.clone();
    for open in st::open_conflicts(w, Some(&state.id))? {
        match open.key.as_str() {
            EXISTS => state.exists = open.local.is_some(),
            COLLECTION => {
                if let Some(FieldValue::Props(p)) = &open.local
                    && let Some(p) = p.first()
                {
                    state.collection = Some(p.value.clone());
                }
            }
            key => state.body.set_field(key, open.local.as_ref()),
        }
    }
    match state.record().filter(|_| state.live()) {
        Some(r) => {
            ensure_collection(w, &r.collection, r.kind)?;
            w.put_row(&r)
        }
        None => w.delete_row(&state.id),
    }
}

pub(super) fn now_str(w: &Writer<'_>) -> String {
    w.clock().now_rfc3339()
}

fn c_device(w: &Writer<'_>) -> String {
    w.device().to_string()
}

fn settle(
    w: &mut Writer<'_>,
    after: &RecState,
    c: &Change,
    clash: Clash,
    policy: Policy,
    own_edit: bool,
) -> Result<Option<FollowUp>> {
    let policy = match policy {
        Policy::Local | Policy::Remote if !own_edit => Policy::Newest,
        p => p,
    };
    // Which side ends up losing once the policy has acted.
    let remote_loses = match policy {
        Policy::Local => true,
        Policy::Remote => false,
        _ => !clash.remote_won,
    };
    let (lost_value, lost_change, won_change) = if remote_loses {
        (
            clash.remote.clone(),
            c.change_id.clone(),
            "local".to_string(),
        )
    } else {
        (
            clash.local.clone(),
            "local".to_string(),
            c.change_id.clone(),
        )
    };
    let queue = policy == Policy::Ask && clash.remote_won;
    if !queue {
        st::add_loser(
            w,
            &LostValue {
                record_id: c.record_id.clone(),
                key: clash.key.clone(),
                value: lost_value,
                lost_change,
                won_change,
                policy: policy.as_str().into(),
                at: now_str(w),
            },
        )?;
    }
    // Two creates of one id (a duplicate made on two devices) are one record made
    // twice: the fold settles it, no further copies.
    let create = matches!(c.op, Op::Create { .. });
    match policy {
        Policy::Ask if queue => {
            st::put_conflict(
                w,
                &Conflict {
                    id: 0,
                    record_id: c.record_id.clone(),
                    kind: c.kind.clone(),
                    key: clash.key.clone(),
                    base: clash.base.clone(),
                    local: clash.local.clone(),
                    remote: clash.remote.clone(),
                    remote_change: c.change_id.clone(),
                    remote_hlc: c.hlc.clone(),
                    created_at: now_str(w),
                    resolved_at: String::new(),
                    resolution: String::new(),
                },
            )?;
            materialize(w, after)?;
            Ok(None)
        }
        Policy::Local if clash.remote_won => Ok(Some(FollowUp {
            record_id: c.record_id.clone(),
            kind: c.kind.clone(),
            key: clash.key.clone(),
            want: clash.local.clone(),
            overrules: clash.remote.clone(),
        })),
        Policy::Remote if !clash.remote_won => Ok(Some(FollowUp {
            record_id: c.record_id.clone(),
            kind: c.kind.clone(),
            key: clash.key.clone(),
            want: clash.remote.clone(),
            overrules: clash.local.clone(),
        })),
        Policy::KeepBoth if !create => {
            let loser = if clash.remote_won {
                &clash.local
            } else {
                &clash.remote
            };
            duplicate(w, after, &clash.key, loser.as_ref())?;
            Ok(None)
        }
        _ => Ok(None),
    }
}

/// Remember the changes written since `from` as policy decisions.
fn mark_resolutions(w: &mut Writer<'_>, from: usize) -> Result<()> {
    let hlcs: Vec<String> = w.changes[from..].iter().map(|c| c.hlc.clone()).collect();
    for h in hlcs {
        st::add_resolution(w, &h)?;
    }
    Ok(())
}

/// Write a new local change making `key` of the record `value` (DESIGN.md §6:
/// resolutions are ordinary changes, so they sync).
pub fn publish(
    w: &mut Writer<'_>,
    id: &str,
    kind: &str,
    key: &str,
    value: Option<&FieldValue>,
) -> Result<()> {
    let state = folded(w, id, kind)?;
    match key {
        EXISTS => match (value.is_some(), w.get(id)?.is_some()) {
            (false, true) => {
                w.delete(id)?;
            }
            (true, false) => {
                if let Some(r) = state.record() {
                    ensure_collection(w, &r.collection, r.kind)?;
                    w.revive(&r)?;
                }
            }
            _ => {}
        },
        COLLECTION => {
            if let Some(FieldValue::Props(p)) = value
                && let Some(p) = p.first()
                && w.get(id)?.is_some()
            {
                let kind = Kind::parse(kind).unwrap_or(Kind::Note);
                ensure_collection(w, &p.value, kind)?;
                w.move_record(id, &p.value)?;
            }
        }
        field => {
            if let Some(mut r) = w.get(id)? {
                r.body.set_field(field, value);
                w.update(&r)?;
            }
        }
    }
    Ok(())
}

/// The id of the duplicate that keeps `value` of `key` of record `id`: the same on
/// every device.
pub fn duplicate_id(id: &str, key: &str, value: Option<&FieldValue>) -> String {
    use blake2::Blake2b512;
    use blake2::digest::Digest;
    let mut h = Blake2b512::new();
    h.update(id.as_bytes());
    h.update([0]);
    h.update(key.as_bytes());
    h.update([0]);
    h.update(
        serde_json::to_string(&value)
            .expect("values serialize")
            .as_bytes(),
    );
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// `keep-both`: a new record holding the losing value.
pub(super) fn duplicate(
    w: &mut Writer<'_>,
    after: &RecState,
    key: &str,
    loser: Option<&FieldValue>,
) -> Result<()> {
    let Some(mut r) = after.record() else {
        return Ok(());
    };
    match key {
        EXISTS => {
            // The losing side of delete-vs-edit is an edit (a lost delete needs no copy).
            if loser.is_none() {
                return Ok(());
            }
        }
        COLLECTION => {
            if let Some(FieldValue::Props(p)) = loser
                && let Some(p) = p.first()
            {
                r.collection = p.value.clone();
            }
        }
        field => r.body.set_field(field, loser),
    }
    let dup = duplicate_id(&r.id, key, loser);
    if !st::record_changes(w, &dup)?.is_empty() {
        return Ok(()); // Made already (here or on another device).
    }
    r.id = dup.clone();
    r.body.set_field(
        "UID",
        Some(&FieldValue::Props(vec![Property::new("UID", dup)])),
    );
    ensure_collection(w, &r.collection, r.kind)?;
    w.create(&r)?;
    Ok(())
}
