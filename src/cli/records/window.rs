//! The occurrences of events in a window, found and written on up to 4 threads:
//! decoding bodies, expanding rules and writing each occurrence's row or JSON is
//! most of a window listing's work, and all of it splits across cores. The main
//! thread then only orders the written occurrences and prints them.

use std::collections::HashMap;
use std::sync::{Mutex, mpsc};

use crate::model::zonedb::Tz;
use anyhow::anyhow;
use chrono::{DateTime, Duration, Utc};

use super::rows;
use crate::cli::print::Table;
use crate::formats::view_event::{EventView, OverrideTexts, RowTexts};
use crate::model::Kind;
use crate::model::borrowed::{BodyRef, RecordLike, RecordRef};
use crate::recur::{Expander, Occurrence};
use crate::store::{Store, StoreError, StoredRef, Undecodable};

/// How each occurrence is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Table,
    Json,
    PrettyJson,
}

/// Occurrences, written, with what orders them.
#[derive(Default)]
pub struct Written {
    /// Per event: its title and id (the order's tie-breaks after the start).
    events: Names,
    /// Per occurrence: its event (index in `events`) and start (UTC seconds, nanoseconds).
    occs: Vec<(usize, i64, u32)>,
    /// [`Style::Table`]: the rows, one table per part appended (never copied into
    /// one): occurrence `i` is row `i - table_starts[t]` of table `t`.
    tables: Vec<Table>,
    table_starts: Vec<usize>,
    /// The JSON styles, one buffer per thread (never copied into one): occurrence
    /// `i` is `json[spans[i].0][spans[i].1..spans[i].2]`.
    json: Vec<Vec<u8>>,
    spans: Vec<(usize, usize, usize)>,
    /// Per part (one thread's, in the order appended), put in order on its thread
    /// ([`Written::sort`]): its events by title and id, and its occurrences in
    /// listing order; [`Written::order`] then only merges them.
    parts: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Written {
    /// `other`'s occurrences after these.
    fn append(&mut self, other: Written) {
        if self.occs.is_empty() && self.events.is_empty() {
            *self = other;
            return;
        }
        let (events, buffers, occs) = (self.events.len(), self.json.len(), self.occs.len());
        self.events.append(&other.events);
        self.occs
            .extend(other.occs.into_iter().map(|(e, s, n)| (e + events, s, n)));
        self.table_starts
            .extend(other.table_starts.into_iter().map(|s| s + occs));
        self.tables.extend(other.tables);
        self.json.extend(other.json);
        self.spans.extend(
            other
                .spans
                .into_iter()
                .map(|(b, start, end)| (b + buffers, start, end)),
        );
        self.parts
            .extend(other.parts.into_iter().map(|(by_title, listed)| {
                (
                    by_title.into_iter().map(|e| e + events).collect(),
                    listed.into_iter().map(|i| i + occs).collect(),
                )
            }));
    }

    /// Put what this thread wrote in order (one part), for [`Written::order`].
    fn sort(&mut self) {
        self.parts = vec![self.sorted()];
    }

    /// The events by title and id, and the occurrences by start, then their
    /// event's title and id (then as written).
    fn sorted(&self) -> (Vec<usize>, Vec<usize>) {
        // Rank the events once, then sort small keys.
        let mut names: Vec<((&str, &str), usize)> = (0..self.events.len())
            .map(|e| (self.events.get(e), e))
            .collect();
        // Ids are unique: no two events tie, so an unstable sort gives the same order.
        names.sort_unstable();
        let by_title: Vec<usize> = names.into_iter().map(|(_, e)| e).collect();
        let mut rank = vec![0; self.events.len()];
        for (pos, &e) in by_title.iter().enumerate() {
            rank[e] = pos;
        }
        let listed = match packed_keys(&self.occs, &rank) {
            Some(mut keys) => {
                keys.sort_unstable();
                keys.into_iter().map(|k| (k & OCC_MASK) as usize).collect()
            }
            None => {
                let mut keys: Vec<(i64, u32, usize, usize)> = self
                    .occs
                    .iter()
                    .enumerate()
                    .map(|(i, &(e, secs, nanos))| (secs, nanos, rank[e], i))
                    .collect();
                keys.sort_unstable();
                keys.into_iter().map(|k| k.3).collect()
            }
        };
        (by_title, listed)
    }

    /// The occurrences to list, as (start in UTC seconds, occurrence index): by
    /// start, then the event's title and id; the first `limit` of them, and
    /// whether more were left out.
    /// The parts are merged (each was put in order on its thread): an event is in
    /// one part only, so the merge gives the order one sort of the whole would.
    pub fn order(&self, limit: usize) -> (Vec<(i64, usize)>, bool) {
        let whole;
        let sorted = |p: &[(Vec<usize>, Vec<usize>)]| {
            p.iter().map(|p| p.0.len()).sum::<usize>() == self.events.len()
                && p.iter().map(|p| p.1.len()).sum::<usize>() == self.occs.len()
        };
        let parts: &[(Vec<usize>, Vec<usize>)] = match sorted(&self.parts) {
            true => &self.parts,
            false => {
                whole = [self.sorted()];
                &whole
            }
        };
        let mut rank = vec![0; self.events.len()];
        let mut next = 0;
        merge(
            parts.iter().map(|p| &p.0[..]),
            |a, b| self.events.get(a) < self.events.get(b),
            |e| {
                rank[e] = next;
                next += 1;
            },
        );
        let key = |i: usize| {
            let (e, secs, nanos) = self.occs[i];
            (secs, nanos, rank[e], i)
        };
        let mut listed = Vec::with_capacity(limit.min(self.occs.len()));
        merge(
            parts.iter().map(|p| &p.1[..]),
            |a, b| key(a) < key(b),
            |i| {
                if listed.len() < limit {
                    listed.push((self.occs[i].1, i));
                }
            },
        );
        (listed, self.occs.len() > limit)
    }

    /// Where occurrence `i`'s row is: a table of [`Written::take_tables`], a row of it.
    pub fn place(&self, i: usize) -> (u32, u32) {
        let t = self.table_starts.partition_point(|&s| s <= i) - 1;
        let n = |x: usize| u32::try_from(x).expect("fewer than 2^32 rows");
        (n(t), n(i - self.table_starts[t]))
    }

    /// The cells of occurrence `i`'s row.
    pub fn table_row(&self, i: usize) -> impl Iterator<Item = &str> + '_ {
        let (t, row) = self.place(i);
        self.tables[t as usize].row(row as usize)
    }

