//! What is coming, grouped by day (`pim agenda`), and the one next event for a
//! status bar (`pim agenda --next`).
//!
//! The agenda starts now: events that have not ended yet (one in progress counts),
//! tasks due from today's midnight on that are not done or cancelled, and the
//! birthday calendar ([`super::birthdays`]), and on today the reminders due now and
//! not dismissed ([`super::reminders::due`]). An event spanning several days is
//! listed on each of them.

use std::collections::HashMap;
use std::path::Path;

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::birthdays;
use crate::model::time::{When, local_to_utc};
use crate::model::{Record, tz};
use crate::recur::expand;
use crate::store::{SLACK_SECS, Store, StoreError};

/// Occurrences of one event an agenda lists at most (a FREQ=MINUTELY series).
const MAX_PER_EVENT: usize = 2_000;

#[derive(Debug, thiserror::Error)]
pub enum AgendaError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("--format: {0}")]
    Format(String),
    #[error(transparent)]
    Remind(#[from] super::reminders::RemindError),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Birthday,
    Anniversary,
    Event,
    Task,
    /// A reminder due now and not dismissed (listed on today).
    Reminder,
}

/// One line of the agenda. Times are in the user's zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaItem {
    pub kind: ItemKind,
    /// The event's or task's id; the contact's for a birthday or anniversary.
    pub id: String,
    pub summary: String,
    pub all_day: bool,
    /// A timed event's start and end, a task's due time (`end` none).
    pub start: Option<DateTime<FixedOffset>>,
    pub end: Option<DateTime<FixedOffset>>,
    pub location: Option<String>,
    pub collection: String,
    pub cancelled: bool,
    /// Age on a birthday, years on an anniversary, when the year is known.
    pub years: Option<i32>,
}

/// The items of one local day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgendaDay {
    pub date: NaiveDate,
    pub items: Vec<AgendaItem>,
}

/// What `pim agenda` lists.
#[derive(Debug, Clone, Copy)]
pub struct AgendaRequest {
    pub now: DateTime<Utc>,
    pub tz: Tz,
    /// Today and the `days - 1` days after it.
    pub days: u32,
    pub birthdays: bool,
}

fn local_midnight(d: NaiveDate, tz: Tz) -> DateTime<Utc> {
    local_to_utc(d.and_hms_opt(0, 0, 0).expect("midnight"), tz)
}

fn fixed(t: DateTime<Utc>, tz: Tz) -> DateTime<FixedOffset> {
    t.with_timezone(&tz).fixed_offset()
}

fn collection_names(store: &Store) -> Result<HashMap<String, String>, StoreError> {
    Ok(store
        .collections(None)?
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect())
}

