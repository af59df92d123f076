//! Setting up sync without leaving the app: the Sync tab's "Add account" form
//! (servers suggested from the address, the connection checked on save) and the
//! dialog that follows — start syncing as the first device (the key is shown)
//! or join with the key of the first one. The rules are `app::accounts` and
//! `app::sync_session`'s; the work runs in [`super::setup_jobs`].

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent};

use super::app::{App, Overlay};
use super::form::{Field, Form, FormOutcome};
use super::input::LineInput;
use super::setup_jobs::{SetupEvent, SetupJob};
use super::sync_pane::AccountLine;
use super::sync_thread::{Connectivity, SyncCmd};
use super::worker::Request;
use crate::app::accounts::{self, NewAccount, Suggestion};
use crate::config::accounts::{AuthMethod, TlsMode};
use crate::model::Kind;

const NAME: usize = 0;
const EMAIL: usize = 1;
const IMAP: usize = 2;
const SMTP: usize = 3;
const USER: usize = 4;
const LOGIN: usize = 5;
const COMMAND: usize = 6;
const TLS: usize = 7;
const CA_FILE: usize = 8;

const PASSWORD_HINT: &str = "prints the password, e.g. pass show mail";
const TOKEN_HINT: &str = "prints an OAuth2 access token, e.g. oama access ADDRESS";
const KEYS: &str = " Enter check & save · Tab next · ←/→ choose · Esc cancel ";

/// The "Add account" form.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountForm {
    pub form: Form,
    /// What the address suggested last (fields still holding it follow the address).
    suggested: Option<Suggestion>,
    /// The check runs: its progress line (keys wait).
    pub checking: Option<String>,
}

impl AccountForm {
    /// An empty form; `taken` are the account names in use.
    pub fn new(taken: &[String]) -> AccountForm {
        let name = std::iter::once("mail".to_string())
            .chain((2..).map(|i| format!("mail{i}")))
            .find(|n| !taken.contains(n))
            .unwrap_or_default();
        let choices = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        let fields = vec![
            Field::new("Name", "what pim calls this account", &name),
            Field::new("Email", "your address: the servers below follow it", ""),
            Field::new(
                "IMAP server",
                "HOST:PORT (993 implicit TLS, 143 STARTTLS)",
                "",
            ),
            Field::new(
                "SMTP server",
                "HOST:PORT (465 implicit TLS, 587 STARTTLS)",
                "",
            ),
            Field::new("User", "login name, often the address", ""),
            Field::choice(
                "Login",
                "←/→: a password, or an OAuth2 token (xoauth2, oauthbearer)",
                "password",
                choices(&["password", "xoauth2", "oauthbearer"]),
            ),
            Field::new("Password cmd", PASSWORD_HINT, ""),
            Field::choice(
                "TLS",
                "←/→: implicit, starttls (the usual ports follow), none (loopback only)",
                "implicit",
                choices(&["implicit", "starttls", "none"]),
            ),
            Field::new(
                "CA file",
                "PEM file of a private CA (empty: the system's)",
                "",
            ),
        ];
        AccountForm {
            form: Form {
                title: "Add account".into(),
                kind: Kind::Event,
                base: None,
                parent: None,
                fields,
                focus: EMAIL,
                error: None,
                keys: KEYS,
            },
            suggested: None,
            checking: None,
        }
    }

    fn value(&self, i: usize) -> &str {
        self.form.fields[i].value()
    }

    /// Fields still empty or holding the last suggestion follow the address.
    fn follow_email(&mut self) {
        let new = accounts::suggest(self.value(EMAIL));
        let old = self.suggested.take();
        let pick = |s: &Suggestion, i: usize| match i {
            IMAP => s.imap.clone(),
            SMTP => s.smtp.clone(),
            _ => s.user.clone(),
        };
        for i in [IMAP, SMTP, USER] {
            let now = self.value(i).to_string();
            let untouched = now.is_empty() || old.as_ref().is_some_and(|o| pick(o, i) == now);
            if untouched {
                let v = new.as_ref().map(|s| pick(s, i)).unwrap_or_default();
                self.form.fields[i].input = LineInput::new(&v);
            }
        }
        self.suggested = new;
    }

    /// The command field follows the login: a password or a token command.
    fn follow_login(&mut self) {
        let oauth = self.value(LOGIN) != "password";
        let f = &mut self.form.fields[COMMAND];
        (f.label, f.hint) = if oauth {
            ("Token cmd", TOKEN_HINT)
        } else {
            ("Password cmd", PASSWORD_HINT)
        };
    }

