//! What an export reads: the rows of the store in table order (a sequential read),
//! each turned into text as it is read, then put in the order every listing uses —
//! by kind as asked, then `sort_key`, then id — in memory ([`SortedRows`]).
//! Reading in that order through SQLite's index instead costs a random lookup in the
//! table per row (twice the CPU for 100 000 records).

use crate::model::Kind;
use crate::store::{RawRecord, Store, StoreError};

/// What an export reads: (kind, collection id or all of the kind), in the order
/// written (the index of a pair is its rows' group in [`SortedRows`]).
pub type Selection = [(Kind, Option<String>)];

/// The pairs of `kinds` and the collection named `collection` (each kind has its
/// own collections; a kind without one of that name is left out), or all
/// collections of each kind.
pub fn selection(
    store: &Store,
    kinds: &[Kind],
    collection: Option<&str>,
) -> Result<Vec<(Kind, Option<String>)>, StoreError> {
    let mut ids = Vec::new();
    for &k in kinds {
        match collection {
            None => ids.push((k, None)),
            Some(name) => {
                if let Some(c) = store.collection_by_name(k, name)? {
                    ids.push((k, Some(c.id)));
                }
            }
        }
    }
    Ok(ids)
}

/// The most text [`sorted_rows_for`] reserves up front: reserved address space costs
/// no memory until written, but a profile of many gigabytes must not ask for that much
/// at once (a system that does not overcommit would refuse it); past this the text
/// grows as it comes.
const TEXT_RESERVED_AT_MOST: usize = 64 << 20;

/// [`SortedRows`] with room for every row of `selection` and, up to
/// [`TEXT_RESERVED_AT_MOST`], their text (at most the size of the database), so that
/// an export of a usual profile never grows it by copying. The room is for every
/// record of the store: counting those of one kind walks an index (a tenth of an
/// export's reading), counting all does not, and room not written costs nothing.
pub fn sorted_rows_for(store: &Store, selection: &Selection) -> Result<SortedRows, StoreError> {
    let rows = match selection.is_empty() {
        true => 0,
        false => store.count_all()?,
    };
    let rows = usize::try_from(rows).unwrap_or(usize::MAX);
    let bytes = usize::try_from(store.stored_bytes()?)
        .unwrap_or(usize::MAX)
        .min(TEXT_RESERVED_AT_MOST);
    Ok(SortedRows {
        parts: vec![Part {
            keys: String::with_capacity(rows.saturating_mul(48)),
            text: String::with_capacity(bytes),
        }],
        rows: Vec::with_capacity(rows),
    })
}

