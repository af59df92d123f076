//! One record or change that cannot be decoded (issue 14 item 1, defence in depth):
//! every reader skips and names it, and sync, export and delete go on with the rest.

// Corrupts the database file directly, as an older pim or a damaged disk would.
#![allow(clippy::disallowed_types)]

use std::path::Path;

use pim::model::{Kind, Record};
use pim::store::Store;
use pim::sync::memory::MemoryServer;
use rusqlite::{Connection, params};

use crate::support::pim::Pim;
use crate::support::sim::Device;

/// A body nested far past serde_json's recursion limit.
fn too_deep() -> String {
    let levels = 200;
    format!(
        "{{\"m\":{{\"n\":\"VEVENT\",\"c\":[{}{}]}}}}",
        "{\"n\":\"X\",\"c\":[".repeat(levels),
        "]}".repeat(levels)
    )
}

fn corrupt(db: &Path, id: &str, data: &str) {
    damage(db, "data", id, data)
}

/// Damage what a text listing of tasks, contacts or notes reads: the few properties
/// kept for it (`listed`), beside the body.
fn corrupt_listed(db: &Path, id: &str, data: &str) {
    damage(db, "listed", id, data)
}

fn damage(db: &Path, column: &str, id: &str, data: &str) {
    let c = Connection::open(db).unwrap();
    let n = c
        .execute(
            &format!("UPDATE records SET {column} = ?2 WHERE id = ?1"),
            params![id, data],
        )
        .unwrap();
    assert_eq!(n, 1, "record {id} exists");
}

fn add_event(pim: &Pim, summary: &str) -> String {
    pim.ok(&[
        "add",
        "event",
        "--summary",
        summary,
        "--start",
        "2026-12-01 10:00",
    ])
    .trim()
    .to_string()
}

/// stderr of a command that must succeed.
fn warns(pim: &Pim, args: &[&str]) -> (String, String) {
    let o = pim.run(args);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(o.status.success(), "pim {args:?}: {err}");
    (String::from_utf8_lossy(&o.stdout).to_string(), err)
}

#[test]
fn an_undecodable_record_is_named_and_skipped_by_every_reader() {
    let pim = Pim::new();
    let good = add_event(&pim, "good meeting");
    let bad = add_event(&pim, "good but broken");
    corrupt(&pim.home().join("pim.sqlite3"), &bad, &too_deep());
    let named = |err: &str| {
        assert!(
            err.starts_with("pim: warning: skipped undecodable ")
                && err.contains(&format!("pim delete {bad}")),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "named once: {err}");
    };
    for args in [
        &["list", "events", "--json"][..],
        &[
            "list",
            "events",
            "--from",
            "2026-11-01",
            "--to",
            "2027-01-01",
        ],
        &["search", "good", "--json"],
        &["export", "events"],
        &["export", "all"],
        &["export", "events", "--format", "csv"],
        &["log", "--json"],
    ] {
        let (out, err) = warns(&pim, args);
        named(&err);
        assert!(
            out.contains(&good) || out.contains("good meeting"),
            "{args:?}: {out}"
        );
    }
    // Deleting it is the way out; afterwards nothing is skipped any more.
    warns(&pim, &["delete", &bad]);
    let (out, err) = warns(&pim, &["list", "events", "--json"]);
    assert_eq!(err, "");
    assert!(out.contains(&good) && !out.contains(&bad), "{out}");
    let (log, _) = warns(&pim, &["log", "--json"]);
    assert!(
        log.contains(&format!("\"{bad}\"")),
        "the delete is logged: {log}"
    );
}

