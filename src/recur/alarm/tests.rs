use chrono::TimeZone;

use super::*;
use crate::formats::ics::read_ics;

fn record(ics: &str) -> Record {
    read_ics(ics).remove(0).expect("test item reads").record
}

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

/// The first triggers in a wide window, as UTC text.
fn firsts(r: &Record, local: Tz) -> Vec<String> {
    rings(r, utc(2020, 1, 1, 0, 0), utc(2030, 1, 1, 0, 0), local)
        .unwrap()
        .iter()
        .map(|g| g.first.format("%Y-%m-%dT%H:%M").to_string())
        .collect()
}

fn event(props: &str, alarm: &str) -> Record {
    record(&format!(
        "BEGIN:VEVENT\nUID:e\nSUMMARY:x\n{props}BEGIN:VALARM\nACTION:DISPLAY\n{alarm}END:VALARM\nEND:VEVENT\n"
    ))
}

const TEN_TO_ELEVEN: &str = "DTSTART:20261201T100000Z\nDTEND:20261201T110000Z\n";

#[test]
fn before_and_after_the_start() {
    let before = event(TEN_TO_ELEVEN, "TRIGGER:-PT15M\n");
    assert_eq!(
        firsts(&before, crate::model::zonedb::UTC),
        ["2026-12-01T09:45"]
    );
    let after = event(TEN_TO_ELEVEN, "TRIGGER;RELATED=START:PT5M\n");
    assert_eq!(
        firsts(&after, crate::model::zonedb::UTC),
        ["2026-12-01T10:05"]
    );
}

#[test]
fn before_and_after_the_end() {
    let before = event(TEN_TO_ELEVEN, "TRIGGER;RELATED=END:-PT10M\n");
    assert_eq!(
        firsts(&before, crate::model::zonedb::UTC),
        ["2026-12-01T10:50"]
    );
    let after = event(TEN_TO_ELEVEN, "TRIGGER;RELATED=END:PT5M\n");
    assert_eq!(
        firsts(&after, crate::model::zonedb::UTC),
        ["2026-12-01T11:05"]
    );
}

#[test]
fn absolute_trigger_rings_once_even_on_a_series() {
    let r = event(
        "DTSTART:20261201T100000Z\nRRULE:FREQ=DAILY;COUNT=5\n",
        "TRIGGER;VALUE=DATE-TIME:20261202T080000Z\n",
    );
    let v = rings(
        &r,
        utc(2026, 11, 1, 0, 0),
        utc(2027, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].first, utc(2026, 12, 2, 8, 0));
    // The occurrence still running at the trigger, or the next one: 2 December.
    assert_eq!(
        v[0].occurrence.start.with_timezone(&Utc),
        utc(2026, 12, 2, 10, 0)
    );
}

