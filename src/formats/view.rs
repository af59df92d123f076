//! The JSON view of records and occurrences that `--json` prints and scripts read
//! (issue 2's contract). Times are RFC 3339 with offset; all-day values are dates.

use crate::model::zonedb::Tz;
use chrono::{DateTime, FixedOffset, Utc};
use serde_json::{Value, json};

use super::view_contact::ContactJson;
use crate::model::borrowed::{ComponentLike, PropertyLike, RecordLike};
use crate::model::property::split_unescaped;
use crate::model::time::When;
use crate::model::tz::{self, VTimezone};
use crate::model::{Component, Kind, Record};
use crate::recur::Occurrence;

/// Format a property's date/time: a date, or RFC 3339 in the value's own zone.
pub fn when_json(w: &When, r: &Record, local: Tz) -> Value {
    Value::String(when_text(w, &r.body.timezones, local))
}

/// [`when_json`]'s text, for a value whose record has these VTIMEZONEs (a row
/// built from a borrowed body).
pub fn when_text(w: &When, timezones: &[Component], local: Tz) -> String {
    match w {
        When::Date(d) => date_text(d),
        _ => {
            let t = tz::instant(w, timezones, local);
            rfc3339(&t.with_timezone(&zone_offset(w, timezones, local, t)))
        }
    }
}

/// [`when_text`] appended to `out` (a table cell), without a string of its own; for
/// a record decoded or read in place.
pub fn push_when_text<Z: VTimezone>(out: &mut String, w: &When, timezones: &[Z], local: Tz) {
    use super::view_event::push_occurrence_time;
    match w {
        When::Date(d) => {
            let midnight = d.and_time(chrono::NaiveTime::MIN).and_utc().fixed_offset();
            push_occurrence_time(out, &midnight, true)
        }
        _ => {
            let t = tz::instant_in(w, timezones, local);
            push_occurrence_time(
                out,
                &t.with_timezone(&zone_offset(w, timezones, local, t)),
                false,
            )
        }
    }
}

/// `YYYY-MM-DD`, as `%Y-%m-%d` formats it (without parsing the format each time).
fn date_text(d: &chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    if (0..=9999).contains(&d.year()) {
        format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
    } else {
        d.format("%Y-%m-%d").to_string()
    }
}

fn zone_offset<Z: VTimezone>(
    w: &When,
    timezones: &[Z],
    local: Tz,
    t: DateTime<Utc>,
) -> FixedOffset {
    match w {
        When::Utc(_) => FixedOffset::east_opt(0).expect("zero"),
        When::Zoned(_, tzid) => tz::resolve_in(tzid, timezones)
            .unwrap_or(tz::Zone::Iana(local))
            .offset_at(t),
        _ => tz::Zone::Iana(local).offset_at(t),
    }
}

pub fn rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

pub(crate) fn when_of(r: &Record, name: &str, local: Tz) -> Value {
    r.prop(name)
        .and_then(|p| When::from_property(p).ok())
        .map(|w| when_json(&w, r, local))
        .unwrap_or(Value::Null)
}

fn text_or_null(r: &Record, name: &str) -> Value {
    r.text(name).map(Value::String).unwrap_or(Value::Null)
}

pub(crate) fn categories<R: RecordLike>(r: &R) -> Vec<String> {
    r.main()
        .props_named("CATEGORIES")
        .flat_map(|p| split_unescaped(p.value(), ','))
        .filter(|s| !s.is_empty())
        .collect()
}

/// The end of an event: DTEND, DTSTART + DURATION, or the RFC 5545 default.
pub fn event_end(r: &Record, local: Tz) -> Value {
    if r.prop("DTEND").is_some() {
        return when_of(r, "DTEND", local);
    }
    let Some(start) = r.prop("DTSTART").and_then(|p| When::from_property(p).ok()) else {
        return Value::Null;
    };
    let d = crate::model::duration::duration_of(r, &start).unwrap_or_default();
    when_json(&start.plus(d), r, local)
}

