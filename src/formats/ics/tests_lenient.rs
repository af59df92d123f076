//! Issue 15: malformed-but-common input is repaired (and noted) unless strict.

use super::*;
use chrono::TimeZone;

use crate::model::When;
use crate::recur::zone::Zone;

fn cal(body: &str) -> String {
    format!("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n{body}END:VCALENDAR\r\n")
}

const EVENT: &str = "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T100000Z\r\nEND:VEVENT\r\n";

#[test]
fn stray_calendar_lines_and_end_typos_are_ignored_with_a_note() {
    let text = format!("X-STRAY:before\r\n{}X-COMMENT:Cached\r\n", cal(EVENT))
        .replace("END:VCALENDAR", "END:VCALENDARD");
    let read = read_ics_with(&text, false);
    assert_eq!(read.items.len(), 1);
    assert!(read.items[0].is_ok());
    assert_eq!(read.repairs.len(), 1);
    let note = &read.repairs[0];
    assert_eq!(note.index, 0);
    assert!(note.reason.contains("X-STRAY outside"), "{note:?}");
    assert!(note.reason.contains("END:VCALENDARD"), "{note:?}");
    let strict = read_ics_with(&text, true);
    assert!(strict.items.iter().filter(|r| r.is_err()).count() >= 2);
    // After a proper END:VCALENDAR.
    let after = format!("{}X-COMMENT:Cached\r\n", cal(EVENT));
    let read = read_ics_with(&after, false);
    assert!(read.items[0].is_ok());
    assert!(read.repairs[0].reason.contains("X-COMMENT outside"));
    assert!(read_ics_with(&after, true).items.iter().any(Result::is_err));
}

#[test]
fn broken_folding_inside_a_parameter_list_is_joined() {
    let text = cal("BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T100000Z\r\n\
         ATTENDEE;ROLE=REQ-PARTICIPANT;CN=\"MHMN002\"\r\n:\r\n  MAILTO:MHMN002@bitgroup.com\r\n\
         SUMMARY:after\r\nEND:VEVENT\r\n");
    let read = read_ics_with(&text, false);
    let r = &read.items[0].as_ref().unwrap().record;
    let a = r.body.main.prop("ATTENDEE").unwrap();
    assert_eq!(a.value, "MAILTO:MHMN002@bitgroup.com");
    assert_eq!(a.param("CN"), Some("MHMN002"));
    assert_eq!(r.body.main.prop("SUMMARY").unwrap().value, "after");
    assert_eq!(read.repairs[0].line, 6);
    assert!(read_ics_with(&text, true).items[0].is_err());
}

#[test]
fn rscale_rules_are_refused_not_expanded_on_gregorian_dates() {
    let text = cal("BEGIN:VEVENT\r\nUID:a\r\nDTSTART;VALUE=DATE:20240210\r\n\
         RRULE:RSCALE=CHINESE;FREQ=YEARLY\r\nEND:VEVENT\r\n");
    let strict = read_ics_with(&text, true);
    let e = strict.items[0].as_ref().unwrap_err();
    assert!(e.reason.contains("RSCALE=CHINESE"), "{e}");
    let read = read_ics_with(&text, false);
    let r = &read.items[0].as_ref().unwrap().record;
    // The rule is kept for export.
    assert!(r.body.main.prop("RRULE").is_some());
    let from = chrono::Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
    let to = chrono::Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap();
    let occ = crate::recur::occurrences(r, from, to, crate::model::zonedb::UTC).unwrap();
    assert_eq!(occ.len(), 1, "DTSTART alone");
}

