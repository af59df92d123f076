//! A rule that follows its series' move: when "this and following" (or the whole
//! series) moves to another day, the weekdays, month days, months and year days
//! the RRULE names move with it, as Thunderbird and Google rewrite them, so the
//! moved start is the new series' first occurrence and the later ones keep the
//! pattern (a Monday/Wednesday standup moved from Wednesday to Thursday becomes
//! Tuesday/Thursday).
//!
//! - Plain weekdays (`BYDAY=MO,WE`) shift by the day offset. A weekly rule with an
//!   INTERVAL and several days also shifts WKST, so weeks are cut where they were.
//! - One value of a part (`BYMONTHDAY=15`, `BYDAY=2TU`, `BYMONTH=3`, `BYYEARDAY=40`,
//!   `BYHOUR=9`...) becomes the new start's (its sign kept: `-1` stays "last").
//! - Several values shift by the offset in their unit when every one stays valid.
//! - UNTIL moves by the same amount, so the series keeps as many occurrences.
//! - BYSETPOS picking one weekday (`BYDAY=TU;BYSETPOS=2`) becomes the new start's
//!   position; otherwise BYSETPOS and BYWEEKNO are kept. When the result would not have the new start
//!   as an occurrence (a shape no shift can keep), the new series repeats at the
//!   same FREQ and INTERVAL from the new start alone.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Timelike, Weekday};

use super::rule::Rule;

const DAYS: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

fn day_name(d: Weekday) -> &'static str {
    DAYS[d.num_days_from_monday() as usize]
}

/// `d` moved `by` days on (0..7).
fn later_day(d: Weekday, by: i32) -> Weekday {
    (0..by).fold(d, |d, _| d.succ())
}

fn days_in_month(d: NaiveDate) -> i32 {
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).expect("a month's first day");
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("a next month");
    (next - first).num_days() as i32
}

fn days_in_year(d: NaiveDate) -> i32 {
    if NaiveDate::from_ymd_opt(d.year(), 2, 29).is_some() {
        366
    } else {
        365
    }
}

/// `n` counted from the end (`-1` the last) when `negative`, else from the start.
fn signed(n: i32, len: i32, negative: bool) -> i32 {
    if negative { n - len - 1 } else { n }
}

/// Which of its weekday in its month (or year) `t` is: 2 for the second Tuesday,
/// or counted from the end (-1 the last) when `negative`.
fn nth_weekday(t: NaiveDateTime, in_year: bool, negative: bool) -> i32 {
    let (n, len) = if in_year {
        (t.ordinal() as i32, days_in_year(t.date()))
    } else {
        (t.day() as i32, days_in_month(t.date()))
    };
    if negative {
        -((len - n) / 7 + 1)
    } else {
        (n - 1) / 7 + 1
    }
}

/// A part's integer values shifted by `by`, each staying in `range` (and off 0).
fn shift_ints(values: &[&str], by: i32, range: std::ops::RangeInclusive<i32>) -> Option<String> {
    let mut out = Vec::new();
    for v in values {
        let n: i32 = v.trim().trim_start_matches('+').parse().ok()?;
        let m = n + by;
        if m == 0 || !range.contains(&m) || (n > 0) != (m > 0) {
            return None;
        }
        out.push(m.to_string());
    }
    Some(out.join(","))
}

/// A part's values shifted round a cycle of `len` (hours, minutes, months).
fn shift_cycle(values: &[&str], by: i32, len: i32, first: i32) -> Option<String> {
    let out: Option<Vec<String>> = values
        .iter()
        .map(|v| {
            let n: i32 = v.trim().trim_start_matches('+').parse().ok()?;
            Some(((n - first + by).rem_euclid(len) + first).to_string())
        })
        .collect();
    Some(out?.join(","))
}

/// UNTIL moved by `by` (a date by its whole days).
fn shift_until(v: &str, by: Duration, days: i64) -> Option<String> {
    if let Ok(d) = NaiveDate::parse_from_str(v, "%Y%m%d") {
        return Some((d + Duration::days(days)).format("%Y%m%d").to_string());
    }
    let (text, utc) = match v.strip_suffix('Z') {
        Some(t) => (t, true),
        None => (v, false),
    };
    let t = NaiveDateTime::parse_from_str(text, "%Y%m%dT%H%M%S").ok()?;
    let z = if utc { "Z" } else { "" };
    Some(format!("{}{z}", (t + by).format("%Y%m%dT%H%M%S")))
}

