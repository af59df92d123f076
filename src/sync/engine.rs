//! The executor: one sync round over a [`Mailbox`] (DESIGN.md §5). It gathers
//! state, asks [`super::plan`] what to do and does it, keeping every step safe to
//! interrupt: changes are applied with the vector advance in one transaction, the
//! outbox is marked only after the server stored a batch, and what we remember of
//! the server is saved only at the end.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::apply::{Policy, apply_remote};
use super::batch::{self, DevicePayload, SnapshotInfo, SnapshotPayload};
use super::crypto::SyncKey;
use super::envelope::{Header, LIST_HEADERS, MsgKind};
use super::mailbox::{FolderState, Mailbox, MailboxError};
use super::plan::{self, FolderCheck, Inputs, Mode, Plan, Range};
use super::snapshot;
use crate::model::{Change, Op};
use crate::store::sync_state::{self as st, DeviceInfo, KnownMessage, RememberedFolder};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Setup(String),
}

pub type SyncResult<T> = Result<T, SyncError>;

/// How to sync.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    pub key: SyncKey,
    /// Folder root on the server (`PIM`).
    pub root: String,
    pub mode: Mode,
    pub policy: Policy,
    /// Plan only: report what would happen, change nothing.
    pub dry_run: bool,
    /// This device's name in `pim devices list`.
    pub device_name: String,
    /// Write a snapshot once this many applied batches are not covered by one
    /// (0: never).
    pub snapshot_every: usize,
    /// KDF parameters and salt to publish (passphrase keys), for `join`.
    pub kdf: Option<String>,
}

impl SyncOptions {
    pub fn new(key: SyncKey) -> SyncOptions {
        SyncOptions {
            key,
            root: "PIM".into(),
            mode: Mode::TwoWay,
            policy: Policy::Newest,
            dry_run: false,
            device_name: String::new(),
            snapshot_every: 32,
            kdf: None,
        }
    }
}

/// What a sync round did (`pim sync --json` prints it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    /// Own changes uploaded (re-uploads included).
    pub uploaded: u64,
    /// Changes downloaded.
    pub downloaded: u64,
    /// Remote changes applied here.
    pub applied: u64,
    /// Conflicts met while applying.
    pub conflicts: u64,
    /// Messages deleted from the server (garbage collection).
    pub deleted: u64,
    /// Messages that failed authentication (ignored, never applied).
    pub rejected: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub imap_commands: u64,
    /// Messages appended.
    pub appends: u64,
    /// The plan, for `--dry-run`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
}

/// The three folders under the root.
#[derive(Debug, Clone)]
pub struct Folders {
    pub changes: String,
    pub devices: String,
    pub snapshots: String,
}

impl Folders {
    pub fn new(root: &str) -> Folders {
        Folders {
            changes: format!("{root}/Changes"),
            devices: format!("{root}/Devices"),
            snapshots: format!("{root}/Snapshots"),
        }
    }

    pub fn all(&self) -> [&str; 3] {
        [&self.devices, &self.snapshots, &self.changes]
    }
}

/// Messages per APPEND call and per FETCH call.
const APPEND_GROUP: usize = 8;
const FETCH_GROUP: usize = 16;
/// Changes applied per transaction.
const APPLY_GROUP: usize = 2000;

const META_PUBLISHED: &str = "sync.published";
const META_REJECTED: &str = "sync.rejected";
const META_EPOCH: &str = "sync.epoch";
const META_SNAPSHOT: &str = "sync.snapshot";

/// The working state of one round.
struct Round<'a, M: Mailbox> {
    store: &'a mut Store,
    mb: &'a mut M,
    o: &'a SyncOptions,
    f: Folders,
    me: String,
    my_tag: String,
    states: BTreeMap<String, FolderState>,
    known: BTreeMap<String, Vec<KnownMessage>>,
    touched: BTreeSet<String>,
    rejected: BTreeSet<String>,
    report: SyncReport,
}

