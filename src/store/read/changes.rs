//! The change log as stored: listing it, and reading a stored op back.

use rusqlite::{Connection, params};

use super::super::{Result, Store};
use crate::model::Change;

/// Which change records `Store::log` returns.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    pub record_id: Option<String>,
    /// Only changes not yet uploaded by this device.
    pub unsubmitted_only: bool,
    /// Only the newest N (still returned oldest first): read from the end of the log,
    /// not the whole of it.
    pub newest: Option<usize>,
}

impl Store {
    /// Change records, oldest first (by HLC).
    pub fn log(&self, filter: &LogFilter) -> Result<Vec<Change>> {
        use super::super::sync_state::{CHANGE_COLS, row_change};
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT * FROM (SELECT {CHANGE_COLS} FROM changes
             WHERE (?1 IS NULL OR record_id = ?1)
               AND (?2 = 0 OR (device = ?3 AND submitted_at = ''))
             ORDER BY hlc DESC LIMIT ?4) ORDER BY hlc"
        ))?;
        let limit = filter.newest.map(|l| l as i64).unwrap_or(-1);
        let rows = stmt.query_map(
            params![
                filter.record_id,
                filter.unsubmitted_only,
                self.device(),
                limit
            ],
            row_change,
        )?;
        // One undecodable change must not hide the history of every other record.
        Ok(self.decodable_changes(rows)?.0)
    }

    /// This device's changes `from..=to` that can be decoded, and the seqs of those
    /// that cannot (noted for the report): the outbox sends the others and marks
    /// these skipped, so one bad change never holds back every later edit.
    pub fn own_changes_decodable(&self, from: u64, to: u64) -> Result<(Vec<Change>, Vec<u64>)> {
        use super::super::sync_state::{CHANGE_COLS, row_change};
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHANGE_COLS} FROM changes WHERE device = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq"
        ))?;
        let rows = stmt.query_map(params![self.device(), from, to], row_change)?;
        self.decodable_changes(rows)
    }

    fn decodable_changes(
        &self,
        rows: impl Iterator<Item = rusqlite::Result<super::super::sync_state::RawChange>>,
    ) -> Result<(Vec<Change>, Vec<u64>)> {
        let (mut out, mut bad) = (Vec::new(), Vec::new());
        for row in rows {
            let row = row?;
            let (id, seq) = (row.0.record_id.clone(), row.0.seq);
            let what = format!("change {} of", row.0.change_id);
            let decoded =
                super::super::sync_state::collect_changes(&self.conn, std::iter::once(Ok(row)));
            match self.keep_decodable(&id, &what, decoded)? {
                Some(one) => out.extend(one),
                None => bad.push(seq),
            }
        }
        Ok((out, bad))
    }
}

/// Why a stored op could not be read back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OpDecodeError {
    #[error("record of a lazy create is missing: {0}")]
    LazyRecordMissing(rusqlite::Error),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
    #[error("op is not an object")]
    NotAnObject,
}

/// Decode a stored op; a lazy create (see `Writer::insert_lazy_create`) takes its body
/// from the record, which still holds exactly that body.
pub(crate) fn decode_op(
    conn: &Connection,
    record_id: &str,
    op: &str,
) -> std::result::Result<crate::model::Op, OpDecodeError> {
    if op.contains("\"lazy\":true") && !op.contains("\"body\"") {
        let data: String = conn
            .prepare_cached("SELECT data FROM records WHERE id = ?1")
            .and_then(|mut s| s.query_row([record_id], |r| r.get(0)))
            .map_err(OpDecodeError::LazyRecordMissing)?;
        let full = fill_lazy(op, &data)?;
        return Ok(serde_json::from_str(&full)?);
    }
    Ok(serde_json::from_str(op)?)
}

/// The full create op: the lazy op's collection with the record's stored body.
pub(crate) fn fill_lazy(op: &str, data: &str) -> std::result::Result<String, OpDecodeError> {
    let mut v: serde_json::Value = serde_json::from_str(op)?;
    let Ok(body) = serde_json::from_str::<serde_json::Value>(data) else {
        // An undecodable body goes into the op as it is stored: the change stays
        // exactly as unreadable (and reported), and the record can still be deleted.
        return Ok(op.replacen("\"lazy\":true", &format!("\"body\":{data}"), 1));
    };
    let m = v.as_object_mut().ok_or(OpDecodeError::NotAnObject)?;
    m.remove("lazy");
    m.insert("body".into(), body);
    Ok(v.to_string())
}
