//! When a record's alarms ring: VALARM triggers (RFC 5545 §3.6.6) relative to the
//! start or end of each occurrence, or absolute; REPEAT/DURATION; dismissal and
//! snooze as RFC 9074 writes them (`ACKNOWLEDGED`, `RELATED-TO;RELTYPE=SNOOZE`).
//!
//! Dismissal is per occurrence: an alarm of one occurrence is dismissed when its
//! `ACKNOWLEDGED` is at or after that occurrence's (first) trigger, so dismissing one
//! occurrence leaves the next, whose trigger is later, ringing.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, TimeZone, Utc};

use super::zone::Zone;
use super::{Occurrence, RecurError, expand};
use crate::model::time::{parse_ical_datetime, parse_ical_duration};
use crate::model::tz::instant;
use crate::model::{Component, Kind, Record, When};

/// The non-standard property on a snooze alarm naming the occurrence it belongs to
/// (its recurrence id as pim prints it): an absolute trigger alone cannot say.
pub const OCCURRENCE_PROP: &str = "X-PIM-OCCURRENCE";

/// What a TRIGGER says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A duration from the start (`to_end`: from the end; a task's end is its DUE).
    Relative {
        offset: Duration,
        to_end: bool,
    },
    Absolute(DateTime<Utc>),
}

/// One VALARM as far as ringing goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alarm {
    pub uid: Option<String>,
    pub trigger: Trigger,
    /// Extra repetitions after the first, `every` apart.
    pub repeat: u32,
    pub every: Duration,
    pub acknowledged: Option<DateTime<Utc>>,
    /// The UID of the alarm this one snoozes.
    pub snooze_of: Option<String>,
    pub occurrence: Option<String>,
    /// The relative trigger has days or weeks (`-P1D`): RFC 5545 counts those in
    /// wall-clock days, so "a day before" stays at the same time across DST.
    pub nominal_days: bool,
}

/// Repetitions pim follows at most (a hostile REPEAT cannot cost more); an alarm
/// typed with more is refused (`app::reminders::spec`).
pub const MAX_REPEAT: u32 = 1000;

/// Rings of relative alarms one record gives per call at most: thousands of VALARMs
/// on a minutely series made millions (gigabytes); a real record has a few dozen.
pub const MAX_RINGS: usize = 10_000;

/// (occurrence, alarm) pairs one record may cost per call: two thousand VALARMs ten
/// thousand years before a minutely series took minutes without ringing at all.
pub const MAX_WORK: usize = 200_000;

/// Read a VALARM; `None` for alarms that never ring (ACTION:NONE, RFC 9074's
/// placeholder; other actions pim does not perform) or whose TRIGGER cannot be read.
/// DISPLAY, AUDIO and EMAIL all ring as a display alarm.
pub fn parse(c: &Component) -> Option<Alarm> {
    if !c.name.eq_ignore_ascii_case("VALARM") {
        return None;
    }
    let action = c
        .prop("ACTION")
        .map(|p| p.value.trim().to_ascii_uppercase());
    if let Some(a) = &action
        && !matches!(a.as_str(), "DISPLAY" | "AUDIO" | "EMAIL")
    {
        return None;
    }
    let t = c.prop("TRIGGER")?;
    let absolute = t
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("DATE-TIME"))
        || !t.value.trim_start_matches(['+', '-']).starts_with('P');
    let trigger = if absolute {
        let (n, _) = parse_ical_datetime(t.value.trim()).ok()?;
        Trigger::Absolute(DateTime::from_naive_utc_and_offset(n, Utc))
    } else {
        Trigger::Relative {
            offset: parse_ical_duration(t.value.trim()).ok()?,
            to_end: t
                .param("RELATED")
                .is_some_and(|r| r.eq_ignore_ascii_case("END")),
        }
    };
    let repeat = c
        .prop("REPEAT")
        .and_then(|p| p.value.trim().parse::<u32>().ok())
        .unwrap_or(0);
    let every = c
        .prop("DURATION")
        .and_then(|p| parse_ical_duration(p.value.trim()).ok())
        .filter(|d| *d > Duration::zero());
    let (repeat, every) = match every {
        Some(d) => (repeat.min(MAX_REPEAT), d),
        None => (0, Duration::zero()),
    };
    let acknowledged = c
        .prop("ACKNOWLEDGED")
        .and_then(|p| parse_ical_datetime(p.value.trim()).ok())
        .map(|(n, _)| DateTime::from_naive_utc_and_offset(n, Utc));
    let snooze_of = c
        .props_named("RELATED-TO")
        .find(|p| {
            p.param("RELTYPE")
                .is_some_and(|r| r.eq_ignore_ascii_case("SNOOZE"))
        })
        .map(|p| p.value.trim().to_string());
    Some(Alarm {
        uid: c.prop("UID").map(|p| p.value.trim().to_string()),
        trigger,
        repeat,
        every,
        acknowledged,
        snooze_of,
        occurrence: c.prop(OCCURRENCE_PROP).map(|p| p.value.trim().to_string()),
        nominal_days: !absolute && t.value.to_ascii_uppercase().contains(['D', 'W']),
    })
}

