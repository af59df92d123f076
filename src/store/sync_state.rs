//! Sync bookkeeping kept beside the data (DESIGN.md §5): the version vector, changes
//! received out of order, remembered folder state, known server messages, devices,
//! per-field clocks, tombstones, the conflicts queue and the values that lost one.
//!
//! Functions take a `&Connection` so they work inside a [`super::Writer`]'s
//! transaction (`w.tx()`) as well as on the store.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, StoreError};
use crate::model::{Change, FieldValue};

/// Per device: the highest sequence number applied here with no gap below it.
pub type Vector = BTreeMap<String, u64>;

pub fn vector(conn: &Connection) -> Result<Vector> {
    let mut stmt = conn.prepare_cached("SELECT device, seq FROM sync_vector")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn set_vector(conn: &Connection, device: &str, seq: u64) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO sync_vector (device, seq) VALUES (?1, ?2)
         ON CONFLICT (device) DO UPDATE SET seq = excluded.seq",
    )?
    .execute(params![device, seq])?;
    Ok(())
}

pub fn clear_vector(conn: &Connection) -> Result<()> {
    conn.execute("DELETE FROM sync_vector", [])?;
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("sync state serializes")
}

pub(super) fn from_json<T: serde::de::DeserializeOwned>(what: &str, s: &str) -> Result<T> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt {
        what: what.to_string(),
        reason: e.to_string(),
    })
}

/// Keep a received change that cannot be applied yet (an earlier one is missing).
pub fn add_pending(conn: &Connection, c: &Change) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_pending (device, seq, hlc, change) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![c.device, c.seq, c.hlc, to_json(c)])?;
    Ok(())
}

pub fn pending(conn: &Connection) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached("SELECT change FROM sync_pending ORDER BY device, seq")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(from_json("pending change", &r?)?);
    }
    Ok(out)
}

pub fn remove_pending(conn: &Connection, device: &str, seq: u64) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_pending WHERE device = ?1 AND seq = ?2")?
        .execute(params![device, seq])?;
    Ok(())
}

/// Drop pending changes already covered by the vector.
pub fn prune_pending(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM sync_pending WHERE seq <= COALESCE(
            (SELECT seq FROM sync_vector v WHERE v.device = sync_pending.device), 0)",
        [],
    )?;
    Ok(())
}

/// What we remember of a server folder between syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RememberedFolder {
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub highestmodseq: Option<u64>,
    pub exists: u32,
}

pub fn folder(conn: &Connection, folder: &str) -> Result<Option<RememberedFolder>> {
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

pub fn set_folder(conn: &Connection, folder: &str, f: &RememberedFolder) -> Result<()> {
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

/// A message known to be on the server, identified by its headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMessage {
    pub folder: String,
    pub uid: u32,
    /// `batch`, `device` or `snapshot`.
    pub kind: String,
    /// Opaque device tag from `X-Pim-Device`.
    pub tag: String,
    pub seq_from: u64,
    pub seq_to: u64,
    pub message_id: String,
    pub size: u64,
}

fn row_message(r: &Row<'_>) -> rusqlite::Result<KnownMessage> {
    Ok(KnownMessage {
        folder: r.get(0)?,
        uid: r.get(1)?,
        kind: r.get(2)?,
        tag: r.get(3)?,
        seq_from: r.get(4)?,
        seq_to: r.get(5)?,
        message_id: r.get(6)?,
        size: r.get(7)?,
    })
}

pub fn messages(conn: &Connection, folder: &str) -> Result<Vec<KnownMessage>> {
    let mut stmt = conn.prepare_cached(
        "SELECT folder, uid, kind, tag, seq_from, seq_to, message_id, size FROM sync_messages
         WHERE folder = ?1 ORDER BY uid",
    )?;
    let rows = stmt.query_map([folder], row_message)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub fn put_message(conn: &Connection, m: &KnownMessage) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR REPLACE INTO sync_messages
            (folder, uid, kind, tag, seq_from, seq_to, message_id, size)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        m.folder,
        m.uid,
        m.kind,
        m.tag,
        m.seq_from,
        m.seq_to,
        m.message_id,
        m.size
    ])?;
    Ok(())
}

pub fn remove_message(conn: &Connection, folder: &str, uid: u32) -> Result<()> {
    conn.prepare_cached("DELETE FROM sync_messages WHERE folder = ?1 AND uid = ?2")?
        .execute(params![folder, uid])?;
    Ok(())
}

pub fn clear_messages(conn: &Connection, folder: &str) -> Result<()> {
    conn.execute("DELETE FROM sync_messages WHERE folder = ?1", [folder])?;
    Ok(())
}

