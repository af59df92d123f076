//! Sync off the render loop: a thread with its own store connection and Tokio
//! runtime runs the application's sync session ([`crate::app::sync_session`]):
//! rounds on request (`s`) and, with the account's `watch = true`, a watch that
//! syncs whenever the server or this device changes. The thread only turns the
//! session's events into the Sync tab's connectivity, progress and log; the UI
//! never waits for it, and edits made meanwhile go through the worker's own
//! connection (queued in the change log).

use std::path::PathBuf;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc::{UnboundedReceiver, unbounded_channel};

use crate::app::sync_session::{
    Command, ImapConnector, InvitationOutcome, RoundReport, Schedule, Session, SessionEvent,
    SessionSetup, SetupError, Timing, Trigger, watch_note,
};
use crate::store::Store;
use crate::sync::engine::SyncReport;
use crate::sync::progress::{Progress, summary};

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
    /// Waiting for changes: IDLE open, or (without IDLE) polling; the words
    /// say which ([`Connectivity::watching`]).
    Watching(String),
    /// The server could not be reached; retrying at that time.
    Offline {
        retry_at: DateTime<Utc>,
        reason: String,
    },
    /// Needs the user (login refused, unreadable key, untrusted TLS, account
    /// settings); `s` tries again.
    Error(String),
}

