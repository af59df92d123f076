//! Reminders of birthdays and anniversaries (the computed calendar of
//! [`crate::app::birthdays`]). They are off until an address book has default alarms
//! (`pim collections set Contacts --default-alarm -15h`, or `Birthdays` for every
//! address book): its contacts' days then ring like all-day events, relative to
//! the day's local midnight.
//!
//! A birthday is computed, so its dismissal lives on the contact, as properties
//! written in an ordinary logged change (so it syncs like any edit):
//! `X-PIM-ACKNOWLEDGED;X-OCCASION=BDAY:<UTC>` dismisses every trigger of that
//! occasion up to that time (RFC 9074's `ACKNOWLEDGED`, per occasion), so next year's
//! still rings; `X-PIM-SNOOZED;X-OCCASION=BDAY;X-DAY=<date>:<UTC>` rings again then
//! (within two weeks of that day's last alarm: days are only looked at near their alarms).
//! Both merge as sets ([`crate::model::fields::SET_VALUED`]): two devices dismissing
//! at once keep both values and the later counts, with no conflict to answer.

use std::collections::BTreeMap;

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::spec::{self, Spec, SpecError};
use super::{DUE_FOR, RemindError, Reminder};
use crate::app::birthdays::{self, Birthday, Occasion};
use crate::model::time::{UserWhen, local_to_utc, parse_ical_datetime, parse_user_when};
use crate::model::{Kind, Property, Record};
use crate::recur::alarm::{Trigger, utc_value};
use crate::store::{Store, StoreError};

/// Up to when an occasion's reminders are dismissed.
pub const ACKNOWLEDGED: &str = "X-PIM-ACKNOWLEDGED";
/// When a snoozed reminder of an occasion rings again.
pub const SNOOZED: &str = "X-PIM-SNOOZED";
const OCCASION: &str = "X-OCCASION";
const DAY: &str = "X-DAY";

/// How long after a day's last alarm a snooze of it still rings: days are looked at
/// only around their alarms, so that a check loads few contacts.
const SNOOZE_REACH: Duration = Duration::days(14);
/// The furthest a birthday's alarm (with its repetitions) rings from the day.
const MAX_SPAN: Duration = Duration::days(31);
const MAX_REPEAT: u32 = 100;

/// Read an address book's alarm text: relative to the day only (a birthday recurs,
/// an absolute time would ring once).
pub fn parse_alarms(text: &str, now: DateTime<Utc>, tz: Tz) -> Result<Vec<Spec>, SpecError> {
    let specs = spec::parse_list(text, Kind::Event, now, tz)?;
    if specs
        .iter()
        .any(|s| matches!(s.trigger, Trigger::Absolute(_)))
    {
        return Err(SpecError {
            text: text.to_string(),
            reason: "a birthday reminder is relative to the day (e.g. -1d, -15h for 09:00 \
                     the day before, +9h for 09:00 on the day)"
                .into(),
        });
    }
    // Each day rings apart from the next year's, and a synced text cannot make a
    // check loop: at most a month from the day, at most 100 repetitions.
    let within = |s: &Spec| match s.trigger {
        Trigger::Relative { offset, .. } => {
            s.repeat <= MAX_REPEAT
                && s.every
                    .checked_mul(s.repeat as i32)
                    .and_then(|r| r.checked_add(&offset.abs()))
                    .is_some_and(|span| span <= MAX_SPAN)
        }
        Trigger::Absolute(_) => false,
    };
    if !specs.iter().all(within) {
        return Err(SpecError {
            text: text.to_string(),
            reason: "a birthday reminder rings within a month of the day, repeating at most \
                     100 times"
                .into(),
        });
    }
    Ok(specs)
}

fn occasion_value(o: Occasion) -> &'static str {
    match o {
        Occasion::Birthday => "BDAY",
        Occasion::Anniversary => "ANNIVERSARY",
    }
}

fn of_occasion(p: &Property, o: Occasion) -> bool {
    p.param(OCCASION)
        .is_some_and(|v| v.eq_ignore_ascii_case(occasion_value(o)))
}

