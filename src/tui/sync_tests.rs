//! The Sync tab, the conflict dialog and history: snapshots with fixed data (device
//! ids and clocks are random in real databases), and behaviour over a real conflict
//! made by two stores syncing through the in-memory mail server with policy `ask`.

use std::time::Duration;

use chrono::TimeZone;
use crossterm::event::KeyCode;

use super::app::Overlay;
use super::sync_pane::{AccountLine, HistoryDialog};
use super::sync_thread::{Connectivity, SyncCmd, SyncEvent};
use super::test_support::World;
use super::worker::{DeviceLine, SyncStatus};
use crate::model::{FieldValue, Kind, Property, Record};
use crate::store::Store;
use crate::sync::apply::Policy;
use crate::sync::crypto::SyncKey;
use crate::sync::engine::{SyncOptions, sync_once};
use crate::sync::memory::MemoryServer;
use crate::sync::progress::{Phase, Progress};
use crate::sync::review::{ConflictView, FieldDiff, HistoryEntry, Side};

fn props(name: &str, values: &[&str]) -> Option<FieldValue> {
    Some(FieldValue::Props(
        values.iter().map(|v| Property::text(name, v)).collect(),
    ))
}

fn side(device_name: &str, when: &str, v: Option<FieldValue>) -> Side {
    Side {
        device: format!("{device_name}-id"),
        device_name: device_name.into(),
        when: when.into(),
        text: crate::sync::review::text_of(v.as_ref()),
        value: v,
    }
}

fn fixture_conflicts() -> Vec<ConflictView> {
    let fnc = ConflictView {
        id: 1,
        record_id: "rec-ada".into(),
        kind: "contact".into(),
        title: "Ada Lovelace".into(),
        key: "FN".into(),
        set_valued: false,
        base: props("FN", &["Ada Byron"]),
        base_text: "Ada Byron".into(),
        mine: side(
            "laptop",
            "2026-11-25T09:40:00Z",
            props("FN", &["Ada Lovelace"]),
        ),
        theirs: side(
            "desktop",
            "2026-11-25T09:52:00Z",
            props("FN", &["Ada King"]),
        ),
        created_at: "2026-11-25T09:55:00Z".into(),
    };
    let email = ConflictView {
        id: 2,
        key: "EMAIL".into(),
        set_valued: true,
        base: props("EMAIL", &["ada@example.org"]),
        base_text: "ada@example.org".into(),
        mine: side(
            "laptop",
            "2026-11-25T09:41:00Z",
            props("EMAIL", &["ada@example.org", "ada@home.example"]),
        ),
        theirs: side(
            "desktop",
            "2026-11-25T09:53:00Z",
            props("EMAIL", &["countess@example.org"]),
        ),
        ..fnc.clone()
    };
    let task = ConflictView {
        id: 3,
        record_id: "rec-task".into(),
        kind: "task".into(),
        title: "Renew passport".into(),
        key: "DUE".into(),
        base_text: "(none)".into(),
        base: None,
        mine: side(
            "laptop",
            "2026-11-25T08:00:00Z",
            props("DUE", &["20261201"]),
        ),
        theirs: side("phone", "2026-11-25T08:30:00Z", props("DUE", &["20261210"])),
        ..fnc.clone()
    };
    vec![fnc, email, task]
}

fn fixture_status(conflicts: Vec<ConflictView>) -> SyncStatus {
    SyncStatus {
        device: "3f2a9c4d1e5b7a60".into(),
        pending: 2,
        held: 0,
        recent: vec![(
            "2026-11-25T09:58:12.345Z".into(),
            "contact".into(),
            "update".into(),
        )],
        last_sync: Some("2026-11-25T09:55:00Z".into()),
        last_summary: Some("3 applied, 2 conflicts".into()),
        records: 36,
        conflicts,
        devices: vec![
            DeviceLine {
                name: "laptop".into(),
                device: "3f2a".into(),
                last_seen: "2026-11-25T09:55:00Z".into(),
                this_device: true,
                applied_mine: 120,
                mine: 122,
                forgotten: false,
                ..Default::default()
            },
            DeviceLine {
                name: "desktop".into(),
                device: "77b1".into(),
                last_seen: "2026-11-25T09:54:10Z".into(),
                this_device: false,
                applied_mine: 118,
                mine: 122,
                forgotten: false,
                ..Default::default()
            },
            DeviceLine {
                name: "phone".into(),
                device: "9c0e".into(),
                last_seen: "2026-11-24T18:02:00Z".into(),
                this_device: false,
                applied_mine: 122,
                mine: 122,
                forgotten: false,
                ..Default::default()
            },
        ],
        waiting_epoch: None,
    }
}

