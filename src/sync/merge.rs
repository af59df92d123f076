//! Merge (DESIGN.md §6), pure.
//!
//! **The convergence rule.** A record's synced state is a *fold* of every change known
//! for it, in HLC order (ties are impossible: stamps end with the device id). Each
//! field, the record's existence and its collection are registers written by the
//! newest change touching them (last-writer-wins by HLC); multi-valued fields
//! ([`crate::model::fields::SET_VALUED`]) instead apply each change's adds and removes
//! (computed from its base values): every value is a register of its own, written by
//! the newest change that added or removed it ([`super::merge_sets`]). The fold depends only on the *set*
//! of changes, never on the order they arrived in, so every device that has the same
//! changes holds the same records.
//!
//! Conflicts are *detected* by three-way comparison of an incoming change's base
//! values with the local value before it arrived. A policy other than `newest` never
//! bends the fold; it acts by writing a new, ordinary change (stamped just above
//! the write it overrules, so never above an edit it has not seen) that every
//! device then folds in the same way. See [`super::apply`], [`super::decision`].

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::merge_sets::{self as sets, Touches};
use crate::model::fields::is_set_valued;
use crate::model::{Body, Change, Component, FieldValue, Kind, Op, Record};

/// Register keys besides field keys.
pub const EXISTS: &str = "@exists";
pub const COLLECTION: &str = "@collection";
/// Stamp of the last whole-body write (a create): a floor for every field's stamp.
pub const BODY: &str = "@body";

/// A record as the fold of its changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecState {
    pub id: String,
    pub kind: String,
    /// `None` until a create (or a snapshot) told us where the record lives.
    pub collection: Option<String>,
    pub body: Body,
    pub exists: bool,
    /// Register → HLC of the change that last wrote it.
    pub stamps: BTreeMap<String, String>,
    /// Per device, the changes already folded into this state (a snapshot's
    /// vector): folding them again must not re-apply set adds or removes.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub covered: BTreeMap<String, u64>,
    /// Multi-valued field → value → HLC of the newest change that added or
    /// removed it since the last whole-body write ([`super::merge_sets`]).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub elems: BTreeMap<String, Touches>,
}

impl RecState {
    pub fn empty(id: &str, kind: &str) -> RecState {
        let comp = Kind::parse(kind).map(Kind::component).unwrap_or("VJOURNAL");
        RecState {
            id: id.to_string(),
            kind: kind.to_string(),
            collection: None,
            body: Body {
                main: Component::new(comp),
                overrides: Vec::new(),
                timezones: Vec::new(),
            },
            exists: false,
            stamps: BTreeMap::new(),
            covered: BTreeMap::new(),
            elems: BTreeMap::new(),
        }
    }

    pub fn from_record(r: &Record, stamp: &str) -> RecState {
        let mut stamps = BTreeMap::new();
        for k in [EXISTS, COLLECTION, BODY] {
            stamps.insert(k.to_string(), stamp.to_string());
        }
        RecState {
            id: r.id.clone(),
            kind: r.kind.as_str().to_string(),
            collection: Some(r.collection.clone()),
            body: r.body.clone(),
            exists: true,
            stamps,
            covered: BTreeMap::new(),
            elems: BTreeMap::new(),
        }
    }

    /// Whether the record should be a row: created (known where) and not deleted.
    pub fn live(&self) -> bool {
        self.exists && self.collection.is_some()
    }

    pub fn record(&self) -> Option<Record> {
        Some(Record {
            id: self.id.clone(),
            kind: Kind::parse(&self.kind)?,
            collection: self.collection.clone()?,
            body: self.body.clone(),
        })
    }

    fn stamp(&self, key: &str) -> &str {
        self.stamps.get(key).map(String::as_str).unwrap_or("")
    }

    /// The HLC of the change that last wrote `key` (a field or a register).
    pub fn writer_of(&self, key: &str) -> &str {
        match key {
            EXISTS | COLLECTION => self.stamp(key),
            field => self.field_stamp(field),
        }
    }

    fn field_stamp(&self, key: &str) -> &str {
        self.stamp(key).max(self.stamp(BODY))
    }