/// The agenda: one entry per day that has something, in order.
pub fn agenda(store: &Store, req: AgendaRequest) -> Result<Vec<AgendaDay>, AgendaError> {
    let tz = req.tz;
    let today = req.now.with_timezone(&tz).date_naive();
    // The day after the last one listed, never past the calendar (year 9999).
    let calendar_end = NaiveDate::from_ymd_opt(10000, 1, 1).expect("a valid date");
    // Checked: `--days 100000000` is past what a date can hold at all.
    let last = today
        .checked_add_signed(Duration::days(i64::from(req.days.max(1))))
        .map_or(calendar_end, |d| d.min(calendar_end));
    let end = local_midnight(last, tz);
    let names = collection_names(store)?;
    let name = |id: &str| names.get(id).cloned().unwrap_or_default();
    let mut by_day: HashMap<NaiveDate, Vec<AgendaItem>> = HashMap::new();

    for row in store.events_between_rows(req.now.timestamp(), end.timestamp(), None)? {
        let Ok(event) = row.decode_or_skip() else {
            continue;
        };
        // A broken event must not hide the others (`pim list` names it).
        let Ok(found) = expand(&event, req.now, end, tz, MAX_PER_EVENT) else {
            continue;
        };
        for o in found.occurrences {
            let (first, last_day, start, stop) = if o.all_day {
                let (s, e) = (o.start.date_naive(), o.end.date_naive());
                (s, e.pred_opt().unwrap_or(s).max(s), None, None)
            } else {
                let (s, e) = (o.start.with_timezone(&tz), o.end.with_timezone(&tz));
                let last = (e - Duration::nanoseconds(1))
                    .date_naive()
                    .max(s.date_naive());
                (
                    s.date_naive(),
                    last,
                    Some(s.fixed_offset()),
                    Some(e.fixed_offset()),
                )
            };
            let item = AgendaItem {
                kind: ItemKind::Event,
                id: event.id.clone(),
                summary: override_text(&event, o.override_index, "SUMMARY")
                    .unwrap_or_else(|| event.title()),
                all_day: o.all_day,
                start,
                end: stop,
                location: override_text(&event, o.override_index, "LOCATION"),
                collection: name(&event.collection),
                cancelled: o.cancelled,
                years: None,
            };
            let mut d = first.max(today);
            while d <= last_day && d < last {
                by_day.entry(d).or_default().push(item.clone());
                d += Duration::days(1);
            }
        }
    }

    let from = local_midnight(today, tz);
    for task in
        store.tasks_due_between(from.timestamp() - SLACK_SECS, end.timestamp() + SLACK_SECS)?
    {
        // Repeating tasks: each open occurrence, below.
        if is_done(&task) || task.is_recurring() {
            continue;
        }
        let Some(due) = task.prop("DUE").and_then(|p| When::from_property(p).ok()) else {
            continue;
        };
        let at = tz::instant(&due, &task.body.timezones, tz);
        if at < from || at >= end {
            continue;
        }
        let day = match &due {
            When::Date(d) => *d,
            _ => at.with_timezone(&tz).date_naive(),
        };
        by_day.entry(day).or_default().push(AgendaItem {
            kind: ItemKind::Task,
            id: task.id.clone(),
            summary: task.title(),
            all_day: due.is_date(),
            start: (!due.is_date()).then(|| fixed(at, tz)),
            end: None,
            location: None,
            collection: name(&task.collection),
            cancelled: false,
            years: None,
        });
    }

    for task in store.recurring_tasks()? {
        for o in super::records::occurrence::open_task_occurrences_between(&task, from, end, tz) {
            let Some(due) = o.due else { continue };
            let day = if o.all_day {
                due.date_naive()
            } else {
                due.with_timezone(&tz).date_naive()
            };
            by_day.entry(day).or_default().push(AgendaItem {
                kind: ItemKind::Task,
                id: task.id.clone(),
                summary: o.summary.clone().unwrap_or_else(|| task.title()),
                all_day: o.all_day,
                start: (!o.all_day).then(|| due.with_timezone(&tz).fixed_offset()),
                end: None,
                location: None,
                collection: name(&task.collection),
                cancelled: false,
                years: None,
            });
        }
    }

    for r in super::reminders::due(store, req.now, tz)? {
        by_day.entry(today).or_default().push(AgendaItem {
            kind: ItemKind::Reminder,
            id: r.id,
            summary: r.summary,
            all_day: r.all_day,
            start: Some(r.start),
            end: None,
            location: r.location,
            collection: String::new(),
            cancelled: false,
            years: None,
        });
    }

    if req.birthdays {
        for b in birthdays::between(store, today, last)? {
            by_day.entry(b.date).or_default().push(AgendaItem {
                kind: match b.occasion {
                    birthdays::Occasion::Birthday => ItemKind::Birthday,
                    birthdays::Occasion::Anniversary => ItemKind::Anniversary,
                },
                id: b.contact_id.clone(),
                summary: b.summary(),
                all_day: true,
                start: None,
                end: None,
                location: None,
                collection: birthdays::COLLECTION.to_string(),
                cancelled: false,
                years: b.years,
            });
        }
    }

    let mut days: Vec<AgendaDay> = by_day
        .into_iter()
        .map(|(date, mut items)| {
            // Birthdays, then all-day events, then by time; tasks after events.
            items.sort_by(|a, b| {
                let key = |i: &AgendaItem| {
                    (
                        // Reminders ringing now first, then birthdays.
                        i.kind != ItemKind::Reminder,
                        !matches!(i.kind, ItemKind::Birthday | ItemKind::Anniversary),
                        !i.all_day,
                        i.start.map(|s| s.with_timezone(&Utc)),
                        i.kind,
                    )
                };
                key(a)
                    .cmp(&key(b))
                    .then_with(|| a.summary.cmp(&b.summary))
                    .then_with(|| a.id.cmp(&b.id))
            });
            AgendaDay { date, items }
        })
        .collect();
    days.sort_by_key(|d| d.date);
    Ok(days)
}

