//! Per-device signatures (Ed25519) inside the sealed payload (issue 20).
//!
//! The shared sync key lets any holder seal a message; a signature says which
//! device wrote it. Every message a device seals carries, inside the AEAD, a
//! signed envelope: a version byte, the device's public key, an Ed25519 signature
//! over the associated data and the body, then the body. Receivers bind a device
//! to the first key they see it sign with (under this sync key: a rekey starts
//! over) and from then on refuse that device's messages under another key or
//! unsigned (see [`Signers::check`]). What a key holder can still do: write as
//! itself, and announce a device nobody has heard of.

use std::collections::BTreeMap;

use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::crypto::{SyncKey, hex};
use crate::store::{Result, Store, StoreError};

/// The first plaintext byte of a signed envelope. Unsigned version-2 plaintext
/// starts with the high byte of its padding length, which is always 0 (sealed
/// bodies are far below 16 MiB), so the two never mix up.
pub const SIGNED_V1: u8 = 1;
const PUBLIC_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;
/// Version byte, public key, signature.
pub const OVERHEAD: usize = 1 + PUBLIC_LEN + SIGNATURE_LEN;
/// Domain separation: these signatures mean nothing outside pim sync messages.
const CONTEXT: &[u8] = b"pim-sync-signed-v1";

/// A device's public signing key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PublicKey([u8; PUBLIC_LEN]);

impl PublicKey {
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    pub fn from_hex(s: &str) -> Option<PublicKey> {
        let bytes = unhex(s)?;
        Some(PublicKey(bytes.try_into().ok()?))
    }

    /// The short form people compare between devices (`3f9a 1b2c 7d8e c2d1`):
    /// the first 64 bits of a BLAKE2b hash of the key, in four groups of four
    /// hex digits. Every listing and message shows a key this way.
    pub fn fingerprint(&self) -> String {
        use blake2::Blake2b512;
        use blake2::digest::Digest;
        let mut h = Blake2b512::new();
        h.update(CONTEXT);
        h.update(self.0);
        let digest = hex(&h.finalize()[..8]);
        (0..4)
            .map(|i| &digest[i * 4..i * 4 + 4])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PublicKey({})", self.fingerprint())
    }
}

/// This device's signing key (kept in the profile beside the sync key).
#[derive(Clone)]
pub struct DeviceSigner {
    key: SigningKey,
    /// Own sequence numbers from here on are only ever sent signed; earlier ones
    /// may be on the server unsigned (uploaded before this device had a key).
    pub signs_from: u64,
}

impl std::fmt::Debug for DeviceSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DeviceSigner({:?})", self.public())
    }
}

#[derive(Serialize, Deserialize)]
struct StoredSigner {
    seed: String,
    signs_from: u64,
}

const META_SIGNER: &str = "sync.signing_key";
const META_SIGNERS: &str = "sync.signers";

impl DeviceSigner {
    pub fn generate(signs_from: u64) -> DeviceSigner {
        let mut seed = [0u8; 32];
        rand::rng().fill_bytes(&mut seed);
        DeviceSigner::from_seed(seed, signs_from)
    }

    pub fn from_seed(seed: [u8; 32], signs_from: u64) -> DeviceSigner {
        DeviceSigner {
            key: SigningKey::from_bytes(&seed),
            signs_from,
        }
    }

    pub fn public(&self) -> PublicKey {
        PublicKey(self.key.verifying_key().to_bytes())
    }

    /// This profile's key, if it has made one yet (it does on its first sync).
    pub fn stored(store: &Store) -> Result<Option<DeviceSigner>> {
        if store.meta(META_SIGNER)?.is_none() {
            return Ok(None);
        }
        DeviceSigner::load_or_create(store, || Ok(0)).map(Some)
    }

