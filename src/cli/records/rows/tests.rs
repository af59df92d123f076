use super::*;
use crate::cli::print::short;
use crate::formats::view::{record_json, text_end_inclusive};
use crate::formats::view_event::OverrideTexts;
use chrono::TimeZone as _;
use serde_json::Value;

/// The row as it was built before: through the JSON view.
fn row_via_value(kind: Kind, mut v: Value) -> Vec<String> {
    text_end_inclusive(&mut v);
    let g = |k: &str| short(&v[k]);
    let id: String = g("id").chars().take(8).collect();
    match kind {
        Kind::Contact => vec![id, g("full_name"), g("emails"), g("phones"), g("org")],
        Kind::Event => {
            let summary = if g("status").eq_ignore_ascii_case("CANCELLED") {
                format!("[cancelled] {}", g("summary"))
            } else {
                g("summary")
            };
            vec![id, g("start"), g("end"), summary, g("location")]
        }
        Kind::Task => {
            let mark = if g("status") == "COMPLETED" {
                "[x]"
            } else {
                "[ ]"
            };
            vec![id, mark.into(), g("due"), g("priority"), g("summary")]
        }
        Kind::Note => vec![id, g("title"), g("body").chars().take(60).collect()],
    }
}

fn records() -> Vec<Record> {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Stand-up\\, daily\\nsecond line\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\n\
DTEND;TZID=Europe/Berlin:20260302T091500\r\nRRULE:FREQ=DAILY;COUNT=5\r\nLOCATION:Room 1\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20260305\r\nDTEND;VALUE=DATE:20260307\r\nSTATUS:cancelled\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:One day\r\nDTSTART;VALUE=DATE:20260305\r\nDTEND;VALUE=DATE:20260305\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20260306T120000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nUID:t1\r\nSUMMARY:Pay\r\nDUE;VALUE=DATE:20260310\r\nPRIORITY:3\r\nSTATUS:completed\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:t2\r\nSUMMARY:Plan\r\nDUE:20260311T100000Z\r\nPRIORITY:0\r\nEND:VTODO\r\n\
BEGIN:VJOURNAL\r\nUID:n1\r\nSUMMARY:Notes\r\nDESCRIPTION:line one\\nline two and a long tail of words that goes past sixty characters é\r\nEND:VJOURNAL\r\n\
BEGIN:VJOURNAL\r\nUID:n2\r\nSUMMARY:Escapes\r\nDESCRIPTION:\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\n\\né and then a tail written over hundreds of characters, far beyond what a row shows: \
it goes on and on, past the sixty characters of the row and past the two hundred and forty kept for it, so the \
cut lies well inside it.\r\nEND:VJOURNAL\r\n\
END:VCALENDAR\r\n";
    let vcf = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n\
EMAIL;TYPE=work:ada@example.org\r\nEMAIL:a\\nb@example.org\r\nTEL:+44 1\r\nTEL:+44 2\r\nORG:Analytical;Engines\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nobody\r\nEND:VCARD\r\n";
    let mut out: Vec<Record> = crate::formats::ics::read_ics(ics)
        .into_iter()
        .map(|i| i.expect("item").record)
        .collect();
    out.extend(
        crate::formats::vcard::read_vcf(vcf.as_bytes())
            .into_iter()
            .map(|i| i.expect("card").record),
    );
    out
}

