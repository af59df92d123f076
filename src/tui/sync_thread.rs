//! Sync off the render loop: a thread with its own store connection and Tokio
//! runtime runs sync rounds on request (`s`) and, with the account's `watch = true`,
//! keeps IDLE open and syncs whenever the server or this device changes. It reports
//! connectivity, progress and a log; the UI never waits for it, and edits made
//! meanwhile go through the worker's own connection (queued in the change log).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use crate::config::accounts::Account;
use crate::mail::{self, ImapMailbox};
use crate::store::Store;
use crate::sync::engine::{Folders, SyncError, SyncOptions, SyncReport, sync_once};
use crate::sync::progress::{Progress, Watched, remember_round, summary};
use crate::sync::{Mailbox, MailboxError};

/// What the TUI needs to sync this profile (built by the CLI from config + store).
#[derive(Debug, Clone)]
pub struct SyncSetup {
    pub account: String,
    pub config: Account,
    pub options: SyncOptions,
}

/// Where sync stands, as the Sync tab shows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Connectivity {
    /// No account or no sync key; the reason says what to run.
    NotConfigured(String),
    /// Set up, nothing running (no watch); `s` syncs.
    #[default]
    Idle,
    Connecting,
    Syncing,
    /// IDLE open: other devices' changes arrive live.
    Watching,
    /// The server could not be reached; retrying at that time.
    Offline {
        retry_at: DateTime<Utc>,
        reason: String,
    },
    /// Needs the user (login or TLS failed); `s` tries again.
    Error(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncCmd {
    Now,
    Quit,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    State(Connectivity),
    Progress(Progress),
    Log(String),
    /// A round finished; records may have changed.
    Done(SyncReport),
}

fn fatal(e: &SyncError) -> bool {
    matches!(
        e,
        SyncError::Mailbox(MailboxError::Auth(_) | MailboxError::Tls(_)) | SyncError::Setup(_)
    )
}

async fn connect(s: &SyncSetup) -> Result<ImapMailbox, SyncError> {
    let password = s
        .config
        .password()
        .map_err(|e| SyncError::Setup(format!("account {}: {e}", s.account)))?;
    let cfg = mail::account::imap_config(&s.config, &password).map_err(SyncError::Setup)?;
    Ok(ImapMailbox::connect(cfg).await?)
}

struct Runner<E> {
    setup: SyncSetup,
    store: Store,
    out: Sender<E>,
    wrap: fn(SyncEvent) -> E,
    mb: Option<ImapMailbox>,
    backoff: Duration,
}

impl<E> Runner<E> {
    fn send(&self, ev: SyncEvent) -> bool {
        self.out.send((self.wrap)(ev)).is_ok()
    }

    async fn round(&mut self) -> Result<SyncReport, SyncError> {
        if self.mb.is_none() {
            self.send(SyncEvent::State(Connectivity::Connecting));
            self.mb = Some(connect(&self.setup).await?);
        }
        self.send(SyncEvent::State(Connectivity::Syncing));
        let tag = self.setup.options.key.device_tag(self.store.device());
        let (out, wrap) = (self.out.clone(), self.wrap);
        let mut last = Instant::now() - Duration::from_secs(1);
        let mut report = move |p: &Progress| {
            if last.elapsed() >= Duration::from_millis(50) || p.ratio() == Some(1.0) {
                last = Instant::now();
                let _ = out.send(wrap(SyncEvent::Progress(*p)));
            }
        };
        let mb = self.mb.as_mut().expect("connected above");
        let mut watched = Watched::new(mb, tag, &mut report);
        let r = sync_once(&mut self.store, &mut watched, &self.setup.options).await;
        watched.finish();
        r
    }

    /// Run a round and report it; returns the state to rest in.
    async fn sync_and_report(&mut self) -> Connectivity {
        match self.round().await {
            Ok(r) => {
                self.backoff = Duration::from_secs(1);
                remember_round(&self.store, &r);
                self.send(SyncEvent::Log(format!("synced: {}", summary(&r))));
                if r.rejected > 0 {
                    self.send(SyncEvent::Log(format!(
                        "{} message(s) on the server failed authentication and were ignored",
                        r.rejected
                    )));
                }
                if let Some(mb) = self.mb.as_mut() {
                    let (name, acc) = (&self.setup.account, &self.setup.config);
                    match crate::tui::invites::after_round(&mut self.store, mb, name, acc).await {
                        Ok(Some(line)) => _ = self.send(SyncEvent::Log(line)),
                        Ok(None) => {}
                        Err(e) => _ = self.send(SyncEvent::Log(format!("invitations: {e}"))),
                    }
                }
                self.send(SyncEvent::Done(r));
                if self.setup.config.watch {
                    Connectivity::Watching
                } else {
                    Connectivity::Idle
                }
            }
            Err(e) => {
                self.mb = None;
                let reason = e.to_string();
                self.send(SyncEvent::Log(format!("sync failed: {reason}")));
                if fatal(&e) {
                    return Connectivity::Error(reason);
                }
                let jitter = rand::random_range(0..=self.backoff.as_millis() as u64 / 2);
                let pause = self.backoff + Duration::from_millis(jitter);
                self.backoff = (self.backoff * 2).min(Duration::from_secs(300));
                Connectivity::Offline {
                    retry_at: Utc::now() + chrono::Duration::milliseconds(pause.as_millis() as i64),
                    reason,
                }
            }
        }
    }

    fn local_seq(&self) -> u64 {
        crate::store::sync_state::max_seq(&self.store, self.store.device()).unwrap_or(0)
    }

    /// Wait in IDLE slices until the server or this device has something, or a
    /// command arrives. `None` means quit.
    async fn watch(&mut self, cmds: &Receiver<SyncCmd>) -> Option<()> {
        let changes = Folders::new(&self.setup.options.root).changes;
        let seen = self.local_seq();
        loop {
            match cmds.try_recv() {
                Ok(SyncCmd::Now) => return Some(()),
                Ok(SyncCmd::Quit) | Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => {}
            }
            if self.local_seq() > seen {
                return Some(());
            }
            let Some(mb) = self.mb.as_mut() else {
                return Some(());
            };
            match mb.wait(&changes, Duration::from_millis(400)).await {
                Ok(true) => {
                    self.send(SyncEvent::Log("the server has news".into()));
                    return Some(());
                }
                Ok(false) => {}
                Err(e) => {
                    self.send(SyncEvent::Log(format!("connection lost: {e}")));
                    self.mb = None;
                    return Some(());
                }
            }
        }
    }
}

/// Start the sync thread. With `setup` missing (`Err(reason)`) it only reports
/// "not configured" and answers `s` with the reason.
pub fn spawn<E: Send + 'static>(
    setup: Result<SyncSetup, String>,
    db: PathBuf,
    cmds: Receiver<SyncCmd>,
    out: Sender<E>,
    wrap: fn(SyncEvent) -> E,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let setup = match setup {
            Ok(s) => s,
            Err(reason) => {
                let _ = out.send(wrap(SyncEvent::State(Connectivity::NotConfigured(
                    reason.clone(),
                ))));
                while let Ok(SyncCmd::Now) = cmds.recv() {
                    let _ = out.send(wrap(SyncEvent::Log(format!("cannot sync: {reason}"))));
                }
                return;
            }
        };
        let fail = |e: String| {
            let _ = out.send(wrap(SyncEvent::State(Connectivity::Error(e))));
        };
        let store = match Store::open(&db) {
            Ok(s) => s,
            Err(e) => return fail(e.to_string()),
        };
        let rt = match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            Err(e) => return fail(e.to_string()),
        };
        let watch = setup.config.watch;
        let mut r = Runner {
            setup,
            store,
            out,
            wrap,
            mb: None,
            backoff: Duration::from_secs(1),
        };
        r.send(SyncEvent::State(Connectivity::Idle));
        let mut state = Connectivity::Idle;
        let mut go = watch;
        loop {
            if go {
                state = rt.block_on(r.sync_and_report());
                if !watch && let Some(mut mb) = r.mb.take() {
                    // Without watch nothing listens between rounds: log out rather
                    // than leave a session for the server to time out.
                    rt.block_on(mb.logout());
                }
                if !r.send(SyncEvent::State(state.clone())) {
                    return;
                }
            }
            go = match &state {
                Connectivity::Watching => match rt.block_on(r.watch(&cmds)) {
                    Some(()) => true,
                    None => return,
                },
                Connectivity::Offline { retry_at, .. } => {
                    let wait = (*retry_at - Utc::now()).to_std().unwrap_or_default();
                    match cmds.recv_timeout(wait) {
                        Ok(SyncCmd::Now) | Err(RecvTimeoutError::Timeout) => true,
                        Ok(SyncCmd::Quit) | Err(RecvTimeoutError::Disconnected) => return,
                    }
                }
                _ => match cmds.recv() {
                    Ok(SyncCmd::Now) => true,
                    Ok(SyncCmd::Quit) | Err(_) => return,
                },
            };
        }
    })
}
