//! Which changes a sync limited to some collections (`pim sync --collection C`)
//! carries. Pure decisions; the engine holds back or reorders accordingly.
//!
//! A change belongs to the scope when it touches a chosen collection: a record
//! created, deleted or edited in it, moved into or out of it, or the collection
//! itself. One rule keeps every record's history in order: once a change of a
//! record stays behind, every later change of that record stays behind too.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Change, Op};

/// The collections (by id) a sync is limited to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    ids: BTreeSet<String>,
}

impl Scope {
    pub fn new(ids: impl IntoIterator<Item = String>) -> Scope {
        Scope {
            ids: ids.into_iter().collect(),
        }
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.ids.iter().map(String::as_str)
    }

    /// Whether `c` touches a chosen collection. `current` is the collection the
    /// record is in when the change applies (needed for edits, which do not name
    /// it); `None` when unknown, which keeps an edit out.
    pub fn admits(&self, c: &Change, current: Option<&str>) -> bool {
        touched_by(c, current)
            .iter()
            .any(|id| self.ids.contains(*id))
    }
}

/// The collections a change touches (a collection change: that collection).
pub fn touched_by<'a>(c: &'a Change, current: Option<&'a str>) -> Vec<&'a str> {
    if c.kind == "collection" {
        return vec![&c.record_id];
    }
    touched(&c.op, current)
}

/// The collections a record change touches.
fn touched<'a>(op: &'a Op, current: Option<&'a str>) -> Vec<&'a str> {
    match op {
        Op::Create { collection, .. } | Op::Delete { collection, .. } => vec![collection],
        Op::Move { from, to } => vec![from, to],
        Op::Update { .. } => current.into_iter().collect(),
        Op::CollectionPut { new, .. } => vec![&new.id],
        Op::CollectionDelete { base } => vec![&base.id],
    }
}

/// Of own changes not yet sent (in sequence order), the sequence numbers a
/// scoped sync uploads now. `collection_now` gives a record's collection today;
/// an edit's collection is found by walking the record's later moves back.
pub fn outbox_in_scope(
    scope: &Scope,
    unsent: &[Change],
    collection_now: impl Fn(&str) -> Option<String>,
) -> Vec<u64> {
    // The collection each edit applied in: walk each record's changes newest first.
    let mut at: BTreeMap<&str, Option<String>> = BTreeMap::new();
    let mut applies_in: Vec<Option<String>> = vec![None; unsent.len()];
    for (i, c) in unsent.iter().enumerate().rev() {
        if c.kind == "collection" {
            continue;
        }
        let cur = at
            .entry(c.record_id.as_str())
            .or_insert_with(|| collection_now(&c.record_id));
        match &c.op {
            Op::Move { from, .. } => *cur = Some(from.clone()),
            Op::Delete { collection, .. } => *cur = Some(collection.clone()),
            Op::Update { .. } => applies_in[i] = cur.clone(),
            _ => {}
        }
    }
    let mut behind: BTreeSet<&str> = BTreeSet::new();
    let mut out = Vec::new();
    for (c, coll) in unsent.iter().zip(&applies_in) {
        if !behind.contains(c.record_id.as_str()) && scope.admits(c, coll.as_deref()) {
            out.push(c.seq);
        } else {
            behind.insert(&c.record_id);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Body, Collection, Component, Kind};

    fn change(seq: u64, record: &str, op: Op) -> Change {
        Change {
            device: "a".into(),
            seq,
            change_id: format!("a-{seq}"),
            hlc: format!("{seq:04}"),
            changed_at: String::new(),
            submitted_at: String::new(),
            record_id: record.into(),
            kind: if matches!(op, Op::CollectionPut { .. } | Op::CollectionDelete { .. }) {
                "collection".into()
            } else {
                "event".into()
            },
            op,
            attachments: Vec::new(),
        }
    }

    fn create(seq: u64, record: &str, coll: &str) -> Change {
        change(
            seq,
            record,
            Op::Create {
                collection: coll.into(),
                body: Body {
                    main: Component::new("VEVENT"),
                    overrides: Vec::new(),
                    timezones: Vec::new(),
                },
            },
        )
    }

    fn update(seq: u64, record: &str) -> Change {
        change(seq, record, Op::Update { fields: Vec::new() })
    }

    fn moved(seq: u64, record: &str, from: &str, to: &str) -> Change {
        change(
            seq,
            record,
            Op::Move {
                from: from.into(),
                to: to.into(),
            },
        )
    }

    fn work() -> Scope {
        Scope::new(["work".to_string()])
    }

    #[test]
    fn picks_changes_in_the_chosen_collections() {
        let coll = Collection {
            id: "work".into(),
            kind: Kind::Event,
            name: "Work".into(),
            color: None,
            sync: true,
            default_alarms: None,
        };
        let unsent = vec![
            create(1, "r1", "home"),
            change(
                2,
                "work",
                Op::CollectionPut {
                    base: None,
                    new: coll,
                },
            ),
            create(3, "r2", "work"),
            update(4, "r1"),
            update(5, "r2"),
        ];
        let now = |id: &str| Some(if id == "r1" { "home" } else { "work" }.to_string());
        assert_eq!(outbox_in_scope(&work(), &unsent, now), vec![2, 3, 5]);
    }

    #[test]
    fn an_edit_counts_in_the_collection_it_was_made_in() {
        // r1 was edited in work, then moved to home: the edit and the move go.
        let unsent = vec![update(1, "r1"), moved(2, "r1", "work", "home")];
        let now = |_: &str| Some("home".to_string());
        assert_eq!(outbox_in_scope(&work(), &unsent, now), vec![1, 2]);
        // Edited in home, then moved into work: the edit stays, so the move waits.
        let unsent = vec![update(1, "r1"), moved(2, "r1", "home", "work")];
        let now = |_: &str| Some("work".to_string());
        assert!(outbox_in_scope(&work(), &unsent, now).is_empty());
    }

    #[test]
    fn a_record_keeps_its_order() {
        let unsent = vec![
            create(1, "r1", "home"),
            moved(2, "r1", "home", "work"),
            update(3, "r1"),
            create(4, "r2", "work"),
        ];
        let now = |_: &str| Some("work".to_string());
        assert_eq!(outbox_in_scope(&work(), &unsent, now), vec![4]);
    }

    #[test]
    fn an_edit_of_an_unknown_record_stays_behind() {
        let c = update(1, "gone");
        assert!(!work().admits(&c, None));
        assert!(work().admits(&c, Some("work")));
    }
}
