//! The IANA time-zone database as a chrono [`TimeZone`]: [`Tz`] is a zone of the
//! database, [`TzOffset`] the offset in force at some instant.
//!
//! Why not chrono-tz, whose tables these are (`scripts/gen-zones.py` writes
//! `table.rs` from them): chrono-tz keeps each zone's ~28 700 abbreviations as
//! `&'static str` pointers, which the dynamic loader relocates on every start of
//! pim (259 pages written before `main`, a third of `pim --version`). Here every
//! table is plain integers and byte strings, untouched until a zone is used. The
//! answers are chrono-tz's, zone by zone and instant by instant (`tests`).

// Generated, kept compact (rustfmt would put each number on a line of its own).
#[rustfmt::skip]
mod table;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::{
    Duration, FixedOffset, MappedLocalTime, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone,
};

pub use table::TZDB_VERSION;

/// A zone of the IANA database ("Europe/Berlin", "US/Eastern", "UTC", …).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tz(u16);

/// Coordinated Universal Time, the zone named "UTC".
pub const UTC: Tz = Tz(table::UTC_INDEX);

/// A zone's row of the tables: its name ends at `name_end` in `NAMES` (it starts
/// where the previous one ends), `first` is in force before its first
/// transition, `AT[start..end]` are its transitions.
struct Zone {
    name_end: u32,
    first: u16,
    start: u32,
    end: u32,
}

/// An offset a zone uses: standard offset from UTC, the daylight-saving part on
/// top, and its abbreviation in `ABBREVIATIONS` (none when `abbr_len` is 0).
#[derive(Clone, Copy, PartialEq, Eq)]
struct Kind {
    utc: i32,
    dst: i32,
    abbr_start: u16,
    abbr_len: u8,
}

/// A name that is not a zone of the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownZone;

impl fmt::Display for UnknownZone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a zone of the IANA time-zone database")
    }
}

impl std::error::Error for UnknownZone {}

impl Tz {
    /// Coordinated Universal Time (also [`UTC`]).
    pub const UTC: Tz = UTC;

    /// The zone's IANA name, as it was parsed.
    pub fn name(self) -> &'static str {
        let i = usize::from(self.0);
        let start = if i == 0 {
            0
        } else {
            table::ZONES[i - 1].name_end as usize
        };
        let bytes = &table::NAMES[start..table::ZONES[i].name_end as usize];
        std::str::from_utf8(bytes).expect("zone names are ASCII")
    }

    /// Every zone of the database, in the order of their names.
    pub fn all() -> impl Iterator<Item = Tz> {
        (0..table::ZONES.len()).map(|i| Tz(i as u16))
    }

    fn zone(self) -> &'static Zone {
        &table::ZONES[usize::from(self.0)]
    }

    /// The transitions: instants and the kinds that take over at them.
    fn transitions(self) -> (&'static [i64], &'static [u16]) {
        let z = self.zone();
        let range = z.start as usize..z.end as usize;
        (&table::AT[range.clone()], &table::KIND_AT[range])
    }

    fn offset(self, kind: u16) -> TzOffset {
        TzOffset { tz: self, kind }
    }

    /// The zone's spans, its rows of the tables looked up once.
    fn spans(self) -> Spans {
        let (at, kinds) = self.transitions();
        Spans {
            at,
            kinds,
            first: self.zone().first,
        }
    }

    /// Local seconds of span `i` (see [`Spans::local`]).
    #[cfg(test)]
    fn local_span(self, i: usize) -> (Option<i64>, Option<i64>) {
        self.spans().local(i)
    }
}

/// A zone's spans: span 0 lasts until the first transition, span `i` from
/// transition `i - 1` to transition `i` (the last one without end).
struct Spans {
    at: &'static [i64],
    kinds: &'static [u16],
    first: u16,
}

impl Spans {
    fn len(&self) -> usize {
        self.at.len() + 1
    }

    /// The kind in force during span `i`.
    fn kind(&self, i: usize) -> u16 {
        match i {
            0 => self.first,
            _ => self.kinds[i - 1],
        }
    }

    /// Local seconds of span `i`: from its first instant to its end, both read on
    /// its own clock (`None`: unbounded).
    fn local(&self, i: usize) -> (Option<i64>, Option<i64>) {
        let own = i64::from(table::KINDS[usize::from(self.kind(i))].total());
        let begin = i.checked_sub(1).map(|b| self.at[b] + own);
        let end = self.at.get(i).map(|e| e + own);
        (begin, end)
    }
}

impl Kind {
    fn total(self) -> i32 {
        self.utc + self.dst
    }
}

impl FromStr for Tz {
    type Err = UnknownZone;

    /// The exact IANA name (case counts, as in the database).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (mut lo, mut hi) = (0usize, table::ZONES.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match Tz(mid as u16).name().as_bytes().cmp(s.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(Tz(mid as u16)),
            }
        }
        Err(UnknownZone)
    }
}

impl fmt::Debug for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl fmt::Display for Tz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Default for Tz {
    fn default() -> Self {
        UTC
    }
}