fn is_done(task: &Record) -> bool {
    task.prop("STATUS").is_some_and(|p| {
        p.value.eq_ignore_ascii_case("COMPLETED") || p.value.eq_ignore_ascii_case("CANCELLED")
    })
}

/// A text property of the override supplying an occurrence, else of the event.
fn override_text(event: &Record, override_index: Option<usize>, name: &str) -> Option<String> {
    override_index
        .and_then(|i| event.body.overrides.get(i))
        .and_then(|o| o.prop(name))
        .or_else(|| event.prop(name))
        .map(|p| p.text_value())
        .filter(|s| !s.is_empty())
}

/// The event a status bar shows: the timed, not cancelled occurrence that has not
/// ended yet with the earliest start (so one in progress counts); all-day events,
/// birthdays and tasks never do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NextEvent {
    pub id: String,
    pub summary: String,
    pub start: DateTime<FixedOffset>,
    pub end: DateTime<FixedOffset>,
    pub location: Option<String>,
    pub collection: String,
}

/// How far ahead `next` looks, widening until it finds something.
const NEXT_HORIZONS_DAYS: [i64; 4] = [2, 14, 62, 400];
/// Upcoming events kept in the cache at most.
const NEXT_KEPT: usize = 200;

/// The upcoming events from `now` up to `horizon` (everything that starts before
/// it is in `events`), as kept between calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct NextCache {
    stamp: String,
    tz: String,
    computed_at: DateTime<Utc>,
    horizon: DateTime<Utc>,
    events: Vec<NextEvent>,
}

impl NextCache {
    /// The answer at `now`, when this cache knows it.
    fn answer(&self, now: DateTime<Utc>) -> Option<Option<NextEvent>> {
        if now < self.computed_at || now >= self.horizon {
            return None;
        }
        match self
            .events
            .iter()
            .filter(|e| e.end > now)
            .min_by_key(|e| e.start)
        {
            Some(e) if e.start < self.horizon => Some(Some(e.clone())),
            Some(_) => None,
            None if self.events.len() < NEXT_KEPT => Some(None),
            None => None,
        }
    }
}

/// The next event (see [`NextEvent`]). With `cache`, the upcoming events are kept in
/// that file and reused while the database is unchanged (a status bar calls this
/// every few seconds): the answer is the same as without it.
pub fn next(
    store: &Store,
    now: DateTime<Utc>,
    tz: Tz,
    cache: Option<&Path>,
) -> Result<Option<NextEvent>, StoreError> {
    // The stamp is taken before reading: a write during the computation makes the
    // next call recompute.
    let stamp = cache.and_then(|_| store.data_stamp());
    if let (Some(path), Some(stamp)) = (cache, &stamp)
        && let Ok(text) = std::fs::read(path)
        && let Ok(kept) = serde_json::from_slice::<NextCache>(&text)
        && kept.stamp == *stamp
        && kept.tz == tz.name()
        && let Some(answer) = kept.answer(now)
    {
        return Ok(answer);
    }
    let computed = upcoming(store, now, tz)?;
    let answer = computed.answer(now).flatten();
    if let (Some(path), Some(stamp)) = (cache, stamp) {
        let kept = NextCache { stamp, ..computed };
        // A cache that cannot be written only costs speed.
        if let Ok(text) = serde_json::to_vec(&kept) {
            let _ = crate::config::home::replace_private(path, &text);
        }
    }
    Ok(answer)
}

