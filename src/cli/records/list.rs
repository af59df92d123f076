//! `pim list`: records of one kind, or the occurrences of events in a window.

use std::collections::HashMap;

use crate::model::zonedb::Tz;
use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Duration, Utc};

use super::ListArgs;
use super::listed_table;
use super::rows;
use super::window::{self, Style};
use crate::app::birthdays;
use crate::cli::Context;
use crate::cli::chunks::{CHUNK, decode_all, in_parallel};
use crate::cli::export_json::{ItemShape, write_items};
use crate::cli::print::{self, Table};
use crate::formats::view::record_json;
use crate::formats::view_contact::ContactJson;
use crate::model::time::{UserWhen, parse_user_when};
use crate::model::{Kind, Record, When};
use crate::store::{StoredRecord, Undecodable};
use serde_json::Value;

fn window_bound(cx: &Context, s: &str, what: &str) -> anyhow::Result<DateTime<Utc>> {
    Ok(parse_user_when(s, cx.now, cx.tz)
        .with_context(|| format!("--{what}"))?
        .instant(cx.tz))
}

/// The end of a `--to` window: a date-only value includes that whole day (as
/// khal's does); a date and time stays exclusive.
fn window_end(cx: &Context, s: &str) -> anyhow::Result<DateTime<Utc>> {
    match parse_user_when(s, cx.now, cx.tz).context("--to")? {
        UserWhen::Date(day) => {
            let next = day
                .succ_opt()
                .ok_or_else(|| anyhow!("--to: beyond the years 1-9999"))?;
            Ok(UserWhen::Date(next).instant(cx.tz))
        }
        other => Ok(other.instant(cx.tz)),
    }
}

pub fn list(cx: &Context, a: ListArgs) -> anyhow::Result<()> {
    let kind = a.kind.kind();
    let windowed = kind == Kind::Event && (a.from.is_some() || a.to.is_some());
    // Of SQLite's two ways to read, the cheaper for this listing, as measured
    // (BENCHMARKS.md, session 12): the events of a window, or the listing copies of
    // contacts and tasks in an index, are a few thousand pages, fewer than a memory
    // map faults in around them; every record of a kind read whole in listing order
    // jumps all over the file, and notes (longer listing copies) come out ahead
    // mapped too.
    match windowed || (!a.json && matches!(kind, Kind::Contact | Kind::Task)) {
        true => cx.store.prefer_sequential_reads()?,
        false => cx.store.prefer_mapped_reads()?,
    }
    // `--collection Birthdays` (unless a real calendar has that name) lists only the
    // computed birthday calendar; another collection leaves it out.
    let only_birthdays = kind == Kind::Event
        && a.collection.as_deref() == Some(birthdays::COLLECTION)
        && cx
            .store
            .collection_by_name(kind, birthdays::COLLECTION)?
            .is_none();
    let coll_id = match &a.collection {
        Some(_) if only_birthdays => None,
        Some(name) => Some(cx.store.resolve_collection(kind, Some(name))?.id),
        None => None,
    };
    let with_birthdays = !a.no_birthdays && (coll_id.is_none() || only_birthdays);
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
                Some(s) => window_end(cx, s)?,
                None => f + Duration::days(30),
            };
            if t <= f {
                bail!("--to must be after --from");
            }
            Some((f, t))
        }
    };
    let mut out = Listing::new(a.json)?;
    match window {
        Some((from, to)) if kind == Kind::Event => {
            let mut days = if with_birthdays {
                birthdays_in(cx, from, to)?
            } else {
                Vec::new()
            }
            .into_iter()
            .peekable();
            let style = match &out {
                Listing::Json(j) if j.is_pretty() => Style::PrettyJson,
                Listing::Json(_) => Style::Json,
                Listing::Table(..) => Style::Table,
            };
            let (mut written, truncated, skipped) = if only_birthdays {
                Default::default()
            } else {
                let coll = coll_id.as_deref();
                window::expand_and_write(&cx.store, from, to, coll, cx.tz, a.limit, &names, style)?
            };
            for s in skipped {
                cx.store.note_undecodable(s);
            }
            let (order, cut) = written.order(a.limit);
            if truncated || cut {
                errln!(
                    "pim: listing the first {} occurrences in the window; more were left out (see --limit)",
                    a.limit
                );
            }
            if let Listing::Table(parts, rows_order) = &mut out {
                *rows_order = Some(Vec::with_capacity(order.len()));
                let mut listed = Table::default();
                if cut {
                    // Columns as wide as the rows listed: copy those alone.
                    for &(_, i) in &order {
                        listed.push_row(written.table_row(i));
                    }
                    parts.tables = vec![listed];
                } else {
                    // The threads' tables as they are, and one for birthdays.
                    parts.tables = written.take_tables();
                    parts.tables.push(listed);
                }
            }
            for (n, &(start, i)) in order.iter().enumerate() {
                // Birthdays (all-day, from local midnight) go before what starts then.
                while let Some(b) = days.next_if(|(at, _)| *at <= start) {
                    out.push_birthday(b.1)?;
                }
                match &mut out {
                    Listing::Json(j) => j.push_raw(written.json(i))?,
                    Listing::Table(_, rows_order) => {
                        let row = if cut {
                            (0, row_number(n))
                        } else {
                            written.place(i)
                        };
                        rows_order.get_or_insert_default().push(row);
                    }
                }
            }
            for (_, b) in days {
                out.push_birthday(b)?;
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
                out.push_record(&r, &name_of(&r.collection), cx.tz)?;
            }
        }
        // Tables drawn in parts, printed as they are (nothing else is listed).
        None if kind == Kind::Task && matches!(out, Listing::Table(..)) => {
            return listed_table::task_table(cx, coll_id.as_deref())?.print();
        }
        None if kind != Kind::Event && matches!(out, Listing::Table(..)) => {
            return listed_table::stored_table(cx, kind, coll_id.as_deref())?.print();
        }
        None if matches!(kind, Kind::Event | Kind::Task) => {
            let mut records = decode_all(&cx.store, kind, coll_id.as_deref())?;
            if kind == Kind::Event {
                records.sort_by_cached_key(|r| sort_start(r, cx));
            }
            if kind == Kind::Task {
                records.sort_by_cached_key(|r| task_order(r, cx));
            }
            for r in records {
                out.push_record(&r, &name_of(&r.collection), cx.tz)?;
            }
        }
        None => {
            let Listing::Json(j) = &mut out else {
                unreachable!("tables are handled above")
            };
            stream_json(cx, kind, coll_id.as_deref(), &names, j)?
        }
    }
    out.finish()
}

