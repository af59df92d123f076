//! `pim sync [init|join]` and `pim devices list|forget`: the sync engine over the
//! account's IMAP server.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context as _, anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::Value;

mod watch;

use super::{Context, print};
use crate::app::device_keys;
use crate::app::sync_session::{
    self as session, ImapConnector, InvitationOutcome, Session, SessionError, SessionEvent, Timing,
    Trigger,
};
use crate::config::accounts::Account;
use crate::mail::ImapMailbox;
use crate::sync::engine::{SyncError, SyncReport};
use crate::sync::plan::Mode;
use crate::sync::progress::Progress;
use crate::sync::scope::Scope;
use watch::watch;

const MODES: &[&str] = &["two-way", "push", "pull", "replace-remote", "replace-local"];

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncArgs {
    #[command(subcommand)]
    pub action: Option<SyncAction>,
    /// Account to sync through (default: the one chosen at init/join)
    #[arg(long)]
    pub account: Option<String>,
    /// two-way; push or pull (one direction only); replace-remote (this device's
    /// data becomes the truth everywhere) or replace-local (rebuild from the server)
    #[arg(long, value_parser = MODES.to_vec(), default_value = "two-way")]
    pub mode: String,
    /// Only this collection (name or id; repeat for more): other changes wait,
    /// own ones in the outbox, received ones until a sync that includes them
    #[arg(long = "collection", value_name = "C")]
    pub collections: Vec<String>,
    /// Print what would happen; change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// One JSON object per round
    #[arg(long)]
    pub json: bool,
    /// Keep running: sync on every change here or on the server (IMAP IDLE)
    #[arg(long, conflicts_with = "dry_run")]
    pub watch: bool,
}

#[derive(Debug, Subcommand)]
pub enum SyncAction {
    /// First device: create the sync folders and a key (printed on the last line)
    Init {
        /// Mail account to sync through (default: the only one configured)
        #[arg(long)]
        account: Option<String>,
        /// Use a passphrase (read from stdin) instead of a generated key
        #[arg(long)]
        passphrase: bool,
        /// This device's name in `pim devices list` (default: the host name and
        /// the start of the device id, e.g. laptop-3f9a)
        #[arg(long)]
        device_name: Option<String>,
    },
    /// Another device: enter the key (or passphrase) printed by `pim sync init`
    Join {
        /// Mail account to sync through (default: the only one configured)
        #[arg(long)]
        account: Option<String>,
        /// The sync key, or `-` to read it from stdin. A key given here is visible
        /// to other users of this computer (`ps`): prefer --key-file, `-` or the
        /// prompt. Without --key and --key-file pim asks (or reads a line from
        /// stdin when that is not a terminal)
        #[arg(long)]
        key: Option<String>,
        /// Read the sync key (or passphrase) from the first line of this file
        #[arg(long, value_name = "PATH", conflicts_with = "key")]
        key_file: Option<PathBuf>,
        /// This device's name in `pim devices list` (default: the host name and
        /// the start of the device id, e.g. laptop-3f9a)
        #[arg(long)]
        device_name: Option<String>,
    },
    /// Replace the sync key (after losing a device): the server's data is sealed
    /// again under a new key, printed once; devices that stay run
    /// `pim sync join --key NEW`, devices with the old key read nothing new
    Rekey {
        /// Account whose sync folders are resealed (default: the one sync uses)
        #[arg(long)]
        account: Option<String>,
    },
}

pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// The named account, else the one chosen at init/join.
pub(super) fn account(ctx: &Context, name: Option<&str>) -> anyhow::Result<(String, Account)> {
    Ok(session::resolve_account(
        &ctx.store,
        &ctx.paths.config_file(),
        name,
    )?)
}

pub(super) async fn connect(name: &str, account: &Account) -> anyhow::Result<ImapMailbox> {
    session::connect(name, account).await.map_err(session_error)
}

pub(super) fn sync_error(e: SyncError) -> anyhow::Error {
    match e {
        SyncError::Mailbox(m) => anyhow!("sync failed: {m}; local edits stay queued"),
        other => anyhow!("sync failed: {other}"),
    }
}

pub(super) fn session_error(e: SessionError) -> anyhow::Error {
    match e {
        SessionError::Sync(s) => sync_error(s),
        other => other.into(),
    }
}

