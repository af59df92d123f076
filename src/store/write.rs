//! Edits inside one transaction. Each edit writes its change record beside it.

use rusqlite::{OptionalExtension, Transaction, params};

use super::index::index;
use super::read::{load_record, records_with_uid};
use super::{Hlc, Result, StoreError};

mod collections;
mod damaged;
mod prepared;
use crate::model::fields::diff;
use crate::model::{Change, FieldChange, Kind, MAX_COMPONENT_DEPTH, Op, Record};
pub use prepared::PreparedRow;

pub struct Writer<'a> {
    tx: &'a Transaction<'a>,
    device: &'a str,
    hlc: &'a mut Hlc,
    next_seq: u64,
    now: String,
    /// Change records written so far in this transaction.
    pub changes: Vec<Change>,
    /// The longest non-recurring event span stored (meta `max_event_span`), loaded lazily.
    max_span: std::cell::Cell<Option<i64>>,
    /// The next logged change is a create whose body equals the stored record.
    lazy_next: bool,
    /// A stamp for the changes logged next instead of a fresh one ([`Self::stamp_next`]).
    next_stamp: Option<String>,
    /// The collection [`Self::create_fresh`] last found (one look-up per import, not per
    /// record); forgotten whenever this writer drops a collection.
    found_collection: std::cell::RefCell<Option<String>>,
    /// The buffer [`Self::put_row`] serializes bodies into, kept for the next one.
    body_buffer: std::cell::Cell<String>,
}

