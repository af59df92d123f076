//! Payloads inside sealed messages: change batches, device states and snapshots,
//! and their packing into messages under the size cap (DESIGN.md §5.1).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::crypto::SyncKey;
use super::envelope::{self, EnvelopeError, Header, MAX_SEALED, MsgKind};
use super::merge::RecState;
use super::signing::{DeviceSigner, PublicKey};
use crate::model::{Change, Collection};
use crate::store::sync_state::Vector;

/// Changes `from..=to` of one device. Sequence numbers of changes this device keeps
/// out of sync (collections with sync off) are listed in `skipped`, so receivers'
/// vectors still advance without a gap.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchPayload {
    pub device: String,
    pub from: u64,
    pub to: u64,
    pub changes: Vec<Change>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<u64>,
}

/// One device's published state (PIM/Devices).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevicePayload {
    pub device: String,
    pub name: String,
    /// What this device has applied (its own entry: its last change).
    pub vector: Vector,
    pub last_seen: String,
    /// The newest snapshot this device wrote, so others know what it covers
    /// without downloading it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<SnapshotInfo>,
    /// Own sequence numbers from here on are only ever sent signed (earlier ones
    /// may be on the server unsigned, from before this device had a signing key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signs_from: Option<u64>,
}

/// What a snapshot covers, published beside device states.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotInfo {
    /// The snapshot's counter (in its parts' authenticated identity).
    pub counter: u64,
    pub epoch: u64,
    pub vector: Vector,
    /// The device that made it (the one whose state names it) and when (RFC 3339;
    /// empty when written by a version that did not say): what the Sync tab names
    /// when a newer epoch waits for the user.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub made_by: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub made_at: String,
}

/// Full state of the synced collections (PIM/Snapshots), for bootstrapping.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotPayload {
    pub made_by: String,
    pub made_at: String,
    /// The changes the snapshot includes.
    pub vector: Vector,
    pub collections: Vec<Collection>,
    /// Every record's fold, deleted ones included (they stop stale edits reviving
    /// them and let concurrent edits bring them back).
    pub records: Vec<RecState>,
    /// Raised by `replace-remote`: devices seeing a newer epoch rebuild from it.
    #[serde(default)]
    pub epoch: u64,
}

/// Seal changes into as few messages as the size cap allows. `changes` must be
/// one device's, contiguous with `skipped`, in order; `epoch` picks the tag.
pub fn pack_batches(
    key: &SyncKey,
    signer: Option<&DeviceSigner>,
    device: &str,
    epoch: u64,
    changes: &[Change],
    skipped: &[u64],
) -> Vec<(Header, Vec<u8>)> {
    let mut seqs: Vec<u64> = changes
        .iter()
        .map(|c| c.seq)
        .chain(skipped.iter().copied())
        .collect();
    seqs.sort_unstable();
    let mut out = Vec::new();
    // Start from chunks of a few thousand; halve any chunk that seals too large.
    let mut todo: Vec<Vec<u64>> = seqs.chunks(4000).map(|c| c.to_vec()).collect();
    todo.reverse();
    let by_seq: BTreeMap<u64, &Change> = changes.iter().map(|c| (c.seq, c)).collect();
    while let Some(range) = todo.pop() {
        let (from, to) = (range[0], *range.last().expect("non-empty"));
        let payload = BatchPayload {
            device: device.to_string(),
            from,
            to,
            changes: range
                .iter()
                .filter_map(|s| by_seq.get(s).map(|c| (*c).clone()))
                .collect(),
            skipped: range
                .iter()
                .copied()
                .filter(|s| !by_seq.contains_key(s))
                .collect(),
        };
        let json = serde_json::to_vec(&payload).expect("batches serialize");
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 6);
        if packed.len() + 64 > MAX_SEALED && range.len() > 1 {
            let mid = range.len() / 2;
            todo.push(range[mid..].to_vec());
            todo.push(range[..mid].to_vec());
            continue;
        }
        let header = Header::new(key, MsgKind::Batch, device, epoch, from, to);
        let raw = envelope::seal_packed_signed(key, signer, &header, &packed);
        out.push((header, raw));
    }
    out
}

#[derive(Debug, thiserror::Error)]
pub enum PayloadError {
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error("message {0}: {1}")]
    Invalid(String, String),
}

fn parse_json<T: serde::de::DeserializeOwned>(id: &str, plain: &[u8]) -> Result<T, PayloadError> {
    serde_json::from_slice(plain).map_err(|e| PayloadError::Invalid(id.to_string(), e.to_string()))
}

