//! The headers of a sync message: what a listing shows, what [`identify`] opens
//! (the sealed identity of format 3, the clear one of formats 1 and 2), and the
//! bounds every header value must keep.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::super::crypto::SyncKey;
use super::super::identity::{self, Identity, put_field};
use super::{FORMAT, FORMAT_2, LEGACY_FORMAT};

/// Headers the engine asks the mailbox for when listing.
pub const LIST_HEADERS: &[&str] = &[
    "message-id",
    "x-pim-format",
    "x-pim-kind",
    "x-pim-device",
    "x-pim-seq",
    "x-pim-part",
    "x-pim-kdf",
    "x-pim-id",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MsgKind {
    Batch,
    Device,
    Snapshot,
    /// Left under the old key by `pim sync rekey`: devices still holding that key
    /// learn it was replaced (and read nothing sealed with the new one).
    Rekeyed,
}

impl MsgKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MsgKind::Batch => "batch",
            MsgKind::Device => "device",
            MsgKind::Snapshot => "snapshot",
            MsgKind::Rekeyed => "rekeyed",
        }
    }

    pub fn parse(s: &str) -> Option<MsgKind> {
        match s {
            "batch" => Some(MsgKind::Batch),
            "device" => Some(MsgKind::Device),
            "snapshot" => Some(MsgKind::Snapshot),
            "rekeyed" => Some(MsgKind::Rekeyed),
            _ => None,
        }
    }
}

/// A message's identity: clear headers, and (format 3) the sealed identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub kind: MsgKind,
    /// Opaque device tag: [`SyncKey::device_tag_at`] of the epoch (format 3),
    /// [`SyncKey::device_tag`] (formats 1–2).
    pub tag: String,
    /// Batches: the change sequence range. Device states and snapshots: a counter.
    pub seq_from: u64,
    pub seq_to: u64,
    /// Snapshot parts: `(snapshot id, index from 0, count)`.
    pub part: Option<(String, u32, u32)>,
    pub message_id: String,
    /// Passphrase KDF parameters and salt (device messages of passphrase keys).
    pub kdf: Option<String>,
    /// Wire format: 3 (current), 2 or 1 (read only).
    pub version: u8,
    /// Format 3: the device that wrote it. Formats 1–2: empty (the payload says).
    pub device: String,
    /// Format 3: the epoch `tag` is derived for.
    pub tag_epoch: u64,
}

impl Header {
    /// A format-3 header for a message `device` writes in `epoch`.
    pub fn new(
        key: &SyncKey,
        kind: MsgKind,
        device: &str,
        epoch: u64,
        seq_from: u64,
        seq_to: u64,
    ) -> Header {
        Header {
            kind,
            tag: key.device_tag_at(epoch, device),
            seq_from,
            seq_to,
            part: None,
            message_id: format!("<{}@pim.invalid>", uuid::Uuid::new_v4().simple()),
            kdf: None,
            version: 3,
            device: device.to_string(),
            tag_epoch: epoch,
        }
    }

    /// A format-2 header, as devices not yet upgraded write them (tests of mixed
    /// versions; this build never writes format 2).
    pub fn format_2(
        key: &SyncKey,
        kind: MsgKind,
        device: &str,
        seq_from: u64,
        seq_to: u64,
    ) -> Header {
        Header {
            tag: key.device_tag(device),
            version: 2,
            device: String::new(),
            tag_epoch: 0,
            ..Header::new(key, kind, device, 0, seq_from, seq_to)
        }
    }

    /// Whether `device` wrote this opened message: format 3 names it in the sealed
    /// identity, older formats carry its fixed tag.
    pub fn is_from(&self, key: &SyncKey, device: &str) -> bool {
        if self.version >= 3 {
            self.device == device
        } else {
            key.device_tag(device) == self.tag
        }
    }

    /// What the sealed identity block holds.
    pub(super) fn identity(&self) -> Identity {
        Identity {
            device: self.device.clone(),
            epoch: self.tag_epoch,
            from: self.seq_from,
            to: self.seq_to,
            part: self.part.clone(),
        }
    }

    /// The associated data of the identity block: the clear headers.
    pub(super) fn id_aad(&self) -> Vec<u8> {
        let mut out = b"pim-id".to_vec();
        out.push(self.version);
        put_field(&mut out, self.kind.as_str().as_bytes());
        put_field(&mut out, self.tag.as_bytes());
        put_field(&mut out, self.message_id.as_bytes());
        match &self.kdf {
            Some(k) => {
                out.push(1);
                put_field(&mut out, k.as_bytes());
            }
            None => out.push(0),
        }
        out
    }

