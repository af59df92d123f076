//! From a configured [`Account`] to IMAP/SMTP connection settings.

use super::net::Security;
use super::{ImapConfig, SmtpConfig};
use crate::config::accounts::{Account, TlsMode, parse_host_port};

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

/// IMAP settings; `password` comes from [`Account::password`].
pub fn imap_config(account: &Account, password: &str) -> Result<ImapConfig, String> {
    account.validate().map_err(|e| e.to_string())?;
    let (host, port) = parse_host_port(&account.imap).map_err(|e| e.to_string())?;
    let mut cfg = ImapConfig::new(&host, port, security(account), &account.user, password);
    cfg.ca_file = account.ca_file.clone();
    Ok(cfg)
}

/// SMTP settings. With `tls = "starttls"` the SMTP side uses STARTTLS too,
/// unless its port is 465 (SMTPS is always implicit TLS).
pub fn smtp_config(account: &Account, password: &str) -> Result<SmtpConfig, String> {
    account.validate().map_err(|e| e.to_string())?;
    let (host, port) = parse_host_port(&account.smtp).map_err(|e| e.to_string())?;
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
        password: password.to_string(),
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
        assert_eq!(imap_config(&a, "p").unwrap().security, Security::Implicit);
        assert_eq!(smtp_config(&a, "p").unwrap().security, Security::Starttls);
        a.smtp = "mail.example.org:465".into();
        a.tls = TlsMode::Starttls;
        assert_eq!(imap_config(&a, "p").unwrap().security, Security::Starttls);
        assert_eq!(smtp_config(&a, "p").unwrap().security, Security::Implicit);
        a.insecure = true;
        assert!(imap_config(&a, "p").unwrap_err().contains("loopback"));
    }
}
