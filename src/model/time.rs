//! Date/time values as iCalendar carries them, and the `WHEN` syntax users type.

use crate::model::zonedb::Tz;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};

use super::property::Property;

/// A DATE or DATE-TIME value with its time-zone form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum When {
    /// `VALUE=DATE`: an all-day value.
    Date(NaiveDate),
    /// Local time without zone ("floating"): the same wall time everywhere.
    Floating(NaiveDateTime),
    /// `...Z`.
    Utc(DateTime<Utc>),
    /// Wall time in a named zone (`TZID=`); the id may be IANA, Windows or custom.
    Zoned(NaiveDateTime, String),
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid date/time {value:?}: {reason}")]
pub struct TimeError {
    pub value: String,
    pub reason: String,
}

/// The longest duration pim accepts: 10 000 years, more than any span between two dates
/// of years 1–9999, and far inside what chrono can add without overflowing.
pub const MAX_DURATION_DAYS: i64 = 3_652_500;

/// The largest duration pim accepts (see [`MAX_DURATION_DAYS`]).
pub fn max_duration() -> Duration {
    Duration::days(MAX_DURATION_DAYS)
}

/// The years a date may have: what iCalendar's four digits hold, minus year 0.
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

fn terr(value: &str, reason: &str) -> TimeError {
    TimeError {
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

impl When {
    pub fn is_date(&self) -> bool {
        matches!(self, When::Date(_))
    }

    /// Parse the value of a DTSTART-like property.
    pub fn from_property(p: &Property) -> Result<When, TimeError> {
        Self::from_value(&p.value, |name| p.param(name))
    }

    /// [`When::from_property`] for a value and the first value of its parameters
    /// by name (a property read in place, without a copy).
    pub fn from_value<'p>(
        value: &str,
        param: impl Fn(&str) -> Option<&'p str>,
    ) -> Result<When, TimeError> {
        let v = trimmed(value);
        let is_date = param("VALUE").is_some_and(|x| x.eq_ignore_ascii_case("DATE"))
            || (v.len() == 8 && !v.contains('T'));
        if is_date {
            return parse_ical_date(v).map(When::Date);
        }
        let (naive, utc) = parse_ical_datetime(v)?;
        if utc {
            return Ok(When::Utc(Utc.from_utc_datetime(&naive)));
        }
        match param("TZID") {
            Some(tzid) => Ok(When::Zoned(naive, tzid.to_string())),
            None => Ok(When::Floating(naive)),
        }
    }

    /// The property value string (and TZID / VALUE params) for this value.
    pub fn to_property(&self, name: &str) -> Property {
        match self {
            When::Date(d) => {
                Property::new(name, d.format("%Y%m%d").to_string()).with_param("VALUE", "DATE")
            }
            When::Floating(n) => Property::new(name, n.format("%Y%m%dT%H%M%S").to_string()),
            When::Utc(t) => Property::new(name, t.format("%Y%m%dT%H%M%SZ").to_string()),
            When::Zoned(n, tz) => {
                Property::new(name, n.format("%Y%m%dT%H%M%S").to_string()).with_param("TZID", tz)
            }
        }
    }

    /// The same kind of value moved by `d` (used to derive DTEND from DURATION);
    /// `None` when the result leaves the years 1–9999.
    pub fn checked_plus(&self, d: Duration) -> Option<When> {
        let w = match self {
            When::Date(x) => {
                When::Date(x.checked_add_signed(Duration::try_days(d.num_days().max(0))?)?)
            }
            When::Floating(n) => When::Floating(n.checked_add_signed(d)?),
            When::Utc(t) => When::Utc(t.checked_add_signed(d)?),
            When::Zoned(n, z) => When::Zoned(n.checked_add_signed(d)?, z.clone()),
        };
        YEARS.contains(&w.wall_year()).then_some(w)
    }

    /// [`When::checked_plus`] for stored data, which must never panic: a result past
    /// the years 1–9999 stays at the last (or first) representable moment.
    pub fn plus(&self, d: Duration) -> When {
        if let Some(w) = self.checked_plus(d) {
            return w;
        }
        let edge = if d < Duration::zero() {
            NaiveDate::from_ymd_opt(*YEARS.start(), 1, 1)
                .expect("valid date")
                .and_time(NaiveTime::MIN)
        } else {
            NaiveDate::from_ymd_opt(*YEARS.end(), 12, 31)
                .expect("valid date")
                .and_hms_opt(23, 59, 59)
                .expect("valid time")
        };
        match self {
            When::Date(_) => When::Date(edge.date()),
            When::Floating(_) => When::Floating(edge),
            When::Utc(_) => When::Utc(Utc.from_utc_datetime(&edge)),
            When::Zoned(_, z) => When::Zoned(edge, z.clone()),
        }
    }

    /// Whether iCalendar can hold this value as written: years 1–9999, seconds
    /// 00–59 (chrono's leap second `:60` is written as `T235960`, read by nothing).
    pub fn is_writable(&self) -> bool {
        let leap = match self {
            When::Date(_) => false,
            When::Floating(n) | When::Zoned(n, _) => n.nanosecond() >= 1_000_000_000,
            When::Utc(t) => t.nanosecond() >= 1_000_000_000,
        };
        !leap && YEARS.contains(&self.wall_year())
    }

    /// The year of the written value (wall time for local forms).
    fn wall_year(&self) -> i32 {
        match self {
            When::Date(d) => d.year(),
            When::Floating(n) | When::Zoned(n, _) => n.year(),
            When::Utc(t) => t.year(),
        }
    }
}

/// `s.trim()`; a value whose ends are visible ASCII (most) is not looked at.
pub fn trimmed(s: &str) -> &str {
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(a), Some(z)) if a.is_ascii_graphic() && z.is_ascii_graphic() => s,
        _ => s.trim(),
    }
}

