//! Reminders: which alarms are due, ringing each once per device, and dismissing or
//! snoozing them. `pim remind` and the TUI's reminder popup both call these.
//!
//! Dismissal and snooze are written into the record as RFC 9074 describes
//! (`ACKNOWLEDGED` on the VALARM; a snooze is a new absolute VALARM related to the one
//! it snoozes), in one store transaction that logs an ordinary change: a reminder
//! dismissed on one device stops on every device after the next sync. Every function
//! takes the clock (`now`) and the zone, so tests and `PIM_NOW` control time.

pub mod birthdays;
pub mod spec;

use crate::model::zonedb::Tz;
use chrono::{DateTime, Datelike, Duration, FixedOffset, SecondsFormat, Utc};

use crate::model::time::{UserWhen, parse_user_when};
use crate::model::{Component, Kind, Property, Record, new_id};
use crate::recur::RecurError;
use crate::recur::alarm::{self, AlarmAt, OCCURRENCE_PROP, Ring, utc_value};
use crate::store::{Store, StoreError};

/// How long a reminder stays due after it rang without being dismissed: missed ones
/// (the laptop was asleep) still show, last week's do not pile up.
pub const DUE_FOR: Duration = Duration::days(1);

/// One due (or coming) reminder.
#[derive(Debug, Clone, PartialEq)]
pub struct Reminder {
    pub id: String,
    pub kind: Kind,
    pub summary: String,
    pub location: Option<String>,
    /// The occurrence's start (a task's: its due when it has no start).
    pub start: DateTime<FixedOffset>,
    pub all_day: bool,
    /// The occurrence of a recurring record.
    pub occurrence: Option<String>,
    /// When it rings (rang): the latest repetition at or before now for a due one.
    pub trigger: DateTime<Utc>,
    pub snoozed: bool,
}

impl Reminder {
    /// Names this ringing of this alarm: what a device claims before ringing it.
    pub fn key(&self) -> String {
        format!(
            "{}|{}|{}",
            self.id,
            self.occurrence.as_deref().unwrap_or(""),
            stamp(self.trigger)
        )
    }
}

