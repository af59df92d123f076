//! One occurrence of a recurring event, or it and every later one: the rule behind
//! `pim edit/delete ID --occurrence WHEN [--this-and-following]` and the TUI's
//! "this occurrence / this and following / all" question.
//!
//! - One occurrence, edited: an override component with RECURRENCE-ID (the original
//!   start, in DTSTART's form), so every client reads it as the same instance.
//! - One occurrence, deleted: an EXDATE (and its override, if any, goes).
//! - This and following: the series ends before it (UNTIL, its COUNT shortened) and
//!   a new series with a new UID, `RELATED-TO;RELTYPE=SIBLING` the old one, starts
//!   there, taking the later RDATEs, EXDATEs and overrides along. Thunderbird, Apple
//!   Calendar and Google all split series this way and read such a pair back as
//!   written; RANGE=THISANDFUTURE is ignored by Google and handled unevenly elsewhere.
//!
//! An occurrence is named by its recurrence id as [`crate::recur::Occurrence`] gives
//! it (RFC 3339 in the event's zone, or a date for all-day events); front-ends that
//! have a typed WHEN resolve it with [`find`].

use chrono::{DateTime, Duration, FixedOffset, NaiveDateTime, Utc};

use super::{EditContext, Field, RecordEdit, RecordError, Target, build, stale};
use crate::model::time::{UserWhen, parse_user_when};
use crate::model::{Body, Collection, Component, Kind, Property, Record, When, new_id, tz};
use crate::recur::{self, Occurrence};
use crate::store::{Store, StoreError};

mod anchor;
mod masterless;
mod split;
mod tasks;

use anchor::dtstart;
pub(crate) use anchor::length;
use anchor::parse_rid;
pub(crate) use anchor::{anchor_name, end_name, stored_end};
pub use split::split;
pub use tasks::{
    TaskOccurrence, listed_task, open_occurrence_record, open_task_occurrence,
    open_task_occurrences_between,
};

/// Which occurrences an edit or a delete is for (the whole series is the plain
/// [`super::save`] / [`super::delete`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// This occurrence only.
    This,
    /// This occurrence and every later one.
    ThisAndFollowing,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OccurrenceError {
    #[error("{title:?} does not repeat; edit or delete it without --occurrence")]
    NotRecurring { title: String },
    #[error("only events and tasks have occurrences to edit one by one")]
    NotAnEvent,
    #[error("{title:?} has no occurrence at {when}")]
    NoOccurrence { title: String, when: String },
    #[error("{when} matches several occurrences of {title:?} ({}); give the time too", found.join(", "))]
    Ambiguous {
        title: String,
        when: String,
        found: Vec<String>,
    },
    #[error(
        "{field} belongs to the whole series; change it without --occurrence (or with --this-and-following)"
    )]
    SeriesField { field: &'static str },
    #[error("bad occurrence {0:?}")]
    BadWhen(String),
    #[error(
        "the occurrence at {0} is an extra date before the series' start: it cannot move the series' days; move it alone (without --this-and-following) or the whole series (without --occurrence)"
    )]
    BeforeStart(String),
    #[error("{0:?} is occurrences without their series: change them one by one")]
    NoSeries(String),
}

/// One occurrence of a stored series.
#[derive(Debug, Clone, PartialEq)]
pub struct Instance {
    /// Its recurrence id as [`Occurrence::recurrence_id`] writes it.
    pub recurrence_id: String,
    /// The RECURRENCE-ID value, in the form of the series' DTSTART.
    pub rid: When,
    /// The original start (the instance the rules make).
    pub original: DateTime<Utc>,
    /// Where it is now (an override may have moved it).
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub all_day: bool,
}

fn check_series(r: &Record) -> Result<When, OccurrenceError> {
    if !matches!(r.kind, Kind::Event | Kind::Task) {
        return Err(OccurrenceError::NotAnEvent);
    }
    match dtstart(r) {
        Some(s) if r.is_recurring() || masterless::is_masterless(r) => Ok(s),
        _ => Err(OccurrenceError::NotRecurring { title: r.title() }),
    }
}