    /// Standard ports follow the TLS mode (993/465 implicit, 143/587 STARTTLS).
    fn follow_tls(&mut self) {
        let starttls = self.value(TLS) == "starttls";
        let implicit = self.value(TLS) == "implicit";
        for (i, tls_port, plain_port) in [(IMAP, ":993", ":143"), (SMTP, ":465", ":587")] {
            let v = self.value(i).to_string();
            let swapped = match (v.strip_suffix(tls_port), v.strip_suffix(plain_port)) {
                (Some(host), _) if starttls => format!("{host}{plain_port}"),
                (_, Some(host)) if implicit => format!("{host}{tls_port}"),
                _ => continue,
            };
            self.form.fields[i].input = LineInput::new(&swapped);
        }
    }

    pub fn handle(&mut self, key: &KeyEvent) -> FormOutcome {
        let focus = self.form.focus;
        let out = self.form.handle(key);
        match focus {
            EMAIL => self.follow_email(),
            LOGIN => self.follow_login(),
            TLS => self.follow_tls(),
            _ => {}
        }
        out
    }

    /// What the form says, as the use case takes it.
    pub fn new_account(&self) -> NewAccount {
        let command = Some(self.value(COMMAND).to_string()).filter(|c| !c.is_empty());
        let auth = AuthMethod::parse(self.value(LOGIN)).unwrap_or_default();
        let tls = self.value(TLS);
        NewAccount {
            name: self.value(NAME).to_string(),
            email: self.value(EMAIL).to_string(),
            imap: self.value(IMAP).to_string(),
            smtp: self.value(SMTP).to_string(),
            user: self.value(USER).to_string(),
            auth,
            password_command: if auth.is_password() {
                command.clone()
            } else {
                None
            },
            token_command: if auth.is_password() { None } else { command },
            tls: TlsMode::parse(tls).unwrap_or_default(),
            insecure: tls == "none",
            ca_file: Some(PathBuf::from(self.value(CA_FILE))).filter(|p| !p.as_os_str().is_empty()),
            ..NewAccount::default()
        }
    }
}

/// Where the sync setup dialog stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SetupStep {
    /// First device or join?
    Choose,
    /// Typing the first device's key.
    JoinKey(LineInput),
    /// A job runs: its progress line.
    Working(String),
    /// The first device's key, to be entered on the others.
    ShowKey(String),
    /// Which device to forget: (id, name) of the others, and the one chosen.
    Forget {
        devices: Vec<(String, String)>,
        chosen: usize,
    },
    /// Replace the key? (`Some(name)`: right after forgetting that device.)
    ConfirmRekey(Option<String>),
    /// The new key after a rekey, shown once.
    NewKey(String),
    /// Take the newer epoch another device published? (The question, in words.)
    ConfirmEpoch(String),
}

/// Start syncing through `account`: the first device, or joining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupDialog {
    pub account: String,
    pub step: SetupStep,
    pub error: Option<String>,
}

impl SetupDialog {
    pub fn new(account: &str) -> SetupDialog {
        SetupDialog {
            account: account.to_string(),
            step: SetupStep::Choose,
            error: None,
        }
    }
}

impl App {
    /// `a` on the Sync tab.
    pub fn open_add_account(&mut self) {
        let taken: Vec<String> = self.pane.accounts.iter().map(|a| a.name.clone()).collect();
        self.overlay = Some(Overlay::AddAccount(Box::new(AccountForm::new(&taken))));
    }

    /// `i` on the Sync tab: start syncing or join, through the account sync
    /// would use (the marked one, else the first).
    pub fn open_sync_setup(&mut self) {
        let syncing = !matches!(self.pane.state, Connectivity::NotConfigured(_));
        let account = self
            .pane
            .accounts
            .iter()
            .find(|a| a.syncs)
            .or(self.pane.accounts.first())
            .map(|a| a.name.clone());
        match account {
            // Syncing already: show the key again, for the next device.
            Some(a) if syncing => {
                let mut d = SetupDialog::new(&a);
                d.step = SetupStep::Working("reading the sync key…".into());
                self.overlay = Some(Overlay::SyncSetup(Box::new(d)));
                self.setup_jobs.push(SetupJob::ShowKey);
            }
            Some(a) => self.overlay = Some(Overlay::SyncSetup(Box::new(SetupDialog::new(&a)))),
            None => self.error("add a mail account first: press a"),
        }
    }

    /// `F` on the Sync tab: pick a device that is gone and forget it.
    pub fn open_forget_device(&mut self) {
        let others: Vec<(String, String)> = self
            .sync
            .as_ref()
            .map(|s| s.devices.as_slice())
            .unwrap_or(&[])
            .iter()
            .filter(|d| !d.this_device && !d.forgotten)
            .map(|d| (d.device.clone(), d.name.clone()))
            .collect();
        if others.is_empty() {
            self.error("no other device to forget");
            return;
        }
        let mut d = SetupDialog::new("");
        d.step = SetupStep::Forget {
            devices: others,
            chosen: 0,
        };
        self.overlay = Some(Overlay::SyncSetup(Box::new(d)));
    }

