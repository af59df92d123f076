//! Setting up sync from the Sync tab, step by step at 80×24: the jobs' answers
//! (which need mail servers; tests/tui_sync_tmux.rs runs them against Dovecot)
//! are fed in as the job threads would send them.

use crossterm::event::KeyCode;

use super::app::Overlay;
use super::setup_jobs::{SetupEvent, SetupJob};
use super::sync_thread::{Connectivity, SyncCmd, SyncEvent};
use super::test_support::World;
use super::worker::SyncStatus;
use crate::app::sync_session::Enrolled;

fn snap(name: &str, w: &mut World) {
    // Edit times are the clock's in a real database: show fixed ones.
    w.app.sync = Some(SyncStatus {
        pending: 36,
        records: 36,
        ..SyncStatus::default()
    });
    insta::assert_snapshot!(name, w.screen(80, 24));
}

/// The demo on the Sync tab of a profile that does not sync yet.
fn fresh() -> World {
    let mut w = World::demo();
    w.keys("5");
    w.app
        .on_sync_event(SyncEvent::State(Connectivity::NotConfigured(
            "this profile does not sync yet".into(),
        )));
    w
}

fn type_text(w: &mut World, s: &str) {
    for c in s.chars() {
        w.key(KeyCode::Char(c));
    }
}

/// `a`, an address, a password command, Enter.
fn filled_form(w: &mut World) {
    w.keys("a");
    type_text(w, "ada@example.org");
    for _ in 0..5 {
        w.key(KeyCode::Tab);
    }
    type_text(w, "pass show mail");
    w.key(KeyCode::Enter);
}

#[test]
fn add_account_then_start_syncing_as_the_first_device() {
    let mut w = fresh();
    snap("setup_not_configured", &mut w);
    w.keys("a");
    snap("setup_form_empty", &mut w);
    type_text(&mut w, "ada@example.org");
    snap("setup_form_suggested", &mut w);
    for _ in 0..5 {
        w.key(KeyCode::Tab);
    }
    type_text(&mut w, "pass show mail");
    w.key(KeyCode::Enter);
    let job = w.app.setup_jobs.pop().expect("a check job");
    match &job {
        SetupJob::CheckAndAdd { name, account } => {
            assert_eq!(name, "mail");
            assert_eq!(account.imap, "imap.example.org:993");
            assert_eq!(account.smtp, "smtp.example.org:465");
            assert_eq!(account.user, "ada@example.org");
            assert_eq!(account.password_command, "pass show mail");
        }
        other => panic!("{other:?}"),
    }
    w.app.on_setup_event(SetupEvent::Step(
        "logging in to IMAP at imap.example.org:993…".into(),
    ));
    snap("setup_form_checking", &mut w);
    // Keys wait while the check runs.
    w.key(KeyCode::Esc);
    assert!(matches!(w.app.overlay, Some(Overlay::AddAccount(_))));

    w.app.on_setup_event(SetupEvent::Failed(
        "cannot resolve host imap.example.org: check the server name (and that this \
         computer is online)"
            .into(),
    ));
    snap("setup_form_failed", &mut w);
    w.key(KeyCode::Enter);
    let Some(SetupJob::CheckAndAdd { name, account }) = w.app.setup_jobs.pop() else {
        panic!("no second check");
    };
    w.app.on_setup_event(SetupEvent::Added { name, account });
    snap("setup_choose", &mut w);
    assert!(
        w.screen(80, 24)
            .contains("mail — ada@example.org at imap.example.org:993")
    );

    w.keys("f");
    assert_eq!(
        w.app.setup_jobs.pop(),
        Some(SetupJob::Init {
            account: "mail".into()
        })
    );
    w.app.on_setup_event(SetupEvent::Step(
        "creating pim's folders on the server and uploading this device's data…".into(),
    ));
    snap("setup_working", &mut w);
    w.app.on_setup_event(SetupEvent::Enrolled(Enrolled {
        account_name: "mail".into(),
        key: Some("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567".into()),
        uploaded: 36,
        downloaded: 0,
        applied: 0,
        warnings: Vec::new(),
    }));
    snap("setup_key_shown", &mut w);
    assert!(
        w.app.pane.commands.contains(&SyncCmd::Reload),
        "sync starts"
    );
    assert!(w.app.pane.accounts[0].syncs);
    w.keys("c");
    assert_eq!(
        w.app.clipboard.as_deref(),
        Some("ABCD-EFGH-IJKL-MNOP-QRST-UVWX-YZ23-4567")
    );
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none());
}

