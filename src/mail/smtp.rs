//! Sending prepared RFC 5322 messages through the account's SMTP server
//! (lettre over rustls): implicit TLS (465), STARTTLS (587), or plaintext to
//! loopback only; AUTH with the account's user and password, or with an OAuth2
//! token (XOAUTH2/OAUTHBEARER, see [`super::oauth`]); private CA.

use std::path::PathBuf;
use std::time::Duration;

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials as SmtpCredentials;
use lettre::transport::smtp::client::{Certificate, CertificateStore, Tls, TlsParameters};
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::net::{Security, is_loopback};
use crate::config::credentials::Credentials;

mod oauth_login;

#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub ca_file: Option<PathBuf>,
    pub user: String,
    /// A password, or an OAuth2 token source (SASL XOAUTH2/OAUTHBEARER).
    pub credentials: Credentials,
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("user", &self.user)
            .field("credentials", &self.credentials)
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SmtpError {
    #[error("cannot reach the SMTP server: {0}")]
    Unreachable(String),
    #[error("SMTP TLS failed: {0}")]
    Tls(String),
    #[error("SMTP login failed: {0}")]
    Auth(String),
    #[error("the SMTP server refused the message: {0}")]
    Rejected(String),
    #[error("the SMTP server is busy, try later: {0}")]
    Temporary(String),
    #[error("invalid address {0}")]
    Address(String),
}

impl SmtpError {
    /// Worth retrying later (the reply stays in the outbox).
    pub fn is_transient(&self) -> bool {
        matches!(self, SmtpError::Unreachable(_) | SmtpError::Temporary(_))
    }
}

/// How the connection is secured (plaintext only to loopback).
pub(super) fn tls_mode(cfg: &SmtpConfig) -> Result<Tls, SmtpError> {
    let addr = format!("{}:{}", cfg.host, cfg.port);
    let tls_params = || -> Result<TlsParameters, SmtpError> {
        let mut b = TlsParameters::builder(cfg.host.clone());
        if let Some(ca) = &cfg.ca_file {
            let pem = std::fs::read(ca).map_err(|e| {
                SmtpError::Tls(format!("cannot read CA file {}: {e}", ca.display()))
            })?;
            let cert = Certificate::from_pem(&pem)
                .map_err(|e| SmtpError::Tls(format!("CA file {}: {e}", ca.display())))?;
            b = b
                .certificate_store(CertificateStore::None)
                .add_root_certificate(cert);
        }
        b.build_rustls()
            .map_err(|e| SmtpError::Tls(format!("{addr}: {e}")))
    };
    Ok(match cfg.security {
        Security::Implicit => Tls::Wrapper(tls_params()?),
        Security::Starttls => Tls::Required(tls_params()?),
        Security::Plaintext => {
            if !is_loopback(&cfg.host) {
                return Err(SmtpError::Tls(format!(
                    "refusing plaintext SMTP to {addr}: only loopback addresses may be used without TLS"
                )));
            }
            Tls::None
        }
    })
}

/// lettre's pooled transport, for password logins.
fn transport(
    cfg: &SmtpConfig,
    password: &str,
) -> Result<AsyncSmtpTransport<Tokio1Executor>, SmtpError> {
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(cfg.host.clone())
            .port(cfg.port)
            .tls(tls_mode(cfg)?)
            .credentials(SmtpCredentials::new(cfg.user.clone(), password.to_string()))
            .timeout(Some(cfg.timeout))
            .build(),
    )
}

/// Send `message` (complete RFC 5322 bytes, with its own headers) from `from` to
/// `to`. Success means the server accepted it for delivery.
pub async fn send(
    cfg: &SmtpConfig,
    from: &str,
    to: &[&str],
    message: &[u8],
) -> Result<(), SmtpError> {
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| SmtpError::Address(format!("{a:?}: {e}")))
    };
    let recipients = to.iter().map(|a| parse(a)).collect::<Result<Vec<_>, _>>()?;
    let envelope = Envelope::new(Some(parse(from)?), recipients)
        .map_err(|e| SmtpError::Address(e.to_string()))?;
    match &cfg.credentials {
        Credentials::Password(password) => transport(cfg, password)?
            .send_raw(&envelope, message)
            .await
            .map(|_| ())
            .map_err(|e| classify(cfg, e)),
        Credentials::Token(source) => {
            let mut conn = oauth_login::connect(cfg, source).await?;
            let sent = conn.send(&envelope, message).await;
            let _ = conn.quit().await;
            sent.map(|_| ()).map_err(|e| classify(cfg, e))
        }
    }
}

pub(super) fn classify(cfg: &SmtpConfig, e: lettre::transport::smtp::Error) -> SmtpError {
    let addr = format!("{}:{}", cfg.host, cfg.port);
    let text = e.to_string();
    let mut source = std::error::Error::source(&e);
    let mut tls_cause = None;
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>()
            && let Some(why) = super::net::describe_tls_error(io)
        {
            tls_cause = Some(why);
        }
        if let Some(r) = s.downcast_ref::<tokio_rustls::rustls::Error>() {
            tls_cause = Some(r.to_string());
        }
        source = s.source();
    }
    if let Some(why) = tls_cause {
        return SmtpError::Tls(format!("{addr}: {why}"));
    }
    if e.is_tls() {
        return SmtpError::Tls(format!("{addr}: {text}"));
    }
    if e.is_client() {
        // e.g. no authentication mechanism in common with the server
        return SmtpError::Auth(format!("{} at {addr}: {text}", cfg.user));
    }
    let code: Option<u16> = e.status().map(|c| c.to_string().parse().unwrap_or(0));
    match code {
        Some(530..=535) => SmtpError::Auth(format!("{} at {addr}: {text}", cfg.user)),
        Some(c) if (400..500).contains(&c) => SmtpError::Temporary(format!("{addr}: {text}")),
        Some(_) => SmtpError::Rejected(format!("{addr}: {text}")),
        None => SmtpError::Unreachable(format!("{addr}: {text}")),
    }
}

/// Connect, secure and log in without sending anything (`pim account check`).
pub async fn check(cfg: &SmtpConfig) -> Result<(), SmtpError> {
    let password = match &cfg.credentials {
        Credentials::Password(password) => password,
        Credentials::Token(source) => {
            let mut conn = oauth_login::connect(cfg, source).await?;
            let _ = conn.quit().await;
            return Ok(());
        }
    };
    let mailer = transport(cfg, password)?;
    match mailer.test_connection().await {
        Ok(true) => Ok(()),
        Ok(false) => Err(SmtpError::Unreachable(format!(
            "{}:{}: the server did not answer NOOP",
            cfg.host, cfg.port
        ))),
        Err(e) => Err(classify(cfg, e)),
    }
}
