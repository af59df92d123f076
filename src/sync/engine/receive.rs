//! Receiving: bootstrap from snapshots, downloading batches, applying them.

use std::collections::{BTreeMap, BTreeSet};

use super::scoped::Holds;
use super::send::{SKIP, skip_marker};
use super::*;
use crate::store::Undecodable;
use crate::store::sync_state::Vector;

impl<M: Mailbox> Round<'_, M> {
    pub(super) fn epoch(&self) -> SyncResult<u64> {
        super::epoch::local_epoch(self.store)
    }

    /// The snapshot some device vouched for (its authenticated state names the
    /// counter) when parts with that authenticated counter are listed: (counter,
    /// their UIDs). Listings alone never pick a snapshot: anyone can append one.
    pub(super) fn latest_snapshot(&self) -> SyncResult<Option<(u64, Vec<u32>)>> {
        let Some(info) = self.snapshot_info()? else {
            return Ok(None);
        };
        let uids: Vec<u32> = self.known[&self.f.snapshots]
            .iter()
            .filter(|k| !k.device.is_empty() && k.seq_from == info.counter && !self.is_rejected(k))
            .map(|k| k.uid)
            .collect();
        Ok((!uids.is_empty()).then_some((info.counter, uids)))
    }

    /// Fetch and open the newest complete snapshot: the vouched-for one, else
    /// every listed part (older formats' parts are known only once opened). Each part is authenticated on its own and grouped by
    /// its authenticated snapshot id; only parts that fail are rejected, so a
    /// junk message with copied headers cannot keep a device from bootstrapping.
    pub(super) async fn fetch_snapshot(&mut self) -> SyncResult<Option<SnapshotPayload>> {
        let folder = self.f.snapshots.clone();
        let uids = match self.latest_snapshot()? {
            Some((_, uids)) => uids,
            None => self.known[&folder]
                .iter()
                .filter(|k| !self.is_rejected(k))
                .map(|k| k.uid)
                .collect(),
        };
        let mut groups: Vec<(batch::SnapshotParts, Vec<u32>)> = Vec::new();
        for chunk in uids.chunks(FETCH_GROUP) {
            for (uid, raw) in self.mb.fetch(&folder, chunk).await? {
                let part = match batch::SnapshotPart::open(&self.o.key, &raw) {
                    Ok(p) => p,
                    Err(_) => {
                        self.reject(&folder, uid);
                        continue;
                    }
                };
                match groups.iter_mut().find(|(g, _)| g.admits(&part)) {
                    Some((g, uids)) => {
                        g.add(part);
                        uids.push(uid);
                    }
                    None => {
                        let mut g = batch::SnapshotParts::new(&part);
                        g.add(part);
                        groups.push((g, vec![uid]));
                    }
                }
            }
        }
        // Newest first; an incomplete one (a part deleted meanwhile) waits.
        groups.retain(|(g, _)| g.is_complete());
        groups.sort_by_key(|(g, _)| std::cmp::Reverse(g.counter));
        for (g, uids) in groups {
            let (counter, signer) = (g.counter, g.signer);
            match g.assemble(&self.o.key) {
                Ok(s) => {
                    // Its maker must have signed it (once bound to a key).
                    if !self.admit(&folder, &uids, &s.made_by, signer, None)? {
                        continue;
                    }
                    for uid in &uids {
                        self.learn(&folder, *uid, &s.made_by, Some((counter, counter)));
                    }
                    self.note_snapshot(&SnapshotInfo {
                        counter,
                        epoch: s.epoch,
                        vector: s.vector.clone(),
                        made_by: s.made_by.clone(),
                        made_at: s.made_at.clone(),
                    })?;
                    return Ok(Some(s));
                }
                // Authentic parts that do not decode: a key holder's junk.
                Err(_) => {
                    for uid in uids {
                        self.reject(&folder, uid);
                    }
                }
            }
        }
        Ok(None)
    }

    /// A device that has applied nothing from others starts from the newest
    /// snapshot; a snapshot of a newer epoch (replace-remote) resets this device.
    pub(super) async fn maybe_bootstrap(&mut self) -> SyncResult<()> {
        let vector = st::vector(&*self.store)?;
        let fresh = vector.iter().all(|(d, s)| d == &self.me || *s == 0);
        let replace = self.o.mode == Mode::ReplaceLocal;
        if !fresh && !replace && self.known[&self.f.snapshots].is_empty() {
            return Ok(());
        }
        if !fresh && !replace {
            let Some(info) = self.snapshot_info()? else {
                return Ok(());
            };
            if self.latest_snapshot()?.map(|l| l.0) != Some(info.counter) {
                return Ok(());
            }
            if info.epoch > self.epoch()? {
                if !self.o.accept_epoch {
                    // Kept for the user to confirm (`epoch_pending`).
                    return Ok(());
                }
                // replace-remote or rekey elsewhere, taken: rebuild from its snapshot.
                if let Some(s) = self.fetch_snapshot().await? {
                    snapshot::reset_local(self.store, Some(&s))?;
                    self.store.set_meta(META_EPOCH, &s.epoch.to_string())?;
                }
            } else if self.stranded(&vector, &info.vector) {
                // Changes we still lack were collected while we were away (or
                // counted as gone): catch up from the snapshot, which has them.
                if let Some(s) = self.fetch_snapshot().await? {
                    snapshot::load(self.store, &s)?;
                }
            }
            return Ok(());
        }
        let s = self.fetch_snapshot().await?;
        if replace {
            snapshot::reset_local(self.store, s.as_ref())?;
        } else if let Some(s) = &s {
            snapshot::load(self.store, s)?;
        }
        if let Some(s) = &s {
            self.store
                .set_meta(META_EPOCH, &s.epoch.max(self.epoch()?).to_string())?;
        }
        Ok(())
    }

    /// The newer epoch another device published, when this device has synced
    /// before, did not ask for it (`accept_epoch`, `replace-*` modes) and so
    /// waits for the user: nothing is reset or deleted here meanwhile.
    pub(super) fn epoch_pending(&self) -> SyncResult<Option<u64>> {
        if self.o.accept_epoch || matches!(self.o.mode, Mode::ReplaceLocal | Mode::ReplaceRemote) {
            return Ok(None);
        }
        Ok(super::epoch::waiting_epoch(self.store)?.map(|w| w.epoch))
    }

    /// Whether, for some device, the next change we need is on no batch on the
    /// server although the snapshot covers it.
    fn stranded(&self, have: &Vector, snap: &Vector) -> bool {
        snap.iter().any(|(dev, &covered)| {
            let next = have.get(dev).copied().unwrap_or(0) + 1;
            if dev == &self.me || next > covered {
                return false;
            }
            !self.known[&self.f.changes].iter().any(|k| {
                &k.device == dev && (k.seq_from..=k.seq_to).contains(&next) && !self.is_rejected(k)
            })
        })
    }

    pub(super) fn inputs(&self) -> SyncResult<Inputs> {
        let db = &*self.store;
        let devices = st::devices(db)?;
        let snapshot_vector = self.snapshot_vector()?;
        Ok(Inputs {
            device: self.me.clone(),
            vector: snapshot::local_vector(self.store)?,
            devices,
            batches: self.known[&self.f.changes]
                .iter()
                .filter(|k| k.kind == "batch" && !self.is_rejected(k))
                .cloned()
                .collect(),
            rejected: BTreeSet::new(),
            first_unsubmitted: st::first_unsubmitted(db, &self.me)?,
            snapshot_vector,
            mode: self.o.mode,
            upload_to: None,
        })
    }

    /// The vector of the newest snapshot on the server, if we know what it covers.
    pub(super) fn snapshot_vector(&self) -> SyncResult<Option<crate::store::sync_state::Vector>> {
        let Some((counter, _)) = self.latest_snapshot()? else {
            return Ok(None);
        };
        Ok(self
            .snapshot_info()?
            .filter(|i| i.counter == counter)
            .map(|i| i.vector))
    }

    pub(super) fn snapshot_info(&self) -> SyncResult<Option<SnapshotInfo>> {
        super::epoch::heard_snapshot(self.store)
    }

    /// Remember the newest snapshot we have heard of.
    pub(super) fn note_snapshot(&self, info: &SnapshotInfo) -> SyncResult<()> {
        if self
            .snapshot_info()?
            .is_none_or(|old| old.counter < info.counter)
        {
            self.store.set_meta(
                META_SNAPSHOT,
                &serde_json::to_string(info).expect("serializes"),
            )?;
        }
        Ok(())
    }

    /// Fetch and open batches; returns the changes this device has not applied.
    /// They are kept in memory and applied by [`Self::apply_pending`], which keeps
    /// those that cannot be applied yet (a gap before them) in `sync_pending`.
    pub(super) async fn download(&mut self, uids: &[u32]) -> SyncResult<Vec<Change>> {
        let folder = self.f.changes.clone();
        let vector = st::vector(&*self.store)?;
        let known: BTreeSet<String> = st::devices(&*self.store)?
            .into_iter()
            .map(|d| d.device)
            .collect();
        let mut out = Vec::new();
        let mut heard: BTreeSet<String> = BTreeSet::new();
        for chunk in uids.chunks(FETCH_GROUP) {
            let got = self.mb.fetch(&folder, chunk).await?;
            for (uid, raw) in got {
                let (b, signer) = match batch::open_batch_signed(&self.o.key, &raw) {
                    Ok(b) => b,
                    Err(_) => {
                        self.reject(&folder, uid);
                        continue;
                    }
                };
                // Changes and skip claims count only when their device signed them.
                if !self.admit(&folder, &[uid], &b.device, signer, Some(b.to))? {
                    continue;
                }
                self.learn(&folder, uid, &b.device, Some((b.from, b.to)));
                self.verify(&folder, uid);
                if b.device == self.me {
                    continue;
                }
                let have = vector.get(&b.device).copied().unwrap_or(0);
                for &seq in b.skipped.iter().filter(|s| **s > have) {
                    out.push(skip_marker(&b.device, seq));
                }
                let before = out.len();
                out.extend(b.changes.into_iter().filter(|c| c.seq > have));
                self.report.downloaded += (out.len() - before) as u64;
                if !known.contains(&b.device) {
                    heard.insert(b.device);
                }
            }
        }
        // Devices first heard of through their batches.
        for device in heard {
            st::put_device(
                &*self.store,
                &DeviceInfo {
                    tag: self.o.key.device_tag(&device),
                    device,
                    name: String::new(),
                    last_seen: String::new(),
                    vector: Default::default(),
                    forgotten: false,
                },
            )?;
        }
        Ok(out)
    }

    /// Apply every received change (`fresh` ones and those kept from earlier
    /// rounds) whose predecessors are applied, oldest HLC first, each group in one
    /// transaction with the vector advance (exactly once). Changes still waiting
    /// for an earlier one are kept in `sync_pending`.
    pub(super) fn apply_pending(&mut self, fresh: Vec<Change>) -> SyncResult<()> {
        let policy = self.o.policy;
        let mut pool: BTreeMap<(String, u64), Change> = BTreeMap::new();
        for c in st::pending(&*self.store)? {
            pool.insert((c.device.clone(), c.seq), c);
        }
        let stored: BTreeSet<(String, u64)> = pool.keys().cloned().collect();
        let mut replaced: BTreeSet<(String, u64)> = BTreeSet::new();
        for c in fresh {
            let at = (c.device.clone(), c.seq);
            match pool.get(&at) {
                None => {
                    pool.insert(at, c);
                }
                // A device never skips a number it sent a change for: the change
                // wins over the claim, whichever batch came first.
                Some(kept) if kept.kind == SKIP && c.kind != SKIP => {
                    replaced.insert(at.clone());
                    pool.insert(at, c);
                }
                Some(_) => {}
            }
        }
        let mut vector = st::vector(&*self.store)?;
        let mut holds = Holds::load(self.store, self.o.scope.clone(), true)?;
        loop {
            let mut ready: Vec<&Change> = Vec::new();
            let mut next: Option<(&str, u64)> = None;
            for ((dev, seq), c) in &pool {
                let want = match next {
                    Some((d, n)) if d == dev => n,
                    _ => vector.get(dev).copied().unwrap_or(0) + 1,
                };
                if *seq == want {
                    ready.push(c);
                    next = Some((dev, want + 1));
                } else if *seq > want {
                    next = Some((dev, u64::MAX));
                } else {
                    next = Some((dev, want));
                }
            }
            if ready.is_empty() {
                break;
            }
            // Cut in sequence order, so each device's part stays a prefix: HLC and
            // sequence order differ after a scoped sync reordered an outbox.
            ready.truncate(APPLY_GROUP);
            ready.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.change_id.cmp(&b.change_id)));
            let mut undecodable = Vec::new();
            let (applied, conflicts, advanced) = self.store.write(|w| {
                let holds = &mut holds;
                let (mut applied, mut conflicts) = (0, 0);
                let mut follow_ups = Vec::new();
                let mut advanced: BTreeMap<String, u64> = BTreeMap::new();
                for c in &ready {
                    if c.kind == SKIP || holds.hold_back(w, c)? {
                        // Nothing to apply now (held changes are applied later).
                    } else {
                        // A change that meets undecodable data here is skipped and
                        // reported; the others and the outbox go on.
                        match w.attempt(|w| apply_remote(w, c, policy)) {
                            Ok(out) => {
                                applied += out.applied as u64;
                                conflicts += out.conflicts;
                                follow_ups.extend(out.follow_ups);
                            }
                            Err(StoreError::Corrupt { what, reason }) => {
                                undecodable.push(Undecodable {
                                    id: c.record_id.clone(),
                                    what: format!("received change {} ({what}) for", c.change_id),
                                    reason,
                                });
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    let v = advanced.entry(c.device.clone()).or_insert(0);
                    *v = (*v).max(c.seq);
                }
                for (dev, seq) in &advanced {
                    st::set_vector(w, dev, *seq)?;
                }
                follow_up(w, &follow_ups)?;
                st::prune_pending(w)?;
                Ok((applied, conflicts, advanced))
            })?;
            for u in undecodable {
                self.store.note_undecodable(u);
            }
            self.report.applied += applied;
            self.report.conflicts += conflicts;
            for (dev, seq) in advanced {
                vector.insert(dev, seq);
            }
            pool.retain(|(dev, seq), _| *seq > vector.get(dev).copied().unwrap_or(0));
        }
        // Keep what waits for a missing change, so it is not fetched again.
        let waiting: Vec<&Change> = pool
            .iter()
            .filter(|(k, _)| !stored.contains(*k) || replaced.contains(*k))
            .map(|(_, c)| c)
            .collect();
        if !waiting.is_empty() {
            self.store.write(|w| {
                for c in waiting {
                    st::replace_pending(w, c)?;
                }
                Ok(())
            })?;
        }
        Ok(())
    }
}
