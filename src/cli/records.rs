//! `pim add`, `list`, `show`, `edit`, `delete`, `search`.

use std::io::Read;

use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Duration, Utc};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;

use super::Context;
use super::print;
use crate::formats::view::record_json;
use crate::formats::view_event::{EventView, OverrideTexts};
use crate::model::edit::set_field;
use crate::model::time::parse_user_when;
use crate::model::{Kind, Record, When};
use crate::recur::{Occurrence, occurrences};
use crate::store::StoredRecord;

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
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
    /// Add an event
    Event {
        #[arg(long)]
        summary: String,
        /// Start: 2026-12-01, '2026-12-01 10:00', RFC 3339, today, tomorrow, +3d, +2h
        #[arg(long, value_name = "WHEN")]
        start: String,
        /// End (exclusive for all-day events)
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
        #[arg(long)]
        location: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Recurrence rule, e.g. FREQ=WEEKLY;BYDAY=MO
        #[arg(long, value_name = "RULE")]
        rrule: Option<String>,
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
    /// Add a task
    Task {
        #[arg(long)]
        summary: String,
        #[arg(long, value_name = "WHEN")]
        due: Option<String>,
        /// 1 (highest) to 9 (lowest)
        #[arg(long, value_name = "1-9")]
        priority: Option<String>,
        #[arg(long)]
        description: Option<String>,
        /// Id of the parent task
        #[arg(long, value_name = "ID")]
        parent: Option<String>,
        #[arg(long, value_name = "C")]
        collection: Option<String>,
    },
    /// Add a note
    Note {
        #[arg(long)]
        title: String,
        /// Markdown text, or - to read it from stdin
        #[arg(long, value_name = "TEXT")]
        body: Option<String>,
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
    pub kind: KindArg,
    /// Window start (events: one entry per occurrence inside the window)
    #[arg(long, value_name = "WHEN")]
    pub from: Option<String>,
    /// Window end (exclusive)
    #[arg(long, value_name = "WHEN")]
    pub to: Option<String>,
    #[arg(long, value_name = "C")]
    pub collection: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Record id (a unique prefix is enough)
    pub id: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    pub id: String,
    /// FIELD=VALUE, FIELD being the JSON key (repeatable; empty VALUE clears)
    #[arg(long = "set", value_name = "FIELD=VALUE", required = true)]
    pub set: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeleteArgs {
    pub id: String,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    pub query: String,
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
        ecx.tz = zone.parse().map_err(|_| {
            anyhow!("--tz: unknown time zone {zone:?} (use an IANA name such as Europe/Berlin)")
        })?;
    }
    let (kind, collection, fields): (Kind, Option<String>, Vec<(&str, String)>) = match cmd {
        AddCommand::Contact {
            name,
            emails,
            phones,
            org,
            birthday,
            note,
            collection,
        } => {
            let mut f = vec![("full_name", name)];
            if !emails.is_empty() {
                f.push(("emails", emails.join(",")));
            }
            if !phones.is_empty() {
                f.push(("phones", phones.join(",")));
            }
            f.extend(org.map(|v| ("org", v)));
            f.extend(birthday.map(|v| ("birthday", v)));
            f.extend(note.map(|v| ("note", v)));
            (Kind::Contact, collection, f)
        }
        AddCommand::Event {
            summary,
            start,
            end,
            duration,
            all_day,
            tz,
            location,
            description,
            rrule,
            collection,
        } => {
            let _ = tz;
            let mut f = vec![("summary", summary), ("start", start)];
            if all_day {
                f.push(("all_day", "true".into()));
            }
            f.extend(end.map(|v| ("end", v)));
            f.extend(duration.map(|v| ("duration", v)));
            f.extend(location.map(|v| ("location", v)));
            f.extend(description.map(|v| ("description", v)));
            f.extend(rrule.map(|v| ("rrule", v)));
            (Kind::Event, collection, f)
        }
        AddCommand::Task {
            summary,
            due,
            priority,
            description,
            parent,
            collection,
        } => {
            let mut f = vec![("summary", summary)];
            f.extend(due.map(|v| ("due", v)));
            f.extend(priority.map(|v| ("priority", v)));
            f.extend(description.map(|v| ("description", v)));
            if let Some(p) = parent {
                let parent = cx.store.require(&resolve_id(cx, &p)?)?;
                if parent.kind != Kind::Task {
                    bail!("parent {p} is a {}, not a task", parent.kind);
                }
                f.push(("parent", parent.uid().unwrap_or(&parent.id).to_string()));
            }
            (Kind::Task, collection, f)
        }
        AddCommand::Note {
            title,
            body,
            collection,
        } => {
            let mut f = vec![("title", title)];
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
                f.push(("body", text));
            }
            (Kind::Note, collection, f)
        }
    };
    let coll = cx.store.resolve_collection(kind, collection.as_deref())?;
    let mut r = Record::new(kind, &coll.id);
    if kind != Kind::Contact {
        let stamp = When::Utc(cx.now).to_property("DTSTAMP");
        r.body.main.props.push(stamp);
        r.body
            .main
            .props
            .push(When::Utc(cx.now).to_property("CREATED"));
    }
    for (k, v) in &fields {
        set_field(&mut r, k, v, &ecx)?;
    }
    if kind == Kind::Event && r.prop("DTEND").is_none() {
        // Default length: one hour, or one day for all-day events.
        let start = When::from_property(r.prop("DTSTART").expect("start was set"))?;
        let len = if start.is_date() {
            Duration::days(1)
        } else {
            Duration::hours(1)
        };
        r.set_props("DTEND", vec![start.plus(len).to_property("DTEND")]);
    }
    cx.store.write(|w| w.create(&r))?;
    println!("{}", r.id);
    Ok(())
}

