//! Store side of syncs limited to some collections (`pim sync --collection`):
//! remote changes held back for a later sync, and the outbox reorder that lets
//! an own change in the chosen collections go before older ones outside them.

use std::collections::BTreeSet;

use rusqlite::params;

use super::db::conn;
use super::sync_state::{Vector, collect_changes, from_json, row_change};
use super::{Db, Result};
use crate::model::Change;

/// Keep a received change outside the synced collections. The caller advances
/// the vector in the same transaction: held changes are received, not applied.
pub fn add_held(db: &(impl Db + ?Sized), c: &Change) -> Result<()> {
    let conn = conn(db);
    let json = serde_json::to_string(c).expect("changes serialize");
    conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_held (device, seq, hlc, record_id, change)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![c.device, c.seq, c.hlc, c.record_id, json])?;
    Ok(())
}

/// Every held change, in the order they are applied (oldest HLC first).
pub fn held(db: &(impl Db + ?Sized)) -> Result<Vec<Change>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached("SELECT change FROM sync_held ORDER BY hlc, device, seq")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        out.push(from_json("held change", &r?)?);
    }
    Ok(out)
}

/// Records with held changes: their later changes wait behind them.
pub fn held_records(db: &(impl Db + ?Sized)) -> Result<BTreeSet<String>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached("SELECT DISTINCT record_id FROM sync_held")?;
    let ids = stmt
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(ids)
}

pub fn held_count(db: &(impl Db + ?Sized)) -> Result<u64> {
    let conn = conn(db);
    Ok(conn.query_row("SELECT COUNT(*) FROM sync_held", [], |r| r.get(0))?)
}

pub fn remove_held(db: &(impl Db + ?Sized), device: &str, seq: u64) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached("DELETE FROM sync_held WHERE device = ?1 AND seq = ?2")?
        .execute(params![device, seq])?;
    Ok(())
}

/// Drop held changes a loaded snapshot already contains.
pub fn prune_held(db: &(impl Db + ?Sized), covered: &Vector) -> Result<()> {
    let conn = conn(db);
    for (device, seq) in covered {
        conn.execute(
            "DELETE FROM sync_held WHERE device = ?1 AND seq <= ?2",
            params![device, seq],
        )?;
    }
    Ok(())
}

/// Own changes after `floor` (never handed to the server), in sequence order.
pub fn unsent_changes(db: &(impl Db + ?Sized), device: &str, floor: u64) -> Result<Vec<Change>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {} FROM changes WHERE device = ?1 AND seq > ?2 ORDER BY seq",
        super::sync_state::CHANGE_COLS
    ))?;
    collect_changes(conn, stmt.query_map(params![device, floor], row_change)?)
}

/// Renumber own changes after `floor` so those in `first` come first (in their
/// order), then the rest (in theirs). Only changes no server ever saw may be
/// renumbered; change ids stay, so history keeps pointing at the same change.
/// Receivers fold by HLC, so the new order changes nothing they compute.
pub fn reorder_unsent(
    db: &(impl Db + ?Sized),
    device: &str,
    floor: u64,
    first: &[u64],
) -> Result<()> {
    let conn = conn(db);
    let all: Vec<u64> = conn
        .prepare_cached("SELECT seq FROM changes WHERE device = ?1 AND seq > ?2 ORDER BY seq")?
        .query_map(params![device, floor], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let chosen: BTreeSet<u64> = first.iter().copied().collect();
    let order = all
        .iter()
        .filter(|s| chosen.contains(s))
        .chain(all.iter().filter(|s| !chosen.contains(s)));
    let mut moves = Vec::new();
    for (i, &old) in order.enumerate() {
        let new = floor + 1 + i as u64;
        if new != old {
            moves.push((old, new));
        }
    }
    // Through negative numbers, so no two rows ever share a key on the way.
    let mut park = conn.prepare_cached(
        "UPDATE changes SET seq = -?3 WHERE device = ?1 AND seq = ?2 AND submitted_at = ''",
    )?;
    for (old, new) in &moves {
        park.execute(params![device, old, *new as i64])?;
    }
    conn.execute(
        "UPDATE changes SET seq = -seq WHERE device = ?1 AND seq < 0",
        [device],
    )?;
    Ok(())
}

/// `submitted_at` of own changes a collection with sync off kept from the server
/// (the server got a skip marker for their numbers).
pub const SKIPPED: &str = "skipped";
/// ... and once they were published again as new changes.
pub const REPUBLISHED: &str = "republished";

/// The server confirmed a batch that skipped these own changes.
pub fn mark_skipped(db: &(impl Db + ?Sized), device: &str, seqs: &[u64]) -> Result<()> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(
        "UPDATE changes SET submitted_at = ?3 WHERE device = ?1 AND seq = ?2 AND submitted_at = ''",
    )?;
    for seq in seqs {
        stmt.execute(params![device, seq, SKIPPED])?;
    }
    Ok(())
}

/// Records (with their kinds) that have own changes still only here because
/// their collection had sync off.
pub fn skipped_records(db: &(impl Db + ?Sized), device: &str) -> Result<Vec<(String, String)>> {
    let conn = conn(db);
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT record_id, kind FROM changes WHERE device = ?1 AND submitted_at = ?2",
    )?;
    let rows = stmt
        .query_map(params![device, SKIPPED], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The record's skipped own changes, and its unsent ones after `unsent_above`,
/// were published again (as catch-up changes that carry their effect).
pub fn mark_republished(
    db: &(impl Db + ?Sized),
    device: &str,
    record_id: &str,
    unsent_above: u64,
) -> Result<()> {
    let conn = conn(db);
    conn.prepare_cached(
        "UPDATE changes SET submitted_at = ?4 WHERE device = ?1 AND record_id = ?2
            AND (submitted_at = ?3 OR (submitted_at = '' AND seq > ?5))",
    )?
    .execute(params![
        device,
        record_id,
        SKIPPED,
        REPUBLISHED,
        unsent_above
    ])?;
    Ok(())
}

/// The highest own sequence number marked in any way (sent, skipped, republished).
pub fn last_marked(db: &(impl Db + ?Sized), device: &str) -> Result<u64> {
    let conn = conn(db);
    Ok(conn.query_row(
        "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE device = ?1 AND submitted_at <> ''",
        [device],
        |r| r.get(0),
    )?)
}
