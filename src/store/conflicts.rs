//! The conflicts queue, the values that lost a merge (history), and the HLCs of
//! changes that resolved a conflict.

use rusqlite::{OptionalExtension, Row, params};

use super::db::conn;
use super::sync_state::{from_json, to_json};
use super::{Db, Result};
use crate::model::FieldValue;

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
pub fn open_conflicts(db: &(impl Db + ?Sized), record_id: Option<&str>) -> Result<Vec<Conflict>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONFLICT_COLS} FROM conflicts
         WHERE resolved_at = '' AND (?1 IS NULL OR record_id = ?1) ORDER BY id"
    ))?;
    decode_conflicts(stmt.query_map([record_id], row_conflict)?)
}

pub fn conflict(db: &(impl Db + ?Sized), id: i64) -> Result<Option<Conflict>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CONFLICT_COLS} FROM conflicts WHERE id = ?1"
    ))?;
    Ok(decode_conflicts(stmt.query_map([id], row_conflict)?)?
        .into_iter()
        .next())
}

/// Queue a conflict; an open one on the same field is updated to the newer remote value.
pub fn put_conflict(db: &(impl Db + ?Sized), c: &Conflict) -> Result<i64> {
    let conn = conn(db);
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

pub fn mark_resolved(db: &(impl Db + ?Sized), id: i64, resolution: &str, at: &str) -> Result<()> {
    let conn = conn(db);
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

pub fn add_loser(db: &(impl Db + ?Sized), l: &LostValue) -> Result<()> {
    let conn = conn(db);
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
pub fn losers(db: &(impl Db + ?Sized), record_id: Option<&str>) -> Result<Vec<LostValue>> {
    let conn = conn(db);
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
pub fn add_resolution(db: &(impl Db + ?Sized), hlc: &str) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached("INSERT OR IGNORE INTO sync_resolutions (hlc) VALUES (?1)")?
        .execute([hlc])?;
    Ok(())
}

pub fn is_resolution(db: &(impl Db + ?Sized), hlc: &str) -> Result<bool> {
    let conn = conn(db);
    Ok(conn
        .prepare_cached("SELECT 1 FROM sync_resolutions WHERE hlc = ?1")?
        .exists([hlc])?)
}
