//! Checks that the values pim computes with (dates, durations, rules) parse, so a
//! broken item is reported at import with its line instead of failing later.

use crate::formats::contentline::SyntaxError;
use crate::model::time::{TimeError, When, parse_ical_duration};
use crate::model::{Component, Property};
use crate::recur::rule::{Rule, RuleError};

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
    Rule(#[from] RuleError),
    #[error("PERIOD {0:?} has no '/'")]
    PeriodWithoutEnd(String),
}

/// Repair, in place, the values common producers get wrong; one note per repair.
/// `lines` follows `c.props` and is kept in step.
pub fn repair(c: &mut Component, lines: &mut Vec<usize>) -> Vec<SyntaxError> {
    let mut notes = Vec::new();
    let mut i = 0;
    while i < c.props.len() {
        let line = lines.get(i).copied().unwrap_or(0);
        let mut note = |reason: String| notes.push(SyntaxError { line, reason });
        let p = &mut c.props[i];
        match p.name.as_str() {
            "RRULE" if p.value.trim().is_empty() => {
                note("empty RRULE dropped".into());
                c.props.remove(i);
                if i < lines.len() {
                    lines.remove(i);
                }
                continue;
            }
            "RRULE" => {
                let parts: Vec<&str> = p.value.split(';').collect();
                let kept: Vec<&str> = parts
                    .iter()
                    .copied()
                    .filter(|part| !is_negative_count(part))
                    .collect();
                if kept.len() != parts.len() {
                    note("RRULE COUNT below 1 read as a rule without end".into());
                    p.value = kept.join(";");
                }
                if let Err(RuleError::Rscale(scale)) = Rule::parse(&p.value) {
                    note(format!(
                        "RRULE uses RSCALE={scale}, which pim does not expand: only DTSTART is listed (the rule is kept)"
                    ));
                }
            }
            "RDATE" | "EXDATE" if p.value.split(',').any(is_zulu_date) => {
                // Google birthday calendars: `RDATE:20131210Z`, a date with a UTC mark.
                note(format!("{} date with a 'Z' read as a date", p.name));
                p.value = p
                    .value
                    .split(',')
                    .map(|v| if is_zulu_date(v) { &v.trim()[..8] } else { v })
                    .collect::<Vec<_>>()
                    .join(",");
            }
            _ => {}
        }
        i += 1;
    }
    notes
}

fn is_negative_count(part: &str) -> bool {
    part.split_once('=').is_some_and(|(k, v)| {
        k.trim().eq_ignore_ascii_case("COUNT") && v.trim().parse::<i64>().is_ok_and(|n| n < 1)
    })
}

fn is_zulu_date(v: &str) -> bool {
    let v = v.trim();
    v.len() == 9 && v.ends_with(['Z', 'z']) && v[..8].bytes().all(|b| b.is_ascii_digit())
}

/// The first bad value of an item component. `lenient` lets pass what
/// [`repair`] noted but keeps (an RSCALE rule).
pub fn check(c: &Component, lines: &[usize], lenient: bool) -> Result<(), InvalidValue> {
    for (i, p) in c.props.iter().enumerate() {
        let result = match p.name.as_str() {
            n if DATE_PROPS.contains(&n) => {
                When::from_property(p).map(drop).map_err(ValueProblem::from)
            }
            "DURATION" => parse_ical_duration(&p.value)
                .map(drop)
                .map_err(ValueProblem::from),
            "RRULE" => match Rule::parse(&p.value) {
                Err(RuleError::Rscale(_)) if lenient => Ok(()),
                r => r.map(drop).map_err(ValueProblem::Rule),
            },
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
