//! Issue 17 in the TUI: the computed birthday calendar is shown and read-only.

use crossterm::event::KeyCode;

use super::app::Tab;
use super::test_support::World;
use crate::model::{Kind, Property, Record};
use crate::store::Store;

#[test]
fn a_birthday_shows_in_the_calendar_and_opens_its_contact() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut ada = Record::new(Kind::Contact, &coll);
    ada.set_text("FN", "Ada Lovelace");
    ada.body.main.props.push(Property::new("BDAY", "19851127"));
    store.write(|w| w.create(&ada)).unwrap();
    let mut w = World::with_store(store);
    assert_eq!(w.app.tab, Tab::Calendar);
    // Today is 2026-11-25: two days on.
    w.keys("ll");
    let occ = w.app.calendar.selected_occ().expect("the birthday");
    assert_eq!(occ.record.title(), "Ada Lovelace's birthday (41)");
    assert!(occ.all_day);
    let screen = w.screen(100, 30);
    assert!(screen.contains("Ada Lovelace's birthday (41)"), "{screen}");
    // Read-only: delete refuses, nothing changes.
    w.keys("d");
    assert!(w.app.overlay.is_none());
    assert!(w.app.status.text.contains("birthdays come from contacts"));
    assert_eq!(w.store.count(Kind::Contact).unwrap(), 1);
    // Enter opens the contact it comes from.
    w.key(KeyCode::Enter);
    assert!(w.app.overlay.is_none());
    assert_eq!(w.app.tab, Tab::Contacts);
    assert_eq!(w.app.contacts.selected().unwrap().id, ada.id);
}

#[test]
fn a_contacts_pane_lists_the_events_they_attend() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut ada = Record::new(Kind::Contact, &coll);
    ada.set_text("FN", "Ada Lovelace");
    ada.body
        .main
        .props
        .push(Property::new("EMAIL", "ada@example.org"));
    store.write(|w| w.create(&ada)).unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    for (summary, start) in [
        ("Planning", "20261201T100000Z"),
        ("Retro", "20261120T100000Z"),
    ] {
        let mut e = Record::new(Kind::Event, &cal);
        e.set_text("SUMMARY", summary);
        e.body.main.props.push(Property::new("DTSTART", start));
        e.body.main.props.push(Property::new("DURATION", "PT1H"));
        e.body
            .main
            .props
            .push(Property::new("ATTENDEE", "mailto:ada@example.org"));
        store.write(|w| w.create(&e)).unwrap();
    }
    let mut w = World::with_store(store);
    w.keys("2");
    assert_eq!(w.app.contacts.selected().unwrap().id, ada.id);
    let screen = w.screen(120, 30);
    assert!(screen.contains("Upcoming"), "{screen}");
    assert!(
        screen.contains("Tue 01 Dec 10:00  Planning (attendee)"),
        "{screen}"
    );
    assert!(screen.contains("Recent"), "{screen}");
    assert!(
        screen.contains("Fri 20 Nov 10:00  Retro (attendee)"),
        "{screen}"
    );
}

#[test]
fn an_events_attendee_opens_their_contact() {
    let mut store = Store::open_in_memory().unwrap();
    let coll = store.default_collection(Kind::Contact).unwrap().id;
    let mut bob = Record::new(Kind::Contact, &coll);
    bob.set_text("FN", "Bob Builder");
    bob.body
        .main
        .props
        .push(Property::new("EMAIL", "bob@example.org"));
    store.write(|w| w.create(&bob)).unwrap();
    let cal = store.default_collection(Kind::Event).unwrap().id;
    let mut e = Record::new(Kind::Event, &cal);
    e.set_text("SUMMARY", "Planning");
    for (name, value) in [
        ("DTSTART", "20261125T150000Z"),
        ("DURATION", "PT1H"),
        ("ORGANIZER", "mailto:ada@example.org"),
    ] {
        e.body.main.props.push(Property::new(name, value));
    }
    e.body
        .main
        .props
        .push(Property::new("ATTENDEE", "mailto:Bob@Example.org").with_param("CN", "Bob"));
    store.write(|w| w.create(&e)).unwrap();
    let mut w = World::with_store(store);
    assert_eq!(
        w.app.calendar.selected_occ().unwrap().record.title(),
        "Planning"
    );
    w.keys("P");
    let screen = w.screen(100, 30);
    assert!(screen.contains("ada@example.org (organizer)"), "{screen}");
    assert!(screen.contains("Bob <bob@example.org>"), "{screen}");
    // The organizer has no contact: said so, nothing else happens.
    w.key(KeyCode::Enter);
    assert!(
        w.app
            .status
            .text
            .contains("no contact has the address ada@example.org")
    );
    assert_eq!(w.app.tab, Tab::Calendar);
    w.keys("Pj");
    w.key(KeyCode::Enter);
    assert_eq!(w.app.tab, Tab::Contacts);
    assert_eq!(w.app.contacts.selected().unwrap().id, bob.id);
}