/// Another device (or this one) as its state messages describe it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    pub device: String,
    pub tag: String,
    pub name: String,
    pub last_seen: String,
    /// What it has applied, as it last published.
    pub vector: Vector,
    pub forgotten: bool,
}

pub fn devices(conn: &Connection) -> Result<Vec<DeviceInfo>> {
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
pub fn put_device(conn: &Connection, d: &DeviceInfo) -> Result<()> {
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
pub fn forget_device(conn: &Connection, device: &str) -> Result<bool> {
    Ok(conn.execute(
        "UPDATE sync_devices SET forgotten = 1 WHERE device = ?1",
        [device],
    )? > 0)
}

/// A record's state as a snapshot gave it (JSON owned by the sync engine): the
/// starting point that later changes are folded onto.
pub fn base_state(conn: &Connection, record_id: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT state FROM sync_base WHERE record_id = ?1")?
        .query_row([record_id], |r| r.get(0))
        .optional()?)
}

pub fn put_base_state(conn: &Connection, record_id: &str, state: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR REPLACE INTO sync_base (record_id, state) VALUES (?1, ?2)")?
        .execute(params![record_id, state])?;
    Ok(())
}

/// Ids of every record with a snapshot base.
pub fn base_ids(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT record_id FROM sync_base ORDER BY record_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Ids of every record or collection the change log mentions.
pub fn logged_ids(conn: &Connection) -> Result<Vec<String>> {
    Ok(conn
        .prepare("SELECT DISTINCT record_id FROM changes ORDER BY record_id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?)
}

/// Every change logged here for one record, oldest first.
pub fn record_changes(conn: &Connection, record_id: &str) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLS} FROM changes WHERE record_id = ?1 ORDER BY hlc"
    ))?;
    collect_changes(conn, stmt.query_map([record_id], row_change)?)
}

pub(super) const CHANGE_COLS: &str =
    "device, seq, change_id, hlc, changed_at, submitted_at, record_id, kind, op, attachments";

type RawChange = (Change, String, String);

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
                reason,
            }
        })?;
        c.attachments = serde_json::from_str(&att).unwrap_or_default();
        out.push(c);
    }
    Ok(out)
}

/// This device's changes in `[from, to]`, in order.
pub fn device_changes(conn: &Connection, device: &str, from: u64, to: u64) -> Result<Vec<Change>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLS} FROM changes WHERE device = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq"
    ))?;
    collect_changes(conn, stmt.query_map(params![device, from, to], row_change)?)
}

/// The highest sequence number `device` has logged here.
pub fn max_seq(conn: &Connection, device: &str) -> Result<u64> {
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE device = ?1",
        [device],
        |r| r.get(0),
    )?)
}

/// The lowest own sequence number not yet confirmed by the server (outbox head).
pub fn first_unsubmitted(conn: &Connection, device: &str) -> Result<Option<u64>> {
    Ok(conn.query_row(
        "SELECT MIN(seq) FROM changes WHERE device = ?1 AND submitted_at = ''",
        [device],
        |r| r.get(0),
    )?)
}

/// The server confirmed the upload of `[from, to]`.
pub fn mark_submitted(conn: &Connection, device: &str, from: u64, to: u64, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE changes SET submitted_at = ?4 WHERE device = ?1 AND seq BETWEEN ?2 AND ?3
            AND submitted_at = ''",
        params![device, from, to, at],
    )?;
    Ok(())
}

/// Queue `[from, to]` for upload again (after `replace-remote` wiped the server).
pub fn mark_unsubmitted(conn: &Connection, device: &str, from: u64) -> Result<()> {
    conn.execute(
        "UPDATE changes SET submitted_at = '' WHERE device = ?1 AND seq >= ?2",
        params![device, from],
    )?;
    Ok(())
}

/// A conflict waiting for the user (policy `ask`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Conflict {
    pub id: i64,
    pub record_id: String,
    pub kind: String,
    /// Field key, or `@exists` (delete vs edit) / `@collection` (move vs move).
    pub key: String,
    pub base: Option<FieldValue>,
    pub local: Option<FieldValue>,
    pub remote: Option<FieldValue>,
    pub remote_change: String,
    pub remote_hlc: String,
    pub created_at: String,
    pub resolved_at: String,
    pub resolution: String,
}

fn row_conflict(r: &Row<'_>) -> rusqlite::Result<(Conflict, [Option<String>; 3])> {
    Ok((
        Conflict {
            id: r.get(0)?,
            record_id: r.get(1)?,
            kind: r.get(2)?,
            key: r.get(3)?,
            base: None,
            local: None,
            remote: None,
            remote_change: r.get(7)?,
            remote_hlc: r.get(8)?,
            created_at: r.get(9)?,
            resolved_at: r.get(10)?,
            resolution: r.get(11)?,
        },
        [r.get(4)?, r.get(5)?, r.get(6)?],
    ))
}

