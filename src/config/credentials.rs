//! What an account logs in with: a password, or an OAuth2 access token printed
//! by the user's token helper (`token_command`, e.g. `oama access NAME`). pim
//! runs no browser flow; the helper refreshes tokens, pim only asks it again
//! when the server refuses the one it has.

use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};

/// How an account authenticates (`auth` in config.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuthMethod {
    /// LOGIN / AUTH PLAIN with the output of `password_command`.
    #[default]
    Password,
    /// SASL XOAUTH2 (Gmail, Microsoft 365) with the output of `token_command`.
    Xoauth2,
    /// SASL OAUTHBEARER (RFC 7628) with the output of `token_command`.
    Oauthbearer,
}

/// The names `--auth` accepts.
pub const AUTH_METHODS: &[&str] = &["password", "xoauth2", "oauthbearer"];

impl AuthMethod {
    pub fn parse(s: &str) -> Option<AuthMethod> {
        match s {
            "password" => Some(AuthMethod::Password),
            "xoauth2" => Some(AuthMethod::Xoauth2),
            "oauthbearer" => Some(AuthMethod::Oauthbearer),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::Password => "password",
            AuthMethod::Xoauth2 => "xoauth2",
            AuthMethod::Oauthbearer => "oauthbearer",
        }
    }

    /// The SASL mechanism of a token login (None for passwords).
    pub fn oauth(self) -> Option<OAuthMechanism> {
        match self {
            AuthMethod::Password => None,
            AuthMethod::Xoauth2 => Some(OAuthMechanism::Xoauth2),
            AuthMethod::Oauthbearer => Some(OAuthMechanism::Oauthbearer),
        }
    }

    pub fn is_password(&self) -> bool {
        *self == AuthMethod::Password
    }
}

/// A SASL mechanism that carries a bearer token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OAuthMechanism {
    Xoauth2,
    Oauthbearer,
}

impl OAuthMechanism {
    /// The name in `AUTHENTICATE NAME` / `AUTH NAME`.
    pub fn sasl_name(self) -> &'static str {
        match self {
            OAuthMechanism::Xoauth2 => "XOAUTH2",
            OAuthMechanism::Oauthbearer => "OAUTHBEARER",
        }
    }
}

impl std::fmt::Display for OAuthMechanism {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.sasl_name())
    }
}

