//! How a session gets a connection, and what it does on it after a round. The
//! real one speaks IMAP to the account; tests use one over `MemoryMailbox`.

use std::path::PathBuf;

use super::failure::SessionError;
use super::invitations::{InvitationOutcome, scan_invitations};
use super::profile::SessionSetup;
use crate::config::accounts::Account;
use crate::mail::imap::NamespaceError;
use crate::mail::{self, ImapMailbox};
use crate::store::Store;
use crate::sync::Mailbox;
use crate::sync::engine::{Folders, SyncError};

#[allow(async_fn_in_trait)]
pub trait Connector {
    type Mailbox: Mailbox;

    /// Connect and log in.
    async fn connect(&mut self) -> Result<Self::Mailbox, SessionError>;

    /// Checks on a fresh connection before the first round (the IMAP one: is
    /// the server's namespace still the one pim's folders were made under?).
    async fn after_connect(
        &mut self,
        _store: &mut Store,
        _mb: &mut Self::Mailbox,
        _root: &str,
    ) -> Result<(), SessionError> {
        Ok(())
    }

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

/// The server's personal namespace is remembered per account. When it changed
/// since (another prefix or separator), carry on only if pim's folders under
/// `root` are found under the new spelling; else stop before a second, empty
/// set of folders is started.
pub async fn check_namespace(
    store: &mut Store,
    mb: &mut ImapMailbox,
    account_name: &str,
    root: &str,
) -> Result<(), SessionError> {
    let key = format!("imap.namespace.{account_name}");
    let remembered = store.meta(&key).map_err(SyncError::from)?;
    let folders = Folders::new(root);
    mb.check_remembered_namespace(remembered.as_deref(), &folders.all())
        .await
        .map_err(|e| match e {
            NamespaceError::Mailbox(e) => SessionError::from(e),
            changed => SessionError::NamespaceChanged {
                account: account_name.to_string(),
                reason: changed.to_string(),
            },
        })?;
    let now = mb.namespace().remembered();
    if remembered.as_deref() != Some(now.as_str()) {
        store.set_meta(&key, &now).map_err(SyncError::from)?;
    }
    Ok(())
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

    async fn after_connect(
        &mut self,
        store: &mut Store,
        mb: &mut ImapMailbox,
        root: &str,
    ) -> Result<(), SessionError> {
        check_namespace(store, mb, &self.account_name, root).await
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