fn upcoming(store: &Store, now: DateTime<Utc>, tz: Tz) -> Result<NextCache, StoreError> {
    let names = collection_names(store)?;
    let mut events = Vec::new();
    let mut horizon = now;
    for days in NEXT_HORIZONS_DAYS {
        horizon = now + Duration::days(days);
        events.clear();
        for row in store.events_between_rows(now.timestamp(), horizon.timestamp(), None)? {
            let Ok(event) = row.decode_or_skip() else {
                continue;
            };
            let Ok(found) = expand(&event, now, horizon, tz, NEXT_KEPT) else {
                continue;
            };
            for o in found.occurrences {
                if o.all_day || o.cancelled {
                    continue;
                }
                events.push(NextEvent {
                    id: event.id.clone(),
                    summary: override_text(&event, o.override_index, "SUMMARY")
                        .unwrap_or_else(|| event.title()),
                    start: o.start.with_timezone(&tz).fixed_offset(),
                    end: o.end.with_timezone(&tz).fixed_offset(),
                    location: override_text(&event, o.override_index, "LOCATION"),
                    collection: names.get(&event.collection).cloned().unwrap_or_default(),
                });
            }
        }
        if !events.is_empty() {
            break;
        }
    }
    events.sort_by(|a, b| (a.start, &a.summary, &a.id).cmp(&(b.start, &b.summary, &b.id)));
    if events.len() > NEXT_KEPT {
        events.truncate(NEXT_KEPT);
        // Later starts may be missing: the cache answers only before the last kept.
        horizon = events[NEXT_KEPT - 1].start.with_timezone(&Utc);
    }
    Ok(NextCache {
        stamp: String::new(),
        tz: tz.name().to_string(),
        computed_at: now,
        horizon,
        events,
    })
}

/// Fill a status-bar template: `{summary}`, `{location}`, `{collection}`, `{id}`,
/// `{start}` and `{end}` (with a strftime pattern after a colon, e.g.
/// `{start:%H:%M}`; default `%Y-%m-%d %H:%M`); `{{` and `}}` are braces.
pub fn format_next(e: &NextEvent, template: &str) -> Result<String, AgendaError> {
    use std::fmt::Write as _;
    let bad = |m: String| AgendaError::Format(m);
    let mut out = String::new();
    let mut rest = template;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if let Some(after) = tail.strip_prefix("{{") {
            out.push('{');
            rest = after;
            continue;
        }
        if let Some(after) = tail.strip_prefix("}}") {
            out.push('}');
            rest = after;
            continue;
        }
        if tail.starts_with('}') {
            return Err(bad(format!("unmatched '}}' in {template:?}")));
        }
        let close = tail
            .find('}')
            .ok_or_else(|| bad(format!("unclosed '{{' in {template:?}")))?;
        let field = &tail[1..close];
        let (name, pattern) = match field.split_once(':') {
            Some((n, p)) => (n, Some(p)),
            None => (field, None),
        };
        let time = |t: &DateTime<FixedOffset>, out: &mut String| {
            write!(out, "{}", t.format(pattern.unwrap_or("%Y-%m-%d %H:%M")))
                .map_err(|_| bad(format!("bad time pattern {:?}", pattern.unwrap_or(""))))
        };
        match name {
            "start" => time(&e.start, &mut out)?,
            "end" => time(&e.end, &mut out)?,
            "summary" | "location" | "collection" | "id" if pattern.is_some() => {
                return Err(bad(format!("{{{name}}} takes no pattern")));
            }
            "summary" => out.push_str(&e.summary),
            "location" => out.push_str(e.location.as_deref().unwrap_or("")),
            "collection" => out.push_str(&e.collection),
            "id" => out.push_str(&e.id),
            other => {
                return Err(bad(format!(
                    "unknown field {{{other}}} (start, end, summary, location, collection, id)"
                )));
            }
        }
        rest = &tail[close + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
#[path = "agenda/tests.rs"]
mod tests;