const CONFLICT_COLS: &str = "id, record_id, kind, key, base, local, remote, remote_change, \
                             remote_hlc, created_at, resolved_at, resolution";

fn decode_conflicts(
    rows: impl Iterator<Item = rusqlite::Result<(Conflict, [Option<String>; 3])>>,
) -> Result<Vec<Conflict>> {
    let mut out = Vec::new();
    for row in rows {
        let (mut c, [b, l, r]) = row?;
        let dec = |s: Option<String>| -> Result<Option<FieldValue>> {
            s.map(|s| from_json("conflict value", &s)).transpose()
        };
        c.base = dec(b)?;
        c.local = dec(l)?;
        c.remote = dec(r)?;
        out.push(c);
    }
    Ok(out)
}

/// Open conflicts (all, or of one record), oldest first.
pub fn open_conflicts(conn: &Connection, record_id: Option<&str>) -> Result<Vec<Conflict>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONFLICT_COLS} FROM conflicts
         WHERE resolved_at = '' AND (?1 IS NULL OR record_id = ?1) ORDER BY id"
    ))?;
    decode_conflicts(stmt.query_map([record_id], row_conflict)?)
}

pub fn conflict(conn: &Connection, id: i64) -> Result<Option<Conflict>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONFLICT_COLS} FROM conflicts WHERE id = ?1"
    ))?;
    Ok(decode_conflicts(stmt.query_map([id], row_conflict)?)?
        .into_iter()
        .next())
}

/// Queue a conflict; an open one on the same field is updated to the newer remote value.
pub fn put_conflict(conn: &Connection, c: &Conflict) -> Result<i64> {
    let enc = |v: &Option<FieldValue>| v.as_ref().map(to_json);
    let existing: Option<i64> = conn
        .query_row(
            "SELECT id FROM conflicts WHERE resolved_at = '' AND record_id = ?1 AND key = ?2",
            params![c.record_id, c.key],
            |r| r.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        conn.execute(
            "UPDATE conflicts SET remote = ?2, remote_change = ?3, remote_hlc = ?4
             WHERE id = ?1 AND remote_hlc < ?4",
            params![id, enc(&c.remote), c.remote_change, c.remote_hlc],
        )?;
        return Ok(id);
    }
    conn.execute(
        &format!(
            "INSERT INTO conflicts ({CONFLICT_COLS}) VALUES
             (NULL, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', '')"
        ),
        params![
            c.record_id,
            c.kind,
            c.key,
            enc(&c.base),
            enc(&c.local),
            enc(&c.remote),
            c.remote_change,
            c.remote_hlc,
            c.created_at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

pub fn mark_resolved(conn: &Connection, id: i64, resolution: &str, at: &str) -> Result<()> {
    conn.execute(
        "UPDATE conflicts SET resolved_at = ?3, resolution = ?2 WHERE id = ?1",
        params![id, resolution, at],
    )?;
    Ok(())
}

/// A value that lost a conflict, kept so no edit disappears silently.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LostValue {
    pub record_id: String,
    pub key: String,
    pub value: Option<FieldValue>,
    pub lost_change: String,
    pub won_change: String,
    pub policy: String,
    pub at: String,
}

pub fn add_loser(conn: &Connection, l: &LostValue) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO conflict_losers (record_id, key, value, lost_change, won_change, policy, at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        l.record_id,
        l.key,
        l.value.as_ref().map(to_json),
        l.lost_change,
        l.won_change,
        l.policy,
        l.at
    ])?;
    Ok(())
}

/// Values that lost conflicts (of one record, or all), oldest first.
pub fn losers(conn: &Connection, record_id: Option<&str>) -> Result<Vec<LostValue>> {
    let mut stmt = conn.prepare_cached(
        "SELECT record_id, key, value, lost_change, won_change, policy, at FROM conflict_losers
         WHERE ?1 IS NULL OR record_id = ?1 ORDER BY id",
    )?;
    let rows = stmt.query_map([record_id], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (record_id, key, value, lost_change, won_change, policy, at) = row?;
        out.push(LostValue {
            record_id,
            key,
            value: value.map(|v| from_json("lost value", &v)).transpose()?,
            lost_change,
            won_change,
            policy,
            at,
        });
    }
    Ok(out)
}

/// Remember that the own change stamped `hlc` was written by a conflict policy.
pub fn add_resolution(conn: &Connection, hlc: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO sync_resolutions (hlc) VALUES (?1)")?
        .execute([hlc])?;
    Ok(())
}

pub fn is_resolution(conn: &Connection, hlc: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM sync_resolutions WHERE hlc = ?1")?
        .exists([hlc])?)
}
