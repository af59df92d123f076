//! Checks that the values pim computes with (dates, durations, rules) parse, so a
//! broken item is reported at import with its line instead of failing later.

use crate::model::time::{TimeError, When, parse_ical_duration};
use crate::model::{Component, Property};
use crate::recur::rule::Rule;

const DATE_PROPS: &[&str] = &["DTSTART", "DTEND", "DUE", "RECURRENCE-ID"];

/// A property whose value pim cannot compute with, and where it is.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{property}: {problem}")]
pub struct InvalidValue {
    /// Line of the property in the source file (0 when unknown).
    pub line: usize,
    pub property: String,
    pub problem: ValueProblem,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ValueProblem {
    #[error(transparent)]
    Time(#[from] TimeError),
    #[error(transparent)]
    Rule(#[from] crate::recur::rule::RuleError),
    #[error("PERIOD {0:?} has no '/'")]
    PeriodWithoutEnd(String),
}

/// The first bad value of an item component.
pub fn check(c: &Component, lines: &[usize]) -> Result<(), InvalidValue> {
    for (i, p) in c.props.iter().enumerate() {
        let result = match p.name.as_str() {
            n if DATE_PROPS.contains(&n) => {
                When::from_property(p).map(drop).map_err(ValueProblem::from)
            }
            "DURATION" => parse_ical_duration(&p.value)
                .map(drop)
                .map_err(ValueProblem::from),
            "RRULE" => Rule::parse(&p.value).map(drop).map_err(ValueProblem::Rule),
            "EXDATE" | "RDATE" => check_list(p),
            _ => Ok(()),
        };
        if let Err(problem) = result {
            return Err(InvalidValue {
                line: lines.get(i).copied().unwrap_or(0),
                property: p.name.clone(),
                problem,
            });
        }
    }
    Ok(())
}

fn check_list(p: &Property) -> Result<(), ValueProblem> {
    let period = p
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("PERIOD"));
    for v in p.value.split(',').map(str::trim).filter(|v| !v.is_empty()) {
        let (start, rest) = match v.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None if period => return Err(ValueProblem::PeriodWithoutEnd(v.to_string())),
            None => (v, None),
        };
        let mut q = p.clone();
        q.value = start.to_string();
        q.remove_param("VALUE");
        When::from_property(&q)?;
        if let Some(end) = rest {
            if end.starts_with(['P', '+', '-']) {
                parse_ical_duration(end)?;
            } else {
                q.value = end.to_string();
                When::from_property(&q)?;
            }
        }
    }
    Ok(())
}
