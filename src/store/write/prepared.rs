//! Bulk creates (an import's new records), and a record's row worked out ahead of
//! its write: the stored body, the index columns and the listing copy depend on the
//! record alone, so a bulk writer can have them made on another thread while it
//! writes the rows before.

use rusqlite::params;

use super::{INSERT_CHANGE, Writer, change_id, lazy_create_op};
use crate::model::{MAX_COMPONENT_DEPTH, Record};
use crate::store::Result;
use crate::store::index::{IndexColumns, index, listed};

/// What [`super::Writer::create_fresh_prepared`] stores for one record besides its
/// id and collection. Made by [`PreparedRow::of`] with no database at hand.
pub struct PreparedRow {
    pub(super) data: String,
    pub(super) columns: IndexColumns,
    pub(super) listed: Option<String>,
}

impl PreparedRow {
    /// The row of `r` as it stands: its body must not change before it is written
    /// (its id and collection may). `None` when the body is nested too deep to be
    /// stored: [`super::Writer::create_fresh`] then refuses it, naming the record.
    pub fn of(r: &Record) -> Option<PreparedRow> {
        if r.body.depth() > MAX_COMPONENT_DEPTH {
            return None;
        }
        let mut data = String::new();
        crate::model::stored_json::write_body(&r.body, &mut data);
        Some(PreparedRow {
            data,
            columns: index(r),
            listed: listed(r),
        })
    }
}

/// Bulk creates: records whose ids were just made.
impl Writer<'_> {
    /// Add a record whose id was just made, so that no row can hold it (a bulk import):
    /// what [`Self::create`] writes, without looking for a row to replace and without
    /// keeping the change in [`Self::changes`] (a bulk writer never reads them back,
    /// and each would hold a copy of its record until commit).
    pub fn create_fresh(&mut self, r: &Record) -> Result<()> {
        self.create_fresh_with(r, None)
    }

    /// [`Self::create_fresh`] with the row worked out already (by [`PreparedRow::of`]
    /// from `r`, whose body has not changed since).
    pub fn create_fresh_prepared(&mut self, r: &Record, row: &PreparedRow) -> Result<()> {
        debug_assert_eq!(
            row.data,
            crate::model::stored_json::body_to_string(&r.body),
            "a row prepared from another body"
        );
        self.create_fresh_with(r, Some(row))
    }

    fn create_fresh_with(&mut self, r: &Record, row: Option<&PreparedRow>) -> Result<()> {
        if self.found_collection.borrow().as_deref() != Some(r.collection.as_str()) {
            self.collection(&r.collection)?;
            *self.found_collection.borrow_mut() = Some(r.collection.clone());
        }
        match row {
            Some(row) => self.insert_record_row(r, row, true)?,
            None => self.insert_record(r, true)?,
        }
        // Logged as a lazy create (its body is the record's): no copy of the body.
        let (seq, hlc) = self.stamp_change();
        let op = lazy_create_op(&r.collection);
        self.tx.prepare_cached(INSERT_CHANGE)?.execute(params![
            self.device,
            seq,
            change_id(self.device, seq),
            hlc,
            self.now,
            "",
            r.id,
            r.kind.as_str(),
            op,
            "[]"
        ])?;
        Ok(())
    }
}
