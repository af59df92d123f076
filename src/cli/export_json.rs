//! The items of pim's JSON export, streamed: this thread reads the rows from the
//! store in listing order, a batch at a time, and writes out what two renderers
//! made of them; each renderer reads a batch's stored bodies in place and writes
//! their items. Rendering is most of the work, so on two cores the export takes
//! about half the time one renderer would; the batches are numbered and written
//! in that order, so the bytes are as when one thread does everything, and the
//! memory is a few batches in flight, whatever the size of the profile.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::sync::{Mutex, mpsc};

use crate::model::zonedb::Tz;

use crate::app::export::{BATCH, RowBatch, Selection};
use crate::formats::json::write_json_item_head;
use crate::formats::view_ref::write_view;
use crate::model::borrowed::BodyRef;
use crate::store::{RawRecord, Store, Undecodable};

/// Batches read but not yet rendered, at most (the reader waits beyond).
const IN_FLIGHT: usize = 4;

/// Threads rendering items.
const RENDERERS: usize = 2;

/// What a renderer hands back for one batch: its items (each after `,\n`), the
/// rows that could not be read, in order, and the batch, to be filled again.
struct Rendered {
    seq: usize,
    items: String,
    written: usize,
    skipped: Vec<Undecodable>,
    rows: RowBatch,
}

/// What each item of [`write_items`] holds.
#[derive(Clone, Copy)]
pub enum ItemShape<'m> {
    /// The export's: the record's view, its collection's settings (by collection
    /// id, as JSON) and the stored body as the `content`; `,\n` before each.
    Export(&'m HashMap<String, String>),
    /// A `--json` listing's: the view alone (as `formats::view` makes it), `,`
    /// before each.
    View,
}

/// Every record of `selection` in listing order as an item of a JSON array, shaped
/// as `shape` says (the first without the separator before it), to `out`; the
/// number written. Rows that cannot be read are noted in the store, in order.
pub fn write_items(
    store: &Store,
    selection: &Selection,
    names: &HashMap<String, String>,
    shape: ItemShape<'_>,
    tz: Tz,
    out: &mut dyn Write,
) -> anyhow::Result<usize> {
    let no_settings = HashMap::new();
    let settings = match shape {
        ItemShape::Export(settings) => settings,
        ItemShape::View => &no_settings,
    };
    let (send_rows, receive_rows) = mpsc::sync_channel::<(usize, RowBatch)>(IN_FLIGHT);
    let receive_rows = Mutex::new(receive_rows);
    // Unbounded, so a renderer never waits on the reader while the reader waits
    // on it; the reader takes these after every batch it hands over, so they stay
    // as few as the batches in flight.
    let (send_items, receive_items) = mpsc::channel::<Rendered>();
    let mut written = 0;
    // Batches rendered ahead of one still being rendered, and the next to write.
    let mut waiting: BTreeMap<usize, Rendered> = BTreeMap::new();
    let mut next = 0;
    let mut spare: Vec<RowBatch> = Vec::new();
    let mut take = |rendered: Rendered,
                    out: &mut dyn Write,
                    spare: &mut Vec<RowBatch>|
     -> anyhow::Result<()> {
        waiting.insert(rendered.seq, rendered);
        while let Some(r) = waiting.remove(&next) {
            // Every item comes after a separator that opens with `,`: the first of
            // the array without that comma.
            let items = match written == 0 {
                true => r.items.get(1..).unwrap_or(""),
                false => &r.items,
            };
            out.write_all(items.as_bytes())?;
            written += r.written;
            for skipped in r.skipped {
                store.note_undecodable(skipped);
            }
            let mut rows = r.rows;
            rows.clear();
            spare.push(rows);
            next += 1;
        }
        Ok(())
    };
    std::thread::scope(|s| -> anyhow::Result<()> {
        for _ in 0..RENDERERS {
            let (receive_rows, send_items) = (&receive_rows, send_items.clone());
            s.spawn(move || {
                let mut last: Option<Collection<'_>> = None;
                loop {
                    let next = receive_rows.lock().expect("a renderer panicked").recv();
                    let Ok((seq, rows)) = next else { return };
                    let mut rendered = Rendered {
                        seq,
                        items: String::with_capacity(rows.text_len() * 2),
                        written: 0,
                        skipped: Vec::new(),
                        rows: RowBatch::default(),
                    };
                    // Each body read into the room the one before left.
                    let mut body = BodyRef::empty();
                    let each = rows.each(|_, row| -> Result<(), std::convert::Infallible> {
                        let collection = match &mut last {
                            Some(c) if c.id == Some(row.collection) => c,
                            last => last.insert(Collection::of(row.collection, names, settings)),
                        };
                        render(&mut rendered, &row, &mut body, collection, shape, tz);
                        Ok(())
                    });
                    let Ok(()) = each;
                    rendered.rows = rows;
                    if send_items.send(rendered).is_err() {
                        return;
                    }
                }
            });
        }
        drop(send_items);
        let mut seq = 0;
        let mut rows = RowBatch::default();
        for (kind, coll) in selection {
            store.for_each_raw_sorted(*kind, coll.as_deref(), |row| -> anyhow::Result<()> {
                rows.push(0, &row);
                if rows.len() == BATCH {
                    let fresh = spare.pop().unwrap_or_default();
                    // Refused only if the renderers stopped, which they do not
                    // before the rows end.
                    let _ = send_rows.send((seq, std::mem::replace(&mut rows, fresh)));
                    seq += 1;
                    while let Ok(rendered) = receive_items.try_recv() {
                        take(rendered, out, &mut spare)?;
                    }
                }
                Ok(())
            })?;
        }
        let _ = send_rows.send((seq, rows));
        drop(send_rows);
        for rendered in receive_items {
            take(rendered, out, &mut spare)?;
        }
        Ok(())
    })?;
    Ok(written)
}

