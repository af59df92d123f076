//! `pim account add|list|set|remove|check`: mail accounts in config.toml.

use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::print;
use crate::app::accounts::{self, CheckStep};
use crate::config::Paths;
use crate::config::accounts::{
    Account, AccountError, AuthMethod, CONFLICT_POLICIES, ConfigFile, TlsMode,
};
use crate::config::credentials::AUTH_METHODS;

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Add a mail account (the password or OAuth2 token comes from a command, never stored)
    Add(AddArgs),
    /// List accounts
    List {
        /// JSON output
        #[arg(long)]
        json: bool,
    },
    /// Change settings of an account
    Set(SetArgs),
    /// Remove an account from this profile (mail on the server is untouched)
    Remove {
        /// The account to remove
        name: String,
    },
    /// Log in to the account's IMAP and SMTP servers and report
    Check {
        /// The account to check
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Account name (letters, digits, '-', '_', '.')
    pub name: String,
    /// IMAP server, HOST:PORT (993 for implicit TLS, 143 for STARTTLS)
    #[arg(long, value_name = "HOST:PORT")]
    pub imap: String,
    /// SMTP server, HOST:PORT (465 implicit TLS, 587 STARTTLS)
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: String,
    /// Login name
    #[arg(long)]
    pub user: String,
    /// The account's mail address
    #[arg(long)]
    pub email: String,
    /// Shell command printing the password on its first line (e.g. "pass show mail");
    /// required with --auth password
    #[arg(long, value_name = "CMD")]
    pub password_command: Option<String>,
    /// How to log in: password, or an OAuth2 access token (xoauth2 for Gmail and
    /// Microsoft 365, oauthbearer)
    #[arg(long, value_parser = AUTH_METHODS.to_vec(), default_value = "password")]
    pub auth: String,
    /// Shell command printing a fresh OAuth2 access token (e.g. "oama access ADDRESS")
    #[arg(long, value_name = "CMD")]
    pub token_command: Option<String>,
    /// implicit (TLS from the start) or starttls
    #[arg(long, value_parser = ["implicit", "starttls"], default_value = "implicit")]
    pub tls: String,
    /// Trust this CA certificate (PEM) instead of the system's
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// No TLS at all: only allowed to a loopback address
    #[arg(long, conflicts_with = "tls")]
    pub insecure: bool,
    /// Root of pim's folders on the server
    #[arg(long, value_name = "FOLDER")]
    pub folder_root: Option<String>,
    /// How to settle edits of the same property on two devices
    #[arg(long, value_parser = CONFLICT_POLICIES.to_vec())]
    pub conflict_policy: Option<String>,
    /// Keep syncing in the background (IDLE) in the app
    #[arg(long)]
    pub watch: bool,
    /// Folder where answered invitations are parked
    #[arg(long, value_name = "FOLDER")]
    pub parking_folder: Option<String>,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// The account to change
    pub name: String,
    /// IMAP server, HOST:PORT
    #[arg(long, value_name = "HOST:PORT")]
    pub imap: Option<String>,
    /// SMTP server, HOST:PORT
    #[arg(long, value_name = "HOST:PORT")]
    pub smtp: Option<String>,
    /// Login name
    #[arg(long)]
    pub user: Option<String>,
    /// The account's mail address
    #[arg(long)]
    pub email: Option<String>,
    /// Shell command printing the password on its first line
    #[arg(long, value_name = "CMD")]
    pub password_command: Option<String>,
    /// password, xoauth2 or oauthbearer (the last two need a --token-command)
    #[arg(long, value_parser = AUTH_METHODS.to_vec())]
    pub auth: Option<String>,
    /// Shell command printing a fresh OAuth2 access token
    #[arg(long, value_name = "CMD")]
    pub token_command: Option<String>,
    /// implicit (TLS from the start) or starttls
    #[arg(long, value_parser = ["implicit", "starttls"])]
    pub tls: Option<String>,
    /// Trust this CA certificate (PEM) instead of the system's
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Go back to the system's root certificates
    #[arg(long, conflicts_with = "ca_file")]
    pub no_ca_file: bool,
    /// true: no TLS at all (only to a loopback address); false: TLS again
    #[arg(long, value_name = "BOOL")]
    pub insecure: Option<bool>,
    /// The folder pim's sync folders live under (default PIM)
    #[arg(long, value_name = "FOLDER")]
    pub folder_root: Option<String>,
    /// Who wins a sync conflict: newest, local, remote, keep-both, or ask
    #[arg(long, value_parser = CONFLICT_POLICIES.to_vec())]
    pub conflict_policy: Option<String>,
    /// true: the app keeps IMAP IDLE open and shows other devices' changes live
    #[arg(long, value_name = "BOOL")]
    pub watch: Option<bool>,
    /// Where answered invitations are parked (default PIM/Parked)
    #[arg(long, value_name = "FOLDER")]
    pub parking_folder: Option<String>,
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    if !abs.is_file() {
        bail!("CA file {} does not exist", path.display());
    }
    Ok(abs)
}

