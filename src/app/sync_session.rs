//! The sync session: one implementation behind `pim sync`, `pim sync --watch` and
//! the TUI's background sync thread.
//!
//! A [`Session`] connects (through a [`Connector`]), runs rounds (the engine's
//! `sync_once`, then the invitation scan and the reply outbox), and in a watch
//! waits for the server (IDLE on the changes folder), for local edits and for the
//! once-a-minute INBOX poll. Transient failures back off (jittered, doubling to
//! five minutes) and retry; fatal ones ([`ErrorKind::is_fatal`]: login refused,
//! wrong key, untrusted TLS, configuration) end [`Session::run`] with the error.
//! Progress and results go to an event callback ([`SessionEvent`]); the front-end
//! steers through a command channel ([`Command`]).

mod connector;
mod devices;
mod enrol;
mod epoch;
mod failure;
mod invitations;
mod lock;
mod profile;
mod rekey;
mod run;
#[cfg(test)]
mod tests;

use std::time::Duration;

pub use connector::{Connector, ImapConnector, connect};
pub use devices::{FORGET_ADVICE, Forgotten, forget_device, rekey_now};
pub use enrol::{
    EnrolError, Enrolled, Joining, NewSecret, PASSPHRASE_ADVICE, init, join, start_join,
};
pub use epoch::{WaitingEpoch, confirm_question, take_waiting_epoch, waiting_epoch};
pub use failure::{Backoff, ErrorKind, SessionError};
pub use invitations::{InvitationError, InvitationOutcome, scan_invitations};
pub use lock::{LOCK_WAIT_LIMIT, SyncLock, lock_profile};
pub use profile::{
    SessionSetup, SetupError, device_name, is_enrolled, key_to_share, options, remember_enrolment,
    replace_key, resolve_account, setup, stored_key,
};
pub use rekey::{Rekeyed, rekey};
pub use run::Session;

use crate::store::Store;
use crate::sync::engine::SyncReport;
use crate::sync::progress::Progress;

/// What the front-end asks of a running session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Sync now (ends a wait or a backoff pause).
    SyncNow,
    /// End the session (also: the sender was dropped).
    Stop,
}

/// Why a round ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// The first round of a run.
    Start,
    /// The front-end asked ([`Command::SyncNow`]).
    Asked,
    /// The server announced a change (IDLE).
    ServerChange,
    /// This device logged a change.
    LocalEdit,
    /// The periodic INBOX poll (nothing changed meanwhile).
    Poll,
    /// The connection dropped while waiting.
    Reconnect,
    /// A retry after a transient failure.
    Retry,
}

/// A round that went through.
#[derive(Debug)]
pub struct RoundReport {
    pub trigger: Trigger,
    pub sync: SyncReport,
    /// `None` on a dry run (and where the connector does no invitation work).
    pub invitations: Option<InvitationOutcome>,
}

impl RoundReport {
    /// Whether the round changed anything here or on the server.
    pub fn is_busy(&self) -> bool {
        let r = &self.sync;
        r.uploaded + r.applied + r.conflicts + r.deleted + r.rejected > 0
    }
}

/// What a session reports while it runs.
#[derive(Debug)]
pub enum SessionEvent {
    Connecting,
    /// Another sync of this profile (another process, or a job of this one) runs:
    /// this one waits for it to finish ([`lock_profile`]).
    WaitingForOtherSync,
    Syncing,
    Progress(Progress),
    Synced(Box<RoundReport>),
    /// A transient failure ([`SessionError::kind`] says which): the next attempt
    /// comes after `pause`, or when asked.
    Retrying {
        error: SessionError,
        pause: Duration,
    },
    /// A watch rests: IDLE is open (or, on a server without IDLE, it is polled
    /// every `polls_every`: see [`watch_note`]), local edits are watched.
    Watching {
        polls_every: Option<Duration>,
    },
    /// The server announced a change.
    ServerNews,
    /// The connection broke while waiting; the next round logs in again.
    ConnectionLost(String),
    /// Without watch: the round is done and the connection closed; waiting to be asked.
    Idle,
}

/// What a front-end says on [`SessionEvent::WaitingForOtherSync`].
pub const WAITING_WORDS: &str = "waiting for another sync of this profile to finish";

/// How a run proceeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    /// Keep watching after a round; otherwise log out and wait for [`Command::SyncNow`].
    pub watch: bool,
    /// Sync at once; otherwise wait for [`Command::SyncNow`] first.
    pub sync_first: bool,
}

/// The session's clocks (tests shorten them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timing {
    /// Longest wait in a watch: INBOX (invitations) is scanned at least this often.
    pub inbox_poll: Duration,
    /// How often a wait looks for local edits.
    pub local_check: Duration,
    pub backoff_start: Duration,
    pub backoff_cap: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            inbox_poll: Duration::from_secs(60),
            local_check: Duration::from_millis(50),
            backoff_start: Duration::from_secs(1),
            backoff_cap: Duration::from_secs(300),
        }
    }
}

/// What a front-end says about a watch on a server without IDLE (once; the
/// CLI on stderr, the TUI on the Sync tab's state line). `None` with IDLE.
pub fn watch_note(polls_every: Option<Duration>) -> Option<String> {
    polls_every.map(|every| {
        format!(
            "server has no IDLE; polling every {} s",
            every.as_secs().max(1)
        )
    })
}

/// The newest change this device logged (0 when unreadable: a wait then ends
/// on the server or the poll instead).
fn local_seq(store: &Store) -> u64 {
    crate::store::sync_state::max_seq(store, store.device()).unwrap_or(0)
}