/// The offset a zone is at, at some instant.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TzOffset {
    tz: Tz,
    kind: u16,
}

impl TzOffset {
    fn kind(&self) -> Kind {
        table::KINDS[usize::from(self.kind)]
    }

    /// The standard offset from UTC (without daylight saving).
    pub fn base_utc_offset(&self) -> Duration {
        Duration::seconds(i64::from(self.kind().utc))
    }

    /// The daylight-saving part in force (zero in standard time).
    pub fn dst_offset(&self) -> Duration {
        Duration::seconds(i64::from(self.kind().dst))
    }

    /// "CET", "EDT", …; `None` where the database names the offset by its
    /// number ("+0530").
    pub fn abbreviation(&self) -> Option<&'static str> {
        let k = self.kind();
        let start = usize::from(k.abbr_start);
        (k.abbr_len > 0).then(|| {
            let bytes = &table::ABBREVIATIONS[start..start + usize::from(k.abbr_len)];
            std::str::from_utf8(bytes).expect("abbreviations are ASCII")
        })
    }

    /// The zone's name.
    pub fn tz_id(&self) -> &'static str {
        self.tz.name()
    }
}

impl Offset for TzOffset {
    fn fix(&self) -> FixedOffset {
        FixedOffset::east_opt(self.kind().total()).expect("the database's offsets are under a day")
    }
}

/// The abbreviation, or the offset as the database names it ("+0530", "-03").
impl fmt::Display for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(abbr) = self.abbreviation() {
            return f.write_str(abbr);
        }
        let total = self.kind().total();
        let sign = if total < 0 { '-' } else { '+' };
        let minutes = total.unsigned_abs() / 60;
        let (hours, mins) = (minutes / 60, minutes % 60);
        write!(f, "{sign}{hours:02}")?;
        if mins != 0 {
            write!(f, "{mins:02}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for TzOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl TimeZone for Tz {
    type Offset = TzOffset;

    fn from_offset(offset: &TzOffset) -> Self {
        offset.tz
    }

    /// One offset the day had (as chrono-tz does: a date is at most ambiguous
    /// up to a day, so a day with a change still gets one offset).
    fn offset_from_local_date(&self, local: &NaiveDate) -> MappedLocalTime<TzOffset> {
        let earliest = self.offset_from_local_datetime(&local.and_time(NaiveTime::MIN));
        let latest = self.offset_from_local_datetime(
            &local
                .and_hms_opt(23, 59, 59)
                .expect("23:59:59 is a time of day"),
        );
        match (earliest, latest) {
            (result @ MappedLocalTime::Single(_), _) | (_, result @ MappedLocalTime::Single(_)) => {
                result
            }
            (MappedLocalTime::Ambiguous(offset, _), _)
            | (_, MappedLocalTime::Ambiguous(offset, _)) => MappedLocalTime::Single(offset),
            (MappedLocalTime::None, MappedLocalTime::None) => MappedLocalTime::None,
        }
    }

    /// The span whose local time holds `local`; both spans where a change put
    /// the clocks back and the time came twice; none in the gap a change skipped.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> MappedLocalTime<TzOffset> {
        let t = local.and_utc().timestamp();
        let table = self.spans();
        let spans = table.len();
        let holds = |i: usize| {
            let (begin, end) = table.local(i);
            begin.is_none_or(|b| b <= t) && end.is_none_or(|e| t < e)
        };
        // The spans' local beginnings rise (as chrono-tz assumes): search them.
        let (mut lo, mut hi) = (0usize, spans);
        let found = loop {
            let mid = lo + (hi - lo) / 2;
            if mid == hi {
                break None;
            }
            let (begin, end) = table.local(mid);
            if begin.is_some_and(|b| t < b) {
                hi = mid;
            } else if end.is_some_and(|e| e <= t) {
                lo = mid + 1;
            } else {
                break Some(mid);
            }
        };
        let kind = |i: usize| self.offset(table.kind(i));
        match found {
            None => MappedLocalTime::None,
            Some(i) if i > 0 && holds(i - 1) => MappedLocalTime::Ambiguous(kind(i - 1), kind(i)),
            Some(i) if i + 1 < spans && holds(i + 1) => {
                MappedLocalTime::Ambiguous(kind(i), kind(i + 1))
            }
            Some(i) => MappedLocalTime::Single(kind(i)),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> TzOffset {
        self.offset_from_utc_datetime(&utc.and_time(NaiveTime::MIN))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> TzOffset {
        let t = utc.and_utc().timestamp();
        let (at, kinds) = self.transitions();
        // Span i begins at at[i - 1]: the number of transitions at or before t.
        let passed = at.partition_point(|&change| change <= t);
        let kind = match passed {
            0 => self.zone().first,
            n => kinds[n - 1],
        };
        self.offset(kind)
    }
}

impl Tz {
    /// A zone named in pim's own source (tests, examples): a typo is a bug there.
    pub fn known(name: &'static str) -> Tz {
        name.parse()
            .unwrap_or_else(|_| panic!("{name:?} is not a zone of the database"))
    }
}
