//! Sending: the outbox, gap repair, device states, snapshots, deletions.

use std::collections::BTreeSet;

use super::*;
use crate::store::sync_scope as held;

impl<M: Mailbox> Round<'_, M> {
    /// Upload own changes `range`; `outbox` marks them confirmed afterwards.
    pub(super) async fn upload(&mut self, range: Range, outbox: bool) -> SyncResult<()> {
        // An own change that cannot be decoded is sent as skipped (and reported by
        // the store) rather than stopping every later upload.
        let (changes, mut skipped) = self.store.own_changes_decodable(range.from, range.to)?;
        let mut synced = Vec::new();
        let collections = self.store.collections(None)?;
        let off: BTreeSet<&str> = collections
            .iter()
            .filter(|c| !c.sync)
            .map(|c| c.id.as_str())
            .collect();
        for c in changes {
            // A re-upload repeats what the first upload sent, whatever the
            // collection's sync flag is today.
            let kept = matches!(c.submitted_at.as_str(), held::SKIPPED | held::REPUBLISHED);
            if kept || (outbox && touches(&c, &off, self.store)?) {
                skipped.push(c.seq);
            } else {
                synced.push(c);
            }
        }
        skipped.sort_unstable();
        let epoch = self.epoch()?;
        let msgs = batch::pack_batches(
            &self.o.key,
            Some(&self.signer),
            &self.me,
            epoch,
            &synced,
            &skipped,
        );
        let folder = self.f.changes.clone();
        let now = self.store.clock().now_rfc3339();
        for group in msgs.chunks(APPEND_GROUP) {
            let raws: Vec<Vec<u8>> = group.iter().map(|(_, raw)| raw.clone()).collect();
            self.note_attempt(group[group.len() - 1].0.seq_to)?;
            self.appended
                .extend(group.iter().map(|(h, _)| h.message_id.clone()));
            self.mb.append(&folder, &raws).await?;
            self.touched.insert(folder.clone());
            self.report.appends += raws.len() as u64;
            let (lo, hi) = (group[0].0.seq_from, group[group.len() - 1].0.seq_to);
            self.report.uploaded +=
                synced.iter().filter(|c| (lo..=hi).contains(&c.seq)).count() as u64;
            if outbox {
                let db = &*self.store;
                let here: Vec<u64> = skipped
                    .iter()
                    .copied()
                    .filter(|s| (lo..=hi).contains(s))
                    .collect();
                held::mark_skipped(db, &self.me, &here)?;
                st::mark_submitted(db, &self.me, lo, hi, &now)?;
            }
        }
        Ok(())
    }

    /// Publish this device's state when its vector changed since last time.
    pub(super) async fn publish_device(&mut self) -> SyncResult<()> {
        let vector = snapshot::local_vector(self.store)?;
        let snap = self.snapshot_info()?;
        // The signing key too: a device that just got one announces it.
        let signing = self.signer.public().to_hex();
        let payload_key = serde_json::to_string(&(&vector, &self.o.device_name, &snap, &signing))
            .expect("serializes");
        let mine: Vec<u32> = self.known[&self.f.devices]
            .iter()
            .filter(|k| k.device == self.me)
            .map(|k| k.uid)
            .collect();
        if self.store.meta(META_PUBLISHED)?.as_deref() == Some(payload_key.as_str())
            && !mine.is_empty()
        {
            return Ok(());
        }
        let now = self.store.clock().now();
        let d = DevicePayload {
            device: self.me.clone(),
            name: self.o.device_name.clone(),
            vector: vector.clone(),
            last_seen: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            snapshot: snap,
            signs_from: Some(self.signer.signs_from),
        };
        let (_, raw) = batch::seal_device(
            &self.o.key,
            Some(&self.signer),
            &d,
            self.epoch()?,
            u64::try_from(now.timestamp_millis()).unwrap_or(0),
            self.o.kdf.clone(),
        );
        let folder = self.f.devices.clone();
        self.mb.append(&folder, &[raw]).await?;
        self.report.appends += 1;
        self.touched.insert(folder.clone());
        self.store.set_meta(META_PUBLISHED, &payload_key)?;
        st::put_device(
            &*self.store,
            &DeviceInfo {
                device: self.me.clone(),
                tag: self.o.key.device_tag(&self.me),
                name: d.name,
                last_seen: d.last_seen,
                vector,
                forgotten: false,
            },
        )?;
        if !mine.is_empty() {
            self.mb.delete(&folder, &mine).await?;
            self.forget_known(&folder, &mine);
        }
        Ok(())
    }

    pub(super) async fn delete(&mut self, folder: &str, uids: &[u32]) -> SyncResult<()> {
        self.mb.delete(folder, uids).await?;
        self.touched.insert(folder.to_string());
        self.report.deleted += uids.len() as u64;
        self.forget_known(folder, uids);
        Ok(())
    }

    pub(super) fn forget_known(&mut self, folder: &str, uids: &[u32]) {
        if let Some(k) = self.known.get_mut(folder) {
            k.retain(|m| !uids.contains(&m.uid));
        }
    }

    /// Write a snapshot of everything this device holds; returns how many records it has.
    pub(super) async fn write_snapshot(&mut self, epoch: u64) -> SyncResult<u64> {
        let s = snapshot::make(self.store, epoch)?;
        let records = s.records.len() as u64;
        // After the newest authenticated counter, never past what SQLite stores.
        let now = u64::try_from(self.store.clock().now_millis()).unwrap_or(0);
        let after_newest = self
            .snapshot_info()?
            .and_then(|s| s.counter.checked_add(1))
            .filter(|c| i64::try_from(*c).is_ok())
            .unwrap_or(0);
        let counter = now.max(after_newest);
        let parts = batch::seal_snapshot(&self.o.key, Some(&self.signer), &s, counter);
        let raws: Vec<Vec<u8>> = parts.into_iter().map(|p| p.1).collect();
        let folder = self.f.snapshots.clone();
        let old: Vec<u32> = self.known[&folder].iter().map(|k| k.uid).collect();
        for group in raws.chunks(APPEND_GROUP) {
            self.mb.append(&folder, group).await?;
            self.report.appends += group.len() as u64;
        }
        self.touched.insert(folder.clone());
        self.note_snapshot(&SnapshotInfo {
            counter,
            epoch,
            vector: s.vector.clone(),
            made_by: s.made_by.clone(),
            made_at: s.made_at.clone(),
        })?;
        if !old.is_empty() {
            self.delete(&folder, &old).await?;
        }
        Ok(records)
    }

    /// `replace-remote`: wipe batches and snapshots, publish this device's state as
    /// a snapshot of a new epoch; other devices rebuild from it.
    pub(super) async fn replace_remote(&mut self) -> SyncResult<()> {
        for folder in [self.f.changes.clone(), self.f.snapshots.clone()] {
            let uids: Vec<u32> = self.known[&folder].iter().map(|k| k.uid).collect();
            if !uids.is_empty() {
                self.delete(&folder, &uids).await?;
            }
        }
        // Past every epoch heard of, so devices that took another one see it.
        let heard = self.snapshot_info()?.map(|i| i.epoch).unwrap_or(0);
        let epoch = self
            .epoch()?
            .max(heard)
            .checked_add(1)
            .filter(|e| i64::try_from(*e).is_ok())
            .ok_or_else(|| {
                SyncError::Setup("the snapshot epoch cannot be raised further".into())
            })?;
        self.write_snapshot(epoch).await?;
        self.store.set_meta(META_EPOCH, &epoch.to_string())?;
        let last = st::max_seq(&*self.store, &self.me)?;
        let now = self.store.clock().now_rfc3339();
        st::mark_submitted(&*self.store, &self.me, 1, last, &now)?;
        Ok(())
    }
}

