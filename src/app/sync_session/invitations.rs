//! The invitation work that rides along with every sync round: scan INBOX for
//! new invitations (applying updates by themselves) and send the queued
//! invitation replies, through the invitation use case ([`crate::app::invites`]).

use std::path::Path;

use crate::app::invites::{self, InviteError, OutboxReport, ScanReport, SettingsError, SmtpSender};
use crate::config::accounts::{Account, ConfigError, ConfigFile};
use crate::mail::ImapMailbox;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum InvitationError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// `[invitations]` in config.toml is wrong.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Invite(#[from] InviteError),
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
    let settings = invites::settings(&config, account)?;
    Ok(invites::scan(
        store,
        mb,
        account_name,
        &account.parking_folder,
        &settings.answer,
    )
    .await?)
}

async fn send_replies(
    store: &Store,
    account_name: &str,
    account: &Account,
) -> Result<Option<OutboxReport>, InvitationError> {
    if store.queued_replies(account_name)?.is_empty() {
        return Ok(None);
    }
    let mut smtp = SmtpSender::for_account(account);
    Ok(Some(
        invites::send_outbox(store, account_name, &mut smtp).await?,
    ))
}
