//! The wire format (DESIGN.md §5.5, §5.9): an RFC 5322 message whose headers carry
//! identity (format version, kind, opaque device tag, sequence range, Message-ID)
//! and whose body is base64 of `nonce ‖ XChaCha20-Poly1305(deflate(payload))`.
//! The AAD binds the identity headers, so a header cannot be moved to another body.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::crypto::SyncKey;
use super::signing::{self, DeviceSigner, PublicKey, Unwrapped};

/// The format new messages are written in: version 2 binds the identity headers
/// (the KDF header included) with a length-prefixed binary encoding.
pub const FORMAT: &str = "2";
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

/// The identity a message's headers carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub kind: MsgKind,
    /// Opaque device tag ([`SyncKey::device_tag`]).
    pub tag: String,
    /// Batches: the change sequence range. Device states and snapshots: a counter.
    pub seq_from: u64,
    pub seq_to: u64,
    /// Snapshot parts: `(snapshot id, index from 0, count)`.
    pub part: Option<(String, u32, u32)>,
    pub message_id: String,
    /// Passphrase KDF parameters and salt (device messages of passphrase keys).
    pub kdf: Option<String>,
    /// Wire format: 2 (current) or 1 (legacy, read only).
    pub version: u8,
}

impl Header {
    pub fn new(kind: MsgKind, tag: &str, seq_from: u64, seq_to: u64) -> Header {
        Header {
            kind,
            tag: tag.to_string(),
            seq_from,
            seq_to,
            part: None,
            message_id: format!("<{}@pim.invalid>", uuid::Uuid::new_v4().simple()),
            kdf: None,
            version: 2,
        }
    }

    /// The associated data the seal binds: every identity field, in a canonical
    /// encoding (version 2), or the legacy text of version 1.
    fn aad(&self) -> Vec<u8> {
        if self.version == 1 {
            return self.legacy_aad();
        }
        let mut out = b"pim-aad".to_vec();
        out.push(self.version);
        let field = |out: &mut Vec<u8>, bytes: &[u8]| {
            out.extend_from_slice(&(bytes.len() as u32).to_be_bytes());
            out.extend_from_slice(bytes);
        };
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

    /// Read identity from listed headers (lower-case names), range-checking every
    /// field: anyone can append to the sync folders, and the numbers end up in SQLite
    /// (which holds at most `i64::MAX`) and in arithmetic.
    pub fn parse(h: &BTreeMap<String, String>) -> Result<Header, HeaderError> {
        let version = match h.get("x-pim-format").map(|f| f.trim()) {
            Some(FORMAT) => 2,
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
        let message_id = bounded_text("message-id", field("message-id")?)?;
        let kdf = match h.get("x-pim-kdf") {
            Some(k) => Some(bounded_text("x-pim-kdf", k.trim())?),
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
        })
    }

    /// The `X-Pim-Format` value of this header's version.
    fn format(&self) -> &'static str {
        if self.version == 1 {
            LEGACY_FORMAT
        } else {
            FORMAT
        }
    }
}

/// A decimal number as pim writes it: digits only, no sign, no leading zero.
fn canonical(s: &str) -> Option<u64> {
    let ok =
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
    if ok { s.parse().ok() } else { None }
}

/// Longest device tag or snapshot id accepted (pim writes 32 hex digits).
const MAX_TAG: usize = 128;
/// Longest Message-ID or KDF header accepted (RFC 5322's line limit).
const MAX_MESSAGE_ID: usize = 998;
/// Most parts a snapshot may have: `MAX_PLAIN` compresses into far fewer.
const MAX_PARTS: u32 = 1 << 16;