#[test]
fn join_with_the_key_of_the_first_device() {
    let mut w = fresh();
    filled_form(&mut w);
    let Some(SetupJob::CheckAndAdd { name, account }) = w.app.setup_jobs.pop() else {
        panic!("no check");
    };
    w.app.on_setup_event(SetupEvent::Added { name, account });
    w.keys("j");
    type_text(&mut w, "ABCD-EFGH");
    snap("setup_join_key", &mut w);
    w.key(KeyCode::Enter);
    assert_eq!(
        w.app.setup_jobs.pop(),
        Some(SetupJob::Join {
            account: "mail".into(),
            key: "ABCD-EFGH".into()
        })
    );
    w.app.on_setup_event(SetupEvent::Failed(
        "sync key checksum does not match (a typo?)".into(),
    ));
    snap("setup_join_failed", &mut w);
    w.keys("j");
    type_text(&mut w, "ABCD-EFGH-IJKL");
    w.key(KeyCode::Enter);
    w.app.on_setup_event(SetupEvent::Enrolled(Enrolled {
        account_name: "mail".into(),
        key: None,
        uploaded: 0,
        downloaded: 3,
        applied: 36,
        warnings: Vec::new(),
    }));
    assert!(w.app.overlay.is_none());
    assert!(
        w.app
            .status
            .text
            .contains("joined: downloaded 3, applied 36")
    );
    assert!(w.app.pane.commands.contains(&SyncCmd::Reload));
}

#[test]
fn the_form_refuses_what_the_cli_refuses_before_any_check() {
    let mut w = fresh();
    w.keys("a");
    type_text(&mut w, "ada@example.org");
    w.key(KeyCode::Enter);
    assert!(w.app.setup_jobs.is_empty(), "nothing checked");
    let Some(Overlay::AddAccount(f)) = &w.app.overlay else {
        panic!("form closed");
    };
    assert!(
        f.form
            .error
            .as_deref()
            .unwrap()
            .contains("password command"),
        "{:?}",
        f.form.error
    );
    // STARTTLS: the usual ports follow.
    for _ in 0..6 {
        w.key(KeyCode::Tab);
    }
    w.key(KeyCode::Right);
    let s = w.screen(80, 24);
    assert!(
        s.contains("imap.example.org:143") && s.contains("smtp.example.org:587"),
        "{s}"
    );
    w.key(KeyCode::Left);
    assert!(w.screen(80, 24).contains("imap.example.org:993"));
    for _ in 0..2 {
        w.key(KeyCode::BackTab);
    }
    // OAuth2: the command field becomes the token command.
    w.key(KeyCode::Right);
    let s = w.screen(80, 24);
    assert!(s.contains("Token cmd") && s.contains("‹ xoauth2 ›"), "{s}");
}

#[test]
fn i_without_an_account_says_to_add_one_and_help_lists_the_keys() {
    let mut w = fresh();
    w.keys("i");
    assert!(w.app.overlay.is_none());
    assert!(
        w.app.status.text.contains("press a"),
        "{}",
        w.app.status.text
    );
    w.keys("?");
    let mut screen = String::new();
    for _ in 0..4 {
        screen.push_str(&w.screen(80, 24));
        for _ in 0..10 {
            w.keys("j");
        }
    }
    for want in [
        "add a mail account",
        "start syncing (first device) or join",
        "once syncing",
        "first device (shows the key)",
        "join — enter the key",
    ] {
        assert!(screen.contains(want), "{want}: {screen}");
    }
    assert!(matches!(w.app.overlay, Some(Overlay::Help)));
}

