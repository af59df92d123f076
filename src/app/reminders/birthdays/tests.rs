use chrono::TimeZone;

use super::*;
use crate::app::reminders::{self, set_default_alarms};

const UTC: Tz = crate::model::zonedb::UTC;

fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

/// A store with one contact born on `bday`; returns the contact's id.
fn with_contact(store: &mut Store, name: &str, bday: &str) -> String {
    let book = store.default_collection(Kind::Contact).unwrap();
    let mut r = Record::new(Kind::Contact, &book.id);
    r.set_text("FN", name);
    r.body.main.props.push(Property::new("BDAY", bday));
    store.write(|w| w.create(&r)).unwrap();
    r.id
}

fn remind_at(store: &mut Store, text: &str) {
    let book = store.default_collection(Kind::Contact).unwrap();
    set_default_alarms(store, &book.id, text, at(2026, 1, 1, 0, 0), UTC).unwrap();
}

fn due_at(store: &Store, now: DateTime<Utc>) -> Vec<String> {
    reminders::due(store, now, UTC)
        .unwrap()
        .iter()
        .map(|r| {
            format!(
                "{} {}{}",
                r.summary,
                r.trigger.format("%Y-%m-%d %H:%M"),
                if r.snoozed { " snoozed" } else { "" }
            )
        })
        .collect()
}

#[test]
fn off_until_the_address_book_has_alarms() {
    let mut store = Store::open_in_memory().unwrap();
    with_contact(&mut store, "Ada", "19851208");
    assert!(due_at(&store, at(2026, 12, 7, 9, 0)).is_empty());
    remind_at(&mut store, "-15h");
    assert!(due_at(&store, at(2026, 12, 7, 8, 59)).is_empty());
    assert_eq!(
        due_at(&store, at(2026, 12, 7, 9, 0)),
        ["Ada's birthday (41) 2026-12-07 09:00"]
    );
    let r = &reminders::due(&store, at(2026, 12, 7, 9, 0), UTC).unwrap()[0];
    assert_eq!((r.kind, r.all_day), (Kind::Contact, true));
    assert_eq!(r.start.with_timezone(&Utc), at(2026, 12, 8, 0, 0));
    assert_eq!(
        reminders::next_trigger(&store, at(2026, 12, 6, 0, 0), at(2026, 12, 9, 0, 0), UTC).unwrap(),
        Some(at(2026, 12, 7, 9, 0))
    );
    // Gone after a day, like any missed reminder.
    assert!(due_at(&store, at(2026, 12, 8, 9, 1)).is_empty());
}

#[test]
fn the_day_is_local_midnight_in_the_users_zone() {
    let mut store = Store::open_in_memory().unwrap();
    with_contact(&mut store, "Ada", "--1208");
    remind_at(&mut store, "+9h");
    let berlin = crate::model::zonedb::Tz::known("Europe/Berlin");
    let due = reminders::due(&store, at(2026, 12, 8, 8, 0), berlin).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].trigger, at(2026, 12, 8, 8, 0));
    assert_eq!(due[0].summary, "Ada's birthday");
}

#[test]
fn dismissing_this_years_birthday_leaves_next_years_and_the_other_alarm() {
    let mut store = Store::open_in_memory().unwrap();
    let id = with_contact(&mut store, "Ada", "19851208");
    remind_at(&mut store, "-15h, +9h");
    let done = reminders::dismiss(&mut store, &id, None, at(2026, 12, 7, 9, 5), UTC).unwrap();
    assert_eq!(done[0].summary, "Ada's birthday (41)");
    assert!(due_at(&store, at(2026, 12, 7, 9, 10)).is_empty());
    // The contact carries the dismissal (an ordinary change: it syncs).
    let ada = store.get(&id).unwrap().unwrap();
    let ack = ada.prop(ACKNOWLEDGED).unwrap();
    assert_eq!(
        (ack.value.as_str(), ack.param(OCCASION)),
        ("20261207T090500Z", Some("BDAY"))
    );
    // The day's own alarm still rings, then next year's.
    assert_eq!(
        due_at(&store, at(2026, 12, 8, 9, 0)),
        ["Ada's birthday (41) 2026-12-08 09:00"]
    );
    reminders::dismiss(&mut store, &id, None, at(2026, 12, 8, 9, 1), UTC).unwrap();
    assert!(due_at(&store, at(2026, 12, 8, 9, 2)).is_empty());
    assert_eq!(
        due_at(&store, at(2027, 12, 7, 9, 0)),
        ["Ada's birthday (42) 2027-12-07 09:00"]
    );
    assert!(matches!(
        reminders::dismiss(&mut store, &id, None, at(2026, 12, 8, 9, 3), UTC),
        Err(RemindError::NothingDue(_))
    ));
}

