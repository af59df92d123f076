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

mod streamed;

/// What an import that reads its input whole writes: `input` read at once, then
/// its items written one by one in one transaction into `store` (into
/// `collection`, if named); the report, and the items that did not read.
fn written_whole(
    store: &mut Store,
    input: &Input,
    collection: Option<&str>,
) -> (ImportReport, Vec<InvalidItem>) {
    let set = read::read_input(input, None, false).unwrap();
    let mut writer = write::ItemWriter::new(store, collection, false).unwrap();
    store
        .write(|w| {
            for it in set.items {
                writer.write(w, it)?;
            }
            Ok(())
        })
        .unwrap();
    (writer.report, set.invalid)
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
    let (want, invalid) = written_whole(&mut whole, &input, None);
    let counts = |r: &ImportReport| (r.created, r.updated, r.unchanged);
    assert_eq!(counts(&got), counts(&want));
    assert_eq!(got.duplicates, want.duplicates);
    let named = |v: &[InvalidItem]| v.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(named(&got.skipped), named(&invalid));
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
