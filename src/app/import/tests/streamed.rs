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
    // and an id that begins with a counter (the indexes on ids stay ordered, and
    // the 8 characters a listing shows tell the records apart).
    let ids: Vec<String> = ["a", "b"]
        .iter()
        .map(|uid| store.by_uid(Kind::Event, uid).unwrap()[0].id.clone())
        .collect();
    for id in &ids {
        assert!(crate::store::change_log::has_history(&store, id).unwrap());
        assert_eq!(uuid::Uuid::parse_str(id).unwrap().get_version_num(), 8);
    }
    assert_ne!(ids[0][..8], ids[1][..8], "{ids:?}");
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
    let (want, invalid) = super::written_whole(&mut whole, &input, Some("Imported"));
    let counts = |r: &ImportReport| (r.created, r.updated, r.unchanged, r.skipped.len());
    assert_eq!(
        counts(&got),
        (want.created, want.updated, want.unchanged, invalid.len())
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
