//! The executor: one sync round over a [`Mailbox`] (DESIGN.md §5). It gathers
//! state, asks [`super::plan`] what to do and does it, keeping every step safe to
//! interrupt: changes are applied with the vector advance in one transaction, the
//! outbox is marked only after the server stored a batch, and what we remember of
//! the server is saved only at the end.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::apply::{Policy, apply_remote, follow_up};
use super::batch::{self, DevicePayload, SnapshotInfo, SnapshotPayload};
use super::crypto::SyncKey;
use super::envelope::{self, Header, HeaderError, LIST_HEADERS, MsgKind};
use super::mailbox::{FolderState, Mailbox, MailboxError};
use super::plan::{self, FolderCheck, Inputs, Mode, Plan, Range};
use super::scope::Scope;
use super::signing::{DeviceSigner, Signers};
use super::snapshot;

mod epoch;
mod known;
mod lost;
mod receive;
mod scoped;
mod send;
mod signed;
use crate::model::{Change, Op};
use crate::store::sync_state::{self as st, DeviceInfo, KnownMessage, RememberedFolder};
use crate::store::{Store, StoreError};
pub use epoch::{WaitingEpoch, waiting_epoch};
pub use signed::device_signer;

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Setup(String),
    /// A marker sealed with this device's key says the key was replaced
    /// (`pim sync rekey` on another device).
    #[error(
        "this profile's sync key was replaced ({0}); join again with the new key: `pim sync join --key NEW`"
    )]
    KeyReplaced(String),
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
    /// Only these collections (`--collection`): other changes wait for a later
    /// sync, own ones in the outbox, received ones in `sync_held`.
    pub scope: Option<Scope>,
    /// Take a new epoch (another device's `replace-remote` or `rekey`) without
    /// asking: `join` sets it. Otherwise a new epoch waits for the user
    /// ([`SyncReport::epoch_pending`]) and nothing here is reset.
    pub accept_epoch: bool,
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
            scope: None,
            accept_epoch: false,
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
    /// Messages that failed authentication or carry malformed X-Pim headers
    /// (ignored, never applied).
    pub rejected: u64,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub imap_commands: u64,
    /// Messages appended.
    pub appends: u64,
    /// Received changes outside `--collection`, kept for a later sync.
    pub held: u64,
    /// Own changes outside `--collection`, left in the outbox.
    pub queued: u64,
    /// The sync folders on the server were lost or recreated since this device
    /// last saw them (why); it republishes everything it holds as a snapshot.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lost_folders: Option<String>,
    /// Another device replaced the server's data (a new epoch): this device
    /// keeps its records and waits until the user takes it
    /// (`--mode replace-local`) or puts this device's data back
    /// (`--mode replace-remote`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub epoch_pending: Option<u64>,
    /// Records republished in that snapshot this round (0 while it waits for a
    /// complete round: changes held back, or `--collection`).
    pub republished: u64,
    /// Devices whose messages came signed with another key than the one they
    /// are bound to (a key holder writing as them): refused, never applied.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refused_keys: Vec<RefusedKey>,
    /// The plan, for `--dry-run`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<Plan>,
}

/// A message refused because its device is bound to another signing key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefusedKey {
    pub device: String,
    /// Its name as last published (empty when never heard).
    pub name: String,
    /// The key the device is bound to, and the one the message was signed with
    /// (short forms).
    pub bound: String,
    pub offered: String,
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
const APPLY_GROUP: usize = 50_000;

const META_PUBLISHED: &str = "sync.published";
const META_REJECTED: &str = "sync.rejected";
/// Locations of other devices' batches whose body opened here: only they count as
/// "on the server" when deciding whether folders were lost (a replayed sealed
/// identity over a junk body must not hide that the real batch is gone).
const META_VERIFIED: &str = "sync.verified";
/// "3" once the remembered listing holds authenticated identities (devices, not tags).
const META_KNOWN: &str = "sync.known";
const META_EPOCH: &str = "sync.epoch";
const META_SNAPSHOT: &str = "sync.snapshot";
/// The highest own sequence number ever handed to the server (written before
/// each APPEND): changes above it may be reordered by a scoped sync.
const META_ATTEMPTED: &str = "sync.attempted";
/// Why the folders must be rebuilt from this device's state (set until done).
const META_REBUILD: &str = "sync.rebuild";

