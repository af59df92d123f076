//! [`ImapMailbox`]: the sync engine's [`Mailbox`](crate::sync::Mailbox) over a
//! real IMAP account (async-imap on Tokio, rustls).
//!
//! One session at a time. Any transport failure or unparsable answer drops the
//! session and surfaces as [`MailboxError::Disconnected`], a command without an
//! answer in time as [`MailboxError::Timeout`]; the next call logs in again (the
//! caller re-checks folder state after such an error). A NO saying the server is
//! temporarily unavailable is [`MailboxError::Busy`], any other NO/BAD `Refused`.

mod answers;
mod binary_size;
mod connect;
pub mod namespace;
mod ops;
pub mod parts;
mod report;
mod untagged;
mod wire;

pub use namespace::{Namespace, NamespaceError};
pub use report::{CapabilityReport, capability_report};

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_imap::error::Error as ImapError;

use super::net::{MailStream, Security, Traffic};
use crate::config::credentials::Credentials;
use crate::sync::mailbox::{MailboxError, MbResult};

pub(crate) type Session = async_imap::Session<untagged::Filtered<MailStream>>;

/// Capabilities pim uses when offered (each has a fallback).
pub const USED_CAPABILITIES: &[&str] = &[
    "NAMESPACE",
    "IDLE",
    "CONDSTORE",
    "QRESYNC",
    "UIDPLUS",
    "MOVE",
    "MULTIAPPEND",
    "LITERAL+",
    "ESEARCH",
    "BINARY",
];

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
    /// How many messages the selected folder holds, as the server last said
    /// (SELECT, then its unasked EXISTS and EXPUNGE): what tells news from a
    /// count repeated when IDLE starts.
    exists_known: Option<u32>,
    commands: u64,
    traffic: Arc<Traffic>,
    /// Where pim's folders live (NAMESPACE or LIST); pim names folders with `/`
    /// and translates (e.g. `PIM/Changes` is `INBOX.PIM.Changes` under `INBOX.`).
    namespace: Namespace,
    /// Things worth telling the user, said once each (skipped server lines,
    /// fallbacks taken); drained with [`ImapMailbox::take_notices`].
    notices: Vec<String>,
    said: HashSet<String>,
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
            exists_known: None,
            commands: 0,
            traffic: Arc::new(Traffic::default()),
            namespace: Namespace::default(),
            notices: Vec::new(),
            said: HashSet::new(),
        };
        mailbox.ensure_session().await?;
        mailbox.namespace = mailbox.learn_namespace().await?;
        Ok(mailbox)
    }

    /// The personal namespace pim's folders live in.
    pub fn namespace(&self) -> &Namespace {
        &self.namespace
    }

    /// A pim folder name (`/`-separated) as this server spells it.
    pub fn server_folder(&self, folder: &str) -> String {
        self.namespace.server_name(folder)
    }

    /// Whether the server offers IDLE (else `wait` polls every `poll_interval`).
    pub fn has_idle(&self) -> bool {
        self.has_capability("IDLE")
    }

    /// Record `notice` unless it was said before.
    pub(crate) fn say_once(&mut self, notice: String) {
        if self.said.insert(notice.clone()) {
            self.notices.push(notice);
        }
    }

    /// Whether the folder exists on the server (`folder` is a pim name).
    pub async fn folder_exists(&mut self, folder: &str) -> MbResult<bool> {
        let name = self.server_folder(folder);
        Ok(self
            .list_names(&name)
            .await?
            .iter()
            .any(|(n, _)| *n == name))
    }

    /// Whether pim's folders resolve under the namespace the server reports now,
    /// given the one `remembered` for this account (see [`Namespace::remembered`]).
    /// A changed prefix or separator is fine when `folders` (pim names) all exist
    /// under the new spelling; otherwise pim would start a second, empty set of
    /// folders, so this is an error naming what changed.
    pub async fn check_remembered_namespace(
        &mut self,
        remembered: Option<&str>,
        folders: &[&str],
    ) -> Result<(), NamespaceError> {
        let Some(old) = remembered else {
            return Ok(());
        };
        if self.namespace.same_as_remembered(old) {
            return Ok(());
        }
        let mut missing = Vec::new();
        for f in folders {
            if !self.folder_exists(f).await? {
                missing.push(self.server_folder(f));
            }
        }
        if missing.is_empty() {
            return Ok(());
        }
        let (prefix, separator) = old.split_once('\t').unwrap_or((old, ""));
        Err(NamespaceError::Changed {
            before: format!("prefix {prefix:?}, separator {separator:?}"),
            now: self.namespace.describe(),
            missing: missing.join(", "),
        })
    }

    /// Ask the server where personal folders live: NAMESPACE when offered, else
    /// `LIST "" ""` for the separator (prefix empty).
    async fn learn_namespace(&mut self) -> MbResult<Namespace> {
        if self.has_capability("NAMESPACE") {
            let mut s = self.take().await?;
            self.commands += 1;
            let res = tokio::time::timeout(self.cfg.timeout, async {
                s.run_command_and_check_ok("NAMESPACE").await?;
                // imap-proto cannot read the answer; the line filter kept it.
                Ok(s.get_mut().take_skipped())
            })
            .await;
            let lines = self.give_back(s, "NAMESPACE", res)?;
            if let Some(ns) = lines
                .iter()
                .find_map(|l| namespace::parse_namespace_line(l))
            {
                return Ok(ns);
            }
        }
        // The empty name asks for the hierarchy separator (RFC 3501 6.3.8).
        let root = self.list_names("").await?;
        let separator = match root.first() {
            Some((_, sep)) => *sep,
            None => Some('/'),
        };
        Ok(Namespace {
            prefix: String::new(),
            separator,
            source: "LIST".into(),
        })
    }

    /// `LIST "" "<pattern>"` (pattern as sent): (name, separator) pairs.
    async fn list_names(&mut self, pattern: &str) -> MbResult<Vec<(String, Option<char>)>> {
        let quoted = if pattern.is_empty() {
            "\"\"".to_string()
        } else {
            ops::folder_arg(pattern)?
        };
        let mut s = self.take().await?;
        self.commands += 1;
        let res = tokio::time::timeout(self.cfg.timeout, async {
            let id = s.run_command(&format!("LIST \"\" {quoted}")).await?;
            answers::read_list(&mut s, id).await
        })
        .await;
        self.give_back(s, "LIST", res)
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

    /// Log what the line filter took out; the tagged answer already decided.
    fn drain_skipped(&mut self, session: &mut Session) {
        while session.unsolicited_responses.try_recv().is_ok() {}
        for line in session.get_mut().take_skipped() {
            self.say_once(format!("skipped a server line pim cannot read: {line}"));
        }
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
            let mut session = session;
            self.drain_skipped(&mut session);
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