    /// This profile's key; made on first use, signing from `next_seq()` on.
    pub fn load_or_create(
        store: &Store,
        next_seq: impl FnOnce() -> Result<u64>,
    ) -> Result<DeviceSigner> {
        if let Some(json) = store.meta(META_SIGNER)? {
            let s: StoredSigner =
                serde_json::from_str(&json).map_err(|e| corrupt(e.to_string()))?;
            let seed = unhex(&s.seed)
                .and_then(|b| <[u8; 32]>::try_from(b).ok())
                .ok_or_else(|| corrupt("not 32 hex bytes".into()))?;
            return Ok(DeviceSigner::from_seed(seed, s.signs_from));
        }
        let signer = DeviceSigner::generate(next_seq()?);
        let stored = StoredSigner {
            seed: hex(signer.key.as_bytes()),
            signs_from: signer.signs_from,
        };
        store.set_meta(
            META_SIGNER,
            &serde_json::to_string(&stored).expect("serializes"),
        )?;
        Ok(signer)
    }

    /// The signed envelope around `body`, binding `aad`.
    pub fn wrap(&self, aad: &[u8], body: &[u8]) -> Vec<u8> {
        let sig = self.key.sign(&signed_bytes(aad, body));
        let mut out = Vec::with_capacity(OVERHEAD + body.len());
        out.push(SIGNED_V1);
        out.extend_from_slice(&self.public().0);
        out.extend_from_slice(&sig.to_bytes());
        out.extend_from_slice(body);
        out
    }
}

fn corrupt(reason: String) -> StoreError {
    StoreError::Corrupt {
        what: "this device's signing key".into(),
        reason,
    }
}

/// What opening a plaintext found.
#[derive(Debug, PartialEq, Eq)]
pub enum Unwrapped {
    /// No signed envelope: the body as it is (messages of older builds).
    Unsigned,
    /// Signed by this key; the body follows the envelope.
    Signed(PublicKey),
    /// A signed envelope whose signature does not verify.
    Forged,
}

/// Check the signed envelope at the start of `plain`, if any; on success the
/// envelope is removed and `plain` holds the body.
pub fn unwrap(aad: &[u8], plain: &mut Vec<u8>) -> Unwrapped {
    if plain.first() != Some(&SIGNED_V1) {
        return Unwrapped::Unsigned;
    }
    if plain.len() < OVERHEAD {
        return Unwrapped::Forged;
    }
    let public: [u8; PUBLIC_LEN] = plain[1..1 + PUBLIC_LEN].try_into().expect("length");
    let sig: [u8; SIGNATURE_LEN] = plain[1 + PUBLIC_LEN..OVERHEAD].try_into().expect("length");
    let Ok(key) = VerifyingKey::from_bytes(&public) else {
        return Unwrapped::Forged;
    };
    let body = &plain[OVERHEAD..];
    if key
        .verify_strict(&signed_bytes(aad, body), &Signature::from_bytes(&sig))
        .is_err()
    {
        return Unwrapped::Forged;
    }
    plain.drain(..OVERHEAD);
    Unwrapped::Signed(PublicKey(public))
}

/// What a signature covers: a context, the associated data (length-prefixed)
/// and the body.
fn signed_bytes(aad: &[u8], body: &[u8]) -> Vec<u8> {
    let mut m = Vec::with_capacity(CONTEXT.len() + 4 + aad.len() + body.len());
    m.extend_from_slice(CONTEXT);
    m.extend_from_slice(&(aad.len() as u32).to_be_bytes());
    m.extend_from_slice(aad);
    m.extend_from_slice(body);
    m
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// A device's bound key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub key: String,
    /// What the device's signed record says: its messages for sequence numbers
    /// below this may be unsigned (sent before it had a key).
    #[serde(default)]
    pub signs_from: u64,
}

/// The last time a message signed with another key claimed a bound device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Refusal {
    /// When this device refused it (RFC 3339).
    pub on: String,
    /// The fingerprint of the key it was signed with.
    pub offered: String,
}

