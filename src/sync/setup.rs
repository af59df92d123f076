//! `pim sync init` / `join`, `pim devices`, `pim conflicts` as library functions.

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD as B64;
use rand::RngCore;

use super::apply::{self, Resolution};
use super::batch;
use super::crypto::{
    KDF_M_COST, KDF_M_RANGE, KDF_T_COST, KDF_T_RANGE, LEGACY_KDF_M_COST, LEGACY_KDF_T_COST, SyncKey,
};
use super::engine::{Folders, SyncError, SyncOptions, SyncReport, SyncResult, sync_once};
use super::envelope::{self, Header, LIST_HEADERS, MsgKind};
use super::mailbox::{Mailbox, MailboxError};
use crate::store::Store;
use crate::store::sync_state::{self as st, Conflict, DeviceInfo};

/// The version of `X-Pim-Kdf` values this build writes. Unversioned values
/// (older builds) mean Argon2id at the legacy cost.
const KDF_VERSION: &str = "v=2";

/// A fresh salt and the `X-Pim-Kdf` value that carries it to other devices.
pub fn new_kdf_header() -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    format!(
        "argon2id {KDF_VERSION} m={KDF_M_COST} t={KDF_T_COST} p=1 salt={}",
        B64.encode(salt)
    )
}

/// The salt and cost an `X-Pim-Kdf` value names, cost within bounds.
fn kdf_params(kdf_header: &str) -> SyncResult<(Vec<u8>, u32, u32)> {
    let bad = || SyncError::Setup(format!("malformed X-Pim-Kdf header {kdf_header:?}"));
    let words: Vec<&str> = kdf_header.split_whitespace().collect();
    if words.first() != Some(&"argon2id") {
        return Err(bad());
    }
    let value = |name: &str| words.iter().find_map(|w| w.strip_prefix(name));
    let salt = value("salt=")
        .and_then(|s| B64.decode(s).ok())
        .filter(|s| (8..=64).contains(&s.len()))
        .ok_or_else(bad)?;
    if !words.contains(&KDF_VERSION) {
        return Ok((salt, LEGACY_KDF_M_COST, LEGACY_KDF_T_COST));
    }
    let number = |name: &str| value(name).and_then(|v| v.parse::<u32>().ok());
    match (number("m="), number("t="), number("p=")) {
        (Some(m), Some(t), Some(1)) if KDF_M_RANGE.contains(&m) && KDF_T_RANGE.contains(&t) => {
            Ok((salt, m, t))
        }
        _ => Err(bad()),
    }
}

/// Derive the key from a passphrase with the salt and cost an `X-Pim-Kdf`
/// header names. The header is not trusted by itself: the key it gives must
/// open the messages that carry it ([`passphrase_key`]).
pub fn key_from_passphrase(passphrase: &str, kdf_header: &str) -> SyncResult<SyncKey> {
    let (salt, m, t) = kdf_params(kdf_header)?;
    SyncKey::from_passphrase_at(passphrase, &salt, m, t)
        .map_err(|e| SyncError::Setup(e.to_string()))
}

/// Most distinct `X-Pim-Kdf` values `join` tries (each costs a derivation).
const MAX_KDF_CANDIDATES: usize = 4;

/// The distinct `X-Pim-Kdf` values on device messages, at most a few, in order
/// of appearance. More than one means someone appended a message with another
/// salt (or two profiles share the folders): [`passphrase_key`] decides.
pub async fn server_kdfs<M: Mailbox>(mb: &mut M, root: &str) -> SyncResult<Vec<String>> {
    let f = Folders::new(root);
    let list = match mb.list(&f.devices, 1, LIST_HEADERS).await {
        Ok(list) => list,
        Err(MailboxError::NoFolder(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let mut found: Vec<String> = Vec::new();
    for h in list.iter().filter_map(|m| Header::from_headers(&m.headers)) {
        if let Some(k) = h.kdf
            && h.kind == MsgKind::Device
            && !found.contains(&k)
        {
            found.push(k);
        }
        if found.len() == MAX_KDF_CANDIDATES {
            break;
        }
    }
    Ok(found)
}

/// The `X-Pim-Kdf` header published by devices that use a passphrase, if any
/// (the first one listed; see [`passphrase_key`] for the checked choice).
pub async fn server_kdf<M: Mailbox>(mb: &mut M, root: &str) -> SyncResult<Option<String>> {
    Ok(server_kdfs(mb, root).await?.into_iter().next())
}

/// A key derived from `passphrase` with a published `X-Pim-Kdf` value, checked
/// after derivation: it must open a device message (version 2 messages bind the
/// header itself). Returns the key, the value, and whether other values were
/// published (salts disagree: worth a warning).
pub async fn passphrase_key<M: Mailbox>(
    mb: &mut M,
    root: &str,
    passphrase: &str,
) -> SyncResult<(SyncKey, String, bool)> {
    let candidates = server_kdfs(mb, root).await?;
    let disagree = candidates.len() > 1;
    for kdf in &candidates {
        let Ok(key) = key_from_passphrase(passphrase, kdf) else {
            continue;
        };
        if probe(mb, root, &key).await?.1 > 0 {
            return Ok((key, kdf.clone(), disagree));
        }
    }
    Err(SyncError::Setup(if candidates.is_empty() {
        "no device publishes a passphrase salt: join with the sync key".into()
    } else {
        "the passphrase does not open the existing sync data (a typo?)".into()
    }))
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
    // Joining (again, after a rekey) asks for the server's current epoch.
    let mut o = o.clone();
    o.accept_epoch = true;
    sync_once(store, mb, &o).await
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
    let list = mb.list(&f.devices, 1, LIST_HEADERS).await?;
    // Format 3 names the device in its sealed identity; older messages carry its
    // fixed tag.
    let uids: Vec<u32> = list
        .iter()
        .filter(|m| match envelope::identify(&o.key, &m.headers) {
            Ok(h) if h.version >= 3 => h.device == d.device,
            Ok(h) => h.tag == o.key.device_tag(&d.device),
            Err(_) => false,
        })
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
        // Versioned headers carry their cost, within bounds; old ones the legacy cost.
        assert!(h1.contains("v=2"), "{h1}");
        let salt = h1.split_whitespace().last().unwrap();
        let legacy = format!("argon2id m=65536 t=3 p=1 {salt}");
        assert_eq!(
            key_from_passphrase("correct horse", &legacy).unwrap(),
            SyncKey::from_passphrase_at(
                "correct horse",
                &B64.decode(salt.strip_prefix("salt=").unwrap()).unwrap(),
                LEGACY_KDF_M_COST,
                LEGACY_KDF_T_COST
            )
            .unwrap()
        );
        for cost in ["m=1024 t=3", "m=268435456 t=3", "m=262144 t=1000"] {
            let forged = format!("argon2id v=2 {cost} p=1 {salt}");
            assert!(key_from_passphrase("x", &forged).is_err(), "{forged}");
        }
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
