//! [`ImapMailbox`]: the sync engine's [`Mailbox`](crate::sync::Mailbox) over a
//! real IMAP account (async-imap on Tokio, rustls).
//!
//! One session at a time. Any transport failure or unparsable answer drops the
//! session and surfaces as [`MailboxError::Disconnected`], a command without an
//! answer in time as [`MailboxError::Timeout`]; the next call logs in again (the
//! caller re-checks folder state after such an error). A NO saying the server is
//! temporarily unavailable is [`MailboxError::Busy`], any other NO/BAD `Refused`.

mod connect;
mod ops;
pub mod parts;

mod wire;

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_imap::error::Error as ImapError;

use super::net::{MailStream, Security, Traffic};
use crate::config::credentials::Credentials;
use crate::sync::mailbox::{MailboxError, MbResult};

pub(crate) type Session = async_imap::Session<MailStream>;

/// Where and how to log in.
#[derive(Clone)]
pub struct ImapConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    /// Trust only this CA (PEM) instead of the platform's roots.
    pub ca_file: Option<PathBuf>,
    pub user: String,
    /// A password, or an OAuth2 token source (SASL XOAUTH2/OAUTHBEARER).
    pub credentials: Credentials,
    /// Longest wait for any single answer (connect, login, each command).
    pub timeout: Duration,
    /// Poll interval of `wait` when the server has no IDLE.
    pub poll_interval: Duration,
    /// Capabilities to act as if the server lacked (e.g. "IDLE" for a server
    /// whose IDLE misbehaves; tests use it to exercise every fallback).
    pub ignore_capabilities: Vec<String>,
}

impl ImapConfig {
    pub fn new(host: &str, port: u16, security: Security, user: &str, password: &str) -> Self {
        ImapConfig {
            host: host.to_string(),
            port,
            security,
            ca_file: None,
            user: user.to_string(),
            credentials: Credentials::password(password),
            timeout: Duration::from_secs(60),
            poll_interval: Duration::from_secs(30),
            ignore_capabilities: Vec::new(),
        }
    }
}

impl std::fmt::Debug for ImapConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("ca_file", &self.ca_file)
            .field("user", &self.user)
            .field("credentials", &self.credentials)
            .finish()
    }
}

/// An IMAP account seen as a [`Mailbox`](crate::sync::Mailbox).
pub struct ImapMailbox {
    cfg: ImapConfig,
    session: Option<Session>,
    /// Upper-case capability names of the current session.
    caps: HashSet<String>,
    selected: Option<String>,
    commands: u64,
    traffic: Arc<Traffic>,
    /// The server's hierarchy separator (from `LIST "" ""`); pim names folders with
    /// `/` and translates (e.g. `PIM/Changes` is `PIM.Changes` on a `.` server).
    delimiter: char,
}

/// Why one operation failed, before it is mapped to a [`MailboxError`].
pub(crate) enum OpError {
    Imap(ImapError),
    Io(std::io::Error),
    Timeout,
    Mailbox(MailboxError),
}

impl From<ImapError> for OpError {
    fn from(e: ImapError) -> Self {
        OpError::Imap(e)
    }
}

impl From<std::io::Error> for OpError {
    fn from(e: std::io::Error) -> Self {
        OpError::Io(e)
    }
}

impl From<MailboxError> for OpError {
    fn from(e: MailboxError) -> Self {
        OpError::Mailbox(e)
    }
}

impl ImapMailbox {
    /// Connect and log in now (so bad settings fail here, not at first use).
    pub async fn connect(cfg: ImapConfig) -> MbResult<Self> {
        let mut mailbox = ImapMailbox {
            cfg,
            session: None,
            caps: HashSet::new(),
            selected: None,
            commands: 0,
            traffic: Arc::new(Traffic::default()),
            delimiter: '/',
        };
        mailbox.ensure_session().await?;
        mailbox.learn_delimiter().await?;
        Ok(mailbox)
    }

    /// The hierarchy separator the server uses (`/` until learned).
    pub fn delimiter(&self) -> char {
        self.delimiter
    }

    /// A pim folder name (`/`-separated) as this server spells it.
    pub fn server_folder(&self, folder: &str) -> String {
        if self.delimiter == '/' {
            folder.to_string()
        } else {
            folder.replace('/', &self.delimiter.to_string())
        }
    }

    /// Ask the server for its hierarchy separator (one LIST, once per mailbox).
    async fn learn_delimiter(&mut self) -> MbResult<()> {
        use futures::TryStreamExt;
        let mut s = self.take().await?;
        self.commands += 1;
        let res = tokio::time::timeout(self.cfg.timeout, async {
            // `LIST "" ""` is the standard question, but async-imap drops its empty
            // name; INBOX exists everywhere and carries the same separator.
            let names: Vec<_> = s.list(Some(""), Some("INBOX")).await?.try_collect().await?;
            Ok(names
                .iter()
                .find_map(|n| n.delimiter().and_then(|d| d.chars().next())))
        })
        .await;
        if let Some(d) = self.give_back(s, "LIST", res)? {
            self.delimiter = d;
        }
        Ok(())
    }

    pub fn config(&self) -> &ImapConfig {
        &self.cfg
    }

    /// Whether the server announced `cap` (e.g. "CONDSTORE", "IDLE").
    pub fn has_capability(&self, cap: &str) -> bool {
        self.caps.contains(&cap.to_ascii_uppercase())
    }

    pub fn is_connected(&self) -> bool {
        self.session.is_some()
    }

    pub fn traffic(&self) -> Arc<Traffic> {
        self.traffic.clone()
    }

