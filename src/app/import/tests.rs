use super::*;
use crate::model::Kind;

const TWO_GOOD_ONE_BAD: &str = "BEGIN:VCARD\nVERSION:4.0\nUID:a\nFN:A\nEND:VCARD\n\
    BEGIN:VCARD\nVERSION:4.0\nUID:b\nFN B without colon\nEND:VCARD\n\
    BEGIN:VCARD\nVERSION:4.0\nUID:c\nFN:C\nEND:VCARD\n";

fn bytes(text: &str) -> Input {
    Input::Bytes {
        name: "<stdin>".into(),
        bytes: text.as_bytes().to_vec(),
    }
}

fn card(uid: &str, name: &str) -> String {
    format!("BEGIN:VCARD\nVERSION:4.0\nUID:{uid}\nFN:{name}\nEND:VCARD\n")
}

fn run(store: &mut Store, input: &Input, options: &ImportOptions) -> ImportReport {
    import(store, input, options, &mut |_| {}).unwrap()
}

#[test]
fn reimport_updates_by_uid_and_identical_items_write_nothing() {
    let mut store = Store::open_in_memory().unwrap();
    let first = card("u1", "Ada") + &card("u2", "Bob");
    let r = run(&mut store, &bytes(&first), &ImportOptions::default());
    assert_eq!((r.created, r.updated, r.unchanged), (2, 0, 0));

    let second = card("u1", "Ada Lovelace") + &card("u2", "Bob");
    let r = run(&mut store, &bytes(&second), &ImportOptions::default());
    assert_eq!((r.created, r.updated, r.unchanged), (0, 1, 1));
    let names: Vec<String> = store
        .list(Kind::Contact, None)
        .unwrap()
        .iter()
        .map(|c| c.title())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Ada Lovelace".to_string()), "{names:?}");
}

#[test]
fn an_invalid_item_aborts_with_nothing_written() {
    let mut store = Store::open_in_memory().unwrap();
    let options = ImportOptions {
        collection: Some("New".into()),
        ..Default::default()
    };
    let err = import(&mut store, &bytes(TWO_GOOD_ONE_BAD), &options, &mut |_| {}).unwrap_err();
    let ImportError::Invalid { invalid } = &err else {
        panic!("{err}");
    };
    assert_eq!(invalid.len(), 1);
    assert!(
        invalid[0]
            .to_string()
            .starts_with("<stdin>: item 2 (line 9)"),
        "{}",
        invalid[0]
    );
    assert_eq!(store.count(Kind::Contact).unwrap(), 0);
    assert!(
        store
            .collection_by_name(Kind::Contact, "New")
            .unwrap()
            .is_none()
    );
}

#[test]
fn skipping_invalid_items_imports_the_rest_and_names_the_skipped() {
    let mut store = Store::open_in_memory().unwrap();
    let options = ImportOptions {
        skip_invalid: true,
        collection: Some("New".into()),
        ..Default::default()
    };
    let r = run(&mut store, &bytes(TWO_GOOD_ONE_BAD), &options);
    assert_eq!(r.created, 2);
    assert_eq!(r.skipped.len(), 1);
    assert_eq!((r.skipped[0].error.index, r.skipped[0].error.line), (2, 9));
    let new = store
        .collection_by_name(Kind::Contact, "New")
        .unwrap()
        .unwrap();
    assert_eq!(store.list(Kind::Contact, Some(&new.id)).unwrap().len(), 2);
}

#[test]
fn a_repeated_uid_is_reported_and_the_later_item_wins() {
    let mut store = Store::open_in_memory().unwrap();
    let text = card("same", "First") + &card("same", "Second");
    let r = run(&mut store, &bytes(&text), &ImportOptions::default());
    assert_eq!(
        r.duplicates,
        [DuplicateUid {
            file: "<stdin>".into(),
            index: 2,
            first_index: 1,
            uid: "same".into(),
        }]
    );
    let all = store.list(Kind::Contact, None).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].title(), "Second");
}