/// Call `f` with every row `selection` covers and the index of its pair, in
/// table order (one pass over the table, whatever the number of pairs).
pub fn read_unordered<E: From<StoreError>>(
    store: &Store,
    selection: &Selection,
    mut f: impl FnMut(usize, RawRecord<'_>) -> Result<(), E>,
) -> Result<(), E> {
    match selection {
        [] => Ok(()),
        [(kind, collection)] => {
            store.for_each_raw_unordered(Some(*kind), collection.as_deref(), |row| f(0, row))
        }
        _ => store.for_each_raw_unordered(None, None, |row| {
            let group = selection.iter().position(|(k, c)| {
                k.as_str() == row.kind && c.as_deref().is_none_or(|c| c == row.collection)
            });
            match group {
                Some(g) => f(g, row),
                None => Ok(()),
            }
        }),
    }
}

/// [`read_unordered`] with the rows handled on a thread of their own: this one reads
/// them from the store (the store is not shared between threads) and hands them over
/// copied, a batch at a time, to `f`, which runs on the other with `state`; then
/// `state` comes back. Reading is about a third of an export's work, so on two cores
/// it costs no wall time. A few batches are in flight at most. The first error of `f`
/// stops it (the rows read after it are dropped) and is returned.
pub fn read_unordered_beside<S, E>(
    store: &Store,
    selection: &Selection,
    state: S,
    mut f: impl FnMut(&mut S, usize, RawRecord<'_>) -> Result<(), E> + Send,
) -> Result<S, E>
where
    S: Send,
    E: From<StoreError> + Send,
{
    let f = std::sync::Mutex::new(&mut f);
    let mut states = read_unordered_shared(store, selection, vec![state], |state, g, row| {
        // One handler: the lock is never waited for.
        (f.lock().expect("one handler"))(state, g, row)
    })?;
    Ok(states.pop().expect("one state"))
}

/// [`read_unordered_beside`] with one handling thread per state in `states`, each
/// taking the next batch read when it is free; the states come back in the order
/// given, each having seen some of the rows (in table order among themselves).
pub fn read_unordered_shared<S, E>(
    store: &Store,
    selection: &Selection,
    states: Vec<S>,
    f: impl Fn(&mut S, usize, RawRecord<'_>) -> Result<(), E> + Sync,
) -> Result<Vec<S>, E>
where
    S: Send,
    E: From<StoreError> + Send,
{
    let (send, receive) = std::sync::mpsc::sync_channel::<RowBatch>(IN_FLIGHT);
    let receive = std::sync::Mutex::new(receive);
    // Batches handled come back to be filled again: their buffers keep the room
    // they grew to (a new one would grow again, copying, for every batch).
    let (recycle, recycled) = std::sync::mpsc::channel::<RowBatch>();
    std::thread::scope(|s| {
        let workers: Vec<_> = states
            .into_iter()
            .map(|mut state| {
                let (receive, f, recycle) = (&receive, &f, recycle.clone());
                s.spawn(move || {
                    let mut failed = None;
                    loop {
                        let next = receive.lock().expect("a handler panicked").recv();
                        let Ok(mut batch) = next else { break };
                        // After an error the rest is taken and dropped: the reader
                        // must not wait for a handler that stopped.
                        if failed.is_none()
                            && let Err(e) = batch.each(|g, row| f(&mut state, g, row))
                        {
                            failed = Some(e);
                        }
                        batch.clear();
                        let _ = recycle.send(batch);
                    }
                    match failed {
                        Some(e) => Err(e),
                        None => Ok(state),
                    }
                })
            })
            .collect();
        drop(recycle);
        let mut batch = RowBatch::default();
        let read = read_unordered(store, selection, |g, row| -> Result<(), E> {
            batch.push(g, &row);
            if batch.len() == BATCH {
                let next = recycled.try_recv().unwrap_or_default();
                let _ = send.send(std::mem::replace(&mut batch, next));
            }
            Ok(())
        });
        let _ = send.send(batch);
        drop(send);
        let handled: Vec<Result<S, E>> = workers
            .into_iter()
            .map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect();
        read?;
        handled.into_iter().collect()
    })
}

/// Rows handed over at a time by [`read_unordered_beside`].
pub const BATCH: usize = 256;

/// Batches read but not yet handled, at most (the reader waits beyond).
const IN_FLIGHT: usize = 4;

/// Rows copied from the store, for another thread: their texts one after the other.
#[derive(Default)]
pub struct RowBatch {
    text: String,
    /// Each row's group, and where its id, kind, collection, body and sort key end.
    rows: Vec<(usize, [usize; 5])>,
}

impl RowBatch {
    pub fn push(&mut self, group: usize, row: &RawRecord<'_>) {
        let mut ends = [0; 5];
        let parts = [row.id, row.kind, row.collection, row.data, row.sort_key];
        for (end, part) in ends.iter_mut().zip(parts) {
            self.text.push_str(part);
            *end = self.text.len();
        }
        self.rows.push((group, ends));
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Empty, keeping the room it has.
    pub fn clear(&mut self) {
        self.text.clear();
        self.rows.clear();
    }

    /// The size of the rows' texts together.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// `f` on each row (with its group), in the order pushed; the first error stops.
    pub fn each<'s, E>(
        &'s self,
        mut f: impl FnMut(usize, RawRecord<'s>) -> Result<(), E>,
    ) -> Result<(), E> {
        let mut start = 0;
        for (group, [id, kind, collection, data, sort_key]) in &self.rows {
            f(
                *group,
                RawRecord {
                    id: &self.text[start..*id],
                    kind: &self.text[*id..*kind],
                    collection: &self.text[*kind..*collection],
                    data: &self.text[*collection..*data],
                    sort_key: &self.text[*data..*sort_key],
                },
            )?;
            start = *sort_key;
        }
        Ok(())
    }
}

/// Text gathered per row in any order, handed back in (group, sort key, id) order.
/// One buffer holds every row's keys and another their text (no allocation per
/// row; the keys, compared while sorting, lie close together); rows gathered on
/// other threads keep theirs ([`SortedRows::append`]: a part each, not copied).
pub struct SortedRows {
    parts: Vec<Part>,
    rows: Vec<Entry>,
}

impl Default for SortedRows {
    fn default() -> Self {
        SortedRows {
            parts: vec![Part::default()],
            rows: Vec::new(),
        }
    }
}

/// The keys and texts of some rows.
#[derive(Default)]
struct Part {
    keys: String,
    text: String,
}

#[derive(Clone, Copy)]
struct Entry {
    group: u32,
    key_len: u32,
    id_len: u32,
    aux_len: u32,
    /// The part holding the row's keys and text.
    part: u32,
    /// Where the row's sort key and id start in its part's `keys`.
    keys_start: usize,
    /// Where the row's aux text starts in `text`; its own text follows up to `end`.
    start: usize,
    end: usize,
    /// Why the row could not be read (its text is the reason).
    unreadable: bool,
}

/// One row of [`SortedRows`], in order.
/// Its parts are read when asked for: each is a read from memory far from the
/// last one (a cache miss), and a writer needs only some of them.
#[derive(Clone, Copy)]
pub struct SortedRow<'a> {
    rows: &'a SortedRows,
    entry: &'a Entry,
}

impl<'a> SortedRow<'a> {
    pub fn group(&self) -> usize {
        self.entry.group as usize
    }

    fn part(&self) -> &'a Part {
        &self.rows.parts[self.entry.part as usize]
    }

    pub fn sort_key(&self) -> &'a str {
        let e = self.entry;
        &self.part().keys[e.keys_start..e.keys_start + e.key_len as usize]
    }

    pub fn id(&self) -> &'a str {
        let e = self.entry;
        let k = e.keys_start + e.key_len as usize;
        &self.part().keys[k..k + e.id_len as usize]
    }

    /// The short text given with the row (e.g. its collection id).
    pub fn aux(&self) -> &'a str {
        let e = self.entry;
        &self.part().text[e.start..e.start + e.aux_len as usize]
    }

    pub fn text(&self) -> &'a str {
        let e = self.entry;
        &self.part().text[e.start + e.aux_len as usize..e.end]
    }

    /// Whether [`SortedRow::text`] is why the row could not be read (see
    /// [`SortedRows::push_unreadable`]).
    pub fn unreadable(&self) -> bool {
        self.entry.unreadable
    }
}