/// The keys devices are bound to under one sync key.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signers {
    /// Which sync key these bindings belong to (a fingerprint, not the key).
    scope: String,
    devices: BTreeMap<String, Binding>,
    /// Refused key changes, kept until the user dismisses them or rekeys: one
    /// per bound device (the latest), so the list stays as short as `devices`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    refused: BTreeMap<String, Refusal>,
}

/// Whether a message claiming `device` may count as that device's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Accept,
    /// First signed message from the device: accept and bind it to this key.
    Bind(PublicKey),
    /// The device is bound to another key: refused (and shown).
    KeyChanged,
    /// Unsigned although the device signs: refused.
    Unsigned,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        matches!(self, Verdict::Accept | Verdict::Bind(_))
    }
}

impl Signers {
    /// The bindings kept for `key`; none when they were made under another key
    /// (a rekey: devices announce themselves again). This device is bound to
    /// its own key.
    pub fn load(store: &Store, key: &SyncKey, own: &DeviceSigner) -> Result<Signers> {
        let scope = scope_of(key);
        let mut s: Signers = store
            .meta(META_SIGNERS)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .filter(|s: &Signers| s.scope == scope)
            .unwrap_or_else(|| Signers {
                scope,
                ..Signers::default()
            });
        s.devices.insert(
            store.device().to_string(),
            Binding {
                key: own.public().to_hex(),
                signs_from: own.signs_from,
            },
        );
        Ok(s)
    }

    pub fn save(&self, store: &Store) -> Result<()> {
        store.set_meta(
            META_SIGNERS,
            &serde_json::to_string(self).expect("serializes"),
        )
    }

    /// The bindings as last saved, whatever sync key they belong to (for
    /// listing: no key needed).
    pub fn stored(store: &Store) -> Result<Signers> {
        Ok(store
            .meta(META_SIGNERS)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default())
    }

    /// Whether the saved bindings belong to another sync key (or none are
    /// saved): a round then saves these, so listings stop showing the old key's
    /// bindings and refusals.
    pub fn replaces_stored(&self, store: &Store) -> Result<bool> {
        Ok(Signers::stored(store)?.scope != self.scope)
    }

    /// Remember that a message for bound `device` came signed with `offered`.
    pub fn note_refused(&mut self, device: &str, offered: PublicKey, on: &str) {
        if self.devices.contains_key(device) {
            self.refused.insert(
                device.to_string(),
                Refusal {
                    on: on.to_string(),
                    offered: offered.fingerprint(),
                },
            );
        }
    }

    /// Refused key changes not yet dismissed, by device.
    pub fn refusals(&self) -> &BTreeMap<String, Refusal> {
        &self.refused
    }

    /// Stop reporting `device`'s refused key change; whether there was one.
    pub fn dismiss(&mut self, device: &str) -> bool {
        self.refused.remove(device).is_some()
    }

    /// The devices with a bound key.
    pub fn bound_devices(&self) -> impl Iterator<Item = &str> {
        self.devices.keys().map(String::as_str)
    }

    pub fn bound(&self, device: &str) -> Option<&Binding> {
        self.devices.get(device)
    }

    /// The rule for a message from `device` signed by `signer` (`None`:
    /// unsigned) that concerns its sequence numbers up to `seq_to` (batches;
    /// `None` for device records and snapshots, which must be signed once the
    /// device is bound).
    pub fn check(&self, device: &str, signer: Option<PublicKey>, seq_to: Option<u64>) -> Verdict {
        let Some(b) = self.devices.get(device) else {
            return match signer {
                Some(k) => Verdict::Bind(k),
                // A device that never signed anything (an older build).
                None => Verdict::Accept,
            };
        };
        match signer {
            Some(k) if k.to_hex() == b.key => Verdict::Accept,
            Some(_) => Verdict::KeyChanged,
            None if seq_to.is_some_and(|s| s < b.signs_from) => Verdict::Accept,
            None => Verdict::Unsigned,
        }
    }

