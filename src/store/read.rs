//! Queries.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Result, Store, StoreError};
use crate::model::{Body, Collection, Kind, Record};

mod changes;
mod damaged;
mod listing;
mod raw;
mod search;
mod sorted;
pub use changes::LogFilter;
pub(crate) use changes::{decode_op, fill_lazy};
pub(super) use damaged::{damaged_id_row, kind_read, unknown_kind};
use raw::with_stored_ref;
pub use raw::{RawRecord, StoredRef};
#[cfg(test)]
pub(super) use sorted::SORTED_ROWS;

/// A collection row, read leniently: every reader reads them (listings name their
/// records' collections), so a row another program damaged (a blob where text
/// belongs, a flag that is not a number) must not stop them. Text is read as its
/// bytes; a sync flag that is not a number reads as on (the default).
pub(super) fn row_collection(r: &Row<'_>) -> rusqlite::Result<Collection> {
    let optional = |i: usize| -> rusqlite::Result<Option<String>> {
        Ok(match r.get_ref(i)? {
            ValueRef::Null => None,
            _ => Some(lossy_text(r, i)?),
        })
    };
    Ok(Collection {
        id: lossy_text(r, 0)?,
        kind: Kind::parse(&lossy_text(r, 1)?).unwrap_or(Kind::Note),
        name: lossy_text(r, 2)?,
        color: optional(3)?,
        sync: match r.get_ref(4)? {
            ValueRef::Integer(n) => n != 0,
            _ => true,
        },
        default_alarms: optional(5)?,
    })
}

pub(super) const RECORD_COLS: &str = "id, kind, collection, data";

/// The recurring events a window may hold, found through the span index.
pub(super) const RECURRING_IN_WINDOW: &str = "SELECT id, kind, collection, data
     FROM records
     WHERE kind = 'event' AND recurring = 1 AND start_ts < ?1
       AND (end_ts IS NULL OR end_ts >= ?2) AND (?3 IS NULL OR collection = ?3)";

fn row_record(r: &Row<'_>) -> rusqlite::Result<std::result::Result<Record, StoreError>> {
    let id: String = r.get(0)?;
    // Bytes that spell a kind read as it (by id only: see `damaged::unknown_kind`).
    let kind = lossy_text(r, 1)?;
    let collection: String = r.get(2)?;
    let data: String = r.get(3)?;
    Ok(decode(id, &kind, collection, &data))
}

/// A record row as stored: its body still JSON text.
pub struct StoredRecord {
    pub id: String,
    pub kind: String,
    pub collection: String,
    pub data: String,
}

impl StoredRecord {
    pub fn decode(self) -> Result<Record> {
        decode(self.id, &self.kind, self.collection, &self.data)
    }

    /// Decode, or describe the row for the caller to skip and report
    /// ([`Store::note_undecodable`]).
    pub fn decode_or_skip(self) -> std::result::Result<Record, Undecodable> {
        let StoredRecord {
            id,
            kind: what,
            collection,
            data,
        } = self;
        let Some(kind) = Kind::parse(&what) else {
            let reason = format!("its kind {what:?} is not one pim knows");
            return Err(Undecodable { id, what, reason });
        };
        if data == NOT_TEXT {
            let reason = "its stored body is not text".to_string();
            return Err(Undecodable { id, what, reason });
        }
        match crate::model::borrowed::read_body(&data) {
            Ok(body) => Ok(Record {
                id,
                kind,
                collection,
                body,
            }),
            Err(e) => Err(Undecodable {
                id,
                what,
                reason: e.to_string(),
            }),
        }
    }
}

pub(super) fn stored_row(r: &Row<'_>) -> rusqlite::Result<StoredRecord> {
    Ok(StoredRecord {
        id: lossy_text(r, 0)?,
        kind: lossy_text(r, 1)?,
        collection: lossy_text(r, 2)?,
        data: match r.get_ref(3)? {
            ValueRef::Text(b) => match std::str::from_utf8(b) {
                Ok(s) => s.to_string(),
                Err(_) => NOT_TEXT.to_string(),
            },
            _ => NOT_TEXT.to_string(),
        },
    })
}

/// What a row's body reads as when it is not text (a damaged or hostile file): no
/// JSON starts with it, so [`decode`] names the row instead of a whole command
/// failing on one row.
pub(super) const NOT_TEXT: &str = "\0";

/// The kind and body of a stored row, the body read by `read` (decoded, or in
/// place), or why the row cannot be read.
pub(super) fn read_stored<'d, B>(
    kind: &str,
    data: &'d str,
    read: impl FnOnce(&'d str) -> std::result::Result<B, serde_json::Error>,
) -> std::result::Result<(Kind, B), String> {
    if data == NOT_TEXT {
        return Err("its stored body is not text".into());
    }
    let kind =
        Kind::parse(kind).ok_or_else(|| format!("its kind {kind:?} is not one pim knows"))?;
    let body = read(data).map_err(|e| e.to_string())?;
    Ok((kind, body))
}

