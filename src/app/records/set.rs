//! Setting one field of a record from what the user typed. An empty value clears an
//! optional field; required fields (a contact's name, a title, an event's start)
//! refuse to be emptied.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Datelike as _, Duration, NaiveDate, NaiveDateTime, TimeZone as _, Utc};

use super::text::{adr_value, split_type, stored_end, when_of};
use super::validate::{self, Reason};
use super::{EditContext, Field};
use crate::model::property::escape_text;
use crate::model::time::{UserWhen, YEARS, parse_human_duration, parse_user_when};
use crate::model::{Collection, Kind, Property, Record, When, tz};

fn reason(s: impl Into<String>) -> Reason {
    Reason(s.into())
}

/// Set `field` of `r` to the text `value`.
pub(super) fn set(
    r: &mut Record,
    field: Field,
    value: &str,
    collections: &[Collection],
    cx: &EditContext,
) -> Result<(), Reason> {
    let kind = r.kind;
    let v = value.trim();
    match field {
        Field::Collection => r.collection = collection_id(kind, v, collections)?,
        Field::FullName => {
            if v.is_empty() {
                return Err(reason("a contact needs a name"));
            }
            // A contact gets its N from the first full name; later renames leave N
            // alone (rewriting it too would make two sync conflicts of one rename).
            if r.prop("N").is_none() {
                r.set_props("N", vec![Property::new("N", structured_name(v))]);
            }
            r.set_text("FN", v);
        }
        Field::StructuredName => {
            let mut parts: Vec<String> = v.split(';').map(|p| escape_text(p.trim())).collect();
            if parts.len() > 5 {
                return Err(reason("expected family;given;additional;prefix;suffix"));
            }
            parts.resize(5, String::new());
            r.set_props("N", vec![Property::new("N", parts.join(";"))]);
        }
        Field::Org => {
            let units: Vec<String> = v.split(';').map(|u| escape_text(u.trim())).collect();
            let props = if v.is_empty() {
                vec![]
            } else {
                vec![Property::new("ORG", units.join(";"))]
            };
            r.set_props("ORG", props);
        }
        Field::Emails => set_list(r, "EMAIL", v, validate::email)?,
        Field::Phones => set_list(r, "TEL", v, validate::phone)?,
        Field::Addresses => {
            let mut props = Vec::new();
            for item in v.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                let (line, ty) = split_type(item);
                let mut p = Property::new("ADR", adr_value(&line));
                if let Some(t) = ty {
                    p.set_param("TYPE", &t);
                }
                props.push(p);
            }
            r.set_props("ADR", props);
        }
        Field::Birthday | Field::Anniversary => {
            let name = if field == Field::Birthday {
                "BDAY"
            } else {
                "ANNIVERSARY"
            };
            let props = if v.is_empty() {
                vec![]
            } else {
                let d = validate::date(v)?;
                vec![Property::new(name, d.format("%Y%m%d").to_string())]
            };
            r.set_props(name, props);
        }
        Field::Summary => {
            if v.is_empty() {
                return Err(reason(format!("{} {kind} needs a title", article(kind))));
            }
            r.set_text("SUMMARY", v);
        }
        // A description (a note's body) is kept as typed, line breaks and all.
        Field::Description => text(r, "DESCRIPTION", value),
        Field::Location => text(r, "LOCATION", v),
        Field::Alarms => crate::app::reminders::spec::set_all(r, v, cx.now, cx.tz)
            .map_err(|e| reason(e.to_string()))?,
        Field::JobTitle => text(r, "TITLE", v),
        Field::Note => text(r, "NOTE", v),
        Field::Nickname => text(r, "NICKNAME", v),
        Field::Url => {
            let props = if v.is_empty() {
                vec![]
            } else {
                vec![Property::new("URL", validate::url(v)?)]
            };
            r.set_props("URL", props);
        }
        Field::Categories => {
            let cats: Vec<String> = v
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(escape_text)
                .collect();
            let props = if cats.is_empty() {
                vec![]
            } else {
                vec![Property::new("CATEGORIES", cats.join(","))]
            };
            r.set_props("CATEGORIES", props);
        }
        Field::Start if kind == Kind::Event => set_event_start(r, v, cx)?,
        Field::Start | Field::Due => {
            let name = if field == Field::Due {
                "DUE"
            } else {
                "DTSTART"
            };
            if v.is_empty() {
                r.remove(name);
            } else {
                let w = user_when(v, cx, None)?;
                r.set_props(name, vec![w.to_property(name)]);
            }
        }
        Field::End => set_event_end(r, v, cx)?,
        Field::Duration => {
            let d = parse_human_duration(v).map_err(|e| reason(e.to_string()))?;
            if d <= Duration::zero() {
                return Err(reason("must be positive"));
            }
            let start = when_of(r, "DTSTART").ok_or_else(|| reason("the event has no start"))?;
            if start.is_date() && d.num_seconds() % 86400 != 0 {
                return Err(reason("an all-day event lasts whole days"));
            }
            let end = start
                .checked_plus(d)
                .ok_or_else(|| reason("the end would fall after the year 9999"))?;
            r.remove("DURATION");
            r.set_props("DTEND", vec![end.to_property("DTEND")]);
        }
        Field::AllDay => set_all_day(r, validate::boolean(v)?, cx),
        Field::Tz => {
            let zone = validate::zone(v)?;
            for name in ["DTSTART", "DTEND"] {
                if let Some(w) = when_of(r, name) {
                    let nw = match w {
                        When::Date(_) => w,
                        When::Floating(n) | When::Zoned(n, _) => zoned(n, zone),
                        When::Utc(t) => zoned(t.with_timezone(&zone).naive_local(), zone),
                    };
                    r.set_props(name, vec![nw.to_property(name)]);
                }
            }
        }
        Field::Rrule => {
            let props = if v.is_empty() {
                vec![]
            } else {
                vec![Property::new("RRULE", validate::rrule(v)?)]
            };
            r.set_props("RRULE", props);
        }
        Field::Status if kind == Kind::Task => {
            let s = validate::task_status(v)?;
            set_task_status(r, &s, cx.now);
        }
        Field::Status => {
            let props = if v.is_empty() {
                vec![]
            } else {
                vec![Property::new("STATUS", validate::event_status(v)?)]
            };
            r.set_props("STATUS", props);
        }
        Field::Priority => {
            let props = if v.is_empty() || v == "0" {
                vec![]
            } else {
                let p = validate::priority(v)?;
                vec![Property::new("PRIORITY", p.to_string())]
            };
            r.set_props("PRIORITY", props);
        }
        Field::Completed => match v.to_ascii_lowercase().as_str() {
            "" | "false" | "no" => set_task_status(r, "NEEDS-ACTION", cx.now),
            "true" | "yes" => set_task_status(r, "COMPLETED", cx.now),
            _ => {
                let t = parse_user_when(v, cx.now, cx.tz)
                    .map_err(|e| reason(e.to_string()))?
                    .instant(cx.tz);
                set_task_status(r, "COMPLETED", t);
            }
        },
        Field::PercentComplete => {
            let props = if v.is_empty() {
                vec![]
            } else {
                let p = validate::percent(v)?;
                vec![Property::new("PERCENT-COMPLETE", p.to_string())]
            };
            r.set_props("PERCENT-COMPLETE", props);
        }
        Field::Parent => {
            r.body.main.props.retain(|p| {
                !(p.name == "RELATED-TO"
                    && p.param("RELTYPE")
                        .is_none_or(|t| t.eq_ignore_ascii_case("PARENT")))
            });
            if !v.is_empty() {
                r.body
                    .main
                    .props
                    .push(Property::new("RELATED-TO", v).with_param("RELTYPE", "PARENT"));
            }
        }
    }
    Ok(())
}

