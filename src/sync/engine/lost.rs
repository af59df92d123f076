//! Noticing that the sync folders on the server were lost (deleted, recreated,
//! emptied) since this device last saw them. Batches of other devices that are
//! gone cannot come back from them (they may never sync again), so this device
//! republishes the full state it holds as a snapshot: every record it knows,
//! whoever made it. A device joining later then gets everything.

use super::*;

impl<M: Mailbox> Round<'_, M> {
    /// This device published its record in the devices folder, and it is gone.
    pub(super) fn own_record_missing(&self) -> SyncResult<Option<String>> {
        let published = self
            .store
            .meta(META_PUBLISHED)?
            .is_some_and(|p| !p.is_empty());
        let folder = &self.f.devices;
        let present = self.known[folder].iter().any(|k| k.device == self.me);
        Ok((published && !present).then(|| format!("this device's record in {folder} is gone")))
    }

    /// This device applied changes of another device that neither a batch nor the
    /// newest snapshot on the server holds any more (its vector is ahead of the
    /// server): a new device could never get them.
    pub(super) fn vector_ahead(&self) -> SyncResult<Option<String>> {
        let vector = st::vector(&*self.store)?;
        let snapshot = self.snapshot_vector()?.unwrap_or_default();
        let folder = &self.f.changes;
        let batches = &self.known[folder];
        for (device, &seq) in &vector {
            if device == &self.me || seq == 0 || snapshot.get(device).copied().unwrap_or(0) >= seq {
                continue;
            }
            // Only batches whose body opened here count: neither a forged header
            // nor a replayed identity over junk may hide that the real ones are gone.
            let held = batches.iter().any(|k| {
                &k.device == device
                    && k.seq_from <= seq
                    && !self.is_rejected(k)
                    && self.is_verified(k)
            });
            if !held {
                return Ok(Some(format!(
                    "{folder} lacks changes this device has applied"
                )));
            }
        }
        Ok(None)
    }

    /// Remember (until a complete round has republished) why the folders must be
    /// rebuilt, and report it.
    pub(super) fn note_lost(&mut self, lost: &[String]) -> SyncResult<()> {
        if !lost.is_empty() && !self.o.dry_run {
            self.store.set_meta(META_REBUILD, &lost.join("; "))?;
            // Our device record goes up again even if nothing else changed.
            self.store.set_meta(META_PUBLISHED, "")?;
        }
        self.report.lost_folders = if self.o.dry_run && !lost.is_empty() {
            Some(lost.join("; "))
        } else {
            self.store.meta(META_REBUILD)?.filter(|r| !r.is_empty())
        };
        Ok(())
    }
}
