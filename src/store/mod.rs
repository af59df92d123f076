//! The local SQLite store: records, collections, the change log and full-text search.
//!
//! Every user-visible edit is one transaction that writes the record and its change
//! record together ([`Store::write`]).
//!
//! Only this module speaks SQL: the connection never leaves it (see [`Db`]), and
//! clippy's `disallowed-types` (clippy.toml) keeps rusqlite's types out of the rest.

#![allow(clippy::disallowed_types)]

mod agenda;
pub mod change_log;
pub mod collection_rows;
mod conflicts;
mod count_bound;
mod db;
mod error;
mod hlc;
mod index;
pub mod invitations;
mod migrate;
mod read;
mod reminder_rows;
mod schema;
mod search_each;
pub mod sync_scope;
pub mod sync_state;
#[cfg(test)]
mod tests;
mod write;

use std::path::Path;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

pub use count_bound::count_end;
pub use db::{Db, Handle};
pub use error::{Result, StoreError};
pub use hlc::{Clock, Hlc};
pub use index::SLACK_SECS;
use migrate::migrate;
pub use read::{LogFilter, RawRecord, StoredRecord, StoredRef, Undecodable};
pub use write::{PreparedRow, Writer};

use crate::model::{Collection, Kind};

/// An open database.
pub struct Store {
    conn: Connection,
    device: String,
    hlc: Hlc,
    /// Rows readers skipped because they could not be decoded, until a front-end
    /// takes them to report ([`Store::take_undecodable`]).
    skipped: std::cell::RefCell<Vec<Undecodable>>,
    /// Whether rows of no known kind were noted yet (`Store::note_kindless_rows`).
    kindless_noted: std::cell::Cell<bool>,
    /// The user's country for phone numbers in search (`030 1234` finds `+49 30 1234`).
    phone_plan: std::cell::Cell<Option<crate::model::phone::PhonePlan>>,
}