/// A column as text, to name a row by (a damaged one too).
fn lossy_text(r: &Row<'_>, i: usize) -> rusqlite::Result<String> {
    Ok(match r.get_ref(i)? {
        // Valid text (every row pim wrote) copied as it is: the lossy reading
        // costs ~5x more per short string, on every row a listing reads.
        ValueRef::Text(b) | ValueRef::Blob(b) => match std::str::from_utf8(b) {
            Ok(s) => s.to_owned(),
            Err(_) => String::from_utf8_lossy(b).into_owned(),
        },
        other => format!("{other:?}"),
    })
}

pub(super) fn decode(id: String, kind: &str, collection: String, data: &str) -> Result<Record> {
    let (kind, body): (Kind, Body) = read_stored(kind, data, crate::model::borrowed::read_body)
        .map_err(|reason| StoreError::Corrupt {
            what: id.clone(),
            reason,
        })?;
    Ok(Record {
        id,
        kind,
        collection,
        body,
    })
}

/// Records of kind ?2 whose UID is ?1 (or, without a UID, whose id is). `+kind`
/// keeps SQLite off the kind indexes: with them it scanned every record of the kind
/// per lookup (an import of 100 000 events made 5·10⁹ row visits); without, it unions
/// the UID and id indexes (see the test `uid_lookups_use_the_indexes`).
pub(super) const WITH_UID: &str = "+kind = ?2 AND (uid = ?1 OR (uid IS NULL AND id = ?1))";

pub(super) fn records_with_uid(conn: &Connection, kind: Kind, uid: &str) -> Result<Vec<Record>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RECORD_COLS} FROM records WHERE {WITH_UID}"
    ))?;
    let rows = stmt.query_map(params![uid, kind.as_str()], row_record)?;
    rows.map(|r| r?).collect()
}

pub(super) fn load_record(conn: &Connection, id: &str) -> Result<Option<Record>> {
    let row = conn
        .prepare_cached(&format!("SELECT {RECORD_COLS} FROM records WHERE id = ?1"))?
        .query_row([id], row_record)
        .optional()?;
    row.transpose()
}

/// The record, or — when its body cannot be decoded — a shell with its kind,
/// collection and an empty body, so that an undecodable record can still be deleted.
pub(super) fn load_record_or_shell(conn: &Connection, id: &str) -> Result<Option<Record>> {
    match load_record(conn, id) {
        // A body that is not JSON, or not text at all (a damaged file).
        Err(
            StoreError::Corrupt { .. }
            | StoreError::Sql(
                rusqlite::Error::InvalidColumnType(..)
                | rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::Utf8Error(..),
            ),
        ) => {
            // Read as they come: a collection that is not text (a blob another
            // program wrote) must not stop the delete it is read for, nor lose a
            // sound body (the delete's base).
            let row = conn
                .prepare_cached(&format!("SELECT {RECORD_COLS} FROM records WHERE id = ?1"))?
                .query_row([id], stored_row)?;
            let (id, kind, collection) = (row.id.clone(), row.kind.clone(), row.collection.clone());
            if let Ok(record) = row.decode() {
                return Ok(Some(record));
            }
            let kind = Kind::parse(&kind).ok_or_else(|| StoreError::Corrupt {
                what: id.clone(),
                reason: format!("its kind {kind:?} is not one pim knows"),
            })?;
            let mut shell = Record::new(kind, &collection);
            shell.id = id;
            Ok(Some(shell))
        }
        other => other,
    }
}

/// A stored record or change that could not be decoded (corrupt JSON, nested past
/// serde's limit, written by an incompatible pim): readers that walk many rows skip
/// it and note it here, so that one bad row never stops the others.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Undecodable {
    /// The record id (for a change: the id of the record it changes).
    pub id: String,
    /// `event`, `contact`, ... or `change <change id>`.
    pub what: String,
    pub reason: String,
}

impl std::fmt::Display for Undecodable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "skipped undecodable {} {}: {} (remove the record with `pim delete {}`)",
            self.what, self.id, self.reason, self.id
        )
    }
}

impl Store {
    /// The rows skipped since the last call, once each (front-ends print them).
    pub fn take_undecodable(&self) -> Vec<Undecodable> {
        let mut all = std::mem::take(&mut *self.skipped.borrow_mut());
        let mut seen = std::collections::HashSet::new();
        all.retain(|u| seen.insert(u.clone()));
        all
    }

    /// Note a row skipped elsewhere (a received change that could not be applied).
    pub fn note_undecodable(&self, skipped: Undecodable) {
        // Bounded: a profile full of broken rows must not grow this without end.
        let mut all = self.skipped.borrow_mut();
        if all.len() < 1000 {
            all.push(skipped);
        }
    }

