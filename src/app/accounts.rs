//! Mail accounts of a profile (config.toml): adding one and checking that its
//! servers answer. `pim account add|check` and the TUI's "Add account" form both
//! call these, so the rules (what an account needs, which defaults an address
//! suggests, how a failed check is said) are the same in both.

use std::path::{Path, PathBuf};

use crate::config::accounts::{
    Account, AccountError, AuthMethod, ConfigError, ConfigFile, PasswordError, TlsMode,
    parse_host_port, valid_account_name,
};
use crate::mail::imap::CapabilityReport;
use crate::mail::smtp::SmtpError;
use crate::mail::{self, ImapMailbox};
use crate::sync::MailboxError;

/// What the user filled in for a new account (CLI options or form fields).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewAccount {
    pub name: String,
    pub email: String,
    /// `host:port`.
    pub imap: String,
    /// `host:port`.
    pub smtp: String,
    pub user: String,
    pub auth: AuthMethod,
    pub password_command: Option<String>,
    pub token_command: Option<String>,
    pub tls: TlsMode,
    /// No TLS at all (loopback servers only).
    pub insecure: bool,
    /// As typed: made absolute against `cwd` when the account is built.
    pub ca_file: Option<PathBuf>,
    pub folder_root: Option<String>,
    pub conflict_policy: Option<String>,
    pub watch: bool,
    pub parking_folder: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum AddError {
    #[error(transparent)]
    Invalid(#[from] AccountError),
    #[error("account {0} exists already: change it with `pim account set {0}`")]
    Exists(String),
    #[error("a token command is for OAuth2 logins: choose the login xoauth2 or oauthbearer")]
    TokenWithoutOAuth,
    #[error(
        "a password command is required (or, for OAuth2, the login xoauth2|oauthbearer \
         with a token command)"
    )]
    NoPasswordCommand,
    #[error(transparent)]
    Config(#[from] ConfigError),
}

/// Servers, login and TLS an address suggests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub imap: String,
    pub smtp: String,
    pub user: String,
    pub tls: TlsMode,
}

/// Providers whose servers are not `imap.DOMAIN` / `smtp.DOMAIN`.
const PROVIDERS: &[(&[&str], &str, &str)] = &[
    (
        &["gmail.com", "googlemail.com"],
        "imap.gmail.com:993",
        "smtp.gmail.com:465",
    ),
    (
        &["outlook.com", "hotmail.com", "live.com", "msn.com"],
        "outlook.office365.com:993",
        "smtp.office365.com:587",
    ),
    (
        &["fastmail.com", "fastmail.fm"],
        "imap.fastmail.com:993",
        "smtp.fastmail.com:465",
    ),
    (
        &["posteo.de", "posteo.net"],
        "posteo.de:993",
        "posteo.de:465",
    ),
    (
        &["icloud.com", "me.com", "mac.com"],
        "imap.mail.me.com:993",
        "smtp.mail.me.com:587",
    ),
];

/// The usual servers for an address: a known provider's, else `imap.DOMAIN:993`
/// and `smtp.DOMAIN:465` (implicit TLS); the login is the whole address.
pub fn suggest(email: &str) -> Option<Suggestion> {
    let (local, domain) = email.trim().rsplit_once('@')?;
    let domain = domain.trim().to_ascii_lowercase();
    if local.is_empty() || domain.is_empty() || domain.contains(char::is_whitespace) {
        return None;
    }
    let (imap, smtp) = PROVIDERS
        .iter()
        .find(|(domains, _, _)| domains.contains(&domain.as_str()))
        .map(|(_, i, s)| (i.to_string(), s.to_string()))
        .unwrap_or_else(|| (format!("imap.{domain}:993"), format!("smtp.{domain}:465")));
    Some(Suggestion {
        imap,
        smtp,
        user: email.trim().to_string(),
        tls: TlsMode::Implicit,
    })
}

/// `path` made absolute against `cwd`; it must exist.
fn absolute_ca_file(path: &Path, cwd: &Path) -> Result<PathBuf, AccountError> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    if !abs.is_file() {
        return Err(match crate::config::accounts::ca_file_error(&abs) {
            AccountError::CaFileIsFolder(_) => AccountError::CaFileIsFolder(path.to_path_buf()),
            _ => AccountError::NoCaFile(path.to_path_buf()),
        });
    }
    Ok(abs)
}

