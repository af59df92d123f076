//! Occurrences as found, and their RECURRENCE-IDs made into text when wanted.

use chrono::FixedOffset;

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

    /// The occurrences found, named when `named` (or when the order needs it), in order.
    pub(super) fn named(&self, found: Found, named: bool, limit: usize, truncated: bool) -> Expansion {
        let Found { mut occs, rids } = found;
        let tie = || {
            let mut starts: Vec<_> = occs.iter().map(|o| o.start).collect();
            starts.sort_unstable();
            starts.windows(2).any(|w| w[0] == w[1])
        };
        if named || (occs.len() > 1 && tie()) {
            for (o, rid) in occs.iter_mut().zip(rids) {
                o.recurrence_id = rid.map(|(w, known)| self.rid_string(w, known));
            }
        }
        Expansion::of(occs, limit, truncated)
    }
}

/// Occurrences as found, each with what its RECURRENCE-ID is made from (made
/// into text only when wanted: most text listings show none).
#[derive(Default)]
pub(super) struct Found {
    occs: Vec<Occurrence>,
    rids: Vec<Option<(Wall, Known)>>,
}

impl Found {
    pub(super) fn len(&self) -> usize {
        self.occs.len()
    }

    pub(super) fn push(&mut self, (occ, rid): (Occurrence, Option<(Wall, Known)>)) {
        self.occs.push(occ);
        self.rids.push(rid);
    }
}

