//! Recurring tasks: the occurrence that is open now. A list shows a repeating task
//! once, at its earliest occurrence not yet done (completed or cancelled by an
//! override with RECURRENCE-ID, as Thunderbird writes it), and completing the task
//! there completes that occurrence only; when every occurrence is done, so is the
//! task.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, FixedOffset, Utc};

use super::dtstart;
use crate::model::{Component, Kind, Record, tz};
use crate::recur::{self, Occurrence};

/// The occurrence of a recurring task a list shows.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskOccurrence {
    /// Its recurrence id, as [`super::instance`] takes it.
    pub recurrence_id: String,
    /// When it is due (`None`: the task has a start and no due).
    pub due: Option<DateTime<FixedOffset>>,
    pub all_day: bool,
    /// The title its override gives it, if it has its own.
    pub summary: Option<String>,
}

/// The title the override supplying `o` gives it, if any.
fn own_summary(r: &Record, o: &Occurrence) -> Option<String> {
    let c = r.body.overrides.get(o.override_index?)?;
    let v = c.prop("SUMMARY")?.value.trim();
    (!v.is_empty()).then(|| crate::model::property::unescape_text(v))
}

/// Whether a component says its task is done.
fn done(c: &Component) -> bool {
    c.prop("STATUS").is_some_and(|p| {
        let v = p.value.trim();
        v.eq_ignore_ascii_case("COMPLETED") || v.eq_ignore_ascii_case("CANCELLED")
    }) || c.prop("COMPLETED").is_some()
}

/// Whether the occurrence `o` of `r` is done (its override, else the series).
fn occurrence_done(r: &Record, o: &Occurrence) -> bool {
    o.cancelled
        || match o.override_index.and_then(|i| r.body.overrides.get(i)) {
            Some(c) => done(c),
            None => done(&r.body.main),
        }
}

/// Windows of occurrences looked at, and occurrences per window, before a task
/// whose occurrences are all done counts as done (a daily task kept for years).
const ROUNDS: usize = 64;
const PER_ROUND: usize = 256;

/// The earliest occurrence of the recurring task `r` that is not done; `None` when
/// `r` is no recurring task or every occurrence is done.
pub fn open_task_occurrence(r: &Record, local: Tz) -> Option<TaskOccurrence> {
    if r.kind != Kind::Task || !r.is_recurring() {
        return None;
    }
    let start = dtstart(r)?;
    let mut from = tz::instant(&start, &r.body.timezones, local) - Duration::days(2);
    // Overrides may move an occurrence earlier than the series' start.
    for o in &r.body.overrides {
        if let Some(t) = o
            .prop(super::anchor_name(r))
            .and_then(|p| crate::model::When::from_property(p).ok())
        {
            from = from.min(tz::instant(&t, &r.body.timezones, local) - Duration::days(2));
        }
    }
    let to = from + Duration::days(366 * 200);
    let due_is_end = super::end_name(r) == Some("DUE");
    let has_due = due_is_end || super::anchor_name(r) == "DUE";
    for _ in 0..ROUNDS {
        let found = recur::expand(r, from, to, local, PER_ROUND).ok()?;
        if let Some(o) = found.occurrences.iter().find(|o| !occurrence_done(r, o)) {
            return Some(TaskOccurrence {
                recurrence_id: o.recurrence_id.clone()?,
                due: has_due.then_some(if due_is_end { o.end } else { o.start }),
                all_day: o.all_day,
                summary: own_summary(r, o),
            });
        }
        let last = found.occurrences.last()?;
        if !found.truncated {
            return None;
        }
        from = last.start.to_utc() + Duration::seconds(1);
    }
    None
}

/// What a list shows for the task `r`, when it repeats: its open occurrence as a
/// task of its own (that occurrence's due, status and fields, under `r`'s id), or,
/// when every occurrence is done, `r` marked done. `None`: `r` does not repeat.
pub fn listed_task(r: &Record, local: Tz) -> Option<Record> {
    if r.kind != Kind::Task || !r.is_recurring() {
        return None;
    }
    let Some(open) = open_task_occurrence(r, local) else {
        let mut done = r.clone();
        done.set_props(
            "STATUS",
            vec![crate::model::Property::new("STATUS", "COMPLETED")],
        );
        return Some(done);
    };
    occurrence_of(r, &open, local)
}

/// The open occurrence of the repeating task `r` as a task of its own (its due,
/// status and fields, under `r`'s id); `None` when `r` does not repeat or every
/// occurrence is done. `--json`'s `next_due` is this one's due.
pub fn open_occurrence_record(r: &Record, local: Tz) -> Option<Record> {
    let open = open_task_occurrence(r, local)?;
    occurrence_of(r, &open, local)
}

fn occurrence_of(r: &Record, open: &TaskOccurrence, local: Tz) -> Option<Record> {
    let inst = super::instance(r, &open.recurrence_id, local).ok()?;
    Some(super::occurrence_record(r, &inst.rid, local))
}

/// The occurrences of the repeating task `r` due in `[from, to)` that are not done
/// (what an agenda lists for it).
pub fn open_task_occurrences_between(
    r: &Record,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    local: Tz,
) -> Vec<TaskOccurrence> {
    if r.kind != Kind::Task || !r.is_recurring() {
        return Vec::new();
    }
    let due_is_end = super::end_name(r) == Some("DUE");
    if !due_is_end && super::anchor_name(r) != "DUE" {
        return Vec::new();
    }
    // An occurrence overlaps the window when it starts before its end: widen by a
    // day on each side for the due at its end, then keep the dues inside.
    let found = recur::expand(
        r,
        from - Duration::days(1),
        to + Duration::days(1),
        local,
        recur::DEFAULT_LIMIT,
    )
    .map(|e| e.occurrences)
    .unwrap_or_default();
    found
        .iter()
        .filter(|o| !occurrence_done(r, o))
        .filter_map(|o| {
            let due = if due_is_end { o.end } else { o.start };
            let t = due.with_timezone(&Utc);
            (t >= from && t < to).then(|| TaskOccurrence {
                recurrence_id: o.recurrence_id.clone().unwrap_or_default(),
                due: Some(due),
                all_day: o.all_day,
                summary: own_summary(r, o),
            })
        })
        .collect()
}