/// The demo world on the Sync tab with fixed status, account and log.
fn sync_world(state: Connectivity) -> World {
    let mut w = World::demo();
    w.keys("5");
    w.app.sync = Some(fixture_status(fixture_conflicts()));
    w.app.pane.accounts = vec![
        AccountLine {
            name: "personal".into(),
            what: "ada at mail.example.org:993, policy ask, watch".into(),
            syncs: true,
        },
        AccountLine {
            name: "work".into(),
            what: "a.lovelace at imap.work.example:993, policy newest".into(),
            syncs: false,
        },
    ];
    let at = |m| chrono::Utc.with_ymd_and_hms(2026, 11, 25, 9, m, 0).unwrap();
    w.app.pane.log_line(at(50), "synced: nothing to do".into());
    w.app
        .pane
        .log_line(at(55), "synced: 3 applied, 2 conflicts".into());
    w.app.on_sync_event(SyncEvent::State(state));
    w
}

fn snap(name: &str, w: &mut World) {
    insta::assert_snapshot!(name, w.screen(100, 30));
}

#[test]
fn sync_tab_in_each_state() {
    let retry = chrono::Utc
        .with_ymd_and_hms(2026, 11, 25, 10, 4, 30)
        .unwrap();
    let states = [
        (
            "not_configured",
            Connectivity::NotConfigured(
                "this profile does not sync yet: run `pim sync init` or `pim sync join`".into(),
            ),
        ),
        ("ready", Connectivity::Idle),
        ("connecting", Connectivity::Connecting),
        ("watching", Connectivity::watching(None)),
        (
            "offline",
            Connectivity::Offline {
                retry_at: retry,
                reason: "cannot reach the mail server: connection refused".into(),
            },
        ),
        (
            "error",
            Connectivity::Error("login failed: ada at mail.example.org:993".into()),
        ),
    ];
    for (name, state) in states {
        let mut w = sync_world(state);
        if name == "not_configured" {
            w.app.pane.accounts.clear();
        }
        snap(&format!("sync_{name}"), &mut w);
    }
    let mut w = sync_world(Connectivity::Syncing);
    w.app.on_sync_event(SyncEvent::Progress(Progress {
        phase: Phase::Downloading,
        done: 3,
        total: 12,
        bytes: 46_080,
    }));
    snap("sync_syncing", &mut w);
    w.keys("?");
    snap("sync_help", &mut w);
}

#[test]
fn devices_sharing_a_name_show_their_ids() {
    let mut w = sync_world(Connectivity::Idle);
    let status = w.app.sync.as_mut().unwrap();
    status.devices[1].name = "vm".into();
    status.devices[1].device = "77b1c0de00000000".into();
    status.devices[2].name = "vm".into();
    status.devices[2].device = "9c0ef00d00000000".into();
    let screen = w.screen(100, 30);
    assert!(screen.contains("vm (77b1c0de)"), "{screen}");
    assert!(screen.contains("vm (9c0ef00d)"), "{screen}");
    assert!(screen.contains("laptop  this device"), "{screen}");
}

#[test]
fn lost_server_folders_get_a_line_of_their_own() {
    let mut w = sync_world(Connectivity::Idle);
    let report = crate::sync::engine::SyncReport {
        applied: 1,
        lost_folders: Some("PIM/Devices was deleted".into()),
        republished: 36,
        ..Default::default()
    };
    if let Some(s) = w.app.sync.as_mut() {
        s.last_summary = Some(crate::sync::progress::summary(&report));
    }
    let screen = w.screen(160, 30);
    let line = screen
        .lines()
        .find(|l| l.contains("Server"))
        .unwrap_or_else(|| panic!("no Server line:\n{screen}"));
    assert!(
        line.contains("sync folders lost on the server (PIM/Devices was deleted)"),
        "{line}"
    );
    // Without a loss there is no such line.
    let mut w = sync_world(Connectivity::Idle);
    assert!(!w.screen(160, 30).contains("folders lost"));
}

#[test]
fn conflict_dialog_one_record_at_a_time() {
    let mut w = sync_world(Connectivity::watching(None));
    w.key(KeyCode::Enter);
    snap("sync_conflict_dialog", &mut w);
    // The badge and the queue stay; an edit of a merged value shows its input.
    w.keys("je");
    snap("sync_conflict_edit", &mut w);
}

