//! Record rows borrowed from the database, for a caller that reads the stored body
//! itself (an export).

use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator as _;
use rusqlite::types::ValueRef;
use rusqlite::{Row, params};

use super::{NOT_TEXT, StoredRecord, Undecodable, decode, read_stored};
use crate::model::borrowed::BodyRef;
use crate::model::{Kind, Record};
use crate::store::{Result, Store, StoreError};

/// A record row as stored, borrowed from the database ([`Store::for_each_raw_unordered`]).
#[derive(Debug, Clone, Copy)]
pub struct RawRecord<'r> {
    pub id: &'r str,
    pub kind: &'r str,
    pub collection: &'r str,
    /// The body as JSON (see [`crate::model::borrowed::BodyRef`]).
    pub data: &'r str,
    /// What listings sort by (then by id): see `store::index`.
    pub sort_key: &'r str,
}

impl<'r> RawRecord<'r> {
    /// The record, or why it cannot be read (to note with
    /// [`Store::note_undecodable`]).
    pub fn decode(&self) -> std::result::Result<Record, Undecodable> {
        decode(
            self.id.to_string(),
            self.kind,
            self.collection.to_string(),
            self.data,
        )
        .map_err(|e| {
            self.undecodable(match e {
                StoreError::Corrupt { reason, .. } => reason,
                other => other.to_string(),
            })
        })
    }

    /// The record's kind and its body read in place (nothing copied), or why it
    /// cannot be read, as [`RawRecord::decode`] would say.
    pub fn read_in_place(&self) -> std::result::Result<(Kind, BodyRef<'r>), Undecodable> {
        read_stored(self.kind, self.data, BodyRef::parse).map_err(|reason| self.undecodable(reason))
    }

    /// [`RawRecord::read_in_place`] into `body`, read before from another row: its
    /// lists keep their room (a caller reading many rows makes no allocation for
    /// each); the same answer.
    pub fn read_into(&self, body: &mut BodyRef<'r>) -> std::result::Result<Kind, Undecodable> {
        if self.data != NOT_TEXT
            && let Some(kind) = Kind::parse(self.kind)
            && body.read_again(self.data)
        {
            return Ok(kind);
        }
        let (kind, read) = self.read_in_place()?;
        *body = read;
        Ok(kind)
    }

    /// This row noted as unreadable, for `reason`.
    pub fn undecodable(&self, reason: String) -> Undecodable {
        Undecodable {
            id: self.id.to_string(),
            what: self.kind.to_string(),
            reason,
        }
    }
}

/// A record row as stored, borrowed from the database for the time of one call
/// ([`Store::for_each_event_between_ref`]): a caller that copies the rows it keeps
/// into buffers of its own makes no allocation per row.
#[derive(Debug, Clone, Copy)]
pub struct StoredRef<'r> {
    pub id: &'r str,
    pub kind: &'r str,
    pub collection: &'r str,
    /// The body's JSON text (a body that is not text reads as no JSON does).
    pub data: &'r str,
}

impl StoredRef<'_> {
    pub fn to_owned(&self) -> StoredRecord {
        StoredRecord {
            id: self.id.to_string(),
            kind: self.kind.to_string(),
            collection: self.collection.to_string(),
            data: self.data.to_string(),
        }
    }
}

/// `r`'s row borrowed as [`StoredRef`] (as `stored_row` reads it) for `f`.
pub(super) fn with_stored_ref<T>(
    r: &Row<'_>,
    f: impl FnOnce(StoredRef<'_>) -> T,
) -> rusqlite::Result<T> {
    let text = |i: usize| -> rusqlite::Result<std::borrow::Cow<'_, str>> {
        Ok(match r.get_ref(i)? {
            ValueRef::Text(b) | ValueRef::Blob(b) => match std::str::from_utf8(b) {
                Ok(s) => s.into(),
                Err(_) => String::from_utf8_lossy(b).into_owned().into(),
            },
            other => format!("{other:?}").into(),
        })
    };
    let (id, kind, collection) = (text(0)?, text(1)?, text(2)?);
    let data = match r.get_ref(3)? {
        ValueRef::Text(b) => std::str::from_utf8(b).unwrap_or(NOT_TEXT),
        _ => NOT_TEXT,
    };
    Ok(f(StoredRef {
        id: &id,
        kind: &kind,
        collection: &collection,
        data,
    }))
}

