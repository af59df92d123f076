//! Queries of the agenda and the people views: contacts with a date to remember,
//! events that name an address, tasks due in a window, and a stamp that changes
//! whenever the database may have.

use rusqlite::params;

use super::read::{RECORD_COLS, stored_row};
use super::{Result, Store};
use crate::model::Record;

impl Store {
    /// Contacts that have a `BDAY` or an `ANNIVERSARY` (whatever its value).
    pub fn contacts_with_dates(&self) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = 'contact'
               AND (instr(data, '\"n\":\"BDAY\"') > 0 OR instr(data, '\"n\":\"ANNIVERSARY\"') > 0)
             ORDER BY sort_key, id"
        ))?;
        self.collect(stmt.query_map([], stored_row)?)
    }

    /// Events whose searchable text holds `address` (as `pim search` finds it):
    /// candidates for "the events this person attends", which the caller narrows
    /// down to ATTENDEE and ORGANIZER.
    pub fn events_mentioning(&self, address: &str) -> Result<Vec<Record>> {
        let fts = super::index::fts_query(address, None);
        if fts.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = 'event' AND rowid IN
               (SELECT rowid FROM records_fts WHERE records_fts MATCH ?1)"
        ))?;
        self.collect(stmt.query_map([fts], stored_row)?)
    }

    /// Tasks whose indexed due time lies in `[from, to)` (Unix seconds; floating and
    /// date-only values are indexed as if in UTC, so callers widen by
    /// [`super::SLACK_SECS`] and check the exact time themselves).
    pub fn tasks_due_between(&self, from: i64, to: i64) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records
             WHERE kind = 'task' AND recurring IN (0, 1) AND start_ts >= ?1 AND start_ts < ?2"
        ))?;
        self.collect(stmt.query_map(params![from, to], stored_row)?)
    }

    /// Something that changes whenever the database may have changed, from any
    /// process: the sizes and modification times of the database file and its
    /// write-ahead log (an empty log, which every opening creates, counts as none).
    /// `None` for an in-memory database. Costs two `stat` calls, no query.
    pub fn data_stamp(&self) -> Option<String> {
        let path = self.conn.path().filter(|p| !p.is_empty())?;
        let stamp = |p: &str| -> Option<(u64, i128)> {
            let m = std::fs::metadata(p).ok()?;
            let modified = m
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos() as i128;
            Some((m.len(), modified))
        };
        let (db_len, db_time) = stamp(path)?;
        let wal = stamp(&format!("{path}-wal")).filter(|(len, _)| *len > 0);
        Some(match wal {
            Some((len, time)) => format!("{db_len}.{db_time}.{len}.{time}"),
            None => format!("{db_len}.{db_time}"),
        })
    }
}