/// The collection of the last row rendered, its name and settings: rows come
/// in runs of one collection, so most rows look up nothing.
struct Collection<'m> {
    /// The id as a key of either map; `None` for one of neither, which is then
    /// looked up again for each such row (a store pim wrote has none).
    id: Option<&'m str>,
    name: &'m str,
    settings: Option<&'m str>,
}

impl<'m> Collection<'m> {
    fn of(
        id: &str,
        names: &'m HashMap<String, String>,
        settings: &'m HashMap<String, String>,
    ) -> Collection<'m> {
        let named = names.get_key_value(id);
        let set = settings.get_key_value(id);
        let key = match (named, set) {
            (Some((k, _)), _) | (None, Some((k, _))) => Some(k.as_str()),
            (None, None) => None,
        };
        Collection {
            id: key,
            name: named.map_or("", |(_, n)| n.as_str()),
            settings: set.map(|(_, s)| s.as_str()),
        }
    }
}

/// One row's item, after its separator: its view from the stored body read in
/// place; for the export, then the body itself as the `content`, as it is kept.
fn render<'r>(
    to: &mut Rendered,
    row: &RawRecord<'r>,
    body: &mut BodyRef<'r>,
    collection: &Collection<'_>,
    shape: ItemShape<'_>,
    tz: Tz,
) {
    let kind = match row.read_into(body) {
        Ok(kind) => kind,
        Err(skipped) => {
            to.skipped.push(skipped);
            return;
        }
    };
    let body = &*body;
    let (name, settings) = (collection.name, collection.settings);
    match shape {
        ItemShape::Export(_) => {
            to.items.push_str(",\n");
            write_json_item_head(&mut to.items, row.id, kind, body, name, settings, tz);
            to.items.push_str(row.data);
            to.items.push('}');
        }
        ItemShape::View => {
            to.items.push(',');
            write_view(&mut to.items, row.id, kind, body, name, tz);
        }
    }
    to.written += 1;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::export::selection;
    use crate::formats::json::write_json_item_to;
    use crate::model::{Kind, Property, Record};

    /// The export's items of `chosen`, and how many.
    fn exported(
        store: &Store,
        chosen: &Selection,
        names: &HashMap<String, String>,
        settings: &HashMap<String, String>,
        tz: Tz,
    ) -> (usize, Vec<u8>) {
        let mut out = Vec::new();
        let shape = ItemShape::Export(settings);
        let n = write_items(store, chosen, names, shape, tz, &mut out).unwrap();
        (n, out)
    }

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
        let (n, out) = exported(&store, &chosen, &names, &settings, tz);
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

    /// A listing's items (the view alone), over several batches of contacts in two
    /// collections: the views `--json` listings made of the decoded records, in
    /// listing order, each after a `,` but the first. (Rows that do not read:
    /// `tests/cli/listed_copies.rs`, `listed_tables.rs`.)
    #[test]
    fn view_items_are_the_listing_views_of_the_records_in_order() {
        use crate::formats::view_contact::ContactJson;
        let mut store = Store::open_in_memory().unwrap();
        let tz: Tz = "UTC".parse().unwrap();
        let home = store.default_collection(Kind::Contact).unwrap().id;
        let work = store
            .write(|w| w.put_collection_with_id("work", Kind::Contact, "Work"))
            .unwrap()
            .id;
        for i in 0..(2 * BATCH + 9) {
            let c = if i % 5 == 0 { &work } else { &home };
            let mut r = Record::new(Kind::Contact, c);
            // Names that sort apart from the order written, some alike.
            r.set_text("FN", &format!("Person \"{}\"", (i * 37) % 300));
            r.body
                .main
                .props
                .push(Property::new("EMAIL", format!("p{i}@example.org")));
            store.write(|w| w.create(&r)).unwrap();
        }
        let names: HashMap<String, String> = store
            .collections(None)
            .unwrap()
            .iter()
            .map(|c| (c.id.clone(), c.name.clone()))
            .collect();
        let chosen = selection(&store, &[Kind::Contact], None).unwrap();
        let mut out = Vec::new();
        let n = write_items(&store, &chosen, &names, ItemShape::View, tz, &mut out).unwrap();
        let want: Vec<String> = store
            .list(Kind::Contact, None)
            .unwrap()
            .iter()
            .map(|r| serde_json::to_string(&ContactJson::new(r, &names[&r.collection])).unwrap())
            .collect();
        assert_eq!(n, 2 * BATCH + 9);
        assert_eq!(want.len(), n);
        assert_eq!(String::from_utf8(out).unwrap(), want.join(","));
    }

    /// A row whose collection neither map knows (its collection gone) followed by
    /// one of the collection whose id is `"\0"`: that one keeps its name and
    /// settings (the last collection looked up is not mistaken for it).
    #[test]
    fn a_collection_neither_map_knows_is_not_taken_for_another() {
        let mut store = Store::open_in_memory().unwrap();
        let tz: Tz = "UTC".parse().unwrap();
        let plain = store.default_collection(Kind::Contact).unwrap().id;
        let zero = store
            .write(|w| w.put_collection_with_id("\0", Kind::Contact, "Zero"))
            .unwrap();
        for (c, name) in [
            (&plain, "A"),
            (&zero.id, "B"),
            (&plain, "C"),
            (&zero.id, "D"),
        ] {
            let mut r = Record::new(Kind::Contact, c);
            r.set_text("FN", name);
            store.write(|w| w.create(&r)).unwrap();
        }
        // The default collection left out of both maps.
        let names = HashMap::from([(zero.id.clone(), zero.name.clone())]);
        let settings =
            HashMap::from([(zero.id.clone(), crate::formats::json::settings_json(&zero))]);
        let chosen = selection(&store, &[Kind::Contact], None).unwrap();
        let (n, out) = exported(&store, &chosen, &names, &settings, tz);
        let mut want = Vec::new();
        for (i, r) in store.list(Kind::Contact, None).unwrap().iter().enumerate() {
            want.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            let name = names.get(&r.collection).map_or("", String::as_str);
            let c = (r.collection == zero.id).then_some(&zero);
            write_json_item_to(&mut want, r, name, c, tz, None);
        }
        assert_eq!(n, 4);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            String::from_utf8(want).unwrap()
        );
    }
}
