//! The sync key and the AEAD seal (DESIGN.md §5.9).
//!
//! One 256-bit master key, either generated (and carried to other devices as a
//! human-typable "sync key") or derived with Argon2id from a passphrase. Sub-keys
//! are derived with keyed BLAKE2b: one seals message bodies with
//! XChaCha20-Poly1305, one turns device ids into opaque tags for headers.

use blake2::Blake2bMac512;
use blake2::digest::{KeyInit, Mac};
use chacha20poly1305::XChaCha20Poly1305;
use chacha20poly1305::aead::{Aead, Payload};
use rand::RngCore;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("sync key: {0}")]
    Malformed(String),
    #[error("sync key checksum does not match (a typo?)")]
    Checksum,
    #[error("key derivation failed: {0}")]
    Kdf(String),
}

/// Argon2id cost of new passphrase profiles: 256 MiB, 3 passes (libsodium's
/// "moderate" level; a phone derives it in about a second, once per join).
pub const KDF_M_COST: u32 = 256 * 1024;
pub const KDF_T_COST: u32 = 3;
/// The cost of KDF headers written before they carried a version (64 MiB, 3 passes).
pub const LEGACY_KDF_M_COST: u32 = 64 * 1024;
pub const LEGACY_KDF_T_COST: u32 = 3;
/// Bounds on a published cost: a forged header must not make `join` allocate
/// gigabytes or spin for minutes, nor weaken the derivation below the legacy cost.
pub const KDF_M_RANGE: std::ops::RangeInclusive<u32> = LEGACY_KDF_M_COST..=1024 * 1024;
pub const KDF_T_RANGE: std::ops::RangeInclusive<u32> = LEGACY_KDF_T_COST..=10;

const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The secret shared by the user's devices.
#[derive(Clone, PartialEq, Eq)]
pub struct SyncKey {
    master: [u8; 32],
}

impl std::fmt::Debug for SyncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SyncKey(..)")
    }
}

impl SyncKey {
    pub fn from_bytes(master: [u8; 32]) -> SyncKey {
        SyncKey { master }
    }

    pub fn generate() -> SyncKey {
        let mut master = [0u8; 32];
        rand::rng().fill_bytes(&mut master);
        SyncKey { master }
    }

    /// Argon2id over `passphrase` with `salt` (kept beside the messages, not
    /// secret) at the current cost.
    pub fn from_passphrase(passphrase: &str, salt: &[u8]) -> Result<SyncKey, KeyError> {
        SyncKey::from_passphrase_at(passphrase, salt, KDF_M_COST, KDF_T_COST)
    }

    /// Argon2id at `m_cost` KiB and `t_cost` passes.
    pub fn from_passphrase_at(
        passphrase: &str,
        salt: &[u8],
        m_cost: u32,
        t_cost: u32,
    ) -> Result<SyncKey, KeyError> {
        let params = argon2::Params::new(m_cost, t_cost, 1, Some(32))
            .map_err(|e| KeyError::Kdf(e.to_string()))?;
        let kdf = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut master = [0u8; 32];
        kdf.hash_password_into(passphrase.as_bytes(), salt, &mut master)
            .map_err(|e| KeyError::Kdf(e.to_string()))?;
        Ok(SyncKey { master })
    }

    /// The key as users type it: 32 bytes + 2 checksum bytes in groups of
    /// unambiguous letters and digits, e.g. `PIM1-ABCD-EFGH-...`.
    pub fn to_human(&self) -> String {
        let mut bytes = self.master.to_vec();
        bytes.extend_from_slice(&checksum(&self.master));
        let text = base32(&bytes);
        let groups: Vec<&str> = text
            .as_bytes()
            .chunks(5)
            .map(|c| std::str::from_utf8(c).expect("ascii"))
            .collect();
        format!("PIM1-{}", groups.join("-"))
    }

    /// Parse what [`SyncKey::to_human`] printed; case, spaces and dashes do not matter.
    pub fn parse_human(s: &str) -> Result<SyncKey, KeyError> {
        let clean: String = s
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let body = clean
            .strip_prefix("PIM1")
            .ok_or_else(|| KeyError::Malformed("it must start with PIM1-".into()))?;
        let bytes = unbase32(body)?;
        if bytes.len() != 34 {
            return Err(KeyError::Malformed(format!(
                "expected 55 letters or digits after PIM1, found {}",
                body.len()
            )));
        }
        let mut master = [0u8; 32];
        master.copy_from_slice(&bytes[..32]);
        if checksum(&master) != bytes[32..] {
            return Err(KeyError::Checksum);
        }
        Ok(SyncKey { master })
    }

    fn subkey(&self, purpose: &str) -> [u8; 32] {
        let mut mac = <Blake2bMac512 as KeyInit>::new_from_slice(&self.master)
            .expect("32-byte key fits BLAKE2b");
        mac.update(b"pim-sync-v1/");
        mac.update(purpose.as_bytes());
        let out = mac.finalize().into_bytes();
        let mut k = [0u8; 32];
        k.copy_from_slice(&out[..32]);
        k
    }

    /// The opaque id of `device` that format-1/2 headers carry (the provider never
    /// sees device ids); `sync_devices` keeps it to read rows listed before format 3.
    pub fn device_tag(&self, device: &str) -> String {
        let mut mac = <Blake2bMac512 as KeyInit>::new_from_slice(&self.subkey("device-tag"))
            .expect("32-byte key fits BLAKE2b");
        mac.update(device.as_bytes());
        let out = mac.finalize().into_bytes();
        hex(&out[..16])
    }

