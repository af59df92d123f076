//! Queries of the agenda and the people views: contacts with a date to remember,
//! events that name an address, tasks due in a window, and a stamp that changes
//! whenever the database may have.

use rusqlite::params;

use super::read::{RECORD_COLS, stored_row};
use super::{Result, Store};
use crate::model::{Kind, Property, Record};

impl Store {
    /// The contacts that have a `BDAY` or an `ANNIVERSARY`, each reduced to those and
    /// its `FN` (what a birthday calendar needs). The properties are cut out of the
    /// stored text by SQLite, so 25 000 bodies are never decoded for it; a row whose
    /// cut-out does not read back (a value longer than the cut) is decoded whole.
    pub fn contact_dates(&self) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let mut stmt = self.conn.prepare_cached(
            "SELECT id, kind, collection,
                    CASE WHEN instr(data, '\"n\":\"FN\"') > 0
                         THEN substr(data, instr(data, '\"n\":\"FN\"'), 600) END,
                    CASE WHEN instr(data, '\"n\":\"BDAY\"') > 0
                         THEN substr(data, instr(data, '\"n\":\"BDAY\"'), 600) END,
                    CASE WHEN instr(data, '\"n\":\"ANNIVERSARY\"') > 0
                         THEN substr(data, instr(data, '\"n\":\"ANNIVERSARY\"'), 600) END
             FROM records WHERE kind = 'contact'
               AND (instr(data, '\"n\":\"BDAY\"') > 0 OR instr(data, '\"n\":\"ANNIVERSARY\"') > 0)
             ORDER BY sort_key, id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                [
                    ("FN", r.get::<_, Option<String>>(3)?),
                    ("BDAY", r.get::<_, Option<String>>(4)?),
                    ("ANNIVERSARY", r.get::<_, Option<String>>(5)?),
                ],
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, _kind, collection, cuts) = row?;
            let mut r = Record::new(Kind::Contact, &collection);
            r.id = id;
            let mut whole = false;
            for (name, cut) in cuts {
                match cut.map(|c| property_at(name, &c)) {
                    Some(Some(p)) => r.body.main.props.push(p),
                    Some(None) => whole = true,
                    None => {}
                }
            }
            if whole {
                // Not cut out cleanly: the record as stored.
                match self.get(&r.id)? {
                    Some(full) => out.push(full),
                    None => continue,
                }
            } else {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Events whose searchable text holds `address` (as `pim search` finds it):
    /// candidates for "the events this person attends", which the caller narrows
    /// down to ATTENDEE and ORGANIZER.
    pub fn events_mentioning(&self, address: &str) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let fts = super::index::fts_query(address, None);
        if fts.is_empty() {
            return Ok(Vec::new());
        }
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = 'event' AND rowid IN
               (SELECT rowid FROM records_fts WHERE records_fts MATCH ?1)"
        ))?;
        self.collect(stmt.query_map([fts], stored_row)?)
    }

    /// Tasks whose indexed due time lies in `[from, to)` (Unix seconds; floating and
    /// date-only values are indexed as if in UTC, so callers widen by
    /// [`super::SLACK_SECS`] and check the exact time themselves).
    pub fn tasks_due_between(&self, from: i64, to: i64) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records
             WHERE kind = 'task' AND recurring IN (0, 1) AND start_ts >= ?1 AND start_ts < ?2"
        ))?;
        self.collect(stmt.query_map(params![from, to], stored_row)?)
    }

    /// Tasks that repeat: their later occurrences' due times are not indexed, so
    /// callers expand them.
    pub fn recurring_tasks(&self) -> Result<Vec<Record>> {
        self.note_kindless_rows()?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RECORD_COLS} FROM records WHERE kind = 'task' AND recurring = 1"
        ))?;
        self.collect(stmt.query_map([], stored_row)?)
    }

    /// Something that changes whenever the database may have changed, from any
    /// process: the sizes and modification times of the database file and its
    /// write-ahead log (an empty log, which every opening creates, counts as none).
    /// `None` for an in-memory database. Costs two `stat` calls, no query.
    pub fn data_stamp(&self) -> Option<String> {
        let path = self.conn.path().filter(|p| !p.is_empty())?;
        let stamp = |p: &str| -> Option<(u64, i128)> {
            let m = std::fs::metadata(p).ok()?;
            let modified = m
                .modified()
                .ok()?
                .duration_since(std::time::UNIX_EPOCH)
                .ok()?
                .as_nanos() as i128;
            Some((m.len(), modified))
        };
        let (db_len, db_time) = stamp(path)?;
        let wal = stamp(&format!("{path}-wal")).filter(|(len, _)| *len > 0);
        Some(match wal {
            Some((len, time)) => format!("{db_len}.{db_time}.{len}.{time}"),
            None => format!("{db_len}.{db_time}"),
        })
    }
}