/// One sync round.
pub async fn sync_once<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    o: &SyncOptions,
) -> SyncResult<SyncReport> {
    let c0 = mb.commands_sent();
    let (u0, d0) = mb.bytes();
    let me = store.device().to_string();
    let rejected: BTreeSet<String> = store
        .meta(META_REJECTED)?
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default();
    let mut r = Round {
        my_tag: o.key.device_tag(&me),
        me,
        f: Folders::new(&o.root),
        store,
        mb,
        o,
        states: BTreeMap::new(),
        known: BTreeMap::new(),
        touched: BTreeSet::new(),
        rejected,
        report: SyncReport::default(),
    };
    r.run().await?;
    let mut report = r.report;
    let (u1, d1) = r.mb.bytes();
    report.imap_commands = r.mb.commands_sent() - c0;
    report.bytes_up = u1 - u0;
    report.bytes_down = d1 - d0;
    Ok(report)
}

fn known_from(folder: &str, uid: u32, size: u64, h: &Header) -> KnownMessage {
    KnownMessage {
        folder: folder.to_string(),
        uid,
        kind: h.kind.as_str().to_string(),
        tag: h.tag.clone(),
        seq_from: h.seq_from,
        seq_to: h.seq_to,
        message_id: h.message_id.clone(),
        size,
    }
}

