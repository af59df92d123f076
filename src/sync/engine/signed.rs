//! Signatures in a round: this device's signing key, and whether a message may
//! count as the device it names ([`crate::sync::signing`] has the rules).

use super::*;
use crate::sync::signing::{PublicKey, Verdict};

/// This profile's signing key, made on first use. It signs every own sequence
/// number not yet handed to the server; those that were went out unsigned.
pub fn device_signer(store: &Store) -> SyncResult<DeviceSigner> {
    let next_unsent = || {
        let me = store.device();
        let attempted: u64 = store
            .meta(META_ATTEMPTED)?
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let submitted = match st::first_unsubmitted(store, me)? {
            Some(first) => first.saturating_sub(1),
            None => st::max_seq(store, me)?,
        };
        Ok(attempted.max(submitted).saturating_add(1))
    };
    Ok(DeviceSigner::load_or_create(store, next_unsent)?)
}

impl<M: Mailbox> Round<'_, M> {
    /// Whether a message from `device` signed by `signer` counts as that
    /// device's (`seq_to`: the highest sequence number a batch speaks for). A
    /// first key is bound; a refused message is rejected by location, and a key
    /// other than the bound one is reported.
    pub(super) fn admit(
        &mut self,
        folder: &str,
        uids: &[u32],
        device: &str,
        signer: Option<PublicKey>,
        seq_to: Option<u64>,
    ) -> SyncResult<bool> {
        match self.signers.check(device, signer, seq_to) {
            Verdict::Accept => return Ok(true),
            Verdict::Bind(k) => {
                self.signers.bind(device, k);
                if !self.o.dry_run {
                    self.signers.save(self.store)?;
                }
                return Ok(true);
            }
            Verdict::KeyChanged => {
                let bound = self
                    .signers
                    .bound(device)
                    .and_then(|b| PublicKey::from_hex(&b.key))
                    .map(|k| k.fingerprint())
                    .unwrap_or_default();
                let name = st::devices(&*self.store)?
                    .into_iter()
                    .find(|d| d.device == device)
                    .map(|d| d.name)
                    .unwrap_or_default();
                let refused = RefusedKey {
                    device: device.to_string(),
                    name,
                    bound,
                    offered: signer.map(|k| k.fingerprint()).unwrap_or_default(),
                };
                if !self.report.refused_keys.contains(&refused) {
                    self.report.refused_keys.push(refused);
                }
                if let Some(k) = signer {
                    let now = self.store.clock().now_rfc3339();
                    self.signers.note_refused(device, k, &now);
                    if !self.o.dry_run {
                        self.signers.save(self.store)?;
                    }
                }
            }
            Verdict::Unsigned => {}
        }
        for &uid in uids {
            self.reject(folder, uid);
        }
        Ok(false)
    }

    /// A bound device's own signed record says from which sequence number on
    /// it signs everything.
    pub(super) fn note_signs_from(&mut self, device: &str, signs_from: u64) -> SyncResult<()> {
        if self.signers.bound(device).map(|b| b.signs_from) != Some(signs_from) {
            self.signers.note_signs_from(device, signs_from);
            if !self.o.dry_run {
                self.signers.save(self.store)?;
            }
        }
        Ok(())
    }
}
