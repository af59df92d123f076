//! `pim list` tables are drawn from a copy of each row's few properties the store keeps
//! (`records.listed`): a copy that is damaged or out of date must not hide or misstate
//! a record whose body is sound.

use crate::support::pim::Pim;

fn profile() -> Pim {
    let pim = Pim::new();
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@x.org",
    ]);
    pim.ok(&[
        "add",
        "task",
        "--summary",
        "Pay rent",
        "--due",
        "2026-03-01",
    ]);
    pim.ok(&["add", "note", "--title", "Ideas", "--body", "first idea"]);
    pim
}

#[allow(clippy::disallowed_types)] // damages the file from outside, as another program would
fn sql(pim: &Pim, statements: &str) {
    let db = rusqlite::Connection::open(pim.path("pim.sqlite3")).unwrap();
    db.execute_batch(statements).unwrap();
}

/// stdout and stderr of a listing that succeeds.
fn list(pim: &Pim, kind: &str) -> (String, String) {
    let out = pim.run(&["list", kind]);
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(out.status.success(), "{err}");
    (String::from_utf8_lossy(&out.stdout).to_string(), err)
}

#[test]
fn a_damaged_listing_copy_lists_the_record_from_its_body() {
    let pim = profile();
    sql(
        &pim,
        "UPDATE records SET listed = '{not json' WHERE kind <> 'event'",
    );
    for (kind, shown) in [
        ("contacts", "Ada Lovelace"),
        ("tasks", "Pay rent"),
        ("notes", "first idea"),
    ] {
        let (out, err) = list(&pim, kind);
        assert!(out.contains(shown), "{kind}: {out}");
        // Its body reads: no advice to delete a sound record.
        assert!(!err.contains("undecodable"), "{kind}: {err}");
    }
}

#[test]
fn a_body_edited_without_its_listing_copy_is_listed_as_it_is_now() {
    let pim = profile();
    // What a pim from before the copy (or an edit by hand) writes: the body alone.
    sql(
        &pim,
        "UPDATE records SET data = replace(data, 'Ada Lovelace', 'Grace Hopper');
         UPDATE records SET data = replace(data, 'Pay rent', 'Pay bills');
         UPDATE records SET data = replace(data, 'first idea', 'second idea');",
    );
    for (kind, now, before) in [
        ("contacts", "Grace Hopper", "Ada"),
        ("tasks", "Pay bills", "rent"),
        ("notes", "second idea", "first"),
    ] {
        let (out, _) = list(&pim, kind);
        assert!(out.contains(now) && !out.contains(before), "{kind}: {out}");
    }
}

#[test]
fn a_row_that_is_not_text_is_named_and_the_others_listed() {
    let pim = profile();
    pim.ok(&["add", "contact", "--name", "Bea Bell"]);
    // A copy that is not text, and a body that is not UTF-8 (a damaged file).
    sql(
        &pim,
        "UPDATE records SET listed = x'00ff' WHERE data LIKE '%Ada Lovelace%';
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT 'broken', kind, collection, CAST(x'7b00ff' AS TEXT), 'b'
             FROM records WHERE data LIKE '%Bea Bell%';",
    );
    let (out, err) = list(&pim, "contacts");
    assert!(
        out.contains("Ada Lovelace") && out.contains("Bea Bell"),
        "{out}"
    );
    assert!(err.contains("broken"), "{err}");
    // The warning's advice works: such a row can be deleted.
    pim.ok(&["delete", "broken"]);
    let (_, err) = list(&pim, "contacts");
    assert!(!err.contains("broken"), "{err}");
}

