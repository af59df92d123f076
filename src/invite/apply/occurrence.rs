//! Which occurrence of our event an iTIP object names, and the occurrence a
//! series makes there when it has no override yet.

use crate::model::{Component, Property, Record, When, tz};

/// Whether two RECURRENCE-IDs name the same instance: the same text, or the same
/// day, or the same instant written another way (`TZID=Europe/Berlin:...T100000`
/// and `...T090000Z`), so an update lands on the occurrence a user already edited.
pub(super) fn same_rid(a: &Property, b: &Property, timezones: &[Component]) -> bool {
    if a.value.trim() == b.value.trim() {
        return true;
    }
    match (When::from_property(a), When::from_property(b)) {
        (Ok(When::Date(x)), Ok(When::Date(y))) => x == y,
        (Ok(x), Ok(y)) if !x.is_date() && !y.is_date() => {
            // Floating ids compare as wall times (both read in one zone).
            tz::instant(&x, timezones, crate::model::zonedb::UTC)
                == tz::instant(&y, timezones, crate::model::zonedb::UTC)
        }
        _ => false,
    }
}

/// Whether `rid` names an occurrence the series `r` makes (by its original start).
pub(super) fn is_instance(r: &Record, rid: &Property) -> bool {
    let Ok(w) = When::from_property(rid) else {
        return false;
    };
    let t = tz::instant(&w, &r.body.timezones, crate::model::zonedb::UTC);
    let day = chrono::Duration::days(2);
    let Ok(found) = crate::recur::occurrences(r, t - day, t + day, crate::model::zonedb::UTC)
    else {
        return false;
    };
    found
        .iter()
        .any(|o| match (&w, o.recurrence_id.as_deref()) {
            (When::Date(d), Some(text)) => text.starts_with(&d.format("%Y-%m-%d").to_string()),
            (_, Some(text)) => chrono::DateTime::parse_from_rfc3339(text).is_ok_and(|x| x == t),
            _ => false,
        })
}

/// The component of `r` the iTIP object talks about (an override or the master).
pub fn target<'a>(r: &'a Record, rid: Option<&Property>) -> Option<&'a Component> {
    match rid {
        None => Some(&r.body.main),
        Some(rid) => {
            if r.body
                .main
                .prop("RECURRENCE-ID")
                .is_some_and(|p| same_rid(p, rid, &r.body.timezones))
            {
                return Some(&r.body.main);
            }
            r.body.overrides.iter().find(|o| {
                o.prop("RECURRENCE-ID")
                    .is_some_and(|p| same_rid(p, rid, &r.body.timezones))
            })
        }
    }
}

pub(super) fn target_mut<'a>(
    r: &'a mut Record,
    rid: Option<&Property>,
) -> Option<&'a mut Component> {
    match rid {
        None => Some(&mut r.body.main),
        Some(rid) => {
            if r.body
                .main
                .prop("RECURRENCE-ID")
                .is_some_and(|p| same_rid(p, rid, &r.body.timezones))
            {
                return Some(&mut r.body.main);
            }
            let tzs = &r.body.timezones;
            r.body.overrides.iter_mut().find(|o| {
                o.prop("RECURRENCE-ID")
                    .is_some_and(|p| same_rid(p, rid, tzs))
            })
        }
    }
}

/// Properties of the series, never of one occurrence.
const SERIES_ONLY: &[&str] = &["RRULE", "RDATE", "EXDATE", "EXRULE", "RECURRENCE-ID"];

/// A new override for the instance `rid` of the event series `r`: the master's
/// fields at that time (its length kept), None when `rid` is not an instance.
pub(super) fn derived_occurrence(r: &Record, rid: &Property) -> Option<Component> {
    if !is_instance(r, rid) {
        return None;
    }
    let master = &r.body.main;
    let at = When::from_property(rid).ok()?;
    let start = master
        .prop("DTSTART")
        .and_then(|p| When::from_property(p).ok())?;
    let len = master
        .prop("DTEND")
        .and_then(|p| When::from_property(p).ok())
        .map(|end| match (&start, &end) {
            (When::Date(x), When::Date(y)) => *y - *x,
            (When::Floating(x), When::Floating(y)) => *y - *x,
            (When::Zoned(x, a), When::Zoned(y, b)) if a == b => *y - *x,
            _ => {
                let utc = crate::model::zonedb::UTC;
                tz::instant(&end, &r.body.timezones, utc)
                    - tz::instant(&start, &r.body.timezones, utc)
            }
        });
    let mut c = Component {
        name: master.name.clone(),
        props: Vec::new(),
        subs: master.subs.clone(),
    };
    for p in &master.props {
        let name = p.name.to_ascii_uppercase();
        match name.as_str() {
            n if SERIES_ONLY.contains(&n) => {}
            "DTSTART" => {
                c.props.push(at.to_property("DTSTART"));
                let mut id = rid.clone();
                id.name = "RECURRENCE-ID".into();
                id.remove_param("RANGE");
                c.props.push(id);
            }
            "DTEND" => c
                .props
                .push(at.plus(len.unwrap_or_default()).to_property("DTEND")),
            _ => c.props.push(p.clone()),
        }
    }
    Some(c)
}