/// The property `name` from stored body text starting at its `"n":"NAME"`: its value
/// and its `VALUE` and `X-APPLE-OMIT-YEAR` parameters. `None` when the text does not
/// read as such (cut too short).
fn property_at(name: &str, cut: &str) -> Option<Property> {
    // A property is {"g":…,"n":…,"p":[{"n":…,"v":[…]}…],"v":"…"}: parameter values
    // are arrays, so the first `"v":"` is the property's own value.
    let at = cut.find("\"v\":\"")?;
    let (head, rest) = (&cut[..at], &cut[at + 4..]);
    let mut end = None;
    let mut escaped = false;
    for (i, c) in rest.char_indices().skip(1) {
        match c {
            '\\' if !escaped => escaped = true,
            '"' if !escaped => {
                end = Some(i);
                break;
            }
            _ => escaped = false,
        }
    }
    let value: String = serde_json::from_str(&rest[..=end?]).ok()?;
    let mut p = Property::new(name, value);
    if head.contains("\"p\":[") {
        let params: Vec<crate::model::Param> =
            serde_json::from_str(head[head.find("\"p\":[")? + 4..].trim_end_matches(',')).ok()?;
        for param in params {
            if param.name.eq_ignore_ascii_case("VALUE")
                || param.name.eq_ignore_ascii_case("X-APPLE-OMIT-YEAR")
            {
                p.params.push(param);
            }
        }
    }
    Some(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_cut_out_of_the_stored_text_read_as_the_record_does() {
        let mut store = Store::open_in_memory().unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        let long = "x".repeat(700);
        let cards: [&[Property]; 4] = [
            &[
                Property::text("FN", "Ada \"Countess\", Lovelace; é"),
                Property::new("BDAY", "--0412").with_param("VALUE", "date"),
            ],
            &[
                Property::new("FN", "Apple"),
                Property::new("BDAY", "1604-02-10").with_param("X-APPLE-OMIT-YEAR", "1604"),
                Property::new("ANNIVERSARY", "2016-08-01").with_param("VALUE", "text"),
            ],
            &[
                Property::new("FN", &long),
                Property::new("BDAY", "19900101"),
            ],
            &[Property::new("FN", "No dates")],
        ];
        for props in cards {
            let mut r = Record::new(Kind::Contact, &coll);
            r.body.main.props.extend(props.iter().cloned());
            store.write(|w| w.create(&r)).unwrap();
        }
        let found = store.contact_dates().unwrap();
        assert_eq!(found.len(), 3);
        for r in &found {
            let full = store.get(&r.id).unwrap().unwrap();
            assert_eq!(r.title(), full.title());
            for name in ["BDAY", "ANNIVERSARY"] {
                let (a, b) = (r.prop(name), full.prop(name));
                assert_eq!(a.map(|p| &p.value), b.map(|p| &p.value), "{name}");
                assert_eq!(
                    a.map(|p| p.param("VALUE").map(str::to_string)),
                    b.map(|p| p.param("VALUE").map(str::to_string))
                );
                assert_eq!(
                    a.map(|p| p.param("X-APPLE-OMIT-YEAR").map(str::to_string)),
                    b.map(|p| p.param("X-APPLE-OMIT-YEAR").map(str::to_string))
                );
            }
        }
    }
}
