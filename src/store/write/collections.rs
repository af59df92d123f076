//! Collections inside a write transaction: create, rename, recolour, delete.

use rusqlite::{OptionalExtension, params};

use super::super::read::row_collection;
use super::super::{Result, StoreError};
use super::Writer;
use crate::model::{Collection, Kind, Op};

impl Writer<'_> {
    /// Create a collection.
    pub fn put_collection(&mut self, kind: Kind, name: &str) -> Result<Collection> {
        self.put_collection_with_id(&uuid::Uuid::new_v4().to_string(), kind, name)
    }

    /// Create a collection with a chosen id (default collections have fixed ids, so
    /// that every device's "contacts" is the same collection once synced).
    pub fn put_collection_with_id(
        &mut self,
        id: &str,
        kind: Kind,
        name: &str,
    ) -> Result<Collection> {
        check_name(name)?;
        if self.collection_named(kind, name)?.is_some() {
            return Err(StoreError::CollectionExists {
                kind: kind.collection_word().into(),
                name: name.into(),
            });
        }
        let c = Collection {
            id: id.to_string(),
            kind,
            name: name.to_string(),
            color: None,
            sync: true,
            default_alarms: None,
        };
        self.save_collection(&c)?;
        self.log(
            &c.id,
            "collection",
            Op::CollectionPut {
                base: None,
                new: c.clone(),
            },
        )?;
        Ok(c)
    }

    /// Change a collection's name, colour, sync flag or default alarms.
    pub fn change_collection(&mut self, new: &Collection) -> Result<()> {
        let base = self.collection(&new.id)?;
        if &base == new {
            return Ok(());
        }
        if base.name != new.name {
            check_name(&new.name)?;
        }
        if base.name != new.name && self.collection_named(new.kind, &new.name)?.is_some() {
            return Err(StoreError::CollectionExists {
                kind: new.kind.collection_word().into(),
                name: new.name.clone(),
            });
        }
        self.save_collection(new)?;
        self.log(
            &new.id,
            "collection",
            Op::CollectionPut {
                base: Some(base),
                new: new.clone(),
            },
        )?;
        Ok(())
    }

    /// Delete a collection; with `force` its records go too (each logged).
    pub fn delete_collection(&mut self, id: &str, force: bool) -> Result<()> {
        let c = self.collection(id)?;
        let count: u64 = self.tx.query_row(
            "SELECT COUNT(*) FROM records WHERE collection = ?1",
            [id],
            |r| r.get(0),
        )?;
        if count > 0 && !force {
            return Err(StoreError::CollectionNotEmpty {
                name: c.name,
                count,
            });
        }
        let siblings: u64 = self.tx.query_row(
            "SELECT COUNT(*) FROM collections WHERE kind = ?1",
            [c.kind.as_str()],
            |r| r.get(0),
        )?;
        if siblings <= 1 {
            return Err(StoreError::LastCollection(
                c.name,
                c.kind.collection_word().into(),
            ));
        }
        let ids: Vec<String> = self
            .tx
            .prepare("SELECT id FROM records WHERE collection = ?1")?
            .query_map([id], |r| r.get(0))?
            .collect::<std::result::Result<_, _>>()?;
        for rid in ids {
            self.delete(&rid)?;
        }
        self.forget_found_collection();
        self.tx
            .execute("DELETE FROM collections WHERE id = ?1", [id])?;
        self.log(id, "collection", Op::CollectionDelete { base: c })?;
        Ok(())
    }

    pub fn collection(&self, id: &str) -> Result<Collection> {
        self.tx
            .prepare_cached(
                "SELECT id, kind, name, color, sync, default_alarms FROM collections WHERE id = ?1",
            )?
            .query_row([id], row_collection)
            .optional()?
            .ok_or_else(|| StoreError::NoCollection {
                kind: "any".into(),
                name: id.into(),
            })
    }

    /// Whether any collection of `kind` exists (as this transaction sees it).
    pub(in crate::store) fn has_collection_of(&self, kind: Kind) -> Result<bool> {
        Ok(self.tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM collections WHERE kind = ?1)",
            [kind.as_str()],
            |r| r.get(0),
        )?)
    }

    /// The collection of `kind` named `name`, as this transaction sees it.
    pub fn collection_named(&self, kind: Kind, name: &str) -> Result<Option<Collection>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id, kind, name, color, sync, default_alarms FROM collections WHERE kind = ?1 AND name = ?2",
                params![kind.as_str(), name],
                row_collection,
            )
            .optional()?)
    }

    /// Insert or replace a collection row without logging (sync apply).
    pub fn save_collection(&self, c: &Collection) -> Result<()> {
        self.tx.execute(
            "INSERT INTO collections (id, kind, name, color, sync, default_alarms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, color = excluded.color,
                 sync = excluded.sync, default_alarms = excluded.default_alarms",
            params![
                c.id,
                c.kind.as_str(),
                c.name,
                c.color,
                c.sync,
                c.default_alarms
            ],
        )?;
        Ok(())
    }
}

/// A name people can see and type: not blank (listings and the TUI show nothing),
/// no line breaks or other control characters (they break listings' rows), no
/// white space around it (a second "Work " would show as "Work").
fn check_name(name: &str) -> Result<()> {
    let why = if name.trim().is_empty() {
        "it is blank"
    } else if name.chars().any(char::is_control) {
        "it holds a control character (a line break, a tab)"
    } else if name.trim() != name {
        "it begins or ends with white space"
    } else {
        return Ok(());
    };
    Err(StoreError::BadCollectionName {
        name: name.to_string(),
        why,
    })
}