fn article(kind: Kind) -> &'static str {
    if kind == Kind::Event { "an" } else { "a" }
}

fn text(r: &mut Record, name: &str, v: &str) {
    if v.trim().is_empty() {
        r.remove(name)
    } else {
        r.set_text(name, v)
    }
}

/// A collection of `kind` by name (exact first, then ignoring case).
fn collection_id(kind: Kind, name: &str, collections: &[Collection]) -> Result<String, Reason> {
    let of_kind: Vec<&Collection> = collections.iter().filter(|c| c.kind == kind).collect();
    of_kind
        .iter()
        .find(|c| c.name == name)
        .or_else(|| of_kind.iter().find(|c| c.name.eq_ignore_ascii_case(name)))
        .map(|c| c.id.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = of_kind.iter().map(|c| c.name.as_str()).collect();
            reason(format!(
                "no {} named {name:?} (have: {})",
                kind.collection_word(),
                names.join(", ")
            ))
        })
}

/// Comma-separated `value (type)` items, each checked by `check`.
fn set_list(
    r: &mut Record,
    name: &str,
    v: &str,
    check: fn(&str) -> Result<String, Reason>,
) -> Result<(), Reason> {
    let mut props = Vec::new();
    for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (value, ty) = split_type(item);
        let mut p = Property::text(name, &check(&value)?);
        if let Some(t) = ty {
            p.set_param("TYPE", &t);
        }
        props.push(p);
    }
    r.set_props(name, props);
    Ok(())
}

