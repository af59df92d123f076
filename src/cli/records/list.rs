//! `pim list`: records of one kind, or the occurrences of events in a window.

use anyhow::{Context as _, anyhow, bail};
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;

use super::ListArgs;
use crate::app::birthdays;
use crate::cli::Context;
use crate::cli::print;
use crate::formats::view::record_json;
use crate::formats::view_event::{EventView, OverrideTexts};
use crate::model::time::{UserWhen, parse_user_when};
use crate::model::{Kind, Record, When};
use crate::recur::{Occurrence, expand};
use crate::store::{StoredRecord, Undecodable};

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
    cx.store.prefer_mapped_reads()?;
    let kind = a.kind.kind();
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
    let mut out = Listing::new(kind, a.json)?;
    match window {
        Some((from, to)) if kind == Kind::Event => {
            let rows = if only_birthdays {
                Vec::new()
            } else {
                cx.store.events_between_rows(
                    from.timestamp(),
                    to.timestamp(),
                    coll_id.as_deref(),
                )?
            };
            let mut days = if with_birthdays {
                birthdays_in(cx, from, to)?
            } else {
                Vec::new()
            }
            .into_iter()
            .peekable();
            let (expanded, mut truncated, skipped) =
                decode_and_expand(rows, from, to, cx.tz, a.limit)?;
            for s in skipped {
                cx.store.note_undecodable(s);
            }
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
            if order.len() > a.limit {
                order.truncate(a.limit);
                truncated = true;
            }
            if truncated {
                eprintln!(
                    "pim: listing the first {} occurrences in the window; more were left out (see --limit)",
                    a.limit
                );
            }
            let mut buf = Vec::new();
            for (key, &(i, o)) in order.iter().map(|k| (k, &occs[k.3])) {
                // Birthdays (all-day, from local midnight) go before what starts then.
                while let Some(b) = days.next_if(|(at, _)| *at <= key.0) {
                    out.push(b.1)?;
                }
                let view = &views[i];
                if out.is_compact_json() {
                    buf.clear();
                    view.write_compact(o, &mut buf);
                    out.push_raw(&buf)?;
                } else {
                    out.push_ser(&view.occurrence(o, &OverrideTexts::of(view.source(), o)))?;
                }
            }
            for (_, b) in days {
                out.push(b)?;
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

type Expanded = Vec<(Record, Vec<Occurrence>)>;

/// Decode the candidate events and expand them in the window, on up to 4 threads
/// (bodies' JSON and recurrence rules are most of a listing's work). Each event
/// gives at most `limit` occurrences (its earliest; true when some were left
/// out). Events without an occurrence are dropped; the order of `rows` is kept.
fn decode_and_expand(
    rows: Vec<StoredRecord>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: chrono_tz::Tz,
    limit: usize,
) -> anyhow::Result<(Expanded, bool, Vec<Undecodable>)> {
    let work = |chunk: Vec<StoredRecord>| -> anyhow::Result<(Expanded, bool, Vec<Undecodable>)> {
        let mut out: Expanded = Vec::new();
        let mut skipped = Vec::new();
        let mut truncated = false;
        let mut kept = 0;
        // Occurrences after the `limit`-th earliest kept so far cannot be listed:
        // later events expand only up to it, so memory stays near `limit`.
        let mut until = to;
        for row in chunk {
            let r = match row.decode_or_skip() {
                Ok(r) => r,
                Err(bad) => {
                    skipped.push(bad);
                    continue;
                }
            };
            let found = expand(&r, from, until, tz, limit)?;
            truncated |= found.truncated;
            if found.occurrences.is_empty() {
                continue;
            }
            kept += found.occurrences.len();
            out.push((r, found.occurrences));
            if kept > limit {
                truncated = true;
                let Some(cutoff) = nth_start(&out, limit) else {
                    out.clear();
                    kept = 0;
                    continue;
                };
                for (_, occs) in &mut out {
                    occs.retain(|o| o.start <= cutoff);
                }
                out.retain(|(_, occs)| !occs.is_empty());
                kept = out.iter().map(|(_, occs)| occs.len()).sum();
                until = until.min(cutoff.with_timezone(&Utc) + Duration::seconds(1));
            }
        }
        Ok((out, truncated, skipped))
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
    let (mut out, mut truncated, mut skipped) = (Vec::new(), false, Vec::new());
    for p in parts {
        let (part, cut, bad) = p?;
        out.extend(part);
        truncated |= cut;
        skipped.extend(bad);
    }
    Ok((out, truncated, skipped))
}

/// The start of the `n`-th earliest occurrence in `found` (None when `n` is 0).
fn nth_start(found: &Expanded, n: usize) -> Option<DateTime<chrono::FixedOffset>> {
    let mut starts: Vec<DateTime<chrono::FixedOffset>> = found
        .iter()
        .flat_map(|(_, occs)| occs.iter().map(|o| o.start))
        .collect();
    let index = n.checked_sub(1)?;
    starts.get(index)?;
    Some(*starts.select_nth_unstable(index).1)
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
                let mut v = v;
                crate::formats::view::text_end_inclusive(&mut v);
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
        Kind::Event => {
            // Cancelled occurrences stay listed, marked (JSON: `status`); so are the
            // computed birthdays and anniversaries (JSON: `kind`).
            let summary = if g("status").eq_ignore_ascii_case("CANCELLED") {
                format!("[cancelled] {}", g("summary"))
            } else if matches!(g("kind").as_str(), "birthday" | "anniversary") {
                format!("[{}] {}", g("kind"), g("summary"))
            } else {
                g("summary")
            };
            vec![id, g("start"), g("end"), summary, g("location")]
        }
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