/// A full id, or a unique prefix of one.
pub fn resolve_id(cx: &Context, id: &str) -> anyhow::Result<String> {
    if cx.store.get(id)?.is_some() {
        return Ok(id.to_string());
    }
    if id.len() >= 4 && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        let mut stmt = cx
            .store
            .conn()
            .prepare("SELECT id FROM records WHERE id LIKE ?1 || '%' LIMIT 2")?;
        let ids: Vec<String> = stmt
            .query_map([id], |r| r.get(0))?
            .collect::<Result<_, _>>()?;
        match ids.len() {
            1 => return Ok(ids[0].clone()),
            2 => bail!("id prefix {id:?} is ambiguous"),
            _ => {}
        }
    }
    Err(anyhow!("no record with id {id:?}"))
}

fn window_bound(cx: &Context, s: &str, what: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(parse_user_when(s, cx.now, cx.tz)
        .with_context(|| format!("--{what}"))?
        .instant(cx.tz))
}

pub fn list(cx: &Context, a: ListArgs) -> anyhow::Result<()> {
    cx.store.prefer_mapped_reads()?;
    let kind = a.kind.kind();
    let coll_id = match &a.collection {
        Some(name) => Some(cx.store.resolve_collection(kind, Some(name))?.id),
        None => None,
    };
    let names = cx.collection_names()?;
    let name_of = |id: &str| names.get(id).cloned().unwrap_or_default();
    let window = match (&a.from, &a.to) {
        (None, None) => None,
        (from, to) => {
            let f = match from {
                Some(s) => window_bound(cx, s, "from")?,
                None => window_bound(cx, "today", "from")?,
            };
            let t = match to {
                Some(s) => window_bound(cx, s, "to")?,
                None => f + Duration::days(30),
            };
            if t <= f {
                bail!("--to must be after --from");
            }
            Some((f, t))
        }
    };
    let mut out = Listing::new(kind, a.json)?;
    match window {
        Some((from, to)) if kind == Kind::Event => {
            let rows = cx.store.events_between_rows(
                from.timestamp(),
                to.timestamp(),
                coll_id.as_deref(),
            )?;
            let expanded = decode_and_expand(rows, from, to, cx.tz)?;
            // Each event's shared fields are computed once, then borrowed per occurrence.
            let mut views = Vec::new();
            let mut occs = Vec::new();
            for (r, found) in &expanded {
                let coll = names.get(&r.collection).map_or("", String::as_str);
                views.push(EventView::new(r, coll));
                occs.extend(found.iter().map(|o| (views.len() - 1, o)));
            }
            // By start, then title and id: rank the events once, then sort small keys.
            let mut by_title: Vec<usize> = (0..views.len()).collect();
            by_title.sort_by(|a, b| {
                let (va, vb) = (&views[*a], &views[*b]);
                va.title()
                    .cmp(vb.title())
                    .then_with(|| va.id().cmp(vb.id()))
            });
            let mut rank = vec![0; views.len()];
            for (pos, v) in by_title.into_iter().enumerate() {
                rank[v] = pos;
            }
            let mut order: Vec<(i64, u32, usize, usize)> = occs
                .iter()
                .enumerate()
                .map(|(i, (v, o))| {
                    let utc = o.start.naive_utc().and_utc();
                    (utc.timestamp(), utc.timestamp_subsec_nanos(), rank[*v], i)
                })
                .collect();
            order.sort_unstable();
            let mut buf = Vec::new();
            for &(i, o) in order.iter().map(|k| &occs[k.3]) {
                let view = &views[i];
                if out.is_compact_json() {
                    buf.clear();
                    view.write_compact(o, &mut buf);
                    out.push_raw(&buf)?;
                } else {
                    out.push_ser(&view.occurrence(o, &OverrideTexts::of(view.source(), o)))?;
                }
            }
        }
        Some((from, to)) => {
            // Tasks: due inside the window; others have no time and ignore it.
            for r in cx.store.list(kind, coll_id.as_deref())? {
                if kind == Kind::Task {
                    let due = r.prop("DUE").and_then(|p| When::from_property(p).ok());
                    let inside = due.is_some_and(|d| {
                        let t = crate::model::tz::instant(&d, &r.body.timezones, cx.tz);
                        t >= from && t < to
                    });
                    if !inside {
                        continue;
                    }
                }
                out.push(record_json(&r, &name_of(&r.collection), cx.tz))?;
            }
        }
        None => {
            let mut records = cx.store.list(kind, coll_id.as_deref())?;
            if kind == Kind::Event {
                records.sort_by_key(|r| sort_start(r, cx));
            }
            if kind == Kind::Task {
                records.sort_by_key(|r| task_order(r, cx));
            }
            for r in records {
                out.push(record_json(&r, &name_of(&r.collection), cx.tz))?;
            }
        }
    }
    out.finish()
}

