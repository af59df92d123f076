//! Reminder bookkeeping that stays on this device, in the `meta` table: which
//! reminders a front-end already rang (so `pim remind --watch` and an open TUI on the
//! same profile ring each one once).

use rusqlite::params;

use super::{Result, Store};

const RUNG: &str = "remind.rung:";
/// Where default alarms were kept before they synced (read once, then moved).
const DEVICE_DEFAULT_ALARMS: &str = "remind.default-alarms:";

impl Store {
    /// Claim the right to ring reminder `key` (triggered at `trigger`, RFC 3339):
    /// true for the first process that asks, false for every later one. One
    /// statement, so two processes racing for it cannot both win.
    pub fn claim_reminder(&self, key: &str, trigger: &str) -> Result<bool> {
        let inserted = self.conn.execute(
            "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO NOTHING",
            params![format!("{RUNG}{key}"), trigger],
        )?;
        Ok(inserted == 1)
    }

    /// Whether reminder `key` was already rung here.
    pub fn reminder_rung(&self, key: &str) -> Result<bool> {
        Ok(self.meta(&format!("{RUNG}{key}"))?.is_some())
    }

    /// Forget the claims for reminders triggered before `before` (RFC 3339, UTC).
    pub fn forget_rung_reminders(&self, before: &str) -> Result<usize> {
        Ok(self.conn.execute(
            "DELETE FROM meta WHERE substr(key, 1, length(?1)) = ?1 AND value < ?2",
            params![RUNG, before],
        )?)
    }

    /// Ids of the events and tasks whose stored body mentions a VALARM (a cheap
    /// text test on the row: reminders then decode only these).
    pub fn ids_with_alarms(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM records WHERE kind IN ('event', 'task') AND data LIKE '%\"VALARM\"%'
             ORDER BY id",
        )?;
        let ids = stmt.query_map([], |r| r.get(0))?;
        Ok(ids.collect::<rusqlite::Result<Vec<String>>>()?)
    }

    /// Move default alarms kept as a setting of this device (`meta`, before they
    /// synced) onto their collections, as logged changes, so every device gets them.
    /// A collection that has synced default alarms already keeps those.
    pub(super) fn adopt_device_default_alarms(&mut self) -> Result<()> {
        let kept: Vec<(String, String)> = self
            .conn
            // A range on the key (its index), since every open asks.
            .prepare_cached(
                "SELECT key, value FROM meta WHERE key > ?1 AND key < ?1 || x'ff' ORDER BY key",
            )?
            .query_map([DEVICE_DEFAULT_ALARMS], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        if kept.is_empty() {
            return Ok(());
        }
        self.write(|w| {
            for (key, alarms) in &kept {
                let id = &key[DEVICE_DEFAULT_ALARMS.len()..];
                if let Ok(mut c) = w.collection(id)
                    && c.default_alarms.is_none()
                    && !alarms.trim().is_empty()
                {
                    c.default_alarms = Some(alarms.trim().to_string());
                    w.change_collection(&c)?;
                }
                w.tx().execute("DELETE FROM meta WHERE key = ?1", [key])?;
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_is_claimed_once_and_old_claims_are_forgotten() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.claim_reminder("r1", "2026-12-01T09:45:00Z").unwrap());
        assert!(!store.claim_reminder("r1", "2026-12-01T09:45:00Z").unwrap());
        assert!(store.reminder_rung("r1").unwrap());
        assert!(store.claim_reminder("r2", "2026-12-03T09:45:00Z").unwrap());
        assert_eq!(
            store.forget_rung_reminders("2026-12-02T00:00:00Z").unwrap(),
            1
        );
        assert!(!store.reminder_rung("r1").unwrap());
        assert!(store.reminder_rung("r2").unwrap());
    }

    #[test]
    fn only_records_with_alarms_are_listed() {
        use crate::model::{Component, Kind, Record};
        let mut store = Store::open_in_memory().unwrap();
        let cal = store.default_collection(Kind::Event).unwrap();
        let plain = Record::new(Kind::Event, &cal.id);
        let mut alarmed = Record::new(Kind::Event, &cal.id);
        alarmed.body.main.subs.push(Component::new("VALARM"));
        store
            .write(|w| {
                w.create(&plain)?;
                w.create(&alarmed)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.ids_with_alarms().unwrap(), vec![alarmed.id]);
    }

    #[test]
    fn default_alarms_of_this_device_move_onto_the_collection_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let cal = {
            let store = Store::open(&path).unwrap();
            let cal = store.default_collection(crate::model::Kind::Event).unwrap();
            // As an older pim kept them.
            store
                .set_meta(&format!("{DEVICE_DEFAULT_ALARMS}{}", cal.id), "-10m")
                .unwrap();
            cal
        };
        let store = Store::open(&path).unwrap();
        let moved = store.collection_by_id(&cal.id).unwrap().unwrap();
        assert_eq!(moved.default_alarms.as_deref(), Some("-10m"));
        assert_eq!(
            store
                .meta(&format!("{DEVICE_DEFAULT_ALARMS}{}", cal.id))
                .unwrap(),
            None
        );
        // A logged change, so sync carries it.
        let log = store.log(&Default::default()).unwrap();
        assert!(log.iter().any(|c| matches!(&c.op,
            crate::model::Op::CollectionPut { new, .. } if new.default_alarms.as_deref() == Some("-10m"))));
    }
}