/// Where an alarm component sits in its record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AlarmAt {
    /// `None`: the main component; else an index into `body.overrides`.
    pub override_index: Option<usize>,
    /// Index into that component's `subs`.
    pub sub: usize,
}

/// One alarm of one occurrence.
#[derive(Debug, Clone, PartialEq)]
pub struct Ring {
    pub at: AlarmAt,
    pub alarm: Alarm,
    pub occurrence: Occurrence,
    /// The first trigger; dismissal compares `ACKNOWLEDGED` with it; the repetitions
    /// follow `alarm.every` apart (computed, not listed: a hostile REPEAT on a
    /// minutely series made millions of them).
    pub first: DateTime<Utc>,
}

impl Ring {
    pub fn dismissed(&self) -> bool {
        self.alarm.acknowledged.is_some_and(|a| a >= self.first)
    }

    /// Every trigger: the first and its repetitions.
    pub fn triggers(&self) -> Vec<DateTime<Utc>> {
        triggers(self.first, &self.alarm)
    }

    /// The `n`th trigger (0: the first), if it exists and is on the calendar.
    fn nth(&self, n: i64) -> Option<DateTime<Utc>> {
        if n > i64::from(self.alarm.repeat) {
            return None;
        }
        let gap = self.alarm.every.checked_mul(i32::try_from(n).ok()?)?;
        self.first.checked_add_signed(gap)
    }

    /// How many whole repetitions fit between the first trigger and `now`.
    fn steps_to(&self, now: DateTime<Utc>) -> i64 {
        if self.alarm.repeat == 0 || self.alarm.every <= Duration::zero() {
            return 0;
        }
        let ms = self.alarm.every.num_milliseconds().max(1);
        (now - self.first).num_milliseconds() / ms
    }

    /// The latest trigger at or before `now`.
    pub fn last_trigger_by(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if now < self.first {
            return None;
        }
        let n = self.steps_to(now).min(i64::from(self.alarm.repeat));
        (0..=n).rev().find_map(|k| self.nth(k))
    }

    /// The earliest trigger after `now`.
    pub fn next_trigger_after(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if now < self.first {
            return Some(self.first);
        }
        self.nth(self.steps_to(now) + 1).filter(|t| *t > now)
    }
}

/// The alarms of a component with their places, duplicates of one UID (two devices
/// acknowledging the same alarm, merged as a set) read as one, the latest dismissal kept.
fn alarms_of(c: &Component, override_index: Option<usize>) -> Vec<(AlarmAt, Alarm)> {
    let mut out: Vec<(AlarmAt, Alarm)> = Vec::new();
    for (sub, s) in c.subs.iter().enumerate() {
        let Some(a) = parse(s) else { continue };
        let at = AlarmAt {
            override_index,
            sub,
        };
        if let Some(uid) = &a.uid
            && let Some(seen) = out.iter_mut().find(|(_, b)| b.uid.as_ref() == Some(uid))
        {
            if a.acknowledged > seen.1.acknowledged {
                *seen = (at, a);
            }
            continue;
        }
        out.push((at, a));
    }
    out
}

fn triggers(first: DateTime<Utc>, a: &Alarm) -> Vec<DateTime<Utc>> {
    (0..=a.repeat)
        .map_while(|i| first.checked_add_signed(a.every * i as i32))
        .collect()
}

/// The instant of the record's own DTSTART and of its end anchor, for a task: a task
/// without DTSTART has only DUE, which serves as both.
fn anchors(r: &Record, o: &Occurrence, rel_end: bool) -> DateTime<Utc> {
    let start = o.start.with_timezone(&Utc);
    let end = o.end.with_timezone(&Utc);
    if r.kind == Kind::Task && r.prop("DTSTART").is_none() {
        return start;
    }
    if rel_end { end } else { start }
}

/// The zone the record's start lives in, for nominal days (`None`: UTC, exact).
fn zone_of(r: &Record, local: Tz) -> Option<Zone> {
    let start = r.prop("DTSTART").or_else(|| r.prop("DUE"))?;
    match When::from_property(start).ok()? {
        When::Date(_) | When::Floating(_) => Some(Zone::Local(local)),
        When::Utc(_) => None,
        When::Zoned(_, tzid) => {
            Some(Zone::resolve(&tzid, &r.body.timezones).unwrap_or(Zone::Local(local)))
        }
    }
}