/// On a profile that syncs, `i` shows the key again (for the next device).
#[test]
fn i_shows_the_key_again_once_syncing() {
    let mut w = fresh();
    filled_form(&mut w);
    let Some(SetupJob::CheckAndAdd { name, account }) = w.app.setup_jobs.pop() else {
        panic!("no check");
    };
    w.app.on_setup_event(SetupEvent::Added { name, account });
    w.key(KeyCode::Esc);
    w.app.on_sync_event(SyncEvent::State(Connectivity::Idle));
    w.keys("i");
    assert_eq!(w.app.setup_jobs.pop(), Some(SetupJob::ShowKey));
    w.app
        .on_setup_event(SetupEvent::Key(Some("PIM1-ABCDE-FGHIJ".into())));
    snap("setup_key_again", &mut w);
    w.key(KeyCode::Esc);
    assert!(w.app.overlay.is_none());
    // A passphrase is not shown: it is typed on the other device.
    w.keys("i");
    w.app.on_setup_event(SetupEvent::Key(None));
    assert!(w.app.overlay.is_none());
    assert!(
        w.app.status.text.contains("same passphrase"),
        "{}",
        w.app.status.text
    );
}

fn device(name: &str, id: &str, this_device: bool) -> super::worker::DeviceLine {
    super::worker::DeviceLine {
        name: name.into(),
        device: id.into(),
        last_seen: "2026-11-20 09:00".into(),
        this_device,
        applied_mine: 0,
        mine: 0,
        forgotten: false,
        ..Default::default()
    }
}

/// A lost laptop: `F` picks it among the other devices and forgets it, then the
/// dialog offers to replace the key; `y` replaces it and shows the new key once.
#[test]
fn forget_a_lost_device_then_replace_the_key() {
    let mut w = fresh();
    w.app.on_sync_event(SyncEvent::State(Connectivity::Idle));
    w.app.sync = Some(SyncStatus {
        devices: vec![
            device("desktop", "d0000000-1111", true),
            device("phone", "p0000000-2222", false),
            device("laptop", "l0000000-3333", false),
        ],
        ..SyncStatus::default()
    });
    w.keys("F");
    w.key(KeyCode::Down);
    snap("forget_device_pick", &mut w);
    w.key(KeyCode::Enter);
    assert_eq!(
        w.app.setup_jobs.pop(),
        Some(SetupJob::Forget {
            device: "l0000000-3333".into()
        })
    );
    w.app.on_setup_event(SetupEvent::Forgot("laptop".into()));
    snap("rekey_after_forget", &mut w);
    w.keys("y");
    assert_eq!(w.app.setup_jobs.pop(), Some(SetupJob::Rekey));
    w.app
        .on_setup_event(SetupEvent::Rekeyed("PIM1-NEWKE-YNEWK".into()));
    snap("rekey_new_key", &mut w);
    assert!(w.app.pane.commands.contains(&SyncCmd::Reload));
    w.key(KeyCode::Esc);
    assert!(w.app.overlay.is_none());
    // Not now: the key stays, and R offers it again later.
    w.keys("R");
    w.key(KeyCode::Esc);
    assert!(w.app.setup_jobs.is_empty());
    assert!(
        w.app.status.text.contains("R on the Sync tab"),
        "{}",
        w.app.status.text
    );
}

/// `F` with no other device, and `R` on a profile that does not sync, say why.
#[test]
fn forget_and_rekey_say_why_they_cannot() {
    let mut w = fresh();
    w.keys("R");
    assert!(w.app.overlay.is_none());
    assert!(
        w.app.status.text.contains("does not sync yet"),
        "{}",
        w.app.status.text
    );
    w.keys("F");
    assert!(w.app.overlay.is_none());
    assert!(
        w.app.status.text.contains("no other device"),
        "{}",
        w.app.status.text
    );
}
