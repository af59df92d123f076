//! Key handling on app state, without a terminal.

use crossterm::event::KeyCode;

use super::app::{Overlay, Tab};
use super::calendar::CalMode;
use super::test_support::{World, today};
use crate::model::Kind;
use crate::store::LogFilter;

#[test]
fn number_keys_and_tab_switch_tabs_and_q_quits() {
    let mut w = World::demo();
    assert_eq!(w.app.tab, Tab::Calendar);
    w.keys("3");
    assert_eq!(w.app.tab, Tab::Tasks);
    w.key(KeyCode::Tab);
    assert_eq!(w.app.tab, Tab::Notes);
    w.key(KeyCode::BackTab);
    w.key(KeyCode::BackTab);
    assert_eq!(w.app.tab, Tab::Contacts);
    w.keys("5");
    assert_eq!(w.app.tab, Tab::Sync);
    w.key(KeyCode::Tab);
    assert_eq!(w.app.tab, Tab::Calendar);
    assert!(!w.app.quit);
    w.keys("q");
    assert!(w.app.quit);
}

#[test]
fn first_run_offers_demo_data() {
    let mut w = World::empty();
    assert!(matches!(w.app.overlay, Some(Overlay::DemoOffer)));
    w.keys("y");
    assert!(w.app.overlay.is_none());
    assert!(w.store.count(Kind::Contact).unwrap() > 5);
    assert!(!w.app.contacts.loaded, "lists load when their tab is shown");
    w.keys("2");
    assert!(w.app.contacts.all.len() > 5);
    let mut w = World::empty();
    w.keys("n");
    assert!(w.app.overlay.is_none());
    assert_eq!(w.store.count(Kind::Contact).unwrap(), 0);
}

#[test]
fn create_a_contact_through_the_form() {
    let mut w = World::empty();
    w.keys("n2a");
    assert!(matches!(w.app.overlay, Some(Overlay::Form(_))));
    w.keys("Ada Lovelace");
    w.key(KeyCode::Tab);
    w.key(KeyCode::Tab);
    w.keys("ada@example.org (work)");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none(), "{:?}", w.app.status.text);
    let all = w.store.list(Kind::Contact, None).unwrap();
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].title(), "Ada Lovelace");
    assert_eq!(all[0].prop("EMAIL").unwrap().param("TYPE"), Some("work"));
    assert_eq!(w.app.contacts.selected().unwrap().id, all[0].id);
    assert!(w.app.status.text.starts_with("created contact"));
}

#[test]
fn a_bad_date_stays_in_the_form_and_saves_nothing() {
    let mut w = World::empty();
    w.keys("n1a");
    w.keys("Meeting");
    w.key(KeyCode::Tab);
    w.ctrl('u');
    w.keys("2026-02-30 10:00");
    w.key(KeyCode::Enter);
    let Some(Overlay::Form(f)) = &w.app.overlay else {
        panic!("form closed");
    };
    assert!(
        f.error
            .as_deref()
            .unwrap()
            .starts_with("Start: invalid date/time")
    );
    assert_eq!(w.store.count(Kind::Event).unwrap(), 0);
    assert!(
        w.store
            .log(&LogFilter::default())
            .unwrap()
            .iter()
            .all(|c| c.kind == "collection")
    );
    // Fixed, it saves, and the calendar jumps to the day with the event selected.
    w.ctrl('u');
    w.keys("2026-12-03 10:00");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none());
    assert_eq!(w.app.calendar.selected.to_string(), "2026-12-03");
    assert_eq!(
        w.app.calendar.selected_occ().unwrap().record.title(),
        "Meeting"
    );
}

#[test]
fn delete_asks_first_and_undo_recreates_through_the_log() {
    let mut w = World::demo();
    w.keys("2");
    let before = w.store.count(Kind::Contact).unwrap();
    let id = w.app.contacts.selected().unwrap().id.clone();
    w.keys("d");
    assert!(matches!(w.app.overlay, Some(Overlay::Confirm { .. })));
    w.keys("n");
    assert_eq!(w.store.count(Kind::Contact).unwrap(), before);
    w.keys("dy");
    assert_eq!(w.store.count(Kind::Contact).unwrap(), before - 1);
    w.keys("u");
    assert_eq!(w.store.count(Kind::Contact).unwrap(), before);
    assert!(
        w.store.get(&id).unwrap().is_some(),
        "undo brings back the same record"
    );
    let log = w
        .store
        .log(&LogFilter {
            record_id: Some(id),
            ..Default::default()
        })
        .unwrap();
    let ops: Vec<&str> = log
        .iter()
        .map(|c| match c.op {
            crate::model::Op::Create { .. } => "create",
            crate::model::Op::Delete { .. } => "delete",
            _ => "other",
        })
        .collect();
    assert_eq!(ops, ["create", "delete", "create"]);
    w.keys("u");
    assert_eq!(w.app.status.text, "nothing to undo");
}

