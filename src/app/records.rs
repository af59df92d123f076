//! Creating, editing and deleting contacts, events, tasks and notes: the one
//! implementation behind `pim add` / `pim edit` / `pim delete` and the TUI's forms.
//!
//! An edit is a value ([`RecordEdit`]): a list of field changes, each with the text
//! the user saw as its base when there was one (a form), or none (`--set`, a blind
//! write). Saving applies only those fields to the record as it is stored now, so a
//! field nobody touched is never written; a field whose stored value moved since the
//! user saw it is a [`RecordError::Conflict`], not an overwrite.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Utc};

use crate::model::{Collection, Kind, Property, Record, When, new_id};
use crate::store::{Store, StoreError};

mod field;
pub mod occurrence;
pub mod parent;
mod set;
mod stale;
pub mod text;
mod undo;
pub mod validate;

pub use field::Field;
pub use set::structured_name;
pub use stale::StaleField;
pub use undo::{Undo, undo};
pub use validate::Reason;

/// What edits need to know: the clock and the user's zone.
#[derive(Debug, Clone, Copy)]
pub struct EditContext {
    pub now: DateTime<Utc>,
    pub tz: Tz,
}

/// One field set to a new text. `seen` is the text the user saw before changing it
/// (`None`: set it whatever it is now).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub field: Field,
    pub value: String,
    pub seen: Option<String>,
}

/// Which record an edit is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A new record with this id (chosen up front, so a front-end can select it).
    New(String),
    Existing(String),
}

/// A create or an update: the changes to make, nothing else.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEdit {
    pub kind: Kind,
    pub target: Target,
    pub changes: Vec<FieldChange>,
}

impl RecordEdit {
    pub fn create(kind: Kind) -> RecordEdit {
        RecordEdit {
            kind,
            target: Target::New(new_id()),
            changes: Vec::new(),
        }
    }

    pub fn update(kind: Kind, id: &str) -> RecordEdit {
        RecordEdit {
            kind,
            target: Target::Existing(id.to_string()),
            changes: Vec::new(),
        }
    }

    pub fn id(&self) -> &str {
        match &self.target {
            Target::New(id) | Target::Existing(id) => id,
        }
    }

    pub fn is_new(&self) -> bool {
        matches!(self.target, Target::New(_))
    }

    /// Set `field` whatever its value is now.
    pub fn set(&mut self, field: Field, value: impl Into<String>) {
        self.changes.push(FieldChange {
            field,
            value: value.into(),
            seen: None,
        });
    }

    /// Change `field` from the text the user saw (`seen`) to `value`.
    pub fn change(&mut self, field: Field, seen: impl Into<String>, value: impl Into<String>) {
        self.changes.push(FieldChange {
            field,
            value: value.into(),
            seen: Some(seen.into()),
        });
    }

    /// Set the field called `name` on the command line (`full_name`, `rrule`, ...).
    pub fn set_named(&mut self, name: &str, value: impl Into<String>) -> Result<(), RecordError> {
        let field = Field::named(self.kind, name).ok_or_else(|| RecordError::UnknownField {
            kind: self.kind,
            name: name.to_string(),
            known: Field::names(self.kind),
        })?;
        self.set(field, value);
        Ok(())
    }
}

fn article(kind: Kind) -> &'static str {
    if kind == Kind::Event { "an" } else { "a" }
}

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("unknown field {name:?} for {} {kind} (known: {known})", article(*kind))]
    UnknownField {
        kind: Kind,
        name: String,
        known: String,
    },
    #[error("bad value for {}: {reason}", field.name(*kind))]
    Invalid {
        kind: Kind,
        field: Field,
        reason: Reason,
    },
    /// Fields the user changed whose stored values moved since they saw them:
    /// nothing was saved. `current` is the record as stored now, so a front-end can
    /// show both values and let the user choose.
    #[error("{}; nothing was saved, open the record again", stale::describe(*kind, stale))]
    Conflict {
        kind: Kind,
        stale: Vec<StaleField>,
        current: Box<Record>,
    },
    /// An undo whose fields changed again since the edit it undoes: undoing would
    /// overwrite that newer change, so nothing was undone.
    #[error("cannot undo: {} of {title:?} changed since; nothing was undone", fields.join(", "))]
    Moved { title: String, fields: Vec<String> },
    #[error("record {id} is a {found}, not a {expected}")]
    WrongKind {
        id: String,
        found: Kind,
        expected: Kind,
    },
    #[error(transparent)]
    Occurrence(#[from] occurrence::OccurrenceError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a save did: the record before (`None`: it was created) and after.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub before: Option<Record>,
    pub after: Record,
}

