//! `pim export --format ics` writes each stored body straight from its JSON on two
//! threads, then sorts: the bytes are those [`write_ics`] writes for the records
//! in listing order, across many batches, shared titles, time zones of one TZID
//! that differ from record to record, and bodies stored in other JSON forms.

use pim::formats::ics::write_ics;
use pim::model::{Component, Kind, Property, Record};
use pim::store::Store;

use crate::support::pim::Pim;

fn zone(tzid: Option<&str>, offset: &str) -> Component {
    let mut z = Component::new("VTIMEZONE");
    if let Some(tzid) = tzid {
        z.props.push(Property::new("TZID", tzid));
    }
    let mut s = Component::new("STANDARD");
    s.props.push(Property::new("DTSTART", "19700101T000000"));
    s.props.push(Property::new("TZOFFSETFROM", offset));
    s.props.push(Property::new("TZOFFSETTO", offset));
    z.subs.push(s);
    z
}

fn event(i: usize, coll: &str) -> Record {
    let mut r = Record::new(Kind::Event, coll);
    r.set_text("UID", &format!("u{i}"));
    // Shared titles: their ids decide.
    r.set_text(
        "SUMMARY",
        &format!("Meeting {} – é😀 {}", i % 7, "x".repeat(i % 90)),
    );
    let tzid = ["Custom/A", "Custom/B", "Europe/Berlin", "America/New_York"][i % 4];
    r.body.main.props.push(
        Property::new("DTSTART", format!("{}0301T100000", 2020 + i % 9)).with_param("TZID", tzid),
    );
    if i.is_multiple_of(5) {
        r.body
            .main
            .props
            .push(Property::new("RRULE", "FREQ=WEEKLY"));
    }
    if i.is_multiple_of(3) {
        let mut p = Property::new("ATTENDEE", "mailto:a@example.org")
            .with_param("CN", &format!("Doe, \"J\": {}", "ü".repeat(i % 40)));
        p.group = Some("g".into());
        r.body.main.props.push(p);
    }
    // Zones of the same TZID that differ from record to record, zones without one,
    // and the same TZID twice in one record.
    let offset = format!("+0{}00", i % 10);
    match i % 6 {
        0 => r.body.timezones.push(zone(Some(tzid), &offset)),
        1 => {
            r.body.timezones.push(zone(Some("Custom/A"), &offset));
            r.body.timezones.push(zone(Some("Custom/A"), "+0900"));
        }
        2 => r.body.timezones.push(zone(None, &offset)),
        3 => r.body.timezones.push(zone(Some("Custom/B"), "+0200")),
        _ => {}
    }
    r
}

/// Some bodies kept in other JSON forms (as another version might write them):
/// indented, so the store's own reader leaves them to serde. How many.
#[allow(clippy::disallowed_types)] // changes the file from outside, as another program would
fn rewrite_some_bodies(pim: &Pim) -> usize {
    let db = rusqlite::Connection::open(pim.path("pim.sqlite3")).unwrap();
    let mut stmt = db
        .prepare("SELECT id, data FROM records WHERE kind = 'event' AND rowid % 37 = 0")
        .unwrap();
    let bodies: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    drop(stmt);
    for (id, data) in &bodies {
        let value: serde_json::Value = serde_json::from_str(data).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap();
        db.execute("UPDATE records SET data = ?2 WHERE id = ?1", [id, &pretty])
            .unwrap();
    }
    bodies.len()
}

#[test]
fn an_ics_export_is_the_calendar_of_the_records_in_listing_order() {
    let pim = Pim::new();
    pim.ok(&["list", "events"]); // creates the profile
    let mut store = Store::open(&pim.path("pim.sqlite3")).unwrap();
    let coll = store.default_collection(Kind::Event).unwrap().id;
    // Stored against the listing order, over several batches of rows.
    for i in (0..700).rev() {
        let r = event(i, &coll);
        store.write(|w| w.create(&r)).unwrap();
    }
    drop(store);
    let rewritten = rewrite_some_bodies(&pim);
    let store = Store::open(&pim.path("pim.sqlite3")).unwrap();
    let records = store.list(Kind::Event, None).unwrap();
    let refs: Vec<&Record> = records.iter().collect();
    let want = write_ics(&refs);
    drop(store);
    assert!(rewritten > 10, "{rewritten}");
    let got = pim.ok(&["export", "events"]);
    assert_eq!(got.matches("BEGIN:VEVENT").count(), 700);
    // Custom/A, Custom/B, the zone without a TZID and the two generated ones.
    assert_eq!(got.matches("BEGIN:VTIMEZONE").count(), 5);
    assert_eq!(got.len(), want.len());
    assert!(got == want, "the export differs from write_ics");
}
