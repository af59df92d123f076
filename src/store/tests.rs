//! The store's own questions that front-ends ask instead of running SQL.

use super::*;
use crate::model::Record;

#[test]
fn emptiness_and_id_prefixes() {
    let mut store = Store::open_in_memory().unwrap();
    assert!(
        store.is_empty().unwrap(),
        "default collections are not records"
    );
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut a = Record::new(Kind::Contact, &coll);
    a.id = "abcd1234".into();
    let mut b = Record::new(Kind::Contact, &coll);
    b.id = "abcd5678".into();
    store
        .write(|w| {
            w.create(&a)?;
            w.create(&b)
        })
        .unwrap();
    assert!(!store.is_empty().unwrap());
    assert_eq!(store.ids_with_prefix("abcd1", 2).unwrap(), ["abcd1234"]);
    assert_eq!(store.ids_with_prefix("abcd", 2).unwrap().len(), 2);
    assert_eq!(store.ids_with_prefix("abcd", 1).unwrap().len(), 1);
    assert!(store.ids_with_prefix("ffff", 2).unwrap().is_empty());
}

#[test]
fn path_and_page_cache() {
    let memory = Store::open_in_memory().unwrap();
    assert_eq!(memory.path(), None);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let store = Store::open(&file).unwrap();
    assert_eq!(
        store.path().map(|p| p.file_name().unwrap().to_owned()),
        Some("pim.sqlite3".into())
    );
    store.set_page_cache_mib(8).unwrap();
    let kib: i64 = store
        .conn()
        .query_row("PRAGMA cache_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kib, -8192);
    // A command's reads: mapped for jumps through an index, copied for a read in
    // table order; each setting undoes the other.
    let pragmas = |store: &Store| -> (i64, i64) {
        let conn = store.conn();
        let map = conn
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap();
        let cache = conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .unwrap();
        (map, cache)
    };
    store.prefer_mapped_reads().unwrap();
    assert_eq!(pragmas(&store), (1 << 30, -2000));
    store.prefer_sequential_reads().unwrap();
    assert_eq!(pragmas(&store), (0, -2000));
}

#[test]
fn update_from_writes_only_what_the_caller_changed() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut r = Record::new(Kind::Contact, &coll);
    r.set_text("FN", "Ann");
    r.set_text("ORG", "Acme");
    store.write(|w| w.create(&r)).unwrap();
    let read_early = store.require(&r.id).unwrap();
    // Another writer changes the org after the caller read the record.
    let mut meanwhile = read_early.clone();
    meanwhile.set_text("ORG", "Globex");
    store.write(|w| w.update(&meanwhile)).unwrap();
    let mut edited = read_early.clone();
    edited.set_text("FN", "Ann Lee");
    store
        .write(|w| w.update_from(&read_early, &edited))
        .unwrap();
    let now = store.require(&r.id).unwrap();
    assert_eq!(now.text("FN").as_deref(), Some("Ann Lee"));
    assert_eq!(now.text("ORG").as_deref(), Some("Globex"));
}

/// A writer that finds another connection holding the write lock waits for it
/// (busy timeout) instead of failing: it takes the lock before reading, so no
/// commit can slip in between its read and its write.
#[test]
fn a_write_waits_for_another_connections_write() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let mut store = Store::open(&file).unwrap();
    let other = Connection::open(&file).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    other
        .execute("INSERT INTO meta (key, value) VALUES ('x', '1')", [])
        .unwrap();
    let committer = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(300));
        other.execute_batch("COMMIT").unwrap();
    });
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut r = Record::new(Kind::Contact, &coll);
    r.set_text("FN", "Waits");
    store.write(|w| w.create(&r)).unwrap();
    committer.join().unwrap();
    assert_eq!(store.meta("x").unwrap().as_deref(), Some("1"));
    assert!(store.get(&r.id).unwrap().is_some());
}