impl<'a> Writer<'a> {
    pub(super) fn new(tx: &'a Transaction<'a>, device: &'a str, hlc: &'a mut Hlc) -> Result<Self> {
        let last: u64 = tx.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM changes WHERE device = ?1",
            [device],
            |r| r.get(0),
        )?;
        let now = hlc.clock().now_rfc3339();
        Ok(Writer {
            tx,
            device,
            hlc,
            next_seq: last + 1,
            now,
            changes: Vec::new(),
            max_span: std::cell::Cell::new(None),
            lazy_next: false,
            next_stamp: None,
            found_collection: Default::default(),
            body_buffer: Default::default(),
        })
    }

    /// The device this writer logs changes for.
    pub fn device(&self) -> &str {
        self.device
    }

    /// Forget the collection [`Self::create_fresh`] found (one is being dropped).
    pub(super) fn forget_found_collection(&self) {
        self.found_collection.borrow_mut().take();
    }

    pub(super) fn tx(&self) -> &Transaction<'a> {
        self.tx
    }

    pub fn hlc(&mut self) -> &mut Hlc {
        self.hlc
    }

    /// Set a key of the database's settings inside this transaction (see [`super::Store::meta`]).
    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Stamp the changes logged from now on with `hlc` instead of a fresh stamp
    /// (`None`: fresh stamps again). Sync policy decisions use it to beat only the
    /// value they overrule, never edits made after it.
    pub fn stamp_next(&mut self, hlc: Option<String>) {
        self.next_stamp = hlc;
    }

    /// The time source of this store.
    pub fn clock(&self) -> &super::Clock {
        self.hlc.clock()
    }

    /// Run `f` inside a savepoint: on error everything it wrote is undone and the
    /// transaction goes on (one bad received change must not fail the others).
    pub fn attempt<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.tx.execute_batch("SAVEPOINT attempt")?;
        let (logged, seq) = (self.changes.len(), self.next_seq);
        match f(self) {
            Ok(v) => {
                self.tx.execute_batch("RELEASE attempt")?;
                Ok(v)
            }
            Err(e) => {
                self.tx
                    .execute_batch("ROLLBACK TO attempt; RELEASE attempt")?;
                self.changes.truncate(logged);
                self.next_seq = seq;
                // A collection found inside may be gone with the rest.
                self.forget_found_collection();
                Err(e)
            }
        }
    }

    /// Read a record as this transaction sees it.
    pub fn get(&self, id: &str) -> Result<Option<Record>> {
        load_record(self.tx, id)
    }

    /// Records of `kind` with this UID, as this transaction sees them.
    pub fn by_uid(&self, kind: Kind, uid: &str) -> Result<Vec<Record>> {
        records_with_uid(self.tx, kind, uid)
    }

    /// Whether any record of `kind` is stored, as this transaction sees it.
    pub fn has_records_of(&self, kind: Kind) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM records WHERE kind = ?1)",
            [kind.as_str()],
            |r| r.get(0),
        )?)
    }

    /// Add a new record.
    pub fn create(&mut self, r: &Record) -> Result<Change> {
        self.collection(&r.collection)?;
        self.put_row(r)?;
        self.lazy_next = true;
        self.log(
            &r.id,
            r.kind.as_str(),
            Op::Create {
                collection: r.collection.clone(),
                body: r.body.clone(),
            },
        )
    }

    /// Store `r` over the existing record with its id; logs the changed fields.
    /// Returns `None` when nothing changed.
    pub fn update(&mut self, r: &Record) -> Result<Option<Change>> {
        let old = self
            .get(&r.id)?
            .ok_or_else(|| StoreError::NoRecord(r.id.clone()))?;
        let mut moved = None;
        if old.collection != r.collection {
            moved = self.move_record(&r.id, &r.collection)?;
        }
        let fields: Vec<FieldChange> = diff(&old.body, &r.body)
            .into_iter()
            .map(|(key, base, new)| FieldChange { key, base, new })
            .collect();
        if fields.is_empty() {
            return Ok(moved);
        }
        self.put_row(r)?;
        self.log(&r.id, r.kind.as_str(), Op::Update { fields })
            .map(Some)
    }

    /// Write the fields `edited` changes relative to `base` (the record as the caller
    /// read it, maybe before this transaction) onto the record as stored now: a field
    /// the caller did not change keeps whatever is stored, so an edit made meanwhile
    /// survives. Returns `None` when nothing changed.
    pub fn update_from(&mut self, base: &Record, edited: &Record) -> Result<Option<Change>> {
        let mut now = self
            .get(&edited.id)?
            .ok_or_else(|| StoreError::NoRecord(edited.id.clone()))?;
        for (key, _, new) in diff(&base.body, &edited.body) {
            now.body.set_field(&key, new.as_ref());
        }
        if base.collection != edited.collection {
            now.collection = edited.collection.clone();
        }
        self.update(&now)
    }

    /// Bring back a record a sync merge had deleted, keeping its fields: logged as
    /// an update that changes no field (it only says "this record exists").
    pub fn revive(&mut self, r: &Record) -> Result<Change> {
        self.collection(&r.collection)?;
        self.put_row(r)?;
        self.log(&r.id, r.kind.as_str(), Op::Update { fields: Vec::new() })
    }

    /// Like [`Writer::get`], but a record whose body cannot be decoded comes back
    /// with an empty body (deleting it is how the user removes it).
    pub fn get_or_shell(&self, id: &str) -> Result<Option<Record>> {
        super::read::load_record_or_shell(self.tx, id)
    }

    pub fn delete(&mut self, id: &str) -> Result<Change> {
        let old = self
            .get_or_shell(id)?
            .ok_or_else(|| StoreError::NoRecord(id.to_string()))?;
        self.delete_row(id)?;
        self.log(
            id,
            old.kind.as_str(),
            Op::Delete {
                collection: old.collection,
                base: old.body,
            },
        )
    }

    pub fn move_record(&mut self, id: &str, to: &str) -> Result<Option<Change>> {
        let old = self
            .get(id)?
            .ok_or_else(|| StoreError::NoRecord(id.to_string()))?;
        if old.collection == to {
            return Ok(None);
        }
        let target = self.collection(to)?;
        if target.kind != old.kind {
            return Err(StoreError::NoCollection {
                kind: old.kind.collection_word().into(),
                name: target.name,
            });
        }
        self.materialize(id)?;
        self.tx.execute(
            "UPDATE records SET collection = ?2 WHERE id = ?1",
            params![id, to],
        )?;
        self.log(
            id,
            old.kind.as_str(),
            Op::Move {
                from: old.collection,
                to: to.to_string(),
            },
        )
        .map(Some)
    }

    /// Insert or replace a record row and its index entries, without logging.
    pub fn put_row(&self, r: &Record) -> Result<()> {
        self.insert_record(r, false)
    }

    /// [`Self::put_row`]; `fresh`: no row holds this id (skip looking for one).
    fn insert_record(&self, r: &Record, fresh: bool) -> Result<()> {
        // Deeper JSON would not read back (serde_json's recursion limit): refuse it here.
        let depth = r.body.depth();
        if depth > MAX_COMPONENT_DEPTH {
            return Err(StoreError::TooDeep {
                id: r.id.clone(),
                depth,
                max: MAX_COMPONENT_DEPTH,
            });
        }
        // Into a buffer kept between records: a body's JSON grows to kilobytes.
        let mut data = self.body_buffer.take();
        data.clear();
        crate::model::stored_json::write_body(&r.body, &mut data);
        let row = PreparedRow {
            data,
            columns: index(r),
            listed: super::index::listed(r),
        };
        let out = self.insert_record_row(r, &row, fresh);
        self.body_buffer.set(row.data);
        out
    }

    /// Write `row`, the row of `r` (not nested too deep), and its index entries.
    fn insert_record_row(&self, r: &Record, row: &PreparedRow, fresh: bool) -> Result<()> {
        let (data, ix, listed) = (&row.data, &row.columns, &row.listed);
        if !ix.recurring
            && let (Some(s), Some(e)) = (ix.start_ts, ix.end_ts)
        {
            self.note_span(e - s)?;
        }
        let existing: Option<i64> = match fresh {
            true => None,
            false => self
                .tx
                .prepare_cached("SELECT rowid FROM records WHERE id = ?1")?
                .query_row([&r.id], |x| x.get(0))
                .optional()?,
        };
        let rowid = match existing {
            Some(rowid) => {
                self.materialize(&r.id)?;
                self.tx.execute(
                    "UPDATE records SET kind = ?2, collection = ?3, uid = ?4, data = ?5,
                        start_ts = ?6, end_ts = ?7, recurring = ?8, sort_key = ?9, listed = ?10
                     WHERE rowid = ?1",
                    params![
                        rowid,
                        r.kind.as_str(),
                        r.collection,
                        stored_uid(r),
                        data,
                        ix.start_ts,
                        ix.end_ts,
                        ix.recurring,
                        ix.sort_key,
                        listed
                    ],
                )?;
                // A copy the same as before was dropped with the old body (the
                // `records_listed_stale` trigger cannot tell it was set): set it again.
                if listed.is_some() {
                    self.tx
                        .prepare_cached(
                            "UPDATE records SET listed = ?2 WHERE rowid = ?1 AND listed IS NULL",
                        )?
                        .execute(params![rowid, listed])?;
                }
                self.tx
                    .execute("DELETE FROM records_fts WHERE rowid = ?1", [rowid])?;
                rowid
            }
            None => {
                let mut stmt = self.tx.prepare_cached(
                    "INSERT INTO records (id, kind, collection, uid, data, start_ts, end_ts,
                        recurring, sort_key, listed)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )?;
                stmt.execute(params![
                    r.id,
                    r.kind.as_str(),
                    r.collection,
                    stored_uid(r),
                    data,
                    ix.start_ts,
                    ix.end_ts,
                    ix.recurring,
                    ix.sort_key,
                    listed
                ])?;
                self.tx.last_insert_rowid()
            }
        };
        self.tx
            .prepare_cached("INSERT INTO records_fts (rowid, text) VALUES (?1, ?2)")?
            .execute(params![rowid, ix.text])?;
        Ok(())
    }

    /// Remember the longest single-event span, so window queries can bound their scan.
    fn note_span(&self, span: i64) -> Result<()> {
        let known = match self.max_span.get() {
            Some(v) => v,
            None => self
                .tx
                .query_row(
                    "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'max_event_span'",
                    [],
                    |r| r.get(0),
                )
                .optional()?
                .unwrap_or(0),
        };
        if span > known {
            self.tx.execute(
                "INSERT INTO meta (key, value) VALUES ('max_event_span', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [span.to_string()],
            )?;
        }
        self.max_span.set(Some(span.max(known)));
        Ok(())
    }

    /// Remove a record row and its index entries, without logging.
    pub fn delete_row(&self, id: &str) -> Result<()> {
        let rowid: Option<i64> = self
            .tx
            .query_row("SELECT rowid FROM records WHERE id = ?1", [id], |x| {
                x.get(0)
            })
            .optional()?;
        if let Some(rowid) = rowid {
            self.materialize(id)?;
            self.tx
                .execute("DELETE FROM records_fts WHERE rowid = ?1", [rowid])?;
            self.tx
                .execute("DELETE FROM records WHERE rowid = ?1", [rowid])?;
        }
        Ok(())
    }

    /// Log a change whose effect is already in the stored record (sync publishing
    /// edits a collection with sync off kept back).
    pub fn log_change(&mut self, record_id: &str, kind: &str, op: Op) -> Result<Change> {
        self.log(record_id, kind, op)
    }

    /// Write a local change record for an edit just made.
    fn log(&mut self, record_id: &str, kind: &str, op: Op) -> Result<Change> {
        let (seq, hlc) = self.stamp_change();
        let change = Change {
            device: self.device.to_string(),
            seq,
            change_id: change_id(self.device, seq),
            hlc,
            changed_at: self.now.clone(),
            submitted_at: String::new(),
            record_id: record_id.to_string(),
            kind: kind.to_string(),
            op,
            attachments: Vec::new(),
        };
        if std::mem::take(&mut self.lazy_next) {
            self.insert_lazy_create(&change)?;
        } else {
            self.insert_change(&change)?;
        }
        self.changes.push(change.clone());
        Ok(change)
    }

    /// The sequence number and stamp of the change logged next.
    fn stamp_change(&mut self) -> (u64, String) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let hlc = match &self.next_stamp {
            Some(h) => h.clone(),
            None => self.hlc.tick(),
        };
        (seq, hlc)
    }

    /// Attach parked-attachment references to the last change of this transaction.
    pub fn attach_to_last(&mut self, refs: Vec<crate::model::change::AttachmentRef>) -> Result<()> {
        if let Some(last) = self.changes.last_mut() {
            last.attachments.extend(refs);
            let json = serde_json::to_string(&last.attachments).expect("attachment refs serialize");
            self.tx.execute(
                "UPDATE changes SET attachments = ?3 WHERE device = ?1 AND seq = ?2",
                params![last.device, last.seq, json],
            )?;
        }
        Ok(())
    }

    /// A create is stored without its body while the record still holds exactly that
    /// body (most records are never edited: this halves the database). The body is
    /// written into the change before the record first changes ([`Self::materialize`]),
    /// and readers fill it in meanwhile ([`super::read::decode_op`]).
    fn insert_lazy_create(&self, c: &Change) -> Result<()> {
        let Op::Create { collection, .. } = &c.op else {
            return self.insert_change(c);
        };
        self.insert_row(c, &lazy_create_op(collection), "[]")
    }

    /// Before a record's stored body changes: give its lazy create change the body.
    fn materialize(&self, id: &str) -> Result<()> {
        let lazy: Option<(String, i64, String)> = self
            .tx
            .prepare_cached(
                "SELECT device, seq, op FROM changes WHERE record_id = ?1
                 AND op LIKE '%\"lazy\":true%' AND op NOT LIKE '%\"body\"%' LIMIT 1",
            )?
            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()?;
        let Some((device, seq, op)) = lazy else {
            return Ok(());
        };
        let data: String = self
            .tx
            .prepare_cached("SELECT data FROM records WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let full = super::read::fill_lazy(&op, &data).map_err(|reason| StoreError::Corrupt {
            what: format!("change {device}-{seq}"),
            reason: reason.to_string(),
        })?;
        self.tx
            .prepare_cached("UPDATE changes SET op = ?3 WHERE device = ?1 AND seq = ?2")?
            .execute(params![device, seq, full])?;
        Ok(())
    }

    /// Insert a change record as is (a local one, or one received by sync).
    pub fn insert_change(&self, c: &Change) -> Result<()> {
        let op = serde_json::to_string(&c.op).expect("ops serialize");
        let att = serde_json::to_string(&c.attachments).expect("attachment refs serialize");
        self.insert_row(c, &op, &att)
    }

    fn insert_row(&self, c: &Change, op: &str, attachments: &str) -> Result<()> {
        self.tx.prepare_cached(INSERT_CHANGE)?.execute(params![
            c.device,
            c.seq,
            c.change_id,
            c.hlc,
            c.changed_at,
            c.submitted_at,
            c.record_id,
            c.kind,
            op,
            attachments
        ])?;
        Ok(())
    }
}

