//! A record's row worked out ahead of its write: the stored body, the index columns
//! and the listing copy depend on the record alone, so a bulk writer can have them
//! made on another thread while it writes the rows before.

use crate::model::{MAX_COMPONENT_DEPTH, Record};
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