/// A contact's, event's, task's or note's JSON object.
pub fn record_json(r: &Record, collection_name: &str, local: Tz) -> Value {
    if r.kind == Kind::Contact {
        return serde_json::to_value(ContactJson::new(r, collection_name))
            .expect("a contact's view serializes");
    }
    let mut v = json!({
        "id": r.id,
        "kind": r.kind.as_str(),
        "collection": collection_name,
        "uid": r.uid(),
    });
    let m = v.as_object_mut().expect("object");
    match r.kind {
        Kind::Contact => unreachable!("returned above"),
        Kind::Event => {
            let start = r.prop("DTSTART").and_then(|p| When::from_property(p).ok());
            m.insert("summary".into(), text_or_null(r, "SUMMARY"));
            m.insert("start".into(), when_of(r, "DTSTART", local));
            m.insert("end".into(), event_end(r, local));
            m.insert(
                "all_day".into(),
                json!(start.as_ref().is_some_and(When::is_date)),
            );
            m.insert(
                "tz".into(),
                match &start {
                    Some(When::Zoned(_, z)) => json!(z),
                    Some(When::Utc(_)) => json!("UTC"),
                    _ => Value::Null,
                },
            );
            m.insert("location".into(), text_or_null(r, "LOCATION"));
            m.insert("description".into(), text_or_null(r, "DESCRIPTION"));
            m.insert(
                "rrule".into(),
                r.prop("RRULE")
                    .map(|p| json!(p.value))
                    .unwrap_or(Value::Null),
            );
            m.insert("rdate".into(), json!(multi_raw(r, "RDATE")));
            m.insert("exdate".into(), json!(multi_raw(r, "EXDATE")));
            m.insert("recurrence_id".into(), Value::Null);
            m.insert("status".into(), text_or_null(r, "STATUS"));
            m.insert("categories".into(), json!(categories(r)));
            m.insert(
                "organizer".into(),
                r.prop("ORGANIZER").map(person).unwrap_or(Value::Null),
            );
            m.insert(
                "attendees".into(),
                Value::Array(r.props_named("ATTENDEE").map(person).collect()),
            );
            let alarms: Vec<Value> = r
                .body
                .main
                .subs
                .iter()
                .filter(|c| c.name == "VALARM")
                .map(|c| {
                    json!({"action": c.prop("ACTION").map(|p| p.value.clone()),
                           "trigger": c.prop("TRIGGER").map(|p| p.value.clone())})
                })
                .collect();
            m.insert("alarms".into(), Value::Array(alarms));
        }
        Kind::Task => {
            m.insert("summary".into(), text_or_null(r, "SUMMARY"));
            m.insert("description".into(), text_or_null(r, "DESCRIPTION"));
            m.insert("due".into(), when_of(r, "DUE", local));
            m.insert("start".into(), when_of(r, "DTSTART", local));
            if let Some(rule) = r.prop("RRULE") {
                m.insert("rrule".into(), json!(rule.value));
            }
            m.insert(
                "priority".into(),
                r.prop("PRIORITY")
                    .and_then(|p| p.value.trim().parse::<u8>().ok())
                    .filter(|p| *p > 0)
                    .map(|p| json!(p))
                    .unwrap_or(Value::Null),
            );
            m.insert(
                "status".into(),
                r.prop("STATUS")
                    .map(|p| json!(p.value.to_ascii_uppercase()))
                    .unwrap_or(json!("NEEDS-ACTION")),
            );
            m.insert("completed".into(), when_of(r, "COMPLETED", local));
            m.insert(
                "percent_complete".into(),
                r.prop("PERCENT-COMPLETE")
                    .and_then(|p| p.value.trim().parse::<u8>().ok())
                    .map(|p| json!(p))
                    .unwrap_or(Value::Null),
            );
            m.insert(
                "parent".into(),
                r.props_named("RELATED-TO")
                    .find(|p| {
                        p.param("RELTYPE")
                            .is_none_or(|t| t.eq_ignore_ascii_case("PARENT"))
                    })
                    .map(|p| json!(p.value))
                    .unwrap_or(Value::Null),
            );
            m.insert("categories".into(), json!(categories(r)));
        }
        Kind::Note => {
            m.insert("title".into(), text_or_null(r, "SUMMARY"));
            m.insert(
                "body".into(),
                Value::String(r.text("DESCRIPTION").unwrap_or_default()),
            );
            m.insert("categories".into(), json!(categories(r)));
        }
    }
    v
}

/// The JSON object for one occurrence of an event.
pub fn occurrence_json(r: &Record, occ: &Occurrence, collection_name: &str, local: Tz) -> Value {
    let mut v = record_json(r, collection_name, local);
    if let Some(i) = occ.override_index
        && let Some(o) = r.body.overrides.get(i)
    {
        let m = v.as_object_mut().expect("object");
        for (key, prop) in [
            ("summary", "SUMMARY"),
            ("location", "LOCATION"),
            ("description", "DESCRIPTION"),
            ("status", "STATUS"),
        ] {
            if let Some(p) = o.prop(prop) {
                m.insert(key.into(), json!(p.text_value()));
            }
        }
    }
    let m = v.as_object_mut().expect("object");
    if occ.all_day {
        m.insert(
            "start".into(),
            json!(occ.start.date_naive().format("%Y-%m-%d").to_string()),
        );
        m.insert(
            "end".into(),
            json!(occ.end.date_naive().format("%Y-%m-%d").to_string()),
        );
    } else {
        m.insert("start".into(), json!(rfc3339(&occ.start)));
        m.insert("end".into(), json!(rfc3339(&occ.end)));
    }
    m.insert("all_day".into(), json!(occ.all_day));
    m.insert(
        "recurrence_id".into(),
        occ.recurrence_id
            .clone()
            .map(Value::String)
            .unwrap_or(Value::Null),
    );
    v
}

