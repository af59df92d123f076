//! Events whose time spans a clock change: an occurrence ends when the stored end
//! says (RFC 5545 §3.8.5.3: a DTEND gives every instance the same exact duration),
//! not an hour off.

use super::*;
use crate::formats::ics::read_ics;
use chrono::TimeZone;

fn record(ics: &str) -> Record {
    read_ics(ics).remove(0).expect("test item reads").record
}

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

/// (start, end) of each occurrence in UTC.
fn spans(r: &Record, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<(String, String)> {
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    let at = |t: DateTime<FixedOffset>| t.with_timezone(&Utc).format("%m-%dT%H:%M").to_string();
    occurrences(r, from, to, berlin)
        .unwrap()
        .into_iter()
        .map(|o| (at(o.start), at(o.end)))
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// 01:30 to 03:30 on the night the clocks go forward is one hour: it ended at
/// 04:30 (the two wall-clock hours added to the start).
#[test]
fn an_event_over_the_spring_gap_ends_at_its_dtend() {
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin:20260329T013000\n\
         DTEND;TZID=Europe/Berlin:20260329T033000\nEND:VEVENT\n",
    );
    let v = spans(&r, utc(2026, 3, 28, 0, 0), utc(2026, 3, 30, 0, 0));
    assert_eq!(v, pairs(&[("03-29T00:30", "03-29T01:30")]));
}

/// 01:30 to 02:30 on the night the clocks go back (02:30 read as its first
/// time, summer time, as RFC 5545 reads it); and 01:30 to 03:30 over the spring
/// gap in a zone other than the user's: one hour each.
#[test]
fn an_event_over_the_autumn_repeat_ends_at_its_dtend() {
    let r = record(
        "BEGIN:VEVENT\nUID:b\nDTSTART;TZID=Europe/Berlin:20261025T013000\n\
         DTEND;TZID=Europe/Berlin:20261025T023000\nEND:VEVENT\n",
    );
    let v = spans(&r, utc(2026, 10, 24, 0, 0), utc(2026, 10, 26, 0, 0));
    assert_eq!(v, pairs(&[("10-24T23:30", "10-25T00:30")]));
    let r = record(
        "BEGIN:VEVENT\nUID:c\nDTSTART;TZID=America/New_York:20260308T013000\n\
         DTEND;TZID=America/New_York:20260308T033000\nEND:VEVENT\n",
    );
    let v = spans(&r, utc(2026, 3, 7, 0, 0), utc(2026, 3, 9, 0, 0));
    assert_eq!(v, pairs(&[("03-08T06:30", "03-08T07:30")]));
}

/// A daily series whose first instance spans the spring gap: that instance ends
/// at its DTEND, and every instance lasts as long (four hours), as RFC 5545 asks.
#[test]
fn a_series_over_a_clock_change_keeps_its_exact_length() {
    let r = record(
        "BEGIN:VEVENT\nUID:d\nDTSTART;TZID=Europe/Berlin:20260328T230000\n\
         DTEND;TZID=Europe/Berlin:20260329T040000\nRRULE:FREQ=DAILY;COUNT=3\nEND:VEVENT\n",
    );
    let v = spans(&r, utc(2026, 3, 27, 0, 0), utc(2026, 4, 1, 0, 0));
    assert_eq!(
        v,
        pairs(&[
            ("03-28T22:00", "03-29T02:00"),
            ("03-29T21:00", "03-30T01:00"),
            ("03-30T21:00", "03-31T01:00"),
        ])
    );
}

/// All-day events keep counting days (a 23-hour day is still a day).
#[test]
fn an_all_day_event_on_a_clock_change_lasts_its_day() {
    let r = record(
        "BEGIN:VEVENT\nUID:e\nDTSTART;VALUE=DATE:20260329\n\
         DTEND;VALUE=DATE:20260330\nRRULE:FREQ=DAILY;COUNT=2\nEND:VEVENT\n",
    );
    let v = spans(&r, utc(2026, 3, 27, 0, 0), utc(2026, 4, 1, 0, 0));
    assert_eq!(
        v,
        pairs(&[
            ("03-28T23:00", "03-29T22:00"),
            ("03-29T22:00", "03-30T22:00")
        ])
    );
}