#[test]
fn a_named_day_is_dismissed_in_advance() {
    let mut store = Store::open_in_memory().unwrap();
    let id = with_contact(&mut store, "Ada", "19851208");
    remind_at(&mut store, "-15h, +9h");
    reminders::dismiss(
        &mut store,
        &id,
        Some("2026-12-08"),
        at(2026, 12, 1, 0, 0),
        UTC,
    )
    .unwrap();
    assert!(due_at(&store, at(2026, 12, 7, 9, 0)).is_empty());
    assert!(due_at(&store, at(2026, 12, 8, 9, 0)).is_empty());
    assert_eq!(due_at(&store, at(2027, 12, 7, 9, 0)).len(), 1);
    let err = reminders::dismiss(
        &mut store,
        &id,
        Some("2026-12-09"),
        at(2026, 12, 1, 0, 0),
        UTC,
    )
    .unwrap_err();
    assert!(matches!(err, RemindError::NoOccurrence { .. }), "{err}");
}

#[test]
fn a_snooze_rings_again_and_is_dismissed_with_the_day() {
    let mut store = Store::open_in_memory().unwrap();
    let id = with_contact(&mut store, "Ada", "19851208");
    remind_at(&mut store, "-15h");
    let now = at(2026, 12, 7, 9, 5);
    let done = reminders::snooze(&mut store, &id, Duration::minutes(10), None, now, UTC).unwrap();
    assert_eq!(done[0].trigger, at(2026, 12, 7, 9, 15));
    assert!(due_at(&store, at(2026, 12, 7, 9, 14)).is_empty());
    assert_eq!(
        reminders::next_trigger(&store, now, at(2026, 12, 8, 0, 0), UTC).unwrap(),
        Some(at(2026, 12, 7, 9, 15))
    );
    assert_eq!(
        due_at(&store, at(2026, 12, 7, 9, 15)),
        ["Ada's birthday (41) 2026-12-07 09:15 snoozed"]
    );
    reminders::dismiss(&mut store, &id, None, at(2026, 12, 7, 9, 20), UTC).unwrap();
    assert!(due_at(&store, at(2026, 12, 7, 9, 21)).is_empty());
    let ada = store.get(&id).unwrap().unwrap();
    assert!(ada.prop(SNOOZED).is_none(), "the dismissed snooze goes");
}

#[test]
fn the_29th_of_february_rings_on_the_28th_in_other_years() {
    let mut store = Store::open_in_memory().unwrap();
    let id = with_contact(&mut store, "Lea", "--0229");
    remind_at(&mut store, "+9h");
    assert_eq!(
        due_at(&store, at(2027, 2, 28, 9, 0)),
        ["Lea's birthday 2027-02-28 09:00"]
    );
    reminders::dismiss(&mut store, &id, None, at(2027, 2, 28, 9, 1), UTC).unwrap();
    assert!(due_at(&store, at(2027, 2, 28, 9, 2)).is_empty());
    assert!(due_at(&store, at(2028, 2, 28, 9, 0)).is_empty());
    assert_eq!(
        due_at(&store, at(2028, 2, 29, 9, 0)),
        ["Lea's birthday 2028-02-29 09:00"]
    );
}