/// `device-seq`, the change's id.
fn change_id(device: &str, seq: u64) -> String {
    use std::fmt::Write as _;
    let mut id = String::with_capacity(device.len() + 21);
    id.push_str(device);
    id.push('-');
    write!(id, "{seq}").expect("writing to a String");
    id
}

/// The op of a create logged without its body (see [`Writer::insert_lazy_create`]):
/// `{"collection":…,"lazy":true,"type":"create"}`, written directly (one per record
/// of an import).
fn lazy_create_op(collection: &str) -> String {
    let mut op = String::with_capacity(collection.len() + 48);
    op.push_str("{\"collection\":");
    crate::model::stored_json::write_str(collection, &mut op);
    op.push_str(",\"lazy\":true,\"type\":\"create\"}");
    op
}

const INSERT_CHANGE: &str = "INSERT OR IGNORE INTO changes (device, seq, change_id, hlc,
    changed_at, submitted_at, record_id, kind, op, attachments)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";

/// The UID column: NULL when the UID is the record id (the usual case), to keep the
/// table and its index small.
fn stored_uid(r: &Record) -> Option<&str> {
    r.uid().filter(|u| *u != r.id)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_lazy_create_op_is_the_json_it_always_was() {
        for collection in ["events", "a \"quoted\" \\ name\n", "ünï"] {
            let json =
                serde_json::json!({"type": "create", "collection": collection, "lazy": true});
            assert_eq!(super::lazy_create_op(collection), json.to_string());
        }
    }
}