/// A secret command (`password_command`, `token_command`) gave nothing usable.
#[derive(Debug, thiserror::Error)]
pub enum SecretCommandError {
    #[error("cannot run the {0} command: {1}")]
    Spawn(&'static str, std::io::Error),
    #[error("the {0} command failed ({1})")]
    Failed(&'static str, std::process::ExitStatus),
    #[error("the {0} command printed non-UTF-8 output")]
    NotUtf8(&'static str),
    #[error("the {0} command printed an empty first line")]
    Empty(&'static str),
}

/// Run `command` with `sh -c`; the first line of its output is the secret.
/// `what` names the command in errors ("password", "token").
pub fn run_secret_command(command: &str, what: &'static str) -> Result<String, SecretCommandError> {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|e| SecretCommandError::Spawn(what, e))?;
    if !out.status.success() {
        return Err(SecretCommandError::Failed(what, out.status));
    }
    let text = String::from_utf8(out.stdout).map_err(|_| SecretCommandError::NotUtf8(what))?;
    let line = text.lines().next().unwrap_or_default().to_string();
    if line.is_empty() {
        return Err(SecretCommandError::Empty(what));
    }
    Ok(line)
}

/// An access token and the command that prints a fresh one. Clones share the
/// token, so a refresh on one connection serves the next login everywhere.
#[derive(Clone)]
pub struct TokenSource {
    pub mechanism: OAuthMechanism,
    command: String,
    current: Arc<Mutex<String>>,
}

impl TokenSource {
    /// Run `command` once for the first token.
    pub fn new(mechanism: OAuthMechanism, command: &str) -> Result<Self, SecretCommandError> {
        let token = run_secret_command(command, "token")?;
        Ok(TokenSource {
            mechanism,
            command: command.to_string(),
            current: Arc::new(Mutex::new(token)),
        })
    }

    /// The token to try now.
    pub fn token(&self) -> String {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The server refused the token (expired, revoked): run the command again.
    pub fn refresh(&self) -> Result<String, SecretCommandError> {
        let token = run_secret_command(&self.command, "token")?;
        *self.current.lock().unwrap_or_else(|e| e.into_inner()) = token.clone();
        Ok(token)
    }
}

/// What both IMAP and SMTP log in with.
#[derive(Clone)]
pub enum Credentials {
    Password(String),
    Token(TokenSource),
}

impl Credentials {
    pub fn password(password: &str) -> Credentials {
        Credentials::Password(password.to_string())
    }

    /// "password", "XOAUTH2" or "OAUTHBEARER", for messages.
    pub fn method_name(&self) -> &'static str {
        match self {
            Credentials::Password(_) => "password",
            Credentials::Token(t) => t.mechanism.sasl_name(),
        }
    }
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::Password(_) => f.write_str("Password(<hidden>)"),
            Credentials::Token(t) => write!(f, "Token({}, <hidden>)", t.mechanism),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_names_round_trip() {
        for name in AUTH_METHODS {
            assert_eq!(AuthMethod::parse(name).unwrap().as_str(), *name);
        }
        assert_eq!(AuthMethod::parse("plain"), None);
        assert_eq!(
            AuthMethod::Oauthbearer.oauth().unwrap().sasl_name(),
            "OAUTHBEARER"
        );
        assert_eq!(AuthMethod::Password.oauth(), None);
    }

    #[test]
    fn refresh_runs_the_command_again() {
        let dir = tempfile::tempdir().unwrap();
        let count = dir.path().join("n");
        // Prints tok-1, then tok-2, …: each run is one more refresh.
        let cmd = format!(
            "n=$(cat {c} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {c}; echo tok-$n",
            c = count.display()
        );
        let source = TokenSource::new(OAuthMechanism::Xoauth2, &cmd).unwrap();
        assert_eq!(source.token(), "tok-1");
        let shared = Credentials::Token(source.clone());
        assert_eq!(source.refresh().unwrap(), "tok-2");
        match shared {
            Credentials::Token(t) => assert_eq!(t.token(), "tok-2", "clones share the token"),
            Credentials::Password(_) => unreachable!(),
        }
        let failing = TokenSource::new(OAuthMechanism::Oauthbearer, "exit 4").err();
        assert_eq!(
            failing.unwrap().to_string(),
            "the token command failed (exit status: 4)"
        );
        assert!(
            !format!("{:?}", Credentials::password("s3cret")).contains("s3cret"),
            "Debug hides the secret"
        );
    }
}

#[cfg(test)]
mod account_tests {
    use super::*;
    use crate::config::accounts::{Account, AccountError, ConfigFile};

    fn oauth_account() -> Account {
        let mut a = Account::new(
            "imap.gmail.com:993",
            "smtp.gmail.com:465",
            "ada@gmail.com",
            "ada@gmail.com",
            "",
        );
        a.auth = AuthMethod::Xoauth2;
        a.token_command = Some("echo ya29.token".into());
        a
    }

    #[test]
    fn an_oauth_account_needs_a_token_command_not_a_password() {
        let mut a = oauth_account();
        assert!(a.validate().is_ok());
        match a.credentials().unwrap() {
            Credentials::Token(t) => {
                assert_eq!(t.token(), "ya29.token");
                assert_eq!(t.mechanism, OAuthMechanism::Xoauth2);
            }
            Credentials::Password(_) => panic!("an OAuth account logs in with a token"),
        }
        a.token_command = None;
        assert_eq!(
            a.validate().unwrap_err(),
            AccountError::NoTokenCommand("xoauth2")
        );
        a.auth = AuthMethod::Password;
        assert_eq!(
            a.validate().unwrap_err(),
            AccountError::EmptyPasswordCommand
        );
        a.password_command = "echo pw".into();
        assert!(matches!(a.credentials().unwrap(), Credentials::Password(p) if p == "pw"));
    }

    #[test]
    fn auth_and_token_command_round_trip_through_config_toml() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        let mut cfg = ConfigFile::default();
        cfg.accounts.insert("gmail".into(), oauth_account());
        cfg.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("auth = \"xoauth2\""), "{text}");
        assert!(
            text.contains("token_command = \"echo ya29.token\""),
            "{text}"
        );
        assert!(!text.contains("password_command"), "{text}");
        assert_eq!(
            ConfigFile::load(&path).unwrap().accounts["gmail"],
            oauth_account()
        );
        // Old files (no auth key) still mean password logins.
        std::fs::write(
            &path,
            "[accounts.old]\nimap = \"h:993\"\nsmtp = \"h:465\"\nuser = \"u\"\n\
             email = \"u@h\"\npassword_command = \"echo pw\"\n",
        )
        .unwrap();
        assert_eq!(
            ConfigFile::load(&path).unwrap().accounts["old"].auth,
            AuthMethod::Password
        );
    }
}