    /// The associated data the seal binds: every identity field, in a canonical
    /// encoding (versions 2 and 3), or the legacy text of version 1.
    pub(super) fn aad(&self) -> Vec<u8> {
        if self.version == 1 {
            return self.legacy_aad();
        }
        let mut out = b"pim-aad".to_vec();
        out.push(self.version);
        let field = put_field;
        field(&mut out, self.kind.as_str().as_bytes());
        field(&mut out, self.tag.as_bytes());
        out.extend_from_slice(&self.seq_from.to_be_bytes());
        out.extend_from_slice(&self.seq_to.to_be_bytes());
        match &self.part {
            Some((id, i, n)) => {
                out.push(1);
                field(&mut out, id.as_bytes());
                out.extend_from_slice(&i.to_be_bytes());
                out.extend_from_slice(&n.to_be_bytes());
            }
            None => out.push(0),
        }
        field(&mut out, self.message_id.as_bytes());
        match &self.kdf {
            Some(k) => {
                out.push(1);
                field(&mut out, k.as_bytes());
            }
            None => out.push(0),
        }
        if self.version >= 3 {
            field(&mut out, self.device.as_bytes());
            out.extend_from_slice(&self.tag_epoch.to_be_bytes());
        }
        out
    }

    /// Version 1: `|`-joined text, the KDF header not bound.
    fn legacy_aad(&self) -> Vec<u8> {
        let part = match &self.part {
            Some((id, i, n)) => format!("{id} {i}/{n}"),
            None => String::new(),
        };
        format!(
            "pim/{LEGACY_FORMAT}|{}|{}|{}-{}|{}|{}",
            self.kind.as_str(),
            self.tag,
            self.seq_from,
            self.seq_to,
            part,
            self.message_id
        )
        .into_bytes()
    }

    /// Read identity from listed headers (lower-case names). `None` for foreign or
    /// malformed messages.
    pub fn from_headers(h: &BTreeMap<String, String>) -> Option<Header> {
        Header::parse(h).ok()
    }

    /// Read the clear headers of a listing (lower-case names), range-checking every
    /// field: anyone can append to the sync folders, and the numbers end up in SQLite
    /// (which holds at most `i64::MAX`) and in arithmetic. Format 3 identities stay
    /// empty (device, range, part) until [`identify`] opens them.
    pub fn parse(h: &BTreeMap<String, String>) -> Result<Header, HeaderError> {
        let version = match h.get("x-pim-format").map(|f| f.trim()) {
            Some(FORMAT) => 3,
            Some(FORMAT_2) => 2,
            Some(LEGACY_FORMAT) => 1,
            _ => return Err(HeaderError::NotPim),
        };
        let field = |name: &'static str| {
            h.get(name)
                .map(|v| v.trim())
                .ok_or(HeaderError::Malformed(name, "missing"))
        };
        let kind = MsgKind::parse(field("x-pim-kind")?)
            .ok_or(HeaderError::Malformed("x-pim-kind", "unknown kind"))?;
        let tag = bounded_token("x-pim-device", field("x-pim-device")?, MAX_TAG)?;
        let message_id = bounded_text("message-id", field("message-id")?)?;
        let kdf = match h.get("x-pim-kdf") {
            Some(k) => Some(bounded_text("x-pim-kdf", k.trim())?),
            None => None,
        };
        if version >= 3 {
            bounded_text("x-pim-id", field("x-pim-id")?)?;
            return Ok(Header {
                kind,
                tag,
                seq_from: 0,
                seq_to: 0,
                part: None,
                message_id,
                kdf,
                version,
                device: String::new(),
                tag_epoch: 0,
            });
        }
        let (a, b) = field("x-pim-seq")?
            .split_once('-')
            .ok_or(HeaderError::Malformed("x-pim-seq", "expected FROM-TO"))?;
        let (seq_from, seq_to) = (sequence_number(a)?, sequence_number(b)?);
        if seq_from > seq_to {
            return Err(HeaderError::Malformed("x-pim-seq", "FROM is past TO"));
        }
        let part = match h.get("x-pim-part") {
            Some(p) => {
                let bad = HeaderError::Malformed("x-pim-part", "expected ID I/N with I < N");
                let (id, frac) = p.trim().split_once(' ').ok_or(bad.clone())?;
                let (i, n) = frac.split_once('/').ok_or(bad.clone())?;
                let (i, n) = match (canonical(i), canonical(n)) {
                    (Some(i), Some(n)) if i < n && n <= MAX_PARTS as u64 => (i as u32, n as u32),
                    _ => return Err(bad),
                };
                Some((bounded_token("x-pim-part", id, MAX_TAG)?, i, n))
            }
            None => None,
        };
        Ok(Header {
            kind,
            tag,
            seq_from,
            seq_to,
            part,
            message_id,
            kdf,
            version,
            device: String::new(),
            tag_epoch: 0,
        })
    }

    /// The `X-Pim-Format` value of this header's version.
    pub(super) fn format(&self) -> &'static str {
        match self.version {
            1 => LEGACY_FORMAT,
            2 => FORMAT_2,
            _ => FORMAT,
        }
    }
}

