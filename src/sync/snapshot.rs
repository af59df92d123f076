//! Snapshots: the full synced state, written so new devices can bootstrap without
//! every batch ever made, and so batches can be garbage-collected (DESIGN.md §5.7).

use std::collections::BTreeSet;

use super::apply::{folded, materialize, save_collection_merged};
use super::batch::SnapshotPayload;
use super::catch_up::known_and_here;
use super::merge::RecState;
use crate::store::sync_state::{self as st, Vector};
use crate::store::{Result, Store, StoreError};
use crate::store::{change_log, sync_scope};

/// This device's vector: what it applied, and its own last change.
pub fn local_vector(store: &Store) -> Result<Vector> {
    let mut v = st::vector(store)?;
    let own = st::max_seq(store, store.device())?;
    v.insert(store.device().to_string(), own);
    Ok(v)
}

/// The synced state as a snapshot payload.
pub fn make(store: &Store, epoch: u64) -> Result<SnapshotPayload> {
    let me = store.device();
    let all_collections = store.collections(None)?;
    let mut ids: BTreeSet<(String, String)> =
        change_log::logged_records(store)?.into_iter().collect();
    for id in st::base_ids(store)? {
        if let Some(json) = st::base_state(store, &id)? {
            let s: RecState = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
                what: format!("sync base of {id}"),
                reason: e.to_string(),
            })?;
            ids.insert((id, s.kind));
        }
    }
    let vector = local_vector(store)?;
    // Own edits a collection with sync off kept back are not part of the synced
    // state (other devices never got them): records are taken as others know them.
    let kept_back: BTreeSet<String> = sync_scope::skipped_records(store, me)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut records = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (id, kind) in ids {
        let mut s = if kept_back.contains(&id) {
            known_and_here(store, me, &id, &kind, None)?.0
        } else {
            folded(store, &id, &kind)?
        };
        if let Some(c) = &s.collection {
            used.insert(c.clone());
            // Everything this device has applied is folded in.
            s.covered = vector.clone();
            records.push(s);
        }
    }
    // Collections with sync off here still travel when others' records live in
    // them (sync is each device's own choice).
    let collections: Vec<_> = all_collections
        .into_iter()
        .filter(|c| c.sync || used.contains(&c.id))
        .map(|mut c| {
            c.sync = true;
            c
        })
        .collect();
    Ok(SnapshotPayload {
        made_by: store.device().to_string(),
        made_at: store.clock().now_rfc3339(),
        vector,
        collections,
        records,
        epoch,
    })
}

/// Take a snapshot in as the base that later changes fold onto; the vector
/// advances to what it covers. Local changes are kept and folded on top.
pub fn load(store: &mut Store, s: &SnapshotPayload) -> Result<()> {
    let me = store.device().to_string();
    store.write(|w| {
        for c in &s.collections {
            let mut c = c.clone();
            if let Ok(local) = w.collection(&c.id) {
                c.sync = local.sync;
            }
            save_collection_merged(w, &c)?;
        }
        // Later local edits must be stamped after everything the snapshot holds.
        if let Some(latest) = s.records.iter().flat_map(|r| r.stamps.values()).max() {
            w.hlc().observe(latest);
        }
        for r in &s.records {
            // Snapshots are not ordered: each may know changes the other lacks.
            let mut r = r.clone();
            if let Some(old) = st::base_state(w, &r.id)? {
                let old: RecState =
                    serde_json::from_str(&old).map_err(|e| StoreError::Corrupt {
                        what: format!("sync base of {}", r.id),
                        reason: e.to_string(),
                    })?;
                r.join(&old);
            }
            let json = serde_json::to_string(&r).expect("states serialize");
            st::put_base_state(w, &r.id, &json)?;
            let folded = folded(w, &r.id, &r.kind)?;
            materialize(w, &folded)?;
        }
        let current = st::vector(w)?;
        for (dev, seq) in &s.vector {
            if dev != &me && current.get(dev).copied().unwrap_or(0) < *seq {
                st::set_vector(w, dev, *seq)?;
            }
        }
        st::prune_pending(w)?;
        crate::store::sync_scope::prune_held(w, &s.vector)?;
        Ok(())
    })
}

/// `replace-local`: forget the synced state and everything received, keep this
/// device's own changes the snapshot does not include, and start again from `s`
/// (or from nothing).
pub fn reset_local(store: &mut Store, s: Option<&SnapshotPayload>) -> Result<()> {
    let me = store.device().to_string();
    let own_in_snapshot = s.and_then(|s| s.vector.get(&me).copied()).unwrap_or(0);
    store.write(|w| {
        st::reset_synced_state(w, &me, own_in_snapshot)?;
        for id in st::synced_record_ids(w)? {
            w.delete_row(&id)?;
        }
        for (id, kind) in change_log::logged_records(w)? {
            let f = folded(w, &id, &kind)?;
            materialize(w, &f)?;
        }
        Ok(())
    })?;
    if let Some(s) = s {
        load(store, s)?;
    }
    Ok(())
}
