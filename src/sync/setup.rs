//! `pim sync init` / `join`, `pim devices`, `pim conflicts` as library functions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use rand::RngCore;

use super::apply::{self, Resolution};
use super::batch;
use super::crypto::{KDF_M_COST, KDF_T_COST, SyncKey};
use super::engine::{Folders, SyncError, SyncOptions, SyncReport, SyncResult, sync_once};
use super::envelope::{Header, LIST_HEADERS, MsgKind};
use super::mailbox::{Mailbox, MailboxError};
use crate::store::Store;
use crate::store::sync_state::{self as st, Conflict, DeviceInfo};

/// A fresh salt and the `X-Pim-Kdf` value that carries it to other devices.
pub fn new_kdf_header() -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    format!(
        "argon2id m={KDF_M_COST} t={KDF_T_COST} p=1 salt={}",
        B64.encode(salt)
    )
}

/// Derive the key from a passphrase with the salt an `X-Pim-Kdf` header names.
pub fn key_from_passphrase(passphrase: &str, kdf_header: &str) -> SyncResult<SyncKey> {
    let salt = kdf_header
        .split_whitespace()
        .find_map(|w| w.strip_prefix("salt="))
        .and_then(|s| B64.decode(s).ok())
        .ok_or_else(|| SyncError::Setup(format!("malformed X-Pim-Kdf header {kdf_header:?}")))?;
    SyncKey::from_passphrase(passphrase, &salt).map_err(|e| SyncError::Setup(e.to_string()))
}

/// The `X-Pim-Kdf` header published by devices that use a passphrase, if any.
pub async fn server_kdf<M: Mailbox>(mb: &mut M, root: &str) -> SyncResult<Option<String>> {
    let f = Folders::new(root);
    match mb.list(&f.devices, 1, LIST_HEADERS).await {
        Ok(list) => Ok(list
            .into_iter()
            .find_map(|m| m.headers.get("x-pim-kdf").cloned())),
        Err(MailboxError::NoFolder(_)) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Device-state messages on the server: how many, and how many `key` opens.
async fn probe<M: Mailbox>(mb: &mut M, root: &str, key: &SyncKey) -> SyncResult<(usize, usize)> {
    let f = Folders::new(root);
    let list = match mb.list(&f.devices, 1, LIST_HEADERS).await {
        Ok(l) => l,
        Err(MailboxError::NoFolder(_)) => return Ok((0, 0)),
        Err(e) => return Err(e.into()),
    };
    let uids: Vec<u32> = list
        .iter()
        .filter(|m| Header::from_headers(&m.headers).is_some_and(|h| h.kind == MsgKind::Device))
        .map(|m| m.uid)
        .collect();
    if uids.is_empty() {
        return Ok((0, 0));
    }
    let msgs = mb.fetch(&f.devices, &uids).await?;
    let ok = msgs
        .iter()
        .filter(|(_, raw)| batch::open_device(key, raw).is_ok())
        .count();
    Ok((msgs.len(), ok))
}

/// `pim sync init`: create the folders and publish this device. Refuses when the
/// folders already hold sync data under another key.
pub async fn init<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    o: &SyncOptions,
) -> SyncResult<SyncReport> {
    let (found, ok) = probe(mb, &o.root, &o.key).await?;
    if found > 0 && ok == 0 {
        return Err(SyncError::Setup(format!(
            "{}/Devices already holds sync data made with another key: use `pim sync join`",
            o.root
        )));
    }
    for folder in Folders::new(&o.root).all() {
        mb.ensure_folder(folder).await?;
    }
    sync_once(store, mb, o).await
}

/// `pim sync join`: check that the key opens the devices already syncing, then sync.
pub async fn join<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    o: &SyncOptions,
) -> SyncResult<SyncReport> {
    let (found, ok) = probe(mb, &o.root, &o.key).await?;
    if found == 0 {
        return Err(SyncError::Setup(format!(
            "no device syncs through {} yet: run `pim sync init` on the first device",
            o.root
        )));
    }
    if ok == 0 {
        return Err(SyncError::Setup(
            "the sync key does not open the existing sync data (a typo, or another key?)".into(),
        ));
    }
    sync_once(store, mb, o).await
}

/// Every device heard of, this one included.
pub fn devices(store: &Store) -> SyncResult<Vec<DeviceInfo>> {
    Ok(st::devices(store)?)
}