/// The account `new` describes, checked by every rule (nothing is written).
pub fn build(new: &NewAccount, cwd: &Path) -> Result<Account, AddError> {
    valid_account_name(&new.name)?;
    fn command(c: &Option<String>) -> Option<&str> {
        c.as_deref().map(str::trim).filter(|c| !c.is_empty())
    }
    let password_command = command(&new.password_command).unwrap_or_default();
    let mut account = Account::new(
        new.imap.trim(),
        new.smtp.trim(),
        new.user.trim(),
        new.email.trim(),
        password_command,
    );
    account.auth = new.auth;
    let token_command = command(&new.token_command);
    if account.auth.is_password() && token_command.is_some() {
        return Err(AddError::TokenWithoutOAuth);
    }
    if account.auth.is_password() && account.password_command.is_empty() {
        return Err(AddError::NoPasswordCommand);
    }
    account.token_command = token_command.map(str::to_string);
    account.tls = new.tls;
    account.insecure = new.insecure;
    account.ca_file = new
        .ca_file
        .as_deref()
        .filter(|p| !p.as_os_str().is_empty())
        .map(|p| absolute_ca_file(p, cwd))
        .transpose()?;
    account.watch = new.watch;
    if let Some(f) = &new.folder_root {
        account.folder_root = f.clone();
    }
    if let Some(p) = &new.conflict_policy {
        account.conflict_policy = p.clone();
    }
    if let Some(f) = &new.parking_folder {
        account.parking_folder = f.clone();
    }
    account.validate()?;
    Ok(account)
}

/// Store `account` as `name` in config.toml (a name in use is refused).
pub fn add(config_file: &Path, name: &str, account: Account) -> Result<(), AddError> {
    let mut config = ConfigFile::load(config_file)?;
    if config.accounts.contains_key(name) {
        return Err(AddError::Exists(name.to_string()));
    }
    config.accounts.insert(name.to_string(), account);
    if let Some(dir) = config_file.parent() {
        std::fs::create_dir_all(dir).map_err(|e| ConfigError::Write {
            path: config_file.to_path_buf(),
            reason: e.to_string(),
        })?;
    }
    config.save(config_file)?;
    Ok(())
}

/// Where a check stands (for a progress line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CheckStep {
    /// Running the password or token command.
    Credentials,
    /// Looking up a server's name.
    Resolving(String),
    /// Connecting and logging in to IMAP (`host:port`).
    Imap(String),
    /// IMAP answered: what the server offers.
    ImapOk(CapabilityReport),
    /// Connecting and logging in to SMTP (`host:port`).
    Smtp(String),
}

impl std::fmt::Display for CheckStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CheckStep::Credentials => write!(f, "running the password command…"),
            CheckStep::Resolving(host) => write!(f, "looking up {host}…"),
            CheckStep::Imap(addr) => write!(f, "logging in to IMAP at {addr}…"),
            CheckStep::ImapOk(_) => write!(f, "IMAP ok"),
            CheckStep::Smtp(addr) => write!(f, "logging in to SMTP at {addr}…"),
        }
    }
}

/// Why a check failed, in words that say what to look at.
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error(transparent)]
    Settings(#[from] mail::account::AccountError),
    #[error("{0}: check the command")]
    Password(PasswordError),
    #[error("cannot resolve host {host}: check the server name (and that this computer is online)")]
    Resolve { host: String },
    #[error("{}", imap_words(.0))]
    Imap(MailboxError),
    #[error("{}", smtp_words(.0))]
    Smtp(SmtpError),
}

fn imap_words(e: &MailboxError) -> String {
    match e {
        MailboxError::Unreachable(why) => {
            format!("cannot connect to the IMAP server ({why}): check the port and the TLS mode")
        }
        MailboxError::Tls(why) if why.contains("not trusted") => format!(
            "the IMAP server's TLS certificate is not trusted ({why}): a server with its own \
             certificate authority needs its CA file"
        ),
        MailboxError::Tls(why) => format!("TLS with the IMAP server failed ({why})"),
        MailboxError::Auth(why) => format!(
            "login refused by the IMAP server ({why}): check the user and the password command"
        ),
        MailboxError::Timeout(why) => format!("the IMAP server did not answer in time ({why})"),
        other => format!("IMAP: {other}"),
    }
}

fn smtp_words(e: &SmtpError) -> String {
    match e {
        SmtpError::Unreachable(why) => {
            format!("cannot connect to the SMTP server ({why}): check the port and the TLS mode")
        }
        SmtpError::Tls(why) if why.contains("not trusted") || why.contains("certificate") => {
            format!(
                "the SMTP server's TLS certificate is not trusted ({why}): a server with its \
                 own certificate authority needs its CA file"
            )
        }
        SmtpError::Tls(why) => format!("TLS with the SMTP server failed ({why})"),
        SmtpError::Auth(why) => format!(
            "login refused by the SMTP server ({why}): check the user and the password command"
        ),
        other => other.to_string(),
    }
}

