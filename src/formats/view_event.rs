//! The `--json` object of one event occurrence, written straight to the output.
//!
//! A window listing prints thousands of occurrences of a few hundred events, so the
//! parts that do not change between occurrences are computed once per event
//! ([`EventView`]) and each occurrence borrows them ([`OccurrenceJson`]). The keys and
//! values are exactly those of [`super::view::occurrence_json`] (same order: sorted).

use crate::model::zonedb::Tz;
use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use serde::Serialize;
use serde_json::Value;

use std::borrow::Cow;

use super::view::{categories, event_end, multi_raw, person, rfc3339, when_of};
use crate::model::Record;
use crate::model::borrowed::{ComponentLike, PropertyLike, RecordLike, special_from};
use crate::model::time::When;
use crate::recur::Occurrence;

/// What every occurrence of one event shares; of a decoded [`Record`] or of a
/// body read in place (the same code for both).
pub struct EventView<'a, R: RecordLike = Record> {
    record: &'a R,
    collection: &'a str,
    alarms: Vec<Value>,
    attendees: Vec<Value>,
    categories: Vec<String>,
    description: Option<String>,
    exdate: Vec<String>,
    location: Option<String>,
    organizer: Value,
    rdate: Vec<String>,
    status: Option<String>,
    summary: Option<String>,
    tz: Option<String>,
    all_day: bool,
    /// Compact JSON of the unchanging keys, between the per-occurrence values
    /// (`all_day`, `end`, `recurrence_id`, `start`): see [`EventView::write_compact`].
    pieces: [Vec<u8>; 5],
}

/// One occurrence, serialized with the keys of the record view.
#[derive(Serialize)]
pub struct OccurrenceJson<'a> {
    alarms: &'a [Value],
    all_day: bool,
    attendees: &'a [Value],
    categories: &'a [String],
    collection: &'a str,
    description: Option<&'a str>,
    end: TimeValue,
    exdate: &'a [String],
    id: &'a str,
    kind: &'static str,
    location: Option<&'a str>,
    organizer: &'a Value,
    rdate: &'a [String],
    recurrence_id: Option<&'a str>,
    rrule: Option<&'a str>,
    start: TimeValue,
    status: Option<&'a str>,
    summary: Option<&'a str>,
    tz: Option<&'a str>,
    uid: Option<&'a str>,
}

/// A time: the event's own (a JSON value, maybe null) or an occurrence's.
#[derive(Serialize)]
#[serde(untagged)]
enum TimeValue {
    Json(Value),
    Text(String),
}

impl TimeValue {
    fn as_str(&self) -> Option<&str> {
        match self {
            TimeValue::Json(v) => v.as_str(),
            TimeValue::Text(s) => Some(s),
        }
    }
}

/// The values a text listing shows, read without going through a `Value`.
impl OccurrenceJson<'_> {
    pub fn id(&self) -> &str {
        self.id
    }
    pub fn all_day(&self) -> bool {
        self.all_day
    }
    pub fn start(&self) -> Option<&str> {
        self.start.as_str()
    }
    pub fn end(&self) -> Option<&str> {
        self.end.as_str()
    }
    pub fn summary(&self) -> Option<&str> {
        self.summary
    }
    pub fn location(&self) -> Option<&str> {
        self.location
    }
    pub fn status(&self) -> Option<&str> {
        self.status
    }
}

/// The text of `r`'s property `name` (escapes resolved).
fn text_of<R: RecordLike>(r: &R, name: &str) -> Option<String> {
    r.prop(name).map(|p| p.text().into_owned())
}

