//! Mail accounts in the profile's `config.toml` (`[accounts.NAME]` tables).
//!
//! Secrets are never stored: `password_command` (or, for OAuth2 logins,
//! `token_command`) is run with `sh -c` and the first line of its output is the
//! password (the access token). Other tables of config.toml are kept as they
//! are when accounts change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::credentials::run_secret_command;
pub use super::credentials::{AuthMethod, Credentials, SecretCommandError, TokenSource};

/// True for 127.0.0.0/8, ::1 and "localhost": the only servers an account may
/// reach without TLS (and the mail transport checks the same rule).
pub fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

pub const DEFAULT_FOLDER_ROOT: &str = "PIM";
pub const DEFAULT_PARKING_FOLDER: &str = "PIM/Parked";
pub const CONFLICT_POLICIES: &[&str] = &["newest", "local", "remote", "keep-both", "ask"];

/// Transport security of an account (plaintext needs `insecure = true`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    #[default]
    Implicit,
    Starttls,
}

impl TlsMode {
    pub fn parse(s: &str) -> Result<TlsMode, AccountError> {
        match s {
            "implicit" => Ok(TlsMode::Implicit),
            "starttls" => Ok(TlsMode::Starttls),
            other => Err(AccountError::UnknownTls(other.to_string())),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            TlsMode::Implicit => "implicit",
            TlsMode::Starttls => "starttls",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// IMAP server as `host:port`.
    pub imap: String,
    /// SMTP server as `host:port`.
    pub smtp: String,
    pub user: String,
    pub email: String,
    /// Shell command printing the password on its first line (`auth = "password"`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub password_command: String,
    /// How to log in: a password, or an OAuth2 token (SASL XOAUTH2/OAUTHBEARER).
    #[serde(default, skip_serializing_if = "AuthMethod::is_password")]
    pub auth: AuthMethod,
    /// Shell command printing a fresh OAuth2 access token (`oama access ADDR`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_command: Option<String>,
    #[serde(default)]
    pub tls: TlsMode,
    /// Trust only this CA (PEM) instead of the system's roots.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ca_file: Option<PathBuf>,
    /// No TLS at all; only allowed to loopback servers.
    #[serde(default)]
    pub insecure: bool,
    #[serde(default = "default_folder_root")]
    pub folder_root: String,
    #[serde(default = "default_conflict_policy")]
    pub conflict_policy: String,
    /// Keep syncing in the background (IDLE) in the TUI.
    #[serde(default)]
    pub watch: bool,
    /// Where answered invitations (and their attachments) are parked.
    #[serde(default = "default_parking_folder")]
    pub parking_folder: String,
}

fn default_folder_root() -> String {
    DEFAULT_FOLDER_ROOT.into()
}
fn default_parking_folder() -> String {
    DEFAULT_PARKING_FOLDER.into()
}
fn default_conflict_policy() -> String {
    "ask".into()
}

/// A server address that is not `host:port`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    #[error("{0:?} is not HOST:PORT")]
    NotHostPort(String),
    #[error("{0:?}: port must be a number 1-65535")]
    BadPort(String),
    #[error("{0:?}: invalid host name")]
    BadHost(String),
}

/// An account setting that breaks a rule; the message says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AccountError {
    #[error("{server}: {source}")]
    Address {
        server: &'static str,
        source: AddressError,
    },
    #[error(
        "{server}: plaintext (--insecure) is only allowed to a loopback address, \
         not {host}; use --tls implicit or starttls"
    )]
    PlaintextNotLoopback { server: &'static str, host: String },
    #[error("unknown TLS mode {0:?}: use implicit or starttls")]
    UnknownTls(String),
    #[error("user must not be empty")]
    EmptyUser,
    #[error("user {0:?} holds a control character (a line break?): no server takes it")]
    ControlInUser(String),
    #[error("email {0:?} is not an address")]
    BadEmail(String),
    #[error("password command must not be empty")]
    EmptyPasswordCommand,
    #[error("auth {0} needs a token command: --token-command CMD (it prints a fresh access token)")]
    NoTokenCommand(&'static str),
    #[error("unknown auth method {0:?}: use password, xoauth2 or oauthbearer")]
    UnknownAuth(String),
    #[error("unknown conflict policy {0:?}: use one of {list}", list = CONFLICT_POLICIES.join(", "))]
    UnknownConflictPolicy(String),
    #[error("{what} {folder:?} must be non-empty printable ASCII")]
    BadFolder { what: &'static str, folder: String },
    #[error("CA file {} does not exist", .0.display())]
    NoCaFile(PathBuf),
    #[error("CA file {} is a folder: name the PEM file in it", .0.display())]
    CaFileIsFolder(PathBuf),
    #[error("account name {0:?}: use letters, digits, '-', '_' or '.'")]
    BadName(String),
}

/// Running `password_command` gave no password.
#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("cannot run the password command: {0}")]
    Spawn(std::io::Error),
    #[error("the password command failed ({0})")]
    Failed(std::process::ExitStatus),
    #[error("the password command printed non-UTF-8 output")]
    NotUtf8,
    #[error("the password command printed an empty first line")]
    Empty,
    /// The token command of an OAuth2 account gave no token.
    #[error(transparent)]
    Token(SecretCommandError),
}

impl From<SecretCommandError> for PasswordError {
    fn from(e: SecretCommandError) -> Self {
        match e {
            SecretCommandError::Spawn("password", e) => PasswordError::Spawn(e),
            SecretCommandError::Failed("password", s) => PasswordError::Failed(s),
            SecretCommandError::NotUtf8("password") => PasswordError::NotUtf8,
            SecretCommandError::Empty("password") => PasswordError::Empty,
            other => PasswordError::Token(other),
        }
    }
}

/// No account fits the name given (or, without a name, no single one).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LookupError {
    #[error("no account {0:?}: add one with `pim account add`")]
    NoAccounts(String),
    #[error("no account {name:?} (accounts: {})", .known.join(", "))]
    NoSuchAccount { name: String, known: Vec<String> },
    #[error("no mail account: add one with `pim account add`")]
    NoAccount,
    #[error("several accounts ({}): choose one with --account", .0.join(", "))]
    SeveralAccounts(Vec<String>),
}

