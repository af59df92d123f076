//! `pim sync rekey`: the answer to a lost device. A new key replaces the old one;
//! everything on the server is replaced by a snapshot sealed with the new key,
//! and a marker sealed with the old key tells devices that still hold it (and
//! are not told the new one) that it was replaced. They read nothing new.

use serde::{Deserialize, Serialize};

use super::crypto::SyncKey;
use super::engine::{
    Folders, SyncError, SyncOptions, SyncReport, SyncResult, current_epoch, sync_once,
};
use super::envelope::{self, Header, LIST_HEADERS, MsgKind};
use super::mailbox::Mailbox;
use super::plan::Mode;
use crate::store::Store;

/// What the marker left under the old key says (authenticated by that key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RekeyedPayload {
    /// When the key was replaced.
    pub replaced_at: String,
}

/// The error a device holding a replaced key gets.
pub fn key_replaced(at: &str) -> SyncError {
    SyncError::KeyReplaced(at.to_string())
}

/// Seal the marker under `old`, tagged for the epoch this device was in.
pub fn seal_marker(old: &SyncKey, device: &str, epoch: u64, at: &str) -> Vec<u8> {
    let h = Header::new(old, MsgKind::Rekeyed, device, epoch, 0, 0);
    let p = RekeyedPayload {
        replaced_at: at.to_string(),
    };
    envelope::seal(old, &h, &serde_json::to_vec(&p).expect("serializes"))
}

/// Open a marker: `Some(when)` when `key` is the key it says was replaced.
pub fn open_marker(key: &SyncKey, raw: &[u8]) -> Option<String> {
    let (h, plain) = envelope::open(key, raw).ok()?;
    let p: RekeyedPayload = serde_json::from_slice(&plain).ok()?;
    (h.kind == MsgKind::Rekeyed).then_some(p.replaced_at)
}

/// Replace the key: sync once under the old key (nothing uploaded is lost),
/// leave the marker, delete every other message, then publish this device's
/// state as a snapshot of a new epoch under `new` (with `new_kdf`, if any).
pub async fn rekey<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    old: &SyncOptions,
    new: SyncKey,
    new_kdf: Option<String>,
) -> SyncResult<SyncReport> {
    if old.key == new {
        return Err(SyncError::Setup("the new key is the old key".into()));
    }
    let mut first = old.clone();
    first.mode = Mode::TwoWay;
    first.dry_run = false;
    first.scope = None;
    match sync_once(store, mb, &first).await {
        // A rekey cut short before: the marker is there already.
        Ok(_) | Err(SyncError::KeyReplaced(_)) => {}
        Err(e) => return Err(e),
    }
    let f = Folders::new(&old.root);
    for folder in f.all() {
        let uids: Vec<u32> = mb
            .list(folder, 1, LIST_HEADERS)
            .await?
            .into_iter()
            .map(|m| m.uid)
            .collect();
        if !uids.is_empty() {
            mb.delete(folder, &uids).await?;
        }
    }
    let at = store.clock().now_rfc3339();
    let epoch = current_epoch(store);
    mb.append(
        &f.devices,
        &[seal_marker(&old.key, store.device(), epoch, &at)],
    )
    .await?;
    let mut o = first;
    o.key = new;
    o.kdf = new_kdf;
    o.mode = Mode::ReplaceRemote;
    sync_once(store, mb, &o).await
}
