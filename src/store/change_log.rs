//! Questions about the change log that the sync engine and the front-ends ask
//! (beyond whole changes, which [`super::sync_state`] reads).

use rusqlite::{OptionalExtension, params};

use super::db::conn;
use super::{Db, Result};

/// Whether the change `seq` of `device` is logged here already.
pub fn has_change(db: &(impl Db + ?Sized), device: &str, seq: u64) -> Result<bool> {
    Ok(conn(db)
        .prepare_cached("SELECT 1 FROM changes WHERE device = ?1 AND seq = ?2")?
        .exists(params![device, seq])?)
}

/// Whether any change mentions `record_id` (a deleted record still has them).
pub fn has_history(db: &(impl Db + ?Sized), record_id: &str) -> Result<bool> {
    Ok(conn(db).query_row(
        "SELECT EXISTS (SELECT 1 FROM changes WHERE record_id = ?1)",
        [record_id],
        |r| r.get(0),
    )?)
}

/// Every (record id, kind) the change log mentions, collections left out,
/// ordered by id then kind.
pub fn logged_records(db: &(impl Db + ?Sized)) -> Result<Vec<(String, String)>> {
    Ok(conn(db)
        .prepare(
            "SELECT DISTINCT record_id, kind FROM changes WHERE kind <> 'collection'
             ORDER BY record_id, kind",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?)
}

/// The device and wall time of a logged change, by its id.
pub fn change_origin(db: &(impl Db + ?Sized), change_id: &str) -> Result<Option<(String, String)>> {
    Ok(conn(db)
        .query_row(
            "SELECT device, changed_at FROM changes WHERE change_id = ?1",
            [change_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// One not-yet-uploaded change, as a status line shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsentChange {
    pub changed_at: String,
    pub kind: String,
    /// The operation's type in words ("create", "collection put", ...).
    pub op: String,
}

/// How many changes `device` has not uploaded yet, and the newest `limit` of them.
/// Counted and summarised in SQL: decoding every pending change (each carries a
/// whole record) would cost seconds on a large first upload.
pub fn unsent_summary(
    db: &(impl Db + ?Sized),
    device: &str,
    limit: usize,
) -> Result<(u64, Vec<UnsentChange>)> {
    let conn = conn(db);
    let count: u64 = conn.query_row(
        "SELECT COUNT(*) FROM changes WHERE device = ?1 AND submitted_at = ''",
        [device],
        |r| r.get(0),
    )?;
    let mut stmt = conn.prepare_cached(
        "SELECT changed_at, kind, json_extract(op, '$.type') FROM changes
         WHERE device = ?1 AND submitted_at = '' ORDER BY hlc DESC LIMIT ?2",
    )?;
    let recent = stmt
        .query_map(params![device, limit as i64], |r| {
            let op: Option<String> = r.get(2)?;
            Ok(UnsentChange {
                changed_at: r.get(0)?,
                kind: r.get(1)?,
                op: op.unwrap_or_default().replace('_', " "),
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok((count, recent))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Record};
    use crate::store::Store;

    fn note(store: &mut Store, text: &str) -> Record {
        let coll = store.default_collection(Kind::Note).unwrap().id;
        let mut n = Record::new(Kind::Note, &coll);
        n.set_text("SUMMARY", text);
        store.write(|w| w.create(&n)).unwrap();
        n
    }

    #[test]
    fn questions_about_the_log() {
        let mut store = Store::open_in_memory().unwrap();
        let me = store.device().to_string();
        let (unsent_before, _) = unsent_summary(&store, &me, 5).unwrap();
        let mut a = note(&mut store, "a");
        a.set_text("SUMMARY", "a2");
        let update = store.write(|w| w.update(&a)).unwrap().unwrap();
        let b = note(&mut store, "b");
        store.write(|w| w.delete(&b.id)).unwrap();

        assert!(has_change(&store, &me, update.seq).unwrap());
        assert!(!has_change(&store, &me, update.seq + 100).unwrap());
        assert!(!has_change(&store, "another-device", update.seq).unwrap());
        assert!(
            has_history(&store, &b.id).unwrap(),
            "a deleted record keeps its history"
        );
        assert!(!has_history(&store, "never-seen").unwrap());

        let logged = logged_records(&store).unwrap();
        let mut expected = vec![
            (a.id.clone(), "note".to_string()),
            (b.id.clone(), "note".to_string()),
        ];
        expected.sort();
        assert_eq!(
            logged, expected,
            "collections are left out, ids are ordered"
        );

        let origin = change_origin(&store, &update.change_id).unwrap().unwrap();
        assert_eq!(origin, (me.clone(), update.changed_at.clone()));
        assert_eq!(change_origin(&store, "no-such-change").unwrap(), None);

        let (unsent, recent) = unsent_summary(&store, &me, 2).unwrap();
        assert_eq!(unsent, unsent_before + 4);
        let ops: Vec<&str> = recent.iter().map(|u| u.op.as_str()).collect();
        assert_eq!(ops, ["delete", "create"], "newest first, limited");
        assert!(recent.iter().all(|u| u.kind == "note"));
    }

    #[test]
    fn a_writer_sees_its_own_uncommitted_changes() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Note).unwrap().id;
        let n = Record::new(Kind::Note, &coll);
        store
            .write(|w| {
                let c = w.create(&n)?;
                assert!(has_change(w, &c.device, c.seq)?);
                assert!(has_history(w, &n.id)?);
                Ok(())
            })
            .unwrap();
    }
}
