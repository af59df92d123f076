//! SQLite alone reading every row of a one-column table of text, nothing made of the
//! rows: the floor of any design that keeps an export's bytes in SQLite (a copy of
//! each record pre-rendered in the export's format, in the export's order), which
//! `bench/prerendered_floor.py` compares with `cat` of the same bytes. It measures
//! SQLite, not pim: the table is the script's, so this speaks SQL itself.
//!
//! cargo run --release --example sqlite_floor -- FILE.sqlite3 [mapped|copied]

#![allow(clippy::disallowed_types)] // a measurement of SQLite itself, outside pim's store

use rusqlite::types::ValueRef;

fn main() -> rusqlite::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(db), mode) = (args.get(1), args.get(2).map(String::as_str)) else {
        eprintln!("usage: sqlite_floor FILE.sqlite3 [mapped|copied]");
        std::process::exit(2);
    };
    let conn = rusqlite::Connection::open(db)?;
    // pim's two ways to read (`Store::prefer_mapped_reads`, `prefer_sequential_reads`).
    conn.execute_batch(match mode {
        Some("mapped") => "PRAGMA mmap_size = 1073741824; PRAGMA cache_size = -2000;",
        _ => "PRAGMA mmap_size = 0; PRAGMA cache_size = -2000;",
    })?;
    let mut stmt = conn.prepare("SELECT text FROM items ORDER BY rowid")?;
    let mut rows = stmt.query([])?;
    let (mut n, mut bytes) = (0usize, 0usize);
    while let Some(row) = rows.next()? {
        if let ValueRef::Text(t) = row.get_ref(0)? {
            n += 1;
            bytes += t.len();
        }
    }
    println!("{n} rows, {bytes} bytes");
    Ok(())
}
