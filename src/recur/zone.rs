//! The zone an event's wall-clock times live in: UTC, floating (the viewer's zone),
//! a known IANA zone (IANA, Windows and vendor-prefixed names via `model::tz`), or —
//! when the TZID is unknown — the item's own VTIMEZONE, evaluated from its
//! STANDARD/DAYLIGHT observances so DST transitions land where the sender meant.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Offset, TimeZone, Utc};

use super::rule::{Freq, Rule, Until};
use crate::model::borrowed::{ComponentLike, PropertyLike};
use crate::model::time::{local_to_utc, parse_ical_date, parse_ical_datetime};
use crate::model::{Component, tz};

mod generate;
mod walls;
pub use generate::vtimezone_from_database;
pub use walls::WindowWalls;

#[derive(Debug, Clone)]
pub enum Zone {
    Utc,
    /// Floating and all-day values: wall time in the viewer's zone.
    Local(Tz),
    Iana(Tz),
    Custom(Box<VTimezone>),
}

impl Zone {
    /// The zone of a TZID, or `None` when neither a known zone nor a usable VTIMEZONE.
    pub fn resolve<C: ComponentLike>(tzid: &str, timezones: &[C]) -> Option<Zone> {
        if let Some(t) = tz::known_zone(tzid) {
            return Some(Zone::Iana(t));
        }
        let vtz = timezones.iter().find(|z| {
            z.prop("TZID")
                .is_some_and(|p| unescape_tzid(p.value()) == tzid)
        })?;
        if let Some(t) = vtz
            .prop("X-LIC-LOCATION")
            .and_then(|p| tz::known_zone(p.value()))
        {
            return Some(Zone::Iana(t));
        }
        VTimezone::from_component(&vtz.owned()).map(|v| Zone::Custom(Box::new(v)))
    }

    /// Wall time → instant. In a DST gap the time is read with the offset before the
    /// gap (03:30 for 02:30 in spring); in an overlap the first (daylight) instant.
    pub fn to_utc(&self, n: NaiveDateTime) -> DateTime<Utc> {
        match self {
            Zone::Utc => Utc.from_utc_datetime(&n),
            Zone::Local(t) | Zone::Iana(t) => local_to_utc(n, *t),
            Zone::Custom(v) => v.to_utc(n),
        }
    }

    /// [`Zone::to_utc`] together with the offset in force then (one zone lookup
    /// instead of two on the hot path).
    pub fn to_utc_with_offset(&self, n: NaiveDateTime) -> (DateTime<Utc>, FixedOffset) {
        let (t, off, _) = self.to_utc_exact(n);
        (t, off)
    }

    /// [`Zone::to_utc_with_offset`], and whether `n` is known to be a wall time the
    /// zone has (then `self.wall(t) == n`, no lookup needed); false in a DST gap,
    /// and for a VTIMEZONE's observances, which are not asked.
    pub fn to_utc_exact(&self, n: NaiveDateTime) -> (DateTime<Utc>, FixedOffset, bool) {
        let single = match self {
            Zone::Utc => {
                return (
                    Utc.from_utc_datetime(&n),
                    FixedOffset::east_opt(0).expect("zero"),
                    true,
                );
            }
            Zone::Local(t) | Zone::Iana(t) => match t.offset_from_local_datetime(&n) {
                chrono::LocalResult::Single(o) | chrono::LocalResult::Ambiguous(o, _) => {
                    Some(o.fix())
                }
                chrono::LocalResult::None => None,
            },
            Zone::Custom(_) => None,
        };
        match single {
            Some(off) => (
                Utc.from_utc_datetime(&(n - Duration::seconds(i64::from(off.local_minus_utc())))),
                off,
                true,
            ),
            None => {
                let t = self.to_utc(n);
                (t, self.offset_at(t), false)
            }
        }
    }

    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        match self {
            Zone::Utc => FixedOffset::east_opt(0).expect("zero"),
            Zone::Local(z) | Zone::Iana(z) => z.offset_from_utc_datetime(&t.naive_utc()).fix(),
            Zone::Custom(v) => v.offset_at(t),
        }
    }

    /// Instant → wall time in this zone.
    pub fn wall(&self, t: DateTime<Utc>) -> NaiveDateTime {
        t.naive_utc() + Duration::seconds(i64::from(self.offset_at(t).local_minus_utc()))
    }
}