impl Store {
    /// Number of records of every kind.
    pub fn count_all(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))?)
    }

    /// The size of the database in bytes: more than its records hold, so a
    /// buffer of that size (reserved, not touched) takes them without growing.
    pub fn stored_bytes(&self) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            [],
            |r| r.get(0),
        )?)
    }

    /// Every record of `kind` (all kinds for `None`), of `collection` if given, each
    /// row borrowed from the database for the length of one call (no copy), in the
    /// order of the table, not sorted: a caller that reads them all sorts them
    /// itself by (`sort_key`, `id`), the order of every listing. Visiting rows in
    /// that order through the `(kind, sort_key)` index is a random lookup in the
    /// table per row (twice the CPU of reading the table in order, for an export of
    /// 100 000 records). Rows of a kind that has fewer than half the records are
    /// found through an index and read in table order (the pages of the other kinds
    /// are never read).
    pub fn for_each_raw_unordered<E: From<StoreError>>(
        &self,
        kind: Option<Kind>,
        collection: Option<&str>,
        f: impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        const COLS: &str = "SELECT id, kind, collection, data, sort_key FROM records";
        let few = match kind {
            Some(k) => {
                // Counted no further than the answer needs (counting walks an index).
                let half = self.count_all()?.div_ceil(2);
                self.count_at_most(k, half)? < half
            }
            None => false,
        };
        let sql = if few {
            // SQLite sorts the rowids of the subquery, then seeks each row in that
            // order: cheaper than reading the whole table when most rows are of other
            // kinds, dearer (a descent of the tree per row) when few are.
            format!(
                "{COLS} WHERE rowid IN (SELECT rowid FROM records WHERE kind = ?1)
                 AND (?2 IS NULL OR collection = ?2)"
            )
        } else {
            // `+kind` keeps SQLite off the kind indexes: a scan of the table.
            format!("{COLS} WHERE (?1 IS NULL OR +kind = ?1) AND (?2 IS NULL OR collection = ?2)")
        };
        let mut stmt = self.conn.prepare_cached(&sql).map_err(StoreError::from)?;
        let rows = stmt
            .query(params![kind.map(Kind::as_str), collection])
            .map_err(StoreError::from)?;
        each_raw(self, rows, f)
    }
}

/// The rows [`Store::for_each_listed`] reads from the `listed` index (the planner
/// might otherwise prefer `(kind, sort_key)` and visit the table for every row):
/// only what a listing row reads (the kind is the one asked for).
pub(in crate::store) const LISTED_ROWS: &str =
    "SELECT id, listed, sort_key FROM records INDEXED BY records_listed
     WHERE kind = ?1 AND listed IS NOT NULL AND (?2 IS NULL OR collection = ?2)
     ORDER BY sort_key, id";

/// [`LISTED_ROWS`] without the sort key, when no row read whole is to be merged
/// in (most listings: the key is then not read at all).
pub(in crate::store) const LISTED_ROWS_UNKEYED: &str =
    "SELECT id, listed FROM records INDEXED BY records_listed
     WHERE kind = ?1 AND listed IS NOT NULL AND (?2 IS NULL OR collection = ?2)
     ORDER BY sort_key, id";

/// The rows [`Store::for_each_listed`] reads whole (few: repeating tasks).
pub(in crate::store) const UNLISTED_ROWS: &str =
    "SELECT id, kind, collection, data, sort_key FROM records INDEXED BY records_unlisted
     WHERE kind = ?1 AND listed IS NULL AND kind <> 'event' AND (?2 IS NULL OR collection = ?2)
     ORDER BY sort_key, id";