/// `rule` (an RRULE value) for a series whose start moved from `from` to `to`
/// (wall clock, in the series' zone). Unreadable rules come back as they were.
pub fn follow_move(rule: &str, from: NaiveDateTime, to: NaiveDateTime) -> String {
    if from == to {
        return rule.to_string();
    }
    let Ok(parsed) = Rule::parse(rule) else {
        return rule.to_string();
    };
    let days = (to.date() - from.date()).num_days();
    let by = days.rem_euclid(7) as i32;
    let day_shift = i32::try_from(days).unwrap_or(i32::MAX / 2);
    let in_year = parsed.bymonth.is_empty() && parsed.freq == super::rule::Freq::Yearly;
    let mut wkst_shift = false;
    let one_plain_day = matches!(parsed.byday.as_slice(), [(0, _)]);
    let periodic = matches!(
        parsed.freq,
        super::rule::Freq::Monthly | super::rule::Freq::Yearly
    );
    let mut parts: Vec<(String, String)> = Vec::new();
    for part in rule.split(';').filter(|p| !p.trim().is_empty()) {
        let Some((k, v)) = part.split_once('=') else {
            return rule.to_string();
        };
        let key = k.trim().to_ascii_uppercase();
        let values: Vec<&str> = v.split(',').map(str::trim).collect();
        let single = values.len() == 1;
        let negative = v.trim().starts_with('-');
        let new = match key.as_str() {
            "BYDAY" => {
                let ordinals = parsed.byday.iter().any(|(n, _)| *n != 0);
                if ordinals && single {
                    let nth = nth_weekday(to, in_year, negative);
                    Some(format!("{nth}{}", day_name(to.weekday())))
                } else {
                    wkst_shift = values.len() > 1;
                    let mut out: Vec<String> = Vec::new();
                    for (n, d) in &parsed.byday {
                        let moved = day_name(later_day(*d, by));
                        let text = if *n == 0 {
                            moved.to_string()
                        } else {
                            format!("{n}{moved}")
                        };
                        if !out.contains(&text) {
                            out.push(text);
                        }
                    }
                    Some(out.join(","))
                }
            }
            "BYMONTHDAY" if single => {
                Some(signed(to.day() as i32, days_in_month(to.date()), negative).to_string())
            }
            "BYMONTHDAY" => shift_ints(&values, day_shift, -31..=31),
            "BYYEARDAY" if single => {
                Some(signed(to.ordinal() as i32, days_in_year(to.date()), negative).to_string())
            }
            "BYYEARDAY" => shift_ints(&values, day_shift, -366..=366),
            "BYMONTH" if single => Some(to.month().to_string()),
            "BYMONTH" => {
                let months = to.month() as i32 - from.month() as i32;
                shift_cycle(&values, months, 12, 1)
            }
            "BYHOUR" if single => Some(to.hour().to_string()),
            "BYHOUR" => shift_cycle(&values, to.hour() as i32 - from.hour() as i32, 24, 0),
            "BYMINUTE" if single => Some(to.minute().to_string()),
            "BYMINUTE" => shift_cycle(&values, to.minute() as i32 - from.minute() as i32, 60, 0),
            "BYSECOND" if single => Some(to.second().to_string()),
            "BYSECOND" => shift_cycle(&values, to.second() as i32 - from.second() as i32, 60, 0),
            // One weekday picked by position (`BYDAY=TU;BYSETPOS=2`, as Outlook
            // writes "the second Tuesday"): the new start's position.
            "BYSETPOS" if single && one_plain_day && periodic => {
                Some(nth_weekday(to, in_year, negative).to_string())
            }
            "UNTIL" => shift_until(v.trim(), to - from, days),
            _ => Some(v.to_string()),
        };
        match new {
            Some(n) => parts.push((k.to_string(), n)),
            None => return plain(&parts_of(rule, from, to)),
        }
    }
    let multi_week = parsed.freq == super::rule::Freq::Weekly && parsed.interval > 1;
    if wkst_shift && multi_week && by != 0 {
        let wkst = day_name(later_day(parsed.wkst, by)).to_string();
        match parts
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case("WKST"))
        {
            Some(p) => p.1 = wkst,
            None => parts.push(("WKST".to_string(), wkst)),
        }
    }
    let out = parts
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";");
    if starts_series(&out, to) {
        out
    } else {
        plain(&parts_of(rule, from, to))
    }
}

/// The rule's parts, UNTIL moved along.
fn parts_of(rule: &str, from: NaiveDateTime, to: NaiveDateTime) -> Vec<(String, String)> {
    let days = (to.date() - from.date()).num_days();
    rule.split(';')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| {
            let v = match k.trim().eq_ignore_ascii_case("UNTIL") {
                true => shift_until(v.trim(), to - from, days).unwrap_or_else(|| v.to_string()),
                false => v.to_string(),
            };
            (k.to_string(), v)
        })
        .collect()
}

/// Whether `rule` yields `start` as its first instance from `start`.
fn starts_series(rule: &str, start: NaiveDateTime) -> bool {
    Rule::parse(rule).is_ok_and(|r| r.instances(start, None, start, start).next() == Some(start))
}

/// The rule without the parts that pin days and times: it repeats at its
/// frequency from the new start alone.
fn plain(parts: &[(String, String)]) -> String {
    parts
        .iter()
        .filter(|(k, _)| !k.trim().to_ascii_uppercase().starts_with("BY"))
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests;