#[test]
fn progress_is_reported_every_step() {
    let mut store = Store::open_in_memory().unwrap();
    let text: String = (0..1200).map(|i| card(&format!("p{i}"), "P")).collect();
    let mut seen = Vec::new();
    import(
        &mut store,
        &bytes(&text),
        &ImportOptions::default(),
        &mut |p| seen.push(p.done),
    )
    .unwrap();
    assert_eq!(seen, [0, 500, 1000]);
}

#[test]
fn unreadable_and_empty_inputs_are_typed_errors() {
    let mut store = Store::open_in_memory().unwrap();
    let missing = Input::Path("/nonexistent/x.ics".into());
    let err = import(&mut store, &missing, &ImportOptions::default(), &mut |_| {}).unwrap_err();
    assert!(
        matches!(&err, ImportError::Read { path, .. } if path == "/nonexistent/x.ics"),
        "{err}"
    );
    let err = import(
        &mut store,
        &bytes("hello"),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::UnknownFormat(_)), "{err}");
    let empty = "BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n";
    let err = import(
        &mut store,
        &bytes(empty),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::Empty(_)), "{err}");
    let vdir_file = ImportOptions {
        format: Some(Format::Vdir),
        ..Default::default()
    };
    let err = import(&mut store, &bytes(&card("x", "X")), &vdir_file, &mut |_| {}).unwrap_err();
    assert!(matches!(err, ImportError::VdirNeedsFolder(_)), "{err}");
}

#[test]
fn formats_are_told_by_content_then_extension() {
    use std::path::Path;
    assert_eq!(detect(b"BEGIN:VCARD\n", None), Some(Format::Vcf));
    assert_eq!(
        detect(b"\xef\xbb\xbf  begin:vcalendar\n", None),
        Some(Format::Ics)
    );
    assert_eq!(detect(b"[{}]", None), Some(Format::Json));
    assert_eq!(
        detect(b"# Title", Some(Path::new("a.md"))),
        Some(Format::Md)
    );
    assert_eq!(detect(b"# Title", None), None);
    // Front matter marks Markdown on stdin too (it used to need a file extension).
    assert_eq!(detect(b"---\ntitle: x\n---\n", None), Some(Format::Md));
    assert_eq!(
        detect(b"---\ntitle: x\n---\n", Some(Path::new("note"))),
        Some(Format::Md)
    );
}

#[test]
fn markdown_folders_import_each_note() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("one.md"), "# One\n\nfirst").unwrap();
    std::fs::write(dir.path().join("two.markdown"), "# Two\n\nsecond").unwrap();
    std::fs::write(dir.path().join("skip.txt"), "not a note").unwrap();
    let mut store = Store::open_in_memory().unwrap();
    let input = Input::Path(dir.path().to_path_buf());
    let r = run(&mut store, &input, &ImportOptions::default());
    assert_eq!(r.created, 2);
    let empty = tempfile::tempdir().unwrap();
    let err = import(
        &mut store,
        &Input::Path(empty.path().to_path_buf()),
        &ImportOptions::default(),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(err, ImportError::EmptyFolder(_)), "{err}");
}

/// A backup of `store` as `pim export --format json` writes it.
fn backup(store: &Store) -> String {
    let collections = store.collections(None).unwrap();
    let mut text = String::from("[");
    let mut first = true;
    for kind in Kind::ALL {
        for r in store.list(kind, None).unwrap() {
            let c = collections.iter().find(|c| c.id == r.collection).unwrap();
            text.push_str(if first { "\n" } else { ",\n" });
            first = false;
            crate::formats::json::write_json_item(
                &mut text,
                &r,
                &c.name,
                Some(c),
                crate::model::zonedb::UTC,
                None,
            );
        }
    }
    text.push_str(crate::formats::json::JSON_END);
    text
}

