//! RRULE (RFC 5545 §3.3.10) parsing and expansion in wall-clock time.
//!
//! Expansion works period by period (year, month, week, day, hour...): each period's
//! candidate set is built from the BY* parts, sorted, cut by BYSETPOS, then bounded
//! by DTSTART, UNTIL and COUNT. Without COUNT the expansion starts at the period that
//! holds the query window instead of at DTSTART, so a window costs the same for an
//! event that began last week or ten years ago.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Freq {
    Secondly,
    Minutely,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// UNTIL as written: a date, a floating date-time or a UTC instant.
#[derive(Debug, Clone, PartialEq)]
pub enum Until {
    Date(NaiveDate),
    Local(NaiveDateTime),
    Utc(NaiveDateTime),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub freq: Freq,
    pub interval: u32,
    pub count: Option<u32>,
    pub until: Option<Until>,
    pub bysecond: Vec<u32>,
    pub byminute: Vec<u32>,
    pub byhour: Vec<u32>,
    /// (ordinal, weekday); ordinal 0 means every such weekday.
    pub byday: Vec<(i32, Weekday)>,
    pub bymonthday: Vec<i32>,
    pub byyearday: Vec<i32>,
    pub byweekno: Vec<i32>,
    pub bymonth: Vec<u32>,
    pub bysetpos: Vec<i32>,
    pub wkst: Weekday,
}

fn weekday(s: &str) -> Option<Weekday> {
    Some(match s {
        "MO" => Weekday::Mon,
        "TU" => Weekday::Tue,
        "WE" => Weekday::Wed,
        "TH" => Weekday::Thu,
        "FR" => Weekday::Fri,
        "SA" => Weekday::Sat,
        "SU" => Weekday::Sun,
        _ => return None,
    })
}

fn bad_value(part: &str, value: &str) -> RuleError {
    RuleError::BadValue {
        part: part.to_string(),
        value: value.to_string(),
    }
}

fn int_list<T: std::str::FromStr>(
    v: &str,
    key: &str,
    ok: impl Fn(&T) -> bool,
) -> Result<Vec<T>, RuleError> {
    v.split(',')
        .map(|x| {
            let x = x.trim();
            x.strip_prefix('+')
                .unwrap_or(x)
                .parse::<T>()
                .ok()
                .filter(&ok)
                .ok_or_else(|| bad_value(key, x))
        })
        .collect()
}