#[test]
fn outlook_escaped_tzid_matches_its_quoted_use() {
    let text = cal(
        "BEGIN:VTIMEZONE\r\nTZID:Kuala Lumpur\\, Singapore\r\nBEGIN:STANDARD\r\n\
         DTSTART:16010101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\n\
         END:VTIMEZONE\r\nBEGIN:VEVENT\r\nUID:a\r\n\
         DTSTART;TZID=\"Kuala Lumpur, Singapore\":20240304T090000\r\nEND:VEVENT\r\n",
    );
    let r = read_ics(&text).remove(0).unwrap().record;
    assert_eq!(r.body.timezones.len(), 1);
    let zone = Zone::resolve("Kuala Lumpur, Singapore", &r.body.timezones).unwrap();
    let start = When::from_property(r.body.main.prop("DTSTART").unwrap()).unwrap();
    let When::Zoned(n, _) = start else {
        panic!("zoned")
    };
    assert_eq!(zone.to_utc(n).to_rfc3339(), "2024-03-04T01:00:00+00:00");
}

#[test]
fn identical_overrides_are_kept_once() {
    let ov = "BEGIN:VEVENT\r\nUID:a\r\nRECURRENCE-ID:20240102T100000Z\r\nDTSTART:20240102T120000Z\r\nEND:VEVENT\r\n";
    let text = cal(&format!(
        "BEGIN:VEVENT\r\nUID:a\r\nDTSTART:20240101T100000Z\r\nRRULE:FREQ=DAILY;COUNT=3\r\nEND:VEVENT\r\n{ov}{ov}"
    ));
    for strict in [false, true] {
        let read = read_ics_with(&text, strict);
        let r = &read.items[0].as_ref().unwrap().record;
        assert_eq!(r.body.overrides.len(), 1);
        assert_eq!(read.superseded.len(), 1);
    }
}

#[test]
fn the_later_dtstamp_wins_at_equal_sequence() {
    let v = |stamp: &str, summary: &str| {
        format!(
            "BEGIN:VEVENT\r\nUID:a\r\nDTSTAMP:{stamp}\r\nDTSTART:20240101T100000Z\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
        )
    };
    let text = cal(&(v("20240105T000000Z", "new") + &v("20240101T000000Z", "old")));
    let read = read_ics_with(&text, false);
    let r = &read.items[0].as_ref().unwrap().record;
    assert_eq!(r.body.main.prop("SUMMARY").unwrap().value, "new");
    assert_eq!(read.superseded[0].line, 9);
    // Equal in everything: the later one in the file.
    let text = cal(&(v("20240101T000000Z", "first") + &v("20240101T000000Z", "second")));
    let r = read_ics(&text).remove(0).unwrap().record;
    assert_eq!(r.body.main.prop("SUMMARY").unwrap().value, "second");
}

#[test]
fn limits_still_refuse_when_lenient() {
    let long = format!(
        "BEGIN:VEVENT\r\nUID:a\r\nX-{}\r\nEND:VEVENT\r\n",
        "a".repeat(crate::formats::contentline::MAX_LINE_BYTES)
    );
    let read = read_ics_with(&cal(&long), false);
    assert!(
        read.items[0]
            .as_ref()
            .unwrap_err()
            .reason
            .contains("longer")
    );
}

#[test]
fn a_broken_version_of_an_item_does_not_take_the_good_one_with_it() {
    let good = "BEGIN:VEVENT\r\nUID:a\r\nSEQUENCE:1\r\nDTSTART:20240101T100000Z\r\nSUMMARY:good\r\nEND:VEVENT\r\n";
    let broken =
        "BEGIN:VEVENT\r\nUID:a\r\nSEQUENCE:2\r\nDTSTART:20240230T100000Z\r\nEND:VEVENT\r\n";
    let read = read_ics_with(&cal(&format!("{good}{broken}")), false);
    let r = &read.items[0].as_ref().unwrap().record;
    assert_eq!(r.body.main.prop("SUMMARY").unwrap().value, "good");
    assert_eq!(read.superseded.len(), 1);
    assert!(
        read.superseded[0].reason.contains("it was invalid"),
        "{:?}",
        read.superseded
    );
    // Only broken versions: the item is reported, nothing silently dropped.
    let read = read_ics_with(&cal(&format!("{broken}{broken}")), false);
    assert!(read.items[0].is_err());
    assert_eq!(read.superseded.len(), 1);
}
