//! The rows of `pim list` as text, built from the records and the typed event view
//! (no JSON value in between). Each cell holds what the `--json` key of the same
//! name holds, on one line; an all-day event's end is its last day (see
//! `formats::view::text_end_inclusive`).

use crate::model::zonedb::Tz;
use chrono::{Datelike, NaiveDate};

use crate::cli::print::Table;
use crate::formats::view::{push_when_text, record_json, when_of};
use crate::formats::view_event::{
    EventView, OccurrenceJson, RowTexts, push_day, push_occurrence_time,
};
use crate::model::borrowed::{BodyRef, ComponentRef, RecordLike};
use crate::model::property::{split_unescaped, unescape_text};
use crate::model::time::When;
use crate::model::{Component, Kind, Record};
use crate::recur::Occurrence;
use crate::store::{RawRecord, Undecodable};

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
#[cfg(test)]
pub fn record_row(r: &Record, local: Tz) -> Vec<String> {
    let mut t = Table::default();
    push_record_row(&mut t, r, local);
    t.row(0).map(str::to_string).collect()
}

/// [`record_row`] into a table.
pub fn push_record_row(t: &mut Table, r: &Record, local: Tz) {
    match r.kind {
        Kind::Contact => contact_row(t, &r.id, &BodyRef::from(&r.body).main),
        Kind::Event => t.push_row(event_row(&EventView::for_record(r, "").record(local))),
        Kind::Task => {
            task_row(t, r, local);
        }
        Kind::Note => note_row(t, &r.id, &BodyRef::from(&r.body).main),
    }
}

/// What drawing rows one after another keeps from one row to the next.
pub struct Scratch<'r> {
    /// Any body: each row's is read into it ([`BodyRef::read_again`]).
    pub body: BodyRef<'r>,
    /// The instants of local midnights already found, in one zone.
    pub midnights: Midnights,
}

impl Default for Scratch<'_> {
    fn default() -> Self {
        Scratch {
            body: BodyRef::empty(),
            midnights: Midnights::default(),
        }
    }
}

/// The instants of local midnights already found (many tasks are due on few days),
/// for one zone; a day's slot is its number modulo the room kept.
#[derive(Default)]
pub struct Midnights {
    /// (day number from the Common Era, instant) per slot.
    slots: Vec<(i32, i64)>,
}

impl Midnights {
    const ROOM: usize = 512;

    /// The instant (UTC seconds) `w` is at, as [`crate::model::tz::instant`] gives it.
    fn instant(&mut self, w: &When, zones: &[Component], local: Tz) -> i64 {
        let When::Date(d) = w else {
            return crate::model::tz::instant(w, zones, local).timestamp();
        };
        if self.slots.is_empty() {
            self.slots = vec![(i32::MIN, 0); Self::ROOM];
        }
        let n = d.num_days_from_ce();
        let slot = &mut self.slots[n.rem_euclid(Self::ROOM as i32) as usize];
        if slot.0 != n {
            *slot = (n, crate::model::tz::instant(w, zones, local).timestamp());
        }
        slot.1
    }
}

/// A contact's or note's row from its stored body read in place (no [`Record`]);
/// the same row [`record_row`] gives for the decoded record.
pub fn push_stored_row<'r>(
    t: &mut Table,
    raw: RawRecord<'r>,
    scratch: &mut Scratch<'r>,
    kind: Kind,
) -> Result<(), Undecodable> {
    let parsed;
    let body = if scratch.body.read_again(raw.data) {
        &scratch.body
    } else if let Ok(b) = BodyRef::parse(raw.data) {
        parsed = b;
        &parsed
    } else {
        push_record_row(t, &raw.decode()?, Tz::UTC);
        return Ok(());
    };
    match kind {
        Kind::Note => note_row(t, raw.id, &body.main),
        _ => contact_row(t, raw.id, &body.main),
    }
    Ok(())
}

/// Where a list puts a task: open ones first, by due instant, then priority (ties
/// in stored order).
pub type TaskOrder = (bool, i64, u8);

/// `order` as one integer that sorts as the tuple does.
pub fn packed_order((finished, due, rank): TaskOrder) -> u128 {
    // Flipping the sign bit orders an i64 as unsigned.
    let due = (due as u64) ^ (1 << 63);
    (u128::from(finished) << 72) | (u128::from(due) << 8) | u128::from(rank)
}