/// The working state of one round.
struct Round<'a, M: Mailbox> {
    store: &'a mut Store,
    mb: &'a mut M,
    o: &'a SyncOptions,
    f: Folders,
    me: String,
    states: BTreeMap<String, FolderState>,
    /// What each folder holds, with identities this device authenticated.
    known: BTreeMap<String, Vec<KnownMessage>>,
    touched: BTreeSet<String>,
    rejected: BTreeSet<String>,
    /// Locations of batches whose body opened here; `None` before the first round
    /// that kept them (an upgrade): then every listed batch is trusted once.
    verified: Option<BTreeSet<String>>,
    /// Message-IDs of what this round appended.
    appended: BTreeSet<String>,
    /// This device's signing key, and the keys other devices are bound to.
    signer: DeviceSigner,
    signers: Signers,
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
    let verified: Option<BTreeSet<String>> = store
        .meta(META_VERIFIED)?
        .and_then(|s| serde_json::from_str(&s).ok());
    let signer = device_signer(store)?;
    let signers = Signers::load(store, &o.key, &signer)?;
    if !o.dry_run && signers.replaces_stored(store)? {
        signers.save(store)?;
    }
    let mut r = Round {
        signer,
        signers,
        me,
        f: Folders::new(&o.root),
        store,
        mb,
        o,
        states: BTreeMap::new(),
        known: BTreeMap::new(),
        touched: BTreeSet::new(),
        rejected,
        verified,
        appended: BTreeSet::new(),
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

/// A listed message as this device knows it: a format-3 identity opened with
/// the key, or (older formats) nothing but its place until its body opens.
fn known_from(folder: &str, uid: u32, size: u64, h: &Header) -> KnownMessage {
    let (device, seq_from, seq_to) = if h.version >= 3 {
        (h.device.clone(), h.seq_from, h.seq_to)
    } else {
        (String::new(), 0, 0)
    };
    KnownMessage {
        folder: folder.to_string(),
        uid,
        kind: h.kind.as_str().to_string(),
        device,
        seq_from,
        seq_to,
        message_id: h.message_id.clone(),
        size,
    }
}

/// The epoch this device is in (raised by `replace-remote` and `rekey`); its
/// device tag in format-3 headers is derived for it.
pub fn current_epoch(store: &Store) -> u64 {
    store
        .meta(META_EPOCH)
        .ok()
        .flatten()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

/// The tag this device's messages carry in clear now (progress counting).
pub fn own_tag(store: &Store, key: &SyncKey) -> String {
    key.device_tag_at(current_epoch(store), store.device())
}

impl<M: Mailbox> Round<'_, M> {
    async fn run(&mut self) -> SyncResult<()> {
        if self.o.scope.is_some() && matches!(self.o.mode, Mode::ReplaceRemote | Mode::ReplaceLocal)
        {
            return Err(SyncError::Setup(format!(
                "--collection works with --mode two-way, push or pull; {} acts on every collection",
                serde_json::to_value(self.o.mode)
                    .expect("modes serialize")
                    .as_str()
                    .unwrap_or("")
            )));
        }
        let mut checks = BTreeMap::new();
        let mut lost = Vec::new();
        for name in self.f.all().map(str::to_string) {
            let remembered = st::folder(&*self.store, &name)?;
            let state = match self.mb.state(&name).await {
                Err(MailboxError::NoFolder(_)) if !self.o.dry_run => {
                    if remembered.is_some() {
                        lost.push(format!("{name} was deleted"));
                    }
                    self.mb.ensure_folder(&name).await?;
                    self.mb.state(&name).await?
                }
                Err(MailboxError::NoFolder(_)) => {
                    // A dry run creates nothing: plan as if the folder were empty.
                    self.states.insert(name.clone(), FolderState::default());
                    self.known.insert(name.clone(), Vec::new());
                    checks.insert(name, FolderCheck::Unchanged);
                    continue;
                }
                other => other?,
            };
            if let Some(r) = &remembered
                && r.uidvalidity != state.uidvalidity
                && lost.is_empty()
            {
                lost.push(format!("{name} was recreated (new UIDVALIDITY)"));
            }
            checks.insert(
                name.clone(),
                plan::check_folder(remembered.as_ref(), &state),
            );
            // UIDs of another UIDVALIDITY name other messages: nothing carries over.
            let same_validity = remembered
                .as_ref()
                .is_some_and(|r| r.uidvalidity == state.uidvalidity);
            self.states.insert(name.clone(), state);
            let rows = if same_validity {
                st::messages(&*self.store, &name)?
            } else {
                Vec::new()
            };
            self.known.insert(name.clone(), rows);
        }
        self.upgrade_known()?;
        let mut new_devices = Vec::new();
        for (name, check) in &checks {
            let fresh = self.refresh(name, *check).await?;
            if name == &self.f.devices {
                new_devices = fresh;
            } else if name == &self.f.changes && self.o.mode.uploads() {
                self.check_own_batches(&fresh).await?;
            }
        }
        lost.extend(self.own_record_missing()?);
        // replace-remote republishes everything anyway (and `rekey` empties the
        // folders on purpose).
        if self.o.mode == Mode::ReplaceRemote {
            lost.clear();
        }
        // Device records gone with the folders are not `pim devices forget`.
        let full = checks[&self.f.devices] == FolderCheck::Full && lost.is_empty();
        self.read_devices(&new_devices, full).await?;
        lost.extend(self.vector_ahead()?);
        let epoch_pending = self.epoch_pending()?;
        if epoch_pending.is_some() {
            // The server's state is another epoch's: not lost, and not ours to rebuild.
            lost.clear();
        }
        self.report.epoch_pending = epoch_pending;
        self.note_lost(&lost)?;
        if self.o.mode.downloads() && !self.o.dry_run {
            self.maybe_bootstrap().await?;
        }
        if (self.o.mode.downloads() || self.o.mode == Mode::ReplaceRemote) && !self.o.dry_run {
            self.apply_held()?;
        }
        if self.o.mode.uploads() && !self.o.dry_run {
            let attempted = self.attempted()?;
            super::catch_up::republish(self.store, attempted)?;
        }
        if self.o.mode == Mode::ReplaceRemote && !self.o.dry_run {
            self.replace_remote().await?;
        }
        let mut inputs = self.inputs()?;
        if let Some(scope) = self.o.scope.clone()
            && self.o.mode.uploads()
        {
            inputs.upload_to = Some(self.scope_outbox(&scope)?);
        }
        let plan = plan::plan(&inputs);
        if self.o.dry_run {
            self.report.held = crate::store::sync_scope::held_count(&*self.store)?;
            self.report.plan = Some(plan);
            return Ok(());
        }
        let fresh = self.download(&plan.fetch).await?;
        self.apply_pending(fresh)?;
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
        // Only authenticated batches count (the planner's rule): junk cannot make
        // this device write snapshot after snapshot.
        let inputs = self.inputs()?;
        // A snapshot holds everything its vector covers: not while changes wait.
        let complete =
            self.o.scope.is_none() && crate::store::sync_scope::held_count(&*self.store)? == 0;
        let rebuild = self.store.meta(META_REBUILD)?.filter(|r| !r.is_empty());
        // While a new epoch waits, a snapshot of the old one would replace it.
        let complete = complete && epoch_pending.is_none();
        if complete && (rebuild.is_some() || plan::wants_snapshot(&inputs, self.o.snapshot_every)) {
            let epoch = self.epoch()?;
            let records = self.write_snapshot(epoch).await?;
            if rebuild.is_some() {
                self.report.republished = records;
                self.store.set_meta(META_REBUILD, "")?;
            }
        }
        self.publish_device().await?;
        self.report.held = crate::store::sync_scope::held_count(&*self.store)?;
        self.finish().await
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
            self.states.insert(folder.clone(), now);
            let fresh = self.refresh(&folder, check).await?;
            if folder == self.f.changes {
                self.check_own_batches(&fresh).await?;
            }
        }
        // Forget rejections of messages no longer on the server.
        let present: BTreeSet<String> = self
            .known
            .iter()
            .flat_map(|(f, ks)| ks.iter().map(|k| self.location(f, k.uid)))
            .collect();
        self.rejected.retain(|r| present.contains(r));
        let rejected = serde_json::to_string(&self.rejected).expect("serializes");
        let changes = self.f.changes.clone();
        let verified = match self.verified.take() {
            Some(mut v) => {
                v.retain(|r| present.contains(r));
                v
            }
            None => self.known[&changes]
                .iter()
                .map(|k| self.location(&k.folder, k.uid))
                .collect(),
        };
        let verified = serde_json::to_string(&verified).expect("serializes");
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
                st::set_folder(w, folder, &remembered)?;
                st::clear_messages(w, folder)?;
                for k in &known[folder] {
                    st::put_message(w, k)?;
                }
            }
            w.set_meta(META_KNOWN, "3")?;
            w.set_meta(META_VERIFIED, &verified)?;
            w.set_meta(META_REJECTED, &rejected)
        })?;
        Ok(())
    }
}

/// Check listing headers of a message kind (used by `join`).
pub fn kind_of(k: &KnownMessage) -> Option<MsgKind> {
    MsgKind::parse(&k.kind)
}