impl Saved {
    /// Whether the save changed anything.
    pub fn changed(&self) -> bool {
        self.before.as_ref() != Some(&self.after)
    }
}

/// The record `edit` makes of `base` (the stored record; `None` for a new one),
/// every change validated. A new record gets the defaults: DTSTAMP and CREATED,
/// a task's NEEDS-ACTION, a note's date, an event's default length.
pub fn build(
    base: Option<&Record>,
    edit: &RecordEdit,
    collections: &[Collection],
    cx: &EditContext,
) -> Result<Record, RecordError> {
    let kind = edit.kind;
    let mut r = match (base, &edit.target) {
        (Some(b), _) if b.kind != kind => {
            return Err(RecordError::WrongKind {
                id: b.id.clone(),
                found: b.kind,
                expected: kind,
            });
        }
        (Some(b), _) => b.clone(),
        (None, Target::New(id)) => new_record(kind, id, collections),
        (None, Target::Existing(id)) => return Err(StoreError::NoRecord(id.clone()).into()),
    };
    let mut changes: Vec<&FieldChange> = edit.changes.iter().collect();
    changes.sort_by_key(|c| c.field);
    for c in changes {
        if !text::belongs(kind, c.field) {
            return Err(RecordError::UnknownField {
                kind,
                name: c.field.name(kind).to_string(),
                known: Field::names(kind),
            });
        }
        set::set(&mut r, c.field, &c.value, collections, cx).map_err(|reason| {
            RecordError::Invalid {
                kind,
                field: c.field,
                reason,
            }
        })?;
    }
    // Asked for all day, the event is all day, whatever time its start was given
    // in the same edit (the start is set after the flag, and a time makes an
    // all-day event timed).
    let all_day_asked = edit
        .changes
        .iter()
        .any(|c| c.field == Field::AllDay && matches!(validate::boolean(&c.value), Ok(true)));
    if all_day_asked && text::when_of(&r, "DTSTART").is_some_and(|w| !w.is_date()) {
        set::set(&mut r, Field::AllDay, "true", collections, cx).map_err(|reason| {
            RecordError::Invalid {
                kind,
                field: Field::AllDay,
                reason,
            }
        })?;
    }
    if base.is_none() {
        defaults(&mut r, cx);
    }
    // A rule typed, or a start changed, this edit: UNTIL written as the start asks
    // (a rule that came in a file and is not edited goes out as it came).
    let anchors = [
        Field::Rrule,
        Field::Start,
        Field::AllDay,
        Field::Tz,
        Field::Due,
    ];
    if edit.changes.iter().any(|c| anchors.contains(&c.field)) {
        // A date UNTIL on a timed start takes in its whole day when it was typed
        // now or the series was all day (its day was one of the series'); on a
        // timed series moved, it stays the midnight it was read as: the series
        // keeps its occurrences.
        let typed = edit.changes.iter().any(|c| c.field == Field::Rrule);
        let was_all_day = base.is_some_and(|b| series_start(b).is_some_and(|w| w.is_date()));
        until_in_form_of_start(&mut r, typed || was_all_day, cx);
    }
    required(&r)?;
    due_not_before_start(&r, edit, cx)?;
    Ok(r)
}

/// The start a series of `r` counts from: DTSTART, or a task's DUE.
fn series_start(r: &Record) -> Option<When> {
    let anchor = r.prop("DTSTART").or_else(|| match r.kind {
        Kind::Task => r.prop("DUE"),
        _ => None,
    });
    anchor.and_then(|p| When::from_property(p).ok())
}

/// Every RRULE of `r` with its UNTIL in the form of the series' start (a date
/// UNTIL on a timed start: its `whole_day`, else its midnight).
fn until_in_form_of_start(r: &mut Record, whole_day: bool, cx: &EditContext) {
    let Some(start) = series_start(r) else {
        return;
    };
    let zones = r.body.timezones.clone();
    for p in r.body.main.props.iter_mut().filter(|p| p.name == "RRULE") {
        let written =
            crate::recur::until_in_form_of_start(&p.value, &start, &zones, cx.tz, whole_day);
        if let Some(v) = written {
            p.value = v;
        }
    }
}