impl Rule {
    /// Parse an RRULE value. Unknown parts (X-...) are ignored; an RSCALE other
    /// than GREGORIAN is refused.
    pub fn parse(value: &str) -> Result<Rule, RuleError> {
        let mut r = Rule {
            freq: Freq::Daily,
            interval: 1,
            count: None,
            until: None,
            bysecond: vec![],
            byminute: vec![],
            byhour: vec![],
            byday: vec![],
            bymonthday: vec![],
            byyearday: vec![],
            byweekno: vec![],
            bymonth: vec![],
            bysetpos: vec![],
            wkst: Weekday::Mon,
        };
        let mut freq = None;
        for part in value.trim().split(';').filter(|p| !p.trim().is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| RuleError::NoEquals(part.to_string()))?;
            let k = upper(k.trim());
            let v = upper(v.trim());
            let (k, v) = (k.as_ref(), v.as_ref());
            match k {
                "FREQ" => {
                    freq = Some(match v {
                        "SECONDLY" => Freq::Secondly,
                        "MINUTELY" => Freq::Minutely,
                        "HOURLY" => Freq::Hourly,
                        "DAILY" => Freq::Daily,
                        "WEEKLY" => Freq::Weekly,
                        "MONTHLY" => Freq::Monthly,
                        "YEARLY" => Freq::Yearly,
                        _ => return Err(RuleError::UnknownFreq(v.to_string())),
                    })
                }
                "INTERVAL" => {
                    r.interval = v
                        .parse()
                        .ok()
                        .filter(|n| *n > 0)
                        .ok_or_else(|| bad_value("INTERVAL", v))?
                }
                "COUNT" => r.count = Some(v.parse().map_err(|_| bad_value("COUNT", v))?),
                "UNTIL" => r.until = Some(parse_until(v)?),
                "BYSECOND" => r.bysecond = int_list(v, k, |n: &u32| *n <= 60)?,
                "BYMINUTE" => r.byminute = int_list(v, k, |n: &u32| *n < 60)?,
                "BYHOUR" => r.byhour = int_list(v, k, |n: &u32| *n < 24)?,
                "BYMONTHDAY" => r.bymonthday = int_list(v, k, |n: &i32| *n != 0 && n.abs() <= 31)?,
                "BYYEARDAY" => r.byyearday = int_list(v, k, |n: &i32| *n != 0 && n.abs() <= 366)?,
                "BYWEEKNO" => r.byweekno = int_list(v, k, |n: &i32| *n != 0 && n.abs() <= 53)?,
                "BYMONTH" => r.bymonth = int_list(v, k, |n: &u32| (1..=12).contains(n))?,
                "BYSETPOS" => r.bysetpos = int_list(v, k, |n: &i32| *n != 0 && n.abs() <= 366)?,
                "WKST" => r.wkst = weekday(v).ok_or_else(|| bad_value("WKST", v))?,
                "BYDAY" => {
                    for d in v.split(',').map(str::trim) {
                        // split_at_checked: a multi-byte character is no weekday.
                        let split = d.len().saturating_sub(2);
                        let (n, wd) = d
                            .split_at_checked(split)
                            .ok_or_else(|| bad_value("BYDAY", d))?;
                        let wd = weekday(wd).ok_or_else(|| bad_value("BYDAY", d))?;
                        let n = if n.is_empty() {
                            0
                        } else {
                            n.strip_prefix('+')
                                .unwrap_or(n)
                                .parse::<i32>()
                                .ok()
                                .filter(|n| n.abs() <= 53)
                                .ok_or_else(|| bad_value("BYDAY", d))?
                        };
                        r.byday.push((n, wd));
                    }
                }
                "RSCALE" if v != "GREGORIAN" => return Err(RuleError::Rscale(v.to_string())),
                _ => {}
            }
        }
        r.freq = freq.ok_or(RuleError::NoFreq)?;
        Ok(r)
    }

    /// Fill the implied BY* parts from DTSTART (RFC 5545 and dateutil behaviour).
    pub(crate) fn with_defaults(&self, dtstart: NaiveDateTime) -> Rule {
        self.clone().into_defaults(dtstart)
    }

    /// The rule with the parts DTSTART implies made explicit (RFC 5545: a
    /// monthly rule without a day repeats DTSTART's day of the month, ...).
    pub(crate) fn into_defaults(self, dtstart: NaiveDateTime) -> Rule {
        let mut r = self;
        let no_day_parts = r.byweekno.is_empty()
            && r.byyearday.is_empty()
            && r.bymonthday.is_empty()
            && r.byday.is_empty();
        if no_day_parts {
            match r.freq {
                Freq::Yearly => {
                    if r.bymonth.is_empty() {
                        r.bymonth = vec![dtstart.month()];
                    }
                    r.bymonthday = vec![dtstart.day() as i32];
                }
                Freq::Monthly => r.bymonthday = vec![dtstart.day() as i32],
                Freq::Weekly => r.byday = vec![(0, dtstart.weekday())],
                _ => {}
            }
        }
        if r.byhour.is_empty() && r.freq > Freq::Hourly {
            r.byhour = vec![dtstart.hour()];
        }
        if r.byminute.is_empty() && r.freq > Freq::Minutely {
            r.byminute = vec![dtstart.minute()];
        }
        if r.bysecond.is_empty() && r.freq > Freq::Secondly {
            r.bysecond = vec![dtstart.second()];
        }
        for v in [&mut r.byhour, &mut r.byminute, &mut r.bysecond] {
            v.sort_unstable();
            v.dedup();
        }
        r
    }

    /// Start times in `[lo, hi]` (wall clock), in order. `until` must already be in
    /// DTSTART's wall clock. DTSTART itself is not added unless the rule yields it.
    /// Collects [`Rule::instances`]: for bounded windows only.
    pub fn between(
        &self,
        dtstart: NaiveDateTime,
        until: Option<NaiveDateTime>,
        lo: NaiveDateTime,
        hi: NaiveDateTime,
    ) -> Vec<NaiveDateTime> {
        self.instances(dtstart, until, lo, hi).collect()
    }

    /// How many whole periods lie between DTSTART's period and `t`'s.
    fn period_index(&self, dtstart: NaiveDateTime, t: NaiveDateTime) -> i64 {
        let d0 = dtstart.date();
        let d1 = t.date();
        match self.freq {
            Freq::Yearly => i64::from(d1.year() - d0.year()),
            Freq::Monthly => {
                i64::from(d1.year() - d0.year()) * 12 + i64::from(d1.month0())
                    - i64::from(d0.month0())
            }
            Freq::Weekly => (week_start(d1, self.wkst) - week_start(d0, self.wkst)).num_days() / 7,
            Freq::Daily => (d1 - d0).num_days(),
            Freq::Hourly => (trunc(t, 3600) - trunc(dtstart, 3600)).num_hours(),
            Freq::Minutely => (trunc(t, 60) - trunc(dtstart, 60)).num_minutes(),
            Freq::Secondly => (t - dtstart).num_seconds(),
        }
    }

    /// The first instant of period `k` (counted from DTSTART's period).
    fn period_start(&self, dtstart: NaiveDateTime, k: i64) -> Option<NaiveDateTime> {
        let d0 = dtstart.date();
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN);
        Some(match self.freq {
            Freq::Yearly => midnight(NaiveDate::from_ymd_opt(
                i32::try_from(i64::from(d0.year()) + k).ok()?,
                1,
                1,
            )?),
            Freq::Monthly => {
                let m = i64::from(d0.year()) * 12 + i64::from(d0.month0()) + k;
                midnight(NaiveDate::from_ymd_opt(
                    i32::try_from(m.div_euclid(12)).ok()?,
                    u32::try_from(m.rem_euclid(12)).ok()? + 1,
                    1,
                )?)
            }
            Freq::Weekly => {
                midnight(week_start(d0, self.wkst).checked_add_signed(Duration::try_days(k * 7)?)?)
            }
            Freq::Daily => midnight(d0.checked_add_signed(Duration::try_days(k)?)?),
            Freq::Hourly => trunc(dtstart, 3600).checked_add_signed(Duration::try_hours(k)?)?,
            Freq::Minutely => trunc(dtstart, 60).checked_add_signed(Duration::try_minutes(k)?)?,
            Freq::Secondly => dtstart.checked_add_signed(Duration::try_seconds(k)?)?,
        })
    }

    /// The sorted candidates of the period starting at `first`.
    fn candidates(&self, first: NaiveDateTime, out: &mut Vec<NaiveDateTime>) {
        let d = first.date();
        match self.freq {
            Freq::Yearly => {
                let months: Vec<u32> = if self.bymonth.is_empty() {
                    (1..=12).collect()
                } else {
                    let mut m = self.bymonth.clone();
                    m.sort_unstable();
                    m.dedup();
                    m
                };
                for m in months {
                    let Some(start) = NaiveDate::from_ymd_opt(d.year(), m, 1) else {
                        continue;
                    };
                    self.month_candidates(start, out);
                }
            }
            Freq::Monthly => {
                if !self.bymonth.is_empty() && !self.bymonth.contains(&d.month()) {
                    return;
                }
                self.month_candidates(d, out);
            }
            Freq::Weekly => {
                for day in d.iter_days().take(7) {
                    if self.day_matches(day) {
                        self.push_times(day, out);
                    }
                }
            }
            Freq::Daily => {
                if self.day_matches(d) {
                    self.push_times(d, out);
                }
            }
            Freq::Hourly | Freq::Minutely | Freq::Secondly => {
                if !self.day_matches(d) || !limit(&self.byhour, first.hour()) {
                    return;
                }
                if self.freq == Freq::Hourly {
                    for &m in &self.byminute {
                        for &s in &self.bysecond {
                            push_hms(d, first.hour(), m, s, out);
                        }
                    }
                    return;
                }
                if !limit(&self.byminute, first.minute()) {
                    return;
                }
                if self.freq == Freq::Minutely {
                    for &s in &self.bysecond {
                        push_hms(d, first.hour(), first.minute(), s, out);
                    }
                } else if limit(&self.bysecond, first.second()) {
                    out.push(first);
                }
            }
        }
    }

    /// Candidates within one month (`first` is its first day).
    fn month_candidates(&self, first: NaiveDate, out: &mut Vec<NaiveDateTime>) {
        if self.byday.is_empty()
            && self.byyearday.is_empty()
            && self.byweekno.is_empty()
            && !self.bymonthday.is_empty()
        {
            // Only month days: pick them directly instead of testing every day.
            let len = days_in_month(first) as i32;
            let mut days: Vec<u32> = self
                .bymonthday
                .iter()
                .map(|&m| if m > 0 { m } else { len + m + 1 })
                .filter(|&m| (1..=len).contains(&m))
                .map(|m| m as u32)
                .collect();
            days.sort_unstable();
            days.dedup();
            for day in days {
                if let Some(day) = first.with_day(day) {
                    self.push_times(day, out);
                }
            }
            return;
        }
        if self.byyearday.is_empty() && self.byweekno.is_empty() && self.byday_in_month() {
            self.month_weekdays(first, out);
            return;
        }
        self.month_days_tested(first, out);
    }

    fn push_times(&self, day: NaiveDate, out: &mut Vec<NaiveDateTime>) {
        for &h in &self.byhour {
            for &m in &self.byminute {
                for &s in &self.bysecond {
                    push_hms(day, h, m, s, out);
                }
            }
        }
    }

    /// Whether a day passes the day-level BY* parts for this frequency.
    fn day_matches(&self, d: NaiveDate) -> bool {
        if !self.bymonth.is_empty() && !self.bymonth.contains(&d.month()) {
            return false;
        }
        if !self.byweekno.is_empty()
            && self.freq == Freq::Yearly
            && !week_matches(d, self.wkst, &self.byweekno)
        {
            return false;
        }
        if !self.byyearday.is_empty() {
            let n = d.ordinal() as i32;
            let len = days_in_year(d.year());
            if !self.byyearday.iter().any(|&y| y == n || y == n - len - 1) {
                return false;
            }
        }
        if !self.bymonthday.is_empty() {
            let n = d.day() as i32;
            let len = days_in_month(d) as i32;
            if !self.bymonthday.iter().any(|&m| m == n || m == n - len - 1) {
                return false;
            }
        }
        if !self.byday.is_empty() {
            let in_month = self.freq == Freq::Monthly
                || (self.freq == Freq::Yearly && !self.bymonth.is_empty());
            let ordinals_apply =
                matches!(self.freq, Freq::Monthly | Freq::Yearly) && self.byweekno.is_empty();
            let ok = self.byday.iter().any(|&(n, wd)| {
                if wd != d.weekday() {
                    return false;
                }
                if n == 0 || !ordinals_apply {
                    return true;
                }
                let (pos, len) = if in_month {
                    (d.day() as i32, days_in_month(d) as i32)
                } else {
                    (d.ordinal() as i32, days_in_year(d.year()))
                };
                if n > 0 {
                    (pos - 1) / 7 + 1 == n
                } else {
                    (len - pos) / 7 + 1 == -n
                }
            });
            if !ok {
                return false;
            }
        }
        true
    }
}

