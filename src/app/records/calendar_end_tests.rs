//! Event ends at the calendar's edges and across clock changes: what an edit writes
//! must read back as the event the user gave (an all-day event lasts its days; no
//! end is ever written past the year 9999, which iCalendar cannot hold).

use super::*;
use chrono::TimeZone;

fn cx() -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        tz: "Europe/Berlin".parse().unwrap(),
    }
}

fn save_edit(s: &mut Store, e: &RecordEdit) -> Result<Record, RecordError> {
    save(s, e, &cx()).map(|saved| saved.after)
}

fn create(s: &mut Store, fields: &[(Field, &str)]) -> Result<Record, RecordError> {
    let mut e = RecordEdit::create(Kind::Event);
    for (f, v) in fields {
        e.set(*f, *v);
    }
    save_edit(s, &e)
}

fn set(s: &mut Store, r: &Record, field: Field, v: &str) -> Result<Record, RecordError> {
    let mut e = RecordEdit::update(r.kind, &r.id);
    e.set(field, v);
    save_edit(s, &e)
}

/// (DTEND, DURATION) as written.
fn end_of(r: &Record) -> (Option<String>, Option<String>) {
    (
        r.prop("DTEND").map(|p| p.value.clone()),
        r.prop("DURATION").map(|p| p.value.clone()),
    )
}

/// Moving an all-day event off or onto a day whose clock changes (23 or 25 hours
/// long in the user's zone) keeps its length in days: it became zero days long.
#[test]
fn an_all_day_event_moved_across_a_clock_change_keeps_its_days() {
    let mut s = Store::open_in_memory().unwrap();
    let fields = [
        (Field::Summary, "Spring"),
        (Field::AllDay, "true"),
        (Field::Start, "2026-03-29"),
    ];
    let r = create(&mut s, &fields).unwrap();
    assert_eq!(end_of(&r), (Some("20260330".into()), None));
    // Its length as the forms show it: a day, not 23 hours.
    assert_eq!(text::show(&r, Field::Duration, &[], &cx()), "1d");
    let r = set(&mut s, &r, Field::Start, "2026-04-05").unwrap();
    assert_eq!(end_of(&r), (Some("20260406".into()), None));
    let r = set(&mut s, &r, Field::End, "2026-04-07").unwrap();
    let r = set(&mut s, &r, Field::Start, "2026-10-24").unwrap();
    assert_eq!(end_of(&r), (Some("20261027".into()), None), "three days");
    let r = set(&mut s, &r, Field::Start, "2026-03-28").unwrap();
    assert_eq!(end_of(&r), (Some("20260331".into()), None), "three days");
}

/// An all-day event on the calendar's last day, or ending on it: DTEND would be
/// 10000-01-01 (it was written as `+100000101`, or as the start: no day at all);
/// its length is written as DURATION instead.
#[test]
fn all_day_events_ending_on_the_last_day_are_written_with_a_duration() {
    let mut s = Store::open_in_memory().unwrap();
    let one = [
        (Field::Summary, "Last"),
        (Field::AllDay, "true"),
        (Field::Start, "9999-12-31"),
    ];
    let r = create(&mut s, &one).unwrap();
    assert_eq!(end_of(&r), (None, Some("P1D".into())));
    let three = [
        (Field::Summary, "Last three"),
        (Field::AllDay, "true"),
        (Field::Start, "9999-12-29"),
        (Field::End, "9999-12-31"),
    ];
    let r = create(&mut s, &three).unwrap();
    assert_eq!(end_of(&r), (None, Some("P3D".into())));
    // Moved back from the end, it gets its DTEND again, the length kept.
    let r = set(&mut s, &r, Field::Start, "9999-12-01").unwrap();
    assert_eq!(end_of(&r), (Some("99991204".into()), None));
    // Moved onto the last days again, the length kept.
    let r = set(&mut s, &r, Field::Start, "9999-12-30").unwrap();
    assert_eq!(end_of(&r), (None, Some("P3D".into())));
    // The end cleared: the default, one day.
    let r = set(&mut s, &r, Field::End, "").unwrap();
    assert_eq!(end_of(&r), (Some("99991231".into()), None));
    let r = set(&mut s, &r, Field::Start, "9999-12-31").unwrap();
    assert_eq!(end_of(&r), (None, Some("P1D".into())));
    let r = set(&mut s, &r, Field::End, "").unwrap();
    assert_eq!(end_of(&r), (None, Some("P1D".into())));
    // Its end as the forms show it: the last day, inclusive.
    assert_eq!(text::show(&r, Field::End, &[], &cx()), "9999-12-31");
    // A timed event on the last day made all day.
    let timed = [(Field::Summary, "Late"), (Field::Start, "9999-12-31 10:00")];
    let r = create(&mut s, &timed).unwrap();
    let r = set(&mut s, &r, Field::AllDay, "true").unwrap();
    assert_eq!(end_of(&r), (None, Some("P1D".into())));
    // Every one of them exports as iCalendar readers take it back.
    for r in s.list(Kind::Event, None).unwrap() {
        let ics = crate::formats::ics::write_ics(&[&r]);
        assert!(!ics.contains("+1000"), "{ics}");
        let back = crate::formats::ics::read_ics(&ics);
        assert_eq!(back.len(), 1, "{ics}");
        assert!(back[0].is_ok(), "{ics}");
    }
}