/// Open a batch and check that its payload matches its authenticated header.
pub fn open_batch(key: &SyncKey, raw: &[u8]) -> Result<BatchPayload, PayloadError> {
    open_batch_signed(key, raw).map(|(p, _)| p)
}

/// Like [`open_batch`], with the key that signed it (`None`: unsigned).
pub fn open_batch_signed(
    key: &SyncKey,
    raw: &[u8],
) -> Result<(BatchPayload, Option<PublicKey>), PayloadError> {
    let (h, plain, signer) = envelope::open_signed(key, raw)?;
    let p: BatchPayload = parse_json(&h.message_id, &plain)?;
    let consistent = h.kind == MsgKind::Batch
        && p.from == h.seq_from
        && p.to == h.seq_to
        && h.is_from(key, &p.device)
        && p.changes
            .iter()
            .all(|c| c.device == p.device && (p.from..=p.to).contains(&c.seq))
        && p.skipped.iter().all(|s| (p.from..=p.to).contains(s));
    if !consistent {
        return Err(PayloadError::Invalid(
            h.message_id,
            "payload does not match its headers".into(),
        ));
    }
    Ok((p, signer))
}

pub fn seal_device(
    key: &SyncKey,
    signer: Option<&DeviceSigner>,
    d: &DevicePayload,
    epoch: u64,
    counter: u64,
    kdf: Option<String>,
) -> (Header, Vec<u8>) {
    let mut h = Header::new(key, MsgKind::Device, &d.device, epoch, counter, counter);
    h.kdf = kdf;
    let json = serde_json::to_vec(d).expect("devices serialize");
    let raw = envelope::seal_signed(key, signer, &h, &json);
    (h, raw)
}

pub fn open_device(key: &SyncKey, raw: &[u8]) -> Result<DevicePayload, PayloadError> {
    open_device_signed(key, raw).map(|(d, _)| d)
}

/// Like [`open_device`], with the key that signed it (`None`: unsigned).
pub fn open_device_signed(
    key: &SyncKey,
    raw: &[u8],
) -> Result<(DevicePayload, Option<PublicKey>), PayloadError> {
    let (h, plain, signer) = envelope::open_signed(key, raw)?;
    let d: DevicePayload = parse_json(&h.message_id, &plain)?;
    let in_range = storable(&d.vector)
        && d.snapshot
            .as_ref()
            .is_none_or(|s| storable(&s.vector) && fits_sqlite(s.counter) && fits_sqlite(s.epoch))
        && d.signs_from.is_none_or(fits_sqlite);
    if h.kind != MsgKind::Device || !h.is_from(key, &d.device) || !in_range {
        return Err(PayloadError::Invalid(
            h.message_id,
            "device state does not match its headers".into(),
        ));
    }
    Ok((d, signer))
}

/// Seal a snapshot as parts, each under the size cap, tagged for its epoch.
pub fn seal_snapshot(
    key: &SyncKey,
    signer: Option<&DeviceSigner>,
    s: &SnapshotPayload,
    counter: u64,
) -> Vec<(Header, Vec<u8>)> {
    let json = serde_json::to_vec(s).expect("snapshots serialize");
    let packed = miniz_oxide::deflate::compress_to_vec(&json, 6);
    let chunk = MAX_SEALED - 64;
    let n = packed.len().div_ceil(chunk).max(1) as u32;
    let id = uuid::Uuid::new_v4().simple().to_string();
    (0..n)
        .map(|i| {
            let lo = i as usize * chunk;
            let hi = (lo + chunk).min(packed.len());
            let mut h = Header::new(
                key,
                MsgKind::Snapshot,
                &s.made_by,
                s.epoch,
                counter,
                counter,
            );
            h.part = Some((id.clone(), i, n));
            let raw = envelope::seal_packed_signed(key, signer, &h, &packed[lo..hi]);
            (h, raw)
        })
        .collect()
}

/// Reassemble a snapshot from all of its parts (any order); every part must open
/// and belong to the same snapshot.
pub fn open_snapshot(key: &SyncKey, parts: &[Vec<u8>]) -> Result<SnapshotPayload, PayloadError> {
    let mut group: Option<SnapshotParts> = None;
    for raw in parts {
        let part = SnapshotPart::open(key, raw)?;
        let g = group.get_or_insert_with(|| SnapshotParts::new(&part));
        if !g.admits(&part) {
            return Err(PayloadError::Invalid(
                part.message_id,
                "parts of different snapshots".into(),
            ));
        }
        g.add(part);
    }
    match group {
        Some(g) => g.assemble(key),
        None => Err(PayloadError::Invalid(
            String::new(),
            "no snapshot parts".into(),
        )),
    }
}

