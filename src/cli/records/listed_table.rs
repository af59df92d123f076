//! `pim list tasks|contacts|notes` as a table. Each row is drawn from the copy the
//! store keeps for listings (a repeating task from its whole body); drawing the rows
//! (reading the copies, writing the cells) is most of the work, and it runs on other
//! threads while the store is still read.

use std::sync::{Mutex, mpsc};

use crate::model::zonedb::Tz;

use super::list::whole;
use super::rows::{self, Midnights, Scratch};
use crate::cli::Context;
use crate::cli::print::{Parts, Table};
use crate::model::{Kind, Record};
use crate::store::{RawRecord, Undecodable};

/// Rows handed to a thread at a time; a list shorter than this is drawn on the
/// reading thread alone.
const BATCH: usize = 512;

/// How the rows of one kind are drawn: from the stored row (its listing copy), or,
/// when that does not read, from the record read whole; each gives the row's place
/// in the order (rows of equal places keep their stored order).
struct Drawing {
    kind: Kind,
    /// With what the rows drawn before it left ([`rows::Scratch`]).
    draw: for<'r> fn(&mut Table, RawRecord<'r>, &mut Scratch<'r>, Tz) -> Result<u128, Undecodable>,
    whole: fn(&mut Table, &Record, Tz) -> u128,
}

/// Tasks as rows, in the order to print them: open ones first, by due, then
/// priority, then stored order (sort key, id: the order the store gives them in).
pub(super) fn task_table(cx: &Context, collection: Option<&str>) -> anyhow::Result<Listed> {
    let tasks = Drawing {
        kind: Kind::Task,
        draw: |t, raw, body, local| {
            rows::push_stored_task_row(t, raw, body, local).map(rows::packed_order)
        },
        whole: |t, r, local| rows::packed_order(rows::task_row(t, r, local)),
    };
    drawn_table(cx, &tasks, collection)
}

/// Contacts or notes as rows, in the order to print them: stored order (sort
/// key, id), the order the store gives them in.
pub(super) fn stored_table(
    cx: &Context,
    kind: Kind,
    collection: Option<&str>,
) -> anyhow::Result<Listed> {
    let in_stored_order = Drawing {
        kind,
        draw: match kind {
            Kind::Note => {
                |t, raw, body, _| rows::push_stored_row(t, raw, body, Kind::Note).map(|()| 0)
            }
            _ => |t, raw, body, _| rows::push_stored_row(t, raw, body, Kind::Contact).map(|()| 0),
        },
        whole: |t, r, local| {
            rows::push_record_row(t, r, local);
            0
        },
    };
    drawn_table(cx, &in_stored_order, collection)
}

/// The rows drawn, in parts (one per batch, never copied into one table), and the
/// order to print them in.
pub(super) struct Listed {
    parts: Parts,
    order: Vec<(u32, u32)>,
}

impl Listed {
    pub(super) fn print(&self) -> anyhow::Result<()> {
        self.parts.print(&self.order)
    }
}

fn drawn_table(cx: &Context, how: &Drawing, collection: Option<&str>) -> anyhow::Result<Listed> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let local = cx.tz;
    let (send, receive) = mpsc::channel::<(usize, Batch)>();
    let receive = Mutex::new(receive);
    // Drawn batches come back as they are done, and are taken (their rows kept as
    // drawn, their copies made ready for more rows) as soon as the reading thread
    // gets to them.
    let (done_send, done) = mpsc::channel::<Drawn>();
    let mut taken = Taken::default();
    // Draw queued batches until none is left and no more can come.
    let work = |out: &mut dyn FnMut(Drawn)| {
        let mut days = Midnights::default();
        loop {
            let next = receive.lock().expect("no thread panics holding it").recv();
            match next {
                Ok((first, batch)) => out(draw(how, batch, first, &mut days, local)),
                Err(mpsc::RecvError) => return,
            }
        }
    };
    std::thread::scope(|s| -> anyhow::Result<()> {
        // Dropped when this closure returns, error or not: the workers then stop.
        let send = send;
        let mut workers = Vec::new();
        let mut batch = Batch::default();
        let mut read = 0;
        cx.store
            .for_each_listed(how.kind, collection, |raw| -> anyhow::Result<()> {
                batch.push(&raw);
                read += 1;
                if batch.ends.len() == BATCH {
                    if workers.is_empty() {
                        workers.extend((1..threads).map(|_| {
                            let done = done_send.clone();
                            s.spawn(move || {
                                work(&mut |d| done.send(d).expect("taken until the end"))
                            })
                        }));
                    }
                    let full = std::mem::replace(&mut batch, taken.spare.pop().unwrap_or_default());
                    send.send((read - BATCH, full))
                        .expect("the receiver lives as long as this scope");
                    while let Ok(d) = done.try_recv() {
                        taken.take(d);
                    }
                }
                Ok(())
            })?;
        let last = read - batch.ends.len();
        taken.take(draw(how, batch, last, &mut Midnights::default(), local));
        drop(send);
        work(&mut |d| {
            taken.take(d);
            while let Ok(d) = done.try_recv() {
                taken.take(d);
            }
        });
        for w in workers {
            w.join().expect("a drawing thread panicked");
        }
        Ok(())
    })?;
    drop(done_send);
    for d in done.iter() {
        taken.take(d);
    }
    let Taken {
        mut parts,
        mut keys,
        mut place,
        mut failed,
        ..
    } = taken;
    // A row whose copy did not read: its record read whole (the body may be sound),
    // in stored order (rows that do not read either are named in that order).
    failed.sort_unstable_by_key(|(at, _, _)| *at);
    let mut wholes = Table::default();
    for (at, id, bad) in failed {
        match whole(cx, &id) {
            Some(r) => {
                let order = (how.whole)(&mut wholes, &r, local);
                keys.push(key(order, at));
                place[at] = (part(parts.len()), part(wholes.row_count() - 1));
            }
            None => cx.store.note_undecodable(bad),
        }
    }
    parts.push(wholes);
    keys.sort_unstable();
    let order = keys
        .into_iter()
        .map(|k| place[usize::try_from(k & u128::from(u32::MAX)).expect("32 bits")])
        .collect();
    Ok(Listed {
        parts: Parts { tables: parts },
        order,
    })
}

