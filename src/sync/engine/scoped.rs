//! Syncs limited to some collections (`--collection`): the outbox put in scope
//! order, received changes outside the scope held back, and held changes applied
//! once a sync includes their collection.

use std::collections::BTreeSet;

use super::*;
use crate::store::Writer;
use crate::store::sync_scope as held;

impl<M: Mailbox> Round<'_, M> {
    /// Put own unsent changes in the scope first; returns the last sequence
    /// number to upload this round.
    pub(super) fn scope_outbox(&mut self, scope: &Scope) -> SyncResult<u64> {
        let conn = self.store.conn();
        let attempted: u64 = self
            .store
            .meta(META_ATTEMPTED)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let on_server = self.known[&self.f.changes]
            .iter()
            .filter(|k| k.tag == self.my_tag)
            .map(|k| k.seq_to)
            .max()
            .unwrap_or(0);
        let confirmed = match st::first_unsubmitted(conn, &self.me)? {
            Some(first) => first - 1,
            None => st::max_seq(conn, &self.me)?,
        };
        // Nothing at or below the floor was ever handed to the server, so
        // nobody can have seen those numbers.
        let floor = attempted.max(on_server).max(confirmed);
        let unsent = held::unsent_changes(conn, &self.me, floor)?;
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
                .write(|w| held::reorder_unsent(w.tx(), &self.me, floor, &chosen))?;
        }
        Ok(floor + chosen.len() as u64)
    }

    /// Remember, before an APPEND, the highest own sequence number it carries.
    pub(super) fn note_attempt(&mut self, to: u64) -> SyncResult<()> {
        let before: u64 = self
            .store
            .meta(META_ATTEMPTED)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        if to > before {
            self.store.set_meta(META_ATTEMPTED, &to.to_string())?;
        }
        Ok(())
    }

    /// Apply held changes the scope now includes (all of them without a scope),
    /// oldest first, in one transaction.
    pub(super) fn apply_held(&mut self) -> SyncResult<()> {
        let waiting = held::held(self.store.conn())?;
        if waiting.is_empty() {
            return Ok(());
        }
        let scope = self.o.scope.clone();
        let policy = self.o.policy;
        let (applied, conflicts) = self.store.write(|w| {
            let mut behind = BTreeSet::new();
            let (mut applied, mut conflicts) = (0, 0);
            let mut follow_ups = Vec::new();
            for c in &waiting {
                if hold_back(w, scope.as_ref(), &mut behind, c)? {
                    continue;
                }
                let out = apply_remote(w, c, policy)?;
                applied += out.applied as u64;
                conflicts += out.conflicts;
                follow_ups.extend(out.follow_ups);
                held::remove_held(w.tx(), &c.device, c.seq)?;
            }
            follow_up(w, &follow_ups)?;
            Ok((applied, conflicts))
        })?;
        self.report.applied += applied;
        self.report.conflicts += conflicts;
        Ok(())
    }
}

/// Whether a received change stays out of this round: outside the scope, or its
/// record already has a change waiting (a record's changes keep their order).
/// A held-back change is recorded in `sync_held` and its record in `behind`.
pub(super) fn hold_back(
    w: &mut Writer<'_>,
    scope: Option<&Scope>,
    behind: &mut BTreeSet<String>,
    c: &Change,
) -> Result<bool, StoreError> {
    let Some(scope) = scope else {
        return Ok(false);
    };
    let inside = !behind.contains(&c.record_id) && {
        let current = match c.op {
            Op::Update { .. } => w.get(&c.record_id)?.map(|r| r.collection),
            _ => None,
        };
        scope.admits(c, current.as_deref())
    };
    if inside {
        return Ok(false);
    }
    held::add_held(w.tx(), c)?;
    behind.insert(c.record_id.clone());
    Ok(true)
}
