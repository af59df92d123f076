//! Opening an IMAP session: TCP, TLS (implicit or STARTTLS), greeting, LOGIN
//! (or SASL XOAUTH2/OAUTHBEARER with an OAuth2 token), capabilities. Each step
//! has a deadline and its own error kind.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

use super::{ImapConfig, Session};
use crate::config::credentials::{Credentials, TokenSource};
use crate::mail::net::{
    self, Counted, MailStream, Security, Traffic, describe_tls_error, is_loopback,
};
use crate::mail::oauth::ImapTokenLogin;
use crate::sync::mailbox::{MailboxError, MbResult};

/// Returns the session, its capabilities and how many commands were spent after
/// login to learn them (0 when the LOGIN answer carried them).
pub(super) async fn open(
    cfg: &ImapConfig,
    traffic: Arc<Traffic>,
) -> MbResult<(Session, HashSet<String>, u64)> {
    let addr = format!("{}:{}", cfg.host, cfg.port);
    if cfg.security == Security::Plaintext && !is_loopback(&cfg.host) {
        return Err(MailboxError::Tls(format!(
            "refusing plaintext IMAP to {addr}: only loopback addresses may be used without TLS"
        )));
    }
    let tcp = match timeout(cfg.timeout, TcpStream::connect(&addr)).await {
        Err(_) => {
            return Err(MailboxError::Unreachable(format!(
                "{addr}: no answer within {} s",
                cfg.timeout.as_secs()
            )));
        }
        Ok(Err(e)) => return Err(MailboxError::Unreachable(format!("{addr}: {e}"))),
        Ok(Ok(tcp)) => tcp,
    };
    let _ = tcp.set_nodelay(true);
    let mut counted = Counted::new(tcp, traffic);

    let stream = match cfg.security {
        Security::Plaintext => MailStream::Plain(counted),
        Security::Implicit => tls_handshake(cfg, counted).await?,
        Security::Starttls => {
            timeout(cfg.timeout, starttls_preamble(&mut counted))
                .await
                .map_err(|_| {
                    MailboxError::Unreachable(format!("{addr}: no answer to STARTTLS in time"))
                })??;
            tls_handshake(cfg, counted).await?
        }
    };

    let mut client = async_imap::Client::new(super::untagged::Filtered::new(stream));
    if cfg.security != Security::Starttls {
        // With STARTTLS the greeting was read before the handshake.
        match timeout(cfg.timeout, client.read_response()).await {
            Err(_) => {
                return Err(MailboxError::Unreachable(format!(
                    "{addr}: no IMAP greeting in time"
                )));
            }
            Ok(Err(e)) => return Err(io_error(&addr, "reading the greeting", e)),
            Ok(Ok(None)) => {
                return Err(MailboxError::Unreachable(format!(
                    "{addr}: closed before the IMAP greeting"
                )));
            }
            Ok(Ok(Some(_greeting))) => {}
        }
    }

    let (mut session, caps) = log_in(cfg, client, &addr).await?;
    let (caps, extra) = match caps {
        Some(c) => (c, 0),
        None => {
            let c = timeout(cfg.timeout, session.capabilities())
                .await
                .map_err(|_| MailboxError::Timeout(format!("{addr}: CAPABILITY")))?
                .map_err(|e| MailboxError::Disconnected(format!("{addr}: CAPABILITY: {e}")))?;
            (c, 1)
        }
    };
    let names = caps
        .iter()
        .filter_map(|c| match c {
            async_imap::types::Capability::Atom(a) => Some(a.to_ascii_uppercase()),
            async_imap::types::Capability::Imap4rev1 => Some("IMAP4REV1".into()),
            _ => None,
        })
        .collect();
    while session.unsolicited_responses.try_recv().is_ok() {}
    Ok((session, names, extra))
}

type Client = async_imap::Client<super::untagged::Filtered<MailStream>>;
type LoginResult = MbResult<(Session, Option<async_imap::types::Capabilities>)>;

/// LOGIN with the password, or AUTHENTICATE with the token.
async fn log_in(cfg: &ImapConfig, client: Client, addr: &str) -> LoginResult {
    match &cfg.credentials {
        Credentials::Password(password) => log_in_with_password(cfg, client, addr, password).await,
        Credentials::Token(source) => log_in_with_token(cfg, client, addr, source).await,
    }
}

async fn log_in_with_password(
    cfg: &ImapConfig,
    client: Client,
    addr: &str,
    password: &str,
) -> LoginResult {
    let login = timeout(
        cfg.timeout,
        client.login_with_capabilities(&cfg.user, password),
    )
    .await
    .map_err(|_| MailboxError::Timeout(format!("{addr}: no answer to LOGIN")))?;
    match login {
        Ok(ok) => Ok(ok),
        Err((async_imap::error::Error::Validate(v), _)) => Err(MailboxError::Auth(format!(
            "user name or password contains {v}"
        ))),
        Err((e, _)) => Err(login_error(cfg, addr, "LOGIN", e, None)),
    }
}