fn utc_of(p: &Property) -> Option<DateTime<Utc>> {
    parse_ical_datetime(p.value.trim())
        .ok()
        .map(|(n, _)| DateTime::from_naive_utc_and_offset(n, Utc))
}

/// Up to when the contact's reminders of `o` are dismissed (the latest value).
fn acknowledged(r: &Record, o: Occasion) -> Option<DateTime<Utc>> {
    r.body
        .main
        .props_named(ACKNOWLEDGED)
        .filter(|p| of_occasion(p, o))
        .filter_map(utc_of)
        .max()
}

/// The snoozes of `o` on `day`.
fn snoozes(r: &Record, o: Occasion, day: NaiveDate) -> Vec<DateTime<Utc>> {
    let day = day.format("%Y%m%d").to_string();
    r.body
        .main
        .props_named(SNOOZED)
        .filter(|p| of_occasion(p, o) && p.param(DAY) == Some(day.as_str()))
        .filter_map(utc_of)
        .collect()
}

/// The local midnight starting `day` plus `offset` on the wall clock (so `-15h` is
/// 09:00 the day before on either side of a DST change).
fn wall(day: NaiveDate, offset: Duration, tz: Tz) -> Option<DateTime<Utc>> {
    let n = day.and_hms_opt(0, 0, 0)?.checked_add_signed(offset)?;
    Some(local_to_utc(n, tz))
}

