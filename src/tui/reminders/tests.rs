use chrono::TimeZone;
use crossterm::event::KeyCode;

use crate::app::records::{self, EditContext, Field, RecordEdit};
use crate::model::Kind;
use crate::tui::app::{Overlay, Tab};
use crate::tui::test_support::World;

fn at(d: u32, h: u32, mi: u32) -> chrono::DateTime<chrono::Utc> {
    chrono::Utc.with_ymd_and_hms(2026, 11, d, h, mi, 0).unwrap()
}

/// A world with a daily standup at 10:00 from 26 November, reminding 15 minutes before.
fn standup() -> (World, String) {
    let mut store = crate::store::Store::open_in_memory().unwrap();
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Standup");
    e.set(Field::Start, "2026-11-26 10:00");
    e.set(Field::Rrule, "daily");
    e.set(Field::Location, "Room 4");
    e.set(Field::Alarms, "-15m");
    let cx = EditContext {
        now: at(25, 10, 0),
        tz: crate::model::zonedb::UTC,
    };
    let id = records::save(&mut store, &e, &cx).unwrap().after.id;
    (World::with_store(store), id)
}

fn check_at(w: &mut World, now: chrono::DateTime<chrono::Utc>) {
    w.app.set_now(now);
    w.app.check_reminders();
    w.pump();
}

fn popup_open(w: &World) -> bool {
    matches!(w.app.overlay, Some(Overlay::Reminders(_)))
}

#[test]
fn a_due_reminder_pops_up_over_any_tab_with_a_count() {
    let (mut w, _) = standup();
    w.keys("3");
    check_at(&mut w, at(26, 9, 44));
    assert!(!popup_open(&w));
    check_at(&mut w, at(26, 9, 45));
    assert!(popup_open(&w));
    assert_eq!(w.app.tab, Tab::Tasks);
    let screen = w.screen(80, 24);
    insta::assert_snapshot!("reminder_popup", screen);
    // Esc hides it; the reminder stays due and counted; it does not ring again.
    w.key(KeyCode::Esc);
    assert!(!popup_open(&w));
    check_at(&mut w, at(26, 9, 46));
    assert!(!popup_open(&w));
    assert!(w.screen(80, 24).contains("1 reminder"));
}

#[test]
fn dismiss_writes_the_record_and_the_next_day_rings_again() {
    let (mut w, id) = standup();
    check_at(&mut w, at(26, 9, 50));
    w.keys("d");
    assert!(!popup_open(&w));
    assert_eq!(w.app.reminders_due, 0);
    let r = w.store.require(&id).unwrap();
    assert!(r.body.main.subs[0].prop("ACKNOWLEDGED").is_some());
    check_at(&mut w, at(27, 9, 46));
    assert!(popup_open(&w));
}

#[test]
fn snooze_rings_again_after_ten_minutes() {
    let (mut w, _) = standup();
    check_at(&mut w, at(26, 9, 45));
    w.keys("s");
    assert!(!popup_open(&w));
    assert!(
        w.app.status.text.contains("snoozed"),
        "{}",
        w.app.status.text
    );
    check_at(&mut w, at(26, 9, 54));
    assert!(!popup_open(&w));
    check_at(&mut w, at(26, 9, 55));
    assert!(popup_open(&w));
}

#[test]
fn a_reminder_another_process_rang_is_counted_not_rung() {
    let (mut w, _) = standup();
    // `pim remind --watch` on the same profile got there first.
    let rang = crate::app::reminders::claim_due(&w.store, at(26, 9, 45), crate::model::zonedb::UTC)
        .unwrap();
    assert_eq!(rang.len(), 1);
    check_at(&mut w, at(26, 9, 46));
    assert!(!popup_open(&w));
    assert_eq!(w.app.reminders_due, 1);
}

#[test]
fn enter_opens_the_occurrence_in_the_calendar() {
    let (mut w, _) = standup();
    w.keys("2");
    check_at(&mut w, at(28, 9, 45));
    w.key(KeyCode::Enter);
    assert!(!popup_open(&w));
    assert_eq!(w.app.tab, Tab::Calendar);
    assert_eq!(
        w.app.calendar.selected,
        chrono::NaiveDate::from_ymd_opt(2026, 11, 28).unwrap()
    );
}