    /// The tables the rows are in (none left here).
    pub fn take_tables(&mut self) -> Vec<Table> {
        std::mem::take(&mut self.tables)
    }

    /// The JSON of occurrence `i`.
    pub fn json(&self, i: usize) -> &[u8] {
        let (buffer, start, end) = self.spans[i];
        &self.json[buffer][start..end]
    }
}

/// Rows read before the work is shared out (a smaller window is done at once).
const SHARED_FROM: usize = 256;
/// Rows handed to a thread at a time: small, so that the threads end together.
const BATCH: usize = 32;

/// The candidate events of the window (read from `store`; in `collection` if
/// given), decoded, expanded and their occurrences written in `style`. While the
/// store is read, up to 4 threads take the rows read so far, a batch at a time.
/// Each event gives at most `limit` occurrences (its earliest; true when some
/// were left out). Events without an occurrence are dropped.
#[allow(clippy::too_many_arguments)]
pub fn expand_and_write(
    store: &Store,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    collection: Option<&str>,
    tz: Tz,
    limit: usize,
    names: &HashMap<String, String>,
    style: Style,
) -> anyhow::Result<(Written, bool, Vec<Undecodable>)> {
    let work = |batches: &mut dyn Iterator<Item = Rows>| {
        expand_rows(batches, from, to, tz, limit, names, style)
    };
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let (send, receive) = mpsc::channel::<Rows>();
    let receive = Mutex::new(receive);
    std::thread::scope(|s| {
        let mut handles = Vec::new();
        // Full batches read before the threads start, and the batch being filled.
        let (mut pending, mut batch, mut read) = (Vec::new(), Rows::default(), 0);
        let done =
            store.for_each_event_between_ref(from.timestamp(), to.timestamp(), collection, |row| {
                batch.push(row);
                read += 1;
                if batch.len() < BATCH {
                    return Ok::<(), StoreError>(());
                }
                let full = std::mem::take(&mut batch);
                if handles.is_empty() && (threads < 2 || read < SHARED_FROM) {
                    pending.push(full);
                    return Ok(());
                }
                if handles.is_empty() {
                    handles = (0..threads)
                        .map(|_| {
                            let receive = &receive;
                            s.spawn(move || work(&mut Batches { receive }))
                        })
                        .collect();
                    for p in pending.drain(..) {
                        share(&send, p);
                    }
                }
                share(&send, full);
                Ok(())
            });
        pending.push(batch);
        if handles.is_empty() {
            done?;
            return work(&mut pending.into_iter());
        }
        pending.into_iter().for_each(|p| share(&send, p));
        drop(send);
        let parts: Vec<anyhow::Result<_>> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(anyhow!("a listing thread panicked")))
            })
            .collect();
        done?;
        let (mut out, mut truncated, mut skipped) = (Written::default(), false, Vec::new());
        for p in parts {
            let (part, cut, bad) = p?;
            out.append(part);
            truncated |= cut;
            skipped.extend(bad);
        }
        Ok((out, truncated, skipped))
    })
}

