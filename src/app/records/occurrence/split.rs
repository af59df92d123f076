//! "This and following": a series cut in two at one occurrence.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, NaiveDateTime, NaiveTime, Utc};

use super::{Instance, OccurrenceError, anchor_name, dtstart, end_name, length, same_instance};
use crate::app::records::{EditContext, Field, RecordEdit, RecordError};
use crate::model::{Property, Record, When, tz};
use crate::recur;

/// The values of a multi-valued property (EXDATE, RDATE) as one property each.
pub(crate) fn values(p: &Property) -> Vec<Property> {
    crate::recur::property_values(p).collect()
}

/// The instant a DATE/DATE-TIME value names (a PERIOD: its start).
fn instant_of(p: &Property, r: &Record, local: Tz) -> Option<DateTime<Utc>> {
    let mut p = p.clone();
    if let Some((start, _)) = p.value.split_once('/') {
        p.value = start.to_string();
        p.remove_param("VALUE");
    }
    When::from_property(&p)
        .ok()
        .map(|w| tz::instant(&w, &r.body.timezones, local))
}

/// Whether the series has an occurrence before `at` (by original start).
fn has_earlier(r: &Record, at: DateTime<Utc>, local: Tz) -> Result<bool, RecordError> {
    let moved_earlier = r.body.overrides.iter().any(|o| {
        o.prop("RECURRENCE-ID")
            .and_then(|p| instant_of(p, r, local))
            .is_some_and(|t| t < at)
    });
    if moved_earlier {
        return Ok(true);
    }
    let Some(start) = dtstart(r) else {
        return Ok(false);
    };
    let from = tz::instant(&start, &r.body.timezones, local) - Duration::days(2);
    let found = recur::expand(r, from.min(at - Duration::days(2)), at, local, 4)
        .map_err(|e| OccurrenceError::BadWhen(e.to_string()))?;
    Ok(found.occurrences.iter().any(|o| {
        o.recurrence_id
            .as_deref()
            .and_then(|t| super::parse_rid(t, local))
            .is_some_and(|(_, t)| t < at)
    }))
}

/// How many instances `rule` (with DTSTART, no other dates) makes before `at`.
fn count_before(r: &Record, rule: &Property, at: DateTime<Utc>, local: Tz) -> usize {
    let mut only = r.clone();
    only.body.overrides.clear();
    only.body.main.props.retain(|p| {
        !["RRULE", "RDATE", "EXDATE", "EXRULE"].contains(&p.name.to_ascii_uppercase().as_str())
    });
    only.body.main.props.push(rule.clone());
    let Some(start) = dtstart(r) else { return 0 };
    let from = tz::instant(&start, &r.body.timezones, local) - Duration::days(2);
    recur::expand(&only, from, at, local, recur::DEFAULT_LIMIT)
        .map(|e| {
            e.occurrences
                .iter()
                .filter(|o| {
                    o.recurrence_id
                        .as_deref()
                        .and_then(|t| super::parse_rid(t, local))
                        .is_some_and(|(_, t)| t < at)
                })
                .count()
        })
        .unwrap_or(0)
}

/// A rule's parts without `name` (COUNT, UNTIL).
fn without(rule: &str, names: &[&str]) -> Vec<String> {
    rule.split(';')
        .filter(|part| {
            let key = part.split('=').next().unwrap_or("").trim();
            !names.iter().any(|n| key.eq_ignore_ascii_case(n))
        })
        .map(str::to_string)
        .collect()
}

fn count_of(rule: &str) -> Option<usize> {
    rule.split(';').find_map(|part| {
        let (k, v) = part.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("COUNT")
            .then(|| v.trim().parse().ok())?
    })
}

/// UNTIL for a series that must end just before `inst`, in the form RFC 5545 asks
/// for: a date for all-day series, floating for floating ones, else UTC.
fn until_before(r: &Record, inst: &Instance) -> String {
    match &inst.rid {
        When::Date(d) => (*d - Duration::days(1)).format("%Y%m%d").to_string(),
        When::Floating(n) => (*n - Duration::seconds(1))
            .format("%Y%m%dT%H%M%S")
            .to_string(),
        When::Zoned(wall, tzid) => {
            // UNTIL is compared on the series' wall clock: an instance in a DST gap
            // (02:30 happening at 03:30) ends the series before its nominal wall time.
            let resolved = tz::resolve(tzid, &r.body.timezones)
                .map(|z| inst.original.naive_utc() + z.offset_at(inst.original))
                .unwrap_or(*wall);
            let gap = (resolved - *wall).max(Duration::zero());
            (inst.original - gap - Duration::seconds(1))
                .format("%Y%m%dT%H%M%SZ")
                .to_string()
        }
        _ => (inst.original - Duration::seconds(1))
            .format("%Y%m%dT%H%M%SZ")
            .to_string(),
    }
}