impl Store {
    /// Open (creating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        let open_err = |source| StoreError::Open {
            path: path.display().to_string(),
            source,
        };
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(open_err)?;
        // Wait for other writers before anything else: switching a new file to WAL
        // takes a lock too, and six processes may be opening it at once.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        // A non-database file fails here, before anything is written.
        switch_to_wal(&conn).map_err(open_err)?;
        conn.execute_batch(
            "PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
        )
        .map_err(open_err)?;
        Self::from_connection(conn, None, Clock::System)
    }

    /// An in-memory database (tests, benchmarks).
    pub fn open_in_memory() -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        Self::from_connection(conn, None, Clock::System)
    }

    /// An in-memory database with a chosen device id and clock: simulations whose
    /// outcome must not depend on random ids or on how fast they run.
    pub fn open_in_memory_as(device: &str, clock: Clock) -> Result<Store> {
        let conn = Connection::open_in_memory()?;
        conn.execute_batch("PRAGMA foreign_keys = ON;")?;
        Self::from_connection(conn, Some(device), clock)
    }

    fn from_connection(mut conn: Connection, device: Option<&str>, clock: Clock) -> Result<Store> {
        let device = set_up(&mut conn, device)?;
        // The clock's state is kept in meta; an older database falls back to a scan.
        let mut last: Option<String> = conn
            .query_row("SELECT value FROM meta WHERE key = 'hlc_last'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if last.is_none() {
            last = conn
                .query_row("SELECT MAX(hlc) FROM changes", [], |r| r.get(0))
                .optional()?
                .flatten();
        }
        let hlc = Hlc::new(device.clone(), last.as_deref(), clock);
        let mut store = Store {
            conn,
            device,
            hlc,
            skipped: Default::default(),
            kindless_noted: Default::default(),
            phone_plan: Default::default(),
        };
        store.ensure_default_collections()?;
        store.adopt_device_default_alarms()?;
        Ok(store)
    }

    /// Search phone numbers in national and international form for this plan.
    pub fn set_phone_plan(&self, plan: Option<crate::model::phone::PhonePlan>) {
        self.phone_plan.set(plan);
    }

    /// Tune the connection for one short command that reads much and writes little,
    /// jumping about the table (a search, the agenda, every record of a kind in
    /// listing order): pages are read through a memory map of the file instead of
    /// being copied into a large page cache. Long-lived processes (the TUI) keep
    /// the defaults, so their resident memory stays small.
    pub fn prefer_mapped_reads(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -2000;")?;
        Ok(())
    }

    /// Tune the connection for one short command that reads the table in its own
    /// order (an export in table order) or reads few pages (the listing copies of
    /// an index, the events of a month): pages are copied into a small page cache
    /// with `pread`. Mapping the file instead costs a page fault per few pages (and
    /// maps the pages around each, unread) and tearing the map down at exit: a read
    /// of every event of 100 000 took 90 ms against 70 ms
    /// (`examples/export_floor.rs`), a month's listing 18 ms against 14. Reads that
    /// jump about the whole table (every record of a kind in listing order) are
    /// the other way round: see [`Store::prefer_mapped_reads`].
    pub fn prefer_sequential_reads(&self) -> Result<()> {
        self.conn
            .execute_batch("PRAGMA mmap_size = 0; PRAGMA cache_size = -2000;")?;
        Ok(())
    }

    /// `f` inside one read transaction, unless one is open already: a read made of
    /// several statements then sees the database as it was at one moment. Without
    /// it another process may commit between two statements, and a record it
    /// changed meanwhile could be read twice, or not at all.
    pub(crate) fn in_one_snapshot<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce() -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        if !self.conn.is_autocommit() {
            return f();
        }
        let tx = self
            .conn
            .unchecked_transaction()
            .map_err(StoreError::from)?;
        let out = f()?;
        // It only read: ending it lets go of the snapshot.
        tx.commit().map_err(StoreError::from)?;
        Ok(out)
    }

    /// Size the page cache for what this process does: large for a bulk import
    /// (pages stay in memory instead of spilling into the WAL mid-transaction),
    /// small for a long-lived process (reads stay fast, memory stays low).
    pub fn set_page_cache_mib(&self, mib: u32) -> Result<()> {
        // A negative cache_size counts KiB.
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{};", u64::from(mib) * 1024))?;
        Ok(())
    }

    /// The database file (`None` for an in-memory store).
    pub fn path(&self) -> Option<&Path> {
        self.conn.path().filter(|p| !p.is_empty()).map(Path::new)
    }

    /// This device's id (random, made on first run).
    pub fn device(&self) -> &str {
        &self.device
    }

    /// The clock that stamps this store's changes.
    pub fn clock(&self) -> &Clock {
        self.hlc.clock()
    }

    /// Read the time from `clock` from now on (tests, simulations).
    pub fn set_clock(&mut self, clock: Clock) {
        self.hlc.set_clock(clock);
    }

    /// The connection: private to the store, which alone speaks SQL.
    fn conn(&self) -> &Connection {
        &self.conn
    }

    /// Run `f` in one transaction; every edit it makes writes its change record.
    /// Nothing is written unless `f` returns `Ok`.
    ///
    /// The transaction takes the write lock up front (`BEGIN IMMEDIATE`): what `f`
    /// reads cannot change before it writes, and another process's writer waits on
    /// the busy timeout instead of failing with "database is locked" (a deferred
    /// transaction that reads first cannot wait when it upgrades to a write).
    pub fn write<T>(&mut self, f: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        self.write_with(f)
    }

    /// [`Store::write`] for a caller with its own error type: any error rolls the
    /// whole transaction back (an import that finds an invalid item half-way).
    pub fn write_with<T, E: From<StoreError>>(
        &mut self,
        f: impl FnOnce(&mut Writer<'_>) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(StoreError::from)?;
        let mut hlc = self.hlc.clone();
        // Other processes on this profile stamp changes with the same device: start
        // after the newest stamp any of them wrote.
        let last: Option<String> = tx
            .query_row("SELECT value FROM meta WHERE key = 'hlc_last'", [], |r| {
                r.get(0)
            })
            .optional()
            .map_err(StoreError::from)?;
        if let Some(last) = last {
            hlc.observe(&last);
        }
        let mut w = Writer::new(&tx, &self.device, &mut hlc)?;
        let out = f(&mut w)?;
        drop(w);
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('hlc_last', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [hlc.state()],
        )
        .map_err(StoreError::from)?;
        tx.commit().map_err(StoreError::from)?;
        self.hlc = hlc;
        Ok(out)
    }

    /// Key/value settings kept in the database (sync state, preferences).
    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Give every kind a collection on first run. Checked again inside the write
    /// transaction: another process opening the same new profile may have made them.
    fn ensure_default_collections(&mut self) -> Result<()> {
        let mut missing = Vec::new();
        for kind in Kind::ALL {
            if self.collections(Some(kind))?.is_empty() {
                missing.push(kind);
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        self.write(|w| {
            for kind in missing {
                if !w.has_collection_of(kind)? {
                    w.put_collection_with_id(
                        &default_collection_id(kind),
                        kind,
                        default_collection_name(kind),
                    )?;
                }
            }
            Ok(())
        })
    }

    /// The collection used when none is named: the one called like the default,
    /// else the first.
    pub fn default_collection(&self, kind: Kind) -> Result<Collection> {
        let all = self.collections(Some(kind))?;
        all.iter()
            .find(|c| c.name == default_collection_name(kind))
            .or(all.first())
            .cloned()
            .ok_or_else(|| StoreError::NoCollection {
                kind: kind.collection_word().into(),
                name: default_collection_name(kind).into(),
            })
    }

    /// `name` if given (must exist), else the default collection of `kind`.
    pub fn resolve_collection(&self, kind: Kind, name: Option<&str>) -> Result<Collection> {
        match name {
            None => self.default_collection(kind),
            Some(n) => self
                .collection_by_name(kind, n)?
                .ok_or_else(|| StoreError::NoCollection {
                    kind: kind.collection_word().into(),
                    name: n.into(),
                }),
        }
    }
}

/// The fixed id of a kind's default collection: the same on every device.
pub fn default_collection_id(kind: Kind) -> String {
    format!("default-{}", kind.as_str())
}

pub fn default_collection_name(kind: Kind) -> &'static str {
    match kind {
        Kind::Contact => "contacts",
        Kind::Event => "calendar",
        Kind::Task => "tasks",
        Kind::Note => "notes",
    }
}

/// How long a statement waits for another connection's lock before failing.
pub(crate) const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// `PRAGMA journal_mode = WAL`, retried while another process holds the lock.
/// SQLite answers "database is locked" at once, without the busy handler, when two
/// connections that both read the header race to switch a new file (each would wait
/// for the other), so first openers of one profile retry here instead of failing.
fn switch_to_wal(conn: &Connection) -> rusqlite::Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                ) && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(
                    5 + rand::random_range(0..20),
                ));
            }
            other => return other,
        }
    }
}

