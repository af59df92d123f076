//! What can go wrong in the store, said so that the user knows what to do.

use super::BUSY_TIMEOUT;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database {path}: {}", open_message(.source))]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error("{}", sql_message(.0))]
    Sql(#[from] rusqlite::Error),
    #[error("no record with id {0}")]
    NoRecord(String),
    #[error("no {kind} collection named {name:?}")]
    NoCollection { kind: String, name: String },
    #[error("{name:?} cannot be a collection name: {why}")]
    BadCollectionName { name: String, why: &'static str },
    #[error("a {kind} collection named {name:?} already exists")]
    CollectionExists { kind: String, name: String },
    #[error("collection {name:?} still holds {count} records (use --force to delete them too)")]
    CollectionNotEmpty { name: String, count: u64 },
    #[error("collection {0:?} is the last {1} collection and cannot be deleted")]
    LastCollection(String, String),
    #[error("record {id} nests components {depth} levels deep (at most {max} can be stored)")]
    TooDeep {
        id: String,
        depth: usize,
        max: usize,
    },
    #[error("corrupt stored data for {what}: {reason}")]
    Corrupt { what: String, reason: String },
    #[error("database schema version {0} is newer than this pim understands")]
    TooNew(i64),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// What a failed statement tells the user: another process holding the write lock
/// past the busy timeout (a long import, a sync) is said in words, not as SQLite's
/// "database is locked".
fn sql_message(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => format!(
            "the profile is busy: another pim process (an import or a sync) is writing to it \
             and did not finish within {} s; try again when it is done",
            BUSY_TIMEOUT.as_secs()
        ),
        _ => match cause(e) {
            Some(words) => format!("database error: {words}"),
            None => format!("database error: {e}"),
        },
    }
}

fn open_message(e: &rusqlite::Error) -> String {
    cause(e).map_or_else(|| e.to_string(), str::to_string)
}

/// A full disk or a profile that cannot be written, in words that say what to
/// mend (SQLite's "disk I/O error" and "attempt to write a readonly database"
/// name neither; a read-only folder is not a read-only database).
fn cause(e: &rusqlite::Error) -> Option<&'static str> {
    use rusqlite::ffi;
    let rusqlite::Error::SqliteFailure(f, _) = e else {
        return None;
    };
    Some(match f.extended_code {
        ffi::SQLITE_FULL => "the disk is full: nothing was written; free some space",
        // Making room for the shared-memory file beside the database.
        ffi::SQLITE_IOERR_SHMSIZE => {
            "cannot make room for pim.sqlite3-shm beside the database: is the disk full?"
        }
        ffi::SQLITE_READONLY_DIRECTORY | ffi::SQLITE_READONLY_CANTINIT => {
            "the profile's folder is read-only: SQLite keeps pim.sqlite3-wal and \
             pim.sqlite3-shm beside the database, so the folder must be writable"
        }
        ffi::SQLITE_READONLY => {
            "the database file is read-only: nothing was written (make it writable)"
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(extended_code: i32) -> rusqlite::Error {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(extended_code), None)
    }

    /// A full disk, a read-only folder or file: SQLite's words ("disk I/O error",
    /// "attempt to write a readonly database" for a folder) named neither the cause
    /// nor what to do.
    #[test]
    fn the_causes_users_can_mend_are_said() {
        let open = |code| {
            StoreError::Open {
                path: "/p/pim.sqlite3".into(),
                source: failure(code),
            }
            .to_string()
        };
        let full = StoreError::Sql(failure(rusqlite::ffi::SQLITE_FULL)).to_string();
        assert!(full.contains("disk") && full.contains("full"), "{full}");
        let shm = open(rusqlite::ffi::SQLITE_IOERR_SHMSIZE);
        assert!(
            shm.contains("/p/pim.sqlite3") && shm.contains("full"),
            "{shm}"
        );
        let dir = open(rusqlite::ffi::SQLITE_READONLY_DIRECTORY);
        assert!(dir.contains("folder") && dir.contains("writable"), "{dir}");
        let file = StoreError::Sql(failure(rusqlite::ffi::SQLITE_READONLY)).to_string();
        assert!(file.contains("read-only"), "{file}");
    }
}