#[test]
fn history_dialog() {
    let mut w = World::demo();
    let diff = |key: &str, old: &str, new: &str| FieldDiff {
        key: key.into(),
        old: old.into(),
        new: new.into(),
        new_value: props(key, &[new]),
    };
    let entry = |when: &str, dev: &str, what: &str, fields, note: &str| HistoryEntry {
        change_id: format!("{dev}-1"),
        device: dev.into(),
        device_name: dev.into(),
        when: when.into(),
        what: what.into(),
        fields,
        note: note.into(),
    };
    let entries = vec![
        entry(
            "2026-11-20T08:00:00Z",
            "laptop",
            "create",
            vec![
                diff("FN", "", "Ada Byron"),
                diff("EMAIL", "", "ada@example.org"),
            ],
            "",
        ),
        entry(
            "2026-11-25T09:40:00Z",
            "laptop",
            "update",
            vec![diff("FN", "Ada Byron", "Ada Lovelace")],
            "",
        ),
        entry(
            "2026-11-25T09:52:00Z",
            "desktop",
            "update",
            vec![diff("FN", "Ada Byron", "Ada King")],
            "",
        ),
        entry(
            "2026-11-25T09:56:00Z",
            "laptop",
            "lost",
            vec![diff("FN", "", "Ada Lovelace")],
            "lost to resolution theirs (policy ask)",
        ),
    ];
    w.app.overlay = Some(Overlay::History(Box::new(HistoryDialog::new(
        "rec-ada".into(),
        "Ada King".into(),
        entries,
    ))));
    w.keys("j");
    snap("sync_history", &mut w);
}

// ----- behaviour over a real conflict -----

fn contact(store: &mut Store, name: &str) -> Record {
    let mut r = Record::new(Kind::Contact, "default-contact");
    r.set_text("FN", name);
    store
        .write(|w| {
            if w.collection("default-contact").is_err() {
                w.put_collection_with_id("default-contact", Kind::Contact, "Contacts")?;
            }
            w.create(&r)
        })
        .unwrap();
    r
}

fn rename(store: &mut Store, id: &str, name: &str) {
    let mut r = store.require(id).unwrap();
    r.set_text("FN", name);
    store.write(|w| w.update(&r)).unwrap();
}

/// A World (device A) holding a conflict on a contact's name with device B.
fn world_with_conflict() -> (World, Store, String) {
    let mut w = World::empty();
    w.app.overlay = None;
    let mut b = Store::open_in_memory().unwrap();
    let server = MemoryServer::new();
    let mut o = SyncOptions::new(SyncKey::generate());
    o.policy = Policy::Ask;
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let id = contact(&mut w.store, "Quentin Original").id;
    let round = |s: &mut Store| {
        rt.block_on(sync_once(s, &mut server.connect(), &o))
            .unwrap();
    };
    round(&mut w.store);
    round(&mut b);
    rename(&mut w.store, &id, "Quentin Mine");
    // B's edit must be the newer one (clocks tick in milliseconds): then A, whose
    // edit would lose under newest-wins, is the device that asks.
    std::thread::sleep(std::time::Duration::from_millis(5));
    rename(&mut b, &id, "Quentin Theirs");
    round(&mut b);
    round(&mut w.store);
    (w, b, id)
}

#[test]
fn taking_theirs_in_the_dialog_resolves_and_asks_for_a_sync() {
    let (mut w, _b, id) = world_with_conflict();
    w.app.on_sync_event(SyncEvent::State(Connectivity::Idle));
    w.keys("5");
    let status = w.app.sync.clone().unwrap();
    assert_eq!(status.conflicts.len(), 1);
    assert_eq!(status.conflicts[0].theirs.text, "Quentin Theirs");
    assert!(w.screen(100, 30).contains("Sync (1!)"), "badge");

    w.key(KeyCode::Enter);
    assert!(matches!(w.app.overlay, Some(Overlay::Conflict(_))));
    w.keys("t");
    assert!(w.app.overlay.is_none(), "the only conflict is decided");
    assert_eq!(w.store.require(&id).unwrap().title(), "Quentin Theirs");
    assert!(w.app.sync.as_ref().unwrap().conflicts.is_empty());
    assert_eq!(
        w.app.pane.commands,
        vec![SyncCmd::Now],
        "the resolution syncs"
    );
    assert!(!w.screen(100, 30).contains("(1!)"), "badge gone");

    // History shows both edits and the losing value; restoring it is a change.
    w.app.tab = super::app::Tab::Contacts;
    w.keys("2");
    w.keys("H");
    let Some(Overlay::History(h)) = &w.app.overlay else {
        panic!("history opens on H");
    };
    let lost = h
        .rows
        .iter()
        .position(|&(e, _)| h.entries[e].what == "lost");
    let lost = lost.expect("the losing value is in history");
    for _ in 0..lost {
        w.keys("j");
    }
    w.keys("r");
    assert_eq!(w.store.require(&id).unwrap().title(), "Quentin Mine");
}

