//! A lost device: forget it (it stops holding back cleanup) and replace the sync
//! key so it reads nothing new (`pim devices forget`, `pim sync rekey`, and the
//! Sync tab's `F` and `R`).

use std::path::Path;

use super::connector::connect;
use super::failure::SessionError;
use super::profile::setup;
use super::rekey::{Rekeyed, rekey};
use crate::store::Store;
use crate::sync::setup as sync_setup;

/// A device that was forgotten.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forgotten {
    pub device: String,
    pub name: String,
}

/// Forget the device named (or id'd) `which`: refused before going online when the
/// name is unknown or ambiguous.
pub async fn forget_device(
    store: &mut Store,
    config_file: &Path,
    account_name: Option<&str>,
    which: &str,
) -> Result<Forgotten, SessionError> {
    let known = sync_setup::devices(store)?;
    let found = sync_setup::find_device(&known, which)?;
    let gone = Forgotten {
        device: found.device.clone(),
        name: found.name.clone(),
    };
    let s = setup(store, config_file, account_name)?;
    let _one_at_a_time = super::lock_profile(store, &mut || {}).await?;
    let mut mb = connect(&s.account_name, &s.account).await?;
    let done = sync_setup::forget(store, &mut mb, &s.options, &gone.device).await;
    mb.logout().await;
    done?;
    Ok(gone)
}

/// Replace the sync key through the account sync uses (or the one named).
pub async fn rekey_now(
    store: &mut Store,
    config_file: &Path,
    account_name: Option<&str>,
) -> Result<Rekeyed, SessionError> {
    let s = setup(store, config_file, account_name)?;
    let _one_at_a_time = super::lock_profile(store, &mut || {}).await?;
    let mut mb = connect(&s.account_name, &s.account).await?;
    let done = rekey(store, &mut mb, &s).await;
    mb.logout().await;
    done
}

/// What a forgotten device can still do, said once after forgetting it.
pub const FORGET_ADVICE: &str = "it still holds the sync key: if it was lost or stolen, replace \
     the key (`pim sync rekey`, or R on the Sync tab) to lock it out";
