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
        let result = match p.name.as_str() {
            n if DATE_PROPS.contains(&n) => {
                When::from_property(p).map(drop).map_err(|e| e.to_string())
            }
            "DURATION" => parse_ical_duration(&p.value)
                .map(drop)
                .map_err(|e| e.to_string()),
            "RRULE" => Rule::parse(&p.value).map(drop).map_err(|e| e.to_string()),
            "EXDATE" | "RDATE" => check_list(p),
            _ => Ok(()),
        };
        if let Err(reason) = result {
            return fail(reason);
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