/// A task's due may not come before its start (RFC 5545; events refuse an end
/// before the start alike). Only an edit of either is held to it: a task imported
/// so stays editable otherwise.
fn due_not_before_start(
    r: &Record,
    edit: &RecordEdit,
    cx: &EditContext,
) -> Result<(), RecordError> {
    let touched = |f: Field| edit.changes.iter().any(|c| c.field == f);
    if r.kind != Kind::Task || !(touched(Field::Start) || touched(Field::Due)) {
        return Ok(());
    }
    let (Some(start), Some(due)) = (text::when_of(r, "DTSTART"), text::when_of(r, "DUE")) else {
        return Ok(());
    };
    let at = |w: &When| crate::model::tz::instant(w, &r.body.timezones, cx.tz);
    if at(&due) < at(&start) {
        let field = if touched(Field::Due) {
            Field::Due
        } else {
            Field::Start
        };
        return Err(RecordError::Invalid {
            kind: Kind::Task,
            field,
            reason: validate::Reason("the due is before the start".into()),
        });
    }
    Ok(())
}

fn new_record(kind: Kind, id: &str, collections: &[Collection]) -> Record {
    let of_kind: Vec<&Collection> = collections.iter().filter(|c| c.kind == kind).collect();
    let collection = of_kind
        .iter()
        .find(|c| c.name == crate::store::default_collection_name(kind))
        .or(of_kind.first())
        .map(|c| c.id.clone())
        .unwrap_or_else(|| crate::store::default_collection_id(kind));
    let mut r = Record::new(kind, &collection);
    r.id = id.to_string();
    r.set_props("UID", vec![Property::new("UID", id)]);
    r
}

fn defaults(r: &mut Record, cx: &EditContext) {
    let add = |r: &mut Record, p: Property| {
        if r.prop(&p.name).is_none() {
            r.body.main.props.push(p);
        }
    };
    if r.kind != Kind::Contact {
        add(r, When::Utc(cx.now).to_property("DTSTAMP"));
        add(r, When::Utc(cx.now).to_property("CREATED"));
    }
    match r.kind {
        Kind::Task => add(r, Property::new("STATUS", "NEEDS-ACTION")),
        Kind::Note => {
            let today = cx.now.with_timezone(&cx.tz).date_naive();
            add(r, When::Date(today).to_property("DTSTART"));
        }
        Kind::Event => {
            if r.prop("DTEND").is_none()
                && r.prop("DURATION").is_none()
                && let Some(start) = text::when_of(r, "DTSTART")
            {
                set::set_end(r, &start, set::default_end(&start));
            }
        }
        Kind::Contact => {}
    }
}

/// What every record of its kind must have.
fn required(r: &Record) -> Result<(), RecordError> {
    let missing = |field: Field, what: &str| RecordError::Invalid {
        kind: r.kind,
        field,
        reason: Reason(format!("{} {} needs {what}", article(r.kind), r.kind)),
    };
    let has = |name: &str| r.text(name).is_some_and(|t| !t.trim().is_empty());
    match r.kind {
        Kind::Contact if !has("FN") => Err(missing(Field::FullName, "a name")),
        Kind::Event if !has("SUMMARY") => Err(missing(Field::Summary, "a title")),
        Kind::Event if r.prop("DTSTART").is_none() => Err(missing(Field::Start, "a start")),
        Kind::Task | Kind::Note if !has("SUMMARY") => Err(missing(Field::Summary, "a title")),
        // A task repeats from its due (or start): a rule alone has nothing to count from.
        Kind::Task
            if r.prop("RRULE").is_some()
                && r.prop("DUE").is_none()
                && r.prop("DTSTART").is_none() =>
        {
            Err(missing(Field::Due, "a due date to repeat"))
        }
        _ => Ok(()),
    }
}