pub(super) const SKIP: &str = "skip";

/// A placeholder for a sequence number the owner keeps out of sync.
pub(super) fn skip_marker(device: &str, seq: u64) -> Change {
    Change {
        device: device.to_string(),
        seq,
        change_id: format!("{device}-{seq}"),
        hlc: String::new(),
        changed_at: String::new(),
        submitted_at: String::new(),
        record_id: String::new(),
        kind: SKIP.into(),
        op: Op::Update { fields: Vec::new() },
        attachments: Vec::new(),
    }
}

/// Whether an own change concerns a collection kept out of sync.
fn touches(c: &Change, off: &BTreeSet<&str>, store: &Store) -> Result<bool, StoreError> {
    if off.is_empty() {
        return Ok(false);
    }
    let hit = match &c.op {
        Op::Create { collection, .. } | Op::Delete { collection, .. } => {
            off.contains(collection.as_str())
        }
        Op::Move { from, to } => off.contains(from.as_str()) || off.contains(to.as_str()),
        Op::CollectionPut { new, .. } => off.contains(new.id.as_str()),
        Op::CollectionDelete { base } => off.contains(base.id.as_str()),
        Op::Update { .. } => store
            .get(&c.record_id)?
            .is_some_and(|r| off.contains(r.collection.as_str())),
    };
    Ok(hit)
}