#[test]
fn anniversaries_are_dismissed_apart_from_birthdays() {
    let mut store = Store::open_in_memory().unwrap();
    let id = with_contact(&mut store, "Cem", "19900412");
    let mut cem = store.get(&id).unwrap().unwrap();
    cem.body
        .main
        .props
        .push(Property::new("ANNIVERSARY", "20160412"));
    store.write(|w| w.update(&cem)).unwrap();
    remind_at(&mut store, "+9h");
    let now = at(2026, 4, 12, 9, 0);
    assert_eq!(due_at(&store, now).len(), 2);
    // Both are due: one dismiss takes both, each under its own occasion.
    reminders::dismiss(&mut store, &id, None, now, UTC).unwrap();
    assert!(due_at(&store, now).is_empty());
    let cem = store.get(&id).unwrap().unwrap();
    assert_eq!(cem.body.main.props_named(ACKNOWLEDGED).count(), 2);
}

#[test]
fn alarms_of_an_address_book_are_relative_to_the_day() {
    let mut store = Store::open_in_memory().unwrap();
    let book = store.default_collection(Kind::Contact).unwrap();
    let now = at(2026, 1, 1, 0, 0);
    let err = set_default_alarms(&mut store, &book.id, "2026-12-01 09:00", now, UTC).unwrap_err();
    assert!(err.to_string().contains("relative to the day"), "{err}");
    for far in ["-40d", "-1d repeat 200 every 1m", "-1d repeat 40 every 1d"] {
        let err = set_default_alarms(&mut store, &book.id, far, now, UTC).unwrap_err();
        assert!(err.to_string().contains("within a month"), "{far}: {err}");
    }
    // As another device might sync it: ignored, nothing rings, nothing hangs.
    let mut hostile = store.collection_by_id(&book.id).unwrap().unwrap();
    hostile.default_alarms = Some("-15m repeat 4000000000 every 1s".into());
    store.write(|w| w.change_collection(&hostile)).unwrap();
    with_contact(&mut store, "Ada", "19851208");
    assert!(due_at(&store, at(2026, 12, 7, 23, 50)).is_empty());
    let notes = store.default_collection(Kind::Note).unwrap();
    assert!(set_default_alarms(&mut store, &notes.id, "-1d", now, UTC).is_err());
    set_default_alarms(&mut store, &book.id, " -1d ", now, UTC).unwrap();
    let book = store.collection_by_id(&book.id).unwrap().unwrap();
    assert_eq!(book.default_alarms.as_deref(), Some("-1d"));
    set_default_alarms(&mut store, &book.id, "", now, UTC).unwrap();
    let book = store.collection_by_id(&book.id).unwrap().unwrap();
    assert_eq!(book.default_alarms, None);
}

/// A dismissal or snooze reads the contact before its write transaction: an edit
/// made meanwhile (another `pim`, a sync applying another device's change) was
/// overwritten, and logged as this device undoing it.
#[test]
fn a_dismissal_keeps_an_edit_made_since_the_contact_was_read() {
    let mut store = Store::open_in_memory().unwrap();
    let id = with_contact(&mut store, "Ada", "19851208");
    let base = store.get(&id).unwrap().unwrap();
    let mut edited = base.clone();
    acknowledge(&mut edited, Occasion::Birthday, at(2026, 12, 7, 9, 0));
    let mut meanwhile = base.clone();
    meanwhile.set_text("NOTE", "met at the conference");
    store.write(|w| w.update(&meanwhile)).unwrap();
    save(&mut store, &base, &edited).unwrap();
    let now = store.get(&id).unwrap().unwrap();
    assert_eq!(now.text("NOTE").as_deref(), Some("met at the conference"));
    assert_eq!(
        acknowledged(&now, Occasion::Birthday),
        Some(at(2026, 12, 7, 9, 0))
    );
}