/// `Ada King Lovelace` → `Lovelace;Ada King;;;`; a single word is a given name.
pub fn structured_name(full: &str) -> String {
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{};{};;;", escape_text(last), escape_text(&rest.join(" ")))
        }
        _ => format!(";{};;;", escape_text(full.trim())),
    }
}

/// The default end of a new event: an hour after its start (kept within the
/// calendar), or for an all-day event the day after it (exclusive, as DTEND is:
/// past the calendar for an event on its last day, which [`set_end`] writes).
pub(super) fn default_end(start: &When) -> When {
    match start {
        When::Date(d) => When::Date(days_after(*d, 1)),
        _ => start.plus(Duration::hours(1)),
    }
}

/// `day` moved by `n` days; chrono reaches far past the year 9999, so for the
/// dates pim holds this never fails (the result may lie past the calendar).
fn days_after(day: NaiveDate, n: i64) -> NaiveDate {
    day.checked_add_signed(Duration::days(n)).unwrap_or(day)
}

/// Write the end of an event starting at `start`: DTEND — or, for an all-day event
/// whose exclusive end lies past the calendar (it ends on 9999-12-31), the same
/// length as DURATION, which iCalendar can hold where DTEND cannot.
pub(super) fn set_end(r: &mut Record, start: &When, end: When) {
    match (start, &end) {
        (When::Date(first), When::Date(day)) if !YEARS.contains(&day.year()) => {
            let days = (*day - *first).num_days();
            r.remove("DTEND");
            r.set_props(
                "DURATION",
                vec![Property::new("DURATION", format!("P{days}D"))],
            );
        }
        _ => {
            r.remove("DURATION");
            r.set_props("DTEND", vec![end.to_property("DTEND")]);
        }
    }
}

fn set_event_start(r: &mut Record, v: &str, cx: &EditContext) -> Result<(), Reason> {
    if v.is_empty() {
        return Err(reason("an event needs a start"));
    }
    let old = when_of(r, "DTSTART");
    let mut w = user_when(v, cx, zone_of(old.as_ref()))?;
    if let (When::Date(day), Some(o)) = (&w, &old)
        && !o.is_date()
    {
        // A date alone moves a timed event to that day at its time; turning it
        // into an all-day event is `all_day=true`, never a side effect.
        w = same_time_on(o, *day, cx.tz)?;
    }
    if let Some(o) = &old
        && let Some(e) = stored_end(r, o)
    {
        // Moving the start keeps the event's length, unless it turns from a day
        // into a time (or back): then the default length fits better.
        let end = if o.is_date() == w.is_date() {
            // The wall-clock length, as an occurrence's: a day whose clock changes
            // is 23 or 25 hours long, which as an instant's length made an
            // all-day event moved off or onto it a day shorter.
            let len = super::occurrence::length(o, &e, r, cx.tz);
            match &w {
                When::Date(day) => When::Date(days_after(*day, len.num_days())),
                _ => w
                    .checked_plus(len)
                    .ok_or_else(|| reason("the end would fall after the year 9999"))?,
            }
        } else {
            default_end(&w)
        };
        set_end(r, &w, end);
    }
    r.set_props("DTSTART", vec![w.to_property("DTSTART")]);
    Ok(())
}

/// `start` moved to `day`, keeping its wall-clock time (and zone).
fn same_time_on(start: &When, day: NaiveDate, user_zone: Tz) -> Result<When, Reason> {
    Ok(match start {
        When::Date(_) => When::Date(day),
        When::Floating(n) => When::Floating(day.and_time(n.time())),
        When::Zoned(n, z) => When::Zoned(day.and_time(n.time()), z.clone()),
        When::Utc(t) => {
            // The time the user sees, on the new day, back to UTC.
            let local = day.and_time(t.with_timezone(&user_zone).time());
            let moved = user_zone
                .from_local_datetime(&local)
                .earliest()
                .ok_or_else(|| reason("that time does not exist on that day"))?;
            When::Utc(moved.with_timezone(&Utc))
        }
    })
}

