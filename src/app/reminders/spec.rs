//! Alarms as the user types them (`--alarm`, `--set alarms=`, the form's field and a
//! collection's default alarms): `-15m` (before the start; a task's due), `+5m`
//! (after), `end-10m` / `end+5m` (an event's end), `start-1h` (a task's start), an
//! absolute `2026-12-01 09:00`; several separated by commas. A duration without a
//! sign is before (`15m` = `-15m`), as people say "15 minutes" for a reminder.
//! Imported alarms show in the same syntax (`repeat N every D` when they repeat), so
//! an edit that leaves one's text alone keeps the alarm as it came.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, Utc};

use crate::model::time::{format_ical_duration, parse_human_duration, parse_user_when};
use crate::model::{Component, Kind, Property, Record, new_id};
use crate::recur::alarm::{self, Alarm, Trigger, utc_value};

/// What an alarm text means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spec {
    pub trigger: Trigger,
    pub repeat: u32,
    pub every: Duration,
}

/// One alarm text that does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "alarm {text:?}: {reason} (expected e.g. -15m, +5m, end-10m, '2026-12-01 09:00', \
     optionally followed by 'repeat 2 every 5m')"
)]
pub struct SpecError {
    pub text: String,
    pub reason: String,
}

fn spec_err(text: &str, reason: impl Into<String>) -> SpecError {
    SpecError {
        text: text.to_string(),
        reason: reason.into(),
    }
}

/// A signed human duration: `-15m`, `+1h30m`, `15m` (before), `0m`, or ISO `-PT15M`.
fn signed_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.starts_with(['P', 'p']) || s.starts_with("-P") || s.starts_with("+P") {
        return crate::model::time::parse_ical_duration(s).ok();
    }
    let (sign, rest) = match s.as_bytes()[0] {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => (-1, s),
    };
    let digits = rest.trim_end_matches(['m', 'h', 'd', 's', 'w']);
    if !digits.is_empty() && digits.chars().all(|c| c == '0') {
        return Some(Duration::zero());
    }
    parse_human_duration(rest).ok().map(|d| d * sign)
}

/// Parse one alarm text for a record of `kind`. `now` and `tz` read absolute times.
pub fn parse(text: &str, kind: Kind, now: DateTime<Utc>, tz: Tz) -> Result<Spec, SpecError> {
    let t = text.trim();
    let (head, repeat, every) = match t.split_once(" repeat ") {
        Some((head, tail)) => {
            let words: Vec<&str> = tail.split_whitespace().collect();
            let [n, "every", d] = words.as_slice() else {
                return Err(spec_err(text, "expected 'repeat N every DURATION'"));
            };
            let n: u32 = n
                .parse()
                .map_err(|_| spec_err(text, "the repeat count is not a number"))?;
            // More would be stored and shown as typed, but ring only this often.
            let most = crate::recur::alarm::MAX_REPEAT;
            if n > most {
                return Err(spec_err(text, format!("at most {most} repeats")));
            }
            let d = parse_human_duration(d)
                .map_err(|_| spec_err(text, "the repeat interval is not a duration"))?;
            (head.trim(), n, d)
        }
        None => (t, 0, Duration::zero()),
    };
    if head.is_empty() {
        return Err(spec_err(text, "empty"));
    }
    let prefixed = |word: &str| {
        head.get(..word.len())
            .filter(|p| p.eq_ignore_ascii_case(word))
            .map(|_| &head[word.len()..])
    };
    let (anchor, rest) = if let Some(r) = prefixed("end") {
        (Some(true), r)
    } else if let Some(r) = prefixed("start") {
        (Some(false), r)
    } else {
        (None, head)
    };
    let relative =
        if anchor.is_some() || rest.starts_with(['+', '-']) || !rest.contains([' ', '-', ':']) {
            signed_duration(rest)
        } else {
            None
        };
    let trigger = match (relative, anchor) {
        (Some(offset), anchor) => {
            // A task's alarms are relative to DUE unless `start` says otherwise.
            let to_end = anchor.unwrap_or(kind == Kind::Task);
            if kind == Kind::Task && anchor == Some(true) {
                return Err(spec_err(
                    text,
                    "a task's alarm is relative to its due already (use -15m)",
                ));
            }
            Trigger::Relative { offset, to_end }
        }
        (None, Some(_)) => return Err(spec_err(text, "expected a duration after start/end")),
        (None, None) => {
            let when = parse_user_when(head, now, tz).map_err(|e| spec_err(text, e.reason))?;
            Trigger::Absolute(when.instant(tz))
        }
    };
    Ok(Spec {
        trigger,
        repeat,
        every,
    })
}

