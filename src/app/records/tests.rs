use super::*;
use chrono::TimeZone;

fn cx() -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        tz: "Europe/Berlin".parse().unwrap(),
    }
}

fn store() -> Store {
    Store::open_in_memory().unwrap()
}

fn create(s: &mut Store, kind: Kind, fields: &[(Field, &str)]) -> Result<Record, RecordError> {
    let mut e = RecordEdit::create(kind);
    for (f, v) in fields {
        e.set(*f, *v);
    }
    save(s, &e, &cx()).map(|saved| saved.after)
}

fn set(s: &mut Store, r: &Record, field: Field, v: &str) -> Result<Record, RecordError> {
    let mut e = RecordEdit::update(r.kind, &r.id);
    e.set(field, v);
    save(s, &e, &cx()).map(|saved| saved.after)
}

#[test]
fn event_fields() {
    let mut s = store();
    let r = create(
        &mut s,
        Kind::Event,
        &[
            (Field::Summary, "Standup"),
            (Field::Duration, "1h30m"),
            (Field::Start, "2026-12-01 10:00"),
        ],
    )
    .unwrap();
    assert_eq!(
        r.prop("DTSTART").unwrap().param("TZID"),
        Some("Europe/Berlin")
    );
    assert_eq!(r.prop("DTEND").unwrap().value, "20261201T113000");
    assert!(r.prop("CREATED").is_some() && r.prop("DTSTAMP").is_some());
    let r = set(&mut s, &r, Field::Start, "2026-12-02 10:00").unwrap();
    assert_eq!(
        r.prop("DTEND").unwrap().value,
        "20261202T113000",
        "length kept"
    );
    let e = set(&mut s, &r, Field::End, "2026-12-01 10:00").unwrap_err();
    assert!(e.to_string().contains("before the start"), "{e}");
    let r = set(&mut s, &r, Field::Rrule, "FREQ=WEEKLY;BYDAY=MO,WE").unwrap();
    assert_eq!(r.prop("RRULE").unwrap().value, "FREQ=WEEKLY;BYDAY=MO,WE");
    let r = set(&mut s, &r, Field::Rrule, "every 2 weeks").unwrap();
    assert_eq!(r.prop("RRULE").unwrap().value, "FREQ=WEEKLY;INTERVAL=2");
    for bad in ["FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX", "sometimes"] {
        let e = set(&mut s, &r, Field::Rrule, bad).unwrap_err().to_string();
        assert!(e.starts_with("bad value for rrule: invalid RRULE"), "{e}");
    }
    assert_eq!(
        s.require(&r.id).unwrap(),
        r,
        "a refused edit writes nothing"
    );
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    assert!(matches!(
        e.set_named("colour", "x"),
        Err(RecordError::UnknownField { .. })
    ));
}

#[test]
fn times_are_typed_in_the_users_zone_and_keep_the_events_zone() {
    let mut s = store();
    let r = create(
        &mut s,
        Kind::Event,
        &[(Field::Summary, "Call"), (Field::Start, "2026-12-01 10:00")],
    )
    .unwrap();
    let r = set(&mut s, &r, Field::Tz, "America/New_York").unwrap();
    assert_eq!(r.prop("DTSTART").unwrap().value, "20261201T100000");
    let shown = text::show(&r, Field::Start, &[], &cx());
    assert_eq!(
        shown, "2026-12-01 16:00",
        "shown in the user's zone (Berlin)"
    );
    let r = set(&mut s, &r, Field::Start, "2026-12-01 17:00").unwrap();
    let start = r.prop("DTSTART").unwrap();
    assert_eq!(start.param("TZID"), Some("America/New_York"));
    assert_eq!(start.value, "20261201T110000");
    assert_eq!(
        r.prop("DTEND").unwrap().value,
        "20261201T120000",
        "length kept"
    );
}

#[test]
fn all_day_end_is_the_last_day() {
    let mut s = store();
    let r = create(
        &mut s,
        Kind::Event,
        &[
            (Field::Summary, "Trip"),
            (Field::End, "2026-11-29"),
            (Field::Start, "2026-11-27"),
        ],
    )
    .unwrap();
    assert_eq!(r.prop("DTEND").unwrap().value, "20261130");
    let e = set(&mut s, &r, Field::End, "2026-11-29 10:00").unwrap_err();
    assert!(e.to_string().contains("give a date too"), "{e}");
    let r = set(&mut s, &r, Field::End, "").unwrap();
    assert_eq!(r.prop("DTEND").unwrap().value, "20261128", "one day");
}

