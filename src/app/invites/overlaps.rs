//! What an invitation collides with: our events overlapping its first
//! occurrence (the one rule the CLI's `invites show` and the TUI's preview use).

use crate::model::zonedb::Tz;
use chrono::{DateTime, FixedOffset, Utc};

use super::Result;
use crate::invite::{Itip, first_window};
use crate::recur::expand;

/// Overlapping occurrences listed per event of ours.
const MAX_PER_EVENT: usize = 10;
use crate::store::Store;

/// A span of time, in the event's own zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
}

/// One occurrence of one of our events inside the invitation's time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlap {
    pub event_id: String,
    pub summary: String,
    pub when: Slot,
}

/// The invitation's first occurrence and what of ours overlaps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Overlaps {
    pub first: Slot,
    pub events: Vec<Overlap>,
}

/// Our events overlapping the invitation's first occurrence (the event with the
/// invitation's own UID left out). None when the invitation has no occurrence
/// (no DTSTART, or a series with none). Store and recurrence errors are errors.
pub fn overlaps(store: &Store, itip: &Itip, tz: Tz) -> Result<Option<Overlaps>> {
    let Some((from, to)) = first_window(itip, tz) else {
        return Ok(None);
    };
    let first = expand(&itip.event, from, to, tz, 1)?
        .occurrences
        .into_iter()
        .next();
    let Some(first) = first else {
        return Ok(None);
    };
    let (from, to) = (
        first.start.with_timezone(&Utc),
        first.end.with_timezone(&Utc),
    );
    let mut events = Vec::new();
    for r in store.events_between(from.timestamp(), to.timestamp(), None)? {
        if r.uid() == Some(itip.uid.as_str()) {
            continue;
        }
        // One slot of a FREQ=SECONDLY event holds thousands: the first few tell enough.
        // A cancelled occurrence keeps nobody busy.
        let occurrences = expand(&r, from, to, tz, MAX_PER_EVENT)?.occurrences;
        for o in occurrences.into_iter().filter(|o| !o.cancelled) {
            events.push(Overlap {
                event_id: r.id.clone(),
                summary: r.title(),
                when: Slot {
                    start: o.start,
                    end: o.end,
                },
            });
        }
    }
    Ok(Some(Overlaps {
        first: Slot {
            start: first.start,
            end: first.end,
        },
        events,
    }))
}