/// `host:port` split, with IPv6 in brackets (`[::1]:993`).
pub fn parse_host_port(s: &str) -> Result<(String, u16), AddressError> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| AddressError::NotHostPort(s.to_string()))?;
    let port: u16 = port
        .parse()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| AddressError::BadPort(s.to_string()))?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
        return Err(AddressError::BadHost(s.to_string()));
    }
    Ok((host.to_string(), port))
}

impl Account {
    pub fn new(imap: &str, smtp: &str, user: &str, email: &str, password_command: &str) -> Self {
        Account {
            imap: imap.into(),
            smtp: smtp.into(),
            user: user.into(),
            email: email.into(),
            password_command: password_command.into(),
            auth: AuthMethod::Password,
            token_command: None,
            tls: TlsMode::default(),
            ca_file: None,
            insecure: false,
            folder_root: default_folder_root(),
            conflict_policy: default_conflict_policy(),
            watch: false,
            parking_folder: default_parking_folder(),
        }
    }

    /// Every rule an account must satisfy; the message says what to fix.
    pub fn validate(&self) -> Result<(), AccountError> {
        let address = |server: &'static str, value: &str| {
            parse_host_port(value).map_err(|source| AccountError::Address { server, source })
        };
        let (imap_host, _) = address("imap", &self.imap)?;
        let (smtp_host, _) = address("smtp", &self.smtp)?;
        if self.insecure {
            for (server, host) in [("imap", &imap_host), ("smtp", &smtp_host)] {
                if !is_loopback(host) {
                    return Err(AccountError::PlaintextNotLoopback {
                        server,
                        host: host.clone(),
                    });
                }
            }
        }
        if self.user.trim().is_empty() {
            return Err(AccountError::EmptyUser);
        }
        // IMAP LOGIN cannot carry one (the library refuses it at the first sync).
        if self.user.chars().any(char::is_control) {
            return Err(AccountError::ControlInUser(self.user.clone()));
        }
        if !self.email.contains('@') || self.email.chars().any(char::is_whitespace) {
            return Err(AccountError::BadEmail(self.email.clone()));
        }
        // Only the command the login method needs must be there; the other one
        // may stay (switching back and forth keeps both).
        match self.auth.oauth() {
            None if self.password_command.trim().is_empty() => {
                return Err(AccountError::EmptyPasswordCommand);
            }
            Some(_)
                if self
                    .token_command
                    .as_deref()
                    .is_none_or(|c| c.trim().is_empty()) =>
            {
                return Err(AccountError::NoTokenCommand(self.auth.as_str()));
            }
            _ => {}
        }
        if !CONFLICT_POLICIES.contains(&self.conflict_policy.as_str()) {
            return Err(AccountError::UnknownConflictPolicy(
                self.conflict_policy.clone(),
            ));
        }
        for (what, folder) in [
            ("folder root", &self.folder_root),
            ("parking folder", &self.parking_folder),
        ] {
            if folder.is_empty() || !folder.chars().all(|c| c.is_ascii_graphic() || c == ' ') {
                return Err(AccountError::BadFolder {
                    what,
                    folder: folder.clone(),
                });
            }
        }
        if let Some(ca) = &self.ca_file
            && !ca.is_file()
        {
            return Err(ca_file_error(ca));
        }
        Ok(())
    }

    /// Run `password_command` and return the first line of its output.
    pub fn password(&self) -> Result<String, PasswordError> {
        Ok(run_secret_command(&self.password_command, "password")?)
    }

    /// What IMAP and SMTP log in with: the password, or the first access token
    /// from `token_command` (asked again when the server refuses it).
    pub fn credentials(&self) -> Result<Credentials, PasswordError> {
        match (self.auth.oauth(), &self.token_command) {
            (Some(mechanism), Some(command)) => {
                Ok(Credentials::Token(TokenSource::new(mechanism, command)?))
            }
            _ => Ok(Credentials::Password(self.password()?)),
        }
    }
}