/// The number made of `b`'s ASCII digits (`None` if any is not a digit).
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

/// `YYYYMMDD` by hand: this runs for every value of every listed event.
fn ymd(b: &[u8]) -> Option<NaiveDate> {
    if b.len() != 8 {
        return None;
    }
    let year = digits(&b[..4])? as i32;
    if year == 0 {
        return None; // years 1–9999 only
    }
    NaiveDate::from_ymd_opt(year, digits(&b[4..6])?, digits(&b[6..8])?)
}

pub fn parse_ical_date(v: &str) -> Result<NaiveDate, TimeError> {
    ymd(v.get(..8).unwrap_or(v).as_bytes()).ok_or_else(|| terr(v, "expected YYYYMMDD"))
}

/// `YYYYMMDDTHHMMSS[Z]` → (naive, is_utc).
pub fn parse_ical_datetime(v: &str) -> Result<(NaiveDateTime, bool), TimeError> {
    let (body, utc) = match v.strip_suffix(['Z', 'z']) {
        Some(b) => (b, true),
        None => (v, false),
    };
    let b = body.as_bytes();
    let time = |t: &[u8]| -> Option<NaiveTime> {
        let s = if t.len() == 6 { digits(&t[4..6])? } else { 0 };
        if t.len() != 6 && t.len() != 4 {
            return None;
        }
        NaiveTime::from_hms_opt(digits(&t[..2])?, digits(&t[2..4])?, s)
    };
    let n = (b.len() > 9 && (b[8] == b'T' || b[8] == b't'))
        .then(|| Some(ymd(&b[..8])?.and_time(time(&b[9..])?)))
        .flatten()
        .ok_or_else(|| terr(v, "expected YYYYMMDDTHHMMSS[Z]"))?;
    Ok((n, utc))
}

