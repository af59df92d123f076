//! Collection rows as sync settles them: counts, same-name clashes between
//! devices, and row edits that log no change (the changes are already logged).

use rusqlite::{OptionalExtension, params};

use super::db::conn;
use super::{Db, Result, Writer};
use crate::model::Kind;

/// How many records collection `id` holds.
pub fn records_in(db: &(impl Db + ?Sized), collection_id: &str) -> Result<u64> {
    Ok(conn(db).query_row(
        "SELECT COUNT(*) FROM records WHERE collection = ?1",
        [collection_id],
        |r| r.get(0),
    )?)
}

/// Another collection of `kind` called `name` (not `except_id`), if any.
pub fn same_name_collection(
    db: &(impl Db + ?Sized),
    kind: Kind,
    name: &str,
    except_id: &str,
) -> Result<Option<String>> {
    Ok(conn(db)
        .query_row(
            "SELECT id FROM collections WHERE kind = ?1 AND name = ?2 AND id <> ?3",
            params![kind.as_str(), name, except_id],
            |r| r.get(0),
        )
        .optional()?)
}

/// Rename a collection row without logging a change.
pub fn rename_collection_row(w: &Writer<'_>, id: &str, name: &str) -> Result<()> {
    w.tx().execute(
        "UPDATE collections SET name = ?2 WHERE id = ?1",
        params![id, name],
    )?;
    Ok(())
}

/// Remove a collection row without logging a change.
pub fn drop_collection_row(w: &Writer<'_>, id: &str) -> Result<()> {
    w.forget_found_collection();
    w.tx()
        .execute("DELETE FROM collections WHERE id = ?1", [id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Record;
    use crate::store::Store;

    #[test]
    fn counts_clashes_renames_and_drops() {
        let mut store = Store::open_in_memory().unwrap();
        let (work, home) = store
            .write(|w| {
                Ok((
                    w.put_collection(Kind::Task, "work")?,
                    w.put_collection(Kind::Task, "home")?,
                ))
            })
            .unwrap();
        let t = Record::new(Kind::Task, &work.id);
        store.write(|w| w.create(&t).map(drop)).unwrap();
        assert_eq!(records_in(&store, &work.id).unwrap(), 1);
        assert_eq!(records_in(&store, &home.id).unwrap(), 0);

        assert_eq!(
            same_name_collection(&store, Kind::Task, "work", &work.id).unwrap(),
            None
        );
        assert_eq!(
            same_name_collection(&store, Kind::Task, "work", "other-id").unwrap(),
            Some(work.id.clone())
        );
        assert_eq!(
            same_name_collection(&store, Kind::Note, "work", "other-id").unwrap(),
            None
        );

        let log_before = store.log(&Default::default()).unwrap().len();
        store
            .write(|w| {
                rename_collection_row(w, &home.id, "house")?;
                drop_collection_row(w, &work.id)
            })
            .unwrap_err(); // the record still points at `work`: the foreign key refuses
        assert_eq!(
            store.collection_by_id(&home.id).unwrap().unwrap().name,
            "home"
        );
        store
            .write(|w| {
                rename_collection_row(w, &home.id, "house")?;
                drop_collection_row(w, &home.id)
            })
            .unwrap();
        assert!(store.collection_by_id(&home.id).unwrap().is_none());
        assert_eq!(
            store.log(&Default::default()).unwrap().len(),
            log_before,
            "row edits log no change"
        );
    }
}
