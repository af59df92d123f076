//! Why a session failed, classified by type (never by message text), and the
//! jittered exponential backoff between retries of transient failures.

use std::time::Duration;

use super::profile::SetupError;
use crate::mail::account::AccountError;
use crate::sync::MailboxError;
use crate::sync::engine::SyncError;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error(transparent)]
    Setup(#[from] SetupError),
    /// The account's `password_command` did not give a password.
    #[error("account {account}: {reason}")]
    Password {
        account: String,
        reason: crate::config::accounts::PasswordError,
    },
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Sync(#[from] SyncError),
    /// The server's personal namespace changed and pim's folders are not found
    /// under the new one: the user has to look before pim starts new folders.
    #[error("account {account}: {reason}")]
    NamespaceChanged { account: String, reason: String },
    /// The lock that keeps two syncs of one profile apart could not be taken.
    #[error("cannot lock the profile for sync ({path}): {source}")]
    Lock {
        path: String,
        source: std::io::Error,
    },
    /// Another sync of this profile held its lock past [`super::LOCK_WAIT_LIMIT`].
    #[error(
        "another sync of this profile{} has held it for over {}: stopped (Ctrl-Z) or stuck? \
         This one gave up waiting; the lock ({path}) is let go when that process ends",
        holder.map(|pid| format!(" (process {pid})")).unwrap_or_default(),
        match waited.as_secs() {
            s if s < 120 => format!("{s} seconds"),
            s => format!("{} minutes", s / 60),
        }
    )]
    Busy {
        path: String,
        holder: Option<u32>,
        waited: Duration,
    },
}

impl From<MailboxError> for SessionError {
    fn from(e: MailboxError) -> Self {
        SessionError::Sync(SyncError::Mailbox(e))
    }
}

/// What kind of failure: the first four need the user, the rest pass by themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The server refused the user name or password.
    LoginRefused,
    /// The stored sync key is unreadable.
    WrongKey,
    /// The server's certificate is not trusted (or TLS is misconfigured).
    TlsUntrusted,
    /// The account, the password command or the sync options are wrong.
    Config,
    /// The server cannot be reached or the connection dropped.
    NetworkDown,
    /// The server did not answer in time.
    Timeout,
    /// The server is temporarily unavailable (`[UNAVAILABLE]`, `[INUSE]`).
    ServerBusy,
    /// The server refused a command (quota, permissions, a folder gone).
    ServerRefused,
    /// An answer pim could not read.
    ServerFault,
    /// This device's database failed (locked, disk full).
    LocalStore,
}

impl ErrorKind {
    /// Fatal failures stop the watch: retrying cannot help until the user acts.
    pub fn is_fatal(self) -> bool {
        matches!(
            self,
            ErrorKind::LoginRefused
                | ErrorKind::WrongKey
                | ErrorKind::TlsUntrusted
                | ErrorKind::Config
        )
    }
}

impl SessionError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            SessionError::Setup(SetupError::BadKey(_)) => ErrorKind::WrongKey,
            SessionError::Setup(SetupError::Store(_)) => ErrorKind::LocalStore,
            SessionError::Setup(_)
            | SessionError::Password { .. }
            | SessionError::Account(_)
            | SessionError::NamespaceChanged { .. } => ErrorKind::Config,
            SessionError::Sync(SyncError::Mailbox(m)) => mailbox_kind(m),
            SessionError::Sync(SyncError::Store(_))
            | SessionError::Lock { .. }
            | SessionError::Busy { .. } => ErrorKind::LocalStore,
            SessionError::Sync(SyncError::Setup(_)) => ErrorKind::Config,
            SessionError::Sync(SyncError::KeyReplaced(_)) => ErrorKind::WrongKey,
        }
    }

    pub fn is_fatal(&self) -> bool {
        self.kind().is_fatal()
    }

    /// Whether the failure came from the mail server (the local edits wait in the outbox).
    pub fn is_from_server(&self) -> bool {
        matches!(self, SessionError::Sync(SyncError::Mailbox(_)))
    }
}

fn mailbox_kind(e: &MailboxError) -> ErrorKind {
    match e {
        MailboxError::Auth(_) => ErrorKind::LoginRefused,
        MailboxError::Tls(_) => ErrorKind::TlsUntrusted,
        MailboxError::Unreachable(_) | MailboxError::Disconnected(_) => ErrorKind::NetworkDown,
        MailboxError::Timeout(_) => ErrorKind::Timeout,
        MailboxError::Busy(_) => ErrorKind::ServerBusy,
        MailboxError::Refused { .. } | MailboxError::NoFolder(_) => ErrorKind::ServerRefused,
        MailboxError::Protocol(_) => ErrorKind::ServerFault,
    }
}

/// Pauses between retries: doubling from `start` up to `cap`, each with up to
/// half again of random jitter so devices that lost the server together do not
/// all come back in the same second.
#[derive(Debug, Clone)]
pub struct Backoff {
    start: Duration,
    cap: Duration,
    next: Duration,
}

impl Backoff {
    pub fn new(start: Duration, cap: Duration) -> Backoff {
        Backoff {
            start,
            cap,
            next: start,
        }
    }

    /// After a success: the next failure waits `start` again.
    pub fn reset(&mut self) {
        self.next = self.start;
    }

    /// The pause before the next retry.
    pub fn next_pause(&mut self) -> Duration {
        let base = self.next;
        let jitter = rand::random_range(0..=base.as_millis() as u64 / 2);
        self.next = (base * 2).min(self.cap);
        base + Duration::from_millis(jitter)
    }
}
