//! Device signing keys as people see them (issue 20): the fingerprint of each
//! device's key, to compare between devices out of band, and the refused key
//! changes that wait for the user. `pim devices`, `pim sync` and the Sync tab
//! all read them here.

use std::collections::BTreeMap;

use crate::store::{Result, Store};
use crate::sync::signing::{DeviceSigner, PublicKey, Refusal, Signers};

/// What this device knows about one device's key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeviceKey {
    /// Its key's fingerprint (`3f9a 1b2c 7d8e c2d1`); `None` until a signed
    /// message from it arrived (or, for this device, until its first sync).
    pub fingerprint: Option<String>,
    /// A message signed with another key that claimed this device, until the
    /// user dismisses it.
    pub refused: Option<Refusal>,
}

/// This device's own key fingerprint (`None` before its first sync made one).
pub fn own_fingerprint(store: &Store) -> Result<Option<String>> {
    Ok(DeviceSigner::stored(store)?.map(|s| s.public().fingerprint()))
}

/// Every device's key as far as this device knows, by device id (this device
/// included once it has a key).
pub fn device_keys(store: &Store) -> Result<BTreeMap<String, DeviceKey>> {
    let signers = Signers::stored(store)?;
    let mut out: BTreeMap<String, DeviceKey> = BTreeMap::new();
    for device in signers.bound_devices() {
        let fingerprint = signers
            .bound(device)
            .and_then(|b| PublicKey::from_hex(&b.key))
            .map(|k| k.fingerprint());
        out.entry(device.to_string()).or_default().fingerprint = fingerprint;
    }
    for (device, r) in signers.refusals() {
        out.entry(device.clone()).or_default().refused = Some(r.clone());
    }
    if let Some(own) = own_fingerprint(store)? {
        out.entry(store.device().to_string())
            .or_default()
            .fingerprint = Some(own);
    }
    Ok(out)
}

/// How a refused key change reads in listings.
pub fn refusal_note(r: &Refusal) -> String {
    format!(
        "another key tried to write as this device on {}",
        r.on.get(..10).unwrap_or(&r.on)
    )
}

/// The reminder `pim sync` repeats while refusals wait (`None`: none wait).
/// `skip`: devices this round's report already names.
pub fn refusals_reminder(store: &Store, skip: &[&str]) -> Result<Option<String>> {
    let signers = Signers::stored(store)?;
    let names: BTreeMap<String, String> = crate::store::sync_state::devices(store)?
        .into_iter()
        .map(|d| (d.device, d.name))
        .collect();
    let who: Vec<String> = signers
        .refusals()
        .iter()
        .filter(|(d, _)| !skip.contains(&d.as_str()))
        .map(|(d, r)| {
            let name = names.get(d).filter(|n| !n.is_empty()).unwrap_or(d);
            format!(
                "{name} (key {} on {})",
                r.offered,
                r.on.get(..10).unwrap_or(&r.on)
            )
        })
        .collect();
    if who.is_empty() {
        return Ok(None);
    }
    Ok(Some(format!(
        "earlier refused messages signed with another key than their device's: {}; \
         compare fingerprints (`pim devices list`) and `pim sync rekey` if someone else \
         has the sync key, or `pim devices dismiss DEVICE` to stop this reminder",
        who.join(", ")
    )))
}

/// The user has seen the refused key change of `device` (id or name): stop
/// reporting it. The device id it was for, if there was one.
pub fn dismiss_refusal(store: &Store, device: &str) -> Result<Option<String>> {
    let mut signers = Signers::stored(store)?;
    let named: Vec<String> = crate::store::sync_state::devices(store)?
        .into_iter()
        .filter(|d| d.name == device)
        .map(|d| d.device)
        .collect();
    let id = signers
        .refusals()
        .keys()
        .find(|d| d.as_str() == device || named.contains(d))
        .cloned();
    if let Some(id) = &id {
        signers.dismiss(id);
        signers.save(store)?;
    }
    Ok(id)
}
