//! The items of pim's JSON export, written on two threads: this one reads the rows
//! from the store in listing order and writes out what the other rendered; the other
//! reads each stored body in place and writes its item. Each is about half the work,
//! so on two cores the export takes about half the time; the order, the bytes and the
//! memory (a few batches in flight, whatever the size of the profile) are as when one
//! thread does both.

use std::collections::HashMap;
use std::io::Write;
use std::sync::mpsc;

use crate::model::zonedb::Tz;

use crate::app::export::{BATCH, RowBatch, Selection};
use crate::formats::json::write_json_item_head;
use crate::store::{RawRecord, Store, Undecodable};

/// Batches read but not yet rendered, at most (the reader waits beyond).
const IN_FLIGHT: usize = 4;

/// What the rendering thread hands back for one batch: its items and the rows
/// that could not be read, in order.
struct Rendered {
    items: String,
    written: usize,
    skipped: Vec<Undecodable>,
}

/// Every record of `selection` in listing order as an item of the JSON array (`,\n`
/// before each but the first), to `out`; the number written. Rows that cannot be
/// read are noted in the store, in order.
pub fn write_items(
    store: &Store,
    selection: &Selection,
    names: &HashMap<String, String>,
    settings: &HashMap<String, String>,
    tz: Tz,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let (send_rows, receive_rows) = mpsc::sync_channel::<RowBatch>(IN_FLIGHT);
    // Unbounded, so the renderer never waits on the reader while the reader waits
    // on it; the reader takes these after every batch it hands over, so they stay
    // as few as the batches in flight.
    let (send_items, receive_items) = mpsc::channel::<Rendered>();
    let mut written = 0;
    let mut take = |rendered: Rendered, out: &mut dyn Write| -> anyhow::Result<()> {
        out.write_all(rendered.items.as_bytes())?;
        written += rendered.written;
        for skipped in rendered.skipped {
            store.note_undecodable(skipped);
        }
        Ok(())
    };
    std::thread::scope(|s| -> anyhow::Result<()> {
        s.spawn(move || {
            let mut first = true;
            for rows in receive_rows {
                let mut rendered = Rendered {
                    items: String::with_capacity(rows.text_len() * 2),
                    written: 0,
                    skipped: Vec::new(),
                };
                let each = rows.each(|_, row| -> Result<(), std::convert::Infallible> {
                    render(&mut rendered, &row, &mut first, names, settings, tz);
                    Ok(())
                });
                let Ok(()) = each;
                if send_items.send(rendered).is_err() {
                    return;
                }
            }
        });
        let mut rows = RowBatch::default();
        for (kind, coll) in selection {
            store.for_each_raw_sorted(*kind, coll.as_deref(), |row| -> anyhow::Result<()> {
                rows.push(0, &row);
                if rows.len() == BATCH {
                    // Refused only if the renderer stopped, which it does not
                    // before the rows end.
                    let _ = send_rows.send(std::mem::take(&mut rows));
                    while let Ok(rendered) = receive_items.try_recv() {
                        take(rendered, out)?;
                    }
                }
                Ok(())
            })?;
        }
        let _ = send_rows.send(rows);
        drop(send_rows);
        for rendered in receive_items {
            take(rendered, out)?;
        }
        Ok(())
    })?;
    Ok(written)
}

/// One row's item: its view from the stored body read in place, then the body
/// itself as the `content`, as it is kept.
fn render(
    to: &mut Rendered,
    row: &RawRecord<'_>,
    first: &mut bool,
    names: &HashMap<String, String>,
    settings: &HashMap<String, String>,
    tz: Tz,
) {
    let (kind, body) = match row.read_in_place() {
        Ok(read) => read,
        Err(skipped) => {
            to.skipped.push(skipped);
            return;
        }
    };
    to.items.push_str(if *first { "\n" } else { ",\n" });
    *first = false;
    let name = names.get(row.collection).map_or("", String::as_str);
    let settings = settings.get(row.collection).map(String::as_str);
    write_json_item_head(&mut to.items, row.id, kind, &body, name, settings, tz);
    to.items.push_str(row.data);
    to.items.push('}');
    to.written += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::export::selection;
    use crate::formats::json::write_json_item_to;
    use crate::model::{Kind, Property, Record};

    /// Several batches of two kinds: the items the two threads write are those one
    /// thread writes from each decoded record, in listing order.
    #[test]
    fn items_written_on_two_threads_are_the_items_of_the_records_in_order() {
        let mut store = Store::open_in_memory().unwrap();
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        for i in 0..(3 * BATCH + 17) {
            let kind = if i % 3 == 0 { Kind::Task } else { Kind::Event };
            let c = store.default_collection(kind).unwrap().id;
            let mut r = Record::new(kind, &c);
            r.set_text("SUMMARY", &format!("item \"{}\"", i % 50));
            r.body.main.props.push(
                Property::new("DTSTART", "20260302T090000").with_param("TZID", "Europe/Berlin"),
            );
            store.write(|w| w.create(&r)).unwrap();
        }
        let collections = store.collections(None).unwrap();
        let names: HashMap<String, String> = collections
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        let settings: HashMap<String, String> = collections
            .iter()
            .map(|c| (c.id.clone(), crate::formats::json::settings_json(c)))
            .collect();
        let kinds = [Kind::Event, Kind::Task];
        let chosen = selection(&store, &kinds, None).unwrap();
        let mut out = Vec::new();
        let n = write_items(&store, &chosen, &names, &settings, tz, &mut out).unwrap();
        let mut want = Vec::new();
        let mut count = 0;
        for kind in kinds {
            for r in store.list(kind, None).unwrap() {
                want.extend_from_slice(if count == 0 { b"\n" } else { b",\n" });
                let c = collections.iter().find(|c| c.id == r.collection);
                write_json_item_to(&mut want, &r, &names[&r.collection], c, tz, None);
                count += 1;
            }
        }
        assert_eq!(n, 3 * BATCH + 17);
        assert_eq!(n, count);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }
}