#[test]
fn contacts_and_the_name_rule() {
    let mut s = store();
    let c = create(
        &mut s,
        Kind::Contact,
        &[
            (Field::FullName, "Ada King Lovelace"),
            (Field::Emails, "ada@x.org (work), ada@y.org"),
        ],
    )
    .unwrap();
    assert_eq!(c.prop("N").unwrap().value, "Lovelace;Ada King;;;");
    assert_eq!(c.props_named("EMAIL").count(), 2);
    assert_eq!(c.prop("EMAIL").unwrap().param("TYPE"), Some("work"));
    assert!(c.prop("CREATED").is_none(), "vCards have no CREATED");
    // A rename keeps N (only the first name derives it); N can be set on its own.
    let c = set(&mut s, &c, Field::FullName, "Ada Lovelace").unwrap();
    assert_eq!(c.prop("N").unwrap().value, "Lovelace;Ada King;;;");
    let c = set(&mut s, &c, Field::StructuredName, "Byron;Augusta Ada").unwrap();
    assert_eq!(c.prop("N").unwrap().value, "Byron;Augusta Ada;;;");
    assert_eq!(structured_name("Ada"), ";Ada;;;", "one word: a given name");
    for (field, bad) in [
        (Field::Emails, "nope"),
        (Field::Emails, "ada @x.org"),
        (Field::Phones, "call me"),
        (Field::Url, "not a url"),
        (Field::Birthday, "1815-13-10"),
        (Field::FullName, " "),
    ] {
        let e = set(&mut s, &c, field, bad).unwrap_err();
        assert!(
            matches!(e, RecordError::Invalid { field: f, .. } if f == field),
            "{field:?} {bad:?}: {e}"
        );
    }
    assert_eq!(s.require(&c.id).unwrap(), c, "unchanged after errors");
}

#[test]
fn tasks_and_notes_get_their_defaults() {
    let mut s = store();
    let t = create(
        &mut s,
        Kind::Task,
        &[(Field::Summary, "Pay"), (Field::Priority, "3")],
    )
    .unwrap();
    assert_eq!(t.text("STATUS").as_deref(), Some("NEEDS-ACTION"));
    assert!(set(&mut s, &t, Field::Priority, "10").is_err());
    let t = set(&mut s, &t, Field::Status, "done").unwrap();
    assert!(t.prop("COMPLETED").is_some());
    let t = set(&mut s, &t, Field::Completed, "false").unwrap();
    assert!(t.prop("COMPLETED").is_none());
    let n = create(&mut s, Kind::Note, &[(Field::Summary, "Ideas")]).unwrap();
    assert_eq!(n.prop("DTSTART").unwrap().value, "20261125");
    let e = create(&mut s, Kind::Note, &[(Field::Description, "no title")]).unwrap_err();
    assert!(
        matches!(
            e,
            RecordError::Invalid {
                field: Field::Summary,
                ..
            }
        ),
        "{e}"
    );
    let e = create(&mut s, Kind::Note, &[(Field::Emails, "a@b")]).unwrap_err();
    assert!(matches!(e, RecordError::UnknownField { .. }), "{e}");
}

#[test]
fn untouched_fields_are_never_written() {
    let mut s = store();
    let c = create(
        &mut s,
        Kind::Contact,
        &[(Field::FullName, "Jonas Becker"), (Field::Org, "Acme")],
    )
    .unwrap();
    // Another front-end changes the organisation meanwhile...
    set(&mut s, &c, Field::Org, "Globex").unwrap();
    // ...while a form opened before that saves a new name.
    let mut form = RecordEdit::update(Kind::Contact, &c.id);
    form.change(Field::FullName, "Jonas Becker", "Jonas Becker-Wolf");
    let saved = save(&mut s, &form, &cx()).unwrap();
    assert_eq!(saved.after.text("FN").as_deref(), Some("Jonas Becker-Wolf"));
    assert_eq!(
        saved.after.text("ORG").as_deref(),
        Some("Globex"),
        "not reverted"
    );
    assert_eq!(s.require(&c.id).unwrap(), saved.after);
}

