//! The window listing's writing, ordering and cut, on records read both ways.

use super::*;
use crate::model::Record;
use crate::recur::expand;
use chrono::TimeZone;

/// Series with overrides (moved, retitled, cancelled), exceptions, extra dates
/// and periods, a zone of its own, all-day and floating events, escapes.
fn records() -> Vec<Record> {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VTIMEZONE\r\nTZID:Odd Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Stand-up\\, daily\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\n\
DTEND;TZID=Europe/Berlin:20260302T091500\r\nRRULE:FREQ=DAILY;COUNT=20\r\n\
EXDATE;TZID=Europe/Berlin:20260304T090000,20260305T090000\r\nLOCATION:Room 1\r\n\
CATEGORIES:work,team\r\nORGANIZER;CN=Ann:mailto:ann@example.org\r\n\
ATTENDEE;PARTSTAT=ACCEPTED;RSVP=TRUE:mailto:bob@example.org\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT5M\r\nEND:VALARM\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260303T090000\r\n\
DTSTART;TZID=Europe/Berlin:20260303T100000\r\nDTEND;TZID=Europe/Berlin:20260303T101500\r\n\
SUMMARY:Moved\\nlate\r\nSTATUS:TENTATIVE\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260310T090000\r\n\
DTSTART;TZID=Europe/Berlin:20260310T090000\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20260305\r\n\
RRULE:FREQ=WEEKLY;BYDAY=TH,FR;UNTIL=20260331\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:Call\r\nDTSTART:20260306T120000Z\r\nDURATION:PT30M\r\n\
RDATE;VALUE=PERIOD:20260320T080000Z/PT2H,20260321T080000Z/20260321T090000Z\r\n\
RDATE:20260325T070000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:d\r\nSUMMARY:Floating\r\nDTSTART:20260307T080000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:e\r\nSUMMARY:Odd\r\nDTSTART;TZID=Odd Zone:20260308T080000\r\n\
DTEND;TZID=Odd Zone:20260308T090000\r\nRRULE:FREQ=MONTHLY;BYDAY=2SU,-1MO\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let records: Vec<Record> = crate::formats::ics::read_ics(ics)
        .into_iter()
        .map(|i| i.expect("item").record)
        .collect();
    assert_eq!(records.len(), 5);
    records
}

fn window() -> (DateTime<Utc>, DateTime<Utc>, Tz) {
    let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
    (from, to, "America/New_York".parse().unwrap())
}

/// Everything written, occurrence by occurrence: its event and start, its row
/// or JSON.
fn dump(w: &Written) -> Vec<String> {
    (0..w.occs.len())
        .map(|i| {
            let (e, secs, nanos) = w.occs[i];
            let written = match w.spans.is_empty() {
                true => w.table_row(i).collect::<Vec<_>>().join("|"),
                false => String::from_utf8(w.json(i).to_vec()).unwrap(),
            };
            format!("{:?} {secs}.{nanos} {written}", w.events.get(e))
        })
        .collect()
}

const STYLES: [Style; 3] = [Style::Table, Style::Json, Style::PrettyJson];

#[test]
fn bodies_read_in_place_write_what_decoded_records_write() {
    let (from, to, tz) = window();
    let records = records();
    let stored: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(&r.body).unwrap())
        .collect();
    for style in STYLES {
        let (mut decoded, mut in_place) = (Written::default(), Written::default());
        for (r, body) in records.iter().zip(&stored) {
            let borrowed = RecordRef {
                id: &r.id,
                kind: r.kind,
                collection: &r.collection,
                body: BodyRef::parse(body).unwrap(),
            };
            let found = expand(r, from, to, tz, 100).unwrap();
            assert_eq!(found, expand(&borrowed, from, to, tz, 100).unwrap());
            decoded.write(r, "Cal", &found.occurrences, style);
            in_place.write(&borrowed, "Cal", &found.occurrences, style);
        }
        assert!(decoded.occs.len() > 25, "{}", decoded.occs.len());
        assert_eq!(dump(&decoded), dump(&in_place), "{style:?}");
    }
}

