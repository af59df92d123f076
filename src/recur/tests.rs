use super::*;
use crate::formats::ics::read_ics;
use chrono::TimeZone;

fn record(ics: &str) -> Record {
    read_ics(ics).remove(0).expect("test item reads").record
}

fn utc(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn starts(r: &Record, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<String> {
    occurrences(r, from, to, chrono_tz::UTC)
        .unwrap()
        .iter()
        .map(|o| {
            o.start
                .with_timezone(&Utc)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        })
        .collect()
}

#[test]
fn weekly_in_berlin_keeps_wall_time_across_dst() {
    let r = record(
        "BEGIN:VEVENT\nUID:a\nDTSTART;TZID=Europe/Berlin:20260319T090000\nDTEND;TZID=Europe/Berlin:20260319T100000\nRRULE:FREQ=WEEKLY\nEND:VEVENT\n",
    );
    let v = starts(&r, utc(2026, 3, 18, 0, 0), utc(2026, 4, 3, 0, 0));
    assert_eq!(
        v,
        ["2026-03-19T08:00", "2026-03-26T08:00", "2026-04-02T07:00"]
    );
}