/// `r` cut at `inst`: the series before it (`None` when nothing comes before: then
/// the second is `r` itself, anchored at `inst`) and the series from it on. The new series gets
/// `new_id` as id and UID, `RELATED-TO;RELTYPE=SIBLING` the old UID, the later
/// RDATEs, EXDATEs and overrides, and what is left of a COUNT.
pub fn split(
    r: &Record,
    inst: &Instance,
    new_id: &str,
    cx: &EditContext,
) -> Result<(Option<Record>, Record), RecordError> {
    if super::masterless::is_masterless(r) {
        return Err(OccurrenceError::NoSeries(r.title()).into());
    }
    let local = cx.tz;
    let earlier = has_earlier(r, inst.original, local)?;
    let later = |p: &Property| instant_of(p, r, local).is_some_and(|t| t >= inst.original);
    let mut old = r.clone();
    let mut new = r.clone();
    old.body.main.props.clear();
    new.body.main.props.clear();
    let until = until_before(r, inst);
    for p in &r.body.main.props {
        match p.name.to_ascii_uppercase().as_str() {
            "RRULE" => {
                let mut parts = without(&p.value, &["COUNT", "UNTIL"]);
                parts.push(format!("UNTIL={until}"));
                old.body
                    .main
                    .props
                    .push(Property::new("RRULE", parts.join(";")));
                let mut rest = p.clone();
                if let Some(n) = count_of(&p.value) {
                    let before = count_before(r, p, inst.original, local);
                    let left = n.saturating_sub(before);
                    if left == 0 {
                        continue;
                    }
                    if before == 0 {
                        new.body.main.props.push(rest);
                        continue;
                    }
                    let mut parts = without(&p.value, &["COUNT"]);
                    parts.push(format!("COUNT={left}"));
                    rest.value = parts.join(";");
                }
                new.body.main.props.push(rest);
            }
            "RDATE" | "EXDATE" => {
                let (after, before): (Vec<Property>, Vec<Property>) =
                    values(p).into_iter().partition(|v| later(v));
                old.body.main.props.extend(before);
                new.body.main.props.extend(after);
            }
            _ => {
                old.body.main.props.push(p.clone());
                new.body.main.props.push(p.clone());
            }
        }
    }
    let (after, before) = r.body.overrides.iter().cloned().partition(|o| {
        o.prop("RECURRENCE-ID").is_some_and(&later)
            || o.prop("RECURRENCE-ID")
                .is_some_and(|p| same_instance(p, &inst.rid, r, local))
    });
    old.body.overrides = before;
    new.body.overrides = after;

    let old_uid = r.uid().unwrap_or(&r.id).to_string();
    new.id = new_id.to_string();
    new.set_props("UID", vec![Property::new("UID", new_id)]);
    if let Some(start) = dtstart(r) {
        let len = super::stored_end(r, &start).map(|e| length(&start, &e, r, local));
        let anchor = anchor_name(r);
        new.set_props(anchor, vec![inst.rid.to_property(anchor)]);
        if let (Some(len), Some(end)) = (len, end_name(r))
            && new.prop(end).is_some()
        {
            new.set_props(end, vec![inst.rid.plus(len).to_property(end)]);
        }
    }
    new.remove("RECURRENCE-ID");
    if !earlier {
        // Nothing before it: the same series, anchored at its first occurrence
        // (DTSTART there, COUNT and dates from there), so a new start moves it.
        new.id = r.id.clone();
        new.set_props("UID", r.body.main.props_named("UID").cloned().collect());
        return Ok((None, new));
    }
    // Overrides carry the series' UID (clients group components by it).
    for o in new.body.overrides.iter_mut() {
        for p in o.props.iter_mut() {
            if p.name.eq_ignore_ascii_case("UID") {
                *p = Property::new("UID", new_id);
            }
        }
    }
    new.remove("SEQUENCE");
    new.body.main.props.retain(|p| {
        !(p.name.eq_ignore_ascii_case("RELATED-TO")
            && p.param("RELTYPE")
                .is_some_and(|t| t.eq_ignore_ascii_case("SIBLING")))
    });
    new.body
        .main
        .props
        .push(Property::new("RELATED-TO", old_uid).with_param("RELTYPE", "SIBLING"));
    for name in ["DTSTAMP", "CREATED"] {
        new.set_props(name, vec![When::Utc(cx.now).to_property(name)]);
    }
    Ok((Some(old), new))
}

