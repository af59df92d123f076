//! From a profile (its database and config.toml) to what a session needs: the
//! account to sync through, the stored key and the sync options.

use std::path::{Path, PathBuf};

use crate::config::accounts::{Account, ConfigError, ConfigFile};
use crate::store::{Store, StoreError};
use crate::sync::apply::Policy;
use crate::sync::crypto::{KeyError, SyncKey};
use crate::sync::engine::SyncOptions;

const META_KEY: &str = "sync.key";
const META_KDF: &str = "sync.kdf";
const META_ACCOUNT: &str = "sync.account";
const META_DEVICE_NAME: &str = "sync.device_name";

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error(
        "this profile does not sync yet: run `pim sync init` (first device) or `pim sync join`"
    )]
    NotEnrolled,
    #[error("stored sync key: {0}")]
    BadKey(#[from] KeyError),
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// No such account, or none configured (the reason says which).
    #[error(transparent)]
    NoAccount(#[from] crate::config::accounts::LookupError),
    #[error("unknown conflict policy {0}")]
    UnknownPolicy(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Everything a session needs to sync this profile.
#[derive(Debug, Clone)]
pub struct SessionSetup {
    pub account_name: String,
    pub account: Account,
    pub options: SyncOptions,
    /// config.toml, read again by every invitation scan (its `[invitations]`).
    pub config_file: PathBuf,
}

/// The named account, else the one chosen at init/join, else the only one.
pub fn resolve_account(
    store: &Store,
    config_file: &Path,
    name: Option<&str>,
) -> Result<(String, Account), SetupError> {
    let config = ConfigFile::load(config_file)?;
    let remembered = store.meta(META_ACCOUNT)?;
    let name = name.map(str::to_string).or(remembered);
    let (n, a) = config.pick(name.as_deref())?;
    Ok((n.to_string(), a.clone()))
}

/// Whether this profile has a sync key (ran `pim sync init` or `join`).
pub fn is_enrolled(store: &Store) -> Result<bool, SetupError> {
    Ok(store.meta(META_KEY)?.is_some())
}

pub fn stored_key(store: &Store) -> Result<SyncKey, SetupError> {
    let human = store.meta(META_KEY)?.ok_or(SetupError::NotEnrolled)?;
    Ok(SyncKey::parse_human(&human)?)
}

/// The key to type on another device, or `None` when this profile's key was
/// made from a passphrase (the passphrase is typed there instead).
pub fn key_to_share(store: &Store) -> Result<Option<String>, SetupError> {
    if store.meta(META_KDF)?.is_some_and(|k| !k.is_empty()) {
        return Ok(None);
    }
    Ok(Some(stored_key(store)?.to_human()))
}

/// Sync options from the account and what init/join stored.
pub fn options(store: &Store, account: &Account, key: SyncKey) -> Result<SyncOptions, SetupError> {
    let mut o = SyncOptions::new(key);
    o.root = account.folder_root.clone();
    o.policy = Policy::parse(&account.conflict_policy)
        .ok_or_else(|| SetupError::UnknownPolicy(account.conflict_policy.clone()))?;
    o.kdf = store.meta(META_KDF)?.filter(|k| !k.is_empty());
    o.device_name = store
        .meta(META_DEVICE_NAME)?
        .unwrap_or_else(|| device_name(None, store.device()));
    Ok(o)
}

/// How to sync this profile, or why it cannot yet (the key is checked first:
/// "run `pim sync init`" is the more useful answer for a fresh profile).
pub fn setup(
    store: &Store,
    config_file: &Path,
    account_name: Option<&str>,
) -> Result<SessionSetup, SetupError> {
    let key = stored_key(store)?;
    let (name, account) = resolve_account(store, config_file, account_name)?;
    let options = options(store, &account, key)?;
    Ok(SessionSetup {
        account_name: name,
        account,
        options,
        config_file: config_file.to_path_buf(),
    })
}

/// The given name, else the host name plus the start of this device's id
/// (`laptop-3f9a`): two profiles on one host must not share a name, or
/// `pim devices forget NAME` could not tell them apart.
pub fn device_name(given: Option<String>, device_id: &str) -> String {
    given.unwrap_or_else(|| {
        let host = std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "pim".into());
        default_device_name(&host, device_id)
    })
}

/// `host-abcd`: the host and the first four characters of the device id.
fn default_device_name(host: &str, device_id: &str) -> String {
    let short: String = device_id.chars().take(4).collect();
    format!("{host}-{short}")
}

/// After `pim sync init` or `join` succeeded: what later sessions read back.
pub fn remember_enrolment(
    store: &Store,
    account_name: &str,
    key: &SyncKey,
    kdf: Option<&str>,
    device: Option<String>,
) -> Result<(), SetupError> {
    store.set_meta(META_KEY, &key.to_human())?;
    store.set_meta(META_ACCOUNT, account_name)?;
    store.set_meta(META_DEVICE_NAME, &device_name(device, store.device()))?;
    // A key without a passphrase (a rekey, a join with the new key) publishes no salt.
    store.set_meta(META_KDF, kdf.unwrap_or(""))?;
    Ok(())
}

/// Keep a new key (after `pim sync rekey` or a join with the replaced key):
/// generated keys publish no passphrase salt.
pub fn replace_key(store: &Store, key: &SyncKey) -> Result<(), SetupError> {
    store.set_meta(META_KEY, &key.to_human())?;
    store.set_meta(META_KDF, "")?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names_differ_between_profiles_on_one_host() {
        let a = Store::open_in_memory().unwrap();
        let b = Store::open_in_memory().unwrap();
        let (na, nb) = (device_name(None, a.device()), device_name(None, b.device()));
        assert_ne!(na, nb);
        assert!(na.ends_with(&format!("-{}", &a.device()[..4])), "{na}");
        assert_eq!(default_device_name("vm", "3f9a77e0"), "vm-3f9a");
        assert_eq!(device_name(Some("desk".into()), a.device()), "desk");
    }

    #[test]
    fn the_key_to_share_is_the_stored_one_unless_a_passphrase_made_it() {
        let s = Store::open_in_memory().unwrap();
        assert!(matches!(key_to_share(&s), Err(SetupError::NotEnrolled)));
        let key = SyncKey::generate();
        remember_enrolment(&s, "mail", &key, None, None).unwrap();
        assert_eq!(key_to_share(&s).unwrap(), Some(key.to_human()));
        remember_enrolment(&s, "mail", &key, Some("argon2id$..."), None).unwrap();
        assert_eq!(key_to_share(&s).unwrap(), None);
    }
}
