use super::*;
use crate::formats::view::{occurrence_json, record_json};
use crate::recur::occurrences;
use chrono::{TimeZone, Utc};

fn sample() -> Vec<Record> {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Stand-up\\, daily\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\n\
DTEND;TZID=Europe/Berlin:20260302T091500\r\nRRULE:FREQ=DAILY;COUNT=5\r\nEXDATE;TZID=Europe/Berlin:20260304T090000\r\n\
LOCATION:Room 1\r\nCATEGORIES:work,team\r\nORGANIZER;CN=Ann:mailto:ann@example.org\r\n\
ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bob@example.org\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260303T090000\r\n\
DTSTART;TZID=Europe/Berlin:20260303T100000\r\nDTEND;TZID=Europe/Berlin:20260303T101500\r\n\
SUMMARY:Moved\r\nSTATUS:TENTATIVE\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20260305\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Call\r\nDTSTART:20260306T120000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Floating\r\nDTSTART:20260307T080000\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    crate::formats::ics::read_ics(ics)
        .into_iter()
        .map(|i| i.expect("item").record)
        .collect()
}

#[test]
fn short_times_are_the_formatted_ones() {
    use chrono::{NaiveDate, TimeZone};
    let days = [
        (0, 1, 1),
        (1, 2, 3),
        (999, 12, 31),
        (2026, 3, 1),
        (9999, 12, 31),
    ];
    let far = [(-1, 6, 1), (10000, 1, 1), (-44, 3, 15)];
    let offsets = [
        0,
        3600,
        -34200,
        19800,
        45,
        -(14 * 3600),
        13 * 3600 + 45 * 60,
    ];
    for (y, m, d) in days.into_iter().chain(far) {
        for off in offsets {
            let zone = FixedOffset::east_opt(off).unwrap();
            let day = NaiveDate::from_ymd_opt(y, m, d).unwrap();
            let t = zone
                .from_local_datetime(&day.and_hms_opt(7, 5, 9).unwrap())
                .unwrap();
            for all_day in [false, true] {
                let want = if all_day {
                    day.format("%Y-%m-%d").to_string()
                } else {
                    rfc3339(&t)
                };
                let mut text = String::from("x");
                push_occurrence_time(&mut text, &t, all_day);
                assert_eq!(text, format!("x{want}"));
                let mut json = Vec::new();
                occurrence_time(&mut json, &t, all_day);
                assert_eq!(json, serde_json::to_vec(&want).unwrap());
            }
            let mut text = String::new();
            let short = push_day(&mut text, day);
            assert_eq!(short.is_some(), (0..=9999).contains(&y));
            if short.is_some() {
                assert_eq!(text, day.format("%Y-%m-%d").to_string());
            } else {
                assert!(text.is_empty());
            }
        }
    }
}

#[test]
fn occurrences_serialize_like_the_value_view() {
    let local: Tz = "America/New_York".parse().unwrap();
    let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap();
    let records = sample();
    assert_eq!(records.len(), 4);
    let mut seen = 0;
    for r in &records {
        let view = EventView::new(r, "cal");
        assert_eq!(
            serde_json::to_string(&view.record(local)).unwrap(),
            serde_json::to_string(&record_json(r, "cal", local)).unwrap()
        );
        for o in occurrences(r, from, to, local).unwrap() {
            let texts = OverrideTexts::of(r, &o);
            let fast = serde_json::to_string(&view.occurrence(&o, &texts)).unwrap();
            let slow = serde_json::to_string(&occurrence_json(r, &o, "cal", local)).unwrap();
            assert_eq!(fast, slow);
            let mut compact = Vec::new();
            view.write_compact(&o, &mut compact);
            assert_eq!(String::from_utf8(compact).unwrap(), slow);
            seen += 1;
        }
    }
    // 4 daily (one excluded, one moved) + holiday + call + floating.
    assert_eq!(seen, 7);
}

#[test]
fn texts_to_escape_are_written_as_serde_writes_them() {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:q\"uote\r\nSUMMARY:say \"hi\"\\nnext line\r\nLOCATION:back\\\\slash\r\n\
DESCRIPTION:tab\there é😀\r\nDTSTART:20260302T090000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let records: Vec<Record> = crate::formats::ics::read_ics(ics)
        .into_iter()
        .map(|i| i.expect("item").record)
        .collect();
    let local: Tz = "Europe/Berlin".parse().unwrap();
    let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 3, 10, 0, 0, 0).unwrap();
    let r = &records[0];
    let view = EventView::new(r, "c\"al\n");
    let occs = occurrences(r, from, to, local).unwrap();
    assert_eq!(occs.len(), 2);
    for o in occs {
        let slow = serde_json::to_string(&occurrence_json(r, &o, "c\"al\n", local)).unwrap();
        let mut compact = Vec::new();
        view.write_compact(&o, &mut compact);
        assert_eq!(String::from_utf8(compact).unwrap(), slow);
        assert!(slow.contains(r#"say \"hi\"\nnext line"#), "{slow}");
    }
}
