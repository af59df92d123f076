//! Fields as text: what a form shows for a stored value, and the list syntax
//! (`value (type)`, addresses) both front-ends accept. An edit compares the text the
//! user saw with this text of the stored record to tell a conflict from a no-op.

use crate::model::zonedb::Tz;
use chrono::Duration;

use super::{EditContext, Field};
use crate::model::property::{escape_text, split_unescaped, unescape_text};
use crate::model::time::When;
use crate::model::{Collection, Kind, Property, Record, tz};

pub(super) fn when_of(r: &Record, name: &str) -> Option<When> {
    r.prop(name).and_then(|p| When::from_property(p).ok())
}

/// The text of `field` in `r`, as a form shows it.
pub fn show(r: &Record, field: Field, collections: &[Collection], cx: &EditContext) -> String {
    let text = |name: &str| r.text(name).unwrap_or_default();
    let date = |name: &str| {
        when_of(r, name)
            .map(|w| local_date_text(&w))
            .unwrap_or_default()
    };
    match field {
        Field::Collection => collections
            .iter()
            .find(|c| c.id == r.collection)
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        Field::FullName => text("FN"),
        Field::StructuredName => r.prop("N").map(|p| p.value.clone()).unwrap_or_default(),
        Field::Nickname => text("NICKNAME"),
        Field::Org => r
            .prop("ORG")
            .map(|p| {
                split_unescaped(&p.value, ';')
                    .iter()
                    .map(|u| unescape_text(u))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        Field::JobTitle => text("TITLE"),
        Field::Emails => list_show(r, "EMAIL"),
        Field::Phones => list_show(r, "TEL"),
        Field::Addresses => addr_show(r),
        Field::Birthday => date("BDAY"),
        Field::Anniversary => date("ANNIVERSARY"),
        Field::Summary => text("SUMMARY"),
        Field::AllDay => when_of(r, "DTSTART")
            .is_some_and(|w| w.is_date())
            .to_string(),
        Field::Tz => r
            .prop("DTSTART")
            .and_then(|p| p.param("TZID"))
            .unwrap_or_default()
            .to_string(),
        Field::Start => when_of(r, "DTSTART")
            .map(|w| show_when(&w, r, cx.tz))
            .unwrap_or_default(),
        Field::End => event_end_show(r, cx.tz).unwrap_or_default(),
        Field::Duration => event_length(r, cx.tz)
            .map(duration_text)
            .unwrap_or_default(),
        Field::Due => when_of(r, "DUE")
            .map(|w| show_when(&w, r, cx.tz))
            .unwrap_or_default(),
        Field::Location => text("LOCATION"),
        Field::Alarms => crate::app::reminders::spec::show_all(r, cx.tz),
        Field::Rrule => r.prop("RRULE").map(|p| p.value.clone()).unwrap_or_default(),
        Field::Status => text("STATUS").to_ascii_lowercase(),
        Field::Priority => {
            let p = text("PRIORITY");
            if p == "0" { String::new() } else { p }
        }
        Field::Completed => when_of(r, "COMPLETED")
            .map(|w| show_when(&w, r, cx.tz))
            .unwrap_or_default(),
        Field::PercentComplete => text("PERCENT-COMPLETE"),
        Field::Parent => r
            .props_named("RELATED-TO")
            .find(|p| {
                p.param("RELTYPE")
                    .is_none_or(|t| t.eq_ignore_ascii_case("PARENT"))
            })
            .map(|p| p.value.clone())
            .unwrap_or_default(),
        Field::Description => text("DESCRIPTION"),
        Field::Url => r.prop("URL").map(|p| p.value.clone()).unwrap_or_default(),
        Field::Note => text("NOTE"),
        Field::Categories => r
            .props_named("CATEGORIES")
            .flat_map(|p| split_unescaped(&p.value, ','))
            .map(|c| unescape_text(&c))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn local_date_text(w: &When) -> String {
    match w {
        When::Date(d) => d.format("%Y-%m-%d").to_string(),
        When::Floating(n) | When::Zoned(n, _) => n.format("%Y-%m-%d").to_string(),
        When::Utc(t) => t.format("%Y-%m-%d").to_string(),
    }
}

/// A stored date/time as the user types it, in the local zone.
fn show_when(w: &When, r: &Record, zone: Tz) -> String {
    match w {
        When::Date(d) => d.format("%Y-%m-%d").to_string(),
        When::Floating(n) => n.format("%Y-%m-%d %H:%M").to_string(),
        _ => tz::instant(w, &r.body.timezones, zone)
            .with_timezone(&zone)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
    }
}

/// The stored end of an event (DTEND, or DTSTART + DURATION).
pub(super) fn stored_end(r: &Record, start: &When) -> Option<When> {
    match when_of(r, "DTEND") {
        Some(e) => Some(e),
        None => {
            let d = r.prop("DURATION")?;
            let d = crate::model::time::parse_ical_duration(&d.value).ok()?;
            Some(match start {
                // Days as days, not held to the calendar: an all-day event on its
                // last day ends (exclusive, as DTEND) on the day after it.
                When::Date(day) => When::Date(
                    day.checked_add_signed(Duration::days(d.num_days().max(0)))
                        .unwrap_or(*day),
                ),
                _ => start.plus(d),
            })
        }
    }
}

fn event_length(r: &Record, zone: Tz) -> Option<Duration> {
    let start = when_of(r, "DTSTART")?;
    let end = stored_end(r, &start)?;
    // Wall-clock, as edits keep it: an all-day event on a day whose clock changes
    // lasts a day, not 23 or 25 hours.
    Some(super::occurrence::length(&start, &end, r, zone))
}

fn duration_text(d: Duration) -> String {
    let minutes = d.num_minutes();
    if minutes % (24 * 60) == 0 {
        format!("{}d", minutes / (24 * 60))
    } else {
        format!("{minutes}m")
    }
}

/// The end as people say it: for an all-day event the last day (DTEND is exclusive).
fn event_end_show(r: &Record, zone: Tz) -> Option<String> {
    let start = when_of(r, "DTSTART")?;
    let end = stored_end(r, &start)?;
    Some(match (&start, end) {
        (When::Date(s), When::Date(e)) => (e - Duration::days(1))
            .max(*s)
            .format("%Y-%m-%d")
            .to_string(),
        (_, w) => show_when(&w, r, zone),
    })
}

/// The type of a property as users say it (first TYPE value, lowercased).
pub fn type_of(p: &Property) -> Option<String> {
    p.param_values("TYPE")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|t| {
            !t.eq_ignore_ascii_case("pref")
                && !t.eq_ignore_ascii_case("internet")
                && !t.eq_ignore_ascii_case("voice")
        })
        .map(|t| t.to_ascii_lowercase())
}

/// An email or phone value without a `tel:`/`mailto:` scheme.
pub fn plain_value(p: &Property) -> String {
    let v = p.text_value();
    v.strip_prefix("tel:")
        .or_else(|| v.strip_prefix("mailto:"))
        .unwrap_or(&v)
        .to_string()
}

fn list_show(r: &Record, name: &str) -> String {
    r.props_named(name)
        .map(|p| match type_of(p) {
            Some(t) => format!("{} ({t})", plain_value(p)),
            None => plain_value(p),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An address as one line: street, city, region, postcode, country.
pub fn addr_line(p: &Property) -> String {
    let parts = split_unescaped(&p.value, ';');
    parts
        .iter()
        .skip(2)
        .map(|s| unescape_text(s).replace('\n', ", "))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

fn addr_show(r: &Record) -> String {
    r.props_named("ADR")
        .map(|p| match type_of(p) {
            Some(t) => format!("{} ({t})", addr_line(p)),
            None => addr_line(p),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `value (type)` → (value, type).
pub(super) fn split_type(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    if let Some(open) = s.rfind(" (")
        && let Some(inner) = s[open + 2..].strip_suffix(')')
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_alphanumeric() || c == '-')
    {
        return (
            s[..open].trim().to_string(),
            Some(inner.to_ascii_lowercase()),
        );
    }
    (s.to_string(), None)
}

/// `street, city, postcode, country` (five parts add a region) → an ADR value.
pub(super) fn adr_value(line: &str) -> String {
    let parts: Vec<String> = line
        .split(',')
        .map(|s| escape_text(s.trim()).replace(',', "\\,"))
        .collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    let (street, city, region, code, country) = match parts.len() {
        5 => (get(0), get(1), get(2), get(3), get(4)),
        _ => (get(0), get(1), String::new(), get(2), get(3)),
    };
    format!(";;{street};{city};{region};{code};{country}")
}

/// Whether `kind` has this field at all (a typed key can still be the wrong kind's).
pub(super) fn belongs(kind: Kind, field: Field) -> bool {
    Field::of(kind).contains(&field)
}