/// The RECURRENCE-ID value for the instance at `wall`/`instant`, in `start`'s form.
fn rid_value(start: &When, wall: NaiveDateTime, instant: DateTime<Utc>) -> When {
    match start {
        When::Date(_) => When::Date(wall.date()),
        When::Floating(_) => When::Floating(wall),
        When::Utc(_) => When::Utc(instant),
        When::Zoned(_, tzid) => When::Zoned(wall, tzid.clone()),
    }
}

/// Whether a RECURRENCE-ID (or EXDATE) value names the same instance as `rid`.
pub(crate) fn same_instance(
    p: &Property,
    rid: &When,
    r: &Record,
    local: crate::model::zonedb::Tz,
) -> bool {
    let Ok(w) = When::from_property(p) else {
        return false;
    };
    match (&w, rid) {
        (When::Date(a), When::Date(b)) => a == b,
        (_, When::Date(b)) => {
            // Exchange writes all-day ids as zoned midnights: the day counts.
            let n = match &w {
                When::Floating(n) | When::Zoned(n, _) => n.date(),
                When::Utc(t) => t.date_naive(),
                When::Date(d) => *d,
            };
            n == *b
        }
        _ => {
            tz::instant(&w, &r.body.timezones, local) == tz::instant(rid, &r.body.timezones, local)
        }
    }
}

/// The override of `r` for the instance `rid`, if it has one.
pub(crate) fn override_of(
    r: &Record,
    rid: &When,
    local: crate::model::zonedb::Tz,
) -> Option<usize> {
    r.body.overrides.iter().position(|o| {
        o.prop("RECURRENCE-ID")
            .is_some_and(|p| same_instance(p, rid, r, local))
    })
}

/// The occurrence of `r` whose recurrence id is `recurrence_id`.
pub fn instance(
    r: &Record,
    recurrence_id: &str,
    local: crate::model::zonedb::Tz,
) -> Result<Instance, RecordError> {
    let start = check_series(r)?;
    let (wall, original) = parse_rid(recurrence_id, local)
        .ok_or_else(|| OccurrenceError::BadWhen(recurrence_id.to_string()))?;
    let missing = || OccurrenceError::NoOccurrence {
        title: r.title(),
        when: recurrence_id.to_string(),
    };
    let rid = rid_value(&start, wall, original);
    // Where it is now: an override may have moved it anywhere.
    let around = match override_of(r, &rid, local).map(|i| &r.body.overrides[i]) {
        Some(o) => o
            .prop("DTSTART")
            .and_then(|p| When::from_property(p).ok())
            .map(|w| tz::instant(&w, &r.body.timezones, local))
            .unwrap_or(original),
        None => original,
    };
    let found = window(r, around, local)?
        .into_iter()
        .find(|o| {
            o.recurrence_id
                .as_deref()
                .and_then(|t| parse_rid(t, local))
                .is_some_and(|(_, t)| t == original)
        })
        .ok_or_else(missing)?;
    Ok(Instance {
        recurrence_id: found.recurrence_id.clone().unwrap_or_default(),
        rid,
        original,
        start: found.start,
        end: found.end,
        all_day: found.all_day,
    })
}

/// The occurrences of `r` within a week of `t`.
fn window(
    r: &Record,
    t: DateTime<Utc>,
    local: crate::model::zonedb::Tz,
) -> Result<Vec<Occurrence>, RecordError> {
    let week = Duration::days(7);
    recur::occurrences(r, t - week, t + week, local)
        .map_err(|e| OccurrenceError::BadWhen(e.to_string()).into())
}

