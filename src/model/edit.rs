//! Setting a record's fields by their JSON names (`pim edit ID --set FIELD=VALUE`,
//! `pim add ...`, TUI forms). Validates every value; on error the record is unchanged.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::property::{escape_text, split_unescaped};
use super::time::{UserWhen, When, format_ical_duration, parse_human_duration, parse_user_when};
use super::{Kind, Property, Record, tz};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("unknown field {field:?} for {} {kind} (known: {known})", if matches!(kind, Kind::Event) { "an" } else { "a" })]
    UnknownField {
        kind: Kind,
        field: String,
        known: String,
    },
    #[error("bad value for {field}: {reason}")]
    BadValue { field: String, reason: String },
}

/// What edits need to know: the clock and the user's zone.
#[derive(Debug, Clone, Copy)]
pub struct EditContext {
    pub now: DateTime<Utc>,
    pub tz: Tz,
}

pub fn fields_of(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Contact => &[
            "full_name",
            "name",
            "emails",
            "phones",
            "org",
            "title",
            "birthday",
            "anniversary",
            "url",
            "note",
            "categories",
            "nickname",
        ],
        Kind::Event => &[
            "summary",
            "start",
            "end",
            "duration",
            "all_day",
            "tz",
            "location",
            "description",
            "rrule",
            "status",
            "categories",
            "url",
        ],
        Kind::Task => &[
            "summary",
            "description",
            "due",
            "start",
            "priority",
            "status",
            "completed",
            "percent_complete",
            "parent",
            "categories",
        ],
        Kind::Note => &["title", "body", "categories"],
    }
}

