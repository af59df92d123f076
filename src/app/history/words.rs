//! History as a person says it: "start" rather than `DTSTART`, "2 Dec 2026 09:30"
//! rather than `20261202T093000`, a rule in words. `pim history` and the TUI's
//! history dialog both print through here; `--json` keeps the raw keys and values.

use crate::model::zonedb::Tz;
use chrono::{NaiveDate, NaiveDateTime};

use crate::app::reminders::birthdays::{ACKNOWLEDGED, SNOOZED};
use crate::recur::describe::describe_rrule;
use crate::sync::review::key_label;

/// A field key in words.
pub fn field_label(key: &str) -> String {
    let word = match key {
        "FN" => "name",
        "N" => "structured name",
        "NICKNAME" => "nickname",
        "EMAIL" => "email",
        "TEL" => "phone",
        "ADR" => "address",
        "ORG" => "organisation",
        "TITLE" => "job title",
        "ROLE" => "role",
        "BDAY" => "birthday",
        "ANNIVERSARY" => "anniversary",
        "URL" => "website",
        "NOTE" => "note",
        "PHOTO" => "photo",
        "IMPP" => "messaging",
        "SUMMARY" => "summary",
        "DESCRIPTION" => "description",
        "LOCATION" => "location",
        "DTSTART" => "start",
        "DTEND" => "end",
        "DURATION" => "length",
        "DUE" => "due",
        "COMPLETED" => "completed",
        "PERCENT-COMPLETE" => "progress",
        "PRIORITY" => "priority",
        "STATUS" => "status",
        "RRULE" => "repeats",
        "RDATE" => "extra dates",
        "EXDATE" => "skipped dates",
        "CATEGORIES" => "categories",
        "ORGANIZER" => "organizer",
        "ATTENDEE" => "attendees",
        "RELATED-TO" => "parent",
        "CLASS" => "visibility",
        "TRANSP" => "shows as",
        "SEQUENCE" => "revision",
        "CREATED" => "created",
        "LAST-MODIFIED" => "last modified",
        "#VALARM" => "alarms",
        // A birthday is computed: its reminder's dismissal is kept on the contact.
        ACKNOWLEDGED => "birthday reminder dismissed",
        SNOOZED => "birthday reminder snoozed until",
        "@exists" | "@collection" => return key_label(key),
        k if k.starts_with("#O:") => {
            return format!(
                "occurrence of {}",
                readable_value("DTSTART", &k[3..], Tz::UTC)
            );
        }
        k if k.starts_with("#Z:") => return format!("time zone {}", &k[3..]),
        k => return k.trim_start_matches('#').to_ascii_lowercase(),
    };
    word.to_string()
}

/// A field's value (as [`crate::sync::review::text_of`] wrote it) in words.
/// Values that are not dates, rules or codes are returned unchanged. UTC times are
/// said in `tz`, the zone the person reads in (with its abbreviation).
pub fn readable_value(key: &str, text: &str, tz: Tz) -> String {
    match key {
        "DTSTART" | "DTEND" | "DUE" | "COMPLETED" | "RDATE" | "EXDATE" | "CREATED"
        | "LAST-MODIFIED" | "DTSTAMP" | "RECURRENCE-ID" | "BDAY" | "ANNIVERSARY" | ACKNOWLEDGED
        | SNOOZED => text
            .split(", ")
            .map(|one| {
                one.split(',')
                    .map(|v| date_words(v, tz))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .collect::<Vec<_>>()
            .join(", "),
        "RRULE" if !text.starts_with('(') => describe_rrule(text),
        "STATUS" | "CLASS" | "TRANSP" if !text.starts_with('(') => {
            text.to_ascii_lowercase().replace('-', " ")
        }
        _ => text.to_string(),
    }
}

/// `20261202` → `2 Dec 2026`, `20261202T093000` → `2 Dec 2026 09:30` (wall time),
/// `20261202T093000Z` → `2 Dec 2026 10:30 CET` (in Europe/Berlin).
fn date_words(v: &str, tz: Tz) -> String {
    let v = v.trim();
    let (body, utc) = match v.strip_suffix('Z') {
        Some(b) => (b, true),
        None => (v, false),
    };
    if let Ok(t) = NaiveDateTime::parse_from_str(body, "%Y%m%dT%H%M%S") {
        if !utc {
            return t.format("%-d %b %Y %H:%M").to_string();
        }
        return t
            .and_utc()
            .with_timezone(&tz)
            .format("%-d %b %Y %H:%M %Z")
            .to_string();
    }
    let plain: String = body.chars().filter(|c| *c != '-').collect();
    if let Ok(d) = NaiveDate::parse_from_str(&plain, "%Y%m%d") {
        return d.format("%-d %b %Y").to_string();
    }
    v.to_string()
}

/// A value that may span lines, split for display: the first line goes next to the
/// field, the others below it, kept apart instead of run together.
pub fn value_lines(text: &str) -> Vec<String> {
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        vec![String::new()]
    } else {
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_read_as_words() {
        assert_eq!(field_label("DTSTART"), "start");
        assert_eq!(field_label("FN"), "name");
        assert_eq!(field_label("#VALARM"), "alarms");
        assert_eq!(field_label("@exists"), "record exists");
        assert_eq!(field_label("X-FOO"), "x-foo");
        assert_eq!(readable_value("DTSTART", "20261202", Tz::UTC), "2 Dec 2026");
        assert_eq!(
            readable_value("DTSTART", "20261202T093000", Tz::UTC),
            "2 Dec 2026 09:30"
        );
        assert_eq!(
            readable_value("EXDATE", "20261202T093000Z,20261204T093000Z", Tz::UTC),
            "2 Dec 2026 09:30 UTC, 4 Dec 2026 09:30 UTC"
        );
        assert_eq!(
            readable_value("RRULE", "FREQ=WEEKLY;BYDAY=MO", Tz::UTC),
            "every week on Mon"
        );
        assert_eq!(
            readable_value(
                "DTSTART",
                "20261202T093000Z",
                crate::model::zonedb::Tz::known("Europe/Berlin")
            ),
            "2 Dec 2026 10:30 CET"
        );
        assert_eq!(
            readable_value("STATUS", "NEEDS-ACTION", Tz::UTC),
            "needs action"
        );
        assert_eq!(readable_value("DTSTART", "(none)", Tz::UTC), "(none)");
        assert_eq!(readable_value("SUMMARY", "Standup", Tz::UTC), "Standup");
        assert_eq!(value_lines("a\nb"), ["a", "b"]);
    }

    #[test]
    fn a_birthday_reminders_dismissal_reads_as_words() {
        assert_eq!(
            field_label("X-PIM-ACKNOWLEDGED"),
            "birthday reminder dismissed"
        );
        assert_eq!(
            field_label("X-PIM-SNOOZED"),
            "birthday reminder snoozed until"
        );
        assert_eq!(
            readable_value("X-PIM-SNOOZED", "20261207T091500Z", Tz::UTC),
            "7 Dec 2026 09:15 UTC"
        );
    }
}
