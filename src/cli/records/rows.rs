//! The rows of `pim list` as text, built from the records and the typed event view
//! (no JSON value in between). Each cell holds what the `--json` key of the same
//! name holds, on one line; an all-day event's end is its last day (see
//! `formats::view::text_end_inclusive`).

use chrono::NaiveDate;
use chrono_tz::Tz;

use crate::formats::view::{record_json, when_of};
use crate::formats::view_event::{EventView, OccurrenceJson};
use crate::model::property::split_unescaped;
use crate::model::{Kind, Property, Record};

/// A record's `--json` object. A repeating task also says `next_due`: the due of
/// the open occurrence its row shows (`null` when every one is done); `due` stays
/// the series' own.
pub fn record_value(r: &Record, collection: &str, local: Tz) -> serde_json::Value {
    let mut v = record_json(r, collection, local);
    if r.kind == Kind::Task
        && r.is_recurring()
        && let serde_json::Value::Object(m) = &mut v
    {
        let next = crate::app::records::occurrence::open_occurrence_record(r, local)
            .map(|o| when_of(&o, "DUE", local))
            .unwrap_or(serde_json::Value::Null);
        m.insert("next_due".into(), next);
    }
    v
}

/// A record's row (events: the event itself, not its occurrences).
pub fn record_row(r: &Record, local: Tz) -> Vec<String> {
    match r.kind {
        Kind::Contact => contact_row(r),
        Kind::Event => event_row(&EventView::for_record(r, "").record(local)),
        Kind::Task => task_row(r, local),
        Kind::Note => note_row(r),
    }
}

/// An event's or occurrence's row: id, start, end, summary, location.
pub fn event_row(v: &OccurrenceJson<'_>) -> Vec<String> {
    let start = one_line(v.start().unwrap_or(""));
    let mut end = one_line(v.end().unwrap_or(""));
    if v.all_day()
        && let (Some(first), Some(after)) = (day(&start), day(&end))
    {
        let last = after.pred_opt().filter(|d| *d >= first).unwrap_or(first);
        end = last.format("%Y-%m-%d").to_string();
    }
    let summary = one_line(v.summary().unwrap_or(""));
    // Cancelled occurrences stay listed, marked (JSON: `status`).
    let cancelled = one_line(v.status().unwrap_or("")).eq_ignore_ascii_case("CANCELLED");
    let summary = if cancelled {
        format!("[cancelled] {summary}")
    } else {
        summary
    };
    vec![
        short_id(v.id()),
        start,
        end,
        summary,
        one_line(v.location().unwrap_or("")),
    ]
}

