//! How a session gets a connection, and what it does on it after a round. The
//! real one speaks IMAP to the account; tests use one over `MemoryMailbox`.

use std::path::PathBuf;

use super::failure::SessionError;
use super::invitations::{InvitationOutcome, scan_invitations};
use super::profile::SessionSetup;
use crate::config::accounts::Account;
use crate::mail::{self, ImapMailbox};
use crate::store::Store;
use crate::sync::Mailbox;

#[allow(async_fn_in_trait)]
pub trait Connector {
    type Mailbox: Mailbox;

    /// Connect and log in.
    async fn connect(&mut self) -> Result<Self::Mailbox, SessionError>;

    /// Work riding along with a successful round (the invitation scan).
    async fn after_round(
        &mut self,
        store: &mut Store,
        mb: &mut Self::Mailbox,
    ) -> Option<InvitationOutcome>;

    /// Log out politely.
    async fn close(&mut self, mb: Self::Mailbox);
}

/// Log in to the account's IMAP server.
pub async fn connect(account_name: &str, account: &Account) -> Result<ImapMailbox, SessionError> {
    let credentials = account
        .credentials()
        .map_err(|reason| SessionError::Password {
            account: account_name.to_string(),
            reason,
        })?;
    let cfg = mail::account::imap_config(account, &credentials)?;
    Ok(ImapMailbox::connect(cfg).await?)
}

/// The account's IMAP server; INBOX is scanned for invitations after each round.
#[derive(Debug, Clone)]
pub struct ImapConnector {
    pub account_name: String,
    pub account: Account,
    pub config_file: PathBuf,
}

impl ImapConnector {
    pub fn new(setup: &SessionSetup) -> ImapConnector {
        ImapConnector {
            account_name: setup.account_name.clone(),
            account: setup.account.clone(),
            config_file: setup.config_file.clone(),
        }
    }
}

impl Connector for ImapConnector {
    type Mailbox = ImapMailbox;

    async fn connect(&mut self) -> Result<ImapMailbox, SessionError> {
        connect(&self.account_name, &self.account).await
    }

    async fn after_round(
        &mut self,
        store: &mut Store,
        mb: &mut ImapMailbox,
    ) -> Option<InvitationOutcome> {
        Some(
            scan_invitations(
                store,
                mb,
                &self.account_name,
                &self.account,
                &self.config_file,
            )
            .await,
        )
    }

    async fn close(&mut self, mut mb: ImapMailbox) {
        mb.logout().await;
    }
}
