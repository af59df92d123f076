//! Recurrence expansion per query window (never stored ahead).
//!
//! NOTE: first cut: only non-recurring events and the master occurrence; the full
//! RRULE/RDATE/EXDATE/RECURRENCE-ID expansion replaces this.

use chrono::{DateTime, FixedOffset, Utc};
use chrono_tz::Tz;

use crate::model::{Record, When, tz};

/// One occurrence of an event in a query window.
#[derive(Debug, Clone, PartialEq)]
pub struct Occurrence {
    /// Start in the event's own zone (floating and all-day: the local zone).
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub all_day: bool,
    /// For occurrences of a recurring event: the original start as RFC 3339
    /// (a date `YYYY-MM-DD` for all-day events).
    pub recurrence_id: Option<String>,
    /// When an override (`RECURRENCE-ID` component) supplies this occurrence: its index
    /// in `body.overrides`.
    pub override_index: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum RecurError {
    #[error("event {id}: {reason}")]
    Invalid { id: String, reason: String },
}

/// The occurrences of `r` that overlap `[from, to)`, ordered by start.
pub fn occurrences(
    r: &Record,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
) -> Result<Vec<Occurrence>, RecurError> {
    let Some(start_p) = r.prop("DTSTART") else {
        return Ok(Vec::new());
    };
    let start = When::from_property(start_p).map_err(|e| RecurError::Invalid {
        id: r.id.clone(),
        reason: e.to_string(),
    })?;
    let s = tz::instant(&start, &r.body.timezones, local);
    let dur = crate::store::duration_of(r, &start).unwrap_or_default();
    let e = s + dur;
    let overlaps = s < to && (e > from || (e == s && s >= from));
    if !overlaps {
        return Ok(Vec::new());
    }
    let off = match &start {
        When::Zoned(_, tzid) => tz::resolve(tzid, &r.body.timezones)
            .map(|z| z.offset_at(s))
            .unwrap_or_else(|| tz::Zone::Iana(local).offset_at(s)),
        When::Utc(_) => FixedOffset::east_opt(0).expect("zero offset"),
        _ => tz::Zone::Iana(local).offset_at(s),
    };
    Ok(vec![Occurrence {
        start: s.with_timezone(&off),
        end: e.with_timezone(&off),
        all_day: start.is_date(),
        recurrence_id: None,
        override_index: None,
    }])
}