fn bad(field: &str, reason: impl Into<String>) -> EditError {
    EditError::BadValue {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Set one field from its text form; an empty value clears it.
pub fn set_field(
    r: &mut Record,
    field: &str,
    value: &str,
    cx: &EditContext,
) -> Result<(), EditError> {
    let mut draft = r.clone();
    set_on(&mut draft, field, value, cx)?;
    *r = draft;
    Ok(())
}

fn set_on(r: &mut Record, field: &str, value: &str, cx: &EditContext) -> Result<(), EditError> {
    let kind = r.kind;
    let unknown = || EditError::UnknownField {
        kind,
        field: field.to_string(),
        known: fields_of(kind).join(", "),
    };
    if !fields_of(kind).contains(&field) {
        return Err(unknown());
    }
    let v = value.trim();
    let text = |r: &mut Record, name: &str| {
        if value.is_empty() {
            r.remove(name)
        } else {
            r.set_text(name, value)
        }
    };
    match (kind, field) {
        (_, "categories") => {
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
        (Kind::Contact, "full_name") => {
            if v.is_empty() {
                return Err(bad(field, "a contact needs a name"));
            }
            r.set_text("FN", v);
            if r.prop("N").is_none() {
                r.set_props("N", vec![Property::new("N", structured_name(v))]);
            }
        }
        (Kind::Contact, "name") => {
            let parts: Vec<String> = v.split(';').map(escape_text).collect();
            if parts.len() > 5 {
                return Err(bad(field, "expected family;given;additional;prefix;suffix"));
            }
            let mut parts = parts;
            parts.resize(5, String::new());
            r.set_props("N", vec![Property::new("N", parts.join(";"))]);
        }
        (Kind::Contact, "emails") => set_list(r, "EMAIL", v, |e| {
            if e.contains('@') {
                Ok(())
            } else {
                Err(format!("{e:?} is not an email address"))
            }
        })
        .map_err(|e| bad(field, e))?,
        (Kind::Contact, "phones") => set_list(r, "TEL", v, |p| {
            if p.chars().any(|c| c.is_ascii_digit()) {
                Ok(())
            } else {
                Err(format!("{p:?} is not a phone number"))
            }
        })
        .map_err(|e| bad(field, e))?,
        (Kind::Contact, "org") => {
            if v.is_empty() {
                r.remove("ORG")
            } else {
                r.set_props(
                    "ORG",
                    vec![Property::new("ORG", escape_text(v).replace("\\;", ";"))],
                )
            }
        }
        (Kind::Contact, "title") => text(r, "TITLE"),
        (Kind::Contact, "note") => text(r, "NOTE"),
        (Kind::Contact, "nickname") => text(r, "NICKNAME"),
        (Kind::Contact | Kind::Event, "url") => {
            if v.is_empty() {
                r.remove("URL")
            } else {
                r.set_props("URL", vec![Property::new("URL", v)])
            }
        }
        (Kind::Contact, "birthday" | "anniversary") => {
            let name = if field == "birthday" {
                "BDAY"
            } else {
                "ANNIVERSARY"
            };
            if v.is_empty() {
                r.remove(name);
            } else {
                let d = chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                    .map_err(|_| bad(field, format!("{v:?} is not a date (YYYY-MM-DD)")))?;
                r.set_props(
                    name,
                    vec![Property::new(name, d.format("%Y%m%d").to_string())],
                );
            }
        }
        (Kind::Event, "summary") | (Kind::Task, "summary") | (Kind::Note, "title") => {
            text(r, "SUMMARY")
        }
        (Kind::Event | Kind::Task, "description") | (Kind::Note, "body") => text(r, "DESCRIPTION"),
        (Kind::Event, "location") => text(r, "LOCATION"),
        (Kind::Event, "status") => {
            let s = v.to_ascii_uppercase();
            if !s.is_empty() && !["TENTATIVE", "CONFIRMED", "CANCELLED"].contains(&s.as_str()) {
                return Err(bad(field, "expected tentative, confirmed or cancelled"));
            }
            if s.is_empty() {
                r.remove("STATUS")
            } else {
                r.set_props("STATUS", vec![Property::new("STATUS", s)])
            }
        }
        (Kind::Event, "start") => {
            let old = r.prop("DTSTART").and_then(|p| When::from_property(p).ok());
            let all_day = old.as_ref().is_some_and(When::is_date);
            let w = user_when(field, v, cx, all_day, zone_of(old.as_ref()))?;
            // Moving the start keeps the event's length.
            let length = old.as_ref().and_then(|o| {
                r.prop("DTEND")
                    .and_then(|p| When::from_property(p).ok())
                    .map(|e| {
                        tz::instant(&e, &r.body.timezones, cx.tz)
                            - tz::instant(o, &r.body.timezones, cx.tz)
                    })
            });
            r.set_props("DTSTART", vec![w.to_property("DTSTART")]);
            if let Some(len) = length {
                let end = w
                    .checked_plus(len)
                    .ok_or_else(|| bad(field, "the end would fall after the year 9999"))?;
                r.set_props("DTEND", vec![end.to_property("DTEND")]);
            }
        }
        (Kind::Event, "end") => {
            if v.is_empty() {
                r.remove("DTEND");
            } else {
                let start = r
                    .prop("DTSTART")
                    .and_then(|p| When::from_property(p).ok())
                    .ok_or_else(|| bad(field, "the event has no start"))?;
                let w = user_when(field, v, cx, start.is_date(), zone_of(Some(&start)))?;
                check_order(r, &start, &w, cx)?;
                r.remove("DURATION");
                r.set_props("DTEND", vec![w.to_property("DTEND")]);
            }
        }
        (Kind::Event, "duration") => {
            let d = parse_human_duration(v).map_err(|e| bad(field, e.to_string()))?;
            if d <= Duration::zero() {
                return Err(bad(field, "must be positive"));
            }
            let start = r
                .prop("DTSTART")
                .and_then(|p| When::from_property(p).ok())
                .ok_or_else(|| bad(field, "the event has no start"))?;
            if start.is_date() && d.num_seconds() % 86400 != 0 {
                return Err(bad(field, "an all-day event lasts whole days"));
            }
            let end = start
                .checked_plus(d)
                .ok_or_else(|| bad(field, "the end would fall after the year 9999"))?;
            r.remove("DURATION");
            r.set_props("DTEND", vec![end.to_property("DTEND")]);
            let _ = format_ical_duration(d);
        }
        (Kind::Event, "all_day") => {
            let on = parse_bool(field, v)?;
            for name in ["DTSTART", "DTEND"] {
                if let Some(w) = r.prop(name).and_then(|p| When::from_property(p).ok()) {
                    let nw = if on {
                        When::Date(
                            tz::instant(&w, &r.body.timezones, cx.tz)
                                .with_timezone(&cx.tz)
                                .date_naive(),
                        )
                    } else if let When::Date(d) = w {
                        local_when(d.and_hms_opt(9, 0, 0).expect("09:00"), None, cx)
                    } else {
                        w
                    };
                    r.set_props(name, vec![nw.to_property(name)]);
                }
            }
            if on {
                // An all-day event spans at least its day (DTEND is exclusive).
                let s = r.prop("DTSTART").and_then(|p| When::from_property(p).ok());
                let e = r.prop("DTEND").and_then(|p| When::from_property(p).ok());
                if let (Some(When::Date(s)), Some(When::Date(e))) = (s, e)
                    && e <= s
                {
                    r.set_props(
                        "DTEND",
                        vec![When::Date(s + Duration::days(1)).to_property("DTEND")],
                    );
                }
            }
        }
        (Kind::Event, "tz") => {
            let zone: Tz = v
                .parse()
                .map_err(|_| bad(field, format!("unknown time zone {v:?}")))?;
            for name in ["DTSTART", "DTEND"] {
                if let Some(w) = r.prop(name).and_then(|p| When::from_property(p).ok()) {
                    let nw = match w {
                        When::Date(_) => w,
                        When::Floating(n) | When::Zoned(n, _) => zoned(n, zone),
                        When::Utc(t) => zoned(t.with_timezone(&zone).naive_local(), zone),
                    };
                    r.set_props(name, vec![nw.to_property(name)]);
                }
            }
        }
        (Kind::Event, "rrule") => {
            if v.is_empty() {
                r.remove("RRULE");
            } else {
                let rule = v.strip_prefix("RRULE:").unwrap_or(v).to_ascii_uppercase();
                validate_rrule(&rule).map_err(|e| bad(field, e))?;
                r.set_props("RRULE", vec![Property::new("RRULE", rule)]);
            }
        }
        (Kind::Task, "due" | "start") => {
            let name = if field == "due" { "DUE" } else { "DTSTART" };
            if v.is_empty() {
                r.remove(name);
            } else {
                let w = user_when(field, v, cx, false, None)?;
                r.set_props(name, vec![w.to_property(name)]);
            }
        }
        (Kind::Task, "priority") => {
            if v.is_empty() || v == "0" {
                r.remove("PRIORITY");
            } else {
                let p: u8 = v
                    .parse()
                    .ok()
                    .filter(|p| (1..=9).contains(p))
                    .ok_or_else(|| bad(field, "expected 1 (highest) to 9 (lowest)"))?;
                r.set_props("PRIORITY", vec![Property::new("PRIORITY", p.to_string())]);
            }
        }
        (Kind::Task, "status") => {
            let s = v.to_ascii_uppercase().replace('_', "-");
            let s = if s == "DONE" {
                "COMPLETED".to_string()
            } else if s == "OPEN" {
                "NEEDS-ACTION".to_string()
            } else {
                s
            };
            if !["NEEDS-ACTION", "IN-PROCESS", "COMPLETED", "CANCELLED"].contains(&s.as_str()) {
                return Err(bad(
                    field,
                    "expected needs-action, in-process, completed or cancelled",
                ));
            }
            set_task_status(r, &s, cx.now);
        }
        (Kind::Task, "completed") => match v.to_ascii_lowercase().as_str() {
            "" | "false" | "no" => set_task_status(r, "NEEDS-ACTION", cx.now),
            "true" | "yes" => set_task_status(r, "COMPLETED", cx.now),
            _ => {
                let t = parse_user_when(v, cx.now, cx.tz)
                    .map_err(|e| bad(field, e.to_string()))?
                    .instant(cx.tz);
                set_task_status(r, "COMPLETED", t);
            }
        },
        (Kind::Task, "percent_complete") => {
            if v.is_empty() {
                r.remove("PERCENT-COMPLETE");
            } else {
                let p: u8 = v
                    .parse()
                    .ok()
                    .filter(|p| *p <= 100)
                    .ok_or_else(|| bad(field, "expected 0 to 100"))?;
                r.set_props(
                    "PERCENT-COMPLETE",
                    vec![Property::new("PERCENT-COMPLETE", p.to_string())],
                );
            }
        }
        (Kind::Task, "parent") => {
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
        _ => return Err(unknown()),
    }
    Ok(())
}

fn set_task_status(r: &mut Record, status: &str, when: DateTime<Utc>) {
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

fn set_list(
    r: &mut Record,
    name: &str,
    v: &str,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<(), String> {
    let mut props = Vec::new();
    for item in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        check(item)?;
        props.push(Property::text(name, item));
    }
    r.set_props(name, props);
    Ok(())
}

/// `Ada King Lovelace` → `Lovelace;Ada King;;;`.
pub fn structured_name(full: &str) -> String {
    let words: Vec<&str> = full.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => {
            format!("{};{};;;", escape_text(last), escape_text(&rest.join(" ")))
        }
        _ => format!("{};;;;", escape_text(full.trim())),
    }
}

fn parse_bool(field: &str, v: &str) -> Result<bool, EditError> {
    match v.to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" | "" => Ok(false),
        _ => Err(bad(field, "expected true or false")),
    }
}

fn zone_of(w: Option<&When>) -> Option<Tz> {
    match w {
        Some(When::Zoned(_, z)) => tz::known_zone(z),
        _ => None,
    }
}

/// Whether a zone is plain UTC under another name (`Etc/UTC`, `Zulu`, ...).
pub fn is_utc(zone: Tz) -> bool {
    matches!(
        zone.name(),
        "UTC" | "Etc/UTC" | "Etc/UCT" | "UCT" | "Etc/Universal" | "Universal" | "Etc/Zulu" | "Zulu"
    )
}

fn zoned(n: chrono::NaiveDateTime, zone: Tz) -> When {
    if is_utc(zone) {
        When::Utc(DateTime::from_naive_utc_and_offset(n, Utc))
    } else {
        When::Zoned(n, zone.name().to_string())
    }
}

fn local_when(n: chrono::NaiveDateTime, zone: Option<Tz>, cx: &EditContext) -> When {
    zoned(n, zone.unwrap_or(cx.tz))
}

/// Turn typed text into a stored value: dates stay dates (all-day); wall times are
/// kept in `zone` (or the user's zone); exact instants are shown in that zone.
pub fn user_when(
    field: &str,
    v: &str,
    cx: &EditContext,
    all_day: bool,
    zone: Option<Tz>,
) -> Result<When, EditError> {
    let uw = parse_user_when(v, cx.now, cx.tz).map_err(|e| bad(field, e.to_string()))?;
    let zone = zone.unwrap_or(cx.tz);
    Ok(match uw {
        UserWhen::Date(d) => When::Date(d),
        _ if all_day => When::Date(uw.instant(zone).with_timezone(&zone).date_naive()),
        UserWhen::Local(n) => zoned(n, zone),
        UserWhen::Instant(t) => zoned(t.with_timezone(&zone).naive_local(), zone),
    })
}

fn check_order(r: &Record, start: &When, end: &When, cx: &EditContext) -> Result<(), EditError> {
    let s = tz::instant(start, &r.body.timezones, cx.tz);
    let e = tz::instant(end, &r.body.timezones, cx.tz);
    if e < s {
        return Err(bad("end", "the end is before the start"));
    }
    Ok(())
}

/// Check an RRULE value (without the `RRULE:` prefix).
pub fn validate_rrule(rule: &str) -> Result<(), String> {
    let parsed: rrule::RRule<rrule::Unvalidated> = rule
        .parse()
        .map_err(|e: rrule::RRuleError| format!("invalid RRULE {rule:?}: {e}"))?;
    let start = rrule::Tz::UTC
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .ok_or("internal: bad reference date")?;
    parsed
        .validate(start)
        .map(|_| ())
        .map_err(|e| format!("invalid RRULE {rule:?}: {e}"))
}

/// Split a comma list the way CATEGORIES stores it.
pub fn category_list(raw: &str) -> Vec<String> {
    split_unescaped(raw, ',')
}

use chrono::TimeZone as _;

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn cx() -> EditContext {
        EditContext {
            now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
            tz: "Europe/Berlin".parse().unwrap(),
        }
    }

    #[test]
    fn event_fields() {
        let mut r = Record::new(Kind::Event, "c");
        set_field(&mut r, "summary", "Standup", &cx()).unwrap();
        set_field(&mut r, "start", "2026-12-01 10:00", &cx()).unwrap();
        set_field(&mut r, "duration", "1h30m", &cx()).unwrap();
        assert_eq!(
            r.prop("DTSTART").unwrap().param("TZID"),
            Some("Europe/Berlin")
        );
        assert_eq!(r.prop("DTEND").unwrap().value, "20261201T113000");
        set_field(&mut r, "start", "2026-12-02 10:00", &cx()).unwrap();
        assert_eq!(
            r.prop("DTEND").unwrap().value,
            "20261202T113000",
            "length kept"
        );
        assert!(set_field(&mut r, "end", "2026-12-01", &cx()).is_err());
        set_field(&mut r, "rrule", "FREQ=WEEKLY;BYDAY=MO,WE", &cx()).unwrap();
        assert!(set_field(&mut r, "rrule", "FREQ=SOMETIMES", &cx()).is_err());
        assert!(matches!(
            set_field(&mut r, "colour", "x", &cx()),
            Err(EditError::UnknownField { .. })
        ));
    }

    #[test]
    fn contact_and_task_fields() {
        let mut c = Record::new(Kind::Contact, "c");
        set_field(&mut c, "full_name", "Ada King Lovelace", &cx()).unwrap();
        assert_eq!(c.prop("N").unwrap().value, "Lovelace;Ada King;;;");
        set_field(&mut c, "emails", "ada@x.org, ada@y.org", &cx()).unwrap();
        assert_eq!(c.props_named("EMAIL").count(), 2);
        assert!(set_field(&mut c, "emails", "nope", &cx()).is_err());
        assert_eq!(
            c.props_named("EMAIL").count(),
            2,
            "unchanged after an error"
        );
        let mut t = Record::new(Kind::Task, "t");
        set_field(&mut t, "priority", "3", &cx()).unwrap();
        assert!(set_field(&mut t, "priority", "10", &cx()).is_err());
        set_field(&mut t, "status", "done", &cx()).unwrap();
        assert!(t.prop("COMPLETED").is_some());
        set_field(&mut t, "completed", "false", &cx()).unwrap();
        assert!(t.prop("COMPLETED").is_none());
    }
}