/// `--collection` names (or ids) as a scope: a name may match one collection of
/// each kind (a "work" calendar and a "work" address book are both meant).
fn scope(ctx: &Context, names: &[String]) -> anyhow::Result<Scope> {
    let all = ctx.store.collections(None)?;
    let mut ids = Vec::new();
    for n in names {
        let hits: Vec<_> = all.iter().filter(|c| &c.id == n || &c.name == n).collect();
        if hits.is_empty() {
            let known: Vec<&str> = all.iter().map(|c| c.name.as_str()).collect();
            bail!(
                "--collection {n:?}: no such collection (there are: {})",
                known.join(", ")
            );
        }
        for c in hits {
            if !c.sync {
                bail!(
                    "--collection {n:?}: the {} is kept off sync \
                     (`pim collections set {} {:?} --sync on` to include it)",
                    c.kind.collection_word(),
                    c.kind.as_str(),
                    c.name
                );
            }
            ids.push(c.id.clone());
        }
    }
    Ok(Scope::new(ids))
}

/// `reminder`: refused key changes from earlier rounds still waiting for the
/// user (the Sync tab and `pim devices list` show them too).
fn print_report(
    r: &SyncReport,
    json: bool,
    dry_run: bool,
    reminder: Option<String>,
) -> anyhow::Result<()> {
    if r.rejected > 0 {
        errln!(
            "pim: {} message(s) on the server failed authentication and were ignored",
            r.rejected
        );
    }
    if json {
        let mut v = serde_json::to_value(r)?;
        if let Some(plan) = &r.plan {
            v["plan"]["words"] = Value::String(plan.in_words());
        }
        if let Some(line) = reminder {
            v["refused_keys_earlier"] = Value::String(line);
        }
        return print::json(&v);
    }
    if dry_run && let Some(plan) = &r.plan {
        outln!("{}", plan.in_words());
    } else {
        outln!(
            "uploaded {}, downloaded {}, applied {}, conflicts {}, deleted {}, rejected {} \
         ({} B up, {} B down, {} IMAP commands)",
            r.uploaded,
            r.downloaded,
            r.applied,
            r.conflicts,
            r.deleted,
            r.rejected,
            r.bytes_up,
            r.bytes_down,
            r.imap_commands
        );
    }
    if let Some(line) = crate::sync::progress::refused_keys_line(r) {
        outln!("{line}");
    }
    if let Some(line) = reminder {
        outln!("{line}");
    }
    if let Some(line) = crate::sync::progress::epoch_pending_line(r) {
        outln!("{line}");
    }
    if let Some(line) = crate::sync::progress::lost_folders_line(r) {
        outln!("{line}");
    }
    if r.queued > 0 || r.held > 0 {
        outln!(
            "waiting: {} own change(s) not sent, {} received change(s) not applied \
             (outside --collection, or in a collection with sync off)",
            r.queued,
            r.held
        );
    }
    Ok(())
}

/// A progress line on stderr (a terminal): redrawn in place, at most every 80 ms.
#[derive(Default)]
struct ProgressLine {
    last: Option<std::time::Instant>,
    drawn: bool,
}

impl ProgressLine {
    fn show(&mut self, p: &Progress) {
        let due = self
            .last
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(80));
        if !due && p.ratio() != Some(1.0) {
            return;
        }
        self.last = Some(std::time::Instant::now());
        let bar = match p.ratio() {
            Some(r) => {
                let filled = (r * 20.0).round() as usize;
                format!(" [{}{}]", "#".repeat(filled), ".".repeat(20 - filled))
            }
            None => String::new(),
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2Kpim: sync {}{bar}", p.line());
        let _ = err.flush();
        self.drawn = true;
    }