/// Why a listed message's headers were not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// No `X-Pim-Format: 1`: someone else's message, left alone.
    #[error("not a pim sync message")]
    NotPim,
    /// Claims to be a pim message but a field is missing or out of range: forged or broken.
    #[error("malformed {0} header: {1}")]
    Malformed(&'static str, &'static str),
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
    out.push_str(&format!(
        "X-Pim-Seq: {}-{}\r\n",
        header.seq_from, header.seq_to
    ));
    if let Some((id, i, n)) = &header.part {
        out.push_str(&format!("X-Pim-Part: {id} {i}/{n}\r\n"));
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
    let header = Header::from_headers(&headers)
        .ok_or_else(|| EnvelopeError::Foreign("missing or malformed X-Pim headers".into()))?;
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
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_headers_carry_identity_only() {
        let key = SyncKey::from_bytes([3; 32]);
        let tag = key.device_tag("dev1");
        let h = Header::new(MsgKind::Batch, &tag, 5, 9);
        let raw = seal(&key, &h, b"{\"secret\":\"Ada Lovelace\"}");
        let text = String::from_utf8(raw.clone()).unwrap();
        assert!(!text.contains("Ada"));
        assert!(!text.contains("dev1"));
        assert!(text.contains("X-Pim-Seq: 5-9"));
        let (hdrs, _) = split_message(&raw);
        assert_eq!(Header::from_headers(&hdrs).unwrap(), h);
        let (h2, plain) = open(&key, &raw).unwrap();
        assert_eq!(h2, h);
        assert_eq!(plain, b"{\"secret\":\"Ada Lovelace\"}");
    }

    #[test]
    fn sizes_are_padded_to_buckets() {
        assert_eq!(bucket(1), 1024);
        assert_eq!(bucket(1025), 1088);
        assert_eq!(bucket(100_000), 102_400);
        for n in [1usize, 1000, 1025, 5000, 65_537, 300_001] {
            let b = bucket(n);
            assert!(b >= n && (n <= 1024 || (b - n) * 16 <= n), "{n} -> {b}");
        }
        let key = SyncKey::from_bytes([3; 32]);
        let h = Header::new(MsgKind::Batch, "t", 1, 2);
        let small = seal(&key, &h, b"a");
        let noise: String = (0..20)
            .map(|_| uuid::Uuid::new_v4().simple().to_string())
            .collect();
        let larger = seal(&key, &h, noise.as_bytes());
        assert_eq!(small.len(), larger.len(), "both in the smallest bucket");
        assert_eq!(open(&key, &larger).unwrap().1, noise.as_bytes());
    }

    #[test]
    fn signed_messages_name_their_signer_and_unsigned_ones_still_open() {
        let key = SyncKey::from_bytes([3; 32]);
        let signer = DeviceSigner::from_seed([4; 32], 1);
        let h = Header::new(MsgKind::Batch, "t", 1, 2);
        let signed = seal_signed(&key, Some(&signer), &h, b"payload");
        let (_, plain, by) = open_signed(&key, &signed).unwrap();
        assert_eq!(
            (plain.as_slice(), by),
            (&b"payload"[..], Some(signer.public()))
        );
        let unsigned = seal(&key, &h, b"payload");
        let (_, plain, by) = open_signed(&key, &unsigned).unwrap();
        assert_eq!((plain.as_slice(), by), (&b"payload"[..], None));
        // Same bucket: the envelope adds a fixed 97 bytes.
        let sealed_len = |raw: &[u8]| {
            let b64: Vec<u8> = split_message(raw)
                .1
                .iter()
                .copied()
                .filter(|b| !b.is_ascii_whitespace())
                .collect();
            B64.decode(b64).unwrap().len()
        };
        assert_eq!(
            sealed_len(&signed),
            sealed_len(&unsigned) + signing::OVERHEAD
        );
    }

    #[test]
    fn forged_or_relabelled_messages_are_rejected() {
        let key = SyncKey::from_bytes([3; 32]);
        let h = Header::new(MsgKind::Batch, "t", 1, 2);
        let raw = seal(&key, &h, b"payload");
        // Another key.
        assert!(matches!(
            open(&SyncKey::from_bytes([4; 32]), &raw),
            Err(EnvelopeError::Unauthentic(_))
        ));
        // The same body under a changed sequence header.
        let moved = String::from_utf8(raw.clone())
            .unwrap()
            .replace("X-Pim-Seq: 1-2", "X-Pim-Seq: 7-8");
        assert!(matches!(
            open(&key, moved.as_bytes()),
            Err(EnvelopeError::Unauthentic(_))
        ));
        // Not ours at all.
        assert!(matches!(
            open(&key, b"Subject: hi\r\n\r\nhello"),
            Err(EnvelopeError::Foreign(_))
        ));
    }
}