/// The end as people say it: empty = the default length, `+90m` = after the start,
/// and for an all-day event the last day (stored as the exclusive day after it).
fn set_event_end(r: &mut Record, v: &str, cx: &EditContext) -> Result<(), Reason> {
    let start = when_of(r, "DTSTART").ok_or_else(|| reason("the event has no start"))?;
    let end = if v.is_empty() {
        default_end(&start)
    } else if let Some(rel) = v.strip_prefix('+') {
        start
            .checked_plus(parse_human_duration(rel).map_err(|e| reason(e.to_string()))?)
            .ok_or_else(|| reason("the end would fall after the year 9999"))?
    } else {
        match (&start, user_when(v, cx, zone_of(Some(&start)))?) {
            // The last day, inclusive as the forms show it; stored exclusive.
            (When::Date(first), When::Date(last)) if last < *first => {
                return Err(reason("the end is before the start"));
            }
            (When::Date(_), When::Date(d)) => When::Date(days_after(d, 1)),
            (When::Date(_), _) => {
                return Err(reason("the start is a date (all day), so give a date too"));
            }
            (_, When::Date(_)) => {
                return Err(reason(
                    "the start has a time, so give a time too (YYYY-MM-DD HH:MM)",
                ));
            }
            (_, e) => e,
        }
    };
    let s = tz::instant(&start, &r.body.timezones, cx.tz);
    let e = tz::instant(&end, &r.body.timezones, cx.tz);
    if e < s {
        return Err(reason("the end is before the start"));
    }
    if e == s {
        return Err(reason("the end is the start; it must be after it"));
    }
    set_end(r, &start, end);
    Ok(())
}

fn set_all_day(r: &mut Record, on: bool, cx: &EditContext) {
    for name in ["DTSTART", "DTEND"] {
        if let Some(w) = when_of(r, name) {
            let nw = if on {
                When::Date(
                    tz::instant(&w, &r.body.timezones, cx.tz)
                        .with_timezone(&cx.tz)
                        .date_naive(),
                )
            } else if let When::Date(d) = w {
                zoned(d.and_hms_opt(9, 0, 0).expect("09:00"), cx.tz)
            } else {
                w
            };
            r.set_props(name, vec![nw.to_property(name)]);
        }
    }
    if on {
        // An all-day event spans at least its day (DTEND is exclusive).
        if let (Some(When::Date(s)), Some(When::Date(e))) =
            (when_of(r, "DTSTART"), when_of(r, "DTEND"))
            && e <= s
        {
            set_end(r, &When::Date(s), When::Date(days_after(s, 1)));
        }
    }
}

pub(super) fn set_task_status(r: &mut Record, status: &str, when: DateTime<Utc>) {
    r.set_props("STATUS", vec![Property::new("STATUS", status)]);
    if status == "COMPLETED" {
        r.set_props("COMPLETED", vec![When::Utc(when).to_property("COMPLETED")]);
        r.set_props(
            "PERCENT-COMPLETE",
            vec![Property::new("PERCENT-COMPLETE", "100")],
        );
    } else {
        r.remove("COMPLETED");
        if r.prop("PERCENT-COMPLETE").is_some_and(|p| p.value == "100") {
            r.remove("PERCENT-COMPLETE");
        }
    }
}

fn zone_of(w: Option<&When>) -> Option<Tz> {
    match w {
        Some(When::Zoned(_, z)) => tz::known_zone(z),
        _ => None,
    }
}

/// Whether a zone is plain UTC under another name (`Etc/UTC`, `Zulu`, ...).
fn is_utc(zone: Tz) -> bool {
    matches!(
        zone.name(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Etc/Zulu" | "Zulu"
    )
}

fn zoned(n: NaiveDateTime, zone: Tz) -> When {
    if is_utc(zone) {
        When::Utc(DateTime::from_naive_utc_and_offset(n, Utc))
    } else {
        When::Zoned(n, zone.name().to_string())
    }
}

/// Typed text → a stored value: dates stay dates (all day); a time is read in the
/// user's zone (as forms and `pim show` display it) and stored in `zone`, the zone
/// the event already has (or the user's).
fn user_when(v: &str, cx: &EditContext, zone: Option<Tz>) -> Result<When, Reason> {
    let uw = parse_user_when(v, cx.now, cx.tz).map_err(|e| reason(e.to_string()))?;
    let zone = zone.unwrap_or(cx.tz);
    Ok(match uw {
        UserWhen::Date(d) => When::Date(d),
        _ => zoned(uw.instant(cx.tz).with_timezone(&zone).naive_local(), zone),
    })
}