#[test]
fn text_listings_of_tasks_contacts_and_notes_skip_and_name_an_undecodable_row() {
    let pim = Pim::new();
    let db = pim.home().join("pim.sqlite3");
    for (kind, flag, good, broken) in [
        ("task", "--summary", "water the plants", "broken task"),
        ("contact", "--name", "Ada Lovelace", "Broken Contact"),
        ("note", "--title", "shopping list", "broken note"),
    ] {
        pim.ok(&["add", kind, flag, good]);
        let bad = pim.ok(&["add", kind, flag, broken]).trim().to_string();
        corrupt(&db, &bad, &too_deep());
        corrupt_listed(&db, &bad, &too_deep());
        let list = format!("{kind}s");
        let (out, err) = warns(&pim, &["list", &list]);
        assert!(
            err.starts_with("pim: warning: skipped undecodable ")
                && err.contains(&format!("pim delete {bad}")),
            "{kind}: {err}"
        );
        assert_eq!(err.lines().count(), 1, "named once: {err}");
        assert!(
            out.contains(good) && !out.contains(&bad[..8]),
            "{kind}: {out}"
        );
    }
}

#[test]
fn a_body_damaged_from_outside_is_not_listed_from_its_earlier_copy() {
    let pim = Pim::new();
    let db = pim.home().join("pim.sqlite3");
    let id = pim
        .ok(&["add", "task", "--summary", "was fine"])
        .trim()
        .to_string();
    corrupt(&db, &id, &too_deep());
    // The copy kept for listings went with the body it came from: the row is read
    // whole, found unreadable, skipped and named (not shown as it was).
    let (out, err) = warns(&pim, &["list", "tasks"]);
    assert!(
        err.contains(&format!("pim delete {id}")) && !out.contains("was fine"),
        "{out}\n{err}"
    );
    let o = pim.run(&["show", &id]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains(&id), "{err}");
}

fn file_device(server: &MemoryServer, dir: &Path, name: &str) -> Device {
    let mut d = Device::new(server, name);
    d.store = Store::open(&dir.join(format!("{name}.sqlite3"))).unwrap();
    d
}

fn add_contact(d: &mut Device, name: &str) -> String {
    let coll = d.store.default_collection(Kind::Contact).unwrap().id;
    let mut r = Record::new(Kind::Contact, &coll);
    r.set_text("FN", name);
    d.store.write(|w| w.create(&r)).unwrap();
    r.id
}

#[test]
fn sync_sends_and_applies_around_undecodable_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = MemoryServer::new();
    let mut a = file_device(&server, dir.path(), "a");
    let mut b = file_device(&server, dir.path(), "b");
    let broken = add_contact(&mut a, "Broken");
    let kept = add_contact(&mut a, "Kept");
    // The create of `broken` takes its body from the record: both are unreadable now.
    corrupt(&dir.path().join("a.sqlite3"), &broken, "{not json");
    a.sync();
    let skipped = a.store.take_undecodable();
    assert!(
        skipped
            .iter()
            .any(|u| u.id == broken && u.what.starts_with("change")),
        "{skipped:?}"
    );
    // Later edits are not stuck behind it.
    let later = add_contact(&mut a, "Later");
    a.sync();
    assert_eq!(
        a.store
            .log(&pim::store::LogFilter {
                unsubmitted_only: true,
                ..Default::default()
            })
            .unwrap(),
        vec![],
        "outbox empty"
    );
    b.sync();
    assert_eq!(b.text(&kept, "FN").as_deref(), Some("Kept"));
    assert_eq!(b.text(&later, "FN").as_deref(), Some("Later"));
    assert!(b.store.get(&broken).unwrap().is_none());

    // Receiving: a change to a record that cannot be read here is skipped and
    // named; the next change from the same device still applies.
    corrupt(&dir.path().join("b.sqlite3"), &kept, "{not json");
    a.set_text(&kept, "FN", "Kept too");
    a.set_text(&later, "FN", "Later too");
    a.sync();
    b.sync();
    assert_eq!(b.text(&later, "FN").as_deref(), Some("Later too"));
    let skipped = b.store.take_undecodable();
    assert!(
        skipped
            .iter()
            .any(|u| u.id == kept && u.what.starts_with("received change")),
        "{skipped:?}"
    );
    // B's own outbox still drains.
    add_contact(&mut b, "From b");
    b.sync();
    a.sync();
    assert_eq!(a.store.list(Kind::Contact, None).unwrap().len(), 3);
}
