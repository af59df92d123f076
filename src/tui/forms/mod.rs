//! Record forms: which fields each kind shows, and a submitted form as an edit for
//! `app::records`. A form only maps keys and text to fields; every rule (defaults,
//! validation, what a field's text means) lives in `app::records`.

use crate::model::zonedb::Tz;
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};

use super::form::{Field, Form};
use crate::app::records::{self, EditContext, Field as RecordField, RecordEdit, RecordError};
use crate::model::time::When;
use crate::model::{Collection, Kind, Record, tz};

pub use crate::app::records::text::{addr_line, plain_value, type_of};

/// What forms need to know about the world.
#[derive(Debug, Clone)]
pub struct FormCtx<'a> {
    pub collections: &'a [Collection],
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

impl FormCtx<'_> {
    pub fn edit_context(&self) -> EditContext {
        EditContext {
            now: self.now,
            tz: self.tz,
        }
    }

    fn default_collection_name(&self, kind: Kind) -> String {
        let of_kind: Vec<&Collection> =
            self.collections.iter().filter(|c| c.kind == kind).collect();
        of_kind
            .iter()
            .find(|c| c.name == crate::store::default_collection_name(kind))
            .or(of_kind.first())
            .map(|c| c.name.clone())
            .unwrap_or_else(|| crate::store::default_collection_name(kind).to_string())
    }
}

/// The fields a form of `kind` shows, with their hints.
fn shown(kind: Kind) -> &'static [(RecordField, &'static str)] {
    use RecordField::*;
    match kind {
        Kind::Contact => &[
            (FullName, "full name (required)"),
            (Org, ""),
            (Emails, "a@b.org (work), c@d.net (home)"),
            (Phones, "+49 30 1234 (cell), ..."),
            (Addresses, "street, city, postcode, country (home); ..."),
            (Birthday, "YYYY-MM-DD"),
            (Collection, ""),
            (Note, ""),
        ],
        Kind::Event => &[
            (Summary, "(required)"),
            (Start, "YYYY-MM-DD [HH:MM]; a date alone = all day"),
            (End, "empty = 1 hour (all day: same day); or +90m"),
            (Location, ""),
            (Alarms, "-15m, end+5m, 2026-12-01 09:00 (empty: none)"),
            (
                Rrule,
                "daily, weekdays, weekly, every 2 weeks, monthly, FREQ=...",
            ),
            (Collection, ""),
            (Description, ""),
        ],
        Kind::Task => &[
            (Summary, "(required)"),
            (Due, "YYYY-MM-DD [HH:MM], today, +3d (empty: none)"),
            (Rrule, "from the due: daily, weekly, monthly, FREQ=..."),
            (Alarms, "-15m before due, start-1h (empty: none)"),
            (Priority, "1 (high) .. 9 (low), empty: none"),
            (Collection, ""),
            (Description, ""),
        ],
        Kind::Note => &[(Summary, "(required)"), (Collection, "")],
    }
}

/// The form for creating (`base = None`) or editing a record of `kind`.
/// `day` seeds the start of a new event.
pub fn form_for(kind: Kind, base: Option<&Record>, day: NaiveDate, ctx: &FormCtx) -> Form {
    let cx = ctx.edit_context();
    let fields = shown(kind)
        .iter()
        .map(|&(key, hint)| {
            let value = match (base, key) {
                (Some(r), _) => records::text::show(r, key, ctx.collections, &cx),
                (None, RecordField::Collection) => ctx.default_collection_name(kind),
                (None, RecordField::Start) => format!("{} 09:00", day.format("%Y-%m-%d")),
                (None, _) => String::new(),
            };
            let mut field = Field::keyed(key, kind, hint, &value);
            if key == RecordField::Collection {
                // A picker over the collections of the kind (as in the invitation dialog).
                field.choices = ctx
                    .collections
                    .iter()
                    .filter(|c| c.kind == kind)
                    .map(|c| c.name.clone())
                    .collect();
                if !field.choices.is_empty() {
                    field.hint = "←/→ choose";
                }
            }
            field
        })
        .collect();
    let what = kind.as_str();
    Form {
        title: match base {
            Some(r) => format!("Edit {what}: {}", r.title()),
            None => format!("New {what}"),
        },
        kind,
        base: base.cloned(),
        parent: None,
        fields,
        focus: 0,
        error: None,
        keys: super::form::SAVE_KEYS,
    }
}