/// Whether `host` has an address (a failure here is a typo far more often than
/// a network problem, and says so).
async fn resolve(host: &str, port: u16) -> Result<(), CheckError> {
    let found = tokio::net::lookup_host((host, port))
        .await
        .map(|addrs| addrs.count())
        .unwrap_or(0);
    if found == 0 {
        return Err(CheckError::Resolve {
            host: host.to_string(),
        });
    }
    Ok(())
}

/// Log in to the account's IMAP and SMTP servers, reporting each step.
pub async fn check(
    account: &Account,
    progress: &mut dyn FnMut(CheckStep),
) -> Result<CapabilityReport, CheckError> {
    let (imap_host, imap_port) = parse_host_port(&account.imap)
        .map_err(|e| CheckError::Settings(mail::account::AccountError::BadAddress(e)))?;
    let (smtp_host, smtp_port) = parse_host_port(&account.smtp)
        .map_err(|e| CheckError::Settings(mail::account::AccountError::BadAddress(e)))?;
    progress(CheckStep::Credentials);
    let credentials = account.credentials().map_err(CheckError::Password)?;
    let imap = mail::account::imap_config(account, &credentials)?;
    let smtp = mail::account::smtp_config(account, &credentials)?;
    for (host, port) in [(&imap_host, imap_port), (&smtp_host, smtp_port)] {
        progress(CheckStep::Resolving(host.clone()));
        resolve(host, port).await?;
    }
    progress(CheckStep::Imap(account.imap.clone()));
    let mut mb = ImapMailbox::connect(imap).await.map_err(CheckError::Imap)?;
    let report = mail::imap::capability_report(&mb);
    mb.logout().await;
    progress(CheckStep::ImapOk(report.clone()));
    progress(CheckStep::Smtp(account.smtp.clone()));
    mail::smtp::check(&smtp).await.map_err(CheckError::Smtp)?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new(email: &str) -> NewAccount {
        let s = suggest(email).unwrap();
        NewAccount {
            name: "mail".into(),
            email: email.into(),
            imap: s.imap,
            smtp: s.smtp,
            user: s.user,
            password_command: Some("pass show mail".into()),
            ..NewAccount::default()
        }
    }

    #[test]
    fn an_address_suggests_its_servers() {
        let s = suggest("ada@Example.org").unwrap();
        assert_eq!(
            (s.imap.as_str(), s.smtp.as_str(), s.user.as_str()),
            (
                "imap.example.org:993",
                "smtp.example.org:465",
                "ada@Example.org"
            )
        );
        let g = suggest("ada@gmail.com").unwrap();
        assert_eq!(g.imap, "imap.gmail.com:993");
        assert_eq!(suggest("no-at-sign"), None);
        assert_eq!(suggest("@example.org"), None);
    }

    #[test]
    fn build_applies_the_cli_rules() {
        let cwd = Path::new("/");
        let a = build(&new("ada@example.org"), cwd).unwrap();
        assert_eq!(a.password_command, "pass show mail");
        let mut n = new("ada@example.org");
        n.password_command = None;
        assert!(matches!(build(&n, cwd), Err(AddError::NoPasswordCommand)));
        n.token_command = Some("oama access ada".into());
        assert!(matches!(build(&n, cwd), Err(AddError::TokenWithoutOAuth)));
        n.auth = AuthMethod::parse("xoauth2").unwrap();
        assert!(build(&n, cwd).is_ok());
        let mut bad = new("ada@example.org");
        bad.name = "my account".into();
        assert!(matches!(build(&bad, cwd), Err(AddError::Invalid(_))));
        bad = new("ada@example.org");
        bad.ca_file = Some("no/such/ca.pem".into());
        let e = build(&bad, cwd).unwrap_err().to_string();
        assert!(e.contains("CA file"), "{e}");
    }

    #[test]
    fn add_refuses_a_name_in_use() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("config.toml");
        let a = build(&new("ada@example.org"), dir.path()).unwrap();
        add(&file, "mail", a.clone()).unwrap();
        assert!(matches!(add(&file, "mail", a), Err(AddError::Exists(_))));
        assert!(
            ConfigFile::load(&file)
                .unwrap()
                .accounts
                .contains_key("mail")
        );
    }

    #[test]
    fn a_check_says_an_unknown_host_in_plain_words() {
        let mut a = build(&new("ada@example.org"), Path::new("/")).unwrap();
        a.password_command = "echo pw".into();
        a.imap = "no-such-host.invalid:993".into();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let mut steps = Vec::new();
        let e = rt
            .block_on(check(&a, &mut |s| steps.push(s.to_string())))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot resolve host no-such-host.invalid: check the server name \
             (and that this computer is online)"
        );
        assert_eq!(steps[0], "running the password command…");
        assert!(steps.contains(&"looking up no-such-host.invalid…".to_string()));
    }
}