/// A row whose id or collection is not text (another program wrote a blob there):
/// every listing names it, the warning says which column, and its advice works —
/// `pim delete` with the id as named removes the row, and nothing names it again.
#[test]
fn a_row_whose_id_or_collection_is_not_text_is_named_and_can_be_deleted() {
    let pim = profile();
    pim.ok(&["add", "contact", "--name", "Bea Bell"]);
    sql(
        &pim,
        // The foreign key off, as in a program that does not turn it on.
        "PRAGMA foreign_keys = OFF;
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT CAST('blobid' AS BLOB), kind, collection,
                 replace(data, 'Bea Bell', 'Cy Blob'), 'c'
             FROM records WHERE data LIKE '%Bea Bell%';
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT 'blobcoll', kind, CAST(collection AS BLOB),
                 replace(data, 'Bea Bell', 'Di Coll'), 'd'
             FROM records WHERE data LIKE '%Bea Bell%';",
    );
    for args in [&["list", "contacts"][..], &["list", "contacts", "--json"]] {
        let o = pim.run(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(
            err.contains("contact blobid: its id is not text (a blob)")
                && err.contains("contact blobcoll: its collection is not text (a blob)"),
            "{args:?}: {err}"
        );
    }
    for id in ["blobid", "blobcoll"] {
        let o = pim.run(&["delete", id]);
        assert!(
            o.status.success(),
            "delete {id}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let (out, err) = list(&pim, "contacts");
    assert!(err.is_empty(), "{err}");
    assert!(
        out.contains("Ada Lovelace") && out.contains("Bea Bell") && !out.contains("Cy Blob"),
        "{out}"
    );
    // Gone from the store, not hidden: the deletes were logged as changes.
    let log = pim.ok(&["log", "--json"]);
    assert!(log.contains("blobid") && log.contains("blobcoll"), "{log}");
}

/// Rows whose ids are blobs holding ids like pim's (hex and dashes, as a program
/// that binds ids as bytes writes them), one of them a sound record's short id:
/// the warning's `pim delete ID` removes the row it names (the id is not taken for
/// a prefix of another record's), and a prefix of the sound record's id still
/// finds that record, whatever blob ids start alike.
#[test]
fn a_blob_id_like_pims_own_is_deleted_as_named_and_prefixes_still_resolve() {
    let pim = profile();
    let ada = pim.ok(&["list", "contacts", "--json"]);
    let ada: serde_json::Value = serde_json::from_str(&ada).unwrap();
    let ada = ada[0]["id"].as_str().unwrap().to_string();
    // Ada's short id (as tables show it), and her id's start with another tail.
    let blobs = [ada[..8].to_string(), format!("{}-0000", &ada[..8])];
    for (i, blob) in blobs.iter().enumerate() {
        sql(
            &pim,
            &format!(
                "PRAGMA foreign_keys = OFF;
                 INSERT INTO records (id, kind, collection, data, sort_key)
                     SELECT CAST('{blob}' AS BLOB), kind, collection,
                         replace(data, 'Ada Lovelace', 'Blob {i}'), 'blob {i}'
                     FROM records WHERE id = '{ada}';"
            ),
        );
    }
    let o = pim.run(&["list", "contacts"]);
    let err = String::from_utf8_lossy(&o.stderr);
    for blob in &blobs {
        assert!(err.contains(&format!("`pim delete {blob}`")), "{err}");
    }
    // A prefix all three ids share finds the one record it can name.
    let shown = pim.ok(&["show", &ada[..6]]);
    assert!(shown.contains("Ada Lovelace"), "{shown}");
    for (i, blob) in blobs.iter().enumerate() {
        let o = pim.run(&["delete", blob]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "delete {blob}: {err}");
        let (out, _) = list(&pim, "contacts");
        assert!(
            out.contains("Ada Lovelace") && !out.contains(&format!("Blob {i}")),
            "after delete {blob}: {out}"
        );
    }
    let (_, err) = list(&pim, "contacts");
    assert!(err.is_empty(), "{err}");
}

/// Rows whose ids are not UTF-8 (a blob, and text, of bytes another program
/// wrote): the warning names each id as it reads (U+FFFD for what is not UTF-8),
/// and `pim delete` with that id, as the warning advises, removes the row.
#[test]
fn an_id_that_is_not_utf8_is_deleted_by_the_id_its_warning_names() {
    let pim = profile();
    sql(
        &pim,
        "PRAGMA foreign_keys = OFF;
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT x'ff626c6f62', kind, collection,
                 replace(data, 'Ada Lovelace', 'Blob Bytes'), 'b'
             FROM records WHERE data LIKE '%Ada Lovelace%';
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT CAST(x'ff74657874' AS TEXT), kind, collection,
                 replace(data, 'Ada Lovelace', 'Text Bytes'), 't'
             FROM records WHERE data LIKE '%Ada Lovelace%';",
    );
    let (_, err) = list(&pim, "contacts");
    for id in ["\u{FFFD}blob", "\u{FFFD}text"] {
        assert!(err.contains(&format!("`pim delete {id}`")), "{err}");
        let o = pim.run(&["delete", id]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "delete {id}: {err}");
    }
    let (out, err) = list(&pim, "contacts");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("Ada Lovelace"), "{out}");
    let log = pim.ok(&["log", "--json"]);
    assert!(
        log.contains("\u{FFFD}blob") && log.contains("\u{FFFD}text"),
        "{log}"
    );
}

/// A copy of a sound record whose id is the same id as a blob (another program
/// wrote the row again, binding the id as bytes): the warning's `pim delete ID`
/// removes the damaged copy, not the sound record, and logs nothing (the record
/// lives on, here and on every other device).
#[test]
fn a_blob_copy_of_a_sound_records_id_is_removed_and_the_record_kept() {
    let pim = profile();
    sql(
        &pim,
        "PRAGMA foreign_keys = OFF;
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT CAST(id AS BLOB), kind, collection,
                 replace(data, 'Ada Lovelace', 'Ada Copy'), 'ada copy'
             FROM records WHERE data LIKE '%Ada Lovelace%';",
    );
    let log = pim.ok(&["log", "--json"]);
    let ada: serde_json::Value =
        serde_json::from_str(&pim.ok(&["list", "contacts", "--json"])).unwrap();
    let ada = ada[0]["id"].as_str().unwrap().to_string();
    let (_, err) = list(&pim, "contacts");
    assert!(err.contains(&format!("`pim delete {ada}`")), "{err}");
    let o = pim.run(&["delete", &ada]);
    let said = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        said.contains("damaged copy") && said.contains("kept"),
        "{said}"
    );
    let (out, err) = list(&pim, "contacts");
    assert!(err.is_empty(), "{err}");
    assert!(out.contains("Ada Lovelace"), "{out}");
    assert_eq!(pim.ok(&["log", "--json"]), log);
    // The record itself is deleted as before.
    pim.ok(&["delete", &ada]);
    let (out, _) = list(&pim, "contacts");
    assert!(!out.contains("Ada"), "{out}");
}

/// A profile whose `(kind, sort_key)` index is gone (dropped by another program, or
/// a copy rebuilt without it): the JSON listings and the JSON export still list
/// every record, in order, as they did before they read through that index.
#[test]
fn json_listings_and_the_json_export_do_not_need_the_sort_index() {
    let pim = profile();
    pim.ok(&["add", "contact", "--name", "Bea Bell"]);
    sql(&pim, "DROP INDEX records_kind_sort;");
    let contacts = pim.ok(&["list", "contacts", "--json"]);
    let ada = contacts.find("Ada Lovelace");
    let bea = contacts.find("Bea Bell");
    assert!(ada.is_some() && ada < bea, "{contacts}");
    let notes = pim.ok(&["list", "notes", "--json"]);
    assert!(notes.contains("first idea"), "{notes}");
    let export = pim.ok(&["export", "all", "--format", "json"]);
    assert!(
        export.contains("Bea Bell") && export.contains("Pay rent"),
        "{export}"
    );
}

/// Records whose sort key (a copy pim keeps to order listings) is not text: a blob,
/// and text that is not UTF-8. Their bodies are sound: every listing and the JSON
/// export list them (the JSON listings did before they read the key), and no
/// warning advises deleting them.
#[test]
fn a_sort_key_that_is_not_text_does_not_hide_a_sound_record() {
    let pim = profile();
    pim.ok(&["add", "contact", "--name", "Bea Bell"]);
    pim.ok(&["add", "note", "--title", "Plans"]);
    sql(
        &pim,
        "UPDATE records SET sort_key = CAST(sort_key AS BLOB), listed = NULL
             WHERE data LIKE '%Ada Lovelace%' OR data LIKE '%Ideas%';
         UPDATE records SET sort_key = CAST(x'ff' AS TEXT), listed = NULL
             WHERE data LIKE '%Bea Bell%' OR data LIKE '%Plans%';",
    );
    for args in [
        &["list", "contacts"][..],
        &["list", "contacts", "--json"],
        &["list", "notes"],
        &["list", "notes", "--json"],
        &["export", "all", "--format", "json"],
    ] {
        let o = pim.run(args);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(o.status.success() && err.is_empty(), "{args:?}: {err}");
        let shown = match args[1] {
            "contacts" => ["Ada Lovelace", "Bea Bell"],
            "notes" => ["Ideas", "Plans"],
            _ => ["Ada Lovelace", "Plans"],
        };
        assert!(shown.iter().all(|s| out.contains(s)), "{args:?}: {out}");
    }
}

/// A row whose collection is a blob but whose body is sound: `pim delete`, as its
/// warning advises, deletes the record as it is (its title said, its body the
/// delete's base), not an empty shell: another device holding the record then sees
/// a plain delete, not one that conflicts with what it holds.
#[test]
fn a_blob_collection_row_is_deleted_with_its_body() {
    let pim = profile();
    sql(
        &pim,
        "PRAGMA foreign_keys = OFF;
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT 'blobcoll', kind, CAST(collection AS BLOB),
                 replace(data, 'Ada Lovelace', 'Di Coll'), 'd'
             FROM records WHERE data LIKE '%Ada Lovelace%';",
    );
    let said = pim.ok(&["delete", "blobcoll"]);
    assert!(said.contains("Di Coll"), "{said}");
    let log: serde_json::Value = serde_json::from_str(&pim.ok(&["log", "--json"])).unwrap();
    let delete = log
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["record_id"] == "blobcoll")
        .unwrap();
    assert_eq!(delete["op"]["type"], "delete", "{delete}");
    assert!(
        delete["op"]["base"].to_string().contains("Di Coll"),
        "{delete}"
    );
}

