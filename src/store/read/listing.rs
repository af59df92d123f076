//! Reads for listings that sort in memory anyway: the rows of a kind in table
//! order, with their stored sort key, instead of in index order (which costs a
//! random lookup in the table per row).

use rusqlite::{Row, params};

use super::super::{Result, Store, StoreError};
use super::{RECORD_COLS, RawRecord};
use crate::model::Kind;

impl Store {
    /// Every record of `kind` (in `collection` if given), each borrowed from the
    /// database for the length of one call with its sort key (the order
    /// [`Store::for_each_raw`] gives is by that key, then id), in table order.
    pub fn for_each_raw_unordered<E: From<StoreError>>(
        &self,
        kind: Kind,
        collection: Option<&str>,
        mut f: impl FnMut(RawRecord<'_>, &str) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        // The rowids come from the kind's index, sorted; the rows are then read in
        // rowid order (neighbours share pages).
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {RECORD_COLS}, sort_key FROM records
                 WHERE rowid IN (SELECT rowid FROM records WHERE kind = ?1)
                   AND (?2 IS NULL OR collection = ?2)
                 ORDER BY rowid"
            ))
            .map_err(StoreError::from)?;
        let mut rows = stmt
            .query(params![kind.as_str(), collection])
            .map_err(StoreError::from)?;
        fn text<'r>(row: &'r Row<'_>, i: usize) -> Result<&'r str> {
            Ok(row.get_ref(i).and_then(|v| Ok(v.as_str()?))?)
        }
        while let Some(row) = rows.next().map_err(StoreError::from)? {
            let raw = RawRecord {
                id: text(row, 0)?,
                kind: text(row, 1)?,
                collection: text(row, 2)?,
                data: text(row, 3)?,
            };
            f(raw, text(row, 4)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Kind, Property, Record};
    use crate::store::Store;

    /// (sort key, id, collection) of every row, in the order given.
    fn rows(store: &Store, kind: Kind, collection: Option<&str>) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        store
            .for_each_raw_unordered(kind, collection, |raw, key| {
                assert_eq!(raw.kind, kind.as_str());
                raw.decode().unwrap();
                out.push((
                    key.to_string(),
                    raw.id.to_string(),
                    raw.collection.to_string(),
                ));
                crate::store::Result::Ok(())
            })
            .unwrap();
        out
    }

    #[test]
    fn every_row_of_the_kind_with_its_sort_key_in_table_order() {
        let mut store = Store::open_in_memory().unwrap();
        let tasks = store.default_collection(Kind::Task).unwrap().id;
        let other = store
            .write(|w| w.put_collection(Kind::Task, "Other"))
            .unwrap()
            .id;
        let note = store.default_collection(Kind::Note).unwrap().id;
        let mut made = Vec::new();
        for (i, (title, coll)) in [("b", &tasks), ("A", &other), ("c", &tasks)]
            .iter()
            .enumerate()
        {
            let mut r = Record::new(Kind::Task, coll);
            r.id = format!("id{i}");
            r.body.main.props.push(Property::new("SUMMARY", *title));
            made.push(r);
        }
        let mut n = Record::new(Kind::Note, &note);
        n.body.main.props.push(Property::new("SUMMARY", "note"));
        store
            .write(|w| {
                for r in &made {
                    w.create(r)?;
                }
                w.create(&n)
            })
            .unwrap();
        let all = rows(&store, Kind::Task, None);
        let ids: Vec<&str> = all.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(ids, ["id0", "id1", "id2"], "table order, not by title");
        assert_eq!(all[1].0, "a", "the stored sort key");
        let in_other = rows(&store, Kind::Task, Some(&other));
        assert_eq!(in_other.len(), 1);
        assert_eq!(in_other[0].1, "id1");
        assert_eq!(rows(&store, Kind::Note, None).len(), 1);
    }
}
