//! Checks that the values pim computes with (dates, durations, rules) parse, so a
//! broken item is reported at import with its line instead of failing later.

use crate::model::time::{When, parse_ical_duration};
use crate::model::{Component, Property};
use crate::recur::rule::Rule;

const DATE_PROPS: &[&str] = &["DTSTART", "DTEND", "DUE", "RECURRENCE-ID"];

/// The first bad value of an item component: (line, reason).
pub fn check(c: &Component, lines: &[usize]) -> Result<(), (usize, String)> {
    for (i, p) in c.props.iter().enumerate() {
        let line = lines.get(i).copied().unwrap_or(0);
        let fail = |reason: String| Err((line, format!("{}: {reason}", p.name)));
        let name = p.name.as_str();
        if DATE_PROPS.contains(&name) {
            if let Err(e) = When::from_property(p) {
                return fail(e.to_string());
            }
        } else if name == "DURATION" {
            if let Err(e) = parse_ical_duration(&p.value) {
                return fail(e.to_string());
            }
        } else if name == "RRULE" {
            if let Err(e) = Rule::parse(&p.value) {
                return fail(e);
            }
        } else if name == "EXDATE" || name == "RDATE" {
            if let Err(e) = check_list(p) {
                return fail(e);
            }
        }
    }
    Ok(())
}

fn check_list(p: &Property) -> Result<(), String> {
    let period = p
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
    for v in p.value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        let (start, rest) = match v.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None if period => return Err(format!("PERIOD {v:?} has no '/'")),
            None => (v, None),
        };
        let mut q = p.clone();
        q.value = start.to_string();
        q.remove_param("VALUE");
        When::from_property(&q).map_err(|e| e.to_string())?;
        if let Some(end) = rest {
            if end.starts_with(['P', '+', '-']) {
                parse_ical_duration(end).map_err(|e| e.to_string())?;
            } else {
                q.value = end.to_string();
                When::from_property(&q).map_err(|e| e.to_string())?;
            }
        }
    }
    Ok(())
}