/// Rows as read, copied into one buffer: one allocation per batch, not four per row.
#[derive(Default)]
struct Rows {
    text: String,
    /// Per row: where its id, kind, collection and body end in `text`.
    ends: Vec<[usize; 4]>,
}

impl Rows {
    fn push(&mut self, row: StoredRef<'_>) {
        if self.ends.is_empty() {
            // About what a batch of event rows takes.
            self.text.reserve(BATCH * 640);
            self.ends.reserve(BATCH);
        }
        let mut ends = [0; 4];
        for (end, part) in ends
            .iter_mut()
            .zip([row.id, row.kind, row.collection, row.data])
        {
            self.text.push_str(part);
            *end = self.text.len();
        }
        self.ends.push(ends);
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn iter(&self) -> impl Iterator<Item = StoredRef<'_>> {
        let mut start = 0;
        self.ends.iter().map(move |&[id, kind, collection, data]| {
            let row = StoredRef {
                id: &self.text[start..id],
                kind: &self.text[id..kind],
                collection: &self.text[kind..collection],
                data: &self.text[collection..data],
            };
            start = data;
            row
        })
    }
}

/// A batch for the threads (none when empty).
fn share(send: &mpsc::Sender<Rows>, rows: Rows) {
    // Nobody listens only when every thread has failed: they say why.
    if rows.len() > 0 {
        let _ = send.send(rows);
    }
}

/// The batches the reading thread hands out, until it is done.
struct Batches<'a> {
    receive: &'a Mutex<mpsc::Receiver<Rows>>,
}

impl Iterator for Batches<'_> {
    type Item = Rows;

    fn next(&mut self) -> Option<Rows> {
        self.receive.lock().ok()?.recv().ok()
    }
}

/// The events of `rows` with their occurrences in the window, written in `style`
/// (see [`expand_and_write`]). Each body is read in place ([`RecordRef`]): nothing
/// of it is copied but the texts a row or object holds.
fn expand_rows(
    batches: &mut dyn Iterator<Item = Rows>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    tz: Tz,
    limit: usize,
    names: &HashMap<String, String>,
    style: Style,
) -> anyhow::Result<(Written, bool, Vec<Undecodable>)> {
    let mut out = Written::default();
    let mut skipped = Vec::new();
    let mut truncated = false;
    // Occurrences after the `limit`-th earliest written so far cannot be listed:
    // later events expand only up to it, and what was written after it is
    // dropped, so memory stays near `limit`.
    let mut until = to;
    // Rules read once for every event of this thread that has the same.
    let mut expander = Expander::default();
    for batch in batches {
        // Each body is read into the room the one before it left.
        let mut scratch = BodyRef::empty();
        for row in batch.iter() {
            let body = match scratch.read_again(row.data) {
                true => Ok(std::mem::replace(&mut scratch, BodyRef::empty())),
                false => BodyRef::parse(row.data),
            };
            let found = match (Kind::parse(row.kind), body) {
                (Some(kind), Ok(body)) => {
                    let r = RecordRef {
                        id: row.id,
                        kind,
                        collection: row.collection,
                        body,
                    };
                    let window = (from, until);
                    let found =
                        expand_one(&mut out, &r, window, tz, limit, names, style, &mut expander);
                    scratch = r.body;
                    found?
                }
                // Whatever the reader in place refuses, decoding names (or reads).
                _ => match row.to_owned().decode_or_skip() {
                    Ok(r) => {
                        let window = (from, until);
                        expand_one(&mut out, &r, window, tz, limit, names, style, &mut expander)?
                    }
                    Err(bad) => {
                        skipped.push(bad);
                        continue;
                    }
                },
            };
            truncated |= found;
            if out.occs.len() > limit {
                truncated = true;
                let Some(cutoff) = out.nth_start(limit) else {
                    out = Written::default();
                    continue;
                };
                out.keep_until(cutoff);
                let cutoff = DateTime::from_timestamp(cutoff.0, cutoff.1).unwrap_or(until);
                until = until.min(cutoff + Duration::seconds(1));
            }
        }
    }
    out.sort();
    Ok((out, truncated, skipped))
}