/// Tasks with what a stored-body row must get right: repeating (with a done
/// override), zoned dues (IANA, a VTIMEZONE of its own, floating), escapes and
/// line breaks, priorities with spaces, cancelled, no due.
fn tasks() -> Vec<Record> {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VTIMEZONE\r\nTZID:Custom Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n\
TZOFFSETFROM:+0530\r\nTZOFFSETTO:+0530\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n\
BEGIN:VTODO\r\nUID:r1\r\nSUMMARY:Water\\, the plants\r\nDTSTART:20260301T080000Z\r\n\
DUE:20260301T090000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\nPRIORITY:2\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:r1\r\nRECURRENCE-ID:20260301T080000Z\r\nSUMMARY:Water\r\n\
DTSTART:20260301T080000Z\r\nDUE:20260301T090000Z\r\nSTATUS:COMPLETED\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:r2\r\nSUMMARY:All done\r\nDTSTART;VALUE=DATE:20200101\r\n\
DUE;VALUE=DATE:20200102\r\nRRULE:FREQ=DAILY;COUNT=1\r\nSTATUS:COMPLETED\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:z1\r\nSUMMARY:Berlin\r\nDUE;TZID=Europe/Berlin:20260704T100000\r\n\
PRIORITY: 5 \r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:z2\r\nSUMMARY:Custom\r\nDUE;TZID=Custom Zone:20260704T100000\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:z3\r\nSUMMARY:Floating\\nsecond line\\; and \\\\ more\r\nDUE:20260704T100000\r\n\
STATUS:cancelled\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:nodue\r\nSUMMARY:No due\r\nPRIORITY:x\r\nEND:VTODO\r\n\
END:VCALENDAR\r\n";
    crate::formats::ics::read_ics(ics)
        .into_iter()
        .map(|i| i.expect("item").record)
        .map(|mut r| {
            // Ids the rows can be told by; one with a line break (made one line).
            r.id = match r.uid() {
                Some("nodue") | None => "n\nl".into(),
                Some(uid) => uid.to_string(),
            };
            r
        })
        .collect()
}

fn stored(r: &Record) -> String {
    serde_json::to_string(&r.body).unwrap()
}

fn raw<'a>(r: &'a Record, data: &'a str) -> RawRecord<'a> {
    RawRecord {
        id: &r.id,
        kind: r.kind.as_str(),
        collection: &r.collection,
        data,
        sort_key: "",
    }
}

#[test]
fn rows_from_stored_bodies_are_those_of_decoded_records() {
    let local: Tz = "America/New_York".parse().unwrap();
    let mut records = records();
    records.extend(tasks());
    assert!(
        records
            .iter()
            .any(|r| r.kind == Kind::Task && r.is_recurring())
    );
    for r in records.iter().filter(|r| r.kind != Kind::Event) {
        let data = stored(r);
        let mut t = Table::default();
        if r.kind == Kind::Task {
            let order = push_stored_task_row(&mut t, raw(r, &data), &mut Scratch::default(), local)
                .unwrap();
            assert_eq!(order, task_row(&mut Table::default(), r, local), "{r:?}");
        } else {
            push_stored_row(&mut t, raw(r, &data), &mut Scratch::default(), r.kind).unwrap();
        }
        let row: Vec<String> = t.row(0).map(str::to_string).collect();
        assert_eq!(row, record_row(r, local), "{r:?}");
        // What the store keeps for listings draws the same row, in the same place.
        if let Some(listed) = crate::model::listed::listed_body(r) {
            let listed = serde_json::to_string(&listed).unwrap();
            assert!(
                listed.len() < data.len() || r.kind == Kind::Note,
                "{listed}"
            );
            let mut t = Table::default();
            if r.kind == Kind::Task {
                let order =
                    push_stored_task_row(&mut t, raw(r, &listed), &mut Scratch::default(), local)
                        .unwrap();
                assert_eq!(order, task_row(&mut Table::default(), r, local), "{r:?}");
            } else {
                push_stored_row(&mut t, raw(r, &listed), &mut Scratch::default(), r.kind).unwrap();
            }
            assert_eq!(t.row(0).collect::<Vec<_>>(), row, "{listed}");
        } else {
            assert!(
                r.is_recurring(),
                "only repeating tasks need their body: {r:?}"
            );
        }
        if r.kind != Kind::Task || !r.is_recurring() {
            assert_eq!(row, row_via_value(r.kind, record_json(r, "c", local)));
        }
    }
}

