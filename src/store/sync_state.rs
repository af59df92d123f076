//! Sync bookkeeping kept beside the data (DESIGN.md §5): the version vector, changes
//! received out of order, remembered folder state, known server messages, devices,
//! per-field clocks, tombstones, the conflicts queue and the values that lost one.
//!
//! Functions take any [`Db`]: a [`super::Writer`] (inside its transaction) or the
//! store itself.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::db::conn;
use super::{Db, Result, StoreError};
use crate::model::Change;
pub use crate::model::sync_state::{DeviceInfo, KnownMessage, RememberedFolder, Vector};

pub fn vector(db: &(impl Db + ?Sized)) -> Result<Vector> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached("SELECT device, seq FROM sync_vector")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_vector(db: &(impl Db + ?Sized), device: &str, seq: u64) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached(
        "INSERT INTO sync_vector (device, seq) VALUES (?1, ?2)
         ON CONFLICT (device) DO UPDATE SET seq = excluded.seq",
    )?
    .execute(params![device, seq])?;
    Ok(())
}

pub fn clear_vector(db: &(impl Db + ?Sized)) -> Result<()> {
    let conn = conn(db);
    conn.execute("DELETE FROM sync_vector", [])?;
    Ok(())
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("sync state serializes")
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what: what.to_string(),
        reason: e.to_string(),
    })
}

/// Keep a received change that cannot be applied yet (an earlier one is missing).
pub fn add_pending(db: &(impl Db + ?Sized), c: &Change) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_pending (device, seq, hlc, change) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![c.device, c.seq, c.hlc, to_json(c)])?;
    Ok(())
}

/// Keep `c` in place of a kept placeholder for the same number (a device's real
/// change replaces a claim that it skipped that number).
pub fn replace_pending(db: &(impl Db + ?Sized), c: &Change) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sync_pending (device, seq, hlc, change) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![c.device, c.seq, c.hlc, to_json(c)])?;
    Ok(())
}

pub fn pending(db: &(impl Db + ?Sized)) -> Result<Vec<Change>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached("SELECT change FROM sync_pending ORDER BY device, seq")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(from_json("pending change", &r?)?);
    }
    Ok(out)
}

pub fn remove_pending(db: &(impl Db + ?Sized), device: &str, seq: u64) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached("DELETE FROM sync_pending WHERE device = ?1 AND seq = ?2")?
        .execute(params![device, seq])?;
    Ok(())
}

/// Drop pending changes already covered by the vector.
pub fn prune_pending(db: &(impl Db + ?Sized)) -> Result<()> {
    let conn = conn(db);
    conn.execute(
        "DELETE FROM sync_pending WHERE seq <= COALESCE(
            (SELECT seq FROM sync_vector v WHERE v.device = sync_pending.device), 0)",
        [],
    )?;
    Ok(())
}

pub fn folder(db: &(impl Db + ?Sized), folder: &str) -> Result<Option<RememberedFolder>> {
    let conn = conn(db);
    Ok(conn
        .query_row(
            "SELECT uidvalidity, uidnext, highestmodseq, exists_count FROM sync_folders
             WHERE folder = ?1",
            [folder],
            |r| {
                Ok(RememberedFolder {
                    uidvalidity: r.get(0)?,
                    uidnext: r.get(1)?,
                    highestmodseq: r.get(2)?,
                    exists: r.get(3)?,
                })
            },
        )
        .optional()?)
}

pub fn set_folder(db: &(impl Db + ?Sized), folder: &str, f: &RememberedFolder) -> Result<()> {
    let conn = conn(db);
    conn.execute(
        "INSERT INTO sync_folders (folder, uidvalidity, uidnext, highestmodseq, exists_count)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,
            uidnext = excluded.uidnext, highestmodseq = excluded.highestmodseq,
            exists_count = excluded.exists_count",
        params![folder, f.uidvalidity, f.uidnext, f.highestmodseq, f.exists],
    )?;
    Ok(())
}

fn row_message(r: &Row<'_>) -> rusqlite::Result<KnownMessage> {
    Ok(KnownMessage {
        folder: r.get(0)?,
        uid: r.get(1)?,
        kind: r.get(2)?,
        // The `tag` column holds the authenticated device since format 3
        // (the engine converts rows of earlier builds once).
        device: r.get(3)?,
        seq_from: r.get(4)?,
        seq_to: r.get(5)?,
        message_id: r.get(6)?,
        size: r.get(7)?,
    })
}

