//! Editing, moving and deleting occurrences of a recurring event from the calendar:
//! the "this occurrence / this and following / all" question and where the
//! changed occurrence shows afterwards.

use chrono::{TimeZone, Utc};
use crossterm::event::KeyCode;

use super::app::Overlay;
use super::test_support::World;
use crate::app::records::{EditContext, Field, RecordEdit, save};
use crate::model::Kind;
use crate::store::Store;

/// A weekly Thursday meeting from tomorrow (Thu 26 Nov), and the world on it.
fn weekly() -> (World, String) {
    let mut store = Store::open_in_memory().unwrap();
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Planning");
    e.set(Field::Start, "2026-11-26 10:00");
    e.set(Field::Duration, "1h");
    e.set(Field::Rrule, "FREQ=WEEKLY;COUNT=5");
    let cx = EditContext {
        now: Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap(),
        tz: crate::model::zonedb::UTC,
    };
    let id = save(&mut store, &e, &cx).unwrap().after.id;
    (World::with_store(store), id)
}

fn goto(w: &mut World, day: &str) {
    w.keys("g");
    w.ctrl('u');
    w.keys(day);
    w.key(KeyCode::Enter);
    assert_eq!(w.app.calendar.selected.to_string(), day);
}

#[test]
fn moving_one_thursday_asks_and_shows_it_on_its_new_day() {
    let (mut w, id) = weekly();
    goto(&mut w, "2026-12-03");
    w.keys("e");
    let Some(Overlay::Scope(q)) = &w.app.overlay else {
        panic!("no question: {:?}", w.app.status.text);
    };
    assert!(
        q.message().contains("Thu 2026-12-03 10:00"),
        "{}",
        q.message()
    );
    let screen = w.screen(80, 24);
    assert!(screen.contains("this and following"), "{screen}");
    w.keys("o");
    let Some(Overlay::Form(form)) = &w.app.overlay else {
        panic!("no form");
    };
    assert!(form.title.contains("2026-12-03"), "{}", form.title);
    assert!(
        form.fields.iter().all(|f| f.key != Some(Field::Rrule)),
        "one occurrence has no rule of its own"
    );
    w.key(KeyCode::Tab);
    w.ctrl('u');
    w.keys("2026-12-04 11:00");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    let r = w.store.require(&id).unwrap();
    assert_eq!(r.body.overrides.len(), 1);
    assert_eq!(
        r.body.overrides[0].prop("DTSTART").unwrap().value,
        "20261204T110000Z"
    );
    // The calendar is on the new day, with the moved occurrence selected.
    assert_eq!(w.app.calendar.selected.to_string(), "2026-12-04");
    let o = w.app.calendar.selected_occ().unwrap();
    assert_eq!(o.start.to_string(), "2026-12-04 11:00:00");
    assert!(
        w.app
            .calendar
            .day(chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap())
            .is_empty()
    );
    // Retitled alone: the list shows the occurrence's own title.
    w.keys("e");
    w.keys("o");
    w.ctrl('u');
    w.keys("Planning (moved)");
    w.key(KeyCode::Enter);
    assert_eq!(
        w.app.calendar.selected_occ().unwrap().title(),
        "Planning (moved)"
    );
    assert_eq!(w.store.require(&id).unwrap().title(), "Planning");
    // Esc asks nothing more and changes nothing.
    w.keys("e");
    w.key(KeyCode::Esc);
    assert!(w.app.overlay.is_none());
}

#[test]
fn deleting_this_and_following_then_undo() {
    let (mut w, id) = weekly();
    let before = w.store.require(&id).unwrap();
    goto(&mut w, "2026-12-10");
    w.keys("d");
    assert!(matches!(w.app.overlay, Some(Overlay::Scope(_))));
    w.keys("f");
    let Some(Overlay::Confirm { message, .. }) = &w.app.overlay else {
        panic!("no confirmation");
    };
    assert!(
        message.contains("this and every later occurrence"),
        "{message}"
    );
    w.keys("y");
    let r = w.store.require(&id).unwrap();
    assert_eq!(
        r.prop("RRULE").unwrap().value,
        "FREQ=WEEKLY;UNTIL=20261210T095959Z"
    );
    assert!(w.app.calendar.selected_occ().is_none());
    w.keys("u");
    assert_eq!(
        w.store.require(&id).unwrap().prop("RRULE"),
        before.prop("RRULE")
    );
}

