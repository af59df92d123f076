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
    Some(without_end(
        r.prop("DURATION").map(|p| p.value.as_str()),
        start,
    ))
}

/// How long an event without DTEND lasts: its DURATION (the value given), or the
/// RFC 5545 default, one day for a date and zero otherwise.
pub fn without_end(duration: Option<&str>, start: &When) -> Duration {
    if let Some(d) = duration.and_then(|v| parse_ical_duration(v).ok()) {
        return d;
    }
    if start.is_date() {
        Duration::days(1)
    } else {
        Duration::zero()
    }
}

/// A value of the record as an instant (dates and floating times read as UTC).
fn at(w: &When, r: &Record) -> DateTime<Utc> {
    tz::instant(w, &r.body.timezones, crate::model::zonedb::UTC)
}