impl<M: Mailbox> Round<'_, M> {
    async fn run(&mut self) -> SyncResult<()> {
        let mut checks = BTreeMap::new();
        for name in self.f.all().map(str::to_string) {
            let state = match self.mb.state(&name).await {
                Err(MailboxError::NoFolder(_)) if !self.o.dry_run => {
                    self.mb.ensure_folder(&name).await?;
                    self.mb.state(&name).await?
                }
                other => other?,
            };
            let remembered = st::folder(self.store.conn(), &name)?;
            checks.insert(
                name.clone(),
                plan::check_folder(remembered.as_ref(), &state),
            );
            self.states.insert(name.clone(), state);
            self.known
                .insert(name.clone(), st::messages(self.store.conn(), &name)?);
        }
        let mut new_devices = Vec::new();
        for (name, check) in &checks {
            let fresh = self.refresh(name, *check).await?;
            if name == &self.f.devices {
                new_devices = fresh;
            }
        }
        self.read_devices(&new_devices, checks[&self.f.devices] == FolderCheck::Full)
            .await?;
        if self.o.mode.downloads() && !self.o.dry_run {
            self.maybe_bootstrap().await?;
        }
        if self.o.mode == Mode::ReplaceRemote && !self.o.dry_run {
            self.replace_remote().await?;
        }
        let inputs = self.inputs()?;
        let plan = plan::plan(&inputs);
        if self.o.dry_run {
            self.report.plan = Some(plan);
            return Ok(());
        }
        self.download(&plan.fetch).await?;
        self.apply_pending()?;
        if let Some(range) = plan.upload {
            self.upload(range, true).await?;
        }
        for range in &plan.reupload {
            self.upload(*range, false).await?;
        }
        if !plan.delete.is_empty() {
            let folder = self.f.changes.clone();
            self.delete(&folder, &plan.delete).await?;
        }
        let inputs = self.inputs()?;
        if plan::wants_snapshot(&inputs, self.o.snapshot_every) {
            let epoch = self.epoch()?;
            self.write_snapshot(epoch).await?;
        }
        self.publish_device().await?;
        self.finish().await
    }

    /// List what changed in a folder; returns the newly seen messages.
    async fn refresh(&mut self, name: &str, check: FolderCheck) -> SyncResult<Vec<KnownMessage>> {
        let from = match check {
            FolderCheck::Unchanged => return Ok(Vec::new()),
            FolderCheck::NewFrom(u) => u,
            FolderCheck::Full => 1,
        };
        let listed = self.mb.list(name, from, LIST_HEADERS).await?;
        let mut fresh = Vec::new();
        for m in listed {
            if let Some(h) = Header::from_headers(&m.headers) {
                fresh.push(known_from(name, m.uid, m.size, &h));
            }
        }
        let known = self.known.entry(name.to_string()).or_default();
        if check == FolderCheck::Full {
            known.clear();
        }
        let have: BTreeSet<u32> = known.iter().map(|k| k.uid).collect();
        fresh.retain(|k| !have.contains(&k.uid));
        known.extend(fresh.iter().cloned());
        Ok(fresh)
    }

    /// Read newly seen device states; with a full listing, devices without a state
    /// message any more count as forgotten.
    async fn read_devices(&mut self, fresh: &[KnownMessage], full: bool) -> SyncResult<()> {
        let folder = self.f.devices.clone();
        let uids: Vec<u32> = fresh
            .iter()
            .filter(|k| k.tag != self.my_tag && !self.rejected.contains(&k.message_id))
            .map(|k| k.uid)
            .collect();
        let mut infos = Vec::new();
        for chunk in uids.chunks(FETCH_GROUP) {
            for (uid, raw) in self.mb.fetch(&folder, chunk).await? {
                match batch::open_device(&self.o.key, &raw) {
                    Ok(d) => infos.push((uid, d)),
                    Err(_) => self.reject(&folder, uid),
                }
            }
        }
        if self.o.dry_run {
            return Ok(());
        }
        let known_devices = st::devices(self.store.conn())?;
        infos.sort_by_key(|(uid, _)| *uid);
        for (_, d) in infos {
            if let Some(info) = &d.snapshot {
                self.note_snapshot(info)?;
            }
            let prev = known_devices.iter().find(|k| k.device == d.device);
            if prev.is_some_and(|p| p.last_seen > d.last_seen) {
                continue;
            }
            st::put_device(
                self.store.conn(),
                &DeviceInfo {
                    tag: self.o.key.device_tag(&d.device),
                    device: d.device,
                    name: d.name,
                    last_seen: d.last_seen,
                    vector: d.vector,
                    forgotten: prev.is_some_and(|p| p.forgotten),
                },
            )?;
        }
        if full {
            let present: BTreeSet<&str> =
                self.known[&folder].iter().map(|k| k.tag.as_str()).collect();
            for d in st::devices(self.store.conn())? {
                if d.device != self.me && !present.contains(d.tag.as_str()) && !d.vector.is_empty()
                {
                    st::forget_device(self.store.conn(), &d.device)?;
                }
            }
        }
        Ok(())
    }

    fn reject(&mut self, folder: &str, uid: u32) {
        let id = self.known[folder]
            .iter()
            .find(|k| k.uid == uid)
            .map(|k| k.message_id.clone())
            .unwrap_or_else(|| format!("{folder}:{uid}"));
        if self.rejected.insert(id) {
            self.report.rejected += 1;
        }
    }

    fn epoch(&self) -> SyncResult<u64> {
        Ok(self
            .store
            .meta(META_EPOCH)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0))
    }

    /// The newest complete snapshot on the server, if any: (counter, its UIDs).
    fn latest_snapshot(&self) -> Option<(u64, Vec<u32>)> {
        let mut groups: BTreeMap<String, (u64, u32, Vec<u32>)> = BTreeMap::new();
        for k in &self.known[&self.f.snapshots] {
            if self.rejected.contains(&k.message_id) {
                continue;
            }
            // The part header is not in KnownMessage; group by (tag, counter).
            let g = groups
                .entry(format!("{}-{}", k.seq_from, k.tag))
                .or_insert((k.seq_from, 0, Vec::new()));
            g.1 += 1;
            g.2.push(k.uid);
        }
        groups
            .into_values()
            .max_by_key(|g| g.0)
            .map(|(c, _, uids)| (c, uids))
    }

    async fn fetch_snapshot(&mut self) -> SyncResult<Option<SnapshotPayload>> {
        let Some((_, uids)) = self.latest_snapshot() else {
            return Ok(None);
        };
        let folder = self.f.snapshots.clone();
        let parts: Vec<Vec<u8>> = self
            .mb
            .fetch(&folder, &uids)
            .await?
            .into_iter()
            .map(|p| p.1)
            .collect();
        match batch::open_snapshot(&self.o.key, &parts) {
            Ok(s) => Ok(Some(s)),
            Err(batch::PayloadError::Envelope(_)) => {
                for uid in uids {
                    self.reject(&folder, uid);
                }
                Ok(None)
            }
            // Incomplete (a part deleted meanwhile): try again next round.
            Err(_) => Ok(None),
        }
    }

    /// A device that has applied nothing from others starts from the newest
    /// snapshot; a snapshot of a newer epoch (replace-remote) resets this device.
    async fn maybe_bootstrap(&mut self) -> SyncResult<()> {
        let vector = st::vector(self.store.conn())?;
        let fresh = vector.iter().all(|(d, s)| d == &self.me || *s == 0);
        let replace = self.o.mode == Mode::ReplaceLocal;
        if !fresh && !replace && self.known[&self.f.snapshots].is_empty() {
            return Ok(());
        }
        if !fresh && !replace {
            // Only a newer epoch (replace-remote elsewhere) matters.
            let newer = self
                .snapshot_info()?
                .filter(|i| i.epoch > self.epoch().unwrap_or(0));
            let Some(info) = newer else {
                return Ok(());
            };
            if self.latest_snapshot().map(|l| l.0) != Some(info.counter) {
                return Ok(());
            }
            if let Some(s) = self.fetch_snapshot().await? {
                snapshot::reset_local(self.store, Some(&s))?;
                self.store.set_meta(META_EPOCH, &s.epoch.to_string())?;
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

    fn inputs(&self) -> SyncResult<Inputs> {
        let conn = self.store.conn();
        let devices = st::devices(conn)?;
        let mut tags: BTreeMap<String, String> = devices
            .iter()
            .map(|d| (d.tag.clone(), d.device.clone()))
            .collect();
        tags.insert(self.my_tag.clone(), self.me.clone());
        let snapshot_vector = self.snapshot_vector()?;
        Ok(Inputs {
            device: self.me.clone(),
            my_tag: self.my_tag.clone(),
            vector: snapshot::local_vector(self.store)?,
            tags,
            devices,
            batches: self.known[&self.f.changes]
                .iter()
                .filter(|k| k.kind == "batch" && !self.rejected.contains(&k.message_id))
                .cloned()
                .collect(),
            rejected: BTreeSet::new(),
            first_unsubmitted: st::first_unsubmitted(conn, &self.me)?,
            snapshot_vector,
            mode: self.o.mode,
        })
    }

    /// The vector of the newest snapshot on the server, if we know what it covers.
    fn snapshot_vector(&self) -> SyncResult<Option<crate::store::sync_state::Vector>> {
        let Some((counter, _)) = self.latest_snapshot() else {
            return Ok(None);
        };
        Ok(self
            .snapshot_info()?
            .filter(|i| i.counter == counter)
            .map(|i| i.vector))
    }

    fn snapshot_info(&self) -> SyncResult<Option<SnapshotInfo>> {
        Ok(self
            .store
            .meta(META_SNAPSHOT)?
            .and_then(|s| serde_json::from_str(&s).ok()))
    }

    /// Remember the newest snapshot we have heard of.
    fn note_snapshot(&self, info: &SnapshotInfo) -> SyncResult<()> {
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

    async fn download(&mut self, uids: &[u32]) -> SyncResult<()> {
        let folder = self.f.changes.clone();
        for chunk in uids.chunks(FETCH_GROUP) {
            let got = self.mb.fetch(&folder, chunk).await?;
            let mut batches = Vec::new();
            for (uid, raw) in got {
                match batch::open_batch(&self.o.key, &raw) {
                    Ok(b) => batches.push(b),
                    Err(_) => self.reject(&folder, uid),
                }
            }
            let me = self.me.clone();
            let downloaded = self.store.write(|w| {
                let vector = st::vector(w.tx())?;
                let mut n = 0;
                for b in &batches {
                    if b.device == me {
                        continue;
                    }
                    let have = vector.get(&b.device).copied().unwrap_or(0);
                    for c in b.changes.iter().filter(|c| c.seq > have) {
                        st::add_pending(w.tx(), c)?;
                        n += 1;
                    }
                    for &seq in b.skipped.iter().filter(|s| **s > have) {
                        st::add_pending(w.tx(), &skip_marker(&b.device, seq))?;
                    }
                    if !st::devices(w.tx())?.iter().any(|d| d.device == b.device) {
                        st::put_device(
                            w.tx(),
                            &DeviceInfo {
                                device: b.device.clone(),
                                tag: String::new(),
                                name: String::new(),
                                last_seen: String::new(),
                                vector: Default::default(),
                                forgotten: false,
                            },
                        )?;
                    }
                }
                Ok(n)
            })?;
            // Learn tags of devices first heard of through their batches.
            for d in st::devices(self.store.conn())? {
                if d.tag.is_empty() {
                    let mut d = d;
                    d.tag = self.o.key.device_tag(&d.device);
                    st::put_device(self.store.conn(), &d)?;
                }
            }
            self.report.downloaded += downloaded;
        }
        Ok(())
    }

    /// Apply every pending change whose predecessors are applied, oldest HLC first,
    /// each group in one transaction with the vector advance (exactly once).
    fn apply_pending(&mut self) -> SyncResult<()> {
        let policy = self.o.policy;
        loop {
            let pending = st::pending(self.store.conn())?;
            let mut vector = st::vector(self.store.conn())?;
            let mut by_device: BTreeMap<String, Vec<Change>> = BTreeMap::new();
            for c in pending {
                by_device.entry(c.device.clone()).or_default().push(c);
            }
            let mut ready = Vec::new();
            for (dev, list) in &by_device {
                let mut next = vector.get(dev).copied().unwrap_or(0) + 1;
                for c in list {
                    if c.seq == next {
                        ready.push(c.clone());
                        next += 1;
                    } else if c.seq > next {
                        break;
                    }
                }
            }
            if ready.is_empty() {
                return Ok(());
            }
            ready.sort_by(|a, b| a.hlc.cmp(&b.hlc).then(a.change_id.cmp(&b.change_id)));
            ready.truncate(APPLY_GROUP);
            let (applied, conflicts) = self.store.write(|w| {
                let (mut applied, mut conflicts) = (0, 0);
                for c in &ready {
                    if c.kind != SKIP {
                        let out = apply_remote(w, c, policy)?;
                        applied += out.applied as u64;
                        conflicts += out.conflicts;
                    }
                    let v = vector.entry(c.device.clone()).or_insert(0);
                    *v = (*v).max(c.seq);
                    st::set_vector(w.tx(), &c.device, *v)?;
                    st::remove_pending(w.tx(), &c.device, c.seq)?;
                }
                st::prune_pending(w.tx())?;
                Ok((applied, conflicts))
            })?;
            self.report.applied += applied;
            self.report.conflicts += conflicts;
        }
    }

    /// Upload own changes `range`; `outbox` marks them confirmed afterwards.
    async fn upload(&mut self, range: Range, outbox: bool) -> SyncResult<()> {
        let changes = st::device_changes(self.store.conn(), &self.me, range.from, range.to)?;
        let mut synced = Vec::new();
        let mut skipped = Vec::new();
        let collections = self.store.collections(None)?;
        let off: BTreeSet<&str> = collections
            .iter()
            .filter(|c| !c.sync)
            .map(|c| c.id.as_str())
            .collect();
        for c in changes {
            if touches(&c, &off, self.store)? {
                skipped.push(c.seq);
            } else {
                synced.push(c);
            }
        }
        let msgs = batch::pack_batches(&self.o.key, &self.me, &synced, &skipped);
        let folder = self.f.changes.clone();
        let now = chrono::Utc::now().to_rfc3339();
        for group in msgs.chunks(APPEND_GROUP) {
            let raws: Vec<Vec<u8>> = group.iter().map(|(_, raw)| raw.clone()).collect();
            self.mb.append(&folder, &raws).await?;
            self.touched.insert(folder.clone());
            self.report.appends += raws.len() as u64;
            let (lo, hi) = (group[0].0.seq_from, group[group.len() - 1].0.seq_to);
            self.report.uploaded +=
                synced.iter().filter(|c| (lo..=hi).contains(&c.seq)).count() as u64;
            if outbox {
                st::mark_submitted(self.store.conn(), &self.me, lo, hi, &now)?;
            }
        }
        Ok(())
    }

    /// Publish this device's state when its vector changed since last time.
    async fn publish_device(&mut self) -> SyncResult<()> {
        let vector = snapshot::local_vector(self.store)?;
        let snap = self.snapshot_info()?;
        let payload_key =
            serde_json::to_string(&(&vector, &self.o.device_name, &snap)).expect("serializes");
        let mine: Vec<u32> = self.known[&self.f.devices]
            .iter()
            .filter(|k| k.tag == self.my_tag)
            .map(|k| k.uid)
            .collect();
        if self.store.meta(META_PUBLISHED)?.as_deref() == Some(payload_key.as_str())
            && !mine.is_empty()
        {
            return Ok(());
        }
        let now = chrono::Utc::now();
        let d = DevicePayload {
            device: self.me.clone(),
            name: self.o.device_name.clone(),
            vector: vector.clone(),
            last_seen: now.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            snapshot: snap,
        };
        let (_, raw) = batch::seal_device(
            &self.o.key,
            &d,
            now.timestamp_millis() as u64,
            self.o.kdf.clone(),
        );
        let folder = self.f.devices.clone();
        self.mb.append(&folder, &[raw]).await?;
        self.report.appends += 1;
        self.touched.insert(folder.clone());
        self.store.set_meta(META_PUBLISHED, &payload_key)?;
        st::put_device(
            self.store.conn(),
            &DeviceInfo {
                device: self.me.clone(),
                tag: self.my_tag.clone(),
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

    async fn delete(&mut self, folder: &str, uids: &[u32]) -> SyncResult<()> {
        self.mb.delete(folder, uids).await?;
        self.touched.insert(folder.to_string());
        self.report.deleted += uids.len() as u64;
        self.forget_known(folder, uids);
        Ok(())
    }

    fn forget_known(&mut self, folder: &str, uids: &[u32]) {
        if let Some(k) = self.known.get_mut(folder) {
            k.retain(|m| !uids.contains(&m.uid));
        }
    }

    async fn write_snapshot(&mut self, epoch: u64) -> SyncResult<()> {
        let s = snapshot::make(self.store, epoch)?;
        let counter = chrono::Utc::now().timestamp_millis() as u64;
        let counter = counter.max(self.latest_snapshot().map(|s| s.0 + 1).unwrap_or(0));
        let parts = batch::seal_snapshot(&self.o.key, &s, counter);
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
        })?;
        if !old.is_empty() {
            self.delete(&folder, &old).await?;
        }
        Ok(())
    }

    /// `replace-remote`: wipe batches and snapshots, publish this device's state as
    /// a snapshot of a new epoch; other devices rebuild from it.
    async fn replace_remote(&mut self) -> SyncResult<()> {
        for folder in [self.f.changes.clone(), self.f.snapshots.clone()] {
            let uids: Vec<u32> = self.known[&folder].iter().map(|k| k.uid).collect();
            if !uids.is_empty() {
                self.delete(&folder, &uids).await?;
            }
        }
        let epoch = self.epoch()? + 1;
        self.write_snapshot(epoch).await?;
        self.store.set_meta(META_EPOCH, &epoch.to_string())?;
        let last = st::max_seq(self.store.conn(), &self.me)?;
        let now = chrono::Utc::now().to_rfc3339();
        st::mark_submitted(self.store.conn(), &self.me, 1, last, &now)?;
        Ok(())
    }

    /// Learn the UIDs of what we appended (so the next round is idle), then save
    /// what we know of each folder.
    async fn finish(&mut self) -> SyncResult<()> {
        for folder in self.touched.clone() {
            let before = self.states[&folder];
            let now = self.mb.state(&folder).await?;
            let check = if now.uidvalidity == before.uidvalidity {
                let added = now.uidnext.saturating_sub(before.uidnext);
                let expected = self.known[&folder].len() as u32 + added;
                if now.exists == expected {
                    FolderCheck::NewFrom(before.uidnext)
                } else {
                    FolderCheck::Full
                }
            } else {
                FolderCheck::Full
            };
            self.refresh(&folder, check).await?;
            self.states.insert(folder, now);
        }
        let rejected = serde_json::to_string(&self.rejected).expect("serializes");
        let states = self.states.clone();
        let known = self.known.clone();
        self.store.write(|w| {
            for (folder, s) in &states {
                let remembered = RememberedFolder {
                    uidvalidity: s.uidvalidity,
                    uidnext: s.uidnext,
                    highestmodseq: s.highestmodseq,
                    exists: s.exists,
                };
                st::set_folder(w.tx(), folder, &remembered)?;
                st::clear_messages(w.tx(), folder)?;
                for k in &known[folder] {
                    st::put_message(w.tx(), k)?;
                }
            }
            w.tx().execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [META_REJECTED, rejected.as_str()],
            )?;
            Ok(())
        })?;
        Ok(())
    }
}

const SKIP: &str = "skip";

/// A placeholder for a sequence number the owner keeps out of sync.
fn skip_marker(device: &str, seq: u64) -> Change {
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

/// Check listing headers of a message kind (used by `join`).
pub fn kind_of(k: &KnownMessage) -> Option<MsgKind> {
    MsgKind::parse(&k.kind)
}
