//! From a configured [`Account`] to IMAP/SMTP connection settings.

use super::net::Security;
use super::{ImapConfig, SmtpConfig};
use crate::config::accounts::{self, Account, AddressError, TlsMode, parse_host_port};
use crate::config::credentials::Credentials;

/// Why an account's settings give no connection settings.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    /// The account fails its own checks (hosts, TLS off for a non-loopback host…).
    #[error(transparent)]
    Invalid(#[from] accounts::AccountError),
    /// The server address is not `host:port`.
    #[error(transparent)]
    BadAddress(#[from] AddressError),
}

fn security(account: &Account) -> Security {
    if account.insecure {
        Security::Plaintext
    } else {
        match account.tls {
            TlsMode::Implicit => Security::Implicit,
            TlsMode::Starttls => Security::Starttls,
        }
    }
}

/// IMAP settings; `credentials` come from [`Account::credentials`].
pub fn imap_config(
    account: &Account,
    credentials: &Credentials,
) -> Result<ImapConfig, AccountError> {
    account.validate().map_err(AccountError::Invalid)?;
    let (host, port) = parse_host_port(&account.imap).map_err(AccountError::BadAddress)?;
    let mut cfg = ImapConfig::new(&host, port, security(account), &account.user, "");
    cfg.credentials = credentials.clone();
    cfg.ca_file = account.ca_file.clone();
    if let Some(secs) = poll_interval_override() {
        cfg.poll_interval = std::time::Duration::from_secs(secs);
    }
    Ok(cfg)
}

/// `PIM_POLL_INTERVAL` (seconds, at least 1): how often `sync --watch` checks a
/// server without IDLE (default 30 s).
fn poll_interval_override() -> Option<u64> {
    std::env::var("PIM_POLL_INTERVAL")
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(|s| s.max(1))
}

/// SMTP settings. With `tls = "starttls"` the SMTP side uses STARTTLS too,
/// unless its port is 465 (SMTPS is always implicit TLS).
pub fn smtp_config(
    account: &Account,
    credentials: &Credentials,
) -> Result<SmtpConfig, AccountError> {
    account.validate().map_err(AccountError::Invalid)?;
    let (host, port) = parse_host_port(&account.smtp).map_err(AccountError::BadAddress)?;
    let security = match security(account) {
        Security::Plaintext => Security::Plaintext,
        _ if port == 465 => Security::Implicit,
        _ if port == 587 || port == 25 => Security::Starttls,
        other => other,
    };
    Ok(SmtpConfig {
        host,
        port,
        security,
        ca_file: account.ca_file.clone(),
        user: account.user.clone(),
        credentials: credentials.clone(),
        timeout: std::time::Duration::from_secs(60),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_pick_smtp_security() {
        let mut a = Account::new(
            "mail.example.org:993",
            "mail.example.org:587",
            "u",
            "u@example.org",
            "true",
        );
        let p = Credentials::password("p");
        assert_eq!(imap_config(&a, &p).unwrap().security, Security::Implicit);
        assert_eq!(smtp_config(&a, &p).unwrap().security, Security::Starttls);
        a.smtp = "mail.example.org:465".into();
        a.tls = TlsMode::Starttls;
        assert_eq!(imap_config(&a, &p).unwrap().security, Security::Starttls);
        assert_eq!(smtp_config(&a, &p).unwrap().security, Security::Implicit);
        a.insecure = true;
        let err = imap_config(&a, &p).unwrap_err();
        assert!(matches!(&err, AccountError::Invalid(why) if why.to_string().contains("loopback")));
        a.insecure = false;
        a.imap = "mail.example.org".into();
        assert!(matches!(
            imap_config(&a, &p),
            Err(AccountError::Invalid(_) | AccountError::BadAddress(_))
        ));
    }
}