/// A row's place in the order ([`Drawing`]) and its stored position, as one integer
/// that sorts as the pair does (positions are unique: rows of equal places keep
/// their stored order).
fn key(order: u128, at: usize) -> u128 {
    debug_assert!(order < 1 << 96, "a place fits in 96 bits");
    (order << 32) | u128::from(part(at))
}

/// A count of rows or tables as the order holds it.
fn part(n: usize) -> u32 {
    u32::try_from(n).expect("fewer than 2^32 rows")
}

/// What was taken from the drawn batches.
#[derive(Default)]
struct Taken {
    /// The batches' rows, as drawn.
    parts: Vec<Table>,
    /// Per row drawn: its [`key`].
    keys: Vec<u128>,
    /// Per stored position: the part and row of `parts` it was drawn as.
    place: Vec<(u32, u32)>,
    failed: Vec<(usize, String, Undecodable)>,
    /// Batches drawn, ready for more rows.
    spare: Vec<Batch>,
}

impl Taken {
    fn take(&mut self, d: Drawn) {
        let Drawn {
            table,
            keys,
            failed,
            mut batch,
        } = d;
        let at = part(self.parts.len());
        let end = batch.first + batch.ends.len();
        if self.place.len() < end {
            self.place.resize(end, (u32::MAX, u32::MAX));
        }
        for (row, &k) in keys.iter().enumerate() {
            self.place[(k & u128::from(u32::MAX)) as usize] = (at, part(row));
        }
        self.keys.extend(keys);
        self.parts.push(table);
        self.failed.extend(failed);
        batch.clear();
        self.spare.push(batch);
    }
}

/// Rows copied out of the store, to be drawn together.
#[derive(Default)]
struct Batch {
    /// The stored position of the first row.
    first: usize,
    /// Each row's id and listing copy, one after the other.
    text: String,
    /// Where each row's id and copy end in `text`.
    ends: Vec<[usize; 2]>,
}

impl Batch {
    fn push(&mut self, raw: &RawRecord<'_>) {
        if self.ends.is_empty() && self.text.capacity() == 0 {
            // About what a batch of rows takes: growing copies what was read.
            self.text.reserve(BATCH * 256);
            self.ends.reserve(BATCH);
        }
        let mut ends = [0; 2];
        for (end, part) in ends.iter_mut().zip([raw.id, raw.data]) {
            self.text.push_str(part);
            *end = self.text.len();
        }
        self.ends.push(ends);
    }

    fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    fn rows(&self, kind: Kind) -> impl Iterator<Item = RawRecord<'_>> {
        let mut start = 0;
        self.ends.iter().map(move |&[id, data]| {
            let row = RawRecord {
                id: &self.text[start..id],
                kind: kind.as_str(),
                // Not read when drawing a row.
                collection: "",
                data: &self.text[id..data],
                sort_key: "",
            };
            start = data;
            row
        })
    }
}

/// A batch drawn.
struct Drawn {
    /// The rows whose copy (or body) read.
    table: Table,
    /// Per row of `table`: its [`key`].
    keys: Vec<u128>,
    /// The rows that did not read: stored position, id, and why.
    failed: Vec<(usize, String, Undecodable)>,
    /// The batch, to be filled again.
    batch: Batch,
}

/// `batch` drawn; `days` is kept from one batch to the next on a thread.
fn draw(how: &Drawing, mut batch: Batch, first: usize, days: &mut Midnights, local: Tz) -> Drawn {
    batch.first = first;
    let mut table = Table::default();
    let rows = batch.ends.len();
    // Room for every row: cells are shorter than the copies they are drawn from.
    table.reserve(rows, 5, batch.text.len());
    let mut keys = Vec::with_capacity(rows);
    let mut failed = Vec::new();
    {
        let mut scratch = Scratch {
            midnights: std::mem::take(days),
            ..Scratch::default()
        };
        for (i, raw) in batch.rows(how.kind).enumerate() {
            match (how.draw)(&mut table, raw, &mut scratch, local) {
                Ok(order) => keys.push(key(order, first + i)),
                Err(bad) => failed.push((first + i, raw.id.to_string(), bad)),
            }
        }
        *days = scratch.midnights;
    }
    Drawn {
        table,
        keys,
        failed,
        batch,
    }
}