/// The edit a form asks for: for a new record every filled-in field, for an
/// existing one only the fields the user changed, each with the text it showed.
pub fn edit_of(form: &Form) -> RecordEdit {
    let keyed = form.fields.iter().filter_map(|f| f.key.map(|k| (k, f)));
    match &form.base {
        None => {
            let mut edit = RecordEdit::create(form.kind);
            for (key, f) in keyed.filter(|(_, f)| !f.value().is_empty()) {
                edit.set(key, f.value());
            }
            if let Some(parent) = &form.parent {
                edit.set(RecordField::Parent, parent.clone());
            }
            edit
        }
        Some(base) => {
            let mut edit = RecordEdit::update(form.kind, &base.id);
            for (key, f) in keyed.filter(|(_, f)| f.changed()) {
                edit.change(key, f.initial.trim(), f.value());
            }
            edit
        }
    }
}

/// The key line of a form reopened after a stale save.
pub const STALE_KEYS: &str = " Enter save yours · Ctrl-T take stored · Tab next · Esc drop ";

/// A form reopened after a stale save: based on the record as stored now, the user's
/// values typed in again, and each field that moved meanwhile showing the stored
/// value beside theirs. Saving it keeps theirs (based on the new value); Ctrl-T on
/// a field takes the stored value instead (that change is dropped).
pub fn reopen_stale(
    edit: &RecordEdit,
    current: &Record,
    stale: &[records::StaleField],
    ctx: &FormCtx,
) -> Form {
    let cx = ctx.edit_context();
    let day = ctx.now.with_timezone(&ctx.tz).date_naive();
    let mut form = form_for(edit.kind, Some(current), day, ctx);
    for change in &edit.changes {
        let at = match form.fields.iter().position(|f| f.key == Some(change.field)) {
            Some(at) => at,
            None => {
                // A change the form does not show (a note's text, a task's status).
                let now = records::text::show(current, change.field, ctx.collections, &cx);
                form.fields
                    .push(Field::keyed(change.field, edit.kind, "", &now));
                form.fields.len() - 1
            }
        };
        let field = &mut form.fields[at];
        field.input = super::input::LineInput::new(&change.value);
        field.stored = stale
            .iter()
            .find(|s| s.field == change.field)
            .map(|s| s.now.clone());
    }
    form.focus = form
        .fields
        .iter()
        .position(|f| f.stored.is_some())
        .unwrap_or(0);
    form.error = Some(message(&RecordError::Conflict {
        kind: edit.kind,
        stale: stale.to_vec(),
        current: Box::new(current.clone()),
    }));
    form.keys = STALE_KEYS;
    form
}

/// Validate a submitted form: the edit to save and the record it makes of the
/// form's base (a refusal is shown in the form with [`message`]).
pub fn apply(form: &Form, ctx: &FormCtx) -> Result<(RecordEdit, Record), RecordError> {
    let edit = edit_of(form);
    let r = records::build(
        form.base.as_ref(),
        &edit,
        ctx.collections,
        &ctx.edit_context(),
    )?;
    Ok((edit, r))
}

/// An error as a form shows it: the field under its label.
pub fn message(e: &RecordError) -> String {
    match e {
        RecordError::Invalid {
            kind,
            field,
            reason,
        } => format!("{}: {reason}", field.label(*kind)),
        RecordError::Conflict { kind, stale, .. } => {
            let labels: Vec<&str> = stale.iter().map(|s| s.field.label(*kind)).collect();
            format!(
                "changed meanwhile: {}. Enter saves yours, Ctrl-T takes the stored value",
                labels.join(", ")
            )
        }
        e => e.to_string(),
    }
}

/// The local wall time of a stored value (for sorting and display).
pub fn local_naive(w: &When, r: &Record, zone: Tz) -> NaiveDateTime {
    match w {
        When::Date(d) => d.and_hms_opt(0, 0, 0).expect("midnight"),
        When::Floating(n) => *n,
        _ => tz::instant(w, &r.body.timezones, zone)
            .with_timezone(&zone)
            .naive_local(),
    }
}

#[cfg(test)]
mod tests;
