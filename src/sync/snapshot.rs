//! Snapshots: the full synced state, written so new devices can bootstrap without
//! every batch ever made, and so batches can be garbage-collected (DESIGN.md §5.7).

use std::collections::BTreeSet;

use super::apply::{folded, materialize, save_collection_merged};
use super::batch::SnapshotPayload;
use super::catch_up::known_and_here;
use super::merge::RecState;
use crate::store::sync_scope;
use crate::store::sync_state::{self as st, Vector};
use crate::store::{Result, Store, StoreError};

/// This device's vector: what it applied, and its own last change.
pub fn local_vector(store: &Store) -> Result<Vector> {
    let mut v = st::vector(store.conn())?;
    let own = st::max_seq(store.conn(), store.device())?;
    v.insert(store.device().to_string(), own);
    Ok(v)
}

/// The synced state as a snapshot payload.
pub fn make(store: &Store, epoch: u64) -> Result<SnapshotPayload> {
    let conn = store.conn();
    let me = store.device();
    let all_collections = store.collections(None)?;
    let mut ids: BTreeSet<(String, String)> = BTreeSet::new();
    let mut stmt =
        conn.prepare("SELECT DISTINCT record_id, kind FROM changes WHERE kind <> 'collection'")?;
    for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
        ids.insert(row?);
    }
    for id in st::base_ids(conn)? {
        if let Some(json) = st::base_state(conn, &id)? {
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
    let kept_back: BTreeSet<String> = sync_scope::skipped_records(conn, me)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let mut records = Vec::new();
    let mut used: BTreeSet<String> = BTreeSet::new();
    for (id, kind) in ids {
        let mut s = if kept_back.contains(&id) {
            known_and_here(conn, me, &id, &kind, None)?.0
        } else {
            folded(conn, &id, &kind)?
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
            if let Some(old) = st::base_state(w.tx(), &r.id)? {
                let old: RecState =
                    serde_json::from_str(&old).map_err(|e| StoreError::Corrupt {
                        what: format!("sync base of {}", r.id),
                        reason: e.to_string(),
                    })?;
                r.join(&old);
            }
            let json = serde_json::to_string(&r).expect("states serialize");
            st::put_base_state(w.tx(), &r.id, &json)?;
            let folded = folded(w.tx(), &r.id, &r.kind)?;
            materialize(w, &folded)?;
        }
        let current = st::vector(w.tx())?;
        for (dev, seq) in &s.vector {
            if dev != &me && current.get(dev).copied().unwrap_or(0) < *seq {
                st::set_vector(w.tx(), dev, *seq)?;
            }
        }
        st::prune_pending(w.tx())?;
        crate::store::sync_scope::prune_held(w.tx(), &s.vector)?;
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
        let tx = w.tx();
        tx.execute("DELETE FROM changes WHERE device <> ?1 OR seq <= ?2", rusqlite::params![me, own_in_snapshot])?;
        tx.execute_batch(
            "DELETE FROM sync_base; DELETE FROM sync_vector; DELETE FROM sync_pending;
             DELETE FROM sync_held;
             UPDATE conflicts SET resolved_at = 'reset', resolution = 'replace-local'
                WHERE resolved_at = '';",
        )?;
        let rows: Vec<String> = tx
            .prepare("SELECT r.id FROM records r JOIN collections c ON c.id = r.collection WHERE c.sync = 1")?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        for id in rows {
            w.delete_row(&id)?;
        }
        let mut kinds: Vec<(String, String)> = w
            .tx()
            .prepare("SELECT DISTINCT record_id, kind FROM changes WHERE kind <> 'collection'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        kinds.sort();
        for (id, kind) in kinds {
            let f = folded(w.tx(), &id, &kind)?;
            materialize(w, &f)?;
        }
        Ok(())
    })?;
    if let Some(s) = s {
        load(store, s)?;
    }
    Ok(())
}