/// Decode the candidate events and expand them in the window, on up to 4 threads
/// (bodies' JSON and recurrence rules are most of a listing's work). Events without
/// an occurrence are dropped; the order of `rows` is kept.
fn decode_and_expand(
    rows: Vec<StoredRecord>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: chrono_tz::Tz,
) -> anyhow::Result<Vec<(Record, Vec<Occurrence>)>> {
    let work = |chunk: Vec<StoredRecord>| -> anyhow::Result<Vec<(Record, Vec<Occurrence>)>> {
        let mut out = Vec::new();
        for row in chunk {
            let r = row.decode()?;
            let found = occurrences(&r, from, to, tz)?;
            if !found.is_empty() {
                out.push((r, found));
            }
        }
        Ok(out)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    if threads < 2 || rows.len() < 256 {
        return work(rows);
    }
    let per = rows.len().div_ceil(threads);
    let mut chunks = Vec::new();
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<StoredRecord> = rows.by_ref().take(per).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let parts: Vec<anyhow::Result<_>> = std::thread::scope(|s| {
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|c| s.spawn(move || work(c)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("a listing thread panicked")))
            })
            .collect()
    });
    let mut out = Vec::new();
    for p in parts {
        out.extend(p?);
    }
    Ok(out)
}

/// A listing in progress: streamed JSON, or table rows (which need every width first).
enum Listing {
    Json(print::JsonArray),
    Table(Kind, Vec<Vec<String>>),
}

impl Listing {
    fn new(kind: Kind, json: bool) -> anyhow::Result<Listing> {
        Ok(if json {
            Listing::Json(print::JsonArray::start()?)
        } else {
            Listing::Table(kind, Vec::new())
        })
    }

    /// Whether items go out as compact JSON (so pre-serialized bytes may be pushed).
    fn is_compact_json(&self) -> bool {
        matches!(self, Listing::Json(j) if !j.is_pretty())
    }

    /// Push one item already serialized as compact JSON (see `is_compact_json`).
    fn push_raw(&mut self, json: &[u8]) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) => j.push_raw(json),
            Listing::Table(..) => self.push(serde_json::from_slice(json)?),
        }
    }

    /// Push anything with the JSON view's keys (tables go through a `Value`).
    fn push_ser<T: serde::Serialize>(&mut self, v: &T) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) => j.push(v),
            Listing::Table(..) => self.push(serde_json::to_value(v)?),
        }
    }

    fn push(&mut self, v: Value) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) => j.push(&v),
            Listing::Table(kind, rows) => {
                rows.push(row(*kind, &v));
                Ok(())
            }
        }
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) => j.finish(),
            Listing::Table(_, rows) => print::table(&rows),
        }
    }
}