/// A note's row shows the start of its body: what the store keeps for listings
/// holds that start, not the whole body (a note of megabytes was kept twice more,
/// in the column and in its index), and draws the same row whatever escapes or
/// wide characters fall where it is cut.
#[test]
fn a_notes_listed_body_keeps_only_the_start_its_row_shows() {
    let pieces = ["a", "\\n", "\\\\", "\\,", "é", "\\", "\n", "ab"];
    for len in 0..300 {
        for (i, piece) in pieces.iter().enumerate() {
            let mut value = String::new();
            for k in 0..len {
                value.push_str(if k % (i + 2) == 0 { piece } else { "x" });
            }
            let mut r = Record::new(Kind::Note, "c");
            r.id = "n".into();
            r.body
                .main
                .props
                .push(crate::model::Property::new("SUMMARY", "t"));
            r.body
                .main
                .props
                .push(crate::model::Property::new("DESCRIPTION", &value));
            let listed = crate::model::listed::listed_body(&r).unwrap();
            let listed = serde_json::to_string(&listed).unwrap();
            assert!(listed.len() < 400, "{len} {piece}: {listed}");
            let mut t = Table::default();
            push_stored_row(
                &mut t,
                raw(&r, &listed),
                &mut Scratch::default(),
                Kind::Note,
            )
            .unwrap();
            let row: Vec<String> = t.row(0).map(str::to_string).collect();
            assert_eq!(row, record_row(&r, Tz::UTC), "{value:?} {listed}");
        }
    }
}

#[test]
fn stored_task_rows_show_the_open_occurrence_and_zoned_dues() {
    let local: Tz = "America/New_York".parse().unwrap();
    let mut t = Table::default();
    let orders: Vec<TaskOrder> = tasks()
        .iter()
        .map(|r| {
            push_stored_task_row(&mut t, raw(r, &stored(r)), &mut Scratch::default(), local)
                .unwrap()
        })
        .collect();
    let rows: Vec<Vec<&str>> = (0..t.row_count()).map(|i| t.row(i).collect()).collect();
    // The first occurrence is done: the second is listed, open.
    assert_eq!(
        rows[0],
        [
            "r1",
            "[ ]",
            "2026-03-08T09:00:00+00:00",
            "2",
            "Water, the plants"
        ]
    );
    assert_eq!(rows[1][..3], ["r2", "[x]", "2020-01-02"]);
    assert!(orders[1].0);
    assert_eq!(
        rows[2],
        ["z1", "[ ]", "2026-07-04T10:00:00+02:00", "5", "Berlin"]
    );
    assert_eq!(
        orders[2].2, 10,
        "the order reads the priority untrimmed, as before"
    );
    assert_eq!(rows[3][2], "2026-07-04T10:00:00+05:30");
    assert_eq!(rows[4][2], "2026-07-04T10:00:00-04:00");
    assert_eq!(rows[4][4], "Floating second line; and \\ more");
    assert!(orders[4].0, "cancelled sorts with the done ones");
    assert_eq!(rows[4][1], "[ ]", "but is not marked done");
    assert_eq!(rows[5], ["n l", "[ ]", "", "", "No due"]);
    assert_eq!(orders[5], (false, i64::MAX, 10));
}

#[test]
fn digits_are_written_as_formatted() {
    for n in 0..=u8::MAX {
        let mut s = String::new();
        push_digits(&mut s, n);
        assert_eq!(s, n.to_string());
    }
}

#[test]
fn packed_task_orders_sort_as_their_tuples() {
    let dues = [i64::MIN, -1, 0, 1, 1_700_000_000, i64::MAX];
    let mut orders: Vec<TaskOrder> = Vec::new();
    for finished in [false, true] {
        for due in dues {
            for rank in [0, 1, 9, 10, u8::MAX] {
                orders.push((finished, due, rank));
            }
        }
    }
    for a in &orders {
        for b in &orders {
            assert_eq!(
                packed_order(*a).cmp(&packed_order(*b)),
                a.cmp(b),
                "{a:?} {b:?}"
            );
        }
    }
}