/// Parse an iCalendar DURATION (`P1DT2H`, `-PT15M`, `P2W`).
pub fn parse_ical_duration(v: &str) -> Result<Duration, TimeError> {
    let s = v.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let s = s
        .strip_prefix(['P', 'p'])
        .ok_or_else(|| terr(v, "duration must start with P"))?;
    let mut total = Duration::zero();
    let mut num = String::new();
    let mut in_time = false;
    let mut any = false;
    for c in s.chars() {
        match c.to_ascii_uppercase() {
            'T' => in_time = true,
            d if d.is_ascii_digit() => num.push(d),
            unit => {
                if num.is_empty() {
                    return Err(terr(v, "missing number"));
                }
                let part = match (unit, in_time) {
                    ('W', _) => duration_part(&num, 7 * 86400),
                    ('D', _) => duration_part(&num, 86400),
                    ('H', true) => duration_part(&num, 3600),
                    ('M', true) => duration_part(&num, 60),
                    ('S', true) => duration_part(&num, 1),
                    _ => return Err(terr(v, "unknown duration unit")),
                };
                num.clear();
                any = true;
                total = part
                    .and_then(|p| total.checked_add(&p))
                    .filter(|t| *t <= max_duration())
                    .ok_or_else(|| terr(v, TOO_LONG))?;
            }
        }
    }
    if !any || !num.is_empty() {
        return Err(terr(v, "incomplete duration"));
    }
    Ok(if neg { -total } else { total })
}

const TOO_LONG: &str = "longer than 10000 years";

/// `digits` × `unit_secs` seconds, or `None` past [`max_duration`] (no overflow, no panic).
fn duration_part(digits: &str, unit_secs: i64) -> Option<Duration> {
    let n: i64 = digits.parse().ok()?;
    let secs = n.checked_mul(unit_secs)?;
    (secs <= max_duration().num_seconds()).then(|| Duration::seconds(secs))
}

/// Format a duration the iCalendar way.
pub fn format_ical_duration(d: Duration) -> String {
    let mut secs = d.num_seconds();
    let neg = secs < 0;
    secs = secs.abs();
    let days = secs / 86400;
    let h = (secs % 86400) / 3600;
    let m = (secs % 3600) / 60;
    let s = secs % 60;
    let mut out = String::from(if neg { "-P" } else { "P" });
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h > 0 || m > 0 || s > 0 || days == 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 || (h == 0 && m == 0) {
            out.push_str(&format!("{s}S"));
        }
    }
    out
}

/// Parse a human duration for `--duration`: `1h30m`, `45m`, `2d`, `90` (minutes), or ISO `PT1H`.
pub fn parse_human_duration(v: &str) -> Result<Duration, TimeError> {
    let s = v.trim();
    if s.starts_with(['P', 'p', '-']) {
        return parse_ical_duration(s);
    }
    if s.bytes().all(|b| b.is_ascii_digit()) && !s.is_empty() {
        return duration_part(s, 60).ok_or_else(|| terr(v, TOO_LONG));
    }
    let mut total = Duration::zero();
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        if num.is_empty() {
            return Err(terr(v, "expected e.g. 1h30m"));
        }
        let part = match c {
            'w' => duration_part(&num, 7 * 86400),
            'd' => duration_part(&num, 86400),
            'h' => duration_part(&num, 3600),
            'm' => duration_part(&num, 60),
            's' => duration_part(&num, 1),
            _ => return Err(terr(v, "unknown unit (use w, d, h, m, s)")),
        };
        num.clear();
        total = part
            .and_then(|p| total.checked_add(&p))
            .filter(|t| *t <= max_duration())
            .ok_or_else(|| terr(v, TOO_LONG))?;
    }
    if !num.is_empty() || total.is_zero() {
        return Err(terr(v, "expected e.g. 1h30m"));
    }
    Ok(total)
}

/// What the user typed for a date/time option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserWhen {
    Date(NaiveDate),
    /// Wall-clock time in the user's zone.
    Local(NaiveDateTime),
    /// An exact instant (RFC 3339 with offset, or relative to now).
    Instant(DateTime<Utc>),
}