    fn clear(&mut self) {
        if self.drawn {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}

/// A line of stdin; on a terminal after showing `prompt`.
fn read_secret(prompt: &str) -> anyhow::Result<String> {
    let mut line = String::new();
    if std::io::stdin().is_terminal() {
        err!("{prompt}: ");
        std::io::stderr().flush()?;
        line = read_hidden()?;
        errln!();
    } else {
        std::io::stdin().lock().read_line(&mut line)?;
    }
    secret_line(&line, &prompt.to_lowercase())
}

/// A line typed on the terminal without echo (raw mode; Enter ends it,
/// Backspace erases, Ctrl-C or Esc abandons).
fn read_hidden() -> anyhow::Result<String> {
    use crossterm::event::{Event, KeyCode, KeyEventKind, KeyModifiers, read};
    crossterm::terminal::enable_raw_mode()?;
    let mut line = String::new();
    let outcome = loop {
        let ev = match read() {
            Ok(ev) => ev,
            Err(e) => break Err(anyhow::Error::from(e)),
        };
        let Event::Key(k) = ev else { continue };
        if k.kind == KeyEventKind::Release {
            continue;
        }
        match k.code {
            KeyCode::Enter => break Ok(()),
            KeyCode::Esc => break Err(anyhow!("cancelled")),
            KeyCode::Char('c' | 'd') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                break Err(anyhow!("cancelled"));
            }
            KeyCode::Backspace => {
                line.pop();
            }
            KeyCode::Char(c) => line.push(c),
            _ => {}
        }
    };
    crossterm::terminal::disable_raw_mode()?;
    outcome.map(|()| line)
}

/// The first line of `text`, trimmed; an empty one is an error naming `what`.
fn secret_line(text: &str, what: &str) -> anyhow::Result<String> {
    let line = text.lines().next().unwrap_or("").trim().to_string();
    if line.is_empty() {
        bail!("no {what} given");
    }
    Ok(line)
}

/// Where `pim sync join` takes the key from.
enum KeySource {
    /// `--key KEY` (seen by anyone who lists processes).
    Argument(String),
    /// `--key-file PATH`.
    File(PathBuf),
    /// Neither, or `--key -`: ask on a terminal, else read a line of stdin.
    Prompt,
}

impl KeySource {
    fn read(self, prompt: &str) -> anyhow::Result<String> {
        match self {
            KeySource::Argument(k) => Ok(k),
            KeySource::File(path) => {
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read the key file {}", path.display()))?;
                secret_line(&text, &format!("key in {}", path.display()))
            }
            KeySource::Prompt => read_secret(prompt),
        }
    }
}

pub fn run(ctx: &mut Context, a: SyncArgs) -> anyhow::Result<()> {
    match a.action {
        Some(SyncAction::Init {
            account,
            passphrase,
            device_name: dn,
        }) => init(ctx, account.as_deref(), passphrase, dn),
        Some(SyncAction::Join {
            account,
            key,
            key_file,
            device_name: dn,
        }) => {
            let source = match (key, key_file) {
                (_, Some(path)) => KeySource::File(path),
                // `-`: stdin, as without --key (a prompt on a terminal).
                (Some(k), None) if k == "-" => KeySource::Prompt,
                (Some(k), None) => KeySource::Argument(k),
                (None, None) => KeySource::Prompt,
            };
            join(ctx, account.as_deref(), source, dn)
        }
        Some(SyncAction::Rekey { account }) => rekey(ctx, account.as_deref()),
        None => {
            let mode = Mode::parse(&a.mode).ok_or_else(|| anyhow!("unknown mode {}", a.mode))?;
            let setup = session::setup(&ctx.store, &ctx.paths.config_file(), a.account.as_deref())?;
            let mut o = setup.options.clone();
            o.mode = mode;
            o.dry_run = a.dry_run;
            if !a.collections.is_empty() {
                o.scope = Some(scope(ctx, &a.collections)?);
            }
            let connector = ImapConnector::new(&setup);
            if a.watch {
                return watch(ctx, Session::new(connector, o, Timing::default()), a.json);
            }
            runtime()?.block_on(async {
                let show_progress = std::io::stderr().is_terminal();
                let mut line = ProgressLine::default();
                let mut on_event = |ev| match ev {
                    SessionEvent::Progress(p) if show_progress => line.show(&p),
                    SessionEvent::WaitingForOtherSync => {
                        errln!("pim: {}", session::WAITING_WORDS)
                    }
                    _ => {}
                };
                let round = if mode == Mode::ReplaceLocal && !a.dry_run {
                    // The same use case as the Sync tab's confirmation.
                    session::take_waiting_epoch(&mut ctx.store, connector, &o, &mut on_event).await
                } else {
                    let mut session = Session::new(connector, o, Timing::default());
                    let round = session
                        .round(&mut ctx.store, Trigger::Start, &mut on_event)
                        .await;
                    session.close().await;
                    round
                };
                line.clear();
                let r = round.map_err(session_error)?;
                print_invitations(r.invitations.as_ref());
                let named: Vec<&str> = r
                    .sync
                    .refused_keys
                    .iter()
                    .map(|k| k.device.as_str())
                    .collect();
                let reminder = device_keys::refusals_reminder(&ctx.store, &named)?;
                print_report(&r.sync, a.json, a.dry_run, reminder)
            })
        }
    }
}

/// Invitations ride along with every sync: new ones are found, updates applied,
/// queued replies sent. A failure there is reported and never fails the sync.
fn print_invitations(outcome: Option<&InvitationOutcome>) {
    let Some(o) = outcome else {
        return;
    };
    match &o.scan {
        Ok(r) if r.invitations > 0 => errln!(
            "pim: {} new invitations ({} invalid, {} applied): see `pim invites list`",
            r.invitations,
            r.invalid,
            r.applied
        ),
        Ok(_) => {}
        Err(e) => errln!("pim: invitation scan failed: {e}"),
    }
    match &o.replies {
        Ok(Some(r)) if r.waiting > 0 => errln!(
            "pim: sent {} queued replies; {} still waiting ({})",
            r.sent,
            r.waiting,
            r.last_error.as_deref().unwrap_or_default()
        ),
        Ok(Some(r)) if r.sent > 0 => errln!("pim: sent {} queued replies", r.sent),
        Ok(_) => {}
        Err(e) => errln!("pim: replies stay in the outbox: {e}"),
    }
}

fn enrol_error(e: session::EnrolError) -> anyhow::Error {
    match e {
        session::EnrolError::Session(s) => session_error(s),
        other => other.into(),
    }
}

fn init(
    ctx: &mut Context,
    account_name: Option<&str>,
    passphrase: bool,
    dn: Option<String>,
) -> anyhow::Result<()> {
    if session::is_enrolled(&ctx.store)? {
        bail!("this profile syncs already (key stored); nothing to init");
    }
    let secret = if passphrase {
        errln!("pim: {}", session::PASSPHRASE_ADVICE);
        session::NewSecret::Passphrase(read_secret("Passphrase")?)
    } else {
        session::NewSecret::Generated
    };
    let config_file = ctx.paths.config_file();
    let done = runtime()?
        .block_on(session::init(
            &mut ctx.store,
            &config_file,
            account_name,
            secret,
            dn,
        ))
        .map_err(enrol_error)?;
    outln!(
        "sync set up through account {} (uploaded {} changes)",
        done.account_name,
        done.uploaded
    );
    match done.key {
        Some(k) => {
            outln!("Enter this key on your other devices with `pim sync join`:");
            outln!("{k}");
        }
        None => outln!("Use the same passphrase with `pim sync join` on your other devices."),
    }
    Ok(())
}

fn join(
    ctx: &mut Context,
    account_name: Option<&str>,
    key: KeySource,
    dn: Option<String>,
) -> anyhow::Result<()> {
    let config_file = ctx.paths.config_file();
    let rt = runtime()?;
    let joining = rt
        .block_on(session::start_join(&ctx.store, &config_file, account_name))
        .map_err(enrol_error)?;
    let secret = key.read(if joining.wants_passphrase() {
        "Passphrase (or sync key)"
    } else {
        "Sync key"
    })?;
    let done = rt
        .block_on(joining.finish(&mut ctx.store, &secret, dn))
        .map_err(enrol_error)?;
    for w in &done.warnings {
        errln!("pim: warning: {w}");
    }
    outln!(
        "joined: downloaded {}, applied {}",
        done.downloaded,
        done.applied
    );
    Ok(())
}

/// `pim sync rekey`: a new key for everyone who stays; shown once.
fn rekey(ctx: &mut Context, account_name: Option<&str>) -> anyhow::Result<()> {
    let config_file = ctx.paths.config_file();
    let done = runtime()?
        .block_on(session::rekey_now(
            &mut ctx.store,
            &config_file,
            account_name,
        ))
        .map_err(session_error)?;
    outln!(
        "the sync key was replaced: the server's data is sealed with the new key \
         (epoch snapshot, {} messages); devices with the old key read nothing new",
        done.report.appends
    );
    outln!("On every device that stays, run `pim sync join --key NEW` with this key (shown once):");
    outln!("{}", done.key);
    Ok(())
}
