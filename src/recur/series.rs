//! A record's recurrence, parsed once: start, zone, rules, dates and overrides.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use super::Occurrence;
use super::rule::instances::Instances;
use super::rule::{ParsedRules, Rule, RuleError, Until};
use super::zone::{WindowWalls, Zone};
use crate::model::borrowed::{ComponentLike, PropertyLike, RecordLike};
use crate::model::time::parse_ical_duration;
use crate::model::{Kind, Property, When};

/// An instance key: the wall-clock start in the series' zone.
type Wall = NaiveDateTime;

mod length;
mod named;
mod text;
mod until;
use length::component_duration;
use named::Found;
pub use until::until_in_form_of_start;

/// An instant with the zone offset in force then, when already known.
type Known = Option<(DateTime<Utc>, FixedOffset)>;

struct Override {
    index: usize,
    /// The instance it replaces, as wall time in the series' zone.
    rid: Wall,
    rid_is_date: bool,
    this_and_future: bool,
    cancelled: bool,
    start: DateTime<Utc>,
    duration: Duration,
    zone: Zone,
    all_day: bool,
}

/// The occurrences an expansion found, and whether a cap left some out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expansion {
    pub occurrences: Vec<Occurrence>,
    /// More occurrences exist in the window (or the work budget ran out).
    pub truncated: bool,
}

impl Expansion {
    fn of(mut occurrences: Vec<Occurrence>, limit: usize, truncated: bool) -> Expansion {
        sort(&mut occurrences);
        let truncated = truncated || occurrences.len() > limit;
        occurrences.truncate(limit);
        Expansion {
            occurrences,
            truncated,
        }
    }
}

/// The parsed recurrence of one record.
pub struct Series {
    zone: Zone,
    all_day: bool,
    start: Wall,
    /// Wall-clock length of an instance.
    duration: Duration,
    recurring: bool,
    /// Each with its defaults from `start` ([`Rule::with_defaults`]), and UNTIL.
    rules: Vec<(Rule, Option<Wall>)>,
    /// Extra instances with their own length when given as a PERIOD.
    rdates: Vec<(Wall, Option<Duration>)>,
    exdates: Vec<Wall>,
    exdate_days: Vec<NaiveDate>,
    overrides: Vec<Override>,
    /// Master component's own RECURRENCE-ID (a record made only of overrides).
    own_rid: Option<Wall>,
    /// The master has STATUS:CANCELLED: every instance it yields is cancelled.
    cancelled: bool,
}

/// STATUS:CANCELLED on a component (master or override).
fn is_cancelled<C: ComponentLike>(c: &C) -> bool {
    c.prop("STATUS")
        .is_some_and(|s| s.value().trim().eq_ignore_ascii_case("CANCELLED"))
}

fn midnight(d: NaiveDate) -> Wall {
    d.and_time(NaiveTime::MIN)
}

/// The zone a DATE/DATE-TIME value lives in.
fn zone_of<C: ComponentLike>(w: &When, timezones: &[C], local: Tz) -> Zone {
    match w {
        When::Date(_) | When::Floating(_) => Zone::Local(local),
        When::Utc(_) => Zone::Utc,
        When::Zoned(_, tzid) => Zone::resolve(tzid, timezones).unwrap_or(Zone::Local(local)),
    }
}

fn instant<C: ComponentLike>(w: &When, timezones: &[C], local: Tz) -> DateTime<Utc> {
    match w {
        When::Date(d) => Zone::Local(local).to_utc(midnight(*d)),
        When::Floating(n) => Zone::Local(local).to_utc(*n),
        When::Utc(t) => *t,
        When::Zoned(n, _) => zone_of(w, timezones, local).to_utc(*n),
    }
}

/// The values of a multi-valued DATE/DATE-TIME property (EXDATE, RDATE).
pub(crate) fn values(p: &Property) -> impl Iterator<Item = Property> + '_ {
    p.value
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(|v| Property {
            value: v.to_string(),
            ..p.clone()
        })
}

