//! What sync remembers between rounds, as plain data: the store keeps it, the
//! planner in `sync/` reasons over it.

use std::collections::BTreeMap;

/// Per device: the highest sequence number applied here with no gap below it.
pub type Vector = BTreeMap<String, u64>;

/// What we remember of a server folder between syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RememberedFolder {
    pub uidvalidity: u32,
    pub uidnext: u32,
    pub highestmodseq: Option<u64>,
    pub exists: u32,
}

/// A message known to be on the server. Its identity is what this device
/// authenticated: the sealed identity of a format-3 listing, or the payload of an
/// older message once opened. Until then `device` is empty and the range 0-0.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnownMessage {
    pub folder: String,
    pub uid: u32,
    /// `batch`, `device`, `snapshot` or `rekeyed`.
    pub kind: String,
    /// The device that wrote it; empty while not authenticated.
    pub device: String,
    /// Batches: the sequence range. Device states and snapshot parts: the counter.
    pub seq_from: u64,
    pub seq_to: u64,
    pub message_id: String,
    pub size: u64,
}

/// Another device (or this one) as its state messages describe it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DeviceInfo {
    pub device: String,
    pub tag: String,
    pub name: String,
    pub last_seen: String,
    /// What it has applied, as it last published.
    pub vector: Vector,
    pub forgotten: bool,
}