/// The identity of a listed message. Format 3: the sealed `X-Pim-Id` block opened
/// with `key` (every field authenticated, the tag checked against the device and
/// epoch it names). Formats 1–2: the clear headers, unauthenticated until the body
/// opens, with no device.
pub fn identify(key: &SyncKey, h: &BTreeMap<String, String>) -> Result<Header, HeaderError> {
    let mut header = Header::parse(h)?;
    if header.version < 3 {
        return Ok(header);
    }
    let sealed = h
        .get("x-pim-id")
        .and_then(|v| B64.decode(v.trim()).ok())
        .ok_or(HeaderError::Malformed("x-pim-id", "not base64"))?;
    let plain = key
        .open(&sealed, &header.id_aad())
        .ok_or(HeaderError::Unauthentic)?;
    let id = identity::decode(&plain)
        .ok_or(HeaderError::Malformed("x-pim-id", "identity out of range"))?;
    if key.device_tag_at(id.epoch, &id.device) != header.tag {
        return Err(HeaderError::Malformed(
            "x-pim-device",
            "tag does not match the sealed identity",
        ));
    }
    header.device = id.device;
    header.tag_epoch = id.epoch;
    header.seq_from = id.from;
    header.seq_to = id.to;
    header.part = id.part;
    Ok(header)
}

/// A decimal number as pim writes it: digits only, no sign, no leading zero.
fn canonical(s: &str) -> Option<u64> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

/// Longest device tag or snapshot id accepted (pim writes 32 hex digits).
const MAX_TAG: usize = identity::MAX_ID;
/// Longest Message-ID or KDF header accepted (RFC 5322's line limit).
const MAX_MESSAGE_ID: usize = 998;
/// Most parts a snapshot may have: `MAX_PLAIN` compresses into far fewer.
const MAX_PARTS: u32 = identity::MAX_PARTS;

/// Why a listed message's headers were not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// No `X-Pim-Format: 1`: someone else's message, left alone.
    #[error("not a pim sync message")]
    NotPim,
    /// Claims to be a pim message but a field is missing or out of range: forged or broken.
    #[error("malformed {0} header: {1}")]
    Malformed(&'static str, &'static str),
    /// A format-3 identity block this key does not open: another key's message,
    /// or a forgery.
    #[error("sealed identity does not open with this key")]
    Unauthentic,
}

/// A sequence number or counter: decimal, and within what SQLite stores.
fn sequence_number(s: &str) -> Result<u64, HeaderError> {
    let n = canonical(s.trim()).ok_or(HeaderError::Malformed(
        "x-pim-seq",
        "not a canonical decimal number",
    ))?;
    if i64::try_from(n).is_err() {
        return Err(HeaderError::Malformed("x-pim-seq", "number out of range"));
    }
    Ok(n)
}

/// A non-empty value of visible ASCII characters, at most `max` long.
fn bounded_token(name: &'static str, v: &str, max: usize) -> Result<String, HeaderError> {
    if v.is_empty() || v.len() > max || !v.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(HeaderError::Malformed(
            name,
            "empty, too long or not printable ASCII",
        ));
    }
    Ok(v.to_string())
}

/// Like [`bounded_token`], spaces allowed (a folded header is unfolded with one).
fn bounded_text(name: &'static str, v: &str) -> Result<String, HeaderError> {
    if v.is_empty() || v.len() > MAX_MESSAGE_ID || v.chars().any(char::is_control) {
        return Err(HeaderError::Malformed(
            name,
            "empty, too long or with control characters",
        ));
    }
    Ok(v.to_string())
}