/// Upper-case only when needed: rules almost always arrive in upper case already.
fn upper(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_lowercase()) {
        std::borrow::Cow::Owned(s.to_ascii_uppercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

fn limit(set: &[u32], v: u32) -> bool {
    set.is_empty() || set.contains(&v)
}

fn push_hms(d: NaiveDate, h: u32, m: u32, s: u32, out: &mut Vec<NaiveDateTime>) {
    // A leap second (60) is taken as 59, as other implementations do.
    if out.len() >= instances::MAX_PERIOD_CANDIDATES {
        return;
    }
    if let Some(t) = NaiveTime::from_hms_opt(h, m, s.min(59)) {
        out.push(d.and_time(t));
    }
}

/// An UNTIL value as [`Rule::parse`] reads it.
pub(crate) fn parse_until(v: &str) -> Result<Until, RuleError> {
    let v = v.trim();
    if v.len() == 8 && !v.contains('T') {
        return NaiveDate::parse_from_str(v, "%Y%m%d")
            .map(Until::Date)
            .map_err(|_| bad_value("UNTIL", v));
    }
    let (body, utc) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    let n =
        NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S").map_err(|_| bad_value("UNTIL", v))?;
    Ok(if utc { Until::Utc(n) } else { Until::Local(n) })
}

fn trunc(t: NaiveDateTime, unit: i64) -> NaiveDateTime {
    let secs = i64::from(t.num_seconds_from_midnight());
    t - Duration::seconds(secs % unit)
}

fn week_start(d: NaiveDate, wkst: Weekday) -> NaiveDate {
    let back = (7 + d.weekday().num_days_from_monday() - wkst.num_days_from_monday()) % 7;
    d - Duration::days(i64::from(back))
}

fn days_in_year(y: i32) -> i32 {
    if NaiveDate::from_ymd_opt(y, 2, 29).is_some() {
        366
    } else {
        365
    }
}

fn days_in_month(d: NaiveDate) -> u32 {
    let (y, m) = if d.month() == 12 {
        (d.year() + 1, 1)
    } else {
        (d.year(), d.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
        .map(|n| n.pred_opt().map_or(31, |p| p.day()))
        .unwrap_or(31)
}

/// The first day of week 1 of `y`: the week (starting on `wkst`) with at least four
/// days in `y`.
fn week1_start(y: i32, wkst: Weekday) -> NaiveDate {
    let jan1 = NaiveDate::from_ymd_opt(y, 1, 1).unwrap_or(NaiveDate::MIN);
    let start = week_start(jan1, wkst);
    if (jan1 - start).num_days() <= 3 {
        start
    } else {
        start + Duration::days(7)
    }
}

fn weeks_in_year(y: i32, wkst: Weekday) -> i32 {
    ((week1_start(y + 1, wkst) - week1_start(y, wkst)).num_days() / 7) as i32
}

/// BYWEEKNO: does `d` lie in one of the listed weeks (of its own week-numbering year)?
fn week_matches(d: NaiveDate, wkst: Weekday, weeks: &[i32]) -> bool {
    let mut y = d.year();
    if d < week1_start(y, wkst) {
        y -= 1;
    } else if d >= week1_start(y + 1, wkst) {
        y += 1;
    }
    let n = ((d - week1_start(y, wkst)).num_days() / 7) as i32 + 1;
    let total = weeks_in_year(y, wkst);
    weeks.iter().any(|&w| w == n || w == n - total - 1)
}

/// BYSETPOS: pick 1-based (negative: from the end) positions of a sorted set.
fn select_positions(cands: &[NaiveDateTime], pos: &[i32]) -> Vec<NaiveDateTime> {
    let len = cands.len() as i32;
    let mut out: Vec<NaiveDateTime> = pos
        .iter()
        .filter_map(|&p| {
            let i = if p > 0 { p - 1 } else { len + p };
            (0..len).contains(&i).then(|| cands[i as usize])
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

mod error;
pub mod instances;
mod month;
mod parsed;
mod user;
pub use error::RuleError;
pub use parsed::ParsedRules;
pub use user::{SHORTCUTS, user_rule};

#[cfg(test)]
mod tests;
