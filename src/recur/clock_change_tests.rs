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

/// Single events over a clock change, each (zone, start, end, its span in UTC):
/// 01:30 to 03:30 on the night the clocks go forward is one hour (it ended at
/// 04:30: the two wall-clock hours added to the start), in the user's zone and
/// in another; 01:30 to 02:30 on the night they go back is one hour too (02:30
/// read as its first time, summer time, as RFC 5545 reads it).
#[test]
fn events_over_a_clock_change_end_at_their_dtend() {
    for (zone, start, end, want) in [
        (
            "Europe/Berlin",
            "20260329T013000",
            "20260329T033000",
            ("03-29T00:30", "03-29T01:30"),
        ),
        (
            "America/New_York",
            "20260308T013000",
            "20260308T033000",
            ("03-08T06:30", "03-08T07:30"),
        ),
        (
            "Europe/Berlin",
            "20261025T013000",
            "20261025T023000",
            ("10-24T23:30", "10-25T00:30"),
        ),
    ] {
        let r = record(&format!(
            "BEGIN:VEVENT\nUID:a\nDTSTART;TZID={zone}:{start}\nDTEND;TZID={zone}:{end}\nEND:VEVENT\n"
        ));
        let day = |t: &str| t[4..8].to_string();
        let (m, d) = (
            day(start)[..2].parse().unwrap(),
            day(start)[2..].parse().unwrap(),
        );
        let v = spans(
            &r,
            utc(2026, m, d, 0, 0) - chrono::Duration::days(1),
            utc(2026, m, d, 0, 0) + chrono::Duration::days(2),
        );
        assert_eq!(v, pairs(&[want]), "{zone} {start}");
    }
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