/// Why `ca` is not a CA file: a folder, or nothing.
pub fn ca_file_error(ca: &Path) -> AccountError {
    if ca.is_dir() {
        AccountError::CaFileIsFolder(ca.to_path_buf())
    } else {
        AccountError::NoCaFile(ca.to_path_buf())
    }
}

/// config.toml as a whole: accounts typed, everything else kept verbatim.
#[derive(Debug, Clone, Default)]
pub struct ConfigFile {
    pub accounts: BTreeMap<String, Account>,
    rest: toml::Table,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{path}: {reason}")]
    Invalid { path: PathBuf, reason: String },
    #[error("cannot write {path}: {reason}")]
    Write { path: PathBuf, reason: String },
}

/// Account names become TOML keys and CLI arguments: keep them simple.
pub fn valid_account_name(name: &str) -> Result<(), AccountError> {
    if !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        Ok(())
    } else {
        Err(AccountError::BadName(name.to_string()))
    }
}

impl ConfigFile {
    /// Another table of config.toml (e.g. `[invitations]`), as written.
    pub fn table(&self, name: &str) -> Option<&toml::Table> {
        self.rest.get(name).and_then(|v| v.as_table())
    }

    /// Whether config.toml has an entry `name` (a table or not).
    pub fn has(&self, name: &str) -> bool {
        self.rest.contains_key(name)
    }

