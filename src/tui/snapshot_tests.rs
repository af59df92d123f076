//! Snapshots of every screen and dialog (TestBackend + insta), with a fixed clock
//! and fixed data. Review changes with `cargo insta review` or by reading the
//! `.snap` files.

use crossterm::event::KeyCode;

use super::test_support::World;
use super::worker::SyncStatus;

fn snap(name: &str, w: &mut World) {
    let screen = w.screen(80, 24);
    insta::assert_snapshot!(name, screen);
}

#[test]
fn calendar_month() {
    let mut w = World::demo();
    snap("calendar_month", &mut w);
}

#[test]
fn calendar_month_large() {
    let mut w = World::demo();
    let screen = w.screen(120, 40);
    insta::assert_snapshot!("calendar_month_large", screen);
}

#[test]
fn calendar_week() {
    let mut w = World::demo();
    w.keys("W");
    snap("calendar_week", &mut w);
}

#[test]
fn calendar_agenda() {
    let mut w = World::demo();
    w.keys("A");
    snap("calendar_agenda", &mut w);
}

#[test]
fn calendar_next_month() {
    let mut w = World::demo();
    w.keys("n");
    snap("calendar_next_month", &mut w);
}

#[test]
fn contacts() {
    let mut w = World::demo();
    w.keys("2jj");
    snap("contacts", &mut w);
}

#[test]
fn contacts_filtered() {
    let mut w = World::demo();
    w.keys("2fgarten");
    snap("contacts_filtered", &mut w);
}

#[test]
fn tasks() {
    let mut w = World::demo();
    w.keys("3jjj");
    snap("tasks", &mut w);
}

#[test]
fn tasks_done() {
    let mut w = World::demo();
    w.keys("3ff");
    snap("tasks_done", &mut w);
}

#[test]
fn notes() {
    let mut w = World::demo();
    w.keys("4G");
    snap("notes", &mut w);
}

#[test]
fn sync_tab() {
    let mut w = World::demo();
    w.keys("5");
    // The device id and edit times are random per database: show fixed ones.
    w.app.sync = Some(SyncStatus {
        device: "3f2a9c4d1e5b7a60".into(),
        pending: 23,
        held: 4,
        recent: vec![
            (
                "2026-11-25T09:58:12.345Z".into(),
                "contact".into(),
                "update".into(),
            ),
            (
                "2026-11-25T09:41:03.001Z".into(),
                "event".into(),
                "create".into(),
            ),
        ],
        last_sync: None,
        records: 36,
        ..Default::default()
    });
    snap("sync", &mut w);
}

#[test]
fn help_overlay() {
    let mut w = World::demo();
    w.keys("3?");
    snap("help_tasks", &mut w);
}

#[test]
fn search_overlay() {
    let mut w = World::demo();
    w.keys("/garten");
    snap("search", &mut w);
}

#[test]
fn event_form_with_error() {
    let mut w = World::demo();
    w.keys("aLunch");
    w.key(KeyCode::Tab);
    w.ctrl('u');
    w.keys("2026-11-31 12:00");
    w.key(KeyCode::Enter);
    snap("event_form_error", &mut w);
}

#[test]
fn contact_form_edit() {
    let mut w = World::demo();
    w.keys("2jje");
    snap("contact_form_edit", &mut w);
}

#[test]
fn task_form_new() {
    let mut w = World::demo();
    w.keys("3a");
    snap("task_form_new", &mut w);
}

#[test]
fn note_editor() {
    let mut w = World::demo();
    w.keys("4e");
    snap("note_editor", &mut w);
}

#[test]
fn confirm_delete() {
    let mut w = World::demo();
    w.keys("d");
    snap("confirm_delete", &mut w);
}

#[test]
fn goto_dialog() {
    let mut w = World::demo();
    w.keys("g");
    w.ctrl('u');
    w.keys("next tuesday");
    w.key(KeyCode::Enter);
    snap("goto_error", &mut w);
}

#[test]
fn demo_offer() {
    let mut w = World::empty();
    snap("demo_offer", &mut w);
}

#[test]
fn empty_tabs() {
    let mut w = World::empty();
    w.keys("n3");
    snap("tasks_empty", &mut w);
}

#[test]
fn calendar_busy_day() {
    let mut w = World::empty();
    w.keys("n");
    let cal = w
        .store
        .default_collection(crate::model::Kind::Event)
        .unwrap()
        .id;
    w.store
        .write(|wr| {
            for h in 0..14 {
                let mut r = crate::model::Record::new(crate::model::Kind::Event, &cal);
                r.set_text("SUMMARY", &format!("Slot {h:02}"));
                let s = format!("20261125T{:02}0000", 6 + h);
                let e = format!("20261125T{:02}3000", 6 + h);
                r.body
                    .main
                    .props
                    .push(crate::model::Property::new("DTSTART", s));
                r.body
                    .main
                    .props
                    .push(crate::model::Property::new("DTEND", e));
                wr.create(&r)?;
            }
            Ok(())
        })
        .unwrap();
    w.ctrl('r');
    for _ in 0..9 {
        w.keys("J");
    }
    snap("calendar_busy_day", &mut w);
    w.keys("W");
    snap("calendar_busy_week", &mut w);
}
