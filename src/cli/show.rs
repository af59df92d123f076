//! `pim show ID` as text: one aligned "label  value" line per field, repeated
//! values on their own lines with their types in parentheses, long text kept apart
//! below. Built from the same JSON view `--json` prints, so both say the same.

use serde_json::Value;

use crate::recur::describe::describe_rrule;

/// The lines of a record's text view.
pub fn record_lines(v: &Value) -> Vec<String> {
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut long_text: Option<(&str, String)> = None;
    let add = |rows: &mut Vec<(String, String)>, label: &str, value: String| {
        if !value.trim().is_empty() {
            rows.push((label.to_string(), value));
        }
    };
    let s = |key: &str| v[key].as_str().unwrap_or("").to_string();
    match v["kind"].as_str().unwrap_or("") {
        "contact" => {
            add(&mut rows, "Name", s("full_name"));
            add(&mut rows, "Title", s("title"));
            add(&mut rows, "Organisation", s("org"));
            typed_values(&mut rows, "Email", &v["email_entries"]);
            typed_values(&mut rows, "Phone", &v["phone_entries"]);
            for a in v["addresses"].as_array().into_iter().flatten() {
                add(&mut rows, "Address", with_types(&address(a), &a["types"]));
            }
            add(&mut rows, "Birthday", s("birthday"));
            add(&mut rows, "Anniversary", s("anniversary"));
            add(&mut rows, "Website", s("url"));
            add(&mut rows, "Categories", list(&v["categories"]));
            if v["photo"] == Value::Bool(true) {
                add(&mut rows, "Photo", "yes".into());
            }
            long_text = Some(("Note", s("note")));
        }
        "event" => {
            add(&mut rows, "Summary", s("summary"));
            let zone = v["tz"].as_str().filter(|z| *z != "UTC");
            let all_day = v["all_day"] == Value::Bool(true);
            add(&mut rows, "Start", time(&s("start"), zone));
            add(&mut rows, "End", time(&s("end"), zone));
            if all_day {
                add(&mut rows, "All day", "yes".into());
            }
            if let Some(rule) = v["rrule"].as_str() {
                add(&mut rows, "Repeats", describe_rrule(rule));
            }
            add(&mut rows, "Also on", list(&v["rdate"]));
            add(&mut rows, "Except", list(&v["exdate"]));
            add(&mut rows, "Location", s("location"));
            add(&mut rows, "Status", lower(&s("status")));
            add(&mut rows, "Categories", list(&v["categories"]));
            if v["organizer"].is_object() {
                add(&mut rows, "Organizer", person(&v["organizer"]));
            }
            for a in v["attendees"].as_array().into_iter().flatten() {
                add(&mut rows, "Attendee", person(a));
            }
            alarms(&mut rows, v);
            long_text = Some(("Description", s("description")));
        }
        "task" => {
            add(&mut rows, "Summary", s("summary"));
            add(&mut rows, "Status", lower(&s("status")));
            add(&mut rows, "Due", time(&s("due"), None));
            add(&mut rows, "Start", time(&s("start"), None));
            if let Some(rule) = v["rrule"].as_str() {
                add(&mut rows, "Repeats", describe_rrule(rule));
            }
            add(&mut rows, "Next due", time(&s("next_due"), None));
            add(&mut rows, "Completed", time(&s("completed"), None));
            if let Some(p) = v["priority"].as_u64() {
                add(&mut rows, "Priority", priority(p));
            }
            if let Some(p) = v["percent_complete"].as_u64() {
                add(&mut rows, "Progress", format!("{p} %"));
            }
            add(&mut rows, "Parent", s("parent"));
            alarms(&mut rows, v);
            add(&mut rows, "Categories", list(&v["categories"]));
            long_text = Some(("Description", s("description")));
        }
        "note" => {
            add(&mut rows, "Title", s("title"));
            add(&mut rows, "Categories", list(&v["categories"]));
            long_text = Some(("Body", s("body")));
        }
        _ => {}
    }
    let collection_label = match v["kind"].as_str().unwrap_or("") {
        "contact" => "Address book",
        "event" => "Calendar",
        "task" => "Task list",
        _ => "Notebook",
    };
    add(&mut rows, collection_label, s("collection"));
    add(&mut rows, "Id", s("id"));
    add(&mut rows, "UID", s("uid"));
    aligned(rows, long_text)
}