/// An access token may have expired since the helper printed it: when the
/// server refuses it, ask the token command once more and try again once.
async fn log_in_with_token(
    cfg: &ImapConfig,
    mut client: Client,
    addr: &str,
    source: &TokenSource,
) -> LoginResult {
    let mechanism = source.mechanism;
    let what = format!("AUTHENTICATE {mechanism}");
    let mut token = source.token();
    let mut refreshed = false;
    loop {
        let mut login = ImapTokenLogin::new(mechanism, &cfg.user, &token);
        let answer = timeout(
            cfg.timeout,
            client.authenticate(mechanism.sasl_name(), &mut login),
        )
        .await
        .map_err(|_| MailboxError::Timeout(format!("{addr}: no answer to {what}")))?;
        let (error, back) = match answer {
            Ok(session) => return Ok((session, None)),
            Err(failure) => failure,
        };
        // A token refusal comes as an error challenge or [AUTHENTICATIONFAILED];
        // any other NO (e.g. an unsupported mechanism) is not helped by a new token.
        let refused_token = login.refusal.is_some()
            || matches!(&error, async_imap::error::Error::No(r)
                if r.to_ascii_uppercase().contains("AUTHENTICATIONFAILED"));
        if !refused_token || refreshed {
            let notes: Vec<&str> = login
                .refusal
                .as_deref()
                .into_iter()
                .chain(refreshed.then_some("a fresh token from the token command was refused too"))
                .collect();
            let detail = (!notes.is_empty()).then(|| notes.join("; "));
            return Err(login_error(cfg, addr, &what, error, detail.as_deref()));
        }
        token = source.refresh().map_err(|e| {
            MailboxError::Auth(format!(
                "{} at {addr}: {mechanism} refused the access token, and {e}",
                cfg.user
            ))
        })?;
        refreshed = true;
        client = back;
    }
}

/// A failed login as the caller's error: busy, refused (naming the method) or
/// a dropped connection.
fn login_error(
    cfg: &ImapConfig,
    addr: &str,
    what: &str,
    error: async_imap::error::Error,
    detail: Option<&str>,
) -> MailboxError {
    let method = cfg.credentials.method_name();
    let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
    match error {
        // Not a refusal of the credentials: the server cannot check them right now.
        async_imap::error::Error::No(reason) if super::is_busy(&reason) => {
            MailboxError::Busy(format!("{addr}: {}", super::readable_reason(&reason)))
        }
        async_imap::error::Error::No(reason) => MailboxError::Auth(format!(
            "{} at {addr}: {method} login refused: {}{detail}",
            cfg.user,
            super::readable_reason(&reason)
        )),
        async_imap::error::Error::Bad(reason) => MailboxError::Auth(format!(
            "{} at {addr}: server rejected {what} ({}){detail}",
            cfg.user,
            super::readable_reason(&reason)
        )),
        e => MailboxError::Disconnected(format!("{addr}: during {what}: {e}")),
    }
}

async fn tls_handshake(cfg: &ImapConfig, tcp: Counted<TcpStream>) -> MbResult<MailStream> {
    let addr = format!("{}:{}", cfg.host, cfg.port);
    let connector =
        net::tls_connector(cfg.ca_file.as_deref()).map_err(|e| MailboxError::Tls(e.to_string()))?;
    let name = net::server_name(&cfg.host).map_err(|e| MailboxError::Tls(e.to_string()))?;
    match timeout(cfg.timeout, connector.connect(name, tcp)).await {
        Err(_) => Err(MailboxError::Unreachable(format!(
            "{addr}: TLS handshake timed out"
        ))),
        Ok(Err(e)) => Err(match describe_tls_error(&e) {
            Some(why) => MailboxError::Tls(format!("{addr}: {why}")),
            None => MailboxError::Tls(format!("{addr}: handshake failed: {e}")),
        }),
        Ok(Ok(tls)) => Ok(MailStream::Tls(Box::new(tls))),
    }
}

/// Greeting, `STARTTLS`, its OK — on the raw socket, one line at a time, so no
/// byte of the TLS handshake is consumed by a buffer.
async fn starttls_preamble(tcp: &mut Counted<TcpStream>) -> MbResult<()> {
    let greeting = read_line(tcp).await?;
    if !greeting.starts_with("* OK") {
        return Err(MailboxError::Protocol(format!(
            "unexpected IMAP greeting: {}",
            greeting.trim_end()
        )));
    }
    tcp.write_all(b"S0 STARTTLS\r\n")
        .await
        .map_err(|e| MailboxError::Disconnected(format!("sending STARTTLS: {e}")))?;
    loop {
        let line = read_line(tcp).await?;
        if let Some(status) = line.strip_prefix("S0 ") {
            if status.starts_with("OK") {
                return Ok(());
            }
            return Err(MailboxError::Tls(format!(
                "server refused STARTTLS: {}",
                status.trim_end()
            )));
        }
    }
}

async fn read_line(tcp: &mut Counted<TcpStream>) -> MbResult<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        let n = tcp
            .read(&mut byte)
            .await
            .map_err(|e| MailboxError::Unreachable(format!("reading the greeting: {e}")))?;
        if n == 0 {
            return Err(MailboxError::Unreachable(
                "connection closed before STARTTLS".into(),
            ));
        }
        line.push(byte[0]);
        if byte[0] == b'\n' {
            return Ok(String::from_utf8_lossy(&line).into_owned());
        }
        if line.len() > 8192 {
            return Err(MailboxError::Protocol("greeting line too long".into()));
        }
    }
}

fn io_error(addr: &str, during: &str, e: std::io::Error) -> MailboxError {
    match describe_tls_error(&e) {
        Some(why) => MailboxError::Tls(format!("{addr}: {why}")),
        None => MailboxError::Unreachable(format!("{addr}: {during}: {e}")),
    }
}
