//! The reads listings are drawn from ([`Store::for_each_listed`], and the table-order
//! read exports use, [`Store::for_each_raw_unordered`]), checked for what a listing
//! needs of them.

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

    /// (id, data) of every listed row, in the order given.
    fn listed(store: &Store, kind: Kind, collection: Option<&str>) -> Vec<(String, String)> {
        let mut out = Vec::new();
        store
            .for_each_listed(kind, collection, |raw| {
                assert_eq!(raw.kind, kind.as_str());
                out.push((raw.id.to_string(), raw.data.to_string()));
                crate::store::Result::Ok(())
            })
            .unwrap();
        out
    }

    fn task(coll: &str, id: &str, title: &str, rrule: Option<&str>) -> Record {
        let mut r = Record::new(Kind::Task, coll);
        r.id = id.into();
        r.body.main.props.push(Property::new("SUMMARY", title));
        r.body
            .main
            .props
            .push(Property::new("DESCRIPTION", "long text"));
        if let Some(rule) = rrule {
            r.body.main.props.push(Property::new("RRULE", rule));
        }
        r
    }

    #[test]
    fn listed_rows_come_in_listing_order_with_only_what_a_row_reads() {
        let mut store = Store::open_in_memory().unwrap();
        let tasks = store.default_collection(Kind::Task).unwrap().id;
        let other = store
            .write(|w| w.put_collection(Kind::Task, "Other"))
            .unwrap()
            .id;
        let made = [
            task(&tasks, "t1", "d", None),
            task(&other, "t2", "B", Some("FREQ=DAILY")),
            task(&tasks, "t3", "a", None),
            task(&tasks, "t0", "b", None),
            task(&tasks, "t4", "c", Some("FREQ=WEEKLY")),
        ];
        store
            .write(|w| made.iter().try_for_each(|r| w.create(r).map(drop)))
            .unwrap();
        let rows = listed(&store, Kind::Task, None);
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        // By sort key (the lower-cased title), then id: t0 and t2 share "b".
        assert_eq!(ids, ["t3", "t0", "t2", "t4", "t1"]);
        for (id, data) in &rows {
            let repeats = id == "t2" || id == "t4";
            assert_eq!(data.contains("DESCRIPTION"), repeats, "{id}: {data}");
            assert_eq!(data.contains("RRULE"), repeats, "{id}: {data}");
        }
        let in_other = listed(&store, Kind::Task, Some(&other));
        assert_eq!(in_other.len(), 1);
        assert_eq!(in_other[0].0, "t2");
        // An edit keeps what is listed current; a repeating task stops repeating.
        let mut t4 = made[4].clone();
        t4.body.main.props.retain(|p| p.name != "RRULE");
        t4.set_text("SUMMARY", "0 first");
        store.write(|w| w.update(&t4)).unwrap();
        let rows = listed(&store, Kind::Task, None);
        assert_eq!(rows[0].0, "t4");
        assert!(rows[0].1.contains("0 first") && !rows[0].1.contains("DESCRIPTION"));
        store.write(|w| w.delete("t3")).unwrap();
        assert_eq!(listed(&store, Kind::Task, None).len(), 4);
    }

    /// A body rewritten without its listed copy (by a pim from before migration 10
    /// still running when another process upgraded the profile, or by hand) must not
    /// list what it held before: the row is read whole until pim next writes it.
    #[test]
    fn a_body_rewritten_without_its_listed_copy_lists_what_it_holds_now() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Task).unwrap().id;
        let t1 = task(&coll, "t1", "old title", None);
        store.write(|w| w.create(&t1)).unwrap();
        let mut renamed = t1.clone();
        renamed.set_text("SUMMARY", "new title");
        // The statement pim at version 9 writes an edit with.
        store
            .conn
            .execute(
                "UPDATE records SET kind = ?2, collection = ?3, data = ?4, sort_key = ?5
                 WHERE id = ?1",
                rusqlite::params![
                    "t1",
                    "task",
                    coll,
                    serde_json::to_string(&renamed.body).unwrap(),
                    "new title"
                ],
            )
            .unwrap();
        let rows = listed(&store, Kind::Task, None);
        assert_eq!(rows.len(), 1);
        assert!(rows[0].1.contains("new title"), "{}", rows[0].1);
        // pim's own edits keep the copy, also when what it holds does not change.
        let mut described = renamed.clone();
        described.set_text("DESCRIPTION", "other text");
        store.write(|w| w.update(&described)).unwrap();
        let kept: Option<String> = store
            .conn
            .query_row("SELECT listed FROM records WHERE id = 't1'", [], |r| {
                r.get(0)
            })
            .unwrap();
        let kept = kept.expect("a listed copy");
        assert!(
            kept.contains("new title") && !kept.contains("other text"),
            "{kept}"
        );
        store.write(|w| w.update(&described)).unwrap();
        let rows = listed(&store, Kind::Task, None);
        assert_eq!(rows.len(), 1);
        assert!(
            !rows[0].1.contains("DESCRIPTION"),
            "read from the copy: {}",
            rows[0].1
        );
    }

    /// Rows a damaged or hostile file could hold, whose body (or listing copy) is not
    /// text: a body is passed over and named, the others listed (one such row made
    /// the whole listing fail).
    #[test]
    fn rows_that_are_not_text_are_named_not_a_failed_listing() {
        let mut store = Store::open_in_memory().unwrap();
        let people = [("c1", "Ada"), ("c2", "Bea"), ("c3", "Cy")];
        let coll = crate::store::tests::contacts_with_ids(&mut store, &people);
        store
            .conn
            .execute_batch(&format!(
                "INSERT INTO records (id, kind, collection, data, sort_key)
                     VALUES ('bad1', 'contact', '{coll}', x'00ff', 'b');
                 INSERT INTO records (id, kind, collection, data, sort_key)
                     VALUES ('bad2', 'contact', '{coll}', CAST(x'7b00ff' AS TEXT), 'bz');
                 UPDATE records SET listed = x'00ff' WHERE id = 'c3';"
            ))
            .unwrap();
        let rows = listed(&store, Kind::Contact, None);
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(ids, ["c1", "c2", "c3"]);
        // A damaged copy reads as nothing: the listing reads that record whole.
        assert_eq!(rows[2].1, "");
        let mut named: Vec<String> = store.take_undecodable().into_iter().map(|u| u.id).collect();
        named.sort();
        assert_eq!(named, ["bad1", "bad2"]);
    }

    #[test]
    fn listings_and_windows_read_indexes_not_the_table() {
        let store = Store::open_in_memory().unwrap();
        let plan = |sql: &str| -> String {
            let mut stmt = store
                .conn
                .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                .unwrap();
            let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
            let rows = stmt
                .query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3))
                .unwrap();
            rows.map(Result::unwrap).collect::<Vec<_>>().join("; ")
        };
        use crate::store::read::RECURRING_IN_WINDOW;
        use crate::store::read::raw::{LISTED_ROWS, LISTED_ROWS_UNKEYED, UNLISTED_ROWS};
        for listed in [LISTED_ROWS, LISTED_ROWS_UNKEYED] {
            assert_eq!(
                plan(listed),
                "SEARCH records USING COVERING INDEX records_listed (kind=?)"
            );
        }
        let whole = plan(UNLISTED_ROWS);
        assert!(
            whole.starts_with("SEARCH records USING INDEX records_unlisted"),
            "{whole}"
        );
        let recurring = plan(RECURRING_IN_WINDOW);
        assert!(
            recurring.starts_with("SEARCH records USING INDEX records_kind_span"),
            "{recurring}"
        );
    }

    #[test]
    fn a_profile_from_before_listed_rows_gets_them_on_upgrade() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Task).unwrap().id;
        let made = [
            task(&coll, "t1", "b", None),
            task(&coll, "t2", "a", Some("FREQ=DAILY")),
        ];
        store
            .write(|w| made.iter().try_for_each(|r| w.create(r).map(drop)))
            .unwrap();
        // What pim at version 9 left: no `listed` column, nor its indexes.
        store
            .conn
            .execute_batch(
                "DROP TRIGGER records_listed_stale;
                 DROP INDEX records_listed; DROP INDEX records_unlisted;
                 ALTER TABLE records DROP COLUMN listed;
                 PRAGMA user_version = 9;",
            )
            .unwrap();
        crate::store::migrate(&store.conn).unwrap();
        let rows = listed(&store, Kind::Task, None);
        let ids: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(ids, ["t2", "t1"]);
        assert!(!rows[1].1.contains("DESCRIPTION"), "listed: {}", rows[1].1);
        let trigger: bool = store
            .conn
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'records_listed_stale')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(trigger, "a body rewritten without its copy drops it");
        // Migrated again (a renumbered migration): nothing fails, nothing doubles.
        store
            .conn
            .execute_batch("PRAGMA user_version = 9;")
            .unwrap();
        crate::store::migrate(&store.conn).unwrap();
        assert_eq!(listed(&store, Kind::Task, None).len(), 2);
    }
}