pub fn messages(db: &(impl Db + ?Sized), folder: &str) -> Result<Vec<KnownMessage>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(
        "SELECT folder, uid, kind, tag, seq_from, seq_to, message_id, size FROM sync_messages
         WHERE folder = ?1 ORDER BY uid",
    )?;
    let rows = stmt.query_map([folder], row_message)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn put_message(db: &(impl Db + ?Sized), m: &KnownMessage) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sync_messages
            (folder, uid, kind, tag, seq_from, seq_to, message_id, size)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        m.folder,
        m.uid,
        m.kind,
        m.device,
        m.seq_from,
        m.seq_to,
        m.message_id,
        m.size
    ])?;
    Ok(())
}

pub fn remove_message(db: &(impl Db + ?Sized), folder: &str, uid: u32) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached("DELETE FROM sync_messages WHERE folder = ?1 AND uid = ?2")?
        .execute(params![folder, uid])?;
    Ok(())
}

pub fn clear_messages(db: &(impl Db + ?Sized), folder: &str) -> Result<()> {
    let conn = conn(db);
    conn.execute("DELETE FROM sync_messages WHERE folder = ?1", [folder])?;
    Ok(())
}

pub fn devices(db: &(impl Db + ?Sized)) -> Result<Vec<DeviceInfo>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(
        "SELECT device, tag, name, last_seen, vector, forgotten FROM sync_devices ORDER BY device",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, bool>(5)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (device, tag, name, last_seen, vector, forgotten) = row?;
        out.push(DeviceInfo {
            vector: from_json("device vector", &vector)?,
            device,
            tag,
            name,
            last_seen,
            forgotten,
        });
    }
    Ok(out)
}

/// Record a device.
pub fn put_device(db: &(impl Db + ?Sized), d: &DeviceInfo) -> Result<()> {
    let conn = conn(db);
    conn.execute(
        "INSERT INTO sync_devices (device, tag, name, last_seen, vector, forgotten)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (device) DO UPDATE SET tag = excluded.tag, name = excluded.name,
            last_seen = excluded.last_seen, vector = excluded.vector,
            forgotten = excluded.forgotten",
        params![
            d.device,
            d.tag,
            d.name,
            d.last_seen,
            to_json(&d.vector),
            d.forgotten
        ],
    )?;
    Ok(())
}

/// Mark a device as gone: it stops holding back garbage collection.
pub fn forget_device(db: &(impl Db + ?Sized), device: &str) -> Result<bool> {
    let conn = conn(db);
    Ok(conn.execute(
        "UPDATE sync_devices SET forgotten = 1 WHERE device = ?1",
        [device],
    )? > 0)
}

/// A record's state as a snapshot gave it (JSON owned by the sync engine): the
/// starting point that later changes are folded onto.
pub fn base_state(db: &(impl Db + ?Sized), record_id: &str) -> Result<Option<String>> {
    let conn = conn(db);
    Ok(conn
        .prepare_cached("SELECT state FROM sync_base WHERE record_id = ?1")?
        .query_row([record_id], |r| r.get(0))
        .optional()?)
}

pub fn put_base_state(db: &(impl Db + ?Sized), record_id: &str, state: &str) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached("INSERT OR REPLACE INTO sync_base (record_id, state) VALUES (?1, ?2)")?
        .execute(params![record_id, state])?;
    Ok(())
}

