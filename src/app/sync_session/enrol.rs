//! A profile starts syncing: the first device creates pim's folders and a key
//! (`pim sync init`, the Sync tab's "start syncing — first device"); every other
//! device joins with that key (`pim sync join`, the Sync tab's "join").

use std::path::Path;

use super::connector::connect;
use super::failure::SessionError;
use super::profile::{
    SetupError, device_name, is_enrolled, options, remember_enrolment, resolve_account, stored_key,
};
use crate::config::accounts::Account;
use crate::mail::ImapMailbox;
use crate::store::Store;
use crate::sync::crypto::{KeyError, SyncKey};
use crate::sync::engine::SyncError;
use crate::sync::setup;

/// Said to whoever chooses a passphrase over a generated key.
pub const PASSPHRASE_ADVICE: &str = "a generated key (init without --passphrase) is stronger than \
     any passphrase you can remember: the mail provider holds the salt and can guess offline";

/// The first device's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewSecret {
    /// A random key, shown once to be entered on the other devices.
    Generated,
    /// A passphrase strong enough by [`crate::sync::passphrase::check`].
    Passphrase(String),
}

/// A profile that now syncs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    pub account_name: String,
    /// The generated key in its human form (`None` with a passphrase).
    pub key: Option<String>,
    pub uploaded: u64,
    pub downloaded: u64,
    pub applied: u64,
    /// Things worth a warning (e.g. the server publishes several passphrase salts).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("this profile syncs already (key stored); nothing to {0}")]
    AlreadyEnrolled(&'static str),
    #[error("this profile syncs already with this key; nothing to join")]
    SameKey,
    #[error("{0}")]
    WeakPassphrase(String),
    #[error("no sync key given")]
    NoKey,
    #[error(transparent)]
    BadKey(#[from] KeyError),
    #[error(transparent)]
    Setup(#[from] SetupError),
    #[error(transparent)]
    Session(#[from] SessionError),
}

impl From<SyncError> for EnrolError {
    fn from(e: SyncError) -> Self {
        EnrolError::Session(SessionError::Sync(e))
    }
}

/// The account to enrol through; refuses a profile that syncs already.
fn account_for(
    store: &Store,
    config_file: &Path,
    account_name: Option<&str>,
    what: &'static str,
) -> Result<(String, Account), EnrolError> {
    if is_enrolled(store)? {
        return Err(EnrolError::AlreadyEnrolled(what));
    }
    Ok(resolve_account(store, config_file, account_name)?)
}

/// First device: create the folders on the server, upload everything, remember
/// the key.
pub async fn init(
    store: &mut Store,
    config_file: &Path,
    account_name: Option<&str>,
    secret: NewSecret,
    device: Option<String>,
) -> Result<Enrolled, EnrolError> {
    let (name, account) = account_for(store, config_file, account_name, "init")?;
    let (key, kdf, shown) = match secret {
        NewSecret::Passphrase(phrase) => {
            crate::sync::passphrase::check(&phrase).map_err(EnrolError::WeakPassphrase)?;
            let kdf = setup::new_kdf_header();
            (setup::key_from_passphrase(&phrase, &kdf)?, Some(kdf), None)
        }
        NewSecret::Generated => {
            let key = SyncKey::generate();
            let shown = key.to_human();
            (key, None, Some(shown))
        }
    };
    let mut o = options(store, &account, key.clone())?;
    o.kdf = kdf.clone();
    o.device_name = device_name(device.clone(), store.device());
    let _one_at_a_time = super::lock_profile(store, &mut || {}).await?;
    let mut mb = connect(&name, &account).await?;
    let report = setup::init(store, &mut mb, &o).await;
    mb.logout().await;
    let report = report?;
    remember_enrolment(store, &name, &key, kdf.as_deref(), device)?;
    Ok(Enrolled {
        account_name: name,
        key: shown,
        uploaded: report.uploaded,
        downloaded: report.downloaded,
        applied: report.applied,
        warnings: Vec::new(),
    })
}

/// Another device, connected: the server says whether the first one chose a
/// passphrase; [`Joining::finish`] takes the key (or passphrase).
pub struct Joining {
    name: String,
    account: Account,
    mb: ImapMailbox,
    /// The passphrase salts the server publishes (empty: a generated key).
    kdfs: Vec<String>,
    /// The key of a profile that syncs already and joins again (after a rekey).
    stored: Option<SyncKey>,
}

/// Connect to join (before the key is asked for: the prompt depends on whether
/// the first device chose a passphrase).
pub async fn start_join(
    store: &Store,
    config_file: &Path,
    account_name: Option<&str>,
) -> Result<Joining, EnrolError> {
    // An enrolled profile joins again when the key was replaced elsewhere.
    let stored = if is_enrolled(store)? {
        Some(stored_key(store)?)
    } else {
        None
    };
    let (name, account) = resolve_account(store, config_file, account_name)?;
    let mut mb = connect(&name, &account).await?;
    let kdfs = setup::server_kdfs(&mut mb, &account.folder_root).await?;
    Ok(Joining {
        name,
        account,
        mb,
        kdfs,
        stored,
    })
}

impl Joining {
    /// Whether the secret is a passphrase (else a generated key).
    pub fn wants_passphrase(&self) -> bool {
        !self.kdfs.is_empty()
    }

    /// Check the key against the devices already syncing, download, remember it.
    pub async fn finish(
        mut self,
        store: &mut Store,
        secret: &str,
        device: Option<String>,
    ) -> Result<Enrolled, EnrolError> {
        let secret = secret.trim();
        if secret.is_empty() {
            self.mb.logout().await;
            return Err(EnrolError::NoKey);
        }
        let found = self.key_for(secret).await;
        let (key, kdf, warnings) = match found {
            Ok(k) => k,
            Err(e) => {
                self.mb.logout().await;
                return Err(e);
            }
        };
        if self.stored.as_ref() == Some(&key) {
            self.mb.logout().await;
            return Err(EnrolError::SameKey);
        }
        let mut o = options(store, &self.account, key.clone())?;
        o.kdf = kdf.clone();
        o.device_name = match (&device, &self.stored) {
            (None, Some(_)) => o.device_name.clone(),
            _ => device_name(device.clone(), store.device()),
        };
        let report = match super::lock_profile(store, &mut || {}).await {
            Ok(_one_at_a_time) => setup::join(store, &mut self.mb, &o).await,
            Err(e) => {
                self.mb.logout().await;
                return Err(e.into());
            }
        };
        self.mb.logout().await;
        let report = report?;
        let device = device.or(self.stored.is_some().then(|| o.device_name.clone()));
        remember_enrolment(store, &self.name, &key, kdf.as_deref(), device)?;
        Ok(Enrolled {
            account_name: self.name,
            key: None,
            uploaded: report.uploaded,
            downloaded: report.downloaded,
            applied: report.applied,
            warnings,
        })
    }

    /// The key a secret stands for. A generated key is recognised by its form;
    /// anything else is a passphrase, checked against the salts published (a
    /// forged one cannot redirect it: the key must open a device message).
    async fn key_for(
        &mut self,
        secret: &str,
    ) -> Result<(SyncKey, Option<String>, Vec<String>), EnrolError> {
        if self.kdfs.is_empty() || looks_like_key(secret) {
            return Ok((SyncKey::parse_human(secret)?, None, Vec::new()));
        }
        let (key, kdf, disagree) =
            setup::passphrase_key(&mut self.mb, &self.account.folder_root, secret).await?;
        let warnings = if disagree {
            vec![
                "device messages on the server name different passphrase salts; the one your \
                 passphrase opens was used (someone may have added the others)"
                    .to_string(),
            ]
        } else {
            Vec::new()
        };
        Ok((key, Some(kdf), warnings))
    }
}

/// Whether `secret` is a generated sync key (`PIM1-…`) rather than a passphrase.
fn looks_like_key(secret: &str) -> bool {
    secret.trim().to_ascii_uppercase().starts_with("PIM1-")
}

/// Join in one go (the key is known before connecting).
pub async fn join(
    store: &mut Store,
    config_file: &Path,
    account_name: Option<&str>,
    secret: &str,
    device: Option<String>,
) -> Result<Enrolled, EnrolError> {
    start_join(store, config_file, account_name)
        .await?
        .finish(store, secret, device)
        .await
}