#[test]
fn a_body_that_is_not_text_is_named_by_every_reader_not_a_failed_command() {
    let pim = profile();
    pim.ok(&["add", "contact", "--name", "Bea Bell"]);
    sql(
        &pim,
        "INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT 'broken', kind, collection, CAST(x'7b00ff' AS TEXT), 'b'
             FROM records WHERE data LIKE '%Bea Bell%';
         INSERT INTO records (id, kind, collection, data, sort_key)
             SELECT 'blob', kind, collection, x'7b7d', 'c'
             FROM records WHERE data LIKE '%Bea Bell%';",
    );
    for args in [
        &["list", "contacts", "--json"][..],
        &["export", "contacts", "--format", "vcf"],
        &["export", "contacts", "--format", "json"],
        &["export", "all"],
        &["search", "Bea", "--json"],
    ] {
        let o = pim.run(args);
        let (out, err) = (
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr),
        );
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(out.contains("Bea Bell"), "{args:?}: {out}");
        if args[0] != "search" {
            assert!(
                err.contains("broken") && err.contains("blob") && err.contains("not text"),
                "{args:?}: {err}"
            );
        }
    }
}

/// A collection row another program damaged (a blob name, id or colour, a sync flag
/// that is text): every listing, search and export still works, the collection's
/// records listed under the name as its bytes read.
#[test]
fn a_collection_row_another_program_damaged_does_not_stop_any_reader() {
    let pim = profile();
    sql(
        &pim,
        "PRAGMA foreign_keys = OFF;
         UPDATE collections SET name = CAST(name AS BLOB), color = x'00ff',
             sync = 'yes', default_alarms = x'2d31' WHERE kind = 'contact';
         INSERT INTO collections (id, kind, name) VALUES (x'00ff', 'task', 'Blobbed');",
    );
    for args in [
        &["list", "contacts"][..],
        &["list", "contacts", "--json"],
        &["list", "tasks"],
        &["collections", "list"],
        &["collections", "list", "--json"],
        &["search", "Ada", "--json"],
        &["export", "all"],
        &["export", "contacts", "--format", "vcf"],
    ] {
        let o = pim.run(args);
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let contacts = pim.ok(&["list", "contacts", "--json"]);
    assert!(contacts.contains("Ada Lovelace"), "{contacts}");
}

/// The indexes the text listings read by name (another program dropped them): the
/// listings still work, and the next pim to open the profile builds them again.
#[test]
fn listing_indexes_another_program_dropped_are_built_again() {
    let pim = profile();
    sql(
        &pim,
        "DROP INDEX records_listed; DROP INDEX records_unlisted;",
    );
    let (out, err) = list(&pim, "contacts");
    assert!(out.contains("Ada Lovelace") && err.is_empty(), "{out}{err}");
    let (out, _) = list(&pim, "tasks");
    assert!(out.contains("Pay rent"), "{out}");
    let (out, _) = list(&pim, "notes");
    assert!(out.contains("Ideas"), "{out}");
    #[allow(clippy::disallowed_types)] // reads the file from outside
    let db = rusqlite::Connection::open(pim.path("pim.sqlite3")).unwrap();
    let back: i64 = db
        .query_row(
            "SELECT COUNT(*) FROM sqlite_schema
             WHERE name IN ('records_listed', 'records_unlisted')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(back, 2);
}