/// The values of a multi-valued property, as [`values`] splits them.
fn value_list<P: PropertyLike>(p: &P) -> impl Iterator<Item = &str> + '_ {
    p.value()
        .split(',')
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A property of a recurring record that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{property}: {reason}")]
pub struct SeriesError {
    pub property: &'static str,
    pub reason: String,
}

fn err(property: &'static str, e: impl std::fmt::Display) -> SeriesError {
    SeriesError {
        property,
        reason: e.to_string(),
    }
}

impl Series {
    /// `None` when the record has no start (DTSTART, or DUE for tasks).
    /// (A decoded [`crate::model::Record`] or a body read in place: one reading.)
    pub fn new<R: RecordLike>(r: &R, local: Tz) -> Result<Option<Series>, SeriesError> {
        Self::read(r, local, None)
    }

    /// [`Series::new`], its rules read through `rules` (a listing reads many
    /// series that share rules).
    pub fn new_with<R: RecordLike>(
        r: &R,
        local: Tz,
        rules: &mut ParsedRules,
    ) -> Result<Option<Series>, SeriesError> {
        Self::read(r, local, Some(rules))
    }

    fn read<R: RecordLike>(
        r: &R,
        local: Tz,
        mut parsed: Option<&mut ParsedRules>,
    ) -> Result<Option<Series>, SeriesError> {
        let main = r.main();
        let tzs = r.timezones();
        let kind = r.kind();
        let start_p = match main.prop("DTSTART") {
            Some(p) => p,
            None if kind == Kind::Task => match main.prop("DUE") {
                Some(p) => p,
                None => return Ok(None),
            },
            None => return Ok(None),
        };
        let start = start_p.when().map_err(|e| err("DTSTART", e))?;
        // A task without DTSTART repeats its DUE: its overrides move by theirs.
        let anchor = if main.prop("DTSTART").is_some() {
            "DTSTART"
        } else {
            "DUE"
        };
        let zone = zone_of(&start, tzs, local);
        let all_day = start.is_date();
        let wall_of = |w: &When| -> Wall {
            let wall = match (w, &start) {
                (When::Date(d), _) => midnight(*d),
                // Exchange writes all-day RECURRENCE-IDs as zoned midnights: the day counts.
                (When::Zoned(n, _), When::Date(_)) => midnight(n.date()),
                (When::Floating(n), _) => *n,
                (When::Zoned(n, a), When::Zoned(_, b)) if a == b => *n,
                (When::Utc(t), When::Utc(_)) => t.naive_utc(),
                _ => zone.wall(instant(w, tzs, local)),
            };
            // All-day series compare by day, whatever form a value came in.
            if all_day { midnight(wall.date()) } else { wall }
        };
        let start_wall = wall_of(&start);
        let duration = component_duration(main, &start, &wall_of, kind, tzs, local)?;

        let mut rules = Vec::new();
        for p in main.props_named("RRULE") {
            let read = match parsed.as_deref_mut() {
                Some(parsed) => parsed.parse(p.value()),
                None => Rule::parse(p.value()),
            };
            let rule = match read {
                // A calendar pim cannot expand: DTSTART alone, never wrong dates.
                Err(RuleError::Rscale(_)) => continue,
                r => r.map_err(|e| err("RRULE", e))?,
            };
            let until = rule.until.as_ref().map(|u| match u {
                // A date UNTIL on a timed event: its midnight (as dateutil and
                // recurring-ical-events read it).
                Until::Date(d) => midnight(*d),
                Until::Local(n) => *n,
                Until::Utc(n) if all_day => {
                    // All-day events: UNTIL's day in the zone it was written for.
                    midnight(
                        zone.wall(DateTime::from_naive_utc_and_offset(*n, Utc))
                            .date(),
                    )
                }
                Until::Utc(n) => zone.wall(DateTime::from_naive_utc_and_offset(*n, Utc)),
            });
            // Most series have one rule: room for one is a small allocation (four
            // are over a kilobyte, past the allocator's quick sizes).
            rules.reserve_exact(1);
            rules.push((rule.into_defaults(start_wall), until));
        }
        let mut rdates = Vec::new();
        for p in main.props_named("RDATE") {
            let is_period = p
                .param("VALUE")
                .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
            // A PERIOD's ends are read without its VALUE=PERIOD.
            let period_param = |n: &str| match n.eq_ignore_ascii_case("VALUE") {
                true => None,
                false => p.param(n),
            };
            for v in value_list(p) {
                if is_period || v.contains('/') {
                    let (a, b) = v
                        .split_once('/')
                        .ok_or_else(|| err("RDATE", "bad PERIOD"))?;
                    let s = When::from_value(a, period_param).map_err(|e| err("RDATE", e))?;
                    let len = if b.starts_with(['P', '+', '-']) {
                        parse_ical_duration(b).map_err(|e| err("RDATE", e))?
                    } else {
                        let e = When::from_value(b, period_param).map_err(|e| err("RDATE", e))?;
                        instant(&e, tzs, local) - instant(&s, tzs, local)
                    };
                    rdates.push((wall_of(&s), Some(len)));
                } else {
                    let w = When::from_value(v, |n| p.param(n)).map_err(|e| err("RDATE", e))?;
                    rdates.push((wall_of(&w), None));
                }
            }
        }
        let mut exdates = Vec::new();
        let mut exdate_days = Vec::new();
        for p in main.props_named("EXDATE") {
            for v in value_list(p) {
                match When::from_value(v, |n| p.param(n)).map_err(|e| err("EXDATE", e))? {
                    When::Date(d) if !all_day => exdate_days.push(d),
                    w => exdates.push(wall_of(&w)),
                }
            }
        }
        let mut overrides = Vec::new();
        for (index, o) in r.overrides().iter().enumerate() {
            let Some(rid_p) = o.prop("RECURRENCE-ID") else {
                continue;
            };
            let rid = rid_p.when().map_err(|e| err("RECURRENCE-ID", e))?;
            let own_start = match o.prop(anchor) {
                Some(p) => p.when().map_err(|e| err("DTSTART", e))?,
                None => rid.clone(),
            };
            let o_zone = zone_of(&own_start, tzs, local);
            let o_wall = |w: &When| -> Wall { o_zone.wall(instant(w, tzs, local)) };
            let o_duration = if o.prop("DTEND").is_some()
                || o.prop("DURATION").is_some()
                || o.prop("DUE").is_some()
            {
                component_duration(o, &own_start, &o_wall, kind, tzs, local)?
            } else {
                duration
            };
            overrides.push(Override {
                index,
                rid: wall_of(&rid),
                rid_is_date: rid.is_date(),
                this_and_future: rid_p
                    .param("RANGE")
                    .is_some_and(|v| v.eq_ignore_ascii_case("THISANDFUTURE")),
                cancelled: is_cancelled(o),
                start: instant(&own_start, tzs, local),
                duration: o_duration,
                all_day: own_start.is_date(),
                zone: o_zone,
            });
        }
        let own_rid = main
            .prop("RECURRENCE-ID")
            .and_then(|p| p.when().ok())
            .map(|w| wall_of(&w));
        let cancelled = is_cancelled(main);
        Ok(Some(Series {
            cancelled,
            recurring: !rules.is_empty() || !rdates.is_empty(),
            zone,
            all_day,
            start: start_wall,
            duration,
            rules,
            rdates,
            exdates,
            exdate_days,
            overrides,
            own_rid,
        }))
    }

