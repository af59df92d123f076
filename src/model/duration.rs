//! How long an event lasts, from its own properties.

use chrono::{DateTime, Duration, Utc};

use super::time::{When, parse_ical_duration};
use super::{Record, tz};

/// DTEND − DTSTART, or DURATION, or the RFC 5545 default (one day for dates, zero otherwise).
pub fn duration_of(r: &Record, start: &When) -> Option<Duration> {
    if let Some(end) = r.prop("DTEND").and_then(|p| When::from_property(p).ok()) {
        let d = at(&end, r) - at(start, r);
        return Some(d.max(Duration::zero()));
    }
    if let Some(d) = r
        .prop("DURATION")
        .and_then(|p| parse_ical_duration(&p.value).ok())
    {
        return Some(d);
    }
    Some(if start.is_date() {
        Duration::days(1)
    } else {
        Duration::zero()
    })
}

/// A value of the record as an instant (dates and floating times read as UTC).
fn at(w: &When, r: &Record) -> DateTime<Utc> {
    tz::instant(w, &r.body.timezones, chrono_tz::UTC)
}