fn load(home: Option<&Path>) -> anyhow::Result<(Paths, ConfigFile)> {
    let paths = Paths::resolve(home).map_err(anyhow::Error::msg)?;
    let config = ConfigFile::load(&paths.config_file())?;
    Ok((paths, config))
}

fn save(paths: &Paths, config: &ConfigFile) -> anyhow::Result<()> {
    paths.ensure()?;
    config.save(&paths.config_file())?;
    Ok(())
}

pub fn run(home: Option<&Path>, command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::Add(a) => add(home, a),
        AccountCommand::List { json } => list(home, json),
        AccountCommand::Set(a) => set(home, a),
        AccountCommand::Remove { name } => {
            let (paths, mut config) = load(home)?;
            config.account(&name).map_err(anyhow::Error::msg)?;
            config.accounts.remove(&name);
            save(&paths, &config)?;
            outln!("removed account {name}");
            Ok(())
        }
        AccountCommand::Check { name } => check(home, &name),
    }
}

fn add(home: Option<&Path>, a: AddArgs) -> anyhow::Result<()> {
    let paths = Paths::resolve(home).map_err(anyhow::Error::msg)?;
    let new = accounts::NewAccount {
        name: a.name.clone(),
        email: a.email,
        imap: a.imap,
        smtp: a.smtp,
        user: a.user,
        auth: parse_auth(&a.auth)?,
        password_command: a.password_command,
        token_command: a.token_command,
        tls: TlsMode::parse(&a.tls).map_err(anyhow::Error::msg)?,
        insecure: a.insecure,
        ca_file: a.ca_file,
        folder_root: a.folder_root,
        conflict_policy: a.conflict_policy,
        watch: a.watch,
        parking_folder: a.parking_folder,
    };
    // The same rules as the TUI's form, said with this command's options.
    let account = accounts::build(&new, &std::env::current_dir()?).map_err(|e| match e {
        accounts::AddError::TokenWithoutOAuth => anyhow!(
            "--token-command is for OAuth2 logins: add --auth xoauth2 or --auth oauthbearer"
        ),
        accounts::AddError::NoPasswordCommand => anyhow!(
            "--password-command CMD is required (or, for OAuth2, --auth xoauth2|oauthbearer \
             with --token-command CMD)"
        ),
        other => other.into(),
    })?;
    paths.ensure()?;
    accounts::add(&paths.config_file(), &a.name, account)?;
    outln!("added account {}", a.name);
    Ok(())
}

