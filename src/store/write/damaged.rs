//! Rows another program damaged, inside a write transaction: a row whose id is not
//! text answers to the id its warning names (`pim delete ID`).

use rusqlite::{OptionalExtension, params};

use super::super::read::{damaged_id_row, kind_read, unknown_kind};
use super::super::{Result, StoreError};
use super::Writer;

impl Writer<'_> {
    /// When no record has the id `id` but a row whose id is not text (or not UTF-8)
    /// reads as it (`Store::holds_damaged_id`): that row's id written as `id`, so
    /// that it answers to the id its warning names (one row, if several read
    /// alike). For the user's delete.
    pub fn adopt_damaged_id(&self, id: &str) -> Result<()> {
        let known: bool = self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?;
        if known {
            return Ok(());
        }
        if let Some(rowid) = damaged_id_row(self.tx, id)? {
            self.tx
                .prepare_cached("UPDATE records SET id = ?1 WHERE rowid = ?2")?
                .execute(params![id, rowid])?;
        }
        Ok(())
    }

    /// When a record `id` exists and a row whose id is not text reads as it too
    /// (`Store::holds_damaged_id`): that row removed, without logging (the record
    /// with the id lives on); whether there was one.
    pub fn remove_damaged_copy(&self, id: &str) -> Result<bool> {
        let known: bool = self
            .tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM records WHERE id = ?1)")?
            .query_row([id], |r| r.get(0))?;
        let Some(rowid) = known
            .then(|| damaged_id_row(self.tx, id))
            .transpose()?
            .flatten()
        else {
            return Ok(false);
        };
        self.tx
            .execute("DELETE FROM records_fts WHERE rowid = ?1", [rowid])?;
        self.tx
            .execute("DELETE FROM records WHERE rowid = ?1", [rowid])?;
        Ok(true)
    }

    /// When the row `id` is of no kind pim knows (`Store::note_kindless_rows` names
    /// it): that row removed, without logging (no device reads a record of that
    /// kind, so there is nothing to sync); why its kind is unknown, if it was.
    pub fn remove_kindless_row(&self, id: &str) -> Result<Option<String>> {
        let found = self
            .tx
            .prepare_cached("SELECT rowid, kind FROM records WHERE id = ?1")?
            .query_row([id], |r| {
                let kind = r.get_ref(1)?;
                Ok((
                    r.get::<_, i64>(0)?,
                    kind_read(kind)
                        .is_none()
                        .then(|| unknown_kind(kind))
                        .flatten(),
                ))
            })
            .optional()?;
        let Some((rowid, Some(why))) = found else {
            return Ok(None);
        };
        // Its create, if logged without a body, takes the body first (the log keeps
        // what was made); a body that cannot be read leaves that change as it was.
        // Any other failure (a full disk) stops the delete: the create must not be
        // left without the body it is about to lose.
        if let Err(e) = self.materialize(id)
            && !matches!(
                e,
                StoreError::Corrupt { .. }
                    | StoreError::Sql(
                        rusqlite::Error::InvalidColumnType(..)
                            | rusqlite::Error::FromSqlConversionFailure(..)
                            | rusqlite::Error::Utf8Error(..)
                    )
            )
        {
            return Err(e);
        }
        self.tx
            .execute("DELETE FROM records_fts WHERE rowid = ?1", [rowid])?;
        self.tx
            .execute("DELETE FROM records WHERE rowid = ?1", [rowid])?;
        Ok(Some(why))
    }
}
