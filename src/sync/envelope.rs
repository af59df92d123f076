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
use super::identity;
use super::signing::{self, DeviceSigner, PublicKey, Unwrapped};

mod header;
pub use header::{Header, HeaderError, LIST_HEADERS, MsgKind, identify};

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
