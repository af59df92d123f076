//! Rows another program damaged: a row whose id is not text (a blob) or not UTF-8,
//! found by the id its warning names.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::store::{Result, StoreError};

/// The row (its rowid; the first, if several) whose id is a blob or text that is
/// not UTF-8 (another program wrote it) and reads as `id` as its warning names it:
/// U+FFFD for what is not UTF-8 (`raw::unreadable`).
pub(in crate::store) fn damaged_id_row(conn: &Connection, id: &str) -> Result<Option<i64>> {
    let first_reading_as = |sql: &str, damaged: fn(ValueRef<'_>) -> Option<&[u8]>| {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut rows = stmt.query([])?;
        let mut first: Option<i64> = None;
        while let Some(row) = rows.next()? {
            let reads_as =
                damaged(row.get_ref(1)?).is_some_and(|b| String::from_utf8_lossy(b) == id);
            if reads_as {
                let rowid: i64 = row.get(0)?;
                first = Some(first.map_or(rowid, |f| f.min(rowid)));
            }
        }
        Ok::<_, StoreError>(first)
    };
    // Blobs sort after every text: their ids are the end of the id index, where a
    // store pim wrote has none.
    fn blob(v: ValueRef<'_>) -> Option<&[u8]> {
        match v {
            ValueRef::Blob(b) => Some(b),
            _ => None,
        }
    }
    if let Some(rowid) = first_reading_as("SELECT rowid, id FROM records WHERE id >= x''", blob)? {
        return Ok(Some(rowid));
    }
    // Text that is not UTF-8 reads with U+FFFD: every id is read, for such an id only.
    if !id.contains('\u{FFFD}') {
        return Ok(None);
    }
    fn not_utf8(v: ValueRef<'_>) -> Option<&[u8]> {
        match v {
            ValueRef::Text(b) if std::str::from_utf8(b).is_err() => Some(b),
            _ => None,
        }
    }
    first_reading_as("SELECT rowid, id FROM records", not_utf8)
}
