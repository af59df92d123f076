//! The session itself: rounds, the watch loop and the retry loop.

use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::{
    Backoff, Command, Connector, RoundReport, Schedule, SessionError, SessionEvent, Timing,
    Trigger, local_seq,
};
use crate::store::Store;
use crate::sync::Mailbox;
use crate::sync::engine::{Folders, SyncOptions, own_tag, sync_once};
use crate::sync::progress::{Progress, Watched, remember_round};

/// What ended a wait.
enum Wake {
    Round(Trigger),
    Stop,
}

pub struct Session<C: Connector> {
    connector: C,
    options: SyncOptions,
    timing: Timing,
    mailbox: Option<C::Mailbox>,
    backoff: Backoff,
    /// This device's newest change when the last round began: a later one wakes
    /// the watch (an edit made during the round may have missed its upload).
    local_before_round: u64,
}

impl<C: Connector> Session<C> {
    pub fn new(connector: C, options: SyncOptions, timing: Timing) -> Session<C> {
        Session {
            connector,
            options,
            backoff: Backoff::new(timing.backoff_start, timing.backoff_cap),
            timing,
            mailbox: None,
            local_before_round: 0,
        }
    }

    pub fn options(&self) -> &SyncOptions {
        &self.options
    }

    pub fn connector(&self) -> &C {
        &self.connector
    }

    /// One round: connect if needed, sync, then (unless a dry run) the invitation
    /// work and remembering the round for the Sync tab. A failed round drops the
    /// connection (the next one logs in afresh).
    pub async fn round(
        &mut self,
        store: &mut Store,
        trigger: Trigger,
        events: &mut dyn FnMut(SessionEvent),
    ) -> Result<RoundReport, SessionError> {
        let result = self.try_round(store, trigger, events).await;
        if result.is_err() {
            self.mailbox = None;
        }
        result
    }

    async fn try_round(
        &mut self,
        store: &mut Store,
        trigger: Trigger,
        events: &mut dyn FnMut(SessionEvent),
    ) -> Result<RoundReport, SessionError> {
        let _one_at_a_time =
            super::lock_profile(store, &mut || events(SessionEvent::WaitingForOtherSync)).await?;
        if self.mailbox.is_none() {
            events(SessionEvent::Connecting);
            let mut mb = self.connector.connect().await?;
            self.connector
                .after_connect(store, &mut mb, &self.options.root)
                .await?;
            self.mailbox = Some(mb);
        }
        events(SessionEvent::Syncing);
        self.local_before_round = local_seq(store);
        let mb = self.mailbox.as_mut().expect("connected above");
        let tag = own_tag(store, &self.options.key);
        let mut progress = |p: &Progress| events(SessionEvent::Progress(*p));
        let mut watched = Watched::new(mb, tag, &mut progress);
        let synced = sync_once(store, &mut watched, &self.options).await;
        watched.finish();
        drop(watched);
        let sync = synced?;
        if self.options.dry_run {
            return Ok(RoundReport {
                trigger,
                sync,
                invitations: None,
            });
        }
        let invitations = self.connector.after_round(store, mb).await;
        remember_round(store, &sync);
        Ok(RoundReport {
            trigger,
            sync,
            invitations,
        })
    }

    /// Log out if connected.
    pub async fn close(&mut self) {
        if let Some(mb) = self.mailbox.take() {
            self.connector.close(mb).await;
        }
    }

    /// Sync on the schedule until told to stop (`Ok`) or a fatal failure (`Err`).
    /// Transient failures are reported as [`SessionEvent::Retrying`] and retried
    /// after the backoff pause, or at once when asked.
    pub async fn run(
        &mut self,
        store: &mut Store,
        schedule: Schedule,
        commands: &mut UnboundedReceiver<Command>,
        events: &mut dyn FnMut(SessionEvent),
    ) -> Result<(), SessionError> {
        let mut next = if schedule.sync_first {
            Wake::Round(Trigger::Start)
        } else {
            self.rest(commands, events).await
        };
        while let Wake::Round(trigger) = next {
            next = match self.round(store, trigger, events).await {
                Ok(report) => {
                    self.backoff.reset();
                    events(SessionEvent::Synced(Box::new(report)));
                    if schedule.watch {
                        self.wait_for_change(store, commands, events).await
                    } else {
                        // Nothing listens between rounds: log out rather than
                        // leave a session for the server to time out.
                        self.close().await;
                        self.rest(commands, events).await
                    }
                }
                Err(e) if e.is_fatal() => return Err(e),
                Err(e) => {
                    let pause = self.backoff.next_pause();
                    events(SessionEvent::Retrying { error: e, pause });
                    self.pause(pause, commands).await
                }
            };
        }
        Ok(())
    }

    /// Without watch: wait to be asked.
    async fn rest(
        &mut self,
        commands: &mut UnboundedReceiver<Command>,
        events: &mut dyn FnMut(SessionEvent),
    ) -> Wake {
        events(SessionEvent::Idle);
        match commands.recv().await {
            Some(Command::SyncNow) => Wake::Round(Trigger::Asked),
            Some(Command::Stop) | None => Wake::Stop,
        }
    }

    /// The backoff pause; asking to sync cuts it short.
    async fn pause(&mut self, pause: Duration, commands: &mut UnboundedReceiver<Command>) -> Wake {
        tokio::select! {
            _ = tokio::time::sleep(pause) => Wake::Round(Trigger::Retry),
            command = commands.recv() => match command {
                Some(Command::SyncNow) => Wake::Round(Trigger::Asked),
                Some(Command::Stop) | None => Wake::Stop,
            },
        }
    }

    /// Wait for the server (IDLE) and, at the same time, for local edits made since
    /// the round began (changes that never upload, e.g. in a collection kept off
    /// sync, wake it once, never in a loop) and for commands. The wait ends after
    /// `inbox_poll` at most, so INBOX is scanned that often. A local edit or a
    /// command drops the IDLE (the next round logs in again): latency matters
    /// more than a login.
    async fn wait_for_change(
        &mut self,
        store: &Store,
        commands: &mut UnboundedReceiver<Command>,
        events: &mut dyn FnMut(SessionEvent),
    ) -> Wake {
        let Some(mb) = self.mailbox.as_mut() else {
            return Wake::Round(Trigger::Reconnect);
        };
        events(SessionEvent::Watching {
            polls_every: mb.polls_every(),
        });
        let seen = self.local_before_round;
        let changes = Folders::new(&self.options.root).changes;
        let woke = tokio::select! {
            woke = mb.wait(&changes, self.timing.inbox_poll) => Some(woke),
            () = local_edit(store, seen, self.timing.local_check) => None,
            command = commands.recv() => match command {
                Some(Command::SyncNow) => return Wake::Round(Trigger::Asked),
                Some(Command::Stop) | None => return Wake::Stop,
            },
        };
        match woke {
            None => Wake::Round(Trigger::LocalEdit),
            Some(Ok(true)) => {
                events(SessionEvent::ServerNews);
                Wake::Round(Trigger::ServerChange)
            }
            Some(Ok(false)) => Wake::Round(Trigger::Poll),
            Some(Err(e)) => {
                events(SessionEvent::ConnectionLost(e.to_string()));
                self.mailbox = None;
                Wake::Round(Trigger::Reconnect)
            }
        }
    }
}

/// Returns once this device logs a change after `since`.
async fn local_edit(store: &Store, since: u64, every: Duration) {
    while local_seq(store) <= since {
        tokio::time::sleep(every).await;
    }
}
