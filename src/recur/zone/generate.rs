//! VTIMEZONEs written from the zone database (for export): what a consumer
//! without that database needs to place pim's zoned times where pim does.

use std::ops::RangeInclusive;

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone, Utc};

use crate::model::{Component, Property};

/// A VTIMEZONE for `tzid` (an IANA or Windows name of `zone`) that carries the
/// zone database's transitions over `years`, so a consumer without the zone
/// database (Outlook, older Thunderbird, `icalendar` without zoneinfo) puts each
/// time at the same instant as pim. Each transition is its own observance (one
/// DTSTART, no rule): exact for every year covered, whatever the rules were then.
pub fn vtimezone_from_database(tzid: &str, zone: Tz, years: RangeInclusive<i32>) -> Component {
    let mut c = Component::new("VTIMEZONE");
    c.props.push(Property::new("TZID", tzid));
    c.props.push(Property::new("X-LIC-LOCATION", zone.name()));
    let first = (*years.start()).clamp(1, 9998);
    let last = (*years.end()).clamp(first, 9998);
    let begin = Utc.from_utc_datetime(
        &NaiveDate::from_ymd_opt(first, 1, 1)
            .expect("year in range")
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    );
    let end = Utc.from_utc_datetime(
        &NaiveDate::from_ymd_opt(last + 1, 1, 1)
            .expect("year in range")
            .and_hms_opt(0, 0, 0)
            .expect("midnight"),
    );
    // The offset in force when the range begins, then every change inside it.
    let at_begin = zone.offset_from_utc_datetime(&begin.naive_utc());
    c.subs.push(observance(&at_begin, &at_begin, begin));
    let mut before = at_begin;
    let mut day = begin;
    while day < end {
        let next_day = day + Duration::days(1);
        let after = zone.offset_from_utc_datetime(&next_day.naive_utc());
        if after.fix() != before.fix() {
            let onset = first_instant_with(zone, before.fix(), day, next_day);
            let now = zone.offset_from_utc_datetime(&onset.naive_utc());
            c.subs.push(observance(&before, &now, onset));
            before = now;
        }
        day = next_day;
    }
    c
}

/// The first second in `(lo, hi]` whose offset differs from `old` (there is one).
fn first_instant_with(
    zone: Tz,
    old: FixedOffset,
    mut lo: DateTime<Utc>,
    mut hi: DateTime<Utc>,
) -> DateTime<Utc> {
    while hi - lo > Duration::seconds(1) {
        let mid = lo + (hi - lo) / 2;
        if zone.offset_from_utc_datetime(&mid.naive_utc()).fix() == old {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    hi
}

/// One STANDARD or DAYLIGHT block: from the offset `from` to `to` at `onset`.
fn observance(
    from: &crate::model::zonedb::TzOffset,
    to: &crate::model::zonedb::TzOffset,
    onset: DateTime<Utc>,
) -> Component {
    let name = if to.dst_offset().is_zero() {
        "STANDARD"
    } else {
        "DAYLIGHT"
    };
    let mut o = Component::new(name);
    let wall_before =
        onset.naive_utc() + Duration::seconds(i64::from(from.fix().local_minus_utc()));
    // West of UTC the first observance's onset (midnight UTC of the year 1) is in the
    // year 0, which readers refuse (python icalendar: "year 0 is out of range"). It
    // changes no offset, so starting it at the calendar's first second is the same.
    let first = NaiveDate::from_ymd_opt(1, 1, 1)
        .expect("the year 1")
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    let wall_before = wall_before.max(first);
    o.props.push(Property::new(
        "DTSTART",
        wall_before.format("%Y%m%dT%H%M%S").to_string(),
    ));
    o.props
        .push(Property::new("TZOFFSETFROM", utc_offset_text(from.fix())));
    o.props
        .push(Property::new("TZOFFSETTO", utc_offset_text(to.fix())));
    if let Some(abbr) = to.abbreviation() {
        o.props.push(Property::new("TZNAME", abbr));
    }
    o
}

/// `+0100`, `-0330`, `+053328` (seconds only when there are any, as RFC 5545 allows).
fn utc_offset_text(o: FixedOffset) -> String {
    let secs = o.local_minus_utc();
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let (h, m, s) = (a / 3600, a / 60 % 60, a % 60);
    if s == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{s:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recur::zone::{VTimezone, Zone};
    use chrono::Datelike;

    #[test]
    fn generated_zones_give_the_databases_offsets() {
        for name in [
            "Europe/London",
            "America/Sao_Paulo",
            "Australia/Lord_Howe",
            "Asia/Tokyo",
        ] {
            let zone: Tz = name.parse().unwrap();
            let vtz = vtimezone_from_database("X-Test", zone, 1990..=2030);
            let custom = Zone::Custom(Box::new(
                VTimezone::from_component(&vtz).expect("reads back"),
            ));
            let mut t = Utc.with_ymd_and_hms(1990, 1, 1, 0, 0, 0).unwrap();
            while t.year() <= 2030 {
                assert_eq!(
                    custom.offset_at(t),
                    zone.offset_from_utc_datetime(&t.naive_utc()).fix(),
                    "{name} at {t}"
                );
                t += Duration::hours(7 * 24 + 5);
            }
        }
    }

    #[test]
    fn offsets_with_seconds_and_negative_halves() {
        assert_eq!(
            utc_offset_text(FixedOffset::east_opt(-3 * 3600 - 1800).unwrap()),
            "-0330"
        );
        assert_eq!(
            utc_offset_text(FixedOffset::east_opt(5 * 3600 + 2008).unwrap()),
            "+053328"
        );
    }
}