/// Parse `2026-12-01`, `2026-12-01 10:00`, RFC 3339, `today`, `tomorrow`, `+3d`, `+2h`.
pub fn parse_user_when(input: &str, now: DateTime<Utc>, tz: Tz) -> Result<UserWhen, TimeError> {
    let w = parse_user_when_any_second(input, now, tz)?;
    // chrono reads `:60` as a leap second, which iCalendar cannot store (the value
    // written, `T100060`, is read back by nothing: the record lost its time).
    let leap = match &w {
        UserWhen::Date(_) => false,
        UserWhen::Local(n) => n.nanosecond() >= 1_000_000_000,
        UserWhen::Instant(t) => t.nanosecond() >= 1_000_000_000,
    };
    if leap {
        return Err(terr(input, "the second must be 00-59"));
    }
    Ok(w)
}

fn parse_user_when_any_second(
    input: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<UserWhen, TimeError> {
    let s = input.trim();
    let today = now.with_timezone(&tz).date_naive();
    let day = |days: i64| {
        today
            .checked_add_signed(Duration::days(days))
            .filter(|d| YEARS.contains(&d.year()))
            .map(UserWhen::Date)
            .ok_or_else(|| terr(input, "beyond the years 1-9999"))
    };
    match s.to_ascii_lowercase().as_str() {
        "today" => return day(0),
        "tomorrow" => return day(1),
        "yesterday" => return day(-1),
        "now" => return Ok(UserWhen::Instant(now)),
        _ => {}
    }
    if let Some(rel) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) {
        let sign = if s.starts_with('-') { -1 } else { 1 };
        let d = parse_human_duration(rel).map_err(|_| terr(input, "expected e.g. +3d or +2h"))?;
        let d = if sign < 0 { -d } else { d };
        // Whole days stay dates, so `+3d` is a day, not "72 hours from this second".
        let out_of_range = || terr(input, "beyond the years 1-9999");
        if d.num_seconds() % 86400 == 0 {
            let day = today
                .checked_add_signed(d)
                .filter(|t| YEARS.contains(&t.year()))
                .ok_or_else(out_of_range)?;
            return Ok(UserWhen::Date(day));
        }
        let t = now
            .checked_add_signed(d)
            .filter(|t| YEARS.contains(&t.year()))
            .ok_or_else(out_of_range)?;
        return Ok(UserWhen::Instant(t));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        if !YEARS.contains(&d.year()) {
            return Err(terr(input, "beyond the years 1-9999"));
        }
        return Ok(UserWhen::Date(d));
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        if !YEARS.contains(&t.year()) {
            return Err(terr(input, "beyond the years 1-9999"));
        }
        return Ok(UserWhen::Instant(t.with_timezone(&Utc)));
    }
    for fmt in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(s, fmt) {
            if !YEARS.contains(&n.year()) {
                return Err(terr(input, "beyond the years 1-9999"));
            }
            return Ok(UserWhen::Local(n));
        }
    }
    Err(terr(
        input,
        "expected YYYY-MM-DD, 'YYYY-MM-DD HH:MM', RFC 3339, today, tomorrow, +3d or +2h",
    ))
}

impl UserWhen {
    /// As an instant, dates taken at local midnight.
    pub fn instant(&self, tz: Tz) -> DateTime<Utc> {
        match self {
            UserWhen::Date(d) => local_to_utc(d.and_time(NaiveTime::MIN), tz),
            UserWhen::Local(n) => local_to_utc(*n, tz),
            UserWhen::Instant(t) => *t,
        }
    }
}