/// Create or update a record: validate, check for conflicts, write only the
/// changed fields, in one transaction.
pub fn save(store: &mut Store, edit: &RecordEdit, cx: &EditContext) -> Result<Saved, RecordError> {
    let collections = store.collections(Some(edit.kind))?;
    let default_alarms = default_alarms(edit, &collections, cx);
    store.write(|w| {
        let current = match &edit.target {
            Target::New(_) => None,
            Target::Existing(id) => {
                Some(w.get(id)?.ok_or_else(|| StoreError::NoRecord(id.clone()))?)
            }
        };
        if let Some(cur) = &current {
            let stale = stale::moved_since_seen(cur, edit, &collections, cx);
            if !stale.is_empty() {
                return Ok(Err(RecordError::Conflict {
                    kind: edit.kind,
                    stale,
                    current: Box::new(cur.clone()),
                }));
            }
        }
        let mut after = match build(current.as_ref(), edit, &collections, cx) {
            Ok(r) => r,
            Err(e) => return Ok(Err(e)),
        };
        if let Some(text) = default_alarms
            .iter()
            .find(|(id, _)| *id == after.collection)
            .map(|(_, t)| t)
            && let Err(reason) = set::set(&mut after, Field::Alarms, text, &collections, cx)
        {
            return Ok(Err(RecordError::Invalid {
                kind: edit.kind,
                field: Field::Alarms,
                reason,
            }));
        }
        // A whole-series edit keeps its occurrences' own changes in step.
        let after = match &current {
            Some(cur) if matches!(cur.kind, Kind::Event | Kind::Task) && cur.is_recurring() => {
                occurrence::whole_series(cur, after, cx.tz)
            }
            _ => after,
        };
        match &current {
            None => {
                w.create(&after)?;
            }
            Some(cur) if *cur != after => {
                w.update(&after)?;
            }
            Some(_) => {}
        }
        Ok(Ok(Saved {
            before: current,
            after,
        }))
    })?
}

/// A new event's or task's collection default alarms (`pim collections set
/// --default-alarm`), by collection id; none when the edit sets alarms itself.
/// A text that does not read (synced from another version or device) is left out
/// rather than refusing every new record of that collection.
fn default_alarms(
    edit: &RecordEdit,
    collections: &[Collection],
    cx: &EditContext,
) -> Vec<(String, String)> {
    let sets_alarms = edit.changes.iter().any(|c| c.field == Field::Alarms);
    if !edit.is_new() || sets_alarms || !matches!(edit.kind, Kind::Event | Kind::Task) {
        return Vec::new();
    }
    collections
        .iter()
        .filter_map(|c| Some((c.id.clone(), c.default_alarms.clone()?)))
        .filter(|(_, text)| {
            crate::app::reminders::spec::parse_list(text, edit.kind, cx.now, cx.tz).is_ok()
        })
        .collect()
}

/// What [`delete_as_named`] removed.
pub enum Deleted {
    /// The record, as it was.
    Record(Record),
    /// A row whose id is not text that reads as the id (a copy another program
    /// wrote), beside a sound record of that id, which lives on.
    DamagedCopy,
    /// A row of no kind pim knows (another program wrote it), removed without
    /// logging: no device reads a record of that kind. Why its kind is unknown.
    KindlessRow(String),
}

/// Delete what `id` names in a warning or a listing: when a record `id` exists and a
/// row whose id is not text also reads as `id`, that copy alone, logging nothing
/// (the record lives on, here and on other devices), so that following a warning's
/// advice never deletes the sound record instead; a row of no kind pim knows, logging
/// nothing; else the record ([`delete`]).
pub fn delete_as_named(store: &mut Store, id: &str) -> Result<Deleted, RecordError> {
    if store.write(|w| w.remove_damaged_copy(id))? {
        return Ok(Deleted::DamagedCopy);
    }
    let kindless = store.write(|w| {
        w.adopt_damaged_id(id)?;
        w.remove_kindless_row(id)
    })?;
    if let Some(why) = kindless {
        return Ok(Deleted::KindlessRow(why));
    }
    delete(store, id).map(Deleted::Record)
}

/// Delete a record; returns it as it was.
pub fn delete(store: &mut Store, id: &str) -> Result<Record, RecordError> {
    Ok(store.write(|w| {
        // A row whose id is not text answers to the id its warning names.
        w.adopt_damaged_id(id)?;
        let old = w
            .get_or_shell(id)?
            .ok_or_else(|| StoreError::NoRecord(id.to_string()))?;
        w.delete(id)?;
        Ok(old)
    })?)
}

#[cfg(test)]
mod calendar_end_tests;
#[cfg(test)]
mod tests;