    /// Polite LOGOUT; the session is gone afterwards either way.
    pub async fn logout(&mut self) {
        if let Some(mut s) = self.session.take() {
            self.commands += 1;
            let _ = tokio::time::timeout(Duration::from_secs(5), s.logout()).await;
        }
        self.selected = None;
    }

    /// Log in again when the previous session was dropped.
    async fn ensure_session(&mut self) -> MbResult<()> {
        if self.session.is_none() {
            let (session, caps, extra_commands) =
                connect::open(&self.cfg, self.traffic.clone()).await?;
            self.session = Some(session);
            self.caps = caps
                .into_iter()
                .filter(|c| {
                    !self
                        .cfg
                        .ignore_capabilities
                        .iter()
                        .any(|i| i.eq_ignore_ascii_case(c))
                })
                .collect();
            self.commands += extra_commands;
            self.selected = None;
        }
        Ok(())
    }

    /// Take the session for one operation (log in first if needed).
    async fn take(&mut self) -> MbResult<Session> {
        self.ensure_session().await?;
        self.session
            .take()
            .ok_or_else(|| MailboxError::Disconnected("no session".into()))
    }

    /// Put the session back unless the operation left it unusable; map the error.
    fn give_back<T>(
        &mut self,
        session: Session,
        what: &str,
        result: Result<Result<T, OpError>, tokio::time::error::Elapsed>,
    ) -> MbResult<T> {
        let result = match result {
            Ok(r) => r,
            Err(_) => Err(OpError::Timeout),
        };
        let (keep, out) = match result {
            Ok(v) => (true, Ok(v)),
            Err(e) => classify(e, what, self.cfg.timeout),
        };
        if keep {
            while session.unsolicited_responses.try_recv().is_ok() {}
            self.session = Some(session);
        } else {
            self.selected = None;
        }
        out
    }
}

/// (session still usable?, error for the caller)
fn classify<T>(e: OpError, what: &str, timeout: Duration) -> (bool, MbResult<T>) {
    let refused = |reason: String| MailboxError::Refused {
        command: what.to_string(),
        reason,
    };
    match e {
        OpError::Imap(ImapError::No(r)) if is_busy(&r) => {
            (true, Err(MailboxError::Busy(readable_reason(&r))))
        }
        OpError::Imap(ImapError::No(r)) | OpError::Imap(ImapError::Bad(r)) => {
            (true, Err(refused(readable_reason(&r))))
        }
        OpError::Imap(ImapError::Validate(v)) => (true, Err(refused(v.to_string()))),
        OpError::Imap(ImapError::Io(io)) | OpError::Io(io) => (
            false,
            Err(MailboxError::Disconnected(format!("{what}: {io}"))),
        ),
        OpError::Imap(other) => (
            false,
            Err(MailboxError::Disconnected(format!("{what}: {other}"))),
        ),
        OpError::Timeout => (
            false,
            Err(MailboxError::Timeout(format!(
                "{what}: no answer within {} s",
                timeout.as_secs_f32()
            ))),
        ),
        OpError::Mailbox(e) => {
            let keep = !matches!(e, MailboxError::Disconnected(_));
            (keep, Err(e))
        }
    }
}

/// A NO whose response code says "try again later" (RFC 5530 `UNAVAILABLE`,
/// `INUSE`): the server is busy, nothing is wrong with the request.
pub(crate) fn is_busy(raw: &str) -> bool {
    // Codes imap-proto does not know stay in the text: "[UNAVAILABLE] …".
    let reason = readable_reason(raw);
    let code = reason
        .strip_prefix('[')
        .and_then(|r| r.split([']', ' ']).next())
        .map(str::to_ascii_uppercase);
    matches!(code.as_deref(), Some("UNAVAILABLE" | "INUSE"))
}

/// The response code async-imap put in a NO/BAD text (`code: Some(Unavailable)`).
fn response_code(raw: &str) -> Option<String> {
    let (code, _) = raw.strip_prefix("code: Some(")?.split_once(')')?;
    Some(code.to_ascii_uppercase())
}

/// async-imap formats NO/BAD as `code: Some(X), info: Some("text")`; keep
/// "text" and a response code worth knowing (e.g. `[TRYCREATE]`).
pub(crate) fn readable_reason(raw: &str) -> String {
    let info = match raw.split_once("info: Some(\"") {
        Some((_, rest)) => rest.trim_end_matches("\")").to_string(),
        None => raw.to_string(),
    };
    match response_code(raw) {
        Some(code) => format!("[{code}] {info}"),
        None => info,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_servers_are_told_apart_from_refusals() {
        let unavailable =
            r#"code: None, info: Some("[UNAVAILABLE] Temporary authentication failure")"#;
        assert!(is_busy(unavailable));
        assert!(is_busy(
            r#"code: None, info: Some("[INUSE] Mailbox in use")"#
        ));
        let refused = r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#;
        assert!(!is_busy(refused));
        assert!(!is_busy(
            r#"code: Some(TryCreate), info: Some("no such mailbox")"#
        ));
        assert!(!is_busy("plain words"));
        let (keep, err) = classify::<()>(
            OpError::Imap(ImapError::No(unavailable.into())),
            "SELECT",
            Duration::from_secs(1),
        );
        assert!(keep);
        assert!(matches!(err, Err(MailboxError::Busy(_))));
        let (keep, err) = classify::<()>(OpError::Timeout, "FETCH", Duration::from_secs(1));
        assert!(!keep);
        assert!(matches!(err, Err(MailboxError::Timeout(_))));
    }
}