#[test]
fn edit_then_undo_restores_the_old_value() {
    let mut w = World::demo();
    w.keys("3");
    let id = w.app.tasks.selected().unwrap().id.clone();
    let old = w.store.get(&id).unwrap().unwrap();
    w.keys("e");
    w.ctrl('u');
    w.keys("Renamed");
    w.key(KeyCode::Enter);
    assert_eq!(w.store.get(&id).unwrap().unwrap().title(), "Renamed");
    w.keys("u");
    assert_eq!(w.store.get(&id).unwrap().unwrap(), old);
}

#[test]
fn space_toggles_done_and_filters_cycle() {
    let mut w = World::demo();
    w.keys("3");
    let open = w.app.tasks.rows.len();
    let t = w.app.tasks.selected().unwrap().clone();
    w.key(KeyCode::Char(' '));
    let r = w.store.get(&t.id).unwrap().unwrap();
    assert_eq!(r.text("STATUS").as_deref(), Some("COMPLETED"));
    assert_eq!(r.text("PERCENT-COMPLETE").as_deref(), Some("100"));
    assert!(r.prop("COMPLETED").is_some());
    assert_eq!(
        w.app.tasks.rows.len(),
        open - 1,
        "done tasks leave the open list"
    );
    w.keys("ff");
    assert_eq!(w.app.tasks.filter.label(), "done");
    let done = w
        .app
        .tasks
        .rows
        .iter()
        .map(|&(i, _)| w.app.tasks.all[i].id.clone())
        .collect::<Vec<_>>();
    assert!(done.contains(&t.id));
    let pos = done.iter().position(|x| *x == t.id).unwrap();
    w.app.tasks.cursor.selected = pos;
    w.app.tasks.sync();
    w.key(KeyCode::Char(' '));
    let r = w.store.get(&t.id).unwrap().unwrap();
    assert_eq!(r.text("STATUS").as_deref(), Some("NEEDS-ACTION"));
    assert!(r.prop("COMPLETED").is_none() && r.prop("PERCENT-COMPLETE").is_none());
}

#[test]
fn subtasks_are_created_under_the_selected_task() {
    let mut w = World::demo();
    w.keys("3");
    let pos = w
        .app
        .tasks
        .rows
        .iter()
        .position(|&(i, _)| w.app.tasks.all[i].title == "Prepare conference talk")
        .unwrap();
    w.app.tasks.cursor.selected = pos;
    w.app.tasks.sync();
    let parent_uid = w.app.tasks.selected().unwrap().uid().unwrap().to_string();
    w.keys("SBook the hotel");
    w.key(KeyCode::Enter);
    let sel = w.app.tasks.selected().unwrap();
    assert_eq!(sel.title(), "Book the hotel");
    assert_eq!(sel.text("RELATED-TO").as_deref(), Some(parent_uid.as_str()));
    let depth = w.app.tasks.rows[w.app.tasks.cursor.selected].1;
    assert_eq!(depth, 1);
}

#[test]
fn incremental_filter_and_vim_or_arrow_moves() {
    let mut w = World::demo();
    w.keys("2");
    w.key(KeyCode::Char('j'));
    w.key(KeyCode::Down);
    assert_eq!(w.app.contacts.cursor.selected, 2);
    w.key(KeyCode::Char('k'));
    assert_eq!(w.app.contacts.cursor.selected, 1);
    w.keys("facme");
    assert_eq!(w.app.contacts.visible.len(), 1);
    assert_eq!(w.app.contacts.selected().unwrap().title(), "Jonas Becker");
    w.key(KeyCode::Esc);
    assert_eq!(w.app.contacts.visible.len(), w.app.contacts.all.len());
    w.keys("q");
    assert!(w.app.quit, "q quits again once the filter is closed");
}

#[test]
fn search_jumps_to_the_event_in_the_calendar() {
    let mut w = World::demo();
    w.keys("4/dentist");
    assert_eq!(w.app.tab, Tab::Notes);
    let Some(Overlay::Search(sb)) = &w.app.overlay else {
        panic!("no search box");
    };
    assert!(!sb.results.is_empty());
    let pos = sb
        .results
        .iter()
        .position(|r| r.kind == Kind::Event)
        .unwrap();
    for _ in 0..pos {
        w.key(KeyCode::Down);
    }
    w.key(KeyCode::Enter);
    assert_eq!(w.app.tab, Tab::Calendar);
    assert_eq!(w.app.calendar.selected, today());
    assert_eq!(
        w.app.calendar.selected_occ().unwrap().record.title(),
        "Dentist"
    );
}

