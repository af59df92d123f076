//! The one interface between the sync engine and a mail server (DESIGN.md §2:
//! `sync/` decides, `mail/` executes). `mail::imap` implements it over IMAP; the
//! engine's fast tests use [`super::memory::MemoryMailbox`].
//!
//! UIDs are only locations; identity travels in headers (DESIGN.md §5.5).

use std::collections::BTreeMap;

/// What a SELECT/STATUS tells about a folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FolderState {
    pub uidvalidity: u32,
    pub uidnext: u32,
    /// Present when the server offers CONDSTORE.
    pub highestmodseq: Option<u64>,
    pub exists: u32,
}

/// A message's location, size and the headers the caller asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageMeta {
    pub uid: u32,
    pub size: u64,
    /// Header name (lower case) → unfolded value.
    pub headers: BTreeMap<String, String>,
}

/// One node of a message's MIME tree, as the server describes it (BODYSTRUCTURE).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MimePart {
    /// IMAP part number ("1", "2.1"); "" for the multipart root.
    pub part: String,
    /// Lower case, e.g. "text/calendar", "multipart/mixed".
    pub mime_type: String,
    /// Content-Type parameters, names lower case (e.g. "method", "charset").
    pub params: BTreeMap<String, String>,
    /// "attachment" / "inline", lower case.
    pub disposition: Option<String>,
    pub filename: Option<String>,
    /// Encoded size in octets (0 for multiparts).
    pub size: u64,
    /// Content-Transfer-Encoding, lower case.
    pub encoding: String,
}

impl MimePart {
    pub fn is_multipart(&self) -> bool {
        self.mime_type.starts_with("multipart/")
    }
}

/// A fetched MIME part: its own header block and its (still encoded) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchedPart {
    pub part: String,
    pub mime_header: Vec<u8>,
    pub body: Vec<u8>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailboxError {
    #[error("cannot reach the mail server: {0}")]
    Unreachable(String),
    #[error("TLS failed: {0}")]
    Tls(String),
    #[error("login failed: {0}")]
    Auth(String),
    #[error("connection lost: {0}")]
    Disconnected(String),
    #[error("no answer in time: {0}")]
    Timeout(String),
    /// The server says it is temporarily unavailable (`[UNAVAILABLE]`, `[INUSE]`).
    #[error("server busy: {0}")]
    Busy(String),
    #[error("server refused {command}: {reason}")]
    Refused { command: String, reason: String },
    #[error("unexpected server response: {0}")]
    Protocol(String),
    #[error("no such folder {0:?}")]
    NoFolder(String),
}

impl MailboxError {
    /// Errors worth retrying later (the queued changes wait).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            MailboxError::Unreachable(_)
                | MailboxError::Disconnected(_)
                | MailboxError::Timeout(_)
                | MailboxError::Busy(_)
                | MailboxError::Protocol(_)
        )
    }
}

pub type MbResult<T> = Result<T, MailboxError>;

/// A folder store holding raw RFC 5322 messages.
#[allow(async_fn_in_trait)]
pub trait Mailbox {
    /// Create `folder` if it does not exist.
    async fn ensure_folder(&mut self, folder: &str) -> MbResult<()>;

    /// Current UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ and message count.
    async fn state(&mut self, folder: &str) -> MbResult<FolderState>;

    /// Metadata of messages with UID ≥ `from_uid`, with only the named headers.
    async fn list(
        &mut self,
        folder: &str,
        from_uid: u32,
        headers: &[&str],
    ) -> MbResult<Vec<MessageMeta>>;

    /// Whole messages by UID (missing UIDs are left out of the answer).
    async fn fetch(&mut self, folder: &str, uids: &[u32]) -> MbResult<Vec<(u32, Vec<u8>)>>;

    /// Append messages (one round trip where the server allows MULTIAPPEND).
    /// Success means the server has stored them all.
    async fn append(&mut self, folder: &str, messages: &[Vec<u8>]) -> MbResult<()>;

    /// Remove messages by UID (flag \Deleted and expunge those UIDs only).
    async fn delete(&mut self, folder: &str, uids: &[u32]) -> MbResult<()>;

    /// Wait until `folder` changes or `timeout` passes (IMAP IDLE, or a poll).
    /// Returns true when woken by a change.
    async fn wait(&mut self, folder: &str, timeout: std::time::Duration) -> MbResult<bool>;

    /// How often [`Mailbox::wait`] looks for changes when the server cannot announce
    /// them (no IMAP IDLE); `None` when it can.
    fn polls_every(&self) -> Option<std::time::Duration> {
        None
    }

    /// The MIME tree of each message (UIDs that do not exist are left out), in UID
    /// order: what an invitation scan looks at before downloading anything.
    async fn body_structures(
        &mut self,
        folder: &str,
        uids: &[u32],
    ) -> MbResult<Vec<(u32, Vec<MimePart>)>>;

    /// Only the named parts of one message, each with its MIME header. A missing
    /// message or part is `Refused`.
    async fn fetch_parts(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Vec<FetchedPart>>;

    /// The exact decoded size of each named part of one message (IMAP BINARY.SIZE,
    /// RFC 3516), in order; `None` for a part the server did not size, and `None`
    /// overall when it cannot (no BINARY): the caller estimates from BODYSTRUCTURE.
    async fn decoded_sizes(
        &mut self,
        _folder: &str,
        _uid: u32,
        _parts: &[&str],
    ) -> MbResult<Option<Vec<Option<u64>>>> {
        Ok(None)
    }

    /// UIDs of messages whose Message-ID header is `message_id` (with <>), ascending.
    async fn search_message_id(&mut self, folder: &str, message_id: &str) -> MbResult<Vec<u32>>;

    /// Copy messages into `dest` (which must exist: else `NoFolder`), server-side.
    async fn copy_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()>;

    /// Move messages into `dest` (which must exist: else `NoFolder`), server-side.
    async fn move_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()>;

    /// Set \Seen on messages.
    async fn mark_seen(&mut self, folder: &str, uids: &[u32]) -> MbResult<()>;

    /// IMAP commands sent since this mailbox was opened (after login).
    fn commands_sent(&self) -> u64;

    /// Bytes sent and received since opened.
    fn bytes(&self) -> (u64, u64);

    /// What the transport wants the user told, once each (a fallback it took, a
    /// server line it skipped), since the last call. Most mailboxes have none.
    fn take_notices(&mut self) -> Vec<String> {
        Vec::new()
    }
}