/// `pim devices forget`: the device stops holding back garbage collection, here and
/// (once its state message is gone from the server) on every device.
pub async fn forget<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    o: &SyncOptions,
    device: &str,
) -> SyncResult<()> {
    if device == store.device() {
        return Err(SyncError::Setup("this device cannot forget itself".into()));
    }
    let known = st::devices(store)?;
    let d = find_device(&known, device)?;
    if d.device == store.device() {
        return Err(SyncError::Setup("this device cannot forget itself".into()));
    }
    let f = Folders::new(&o.root);
    let tag = o.key.device_tag(&d.device);
    let list = mb.list(&f.devices, 1, LIST_HEADERS).await?;
    let uids: Vec<u32> = list
        .iter()
        .filter(|m| m.headers.get("x-pim-device").map(|t| t.trim()) == Some(tag.as_str()))
        .map(|m| m.uid)
        .collect();
    if !uids.is_empty() {
        mb.delete(&f.devices, &uids).await?;
    }
    st::forget_device(store, &d.device)?;
    Ok(())
}

/// The device `which` means: its id, else its name, else a unique start of its
/// id. A name two devices share picks neither (forgetting the wrong one would
/// stop waiting for a live device): the error lists both with their ids.
pub fn find_device<'a>(known: &'a [DeviceInfo], which: &str) -> SyncResult<&'a DeviceInfo> {
    if let Some(d) = known.iter().find(|d| d.device == which) {
        return Ok(d);
    }
    let mut hits: Vec<&DeviceInfo> = known.iter().filter(|d| d.name == which).collect();
    if hits.is_empty() && which.len() >= 4 {
        hits = known
            .iter()
            .filter(|d| d.device.starts_with(which))
            .collect();
    }
    match hits.as_slice() {
        [] => Err(SyncError::Setup(format!(
            "no device {which:?} (see `pim devices list`)"
        ))),
        [d] => Ok(d),
        many => {
            let listed: Vec<String> = many
                .iter()
                .map(|d| format!("  {}  {}  last seen {}", d.device, d.name, d.last_seen))
                .collect();
            Err(SyncError::Setup(format!(
                "{which:?} matches {} devices; forget one by its id:\n{}",
                many.len(),
                listed.join("\n")
            )))
        }
    }
}

pub fn conflicts(store: &Store) -> SyncResult<Vec<Conflict>> {
    Ok(st::open_conflicts(store, None)?)
}

pub fn conflict(store: &Store, id: i64) -> SyncResult<Option<Conflict>> {
    Ok(st::conflict(store, id)?)
}

/// Resolve a queued conflict; the resolution is a logged change that syncs.
pub fn resolve(store: &mut Store, id: i64, how: &Resolution) -> SyncResult<Conflict> {
    Ok(store.write(|w| apply::resolve(w, id, how))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passphrase_keys_follow_the_published_salt() {
        let h1 = new_kdf_header();
        let h2 = new_kdf_header();
        assert_ne!(h1, h2);
        let a = key_from_passphrase("correct horse", &h1).unwrap();
        assert_eq!(a, key_from_passphrase("correct horse", &h1).unwrap());
        assert_ne!(a, key_from_passphrase("correct horse", &h2).unwrap());
        assert_ne!(a, key_from_passphrase("wrong horse", &h1).unwrap());
        assert!(key_from_passphrase("x", "argon2id m=1").is_err());
    }

    fn device(id: &str, name: &str) -> DeviceInfo {
        DeviceInfo {
            device: id.into(),
            tag: String::new(),
            name: name.into(),
            last_seen: "2026-01-01T00:00:00Z".into(),
            vector: Default::default(),
            forgotten: false,
        }
    }

    #[test]
    fn a_shared_name_is_refused_and_ids_pick_one() {
        let known = [
            device("3f9a77e0c1d2e3f4", "vm"),
            device("ab12cd34ef56ab78", "vm"),
            device("99887766554433aa", "laptop-9988"),
        ];
        let err = find_device(&known, "vm").unwrap_err().to_string();
        assert!(err.contains("matches 2 devices"), "{err}");
        assert!(err.contains("3f9a77e0c1d2e3f4") && err.contains("ab12cd34ef56ab78"));
        assert_eq!(
            find_device(&known, "ab12cd34ef56ab78").unwrap().device,
            known[1].device
        );
        assert_eq!(find_device(&known, "3f9a").unwrap().device, known[0].device);
        assert_eq!(
            find_device(&known, "laptop-9988").unwrap().device,
            known[2].device
        );
        assert!(find_device(&known, "abc").is_err());
        assert!(find_device(&known, "desk").is_err());
    }
}