/// One authenticated snapshot part: its identity comes from the opened (AEAD
/// bound) header, never from the listing.
#[derive(Debug)]
pub struct SnapshotPart {
    pub id: String,
    pub index: u32,
    pub count: u32,
    pub counter: u64,
    /// The opened header: who wrote the part (format 3) or its tag (older).
    pub header: Header,
    pub message_id: String,
    /// Who signed the part (`None`: unsigned).
    pub signer: Option<PublicKey>,
    packed: Vec<u8>,
}

impl SnapshotPart {
    fn new(
        h: Header,
        packed: Vec<u8>,
        signer: Option<PublicKey>,
    ) -> Result<SnapshotPart, PayloadError> {
        match (h.kind, &h.part) {
            (MsgKind::Snapshot, Some((id, index, count))) => Ok(SnapshotPart {
                id: id.clone(),
                index: *index,
                count: *count,
                counter: h.seq_from,
                message_id: h.message_id.clone(),
                header: h,
                signer,
                packed,
            }),
            _ => Err(PayloadError::Invalid(
                h.message_id,
                "snapshot part without X-Pim-Part".into(),
            )),
        }
    }

    /// Open one listed snapshot message.
    pub fn open(key: &SyncKey, raw: &[u8]) -> Result<SnapshotPart, PayloadError> {
        let (h, packed, signer) = envelope::open_packed_signed(key, raw)?;
        SnapshotPart::new(h, packed, signer)
    }
}

/// The authenticated parts of one snapshot, gathered by its authenticated id.
#[derive(Debug)]
pub struct SnapshotParts {
    pub id: String,
    pub counter: u64,
    /// The first part's header: every part must come from the same writer.
    maker: Header,
    /// The key every part is signed with (`None`: unsigned parts).
    pub signer: Option<PublicKey>,
    count: u32,
    pieces: BTreeMap<u32, SnapshotPart>,
}

impl SnapshotParts {
    pub fn new(first: &SnapshotPart) -> SnapshotParts {
        SnapshotParts {
            id: first.id.clone(),
            counter: first.counter,
            maker: first.header.clone(),
            signer: first.signer,
            count: first.count,
            pieces: BTreeMap::new(),
        }
    }

    /// Whether `p` is a part of this snapshot (same id, counter, maker, signer
    /// and count): a part signed by someone else never joins it.
    pub fn admits(&self, p: &SnapshotPart) -> bool {
        p.id == self.id
            && p.counter == self.counter
            && p.header.tag == self.maker.tag
            && p.header.device == self.maker.device
            && p.count == self.count
            && p.signer == self.signer
    }

    pub fn add(&mut self, p: SnapshotPart) {
        self.pieces.insert(p.index, p);
    }

    pub fn is_complete(&self) -> bool {
        self.pieces.len() as u32 == self.count && self.count > 0
    }

    /// Join the parts and decode; the maker named inside must own the parts' tag.
    pub fn assemble(self, key: &SyncKey) -> Result<SnapshotPayload, PayloadError> {
        let mid = self
            .pieces
            .values()
            .next()
            .map(|p| p.message_id.clone())
            .unwrap_or_default();
        if !self.is_complete() {
            return Err(PayloadError::Invalid(
                mid,
                format!("snapshot has {} of {} parts", self.pieces.len(), self.count),
            ));
        }
        let packed: Vec<u8> = self.pieces.into_values().flat_map(|p| p.packed).collect();
        let plain = envelope::unpack(&mid, &packed)?;
        let s: SnapshotPayload = parse_json(&mid, &plain)?;
        if !storable(&s.vector) || !fits_sqlite(s.epoch) {
            return Err(PayloadError::Invalid(
                mid,
                "sequence number out of range".into(),
            ));
        }
        if !self.maker.is_from(key, &s.made_by) {
            return Err(PayloadError::Invalid(
                mid,
                "snapshot maker does not match its device tag".into(),
            ));
        }
        Ok(s)
    }
}

/// Whether a number from a message fits SQLite's signed 64-bit integers.
fn fits_sqlite(n: u64) -> bool {
    i64::try_from(n).is_ok()
}