/// id, full name, e-mail addresses, phone numbers, organisation.
fn contact_row(r: &Record) -> Vec<String> {
    let joined = |name: &str| {
        r.props_named(name)
            .map(|p| one_line(&Property::text_value(p)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let org = r
        .prop("ORG")
        .map(|p| one_line(&split_unescaped(&p.value, ';').join(", ")))
        .unwrap_or_default();
    vec![
        short_id(&r.id),
        one_line(&r.text("FN").unwrap_or_default()),
        joined("EMAIL"),
        joined("TEL"),
        org,
    ]
}

/// id, done mark, due, priority, summary.
fn task_row(r: &Record, local: Tz) -> Vec<String> {
    // A repeating task: its open occurrence, as the TUI lists it.
    let listed = crate::app::records::occurrence::listed_task(r, local);
    let r = listed.as_ref().unwrap_or(r);
    let done = r
        .prop("STATUS")
        .is_some_and(|p| p.value.eq_ignore_ascii_case("COMPLETED"));
    let due = when_of(r, "DUE", local);
    let priority = r
        .prop("PRIORITY")
        .and_then(|p| p.value.trim().parse::<u8>().ok())
        .filter(|p| *p > 0)
        .map(|p| p.to_string())
        .unwrap_or_default();
    vec![
        short_id(&r.id),
        if done { "[x]" } else { "[ ]" }.into(),
        one_line(due.as_str().unwrap_or("")),
        priority,
        one_line(&r.text("SUMMARY").unwrap_or_default()),
    ]
}

/// id, title, the start of the body.
fn note_row(r: &Record) -> Vec<String> {
    let body = one_line(&r.text("DESCRIPTION").unwrap_or_default());
    vec![
        short_id(&r.id),
        one_line(&r.text("SUMMARY").unwrap_or_default()),
        body.chars().take(60).collect(),
    ]
}

fn short_id(id: &str) -> String {
    one_line(id).chars().take(8).collect()
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::print::short;
    use crate::formats::view::{record_json, text_end_inclusive};
    use serde_json::Value;

    /// The row as it was built before: through the JSON view.
    fn row_via_value(kind: Kind, mut v: Value) -> Vec<String> {
        text_end_inclusive(&mut v);
        let g = |k: &str| short(&v[k]);
        let id: String = g("id").chars().take(8).collect();
        match kind {
            Kind::Contact => vec![id, g("full_name"), g("emails"), g("phones"), g("org")],
            Kind::Event => {
                let summary = if g("status").eq_ignore_ascii_case("CANCELLED") {
                    format!("[cancelled] {}", g("summary"))
                } else {
                    g("summary")
                };
                vec![id, g("start"), g("end"), summary, g("location")]
            }
            Kind::Task => {
                let mark = if g("status") == "COMPLETED" {
                    "[x]"
                } else {
                    "[ ]"
                };
                vec![id, mark.into(), g("due"), g("priority"), g("summary")]
            }
            Kind::Note => vec![id, g("title"), g("body").chars().take(60).collect()],
        }
    }

    fn records() -> Vec<Record> {
        let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\n\
BEGIN:VEVENT\r\nUID:a\r\nSUMMARY:Stand-up\\, daily\\nsecond line\r\nDTSTART;TZID=Europe/Berlin:20260302T090000\r\n\
DTEND;TZID=Europe/Berlin:20260302T091500\r\nRRULE:FREQ=DAILY;COUNT=5\r\nLOCATION:Room 1\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:b\r\nSUMMARY:Holiday\r\nDTSTART;VALUE=DATE:20260305\r\nDTEND;VALUE=DATE:20260307\r\nSTATUS:cancelled\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:c\r\nSUMMARY:One day\r\nDTSTART;VALUE=DATE:20260305\r\nDTEND;VALUE=DATE:20260305\r\nEND:VEVENT\r\n\
BEGIN:VEVENT\r\nUID:d\r\nDTSTART:20260306T120000Z\r\nDURATION:PT30M\r\nEND:VEVENT\r\n\
BEGIN:VTODO\r\nUID:t1\r\nSUMMARY:Pay\r\nDUE;VALUE=DATE:20260310\r\nPRIORITY:3\r\nSTATUS:completed\r\nEND:VTODO\r\n\
BEGIN:VTODO\r\nUID:t2\r\nSUMMARY:Plan\r\nDUE:20260311T100000Z\r\nPRIORITY:0\r\nEND:VTODO\r\n\
BEGIN:VJOURNAL\r\nUID:n1\r\nSUMMARY:Notes\r\nDESCRIPTION:line one\\nline two and a long tail of words that goes past sixty characters é\r\nEND:VJOURNAL\r\n\
END:VCALENDAR\r\n";
        let vcf = "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n\
EMAIL;TYPE=work:ada@example.org\r\nEMAIL:a\\nb@example.org\r\nTEL:+44 1\r\nTEL:+44 2\r\nORG:Analytical;Engines\r\nEND:VCARD\r\n\
BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Nobody\r\nEND:VCARD\r\n";
        let mut out: Vec<Record> = crate::formats::ics::read_ics(ics)
            .into_iter()
            .map(|i| i.expect("item").record)
            .collect();
        out.extend(
            crate::formats::vcard::read_vcf(vcf.as_bytes())
                .into_iter()
                .map(|i| i.expect("card").record),
        );
        out
    }

    #[test]
    fn rows_are_those_the_json_view_gave() {
        let local: Tz = "America/New_York".parse().unwrap();
        let records = records();
        assert_eq!(records.len(), 9);
        for r in &records {
            assert_eq!(
                record_row(r, local),
                row_via_value(r.kind, record_json(r, "c", local)),
                "{r:?}"
            );
        }
    }
}