impl<'a, R: RecordLike> EventView<'a, R> {
    pub fn new(r: &'a R, collection: &'a str) -> EventView<'a, R> {
        let mut view = Self::fields(r, collection);
        view.pieces = view.compact_pieces();
        view
    }

    fn fields(r: &'a R, collection: &'a str) -> EventView<'a, R> {
        let start = r.prop("DTSTART").and_then(|p| p.when().ok());
        let value = |c: &R::Comp, name: &str| c.prop(name).map(|p| p.value().to_string());
        EventView {
            record: r,
            collection,
            alarms: r
                .main()
                .subs()
                .iter()
                .filter(|c| c.name() == "VALARM")
                .map(|c| {
                    serde_json::json!({"action": value(c, "ACTION"),
                                       "trigger": value(c, "TRIGGER")})
                })
                .collect(),
            attendees: r.main().props_named("ATTENDEE").map(person).collect(),
            categories: categories(r),
            description: text_of(r, "DESCRIPTION"),
            exdate: multi_raw(r, "EXDATE"),
            location: text_of(r, "LOCATION"),
            organizer: r.prop("ORGANIZER").map(person).unwrap_or(Value::Null),
            rdate: multi_raw(r, "RDATE"),
            status: text_of(r, "STATUS"),
            summary: text_of(r, "SUMMARY"),
            all_day: start.as_ref().is_some_and(When::is_date),
            tz: match start {
                Some(When::Zoned(_, z)) => Some(z),
                Some(When::Utc(_)) => Some("UTC".into()),
                _ => None,
            },
            pieces: Default::default(),
        }
    }

    /// For [`EventView::record`] alone (an export): without the pieces that
    /// [`EventView::write_compact`] reuses across occurrences.
    pub fn for_record(r: &'a R, collection: &'a str) -> EventView<'a, R> {
        Self::fields(r, collection)
    }

    /// The compact JSON between the per-occurrence values, keys in the same order as
    /// the serialized [`OccurrenceJson`].
    fn compact_pieces(&self) -> [Vec<u8>; 5] {
        let r = self.record;
        let mut p: [Vec<u8>; 5] = std::array::from_fn(|_| Vec::with_capacity(256));
        list_field(&mut p[0], "{", "alarms", &self.alarms);
        p[0].extend_from_slice(b",\"all_day\":");
        list_field(&mut p[1], ",", "attendees", &self.attendees);
        list_field(&mut p[1], ",", "categories", &self.categories);
        text_field(&mut p[1], "collection", Some(self.collection));
        text_field(&mut p[1], "description", self.description.as_deref());
        p[1].extend_from_slice(b",\"end\":");
        list_field(&mut p[2], ",", "exdate", &self.exdate);
        text_field(&mut p[2], "id", Some(r.id()));
        text_field(&mut p[2], "kind", Some(r.kind().as_str()));
        text_field(&mut p[2], "location", self.location.as_deref());
        field(&mut p[2], ",", "organizer", &self.organizer);
        list_field(&mut p[2], ",", "rdate", &self.rdate);
        p[2].extend_from_slice(b",\"recurrence_id\":");
        text_field(&mut p[3], "rrule", r.prop("RRULE").map(PropertyLike::value));
        p[3].extend_from_slice(b",\"start\":");
        text_field(&mut p[4], "status", self.status.as_deref());
        text_field(&mut p[4], "summary", self.summary.as_deref());
        text_field(&mut p[4], "tz", self.tz.as_deref());
        text_field(&mut p[4], "uid", r.uid());
        p[4].push(b'}');
        p
    }

    /// Append the compact JSON object of `occ` to `out`: the same bytes as
    /// `serde_json::to_writer(out, &self.occurrence(occ, ..))`, without serializing
    /// the unchanging keys again.
    pub fn write_compact(&self, occ: &Occurrence, out: &mut Vec<u8>) {
        let texts = OverrideTexts::of(self.record, occ);
        if texts.any() {
            serde_json::to_writer(&mut *out, &self.occurrence(occ, &texts))
                .expect("writing to a Vec cannot fail");
            return;
        }
        let [p0, p1, p2, p3, p4] = &self.pieces;
        out.extend_from_slice(p0);
        out.extend_from_slice(if occ.all_day { b"true" } else { b"false" });
        out.extend_from_slice(p1);
        occurrence_time(out, &occ.end, occ.all_day);
        out.extend_from_slice(p2);
        match &occ.recurrence_id {
            Some(id) => json_string(out, id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(p3);
        occurrence_time(out, &occ.start, occ.all_day);
        out.extend_from_slice(p4);
    }

    /// The record's id, for ordering ties.
    pub fn id(&self) -> &str {
        self.record.id()
    }

    /// The event these fields are of.
    pub fn source(&self) -> &'a R {
        self.record
    }

    /// The summary the listing sorts by (the event's, not an override's).
    pub fn title(&self) -> &str {
        self.summary.as_deref().unwrap_or("")
    }

    /// The JSON object of `occ`, an occurrence of this event; `overrides` holds the
    /// texts of the override component that supplies it, if any.
    pub fn occurrence<'b>(
        &'b self,
        occ: &'b Occurrence,
        overrides: &'b OverrideTexts,
    ) -> OccurrenceJson<'b> {
        let r = self.record;
        let pick = |o: &'b Option<String>, own: &'b Option<String>| o.as_deref().or(own.as_deref());
        let (start, end) = if occ.all_day {
            (
                occ.start.date_naive().format("%Y-%m-%d").to_string(),
                occ.end.date_naive().format("%Y-%m-%d").to_string(),
            )
        } else {
            (rfc3339(&occ.start), rfc3339(&occ.end))
        };
        let (start, end) = (TimeValue::Text(start), TimeValue::Text(end));
        OccurrenceJson {
            alarms: &self.alarms,
            all_day: occ.all_day,
            attendees: &self.attendees,
            categories: &self.categories,
            collection: self.collection,
            description: pick(&overrides.description, &self.description),
            end,
            exdate: &self.exdate,
            id: r.id(),
            kind: r.kind().as_str(),
            location: pick(&overrides.location, &self.location),
            organizer: &self.organizer,
            rdate: &self.rdate,
            recurrence_id: occ.recurrence_id.as_deref(),
            rrule: r.prop("RRULE").map(PropertyLike::value),
            start,
            status: pick(&overrides.status, &self.status),
            summary: pick(&overrides.summary, &self.summary),
            tz: self.tz.as_deref(),
            uid: r.uid(),
        }
    }
}