#[test]
fn a_write_kept_waiting_past_the_timeout_says_the_profile_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let mut store = Store::open(&file).unwrap();
    // The store's own 5 s, shortened for the test.
    store
        .conn
        .busy_timeout(std::time::Duration::from_millis(50))
        .unwrap();
    let other = Connection::open(&file).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut r = Record::new(Kind::Contact, &coll);
    r.set_text("FN", "Kept waiting");
    let err = store.write(|w| w.create(&r)).unwrap_err().to_string();
    assert!(
        err.starts_with("the profile is busy: another pim process"),
        "{err}"
    );
    assert!(!err.contains("Error code"), "{err}");
    other.execute_batch("ROLLBACK").unwrap();
    store.write(|w| w.create(&r)).unwrap();
}

#[test]
fn six_connections_setting_up_a_new_file_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let devices: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| s.spawn(|| Store::open(&file).map(|st| st.device().to_string())))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap().unwrap())
            .collect()
    });
    assert!(devices.iter().all(|d| d == &devices[0]), "{devices:?}");
    let store = Store::open(&file).unwrap();
    assert_eq!(store.collections(None).unwrap().len(), Kind::ALL.len());
}

/// The rows of the JSON listings and export come in the order of the `(kind,
/// sort_key)` index, no sorter: as fast as when the query named that index.
#[test]
fn sorted_rows_are_read_through_the_sort_index() {
    let store = Store::open_in_memory().unwrap();
    let sql = format!("EXPLAIN QUERY PLAN {}", super::read::SORTED_ROWS);
    for collection in [None, Some("c")] {
        let plan: Vec<String> = {
            let mut stmt = store.conn().prepare(&sql).unwrap();
            stmt.query_map(params!["contact", collection], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        let plan = plan.join("\n");
        assert!(plan.contains("records_kind_sort (kind=?)"), "{plan}");
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }
}

/// Issue 19: a lookup by UID (one per imported item) used the kind index and read
/// every record of the kind, so an import of n items took n² row reads.
#[test]
fn uid_lookups_use_the_indexes() {
    let store = Store::open_in_memory().unwrap();
    let sql = format!(
        "EXPLAIN QUERY PLAN SELECT id FROM records WHERE {}",
        super::read::WITH_UID
    );
    let plan: Vec<String> = {
        let mut stmt = store.conn().prepare(&sql).unwrap();
        stmt.query_map(params!["u", "event"], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    };
    let plan = plan.join("\n");
    assert!(plan.contains("records_uid (uid=?)"), "{plan}");
    assert!(plan.contains("(id=?)"), "{plan}");
    assert!(!plan.contains("kind"), "{plan}");

    // Both ways of matching still find the record, of that kind only.
    let mut store = store;
    let coll = store.default_collection(Kind::Event).unwrap().id;
    let mut with_uid = Record::new(Kind::Event, &coll);
    with_uid.body.main.props[0].value = "u1".into();
    assert_eq!(with_uid.uid(), Some("u1"));
    let without = Record::new(Kind::Event, &coll);
    store
        .write(|w| {
            w.create(&with_uid)?;
            w.create(&without)
        })
        .unwrap();
    assert_eq!(store.by_uid(Kind::Event, "u1").unwrap()[0].id, with_uid.id);
    assert_eq!(
        store.by_uid(Kind::Event, &without.id).unwrap()[0].id,
        without.id
    );
    assert!(store.by_uid(Kind::Task, "u1").unwrap().is_empty());
}

/// A read made of several statements sees one moment of the database: another
/// process deleting records while a search hands over its matches (each read by
/// a statement of its own) does not make them vanish from it. A listing read
/// meanwhile lists them too, and the snapshot ends with the read.
#[test]
fn a_read_of_several_statements_sees_one_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let mut store = Store::open(&file).unwrap();
    let coll = store.default_collection(Kind::Task).unwrap().id;
    let tasks: Vec<Record> = ["Snapshot one", "Snapshot two", "Snapshot three"]
        .into_iter()
        .map(|summary| {
            let mut r = Record::new(Kind::Task, &coll);
            r.set_text("SUMMARY", summary);
            r
        })
        .collect();
    store
        .write(|w| tasks.iter().try_for_each(|r| w.create(r).map(|_| ())))
        .unwrap();
    // Another process deletes the others as soon as the read has begun.
    let delete_others = |keep: &str| {
        let other = Connection::open(&file).unwrap();
        other
            .execute("DELETE FROM records WHERE id <> ?1", [keep])
            .unwrap();
    };

    let mut found = Vec::new();
    store
        .search_each("snapshot", 10, |r| {
            if found.is_empty() {
                delete_others(&r.id);
            }
            found.push(r.id);
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(found.len(), 3, "every match of the moment the search began");

    store
        .write(|w| tasks.iter().try_for_each(|r| w.create(r).map(|_| ())))
        .unwrap();
    let mut listed = Vec::new();
    store
        .for_each_listed(Kind::Task, None, |row| {
            if listed.is_empty() {
                delete_others(row.id);
            }
            listed.push(row.id.to_string());
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(listed.len(), 3);
    // The snapshot ended with the read: the deletes are seen now.
    assert_eq!(store.list(Kind::Task, None).unwrap().len(), 1);
}

/// The same for a window of events: single events and series are read by two
/// statements; a series deleted by another process while the single events are
/// handed over is still in the window read.
#[test]
fn a_window_of_events_is_read_from_one_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("pim.sqlite3");
    let mut store = Store::open(&file).unwrap();
    let coll = store.default_collection(Kind::Event).unwrap().id;
    let event = |summary: &str, rule: Option<&str>| {
        let mut r = Record::new(Kind::Event, &coll);
        r.set_text("SUMMARY", summary);
        r.body
            .main
            .props
            .push(crate::model::Property::new("DTSTART", "20260302T090000Z"));
        r.body
            .main
            .props
            .push(crate::model::Property::new("DTEND", "20260302T100000Z"));
        if let Some(rule) = rule {
            r.body
                .main
                .props
                .push(crate::model::Property::new("RRULE", rule));
        }
        r
    };
    let single = event("Once", None);
    let series = event("Weekly", Some("FREQ=WEEKLY"));
    store
        .write(|w| {
            w.create(&single)?;
            w.create(&series)
        })
        .unwrap();
    let (from, to) = (1_772_323_200, 1_775_001_600); // March 2026
    let mut seen = Vec::new();
    store
        .for_each_event_between_ref(from, to, None, |row| {
            if seen.is_empty() {
                let other = Connection::open(&file).unwrap();
                other
                    .execute("DELETE FROM records WHERE id = ?1", [&series.id])
                    .unwrap();
            }
            seen.push(row.id.to_string());
            Ok::<_, StoreError>(())
        })
        .unwrap();
    assert_eq!(seen, [single.id.clone(), series.id.clone()]);
}

/// Rows read in listing order come as `list` gives them: ties of the sort key
/// (several titles shared, across collections) in id order, of one collection
/// when asked.
#[test]
fn raw_rows_in_listing_order_are_the_listing() {
    let mut store = Store::open_in_memory().unwrap();
    let first = store.default_collection(Kind::Contact).unwrap().id;
    let second = store
        .write(|w| w.put_collection(Kind::Contact, "Work"))
        .unwrap()
        .id;
    for i in 0..40 {
        let c = if i % 3 == 0 { &second } else { &first };
        let mut r = Record::new(Kind::Contact, c);
        // Ids falling as rows are added: id order is not the table's.
        r.id = format!("id-{:03}", 99 - i);
        r.set_text("FN", ["Ada", "Bob", "Cy", "Ada", "Dee"][i % 5]);
        if i % 7 == 0 {
            r.set_text("FN", &format!("Solo {i}"));
        }
        store.write(|w| w.create(&r)).unwrap();
    }
    for collection in [None, Some(first.as_str()), Some(second.as_str())] {
        let mut got = Vec::new();
        store
            .for_each_raw_sorted(Kind::Contact, collection, |r| {
                got.push(r.id.to_string());
                Ok::<(), StoreError>(())
            })
            .unwrap();
        let want: Vec<String> = store
            .list(Kind::Contact, collection)
            .unwrap()
            .into_iter()
            .map(|r| r.id)
            .collect();
        assert_eq!(got, want, "{collection:?}");
    }
}

/// Rows that cannot be read are named in listing order among the rows handed
/// over, as `ORDER BY sort_key, id` visits them: rows sharing a sort key with
/// them (held until the key changes) do not jump ahead or fall behind, and they
/// come in id order among themselves whatever order the table holds them in.
#[test]
fn unreadable_rows_in_listing_order_are_named_where_they_come() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = contacts_with_ids(
        &mut store,
        &[("id-5", "K"), ("id-3", "A"), ("id-7", "K"), ("id-8", "Z")],
    );
    // Unreadable: a body that is not text, an id that is not text; some sharing
    // the sort key `k`, in the table against their id order; one whose sort key
    // is not text (it sorts after every text).
    store
        .conn
        .execute_batch(&format!(
            "INSERT INTO records (id, kind, collection, data, sort_key)
                 VALUES ('id-9', 'contact', '{coll}', x'00ff', 'k');
             INSERT INTO records (id, kind, collection, data, sort_key)
                 VALUES ('id-1', 'contact', '{coll}', x'00ff', 'k');
             INSERT INTO records (id, kind, collection, data, sort_key)
                 VALUES (x'69642d36', 'contact', '{coll}', '{{}}', 'k');
             INSERT INTO records (id, kind, collection, data, sort_key)
                 VALUES ('id-0', 'contact', '{coll}', '{{}}', x'6b');
             INSERT INTO records (id, kind, collection, data, sort_key)
                 VALUES ('id-2', 'contact', '{coll}', x'00', 'a');"
        ))
        .unwrap();
    let want: Vec<String> = store
        .conn
        .prepare(
            "SELECT CAST(id AS TEXT) FROM records WHERE kind = 'contact' ORDER BY sort_key, id",
        )
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    let seen = std::cell::RefCell::new(Vec::new());
    let named = |seen: &std::cell::RefCell<Vec<String>>| {
        for u in store.take_undecodable() {
            seen.borrow_mut().push(u.id);
        }
    };
    store
        .for_each_raw_sorted(Kind::Contact, None, |r| {
            named(&seen);
            seen.borrow_mut().push(r.id.to_string());
            Ok::<(), StoreError>(())
        })
        .unwrap();
    named(&seen);
    assert_eq!(seen.into_inner(), want);
}

/// Contacts of these ids and names written to `store`'s default address book,
/// whose id is returned.
pub(in crate::store) fn contacts_with_ids(store: &mut Store, people: &[(&str, &str)]) -> String {
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    for (id, name) in people {
        let mut r = Record::new(Kind::Contact, &coll);
        r.id = (*id).into();
        r.set_text("FN", name);
        store.write(|w| w.create(&r)).unwrap();
    }
    coll
}

/// A profile from before migration 12 holds events indexed short of their own days
/// (a negative DURATION ended before it started; a series whose UNTIL lies before
/// DTSTART ended before its one occurrence): windows found neither. The migration
/// computes their spans again.
#[test]
fn spans_indexed_short_are_computed_again_by_migration_12() {
    use crate::model::Property;
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Event).unwrap().id;
    let event = |summary: &str, props: &[(&str, &str)]| {
        let mut r = Record::new(Kind::Event, &coll);
        r.set_text("SUMMARY", summary);
        for &(name, value) in props {
            r.body.main.props.push(Property::new(name, value));
        }
        r
    };
    let negative = event(
        "negative",
        &[("DTSTART", "20260310T090000Z"), ("DURATION", "-PT1H")],
    );
    let until_before = event(
        "until before",
        &[
            ("DTSTART", "20260312T090000Z"),
            ("DTEND", "20260312T100000Z"),
            ("RRULE", "FREQ=DAILY;UNTIL=20260301T000000Z"),
        ],
    );
    store
        .write(|w| {
            w.create(&negative)?;
            w.create(&until_before)
        })
        .unwrap();
    let day = |d: u32| {
        let from = chrono::NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let from = from.and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp();
        let found = store.events_between(from, from + 86_400, None).unwrap();
        found.iter().map(|r| r.title()).collect::<Vec<_>>()
    };
    assert_eq!(day(10), ["negative"]);
    assert_eq!(day(12), ["until before"]);
    // What the rules before stored: both spans ended before their start.
    store
        .conn
        .execute_batch("UPDATE records SET end_ts = start_ts - 3600; PRAGMA user_version = 11;")
        .unwrap();
    assert!(day(10).is_empty() && day(12).is_empty());
    super::migrate::migrate(&store.conn).unwrap();
    assert_eq!(day(10), ["negative"]);
    assert_eq!(day(12), ["until before"]);
}