fn sort_start(r: &Record, cx: &Context) -> i64 {
    r.prop("DTSTART")
        .and_then(|p| When::from_property(p).ok())
        .map(|w| crate::model::tz::instant(&w, &r.body.timezones, cx.tz).timestamp())
        .unwrap_or(i64::MAX)
}

fn task_order(r: &Record, cx: &Context) -> (bool, i64, u8) {
    let done = r.prop("STATUS").is_some_and(|p| {
        p.value.eq_ignore_ascii_case("COMPLETED") || p.value.eq_ignore_ascii_case("CANCELLED")
    });
    let due = r
        .prop("DUE")
        .and_then(|p| When::from_property(p).ok())
        .map(|w| crate::model::tz::instant(&w, &r.body.timezones, cx.tz).timestamp())
        .unwrap_or(i64::MAX);
    let prio = r
        .prop("PRIORITY")
        .and_then(|p| p.value.parse::<u8>().ok())
        .filter(|p| *p > 0)
        .unwrap_or(10);
    (done, due, prio)
}

fn row(kind: Kind, v: &Value) -> Vec<String> {
    let g = |k: &str| print::short(&v[k]);
    let id: String = g("id").chars().take(8).collect();
    match kind {
        Kind::Contact => vec![id, g("full_name"), g("emails"), g("phones"), g("org")],
        Kind::Event => vec![id, g("start"), g("end"), g("summary"), g("location")],
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

pub fn show(cx: &Context, a: ShowArgs) -> anyhow::Result<()> {
    let id = resolve_id(cx, &a.id)?;
    let r = cx.store.require(&id)?;
    let names = cx.collection_names()?;
    let v = record_json(
        &r,
        names.get(&r.collection).map(String::as_str).unwrap_or(""),
        cx.tz,
    );
    if a.json {
        return print::json(&v);
    }
    let mut rows = Vec::new();
    if let Value::Object(m) = &v {
        for (k, val) in m {
            let s = print::short(val);
            if !s.is_empty() && s != "false" && s != "[]" {
                rows.push(vec![format!("{k}:"), s]);
            }
        }
    }
    print::table(&rows)
}

pub fn edit(cx: &mut Context, a: EditArgs) -> anyhow::Result<()> {
    let id = resolve_id(cx, &a.id)?;
    let mut r = cx.store.require(&id)?;
    let ecx = cx.edit_context();
    for item in &a.set {
        let (field, value) = item
            .split_once('=')
            .ok_or_else(|| anyhow!("--set {item:?}: expected FIELD=VALUE"))?;
        if field == "collection" {
            let c = cx.store.resolve_collection(r.kind, Some(value))?;
            r.collection = c.id;
            continue;
        }
        set_field(&mut r, field.trim(), value, &ecx)?;
    }
    if r.kind == Kind::Event {
        let has_start = r.prop("DTSTART").is_some();
        if !has_start {
            bail!("an event needs a start");
        }
    }
    cx.store.write(|w| w.update(&r))?;
    println!("{}", r.id);
    Ok(())
}

pub fn delete(cx: &mut Context, a: DeleteArgs) -> anyhow::Result<()> {
    let id = resolve_id(cx, &a.id)?;
    cx.store.write(|w| w.delete(&id))?;
    Ok(())
}

pub fn search(cx: &Context, a: SearchArgs) -> anyhow::Result<()> {
    cx.store.prefer_mapped_reads()?;
    let names = cx.collection_names()?;
    let found = cx.store.search(&a.query, a.limit)?;
    let items: Vec<Value> = found
        .iter()
        .map(|r| {
            record_json(
                r,
                names.get(&r.collection).map(String::as_str).unwrap_or(""),
                cx.tz,
            )
        })
        .collect();
    if a.json {
        return print::json(&Value::Array(items));
    }
    let rows: Vec<Vec<String>> = found
        .iter()
        .map(|r| {
            vec![
                r.id.chars().take(8).collect(),
                r.kind.to_string(),
                r.title(),
            ]
        })
        .collect();
    print::table(&rows)
}