#[test]
fn undecodable_stored_bodies_are_reported_not_listed() {
    let r = &tasks()[0];
    let mut t = Table::default();
    for data in ["{\"m\":{\"n\":1}}", "not json", ""] {
        let bad = push_stored_task_row(&mut t, raw(r, data), &mut Scratch::default(), Tz::UTC)
            .unwrap_err();
        assert_eq!(bad, raw(r, data).decode().unwrap_err());
        let bad = push_stored_row(&mut t, raw(r, data), &mut Scratch::default(), Kind::Contact)
            .unwrap_err();
        assert_eq!(bad.id, r.id);
    }
    assert_eq!(t.row_count(), 0);
}

#[test]
fn occurrence_rows_are_those_of_the_occurrence_view() {
    let local: Tz = "America/New_York".parse().unwrap();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:o\r\nSUMMARY:Weekly\\nsync\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\n\
DTEND;TZID=Europe/Berlin:20260302T100000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nLOCATION:Hall\\, 2\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:o\r\nRECURRENCE-ID;TZID=Europe/Berlin:20260309T090000\r\nSUMMARY:Moved\r\n\
DTSTART;TZID=Europe/Berlin:20260309T110000\r\nDTEND;TZID=Europe/Berlin:20260309T120000\r\nSTATUS:Cancelled\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";
    let mut events: Vec<Record> = crate::formats::ics::read_ics(ics)
        .into_iter()
        .map(|i| i.expect("item").record)
        .collect();
    events.extend(records().into_iter().filter(|r| r.kind == Kind::Event));
    let from = chrono::Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let to = chrono::Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
    let mut seen = 0;
    for r in &events {
        let view = EventView::for_record(r, "c");
        // The body as stored, read in place: the same occurrences, the same rows.
        let stored = serde_json::to_string(&r.body).unwrap();
        let borrowed = crate::model::borrowed::RecordRef {
            id: &r.id,
            kind: r.kind,
            collection: &r.collection,
            body: BodyRef::parse(&stored).unwrap(),
        };
        let found = crate::recur::expand(r, from, to, local, 100).unwrap();
        assert_eq!(
            found,
            crate::recur::expand(&borrowed, from, to, local, 100).unwrap()
        );
        for o in found.occurrences {
            let mut t = Table::default();
            push_occurrence_row(&mut t, r, &RowTexts::of(r), &o);
            push_occurrence_row(&mut t, &borrowed, &RowTexts::of(&borrowed), &o);
            let row: Vec<String> = t.row(0).map(str::to_string).collect();
            let want = event_row(&view.occurrence(&o, &OverrideTexts::of(r, &o)));
            assert_eq!(row, want, "{o:?}");
            assert!(t.row(1).eq(t.row(0)), "{o:?}");
            seen += 1;
        }
    }
    assert!(seen > 8, "{seen}");
}

#[test]
fn rows_are_those_the_json_view_gave() {
    let local: Tz = "America/New_York".parse().unwrap();
    let records = records();
    assert_eq!(records.len(), 10);
    for r in &records {
        assert_eq!(
            record_row(r, local),
            row_via_value(r.kind, record_json(r, "c", local)),
            "{r:?}"
        );
    }
}

#[test]
fn midnights_kept_are_the_instants_found_again() {
    let mut days = Midnights::default();
    for zone in ["Europe/Berlin", "America/New_York", "Pacific/Apia", "UTC"] {
        let local: Tz = zone.parse().unwrap();
        // One Midnights per zone (as per listing); days 512 apart share a slot.
        let mut days_here = Midnights::default();
        for n in (0..2000).step_by(7).chain([512, 0, 1024, 3, 515]) {
            let d = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap() + chrono::Duration::days(n);
            for w in [
                When::Date(d),
                When::Floating(d.and_hms_opt(2, 30, 0).unwrap()),
            ] {
                let want = crate::model::tz::instant(&w, &[], local).timestamp();
                assert_eq!(days_here.instant(&w, &[], local), want, "{zone} {w:?}");
            }
        }
        if zone == "UTC" {
            let d = When::Date(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap());
            assert_eq!(days.instant(&d, &[], local), 1774742400);
        }
    }
}
