//! A rule's UNTIL written in the form RFC 5545 §3.3.10 asks for its series' start:
//! a date for an all-day start, a floating time for a floating one, UTC for a
//! zoned or UTC one. Other readers refuse the mixed forms people type
//! (python-dateutil, so khal: "RRULE UNTIL values must be specified in UTC when
//! DTSTART is timezone-aware").

use chrono::{NaiveDate, NaiveTime};

use super::{Wall, zone_of};
use crate::model::time::YEARS;
use crate::model::zonedb::Tz;
use crate::model::{Component, When};
use crate::recur::rule::Until;
use crate::recur::zone::Zone;

/// `rule` (an RRULE value) with its UNTIL in the form of `start` (in the zones of
/// `timezones`, floating and all-day values in `local`), or `None` when it is in
/// that form already, has no UNTIL, or does not read. A date UNTIL for a timed
/// start becomes the end of its day when `whole_day` (people who type "until the
/// 3rd" mean the 3rd too; an all-day series had that day), else its midnight (as
/// the series reads it: the occurrences stay those they were); a time for an
/// all-day start names its day in `local`.
pub fn until_in_form_of_start(
    rule: &str,
    start: &When,
    timezones: &[Component],
    local: Tz,
    whole_day: bool,
) -> Option<String> {
    let parts: Vec<&str> = rule.split(';').collect();
    let at = parts.iter().position(|p| {
        p.split_once('=')
            .is_some_and(|(k, _)| k.trim().eq_ignore_ascii_case("UNTIL"))
    })?;
    let (_, value) = parts[at].split_once('=')?;
    let until = crate::recur::rule::parse_until(value).ok()?;
    let zone = zone_of(start, timezones, local);
    let written = match (start, &until) {
        (When::Date(_), Until::Date(_))
        | (When::Floating(_), Until::Local(_))
        | (When::Zoned(..) | When::Utc(_), Until::Utc(_)) => return None,
        (When::Date(_), Until::Local(n)) => date(n.date()),
        (When::Date(_), Until::Utc(n)) => date(Zone::Local(local).wall(n.and_utc()).date()),
        (When::Floating(_), Until::Date(d)) => floating(day_end(*d, whole_day)),
        (When::Floating(_), Until::Utc(n)) => floating(Zone::Local(local).wall(n.and_utc())),
        (_, Until::Date(d)) => utc(&zone, day_end(*d, whole_day)),
        (_, Until::Local(n)) => utc(&zone, *n),
    };
    let mut out: Vec<String> = parts.iter().map(|p| p.to_string()).collect();
    out[at] = format!("UNTIL={written}");
    Some(out.join(";"))
}

/// The first and last seconds iCalendar can write (the years 1–9999): an UNTIL
/// moved to UTC or to another day past them is held there.
fn within_calendar(n: Wall) -> Wall {
    let first = NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1).expect("a valid date");
    let last = NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31).expect("a valid date");
    n.clamp(first.and_time(NaiveTime::MIN), last_second(last))
}

/// Where a date UNTIL ends a timed series: the last second of its day when
/// `whole_day`, else its first.
fn day_end(day: NaiveDate, whole_day: bool) -> Wall {
    match whole_day {
        true => last_second(day),
        false => day.and_time(NaiveTime::MIN),
    }
}

/// The last second of `day`, on the wall clock.
fn last_second(day: NaiveDate) -> Wall {
    day.and_time(NaiveTime::from_hms_opt(23, 59, 59).expect("a valid time"))
}

fn date(d: NaiveDate) -> String {
    within_calendar(d.and_time(NaiveTime::MIN))
        .format("%Y%m%d")
        .to_string()
}

fn floating(n: Wall) -> String {
    within_calendar(n).format("%Y%m%dT%H%M%S").to_string()
}

fn utc(zone: &Zone, wall: Wall) -> String {
    within_calendar(zone.to_utc(wall).naive_utc())
        .format("%Y%m%dT%H%M%SZ")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zone(name: &str) -> Tz {
        name.parse().unwrap()
    }

    /// An UNTIL at the calendar's end, moved to UTC from a zone behind it or to a
    /// day in a zone ahead of it, stays within the years 1–9999 (it was written
    /// `+100000101T045959Z`).
    #[test]
    fn untils_moved_past_the_calendar_stay_in_it() {
        let ny = zone("America/New_York");
        let timed = When::Zoned(
            NaiveDate::from_ymd_opt(2026, 12, 1)
                .unwrap()
                .and_hms_opt(10, 0, 0)
                .unwrap(),
            "America/New_York".into(),
        );
        let day = When::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let floating = When::Floating(day_start(2026, 12, 1));
        let kiritimati = zone("Pacific/Kiritimati");
        for (rule, start, local, want) in [
            (
                "FREQ=YEARLY;UNTIL=99991231",
                &timed,
                ny,
                "FREQ=YEARLY;UNTIL=99991231T235959Z",
            ),
            (
                "FREQ=YEARLY;UNTIL=99991231T230000",
                &timed,
                ny,
                "FREQ=YEARLY;UNTIL=99991231T235959Z",
            ),
            (
                "FREQ=YEARLY;UNTIL=99991231T230000Z",
                &day,
                kiritimati,
                "FREQ=YEARLY;UNTIL=99991231",
            ),
            (
                "FREQ=YEARLY;UNTIL=99991231T230000Z",
                &floating,
                kiritimati,
                "FREQ=YEARLY;UNTIL=99991231T235959",
            ),
            (
                "FREQ=YEARLY;UNTIL=00010101T010000Z",
                &day,
                ny,
                "FREQ=YEARLY;UNTIL=00010101",
            ),
        ] {
            let got = until_in_form_of_start(rule, start, &[], local, true);
            assert_eq!(got.as_deref(), Some(want), "{rule}");
        }
    }

    fn day_start(y: i32, m: u32, d: u32) -> Wall {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_time(NaiveTime::MIN)
    }
}
