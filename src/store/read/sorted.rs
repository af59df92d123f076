//! Record rows in listing order, (`sort_key`, `id`), for a caller that writes each
//! row as it comes (the JSON export): read in the order of the `(kind, sort_key)`
//! index, the rows of a shared sort key put in id order here.

use rusqlite::Row;
use rusqlite::fallible_streaming_iterator::FallibleStreamingIterator as _;
use rusqlite::params;
use rusqlite::types::ValueRef;

use super::Undecodable;
use super::raw::{OwnedRow, RawRecord, raw_row, unreadable};
use crate::model::Kind;
use crate::store::{Store, StoreError};

/// The rows of [`Store::for_each_raw_sorted`], in the order of the `(kind,
/// sort_key)` index. Not `INDEXED BY` it: the planner takes it for this order
/// (`sorted_rows_are_read_through_the_sort_index`), and a profile without it
/// (dropped by another program) is still read, sorted.
pub(in crate::store) const SORTED_ROWS: &str =
    "SELECT id, kind, collection, data, sort_key FROM records
     WHERE kind = ?1 AND (?2 IS NULL OR collection = ?2) ORDER BY sort_key";

impl Store {
    /// Every record of `kind` (of `collection` if given) in the order of every
    /// listing, (`sort_key`, `id`), each row handed to `f` for the length of one
    /// call: for a caller that writes each row as it comes and keeps none (the JSON
    /// export, whose memory then stays flat whatever the size of the profile; reading
    /// in this order costs a lookup in the table per row, see
    /// [`Store::for_each_raw_unordered`]). The rows come in the order of the
    /// `(kind, sort_key)` index, each held (copied) until the next shows whether its
    /// sort key is shared; rows of a shared key are put in id order here. SQLite's
    /// own `ORDER BY sort_key, id` passes every row through a sorter for the ids, and
    /// finding the shared keys first from the index costs as much again. A row that
    /// cannot be read is named where that order puts it, among the rows handed over.
    pub fn for_each_raw_sorted<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        mut f: impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        let mut stmt = self
            .conn
            .prepare_cached(SORTED_ROWS)
            .map_err(StoreError::from)?;
        let mut rows = stmt
            .query(params![kind.as_str(), collection])
            .map_err(StoreError::from)?;
        // The rows of the last sort key read (one, unless it is shared), and spare
        // copies to fill again (no allocation per row).
        let mut run: Vec<Held> = Vec::new();
        let mut spare: Vec<OwnedRow> = Vec::new();
        rows.advance().map_err(StoreError::from)?;
        while let Some(row) = rows.get() {
            let held = match raw_row(row) {
                Ok(r) => {
                    let mut copy = spare.pop().unwrap_or_default();
                    copy.fill(r);
                    Held::Row(copy)
                }
                Err(e) => Held::Unreadable {
                    sort_key: OwnedKey::of(row, 4),
                    id: OwnedKey::of(row, 0),
                    note: unreadable(row, None, e),
                },
            };
            if run.first().is_some_and(|h| h.sort_key() != held.sort_key()) {
                self.hand_over(&mut run, &mut spare, &mut f)?;
            }
            run.push(held);
            rows.advance().map_err(StoreError::from)?;
        }
        self.hand_over(&mut run, &mut spare, &mut f)
    }

    /// The rows of one sort key to `f` (those that cannot be read named), in id
    /// order; their copies back to `spare`.
    fn hand_over<E>(
        &self,
        run: &mut Vec<Held>,
        spare: &mut Vec<OwnedRow>,
        f: &mut impl FnMut(RawRecord<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        if run.len() > 1 {
            run.sort_unstable_by(|a, b| a.id().cmp(&b.id()));
        }
        for held in run.drain(..) {
            match held {
                Held::Row(row) => {
                    f(row.borrow())?;
                    spare.push(row);
                }
                Held::Unreadable { note, .. } => self.note_undecodable(note),
            }
        }
        Ok(())
    }
}

/// A row held until its sort key's run ends.
enum Held {
    Row(OwnedRow),
    /// A row that cannot be read: what orders it, and what is noted of it.
    Unreadable {
        sort_key: OwnedKey,
        id: OwnedKey,
        note: Undecodable,
    },
}

/// A column's value as SQLite orders it: by storage class (NULL, numbers, text,
/// blob), then bytewise (BINARY collation). Numbers (not in a row pim wrote: the
/// columns are TEXT) are compared by their text, near enough for a damaged row.
type Key<'k> = (u8, &'k [u8]);

const TEXT: u8 = 2;

impl Held {
    fn sort_key(&self) -> Key<'_> {
        match self {
            Held::Row(r) => (TEXT, r.borrow().sort_key.as_bytes()),
            Held::Unreadable { sort_key, .. } => sort_key.key(),
        }
    }

    fn id(&self) -> Key<'_> {
        match self {
            Held::Row(r) => (TEXT, r.borrow().id.as_bytes()),
            Held::Unreadable { id, .. } => id.key(),
        }
    }
}

/// A [`Key`] copied out of a row.
struct OwnedKey(u8, Vec<u8>);

impl OwnedKey {
    fn of(row: &Row<'_>, i: usize) -> OwnedKey {
        match row.get_ref(i) {
            Ok(ValueRef::Text(b)) => OwnedKey(TEXT, b.to_vec()),
            Ok(ValueRef::Blob(b)) => OwnedKey(3, b.to_vec()),
            Ok(ValueRef::Integer(n)) => OwnedKey(1, n.to_string().into_bytes()),
            Ok(ValueRef::Real(x)) => OwnedKey(1, x.to_string().into_bytes()),
            Ok(ValueRef::Null) | Err(_) => OwnedKey(0, Vec::new()),
        }
    }

    fn key(&self) -> Key<'_> {
        (self.0, &self.1)
    }
}