#[test]
fn a_json_restore_brings_back_collection_settings() {
    let mut old = Store::open_in_memory().unwrap();
    let private = old
        .write(|w| {
            let mut c = w.put_collection(Kind::Contact, "Private")?;
            c.sync = false;
            c.color = Some("#aa0000".into());
            c.default_alarms = Some("+9h".into());
            w.change_collection(&c)?;
            let mut cal = w.collection("default-event")?;
            cal.sync = false;
            w.change_collection(&cal)?;
            Ok(c)
        })
        .unwrap();
    run(
        &mut old,
        &bytes(&card("p1", "Hidden")),
        &ImportOptions {
            collection: Some("Private".into()),
            ..Default::default()
        },
    );
    let ev = "BEGIN:VCALENDAR\nBEGIN:VEVENT\nUID:e1\nDTSTART:20260101T100000Z\nSUMMARY:x\nEND:VEVENT\nEND:VCALENDAR\n";
    run(&mut old, &bytes(ev), &ImportOptions::default());

    let mut fresh = Store::open_in_memory().unwrap();
    let r = run(&mut fresh, &bytes(&backup(&old)), &ImportOptions::default());
    assert_eq!(r.created, 2);
    let restored = fresh
        .collection_by_name(Kind::Contact, "Private")
        .unwrap()
        .unwrap();
    assert_eq!(
        restored, private,
        "id, colour, sync flag and alarms come back"
    );
    let calendar = fresh.collection_by_id("default-event").unwrap().unwrap();
    assert!(
        !calendar.sync,
        "an existing collection takes the saved flag"
    );

    // Redirected with --collection, the saved settings stay out of it.
    let mut other = Store::open_in_memory().unwrap();
    let into = ImportOptions {
        collection: Some("Inbox".into()),
        ..Default::default()
    };
    run(&mut other, &bytes(&backup(&old)), &into);
    let inbox = other.collection_by_name(Kind::Contact, "Inbox").unwrap();
    assert!(inbox.unwrap().sync);
}

#[test]
fn an_update_by_uid_writes_only_the_fields_that_differ() {
    let mut store = Store::open_in_memory().unwrap();
    let first = "BEGIN:VCARD\nVERSION:4.0\nUID:u1\nFN:Ada\nORG:Acme\nNOTE:hi\nEND:VCARD\n";
    run(&mut store, &bytes(first), &ImportOptions::default());
    // The same card exported by another program: other order, one field changed.
    let second = "BEGIN:VCARD\nVERSION:4.0\nNOTE:hi\nORG:Acme\nUID:u1\nFN:Ada L.\nEND:VCARD\n";
    let r = run(&mut store, &bytes(second), &ImportOptions::default());
    assert_eq!(r.updated, 1);
    let stored = store.by_uid(Kind::Contact, "u1").unwrap().remove(0);
    let order: Vec<&str> = stored
        .body
        .main
        .props
        .iter()
        .map(|p| p.name.as_str())
        .filter(|n| ["FN", "ORG", "NOTE"].contains(n))
        .collect();
    assert_eq!(
        order,
        ["FN", "ORG", "NOTE"],
        "untouched fields stay as stored"
    );
    assert_eq!(stored.text("FN").as_deref(), Some("Ada L."));
    let log = store.log(&crate::store::LogFilter::default()).unwrap();
    let crate::model::Op::Update { fields } = &log.last().unwrap().op else {
        panic!("{:?}", log.last());
    };
    let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(keys, ["FN"]);
}

mod streamed {
    //! One iCalendar file is read in two passes, item by item: what spans items
    //! (zones, UIDs in several components) must come out as reading it whole did.
    use super::*;

    const ZONE: &str = "BEGIN:VTIMEZONE\nTZID:Test/Plus0530\nBEGIN:STANDARD\n\
        DTSTART:19700101T000000\nTZOFFSETFROM:+0530\nTZOFFSETTO:+0530\nEND:STANDARD\n\
        END:VTIMEZONE\n";

    fn event(uid: &str, extra: &str) -> String {
        format!(
            "BEGIN:VEVENT\nUID:{uid}\nDTSTAMP:20260101T000000Z\n\
             DTSTART;TZID=Test/Plus0530:20260301T120000\n\
             DTEND;TZID=Test/Plus0530:20260301T130000\nSUMMARY:{uid}\n{extra}END:VEVENT\n"
        )
    }

    fn calendar(parts: &[&str]) -> String {
        format!(
            "BEGIN:VCALENDAR\nVERSION:2.0\n{}END:VCALENDAR\n",
            parts.concat()
        )
    }

