//! The table-order read listings share with exports ([`Store::for_each_raw_unordered`]),
//! checked for what a listing needs of it.

#[cfg(test)]
mod tests {
    use crate::model::{Kind, Property, Record};
    use crate::store::Store;

    /// (sort key, id, collection) of every row, in the order given.
    fn rows(store: &Store, kind: Kind, collection: Option<&str>) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        store
            .for_each_raw_unordered(Some(kind), collection, |raw| {
                let key = raw.sort_key;
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
