//! Full-text search: the matches of a query, as records, in listing order.

use rusqlite::{OptionalExtension, params};

use super::{RECORD_COLS, stored_row};
use crate::model::{Kind, Record};
use crate::store::{Result, Store, StoreError};

impl Store {
    /// Full-text search over every kind; `query` is words (all must match, prefixes ok).
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let fts = crate::store::index::fts_query(query, self.phone_plan.get().as_ref());
        if fts.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE rowid IN
               (SELECT rowid FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rank LIMIT ?2)
             ORDER BY kind, sort_key"
        ))?;
        self.collect(stmt.query_map(params![fts, limit as i64], stored_row)?)
    }

    /// Full-text search in one kind, by sort key (title): `limit` matches after the
    /// first `skip`.
    pub fn search_kind(
        &self,
        kind: Kind,
        query: &str,
        skip: usize,
        limit: usize,
    ) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let fts = crate::store::index::fts_query(query, self.phone_plan.get().as_ref());
        if fts.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = ?1 AND rowid IN
               (SELECT rowid FROM records_fts WHERE records_fts MATCH ?2)
             ORDER BY sort_key LIMIT ?3 OFFSET ?4"
        ))?;
        self.collect(stmt.query_map(
            params![kind.as_str(), fts, limit as i64, skip as i64],
            stored_row,
        )?)
    }

    /// [`Store::search`] one record at a time, in the same order: the matches are
    /// ordered by their keys alone (8 bytes each are held), then each record is read
    /// and handed to `f` in turn, so an unlimited search never holds its results.
    pub fn search_each<E: From<StoreError>>(
        &self,
        query: &str,
        limit: usize,
        f: impl FnMut(Record) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        let fts = crate::store::index::fts_query(query, self.phone_plan.get().as_ref());
        if fts.is_empty() {
            return Ok(());
        }
        // The matches, then each of them: one snapshot, or a record deleted in
        // between (its rowid maybe taken by another) would be read amiss.
        self.in_one_snapshot(|| self.each_match(&fts, limit, f))
    }

    fn each_match<E: From<StoreError>>(
        &self,
        fts: &str,
        limit: usize,
        mut f: impl FnMut(Record) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let rowids: Vec<i64> = (|| -> Result<Vec<i64>> {
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid FROM records WHERE rowid IN
                   (SELECT rowid FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rank LIMIT ?2)
                 ORDER BY kind, sort_key, rowid",
            )?;
            let ids = stmt.query_map(params![fts, limit as i64], |r| r.get(0))?;
            Ok(ids.collect::<rusqlite::Result<_>>()?)
        })()?;
        let mut one = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records WHERE rowid = ?1"
            ))
            .map_err(StoreError::from)?;
        for rowid in rowids {
            let row = one
                .query_row([rowid], stored_row)
                .optional()
                .map_err(StoreError::from)?;
            let Some(row) = row else { continue };
            let (id, kind) = (row.id.clone(), row.kind.clone());
            if let Some(r) = self.keep_decodable(&id, &kind, row.decode())? {
                f(r)?;
            }
        }
        Ok(())
    }
}