    /// Keep `decoded`, or note why it could not be decoded and drop it.
    pub(super) fn keep_decodable<T>(
        &self,
        id: &str,
        what: &str,
        decoded: Result<T>,
    ) -> Result<Option<T>> {
        match decoded {
            Ok(v) => Ok(Some(v)),
            Err(StoreError::Corrupt { reason, .. }) => {
                self.note_undecodable(Undecodable {
                    id: id.to_string(),
                    what: what.to_string(),
                    reason,
                });
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Decoded rows; undecodable ones are skipped and noted.
    pub(super) fn collect(
        &self,
        rows: impl Iterator<Item = rusqlite::Result<StoredRecord>>,
    ) -> Result<Vec<Record>> {
        let mut out = Vec::new();
        for row in rows {
            let row = row?;
            let (id, kind) = (row.id.clone(), row.kind.clone());
            out.extend(self.keep_decodable(&id, &kind, row.decode())?);
        }
        Ok(out)
    }
}

impl Store {
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        load_record(&self.conn, id)
    }

    /// The record, or a "no record" error.
    pub fn require(&self, id: &str) -> Result<Record> {
        self.get(id)?
            .ok_or_else(|| StoreError::NoRecord(id.to_string()))
    }

    /// Every record of `kind` (in `collection` if given), ordered by title.
    pub fn list(&self, kind: Kind, collection: Option<&str>) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = ?1 AND (?2 IS NULL OR collection = ?2)
             ORDER BY sort_key, id"
        ))?;
        self.collect(stmt.query_map(params![kind.as_str(), collection], stored_row)?)
    }

    /// Like [`Store::list`], one record at a time, with its stored body text (the
    /// JSON of `record.body`): long exports never hold every record at once.
    pub fn for_each<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        mut f: impl FnMut(Record, &str) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records WHERE kind = ?1 AND (?2 IS NULL OR collection = ?2)
                 ORDER BY sort_key, id"
            ))
            .map_err(StoreError::from)?;
        let mut rows = stmt
            .query(params![kind.as_str(), collection])
            .map_err(StoreError::from)?;
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let id: String = row.get(0).map_err(StoreError::from)?;
            let kind: &str = row
                .get_ref(1)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(StoreError::from)?;
            let kind = kind.to_string();
            let collection: String = row.get(2).map_err(StoreError::from)?;
            let data: &str = row
                .get_ref(3)
                .and_then(|v| Ok(v.as_str()?))
                .map_err(StoreError::from)?;
            let decoded = decode(id.clone(), &kind, collection, data);
            if let Some(record) = self.keep_decodable(&id, &kind, decoded)? {
                f(record, data)?;
            }
        }
        Ok(())
    }

    /// Like [`Store::for_each`] without decoding: the rows as stored, in the same
    /// order, for a caller that decodes them on several threads.
    pub fn for_each_stored<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        mut f: impl FnMut(StoredRecord) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records WHERE kind = ?1 AND (?2 IS NULL OR collection = ?2)
                 ORDER BY sort_key, id"
            ))
            .map_err(StoreError::from)?;
        let rows = stmt
            .query_map(params![kind.as_str(), collection], stored_row)
            .map_err(StoreError::from)?;
        for row in rows {
            f(row.map_err(StoreError::from)?)?;
        }
        Ok(())
    }

    /// Whether a record with this id exists (readable or not).
    pub fn contains(&self, id: &str) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?)
    }

    /// Whether a row whose id is not text (another program wrote a blob there), or
    /// not UTF-8, reads as `id`: the id its warning names, which `pim delete` then
    /// takes ([`damaged_id_row`]).
    pub fn holds_damaged_id(&self, id: &str) -> Result<bool> {
        Ok(damaged_id_row(&self.conn, id)?.is_some())
    }

    /// Whether the store holds no record at all.
    pub fn is_empty(&self) -> Result<bool> {
        let any: bool = self
            .conn
            .query_row("SELECT EXISTS (SELECT 1 FROM records)", [], |r| r.get(0))?;
        Ok(!any)
    }

    /// Up to `limit` record ids starting with `prefix`.
    pub fn ids_with_prefix(&self, prefix: &str, limit: usize) -> Result<Vec<String>> {
        // Text ids only: `LIKE` reads a blob id (another program's) as text too, and
        // such a row answers to its whole id alone ([`Store::holds_damaged_id`]).
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM records WHERE typeof(id) = 'text' AND id LIKE ?1 || '%'
                 LIMIT ?2",
            )?
            .query_map(params![prefix, limit as i64], |r| lossy_text(r, 0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Records of `kind` with this UID.
    pub fn by_uid(&self, kind: Kind, uid: &str) -> Result<Vec<Record>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE {WITH_UID}"
        ))?;
        self.collect(stmt.query_map(params![uid, kind.as_str()], stored_row)?)
    }

    /// Events that may have an occurrence overlapping [from, to) (unix seconds):
    /// a superset, to be expanded and filtered by `recur`.
    pub fn events_between(
        &self,
        from: i64,
        to: i64,
        collection: Option<&str>,
    ) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let rows = self.events_between_rows(from, to, collection)?;
        self.collect(rows.into_iter().map(Ok))
    }

    /// [`Store::events_between`] without decoding the bodies, so that a caller can
    /// decode them on several threads.
    pub fn events_between_rows(
        &self,
        from: i64,
        to: i64,
        collection: Option<&str>,
    ) -> Result<Vec<StoredRecord>> {
        self.note_kindless_rows()?;
        let mut out = Vec::new();
        self.for_each_event_between(from, to, collection, |row| {
            out.push(row);
            Ok::<(), StoreError>(())
        })?;
        Ok(out)
    }

    /// [`Store::events_between_rows`] a row at a time, as SQLite reads them: a
    /// caller can hand rows to other threads while the rest are read.
    pub fn for_each_event_between<E: From<StoreError>>(
        &self,
        from: i64,
        to: i64,
        collection: Option<&str>,
        mut f: impl FnMut(StoredRecord) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        self.for_each_event_between_ref(from, to, collection, |row| f(row.to_owned()))
    }

    /// [`Store::for_each_event_between`] with each row borrowed for the call.
    pub fn for_each_event_between_ref<E: From<StoreError>>(
        &self,
        from: i64,
        to: i64,
        collection: Option<&str>,
        f: impl FnMut(StoredRef<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        self.note_kindless_rows()?;
        // The longest span, the single events, the series: one snapshot, or an
        // event another process changes in between is listed twice or not at all.
        self.in_one_snapshot(|| self.each_event_between(from, to, collection, f))
    }

    fn each_event_between<E: From<StoreError>>(
        &self,
        from: i64,
        to: i64,
        collection: Option<&str>,
        mut f: impl FnMut(StoredRef<'_>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let span = self.max_single_span()?;
        let mut single = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS} FROM records
                 WHERE kind = 'event' AND recurring = 0 AND start_ts >= ?1 AND start_ts < ?2
                   AND end_ts >= ?3 AND (?4 IS NULL OR collection = ?4)"
            ))
            .map_err(StoreError::from)?;
        let mut recurring = self
            .conn
            .prepare_cached(RECURRING_IN_WINDOW)
            .map_err(StoreError::from)?;
        let queries = [
            (&mut single, params![from - span, to, from, collection]),
            (&mut recurring, params![to, from, collection]),
        ];
        for (stmt, args) in queries {
            let mut rows = stmt.query(args).map_err(StoreError::from)?;
            while let Some(row) = rows.next().map_err(StoreError::from)? {
                with_stored_ref(row, &mut f).map_err(StoreError::from)??;
            }
        }
        Ok(())
    }

    /// The longest stored span of a non-recurring event, in seconds.
    fn max_single_span(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT COALESCE((SELECT CAST(value AS INTEGER) FROM meta
                                  WHERE key = 'max_event_span'), 0)",
            )?
            .query_row([], |r| r.get(0))?)
    }

    pub fn collections(&self, kind: Option<Kind>) -> Result<Vec<Collection>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, name, color, sync, default_alarms FROM collections
             WHERE (?1 IS NULL OR kind = ?1) ORDER BY kind, name",
        )?;
        let rows = stmt.query_map([kind.map(Kind::as_str)], row_collection)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn collection_by_name(&self, kind: Kind, name: &str) -> Result<Option<Collection>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, kind, name, color, sync, default_alarms FROM collections WHERE kind = ?1 AND name = ?2",
                params![kind.as_str(), name],
                row_collection,
            )
            .optional()?)
    }

    pub fn collection_by_id(&self, id: &str) -> Result<Option<Collection>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, kind, name, color, sync, default_alarms FROM collections WHERE id = ?1",
                [id],
                row_collection,
            )
            .optional()?)
    }

    /// Number of records of `kind`.
    pub fn count(&self, kind: Kind) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM records WHERE kind = ?1",
            [kind.as_str()],
            |r| r.get(0),
        )?)
    }

    /// [`Store::count`], counting no further than `most`.
    pub fn count_at_most(&self, kind: Kind, most: u64) -> Result<u64> {
        let most = i64::try_from(most).unwrap_or(i64::MAX);
        Ok(self.conn.query_row(
            "SELECT COUNT(*) FROM (SELECT 1 FROM records WHERE kind = ?1 LIMIT ?2)",
            params![kind.as_str(), most],
            |r| r.get(0),
        )?)
    }
}