#[test]
fn a_field_changed_meanwhile_is_a_conflict() {
    let mut s = store();
    let c = create(
        &mut s,
        Kind::Contact,
        &[(Field::FullName, "Jonas"), (Field::Org, "Acme")],
    )
    .unwrap();
    let stored = set(&mut s, &c, Field::Org, "Globex").unwrap();
    let mut stale = RecordEdit::update(Kind::Contact, &c.id);
    stale.change(Field::Org, "Acme", "Initech");
    let e = save(&mut s, &stale, &cx()).unwrap_err();
    let RecordError::Conflict { stale, current, .. } = &e else {
        panic!("{e}");
    };
    assert_eq!(
        stale,
        &vec![StaleField {
            field: Field::Org,
            seen: "Acme".into(),
            mine: "Initech".into(),
            now: "Globex".into(),
        }],
        "both values are reported"
    );
    assert_eq!(**current, stored);
    assert_eq!(s.require(&c.id).unwrap(), stored, "nothing written");
    // Both sides making the same change is no conflict.
    let mut same = RecordEdit::update(Kind::Contact, &c.id);
    same.change(Field::Org, "Acme", "Globex");
    assert!(!save(&mut s, &same, &cx()).unwrap().changed());
}

#[test]
fn delete_returns_the_record() {
    let mut s = store();
    let t = create(&mut s, Kind::Task, &[(Field::Summary, "Go")]).unwrap();
    assert_eq!(delete(&mut s, &t.id).unwrap(), t);
    assert!(s.get(&t.id).unwrap().is_none());
    assert!(matches!(
        delete(&mut s, &t.id),
        Err(RecordError::Store(StoreError::NoRecord(_)))
    ));
}

/// Issue 13's reproduction: a form open on the name while `pim edit --set org=...`
/// runs; saving the form changes the name and leaves the new org alone.
#[test]
fn a_form_saving_another_field_keeps_a_change_made_meanwhile() {
    let mut s = store();
    let c = create(
        &mut s,
        Kind::Contact,
        &[(Field::FullName, "Lost Update"), (Field::Org, "Org1")],
    )
    .unwrap();
    // The form opens: it shows the name and the org.
    let mut form_edit = RecordEdit::update(Kind::Contact, &c.id);
    // Meanwhile the CLI sets the org (a blind --set).
    set(&mut s, &c, Field::Org, "OrgFromCLI").unwrap();
    // The user appends " Jr" to the name; the org field is untouched.
    form_edit.change(Field::FullName, "Lost Update", "Lost Update Jr");
    let saved = save(&mut s, &form_edit, &cx()).unwrap();
    assert_eq!(saved.after.text("FN").as_deref(), Some("Lost Update Jr"));
    assert_eq!(saved.after.text("ORG").as_deref(), Some("OrgFromCLI"));
    let log = s.log(&crate::store::LogFilter::default()).unwrap();
    let last = log.last().unwrap();
    let crate::model::Op::Update { fields } = &last.op else {
        panic!("{last:?}");
    };
    let keys: Vec<&str> = fields.iter().map(|f| f.key.as_str()).collect();
    assert!(!keys.contains(&"ORG"), "org is not written: {keys:?}");
}

/// `pim add event --start "2026-12-01 10:00" --all-day` (or the form's All day box
/// ticked over a start with a time) made a timed event: the start, set after the
/// all-day flag, put its time back. Asked for all day, the event is all day, on
/// the start's day.
#[test]
fn all_day_with_a_timed_start_in_one_edit_is_all_day() {
    let mut s = store();
    let r = create(
        &mut s,
        Kind::Event,
        &[
            (Field::Summary, "Offsite"),
            (Field::Start, "2026-12-01 10:00"),
            (Field::AllDay, "true"),
        ],
    )
    .unwrap();
    assert_eq!(r.prop("DTSTART").unwrap().value, "20261201");
    assert_eq!(r.prop("DTEND").unwrap().value, "20261202");
    let mut e = RecordEdit::update(r.kind, &r.id);
    e.set(Field::AllDay, "true");
    e.set(Field::Start, "2026-12-03 15:00");
    let r = save(&mut s, &e, &cx()).unwrap().after;
    assert_eq!(r.prop("DTSTART").unwrap().value, "20261203");
    assert_eq!(r.prop("DTEND").unwrap().value, "20261204");
}