/// Wall time in `tz` to an instant; in a DST gap the later mapping, in an overlap the earlier.
pub fn local_to_utc(n: NaiveDateTime, tz: Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&n) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => {
            let shifted = n + Duration::hours(1);
            tz.from_local_datetime(&shifted)
                .earliest()
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|| Utc.from_utc_datetime(&n))
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn trimmed_is_trim() {
        for s in [
            "",
            " ",
            "x",
            " x",
            "x ",
            "20260101",
            "\t20260101\r\n",
            "\u{a0}x",
            "x\u{2003}",
            "é",
            "a b",
            "~",
            "\u{1f}x",
        ] {
            assert_eq!(trimmed(s), s.trim(), "{s:?}");
        }
    }
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, 18, 0, 0).unwrap()
    }

    #[test]
    fn parses_user_forms() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let d = |s| parse_user_when(s, now(), tz).unwrap();
        assert_eq!(
            d("2026-12-01"),
            UserWhen::Date(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        );
        assert_eq!(
            d("tomorrow"),
            UserWhen::Date(NaiveDate::from_ymd_opt(2026, 11, 26).unwrap())
        );
        assert_eq!(
            d("+3d"),
            UserWhen::Date(NaiveDate::from_ymd_opt(2026, 11, 28).unwrap())
        );
        assert_eq!(d("+2h"), UserWhen::Instant(now() + Duration::hours(2)));
        assert!(matches!(d("2026-12-01 10:00"), UserWhen::Local(_)));
        assert_eq!(
            d("2026-12-01T10:00:00+01:00"),
            UserWhen::Instant(Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap())
        );
        assert!(parse_user_when("32/13/2026", now(), tz).is_err());
        assert!(parse_user_when("+3x", now(), tz).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(parse_ical_duration("P1DT2H").unwrap(), Duration::hours(26));
        assert_eq!(
            parse_ical_duration("-PT15M").unwrap(),
            Duration::minutes(-15)
        );
        assert_eq!(parse_ical_duration("P2W").unwrap(), Duration::weeks(2));
        assert!(parse_ical_duration("P").is_err());
        assert_eq!(
            parse_human_duration("1h30m").unwrap(),
            Duration::minutes(90)
        );
        assert_eq!(format_ical_duration(Duration::minutes(90)), "PT1H30M");
        assert_eq!(format_ical_duration(Duration::days(1)), "P1D");
    }

    #[test]
    fn huge_durations_are_errors_not_panics() {
        for v in [
            "P999999999W",
            "P99999999D",
            "P106751991167300DT0S",
            "PT9223372036854775807S",
            "PT99999999999999999999S",
            "P5000000D",
            "P3000000DT3000000D",
        ] {
            let e = parse_ical_duration(v).unwrap_err();
            assert!(e.to_string().contains("10000 years"), "{v}: {e}");
        }
        for v in ["999999999w", "99999999999999999999", "3000000d3000000d"] {
            assert!(parse_human_duration(v).is_err(), "{v}");
        }
        assert_eq!(
            parse_ical_duration("P3652500D").unwrap(),
            Duration::days(MAX_DURATION_DAYS)
        );
        assert!(parse_user_when("+3000000d", now(), crate::model::zonedb::UTC).is_err());
        assert!(parse_user_when("0000-01-01", now(), crate::model::zonedb::UTC).is_err());
        assert!(parse_ical_date("00000101").is_err());
    }

    #[test]
    fn plus_stays_within_years_1_to_9999() {
        let late = When::Utc(Utc.with_ymd_and_hms(9999, 6, 1, 0, 0, 0).unwrap());
        assert_eq!(late.checked_plus(Duration::days(365)), None);
        let clamped = late.plus(max_duration());
        assert_eq!(
            clamped.to_property("DTEND").value,
            "99991231T235959Z",
            "saturates instead of panicking"
        );
        let early = When::Date(NaiveDate::from_ymd_opt(1, 1, 2).unwrap());
        assert!(early.checked_plus(Duration::days(1)).is_some());
        let floating = When::Floating(NaiveDate::from_ymd_opt(1, 1, 2).unwrap().into());
        assert_eq!(
            floating.plus(-max_duration()).to_property("X").value,
            "00010101T000000"
        );
    }

    #[test]
    fn property_forms() {
        let p = Property::new("DTSTART", "20261201T100000").with_param("TZID", "Europe/Berlin");
        let w = When::from_property(&p).unwrap();
        assert!(matches!(w, When::Zoned(_, ref z) if z == "Europe/Berlin"));
        assert_eq!(w.to_property("DTSTART"), p);
        let d = Property::new("DTSTART", "20261201").with_param("VALUE", "DATE");
        assert!(When::from_property(&d).unwrap().is_date());
        let u = Property::new("DTSTART", "20261201T100000Z");
        assert!(matches!(When::from_property(&u).unwrap(), When::Utc(_)));
    }
}