impl EventView<'_, Record> {
    /// The event itself (no window), with the same keys.
    pub fn record(&self, local: Tz) -> OccurrenceJson<'_> {
        let r = self.record;
        OccurrenceJson {
            alarms: &self.alarms,
            all_day: self.all_day,
            attendees: &self.attendees,
            categories: &self.categories,
            collection: self.collection,
            description: self.description.as_deref(),
            end: TimeValue::Json(event_end(r, local)),
            exdate: &self.exdate,
            id: &r.id,
            kind: r.kind.as_str(),
            location: self.location.as_deref(),
            organizer: &self.organizer,
            rdate: &self.rdate,
            recurrence_id: None,
            rrule: r.prop("RRULE").map(|p| p.value.as_str()),
            start: TimeValue::Json(when_of(r, "DTSTART", local)),
            status: self.status.as_deref(),
            summary: self.summary.as_deref(),
            tz: self.tz.as_deref(),
            uid: r.uid(),
        }
    }
}

/// `sep"key":value` in compact JSON (`key` one of the view's own names: nothing
/// in it to escape).
fn field<T: Serialize + ?Sized>(out: &mut Vec<u8>, sep: &str, key: &'static str, value: &T) {
    debug_assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    out.extend_from_slice(sep.as_bytes());
    out.push(b'"');
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    serde_json::to_writer(&mut *out, value).expect("writing to a Vec cannot fail");
}