#[test]
fn a_reminder_that_rings_during_a_form_shows_when_it_closes() {
    let (mut w, _) = standup();
    w.keys("a");
    assert!(matches!(w.app.overlay, Some(Overlay::Form(_))));
    check_at(&mut w, at(26, 9, 45));
    assert!(matches!(w.app.overlay, Some(Overlay::Form(_))));
    w.key(KeyCode::Esc);
    assert!(popup_open(&w));
}

#[test]
fn a_birthday_reminder_pops_up_and_d_dismisses_this_years() {
    let mut store = crate::store::Store::open_in_memory().unwrap();
    let book = store.default_collection(Kind::Contact).unwrap();
    let mut ada = crate::model::Record::new(Kind::Contact, &book.id);
    ada.set_text("FN", "Ada");
    ada.body
        .main
        .props
        .push(crate::model::Property::new("BDAY", "19851127"));
    store.write(|w| w.create(&ada)).unwrap();
    crate::app::reminders::set_default_alarms(
        &mut store,
        &book.id,
        "+9h",
        at(1, 0, 0),
        crate::model::zonedb::UTC,
    )
    .unwrap();
    let mut w = World::with_store(store);
    check_at(&mut w, at(27, 9, 0));
    assert!(popup_open(&w));
    assert!(w.screen(80, 24).contains("Ada's birthday (41)"));
    w.keys("d");
    assert!(!popup_open(&w));
    assert_eq!(w.app.reminders_due, 0);
    let r = w.store.require(&ada.id).unwrap();
    assert!(r.prop("X-PIM-ACKNOWLEDGED").is_some());
    let next_year = chrono::Utc.with_ymd_and_hms(2027, 11, 27, 9, 0, 0).unwrap();
    check_at(&mut w, next_year);
    assert!(popup_open(&w));
}

/// `n` reminders ringing at once, each of its own record id.
fn many(w: &World, n: usize) -> Vec<crate::tui::reminders::Ringing> {
    let record = w.store.list(Kind::Event, None).unwrap().remove(0);
    (0..n)
        .map(|i| crate::tui::reminders::Ringing {
            reminder: crate::app::reminders::Reminder {
                id: format!("id-{i}"),
                kind: Kind::Event,
                summary: format!("mass {i}"),
                location: None,
                start: at(26, 10, 0).fixed_offset(),
                all_day: false,
                occurrence: None,
                trigger: at(26, 9, 45),
                snoozed: false,
            },
            record: record.clone(),
        })
        .collect()
}

/// Twenty thousand reminders due at once (an imported calendar with an alarm on
/// every event) froze the TUI for minutes: each new one was compared with every
/// one already ringing by a formatted key. The popup opens at once.
#[test]
fn thousands_of_reminders_ringing_at_once_open_the_popup_at_once() {
    let (mut w, _) = standup();
    let ringing = many(&w, 20_000);
    let started = std::time::Instant::now();
    w.app.on_reminders(ringing.clone(), 20_000);
    // The next check brings the same ones again: none rings twice.
    w.app.on_reminders(ringing, 20_000);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(w.app.ringing.len(), 20_000);
    assert!(popup_open(&w));
}

/// The popup listed every reminder from the top and cut at its height: moving the
/// selection past the bottom hid it, and `d` dismissed a reminder the user could not
/// see. The list scrolls to keep the selected one in view.
#[test]
fn the_selected_reminder_stays_in_view() {
    let (mut w, _) = standup();
    w.app.on_reminders(many(&w, 40), 40);
    for _ in 0..30 {
        w.key(KeyCode::Down);
    }
    let screen = w.screen(80, 24);
    assert!(screen.contains("mass 30"), "{screen}");
    // And a count beyond what a u16 holds draws.
    let mut w2 = standup().0;
    w2.app.on_reminders(many(&w2, 65_534), 65_534);
    w2.screen(80, 24);
}