impl Connectivity {
    /// A watch at rest; `polls_every` is set when the server has no IDLE.
    pub fn watching(polls_every: Option<Duration>) -> Connectivity {
        Connectivity::Watching(
            watch_note(polls_every)
                .unwrap_or_else(|| "IDLE open: other devices' changes arrive live".into()),
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncCmd {
    Now,
    Quit,
    /// The profile may sync now (an account was added, init or join done):
    /// read its setup again. Ignored while a session runs.
    Reload,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    State(Connectivity),
    Progress(Progress),
    /// A log line, stamped when it happened (not when the UI got to it).
    Log {
        at: DateTime<Utc>,
        line: String,
    },
    /// A round finished; records may have changed.
    Done(Box<SyncReport>),
}

impl SyncEvent {
    /// A log line stamped now.
    pub fn log(line: impl Into<String>) -> SyncEvent {
        SyncEvent::Log {
            at: Utc::now(),
            line: line.into(),
        }
    }
}

/// Turns session events into the Sync tab's events.
struct Reporter<'a, E> {
    out: &'a Sender<E>,
    wrap: fn(SyncEvent) -> E,
    last_progress: Option<Instant>,
}

impl<E> Reporter<'_, E> {
    fn send(&self, ev: SyncEvent) {
        let _ = self.out.send((self.wrap)(ev));
    }

    fn on(&mut self, ev: SessionEvent) {
        match ev {
            SessionEvent::Connecting => self.send(SyncEvent::State(Connectivity::Connecting)),
            SessionEvent::WaitingForOtherSync => {
                self.send(SyncEvent::log(crate::app::sync_session::WAITING_WORDS))
            }
            SessionEvent::Syncing => self.send(SyncEvent::State(Connectivity::Syncing)),
            SessionEvent::Progress(p) => {
                // At most every 50 ms: the screen redraws on every event.
                let due = self
                    .last_progress
                    .is_none_or(|t| t.elapsed() >= Duration::from_millis(50));
                if due || p.ratio() == Some(1.0) {
                    self.last_progress = Some(Instant::now());
                    self.send(SyncEvent::Progress(p));
                }
            }
            SessionEvent::Synced(r) => self.synced(*r),
            SessionEvent::Retrying { error, pause } => {
                let reason = error.to_string();
                self.send(SyncEvent::log(format!("sync failed: {reason}")));
                let retry_at =
                    Utc::now() + chrono::Duration::milliseconds(pause.as_millis() as i64);
                self.send(SyncEvent::State(Connectivity::Offline { retry_at, reason }));
            }
            SessionEvent::Watching { polls_every } => {
                self.send(SyncEvent::State(Connectivity::watching(polls_every)));
            }
            SessionEvent::ServerNews => self.send(SyncEvent::log("the server has news")),
            SessionEvent::ConnectionLost(why) => {
                self.send(SyncEvent::log(format!("connection lost: {why}")));
            }
            SessionEvent::Idle => self.send(SyncEvent::State(Connectivity::Idle)),
        }
    }

    fn synced(&mut self, r: RoundReport) {
        let invitations = r.invitations.as_ref().and_then(invitation_line);
        // The once-a-minute INBOX poll stays out of the log when it found nothing.
        if r.trigger == Trigger::Poll && !r.is_busy() && invitations.is_none() {
            return;
        }
        self.send(SyncEvent::log(format!("synced: {}", summary(&r.sync))));
        if r.sync.rejected > 0 {
            self.send(SyncEvent::log(format!(
                "{} message(s) on the server failed authentication and were ignored",
                r.sync.rejected
            )));
        }
        if let Some(line) = invitations {
            self.send(SyncEvent::log(line));
        }
        self.send(SyncEvent::Done(Box::new(r.sync)));
    }
}

/// The log line for a round's invitation work, when there is something to say.
fn invitation_line(o: &InvitationOutcome) -> Option<String> {
    let mut said = Vec::new();
    match &o.scan {
        Ok(scan) if scan.invitations > 0 => {
            said.push(format!("{} new invitations", scan.invitations));
        }
        Ok(_) => {}
        Err(e) => said.push(format!("invitations: {e}")),
    }
    match &o.replies {
        Ok(Some(r)) if r.sent > 0 || r.waiting > 0 => {
            said.push(format!("replies sent {}, waiting {}", r.sent, r.waiting));
        }
        Ok(_) => {}
        Err(e) => said.push(format!("replies stay in the outbox: {e}")),
    }
    (!said.is_empty()).then(|| said.join("; "))
}

/// The TUI's commands as session commands (the session waits on a Tokio channel).
/// Ends when the TUI drops its sender, which then stops the session.
fn forward(cmds: Receiver<SyncCmd>) -> UnboundedReceiver<Command> {
    let (tx, rx) = unbounded_channel();
    std::thread::spawn(move || {
        while let Ok(c) = cmds.recv() {
            let command = match c {
                SyncCmd::Now => Command::SyncNow,
                SyncCmd::Quit => Command::Stop,
                SyncCmd::Reload => continue,
            };
            if tx.send(command).is_err() {
                return;
            }
        }
    });
    rx
}

/// Start the sync thread. With `setup` missing (`Err(why)`) it reports "not
/// configured", answers `s` with the reason, and on [`SyncCmd::Reload`] reads
/// the profile's setup (`config_file` and the database) again.
pub fn spawn<E: Send + 'static>(
    setup: Result<SessionSetup, SetupError>,
    db: PathBuf,
    config_file: PathBuf,
    cmds: Receiver<SyncCmd>,
    out: Sender<E>,
    wrap: fn(SyncEvent) -> E,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let send = |ev: SyncEvent| out.send(wrap(ev)).is_ok();
        let mut setup = setup;
        let setup = loop {
            let why = match setup {
                Ok(s) => break s,
                Err(why) => why,
            };
            let reason = why.to_string();
            send(SyncEvent::State(Connectivity::NotConfigured(
                reason.clone(),
            )));
            loop {
                match cmds.recv() {
                    Ok(SyncCmd::Now) => _ = send(SyncEvent::log(format!("cannot sync: {reason}"))),
                    Ok(SyncCmd::Reload) => break,
                    Ok(SyncCmd::Quit) | Err(_) => return,
                }
            }
            setup = Store::open(&db)
                .map_err(SetupError::from)
                .and_then(|store| crate::app::sync_session::setup(&store, &config_file, None));
        };
        let fail = |e: String| _ = send(SyncEvent::State(Connectivity::Error(e)));
        let mut store = match Store::open(&db) {
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
        let mut commands = forward(cmds);
        let watch = setup.account.watch;
        let connector = ImapConnector::new(&setup);
        let mut session = Session::new(connector, setup.options, Timing::default());
        send(SyncEvent::State(Connectivity::Idle));
        let mut sync_first = watch;
        loop {
            let mut reporter = Reporter {
                out: &out,
                wrap,
                last_progress: None,
            };
            let schedule = Schedule { watch, sync_first };
            let ended = rt.block_on(session.run(&mut store, schedule, &mut commands, &mut |ev| {
                reporter.on(ev)
            }));
            let Err(e) = ended else {
                return;
            };
            // Needs the user (login, key, TLS, settings): `s` tries again.
            let reason = e.to_string();
            send(SyncEvent::log(format!("sync failed: {reason}")));
            if !send(SyncEvent::State(Connectivity::Error(reason))) {
                return;
            }
            match rt.block_on(commands.recv()) {
                Some(Command::SyncNow) => sync_first = true,
                Some(Command::Stop) | None => return,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;

    use super::*;
    use crate::app::invites::ScanReport;
    use crate::app::sync_session::SessionError;
    use crate::sync::MailboxError;

    fn report(events: Vec<SessionEvent>) -> Vec<SyncEvent> {
        let (out, seen) = channel();
        let mut reporter = Reporter {
            out: &out,
            wrap: |e| e,
            last_progress: None,
        };
        for ev in events {
            reporter.on(ev);
        }
        seen.try_iter().collect()
    }

    fn round(
        trigger: Trigger,
        applied: u64,
        invitations: Option<InvitationOutcome>,
    ) -> SessionEvent {
        let sync = SyncReport {
            applied,
            ..SyncReport::default()
        };
        SessionEvent::Synced(Box::new(RoundReport {
            trigger,
            sync,
            invitations,
        }))
    }

    #[test]
    fn a_quiet_inbox_poll_stays_out_of_the_log() {
        assert_eq!(report(vec![round(Trigger::Poll, 0, None)]), []);
        let busy = report(vec![round(Trigger::Poll, 2, None)]);
        assert!(matches!(&busy[0], SyncEvent::Log { line: l, .. } if l.starts_with("synced: ")));
        assert!(matches!(busy.last(), Some(SyncEvent::Done(r)) if r.applied == 2));
        // Asked for, a round is logged even when nothing moved.
        assert_eq!(report(vec![round(Trigger::Asked, 0, None)]).len(), 2);
    }

    #[test]
    fn invitations_found_by_a_poll_are_logged() {
        let found = InvitationOutcome {
            scan: Ok(ScanReport {
                invitations: 2,
                ..ScanReport::default()
            }),
            replies: Ok(None),
        };
        let events = report(vec![round(Trigger::Poll, 0, Some(found))]);
        assert!(
            events
                .iter()
                .any(|e| matches!(e, SyncEvent::Log { line: l, .. } if l == "2 new invitations")),
            "{events:?}"
        );
    }

    #[test]
    fn a_transient_failure_shows_offline_until_the_retry() {
        let error = SessionError::from(MailboxError::Unreachable("mail.example.org:993".into()));
        let before = Utc::now();
        let events = report(vec![SessionEvent::Retrying {
            error,
            pause: Duration::from_secs(8),
        }]);
        assert!(matches!(&events[0], SyncEvent::Log { line: l, .. } if l.contains("cannot reach")));
        match &events[1] {
            SyncEvent::State(Connectivity::Offline { retry_at, reason }) => {
                assert!(*retry_at >= before + chrono::Duration::seconds(8));
                assert!(reason.starts_with("cannot reach the mail server"));
            }
            other => panic!("{other:?}"),
        }
    }

    /// A profile set up while the app runs (account added, init or join done
    /// in the Sync tab): `Reload` starts the session without a restart.
    #[test]
    fn reload_starts_the_session_once_the_profile_can_sync() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("pim.sqlite3");
        let config = dir.path().join("config.toml");
        let store = Store::open(&db).unwrap();
        let setup = crate::app::sync_session::setup(&store, &config, None);
        assert!(setup.is_err());
        let (cmd_tx, cmd_rx) = channel();
        let (out_tx, out_rx) = channel();
        let thread = spawn(setup, db.clone(), config.clone(), cmd_rx, out_tx, |e| e);
        let next = || out_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        assert!(matches!(
            next(),
            SyncEvent::State(Connectivity::NotConfigured(_))
        ));
        // Still nothing to sync with: says so again.
        cmd_tx.send(SyncCmd::Reload).unwrap();
        assert!(matches!(
            next(),
            SyncEvent::State(Connectivity::NotConfigured(_))
        ));

        let account = crate::config::accounts::Account::new(
            "127.0.0.1:1",
            "127.0.0.1:1",
            "ada",
            "ada@example.org",
            "echo pw",
        );
        crate::app::accounts::add(&config, "mail", account).unwrap();
        let key = crate::sync::crypto::SyncKey::generate();
        crate::app::sync_session::remember_enrolment(&store, "mail", &key, None, None).unwrap();
        cmd_tx.send(SyncCmd::Reload).unwrap();
        assert_eq!(next(), SyncEvent::State(Connectivity::Idle));
        cmd_tx.send(SyncCmd::Quit).unwrap();
        thread.join().unwrap();
    }
}