#[test]
fn editing_this_and_following_starts_a_new_series_and_undo_removes_it() {
    let (mut w, id) = weekly();
    goto(&mut w, "2026-12-10");
    w.keys("e");
    w.keys("f");
    let Some(Overlay::Form(form)) = &w.app.overlay else {
        panic!("no form");
    };
    assert!(form.title.contains("from"), "{}", form.title);
    w.ctrl('u');
    w.keys("Planning 2027");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    assert_eq!(w.store.count(Kind::Event).unwrap(), 2);
    assert_eq!(
        w.app.calendar.selected_occ().unwrap().title(),
        "Planning 2027"
    );
    w.keys("u");
    assert_eq!(w.store.count(Kind::Event).unwrap(), 1);
    assert!(
        w.store
            .require(&id)
            .unwrap()
            .prop("RRULE")
            .unwrap()
            .value
            .contains("COUNT=5")
    );
    // "all" edits the series as before.
    w.keys("e");
    w.keys("a");
    assert!(matches!(w.app.overlay, Some(Overlay::Form(_))));
    assert!(w.app.form_occurrence.is_none());
}

/// A weekly task from tomorrow, due at 18:00, and the world on it.
fn weekly_task() -> (World, String) {
    let mut store = Store::open_in_memory().unwrap();
    let mut e = RecordEdit::create(Kind::Task);
    e.set(Field::Summary, "Water the plants");
    e.set(Field::Due, "2026-11-26 18:00");
    let cx = EditContext {
        now: Utc.with_ymd_and_hms(2026, 11, 25, 10, 0, 0).unwrap(),
        tz: crate::model::zonedb::UTC,
    };
    let mut r = save(&mut store, &e, &cx).unwrap().after;
    r.body
        .main
        .props
        .push(crate::model::Property::new("RRULE", "FREQ=WEEKLY;COUNT=2"));
    store.write(|w| w.update(&r)).unwrap();
    (World::with_store(store), r.id)
}

#[test]
fn space_on_a_repeating_task_completes_its_open_occurrence() {
    let (mut w, id) = weekly_task();
    w.keys("3");
    let due = |w: &World| {
        w.app.tasks.all[w.app.tasks.rows[0].0]
            .task
            .as_ref()
            .unwrap()
            .due
    };
    assert_eq!(due(&w).unwrap().0.to_string(), "2026-11-26 18:00:00");
    w.key(KeyCode::Char(' '));
    let r = w.store.require(&id).unwrap();
    assert_eq!(r.text("STATUS").as_deref(), Some("NEEDS-ACTION"));
    assert_eq!(r.body.overrides.len(), 1);
    assert_eq!(
        r.body.overrides[0].prop("STATUS").unwrap().value,
        "COMPLETED"
    );
    // Still listed as open, now at its next occurrence.
    assert_eq!(w.app.tasks.rows.len(), 1, "{}", w.app.status.text);
    assert_eq!(due(&w).unwrap().0.to_string(), "2026-12-03 18:00:00");
    let screen = w.screen(100, 24);
    assert!(screen.contains("Water the plants"), "{screen}");
    assert!(screen.contains("Repeats"), "{screen}");
    // The last one done: the task is done and leaves the open list.
    w.key(KeyCode::Char(' '));
    assert_eq!(w.store.require(&id).unwrap().body.overrides.len(), 2);
    assert!(w.app.tasks.rows.is_empty());
    // Undo gives the last occurrence back.
    w.keys("u");
    assert_eq!(w.store.require(&id).unwrap().body.overrides.len(), 1);
    assert_eq!(w.app.tasks.rows.len(), 1);
}

#[test]
fn a_repeating_task_asks_which_occurrences_to_edit_or_delete() {
    let (mut w, id) = weekly_task();
    w.keys("3");
    // Edit: the open occurrence only (due later that week).
    w.keys("e");
    let Some(Overlay::Scope(q)) = &w.app.overlay else {
        panic!("no question: {:?}", w.app.status.text);
    };
    assert!(
        q.message().contains("Thu 2026-11-26 18:00"),
        "{}",
        q.message()
    );
    w.keys("o");
    let Some(Overlay::Form(form)) = &w.app.overlay else {
        panic!("no form");
    };
    assert!(form.title.contains("2026-11-26"), "{}", form.title);
    w.key(KeyCode::Tab);
    w.ctrl('u');
    w.keys("2026-11-27 09:00");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{}", w.app.status.text);
    let r = w.store.require(&id).unwrap();
    assert_eq!(r.body.overrides.len(), 1);
    assert_eq!(
        r.body.overrides[0].prop("DUE").unwrap().value,
        "20261127T090000Z"
    );
    assert_eq!(r.prop("DUE").unwrap().value, "20261126T180000Z");
    // Delete: that occurrence; the row moves on to the next one.
    w.keys("d");
    assert!(matches!(w.app.overlay, Some(Overlay::Scope(_))));
    w.keys("o");
    w.keys("y");
    let r = w.store.require(&id).unwrap();
    assert!(r.body.overrides.is_empty());
    assert_eq!(r.prop("EXDATE").unwrap().value, "20261126T180000Z");
    let row = &w.app.tasks.all[w.app.tasks.rows[0].0];
    assert_eq!(
        row.task.as_ref().unwrap().due.unwrap().0.to_string(),
        "2026-12-03 18:00:00"
    );
}