    fn bump(&mut self, key: &str, hlc: &str) {
        self.stamps.insert(key.to_string(), hlc.to_string());
    }

    /// Fold one change in. Changes must come in HLC order for set-valued fields to
    /// agree everywhere; registers are order-independent anyway.
    pub fn apply(&mut self, c: &Change) {
        let h = c.hlc.as_str();
        match &c.op {
            Op::Create { collection, body } => {
                if h > self.stamp(BODY) {
                    let old = self.body.fields();
                    let new = body.fields();
                    // Fields whose values were all removed since count too.
                    let keys: BTreeSet<String> = old
                        .keys()
                        .chain(new.keys())
                        .chain(self.elems.keys())
                        .cloned()
                        .collect();
                    if keys.iter().all(|k| h > self.field_stamp(k)) {
                        // The common case: the body as the creating device wrote it
                        // (every value touch so far is older).
                        self.body = body.clone();
                        self.elems.clear();
                    } else {
                        for k in &keys {
                            if is_set_valued(k) {
                                let touches = self.elems.entry(k.clone()).or_default();
                                let v = sets::apply_body(h, new.get(k), old.get(k), touches);
                                self.body.set_field(k, v.as_ref());
                            } else if h > self.field_stamp(k) {
                                self.body.set_field(k, new.get(k));
                            }
                        }
                        self.elems.retain(|_, t| !t.is_empty());
                    }
                    self.bump(BODY, h);
                }
                self.write_exists(h, true);
                self.write_collection(h, collection);
            }
            Op::Update { fields } => {
                let mut current = self.body.fields();
                for f in fields {
                    let set = is_set_valued(&f.key);
                    // Set-valued fields apply each added or removed value if the
                    // change is newer than that value's last touch (a snapshot base
                    // may already hold newer ones); a newer whole-body create
                    // overrides them all.
                    let stale = if set {
                        h <= self.stamp(BODY)
                    } else {
                        h <= self.field_stamp(&f.key)
                    };
                    if stale {
                        continue;
                    }
                    let merged = if set {
                        let touches = self.elems.entry(f.key.clone()).or_default();
                        sets::apply_edit(
                            h,
                            f.base.as_ref(),
                            f.new.as_ref(),
                            current.get(&f.key),
                            touches,
                        )
                    } else {
                        f.new.clone()
                    };
                    self.body.set_field(&f.key, merged.as_ref());
                    match merged {
                        Some(v) => current.insert(f.key.clone(), v),
                        None => current.remove(&f.key),
                    };
                    if h > self.stamp(&f.key) {
                        self.bump(&f.key, h);
                    }
                }
                self.write_exists(h, true);
            }
            Op::Delete { collection, base } => {
                if self.collection.is_none() {
                    // Learn the record from what the deleting device had.
                    self.body = base.clone();
                    self.collection = Some(collection.clone());
                }
                self.write_exists(h, false);
            }
            Op::Move { to, .. } => {
                self.write_collection(h, to);
                self.write_exists(h, true);
            }
            Op::CollectionPut { .. } | Op::CollectionDelete { .. } => {}
        }
    }

    /// Whether the change is already folded into this state.
    pub fn covers(&self, c: &Change) -> bool {
        self.covered.get(&c.device).is_some_and(|&s| s >= c.seq)
    }