/// The record whose listing copy did not read (a damaged copy; the body may be
/// sound), read whole; `None` when its body does not read either (then it is noted).
pub(super) fn whole(cx: &Context, id: &str) -> Option<Record> {
    cx.store.get(id).ok().flatten()
}

/// Contacts or notes as JSON in listing order, streamed: compact, each view written
/// from the stored body read in place as the JSON export writes its items (one
/// thread reading, two rendering, a few batches in flight); pretty, a chunk at a
/// time, each chunk's bodies decoded and rendered on up to 4 threads, then written
/// in order. Memory stays at a few batches or one chunk, whatever the number of
/// records.
fn stream_json(
    cx: &Context,
    kind: Kind,
    collection: Option<&str>,
    names: &HashMap<String, String>,
    out: &mut print::JsonArray,
) -> anyhow::Result<()> {
    let pretty = out.is_pretty();
    if !pretty {
        let selection = [(kind, collection.map(str::to_string))];
        return out
            .push_items(|w| write_items(&cx.store, &selection, names, ItemShape::View, cx.tz, w));
    }
    let tz = cx.tz;
    let render = |row: StoredRecord| -> Result<Vec<u8>, Undecodable> {
        let r = row.decode_or_skip()?;
        let coll = names.get(&r.collection).map_or("", String::as_str);
        let mut bytes = Vec::with_capacity(1024);
        let written = match (r.kind, pretty) {
            (Kind::Contact, false) => {
                serde_json::to_writer(&mut bytes, &ContactJson::new(&r, coll))
            }
            (Kind::Contact, true) => {
                serde_json::to_writer_pretty(&mut bytes, &ContactJson::new(&r, coll))
            }
            (_, false) => serde_json::to_writer(&mut bytes, &record_json(&r, coll, tz)),
            (_, true) => serde_json::to_writer_pretty(&mut bytes, &record_json(&r, coll, tz)),
        };
        written.expect("writing to a Vec cannot fail");
        Ok(bytes)
    };
    let mut chunk = Vec::with_capacity(CHUNK);
    let flush = |chunk: &mut Vec<StoredRecord>, out: &mut print::JsonArray| -> anyhow::Result<()> {
        for item in in_parallel(std::mem::take(chunk), &render) {
            match item {
                Ok(bytes) => out.push_raw(&bytes)?,
                Err(bad) => cx.store.note_undecodable(bad),
            }
        }
        Ok(())
    };
    cx.store
        .for_each_stored(kind, collection, |row| -> anyhow::Result<()> {
            chunk.push(row);
            if chunk.len() == CHUNK {
                flush(&mut chunk, &mut *out)?;
            }
            Ok(())
        })?;
    flush(&mut chunk, out)
}

