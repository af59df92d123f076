//! SMTP AUTH with an OAuth2 token. lettre knows XOAUTH2 but not OAUTHBEARER,
//! and it cannot answer a server's error challenge; so both mechanisms are
//! spoken here over lettre's low-level connection.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use lettre::transport::smtp::client::{AsyncSmtpConnection, Tls};
use lettre::transport::smtp::extension::ClientId;
use lettre::transport::smtp::response::Response;

use super::{SmtpConfig, SmtpError, classify, tls_mode};
use crate::config::credentials::{OAuthMechanism, TokenSource};
use crate::mail::oauth;

/// One raw command line (lettre's own commands cannot carry OAUTHBEARER).
struct Line(String);

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\r\n", self.0)
    }
}

/// Connect, secure, EHLO and authenticate with the token; asks the token
/// command for a fresh token once when the server refuses the current one.
pub(super) async fn connect(
    cfg: &SmtpConfig,
    source: &TokenSource,
) -> Result<AsyncSmtpConnection, SmtpError> {
    let hello = ClientId::default();
    let (implicit, starttls) = match tls_mode(cfg)? {
        Tls::Wrapper(params) => (Some(params), None),
        Tls::Required(params) | Tls::Opportunistic(params) => (None, Some(params)),
        Tls::None => (None, None),
    };
    let mut conn = AsyncSmtpConnection::connect_tokio1(
        (cfg.host.as_str(), cfg.port),
        Some(cfg.timeout),
        &hello,
        implicit,
        None,
    )
    .await
    .map_err(|e| classify(cfg, e))?;
    if let Some(params) = starttls {
        conn.starttls(params, &hello)
            .await
            .map_err(|e| classify(cfg, e))?;
    }
    let mechanism = source.mechanism;
    let mut refreshed = false;
    let mut token = source.token();
    loop {
        match authenticate(&mut conn, cfg, mechanism, &token).await? {
            None => return Ok(conn),
            Some(why) if refreshed => {
                conn.abort().await;
                return Err(refused(
                    cfg,
                    mechanism,
                    &format!("{why}; a fresh token from the token command was refused too"),
                ));
            }
            Some(why) => {
                token = source
                    .refresh()
                    .map_err(|e| refused(cfg, mechanism, &format!("{why}, and {e}")))?;
                refreshed = true;
            }
        }
    }
}

fn refused(cfg: &SmtpConfig, mechanism: OAuthMechanism, why: &str) -> SmtpError {
    SmtpError::Auth(format!(
        "{} at {}:{}: {mechanism} login refused: {why}",
        cfg.user, cfg.host, cfg.port
    ))
}

/// One AUTH exchange: Ok(None) when logged in, Ok(Some(reason)) when the
/// server refused the token, Err for anything else (unsupported mechanism,
/// busy server, dropped connection).
async fn authenticate(
    conn: &mut AsyncSmtpConnection,
    cfg: &SmtpConfig,
    mechanism: OAuthMechanism,
    token: &str,
) -> Result<Option<String>, SmtpError> {
    let initial = BASE64.encode(oauth::initial_response(mechanism, &cfg.user, token));
    let first = conn
        .command(Line(format!("AUTH {} {initial}", mechanism.sasl_name())))
        .await;
    let challenge = match first {
        Ok(r) if r.has_code(334) => r,
        Ok(_) => return Ok(None),
        Err(e) => return refusal_or_error(cfg, mechanism, e, None),
    };
    // The server's error challenge: acknowledge it to get its final reply.
    let why = oauth::describe_error_challenge(&decode_challenge(&challenge));
    let ack = BASE64.encode(oauth::error_acknowledgement(mechanism));
    match conn.command(Line(ack)).await {
        Err(e) => refusal_or_error(cfg, mechanism, e, Some(why)),
        Ok(_) => Err(SmtpError::Auth(format!(
            "{} at {}:{}: {mechanism}: the server accepted a refused token",
            cfg.user, cfg.host, cfg.port
        ))),
    }
}

fn decode_challenge(response: &Response) -> Vec<u8> {
    let text = response.first_line().unwrap_or_default().trim();
    BASE64
        .decode(text)
        .unwrap_or_else(|_| text.as_bytes().to_vec())
}

/// 535 (and other 53x) refuse the token; 504 means the server does not offer
/// the mechanism; everything else is classified as usual.
fn refusal_or_error(
    cfg: &SmtpConfig,
    mechanism: OAuthMechanism,
    e: lettre::transport::smtp::Error,
    why: Option<String>,
) -> Result<Option<String>, SmtpError> {
    let code = e.status().map(|c| c.to_string());
    match code.as_deref() {
        Some("535" | "534" | "530") => Ok(Some(why.unwrap_or_else(|| e.to_string()))),
        Some("504") => Err(SmtpError::Auth(format!(
            "{} at {}:{}: the server does not offer AUTH {mechanism} ({e})",
            cfg.user, cfg.host, cfg.port
        ))),
        _ => Err(classify(cfg, e)),
    }
}
