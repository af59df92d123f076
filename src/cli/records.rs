//! `pim add`, `list`, `show`, `edit`, `delete`, `search`.

use std::io::{Read, Write};

use anyhow::{Context as _, anyhow, bail};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::Context;
use super::print;

mod list;
mod listed_table;
mod rows;
mod window;
use crate::app::records::{self, Field, RecordEdit, occurrence, validate};
use crate::formats::view_contact::ContactJson;
use crate::model::Kind;
pub use list::list;

#[derive(Debug, Subcommand)]
pub enum AddCommand {
    /// Add a contact
    Contact {
        /// Full name
        #[arg(long)]
        name: String,
        /// Email address (repeatable)
        #[arg(long = "email", value_name = "E")]
        emails: Vec<String>,
        /// Phone number (repeatable)
        #[arg(long = "phone", value_name = "P")]
        phones: Vec<String>,
        /// Organisation
        #[arg(long)]
        org: Option<String>,
        /// Birthday (YYYY-MM-DD)
        #[arg(long, value_name = "DATE")]
        birthday: Option<String>,
        /// A note about the contact
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Collection (name or id; default: the kind's default collection)
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
    /// Add an event
    Event {
        /// Title
        #[arg(long)]
        summary: String,
        /// Start: 2026-12-01, '2026-12-01 10:00', RFC 3339, today, tomorrow, +3d, +2h
        #[arg(long, value_name = "WHEN")]
        start: String,
        /// End; for an all-day event its last day; +90m: that long after the start
        #[arg(long, value_name = "WHEN", conflicts_with = "duration")]
        end: Option<String>,
        /// Length, e.g. 1h30m, 45m, 2d
        #[arg(long)]
        duration: Option<String>,
        /// An all-day event
        #[arg(long)]
        all_day: bool,
        /// Time zone of the start and end (IANA name, default: yours)
        #[arg(long, value_name = "ZONE")]
        tz: Option<String>,
        /// Where it takes place
        #[arg(long)]
        location: Option<String>,
        /// Longer text
        #[arg(long)]
        description: Option<String>,
        /// Repeat: daily, weekly, weekdays, monthly, yearly, 'every 2 weeks', or an RRULE such as FREQ=WEEKLY;BYDAY=MO
        #[arg(long, value_name = "RULE")]
        rrule: Option<String>,
        /// Reminder (repeatable): -15m before the start, +5m after, end-10m before the
        /// end, or a WHEN such as '2026-12-01 09:00'
        #[arg(long = "alarm", value_name = "WHEN", allow_hyphen_values = true,
              value_parser = clap::builder::NonEmptyStringValueParser::new())]
        alarms: Vec<String>,
        /// Collection (name or id; default: the kind's default collection)
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
    /// Add a task
    Task {
        /// Title
        #[arg(long)]
        summary: String,
        /// Due: a date, a date and time, today, tomorrow, +3d
        #[arg(long, value_name = "WHEN")]
        due: Option<String>,
        /// 1 (highest) to 9 (lowest)
        #[arg(long, value_name = "1-9")]
        priority: Option<String>,
        /// Longer text
        #[arg(long)]
        description: Option<String>,
        /// Id of the parent task
        #[arg(long, value_name = "ID")]
        parent: Option<String>,
        /// Repeat (from the due date): daily, weekly, weekdays, monthly, yearly,
        /// 'every 2 weeks', or an RRULE; complete one occurrence with
        /// `pim edit ID --occurrence WHEN --set status=done`
        #[arg(long, value_name = "RULE", requires = "due")]
        rrule: Option<String>,
        /// Reminder (repeatable): -15m before the due time, start-1h before the start,
        /// or a WHEN such as '2026-12-01 09:00'
        #[arg(long = "alarm", value_name = "WHEN", allow_hyphen_values = true,
              value_parser = clap::builder::NonEmptyStringValueParser::new())]
        alarms: Vec<String>,
        /// Collection (name or id; default: the kind's default collection)
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
    /// Add a note
    Note {
        /// Title
        #[arg(long)]
        title: String,
        /// Markdown text, or - to read it from stdin
        #[arg(long, value_name = "TEXT")]
        body: Option<String>,
        /// Collection (name or id; default: the kind's default collection)
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Contacts,
    Events,
    Tasks,
    Notes,
}

impl KindArg {
    fn kind(self) -> Kind {
        match self {
            KindArg::Contacts => Kind::Contact,
            KindArg::Events => Kind::Event,
            KindArg::Tasks => Kind::Task,
            KindArg::Notes => Kind::Note,
        }
    }
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// What to list
    pub kind: KindArg,
    /// Window start (events: one entry per occurrence inside the window)
    #[arg(long, value_name = "WHEN")]
    pub from: Option<String>,
    /// Window end: a date includes that day (`--to 2026-12-31` lists the 31st); a date
    /// and time is exclusive
    #[arg(long, value_name = "WHEN")]
    pub to: Option<String>,
    /// Only this collection (name or id)
    #[arg(long, value_name = "C")]
    pub collection: Option<String>,
    /// Occurrences listed at most in a window (more are left out with a notice)
    #[arg(long, value_name = "N", default_value_t = crate::recur::DEFAULT_LIMIT)]
    pub limit: usize,
    /// JSON output; an all-day `end` is exclusive there, as in iCalendar (text shows
    /// the last day)
    #[arg(long)]
    pub json: bool,
    /// Events in a window: leave out contacts' birthdays and anniversaries (listed by
    /// default as the read-only calendar "Birthdays"; `--collection Birthdays` lists
    /// only them)
    #[arg(long)]
    pub no_birthdays: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Record id (a unique prefix is enough)
    pub id: String,
    /// JSON output (the fields `--set` names)
    #[arg(long)]
    pub json: bool,
}

/// Which occurrences of a recurring event or task `edit` and `delete` act on.
#[derive(Debug, Args)]
pub struct OccurrenceArgs {
    /// Only the occurrence at WHEN (its date, date and time, or RFC 3339; a moved
    /// occurrence also answers to its original time, a task's to its due date);
    /// without it, the whole series
    #[arg(long, value_name = "WHEN")]
    pub occurrence: Option<String>,
    /// That occurrence and every later one (the series ends before it; a new series
    /// starts there)
    #[arg(long, requires = "occurrence")]
    pub this_and_following: bool,
}

impl OccurrenceArgs {
    fn scope(&self) -> occurrence::Scope {
        if self.this_and_following {
            occurrence::Scope::ThisAndFollowing
        } else {
            occurrence::Scope::This
        }
    }
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// Record id (a unique prefix is enough)
    pub id: String,
    /// FIELD=VALUE, FIELD being the JSON key (repeatable; empty VALUE clears)
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
    pub set: Vec<String>,
    #[command(flatten)]
    pub at: OccurrenceArgs,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    /// Record id (a unique prefix is enough)
    pub id: String,
    #[command(flatten)]
    pub at: OccurrenceArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Words (all must match; a word's start is enough), an address or a phone number
    pub query: String,
    /// JSON output
    #[arg(long)]
    pub json: bool,
    /// Most results to show
    #[arg(long, default_value_t = 200)]
    pub limit: usize,
}

pub fn add(cx: &mut Context, cmd: AddCommand) -> anyhow::Result<()> {
    let mut ecx = cx.edit_context();
    if let AddCommand::Event { tz: Some(zone), .. } = &cmd {
        // Wall times typed with --tz are in that zone.
        ecx.tz = validate::zone(zone).map_err(|e| anyhow!("--tz: {e}"))?;
    }
    let edit = add_edit(cmd, |p| task_uid(cx, p))?;
    let saved = records::save(&mut cx.store, &edit, &ecx)?;
    outln!("{}", saved.after.id);
    Ok(())
}

/// The UID of the task `p` names: its UID, or its id (a unique prefix is enough).
fn task_uid(cx: &Context, p: &str) -> anyhow::Result<String> {
    if !cx.store.by_uid(Kind::Task, p)?.is_empty() {
        return Ok(p.to_string());
    }
    let parent = cx.store.require(&resolve_id(cx, p)?)?;
    if parent.kind != Kind::Task {
        bail!("parent {p} is a {}, not a task", parent.kind);
    }
    Ok(parent.uid().unwrap_or(&parent.id).to_string())
}

/// `pim add ...` as an edit: the options become field changes; `parent_uid` turns
/// the id given with `--parent` into the parent task's UID.
fn add_edit(
    cmd: AddCommand,
    parent_uid: impl FnOnce(&str) -> anyhow::Result<String>,
) -> anyhow::Result<RecordEdit> {
    let (kind, collection, fields): (Kind, Option<String>, Vec<(Field, String)>) = match cmd {
        AddCommand::Contact {
            name,
            emails,
            phones,
            org,
            birthday,
            note,
            collection,
        } => {
            let mut f = vec![(Field::FullName, name)];
            if !emails.is_empty() {
                f.push((Field::Emails, emails.join(",")));
            }
            if !phones.is_empty() {
                f.push((Field::Phones, phones.join(",")));
            }
            f.extend(org.map(|v| (Field::Org, v)));
            f.extend(birthday.map(|v| (Field::Birthday, v)));
            f.extend(note.map(|v| (Field::Note, v)));
            (Kind::Contact, collection, f)
        }
        AddCommand::Event {
            summary,
            start,
            end,
            duration,
            all_day,
            tz: _,
            location,
            description,
            rrule,
            alarms,
            collection,
        } => {
            let mut f = vec![(Field::Summary, summary), (Field::Start, start)];
            if all_day {
                f.push((Field::AllDay, "true".into()));
            }
            f.extend(end.map(|v| (Field::End, v)));
            f.extend(duration.map(|v| (Field::Duration, v)));
            f.extend(location.map(|v| (Field::Location, v)));
            f.extend(description.map(|v| (Field::Description, v)));
            f.extend(rrule.map(|v| (Field::Rrule, v)));
            if !alarms.is_empty() {
                f.push((Field::Alarms, alarms.join(",")));
            }
            (Kind::Event, collection, f)
        }
        AddCommand::Task {
            summary,
            due,
            priority,
            description,
            parent,
            rrule,
            alarms,
            collection,
        } => {
            let mut f = vec![(Field::Summary, summary)];
            f.extend(due.map(|v| (Field::Due, v)));
            f.extend(rrule.map(|v| (Field::Rrule, v)));
            f.extend(priority.map(|v| (Field::Priority, v)));
            f.extend(description.map(|v| (Field::Description, v)));
            if let Some(p) = parent {
                f.push((Field::Parent, parent_uid(&p)?));
            }
            if !alarms.is_empty() {
                f.push((Field::Alarms, alarms.join(",")));
            }
            (Kind::Task, collection, f)
        }
        AddCommand::Note {
            title,
            body,
            collection,
        } => {
            let mut f = vec![(Field::Summary, title)];
            if let Some(b) = body {
                let text = if b == "-" {
                    let mut s = String::new();
                    std::io::stdin()
                        .read_to_string(&mut s)
                        .context("reading the note body from stdin")?;
                    s
                } else {
                    b
                };
                f.push((Field::Description, text));
            }
            (Kind::Note, collection, f)
        }
    };
    let mut edit = RecordEdit::create(kind);
    // Without --collection the record goes to the kind's default one.
    if let Some(c) = collection {
        edit.set(Field::Collection, c);
    }
    for (field, value) in fields {
        edit.set(field, value);
    }
    Ok(edit)
}

/// A full id, or a unique prefix of one.
pub fn resolve_id(cx: &Context, id: &str) -> anyhow::Result<String> {
    // The whole id of a record, or the id a warning names for a row whose id is
    // not text: either before any prefix (a damaged row's id may be another's
    // short id).
    if cx.store.contains(id)? || cx.store.holds_damaged_id(id)? {
        return Ok(id.to_string());
    }
    if id.len() >= 4 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        let ids = cx.store.ids_with_prefix(id, 2)?;
        match ids.len() {
            1 => return Ok(ids[0].clone()),
            2 => bail!("id prefix {id:?} is ambiguous"),
            _ => {}
        }
    }
    Err(anyhow!("no record with id {id:?}"))
}

pub fn show(cx: &Context, a: ShowArgs) -> anyhow::Result<()> {
    let id = resolve_id(cx, &a.id)?;
    let r = cx.store.require(&id)?;
    let names = cx.collection_names()?;
    let mut v = rows::record_value(
        &r,
        names.get(&r.collection).map(String::as_str).unwrap_or(""),
        cx.tz,
    );
    // A contact: the events the person attends or organises, after the fields.
    let events = match r.kind {
        Kind::Contact => Some(super::people::events_of(cx, &r)?),
        _ => None,
    };
    if a.json {
        if let (Some(found), Value::Object(m)) = (&events, &mut v) {
            m.insert("events".into(), super::people::events_json(found));
        }
        return print::json(&v);
    }
    crate::formats::view::text_end_inclusive(&mut v);
    if let Value::Object(m) = &mut v
        && matches!(r.kind, Kind::Event | Kind::Task)
    {
        // Alarms as `--alarm` and `--set alarms=` take them.
        let alarms = crate::app::reminders::spec::show_all(&r, cx.tz);
        m.insert("alarms_text".into(), Value::String(alarms));
    }
    let mut out = super::print::Stdout::lock();
    for line in super::show::record_lines(&v) {
        writeln!(out, "{line}")?;
    }
    out.finish()?;
    match &events {
        Some(found) => super::people::print_events(cx, found),
        None => Ok(()),
    }
}

pub fn edit(cx: &mut Context, a: EditArgs) -> anyhow::Result<()> {
    let id = resolve_id(cx, &a.id)?;
    let record = cx.store.require(&id)?;
    let kind = record.kind;
    let mut edit = RecordEdit::update(kind, &id);
    for item in &a.set {
        let (field, value) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {item:?}: expected FIELD=VALUE"))?;
        let field = field.trim();
        // A parent is named as `add --parent` names it, and never closes a loop.
        if kind == Kind::Task
            && records::Field::named(kind, field) == Some(records::Field::Parent)
            && !value.trim().is_empty()
        {
            let uid = task_uid(cx, value.trim())?;
            let own = record.uid().unwrap_or(&record.id);
            records::parent::check_no_loop(&cx.store, own, &uid)?;
            edit.set_named(field, uid)?;
            continue;
        }
        edit.set_named(field, value)?;
    }
    let ecx = cx.edit_context();
    if let Some(when) = &a.at.occurrence {
        let inst = occurrence::find(&record, when, &ecx)?;
        let saved = occurrence::save_occurrence(
            &mut cx.store,
            &edit,
            &inst.recurrence_id,
            a.at.scope(),
            &ecx,
        )?;
        // The record that holds the changed occurrence: a new series after a split.
        if let Some(r) = saved.changed() {
            outln!("{}", r.id);
        }
        return Ok(());
    }
    let saved = records::save(&mut cx.store, &edit, &ecx)?;
    outln!("{}", saved.after.id);
    Ok(())
}

pub fn delete(cx: &mut Context, a: DeleteArgs) -> anyhow::Result<()> {
    let id = resolve_id(cx, &a.id)?;
    if let Some(when) = &a.at.occurrence {
        let ecx = cx.edit_context();
        let record = cx.store.require(&id)?;
        let inst = occurrence::find(&record, when, &ecx)?;
        let scope = a.at.scope();
        occurrence::delete_occurrence(&mut cx.store, &id, &inst.recurrence_id, scope, &ecx)?;
        let short: String = record.id.chars().take(8).collect();
        let which = if a.at.this_and_following {
            "occurrences from"
        } else {
            "occurrence"
        };
        outln!(
            "deleted the {which} {when} of {} {:?} ({short})",
            record.kind,
            record.title()
        );
        return Ok(());
    }
    let gone = match records::delete_as_named(&mut cx.store, &id)? {
        records::Deleted::Record(gone) => gone,
        records::Deleted::DamagedCopy => {
            outln!(
                "removed a damaged copy of {id} (its id is not text); the record itself is \
                 kept (`pim delete {id}` again deletes it)"
            );
            return Ok(());
        }
        records::Deleted::KindlessRow(why) => {
            outln!("removed the row {id}: {why} (not synced: no device reads it)");
            return Ok(());
        }
    };
    let short: String = gone.id.chars().take(8).collect();
    outln!("deleted {} {:?} ({short})", gone.kind, gone.title());
    Ok(())
}

pub fn search(cx: &Context, a: SearchArgs) -> anyhow::Result<()> {
    cx.store.prefer_mapped_reads()?;
    let names = cx.collection_names()?;
    let (plan, problem) = crate::config::phone_plan(&cx.paths.config_file());
    if let Some(problem) = problem {
        errln!("pim: warning: {problem}");
    }
    cx.store.set_phone_plan(plan);
    let coll = |r: &crate::model::Record| names.get(&r.collection).map_or("", String::as_str);
    if a.json {
        // Streamed, one result at a time; indented JSON for a person at a terminal
        // is written whole, as `print::json` writes it.
        if std::io::IsTerminal::is_terminal(&std::io::stdout()) {
            let mut items = Vec::new();
            cx.store.search_each(&a.query, a.limit, |r| {
                items.push(rows::record_value(&r, coll(&r), cx.tz));
                anyhow::Ok(())
            })?;
            return print::json(&Value::Array(items));
        }
        let mut out = print::JsonArray::start()?;
        cx.store.search_each(&a.query, a.limit, |r| match r.kind {
            Kind::Contact => out.push(&ContactJson::new(&r, coll(&r))),
            _ => out.push(&rows::record_value(&r, coll(&r), cx.tz)),
        })?;
        return out.finish();
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    cx.store.search_each(&a.query, a.limit, |r| {
        rows.push(vec![
            r.id.chars().take(8).collect(),
            r.kind.to_string(),
            r.title(),
        ]);
        anyhow::Ok(())
    })?;
    print::table(&rows)
}