    fn overlaps(
        s: DateTime<Utc>,
        e: DateTime<Utc>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> bool {
        s < to && (e > from || (e == s && s >= from))
    }

    #[allow(clippy::too_many_arguments)]
    fn occurrence(
        &self,
        start: DateTime<Utc>,
        start_offset: Option<FixedOffset>,
        end: DateTime<Utc>,
        zone: &Zone,
        all_day: bool,
        rid: Option<(Wall, Known)>,
        override_index: Option<usize>,
        cancelled: bool,
    ) -> (Occurrence, Option<(Wall, Known)>) {
        let so = start_offset.unwrap_or_else(|| zone.offset_at(start));
        let eo = if end == start {
            so
        } else {
            zone.offset_at(end)
        };
        let occ = Occurrence {
            start: start.with_timezone(&so),
            end: end.with_timezone(&eo),
            all_day,
            recurrence_id: None,
            override_index,
            cancelled,
        };
        (occ, rid)
    }

    /// The instance end for a wall-clock start.
    fn end_of(
        &self,
        zone: &Zone,
        start_wall: Wall,
        start: DateTime<Utc>,
        d: Duration,
    ) -> DateTime<Utc> {
        if self.all_day {
            zone.to_utc(start_wall + d)
        } else {
            start + d
        }
    }

    /// Occurrences overlapping `[from, to)`, ordered by start, at most
    /// [`DEFAULT_LIMIT`](super::DEFAULT_LIMIT) of them.
    pub fn between(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Occurrence> {
        self.expand(from, to, super::DEFAULT_LIMIT).occurrences
    }

    /// The first `limit` occurrences overlapping `[from, to)`, ordered by start.
    /// Instances are computed as they are taken, so memory follows `limit`, not
    /// the window; `truncated` tells when more were left out.
    pub fn expand(&self, from: DateTime<Utc>, to: DateTime<Utc>, limit: usize) -> Expansion {
        self.expand_named(from, to, limit, true)
    }

    /// [`Series::expand`] for a caller that does not show RECURRENCE-IDs (a text
    /// listing): they are left `None`, unless two occurrences start at once (their
    /// order then goes by them, so every one is named).
    pub fn expand_unnamed(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
    ) -> Expansion {
        self.expand_named(from, to, limit, false)
    }

    pub(super) fn expand_named(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
        named: bool,
    ) -> Expansion {
        self.expand_into(from, to, limit, named, Vec::new(), None)
    }

    /// [`Series::expand`] (`named`) or [`Series::expand_unnamed`], the occurrences
    /// put into `room` (emptied), the window's walls found through `walls`.
    pub(super) fn expand_into(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        limit: usize,
        named: bool,
        room: Vec<Occurrence>,
        walls: Option<&mut WindowWalls>,
    ) -> Expansion {
        let mut out = Found::new(named, room);
        for o in &self.overrides {
            let e = self.end_of(&o.zone, o.zone.wall(o.start), o.start, o.duration);
            // Cancelled overrides stay listed, flagged (as Thunderbird and
            // recurring-ical-events show them); front-ends mark them.
            if Self::overlaps(o.start, e, from, to) {
                out.push(
                    self,
                    self.occurrence(
                        o.start,
                        None,
                        e,
                        &o.zone,
                        o.all_day,
                        Some((o.rid, None)),
                        Some(o.index),
                        o.cancelled,
                    ),
                );
            }
        }
        if !self.recurring {
            let (s, off) = self.zone.to_utc_with_offset(self.start);
            let e = self.end_of(&self.zone, self.start, s, self.duration);
            if Self::overlaps(s, e, from, to) {
                let rid = self.own_rid.map(|w| (w, None));
                out.push(
                    self,
                    self.occurrence(
                        s,
                        Some(off),
                        e,
                        &self.zone,
                        self.all_day,
                        rid,
                        None,
                        self.cancelled,
                    ),
                );
            }
            return self.named(out, (from, to), limit, false);
        }
        // Wall-clock bounds wide enough for offsets, lengths and THISANDFUTURE shifts.
        let mut reach = self.duration;
        let mut shift_reach = Duration::zero();
        for (_, d) in &self.rdates {
            reach = reach.max(d.unwrap_or(reach));
        }
        for o in self.overrides.iter().filter(|o| o.this_and_future) {
            reach = reach.max(o.duration);
            let shift = o.start - self.zone.to_utc(o.rid);
            shift_reach = shift_reach.max(shift.abs());
        }
        // One day of slack covers any offset change between the window's ends.
        let (wall_from, wall_to) = match walls {
            Some(walls) => walls.of(&self.zone, from, to),
            None => (self.zone.wall(from), self.zone.wall(to)),
        };
        let lo = wall_from - reach - shift_reach - Duration::days(1);
        let hi = wall_to + shift_reach + Duration::days(1);

        // Extra starts (DTSTART, RDATEs) sorted so that a PERIOD's own length wins;
        // the rules' instances stream in, merged by start, one instance per start.
        let mut extra: Vec<(Wall, Option<Duration>)> = Vec::new();
        if (lo..=hi).contains(&self.start) {
            extra.push((self.start, None));
        }
        extra.extend(
            self.rdates
                .iter()
                .filter(|(w, _)| (lo..=hi).contains(w))
                .copied(),
        );
        extra.sort_unstable_by_key(|&(w, d)| (w, d.is_none()));
        let mut extra = extra.into_iter().peekable();
        let mut streams: Vec<(Option<Wall>, Instances)> = self
            .rules
            .iter()
            .map(|(rule, until)| {
                let mut it = rule.instances_prepared(self.start, *until, lo, hi);
                (it.next(), it)
            })
            .collect();
        let mut instances = std::iter::from_fn(|| {
            let next_rule = streams.iter().filter_map(|(head, _)| *head).min();
            let next_extra = extra.peek().map(|&(w, _)| w);
            let w = next_rule.into_iter().chain(next_extra).min()?;
            for (head, it) in streams.iter_mut() {
                while *head == Some(w) {
                    *head = it.next();
                }
            }
            let mut d = None;
            while let Some(&(_, ed)) = extra.peek().filter(|&&(ew, _)| ew == w) {
                d = d.or(ed);
                extra.next();
            }
            Some((w, d))
        });
        let mut future: Vec<&Override> = self
            .overrides
            .iter()
            .filter(|o| o.this_and_future)
            .collect();
        future.sort_by_key(|o| o.rid);
        let mut truncated = false;
        for (w, d) in &mut instances {
            let (s0, off0, exact) = self.zone.to_utc_exact(w);
            // A wall time in a DST gap happens an hour later: an EXDATE or
            // RECURRENCE-ID may name it by that time (pim and other clients do).
            let shifted = (!self.all_day && !exact)
                .then(|| self.zone.wall(s0))
                .filter(|r| *r != w);
            let names = |x: &Wall| *x == w || shifted.as_ref() == Some(x);
            if self.exdates.iter().any(names) || self.exdate_days.contains(&w.date()) {
                continue;
            }
            let replaced = self.overrides.iter().any(|o| {
                names(&o.rid) || ((o.rid_is_date || self.all_day) && o.rid.date() == w.date())
            });
            if replaced {
                continue;
            }
            let mut s = s0;
            let mut start_offset = Some(off0);
            let mut len = d.unwrap_or(self.duration);
            let mut index = None;
            let mut cancelled = self.cancelled;
            if let Some(o) = future.iter().rev().find(|o| o.rid <= w) {
                cancelled = o.cancelled;
                s += o.start - self.zone.to_utc(o.rid);
                start_offset = None;
                len = o.duration;
                index = Some(o.index);
            }
            let e = if self.all_day && start_offset.is_some() {
                self.zone.to_utc(w + len)
            } else {
                self.end_of(&self.zone, self.zone.wall(s), s, len)
            };
            if Self::overlaps(s, e, from, to) {
                if out.len() >= limit {
                    truncated = true;
                    break;
                }
                let rid = Some((w, Some((s0, off0))));
                out.push(
                    self,
                    self.occurrence(
                        s,
                        start_offset,
                        e,
                        &self.zone,
                        self.all_day,
                        rid,
                        index,
                        cancelled,
                    ),
                );
            }
        }
        let cut_short = streams.iter().any(|(_, it)| it.cut_short());
        self.named(out, (from, to), limit, truncated || cut_short)
    }
}

fn sort(v: &mut [Occurrence]) {
    v.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(a.recurrence_id.cmp(&b.recurrence_id))
    });
}
