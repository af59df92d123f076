//! Store invariants: one change record per edit, gapless `seq`, record and change in
//! one transaction — also when the process is SIGKILLed in the middle of a bulk insert.

// Reads the database file directly, as SQLite sees it from outside the app.
#![allow(clippy::disallowed_types)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use pim::model::{Kind, Record};
use pim::store::{LogFilter, Store, StoreError};
use rusqlite::Connection;

fn generator() -> PathBuf {
    let pim = PathBuf::from(env!("CARGO_BIN_EXE_pim"));
    let exe = pim.parent().unwrap().join("examples").join("generate");
    assert!(
        exe.exists(),
        "{} missing: run `cargo test` (it builds examples)",
        exe.display()
    );
    exe
}

/// Every record has exactly one create change; no create change lacks its record;
/// seq is 1..=n without gaps; SQLite's own integrity check passes.
fn assert_consistent(db: &Path) -> usize {
    let c = Connection::open(db).unwrap();
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let records: i64 = c
        .query_row("SELECT COUNT(*) FROM records", [], |r| r.get(0))
        .unwrap();
    let creates: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM changes WHERE kind != 'collection' AND json_extract(op, '$.type') = 'create'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(records, creates, "one create change per record");
    let orphans: i64 = c
        .query_row(
            "SELECT COUNT(*) FROM records r WHERE NOT EXISTS
               (SELECT 1 FROM changes c WHERE c.record_id = r.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "every record has its change");
    let (n, max): (i64, i64) = c
        .query_row("SELECT COUNT(*), MAX(seq) FROM changes", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .unwrap();
    assert_eq!(n, max, "seq is gapless");
    let fts: i64 = c
        .query_row("SELECT COUNT(*) FROM records_fts", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fts, records, "one search entry per record");
    records as usize
}

#[test]
fn sigkill_during_bulk_insert_leaves_a_consistent_database() {
    for (round, wait_for) in [(0, 500), (1, 2500)] {
        let home = tempfile::tempdir().unwrap();
        let db = home.path().join("pim.sqlite3");
        let mut child = Command::new(generator())
            .args([
                "--home",
                home.path().to_str().unwrap(),
                "--scale",
                "0.3",
                "--batch",
                "500",
            ])
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        // Wait until some batches are committed, then kill without warning.
        let started = Instant::now();
        loop {
            let committed = Connection::open(&db)
                .and_then(|c| {
                    c.query_row("SELECT COUNT(*) FROM records", [], |r| r.get::<_, i64>(0))
                })
                .unwrap_or(0);
            if committed >= wait_for {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "generator made no progress"
            );
            assert!(
                child.try_wait().unwrap().is_none(),
                "generator finished before the kill"
            );
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let n = assert_consistent(&db);
        assert!(
            n >= wait_for as usize,
            "round {round}: committed batches survive"
        );
        assert!(n < 30_000, "round {round}: killed before the end");
        // The database keeps working after the crash.
        let mut store = Store::open(&db).unwrap();
        let coll = store.default_collection(Kind::Note).unwrap().id;
        let mut r = Record::new(Kind::Note, &coll);
        r.set_text("SUMMARY", "after the crash");
        store.write(|w| w.create(&r)).unwrap();
        assert_consistent(&db);
    }
}

#[test]
fn a_failed_write_leaves_no_record_and_no_change() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let before = store.log(&LogFilter::default()).unwrap().len();
    let mut a = Record::new(Kind::Contact, &coll);
    a.set_text("FN", "A");
    let result: Result<(), StoreError> = store.write(|w| {
        w.create(&a)?;
        w.delete("no-such-id")?; // fails: the whole transaction rolls back
        Ok(())
    });
    assert!(matches!(result, Err(StoreError::NoRecord(_))));
    assert!(store.get(&a.id).unwrap().is_none());
    assert_eq!(store.log(&LogFilter::default()).unwrap().len(), before);
    // The next edit continues the sequence without a gap.
    store.write(|w| w.create(&a)).unwrap();
    let log = store.log(&LogFilter::default()).unwrap();
    let seqs: Vec<u64> = log.iter().map(|c| c.seq).collect();
    assert_eq!(seqs, (1..=log.len() as u64).collect::<Vec<_>>());
}

#[test]
fn exactly_one_change_per_edit_and_none_for_a_no_op() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Task).unwrap().id;
    let n0 = store.log(&LogFilter::default()).unwrap().len();
    let mut t = Record::new(Kind::Task, &coll);
    t.set_text("SUMMARY", "one");
    store.write(|w| w.create(&t)).unwrap();
    t.set_text("SUMMARY", "two");
    t.set_text("DESCRIPTION", "more");
    store.write(|w| w.update(&t)).unwrap();
    let unchanged = store.write(|w| w.update(&t)).unwrap();
    assert!(
        unchanged.is_none(),
        "an update that changes nothing logs nothing"
    );
    store.write(|w| w.delete(&t.id)).unwrap();
    let log = store.log(&LogFilter::default()).unwrap();
    assert_eq!(log.len(), n0 + 3);
    let ops: Vec<&str> = log[n0..].iter().map(|c| c.op.name()).collect();
    assert_eq!(ops, ["create", "update", "delete"]);
    // HLC stamps increase with every change.
    assert!(log.windows(2).all(|w| w[0].hlc < w[1].hlc));
}

#[test]
fn a_create_change_keeps_the_created_body_after_later_edits() {
    use pim::model::Op;
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Note).unwrap().id;
    let mut n = Record::new(Kind::Note, &coll);
    n.set_text("SUMMARY", "first");
    store.write(|w| w.create(&n)).unwrap();
    let created = n.body.clone();
    let id = n.id.clone();
    let create_of = |store: &Store| {
        store
            .log(&LogFilter {
                record_id: Some(id.clone()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .find_map(|c| match c.op {
                Op::Create { body, .. } => Some(body),
                _ => None,
            })
            .unwrap()
    };
    assert_eq!(create_of(&store), created);
    n.set_text("SUMMARY", "second");
    store.write(|w| w.update(&n)).unwrap();
    assert_eq!(
        create_of(&store),
        created,
        "the create still says what was created"
    );
    store.write(|w| w.delete(&n.id)).unwrap();
    assert_eq!(
        create_of(&store),
        created,
        "and so after the record is gone"
    );
}
