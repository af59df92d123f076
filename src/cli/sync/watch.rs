//! `pim sync --watch`: rounds on every server change or local edit until Ctrl-C.

use tokio::sync::mpsc::unbounded_channel;

use super::{print_invitations, print_report, runtime, session_error};
use crate::app::device_keys;
use crate::app::sync_session::{
    self as session, Command, ImapConnector, Schedule, Session, SessionEvent, watch_note,
};
use crate::cli::Context;
use crate::sync::engine::SyncReport;

/// The lines of a round that ask something of the user (see [`print_report`]).
fn round_notices(r: &SyncReport) -> Vec<String> {
    use crate::sync::progress::{epoch_pending_line, lost_folders_line, refused_keys_line};
    [
        refused_keys_line(r),
        epoch_pending_line(r),
        lost_folders_line(r),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Sync now, then on every server change (IDLE) or local edit, and at least
/// once a minute (invitations); until Ctrl-C or a failure retrying cannot fix.
pub(super) fn watch(
    ctx: &mut Context,
    mut session: Session<ImapConnector>,
    json: bool,
) -> anyhow::Result<()> {
    // Refusals remembered from earlier runs: said once as the watch starts (a
    // one-off `pim sync` says them after every round).
    if let Some(line) = device_keys::refusals_reminder(&ctx.store, &[])? {
        errln!("pim: {line}");
    }
    runtime()?.block_on(async {
        let (stop, mut commands) = unbounded_channel();
        let mut print_failed = None;
        let mut said_polling = false;
        let mut last_notices = Vec::new();
        let mut show = |ev: SessionEvent| match ev {
            SessionEvent::Watching { polls_every } => {
                if let Some(note) = watch_note(polls_every).filter(|_| !said_polling) {
                    errln!("pim: {note}");
                    said_polling = true;
                }
            }
            SessionEvent::Synced(r) => {
                print_invitations(r.invitations.as_ref());
                // A quiet round is printed too when it has something new to say (a
                // refused key, a waiting epoch, a lost folder), once, not every minute.
                let notices = round_notices(&r.sync);
                let news = notices != last_notices;
                last_notices = notices;
                if (r.is_busy() || json || news)
                    && let Err(e) = print_report(&r.sync, json, false, None)
                {
                    // stdout is gone (a closed pipe): nobody reads the rounds.
                    print_failed = Some(e);
                    let _ = stop.send(Command::Stop);
                }
            }
            SessionEvent::WaitingForOtherSync => errln!("pim: {}", session::WAITING_WORDS),
            SessionEvent::Retrying { error, pause } => {
                errln!(
                    "pim: {}; retrying in {} s",
                    session_error(error),
                    pause.as_secs()
                );
            }
            _ => {}
        };
        let schedule = Schedule {
            watch: true,
            sync_first: true,
        };
        let ended = tokio::select! {
            ended = session.run(&mut ctx.store, schedule, &mut commands, &mut show) => ended,
            _ = tokio::signal::ctrl_c() => Ok(()),
        };
        session.close().await;
        ended.map_err(session_error)?;
        print_failed.map_or(Ok(()), Err)
    })
}