/// Parse a comma-separated list of alarm texts.
pub fn parse_list(
    text: &str,
    kind: Kind,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<Spec>, SpecError> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| parse(s, kind, now, tz))
        .collect()
}

fn duration_text(d: Duration) -> String {
    let sign = if d < Duration::zero() { '-' } else { '+' };
    let mut secs = d.num_seconds().abs();
    let mut out = String::from(sign);
    for (unit, len) in [
        ('w', 604_800),
        ('d', 86_400),
        ('h', 3_600),
        ('m', 60),
        ('s', 1),
    ] {
        if secs >= len {
            out.push_str(&format!("{}{unit}", secs / len));
            secs %= len;
        }
    }
    if out.len() == 1 {
        out.push_str("0m");
    }
    out
}

/// An alarm in the user's syntax.
pub fn show(a: &Alarm, r: &Record, tz: Tz) -> String {
    let head = match &a.trigger {
        Trigger::Absolute(t) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
        Trigger::Relative { offset, to_end } => {
            let d = duration_text(*offset);
            let task_without_start = r.kind == Kind::Task && r.prop("DTSTART").is_none();
            match (r.kind, to_end) {
                (Kind::Task, true) => d,
                (Kind::Task, false) if task_without_start => d,
                (Kind::Task, false) => format!("start{d}"),
                (_, true) => format!("end{d}"),
                (_, false) => d,
            }
        }
    };
    if a.repeat > 0 {
        format!(
            "{head} repeat {} every {}",
            a.repeat,
            duration_text(a.every).trim_start_matches('+')
        )
    } else {
        head
    }
}

/// The alarms of the record's main component the user sees and edits: those that
/// ring, without snoozes (RFC 9074 snooze alarms are pim's own bookkeeping).
fn editable(c: &Component) -> Option<Alarm> {
    alarm::parse(c).filter(|a| a.snooze_of.is_none())
}

/// The record's alarms as one line of text.
/// One alarm that two devices dismissed at once (merged as a set, so present twice
/// with one UID) shows once.
pub fn show_all(r: &Record, tz: Tz) -> String {
    let mut uids: Vec<String> = Vec::new();
    let mut shown = Vec::new();
    for a in r.body.main.subs.iter().filter_map(editable) {
        if let Some(uid) = &a.uid {
            if uids.contains(uid) {
                continue;
            }
            uids.push(uid.clone());
        }
        shown.push(show(&a, r, tz));
    }
    shown.join(", ")
}

/// A new VALARM for `spec` (with a UID, so snoozes can name it).
pub fn component(spec: &Spec) -> Component {
    let mut c = Component::new("VALARM");
    c.props.push(Property::new("UID", new_id()));
    c.props.push(Property::new("ACTION", "DISPLAY"));
    c.props.push(Property::new("DESCRIPTION", "Reminder"));
    c.props.push(match &spec.trigger {
        Trigger::Relative { offset, to_end } => {
            let p = Property::new("TRIGGER", format_ical_duration(*offset));
            if *to_end {
                p.with_param("RELATED", "END")
            } else {
                p
            }
        }
        Trigger::Absolute(t) => {
            Property::new("TRIGGER", utc_value(*t)).with_param("VALUE", "DATE-TIME")
        }
    });
    if spec.repeat > 0 {
        c.props
            .push(Property::new("REPEAT", spec.repeat.to_string()));
        c.props
            .push(Property::new("DURATION", format_ical_duration(spec.every)));
    }
    c
}