/// The occurrence of `r` the user means by `when`: one that starts then (or that
/// day), or whose original start was then (a moved one, by its old time).
pub fn find(r: &Record, when: &str, cx: &EditContext) -> Result<Instance, RecordError> {
    check_series(r)?;
    let uw = parse_user_when(when, cx.now, cx.tz)
        .map_err(|e| OccurrenceError::BadWhen(e.to_string()))?;
    let at = uw.instant(cx.tz);
    let mut candidates: Vec<Occurrence> = window(r, at, cx.tz)?;
    // A moved occurrence far from its original time, named by that time.
    for o in &r.body.overrides {
        if let Some(start) = o.prop("DTSTART").and_then(|p| When::from_property(p).ok()) {
            let t = tz::instant(&start, &r.body.timezones, cx.tz);
            candidates.extend(window(r, t, cx.tz)?);
        }
    }
    let day = |t: DateTime<Utc>| t.with_timezone(&cx.tz).date_naive();
    let mut hits: Vec<String> = Vec::new();
    // Named by its original time: chosen over one moved onto that time (which
    // still answers to its own original time), so every occurrence has a name.
    let mut by_rid: Vec<String> = Vec::new();
    for o in &candidates {
        let Some(text) = &o.recurrence_id else {
            continue;
        };
        let Some((rid_wall, rid_t)) = parse_rid(text, cx.tz) else {
            continue;
        };
        let start = o.start.with_timezone(&Utc);
        let (hit, original) = match &uw {
            UserWhen::Date(d) => {
                let rid_day = if o.all_day {
                    rid_wall.date()
                } else {
                    day(rid_t)
                };
                let start_day = if o.all_day {
                    o.start.date_naive()
                } else {
                    day(start)
                };
                (start_day == *d || rid_day == *d, rid_day == *d)
            }
            _ => (start == at || rid_t == at, rid_t == at),
        };
        if original && !by_rid.contains(text) {
            by_rid.push(text.clone());
        }
        if hit && !hits.contains(text) {
            hits.push(text.clone());
        }
    }
    if hits.is_empty() && end_name(r) == Some("DUE") {
        // A task with a start also answers to the day (or time) it is due.
        for o in &candidates {
            let Some(text) = &o.recurrence_id else {
                continue;
            };
            let due = o.end.with_timezone(&Utc);
            let hit = match &uw {
                UserWhen::Date(d) if o.all_day => o.end.date_naive() == *d,
                UserWhen::Date(d) => day(due) == *d,
                _ => due == at,
            };
            if hit && !hits.contains(text) {
                hits.push(text.clone());
            }
        }
    }
    match hits.len() {
        0 => Err(OccurrenceError::NoOccurrence {
            title: r.title(),
            when: when.to_string(),
        }
        .into()),
        1 => instance(r, &hits[0], cx.tz),
        _ if by_rid.len() == 1 => instance(r, &by_rid[0], cx.tz),
        _ => {
            hits.sort();
            Err(OccurrenceError::Ambiguous {
                title: r.title(),
                when: when.to_string(),
                found: hits,
            }
            .into())
        }
    }
}

/// The instance `rid` of `r` as a standalone event: its override, or the master's
/// fields at that time. Its main component is what an edit of that one occurrence
/// changes; forms show it.
pub fn occurrence_record(r: &Record, rid: &When, local: crate::model::zonedb::Tz) -> Record {
    let main = match override_of(r, rid, local) {
        _ if masterless::is_main(r, rid, local) => r.body.main.clone(),
        Some(i) => r.body.overrides[i].clone(),
        None => derived_override(r, rid, local),
    };
    Record {
        id: r.id.clone(),
        kind: r.kind,
        collection: r.collection.clone(),
        body: Body {
            main,
            overrides: Vec::new(),
            timezones: r.body.timezones.clone(),
        },
    }
}

/// Properties that belong to the series, never to one occurrence.
const SERIES_ONLY: &[&str] = &["RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"];

/// A new override for the instance `rid`: the master's fields at that time.
fn derived_override(r: &Record, rid: &When, local: crate::model::zonedb::Tz) -> Component {
    let master = &r.body.main;
    let mut c = Component {
        name: master.name.clone(),
        props: Vec::new(),
        subs: master.subs.clone(),
    };
    let start = dtstart(r);
    let anchor = anchor_name(r);
    let end_name = end_name(r);
    let end = start
        .as_ref()
        .and_then(|s| stored_end(r, s).map(|e| length(s, &e, r, local)));
    for p in &master.props {
        let name = p.name.to_ascii_uppercase();
        if SERIES_ONLY.contains(&name.as_str()) {
            continue;
        }
        if name == anchor {
            c.props.push(rid.to_property(anchor));
        } else if Some(name.as_str()) == end_name || name == "DURATION" {
            if let (Some(len), Some(end_name)) = (end, end_name)
                && !c.props.iter().any(|q| q.name == end_name)
            {
                c.props.push(rid.plus(len).to_property(end_name));
            }
        } else {
            c.props.push(p.clone());
        }
    }
    let at = c
        .props
        .iter()
        .position(|p| p.name == anchor)
        .map_or(c.props.len(), |i| i + 1);
    c.props.insert(at, rid.to_property("RECURRENCE-ID"));
    c
}

