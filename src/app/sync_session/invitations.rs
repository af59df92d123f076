//! The invitation work that rides along with every sync round: scan INBOX for
//! new invitations (applying updates by themselves) and send the queued
//! invitation replies. `scan_invitations` is the only place the session calls
//! the invitation use case, so moving that use case means changing this file only.

use std::path::Path;

use crate::config::accounts::{Account, ConfigError, ConfigFile};
use crate::invite::state;
use crate::mail::ImapMailbox;
use crate::mail::account::AccountError;
use crate::mail::invites::{self as mail_invites, InviteMailError, OutboxReport, ScanReport};
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `[invitations]` in config.toml is wrong.
    #[error("{0}")]
    Settings(String),
    #[error("account {account}: {reason}")]
    Password {
        account: String,
        reason: crate::config::accounts::PasswordError,
    },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Mail(#[from] InviteMailError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What the invitation work of one round did; a failure here never fails the sync.
#[derive(Debug)]
pub struct InvitationOutcome {
    pub scan: Result<ScanReport, InvitationError>,
    /// `Ok(None)`: no reply was waiting.
    pub replies: Result<Option<OutboxReport>, InvitationError>,
}

/// Scan INBOX over the open connection, then send queued replies (they go out
/// even when the scan failed).
pub async fn scan_invitations(
    store: &mut Store,
    mb: &mut ImapMailbox,
    account_name: &str,
    account: &Account,
    config_file: &Path,
) -> InvitationOutcome {
    let scan = scan(store, mb, account_name, account, config_file).await;
    let replies = send_replies(store, account_name, account).await;
    InvitationOutcome { scan, replies }
}

async fn scan(
    store: &mut Store,
    mb: &mut ImapMailbox,
    account_name: &str,
    account: &Account,
    config_file: &Path,
) -> Result<ScanReport, InvitationError> {
    let config = ConfigFile::load(config_file)?;
    let (settings, _) =
        crate::mail::answer::settings(&config, account).map_err(InvitationError::Settings)?;
    Ok(mail_invites::scan(store, mb, account_name, &account.parking_folder, &settings).await?)
}

async fn send_replies(
    store: &Store,
    account_name: &str,
    account: &Account,
) -> Result<Option<OutboxReport>, InvitationError> {
    if state::queued(store, account_name)?.is_empty() {
        return Ok(None);
    }
    let password = account
        .password()
        .map_err(|reason| InvitationError::Password {
            account: account_name.to_string(),
            reason,
        })?;
    let cfg = crate::mail::account::smtp_config(account, &password)?;
    Ok(Some(
        mail_invites::send_outbox(store, &cfg, account_name).await?,
    ))
}
