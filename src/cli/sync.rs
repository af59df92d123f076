//! `pim sync [init|join]` and `pim devices list|forget`: the sync engine over the
//! account's IMAP server.

use std::io::{BufRead, IsTerminal, Write};
use std::time::Duration;

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};

use super::{Context, print};
use crate::config::accounts::{Account, ConfigFile};
use crate::mail::{self, ImapMailbox};
use crate::sync::apply::Policy;
use crate::sync::crypto::SyncKey;
use crate::sync::engine::{Folders, SyncError, SyncOptions, SyncReport, sync_once};
use crate::sync::plan::Mode;
use crate::sync::progress::{self, Progress, Watched};
use crate::sync::scope::Scope;
use crate::sync::{Mailbox, MailboxError, setup};

const META_KEY: &str = "sync.key";
const META_KDF: &str = "sync.kdf";
const META_ACCOUNT: &str = "sync.account";

/// How often `--watch` looks for new invitations while the sync folder is quiet.
const INBOX_POLL: Duration = Duration::from_secs(60);

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
        #[arg(long)]
        account: Option<String>,
        /// Use a passphrase (read from stdin) instead of a generated key
        #[arg(long)]
        passphrase: bool,
        /// This device's name in `pim devices list`
        #[arg(long)]
        device_name: Option<String>,
    },
    /// Another device: enter the key (or passphrase) printed by `pim sync init`
    Join {
        #[arg(long)]
        account: Option<String>,
        /// The sync key; without it pim asks (reads a line from stdin)
        #[arg(long)]
        key: Option<String>,
        #[arg(long)]
        device_name: Option<String>,
    },
}

pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

pub(super) fn account(ctx: &Context, name: Option<&str>) -> anyhow::Result<(String, Account)> {
    let config = ConfigFile::load(&ctx.paths.config_file())?;
    let remembered = ctx.store.meta(META_ACCOUNT)?;
    let name = name.map(str::to_string).or(remembered);
    let (n, a) = config.pick(name.as_deref()).map_err(anyhow::Error::msg)?;
    Ok((n.to_string(), a.clone()))
}

pub(super) async fn connect(name: &str, account: &Account) -> anyhow::Result<ImapMailbox> {
    let password = account
        .password()
        .map_err(|e| anyhow!("account {name}: {e}"))?;
    let cfg = mail::account::imap_config(account, &password).map_err(anyhow::Error::msg)?;
    ImapMailbox::connect(cfg)
        .await
        .map_err(|e| anyhow!("sync failed: {e}; local edits stay queued"))
}

fn device_name(given: Option<String>) -> String {
    given.unwrap_or_else(|| {
        std::fs::read_to_string("/etc/hostname")
            .ok()
            .map(|h| h.trim().to_string())
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "pim device".into())
    })
}

pub(super) fn options(
    ctx: &Context,
    account: &Account,
    key: SyncKey,
) -> anyhow::Result<SyncOptions> {
    let mut o = SyncOptions::new(key);
    o.root = account.folder_root.clone();
    o.policy = Policy::parse(&account.conflict_policy)
        .ok_or_else(|| anyhow!("unknown conflict policy {}", account.conflict_policy))?;
    o.kdf = ctx.store.meta(META_KDF)?;
    o.device_name = ctx
        .store
        .meta("sync.device_name")?
        .unwrap_or_else(|| device_name(None));
    Ok(o)
}

/// What the TUI's sync thread needs, or why this profile cannot sync yet.
pub fn tui_setup(ctx: &Context) -> Result<crate::tui::sync_thread::SyncSetup, String> {
    let key = stored_key(ctx).map_err(|e| e.to_string())?;
    let (name, acc) = account(ctx, None).map_err(|e| e.to_string())?;
    let options = options(ctx, &acc, key).map_err(|e| e.to_string())?;
    Ok(crate::tui::sync_thread::SyncSetup {
        account: name,
        config: acc,
        options,
    })
}

pub(super) fn stored_key(ctx: &Context) -> anyhow::Result<SyncKey> {
    let human = ctx.store.meta(META_KEY)?.ok_or_else(|| {
        anyhow!(
            "this profile does not sync yet: run `pim sync init` (first device) or `pim sync join`"
        )
    })?;
    SyncKey::parse_human(&human).map_err(|e| anyhow!("stored sync key: {e}"))
}