#[test]
fn calendar_navigation_views_and_goto() {
    let mut w = World::demo();
    w.keys("l");
    assert_eq!(w.app.calendar.selected.to_string(), "2026-11-26");
    w.keys("jn");
    assert_eq!(w.app.calendar.selected.to_string(), "2027-01-03");
    assert_eq!(w.app.calendar.loaded.unwrap().0.to_string(), "2026-12-28");
    w.keys("t");
    assert_eq!(w.app.calendar.selected, today());
    w.keys("v");
    assert_eq!(w.app.calendar.mode, CalMode::Week);
    w.keys("v");
    assert_eq!(w.app.calendar.mode, CalMode::Agenda);
    w.keys("M");
    assert_eq!(w.app.calendar.mode, CalMode::Month);
    w.keys("g");
    w.ctrl('u');
    w.keys("2026-31-31");
    w.key(KeyCode::Enter);
    assert!(matches!(
        &w.app.overlay,
        Some(Overlay::Goto { error: Some(_), .. })
    ));
    w.ctrl('u');
    w.keys("2027-03-14");
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none());
    assert_eq!(w.app.calendar.selected.to_string(), "2027-03-14");
}

#[test]
fn agenda_moves_event_by_event() {
    let mut w = World::demo();
    w.keys("A");
    let first = w.app.calendar.selected_occ().unwrap().record.title();
    assert_eq!(first, "Dentist");
    w.keys("j");
    assert_eq!(w.app.calendar.selected.to_string(), "2026-11-26");
    assert_eq!(
        w.app.calendar.selected_occ().unwrap().record.title(),
        "Design review: sync engine"
    );
}

#[test]
fn notes_edit_in_the_text_area() {
    let mut w = World::demo();
    w.keys("4");
    w.keys("a");
    w.keys("Groceries");
    w.key(KeyCode::Tab);
    w.keys("milk");
    w.key(KeyCode::Enter);
    w.keys("eggs");
    w.ctrl('s');
    assert!(w.app.overlay.is_none());
    let n = w.app.notes.selected().unwrap();
    assert_eq!(n.title(), "Groceries");
    assert_eq!(n.text("DESCRIPTION").as_deref(), Some("milk\neggs"));
    // The $EDITOR path: the loop picks the note up, the text comes back.
    w.keys("E");
    let note = w.app.external_edit.take().unwrap();
    w.app
        .external_done(&note, "Groceries\n\nmilk\neggs\nbread\n")
        .unwrap();
    w.pump();
    assert_eq!(
        w.app
            .notes
            .selected()
            .unwrap()
            .text("DESCRIPTION")
            .as_deref(),
        Some("milk\neggs\nbread")
    );
}

#[test]
fn help_lists_the_bindings_of_the_current_view() {
    let mut w = World::demo();
    w.keys("3?");
    assert!(matches!(w.app.overlay, Some(Overlay::Help)));
    let screen = w.screen(100, 40);
    assert!(screen.contains("mark the task done"));
    assert!(!screen.contains("next month"));
    w.key(KeyCode::Esc);
    assert!(w.app.overlay.is_none());
}

#[test]
fn sync_status_counts_what_is_not_uploaded() {
    let mut w = World::demo();
    w.keys("5");
    let s = w.app.sync.clone().unwrap();
    let unsubmitted = w
        .store
        .log(&LogFilter {
            unsubmitted_only: true,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(s.pending, unsubmitted.len());
    assert_eq!(s.device, w.store.device());
    assert_eq!(s.last_sync, None);
    assert_eq!(s.recent[0].2, "create");
    w.store
        .set_meta("last_sync", "2026-11-25T09:00:00Z")
        .unwrap();
    w.keys("1");
    w.keys("5");
    assert_eq!(
        w.app.sync.as_ref().unwrap().last_sync.as_deref(),
        Some("2026-11-25T09:00:00Z")
    );
}

#[test]
fn recurring_events_show_on_every_occurrence() {
    let w = World::demo_recurring();
    let monday = super::calendar::week_start(today());
    let standups = (0..7)
        .map(|i| monday + chrono::Duration::days(i))
        .filter(|d| {
            w.app
                .calendar
                .day(*d)
                .iter()
                .any(|o| o.record.title() == "Team stand-up")
        })
        .count();
    assert_eq!(standups, 5, "Monday to Friday");
    // The piano lesson is weekly on Saturdays except the excluded one.
    let pianos: Vec<_> = w
        .app
        .calendar
        .occs
        .iter()
        .filter(|o| o.record.title() == "Piano lesson")
        .map(|o| o.start.date())
        .collect();
    // Weekly from Sat 21 Nov; the EXDATE takes out Sat 5 Dec, the last in the grid.
    let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    assert_eq!(pianos, vec![d(11, 21), d(11, 28)]);
    assert_eq!(w.app.calendar.window().1, d(12, 7));
}