/// A rule typed with an UNTIL of another form than the start's (`UNTIL=20261203`
/// on a timed event) was stored as typed: RFC 5545 wants UNTIL in UTC for a zoned
/// start, a date for an all-day one, and python-dateutil (so khal) refuses the
/// whole series otherwise. Rules are written in the start's form:
/// a date UNTIL for a timed start takes in its whole day; turning an event all
/// day, or back, rewrites it too, keeping its days.
#[test]
fn a_rules_until_is_written_in_the_form_of_the_start() {
    let mut s = Store::open_in_memory().unwrap();
    let rrule = |r: &Record| r.prop("RRULE").map(|p| p.value.clone()).unwrap_or_default();
    let fields = [
        (Field::Summary, "Daily"),
        (Field::Start, "2026-12-01 10:00"),
        (Field::Rrule, "FREQ=DAILY;UNTIL=20261203;BYHOUR=10"),
    ];
    let r = create(&mut s, &fields).unwrap();
    // The whole day in Berlin, in UTC.
    assert_eq!(rrule(&r), "FREQ=DAILY;UNTIL=20261203T225959Z;BYHOUR=10");
    let r = set(&mut s, &r, Field::Rrule, "FREQ=DAILY;UNTIL=20261205T100000").unwrap();
    assert_eq!(rrule(&r), "FREQ=DAILY;UNTIL=20261205T090000Z");
    // Already in UTC: as typed.
    let r = set(
        &mut s,
        &r,
        Field::Rrule,
        "FREQ=DAILY;UNTIL=20261205T093000Z",
    )
    .unwrap();
    assert_eq!(rrule(&r), "FREQ=DAILY;UNTIL=20261205T093000Z");
    let r = set(&mut s, &r, Field::AllDay, "true").unwrap();
    assert_eq!(rrule(&r), "FREQ=DAILY;UNTIL=20261205");
    let r = set(&mut s, &r, Field::AllDay, "false").unwrap();
    assert_eq!(rrule(&r), "FREQ=DAILY;UNTIL=20261205T225959Z");
    let all_day = [
        (Field::Summary, "Days"),
        (Field::AllDay, "true"),
        (Field::Start, "2026-12-01"),
        (Field::Rrule, "FREQ=DAILY;UNTIL=20261203T120000Z"),
    ];
    let r = create(&mut s, &all_day).unwrap();
    assert_eq!(rrule(&r), "FREQ=DAILY;UNTIL=20261203");
    // A timed series from a file with a date UNTIL (read as its midnight), its
    // start moved: the same occurrences, the UNTIL in UTC.
    let mut imported = create(
        &mut s,
        &[
            (Field::Summary, "Imported"),
            (Field::Start, "2026-12-01 10:00"),
        ],
    )
    .unwrap();
    imported.set_props(
        "RRULE",
        vec![Property::new("RRULE", "FREQ=DAILY;UNTIL=20261203")],
    );
    s.write(|w| w.update(&imported)).unwrap();
    let moved = set(&mut s, &imported, Field::Start, "2026-12-01 11:00").unwrap();
    assert_eq!(rrule(&moved), "FREQ=DAILY;UNTIL=20261202T230000Z");
    // The occurrences are those pim read before.
    let days: Vec<String> = crate::recur::occurrences(
        &r,
        Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap(),
        cx().tz,
    )
    .unwrap()
    .iter()
    .map(|o| o.start.format("%d").to_string())
    .collect();
    assert_eq!(days, ["01", "02", "03"]);
}
