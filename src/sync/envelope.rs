//! The wire format (DESIGN.md §5.5, §5.9): an RFC 5322 message. Format 3 keeps in
//! clear headers only the format, the kind (the folder tells it anyway), a device
//! tag that changes with every epoch, a random Message-ID, the KDF salt on device
//! states of passphrase keys, and a sealed identity block (`X-Pim-Id`, see
//! [`super::identity`]: device, sequence range or counter, snapshot part). The body
//! is base64 of `nonce ‖ XChaCha20-Poly1305(pad(deflate(payload)))`; its associated
//! data binds every header and the identity, so neither can be moved to another body.
//! Formats 1 and 2 carried the identity in clear headers; they stay readable.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::crypto::SyncKey;
use super::identity::{self, Identity, put_field};
use super::signing::{self, DeviceSigner, PublicKey, Unwrapped};

/// The format new messages are written in: version 3 seals the identity.
pub const FORMAT: &str = "3";
/// Version 2 bound the clear identity headers (the KDF header included) with a
/// length-prefixed binary encoding; read only.
pub const FORMAT_2: &str = "2";
/// Messages written before version 2 (`|`-joined text as associated data) stay
/// readable; the version is part of what is authenticated, so a version-2 message
/// relabelled as version 1 fails to open.
pub const LEGACY_FORMAT: &str = "1";
/// Largest sealed body per message: with base64 and headers the message stays
/// under 1 MiB.
pub const MAX_SEALED: usize = 700 * 1024;
/// Largest payload accepted after decompression (guards against deflate bombs).
const MAX_PLAIN: usize = 512 * 1024 * 1024;

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
    fn identity(&self) -> Identity {
        Identity {
            device: self.device.clone(),
            epoch: self.tag_epoch,
            from: self.seq_from,
            to: self.seq_to,
            part: self.part.clone(),
        }
    }

    /// The associated data of the identity block: the clear headers.
    fn id_aad(&self) -> Vec<u8> {
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
    fn aad(&self) -> Vec<u8> {
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
    fn format(&self) -> &'static str {
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

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EnvelopeError {
    #[error("not a pim sync message: {0}")]
    Foreign(String),
    #[error("message {0} failed authentication (wrong sync key or tampered)")]
    Unauthentic(String),
    #[error("message {0} does not decompress: {1}")]
    Corrupt(String, String),
    #[error("message {0} carries a signature that does not verify")]
    BadSignature(String),
}

/// Build the RFC 5322 message carrying `payload`.
pub fn seal(key: &SyncKey, header: &Header, payload: &[u8]) -> Vec<u8> {
    let packed = miniz_oxide::deflate::compress_to_vec(payload, 6);
    seal_packed(key, header, &packed)
}

/// Like [`seal`] for bytes already compressed (snapshot parts), unsigned.
pub fn seal_packed(key: &SyncKey, header: &Header, packed: &[u8]) -> Vec<u8> {
    seal_packed_signed(key, None, header, packed)
}

/// Like [`seal`], signed by `signer` (inside the seal: [`signing`]).
pub fn seal_signed(
    key: &SyncKey,
    signer: Option<&DeviceSigner>,
    header: &Header,
    payload: &[u8],
) -> Vec<u8> {
    let packed = miniz_oxide::deflate::compress_to_vec(payload, 6);
    seal_packed_signed(key, signer, header, &packed)
}

/// Seal compressed bytes; format 2 with a `signer` puts the signed envelope
/// around the padded body.
pub fn seal_packed_signed(
    key: &SyncKey,
    signer: Option<&DeviceSigner>,
    header: &Header,
    packed: &[u8],
) -> Vec<u8> {
    let aad = header.aad();
    let sealed = match (header.version, signer) {
        (1, _) => key.seal(packed, &aad),
        (_, None) => key.seal(&pad(packed), &aad),
        (_, Some(s)) => key.seal(&s.wrap(&aad, &pad(packed)), &aad),
    };
    let b64 = B64.encode(&sealed);
    let mut out = String::with_capacity(b64.len() + 600);
    let date = chrono::Utc::now().to_rfc2822();
    out.push_str("From: pim <pim@pim.invalid>\r\n");
    out.push_str("To: pim <pim@pim.invalid>\r\n");
    out.push_str(&format!("Date: {date}\r\n"));
    out.push_str(&format!("Message-ID: {}\r\n", header.message_id));
    out.push_str("Subject: pim sync data\r\n");
    out.push_str(&format!("X-Pim-Format: {}\r\n", header.format()));
    out.push_str(&format!("X-Pim-Kind: {}\r\n", header.kind.as_str()));
    out.push_str(&format!("X-Pim-Device: {}\r\n", header.tag));
    if header.version >= 3 {
        let id = key.seal(&identity::encode(&header.identity()), &header.id_aad());
        out.push_str(&format!("X-Pim-Id: {}\r\n", B64.encode(id)));
    } else {
        out.push_str(&format!(
            "X-Pim-Seq: {}-{}\r\n",
            header.seq_from, header.seq_to
        ));
        if let Some((id, i, n)) = &header.part {
            out.push_str(&format!("X-Pim-Part: {id} {i}/{n}\r\n"));
        }
    }
    if let Some(kdf) = &header.kdf {
        out.push_str(&format!("X-Pim-Kdf: {kdf}\r\n"));
    }
    out.push_str("MIME-Version: 1.0\r\n");
    out.push_str("Content-Type: application/octet-stream\r\n");
    out.push_str("Content-Transfer-Encoding: base64\r\n\r\n");
    for line in b64.as_bytes().chunks(76) {
        out.push_str(std::str::from_utf8(line).expect("base64 is ascii"));
        out.push_str("\r\n");
    }
    out.into_bytes()
}

/// Split a raw message into unfolded lower-case headers and the body.
pub fn split_message(raw: &[u8]) -> (BTreeMap<String, String>, &[u8]) {
    let (head, body) = match find(raw, b"\r\n\r\n") {
        Some(i) => (&raw[..i], &raw[i + 4..]),
        None => match find(raw, b"\n\n") {
            Some(i) => (&raw[..i], &raw[i + 2..]),
            None => (raw, &raw[raw.len()..]),
        },
    };
    let text = String::from_utf8_lossy(head);
    let mut headers = BTreeMap::new();
    let mut current: Option<(String, String)> = None;
    for line in text.split('\n') {
        let line = line.trim_end_matches('\r');
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.as_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = current.take() {
            headers.entry(k).or_insert(v);
        }
        if let Some((k, v)) = line.split_once(':') {
            current = Some((k.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    if let Some((k, v)) = current {
        headers.entry(k).or_insert(v);
    }
    (headers, body)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Check and decrypt a message; returns its header and the still-compressed payload.
pub fn open_packed(key: &SyncKey, raw: &[u8]) -> Result<(Header, Vec<u8>), EnvelopeError> {
    open_packed_signed(key, raw).map(|(h, packed, _)| (h, packed))
}

/// Like [`open_packed`], with the key that signed the message (`None`:
/// unsigned). A signature that does not verify fails the message.
pub fn open_packed_signed(
    key: &SyncKey,
    raw: &[u8],
) -> Result<(Header, Vec<u8>, Option<PublicKey>), EnvelopeError> {
    let (headers, body) = split_message(raw);
    let header = match identify(key, &headers) {
        Ok(h) => h,
        Err(HeaderError::Unauthentic) => {
            let id = headers.get("message-id").cloned().unwrap_or_default();
            return Err(EnvelopeError::Unauthentic(id));
        }
        Err(_) => {
            return Err(EnvelopeError::Foreign(
                "missing or malformed X-Pim headers".into(),
            ));
        }
    };
    let b64: Vec<u8> = body
        .iter()
        .copied()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    let sealed = B64
        .decode(&b64)
        .map_err(|_| EnvelopeError::Unauthentic(header.message_id.clone()))?;
    let aad = header.aad();
    let mut plain = key
        .open(&sealed, &aad)
        .ok_or_else(|| EnvelopeError::Unauthentic(header.message_id.clone()))?;
    if header.version == 1 {
        return Ok((header, plain, None));
    }
    let signer = match signing::unwrap(&aad, &mut plain) {
        Unwrapped::Unsigned => None,
        Unwrapped::Signed(k) => Some(k),
        Unwrapped::Forged => return Err(EnvelopeError::BadSignature(header.message_id)),
    };
    let packed = unpad(plain)
        .ok_or_else(|| EnvelopeError::Corrupt(header.message_id.clone(), "bad padding".into()))?;
    Ok((header, packed, signer))
}

/// Format 2 hides exact sizes: the sealed text is the length (4 bytes), the
/// payload and zeros up to a size bucket — 1 KiB at least, then sixteen steps per
/// doubling (at most 1/16 more bytes) — never past what [`MAX_SEALED`] allows.
fn pad(packed: &[u8]) -> Vec<u8> {
    let n = packed.len() + 4;
    let target = bucket(n).min((MAX_SEALED - 64 - signing::OVERHEAD).max(n));
    let mut out = Vec::with_capacity(target);
    out.extend_from_slice(&(packed.len() as u32).to_be_bytes());
    out.extend_from_slice(packed);
    out.resize(target, 0);
    out
}

/// The padded size of `n` bytes.
pub fn bucket(n: usize) -> usize {
    if n <= 1024 {
        return 1024;
    }
    let step = 1usize << (usize::BITS - 1 - n.leading_zeros()).saturating_sub(4);
    n.div_ceil(step) * step
}

fn unpad(mut plain: Vec<u8>) -> Option<Vec<u8>> {
    let len = u32::from_be_bytes(plain.get(..4)?.try_into().ok()?) as usize;
    if len > plain.len() - 4 {
        return None;
    }
    plain.truncate(4 + len);
    plain.drain(..4);
    Some(plain)
}

pub fn unpack(id: &str, packed: &[u8]) -> Result<Vec<u8>, EnvelopeError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(packed, MAX_PLAIN)
        .map_err(|e| EnvelopeError::Corrupt(id.to_string(), format!("{e:?}")))
}

/// Check, decrypt and decompress a message.
pub fn open(key: &SyncKey, raw: &[u8]) -> Result<(Header, Vec<u8>), EnvelopeError> {
    open_signed(key, raw).map(|(h, plain, _)| (h, plain))
}

/// Like [`open`], with the key that signed the message (`None`: unsigned).
pub fn open_signed(
    key: &SyncKey,
    raw: &[u8],
) -> Result<(Header, Vec<u8>, Option<PublicKey>), EnvelopeError> {
    let (header, packed, signer) = open_packed_signed(key, raw)?;
    let plain = unpack(&header.message_id, &packed)?;
    Ok((header, plain, signer))
}

#[cfg(test)]
#[path = "envelope_tests.rs"]
mod tests;
