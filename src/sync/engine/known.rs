//! What a round knows of the server: folder listings with the identities this
//! device authenticated, the device messages read, and which messages were
//! rejected.

use super::*;
use crate::sync::plan::MAX_UNOPENED_PER_ROUND;

impl<M: Mailbox> Round<'_, M> {
    /// List what changed in a folder; returns the newly seen messages.
    pub(super) async fn refresh(
        &mut self,
        name: &str,
        check: FolderCheck,
    ) -> SyncResult<Vec<KnownMessage>> {
        let from = match check {
            FolderCheck::Unchanged => return Ok(Vec::new()),
            FolderCheck::NewFrom(u) => u,
            FolderCheck::Full => 1,
        };
        let listed = self.mb.list(name, from, LIST_HEADERS).await?;
        let mut fresh = Vec::new();
        for m in listed {
            match envelope::identify(&self.o.key, &m.headers) {
                Ok(h) => fresh.push(known_from(name, m.uid, m.size, &h)),
                // Another key's rekey marker (an older rekey, or the one this
                // device made) is set aside quietly.
                Err(HeaderError::Unauthentic)
                    if Header::parse(&m.headers).is_ok_and(|h| h.kind == MsgKind::Rekeyed) => {}
                // Claims to be ours with out-of-range or missing fields, or a
                // sealed identity that does not open: a forgery (or damage, or
                // another key), rejected and counted like one; sync goes on.
                Err(HeaderError::Malformed(..) | HeaderError::Unauthentic) => {
                    self.reject(name, m.uid)
                }
                Err(HeaderError::NotPim) => {}
            }
        }
        let known = self.known.entry(name.to_string()).or_default();
        if check == FolderCheck::Full {
            // Same UIDVALIDITY, same UID and Message-ID: the same message, whose
            // identity this device may have authenticated already by opening it.
            let before: BTreeMap<u32, KnownMessage> = known.drain(..).map(|k| (k.uid, k)).collect();
            for k in fresh.iter_mut().filter(|k| k.device.is_empty()) {
                if let Some(old) = before.get(&k.uid).filter(|o| o.message_id == k.message_id) {
                    k.device = old.device.clone();
                    (k.seq_from, k.seq_to) = (old.seq_from, old.seq_to);
                }
            }
        }
        let have: BTreeSet<u32> = known.iter().map(|k| k.uid).collect();
        fresh.retain(|k| !have.contains(&k.uid));
        known.extend(fresh.iter().cloned());
        Ok(fresh)
    }

    /// Read newly seen device states; with a full listing, devices without a state
    /// message any more count as forgotten.
    pub(super) async fn read_devices(
        &mut self,
        fresh: &[KnownMessage],
        full: bool,
    ) -> SyncResult<()> {
        let folder = self.f.devices.clone();
        self.check_rekeyed(fresh).await?;
        // New states of other devices, and (a bounded number of) older-format
        // messages not opened yet.
        let new: BTreeSet<u32> = fresh.iter().map(|k| k.uid).collect();
        let candidates: Vec<&KnownMessage> = self.known[&folder]
            .iter()
            .filter(|k| k.kind == "device" && k.device != self.me && !self.is_rejected(k))
            .filter(|k| new.contains(&k.uid) || k.device.is_empty())
            .collect();
        let mut uids: Vec<u32> = candidates
            .iter()
            .filter(|k| !k.device.is_empty())
            .map(|k| k.uid)
            .collect();
        let unopened = candidates.iter().filter(|k| k.device.is_empty());
        uids.extend(unopened.map(|k| k.uid).take(MAX_UNOPENED_PER_ROUND));
        let mut infos = Vec::new();
        for chunk in uids.chunks(FETCH_GROUP) {
            for (uid, raw) in self.mb.fetch(&folder, chunk).await? {
                match batch::open_device_signed(&self.o.key, &raw) {
                    Ok((d, signer)) => {
                        self.learn(&folder, uid, &d.device, None);
                        if d.device != self.me {
                            infos.push((uid, (d, signer)));
                        }
                    }
                    Err(_) => self.reject(&folder, uid),
                }
            }
        }
        // Oldest first: a device is bound to the first key it signs with.
        infos.sort_by_key(|(uid, _)| *uid);
        let mut admitted = Vec::new();
        for (uid, (d, signer)) in infos {
            if !self.admit(&folder, &[uid], &d.device, signer, None)? {
                continue;
            }
            if let (Some(from), Some(_)) = (d.signs_from, signer) {
                self.note_signs_from(&d.device, from)?;
            }
            admitted.push(d);
        }
        if self.o.dry_run {
            return Ok(());
        }
        let known_devices = st::devices(&*self.store)?;
        for d in admitted {
            if let Some(info) = &d.snapshot {
                // The device whose (authenticated) state names a snapshot made it.
                self.note_snapshot(&SnapshotInfo {
                    made_by: d.device.clone(),
                    ..info.clone()
                })?;
            }
            let prev = known_devices.iter().find(|k| k.device == d.device);
            // Older: an earlier clock and nothing applied beyond what we know. A
            // state that applied more is newer, whatever its clock said (a device
            // whose clock ran years ahead and was corrected).
            let older = |p: &DeviceInfo| {
                p.last_seen >= d.last_seen
                    && d.vector
                        .iter()
                        .all(|(k, n)| p.vector.get(k).is_some_and(|m| n <= m))
            };
            if prev.is_some_and(|p| p.last_seen > d.last_seen && older(p)) {
                continue;
            }
            // A device that publishes a newer state is alive again.
            let forgotten = prev.is_some_and(|p| p.forgotten && older(p));
            st::put_device(
                &*self.store,
                &DeviceInfo {
                    tag: self.o.key.device_tag(&d.device),
                    device: d.device,
                    name: d.name,
                    last_seen: d.last_seen,
                    vector: d.vector,
                    forgotten,
                },
            )?;
        }
        if full {
            let present: BTreeSet<&str> = self.known[&folder]
                .iter()
                .filter(|k| !self.is_rejected(k))
                .map(|k| k.device.as_str())
                .collect();
            for d in st::devices(&*self.store)? {
                if d.device != self.me
                    && !present.contains(d.device.as_str())
                    && !d.vector.is_empty()
                {
                    st::forget_device(&*self.store, &d.device)?;
                }
            }
        }
        Ok(())
    }

    /// A rekey marker that opens with this device's key ends the round: the key
    /// was replaced. Markers of other keys (older rekeys, or the one this device
    /// made) are set aside without counting as rejected.
    pub(super) async fn check_rekeyed(&mut self, fresh: &[KnownMessage]) -> SyncResult<()> {
        let folder = self.f.devices.clone();
        let uids: Vec<u32> = fresh
            .iter()
            .filter(|k| k.kind == MsgKind::Rekeyed.as_str() && !self.is_rejected(k))
            .map(|k| k.uid)
            .collect();
        for chunk in uids.chunks(FETCH_GROUP) {
            for (uid, raw) in self.mb.fetch(&folder, chunk).await? {
                if let Some(at) = super::super::rekey::open_marker(&self.o.key, &raw) {
                    return Err(super::super::rekey::key_replaced(&at));
                }
                let location = self.location(&folder, uid);
                self.rejected.insert(location);
            }
        }
        Ok(())
    }

    /// Rejections are remembered by location (folder, UIDVALIDITY, UID), never by
    /// Message-ID: a forger can copy a real batch's headers, and the real batch
    /// must stay visible (DESIGN.md §5.9).
    pub(super) fn location(&self, folder: &str, uid: u32) -> String {
        let validity = self.states.get(folder).map(|s| s.uidvalidity).unwrap_or(0);
        format!("{folder}/{validity}/{uid}")
    }

    pub(super) fn is_rejected(&self, k: &KnownMessage) -> bool {
        self.rejected.contains(&self.location(&k.folder, k.uid))
    }

    /// Whether a listed batch's body opened here before (or is trusted from
    /// before this device kept track).
    pub(super) fn is_verified(&self, k: &KnownMessage) -> bool {
        self.verified
            .as_ref()
            .is_none_or(|v| v.contains(&self.location(&k.folder, k.uid)))
    }

    pub(super) fn verify(&mut self, folder: &str, uid: u32) {
        let location = self.location(folder, uid);
        if let Some(v) = self.verified.as_mut() {
            v.insert(location);
        }
    }

    /// Record what opening a message authenticated: its device and (batches,
    /// snapshot parts) its range or counter.
    pub(super) fn learn(
        &mut self,
        folder: &str,
        uid: u32,
        device: &str,
        range: Option<(u64, u64)>,
    ) {
        let Some(k) = self
            .known
            .get_mut(folder)
            .and_then(|ks| ks.iter_mut().find(|k| k.uid == uid))
        else {
            return;
        };
        k.device = device.to_string();
        if let Some((from, to)) = range {
            (k.seq_from, k.seq_to) = (from, to);
        }
    }

    /// Rows remembered by builds before format 3 name clear tags, not devices.
    /// Once: the tags of devices heard of (this one included) become their
    /// devices; other devices' batches this device never opened, and tags of no
    /// known device, become unauthenticated (opened again, a few per round).
    pub(super) fn upgrade_known(&mut self) -> SyncResult<()> {
        if self.store.meta(META_KNOWN)?.as_deref() == Some("3") {
            return Ok(());
        }
        let mut tags: BTreeMap<String, String> = st::devices(&*self.store)?
            .into_iter()
            .map(|d| (d.tag, d.device))
            .collect();
        tags.insert(self.o.key.device_tag(&self.me), self.me.clone());
        let opened: BTreeSet<String> = self.known[&self.f.changes]
            .iter()
            .filter(|k| self.is_verified(k))
            .map(|k| self.location(&k.folder, k.uid))
            .collect();
        let changes = self.f.changes.clone();
        let me = self.me.clone();
        let states = self.states.clone();
        for (folder, rows) in self.known.iter_mut() {
            let validity = states.get(folder).map(|s| s.uidvalidity).unwrap_or(0);
            for k in rows.iter_mut() {
                let device = tags.get(&k.device).cloned();
                let trusted = *folder != changes
                    || device.as_deref() == Some(me.as_str())
                    || opened.contains(&format!("{folder}/{validity}/{}", k.uid));
                match device {
                    Some(d) if trusted => k.device = d,
                    _ => {
                        k.device.clear();
                        (k.seq_from, k.seq_to) = (0, 0);
                    }
                }
            }
        }
        Ok(())
    }

    pub(super) fn reject(&mut self, folder: &str, uid: u32) {
        if self.rejected.insert(self.location(folder, uid)) {
            self.report.rejected += 1;
        }
    }

    /// Own batches this round did not append (a forger's copy of our headers, or
    /// an append whose confirmation was lost) are opened once: only authentic
    /// ones count as "on the server" for gap repair.
    pub(super) async fn check_own_batches(&mut self, fresh: &[KnownMessage]) -> SyncResult<()> {
        let folder = self.f.changes.clone();
        let uids: Vec<u32> = fresh
            .iter()
            .filter(|k| k.device == self.me && !self.appended.contains(&k.message_id))
            .map(|k| k.uid)
            .collect();
        for chunk in uids.chunks(FETCH_GROUP) {
            for (uid, raw) in self.mb.fetch(&folder, chunk).await? {
                let authentic = batch::open_batch_signed(&self.o.key, &raw).is_ok_and(|(b, s)| {
                    b.device == self.me && self.signers.check(&self.me, s, Some(b.to)).accepted()
                });
                if !authentic {
                    self.reject(&folder, uid);
                }
            }
        }
        Ok(())
    }
}
