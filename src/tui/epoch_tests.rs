//! The Sync tab confirms a newer epoch another device published (issue 20):
//! the state line says it waits, `T` asks, `y` runs the replace-local use case
//! (the job the CLI's `pim sync --mode replace-local` shares), at 80×24.

use crossterm::event::KeyCode;

use super::setup_jobs::{SetupEvent, SetupJob};
use super::sync_thread::{Connectivity, SyncEvent};
use super::test_support::World;
use super::worker::SyncStatus;
use crate::app::sync_session::WaitingEpoch;

fn waiting() -> WaitingEpoch {
    WaitingEpoch {
        epoch: 2,
        made_by: "77b1c0de00000000".into(),
        made_by_name: "desktop".into(),
        made_at: "2026-11-25T09:52:00Z".into(),
    }
}

/// The demo on a Sync tab that syncs, with `waiting` as the status says.
fn world(waiting: Option<WaitingEpoch>) -> World {
    let mut w = World::demo();
    w.keys("5");
    w.app.on_sync_event(SyncEvent::State(Connectivity::Idle));
    w.app.sync = Some(SyncStatus {
        pending: 3,
        records: 36,
        waiting_epoch: waiting,
        ..SyncStatus::default()
    });
    w
}

#[test]
fn t_asks_before_taking_the_new_snapshot_then_runs_the_job() {
    let mut w = world(Some(waiting()));
    let screen = w.screen(80, 24);
    assert!(
        screen.contains("new data from desktop waits: T takes it"),
        "{screen}"
    );
    insta::assert_snapshot!("epoch_waiting_state", screen);
    w.keys("T");
    let screen = w.screen(80, 24);
    assert!(screen.contains("snapshot from desktop"), "{screen}");
    insta::assert_snapshot!("epoch_confirm", screen);
    w.keys("y");
    assert_eq!(w.app.setup_jobs.pop(), Some(SetupJob::TakeEpoch));
    w.app.on_setup_event(SetupEvent::Step(
        "rebuilding this device's synced data from the server's snapshot…".into(),
    ));
    // The round went through: the status has no waiting epoch any more.
    w.app
        .on_setup_event(SetupEvent::EpochTaken("12 applied, 1 uploaded".into()));
    w.app.sync.as_mut().unwrap().waiting_epoch = None;
    assert!(w.app.overlay.is_none());
    let screen = w.screen(80, 24);
    assert!(!screen.contains("waits: T takes it"), "{screen}");
    insta::assert_snapshot!("epoch_taken", screen);
}

#[test]
fn not_now_changes_nothing_and_t_without_a_waiting_epoch_says_so() {
    let mut w = world(Some(waiting()));
    w.keys("T");
    w.key(KeyCode::Esc);
    assert!(w.app.overlay.is_none());
    assert!(w.app.setup_jobs.is_empty());
    assert!(
        w.app.status.text.contains("T on the Sync tab"),
        "{}",
        w.app.status.text
    );
    let mut w = world(None);
    w.keys("T");
    assert!(w.app.overlay.is_none());
    assert!(
        w.app.status.text.contains("nothing waits"),
        "{}",
        w.app.status.text
    );
}

#[test]
fn help_lists_the_key() {
    let mut w = world(None);
    w.keys("?");
    let screen = w.screen(120, 36);
    assert!(screen.contains("take the new snapshot"), "{screen}");
}
