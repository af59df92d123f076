//! Recurrence expansion per query window (never stored ahead).
//!
//! An event's instances are computed in its own wall clock (so a weekly 09:00 meeting
//! stays at 09:00 across DST), from DTSTART, every RRULE and RDATE, minus EXDATEs;
//! RECURRENCE-ID overrides then replace, move or cancel (flag) single instances, and
//! RANGE=THISANDFUTURE overrides shift every later instance. Only the part of the
//! rules that can reach the window is expanded.

pub mod alarm;
pub mod describe;
pub mod follow;
pub mod rule;
mod series;
pub mod zone;

use crate::model::zonedb::Tz;
use chrono::{DateTime, FixedOffset, Utc};

use crate::model::Record;
use crate::model::borrowed::RecordLike;

pub(crate) use series::values as property_values;
pub use series::{Expansion, Series, until_in_form_of_start};

/// Occurrences one query returns at most unless asked for more (`--limit`):
/// a rule like FREQ=SECONDLY over two centuries has billions.
pub const DEFAULT_LIMIT: usize = 100_000;

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
    /// in `body.overrides` (also for instances shifted by a RANGE=THISANDFUTURE override).
    pub override_index: Option<usize>,
    /// STATUS:CANCELLED on the override that supplies it, or on the event itself.
    /// Cancelled occurrences are listed (marked), never dropped.
    pub cancelled: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum RecurError {
    #[error("event {id}: {reason}")]
    Invalid { id: String, reason: String },
}

/// The occurrences of `r` that overlap `[from, to)`, ordered by start: the
/// first [`DEFAULT_LIMIT`] of them.
pub fn occurrences(
    r: &Record,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
) -> Result<Vec<Occurrence>, RecurError> {
    Ok(expand(r, from, to, local, DEFAULT_LIMIT)?.occurrences)
}

/// The first `limit` occurrences of `r` that overlap `[from, to)`, ordered by
/// start, and whether more were left out. Time and memory follow `limit`.
/// (A decoded record or a body read in place, [`crate::model::borrowed::RecordLike`].)
pub fn expand<R: RecordLike>(
    r: &R,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
    limit: usize,
) -> Result<Expansion, RecurError> {
    expand_named(r, from, to, local, limit, true)
}

/// [`expand`] for a caller that shows no RECURRENCE-ID (a text listing): see
/// [`Series::expand_unnamed`].
pub fn expand_unnamed<R: RecordLike>(
    r: &R,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
    limit: usize,
) -> Result<Expansion, RecurError> {
    expand_named(r, from, to, local, limit, false)
}

/// What a listing keeps from one expansion to the next on a thread: the rules it
/// read (most events share theirs with others), room for occurrences, and the
/// window's walls in each zone.
#[derive(Default)]
pub struct Expander {
    rules: rule::ParsedRules,
    room: Vec<Occurrence>,
    walls: zone::WindowWalls,
}

impl Expander {
    /// [`expand`] (`named`) or [`expand_unnamed`] of `r` in `[from, to)`.
    pub fn expand<R: RecordLike>(
        &mut self,
        r: &R,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        local: Tz,
        limit: usize,
        named: bool,
    ) -> Result<Expansion, RecurError> {
        let series = Series::new_with(r, local, &mut self.rules);
        match series.map_err(|e| RecurError::Invalid {
            id: r.id().to_string(),
            reason: e.to_string(),
        })? {
            Some(s) => {
                let room = std::mem::take(&mut self.room);
                Ok(s.expand_into(from, to, limit, named, room, Some(&mut self.walls)))
            }
            None => Ok(Expansion::default()),
        }
    }

    /// Occurrences done with: their room is used for the next expansion.
    pub fn give_back(&mut self, mut occurrences: Vec<Occurrence>) {
        occurrences.clear();
        if occurrences.capacity() > self.room.capacity() {
            self.room = occurrences;
        }
    }
}

fn expand_named<R: RecordLike>(
    r: &R,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
    limit: usize,
    named: bool,
) -> Result<Expansion, RecurError> {
    match Series::new(r, local).map_err(|e| RecurError::Invalid {
        id: r.id().to_string(),
        reason: e.to_string(),
    })? {
        Some(s) if named => Ok(s.expand(from, to, limit)),
        Some(s) => Ok(s.expand_unnamed(from, to, limit)),
        None => Ok(Expansion::default()),
    }
}

#[cfg(test)]
mod clock_change_tests;
#[cfg(test)]
mod tests;