fn set(home: Option<&Path>, a: SetArgs) -> anyhow::Result<()> {
    let (paths, mut config) = load(home)?;
    let mut account = config.account(&a.name).map_err(anyhow::Error::msg)?.clone();
    let before = account.clone();
    let mut touched = false;
    let mut put = |field: &mut String, v: Option<String>| {
        if let Some(v) = v {
            *field = v;
            touched = true;
        }
    };
    put(&mut account.imap, a.imap);
    put(&mut account.smtp, a.smtp);
    put(&mut account.user, a.user);
    put(&mut account.email, a.email);
    put(&mut account.password_command, a.password_command);
    put(&mut account.folder_root, a.folder_root);
    put(&mut account.conflict_policy, a.conflict_policy);
    put(&mut account.parking_folder, a.parking_folder);
    if let Some(t) = a.token_command {
        account.token_command = Some(t);
        touched = true;
    }
    if let Some(auth) = a.auth {
        account.auth = parse_auth(&auth)?;
        touched = true;
    }
    if let Some(t) = a.tls {
        account.tls = TlsMode::parse(&t).map_err(anyhow::Error::msg)?;
        touched = true;
    }
    if let Some(ca) = a.ca_file {
        account.ca_file = Some(absolute(&ca)?);
        touched = true;
    }
    if a.no_ca_file {
        account.ca_file = None;
        touched = true;
    }
    if let Some(b) = a.insecure {
        account.insecure = b;
        touched = true;
    }
    if let Some(b) = a.watch {
        account.watch = b;
        touched = true;
    }
    if !touched {
        bail!("nothing to change: give at least one --KEY VALUE (see pim account set --help)");
    }
    account
        .validate()
        .map_err(|e| anyhow!("account {}: {e}", a.name))?;
    if account != before {
        config.accounts.insert(a.name.clone(), account);
        save(&paths, &config)?;
    }
    outln!("updated account {}", a.name);
    Ok(())
}

fn parse_auth(name: &str) -> anyhow::Result<AuthMethod> {
    AuthMethod::parse(name).ok_or_else(|| anyhow!(AccountError::UnknownAuth(name.into())))
}

fn account_json(name: &str, a: &Account) -> Value {
    json!({
        "id": name,
        "kind": "account",
        "name": name,
        "email": a.email,
        "user": a.user,
        "imap": a.imap,
        "smtp": a.smtp,
        "tls": if a.insecure { "none" } else { a.tls.as_str() },
        "ca_file": a.ca_file.as_ref().map(|p| p.display().to_string()),
        "insecure": a.insecure,
        "auth": a.auth.as_str(),
        "password_command": a.password_command,
        "token_command": a.token_command,
        "folder_root": a.folder_root,
        "conflict_policy": a.conflict_policy,
        "watch": a.watch,
        "parking_folder": a.parking_folder,
    })
}

fn list(home: Option<&Path>, json: bool) -> anyhow::Result<()> {
    let (_, config) = load(home)?;
    if json {
        let items: Vec<Value> = config
            .accounts
            .iter()
            .map(|(n, a)| account_json(n, a))
            .collect();
        return print::json(&Value::Array(items));
    }
    if config.accounts.is_empty() {
        outln!("no accounts; add one with `pim account add`");
        return Ok(());
    }
    let mut rows = vec![vec![
        "NAME".to_string(),
        "EMAIL".into(),
        "IMAP".into(),
        "SMTP".into(),
        "TLS".into(),
        "CONFLICTS".into(),
    ]];
    for (name, a) in &config.accounts {
        rows.push(vec![
            name.clone(),
            a.email.clone(),
            a.imap.clone(),
            a.smtp.clone(),
            if a.insecure {
                "none".into()
            } else {
                a.tls.as_str().into()
            },
            a.conflict_policy.clone(),
        ]);
    }
    print::table(&rows)
}

fn check(home: Option<&Path>, name: &str) -> anyhow::Result<()> {
    let (_, config) = load(home)?;
    let account = config.account(name).map_err(anyhow::Error::msg)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let mut show = |step: CheckStep| {
        if let CheckStep::ImapOk(report) = step {
            outln!("imap {}: ok", account.imap);
            for line in report.lines {
                outln!("  {line}");
            }
            for warning in report.warnings {
                outln!("  warning: {warning}");
            }
        }
    };
    rt.block_on(accounts::check(account, &mut show))
        .map_err(|e| anyhow!("account {name}: {e}"))?;
    outln!("smtp {}: ok", account.smtp);
    Ok(())
}