    /// `R` on the Sync tab (or after forgetting `forgot`): replace the sync key.
    pub fn open_rekey(&mut self, forgot: Option<String>) {
        if matches!(self.pane.state, Connectivity::NotConfigured(_)) {
            self.error("this profile does not sync yet: i starts syncing");
            return;
        }
        let mut d = SetupDialog::new("");
        d.step = SetupStep::ConfirmRekey(forgot);
        self.overlay = Some(Overlay::SyncSetup(Box::new(d)));
    }

    /// `T` on the Sync tab: take the newer epoch another device published
    /// (its replace-remote or a new key), after asking.
    pub fn open_take_epoch(&mut self) {
        let Some(w) = self.sync.as_ref().and_then(|s| s.waiting_epoch.clone()) else {
            self.info("nothing waits: no other device replaced the server's data");
            return;
        };
        let when =
            (!w.made_at.is_empty()).then(|| super::view_sync::local_time(&w.made_at, self.tz));
        let mut d = SetupDialog::new("");
        d.step = SetupStep::ConfirmEpoch(crate::app::sync_session::confirm_question(
            &w,
            when.as_deref(),
        ));
        self.overlay = Some(Overlay::SyncSetup(Box::new(d)));
    }

    pub(super) fn on_account_form_key(
        &mut self,
        mut f: Box<AccountForm>,
        key: KeyEvent,
    ) -> Option<Overlay> {
        if f.checking.is_some() {
            // The check runs; its answer closes or reopens the form.
            return Some(Overlay::AddAccount(f));
        }
        match f.handle(&key) {
            FormOutcome::Cancel => {
                self.info("no account added");
                None
            }
            FormOutcome::Continue => Some(Overlay::AddAccount(f)),
            FormOutcome::Submit => {
                let new = f.new_account();
                let cwd = std::env::current_dir().unwrap_or_default();
                f.form.error = None;
                if self.pane.accounts.iter().any(|a| a.name == new.name) {
                    f.form.error = Some(format!("account {} exists already", new.name));
                    return Some(Overlay::AddAccount(f));
                }
                match accounts::build(&new, &cwd) {
                    Ok(account) => {
                        f.checking = Some("checking the connection…".into());
                        self.setup_jobs.push(SetupJob::CheckAndAdd {
                            name: new.name,
                            account: Box::new(account),
                        });
                    }
                    Err(e) => f.form.error = Some(e.to_string()),
                }
                Some(Overlay::AddAccount(f))
            }
        }
    }