/// Every trigger of `specs` for a day (with repetitions), earliest first.
fn spec_triggers(day: NaiveDate, specs: &[Spec], tz: Tz) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    for s in specs {
        let Trigger::Relative { offset, to_end } = s.trigger else {
            continue;
        };
        let base = if to_end {
            Duration::days(1)
        } else {
            Duration::zero()
        };
        for k in 0..=s.repeat {
            if let Some(t) = wall(day, base + offset + s.every * k as i32, tz) {
                out.push(t);
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// One birthday (or anniversary) that may ring, with its contact as stored.
struct Day {
    birthday: Birthday,
    contact: Record,
    /// Triggers not dismissed, earliest first, each with whether it is a snooze.
    triggers: Vec<(DateTime<Utc>, bool)>,
    /// The day's last planned alarm: a snooze rings up to [`SNOOZE_REACH`] after it.
    last_alarm: DateTime<Utc>,
}

impl Day {
    fn reminder(&self, trigger: DateTime<Utc>, snoozed: bool, tz: Tz) -> Reminder {
        let b = &self.birthday;
        let start = UserWhen::Date(b.date).instant(tz);
        Reminder {
            id: b.contact_id.clone(),
            kind: Kind::Contact,
            summary: b.summary(),
            location: None,
            start: start.with_timezone(&tz).fixed_offset(),
            all_day: true,
            occurrence: Some(format!("{} {}", b.occasion.as_str(), b.date)),
            trigger,
            snoozed,
        }
    }

    /// The latest trigger at or before `now` and within [`DUE_FOR`], if any.
    fn due_at(&self, now: DateTime<Utc>) -> Option<(DateTime<Utc>, bool)> {
        self.triggers
            .iter()
            .rev()
            .find(|(t, _)| *t <= now)
            .filter(|(t, _)| *t > now - DUE_FOR)
            .copied()
    }
}

/// The address books with birthday alarms, by collection id.
fn alarms_by_book(
    store: &Store,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<BTreeMap<String, Vec<Spec>>, RemindError> {
    let mut out = BTreeMap::new();
    for c in store.collections(Some(Kind::Contact))? {
        // A text that no longer reads (another version wrote it) rings nothing.
        if let Some(specs) = c
            .default_alarms
            .as_deref()
            .and_then(|t| parse_alarms(t, now, tz).ok())
            .filter(|s| !s.is_empty())
        {
            out.insert(c.id, specs);
        }
    }
    Ok(out)
}

/// The days whose triggers (or snoozes) may fall in `[from, to]`, of one contact or all.
fn days(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    only: Option<&str>,
    tz: Tz,
) -> Result<Vec<Day>, RemindError> {
    let books = alarms_by_book(store, from, tz)?;
    if books.is_empty() {
        return Ok(Vec::new());
    }
    let reach = books
        .values()
        .flatten()
        .map(|s| match s.trigger {
            Trigger::Relative { offset, .. } => offset.abs() + s.every * s.repeat as i32,
            Trigger::Absolute(_) => Duration::zero(),
        })
        .max()
        .unwrap_or_default()
        + SNOOZE_REACH
        + Duration::days(2);
    let first = (from - reach).with_timezone(&tz).date_naive();
    let last = (to + reach).with_timezone(&tz).date_naive();
    let dated: Vec<Record> = store
        .contact_dates()?
        .into_iter()
        .filter(|r| books.contains_key(&r.collection))
        .filter(|r| only.is_none_or(|id| r.id == id))
        .collect();
    let mut contacts: BTreeMap<String, Option<Record>> = BTreeMap::new();
    let mut out = Vec::new();
    let book_of: BTreeMap<&str, &str> = dated
        .iter()
        .map(|r| (r.id.as_str(), r.collection.as_str()))
        .collect();
    for b in birthdays::occurrences(&dated, first, last.succ_opt().unwrap_or(last)) {
        let Some(specs) = book_of
            .get(b.contact_id.as_str())
            .and_then(|c| books.get(*c))
        else {
            continue;
        };
        let planned = spec_triggers(b.date, specs, tz);
        let (Some(&lo), Some(&hi)) = (planned.first(), planned.last()) else {
            continue;
        };
        if hi + SNOOZE_REACH < from || lo > to {
            continue;
        }
        let contact = match contacts.get(&b.contact_id) {
            Some(c) => c.clone(),
            None => {
                let c = match store.get(&b.contact_id) {
                    Ok(c) => c,
                    // A row that cannot be read rings nothing; the others still do.
                    Err(StoreError::Corrupt { .. }) => None,
                    Err(e) => return Err(e.into()),
                };
                contacts.insert(b.contact_id.clone(), c.clone());
                c
            }
        };
        let Some(contact) = contact else {
            continue;
        };
        let ack = acknowledged(&contact, b.occasion);
        let mut triggers: Vec<(DateTime<Utc>, bool)> = planned
            .into_iter()
            .map(|t| (t, false))
            .chain(
                snoozes(&contact, b.occasion, b.date)
                    .into_iter()
                    .map(|t| (t, true)),
            )
            .filter(|(t, _)| ack.is_none_or(|a| *t > a))
            .collect();
        triggers.sort();
        out.push(Day {
            birthday: b,
            contact,
            triggers,
            last_alarm: hi,
        });
    }
    Ok(out)
}

/// The birthday reminders due at `now`.
pub fn due(store: &Store, now: DateTime<Utc>, tz: Tz) -> Result<Vec<Reminder>, RemindError> {
    Ok(days(store, now - DUE_FOR, now, None, tz)?
        .iter()
        .filter_map(|d| d.due_at(now).map(|(t, s)| d.reminder(t, s, tz)))
        .collect())
}

/// The first birthday trigger after `now` and before `until`.
pub fn next_trigger(
    store: &Store,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    tz: Tz,
) -> Result<Option<DateTime<Utc>>, RemindError> {
    Ok(days(store, now, until, None, tz)?
        .iter()
        .flat_map(|d| d.triggers.iter().map(|(t, _)| *t))
        .filter(|t| *t > now && *t < until)
        .min())
}

/// The days a dismiss or snooze of contact `id` acts on: those due now, or those on
/// the named day (`occurrence`: a date, or any time on it).
fn chosen(
    store: &Store,
    id: &str,
    occurrence: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Vec<Day>, RemindError> {
    let Some(text) = occurrence else {
        let due: Vec<Day> = days(store, now - DUE_FOR, now, Some(id), tz)?
            .into_iter()
            .filter(|d| d.due_at(now).is_some())
            .collect();
        if due.is_empty() {
            return Err(RemindError::NothingDue(id.to_string()));
        }
        return Ok(due);
    };
    let day = match parse_user_when(text, now, tz)? {
        UserWhen::Date(d) => d,
        other => other.instant(tz).with_timezone(&tz).date_naive(),
    };
    let at = UserWhen::Date(day).instant(tz);
    let around = Duration::days(40);
    let found: Vec<Day> = days(store, at - around, at + around, Some(id), tz)?
        .into_iter()
        .filter(|d| d.birthday.date == day && !d.triggers.is_empty())
        .collect();
    if found.is_empty() {
        return Err(RemindError::NoOccurrence {
            id: id.to_string(),
            when: text.to_string(),
        });
    }
    Ok(found)
}

/// Dismiss up to `until` (never moving an earlier dismissal back); snoozes it covers go.
fn acknowledge(r: &mut Record, o: Occasion, until: DateTime<Utc>) {
    let until = acknowledged(r, o).map_or(until, |a| a.max(until));
    r.body.main.props.retain(|p| {
        let name = p.name.to_ascii_uppercase();
        let covered = name == SNOOZED && utc_of(p).is_none_or(|t| t <= until);
        !(of_occasion(p, o) && (name == ACKNOWLEDGED || covered))
    });
    r.body.main.props.push(
        Property::new(ACKNOWLEDGED, utc_value(until)).with_param(OCCASION, occasion_value(o)),
    );
}

/// Save the contact as changed from `base` (as read, before this transaction): only
/// the fields changed here are written, so an edit made meanwhile survives.
fn save(store: &mut Store, base: &Record, edited: &Record) -> Result<(), RemindError> {
    store.write(|w| w.update_from(base, edited))?;
    Ok(())
}

/// Contact `id`'s birthday reminders due now (or on the named day) dismissed;
/// `None` when `id` is not a contact.
pub fn dismiss(
    store: &mut Store,
    id: &str,
    occurrence: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Option<Vec<Reminder>>, RemindError> {
    if !is_contact(store, id)? {
        return Ok(None);
    }
    let chosen = chosen(store, id, occurrence, now, tz)?;
    let mut contact = chosen[0].contact.clone();
    let mut done = Vec::new();
    for d in &chosen {
        let (shown, snoozed) = d.due_at(now).unwrap_or(d.triggers[0]);
        done.push(d.reminder(shown, snoozed, tz));
        // Due now: what rang until now. Named day: all of that day's reminders.
        let until = match occurrence {
            None => now,
            Some(_) => d.triggers.last().map_or(now, |(t, _)| now.max(*t)),
        };
        acknowledge(&mut contact, d.birthday.occasion, until);
    }
    save(store, &chosen[0].contact, &contact)?;
    Ok(Some(done))
}

/// Contact `id`'s birthday reminders due now (or on the named day) snoozed: they
/// ring again at `again`. `None` when `id` is not a contact.
pub fn snooze(
    store: &mut Store,
    id: &str,
    again: DateTime<Utc>,
    occurrence: Option<&str>,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<Option<Vec<Reminder>>, RemindError> {
    if !is_contact(store, id)? {
        return Ok(None);
    }
    let chosen = chosen(store, id, occurrence, now, tz)?;
    // A later snooze would never be looked at again: it would only dismiss.
    if let Some(reach) = chosen.iter().map(|d| d.last_alarm + SNOOZE_REACH).min()
        && again > reach
    {
        return Err(RemindError::BeyondBirthday(
            reach
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
        ));
    }
    let mut contact = chosen[0].contact.clone();
    let mut done = Vec::new();
    for d in &chosen {
        let o = d.birthday.occasion;
        acknowledge(&mut contact, o, now);
        let day = d.birthday.date.format("%Y%m%d").to_string();
        // One snooze per day: an earlier one goes.
        contact.body.main.props.retain(|p| {
            !(p.name.eq_ignore_ascii_case(SNOOZED)
                && of_occasion(p, o)
                && p.param(DAY) == Some(day.as_str()))
        });
        contact.body.main.props.push(
            Property::new(SNOOZED, utc_value(again))
                .with_param(OCCASION, occasion_value(o))
                .with_param(DAY, &day),
        );
        done.push(d.reminder(again, true, tz));
    }
    save(store, &chosen[0].contact, &contact)?;
    Ok(Some(done))
}

fn is_contact(store: &Store, id: &str) -> Result<bool, RemindError> {
    Ok(store.get(id)?.is_some_and(|r| r.kind == Kind::Contact))
}

#[cfg(test)]
mod tests;
