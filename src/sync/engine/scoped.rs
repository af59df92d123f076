//! Syncs limited to some collections (`--collection`): the outbox put in scope
//! order, received changes outside the scope held back, and held changes applied
//! once a sync includes their collection.

use std::collections::BTreeSet;

use super::super::scope::touched_by;
use super::*;
use crate::store::Writer;
use crate::store::sync_scope as held;

impl<M: Mailbox> Round<'_, M> {
    /// Put own unsent changes in the scope first; returns the last sequence
    /// number to upload this round.
    pub(super) fn scope_outbox(&mut self, scope: &Scope) -> SyncResult<u64> {
        let attempted = self.attempted()?;
        let db = &*self.store;
        let on_server = self.known[&self.f.changes]
            .iter()
            .filter(|k| k.device == self.me)
            .map(|k| k.seq_to)
            .max()
            .unwrap_or(0);
        let confirmed = match st::first_unsubmitted(db, &self.me)? {
            Some(first) => first - 1,
            None => st::max_seq(db, &self.me)?,
        };
        // Nothing at or below the floor was ever handed to the server, so
        // nobody can have seen those numbers.
        let marked = held::last_marked(db, &self.me)?;
        let floor = attempted.max(on_server).max(confirmed).max(marked);
        let unsent = held::unsent_changes(db, &self.me, floor)?;
        let chosen = super::super::scope::outbox_in_scope(scope, &unsent, |id| {
            self.store.get(id).ok().flatten().map(|r| r.collection)
        });
        self.report.queued = (unsent.len() - chosen.len()) as u64;
        let in_place = chosen
            .iter()
            .enumerate()
            .all(|(i, s)| *s == floor + 1 + i as u64);
        if !self.o.dry_run && !in_place {
            self.store
                .write(|w| held::reorder_unsent(w, &self.me, floor, &chosen))?;
        }
        Ok(floor + chosen.len() as u64)
    }

    /// The highest own sequence number ever handed to the server.
    pub(super) fn attempted(&self) -> SyncResult<u64> {
        Ok(self
            .store
            .meta(META_ATTEMPTED)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// Remember, before an APPEND, the highest own sequence number it carries.
    pub(super) fn note_attempt(&mut self, to: u64) -> SyncResult<()> {
        if to > self.attempted()? {
            self.store.set_meta(META_ATTEMPTED, &to.to_string())?;
        }
        Ok(())
    }

    /// Apply held changes the scope now includes (all of them without a scope)
    /// and whose collections have sync on, oldest first, in one transaction.
    pub(super) fn apply_held(&mut self) -> SyncResult<()> {
        let waiting = held::held(&*self.store)?;
        if waiting.is_empty() {
            return Ok(());
        }
        let mut holds = Holds::load(self.store, self.o.scope.clone(), false)?;
        let policy = self.o.policy;
        let (applied, conflicts) = self.store.write(|w| {
            let (mut applied, mut conflicts) = (0, 0);
            let mut follow_ups = Vec::new();
            for c in &waiting {
                if holds.hold_back(w, c)? {
                    continue;
                }
                let out = apply_remote(w, c, policy)?;
                applied += out.applied as u64;
                conflicts += out.conflicts;
                follow_ups.extend(out.follow_ups);
                held::remove_held(w, &c.device, c.seq)?;
            }
            follow_up(w, &follow_ups)?;
            Ok((applied, conflicts))
        })?;
        self.report.applied += applied;
        self.report.conflicts += conflicts;
        Ok(())
    }
}

/// What keeps received changes out of a round: a `--collection` scope, this
/// device's collections with sync off (their changes wait until it is turned
/// on again), and records that already have a change waiting (a record's
/// changes keep their order).
pub(super) struct Holds {
    scope: Option<Scope>,
    off: BTreeSet<String>,
    behind: BTreeSet<String>,
}

impl Holds {
    /// `behind_held`: start with the records that have held changes.
    pub(super) fn load(
        store: &Store,
        scope: Option<Scope>,
        behind_held: bool,
    ) -> Result<Holds, StoreError> {
        let off = store
            .collections(None)?
            .into_iter()
            .filter(|c| !c.sync)
            .map(|c| c.id)
            .collect();
        let behind = if behind_held {
            held::held_records(store)?
        } else {
            BTreeSet::new()
        };
        Ok(Holds { scope, off, behind })
    }

    /// Whether `c` stays out of this round; if so it is kept in `sync_held`.
    pub(super) fn hold_back(&mut self, w: &mut Writer<'_>, c: &Change) -> Result<bool, StoreError> {
        if self.scope.is_none() && self.off.is_empty() && self.behind.is_empty() {
            return Ok(false);
        }
        let keep = self.behind.contains(&c.record_id) || {
            let current = if c.kind != "collection"
                && (matches!(c.op, Op::Update { .. }) || !self.off.is_empty())
            {
                w.get(&c.record_id)?.map(|r| r.collection)
            } else {
                None
            };
            let outside = self
                .scope
                .as_ref()
                .is_some_and(|s| !s.admits(c, current.as_deref()));
            let off = touched_by(c, current.as_deref())
                .into_iter()
                .chain(current.as_deref())
                .any(|id| self.off.contains(id));
            outside || off
        };
        if keep {
            held::add_held(w, c)?;
            self.behind.insert(c.record_id.clone());
        }
        Ok(keep)
    }
}
