//! An upper bound for the last instance of a COUNT-limited RRULE, computed without
//! expanding it, so that window queries can skip series that ended long ago.
//!
//! The bound holds only for rules in which every period (day, week, month...) is
//! sure to contain an instance; for any other rule there is no bound (`None`) and
//! the series stays a candidate for every later window, which is always correct.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};

/// `rule` is the RRULE value, `start` DTSTART as an instant and `start_day` its wall
/// date. Returns an instant no instance of the rule starts after.
pub fn count_end(rule: &str, start: DateTime<Utc>, start_day: NaiveDate) -> Option<DateTime<Utc>> {
    let mut freq = None;
    let mut interval: u32 = 1;
    let mut count: Option<u32> = None;
    let mut byday: Vec<&str> = Vec::new();
    let mut bymonthday: Vec<i32> = Vec::new();
    for part in rule.split(';').filter(|p| !p.is_empty()) {
        let (k, v) = part.split_once('=')?;
        match k.trim().to_ascii_uppercase().as_str() {
            "FREQ" => freq = Some(v.trim().to_ascii_uppercase()),
            "INTERVAL" => interval = v.trim().parse().ok().filter(|i| *i > 0)?,
            "COUNT" => count = Some(v.trim().parse().ok()?),
            "WKST" => {}
            "BYDAY" => byday = v.split(',').map(str::trim).collect(),
            "BYMONTHDAY" => {
                bymonthday = v
                    .split(',')
                    .map(|d| d.trim().parse().ok())
                    .collect::<Option<_>>()?
            }
            // Any other part can leave periods empty (BYMONTH, BYSETPOS, BYYEARDAY,
            // BYWEEKNO, BYHOUR...): no bound.
            _ => return None,
        }
    }
    let count = count?;
    // Periods that surely hold an instance after the first: COUNT × INTERVAL of them,
    // plus one for the period of DTSTART itself.
    let periods = (u64::from(count) + 1).checked_mul(u64::from(interval))?;
    let plain_days = byday.iter().all(|d| weekday_ordinal(d) == Some(0));
    let end = match freq?.as_str() {
        f @ ("SECONDLY" | "MINUTELY" | "HOURLY") if byday.is_empty() && bymonthday.is_empty() => {
            let unit = match f {
                "SECONDLY" => 1,
                "MINUTELY" => 60,
                _ => 3600,
            };
            start.checked_add_signed(Duration::seconds(i64::try_from(periods).ok()? * unit))?
        }
        "DAILY" if bymonthday.is_empty() && plain_days => {
            // A weekday filter lets through at least one day in 7 × INTERVAL.
            let step = if byday.is_empty() { 1 } else { 7 };
            start.checked_add_signed(Duration::days(i64::try_from(periods).ok()? * step))?
        }
        "WEEKLY" if bymonthday.is_empty() && plain_days => {
            start.checked_add_signed(Duration::weeks(i64::try_from(periods).ok()?))?
        }
        "MONTHLY" => {
            // Every month has each weekday 4 times and days 1–28 (and −1..−28).
            let days_ok = bymonthday.iter().all(|d| (1..=28).contains(&d.abs()));
            let weekdays_ok = byday
                .iter()
                .all(|d| weekday_ordinal(d).is_some_and(|n| n.abs() <= 4));
            let plain_ok = !byday.is_empty() || !bymonthday.is_empty() || start_day.day() <= 28;
            // Both together intersect (Friday the 13th): a month may hold none.
            let one_kind = byday.is_empty() || bymonthday.is_empty();
            if !(days_ok && weekdays_ok && plain_ok && one_kind) {
                return None;
            }
            start.checked_add_months(Months::new(u32::try_from(periods).ok()?))?
        }
        "YEARLY" if byday.is_empty() && bymonthday.is_empty() => {
            // Without BY parts: DTSTART's day every year, unless it is 29 February.
            if start_day.month() == 2 && start_day.day() == 29 {
                return None;
            }
            start.checked_add_months(Months::new(u32::try_from(periods.checked_mul(12)?).ok()?))?
        }
        _ => return None,
    };
    // A day more for DST shifts between the wall clock and UTC.
    end.checked_add_signed(Duration::days(1))
}

/// `MO` → 0, `1MO` → 1, `-2FR` → −2; `None` when malformed.
fn weekday_ordinal(d: &str) -> Option<i32> {
    let day = d.get(d.len().checked_sub(2)?..)?;
    if !matches!(
        day.to_ascii_uppercase().as_str(),
        "MO" | "TU" | "WE" | "TH" | "FR" | "SA" | "SU"
    ) {
        return None;
    }
    let n = d[..d.len() - 2].trim_start_matches('+');
    if n.is_empty() {
        Some(0)
    } else {
        n.parse().ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32) -> (DateTime<Utc>, NaiveDate) {
        (
            Utc.with_ymd_and_hms(y, m, d, 9, 0, 0).unwrap(),
            NaiveDate::from_ymd_opt(y, m, d).unwrap(),
        )
    }

    #[test]
    fn bounds_rules_whose_periods_always_hold_an_instance() {
        let (s, day) = at(2026, 1, 5);
        let end = |rule: &str| count_end(rule, s, day).map(|t| t.date_naive());
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(end("FREQ=DAILY;COUNT=10"), date(2026, 1, 17));
        assert_eq!(end("FREQ=WEEKLY;COUNT=3;BYDAY=MO,TU"), date(2026, 2, 3));
        assert_eq!(
            end("FREQ=MONTHLY;INTERVAL=2;COUNT=2;BYDAY=-1FR"),
            date(2026, 7, 6)
        );
        assert_eq!(end("FREQ=YEARLY;COUNT=2"), date(2029, 1, 6));
        assert_eq!(end("FREQ=HOURLY;COUNT=5"), date(2026, 1, 6));
    }

    #[test]
    fn no_bound_when_periods_can_be_empty() {
        let (s, day) = at(2026, 1, 31);
        for rule in [
            "FREQ=MONTHLY;COUNT=3",
            "FREQ=MONTHLY;COUNT=3;BYMONTHDAY=31",
            "FREQ=MONTHLY;COUNT=3;BYDAY=5FR",
            "FREQ=DAILY;COUNT=3;BYMONTH=2",
            "FREQ=YEARLY;COUNT=3;BYWEEKNO=53",
            "FREQ=MONTHLY;COUNT=3;BYDAY=MO;BYSETPOS=-1",
            "FREQ=MONTHLY;COUNT=3;BYDAY=FR;BYMONTHDAY=13",
            "FREQ=DAILY;BYDAY=1MO;COUNT=3",
            "FREQ=WEEKLY;BYDAY=MO",
            "FREQ=DAILY;COUNT=x",
        ] {
            assert_eq!(count_end(rule, s, day), None, "{rule}");
        }
        let (s, day) = at(2024, 2, 29);
        assert_eq!(count_end("FREQ=YEARLY;COUNT=3", s, day), None);
    }
}