    /// Bind `device` to `key` (a [`Verdict::Bind`]); never replaces a binding.
    pub fn bind(&mut self, device: &str, key: PublicKey) {
        self.devices
            .entry(device.to_string())
            .or_insert_with(|| Binding {
                key: key.to_hex(),
                signs_from: 0,
            });
    }

    /// A bound device's signed record says from which sequence number on it
    /// signs everything.
    pub fn note_signs_from(&mut self, device: &str, signs_from: u64) {
        if let Some(b) = self.devices.get_mut(device) {
            b.signs_from = signs_from;
        }
    }
}

fn scope_of(key: &SyncKey) -> String {
    // Device ids never contain a NUL: this tag names no device.
    key.device_tag("\0signers")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelopes_verify_and_bind_the_associated_data() {
        let s = DeviceSigner::from_seed([9; 32], 1);
        let mut plain = s.wrap(b"aad", b"body");
        assert_eq!(plain.len(), OVERHEAD + 4);
        let mut copy = plain.clone();
        assert_eq!(unwrap(b"aad", &mut plain), Unwrapped::Signed(s.public()));
        assert_eq!(plain, b"body");
        assert_eq!(unwrap(b"other", &mut copy.clone()), Unwrapped::Forged);
        let last = copy.len() - 1;
        copy[last] ^= 1;
        assert_eq!(unwrap(b"aad", &mut copy), Unwrapped::Forged);
        let mut legacy = vec![0, 0, 0, 4, 1, 2, 3, 4];
        assert_eq!(unwrap(b"aad", &mut legacy), Unwrapped::Unsigned);
        assert_eq!(legacy.len(), 8);
        assert_eq!(unwrap(b"aad", &mut vec![SIGNED_V1, 0]), Unwrapped::Forged);
    }

    #[test]
    fn a_device_is_bound_to_its_first_key() {
        let (a, b) = (
            DeviceSigner::from_seed([1; 32], 1).public(),
            DeviceSigner::from_seed([2; 32], 1).public(),
        );
        let mut s = Signers::default();
        assert_eq!(s.check("d", None, Some(5)), Verdict::Accept);
        assert_eq!(s.check("d", Some(a), Some(5)), Verdict::Bind(a));
        s.bind("d", a);
        s.bind("d", b);
        assert_eq!(s.check("d", Some(a), None), Verdict::Accept);
        assert_eq!(s.check("d", Some(b), None), Verdict::KeyChanged);
        assert_eq!(s.check("d", None, None), Verdict::Unsigned);
        s.note_signs_from("d", 10);
        assert_eq!(s.check("d", None, Some(9)), Verdict::Accept);
        assert_eq!(s.check("d", None, Some(10)), Verdict::Unsigned);
        assert_eq!(s.check("d", None, None), Verdict::Unsigned);
        assert_eq!(PublicKey::from_hex(&a.to_hex()), Some(a));
    }

    #[test]
    fn bindings_belong_to_one_sync_key_and_the_own_key_is_kept() {
        let store = Store::open_in_memory().unwrap();
        let own = DeviceSigner::load_or_create(&store, || Ok(4)).unwrap();
        let again = DeviceSigner::load_or_create(&store, || Ok(99)).unwrap();
        assert_eq!((again.public(), again.signs_from), (own.public(), 4));
        let (k1, k2) = (SyncKey::from_bytes([1; 32]), SyncKey::from_bytes([2; 32]));
        let other = DeviceSigner::from_seed([3; 32], 1).public();
        let mut s = Signers::load(&store, &k1, &own).unwrap();
        assert!(s.bound(store.device()).is_some());
        s.bind("other", other);
        s.save(&store).unwrap();
        let same = Signers::load(&store, &k1, &own).unwrap();
        assert_eq!(same.check("other", Some(other), None), Verdict::Accept);
        // A rekey: devices announce themselves again.
        let after = Signers::load(&store, &k2, &own).unwrap();
        assert_eq!(after.check("other", None, None), Verdict::Accept);
        assert_eq!(
            after.check(store.device(), Some(other), None),
            Verdict::KeyChanged
        );
    }
}
