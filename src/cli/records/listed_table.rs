//! `pim list tasks|contacts|notes` as a table. Each row is drawn from the copy the
//! store keeps for listings (a repeating task from its whole body); drawing the rows
//! (reading the copies, writing the cells) is most of the work, and it runs on other
//! threads while the store is still read.

use std::sync::{Mutex, mpsc};

use crate::model::zonedb::Tz;

use super::list::whole;
use super::rows;
use crate::cli::Context;
use crate::cli::print::Table;
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
    draw: fn(&mut Table, RawRecord<'_>, Tz) -> Result<u128, Undecodable>,
    whole: fn(&mut Table, &Record, Tz) -> u128,
}

/// Tasks as rows, and the order to print them in: open ones first, by due, then
/// priority, then stored order (sort key, id: the order the store gives them in).
pub(super) fn task_table(
    cx: &Context,
    collection: Option<&str>,
    table: &mut Table,
) -> anyhow::Result<Vec<usize>> {
    let tasks = Drawing {
        kind: Kind::Task,
        draw: |t, raw, local| rows::push_stored_task_row(t, raw, local).map(rows::packed_order),
        whole: |t, r, local| rows::packed_order(rows::task_row(t, r, local)),
    };
    drawn_table(cx, &tasks, collection, table)
}

/// Contacts or notes as rows, and the order to print them in: stored order (sort
/// key, id), the order the store gives them in.
pub(super) fn stored_table(
    cx: &Context,
    kind: Kind,
    collection: Option<&str>,
    table: &mut Table,
) -> anyhow::Result<Vec<usize>> {
    let in_stored_order = Drawing {
        kind,
        draw: match kind {
            Kind::Note => |t, raw, _| rows::push_stored_row(t, raw, Kind::Note).map(|()| 0),
            _ => |t, raw, _| rows::push_stored_row(t, raw, Kind::Contact).map(|()| 0),
        },
        whole: |t, r, local| {
            rows::push_record_row(t, r, local);
            0
        },
    };
    drawn_table(cx, &in_stored_order, collection, table)
}

fn drawn_table(
    cx: &Context,
    how: &Drawing,
    collection: Option<&str>,
    table: &mut Table,
) -> anyhow::Result<Vec<usize>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let local = cx.tz;
    let (send, receive) = mpsc::channel::<(usize, Batch)>();
    let receive = Mutex::new(receive);
    // Drawn batches come back as they are done, and are taken into `table` (and
    // dropped) as soon as the reading thread gets to them: few are held at once.
    let (done_send, done) = mpsc::channel::<Drawn>();
    let mut taken = Taken::default();
    // Draw queued batches until none is left and no more can come.
    let work = |out: &mut dyn FnMut(Drawn)| loop {
        let next = receive.lock().expect("no thread panics holding it").recv();
        match next {
            Ok((first, batch)) => out(draw(how, &batch, first, local)),
            Err(mpsc::RecvError) => return,
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
                    let full = std::mem::take(&mut batch);
                    send.send((read - BATCH, full))
                        .expect("the receiver lives as long as this scope");
                    while let Ok(d) = done.try_recv() {
                        taken.take(table, d);
                    }
                }
                Ok(())
            })?;
        taken.take(table, draw(how, &batch, read - batch.ends.len(), local));
        drop(send);
        work(&mut |d| {
            taken.take(table, d);
            while let Ok(d) = done.try_recv() {
                taken.take(table, d);
            }
        });
        for w in workers {
            w.join().expect("a drawing thread panicked");
        }
        Ok(())
    })?;
    drop(done_send);
    for d in done.iter() {
        taken.take(table, d);
    }
    let Taken {
        mut keys,
        mut failed,
    } = taken;
    // A row whose copy did not read: its record read whole (the body may be sound),
    // in stored order (rows that do not read either are named in that order).
    failed.sort_unstable_by_key(|(at, _, _)| *at);
    for (at, id, bad) in failed {
        match whole(cx, &id) {
            Some(r) => {
                let order = (how.whole)(table, &r, local);
                keys.push((order, at, table.row_count() - 1));
            }
            None => cx.store.note_undecodable(bad),
        }
    }
    keys.sort_unstable();
    Ok(keys.into_iter().map(|(_, _, row)| row).collect())
}

/// What was taken from the drawn batches.
#[derive(Default)]
struct Taken {
    /// (order, stored position, row in the table): positions are unique, so rows
    /// of equal orders keep their stored order.
    keys: Vec<(u128, usize, usize)>,
    failed: Vec<(usize, String, Undecodable)>,
}

impl Taken {
    fn take(&mut self, table: &mut Table, d: Drawn) {
        let offset = table.row_count();
        table.append(d.table);
        self.keys.extend(
            d.orders
                .into_iter()
                .enumerate()
                .map(|(row, (order, at))| (order, at, offset + row)),
        );
        self.failed.extend(d.failed);
    }
}

/// Rows copied out of the store, to be drawn together.
#[derive(Default)]
struct Batch {
    /// Each row's id, collection and listing copy, one after the other.
    text: String,
    /// Where each row's id, collection and copy end in `text`.
    ends: Vec<[usize; 3]>,
}

impl Batch {
    fn push(&mut self, raw: &RawRecord<'_>) {
        let mut ends = [0; 3];
        for (end, part) in ends.iter_mut().zip([raw.id, raw.collection, raw.data]) {
            self.text.push_str(part);
            *end = self.text.len();
        }
        self.ends.push(ends);
    }

    fn rows(&self, kind: Kind) -> impl Iterator<Item = RawRecord<'_>> {
        let mut start = 0;
        self.ends.iter().map(move |&[id, collection, data]| {
            let row = RawRecord {
                id: &self.text[start..id],
                kind: kind.as_str(),
                collection: &self.text[id..collection],
                data: &self.text[collection..data],
                // Not read when drawing a row.
                sort_key: "",
            };
            start = data;
            row
        })
    }
}

/// A batch drawn.
#[derive(Default)]
struct Drawn {
    /// The rows whose copy (or body) read.
    table: Table,
    /// Per row of `table`: its place in the order ([`Drawing`]) and stored position.
    orders: Vec<(u128, usize)>,
    /// The rows that did not read: stored position, id, and why.
    failed: Vec<(usize, String, Undecodable)>,
}

fn draw(how: &Drawing, batch: &Batch, first: usize, local: Tz) -> Drawn {
    let mut d = Drawn::default();
    for (i, raw) in batch.rows(how.kind).enumerate() {
        match (how.draw)(&mut d.table, raw, local) {
            Ok(order) => d.orders.push((order, first + i)),
            Err(bad) => d.failed.push((first + i, raw.id.to_string(), bad)),
        }
    }
    d
}