#[test]
fn same_choice_for_all_and_skip() {
    let (mut w, _b, id) = world_with_conflict();
    let second = contact(&mut w.store, "Other").id;
    // A second queued conflict, made by hand as the engine would.
    w.store
        .write(|wr| {
            crate::store::sync_state::put_conflict(
                wr,
                &crate::store::sync_state::Conflict {
                    id: 0,
                    record_id: second.clone(),
                    kind: "contact".into(),
                    key: "FN".into(),
                    base: props("FN", &["Other"]),
                    local: props("FN", &["Other"]),
                    remote: props("FN", &["Other Remote"]),
                    remote_change: "x-1".into(),
                    remote_hlc: "0".into(),
                    created_at: "2026-11-25T10:00:00Z".into(),
                    resolved_at: String::new(),
                    resolution: String::new(),
                },
            )?;
            Ok(())
        })
        .unwrap();
    w.app.on_sync_event(SyncEvent::State(Connectivity::Idle));
    w.keys("5");
    w.key(KeyCode::Enter);
    w.keys("s");
    let Some(Overlay::Conflict(d)) = &w.app.overlay else {
        panic!("still open after a skip");
    };
    assert_eq!(d.record, second, "skip moved on to the next record");
    w.keys("am");
    assert!(w.app.overlay.is_none());
    let left = crate::sync::setup::conflicts(&w.store).unwrap();
    assert_eq!(left.len(), 1, "all remaining but the skipped: {left:?}");
    assert_eq!(left[0].record_id, id);
    assert_eq!(w.store.require(&id).unwrap().title(), "Quentin Mine");
    assert_eq!(w.store.require(&second).unwrap().title(), "Other");
}

#[test]
fn a_merged_value_typed_in_the_dialog_is_kept() {
    let (mut w, _b, id) = world_with_conflict();
    w.keys("5");
    w.key(KeyCode::Enter);
    w.keys("e");
    w.ctrl('u');
    w.keys("Quentin Merged");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none());
    assert_eq!(w.store.require(&id).unwrap().title(), "Quentin Merged");
    assert!(crate::sync::setup::conflicts(&w.store).unwrap().is_empty());
    // Both other values stay in history as conflict losers.
    let h = crate::sync::review::history(&w.store, &id).unwrap();
    let lost: Vec<&str> = h
        .iter()
        .filter(|e| e.what == "lost")
        .map(|e| e.fields[0].new.as_str())
        .collect();
    assert!(
        lost.contains(&"Quentin Mine") && lost.contains(&"Quentin Theirs"),
        "{lost:?}"
    );
}

/// A watch on a server without IDLE says so, and how often it polls (80x24).
#[test]
fn watching_a_server_without_idle_says_it_polls() {
    let mut w = sync_world(Connectivity::watching(Some(Duration::from_secs(30))));
    let screen = w.screen(80, 24);
    assert!(
        screen.contains("server has no IDLE; polling every 30 s"),
        "{screen}"
    );
    insta::assert_snapshot!("sync_watching_without_idle_80x24", screen);
}

/// At 80 columns the state line wraps instead of being cut, the Devices block
/// keeps its title, and log lines carry the time they happened.
#[test]
fn sync_tab_at_80_columns() {
    let mut w = sync_world(Connectivity::Offline {
        retry_at: chrono::Utc
            .with_ymd_and_hms(2026, 11, 25, 10, 4, 30)
            .unwrap(),
        reason: "cannot reach the mail server: mail.example.org:993: connection refused".into(),
    });
    let at = chrono::Utc
        .with_ymd_and_hms(2026, 11, 25, 9, 58, 7)
        .unwrap();
    w.app.on_sync_event(SyncEvent::Log {
        at,
        line: "the server has news".into(),
    });
    let screen = w.screen(80, 24);
    insta::assert_snapshot!("sync_80x24", screen);
    assert!(screen.contains("connection refused"), "{screen}");
    assert!(screen.contains(" Devices "), "{screen}");
    // Stamped by the sync thread, not with the app's clock (10:00:00).
    assert!(screen.contains("09:58:07 the server has news"), "{screen}");
}

/// Each device's key fingerprint sits under it, and a refused key change stays
/// in the Devices list until dismissed, all within 80 columns (issue 20).
#[test]
fn devices_show_key_fingerprints_and_a_refused_key() {
    let mut w = sync_world(Connectivity::Idle);
    let status = w.app.sync.as_mut().unwrap();
    status.devices.truncate(2);
    status.devices[0].key = Some("3f9a 1b2c 7d8e c2d1".into());
    status.devices[1].key = Some("77b1 0e4f 9a2d 5c38".into());
    status.devices[1].refused =
        Some("another key tried to write as this device on 2026-11-24".into());
    let screen = w.screen(80, 24);
    insta::assert_snapshot!("sync_device_keys_80x24", screen);
    assert!(screen.contains("key 3f9a 1b2c 7d8e c2d1"), "{screen}");
    assert!(screen.contains("key 77b1 0e4f 9a2d 5c38"), "{screen}");
    assert!(screen.contains("another key tried to write"), "{screen}");
}