/// Migrate the schema and make this profile's device id: one exclusive transaction
/// when anything is missing, so processes opening a new profile at once queue
/// instead of racing (each re-reads `user_version` once it holds the lock).
/// Returns the device id.
fn set_up(conn: &mut Connection, chosen: Option<&str>) -> Result<String> {
    let device = set_up_schema(conn, chosen)?;
    // Indexes the listings read by name, built again if another program dropped
    // them (derived data: nothing is lost either way). Best effort: a profile
    // that cannot be written opens as before, only its text listings fail.
    if !listing_indexes_present(conn)? {
        let _ = conn.execute_batch(schema::LISTED_INDEXES);
    }
    Ok(device)
}

/// Migrate the schema and make this device's id, unless both are done already.
fn set_up_schema(conn: &mut Connection, chosen: Option<&str>) -> Result<String> {
    if user_version(conn)? == schema::MIGRATIONS.len() as i64
        && let Some(device) = stored_device(conn)?
    {
        return Ok(device);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
    migrate(&tx)?;
    let device = match stored_device(&tx)? {
        Some(d) => d,
        None => make_device(&tx, chosen)?,
    };
    tx.commit()?;
    Ok(device)
}

/// Whether both indexes the listings read by name (`INDEXED BY`) are there: a
/// database another program changed may lack them, and every listing would fail.
/// (One look at the schema SQLite holds in memory anyway.)
fn listing_indexes_present(conn: &Connection) -> Result<bool> {
    let found: i64 = conn.query_row(
        "SELECT COUNT(*) FROM sqlite_schema
         WHERE type = 'index' AND name IN ('records_listed', 'records_unlisted')",
        [],
        |r| r.get(0),
    )?;
    Ok(found == 2)
}

fn user_version(conn: &Connection) -> Result<i64> {
    Ok(conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
}

fn stored_device(conn: &Connection) -> Result<Option<String>> {
    // A brand-new file has no meta table yet.
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta')",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = 'device_id'", [], |r| {
            r.get(0)
        })
        .optional()?)
}

fn make_device(conn: &Connection, chosen: Option<&str>) -> Result<String> {
    let id = match chosen {
        Some(d) => d.to_string(),
        None => uuid::Uuid::new_v4().simple().to_string()[..16].to_string(),
    };
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('device_id', ?1)",
        [&id],
    )?;
    Ok(id)
}
