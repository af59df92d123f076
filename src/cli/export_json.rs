//! The items of pim's JSON export: the rows read in table order (a sequential read
//! of the table; reading them in listing order through SQLite costs a sort and a
//! lookup in the table per row, half the export's work), each rendered as it
//! comes on one of two threads beside the reading one, then put in listing order
//! in memory ([`SortedRows`]) and written out. The bytes are those of the records
//! written one by one in listing order.

use std::collections::HashMap;
use std::io::Write;

use crate::model::zonedb::Tz;

use crate::app::export::{Selection, SortedRows, read_unordered_shared, sorted_rows_for};
use crate::formats::json::write_json_item_head;
use crate::store::{RawRecord, Store, Undecodable};

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
    let rows = rendered_items(store, selection, names, settings, tz)?;
    let mut written = 0;
    for row in rows.iter() {
        if row.unreadable() {
            store.note_undecodable(Undecodable {
                id: row.id().to_string(),
                what: selection[row.group()].0.as_str().to_string(),
                reason: row.text().to_string(),
            });
            continue;
        }
        out.write_all(if written == 0 { b"\n" } else { b",\n" })?;
        out.write_all(row.text().as_bytes())?;
        written += 1;
    }
    Ok(written)
}

/// Every record of `selection` rendered as its item, in listing order.
fn rendered_items(
    store: &Store,
    selection: &Selection,
    names: &HashMap<String, String>,
    settings: &HashMap<String, String>,
    tz: Tz,
) -> anyhow::Result<SortedRows> {
    // Two renderers beside the reader: rendering is two thirds of the work.
    let rows = sorted_rows_for(store, selection)?;
    let states = vec![
        (rows.with_same_room(), None::<Collection<'_>>),
        (rows, None),
    ];
    let rendered = read_unordered_shared(store, selection, states, |(rows, last), g, row| {
        let collection = match last {
            Some(c) if c.id == row.collection => c,
            _ => last.insert(Collection::of(row.collection, names, settings)),
        };
        render(rows, g, &row, collection, tz);
        Ok::<(), anyhow::Error>(())
    })?;
    let parts = rendered.into_iter().map(|(rows, _)| rows).collect();
    Ok(SortedRows::sorted_together(parts))
}

/// The collection of the last row rendered, its name and settings: rows come
/// in runs of one collection, so most rows look up nothing.
struct Collection<'m> {
    id: &'m str,
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
        // The id as a key of either map; one of neither is looked up again for
        // each such row (a store pim wrote has none).
        let key = match (named, set) {
            (Some((k, _)), _) | (None, Some((k, _))) => k.as_str(),
            (None, None) => "\0",
        };
        Collection {
            id: key,
            name: named.map_or("", |(_, n)| n.as_str()),
            settings: set.map(|(_, s)| s.as_str()),
        }
    }
}

/// One row's item: its view from the stored body read in place, then the body
/// itself as the `content`, as it is kept.
fn render(
    rows: &mut SortedRows,
    group: usize,
    row: &RawRecord<'_>,
    collection: &Collection<'_>,
    tz: Tz,
) {
    let (kind, body) = match row.read_in_place() {
        Ok(read) => read,
        Err(skipped) => return rows.push_unreadable(group, row, &skipped.reason),
    };
    let (name, settings) = (collection.name, collection.settings);
    rows.push(group, row, "", |item| {
        write_json_item_head(item, row.id, kind, &body, name, settings, tz);
        item.push_str(row.data);
        item.push('}');
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::export::{BATCH, selection};
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