/// A task's row from its stored body read in place, and its place; a repeating
/// task is decoded (its open occurrence is computed once, for both).
pub fn push_stored_task_row<'r>(
    t: &mut Table,
    raw: RawRecord<'r>,
    scratch: &mut Scratch<'r>,
    local: Tz,
) -> Result<TaskOrder, Undecodable> {
    let days = &mut scratch.midnights;
    if scratch.body.read_again(raw.data) {
        if !repeats(&scratch.body.main) {
            return Ok(task_fields(t, raw.id, &scratch.body, days, local));
        }
        return Ok(task_row(t, &raw.decode()?, local));
    }
    match BodyRef::parse(raw.data) {
        Ok(body) if !repeats(&body.main) => Ok(task_fields(t, raw.id, &body, days, local)),
        _ => Ok(task_row(t, &raw.decode()?, local)),
    }
}

/// A task's row and place (a repeating task: its open occurrence, as the TUI lists it).
pub fn task_row(t: &mut Table, r: &Record, local: Tz) -> TaskOrder {
    let listed = crate::app::records::occurrence::listed_task(r, local);
    let r = listed.as_ref().unwrap_or(r);
    let days = &mut Midnights::default();
    task_fields(t, &r.id, &BodyRef::from(&r.body), days, local)
}

/// As [`Record::is_recurring`].
fn repeats(c: &ComponentRef<'_>) -> bool {
    c.prop("RRULE").is_some() || c.prop("RDATE").is_some()
}

/// id, done mark, due, priority, summary; and the list order.
fn task_fields(
    t: &mut Table,
    id: &str,
    body: &BodyRef<'_>,
    days: &mut Midnights,
    local: Tz,
) -> TaskOrder {
    let c = &body.main;
    let status = c.prop("STATUS").map(|p| &*p.value);
    let done = status.is_some_and(|v| v.eq_ignore_ascii_case("COMPLETED"));
    let finished = done || status.is_some_and(|v| v.eq_ignore_ascii_case("CANCELLED"));
    short_id(t, id);
    t.cell(if done { "[x]" } else { "[ ]" });
    let due_at = match c
        .prop("DUE")
        .and_then(|p| When::from_value(&p.value, |name| p.param(name)).ok())
    {
        Some(w) => {
            let zones: Vec<Component> = body.timezones.iter().map(|z| z.to_component()).collect();
            let at = days.instant(&w, &zones, local);
            push_when_text(t.text(), &w, &zones, local);
            t.end_ascii_cell();
            at
        }
        None => {
            t.cell("");
            i64::MAX
        }
    };
    let priority = c.prop("PRIORITY").map(|p| &*p.value);
    let rank = priority
        .and_then(|p| p.parse::<u8>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(10);
    match priority
        .and_then(|p| crate::model::time::trimmed(p).parse::<u8>().ok())
        .filter(|p| *p > 0)
    {
        Some(p) => {
            push_digits(t.text(), p);
            t.end_cell();
        }
        None => t.cell(""),
    }
    text_cell(t, c, "SUMMARY", usize::MAX);
    t.end_row();
    (finished, due_at, rank)
}

/// `n` in decimal (as `{n}` formats it, without the formatting machinery).
fn push_digits(out: &mut String, n: u8) {
    if n >= 100 {
        out.push(char::from(b'0' + n / 100));
    }
    if n >= 10 {
        out.push(char::from(b'0' + n / 10 % 10));
    }
    out.push(char::from(b'0' + n % 10));
}

/// A text property's value, unescaped, on one line, `chars` characters at most
/// ("" when absent); as [`Record::text`].
fn text_cell(t: &mut Table, c: &ComponentRef<'_>, name: &str, chars: usize) {
    match c.prop(name) {
        // Most texts: nothing to unescape, on one line, short enough (one look).
        Some(p)
            if p.value.len() <= chars
                && memchr::memchr2(b'\\', b'\n', p.value.as_bytes()).is_none() =>
        {
            t.cell(&p.value)
        }
        Some(p) if memchr::memchr(b'\\', p.value.as_bytes()).is_some() => {
            t.one_line_cell(&unescape_text(&p.value), chars)
        }
        Some(p) => t.one_line_cell(&p.value, chars),
        None => t.cell(""),
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
        v.id().replace('\n', " ").chars().take(8).collect(),
        start,
        end,
        summary,
        one_line(v.location().unwrap_or("")),
    ]
}

/// An occurrence of `r`'s row, as [`event_row`] gives it for [`EventView::occurrence`]
/// (`r` decoded or read in place).
/// `texts` are `r`'s own ([`RowTexts::of`]).
pub fn push_occurrence_row<'r, R: RecordLike>(
    t: &mut Table,
    r: &'r R,
    texts: &RowTexts<'r>,
    occ: &Occurrence,
) {
    let [summary, location, status] = texts.of_occurrence(r, occ);
    let (summary, location) = (summary.as_deref(), location.as_deref());
    short_id(t, r.id());
    if occ.all_day {
        let (first, after) = (occ.start.date_naive(), occ.end.date_naive());
        let in_range = |d: NaiveDate| (0..=9999).contains(&d.year());
        if in_range(first) && in_range(after) {
            let last = after.pred_opt().filter(|d| *d >= first).unwrap_or(first);
            for d in [first, last] {
                push_day(t.text(), d).expect("a year in 0-9999");
                t.end_ascii_cell();
            }
        } else {
            // Years outside 0–9999: through their `%Y-%m-%d` text, as always.
            let start = first.format("%Y-%m-%d").to_string();
            let end = after.format("%Y-%m-%d").to_string();
            match (day(&start), day(&end)) {
                (Some(first), Some(after)) => {
                    let last = after.pred_opt().filter(|d| *d >= first).unwrap_or(first);
                    t.cell(&start);
                    t.cell(&last.format("%Y-%m-%d").to_string());
                }
                _ => {
                    t.cell(&start);
                    t.cell(&end);
                }
            }
        }
    } else {
        // Times are ASCII.
        push_occurrence_time(t.text(), &occ.start, false);
        t.end_ascii_cell();
        push_occurrence_time(t.text(), &occ.end, false);
        t.end_ascii_cell();
    }
    let cancelled = status.is_some_and(|s| s.replace('\n', " ").eq_ignore_ascii_case("CANCELLED"));
    if cancelled {
        t.text().push_str("[cancelled] ");
    }
    push_one_line(t.text(), summary.unwrap_or(""));
    t.end_cell();
    t.one_line_cell(location.unwrap_or(""), usize::MAX);
    t.end_row();
}