    /// The tag format-3 headers carry: keyed by the epoch too, so the provider
    /// cannot link a device's messages across epochs (a rekey changes the key,
    /// and with it every tag). Receivers learn which device it is only from the
    /// sealed identity block.
    pub fn device_tag_at(&self, epoch: u64, device: &str) -> String {
        let mut mac = <Blake2bMac512 as KeyInit>::new_from_slice(&self.subkey("device-tag-epoch"))
            .expect("32-byte key fits BLAKE2b");
        mac.update(&epoch.to_be_bytes());
        mac.update(device.as_bytes());
        let out = mac.finalize().into_bytes();
        hex(&out[..16])
    }

    /// Seal `plain`, binding `aad`. Output: 24-byte nonce, then ciphertext and tag.
    pub fn seal(&self, plain: &[u8], aad: &[u8]) -> Vec<u8> {
        let cipher = XChaCha20Poly1305::new_from_slice(&self.subkey("seal")).expect("32 bytes");
        let mut nonce = [0u8; 24];
        rand::rng().fill_bytes(&mut nonce);
        let ct = cipher
            .encrypt(&nonce.into(), Payload { msg: plain, aad })
            .expect("encryption of an in-memory buffer cannot fail");
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        out
    }

    /// Open what [`SyncKey::seal`] made; `None` when it fails authentication.
    pub fn open(&self, sealed: &[u8], aad: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 24 + 16 {
            return None;
        }
        let cipher = XChaCha20Poly1305::new_from_slice(&self.subkey("seal")).expect("32 bytes");
        let mut nonce = [0u8; 24];
        nonce.copy_from_slice(&sealed[..24]);
        cipher
            .decrypt(
                &nonce.into(),
                Payload {
                    msg: &sealed[24..],
                    aad,
                },
            )
            .ok()
    }
}

fn checksum(master: &[u8; 32]) -> [u8; 2] {
    let mut mac = <Blake2bMac512 as KeyInit>::new_from_slice(b"pim sync key checksum")
        .expect("short key fits BLAKE2b");
    mac.update(master);
    let out = mac.finalize().into_bytes();
    [out[0], out[1]]
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn base32(bytes: &[u8]) -> String {
    let mut out = String::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for &b in bytes {
        acc = (acc << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(ALPHABET[((acc >> bits) & 31) as usize] as char);
        }
    }
    if bits > 0 {
        out.push(ALPHABET[((acc << (5 - bits)) & 31) as usize] as char);
    }
    out
}

fn unbase32(s: &str) -> Result<Vec<u8>, KeyError> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.chars() {
        // Crockford base32: letters easily confused map to their look-alikes.
        let c = match c {
            'O' => '0',
            'I' | 'L' => '1',
            'U' => 'V',
            other => other,
        };
        let v = ALPHABET
            .iter()
            .position(|&a| a as char == c)
            .ok_or_else(|| KeyError::Malformed(format!("unexpected character {c:?}")))?;
        acc = ((acc << 5) | v as u32) & 0xffff;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_key_round_trips_and_detects_typos() {
        let k = SyncKey::generate();
        let h = k.to_human();
        assert_eq!(SyncKey::parse_human(&h).unwrap(), k);
        assert_eq!(
            SyncKey::parse_human(&h.to_lowercase().replace('-', " ")).unwrap(),
            k
        );
        // Change one character of the key body.
        let mut chars: Vec<char> = h.chars().collect();
        let i = 8;
        chars[i] = if chars[i] == 'A' { 'B' } else { 'A' };
        let typo: String = chars.into_iter().collect();
        assert!(SyncKey::parse_human(&typo).is_err());
        assert!(SyncKey::parse_human("hello").is_err());
    }

    #[test]
    fn seal_authenticates_body_and_header_binding() {
        let k = SyncKey::from_bytes([7; 32]);
        let sealed = k.seal(b"secret", b"hdr");
        assert_eq!(k.open(&sealed, b"hdr").unwrap(), b"secret");
        assert!(k.open(&sealed, b"other hdr").is_none());
        let mut bad = sealed.clone();
        bad[30] ^= 1;
        assert!(k.open(&bad, b"hdr").is_none());
        assert!(SyncKey::from_bytes([8; 32]).open(&sealed, b"hdr").is_none());
    }

    #[test]
    fn device_tags_are_stable_opaque_and_key_dependent() {
        let k = SyncKey::from_bytes([1; 32]);
        let t = k.device_tag("abcd");
        assert_eq!(t, k.device_tag("abcd"));
        assert!(!t.contains("abcd"));
        assert_ne!(t, SyncKey::from_bytes([2; 32]).device_tag("abcd"));
    }

    #[test]
    fn epoch_tags_rotate_with_the_epoch_and_differ_from_legacy_tags() {
        let k = SyncKey::from_bytes([1; 32]);
        let t0 = k.device_tag_at(0, "abcd");
        assert_eq!(t0, k.device_tag_at(0, "abcd"));
        assert_ne!(t0, k.device_tag_at(1, "abcd"));
        assert_ne!(t0, k.device_tag("abcd"));
        assert_ne!(t0, k.device_tag_at(0, "abce"));
        assert_ne!(t0, SyncKey::from_bytes([2; 32]).device_tag_at(0, "abcd"));
    }
}