#[test]
fn every_corpus_event_writes_the_same_read_in_place_as_decoded() {
    let from = Utc.with_ymd_and_hms(1995, 1, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2035, 1, 1, 0, 0, 0).unwrap();
    let tz: Tz = "Europe/Berlin".parse().unwrap();
    let mut events = 0;
    for entry in std::fs::read_dir("tests/corpus/ics").unwrap() {
        let path = entry.unwrap().path();
        let text = crate::formats::vcard::bytes_to_text(&std::fs::read(&path).unwrap());
        for item in crate::formats::ics::read_ics(&text).into_iter().flatten() {
            let r = item.record;
            if r.kind != Kind::Event {
                continue;
            }
            let stored = serde_json::to_string(&r.body).unwrap();
            let borrowed = RecordRef {
                id: &r.id,
                kind: r.kind,
                collection: &r.collection,
                body: BodyRef::parse(&stored).unwrap(),
            };
            let found = expand(&r, from, to, tz, 200);
            let in_place = expand(&borrowed, from, to, tz, 200);
            assert_eq!(format!("{found:?}"), format!("{in_place:?}"), "{path:?}");
            let Ok(found) = found else { continue };
            for style in STYLES {
                let (mut decoded, mut read) = (Written::default(), Written::default());
                decoded.write(&r, "Cal", &found.occurrences, style);
                read.write(&borrowed, "Cal", &found.occurrences, style);
                assert_eq!(dump(&decoded), dump(&read), "{path:?} {style:?}");
            }
            events += 1;
        }
    }
    assert!(events > 40, "{events}");
}

#[test]
fn parts_ordered_on_their_threads_merge_into_the_order_of_the_whole() {
    let (from, to, tz) = window();
    let mut records = records();
    // Events of the same title and times: their ids order them.
    for r in records.clone() {
        records.push(Record {
            id: format!("0-{}", r.id),
            ..r
        });
    }
    for split in 0..=records.len() {
        let mut whole = Written::default();
        let (mut first, mut second) = (Written::default(), Written::default());
        for (k, r) in records.iter().enumerate() {
            let found = expand(r, from, to, tz, 100).unwrap();
            whole.write(r, "Cal", &found.occurrences, Style::Table);
            let part = if k < split { &mut first } else { &mut second };
            part.write(r, "Cal", &found.occurrences, Style::Table);
        }
        first.sort();
        second.sort();
        let mut merged = Written::default();
        merged.append(first);
        merged.append(second);
        assert_eq!(merged.parts.len(), if split == 0 { 1 } else { 2 });
        for limit in [0, 3, 40, 1000] {
            assert_eq!(merged.order(limit), whole.order(limit), "{split} {limit}");
        }
    }
}

#[test]
fn a_cut_keeps_what_writing_only_the_earlier_occurrences_writes() {
    let (from, to, tz) = window();
    let records = records();
    for style in STYLES {
        for n in [1, 7, 20] {
            let mut all = Written::default();
            for r in &records {
                let found = expand(r, from, to, tz, 100).unwrap();
                all.write(r, "Cal", &found.occurrences, style);
            }
            let cutoff = all.nth_start(n).unwrap();
            all.keep_until(cutoff);
            let mut kept = Written::default();
            for r in &records {
                let mut found = expand(r, from, to, tz, 100).unwrap().occurrences;
                found.retain(|o| {
                    let t = o.start.naive_utc().and_utc();
                    (t.timestamp(), t.timestamp_subsec_nanos()) <= cutoff
                });
                if !found.is_empty() {
                    kept.write(r, "Cal", &found, style);
                }
            }
            assert_eq!(kept.occs.len(), n, "{style:?}");
            assert_eq!(dump(&all), dump(&kept), "{style:?} {n}");
            assert_eq!(all.order(n), kept.order(n));
        }
    }
    assert_eq!(Written::default().nth_start(0), None);
}

#[test]
fn packed_keys_sort_as_the_tuples_do() {
    // Seconds either side of 1970 and far out, ties of start and of event.
    let secs = [-62_135_596_800, -1, 0, 1, 1_772_323_200, 253_402_300_799];
    let mut occs = Vec::new();
    for (n, s) in secs.iter().cycle().take(60).enumerate() {
        occs.push((n * 7 % 5, *s, [0, 1, 999_999_999][n % 3]));
    }
    let rank = [3, 0, 4, 1, 2];
    let mut tuples: Vec<(i64, u32, usize, usize)> = occs
        .iter()
        .enumerate()
        .map(|(i, &(e, s, ns))| (s, ns, rank[e], i))
        .collect();
    tuples.sort_unstable();
    let mut packed = packed_keys(&occs, &rank).expect("fits");
    packed.sort_unstable();
    let by_packed: Vec<usize> = packed.iter().map(|k| (k & OCC_MASK) as usize).collect();
    let by_tuple: Vec<usize> = tuples.iter().map(|k| k.3).collect();
    assert_eq!(by_packed, by_tuple);
    // A leap second's nanoseconds do not fit: the tuples are sorted instead.
    occs.push((0, 0, 1_500_000_000));
    assert!(packed_keys(&occs, &rank).is_none());
}