pub(crate) fn multi_raw<R: RecordLike>(r: &R, name: &str) -> Vec<String> {
    r.main()
        .props_named(name)
        .flat_map(|p| p.value().split(',').map(str::to_string).collect::<Vec<_>>())
        .collect()
}

/// A vCard date as `YYYY-MM-DD` when it has a full date, else as written.
pub(crate) fn date_ish_text(r: &Record, name: &str) -> Option<String> {
    r.prop(name).map(|p| date_ish(&p.value))
}

/// [`date_ish_text`] of a value.
pub(crate) fn date_ish(value: &str) -> String {
    let v = value.trim();
    // vCard dates: 19850412, 1985-04-12, --0412, 19850412T...
    let digits: String = v
        .chars()
        .take_while(|c| *c != 'T')
        .filter(|c| *c != '-')
        .collect();
    // Cut by bytes: only where every character is one.
    if digits.len() == 8
        && digits.is_ascii()
        && v.chars().next().is_some_and(|c| c.is_ascii_digit())
    {
        return format!("{}-{}-{}", &digits[0..4], &digits[4..6], &digits[6..8]);
    }
    v.to_string()
}

pub(crate) fn person<P: PropertyLike>(p: &P) -> Value {
    let value = p.value();
    let email = value
        .strip_prefix("mailto:")
        .or_else(|| value.strip_prefix("MAILTO:"))
        .unwrap_or(value);
    json!({
        "email": email,
        "name": p.param("CN"),
        "partstat": p.param("PARTSTAT"),
        "role": p.param("ROLE"),
        "rsvp": p.param("RSVP").map(|x| x.eq_ignore_ascii_case("TRUE")),
    })
}

/// For human-readable text: an all-day event's `end` as the inclusive last day
/// (a one-day holiday on the 24th ends on the 24th), as the TUI form and
/// `--set end=` read it. JSON keeps iCalendar's exclusive end; this only rewrites
/// a view about to be printed as text.
pub fn text_end_inclusive(v: &mut Value) {
    if v["all_day"] != Value::Bool(true) {
        return;
    }
    let day = |k: &str| {
        v[k].as_str()
            .and_then(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
    };
    let (Some(start), Some(end)) = (day("start"), day("end")) else {
        return;
    };
    let last = end.pred_opt().filter(|d| *d >= start).unwrap_or(start);
    v["end"] = json!(last.format("%Y-%m-%d").to_string());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Property;
    use chrono::{NaiveDate, TimeZone as _};

    /// A birthday of eight bytes that are not eight digits, with a character of
    /// several bytes where the date is cut, was sliced inside it: a panic in every
    /// `--json` listing and export of that contact.
    #[test]
    fn a_date_of_several_byte_characters_is_kept_as_written() {
        assert_eq!(date_ish("123é456"), "123é456");
        assert_eq!(date_ish(" 1é345678 "), "1é345678");
        assert_eq!(date_ish("1985-04-12"), "1985-04-12");
        assert_eq!(date_ish("19850412T101010"), "1985-04-12");
        assert_eq!(date_ish("--0412"), "--0412");
    }

    #[test]
    fn a_when_appended_to_a_cell_is_its_text() {
        let local: Tz = "America/New_York".parse().unwrap();
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        let at = |y, m, d| day(y, m, d).and_hms_opt(9, 30, 5).unwrap();
        let mut custom = Component::new("VTIMEZONE");
        custom.props.push(Property::new("TZID", "Odd"));
        let mut standard = Component::new("STANDARD");
        for (n, v) in [
            ("DTSTART", "19700101T000000"),
            ("TZOFFSETFROM", "+0530"),
            ("TZOFFSETTO", "+0530"),
        ] {
            standard.props.push(Property::new(n, v));
        }
        custom.subs.push(standard);
        let zones = [custom];
        for w in [
            When::Date(day(2026, 3, 1)),
            When::Date(day(1, 1, 1)),
            When::Date(day(9999, 12, 31)),
            When::Floating(at(2026, 7, 4)),
            When::Floating(at(2026, 1, 4)),
            When::Utc(Utc.from_utc_datetime(&at(2026, 7, 4))),
            When::Zoned(at(2026, 7, 4), "Europe/Berlin".into()),
            When::Zoned(at(2026, 7, 4), "Odd".into()),
            When::Zoned(at(2026, 7, 4), "Nowhere/Unknown".into()),
            When::Zoned(at(1850, 1, 1), "Europe/Amsterdam".into()),
        ] {
            let mut cell = String::from("x");
            push_when_text(&mut cell, &w, &zones, local);
            assert_eq!(cell[1..], when_text(&w, &zones, local), "{w:?}");
        }
    }
}