/// The computed birthday calendar in the window, as (local midnight, JSON view):
/// read-only all-day entries whose id is the contact's.
fn birthdays_in(
    cx: &Context,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> anyhow::Result<Vec<(i64, Value)>> {
    let first = from.with_timezone(&cx.tz).date_naive();
    let last = (to - Duration::nanoseconds(1))
        .with_timezone(&cx.tz)
        .date_naive();
    let kept = cx.paths.home.join(birthdays::CACHE_FILE);
    let found = birthdays::between_kept(&cx.store, first, last + Duration::days(1), Some(&kept))?;
    Ok(found
        .into_iter()
        .map(|b| {
            let midnight = UserWhen::Date(b.date).instant(cx.tz).timestamp();
            let end = b.date + Duration::days(1);
            let v = serde_json::json!({
                "id": b.contact_id,
                "kind": b.occasion.as_str(),
                "collection": birthdays::COLLECTION,
                "summary": b.summary(),
                "start": b.date.format("%Y-%m-%d").to_string(),
                "end": end.format("%Y-%m-%d").to_string(),
                "all_day": true,
                "read_only": true,
                "contact": b.contact_id,
                "years": b.years,
            });
            (midnight, v)
        })
        .collect())
}

/// A listing in progress: streamed JSON, or table rows (which need every width first).
enum Listing {
    Json(print::JsonArray),
    /// The rows (pushed into the last table), and the order to print them in, as
    /// (table, row) (`None`: as pushed).
    Table(print::Parts, Option<Vec<(u32, u32)>>),
}

fn row_number(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 rows")
}

impl Listing {
    fn new(json: bool) -> anyhow::Result<Listing> {
        Ok(if json {
            Listing::Json(print::JsonArray::start()?)
        } else {
            Listing::Table(
                print::Parts {
                    tables: vec![Table::default()],
                },
                None,
            )
        })
    }

    /// A record (events: the event itself) as its JSON object or its row.
    fn push_record(&mut self, r: &Record, collection: &str, local: Tz) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) if r.kind == Kind::Contact => j.push(&ContactJson::new(r, collection)),
            Listing::Json(j) => j.push(&rows::record_value(r, collection, local)),
            Listing::Table(parts, _) => {
                rows::push_record_row(last(parts), r, local);
                Ok(())
            }
        }
    }

    /// A computed birthday or anniversary (an all-day, one-day entry); a table
    /// printed in an order of its own prints it next.
    fn push_birthday(&mut self, v: Value) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) => j.push(&v),
            Listing::Table(parts, order) => {
                let at = row_number(parts.tables.len() - 1);
                let rows = last(parts);
                let text = |k: &str| v[k].as_str().unwrap_or("").to_string();
                let day = text("start");
                let summary = format!("[{}] {}", text("kind"), text("summary"));
                rows.push_row([
                    text("id").chars().take(8).collect(),
                    day.clone(),
                    day,
                    summary,
                    String::new(),
                ]);
                if let Some(order) = order {
                    order.push((at, row_number(rows.row_count() - 1)));
                }
                Ok(())
            }
        }
    }

    fn finish(self) -> anyhow::Result<()> {
        match self {
            Listing::Json(j) => j.finish(),
            Listing::Table(parts, Some(order)) => parts.print(&order),
            Listing::Table(parts, None) => {
                let all: Vec<(u32, u32)> = (parts.tables.iter().enumerate())
                    .flat_map(|(t, table)| {
                        (0..table.row_count()).map(move |row| (row_number(t), row_number(row)))
                    })
                    .collect();
                parts.print(&all)
            }
        }
    }
}

/// The table rows are pushed into.
fn last(parts: &mut print::Parts) -> &mut Table {
    parts.tables.last_mut().expect("a listing has a table")
}

fn sort_start(r: &Record, cx: &Context) -> i64 {
    r.prop("DTSTART")
        .and_then(|p| When::from_property(p).ok())
        .map(|w| crate::model::tz::instant(&w, &r.body.timezones, cx.tz).timestamp())
        .unwrap_or(i64::MAX)
}

fn task_order(r: &Record, cx: &Context) -> (bool, i64, u8) {
    let listed = crate::app::records::occurrence::listed_task(r, cx.tz);
    let r = listed.as_ref().unwrap_or(r);
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