#[test]
fn repeats_follow_the_first_trigger() {
    let r = event(TEN_TO_ELEVEN, "TRIGGER:-PT15M\nREPEAT:2\nDURATION:PT5M\n");
    let v = rings(
        &r,
        utc(2026, 12, 1, 0, 0),
        utc(2026, 12, 2, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(
        v[0].triggers(),
        [
            utc(2026, 12, 1, 9, 45),
            utc(2026, 12, 1, 9, 50),
            utc(2026, 12, 1, 9, 55)
        ]
    );
    assert_eq!(
        v[0].last_trigger_by(utc(2026, 12, 1, 9, 52)),
        Some(utc(2026, 12, 1, 9, 50))
    );
    assert_eq!(
        v[0].next_trigger_after(utc(2026, 12, 1, 9, 52)),
        Some(utc(2026, 12, 1, 9, 55))
    );
    // A window that only sees the last repetition still finds the alarm.
    let late = rings(
        &r,
        utc(2026, 12, 1, 9, 54),
        utc(2026, 12, 1, 9, 56),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(late.len(), 1);
}

#[test]
fn a_weekly_alarm_keeps_its_wall_time_across_dst() {
    let r = event(
        "DTSTART;TZID=Europe/Berlin:20260319T090000\nDTEND;TZID=Europe/Berlin:20260319T100000\nRRULE:FREQ=WEEKLY;COUNT=3\n",
        "TRIGGER:-PT15M\n",
    );
    // 08:45 Berlin: 07:45 UTC in winter, 06:45 UTC from 29 March.
    assert_eq!(
        firsts(&r, crate::model::zonedb::UTC),
        ["2026-03-19T07:45", "2026-03-26T07:45", "2026-04-02T06:45"]
    );
}

#[test]
fn all_day_events_ring_from_local_midnight() {
    let r = event(
        "DTSTART;VALUE=DATE:20261224\nDTEND;VALUE=DATE:20261225\n",
        "TRIGGER:-PT30M\n",
    );
    // The day starts at midnight where the user is: 23:00 UTC in Berlin in winter.
    assert_eq!(
        firsts(&r, crate::model::zonedb::Tz::known("Europe/Berlin")),
        ["2026-12-23T22:30"]
    );
    assert_eq!(firsts(&r, crate::model::zonedb::UTC), ["2026-12-23T23:30"]);
}

#[test]
fn dismissing_one_occurrence_leaves_the_next() {
    let r = event(
        "DTSTART:20261201T100000Z\nRRULE:FREQ=DAILY;COUNT=3\n",
        "UID:a1\nTRIGGER:-PT15M\nACKNOWLEDGED:20261202T094600Z\n",
    );
    let v = rings(
        &r,
        utc(2026, 11, 1, 0, 0),
        utc(2027, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let dismissed: Vec<bool> = v.iter().map(Ring::dismissed).collect();
    assert_eq!(dismissed, [true, true, false]);
}

#[test]
fn task_alarms_are_relative_to_due() {
    let due_only = record(
        "BEGIN:VTODO\nUID:t\nSUMMARY:x\nDUE:20261201T170000Z\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;RELATED=END:-PT10M\nEND:VALARM\nEND:VTODO\n",
    );
    assert_eq!(
        firsts(&due_only, crate::model::zonedb::UTC),
        ["2026-12-01T16:50"]
    );
    let with_start = record(
        "BEGIN:VTODO\nUID:t\nSUMMARY:x\nDTSTART:20261201T090000Z\nDUE:20261201T170000Z\nBEGIN:VALARM\nACTION:AUDIO\nTRIGGER;RELATED=END:-PT10M\nEND:VALARM\nBEGIN:VALARM\nACTION:EMAIL\nTRIGGER:PT0S\nEND:VALARM\nEND:VTODO\n",
    );
    assert_eq!(
        firsts(&with_start, crate::model::zonedb::UTC),
        ["2026-12-01T09:00", "2026-12-01T16:50"]
    );
}

#[test]
fn silent_and_unreadable_alarms_never_ring() {
    let none = event(TEN_TO_ELEVEN, "TRIGGER:-PT15M\n");
    let mut none = none;
    none.body.main.subs[0].props[0].value = "NONE".into();
    assert!(firsts(&none, crate::model::zonedb::UTC).is_empty());
    let bad = event(TEN_TO_ELEVEN, "TRIGGER:soon\n");
    assert!(firsts(&bad, crate::model::zonedb::UTC).is_empty());
}

#[test]
fn one_uid_twice_reads_as_one_alarm_with_the_latest_dismissal() {
    let r = record(&format!(
        "BEGIN:VEVENT\nUID:e\n{TEN_TO_ELEVEN}\
         BEGIN:VALARM\nUID:a\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\n\
         BEGIN:VALARM\nUID:a\nACTION:DISPLAY\nTRIGGER:-PT15M\nACKNOWLEDGED:20261201T094700Z\nEND:VALARM\n\
         END:VEVENT\n"
    ));
    let v = rings(
        &r,
        utc(2026, 11, 1, 0, 0),
        utc(2027, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(v.len(), 1);
    assert!(v[0].dismissed());
    assert_eq!(v[0].at.sub, 1);
}

#[test]
fn snooze_alarms_name_their_alarm_and_occurrence() {
    let r = event(
        "DTSTART:20261201T100000Z\nRRULE:FREQ=DAILY;COUNT=3\n",
        "UID:s\nRELATED-TO;RELTYPE=SNOOZE:a1\nX-PIM-OCCURRENCE:2026-12-03T10:00:00+00:00\nTRIGGER;VALUE=DATE-TIME:20261201T095500Z\n",
    );
    let v = rings(
        &r,
        utc(2026, 11, 1, 0, 0),
        utc(2027, 1, 1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].alarm.snooze_of.as_deref(), Some("a1"));
    assert_eq!(
        v[0].occurrence.start.with_timezone(&Utc),
        utc(2026, 12, 3, 10, 0)
    );
}

#[test]
fn a_day_before_is_a_wall_clock_day_across_dst() {
    // 09:00 Berlin on 29 March 2026, the first day of summer time (07:00 UTC).
    let props =
        "DTSTART;TZID=Europe/Berlin:20260329T090000\nDTEND;TZID=Europe/Berlin:20260329T100000\n";
    // -P1D: 09:00 the day before, in winter time (08:00 UTC), not 24 hours earlier.
    let nominal = event(props, "TRIGGER:-P1D\n");
    assert_eq!(
        firsts(&nominal, crate::model::zonedb::UTC),
        ["2026-03-28T08:00"]
    );
    // -PT24H is exact.
    let exact = event(props, "TRIGGER:-PT24H\n");
    assert_eq!(
        firsts(&exact, crate::model::zonedb::UTC),
        ["2026-03-28T07:00"]
    );
    // Days and hours: the days on the wall clock, the hours exact.
    let both = event(props, "TRIGGER:-P1DT1H\n");
    assert_eq!(
        firsts(&both, crate::model::zonedb::UTC),
        ["2026-03-28T07:00"]
    );
}

/// REPEAT × DURATION of a hostile file reaches ten million years: the window it widens
/// stays within the calendar instead of overflowing (a panic that stopped `pim remind`).
#[test]
fn a_repeat_reaching_past_the_calendar_does_not_panic() {
    let r = event(
        TEN_TO_ELEVEN,
        "TRIGGER:-PT15M\nREPEAT:999999999\nDURATION:P3650000D\n",
    );
    assert_eq!(firsts(&r, crate::model::zonedb::UTC), ["2026-12-01T09:45"]);
}

/// Repetitions are computed from the first trigger, not listed (a minutely series with
/// a thousand repetitions per alarm took 40 s and 260 MB in `pim remind`).
#[test]
fn repetitions_are_found_by_arithmetic() {
    let r = event(
        TEN_TO_ELEVEN,
        "TRIGGER:-PT15M\nREPEAT:1000\nDURATION:PT1M\n",
    );
    let v = rings(
        &r,
        utc(2026, 12, 1, 0, 0),
        utc(2026, 12, 2, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let g = &v[0];
    assert_eq!(g.triggers().len(), 1001);
    let t = |h, m| utc(2026, 12, 1, h, m);
    assert_eq!(g.last_trigger_by(t(9, 44)), None);
    assert_eq!(g.next_trigger_after(t(9, 44)), Some(t(9, 45)));
    assert_eq!(g.last_trigger_by(t(9, 45)), Some(t(9, 45)));
    assert_eq!(g.next_trigger_after(t(9, 45)), Some(t(9, 46)));
    let half = t(9, 45) + Duration::seconds(30);
    assert_eq!(g.last_trigger_by(half), Some(t(9, 45)));
    assert_eq!(g.next_trigger_after(half), Some(t(9, 46)));
    // 1000 minutes after 09:45 is 02:25 the next day: the last one.
    let last = utc(2026, 12, 2, 2, 25);
    assert_eq!(g.last_trigger_by(utc(2026, 12, 3, 0, 0)), Some(last));
    assert_eq!(g.next_trigger_after(last), None);
}

/// Thousands of VALARMs on a minutely series made millions of rings (1.7 GB and 20 s
/// per `pim remind`): one record gives at most [`MAX_RINGS`] relative ones, and its
/// absolute ones (snoozes) still ring.
#[test]
fn one_record_gives_a_bounded_number_of_rings() {
    let alarms: String = (0..50)
        .map(|i| format!("BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT{i}S\nEND:VALARM\n"))
        .collect();
    let r = record(&format!(
        "BEGIN:VEVENT\nUID:m\nSUMMARY:x\nDTSTART:20261201T100000Z\nRRULE:FREQ=MINUTELY\n{alarms}\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;VALUE=DATE-TIME:20261201T200000Z\nEND:VALARM\n\
         END:VEVENT\n"
    ));
    let v = rings(
        &r,
        utc(2026, 12, 1, 0, 0),
        utc(2026, 12, 2, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(v.len(), MAX_RINGS + 1);
    assert!(
        v.iter()
            .any(|g| matches!(g.alarm.trigger, Trigger::Absolute(_)))
    );
}

/// Alarms that never reach the window still cost a look per occurrence: a thousand of
/// them on a minutely series took minutes per `pim remind`. The looks are bounded
/// ([`MAX_WORK`]), so the one alarm that does ring is followed for fewer occurrences
/// than the 840 minutes from 10:00 to midnight.
#[test]
fn alarms_that_never_ring_cost_a_bounded_number_of_looks() {
    let far: String = (0..1000)
        .map(|i| format!("BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-P3650000DT{i}S\nEND:VALARM\n"))
        .collect();
    let r = record(&format!(
        "BEGIN:VEVENT\nUID:m\nSUMMARY:x\nDTSTART:20261201T100000Z\nRRULE:FREQ=MINUTELY\n\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:PT0S\nEND:VALARM\n{far}END:VEVENT\n"
    ));
    let v = rings(
        &r,
        utc(2026, 12, 1, 0, 0),
        utc(2026, 12, 2, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    // The first alarm is looked at first: one occurrence more than whole rounds.
    assert_eq!(v.len(), MAX_WORK / 1001 + 1);
}

/// An absolute trigger more than 400 days from every occurrence never rang: its
/// occurrence was looked for only within 400 days of it.
#[test]
fn absolute_triggers_ring_however_far_from_the_occurrences() {
    let window = |r: &Record, t: DateTime<Utc>| {
        rings(
            r,
            t - Duration::minutes(1),
            t + Duration::minutes(1),
            crate::model::zonedb::UTC,
        )
        .unwrap()
    };
    // Two years before a single event.
    let early = event(TEN_TO_ELEVEN, "TRIGGER;VALUE=DATE-TIME:20241201T090000Z\n");
    let v = window(&early, utc(2024, 12, 1, 9, 0));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].first, utc(2024, 12, 1, 9, 0));
    assert_eq!(
        v[0].occurrence.start.with_timezone(&Utc),
        utc(2026, 12, 1, 10, 0)
    );
    // Three years after the last occurrence of a finished series.
    let late = event(
        "DTSTART:20200106T100000Z\nRRULE:FREQ=WEEKLY;COUNT=3\n",
        "TRIGGER;VALUE=DATE-TIME:20230301T120000Z\n",
    );
    let v = window(&late, utc(2023, 3, 1, 12, 0));
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].occurrence.start.with_timezone(&Utc),
        utc(2020, 1, 6, 10, 0)
    );
    // Ten years before a series that starts later: its first occurrence.
    let ahead = event(
        "DTSTART:20360106T100000Z\nRRULE:FREQ=DAILY\n",
        "TRIGGER;VALUE=DATE-TIME:20260106T080000Z\n",
    );
    let v = window(&ahead, utc(2026, 1, 6, 8, 0));
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].occurrence.start.with_timezone(&Utc),
        utc(2036, 1, 6, 10, 0)
    );
    // An override's own alarm, two years before the moved occurrence.
    let moved = record(
        "BEGIN:VEVENT\nUID:s\nSUMMARY:x\nDTSTART:20200106T100000Z\nRRULE:FREQ=WEEKLY\nEND:VEVENT\n\
         BEGIN:VEVENT\nUID:s\nSUMMARY:x\nRECURRENCE-ID:20280103T100000Z\nDTSTART:20280103T120000Z\n\
         BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;VALUE=DATE-TIME:20260101T080000Z\nEND:VALARM\n\
         END:VEVENT\n",
    );
    let v = window(&moved, utc(2026, 1, 1, 8, 0));
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].occurrence.override_index, Some(0));
    assert_eq!(
        v[0].occurrence.start.with_timezone(&Utc),
        utc(2028, 1, 3, 12, 0)
    );
    // A snooze naming an occurrence a thousand days from its trigger keeps it.
    let named = event(
        "DTSTART:20200106T100000Z\nRRULE:FREQ=WEEKLY\n",
        &format!(
            "TRIGGER;VALUE=DATE-TIME:20260101T080000Z\n{OCCURRENCE_PROP}:2023-01-02T10:00:00+00:00\n"
        ),
    );
    let v = window(&named, utc(2026, 1, 1, 8, 0));
    assert_eq!(v.len(), 1);
    assert_eq!(
        v[0].occurrence.recurrence_id.as_deref(),
        Some("2023-01-02T10:00:00+00:00")
    );
}

/// Each absolute alarm looks for its occurrence: two thousand of them, all ringing in
/// the window, on a minutely series that ended before them, each looked through the
/// series' last 400 days (40 000 occurrences). Past [`MAX_WORK`] they take the
/// record's first occurrence, a search of one.
#[test]
fn many_absolute_alarms_cost_a_bounded_number_of_looks() {
    let alarms: String = (0..2000)
        .map(|i| {
            format!(
                "BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER;VALUE=DATE-TIME:20261201T1{:01}{:02}{:02}Z\nEND:VALARM\n",
                i / 3600,
                (i / 60) % 60,
                i % 60
            )
        })
        .collect();
    let r = record(&format!(
        "BEGIN:VEVENT\nUID:m\nSUMMARY:x\nDTSTART:20261101T000000Z\n\
         RRULE:FREQ=MINUTELY;UNTIL=20261130T000000Z\n{alarms}END:VEVENT\n"
    ));
    let v = rings(
        &r,
        utc(2026, 12, 1, 0, 0),
        utc(2026, 12, 2, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    assert_eq!(v.len(), 2000);
    let start = |g: &Ring| g.occurrence.start.with_timezone(&Utc);
    assert_eq!(start(&v[0]), utc(2026, 11, 30, 0, 0), "the last before it");
    assert_eq!(start(&v[1999]), utc(2026, 11, 1, 0, 0), "the first");
}