fn stamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[derive(Debug, thiserror::Error)]
pub enum RemindError {
    #[error("{0} has no reminder due now (name one with --occurrence)")]
    NothingDue(String),
    #[error("{id} has no reminder for an occurrence at {when}")]
    NoOccurrence { id: String, when: String },
    #[error(
        "record {0} is a {1}: only events, tasks and contacts (their birthdays) have reminders"
    )]
    WrongKind(String, Kind),
    #[error("a snooze of {0} goes past the year 9999")]
    BeyondCalendar(String),
    /// Birthday days are looked at only near their alarms.
    #[error(
        "a birthday reminder is snoozed at most two weeks past its day's last alarm (until {0})"
    )]
    BeyondBirthday(String),
    #[error("--occurrence: {0}")]
    When(#[from] crate::model::time::TimeError),
    #[error(transparent)]
    Recur(#[from] RecurError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn reminder(r: &Record, ring: &Ring, trigger: DateTime<Utc>) -> Reminder {
    Reminder {
        id: r.id.clone(),
        kind: r.kind,
        summary: r.title(),
        location: r.text("LOCATION").filter(|l| !l.trim().is_empty()),
        start: ring.occurrence.start,
        all_day: ring.occurrence.all_day,
        occurrence: ring.occurrence.recurrence_id.clone(),
        trigger,
        snoozed: ring.alarm.snooze_of.is_some(),
    }
}

/// Every event and task with an alarm somewhere, read one at a time.
fn with_alarms(
    store: &Store,
    mut f: impl FnMut(Record) -> Result<(), RemindError>,
) -> Result<(), RemindError> {
    let has_alarm = |c: &Component| c.subs.iter().any(|s| s.name.eq_ignore_ascii_case("VALARM"));
    for id in store.ids_with_alarms()? {
        let r = match store.get(&id) {
            Ok(Some(r)) => r,
            Ok(None) => continue,
            // A row that cannot be read has no reminders; the others still ring.
            Err(StoreError::Corrupt { .. }) => continue,
            Err(e) => return Err(e.into()),
        };
        if has_alarm(&r.body.main) || r.body.overrides.iter().any(has_alarm) {
            f(r)?;
        }
    }
    Ok(())
}

/// Skip what cannot ring: cancelled occurrences, completed tasks.
fn rings_of(r: &Record, from: DateTime<Utc>, to: DateTime<Utc>, tz: Tz) -> Vec<Ring> {
    if finished(r) {
        return Vec::new();
    }
    // A record whose recurrence cannot be read has no reminders rather than stopping all.
    ringing(r, alarm::rings(r, from, to, tz).unwrap_or_default())
}

/// Cancelled occurrences, and occurrences of a repeating task done on their own
/// (an override with STATUS:COMPLETED or a COMPLETED time), ring no more.
fn ringing(r: &Record, rings: Vec<Ring>) -> Vec<Ring> {
    let done_on_its_own = |g: &Ring| {
        r.kind == Kind::Task
            && g.occurrence
                .override_index
                .and_then(|i| r.body.overrides.get(i))
                .is_some_and(|c| {
                    done_status(c.prop("STATUS").map(|p| p.value.as_str()))
                        || c.prop("COMPLETED").is_some()
                })
    };
    rings
        .into_iter()
        .filter(|g| !g.occurrence.cancelled && !done_on_its_own(g))
        .collect()
}

/// A completed or cancelled task rings no more.
fn finished(r: &Record) -> bool {
    r.kind == Kind::Task && done_status(r.text("STATUS").as_deref())
}

fn done_status(status: Option<&str>) -> bool {
    status.is_some_and(|s| {
        matches!(
            s.trim().to_ascii_uppercase().as_str(),
            "COMPLETED" | "CANCELLED"
        )
    })
}

/// The due rings of one record at `now`: triggered in the last [`DUE_FOR`], not dismissed.
fn due_rings(r: &Record, now: DateTime<Utc>, tz: Tz) -> Vec<(Ring, DateTime<Utc>)> {
    rings_of(r, now - DUE_FOR, now, tz)
        .into_iter()
        .filter(|g| !g.dismissed())
        .filter_map(|g| {
            let t = g.last_trigger_by(now)?;
            (t > now - DUE_FOR).then_some((g, t))
        })
        .collect()
}

/// The reminders due at `now`, oldest first.
pub fn due(store: &Store, now: DateTime<Utc>, tz: Tz) -> Result<Vec<Reminder>, RemindError> {
    let mut out = Vec::new();
    with_alarms(store, |r| {
        for (g, t) in due_rings(&r, now, tz) {
            out.push(reminder(&r, &g, t));
        }
        Ok(())
    })?;
    out.extend(birthdays::due(store, now, tz)?);
    out.sort_by(|a, b| a.trigger.cmp(&b.trigger).then(a.id.cmp(&b.id)));
    out.dedup_by(|a, b| a.key() == b.key());
    Ok(out)
}

/// The first trigger after `now` and before `until`, if any (what a watcher sleeps towards).
pub fn next_trigger(
    store: &Store,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    tz: Tz,
) -> Result<Option<DateTime<Utc>>, RemindError> {
    let mut next: Option<DateTime<Utc>> = None;
    with_alarms(store, |r| {
        for g in rings_of(&r, now, until, tz) {
            if g.dismissed() {
                continue;
            }
            if let Some(t) = g.next_trigger_after(now) {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        }
        Ok(())
    })?;
    if let Some(t) = birthdays::next_trigger(store, now, until, tz)? {
        next = Some(next.map_or(t, |n| n.min(t)));
    }
    Ok(next)
}

/// How long a watcher sleeps at `now`: until the next trigger (a few milliseconds
/// past it, so the next look finds it due), at most `slice`. Bounded slices are what
/// make a watcher survive suspend, clock steps and zone changes: each wake recomputes
/// from the wall clock.
pub fn watch_sleep(
    store: &Store,
    now: DateTime<Utc>,
    tz: Tz,
    slice: Duration,
) -> Result<Duration, RemindError> {
    let next = next_trigger(store, now, now + slice + Duration::days(2), tz)?;
    let wait = next.map_or(slice, |t| (t - now).clamp(Duration::zero(), slice));
    Ok(if wait < slice {
        wait + Duration::milliseconds(5)
    } else {
        wait
    })
}

/// The due reminders this process may ring: each is claimed in the store first, so
/// of `pim remind --watch` and an open TUI on one profile only one rings it.
pub fn claim_due(store: &Store, now: DateTime<Utc>, tz: Tz) -> Result<Vec<Reminder>, RemindError> {
    store.forget_rung_reminders(&stamp(now - DUE_FOR - Duration::days(1)))?;
    let mut out = Vec::new();
    for r in due(store, now, tz)? {
        if store.claim_reminder(&r.key(), &stamp(r.trigger))? {
            out.push(r);
        }
    }
    Ok(out)
}

/// Which occurrence a command names: a date and time (or a date, for all-day events).
fn occurrence_matches(g: &Ring, when: &UserWhen, tz: Tz) -> bool {
    let start = g.occurrence.start;
    match when {
        UserWhen::Date(d) => {
            start.with_timezone(&tz).date_naive() == *d || start.date_naive() == *d
        }
        _ => start.with_timezone(&Utc) == when.instant(tz),
    }
}

/// The rings a dismiss or snooze acts on: the named occurrence's, or those due now.
fn chosen(
    r: &Record,
    occurrence: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<Ring>, RemindError> {
    if !matches!(r.kind, Kind::Event | Kind::Task) {
        return Err(RemindError::WrongKind(r.id.clone(), r.kind));
    }
    let Some(text) = occurrence else {
        let due: Vec<Ring> = due_rings(r, now, tz).into_iter().map(|(g, _)| g).collect();
        if due.is_empty() {
            return Err(RemindError::NothingDue(r.id.clone()));
        }
        return Ok(due);
    };
    let when = parse_user_when(text, now, tz)?;
    let at = when.instant(tz);
    // Relative alarms ring within their reach of the occurrence; absolute ones at
    // their own moment, however far from it.
    let reach = alarm::reach(r).max(Duration::days(60));
    let mut found = rings_of(r, at - reach, at + reach, tz);
    if !finished(r) {
        for g in ringing(r, alarm::absolute_rings(r, tz).unwrap_or_default()) {
            if !found.iter().any(|f| f.at == g.at && f.first == g.first) {
                found.push(g);
            }
        }
    }
    found.retain(|g| occurrence_matches(g, &when, tz) && !g.dismissed());
    if found.is_empty() {
        return Err(RemindError::NoOccurrence {
            id: r.id.clone(),
            when: text.to_string(),
        });
    }
    Ok(found)
}

fn component_mut(r: &mut Record, at: AlarmAt) -> Option<&mut Component> {
    let owner = match at.override_index {
        None => &mut r.body.main,
        Some(i) => r.body.overrides.get_mut(i)?,
    };
    owner.subs.get_mut(at.sub)
}

/// Set ACKNOWLEDGED to at least `t` (never moving an earlier dismissal back).
fn acknowledge(c: &mut Component, t: DateTime<Utc>) {
    let current = alarm::parse(c).and_then(|a| a.acknowledged);
    if current.is_some_and(|c| c >= t) {
        return;
    }
    c.props
        .retain(|p| !p.name.eq_ignore_ascii_case("ACKNOWLEDGED"));
    c.props.push(Property::new("ACKNOWLEDGED", utc_value(t)));
}

/// Remove the components at `gone` (indices shift, so from the last one).
fn remove_all(r: &mut Record, mut gone: Vec<AlarmAt>) {
    gone.sort_by_key(|a| std::cmp::Reverse((a.override_index, a.sub)));
    gone.dedup();
    for at in gone {
        let owner = match at.override_index {
            None => &mut r.body.main,
            Some(i) => match r.body.overrides.get_mut(i) {
                Some(o) => o,
                None => continue,
            },
        };
        if at.sub < owner.subs.len() {
            owner.subs.remove(at.sub);
        }
    }
}

/// Change the stored record `id` with `f` in one transaction (logged like any edit).
fn change(
    store: &mut Store,
    id: &str,
    f: impl FnOnce(&mut Record) -> Result<Vec<Reminder>, RemindError>,
) -> Result<Vec<Reminder>, RemindError> {
    store.write(|w| {
        let Some(mut r) = w.get(id)? else {
            return Ok(Err(StoreError::NoRecord(id.to_string()).into()));
        };
        let done = match f(&mut r) {
            Ok(d) => d,
            Err(e) => return Ok(Err(e)),
        };
        w.update(&r)?;
        Ok(Ok(done))
    })?
}

/// Dismiss the record's reminders due now, or those of one occurrence (`occurrence`:
/// its start as the user types it). Returns what was dismissed.
pub fn dismiss(
    store: &mut Store,
    id: &str,
    occurrence: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<Reminder>, RemindError> {
    if let Some(done) = birthdays::dismiss(store, id, occurrence, now, tz)? {
        return Ok(done);
    }
    change(store, id, |r| {
        let rings = chosen(r, occurrence, now, tz)?;
        let done = rings
            .iter()
            .map(|g| reminder(r, g, g.last_trigger_by(now).unwrap_or(g.first)))
            .collect();
        let mut gone = Vec::new();
        for g in &rings {
            // RFC 9074: a dismissed snooze alarm goes; a dismissed alarm is acknowledged
            // at or after its trigger, so a later occurrence still rings.
            if g.alarm.snooze_of.is_some() {
                gone.push(g.at);
            } else if let Some(c) = component_mut(r, g.at) {
                acknowledge(c, now.max(g.first));
            }
        }
        remove_all(r, gone);
        Ok(done)
    })
}

/// Snooze the record's due reminders (or one occurrence's) for `delay`: each alarm is
/// acknowledged and a snooze alarm rings again at now + `delay`.
pub fn snooze(
    store: &mut Store,
    id: &str,
    delay: Duration,
    occurrence: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<Reminder>, RemindError> {
    // A snooze past the calendar would write a TRIGGER no reader takes (a 5-digit year).
    let again = now
        .checked_add_signed(delay)
        .filter(|t| crate::model::time::YEARS.contains(&t.year()))
        .ok_or_else(|| RemindError::BeyondCalendar(delay.to_string()))?;
    if let Some(done) = birthdays::snooze(store, id, again, occurrence, now, tz)? {
        return Ok(done);
    }
    change(store, id, |r| {
        let rings = chosen(r, occurrence, now, tz)?;
        let mut done = Vec::new();
        let mut gone = Vec::new();
        let mut added: Vec<(Option<usize>, Component)> = Vec::new();
        for g in &rings {
            let original = match &g.alarm.snooze_of {
                // Snoozing a snooze: it is replaced, still naming the first alarm.
                Some(of) => {
                    gone.push(g.at);
                    of.clone()
                }
                None => {
                    let Some(c) = component_mut(r, g.at) else {
                        continue;
                    };
                    acknowledge(c, now.max(g.first));
                    match c.prop("UID") {
                        Some(u) => u.value.clone(),
                        None => {
                            let uid = new_id();
                            c.props.insert(0, Property::new("UID", uid.clone()));
                            uid
                        }
                    }
                }
            };
            // One snooze per alarm: an earlier one for the same alarm goes.
            let owner = match g.at.override_index {
                None => &r.body.main,
                Some(i) => &r.body.overrides[i],
            };
            for (sub, c) in owner.subs.iter().enumerate() {
                if alarm::parse(c)
                    .is_some_and(|a| a.snooze_of.as_deref() == Some(original.as_str()))
                {
                    gone.push(AlarmAt {
                        override_index: g.at.override_index,
                        sub,
                    });
                }
            }
            let mut s = Component::new("VALARM");
            s.props.push(Property::new("UID", new_id()));
            s.props.push(Property::new("ACTION", "DISPLAY"));
            s.props.push(Property::new("DESCRIPTION", "Reminder"));
            s.props
                .push(Property::new("TRIGGER", utc_value(again)).with_param("VALUE", "DATE-TIME"));
            s.props
                .push(Property::new("RELATED-TO", original).with_param("RELTYPE", "SNOOZE"));
            if let Some(rid) = &g.occurrence.recurrence_id {
                s.props.push(Property::new(OCCURRENCE_PROP, rid.clone()));
            }
            added.push((g.at.override_index, s));
            let mut shown = reminder(r, g, again);
            shown.snoozed = true;
            done.push(shown);
        }
        remove_all(r, gone);
        for (owner, s) in added {
            match owner {
                None => r.body.main.subs.push(s),
                Some(i) => r.body.overrides[i].subs.push(s),
            }
        }
        Ok(done)
    })
}

/// Set (empty text: remove) a collection's default alarms, checked: what new events
/// or tasks of a calendar or task list get, or the reminders of an address book's
/// birthdays and anniversaries. A logged collection change, so every device gets it.
pub fn set_default_alarms(
    store: &mut Store,
    collection_id: &str,
    text: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<(), DefaultAlarmsError> {
    let Some(mut c) = store.collection_by_id(collection_id)? else {
        return Err(StoreError::NoCollection {
            kind: "any".into(),
            name: collection_id.into(),
        }
        .into());
    };
    match c.kind {
        Kind::Event | Kind::Task => drop(spec::parse_list(text, c.kind, now, tz)?),
        Kind::Contact => drop(birthdays::parse_alarms(text, now, tz)?),
        Kind::Note => return Err(DefaultAlarmsError::Notebook(c.name)),
    }
    let text = text.trim();
    c.default_alarms = (!text.is_empty()).then(|| text.to_string());
    store.write(|w| w.change_collection(&c))?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum DefaultAlarmsError {
    #[error(transparent)]
    Spec(#[from] spec::SpecError),
    #[error(
        "{0} is a notebook: only calendars, task lists and address books (for birthdays) have default alarms"
    )]
    Notebook(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[cfg(test)]
mod tests;