    pub(super) fn on_setup_dialog_key(
        &mut self,
        mut d: Box<SetupDialog>,
        key: KeyEvent,
    ) -> Option<Overlay> {
        match &mut d.step {
            SetupStep::Choose => match key.code {
                KeyCode::Char('f') => {
                    d.error = None;
                    d.step = SetupStep::Working("starting…".into());
                    self.setup_jobs.push(SetupJob::Init {
                        account: d.account.clone(),
                    });
                }
                KeyCode::Char('j') => {
                    d.error = None;
                    d.step = SetupStep::JoinKey(LineInput::default());
                }
                KeyCode::Esc | KeyCode::Char('q') => {
                    self.info("sync not set up yet: i on the Sync tab when you are ready");
                    return None;
                }
                _ => {}
            },
            SetupStep::JoinKey(input) => match key.code {
                KeyCode::Esc => {
                    d.error = None;
                    d.step = SetupStep::Choose;
                }
                KeyCode::Enter if input.value.trim().is_empty() => {
                    d.error = Some("type the key the first device shows".into());
                }
                KeyCode::Enter => {
                    let key = input.value.trim().to_string();
                    d.error = None;
                    d.step = SetupStep::Working("starting…".into());
                    self.setup_jobs.push(SetupJob::Join {
                        account: d.account.clone(),
                        key,
                    });
                }
                _ => {
                    input.handle(&key);
                }
            },
            // A job runs: its answer moves the dialog on.
            SetupStep::Working(_) => {}
            SetupStep::Forget { devices, chosen } => match key.code {
                KeyCode::Left | KeyCode::Up | KeyCode::Char('k') => {
                    *chosen = (*chosen + devices.len() - 1) % devices.len();
                }
                KeyCode::Right | KeyCode::Down | KeyCode::Char('j') => {
                    *chosen = (*chosen + 1) % devices.len();
                }
                KeyCode::Enter => {
                    let device = devices[*chosen].0.clone();
                    d.error = None;
                    d.step = SetupStep::Working("starting…".into());
                    self.setup_jobs.push(SetupJob::Forget { device });
                }
                KeyCode::Esc | KeyCode::Char('q') => return None,
                _ => {}
            },
            SetupStep::ConfirmRekey(_) => match key.code {
                KeyCode::Char('y') => {
                    d.error = None;
                    d.step = SetupStep::Working("starting…".into());
                    self.setup_jobs.push(SetupJob::Rekey);
                }
                KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                    self.info("the key stays: R on the Sync tab replaces it later");
                    return None;
                }
                _ => {}
            },
            SetupStep::ConfirmEpoch(_) => match key.code {
                KeyCode::Char('y') => {
                    d.error = None;
                    d.step = SetupStep::Working("starting…".into());
                    self.setup_jobs.push(SetupJob::TakeEpoch);
                }
                KeyCode::Esc | KeyCode::Char('n') | KeyCode::Char('q') => {
                    self.info("nothing changed here: T on the Sync tab takes the new data later");
                    return None;
                }
                _ => {}
            },
            SetupStep::NewKey(k) => match key.code {
                KeyCode::Char('c') => {
                    self.clipboard = Some(k.clone());
                    self.info("key sent to the clipboard (if the terminal allows it)");
                }
                KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q') => return None,
                _ => {}
            },
            SetupStep::ShowKey(k) => match key.code {
                KeyCode::Char('c') => {
                    self.clipboard = Some(k.clone());
                    self.info("key sent to the clipboard (if the terminal allows it)");
                }
                KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') => {
                    self.info("sync is on: keep the key safe (i shows it again)");
                    return None;
                }
                _ => {}
            },
        }
        Some(Overlay::SyncSetup(d))
    }

    /// What a setup job reports.
    pub fn on_setup_event(&mut self, ev: SetupEvent) {
        match ev {
            SetupEvent::Step(line) => match &mut self.overlay {
                Some(Overlay::AddAccount(f)) if f.checking.is_some() => f.checking = Some(line),
                Some(Overlay::SyncSetup(d)) if matches!(d.step, SetupStep::Working(_)) => {
                    d.step = SetupStep::Working(line)
                }
                _ => {}
            },
            SetupEvent::Failed(why) => match &mut self.overlay {
                Some(Overlay::AddAccount(f)) => {
                    f.checking = None;
                    f.form.error = Some(why);
                }
                Some(Overlay::SyncSetup(d)) => {
                    d.step = SetupStep::Choose;
                    d.error = Some(why);
                }
                _ => self.error(why),
            },
            SetupEvent::Added { name, account } => {
                self.pane
                    .accounts
                    .push(AccountLine::new(&name, &account, false));
                if matches!(self.pane.state, Connectivity::NotConfigured(_)) {
                    self.info(format!("account {name} added: now start syncing or join"));
                    self.overlay = Some(Overlay::SyncSetup(Box::new(SetupDialog::new(&name))));
                } else {
                    self.info(format!("account {name} added"));
                    self.overlay = None;
                }
            }
            SetupEvent::Forgot(name) => {
                self.request(Request::SyncStatus);
                self.info(format!("forgot device {name}"));
                self.open_rekey(Some(name));
            }
            SetupEvent::Rekeyed(key) => {
                self.request(Request::SyncStatus);
                self.pane.commands.push(SyncCmd::Reload);
                self.info("the sync key was replaced");
                if let Some(Overlay::SyncSetup(d)) = &mut self.overlay {
                    d.step = SetupStep::NewKey(key);
                }
            }
            SetupEvent::EpochTaken(summary) => {
                self.overlay = None;
                self.request(Request::SyncStatus);
                self.info(format!("took the server's data: {summary}"));
                self.reload_all();
            }
            SetupEvent::Key(key) => match (key, &mut self.overlay) {
                (Some(k), Some(Overlay::SyncSetup(d))) => d.step = SetupStep::ShowKey(k),
                (None, _) => {
                    self.overlay = None;
                    self.info(
                        "this profile syncs with a passphrase: type the same passphrase on \
                         the other device",
                    );
                }
                _ => {}
            },
            SetupEvent::Enrolled(done) => {
                for a in &mut self.pane.accounts {
                    a.syncs = a.name == done.account_name;
                }
                // The sync thread starts its session now.
                self.pane.commands.push(SyncCmd::Reload);
                self.request(Request::SyncStatus);
                match done.key {
                    Some(key) => {
                        self.info(format!(
                            "syncing through {}: uploaded {} changes",
                            done.account_name, done.uploaded
                        ));
                        if let Some(Overlay::SyncSetup(d)) = &mut self.overlay {
                            d.step = SetupStep::ShowKey(key);
                        }
                    }
                    None => {
                        self.overlay = None;
                        let warnings: String = done
                            .warnings
                            .iter()
                            .map(|w| format!("; warning: {w}"))
                            .collect();
                        self.info(format!(
                            "joined: downloaded {}, applied {}{warnings}",
                            done.downloaded, done.applied
                        ));
                        self.reload_all();
                    }
                }
            }
        }
    }
}