/// Labels padded to one width; a multi-line value continues under its first line;
/// the long text (a description, a note's body) follows after a blank line.
fn aligned(rows: Vec<(String, String)>, long_text: Option<(&str, String)>) -> Vec<String> {
    let width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let mut out = Vec::new();
    let mut last_label = String::new();
    for (label, value) in rows {
        let shown = if label == last_label { "" } else { &label };
        for (i, line) in value.lines().enumerate() {
            let l = if i == 0 { shown } else { "" };
            let pad = width - l.chars().count();
            out.push(
                format!("{l}{}{line}", " ".repeat(pad))
                    .trim_end()
                    .to_string(),
            );
        }
        last_label = label;
    }
    if let Some((label, text)) = long_text
        && !text.trim().is_empty()
    {
        out.push(String::new());
        out.push(format!("{label}:"));
        out.extend(
            text.trim_end()
                .lines()
                .map(|l| format!("  {l}").trim_end().to_string()),
        );
    }
    out
}

/// `value (type, type)` per entry of an `email_entries` / `phone_entries` array.
fn typed_values(rows: &mut Vec<(String, String)>, label: &str, entries: &Value) {
    for e in entries.as_array().into_iter().flatten() {
        let value = e["value"].as_str().unwrap_or("");
        if !value.is_empty() {
            rows.push((label.to_string(), with_types(value, &e["types"])));
        }
    }
}

fn with_types(value: &str, types: &Value) -> String {
    let types: Vec<&str> = types
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|t| !t.is_empty() && *t != "internet" && *t != "pref")
        .collect();
    if types.is_empty() {
        value.to_string()
    } else {
        format!("{value} ({})", types.join(", "))
    }
}