/// Replace the record's editable alarms by those `text` lists. An alarm whose text
/// is unchanged stays as it is (its UID, dismissal and any properties pim does not
/// know); snoozes and alarms that never ring are kept.
pub fn set_all(r: &mut Record, text: &str, now: DateTime<Utc>, tz: Tz) -> Result<(), SpecError> {
    let specs = parse_list(text, r.kind, now, tz)?;
    let items: Vec<&str> = text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let mut old: Vec<(String, Component)> = Vec::new();
    let mut kept: Vec<Component> = Vec::new();
    let mut others: Vec<Component> = Vec::new();
    for c in std::mem::take(&mut r.body.main.subs) {
        match editable(&c) {
            Some(a) => old.push((show(&a, r, tz), c)),
            None if c.name.eq_ignore_ascii_case("VALARM") => kept.push(c),
            None => others.push(c),
        }
    }
    let mut alarms = Vec::new();
    for (item, spec) in items.iter().zip(&specs) {
        match old.iter().position(|(shown, _)| shown == item) {
            Some(i) => alarms.push(old.remove(i).1),
            None => alarms.push(component(spec)),
        }
    }
    r.body.main.subs = others;
    r.body.main.subs.extend(alarms);
    r.body.main.subs.extend(kept);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
    }

    fn rel(offset_min: i64, to_end: bool) -> Trigger {
        Trigger::Relative {
            offset: Duration::minutes(offset_min),
            to_end,
        }
    }

    #[test]
    fn texts_read_as_triggers() {
        let p = |s: &str, k| {
            parse(
                s,
                k,
                now(),
                crate::model::zonedb::Tz::known("Europe/Berlin"),
            )
            .map(|s| s.trigger)
        };
        assert_eq!(p("-15m", Kind::Event), Ok(rel(-15, false)));
        assert_eq!(p("15m", Kind::Event), Ok(rel(-15, false)));
        assert_eq!(p("+5m", Kind::Event), Ok(rel(5, false)));
        assert_eq!(p("end-10m", Kind::Event), Ok(rel(-10, true)));
        assert_eq!(p("end +1h", Kind::Event), Ok(rel(60, true)));
        assert_eq!(p("-PT15M", Kind::Event), Ok(rel(-15, false)));
        assert_eq!(p("0m", Kind::Event), Ok(rel(0, false)));
        assert_eq!(p("-15m", Kind::Task), Ok(rel(-15, true)));
        assert_eq!(p("start-1h", Kind::Task), Ok(rel(-60, false)));
        assert_eq!(
            p("2026-12-01 09:00", Kind::Event),
            Ok(Trigger::Absolute(
                Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap()
            ))
        );
        assert!(p("soon", Kind::Event).is_err());
        assert!(p("end", Kind::Event).is_err());
        let s = parse(
            "-15m repeat 2 every 5m",
            Kind::Event,
            now(),
            crate::model::zonedb::UTC,
        )
        .unwrap();
        assert_eq!((s.repeat, s.every), (2, Duration::minutes(5)));
        // Stored as typed but rung only 1000 times: refused instead.
        for text in [
            "-15m repeat 1001 every 1s",
            "-15m repeat 4000000000 every 1s",
        ] {
            let e = parse(text, Kind::Event, now(), crate::model::zonedb::UTC).unwrap_err();
            assert!(e.to_string().contains("at most 1000 repeats"), "{e}");
        }
        assert!(
            parse(
                "-15m repeat 1000 every 1s",
                Kind::Event,
                now(),
                crate::model::zonedb::UTC
            )
            .is_ok()
        );
    }

    #[test]
    fn shown_texts_read_back_to_the_same_alarm() {
        let mut r = Record::new(Kind::Event, "c");
        r.set_props(
            "DTSTART",
            vec![Property::new("DTSTART", "20261201T100000Z")],
        );
        let tz = crate::model::zonedb::Tz::known("Europe/Berlin");
        let text = "-15m, end+5m, -1d2h, 2026-12-01 09:30, -10m repeat 3 every 5m";
        set_all(&mut r, text, now(), tz).unwrap();
        assert_eq!(show_all(&r, tz), text);
        // Unchanged texts keep their components (UIDs and all).
        let before = r.body.main.subs.clone();
        set_all(&mut r, "end+5m, -15m, +0m", now(), tz).unwrap();
        assert_eq!(r.body.main.subs[0], before[1]);
        assert_eq!(r.body.main.subs[1], before[0]);
        assert_eq!(show_all(&r, tz), "end+5m, -15m, +0m");
        set_all(&mut r, "", now(), tz).unwrap();
        assert!(r.body.main.subs.is_empty());
    }

    #[test]
    fn one_alarm_dismissed_on_two_devices_shows_once() {
        let mut r = Record::new(Kind::Event, "c");
        r.set_props(
            "DTSTART",
            vec![Property::new("DTSTART", "20261201T100000Z")],
        );
        set_all(&mut r, "-15m", now(), crate::model::zonedb::UTC).unwrap();
        let mut twin = r.body.main.subs[0].clone();
        twin.props
            .push(Property::new("ACKNOWLEDGED", "20261201T094600Z"));
        r.body.main.subs.push(twin);
        assert_eq!(show_all(&r, crate::model::zonedb::UTC), "-15m");
    }
}
