//! Full-text search in one kind, streamed in sort-key order: the caller stops
//! when it has what it needs (address completion wants the first hundred), and
//! the match set is built once, not once per page.
//!
//! (Probing the first records one by one in the index instead of building the
//! match set was tried: FTS5 sets a prefix query up again for every probe, ten
//! times slower when every contact matches. BENCHMARKS.md has the figures.)

use rusqlite::params;

use super::read::{RECORD_COLS, stored_row};
use super::{Result, Store};
use crate::model::{Kind, Record};

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
        self.note_kindless_rows()?;
        let fts = super::index::fts_query(query, self.phone_plan.get().as_ref());
        if fts.is_empty() || limit == 0 {
            return Ok(());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = ?1 AND rowid IN
               (SELECT rowid FROM records_fts WHERE records_fts MATCH ?2)
             ORDER BY sort_key, rowid LIMIT ?3"
        ))?;
        let rows = stmt.query_map(params![kind.as_str(), fts, limit as i64], stored_row)?;
        for row in rows {
            let row = row?;
            let (id, what) = (row.id.clone(), row.kind.clone());
            if let Some(r) = self.keep_decodable(&id, &what, row.decode())?
                && !f(r)
            {
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

    /// Streamed, the matches come in the order a plain search gives them, and
    /// stop when the caller says.
    #[test]
    fn every_match_in_order_until_told_to_stop() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        store
            .write(|w| {
                for i in 0..700 {
                    let mut r = Record::new(Kind::Contact, &coll);
                    let name = if i % 3 == 0 { "Ada" } else { "Bob" };
                    r.body
                        .main
                        .props
                        .push(Property::text("FN", &format!("{name} {i:03}")));
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