impl Store {
    /// Every task, contact or note of `kind` (of `collection` if given) in listing
    /// order, (`sort_key`, `id`), each borrowed for the length of one call, its `data`
    /// what a listing row reads (see [`crate::model::listed`]): the few properties
    /// kept in an index in this order, or the whole body for a record without them
    /// (a repeating task). No body is read from the table for the others. A row
    /// read from its listing copy has an empty `collection` (no row shows it) and
    /// its `sort_key` only when rows read whole are merged in.
    pub fn for_each_listed<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        f: impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        debug_assert!(crate::model::listed::listed_properties(kind).is_some());
        // Two statements: one snapshot, or a record whose copy another process drops
        // or writes in between would be listed twice or not at all.
        self.in_one_snapshot(|| self.each_listed(kind, collection, f))
    }

    fn each_listed<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        mut f: impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let args = params![kind.as_str(), collection];
        // Two streams in the same order, merged; the head of the rows read whole is
        // copied out (one at a time, however many there are), so that every row is
        // read from SQLite once.
        let mut whole_stmt = self
            .conn
            .prepare_cached(UNLISTED_ROWS)
            .map_err(StoreError::from)?;
        let mut whole = whole_stmt.query(args).map_err(StoreError::from)?;
        let mut head = self.next_whole(&mut whole)?;
        let mut stmt = self
            .conn
            .prepare_cached(match head {
                Some(_) => LISTED_ROWS,
                None => LISTED_ROWS_UNKEYED,
            })
            .map_err(StoreError::from)?;
        let mut rows = stmt.query(args).map_err(StoreError::from)?;
        let kind = kind.as_str();
        rows.advance().map_err(StoreError::from)?;
        while let Some(row) = rows.get() {
            // Each column read costs: the sort key only while rows read whole are
            // left to merge in (most listings have none).
            let read = copy_row(row, kind).map(|mut r| {
                if head.is_some() {
                    r.sort_key = sort_key(row, 2);
                }
                r
            });
            match read {
                Ok(r) => {
                    while let Some(w) = head.as_ref().filter(|w| w.key() < (r.sort_key, r.id)) {
                        f(w.borrow())?;
                        head = self.next_whole(&mut whole)?;
                    }
                    f(r)?
                }
                Err(e) => self.note_unreadable(row, Some(kind), e),
            }
            rows.advance().map_err(StoreError::from)?;
        }
        while let Some(w) = head {
            f(w.borrow())?;
            head = self.next_whole(&mut whole)?;
        }
        Ok(())
    }

    /// The next row of `rows` that reads, copied out; the others are named and
    /// passed over.
    fn next_whole(&self, rows: &mut rusqlite::Rows<'_>) -> Result<Option<OwnedRow>> {
        while let Some(row) = rows.next()? {
            match raw_row(row) {
                Ok(r) => return Ok(Some(OwnedRow::from(r))),
                Err(e) => self.note_unreadable_row(row, e),
            }
        }
        Ok(None)
    }

    /// Name a row that `read` cannot read (not text: a damaged or hostile file): one
    /// such row must not fail a listing.
    fn note_unreadable_row(&self, row: &Row<'_>, e: StoreError) {
        self.note_unreadable(row, None, e)
    }

    /// [`Store::note_unreadable_row`] of a row whose kind is `kind` (not read from
    /// the row when given).
    fn note_unreadable(&self, row: &Row<'_>, kind: Option<&str>, e: StoreError) {
        self.note_undecodable(unreadable(row, kind, e));
    }
}

/// What [`Store::note_unreadable`] notes of `row`.
pub(super) fn unreadable(row: &Row<'_>, kind: Option<&str>, e: StoreError) -> Undecodable {
    let lossy = |i| match row.get_ref(i) {
        Ok(ValueRef::Text(b) | ValueRef::Blob(b)) => String::from_utf8_lossy(b).into_owned(),
        Ok(other) => format!("{other:?}"),
        Err(_) => String::new(),
    };
    Undecodable {
        id: lossy(0),
        what: kind.map_or_else(|| lossy(1), str::to_string),
        reason: match e {
            StoreError::Corrupt { reason, .. } => reason,
            StoreError::Sql(e) => format!("its stored data is not text ({e})"),
            other => other.to_string(),
        },
    }
}

/// A [`RawRecord`] copied out of the database.
#[derive(Default)]
pub(super) struct OwnedRow {
    id: String,
    kind: String,
    collection: String,
    data: String,
    sort_key: String,
}

impl From<RawRecord<'_>> for OwnedRow {
    fn from(r: RawRecord<'_>) -> Self {
        OwnedRow {
            id: r.id.to_string(),
            kind: r.kind.to_string(),
            collection: r.collection.to_string(),
            data: r.data.to_string(),
            sort_key: r.sort_key.to_string(),
        }
    }
}