/// `after` (the new series as an edit left it) with its instance dates moved along
/// when the edit moved its start: EXDATEs, RDATEs and the overrides' ids (and the
/// times of overrides that were not moved themselves). A start that turned from a
/// time into a day or back drops them: they no longer name any instance.
pub(crate) fn follow_start(before: &Record, mut after: Record, local: Tz) -> Record {
    let (Some(a), Some(b)) = (dtstart(before), dtstart(&after)) else {
        return after;
    };
    if a == b {
        return after;
    }
    follow_rule(before, &mut after, &a, &b);
    if a.is_date() != b.is_date() {
        after.remove("EXDATE");
        after.remove("RDATE");
        after.body.overrides.clear();
        return after;
    }
    let delta = length(&a, &b, before, local);
    let shift = |p: &Property| -> Property {
        match When::from_property(p) {
            Ok(w) if !p.value.contains('/') => {
                let mut q = w.plus(delta).to_property(&p.name);
                for param in &p.params {
                    if !["TZID", "VALUE"].contains(&param.name.to_ascii_uppercase().as_str()) {
                        q.params.push(param.clone());
                    }
                }
                q
            }
            _ => p.clone(),
        }
    };
    for p in after.body.main.props.iter_mut() {
        if ["EXDATE", "RDATE"].contains(&p.name.to_ascii_uppercase().as_str()) {
            let parts: Vec<Property> = values(p).iter().map(shift).collect();
            if let Some(first) = parts.first() {
                let mut joined = first.clone();
                joined.value = parts
                    .iter()
                    .map(|q| q.value.clone())
                    .collect::<Vec<_>>()
                    .join(",");
                *p = joined;
            }
        }
    }
    let (anchor, end) = (anchor_name(before), end_name(before));
    for o in after.body.overrides.iter_mut() {
        let Some(rid) = o.prop("RECURRENCE-ID").cloned() else {
            continue;
        };
        let unmoved = o.prop(anchor).is_some_and(|s| s.value == rid.value);
        for p in o.props.iter_mut() {
            let name = p.name.to_ascii_uppercase();
            let times = name == anchor || Some(name.as_str()) == end;
            if name == "RECURRENCE-ID" || (unmoved && times) {
                *p = shift(p);
            }
        }
    }
    after
}

/// The wall-clock time a start names in its own zone (a day: its midnight).
fn wall(w: &When) -> NaiveDateTime {
    match w {
        When::Date(d) => d.and_time(NaiveTime::MIN),
        When::Floating(n) | When::Zoned(n, _) => *n,
        When::Utc(t) => t.naive_utc(),
    }
}

/// The rules of `after` following its start's move from `a` to `b` (the weekday a
/// weekly rule names moves with it: see [`recur::follow`]), unless the edit gave
/// the series a rule of its own.
fn follow_rule(before: &Record, after: &mut Record, a: &When, b: &When) {
    if !before.props_named("RRULE").eq(after.props_named("RRULE")) {
        return;
    }
    let (from, to) = (wall(a), wall(b));
    for p in after.body.main.props.iter_mut() {
        if p.name.eq_ignore_ascii_case("RRULE") {
            p.value = recur::follow::follow_move(&p.value, from, to);
        }
    }
}

/// Properties of the master an edit of the series carries to its overrides.
const NOT_CARRIED: &[&str] = &[
    "DTSTART",
    "DTEND",
    "DUE",
    "DURATION",
    "RRULE",
    "RDATE",
    "EXDATE",
    "EXRULE",
    "UID",
    "DTSTAMP",
    "CREATED",
    "LAST-MODIFIED",
    "SEQUENCE",
    "RECURRENCE-ID",
    "RELATED-TO",
];

/// A series edit carried to the overrides: each property the edit changed on the
/// master changes on every override that still had the master's old value (an
/// occurrence given its own value keeps it), as Thunderbird and Apple do.
pub(crate) fn carry_to_overrides(before: &Record, mut after: Record) -> Record {
    let mut names: Vec<String> = before
        .body
        .main
        .props
        .iter()
        .chain(&after.body.main.props)
        .map(|p| p.name.to_ascii_uppercase())
        .filter(|n| !NOT_CARRIED.contains(&n.as_str()))
        .collect();
    names.sort();
    names.dedup();
    for name in names {
        let old: Vec<&Property> = before.props_named(&name).collect();
        let new: Vec<Property> = after.props_named(&name).cloned().collect();
        if old.iter().copied().eq(new.iter()) {
            continue;
        }
        for o in after.body.overrides.iter_mut() {
            let mine: Vec<&Property> = o.props_named(&name).collect();
            if mine != old {
                continue;
            }
            let at = o
                .props
                .iter()
                .position(|p| p.name.eq_ignore_ascii_case(&name))
                .unwrap_or(o.props.len());
            o.props.retain(|p| !p.name.eq_ignore_ascii_case(&name));
            let at = at.min(o.props.len());
            for (i, p) in new.iter().enumerate() {
                o.props.insert(at + i, p.clone());
            }
        }
    }
    after
}

/// "This and following" from the first occurrence when it is an extra date
/// (RDATE) before DTSTART: re-anchoring the series there would move its rule onto
/// that date's weekday, so the series keeps its start. A change of its times is
/// refused: it could not keep the rule's days. Otherwise `whole` as [`split`] gave it.
pub(super) fn keep_anchor(
    current: &Record,
    whole: Record,
    inst: &Instance,
    edit: &RecordEdit,
    local: Tz,
) -> Result<Record, RecordError> {
    let Some(start) = dtstart(current) else {
        return Ok(whole);
    };
    if inst.original >= tz::instant(&start, &current.body.timezones, local) {
        return Ok(whole);
    }
    let timing = [
        Field::AllDay,
        Field::Tz,
        Field::Start,
        Field::End,
        Field::Duration,
        Field::Due,
    ];
    if edit.changes.iter().any(|c| timing.contains(&c.field)) {
        let when = inst.original.with_timezone(&local).format("%Y-%m-%d %H:%M");
        return Err(OccurrenceError::BeforeStart(when.to_string()).into());
    }
    Ok(current.clone())
}