    /// Merge another fold of the same record (two snapshots that each know
    /// changes the other lacks): every register keeps the newer write.
    pub fn join(&mut self, other: &RecState) {
        // When one side has folded every change the other has, it is the answer
        // (exact, set-valued fields included).
        if knows_all(&self.covered, &other.covered) {
            return;
        }
        if knows_all(&other.covered, &self.covered) {
            *self = other.clone();
            return;
        }
        // Otherwise each register keeps its newer write; a set-valued field joins
        // value by value.
        if other.stamp(EXISTS) > self.stamp(EXISTS) {
            self.exists = other.exists;
            self.bump(EXISTS, other.stamp(EXISTS));
        }
        if (other.stamp(COLLECTION) > self.stamp(COLLECTION) || self.collection.is_none())
            && other.collection.is_some()
        {
            self.collection = other.collection.clone();
            self.bump(COLLECTION, other.stamp(COLLECTION));
        }
        let mine = self.body.fields();
        let theirs = other.body.fields();
        let keys: BTreeSet<String> = mine
            .keys()
            .chain(theirs.keys())
            .cloned()
            .chain(
                self.stamps
                    .keys()
                    .chain(other.stamps.keys())
                    .filter(|k| !k.starts_with('@'))
                    .cloned(),
            )
            .collect();
        let body_stamp = self.stamp(BODY).max(other.stamp(BODY)).to_string();
        let mut picked = Vec::new();
        let mut elems = BTreeMap::new();
        for k in &keys {
            let (a, b) = (self.field_stamp(k), other.field_stamp(k));
            let stamp = a.max(b).to_string();
            if is_set_valued(k) {
                // Value by value: exact, whichever side knows which changes.
                let side = |s: &'_ RecState,
                            f: &'_ BTreeMap<String, FieldValue>|
                 -> (Option<FieldValue>, Option<Touches>, String) {
                    (
                        f.get(k).cloned(),
                        s.elems.get(k).cloned(),
                        s.stamp(BODY).to_string(),
                    )
                };
                let (va, ta, ba) = side(self, &mine);
                let (vb, tb, bb) = side(other, &theirs);
                let (v, touches) = sets::join(
                    &sets::Side {
                        value: va.as_ref(),
                        touches: ta.as_ref(),
                        body: &ba,
                    },
                    &sets::Side {
                        value: vb.as_ref(),
                        touches: tb.as_ref(),
                        body: &bb,
                    },
                    &body_stamp,
                );
                if !touches.is_empty() {
                    elems.insert(k.clone(), touches);
                }
                picked.push((k.clone(), v, stamp));
            } else if b > a {
                picked.push((k.clone(), theirs.get(k).cloned(), stamp));
            } else {
                picked.push((k.clone(), mine.get(k).cloned(), stamp));
            }
        }
        self.elems = elems;
        for (k, v, stamp) in picked {
            self.body.set_field(&k, v.as_ref());
            if !stamp.is_empty() {
                self.bump(&k, &stamp);
            }
        }
        if !body_stamp.is_empty() {
            self.bump(BODY, &body_stamp);
        }
        for (d, &s) in &other.covered {
            let e = self.covered.entry(d.clone()).or_insert(0);
            *e = (*e).max(s);
        }
    }

    fn write_exists(&mut self, h: &str, exists: bool) {
        if h > self.stamp(EXISTS) {
            self.exists = exists;
            self.bump(EXISTS, h);
        }
    }

    fn write_collection(&mut self, h: &str, to: &str) {
        if h > self.stamp(COLLECTION) {
            self.collection = Some(to.to_string());
            self.bump(COLLECTION, h);
        }
    }
}

/// Whether the changes covered by `a` include every change covered by `b` (both
/// must say what they cover: an empty vector claims nothing).
fn knows_all(a: &BTreeMap<String, u64>, b: &BTreeMap<String, u64>) -> bool {
    !a.is_empty() && !b.is_empty() && b.iter().all(|(d, s)| a.get(d).copied().unwrap_or(0) >= *s)
}

/// Fold `changes` onto `start` in HLC order.
pub fn fold(mut start: RecState, changes: &[Change]) -> RecState {
    let mut sorted: Vec<&Change> = changes.iter().collect();
    sorted.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.change_id.cmp(&b.change_id)));
    for c in sorted {
        if !start.covers(c) {
            start.apply(c);
        }
    }
    start
}