/// `t` moved by `offset`; its whole days on the wall clock of `zone` when nominal.
fn shift(
    t: DateTime<Utc>,
    offset: Duration,
    nominal: bool,
    zone: Option<&Zone>,
) -> Option<DateTime<Utc>> {
    let days = if nominal { offset.num_days() } else { 0 };
    let rest = offset - Duration::days(days);
    let moved = match zone {
        Some(z) if days != 0 => z.to_utc(z.wall(t).checked_add_signed(Duration::days(days))?),
        _ => t.checked_add_signed(Duration::days(days))?,
    };
    moved.checked_add_signed(rest)
}

type Placed = Vec<(AlarmAt, Alarm)>;

/// The alarms of the record's main component and of each override.
fn placed(r: &Record) -> (Placed, Vec<Placed>) {
    let main = alarms_of(&r.body.main, None);
    let overrides = r
        .body
        .overrides
        .iter()
        .enumerate()
        .map(|(i, o)| alarms_of(o, Some(i)))
        .collect();
    (main, overrides)
}

/// How far from its occurrence a relative alarm of `r` rings at most, repetitions
/// included, with a day of slack for lengths. Kept within the calendar: REPEAT ×
/// DURATION of a hostile file reaches millions of years.
pub fn reach(r: &Record) -> Duration {
    let (main, overrides) = placed(r);
    reach_of(&main, &overrides)
}

fn reach_of(main: &Placed, overrides: &[Placed]) -> Duration {
    main.iter()
        .chain(overrides.iter().flatten())
        .filter_map(|(_, a)| match a.trigger {
            Trigger::Relative { offset, .. } => Some(offset.abs() + a.every * a.repeat as i32),
            Trigger::Absolute(_) => None,
        })
        .max()
        .unwrap_or(Duration::zero())
        .min(crate::model::time::max_duration())
        + Duration::days(1)
}

/// Every alarm of every occurrence of `r` with a trigger in `[from, to]`.
pub fn rings(
    r: &Record,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
) -> Result<Vec<Ring>, RecurError> {
    let (main, overrides) = placed(r);
    if main.is_empty() && overrides.iter().all(Vec::is_empty) {
        return Ok(Vec::new());
    }
    // Occurrences whose alarms can reach the window.
    let reach = reach_of(&main, &overrides);
    let zone = zone_of(r, local);
    let mut out = Vec::new();
    let occurrences = expand(r, from - reach, to + reach, local, super::DEFAULT_LIMIT)?;
    let mut work = 0;
    'occurrences: for o in &occurrences.occurrences {
        let own = o
            .override_index
            .map(|i| &overrides[i])
            .filter(|v| !v.is_empty());
        // An override without alarms of its own keeps the series' alarms.
        for (at, a) in own.unwrap_or(&main) {
            work += 1;
            if work > MAX_WORK {
                break 'occurrences;
            }
            let Trigger::Relative { offset, to_end } = a.trigger else {
                continue;
            };
            let Some(first) = shift(anchors(r, o, to_end), offset, a.nominal_days, zone.as_ref())
            else {
                continue;
            };
            push(&mut out, *at, a, o.clone(), first, from, to);
            if out.len() >= MAX_RINGS {
                break 'occurrences;
            }
        }
    }
    out.extend(absolute(r, &main, &overrides, from, to, local)?);
    out.sort_by(|a, b| a.first.cmp(&b.first).then(a.at.sub.cmp(&b.at.sub)));
    Ok(out)
}

/// Every absolute alarm of `r` (snoozes among them), whenever it rings.
pub fn absolute_rings(r: &Record, local: Tz) -> Result<Vec<Ring>, RecurError> {
    let (main, overrides) = placed(r);
    absolute(
        r,
        &main,
        &overrides,
        DateTime::<Utc>::MIN_UTC,
        DateTime::<Utc>::MAX_UTC,
        local,
    )
}

/// Absolute triggers ring once, for the occurrence they name or the one they precede.
/// Only those reaching the window look for their occurrence (a search each).
fn absolute(
    r: &Record,
    main: &Placed,
    overrides: &[Placed],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
) -> Result<Vec<Ring>, RecurError> {
    let mut out = Vec::new();
    let mut look = Lookups::default();
    for (at, a) in main.iter().chain(overrides.iter().flatten()) {
        let Trigger::Absolute(first) = a.trigger else {
            continue;
        };
        if !reaches(a, first, from, to) {
            continue;
        }
        if let Some(o) = occurrence_for(r, a, *at, first, local, &mut look)? {
            push(&mut out, *at, a, o, first, from, to);
        }
    }
    Ok(out)
}