/// Ids of every record with a snapshot base.
pub fn base_ids(db: &(impl Db + ?Sized)) -> Result<Vec<String>> {
    let conn = conn(db);
    Ok(conn
        .prepare("SELECT record_id FROM sync_base ORDER BY record_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// `replace-local`: forget everything received and the synced state, keeping
/// this device's own changes above `own_kept_above` (the ones a snapshot being
/// loaded does not hold). Open conflicts are closed as resolved by the reset.
pub fn reset_synced_state(w: &super::Writer<'_>, me: &str, own_kept_above: u64) -> Result<()> {
    let tx = w.tx();
    tx.execute(
        "DELETE FROM changes WHERE device <> ?1 OR seq <= ?2",
        params![me, own_kept_above],
    )?;
    tx.execute_batch(
        "DELETE FROM sync_base; DELETE FROM sync_vector; DELETE FROM sync_pending;
         DELETE FROM sync_held;
         UPDATE conflicts SET resolved_at = 'reset', resolution = 'replace-local'
            WHERE resolved_at = '';",
    )?;
    Ok(())
}

/// Ids of the records in collections that sync.
pub fn synced_record_ids(db: &(impl Db + ?Sized)) -> Result<Vec<String>> {
    Ok(conn(db)
        .prepare(
            "SELECT r.id FROM records r JOIN collections c ON c.id = r.collection WHERE c.sync = 1",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Ids of every record or collection the change log mentions.
pub fn logged_ids(db: &(impl Db + ?Sized)) -> Result<Vec<String>> {
    let conn = conn(db);
    Ok(conn
        .prepare("SELECT DISTINCT record_id FROM changes ORDER BY record_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every change logged here for one record, oldest first.
pub fn record_changes(db: &(impl Db + ?Sized), record_id: &str) -> Result<Vec<Change>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLS} FROM changes WHERE record_id = ?1 ORDER BY hlc"
    ))?;
    collect_changes(conn, stmt.query_map([record_id], row_change)?)
}

pub(super) const CHANGE_COLS: &str =
    "device, seq, change_id, hlc, changed_at, submitted_at, record_id, kind, op, attachments";

pub(super) type RawChange = (Change, String, String);

pub(super) fn row_change(r: &Row<'_>) -> rusqlite::Result<RawChange> {
    let c = Change {
        device: r.get(0)?,
        seq: r.get(1)?,
        change_id: r.get(2)?,
        hlc: r.get(3)?,
        changed_at: r.get(4)?,
        submitted_at: r.get(5)?,
        record_id: r.get(6)?,
        kind: r.get(7)?,
        op: crate::model::Op::Update { fields: Vec::new() },
        attachments: Vec::new(),
    };
    Ok((c, r.get(8)?, r.get(9)?))
}

pub(super) fn collect_changes(
    conn: &Connection,
    rows: impl Iterator<Item = rusqlite::Result<RawChange>>,
) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    for row in rows {
        let (mut c, op, att) = row?;
        c.op = super::read::decode_op(conn, &c.record_id, &op).map_err(|reason| {
            StoreError::Corrupt {
                what: format!("change {}", c.change_id),
                reason: reason.to_string(),
            }
        })?;
        c.attachments = serde_json::from_str(&att).unwrap_or_default();
        out.push(c);
    }
    Ok(out)
}

/// This device's changes in `[from, to]`, in order.
pub fn device_changes(
    db: &(impl Db + ?Sized),
    device: &str,
    from: u64,
    to: u64,
) -> Result<Vec<Change>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLS} FROM changes WHERE device = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq"
    ))?;
    collect_changes(conn, stmt.query_map(params![device, from, to], row_change)?)
}

/// The highest sequence number `device` has logged here.
pub fn max_seq(db: &(impl Db + ?Sized), device: &str) -> Result<u64> {
    let conn = conn(db);
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE device = ?1",
        [device],
        |r| r.get(0),
    )?)
}

/// The lowest own sequence number not yet confirmed by the server (outbox head).
pub fn first_unsubmitted(db: &(impl Db + ?Sized), device: &str) -> Result<Option<u64>> {
    let conn = conn(db);
    Ok(conn.query_row(
        "SELECT MIN(seq) FROM changes WHERE device = ?1 AND submitted_at = ''",
        [device],
        |r| r.get(0),
    )?)
}

/// The server confirmed the upload of `[from, to]`.
pub fn mark_submitted(
    db: &(impl Db + ?Sized),
    device: &str,
    from: u64,
    to: u64,
    at: &str,
) -> Result<()> {
    let conn = conn(db);
    conn.execute(
        "UPDATE changes SET submitted_at = ?4 WHERE device = ?1 AND seq BETWEEN ?2 AND ?3
            AND submitted_at = ''",
        params![device, from, to, at],
    )?;
    Ok(())
}

/// Queue `[from, to]` for upload again (after `replace-remote` wiped the server).
pub fn mark_unsubmitted(db: &(impl Db + ?Sized), device: &str, from: u64) -> Result<()> {
    let conn = conn(db);
    conn.execute(
        "UPDATE changes SET submitted_at = '' WHERE device = ?1 AND seq >= ?2",
        params![device, from],
    )?;
    Ok(())
}

pub use super::conflicts::{
    Conflict, LostValue, add_loser, add_resolution, conflict, is_resolution, losers, mark_resolved,
    open_conflicts, put_conflict,
};