/// `after`, an edit of the whole series `before`, with its overrides, EXDATEs and
/// RDATEs following a moved start, and the changed fields carried to the overrides
/// that had the series' old value (as Thunderbird and Apple do).
pub fn whole_series(before: &Record, after: Record, local: crate::model::zonedb::Tz) -> Record {
    let moved = split::follow_start(before, after, local);
    split::carry_to_overrides(before, moved)
}

/// Fields an edit of one occurrence may not change.
fn series_field(edit: &RecordEdit) -> Result<(), OccurrenceError> {
    for c in &edit.changes {
        if matches!(c.field, Field::Rrule | Field::Collection) {
            return Err(OccurrenceError::SeriesField {
                field: c.field.name(edit.kind),
            });
        }
    }
    Ok(())
}

/// `r` with the occurrence `rid` changed by `edit` (an override written or updated).
pub fn edit_one(
    r: &Record,
    rid: &When,
    edit: &RecordEdit,
    collections: &[Collection],
    cx: &EditContext,
) -> Result<Record, RecordError> {
    series_field(edit)?;
    let occ = occurrence_record(r, rid, cx.tz);
    let changed = build(Some(&occ), edit, collections, cx)?;
    let mut out = r.clone();
    let main = changed.body.main;
    match override_of(r, rid, cx.tz) {
        _ if masterless::is_main(r, rid, cx.tz) => out.body.main = main,
        Some(i) => out.body.overrides[i] = main,
        None => out.body.overrides.push(main),
    }
    Ok(out)
}

/// `r` without the occurrence `rid` (an EXDATE; its override goes).
pub fn delete_one(r: &Record, rid: &When, local: crate::model::zonedb::Tz) -> Record {
    if masterless::is_masterless(r) {
        return masterless::delete_one(r, rid, local);
    }
    let mut out = r.clone();
    out.body.overrides.retain(|o| {
        !o.prop("RECURRENCE-ID")
            .is_some_and(|p| same_instance(p, rid, r, local))
    });
    let already = r
        .props_named("EXDATE")
        .flat_map(split::values)
        .any(|p| same_instance(&p, rid, r, local));
    if !already {
        // One EXDATE property per date: EXDATE merges as a set, so two devices
        // deleting different occurrences both keep theirs.
        out.body.main.props.push(rid.to_property("EXDATE"));
    }
    out
}

/// What an occurrence edit or delete did: the series before and after, and the new
/// series a "this and following" change started (`None` for one occurrence, or
/// when it was the first: then the whole series changed).
#[derive(Debug, Clone, PartialEq)]
pub struct OccurrenceSaved {
    pub before: Record,
    /// `None`: the series is gone (everything from its first occurrence deleted).
    pub after: Option<Record>,
    pub new_series: Option<Record>,
}

impl OccurrenceSaved {
    /// The undo of this change.
    pub fn undo(&self) -> super::Undo {
        use super::Undo;
        let series = match &self.after {
            Some(after) => Undo::Revert {
                before: self.before.clone(),
                after: after.clone(),
            },
            None => Undo::Restore(self.before.clone()),
        };
        match &self.new_series {
            Some(created) => Undo::Split {
                series: Box::new(series),
                created: created.clone(),
            },
            None => series,
        }
    }

    /// The record that now holds the changed occurrence (to select it in a list).
    pub fn changed(&self) -> Option<&Record> {
        self.new_series.as_ref().or(self.after.as_ref())
    }
}