/// `,"key":` and a text (or `null`), as [`field`] writes it.
#[inline]
fn text_field(out: &mut Vec<u8>, key: &'static str, value: Option<&str>) {
    debug_assert!(key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    match value {
        Some(s) => json_string(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// [`field`] of a list: `[]` written as it is when empty (most are).
#[inline]
fn list_field<T: Serialize>(out: &mut Vec<u8>, sep: &str, key: &'static str, items: &[T]) {
    match items.is_empty() {
        true => {
            out.extend_from_slice(sep.as_bytes());
            out.push(b'"');
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\":[]");
        }
        false => field(out, sep, key, items),
    }
}

/// A quoted occurrence time: the date for all-day ones, else RFC 3339 in seconds.
fn occurrence_time(out: &mut Vec<u8>, t: &DateTime<FixedOffset>, all_day: bool) {
    let mut short = [0; SHORT_TIME];
    match short_time(t, all_day, &mut short) {
        Some(text) => {
            out.push(b'"');
            out.extend_from_slice(text);
            out.push(b'"');
        }
        None => serde_json::to_writer(&mut *out, &long_time(t, all_day))
            .expect("writing to a Vec cannot fail"),
    }
}

/// `s` as a JSON string, as serde_json writes it: copied as it is when nothing in
/// it is escaped (a RECURRENCE-ID never has anything to escape).
fn json_string(out: &mut Vec<u8>, s: &str) {
    if special_from(s.as_bytes(), 0) == s.len() {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
    } else {
        serde_json::to_writer(&mut *out, s).expect("writing to a Vec cannot fail");
    }
}

/// The longest short form: `2026-03-01T09:00:00+01:00`.
const SHORT_TIME: usize = 25;

/// An occurrence time in `buf`, unquoted, when it has the short form (years
/// 0–9999, offsets in whole minutes): what [`long_time`] gives, without
/// formatting machinery (this runs twice for every listed occurrence).
fn short_time<'b>(
    t: &DateTime<FixedOffset>,
    all_day: bool,
    buf: &'b mut [u8; SHORT_TIME],
) -> Option<&'b [u8]> {
    let n = t.naive_local();
    let y = n.year();
    let off = t.offset().local_minus_utc();
    if !(0..=9999).contains(&y) || off % 60 != 0 {
        return None;
    }
    date_digits(&mut buf[..10], n.date());
    if all_day {
        return Some(&buf[..10]);
    }
    buf[10] = b'T';
    digits(&mut buf[11..13], n.hour());
    buf[13] = b':';
    digits(&mut buf[14..16], n.minute());
    buf[16] = b':';
    digits(&mut buf[17..19], n.second());
    buf[19] = if off < 0 { b'-' } else { b'+' };
    let off = off.unsigned_abs();
    digits(&mut buf[20..22], off / 3600);
    buf[22] = b':';
    digits(&mut buf[23..25], off / 60 % 60);
    Some(&buf[..])
}

/// An occurrence time in any year or offset: the date for all-day ones, else
/// RFC 3339 in seconds.
fn long_time(t: &DateTime<FixedOffset>, all_day: bool) -> String {
    if all_day {
        t.naive_local().date().format("%Y-%m-%d").to_string()
    } else {
        rfc3339(t)
    }
}

/// An occurrence time as the JSON view writes it, unquoted: the date for all-day
/// ones, else RFC 3339 in seconds.
pub fn push_occurrence_time(out: &mut String, t: &DateTime<FixedOffset>, all_day: bool) {
    let mut short = [0; SHORT_TIME];
    match short_time(t, all_day, &mut short) {
        Some(text) => out.push_str(std::str::from_utf8(text).expect("a time is ASCII")),
        None => out.push_str(&long_time(t, all_day)),
    }
}

/// A day as `%Y-%m-%d` writes it, for years 0–9999 (else `None`, nothing written).
pub fn push_day(out: &mut String, d: NaiveDate) -> Option<()> {
    if !(0..=9999).contains(&d.year()) {
        return None;
    }
    let mut buf = [0; 10];
    date_digits(&mut buf, d);
    out.push_str(std::str::from_utf8(&buf).expect("a date is ASCII"));
    Some(())
}

/// `YYYY-MM-DD` into the 10 bytes of `buf` (the year in 0–9999).
fn date_digits(buf: &mut [u8], d: NaiveDate) {
    digits(&mut buf[..4], d.year() as u32);
    buf[4] = b'-';
    digits(&mut buf[5..7], d.month());
    buf[7] = b'-';
    digits(&mut buf[8..10], d.day());
}

/// `v` in exactly `out.len()` decimal digits, zero-padded (`v` fits).
#[inline]
fn digits(out: &mut [u8], mut v: u32) {
    // Two digits at a time, from a table (this runs for every listed time).
    const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
        2021222324252627282930313233343536373839404142434445464748495051525354555657585960\
        6162636465666768697071727374757677787980818283848586878889909192939495969798\
        99";
    let mut end = out.len();
    while end >= 2 {
        let i = (v % 100) as usize * 2;
        out[end - 2..end].copy_from_slice(&PAIRS[i..i + 2]);
        v /= 100;
        end -= 2;
    }
    if end == 1 {
        out[0] = b'0' + (v % 10) as u8;
    }
}

/// What a text listing shows of an event's occurrences: its summary, location
/// and status, read once per event (copied only to resolve escapes).
pub struct RowTexts<'r> {
    own: [Option<Cow<'r, str>>; 3],
}

const ROW_TEXTS: [&str; 3] = ["SUMMARY", "LOCATION", "STATUS"];

impl<'r> RowTexts<'r> {
    pub fn of<R: RecordLike>(r: &'r R) -> RowTexts<'r> {
        RowTexts {
            own: ROW_TEXTS.map(|name| r.prop(name).map(PropertyLike::text)),
        }
    }

    /// The summary the listing sorts by (the event's, not an override's).
    pub fn title(&self) -> &str {
        self.own[0].as_deref().unwrap_or("")
    }

    /// The texts of `occ`, an occurrence of `r`: an override's, when one supplies
    /// it, before the event's own, as [`EventView::occurrence`] picks them.
    pub fn of_occurrence<R: RecordLike>(
        &self,
        r: &'r R,
        occ: &Occurrence,
    ) -> [Option<Cow<'_, str>>; 3] {
        let over = occ.override_index.and_then(|i| r.overrides().get(i));
        std::array::from_fn(|i| match over.and_then(|o| o.prop(ROW_TEXTS[i])) {
            Some(p) => Some(p.text()),
            None => self.own[i].as_deref().map(Cow::Borrowed),
        })
    }
}

/// The texts an override component (`RECURRENCE-ID`) replaces in its occurrence.
#[derive(Default)]
pub struct OverrideTexts {
    summary: Option<String>,
    location: Option<String>,
    description: Option<String>,
    status: Option<String>,
}

impl OverrideTexts {
    fn any(&self) -> bool {
        self.summary.is_some()
            || self.location.is_some()
            || self.description.is_some()
            || self.status.is_some()
    }

    /// The replaced texts of `occ` (none when no override supplies it).
    pub fn of<R: RecordLike>(r: &R, occ: &Occurrence) -> OverrideTexts {
        let Some(o) = occ.override_index.and_then(|i| r.overrides().get(i)) else {
            return OverrideTexts::default();
        };
        let text = |name: &str| o.prop(name).map(|p| p.text().into_owned());
        OverrideTexts {
            summary: text("SUMMARY"),
            location: text("LOCATION"),
            description: text("DESCRIPTION"),
            status: text("STATUS"),
        }
    }
}

#[cfg(test)]
mod tests;