/// Whether an alarm first ringing at `first` rings (or repeats) within `[from, to]`;
/// a last repetition past the calendar's end is after any window.
fn reaches(a: &Alarm, first: DateTime<Utc>, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
    let last = a
        .every
        .checked_mul(i32::try_from(a.repeat).unwrap_or(i32::MAX))
        .and_then(|gap| first.checked_add_signed(gap))
        .unwrap_or(DateTime::<Utc>::MAX_UTC);
    first <= to && last >= from
}

fn push(
    out: &mut Vec<Ring>,
    at: AlarmAt,
    a: &Alarm,
    occurrence: Occurrence,
    first: DateTime<Utc>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) {
    if reaches(a, first, from, to) {
        out.push(Ring {
            at,
            alarm: a.clone(),
            occurrence,
            first,
        });
    }
}

/// Occurrences the absolute alarms of one record have looked through: past
/// [`MAX_WORK`], only the searches that cost a few occurrences each are left.
#[derive(Default)]
struct Lookups {
    work: usize,
}

/// The end of the calendar, where a search forward stops.
fn calendar_end() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(*crate::model::time::YEARS.end(), 12, 31, 23, 59, 59)
        .single()
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The occurrences starting at `t` (and a few more running then).
fn starting_at(
    r: &Record,
    t: DateTime<Utc>,
    local: Tz,
    look: &mut Lookups,
) -> Result<Vec<Occurrence>, RecurError> {
    let found = expand(
        r,
        t,
        t + Duration::seconds(1),
        local,
        FEW + r.body.overrides.len(),
    )?;
    look.work += found.occurrences.len();
    Ok(found.occurrences)
}

/// Occurrences a pinpoint search takes at most (long events overlapping the moment).
const FEW: usize = 64;

/// The occurrence an absolute alarm belongs to: the one of its override, the one it
/// names, else the first one still running at the trigger (however far ahead), else
/// the last one in the 400 days before it, else the record's first. Each is a search
/// near a known moment: a trigger years away from every occurrence still rings.
fn occurrence_for(
    r: &Record,
    a: &Alarm,
    at: AlarmAt,
    trigger: DateTime<Utc>,
    local: Tz,
    look: &mut Lookups,
) -> Result<Option<Occurrence>, RecurError> {
    if let Some(i) = at.override_index
        && let Some(start) = (r.body.overrides.get(i))
            .and_then(|o| o.prop("DTSTART").or_else(|| o.prop("RECURRENCE-ID")))
            .and_then(|p| When::from_property(p).ok())
    {
        let t = instant(&start, &r.body.timezones, local);
        if let Some(o) = starting_at(r, t, local, look)?
            .into_iter()
            .find(|o| o.override_index == Some(i))
        {
            return Ok(Some(o));
        }
    }
    if let Some(rid) = &a.occurrence
        && let Some(t) = rid_instant(rid, local)
        && let Some(o) = starting_at(r, t, local, look)?
            .into_iter()
            .find(|o| o.recurrence_id.as_deref() == Some(rid.as_str()))
    {
        return Ok(Some(o));
    }
    // The first running at or starting after the trigger; overrides come first in an
    // expansion, so the limit leaves room for all of them and one instance more.
    let limit = r.body.overrides.len() + 1;
    let ahead = expand(r, trigger, calendar_end(), local, limit)?.occurrences;
    look.work += ahead.len();
    if let Some(o) = ahead.into_iter().next() {
        return Ok(Some(o));
    }
    if look.work < MAX_WORK {
        let before = expand(
            r,
            trigger - Duration::days(400),
            trigger,
            local,
            super::DEFAULT_LIMIT,
        )?
        .occurrences;
        look.work += before.len();
        if let Some(o) = before.last() {
            return Ok(Some(o.clone()));
        }
    }
    let start = Utc
        .with_ymd_and_hms(1, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or(trigger);
    Ok(expand(r, start, calendar_end(), local, limit)?
        .occurrences
        .into_iter()
        .next())
}

/// The instant of a recurrence id as pim prints it: RFC 3339, or a date (local midnight).
fn rid_instant(rid: &str, local: Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(rid) {
        return Some(t.with_timezone(&Utc));
    }
    let d = chrono::NaiveDate::parse_from_str(rid, "%Y-%m-%d").ok()?;
    Some(instant(&When::Date(d), &[], local))
}

/// The value of an `ACKNOWLEDGED` or absolute `TRIGGER`: UTC, to the second.
pub fn utc_value(t: DateTime<Utc>) -> String {
    When::Utc(t).to_property("X").value
}

#[cfg(test)]
mod tests;
