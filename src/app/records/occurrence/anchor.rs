//! Which properties hold an instance's times: DTSTART and DTEND for events;
//! DTSTART and DUE for tasks, or DUE alone for a task without DTSTART (RFC 5545
//! repeats a VTODO from DTSTART when it has one, else from DUE).

use chrono::Duration;

use crate::model::{Kind, Record, When, tz};

/// The property a series' instances repeat: DTSTART, or DUE for a task without one.
pub(crate) fn anchor_name(r: &Record) -> &'static str {
    if r.kind == Kind::Task && r.prop("DTSTART").is_none() {
        "DUE"
    } else {
        "DTSTART"
    }
}

/// The property that ends an instance and moves with its start: DTEND, or a
/// task's DUE when it has a DTSTART.
pub(crate) fn end_name(r: &Record) -> Option<&'static str> {
    match (r.kind, anchor_name(r)) {
        (Kind::Task, "DUE") => None,
        (Kind::Task, _) => Some("DUE"),
        _ => Some("DTEND"),
    }
}

/// The start of the series as a value (DTSTART, or a task's DUE without one).
pub(super) fn dtstart(r: &Record) -> Option<When> {
    r.prop(anchor_name(r))
        .and_then(|p| When::from_property(p).ok())
}

/// Where an instance of the series starting at `start` ends, as stored.
pub(crate) fn stored_end(r: &Record, start: &When) -> Option<When> {
    match end_name(r) {
        Some("DTEND") => super::super::text::stored_end(r, start),
        Some(name) => match r.prop(name).and_then(|p| When::from_property(p).ok()) {
            Some(e) => Some(e),
            None => {
                let d = r.prop("DURATION")?;
                Some(start.plus(crate::model::time::parse_ical_duration(&d.value).ok()?))
            }
        },
        None => None,
    }
}

/// The wall-clock length between two values (dates in days, same-zone times by
/// their wall clocks, otherwise the instants).
pub(crate) fn length(a: &When, b: &When, r: &Record, local: crate::model::zonedb::Tz) -> Duration {
    match (a, b) {
        (When::Date(x), When::Date(y)) => *y - *x,
        (When::Floating(x), When::Floating(y)) => *y - *x,
        (When::Zoned(x, p), When::Zoned(y, q)) if p == q => *y - *x,
        _ => tz::instant(b, &r.body.timezones, local) - tz::instant(a, &r.body.timezones, local),
    }
}

/// `text` (an [`crate::recur::Occurrence::recurrence_id`]) as the wall time it
/// names and its instant.
pub(super) fn parse_rid(
    text: &str,
    local: crate::model::zonedb::Tz,
) -> Option<(chrono::NaiveDateTime, chrono::DateTime<chrono::Utc>)> {
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        let wall = d.and_time(chrono::NaiveTime::MIN);
        return Some((wall, crate::model::time::local_to_utc(wall, local)));
    }
    let t = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    Some((t.naive_local(), t.with_timezone(&chrono::Utc)))
}
