//! Rows another program damaged: a row whose id is not text (a blob) or not UTF-8,
//! found by the id its warning names; rows of no kind pim knows, named by readers.

use rusqlite::Connection;
use rusqlite::types::ValueRef;

use crate::model::Kind;
use crate::store::{Result, Store, StoreError, Undecodable};

/// Rows whose kind is none of pim's four: the kind index's ranges around them
/// (bytes sort after every text, so `> 'task'` holds kinds that are not text).
/// Bounded: the warnings are, too ([`Store::note_undecodable`]).
const KINDLESS_ROWS: &str = "
    SELECT id, kind FROM records WHERE kind < 'contact'
    UNION ALL SELECT id, kind FROM records WHERE kind > 'contact' AND kind < 'event'
    UNION ALL SELECT id, kind FROM records WHERE kind > 'event' AND kind < 'note'
    UNION ALL SELECT id, kind FROM records WHERE kind > 'note' AND kind < 'task'
    UNION ALL SELECT id, kind FROM records WHERE kind > 'task'
    LIMIT 1000";

/// Why a row's stored kind is not one of the four as pim writes them (which the
/// listings ask for), or `None` when it is. A kind another spelling of which pim
/// reads (`Contact`, `todo`, bytes spelling `task`) reads as that kind by id, and
/// an edit writes it as pim does again; no listing shows it meanwhile.
pub(in crate::store) fn unknown_kind(kind: ValueRef<'_>) -> Option<String> {
    match kind {
        ValueRef::Text(b) => {
            let text = String::from_utf8_lossy(b);
            match Kind::parse(&text) {
                Some(k) if k.as_str() == text => None,
                Some(k) => Some(format!(
                    "its kind {text:?} is not written as pim writes it ({:?}; any `pim \
                     edit` of it writes it so)",
                    k.as_str()
                )),
                None => Some(format!("its kind {text:?} is not one pim knows")),
            }
        }
        ValueRef::Blob(b) => {
            let text = String::from_utf8_lossy(b);
            let heal = match Kind::parse(&text) {
                Some(_) => "; any `pim edit` of it writes it as text",
                None => "",
            };
            Some(format!(
                "its kind is not text (bytes reading {text:?}{heal})"
            ))
        }
        other => Some(format!("its kind is not text ({other:?})")),
    }
}

/// The kind a stored kind reads as, bytes that spell one included.
pub(in crate::store) fn kind_read(kind: ValueRef<'_>) -> Option<Kind> {
    match kind {
        ValueRef::Text(b) | ValueRef::Blob(b) => std::str::from_utf8(b).ok().and_then(Kind::parse),
        _ => None,
    }
}

impl Store {
    /// Note every row of no kind pim knows, once per open store, for the readers
    /// that walk records: no reader asks for such rows by kind, so nothing else
    /// would name them (an `export all` would leave them out without a word).
    pub(in crate::store) fn note_kindless_rows(&self) -> Result<()> {
        if self.kindless_noted.replace(true) {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(KINDLESS_ROWS)?;
        let mut rows = stmt.query([])?;
        while let Some(row) = rows.next()? {
            let id = match row.get_ref(0)? {
                ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
                other => format!("{other:?}"),
            };
            if let Some(reason) = unknown_kind(row.get_ref(1)?) {
                let what = "record".to_string();
                self.note_undecodable(Undecodable { id, what, reason });
            }
        }
        Ok(())
    }
}

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