/// One STANDARD or DAYLIGHT block.
#[derive(Debug, Clone)]
struct Observance {
    /// Onset as wall time in the offset in force before it (TZOFFSETFROM).
    start: NaiveDateTime,
    from: FixedOffset,
    to: FixedOffset,
    rule: Option<Rule>,
    rdates: Vec<NaiveDateTime>,
}

impl Observance {
    /// The latest onset (as an instant) at or before `t`.
    fn last_onset(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let wall = t.naive_utc() + Duration::seconds(i64::from(self.from.local_minus_utc()));
        let to_utc = |n: NaiveDateTime| {
            Utc.from_utc_datetime(&(n - Duration::seconds(i64::from(self.from.local_minus_utc()))))
        };
        let mut best: Option<NaiveDateTime> = (self.start <= wall).then_some(self.start);
        for &r in &self.rdates {
            if r <= wall && best.is_none_or(|b| r > b) {
                best = Some(r);
            }
        }
        if let Some(rule) = &self.rule
            && self.start <= wall
        {
            let until = rule.until.as_ref().map(|u| match u {
                Until::Date(d) => d.and_hms_opt(23, 59, 59).expect("valid time"),
                Until::Local(n) => *n,
                Until::Utc(n) => *n + Duration::seconds(i64::from(self.from.local_minus_utc())),
            });
            // Observance rules repeat at most yearly: two years back finds the last onset
            // unless the rule ended before; then search from its start.
            let recent = rule
                .instances(self.start, until, wall - Duration::days(800), wall)
                .last();
            let last =
                recent.or_else(|| rule.instances(self.start, until, self.start, wall).last());
            if let Some(l) = last
                && best.is_none_or(|b| l > b)
            {
                best = Some(l);
            }
        }
        best.map(to_utc)
    }
}

/// A VTIMEZONE evaluated from its observances.
#[derive(Debug, Clone)]
pub struct VTimezone {
    observances: Vec<Observance>,
}

/// A VTIMEZONE's TZID as parameters spell it: Outlook escapes the comma in
/// `TZID:Kuala Lumpur\, Singapore` and quotes it in `TZID="Kuala Lumpur, Singapore"`.
pub fn unescape_tzid(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut chars = v.trim().chars();
    while let Some(c) = chars.next() {
        match (c, chars.clone().next()) {
            ('\\', Some(n @ (',' | ';' | '\\'))) => {
                out.push(n);
                chars.next();
            }
            _ => out.push(c),
        }
    }
    out
}

/// Whether an observance's rule is one pim follows: zones change at most a few times
/// a year at one time of day, and every offset looked up searches the onsets near it.
/// A rule changing every second (or at every minute of a yearly rule) cost minutes
/// per listing; its observance keeps only its DTSTART and RDATEs.
fn zone_rule(rule: &Rule) -> bool {
    rule.freq == Freq::Yearly
        && rule.byhour.len() <= 1
        && rule.byminute.len() <= 1
        && rule.bysecond.len() <= 1
}

/// An observance's DTSTART; some producers write a date (`DTSTART:16010101`),
/// which is its midnight — skipping it would drop the zone's only offset.
fn observance_start(v: &str) -> Option<NaiveDateTime> {
    match parse_ical_datetime(v) {
        Ok((n, _)) => Some(n),
        Err(_) => parse_ical_date(v).ok().and_then(|d| d.and_hms_opt(0, 0, 0)),
    }
}