/// id, full name, e-mail addresses, phone numbers, organisation.
fn contact_row(t: &mut Table, id: &str, c: &ComponentRef<'_>) {
    short_id(t, id);
    text_cell(t, c, "FN", usize::MAX);
    for name in ["EMAIL", "TEL"] {
        for (i, p) in c.props_named(name).enumerate() {
            if i > 0 {
                t.text().push_str(", ");
            }
            match p.value.contains('\\') {
                true => push_one_line(t.text(), &unescape_text(&p.value)),
                false => push_one_line(t.text(), &p.value),
            }
        }
        t.end_cell();
    }
    if let Some(p) = c.prop("ORG") {
        push_one_line(t.text(), &split_unescaped(&p.value, ';').join(", "));
    }
    t.end_cell();
    t.end_row();
}

/// id, title, the start of the body.
fn note_row(t: &mut Table, id: &str, c: &ComponentRef<'_>) {
    short_id(t, id);
    text_cell(t, c, "SUMMARY", usize::MAX);
    // What the store keeps for listings holds this much of it (model::listed).
    text_cell(
        t,
        c,
        "DESCRIPTION",
        crate::model::listed::NOTE_PREVIEW_CHARS,
    );
    t.end_row();
}

fn short_id(t: &mut Table, id: &str) {
    t.one_line_cell(id, 8);
}

fn push_one_line(out: &mut String, s: &str) {
    match memchr::memchr(b'\n', s.as_bytes()) {
        None => out.push_str(s),
        Some(_) => out.extend(s.chars().map(|c| if c == '\n' { ' ' } else { c })),
    }
}

fn one_line(s: &str) -> String {
    s.replace('\n', " ")
}

fn day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests;
