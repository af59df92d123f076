//! `X-WR-TIMEZONE` (Google, Apple): a calendar-level zone that the file's floating
//! times mean. RFC 5545 ignores it; Python's `x-wr-timezone` (which
//! `recurring-ical-events` applies) reads floating times in that zone and moves UTC
//! times into it. pim does the same when importing a VEVENT: floating DTSTART,
//! DTEND, RECURRENCE-ID, RDATE and EXDATE get `TZID=<zone>`; in a recurring series
//! UTC values are rewritten as wall times in the zone too (same instants), so the
//! series keeps its wall-clock time across daylight-saving changes. A single event's
//! UTC times are kept as written: their instant is already exact.

use crate::model::zonedb::Tz;
use chrono::{NaiveDateTime, TimeZone};

use crate::model::{Component, Property};

const TIME_PROPS: &[&str] = &["DTSTART", "DTEND", "RECURRENCE-ID", "RDATE", "EXDATE"];

/// The zone named by the calendar's `X-WR-TIMEZONE`, when it is an IANA zone.
pub fn calendar_zone(calendar_props: &[Property]) -> Option<Tz> {
    calendar_props
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case("X-WR-TIMEZONE"))
        .and_then(|p| p.value.trim().parse().ok())
}

/// Give `c`'s floating times (and, when `series`, its UTC times) the zone `zone`.
pub fn apply(c: &mut Component, zone: Tz, series: bool) {
    for p in c.props.iter_mut() {
        if TIME_PROPS.iter().any(|n| p.name.eq_ignore_ascii_case(n)) {
            localize(p, zone, series);
        }
    }
}

fn localize(p: &mut Property, zone: Tz, move_utc: bool) {
    if p.param("TZID").is_some()
        || p.param("VALUE")
            .is_some_and(|v| !v.eq_ignore_ascii_case("DATE-TIME"))
    {
        return;
    }
    let values: Vec<&str> = p.value.split(',').map(str::trim).collect();
    let floating = |v: &str| NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%S").ok();
    let utc = |v: &str| {
        v.strip_suffix('Z')
            .or_else(|| v.strip_suffix('z'))
            .and_then(|t| NaiveDateTime::parse_from_str(t, "%Y%m%dT%H%M%S").ok())
    };
    if values.iter().all(|v| floating(v).is_some()) {
        p.set_param("TZID", zone.name());
        return;
    }
    if !move_utc {
        return;
    }
    let Some(walls) = values
        .iter()
        .map(|v| utc(v).map(|t| zone.from_utc_datetime(&t).naive_local()))
        .collect::<Option<Vec<_>>>()
    else {
        return;
    };
    p.value = walls
        .iter()
        .map(|w| w.format("%Y%m%dT%H%M%S").to_string())
        .collect::<Vec<_>>()
        .join(",");
    p.set_param("TZID", zone.name());
}

#[cfg(test)]
mod tests {
    use super::super::read_ics;
    use crate::recur::occurrences;
    use chrono::{TimeZone, Utc};

    const CAL: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:America/New_York\r\n\
BEGIN:VEVENT\r\nUID:floating\r\nDTSTART:20260310T090000\r\nDTEND:20260310T100000\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:weekly\r\nDTSTART:20260302T140000Z\r\nDTEND:20260302T150000Z\r\n\
RRULE:FREQ=WEEKLY;COUNT=3\r\nEXDATE:20260316T130000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:single\r\nDTSTART:20260311T120000Z\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:day\r\nDTSTART;VALUE=DATE:20260312\r\nEND:VEVENT\r\n\
END:VCALENDAR\r\n";

    #[test]
    fn floating_times_mean_the_calendar_zone_and_series_keep_wall_time() {
        let records: Vec<_> = read_ics(CAL)
            .into_iter()
            .map(|r| r.unwrap().record)
            .collect();
        let viewer: crate::model::zonedb::Tz = "Asia/Tokyo".parse().unwrap();
        let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
        let starts = |i: usize| -> Vec<String> {
            occurrences(&records[i], from, to, viewer)
                .unwrap()
                .iter()
                .map(|o| o.start.with_timezone(&Utc).to_rfc3339())
                .collect()
        };
        // 09:00 in New York (EDT from 8 March), not 09:00 in the viewer's zone.
        assert_eq!(starts(0), ["2026-03-10T13:00:00+00:00"]);
        let p = records[0].prop("DTSTART").unwrap();
        assert_eq!(
            (p.value.as_str(), p.param("TZID")),
            ("20260310T090000", Some("America/New_York"))
        );
        // 09:00 EST on 2 March; the series stays at 09:00 after the DST change (a UTC
        // series would be at 10:00 EDT); the EXDATE (moved the same way) removes 16 March.
        assert_eq!(
            starts(1),
            ["2026-03-02T14:00:00+00:00", "2026-03-09T13:00:00+00:00"]
        );
        // A single UTC event and an all-day event are untouched.
        assert_eq!(
            records[2].prop("DTSTART").unwrap().value,
            "20260311T120000Z"
        );
        assert_eq!(records[2].prop("DTSTART").unwrap().param("TZID"), None);
        assert_eq!(records[3].prop("DTSTART").unwrap().param("TZID"), None);
    }

    #[test]
    fn unknown_zone_names_change_nothing() {
        let cal = CAL.replace("America/New_York", "Mars/Olympus");
        let records: Vec<_> = read_ics(&cal)
            .into_iter()
            .map(|r| r.unwrap().record)
            .collect();
        assert_eq!(records[0].prop("DTSTART").unwrap().param("TZID"), None);
        assert_eq!(
            records[1].prop("DTSTART").unwrap().value,
            "20260302T140000Z"
        );
    }
}