/// Edit one occurrence of a stored series, or it and every later one.
pub fn save_occurrence(
    store: &mut Store,
    edit: &RecordEdit,
    recurrence_id: &str,
    scope: Scope,
    cx: &EditContext,
) -> Result<OccurrenceSaved, RecordError> {
    let Target::Existing(id) = &edit.target else {
        return Err(OccurrenceError::BadWhen("a new record has no occurrences".into()).into());
    };
    let collections = store.collections(Some(edit.kind))?;
    store.write(|w| {
        let current = w.get(id)?.ok_or_else(|| StoreError::NoRecord(id.clone()))?;
        let (after, new_series) =
            match plan_edit(&current, edit, recurrence_id, scope, &collections, cx) {
                Ok(x) => x,
                Err(e) => return Ok(Err(e)),
            };
        if after != current {
            w.update(&after)?;
        }
        if let Some(n) = &new_series {
            w.create(n)?;
        }
        Ok(Ok(OccurrenceSaved {
            before: current,
            after: Some(after),
            new_series,
        }))
    })?
}

/// The series after the edit, and the new series a split started.
fn plan_edit(
    current: &Record,
    edit: &RecordEdit,
    recurrence_id: &str,
    scope: Scope,
    collections: &[Collection],
    cx: &EditContext,
) -> Result<(Record, Option<Record>), RecordError> {
    let inst = instance(current, recurrence_id, cx.tz)?;
    match scope {
        Scope::This => {
            let occ = occurrence_record(current, &inst.rid, cx.tz);
            let stale = stale::moved_since_seen(&occ, edit, collections, cx);
            if !stale.is_empty() {
                return Err(RecordError::Conflict {
                    kind: edit.kind,
                    stale,
                    current: Box::new(occ),
                });
            }
            Ok((edit_one(current, &inst.rid, edit, collections, cx)?, None))
        }
        Scope::ThisAndFollowing => {
            match split(current, &inst, &new_id(), cx)? {
                // The first occurrence: the whole series changes.
                (None, whole) => {
                    let whole = split::keep_anchor(current, whole, &inst, edit, cx.tz)?;
                    let stale = stale::moved_since_seen(&whole, edit, collections, cx);
                    if !stale.is_empty() {
                        return Err(RecordError::Conflict {
                            kind: edit.kind,
                            stale,
                            current: Box::new(whole),
                        });
                    }
                    let built = build(Some(&whole), edit, collections, cx)?;
                    let shifted = split::follow_start(&whole, built, cx.tz);
                    Ok((split::carry_to_overrides(&whole, shifted), None))
                }
                (Some(old), new) => {
                    let stale = stale::moved_since_seen(&new, edit, collections, cx);
                    if !stale.is_empty() {
                        return Err(RecordError::Conflict {
                            kind: edit.kind,
                            stale,
                            current: Box::new(new),
                        });
                    }
                    let retargeted = RecordEdit {
                        kind: edit.kind,
                        target: Target::Existing(new.id.clone()),
                        changes: edit.changes.clone(),
                    };
                    let built = build(Some(&new), &retargeted, collections, cx)?;
                    let shifted = split::follow_start(&new, built, cx.tz);
                    Ok((old, Some(split::carry_to_overrides(&new, shifted))))
                }
            }
        }
    }
}

/// Delete one occurrence of a stored series, or it and every later one.
pub fn delete_occurrence(
    store: &mut Store,
    id: &str,
    recurrence_id: &str,
    scope: Scope,
    cx: &EditContext,
) -> Result<OccurrenceSaved, RecordError> {
    store.write(|w| {
        let current = w
            .get(id)?
            .ok_or_else(|| StoreError::NoRecord(id.to_string()))?;
        let inst = match instance(&current, recurrence_id, cx.tz) {
            Ok(i) => i,
            Err(e) => return Ok(Err(e)),
        };
        let after = match scope {
            Scope::This => Some(delete_one(&current, &inst.rid, cx.tz)),
            Scope::ThisAndFollowing => match split(&current, &inst, &new_id(), cx) {
                Ok((old, _)) => old,
                Err(e) => return Ok(Err(e)),
            },
        };
        match &after {
            Some(a) => {
                w.update(a)?;
            }
            None => {
                w.delete(id)?;
            }
        }
        Ok(Ok(OccurrenceSaved {
            before: current,
            after,
            new_series: None,
        }))
    })?
}

#[cfg(test)]
mod move_tests;
#[cfg(test)]
mod task_tests;
#[cfg(test)]
mod tests;
