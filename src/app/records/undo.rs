//! Undoing a save or a delete. An undo is an edit like any other: it writes only
//! the fields the undone edit changed, each based on the value that edit wrote. A
//! field that moved since (another process, a sync) is left alone and the undo is
//! refused, so undo never overwrites a newer change.

use super::{RecordError, Saved};
use crate::model::Record;
use crate::model::fields::diff;
use crate::store::{Store, StoreError};
use crate::sync::review::key_label;

/// What undoing one edit does.
#[derive(Debug, Clone, PartialEq)]
pub enum Undo {
    /// Undo a create: delete the record, if it is still as created.
    Uncreate(Record),
    /// Undo an update: put back `before`'s values of the fields that differ from
    /// `after` (what the update wrote).
    Revert { before: Record, after: Record },
    /// Undo a delete: bring the record back.
    Restore(Record),
    /// Undo a "this and following" split: remove the series it started (if still
    /// as created), then undo what it did to the original series.
    Split { series: Box<Undo>, created: Record },
}

impl Saved {
    /// The undo of this save.
    pub fn undo(&self) -> Undo {
        match &self.before {
            None => Undo::Uncreate(self.after.clone()),
            Some(before) => Undo::Revert {
                before: before.clone(),
                after: self.after.clone(),
            },
        }
    }
}

/// Undo an edit; returns the record as the undo leaves it (for a create undone: as
/// it was before it was deleted).
pub fn undo(store: &mut Store, what: &Undo) -> Result<Record, RecordError> {
    if let Undo::Split { series, created } = what {
        undo(store, &Undo::Uncreate(created.clone()))?;
        return undo(store, series);
    }
    store.write(|w| {
        Ok(match what {
            Undo::Restore(r) => {
                w.create(r)?;
                Ok(r.clone())
            }
            Undo::Uncreate(created) => {
                let now = w
                    .get(&created.id)?
                    .ok_or_else(|| StoreError::NoRecord(created.id.clone()))?;
                let moved = moved_fields(created, created, &now);
                if !moved.is_empty() {
                    return Ok(Err(RecordError::Moved {
                        title: now.title(),
                        fields: moved,
                    }));
                }
                w.delete(&created.id)?;
                Ok(now)
            }
            Undo::Split { .. } => unreachable!("handled above"),
            Undo::Revert { before, after } => {
                let now = w
                    .get(&after.id)?
                    .ok_or_else(|| StoreError::NoRecord(after.id.clone()))?;
                let moved = moved_fields(before, after, &now);
                if !moved.is_empty() {
                    return Ok(Err(RecordError::Moved {
                        title: now.title(),
                        fields: moved,
                    }));
                }
                let mut r = now.clone();
                for (key, _, restored) in diff(&after.body, &before.body) {
                    r.body.set_field(&key, restored.as_ref());
                }
                if after.collection != before.collection {
                    r.collection = before.collection.clone();
                }
                w.update(&r)?;
                Ok(r)
            }
        })
    })?
}

/// The fields (in words) of the edit `before` → `after` whose value in `now` is
/// neither what the edit wrote nor already back to `before`; for an uncreate
/// (`before == after`), every field that differs from the created record.
fn moved_fields(before: &Record, after: &Record, now: &Record) -> Vec<String> {
    let now_fields = now.body.fields();
    let after_fields = after.body.fields();
    let before_fields = before.body.fields();
    let mut keys: Vec<String> = if before == after {
        diff(&after.body, &now.body)
            .into_iter()
            .map(|d| d.0)
            .collect()
    } else {
        diff(&before.body, &after.body)
            .into_iter()
            .map(|d| d.0)
            .filter(|k| {
                let n = now_fields.get(k);
                n != after_fields.get(k) && n != before_fields.get(k)
            })
            .collect()
    };
    if now.collection != after.collection && now.collection != before.collection {
        keys.push("@collection".into());
    }
    keys.iter().map(|k| key_label(k)).collect()
}

#[cfg(test)]
mod tests {
    use super::super::{EditContext, Field, RecordEdit, save};
    use super::*;
    use crate::model::Kind;
    use chrono::TimeZone;

    fn cx() -> EditContext {
        EditContext {
            now: chrono::Utc
                .with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
                .unwrap(),
            tz: "Europe/Berlin".parse().unwrap(),
        }
    }

    fn edit(s: &mut Store, id: Option<&str>, changes: &[(Field, &str)]) -> Saved {
        let mut e = match id {
            Some(id) => RecordEdit::update(Kind::Contact, id),
            None => RecordEdit::create(Kind::Contact),
        };
        for (f, v) in changes {
            e.set(*f, *v);
        }
        save(s, &e, &cx()).unwrap()
    }

    #[test]
    fn undo_reverts_only_the_fields_the_edit_changed() {
        let mut s = Store::open_in_memory().unwrap();
        let made = edit(
            &mut s,
            None,
            &[(Field::FullName, "Ann"), (Field::Org, "Acme")],
        );
        let id = made.after.id.clone();
        let named = edit(&mut s, Some(&id), &[(Field::FullName, "Ann Lee")]);
        // Another writer changes the org afterwards.
        edit(&mut s, Some(&id), &[(Field::Org, "Globex")]);
        let back = undo(&mut s, &named.undo()).unwrap();
        assert_eq!(back.text("FN").as_deref(), Some("Ann"));
        assert_eq!(back.text("ORG").as_deref(), Some("Globex"), "not reverted");
        assert_eq!(s.require(&id).unwrap(), back);
    }

    #[test]
    fn undo_of_a_field_that_moved_since_is_refused() {
        let mut s = Store::open_in_memory().unwrap();
        let made = edit(
            &mut s,
            None,
            &[(Field::FullName, "Ann"), (Field::Org, "Acme")],
        );
        let id = made.after.id.clone();
        let org = edit(&mut s, Some(&id), &[(Field::Org, "Initech")]);
        let newer = edit(&mut s, Some(&id), &[(Field::Org, "Globex")]);
        let e = undo(&mut s, &org.undo()).unwrap_err();
        assert!(
            matches!(&e, RecordError::Moved { fields, .. } if fields == &vec!["ORG".to_string()]),
            "{e}"
        );
        assert_eq!(s.require(&id).unwrap(), newer.after, "nothing written");
        // Undoing a create the record changed since would lose that change too.
        let e = undo(&mut s, &made.undo()).unwrap_err();
        assert!(matches!(e, RecordError::Moved { .. }), "{e}");
        assert!(s.get(&id).unwrap().is_some());
        // Undoing the newest edit works, then the create of an untouched record.
        let fresh = edit(&mut s, None, &[(Field::FullName, "Bo")]);
        undo(&mut s, &fresh.undo()).unwrap();
        assert!(s.get(&fresh.after.id).unwrap().is_none());
        undo(&mut s, &Undo::Restore(fresh.after.clone())).unwrap();
        assert_eq!(s.require(&fresh.after.id).unwrap(), fresh.after);
    }
}