    /// Missing file = empty config.
    pub fn load(path: &Path) -> Result<ConfigFile, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
            Err(e) => {
                return Err(ConfigError::Read {
                    path: path.into(),
                    reason: e.to_string(),
                });
            }
        };
        let invalid = |reason: String| ConfigError::Invalid {
            path: path.into(),
            reason,
        };
        let mut rest: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| invalid(e.to_string()))?;
        let mut accounts = BTreeMap::new();
        if let Some(value) = rest.remove("accounts") {
            let table = value
                .as_table()
                .ok_or_else(|| invalid("[accounts] must be a table".into()))?;
            for (name, value) in table {
                let account: Account = value
                    .clone()
                    .try_into()
                    .map_err(|e: toml::de::Error| invalid(format!("account {name}: {e}")))?;
                account
                    .validate()
                    .map_err(|e| invalid(format!("account {name}: {e}")))?;
                accounts.insert(name.clone(), account);
            }
        }
        Ok(ConfigFile { accounts, rest })
    }

    /// Write atomically (temp file + rename), private to the user.
    pub fn save(&self, path: &Path) -> Result<(), ConfigError> {
        let write_err = |reason: String| ConfigError::Write {
            path: path.into(),
            reason,
        };
        let mut doc = self.rest.clone();
        if !self.accounts.is_empty() {
            let accounts =
                toml::Value::try_from(&self.accounts).map_err(|e| write_err(e.to_string()))?;
            doc.insert("accounts".into(), accounts);
        }
        let text = toml::to_string_pretty(&doc).map_err(|e| write_err(e.to_string()))?;
        // A config linked from elsewhere (a dotfiles folder) is written there: a
        // rename over the link would replace it.
        let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        let tmp = real.with_extension("toml.tmp");
        super::home::write_private(&tmp, text.as_bytes()).map_err(|e| write_err(e.to_string()))?;
        std::fs::rename(&tmp, &real).map_err(|e| write_err(e.to_string()))
    }

    pub fn account(&self, name: &str) -> Result<&Account, LookupError> {
        self.accounts.get(name).ok_or_else(|| self.missing(name))
    }

    fn missing(&self, name: &str) -> LookupError {
        if self.accounts.is_empty() {
            LookupError::NoAccounts(name.to_string())
        } else {
            LookupError::NoSuchAccount {
                name: name.to_string(),
                known: self.accounts.keys().cloned().collect(),
            }
        }
    }

    /// The named account, or the only one when no name is given.
    pub fn pick(&self, name: Option<&str>) -> Result<(&str, &Account), LookupError> {
        match name {
            Some(n) => self
                .accounts
                .get_key_value(n)
                .map(|(k, a)| (k.as_str(), a))
                .ok_or_else(|| self.missing(n)),
            None => match self.accounts.len() {
                0 => Err(LookupError::NoAccount),
                1 => {
                    let (k, a) = self.accounts.iter().next().unwrap();
                    Ok((k.as_str(), a))
                }
                _ => Err(LookupError::SeveralAccounts(
                    self.accounts.keys().cloned().collect(),
                )),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Account {
        Account::new(
            "imap.example.org:993",
            "smtp.example.org:465",
            "ada",
            "ada@example.org",
            "echo pw",
        )
    }

    #[test]
    fn host_port_parsing() {
        assert_eq!(parse_host_port("h:993").unwrap(), ("h".into(), 993));
        assert_eq!(parse_host_port("[::1]:143").unwrap(), ("::1".into(), 143));
        assert!(parse_host_port("h").is_err());
        assert!(parse_host_port("h:0").is_err());
        assert!(parse_host_port("h:99999").is_err());
        assert!(parse_host_port(":993").is_err());
    }

    #[test]
    fn validation_rules() {
        assert!(sample().validate().is_ok());
        let mut a = sample();
        a.insecure = true;
        assert_eq!(
            a.validate().unwrap_err().to_string(),
            "imap: plaintext (--insecure) is only allowed to a loopback address, \
             not imap.example.org; use --tls implicit or starttls"
        );
        a.imap = "imap.example.org".into();
        assert_eq!(
            a.validate().unwrap_err().to_string(),
            "imap: \"imap.example.org\" is not HOST:PORT"
        );
        a.imap = "imap.example.org:993".into();
        a.imap = "127.0.0.1:143".into();
        a.smtp = "localhost:25".into();
        assert!(a.validate().is_ok());
        let mut a = sample();
        a.conflict_policy = "whatever".into();
        assert!(a.validate().unwrap_err().to_string().contains("keep-both"));
        let mut a = sample();
        a.email = "nope".into();
        assert!(a.validate().is_err());
        let mut a = sample();
        a.ca_file = Some("/nonexistent/ca.pem".into());
        assert!(
            a.validate()
                .unwrap_err()
                .to_string()
                .contains("/nonexistent/ca.pem")
        );
    }

    #[test]
    fn password_is_first_line_of_command_output() {
        let mut a = sample();
        a.password_command = "printf 'sec ret\\nsecond line\\n'".into();
        assert_eq!(a.password().unwrap(), "sec ret");
        a.password_command = "exit 3".into();
        assert!(a.password().unwrap_err().to_string().contains("failed"));
    }

    #[test]
    fn round_trip_keeps_other_tables() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[ui]\ntheme = \"dark\"\n").unwrap();
        let mut cfg = ConfigFile::load(&path).unwrap();
        cfg.accounts.insert("personal".into(), sample());
        cfg.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("theme = \"dark\""), "{text}");
        assert!(text.contains("[accounts.personal]"), "{text}");
        assert!(!text.contains("\npassword ="), "no password key");
        let back = ConfigFile::load(&path).unwrap();
        assert_eq!(back.accounts["personal"], sample());
        assert!(back.pick(None).is_ok());
    }

    #[test]
    fn lookup_errors_say_what_to_do() {
        let mut cfg = ConfigFile::default();
        assert_eq!(
            cfg.pick(None).unwrap_err().to_string(),
            "no mail account: add one with `pim account add`"
        );
        assert_eq!(
            cfg.account("work").unwrap_err().to_string(),
            "no account \"work\": add one with `pim account add`"
        );
        cfg.accounts.insert("home".into(), sample());
        cfg.accounts.insert("club".into(), sample());
        assert_eq!(
            cfg.pick(Some("work")).unwrap_err().to_string(),
            "no account \"work\" (accounts: club, home)"
        );
        assert_eq!(
            cfg.pick(None).unwrap_err(),
            LookupError::SeveralAccounts(vec!["club".into(), "home".into()])
        );
        assert_eq!(cfg.pick(Some("home")).unwrap().0, "home");
        assert_eq!(
            valid_account_name("a b").unwrap_err(),
            AccountError::BadName("a b".into())
        );
        assert_eq!(
            TlsMode::parse("ssl").unwrap_err().to_string(),
            "unknown TLS mode \"ssl\": use implicit or starttls"
        );
    }

    #[test]
    fn bad_config_names_file_and_account() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[accounts.x]\nimap = \"h:1\"\n").unwrap();
        let err = ConfigFile::load(&path).unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("account x"),
            "{err}"
        );
    }
}
