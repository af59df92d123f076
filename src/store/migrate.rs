//! The schema's migrations, run when a profile opens, and the passes that fill the
//! columns and indexes a migration adds from the records.

#![allow(clippy::disallowed_types)]

use rusqlite::{Connection, params};

use super::{Result, StoreError, index, read, schema, user_version};

/// Run the migrations this database has not had yet (inside the caller's transaction).
pub(super) fn migrate(tx: &Connection) -> Result<()> {
    let version = user_version(tx)?;
    let target = schema::MIGRATIONS.len() as i64;
    if version > target {
        return Err(StoreError::TooNew(version));
    }
    let mut rebuild_search = false;
    for (i, sql) in schema::MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)?;
        if i + 1 == schema::REINDEX_OPEN_SERIES {
            reindex_spans(tx, "AND recurring = 1 AND end_ts IS NULL")?;
        }
        if i + 1 == schema::REINDEX_SPANS {
            reindex_spans(tx, "AND (recurring = 1 OR end_ts < start_ts)")?;
        }
        rebuild_search |= schema::REBUILD_SEARCH_INDEX.contains(&(i + 1));
        if i + 1 == schema::FILL_LISTED {
            add_column_if_missing(tx, "records", "listed", "TEXT")?;
            tx.execute_batch(schema::LISTED_INDEXES)?;
            fill_listed(tx)?;
        }
        if i + 1 == schema::COLLECTION_DEFAULT_ALARMS {
            add_column_if_missing(tx, "collections", "default_alarms", "TEXT")?;
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)?;
    }
    if rebuild_search {
        // Emptied by the migration's SQL; filled once, after the last of them.
        rebuild_search_index(tx)?;
    }
    Ok(())
}

/// `ALTER TABLE … ADD COLUMN` unless the column is there already.
fn add_column_if_missing(conn: &Connection, table: &str, column: &str, decl: &str) -> Result<()> {
    let present: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2)",
        [table, column],
        |r| r.get(0),
    )?;
    if !present {
        conn.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column} {decl};"))?;
    }
    Ok(())
}

/// Recompute the span (`start_ts`, `end_ts`) of the events `filter` picks (more SQL
/// after `WHERE kind = 'event'`): a newer pim reads some spans better (bounds more
/// open series, e.g. COUNT rules; covers a moved occurrence's own length), and
/// windows, the agenda and reminders find events by their span.
fn reindex_spans(conn: &Connection, filter: &str) -> Result<()> {
    let mut update =
        conn.prepare("UPDATE records SET start_ts = ?2, end_ts = ?3 WHERE rowid = ?1")?;
    for_each_record(
        conn,
        &format!("WHERE kind = 'event' {filter}"),
        |rowid, record| {
            let ix = index::index(&record);
            update.execute(params![rowid, ix.start_ts, ix.end_ts])?;
            Ok(())
        },
    )
}

/// Fill the (new) `listed` column of every task, contact and note.
fn fill_listed(conn: &Connection) -> Result<()> {
    let mut update = conn.prepare("UPDATE records SET listed = ?2 WHERE rowid = ?1")?;
    for_each_record(conn, "WHERE kind <> 'event'", |rowid, record| {
        update.execute(params![rowid, index::listed(&record)])?;
        Ok(())
    })
}

/// Fill the (emptied) full-text index from every record.
fn rebuild_search_index(conn: &Connection) -> Result<()> {
    let mut insert = conn.prepare("INSERT INTO records_fts (rowid, text) VALUES (?1, ?2)")?;
    for_each_record(conn, "", |rowid, record| {
        insert.execute(params![rowid, index::index(&record).text])?;
        Ok(())
    })
}

/// Each record matching `filter` (a WHERE clause, or empty), decoded, with its rowid:
/// the migrations that recompute derived columns walk the table this way. A row that
/// cannot be read is passed over (readers skip and name it): one bad row must not
/// stop the migration, which would leave the profile unopenable.
fn for_each_record(
    conn: &Connection,
    filter: &str,
    mut each: impl FnMut(i64, crate::model::Record) -> Result<()>,
) -> Result<()> {
    let mut select = conn.prepare(&format!(
        "SELECT rowid, id, kind, collection, data FROM records {filter}"
    ))?;
    let mut rows = select.query([])?;
    while let Some(r) = rows.next()? {
        let rowid: i64 = r.get(0)?;
        let text = |i| r.get::<_, String>(i).ok();
        let (Some(id), Some(kind), Some(collection), Some(data)) =
            (text(1), text(2), text(3), text(4))
        else {
            continue;
        };
        if let Ok(record) = read::decode(id, &kind, collection, &data) {
            each(rowid, record)?;
        }
    }
    Ok(())
}