/// The occurrences of `r` in `window` (at most `limit`) written into `out` in
/// `style`; true when some were left out.
#[allow(clippy::too_many_arguments)]
fn expand_one<R: RecordLike>(
    out: &mut Written,
    r: &R,
    window: (DateTime<Utc>, DateTime<Utc>),
    tz: Tz,
    limit: usize,
    names: &HashMap<String, String>,
    style: Style,
    expander: &mut Expander,
) -> anyhow::Result<bool> {
    // A table shows no RECURRENCE-ID: none is made.
    let named = style != Style::Table;
    let found = expander.expand(r, window, tz, limit, named)?;
    if !found.occurrences.is_empty() {
        // A table shows no collection.
        let coll = match style {
            Style::Table => "",
            _ => names.get(r.collection()).map_or("", String::as_str),
        };
        out.write(r, coll, &found.occurrences, style);
    }
    expander.give_back(found.occurrences);
    Ok(found.truncated)
}

impl Written {
    /// The occurrences `occs` of `r` written in `style`.
    fn write<R: RecordLike>(&mut self, r: &R, coll: &str, occs: &[Occurrence], style: Style) {
        if self.occs.is_empty() {
            // Sized once for a month of a large calendar (about what a row or an
            // object takes): growing by doubling copies what was written.
            self.occs.reserve(1024);
            match style {
                Style::Table => {
                    let mut table = Table::default();
                    table.reserve(1024, 5, 1024 * 96);
                    self.tables = vec![table];
                    self.table_starts = vec![0];
                }
                Style::Json | Style::PrettyJson => self.json = vec![Vec::with_capacity(1024 * 512)],
            }
        }
        let event = self.events.len();
        for o in occs {
            let utc = o.start.naive_utc().and_utc();
            self.occs
                .push((event, utc.timestamp(), utc.timestamp_subsec_nanos()));
        }
        match style {
            Style::Table => {
                let texts = RowTexts::of(r);
                for o in occs {
                    let table = self.tables.last_mut().expect("made with the first row");
                    rows::push_occurrence_row(table, r, &texts, o);
                }
                self.events.push(texts.title(), r.id());
            }
            Style::Json | Style::PrettyJson => {
                let view = EventView::new(r, coll);
                for o in occs {
                    let json = &mut self.json[0];
                    let start = json.len();
                    match style {
                        Style::PrettyJson => {
                            let texts = OverrideTexts::of(r, o);
                            serde_json::to_writer_pretty(&mut *json, &view.occurrence(o, &texts))
                                .expect("writing to a Vec cannot fail");
                        }
                        _ => view.write_compact(o, json),
                    }
                    self.spans.push((0, start, json.len()));
                }
                self.events.push(view.title(), r.id());
            }
        }
    }

    /// The start (UTC seconds, nanoseconds) of the `n`-th earliest occurrence
    /// written (None when `n` is 0 or beyond them).
    fn nth_start(&self, n: usize) -> Option<(i64, u32)> {
        let mut starts: Vec<(i64, u32)> = self.occs.iter().map(|&(_, s, ns)| (s, ns)).collect();
        let index = n.checked_sub(1)?;
        starts.get(index)?;
        Some(*starts.select_nth_unstable(index).1)
    }

    /// Only the occurrences starting at `cutoff` or before (and their events).
    fn keep_until(&mut self, cutoff: (i64, u32)) {
        let old = std::mem::take(self);
        let mut renumbered = vec![None; old.events.len()];
        if !old.tables.is_empty() {
            self.tables = vec![Table::default()];
            self.table_starts = vec![0];
        }
        for (i, &(e, secs, nanos)) in old.occs.iter().enumerate() {
            if (secs, nanos) > cutoff {
                continue;
            }
            let event = *renumbered[e].get_or_insert_with(|| {
                let (title, id) = old.events.get(e);
                self.events.push(title, id);
                self.events.len() - 1
            });
            self.occs.push((event, secs, nanos));
            if old.spans.is_empty() {
                let (t, row) = old.place(i);
                self.tables[0].copy_row(&old.tables[t as usize], row as usize);
            } else {
                let json = old.json(i);
                if self.json.is_empty() {
                    self.json.push(Vec::new());
                }
                let start = self.json[0].len();
                self.json[0].extend_from_slice(json);
                self.spans.push((0, start, self.json[0].len()));
            }
        }
    }
}

mod order;
use order::{Names, OCC_MASK, merge, packed_keys};

#[cfg(test)]
mod tests;