    /// Import `text` from a file (the streamed path reads files, not bytes).
    fn import_file(
        store: &mut Store,
        text: &str,
        options: &ImportOptions,
    ) -> Result<ImportReport, ImportError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cal.ics");
        std::fs::write(&path, text).unwrap();
        import(store, &Input::Path(path), options, &mut |_| {})
    }

    /// 12:00 at +05:30 is 06:30 UTC: found in [06:00, 07:00) UTC only with the zone.
    fn found_at_0630_utc(store: &Store) -> Vec<String> {
        let from = 1_772_344_800; // 2026-03-01T06:00:00Z
        store
            .events_between(from, from + 3600, None)
            .unwrap()
            .iter()
            .map(|r| r.title())
            .collect()
    }

    #[test]
    fn a_zone_defined_after_the_events_that_use_it_still_applies() {
        let mut late = Store::open_in_memory().unwrap();
        let text = calendar(&[&event("a", ""), &event("b", ""), ZONE]);
        let r = import_file(&mut late, &text, &ImportOptions::default()).unwrap();
        assert_eq!(r.created, 2);
        assert_eq!(found_at_0630_utc(&late).len(), 2);
        let mut early = Store::open_in_memory().unwrap();
        let text = calendar(&[ZONE, &event("a", ""), &event("b", "")]);
        import_file(&mut early, &text, &ImportOptions::default()).unwrap();
        let bodies = |s: &Store| {
            let mut b: Vec<String> = s
                .list(Kind::Event, None)
                .unwrap()
                .iter()
                .map(|r| serde_json::to_string(&r.body).unwrap())
                .collect();
            b.sort();
            b
        };
        assert_eq!(bodies(&late), bodies(&early));
        assert!(bodies(&late)[0].contains("Test/Plus0530"));
    }

    #[test]
    fn components_of_one_uid_far_apart_make_one_record() {
        let mut store = Store::open_in_memory().unwrap();
        let moved = "BEGIN:VEVENT\nUID:series\nDTSTAMP:20260101T000000Z\n\
            RECURRENCE-ID;TZID=Test/Plus0530:20260308T120000\n\
            DTSTART;TZID=Test/Plus0530:20260308T150000\nSUMMARY:moved\nEND:VEVENT\n";
        let filler: Vec<String> = (0..50).map(|i| event(&format!("f{i}"), "")).collect();
        let text = calendar(&[
            moved,
            &filler.concat(),
            &event("series", "SEQUENCE:1\nRRULE:FREQ=WEEKLY;COUNT=4\n"),
            &event("lone", ""),
            &event("series", "RRULE:FREQ=WEEKLY;COUNT=2\n"),
            ZONE,
        ]);
        let r = import_file(&mut store, &text, &ImportOptions::default()).unwrap();
        assert_eq!(r.created, 52);
        assert_eq!(r.superseded.len(), 1, "{:?}", r.superseded);
        // The series is item 1 (its first component), whatever came between.
        assert!(
            r.superseded[0].to_string().contains("item 1 (line"),
            "{}",
            r.superseded[0]
        );
        let series = store.by_uid(Kind::Event, "series").unwrap();
        assert_eq!(series.len(), 1);
        let body = &series[0].body;
        assert_eq!(body.overrides.len(), 1);
        assert!(body.main.prop("RRULE").unwrap().value.contains("COUNT=4"));
        assert_eq!(body.timezones.len(), 1);
    }

    #[test]
    fn a_file_updates_what_was_stored_before_it_and_only_records_of_its_kind() {
        let mut store = Store::open_in_memory().unwrap();
        // A task with an event's UID is another record.
        let tasks = store.default_collection(Kind::Task).unwrap().id;
        let mut task = crate::model::Record::new(Kind::Task, &tasks);
        task.set_text("UID", "a");
        task.set_text("SUMMARY", "task a");
        store.write(|w| w.create(&task)).unwrap();
        let text = calendar(&[ZONE, &event("a", ""), &event("b", "")]);
        let r = import_file(&mut store, &text, &ImportOptions::default()).unwrap();
        assert_eq!((r.created, r.updated, r.unchanged), (2, 0, 0));
        // Events stored before (one by hand, as another process would): updated.
        let events = store.default_collection(Kind::Event).unwrap().id;
        let mut c = crate::model::Record::new(Kind::Event, &events);
        c.set_text("UID", "c");
        c.set_text("SUMMARY", "old c");
        store.write(|w| w.create(&c)).unwrap();
        let text = calendar(&[
            ZONE,
            &event("a", "LOCATION:here\n"),
            &event("b", ""),
            &event("c", ""),
        ]);
        let r = import_file(&mut store, &text, &ImportOptions::default()).unwrap();
        assert_eq!((r.created, r.updated, r.unchanged), (0, 2, 1));
        assert_eq!(store.count(Kind::Event).unwrap(), 3);
        assert_eq!(store.by_uid(Kind::Event, "c").unwrap()[0].title(), "c");
        assert_eq!(store.by_uid(Kind::Task, "a").unwrap()[0].title(), "task a");
        // Every created record has its create in the change log, for other devices,
        // and an id that begins with its time (UUID v7: the indexes on ids stay ordered).
        for uid in ["a", "b"] {
            let id = &store.by_uid(Kind::Event, uid).unwrap()[0].id;
            assert!(crate::store::change_log::has_history(&store, id).unwrap());
            assert_eq!(
                uuid::Uuid::parse_str(id).unwrap().get_version_num(),
                7,
                "{id}"
            );
        }
    }

    /// A file that changed between its two readings may bring a UID twice after all:
    /// the second updates the first, even into a kind that was empty.
    #[test]
    fn a_key_that_comes_twice_unannounced_updates_the_record_it_wrote() {
        let mut store = Store::open_in_memory().unwrap();
        let mut writer = super::super::write::ItemWriter::new(&store, None, true).unwrap();
        let incoming = |summary: &str| {
            let coll = String::new();
            let mut record = crate::model::Record::new(Kind::Event, &coll);
            record.set_text("UID", "twice");
            record.set_text("SUMMARY", summary);
            super::super::read::Incoming {
                source: "cal.ics".into(),
                index: 1,
                record,
                collection: None,
                keep_id: false,
                settings: None,
                row: None,
            }
        };
        store
            .write(|w| {
                writer.write(w, incoming("first"))?;
                writer.write(w, incoming("second"))
            })
            .unwrap();
        assert_eq!((writer.report.created, writer.report.updated), (1, 1));
        let found = store.by_uid(Kind::Event, "twice").unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].title(), "second");
    }

    #[test]
    fn invalid_items_late_in_a_big_file_roll_everything_back() {
        let mut store = Store::open_in_memory().unwrap();
        let mut parts: Vec<String> = (0..1200).map(|i| event(&format!("e{i}"), "")).collect();
        parts[1100] = event("bad1", "RRULE:FREQ=SOMETIMES\n");
        parts[1150] = event("bad2", "DURATION:soon\n");
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let text = calendar(&refs);
        let options = ImportOptions {
            collection: Some("New".into()),
            ..Default::default()
        };
        let err = import_file(&mut store, &text, &options).unwrap_err();
        let ImportError::Invalid { invalid } = &err else {
            panic!("{err}");
        };
        let named: Vec<usize> = invalid.iter().map(|i| i.error.index).collect();
        assert_eq!(named, [1101, 1151]);
        assert_eq!(store.count(Kind::Event).unwrap(), 0);
        assert!(
            store
                .collection_by_name(Kind::Event, "New")
                .unwrap()
                .is_none()
        );
        let skip = ImportOptions {
            skip_invalid: true,
            ..options
        };
        let r = import_file(&mut store, &text, &skip).unwrap();
        assert_eq!((r.created, r.skipped.len()), (1198, 2));
        assert_eq!(store.count(Kind::Event).unwrap(), 1198);
    }

    /// A calendar of several batches (a zone, series with overrides far from
    /// their master, invalid events, tasks, events stored before, a `--collection`):
    /// the streamed import (two threads) stores what writing the items read whole
    /// stores, one by one on one thread.
    #[test]
    fn a_streamed_calendar_stores_what_writing_the_items_read_whole_stores() {
        let mut parts: Vec<String> = vec![ZONE.to_string()];
        for i in 0..400 {
            let uid = format!("e{}", i % 330);
            parts.push(match i % 61 {
                7 => event(&format!("bad{i}"), "DURATION:soon\n"),
                8 => event(&uid, "RRULE:FREQ=DAILY;COUNT=5\n"),
                9 => event(&format!("e{}", i - 1), "RECURRENCE-ID:20260302T120000\n"),
                10 => format!("BEGIN:VTODO\nUID:t{i}\nSUMMARY:task {i}\nEND:VTODO\n"),
                _ => event(&uid, &format!("DESCRIPTION:{i}\n")),
            });
        }
        let refs: Vec<&str> = parts.iter().map(String::as_str).collect();
        let text = calendar(&refs);
        let options = ImportOptions {
            skip_invalid: true,
            collection: Some("Imported".into()),
            ..Default::default()
        };
        let prepare = || {
            let mut store = Store::open_in_memory().unwrap();
            let before = calendar(&[ZONE, &event("e3", ""), &event("e500", "")]);
            import_file(&mut store, &before, &ImportOptions::default()).unwrap();
            store
        };
        let mut streamed = prepare();
        let got = import_file(&mut streamed, &text, &options).unwrap();
        let mut whole = prepare();
        let input = Input::Bytes {
            name: "cal.ics".into(),
            bytes: text.into_bytes(),
        };
        let set = super::super::read::read_input(&input, None, false).unwrap();
        let mut writer =
            super::super::write::ItemWriter::new(&whole, Some("Imported"), false).unwrap();
        whole
            .write(|w| {
                for it in set.items {
                    writer.write(w, it)?;
                }
                Ok(())
            })
            .unwrap();
        let want = writer.report;
        let counts = |r: &ImportReport| (r.created, r.updated, r.unchanged, r.skipped.len());
        assert_eq!(
            counts(&got),
            (
                want.created,
                want.updated,
                want.unchanged,
                set.invalid.len()
            )
        );
        assert!(got.skipped.len() >= 6, "{:?}", got.skipped.len());
        let records = |s: &Store, kind: Kind| {
            let names: std::collections::HashMap<String, String> = s
                .collections(None)
                .unwrap()
                .into_iter()
                .map(|c| (c.id, c.name))
                .collect();
            let mut all: Vec<_> = s
                .list(kind, None)
                .unwrap()
                .into_iter()
                .map(|r| {
                    (
                        r.uid().map(str::to_string),
                        names[&r.collection].clone(),
                        r.body,
                    )
                })
                .collect();
            all.sort_by(|a, b| a.0.cmp(&b.0));
            all
        };
        for kind in [Kind::Event, Kind::Task] {
            assert_eq!(records(&streamed, kind), records(&whole, kind), "{kind:?}");
        }
    }

    /// A record the store refuses (nested too deep) among items without end: the
    /// writing thread's error is the one returned, the reading thread stops soon
    /// after (no deadlock, no reading to the end), and nothing is written.
    #[test]
    fn a_write_that_fails_stops_the_reading_and_writes_nothing() {
        use crate::formats::ParsedItem;
        use crate::model::{Component, MAX_COMPONENT_DEPTH, Record};
        let mut store = Store::open_in_memory().unwrap();
        let mut read_count = 0;
        let endless = |sink: &mut Sink<'_>| -> Result<(), ImportError> {
            for n in 1..=1_000_000 {
                let mut record = Record::new(Kind::Event, "");
                record.set_text("UID", &format!("u{n}"));
                if n == 300 {
                    let mut deep = Component::new("X");
                    for _ in 0..MAX_COMPONENT_DEPTH {
                        let mut parent = Component::new("X");
                        parent.subs.push(deep);
                        deep = parent;
                    }
                    record.body.main.subs.push(deep);
                }
                let item = ParsedItem {
                    record,
                    index: n,
                    line: n,
                };
                read_count = n;
                sink(n, Ok(item))?;
            }
            Ok(())
        };
        let options = ImportOptions::default();
        let err = super::super::write_streamed(
            &mut store,
            "cal.ics",
            &options,
            1_000_000,
            true,
            &mut |_| {},
            endless,
        )
        .unwrap_err();
        assert!(
            matches!(err, ImportError::Store(StoreError::TooDeep { .. })),
            "{err}"
        );
        assert!(read_count < 2_000, "read on to item {read_count}");
        assert_eq!(store.count(Kind::Event).unwrap(), 0);
    }

    /// The reading thread's own error (a file that cannot be read any more) comes
    /// back as it was, after the items before it were handed over; nothing written.
    #[test]
    fn a_read_that_fails_returns_its_error_and_writes_nothing() {
        use crate::formats::ParsedItem;
        use crate::model::Record;
        let mut store = Store::open_in_memory().unwrap();
        let failing = |sink: &mut Sink<'_>| -> Result<(), ImportError> {
            for n in 1..=500 {
                let mut record = Record::new(Kind::Event, "");
                record.set_text("UID", &format!("u{n}"));
                sink(
                    n,
                    Ok(ParsedItem {
                        record,
                        index: n,
                        line: n,
                    }),
                )?;
            }
            Err(ImportError::Read {
                path: "cal.ics".into(),
                source: std::io::Error::other("gone"),
            })
        };
        let mut seen = Vec::new();
        let err = super::super::write_streamed(
            &mut store,
            "cal.ics",
            &ImportOptions::default(),
            500,
            true,
            &mut |p| seen.push(p.done),
            failing,
        )
        .unwrap_err();
        assert!(matches!(err, ImportError::Read { .. }), "{err}");
        assert_eq!(seen, (0..500).step_by(PROGRESS_STEP).collect::<Vec<_>>());
        assert_eq!(store.count(Kind::Event).unwrap(), 0);
    }
}