impl OwnedRow {
    /// A copy of `r`, in the room this one has.
    pub(super) fn fill(&mut self, r: RawRecord<'_>) {
        for (to, from) in [
            (&mut self.id, r.id),
            (&mut self.kind, r.kind),
            (&mut self.collection, r.collection),
            (&mut self.data, r.data),
            (&mut self.sort_key, r.sort_key),
        ] {
            to.clear();
            to.push_str(from);
        }
    }

    /// Where it comes in listing order.
    fn key(&self) -> (&str, &str) {
        (&self.sort_key, &self.id)
    }

    pub(super) fn borrow(&self) -> RawRecord<'_> {
        RawRecord {
            id: &self.id,
            kind: &self.kind,
            collection: &self.collection,
            data: &self.data,
            sort_key: &self.sort_key,
        }
    }
}

/// How a row of a `SELECT id, kind, collection, data, sort_key` is read.
type ReadRow = for<'r, 's> fn(&'r Row<'s>) -> Result<RawRecord<'r>>;

fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str> {
    column_text(row, i, "stored data")
}

/// Column `i` of `row`, which holds the record's `column`, as text; a value that is
/// not (a damaged or hostile file) is named with its column, for the warning.
fn column_text<'r>(row: &'r Row<'_>, i: usize, column: &str) -> Result<&'r str> {
    let not_text = |held: &str| StoreError::Corrupt {
        what: column.to_string(),
        reason: format!("its {column} is not text ({held})"),
    };
    match row.get_ref(i)? {
        ValueRef::Text(b) => std::str::from_utf8(b).map_err(|_| not_text("not UTF-8")),
        ValueRef::Blob(_) => Err(not_text("a blob")),
        ValueRef::Integer(_) | ValueRef::Real(_) => Err(not_text("a number")),
        ValueRef::Null => Err(not_text("NULL")),
    }
}

/// A row of a `SELECT id, kind, collection, data, sort_key`, borrowed.
pub(super) fn raw_row<'r>(row: &'r Row<'_>) -> Result<RawRecord<'r>> {
    Ok(RawRecord {
        id: column_text(row, 0, "id")?,
        kind: column_text(row, 1, "kind")?,
        collection: column_text(row, 2, "collection")?,
        data: column_text(row, 3, "stored data")?,
        sort_key: sort_key(row, 4),
    })
}

/// A row's sort key, which only orders it (pim writes it anew with every change):
/// one that is not text (a damaged or hostile file) reads as its bytes if they are
/// UTF-8, else as empty. The row comes where SQLite orders it; its record is sound.
fn sort_key<'r>(row: &'r Row<'_>, i: usize) -> &'r str {
    match row.get_ref(i) {
        Ok(ValueRef::Text(b) | ValueRef::Blob(b)) => std::str::from_utf8(b).unwrap_or(""),
        _ => "",
    }
}

/// A row of [`LISTED_ROWS`], whose `data` is a listing copy: a copy that is not
/// text (damaged) reads as empty, which does not parse, so the caller reads the
/// record whole. Its collection and sort key are left empty.
fn copy_row<'r>(row: &'r Row<'_>, kind: &'static str) -> Result<RawRecord<'r>> {
    Ok(RawRecord {
        id: text(row, 0)?,
        kind,
        collection: "",
        data: text(row, 1).unwrap_or(""),
        sort_key: "",
    })
}

/// `f` on each row of a `SELECT id, kind, collection, data, sort_key`, borrowed.
/// A row that is not text is passed over and named (see [`Store::note_unreadable_row`]).
fn each_raw<E: From<StoreError>>(
    store: &Store,
    rows: rusqlite::Rows<'_>,
    f: impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    each_readable(store, rows, raw_row, f)
}

/// `f` on each row as `read` reads it (once); a row it cannot read is named and
/// passed over.
fn each_readable<E: From<StoreError>>(
    store: &Store,
    mut rows: rusqlite::Rows<'_>,
    read: ReadRow,
    mut f: impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
) -> std::result::Result<(), E> {
    rows.advance().map_err(StoreError::from)?;
    while let Some(row) = rows.get() {
        match read(row) {
            Ok(r) => f(r)?,
            Err(e) => store.note_unreadable_row(row, e),
        }
        rows.advance().map_err(StoreError::from)?;
    }
    Ok(())
}