impl SortedRows {
    /// Add a row: its `group` (which comes first), `sort_key` and `id`, a short
    /// `aux` text to keep with it, and its text, appended by `write` to the buffer
    /// it is given.
    pub fn push(
        &mut self,
        group: usize,
        row: &RawRecord<'_>,
        aux: &str,
        write: impl FnOnce(&mut String),
    ) {
        let written: Result<(), std::convert::Infallible> = self.try_push(group, row, aux, |t| {
            write(t);
            Ok(())
        });
        let Ok(()) = written;
    }

    /// [`SortedRows::push`] for a `write` that may fail: then nothing is added.
    pub fn try_push<E>(
        &mut self,
        group: usize,
        row: &RawRecord<'_>,
        aux: &str,
        write: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        self.push_entry(group, row, aux, false, write)
    }

    /// Add a row that could not be read, with the reason: it keeps its place, so
    /// what is noted about it comes in the same order as the rows written.
    pub fn push_unreadable(&mut self, group: usize, row: &RawRecord<'_>, reason: &str) {
        let pushed: Result<(), std::convert::Infallible> =
            self.push_entry(group, row, "", true, |t| {
                t.push_str(reason);
                Ok(())
            });
        let Ok(()) = pushed;
    }

    fn push_entry<E>(
        &mut self,
        group: usize,
        row: &RawRecord<'_>,
        aux: &str,
        unreadable: bool,
        write: impl FnOnce(&mut String) -> Result<(), E>,
    ) -> Result<(), E> {
        let part = self.parts.len() - 1;
        let Part { keys, text } = &mut self.parts[part];
        let start = text.len();
        text.push_str(aux);
        if let Err(e) = write(text) {
            text.truncate(start);
            return Err(e);
        }
        let end = text.len();
        let keys_start = keys.len();
        keys.push_str(row.sort_key);
        keys.push_str(row.id);
        let short = |s: &str| u32::try_from(s.len()).expect("keys are short");
        self.rows.push(Entry {
            group: u32::try_from(group).expect("few groups"),
            key_len: short(row.sort_key),
            id_len: short(row.id),
            aux_len: short(aux),
            part: u32::try_from(part).expect("few parts"),
            keys_start,
            start,
            end,
            unreadable,
        });
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Empty rows with the room this one was given (for another thread to gather
    /// as many rows).
    pub fn with_same_room(&self) -> SortedRows {
        let part = self.parts.last().expect("a part to push into");
        SortedRows {
            parts: vec![Part {
                keys: String::with_capacity(part.keys.capacity()),
                text: String::with_capacity(part.text.capacity()),
            }],
            rows: Vec::with_capacity(self.rows.capacity()),
        }
    }

    /// Take the rows of `other` (gathered on another thread) as well, their texts
    /// where they are (not copied); rows pushed after go into a part of their own.
    pub fn append(&mut self, other: SortedRows) {
        let shift = u32::try_from(self.parts.len()).expect("few parts");
        self.parts.extend(other.parts);
        self.rows.extend(other.rows.into_iter().map(|e| Entry {
            part: e.part + shift,
            ..e
        }));
        self.parts.push(Part::default());
    }

    /// Rows gathered on several threads (`parts`), each sorted on a thread of its
    /// own, then merged: the rows of them all in the order [`SortedRows::sort`]
    /// puts them in (half the sorting is done beside the other half).
    pub fn sorted_together(mut parts: Vec<SortedRows>) -> SortedRows {
        std::thread::scope(|s| {
            let mut parts = parts.iter_mut();
            let first = parts.next();
            for p in parts {
                s.spawn(move || p.sort());
            }
            if let Some(p) = first {
                p.sort();
            }
        });
        let mut parts = parts.into_iter();
        let mut all = parts.next().unwrap_or_default();
        for p in parts {
            let mid = all.rows.len();
            all.append(p);
            all.merge_runs(mid);
        }
        all
    }

    /// Merge the sorted runs `rows[..mid]` and `rows[mid..]`.
    fn merge_runs(&mut self, mid: usize) {
        let parts = &self.parts;
        let order = |e: &Entry| {
            let keys = parts[e.part as usize].keys.as_bytes();
            let k = e.keys_start + e.key_len as usize;
            (
                e.group,
                &keys[e.keys_start..k],
                &keys[k..k + e.id_len as usize],
            )
        };
        let (a, b) = self.rows.split_at(mid);
        let mut merged = Vec::with_capacity(self.rows.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            if order(&b[j]) < order(&a[i]) {
                merged.push(b[j]);
                j += 1;
            } else {
                merged.push(a[i]);
                i += 1;
            }
        }
        merged.extend_from_slice(&a[i..]);
        merged.extend_from_slice(&b[j..]);
        self.rows = merged;
    }

    /// Put the rows in (group, sort key, id) order: within a group, the order of
    /// SQLite's `ORDER BY sort_key, id` (it compares text bytewise, as `str` does).
    /// What is sorted is a packed key per row (its group and the first 31 bytes of
    /// its sort key, zero-padded, in two integers) and its index: most comparisons
    /// are two integer comparisons (titles often share 16 bytes, rarely 31); only
    /// rows whose packed keys tie compare their whole keys and ids.
    pub fn sort(&mut self) {
        let parts = &self.parts;
        let key = |e: &Entry| -> (&[u8], &[u8]) {
            let keys = parts[e.part as usize].keys.as_bytes();
            let k = e.keys_start + e.key_len as usize;
            (&keys[e.keys_start..k], &keys[k..k + e.id_len as usize])
        };
        let mut packed: Vec<(u128, u128, u32)> = self
            .rows
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let (sort_key, _) = key(e);
                let mut head = [0u8; 16];
                let mut tail = [0u8; 16];
                head[0] = u8::try_from(e.group).expect("few groups");
                let n = sort_key.len().min(15);
                head[1..1 + n].copy_from_slice(&sort_key[..n]);
                if sort_key.len() > 15 {
                    let m = (sort_key.len() - 15).min(16);
                    tail[..m].copy_from_slice(&sort_key[15..15 + m]);
                }
                let i = u32::try_from(i).expect("fewer rows than 2^32");
                (u128::from_be_bytes(head), u128::from_be_bytes(tail), i)
            })
            .collect();
        // Compared as integers (the index last: it keeps rows whose packed keys
        // tie in table order), then each run of tied keys sorted by whole key and id.
        packed.sort_unstable();
        let rows = &self.rows;
        let mut at = 0;
        while at < packed.len() {
            let (head, tail, _) = packed[at];
            let run = packed[at..]
                .iter()
                .take_while(|p| (p.0, p.1) == (head, tail))
                .count();
            if run > 1 {
                packed[at..at + run].sort_unstable_by(|a, b| {
                    key(&rows[a.2 as usize]).cmp(&key(&rows[b.2 as usize]))
                });
            }
            at += run;
        }
        self.rows = packed.iter().map(|&(_, _, i)| rows[i as usize]).collect();
    }

    /// The rows, in the order of the last [`SortedRows::sort`].
    pub fn iter(&self) -> impl Iterator<Item = SortedRow<'_>> {
        self.rows
            .iter()
            .map(|entry| SortedRow { rows: self, entry })
    }
}

#[cfg(test)]
mod tests;
