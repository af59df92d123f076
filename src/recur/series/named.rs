//! Occurrences as found, and their RECURRENCE-IDs made into text when wanted.

use chrono::{DateTime, FixedOffset, Utc};

use super::text::{date_string, rfc3339};
use super::{Expansion, Known, Series, Wall};
use crate::recur::Occurrence;

impl Series {
    /// RECURRENCE-ID text: the day of an all-day instance, else RFC 3339 with the
    /// zone's offset (formatted by hand: this runs for every listed occurrence).
    fn rid_string(&self, w: Wall, known: Known) -> String {
        if self.all_day {
            return date_string(w.date());
        }
        let (t, off) = known.unwrap_or_else(|| self.zone.to_utc_with_offset(w));
        // A wall time in a DST gap (02:30 on the spring-forward night) keeps its own
        // wall with the offset that makes it the same instant (02:30+01:00 = 03:30+02:00):
        // edits and splits name the occurrence as the series makes it.
        let off = match i32::try_from((w - t.naive_utc()).num_seconds()) {
            Ok(s) if t.naive_utc() + off != w => FixedOffset::east_opt(s).unwrap_or(off),
            _ => off,
        };
        rfc3339(t, off)
    }

    /// The occurrences found, in order. Unnamed ones are found again, named, when
    /// two start at once: their order then goes by their RECURRENCE-IDs.
    pub(super) fn named(
        &self,
        found: Found,
        (from, to): (DateTime<Utc>, DateTime<Utc>),
        limit: usize,
        truncated: bool,
    ) -> Expansion {
        let Found { occs, named } = found;
        if !named && occs.len() > 1 {
            let mut starts: Vec<_> = occs.iter().map(|o| o.start).collect();
            starts.sort_unstable();
            if starts.windows(2).any(|w| w[0] == w[1]) {
                return self.expand_named(from, to, limit, true);
            }
        }
        Expansion::of(occs, limit, truncated)
    }
}

/// Occurrences as found; named (their RECURRENCE-ID made into text) when wanted:
/// most text listings show none.
pub(super) struct Found {
    occs: Vec<Occurrence>,
    named: bool,
}

impl Found {
    /// Found into `room` (emptied).
    pub(super) fn new(named: bool, mut room: Vec<Occurrence>) -> Found {
        room.clear();
        Found { occs: room, named }
    }

    pub(super) fn len(&self) -> usize {
        self.occs.len()
    }

    /// `occ` of `series`, whose RECURRENCE-ID is made from `rid`.
    pub(super) fn push(
        &mut self,
        series: &Series,
        (mut occ, rid): (Occurrence, Option<(Wall, Known)>),
    ) {
        if self.named {
            occ.recurrence_id = rid.map(|(w, known)| series.rid_string(w, known));
        }
        self.occs.push(occ);
    }
}
