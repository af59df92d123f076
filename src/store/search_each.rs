//! Full-text search in one kind, streamed in sort-key order: the caller stops
//! when it has what it needs (address completion wants the first hundred).
//!
//! When most records match (the mail domain everyone shares), building the whole
//! match set first costs more than the answer: so the first records in order are
//! probed one by one in the index, and only when the caller still wants more is
//! the rest found through the match set.

use rusqlite::{OptionalExtension, params};

use super::read::{RECORD_COLS, stored_row};
use super::{Result, Store};
use crate::model::{Kind, Record};

/// Records probed one by one before the match set is built.
const PROBED: usize = 256;

impl Store {
    /// Records of `kind` matching `query` in sort-key order (ties by rowid), at
    /// most `limit`, handed to `f` one at a time until it returns `false`.
    /// Undecodable rows are skipped and noted.
    pub fn search_kind_each(
        &self,
        kind: Kind,
        query: &str,
        limit: usize,
        mut f: impl FnMut(Record) -> bool,
    ) -> Result<()> {
        let fts = super::index::fts_query(query, self.phone_plan.get().as_ref());
        if fts.is_empty() || limit == 0 {
            return Ok(());
        }
        let left = std::cell::Cell::new(limit);
        let mut give = |store: &Store, row: super::read::StoredRecord| -> Result<bool> {
            let (id, what) = (row.id.clone(), row.kind.clone());
            let Some(r) = store.keep_decodable(&id, &what, row.decode())? else {
                return Ok(true);
            };
            left.set(left.get() - 1);
            Ok(f(r) && left.get() > 0)
        };
        // The first records in order, each probed in the index.
        let firsts: Vec<(i64, String)> = {
            let mut stmt = self.conn.prepare_cached(
                "SELECT rowid, sort_key FROM records WHERE kind = ?1
                 ORDER BY sort_key, rowid LIMIT ?2",
            )?;
            let rows = stmt.query_map(params![kind.as_str(), PROBED as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut probe = self.conn.prepare_cached(
            "SELECT 1 FROM records_fts WHERE records_fts MATCH ?1 AND rowid = ?2",
        )?;
        let mut load = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE rowid = ?1"
        ))?;
        for (rowid, _) in &firsts {
            let hit: Option<i64> = probe.query_row(params![fts, rowid], |r| r.get(0)).optional()?;
            if hit.is_none() {
                continue;
            }
            let Some(row) = load.query_row([rowid], stored_row).optional()? else {
                continue;
            };
            if !give(self, row)? {
                return Ok(());
            }
        }
        let Some((last_rowid, last_key)) = firsts.last().filter(|_| firsts.len() == PROBED) else {
            return Ok(()); // every record of the kind was probed
        };
        // The rest through the match set, after the last record probed.
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = ?1
               AND (sort_key, rowid) > (?3, ?4) AND rowid IN
               (SELECT rowid FROM records_fts WHERE records_fts MATCH ?2)
             ORDER BY sort_key, rowid LIMIT ?5"
        ))?;
        let rows = stmt.query_map(
            params![kind.as_str(), fts, last_key, last_rowid, left.get() as i64],
            stored_row,
        )?;
        for row in rows {
            if !give(self, row?)? {
                break;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{Kind, Property, Record};
    use crate::store::Store;

    fn ids(store: &Store, q: &str, limit: usize) -> Vec<String> {
        let mut out = Vec::new();
        store
            .search_kind_each(Kind::Contact, q, limit, |r| {
                out.push(r.id);
                true
            })
            .unwrap();
        out
    }

    /// Probed first or found through the match set, the order is the sort order
    /// of all matches, as a plain search gives it.
    #[test]
    fn probing_then_the_match_set_gives_every_match_in_order() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        store
            .write(|w| {
                for i in 0..700 {
                    let mut r = Record::new(Kind::Contact, &coll);
                    let name = if i % 3 == 0 { "Ada" } else { "Bob" };
                    r.body.main.props.push(Property::text("FN", &format!("{name} {i:03}")));
                    r.body
                        .main
                        .props
                        .push(Property::text("EMAIL", &format!("p{i}@example.org")));
                    w.create(&r)?;
                }
                Ok(())
            })
            .unwrap();
        for q in ["example", "ada", "bob 6", "zz"] {
            let plain: Vec<String> = store
                .search_kind(Kind::Contact, q, 0, 10_000)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect();
            assert_eq!(ids(&store, q, 10_000), plain, "{q}");
            assert_eq!(ids(&store, q, 300), plain[..plain.len().min(300)], "{q}");
        }
        assert_eq!(ids(&store, "example", 700).len(), 700);
        let mut seen = 0;
        store
            .search_kind_each(Kind::Contact, "example", 1000, |_| {
                seen += 1;
                seen < 5
            })
            .unwrap();
        assert_eq!(seen, 5, "stops when told");
    }
}
