//! A profile starts syncing: the first device creates pim's folders and a key
//! (`pim sync init`, the Sync tab's "start syncing — first device"); every other
//! device joins with that key (`pim sync join`, the Sync tab's "join").

use std::path::Path;

use super::connector::connect;
use super::failure::SessionError;
use super::profile::{
    SetupError, device_name, is_enrolled, options, remember_enrolment, resolve_account,
};
use crate::config::accounts::Account;
use crate::mail::ImapMailbox;
use crate::store::Store;
use crate::sync::crypto::{KeyError, SyncKey};
use crate::sync::engine::SyncError;
use crate::sync::setup;

/// Shortest passphrase accepted instead of a generated key.
pub const MIN_PASSPHRASE: usize = 12;

/// The first device's secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewSecret {
    /// A random key, shown once to be entered on the other devices.
    Generated,
    /// A passphrase of at least [`MIN_PASSPHRASE`] characters.
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
}

#[derive(Debug, thiserror::Error)]
pub enum EnrolError {
    #[error("this profile syncs already (key stored); nothing to {0}")]
    AlreadyEnrolled(&'static str),
    #[error("the passphrase must have at least {MIN_PASSPHRASE} characters")]
    ShortPassphrase,
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
            if phrase.chars().count() < MIN_PASSPHRASE {
                return Err(EnrolError::ShortPassphrase);
            }
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
    })
}

/// Another device, connected: the server says whether the first one chose a
/// passphrase; [`Joining::finish`] takes the key (or passphrase).
pub struct Joining {
    name: String,
    account: Account,
    mb: ImapMailbox,
    kdf: Option<String>,
}

/// Connect to join (before the key is asked for: the prompt depends on whether
/// the first device chose a passphrase).
pub async fn start_join(
    store: &Store,
    config_file: &Path,
    account_name: Option<&str>,
) -> Result<Joining, EnrolError> {
    let (name, account) = account_for(store, config_file, account_name, "join")?;
    let mut mb = connect(&name, &account).await?;
    let kdf = setup::server_kdf(&mut mb, &account.folder_root).await?;
    Ok(Joining {
        name,
        account,
        mb,
        kdf,
    })
}

impl Joining {
    /// Whether the secret is a passphrase (else a generated key).
    pub fn wants_passphrase(&self) -> bool {
        self.kdf.is_some()
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
        let key: Result<SyncKey, EnrolError> = match &self.kdf {
            Some(h) => setup::key_from_passphrase(secret, h).map_err(EnrolError::from),
            None => SyncKey::parse_human(secret).map_err(EnrolError::from),
        };
        let key = match key {
            Ok(k) => k,
            Err(e) => {
                self.mb.logout().await;
                return Err(e);
            }
        };
        let mut o = options(store, &self.account, key.clone())?;
        o.kdf = self.kdf.clone();
        o.device_name = device_name(device.clone(), store.device());
        let report = setup::join(store, &mut self.mb, &o).await;
        self.mb.logout().await;
        let report = report?;
        remember_enrolment(store, &self.name, &key, self.kdf.as_deref(), device)?;
        Ok(Enrolled {
            account_name: self.name,
            key: None,
            uploaded: report.uploaded,
            downloaded: report.downloaded,
            applied: report.applied,
        })
    }
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