/// A vCard file of many batches with repeated UIDs (some of records stored
/// before), invalid cards among them, and invalid items skipped: the streamed
/// import (read on one thread, written on another) does what writing the items
/// read whole does, one by one on one thread.
#[test]
fn a_streamed_vcf_import_does_what_writing_the_items_read_whole_does() {
    let mut text = String::new();
    for i in 0..700 {
        match i % 97 {
            13 => text.push_str("BEGIN:VCARD\nVERSION:4.0\nUID:bad\nFN broken\nEND:VCARD\n"),
            _ => text += &card(&format!("u{}", i % 250), &format!("Name {}", i % 300)),
        }
    }
    let prepare = || {
        let mut store = Store::open_in_memory().unwrap();
        let before = card("u3", "Before") + &card("u400", "Kept") + &card("u7", "Name 257");
        run(&mut store, &bytes(&before), &ImportOptions::default());
        store
    };
    // From a file: read twice, streamed.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cards.vcf");
    std::fs::write(&path, &text).unwrap();
    let input = Input::Path(path);
    let options = ImportOptions {
        skip_invalid: true,
        ..Default::default()
    };
    let mut streamed = prepare();
    let got = run(&mut streamed, &input, &options);
    let mut whole = prepare();
    let set = read::read_input(&input, None, false).unwrap();
    let mut writer = write::ItemWriter::new(&whole, None, false).unwrap();
    whole
        .write(|w| {
            for it in set.items {
                writer.write(w, it)?;
            }
            Ok(())
        })
        .unwrap();
    let want = writer.report;
    let counts = |r: &ImportReport| (r.created, r.updated, r.unchanged);
    assert_eq!(counts(&got), counts(&want));
    assert_eq!(got.duplicates, want.duplicates);
    let named = |v: &[InvalidItem]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(named(&got.skipped), named(&set.invalid));
    assert_eq!(got.skipped.len(), 8);
    let records = |s: &Store| {
        let mut all: Vec<_> = s
            .list(Kind::Contact, None)
            .unwrap()
            .into_iter()
            .map(|r| (r.uid().map(str::to_string), r.collection, r.body))
            .collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    };
    assert_eq!(records(&streamed), records(&whole));
}