/// Three-way set merge: apply the remote side's adds and removes (relative to its
/// base) to the local value. The result is in a canonical order, so merges commute.
pub fn merge_set(
    base: Option<&FieldValue>,
    new: Option<&FieldValue>,
    local: Option<&FieldValue>,
) -> Option<FieldValue> {
    let items = |v: Option<&FieldValue>| -> Vec<String> {
        match v {
            Some(FieldValue::Props(p)) => p.iter().map(json).collect(),
            Some(FieldValue::Comps(c)) => c.iter().map(json).collect(),
            None => Vec::new(),
        }
    };
    let b: BTreeSet<String> = items(base).into_iter().collect();
    let n: BTreeSet<String> = items(new).into_iter().collect();
    let mut out: BTreeSet<String> = items(local).into_iter().collect();
    for add in n.difference(&b) {
        out.insert(add.clone());
    }
    for rm in b.difference(&n) {
        out.remove(rm);
    }
    let comps = matches!(new.or(base).or(local), Some(FieldValue::Comps(_)));
    if out.is_empty() {
        return None;
    }
    Some(if comps {
        FieldValue::Comps(
            out.iter()
                .map(|s| serde_json::from_str(s).expect("own json"))
                .collect(),
        )
    } else {
        FieldValue::Props(
            out.iter()
                .map(|s| serde_json::from_str(s).expect("own json"))
                .collect(),
        )
    })
}

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("values serialize")
}

/// The union of two values of a set-valued field, canonical order.
pub fn union(a: Option<&FieldValue>, b: Option<&FieldValue>) -> Option<FieldValue> {
    merge_set(None, b, a).or_else(|| a.cloned())
}

/// A concurrent edit noticed while folding in a remote change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clash {
    /// Field key, [`EXISTS`] (delete vs edit) or [`COLLECTION`] (move vs move).
    pub key: String,
    pub base: Option<FieldValue>,
    pub local: Option<FieldValue>,
    pub remote: Option<FieldValue>,
    /// Whether the fold kept the remote side.
    pub remote_won: bool,
}

fn body_value(b: &Body) -> FieldValue {
    FieldValue::Comps(vec![b.main.clone()])
}

fn coll_value(c: &str) -> FieldValue {
    FieldValue::Props(vec![crate::model::Property::new("X-COLLECTION", c)])
}

/// Three-way detection: which parts of `c` met a concurrent local edit, judged by
/// the state `before` it arrived and the fold `after` it.
pub fn clashes(before: &RecState, after: &RecState, c: &Change) -> Vec<Clash> {
    let mut out = Vec::new();
    let was_live = before.live();
    match &c.op {
        Op::Update { fields } if was_live => {
            let local = before.body.fields();
            let now = after.body.fields();
            for f in fields {
                if is_set_valued(&f.key) {
                    continue;
                }
                let v = local.get(&f.key);
                if v != f.base.as_ref() && v != f.new.as_ref() {
                    out.push(Clash {
                        key: f.key.clone(),
                        base: f.base.clone(),
                        local: v.cloned(),
                        remote: f.new.clone(),
                        remote_won: now.get(&f.key) == f.new.as_ref(),
                    });
                }
            }
        }
        Op::Update { .. } | Op::Move { .. } if before.collection.is_some() && !before.exists => {
            // Edited here-deleted.
            out.push(Clash {
                key: EXISTS.into(),
                base: Some(body_value(&before.body)),
                local: None,
                remote: Some(body_value(&after.body)),
                remote_won: after.exists,
            });
        }
        Op::Delete { base, .. } if was_live && (&before.body != base || after.exists) => {
            out.push(Clash {
                key: EXISTS.into(),
                base: Some(body_value(base)),
                local: Some(body_value(&before.body)),
                remote: None,
                remote_won: !after.exists,
            });
        }
        Op::Move { from, to } if was_live => {
            let here = before.collection.as_deref().unwrap_or_default();
            if here != from && here != to {
                out.push(Clash {
                    key: COLLECTION.into(),
                    base: Some(coll_value(from)),
                    local: Some(coll_value(here)),
                    remote: Some(coll_value(to)),
                    remote_won: after.collection.as_deref() == Some(to.as_str()),
                });
            }
        }
        Op::Create { body, .. } if was_live && &before.body != body => {
            let local = before.body.fields();
            let remote = body.fields();
            let now = after.body.fields();
            let keys: BTreeSet<&String> = local.keys().chain(remote.keys()).collect();
            for k in keys {
                if local.get(k) != remote.get(k) && !is_set_valued(k) {
                    out.push(Clash {
                        key: k.clone(),
                        base: None,
                        local: local.get(k).cloned(),
                        remote: remote.get(k).cloned(),
                        remote_won: now.get(k) == remote.get(k),
                    });
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
#[path = "merge_tests.rs"]
mod tests;
