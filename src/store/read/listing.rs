//! Reads for listings that sort in memory anyway: the rows of a kind in table
//! order, with their stored sort key, instead of in index order (which costs a
//! random lookup in the table per row).

use rusqlite::{Row, params};

use super::super::{Result, Store, StoreError};
use super::{RECORD_COLS, RawRecord};
use crate::model::Kind;

impl Store {
    /// Every record of `kind` (in `collection` if given), each borrowed from the
    /// database for the length of one call with its sort key (the order
    /// [`Store::for_each_raw`] gives is by that key, then id), in table order.
    pub fn for_each_raw_unordered<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        mut f: impl FnMut(RawRecord<'_>, &str) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        // The rowids come from the kind's index, sorted; the rows are then read in
        // rowid order (neighbours share pages).
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS}, sort_key FROM records
                 WHERE rowid IN (SELECT rowid FROM records WHERE kind = ?1)
                   AND (?2 IS NULL OR collection = ?2)
                 ORDER BY rowid"
            ))
            .map_err(StoreError::from)?;
        let mut rows = stmt
            .query(params![kind.as_str(), collection])
            .map_err(StoreError::from)?;
        fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str> {
            Ok(row.get_ref(i).and_then(|v| Ok(v.as_str()?))?)
        }
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let raw = RawRecord {
                id: text(row, 0)?,
                kind: text(row, 1)?,
                collection: text(row, 2)?,
                data: text(row, 3)?,
            };
            f(raw, text(row, 4)?)?;
        }
        Ok(())
    }
}