fn storable(v: &Vector) -> bool {
    v.values().all(|&n| fits_sqlite(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Op, Record};

    fn changes(n: u64, pad: usize) -> Vec<Change> {
        (1..=n)
            .map(|seq| {
                let mut r = Record::new(Kind::Note, "c");
                // Random text compresses poorly, which exercises the size cap.
                let noise: String = (0..pad / 32 + 1)
                    .map(|_| uuid::Uuid::new_v4().simple().to_string())
                    .collect();
                r.set_text("SUMMARY", &format!("note {seq} {noise}"));
                Change {
                    device: "dev".into(),
                    seq,
                    change_id: format!("dev-{seq}"),
                    hlc: format!("{seq:013}-0000-dev"),
                    changed_at: String::new(),
                    submitted_at: String::new(),
                    record_id: r.id.clone(),
                    kind: "note".into(),
                    op: Op::Create {
                        collection: "c".into(),
                        body: r.body,
                    },
                    attachments: Vec::new(),
                }
            })
            .collect()
    }

    #[test]
    fn ten_thousand_changes_fit_a_handful_of_messages_under_the_cap() {
        let key = SyncKey::from_bytes([5; 32]);
        let cs = changes(10_000, 200);
        let msgs = pack_batches(&key, None, "dev", 0, &cs, &[]);
        assert!(msgs.len() <= 30, "{} messages", msgs.len());
        assert!(msgs.len() > 1);
        let mut next = 1;
        for (h, raw) in &msgs {
            assert!(raw.len() <= 1024 * 1024, "{} bytes", raw.len());
            let p = open_batch(&key, raw).unwrap();
            assert_eq!((p.from, p.to), (h.seq_from, h.seq_to));
            assert_eq!(p.from, next);
            next = p.to + 1;
        }
        assert_eq!(next, 10_001);
    }

    #[test]
    fn skipped_sequence_numbers_travel_without_content() {
        let key = SyncKey::from_bytes([5; 32]);
        let cs: Vec<Change> = changes(5, 10).into_iter().filter(|c| c.seq != 3).collect();
        let msgs = pack_batches(&key, None, "dev", 0, &cs, &[3]);
        assert_eq!(msgs.len(), 1);
        let p = open_batch(&key, &msgs[0].1).unwrap();
        assert_eq!((p.from, p.to, p.skipped.clone()), (1, 5, vec![3]));
        assert_eq!(p.changes.len(), 4);
    }

    #[test]
    fn snapshots_split_into_parts_and_reassemble_in_any_order() {
        let key = SyncKey::from_bytes([5; 32]);
        let records: Vec<RecState> = changes(2000, 1200)
            .iter()
            .map(|c| {
                let mut st = RecState::empty(&c.record_id, "note");
                st.apply(c);
                st
            })
            .collect();
        let s = SnapshotPayload {
            made_by: "dev".into(),
            made_at: "now".into(),
            vector: [("dev".to_string(), 3000)].into_iter().collect(),
            collections: Vec::new(),
            records,
            epoch: 0,
        };
        let mut parts: Vec<Vec<u8>> = seal_snapshot(&key, None, &s, 1)
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert!(parts.len() > 1, "expected several parts");
        parts.reverse();
        assert_eq!(open_snapshot(&key, &parts).unwrap(), s);
        parts.pop();
        assert!(open_snapshot(&key, &parts).is_err());
    }

    #[test]
    fn a_snapshot_claims_its_maker_only_under_the_maker_tag() {
        let key = SyncKey::from_bytes([5; 32]);
        let s = SnapshotPayload {
            made_by: "victim".into(),
            made_at: "now".into(),
            vector: Vector::new(),
            collections: Vec::new(),
            records: Vec::new(),
            epoch: 9,
        };
        let json = serde_json::to_vec(&s).unwrap();
        let packed = miniz_oxide::deflate::compress_to_vec(&json, 6);
        let mut h = Header::new(&key, MsgKind::Snapshot, "forger", 9, 1, 1);
        h.part = Some(("id".into(), 0, 1));
        let raw = envelope::seal_packed(&key, &h, &packed);
        assert!(open_snapshot(&key, &[raw]).is_err());
        let genuine: Vec<Vec<u8>> = seal_snapshot(&key, None, &s, 1)
            .into_iter()
            .map(|p| p.1)
            .collect();
        assert_eq!(open_snapshot(&key, &genuine).unwrap(), s);
    }
}