pub(super) fn sync_error(e: SyncError) -> anyhow::Error {
    match e {
        SyncError::Mailbox(m) => anyhow!("sync failed: {m}; local edits stay queued"),
        other => anyhow!("sync failed: {other}"),
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

fn print_report(r: &SyncReport, json: bool, dry_run: bool) -> anyhow::Result<()> {
    if r.rejected > 0 {
        eprintln!(
            "pim: {} message(s) on the server failed authentication and were ignored",
            r.rejected
        );
    }
    if json {
        return print::json(&serde_json::to_value(r)?);
    }
    if dry_run && let Some(plan) = &r.plan {
        println!("{}", serde_json::to_string_pretty(plan)?);
    }
    println!(
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
    if r.queued > 0 || r.held > 0 {
        println!(
            "waiting: {} own change(s) not sent, {} received change(s) not applied \
             (outside --collection, or in a collection with sync off)",
            r.queued, r.held
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

fn read_secret(prompt: &str) -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        eprint!("{prompt}: ");
        std::io::stderr().flush()?;
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let line = line.trim().to_string();
    if line.is_empty() {
        bail!("no {} given", prompt.to_lowercase());
    }
    Ok(line)
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
            device_name: dn,
        }) => join(ctx, account.as_deref(), key, dn),
        None => {
            let mode = Mode::parse(&a.mode).ok_or_else(|| anyhow!("unknown mode {}", a.mode))?;
            let (name, acc) = account(ctx, a.account.as_deref())?;
            let mut o = options(ctx, &acc, stored_key(ctx)?)?;
            o.mode = mode;
            o.dry_run = a.dry_run;
            if !a.collections.is_empty() {
                o.scope = Some(scope(ctx, &a.collections)?);
            }
            if a.watch {
                return watch(ctx, &name, &acc, &o, a.json);
            }
            runtime()?.block_on(async {
                let mut mb = connect(&name, &acc).await?;
                let r = if std::io::stderr().is_terminal() {
                    let tag = o.key.device_tag(ctx.store.device());
                    let mut line = ProgressLine::default();
                    let mut report = |p: &Progress| line.show(p);
                    let mut watched = Watched::new(&mut mb, tag, &mut report);
                    let r = sync_once(&mut ctx.store, &mut watched, &o).await;
                    watched.finish();
                    drop(watched);
                    line.clear();
                    r
                } else {
                    sync_once(&mut ctx.store, &mut mb, &o).await
                }
                .map_err(sync_error)?;
                if !a.dry_run {
                    scan_invitations(ctx, &name, &acc, &mut mb).await;
                }
                mb.logout().await;
                if !a.dry_run {
                    progress::remember_round(&ctx.store, &r);
                }
                print_report(&r, a.json, a.dry_run)
            })
        }
    }
}

/// Invitations ride along with every sync: new ones are found, updates applied,
/// queued replies sent. A failure here is reported and never fails the sync.
async fn scan_invitations(ctx: &mut Context, name: &str, acc: &Account, mb: &mut ImapMailbox) {
    match super::invites::after_sync(ctx, name, acc, mb).await {
        Ok(r) if r.invitations > 0 => eprintln!(
            "pim: {} new invitations ({} invalid, {} applied): see `pim invites list`",
            r.invitations, r.invalid, r.applied
        ),
        Ok(_) => {}
        Err(e) => eprintln!("pim: invitation scan failed: {e}"),
    }
}

fn remember(
    ctx: &Context,
    name: &str,
    key: &SyncKey,
    kdf: Option<&str>,
    dn: Option<String>,
) -> anyhow::Result<()> {
    ctx.store.set_meta(META_KEY, &key.to_human())?;
    ctx.store.set_meta(META_ACCOUNT, name)?;
    ctx.store.set_meta("sync.device_name", &device_name(dn))?;
    if let Some(k) = kdf {
        ctx.store.set_meta(META_KDF, k)?;
    }
    Ok(())
}

fn init(
    ctx: &mut Context,
    account_name: Option<&str>,
    passphrase: bool,
    dn: Option<String>,
) -> anyhow::Result<()> {
    if ctx.store.meta(META_KEY)?.is_some() {
        bail!("this profile syncs already (key stored); nothing to init");
    }
    let (name, acc) = account(ctx, account_name)?;
    let (key, kdf, shown) = if passphrase {
        let phrase = read_secret("Passphrase")?;
        if phrase.chars().count() < 12 {
            bail!("the passphrase must have at least 12 characters");
        }
        let kdf = setup::new_kdf_header();
        let key = setup::key_from_passphrase(&phrase, &kdf).map_err(sync_error)?;
        (key, Some(kdf), None)
    } else {
        let key = SyncKey::generate();
        let shown = key.to_human();
        (key, None, Some(shown))
    };
    let mut o = options(ctx, &acc, key.clone())?;
    o.kdf = kdf.clone();
    o.device_name = device_name(dn.clone());
    let report = runtime()?.block_on(async {
        let mut mb = connect(&name, &acc).await?;
        let r = setup::init(&mut ctx.store, &mut mb, &o)
            .await
            .map_err(sync_error)?;
        mb.logout().await;
        anyhow::Ok(r)
    })?;
    remember(ctx, &name, &key, kdf.as_deref(), dn)?;
    println!(
        "sync set up through account {name} (uploaded {} changes)",
        report.uploaded
    );
    match shown {
        Some(k) => {
            println!("Enter this key on your other devices with `pim sync join`:");
            println!("{k}");
        }
        None => println!("Use the same passphrase with `pim sync join` on your other devices."),
    }
    Ok(())
}

fn join(
    ctx: &mut Context,
    account_name: Option<&str>,
    key: Option<String>,
    dn: Option<String>,
) -> anyhow::Result<()> {
    if ctx.store.meta(META_KEY)?.is_some() {
        bail!("this profile syncs already (key stored); nothing to join");
    }
    let (name, acc) = account(ctx, account_name)?;
    let rt = runtime()?;
    let mut mb = rt.block_on(connect(&name, &acc))?;
    let kdf = rt
        .block_on(setup::server_kdf(&mut mb, &acc.folder_root))
        .map_err(sync_error)?;
    let secret = match key {
        Some(k) => k,
        None => read_secret(if kdf.is_some() {
            "Passphrase"
        } else {
            "Sync key"
        })?,
    };
    let key = match &kdf {
        Some(h) => setup::key_from_passphrase(&secret, h).map_err(sync_error)?,
        None => SyncKey::parse_human(&secret).map_err(|e| anyhow!("sync key: {e}"))?,
    };
    let mut o = options(ctx, &acc, key.clone())?;
    o.kdf = kdf.clone();
    o.device_name = device_name(dn.clone());
    let report = rt.block_on(async {
        let r = setup::join(&mut ctx.store, &mut mb, &o)
            .await
            .map_err(sync_error)?;
        mb.logout().await;
        anyhow::Ok(r)
    })?;
    remember(ctx, &name, &key, kdf.as_deref(), dn)?;
    println!(
        "joined: downloaded {}, applied {}",
        report.downloaded, report.applied
    );
    Ok(())
}

/// Sync now, then on every server change (IDLE) or local edit; transient errors
/// back off (jittered, capped) and retry forever — queued edits are never dropped.
fn watch(
    ctx: &mut Context,
    name: &str,
    acc: &Account,
    o: &SyncOptions,
    json: bool,
) -> anyhow::Result<()> {
    let changes = Folders::new(&o.root).changes;
    runtime()?.block_on(async {
        let mut mb: Option<ImapMailbox> = None;
        let mut backoff = Duration::from_secs(1);
        loop {
            let round = async {
                if mb.is_none() {
                    mb = Some(connect(name, acc).await?);
                }
                let m = mb.as_mut().expect("connected");
                let r = sync_once(&mut ctx.store, m, o).await.map_err(sync_error)?;
                scan_invitations(ctx, name, acc, m).await;
                anyhow::Ok(r)
            };
            match round.await {
                Ok(r) => {
                    backoff = Duration::from_secs(1);
                    progress::remember_round(&ctx.store, &r);
                    let busy = r.uploaded + r.applied + r.conflicts + r.deleted + r.rejected > 0;
                    if busy || json {
                        print_report(&r, json, false)?;
                    }
                }
                Err(e) => {
                    let fatal = e.chain().any(|c| {
                        matches!(
                            c.downcast_ref::<MailboxError>(),
                            Some(MailboxError::Auth(_) | MailboxError::Tls(_))
                        )
                    }) || e.to_string().contains("login failed")
                        || e.to_string().contains("TLS failed");
                    if fatal {
                        return Err(e);
                    }
                    let jitter = rand::random_range(0..=backoff.as_millis() as u64 / 2);
                    let pause = backoff + Duration::from_millis(jitter);
                    eprintln!("pim: {e}; retrying in {} s", pause.as_secs());
                    mb = None;
                    tokio::select! {
                        _ = tokio::time::sleep(pause) => {}
                        _ = tokio::signal::ctrl_c() => return Ok(()),
                    }
                    backoff = (backoff * 2).min(Duration::from_secs(300));
                    continue;
                }
            }
            // Wait for the server (IDLE) and, at the same time, for local edits made
            // since this round (changes that never upload, e.g. in a collection kept
            // off sync, must not make this loop spin). A local edit drops the IDLE
            // (the next round logs in again): latency matters more than a login.
            let last_local = local_seq(ctx)?;
            // The wait ends after 60 s at most, so INBOX (invitations) is scanned by
            // the next round at least once a minute.
            if let Some(m) = mb.as_mut() {
                tokio::select! {
                    woke = m.wait(&changes, INBOX_POLL) => {
                        if woke.is_err() {
                            mb = None;
                        }
                    }
                    edited = local_edit(ctx, last_local) => edited?,
                    _ = tokio::signal::ctrl_c() => return Ok(()),
                }
            }
        }
    })
}

/// Returns once this device logs a change after `since` (checked every 50 ms).
async fn local_edit(ctx: &Context, since: u64) -> anyhow::Result<()> {
    loop {
        if local_seq(ctx)? > since {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The newest local change's sequence number.
fn local_seq(ctx: &Context) -> anyhow::Result<u64> {
    Ok(crate::store::sync_state::max_seq(
        &ctx.store,
        ctx.store.device(),
    )?)
}
