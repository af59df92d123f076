//! A newer epoch (another device's replace-remote or rekey) that waits for this
//! device's user (issue 20): read from what the last rounds stored, so the Sync
//! tab can name it between rounds and after a restart.

use super::{META_EPOCH, META_SNAPSHOT, SyncResult};
use crate::store::Store;
use crate::store::sync_state as st;
use crate::sync::batch::SnapshotInfo;

/// The server's data of a newer epoch, not taken here yet.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WaitingEpoch {
    pub epoch: u64,
    /// The device that made the snapshot (its id; empty when unknown).
    pub made_by: String,
    /// Its name as devices list it (else the start of its id, else "another device").
    pub made_by_name: String,
    /// When it was made (RFC 3339; empty when the maker did not say).
    pub made_at: String,
}

/// This device's epoch: the newest it took (0 before any replace-remote).
pub(super) fn local_epoch(store: &Store) -> SyncResult<u64> {
    Ok(store
        .meta(META_EPOCH)?
        .and_then(|s| s.parse().ok())
        .unwrap_or(0))
}

/// The newest snapshot heard of (from device states or opened parts).
pub(super) fn heard_snapshot(store: &Store) -> SyncResult<Option<SnapshotInfo>> {
    Ok(store
        .meta(META_SNAPSHOT)?
        .and_then(|s| serde_json::from_str(&s).ok()))
}

/// The newer epoch another device published when this device has synced before
/// (a new device starts from whatever epoch the server is in). Nothing here is
/// reset meanwhile; `pim sync --mode replace-local` (or the Sync tab) takes it.
pub fn waiting_epoch(store: &Store) -> SyncResult<Option<WaitingEpoch>> {
    let me = store.device();
    let vector = st::vector(store)?;
    if vector.iter().all(|(d, s)| d == me || *s == 0) {
        return Ok(None);
    }
    let epoch = local_epoch(store)?;
    let Some(info) = heard_snapshot(store)?.filter(|i| i.epoch > epoch) else {
        return Ok(None);
    };
    let name = st::devices(store)?
        .into_iter()
        .find(|d| !info.made_by.is_empty() && d.device == info.made_by)
        .map(|d| d.name)
        .filter(|n| !n.is_empty());
    let made_by_name = name.unwrap_or_else(|| match info.made_by.get(..8) {
        Some(short) => short.to_string(),
        None if !info.made_by.is_empty() => info.made_by.clone(),
        None => "another device".into(),
    });
    Ok(Some(WaitingEpoch {
        epoch: info.epoch,
        made_by: info.made_by,
        made_by_name,
        made_at: info.made_at,
    }))
}