impl VTimezone {
    pub fn from_component(c: &Component) -> Option<VTimezone> {
        let mut observances = Vec::new();
        for sub in &c.subs {
            if sub.name != "STANDARD" && sub.name != "DAYLIGHT" {
                continue;
            }
            let Some(to) = sub
                .prop("TZOFFSETTO")
                .and_then(|p| tz::parse_utc_offset(&p.value))
            else {
                continue;
            };
            let from = sub
                .prop("TZOFFSETFROM")
                .and_then(|p| tz::parse_utc_offset(&p.value))
                .unwrap_or(to);
            let Some(start) = sub
                .prop("DTSTART")
                .and_then(|p| observance_start(p.value.trim()))
            else {
                continue;
            };
            let rule = sub
                .prop("RRULE")
                .and_then(|p| Rule::parse(&p.value).ok())
                .filter(zone_rule);
            let rdates = sub
                .props_named("RDATE")
                .flat_map(|p| p.value.split(',').map(str::to_string).collect::<Vec<_>>())
                .filter_map(|v| parse_ical_datetime(v.trim()).ok().map(|(n, _)| n))
                .collect();
            observances.push(Observance {
                start,
                from,
                to,
                rule,
                rdates,
            });
        }
        (!observances.is_empty()).then_some(VTimezone { observances })
    }

    pub fn offset_at(&self, t: DateTime<Utc>) -> FixedOffset {
        let mut best: Option<(DateTime<Utc>, FixedOffset)> = None;
        for o in &self.observances {
            if let Some(on) = o.last_onset(t)
                && best.is_none_or(|(b, _)| on > b)
            {
                best = Some((on, o.to));
            }
        }
        match best {
            Some((_, off)) => off,
            // Before the first onset: the offset the earliest observance came from.
            None => self
                .observances
                .iter()
                .min_by_key(|o| o.start)
                .map(|o| o.from)
                .expect("at least one observance"),
        }
    }

    pub fn to_utc(&self, n: NaiveDateTime) -> DateTime<Utc> {
        let mut offsets: Vec<FixedOffset> = self
            .observances
            .iter()
            .flat_map(|o| [o.to, o.from])
            .collect();
        // Larger offsets first: in an overlap that is the earlier instant.
        offsets.sort_by_key(|o| -o.local_minus_utc());
        offsets.dedup();
        let as_utc = |off: FixedOffset| {
            Utc.from_utc_datetime(&(n - Duration::seconds(i64::from(off.local_minus_utc()))))
        };
        for &off in &offsets {
            let t = as_utc(off);
            if self.offset_at(t) == off {
                return t;
            }
        }
        // In a gap: read the wall time with the offset in force before the gap.
        let before = self.offset_at(as_utc(offsets[0]) - Duration::hours(12));
        as_utc(before)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::contentline::parse;

    const VTZ: &str = "BEGIN:VTIMEZONE\r\nTZID:My Own Zone\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:19810329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n\
        BEGIN:STANDARD\r\nDTSTART:19961027T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n";

    fn dt(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn vtimezone_rules_follow_dst_like_the_real_zone() {
        let c = parse(VTZ).unwrap();
        let z = Zone::resolve("My Own Zone", &c).unwrap();
        assert!(matches!(z, Zone::Custom(_)));
        let berlin = Zone::Iana(crate::model::zonedb::Tz::known("Europe/Berlin"));
        for s in [
            "2026-01-15 10:00",
            "2026-03-29 01:59",
            "2026-03-29 02:30", // gap
            "2026-03-29 03:00",
            "2026-07-01 12:00",
            "2026-10-25 02:30", // overlap
            "2026-10-25 03:00",
            "2030-12-24 18:00",
        ] {
            assert_eq!(z.to_utc(dt(s)), berlin.to_utc(dt(s)), "{s}");
        }
        let t = berlin.to_utc(dt("2026-08-01 12:00"));
        assert_eq!(z.wall(t), dt("2026-08-01 12:00"));
    }

    #[test]
    fn windows_names_resolve_to_iana() {
        let z = Zone::resolve::<Component>("W. Europe Standard Time", &[]).unwrap();
        assert!(
            matches!(z, Zone::Iana(tz) if tz == crate::model::zonedb::Tz::known("Europe/Berlin"))
        );
        assert!(Zone::resolve::<Component>("Nowhere", &[]).is_none());
    }
}