fn address(a: &Value) -> String {
    let part = |k: &str| a[k].as_str().unwrap_or("").trim().to_string();
    let town = [part("postal_code"), part("locality")]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    [
        part("po_box"),
        part("extended"),
        part("street"),
        town,
        part("region"),
        part("country"),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ")
}

/// `Name <email> (accepted, chair)`.
fn person(p: &Value) -> String {
    let email = p["email"].as_str().unwrap_or("");
    let mut s = match p["name"].as_str().filter(|n| !n.is_empty()) {
        Some(name) => format!("{name} <{email}>"),
        None => email.to_string(),
    };
    let mut notes = Vec::new();
    if let Some(ps) = p["partstat"].as_str() {
        notes.push(lower(ps));
    }
    if let Some(role) = p["role"]
        .as_str()
        .filter(|r| !r.eq_ignore_ascii_case("REQ-PARTICIPANT"))
    {
        notes.push(lower(role));
    }
    if !notes.is_empty() {
        s.push_str(&format!(" ({})", notes.join(", ")));
    }
    s
}

/// Alarms as `--alarm` takes them when the caller worked them out (relative to
/// the end, absolute, snoozed), else each stored trigger in words.
fn alarms(rows: &mut Vec<(String, String)>, v: &Value) {
    if let Some(text) = v["alarms_text"].as_str() {
        if !text.is_empty() {
            rows.push(("Alarms".to_string(), text.to_string()));
        }
        return;
    }
    for a in v["alarms"].as_array().into_iter().flatten() {
        rows.push(("Alarm".to_string(), alarm(a)));
    }
}

fn alarm(a: &Value) -> String {
    let trigger = a["trigger"].as_str().unwrap_or("");
    let when = match crate::model::time::parse_ical_duration(trigger) {
        Ok(d) if d.num_seconds() < 0 => format!("{} before", span(-d.num_seconds())),
        Ok(d) if d.num_seconds() > 0 => format!("{} after", span(d.num_seconds())),
        Ok(_) => "at the start".to_string(),
        Err(_) => trigger.to_string(),
    };
    match a["action"].as_str() {
        Some(action) => format!("{when} ({})", lower(action)),
        None => when,
    }
}

/// Seconds as "1 d 2 h 15 min".
fn span(secs: i64) -> String {
    let mut parts = Vec::new();
    let (d, h, m) = (secs / 86_400, secs % 86_400 / 3600, secs % 3600 / 60);
    if d > 0 {
        parts.push(format!("{d} d"));
    }
    if h > 0 {
        parts.push(format!("{h} h"));
    }
    if m > 0 || parts.is_empty() {
        parts.push(format!("{m} min"));
    }
    parts.join(" ")
}

/// RFC 3339 as `2026-12-01 09:30 (Europe/London)`; a date stays a date.
fn time(value: &str, zone: Option<&str>) -> String {
    let Ok(t) = chrono::DateTime::parse_from_rfc3339(value) else {
        return value.to_string();
    };
    let local = t.format("%Y-%m-%d %H:%M").to_string();
    match zone {
        Some(z) => format!("{local} ({z})"),
        None => format!("{local} ({})", t.format("%:z")),
    }
}

fn priority(p: u64) -> String {
    let word = match p {
        1..=4 => "high",
        5 => "medium",
        _ => "low",
    };
    format!("{p} ({word})")
}

fn list(v: &Value) -> String {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect::<Vec<_>>()
        .join(", ")
}

fn lower(s: &str) -> String {
    s.to_ascii_lowercase().replace('-', " ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::record_lines;

    #[test]
    fn a_contact_reads_as_aligned_labels_with_types() {
        let v = json!({
            "id": "abc", "kind": "contact", "collection": "Contacts", "uid": "u1",
            "full_name": "Ada Lovelace", "org": "Analytical Engines",
            "email_entries": [{"value": "ada@example.org", "types": ["work"]},
                              {"value": "ada@home.example", "types": []}],
            "phone_entries": [], "addresses": [{"types": ["home"], "po_box": "",
                "extended": "", "street": "12 St James's Square", "locality": "London",
                "region": "", "postal_code": "SW1Y 4JH", "country": "UK"}],
            "birthday": "1815-12-10", "categories": [], "photo": false,
            "note": "line one\nline two"
        });
        let lines = record_lines(&v);
        assert_eq!(
            lines,
            [
                "Name          Ada Lovelace",
                "Organisation  Analytical Engines",
                "Email         ada@example.org (work)",
                "              ada@home.example",
                "Address       12 St James's Square, SW1Y 4JH London, UK (home)",
                "Birthday      1815-12-10",
                "Address book  Contacts",
                "Id            abc",
                "UID           u1",
                "",
                "Note:",
                "  line one",
                "  line two",
            ]
        );
    }

    #[test]
    fn an_event_says_its_rule_in_words_and_people_plainly() {
        let v = json!({
            "id": "e1", "kind": "event", "collection": "Work", "uid": "u2",
            "summary": "Standup", "start": "2026-12-02T09:30:00+00:00",
            "end": "2026-12-02T09:45:00+00:00", "all_day": false, "tz": "Europe/London",
            "rrule": "FREQ=WEEKLY;BYDAY=MO,WE,FR", "rdate": [], "exdate": [],
            "categories": [], "status": null, "location": "Room 4",
            "organizer": {"email": "bob@example.org", "name": "Bob", "partstat": null,
                          "role": null, "rsvp": null},
            "attendees": [{"email": "ada@example.org", "name": null,
                           "partstat": "ACCEPTED", "role": "REQ-PARTICIPANT", "rsvp": null}],
            "alarms": [{"action": "DISPLAY", "trigger": "-PT15M"}],
        });
        let text = record_lines(&v).join("\n");
        assert!(
            text.contains("Repeats    every week on Mon, Wed, Fri"),
            "{text}"
        );
        assert!(
            text.contains("Start      2026-12-02 09:30 (Europe/London)"),
            "{text}"
        );
        assert!(text.contains("Organizer  Bob <bob@example.org>"), "{text}");
        assert!(
            text.contains("Attendee   ada@example.org (accepted)"),
            "{text}"
        );
        assert!(
            text.contains("Alarm      15 min before (display)"),
            "{text}"
        );
        assert!(!text.contains('{'), "no JSON: {text}");
    }
}
