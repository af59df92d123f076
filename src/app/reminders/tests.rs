use chrono::TimeZone;

use super::*;
use crate::app::records::{self, EditContext, Field, RecordEdit};

fn at(d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, mi, 0).unwrap()
}

const UTC: Tz = crate::model::zonedb::UTC;

fn add(store: &mut Store, kind: Kind, fields: &[(Field, &str)]) -> String {
    let mut e = RecordEdit::create(kind);
    for (f, v) in fields {
        e.set(*f, *v);
    }
    let cx = EditContext {
        now: at(1, 0, 0),
        tz: UTC,
    };
    records::save(store, &e, &cx).unwrap().after.id
}

fn daily(store: &mut Store) -> String {
    add(
        store,
        Kind::Event,
        &[
            (Field::Summary, "Standup"),
            (Field::Start, "2026-12-01 10:00"),
            (Field::Rrule, "daily"),
            (Field::Location, "Room 4"),
            (Field::Alarms, "-15m"),
        ],
    )
}

fn due_ids(store: &Store, now: DateTime<Utc>) -> Vec<String> {
    due(store, now, UTC)
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.summary, r.trigger.format("%d %H:%M")))
        .collect()
}

#[test]
fn due_from_the_trigger_until_dismissed() {
    let mut store = Store::open_in_memory().unwrap();
    let id = daily(&mut store);
    assert!(due_ids(&store, at(1, 9, 44)).is_empty());
    assert_eq!(due_ids(&store, at(1, 9, 45)), ["Standup 01 09:45"]);
    let r = &due(&store, at(1, 9, 50), UTC).unwrap()[0];
    assert_eq!(r.location.as_deref(), Some("Room 4"));
    assert_eq!(r.start.with_timezone(&Utc), at(1, 10, 0));
    let done = dismiss(&mut store, &id, None, at(1, 9, 50), UTC).unwrap();
    assert_eq!(done.len(), 1);
    assert!(due_ids(&store, at(1, 9, 55)).is_empty());
    // The next occurrence still rings.
    assert_eq!(due_ids(&store, at(2, 9, 46)), ["Standup 02 09:45"]);
    assert_eq!(
        next_trigger(&store, at(1, 9, 55), at(5, 0, 0), UTC).unwrap(),
        Some(at(2, 9, 45))
    );
    // Nothing due any more: dismiss says so.
    assert!(matches!(
        dismiss(&mut store, &id, None, at(1, 9, 56), UTC),
        Err(RemindError::NothingDue(_))
    ));
}

#[test]
fn dismissing_one_occurrence_in_advance_leaves_the_later_ones() {
    let mut store = Store::open_in_memory().unwrap();
    let id = daily(&mut store);
    dismiss(&mut store, &id, Some("2026-12-03 10:00"), at(1, 8, 0), UTC).unwrap();
    // RFC 9074 keeps one ACKNOWLEDGED per alarm: earlier occurrences go with it.
    assert!(due_ids(&store, at(1, 9, 50)).is_empty());
    assert!(due_ids(&store, at(3, 9, 50)).is_empty());
    assert_eq!(due_ids(&store, at(4, 9, 50)), ["Standup 04 09:45"]);
    let err = dismiss(&mut store, &id, Some("2026-12-03 11:00"), at(1, 8, 0), UTC).unwrap_err();
    assert!(matches!(err, RemindError::NoOccurrence { .. }));
}

#[test]
fn snooze_rings_again_later_and_replaces_an_earlier_snooze() {
    let mut store = Store::open_in_memory().unwrap();
    let id = daily(&mut store);
    let s = snooze(
        &mut store,
        &id,
        Duration::minutes(10),
        None,
        at(1, 9, 46),
        UTC,
    )
    .unwrap();
    assert_eq!(s[0].trigger, at(1, 9, 56));
    assert!(due_ids(&store, at(1, 9, 50)).is_empty());
    assert_eq!(due_ids(&store, at(1, 9, 56)), ["Standup 01 09:56"]);
    let r = &due(&store, at(1, 9, 56), UTC).unwrap()[0];
    assert!(r.snoozed);
    assert_eq!(r.start.with_timezone(&Utc), at(1, 10, 0));
    // Snoozing the snooze: still one snooze alarm.
    snooze(
        &mut store,
        &id,
        Duration::minutes(5),
        None,
        at(1, 9, 57),
        UTC,
    )
    .unwrap();
    let rec = store.require(&id).unwrap();
    assert_eq!(rec.body.main.subs.len(), 2);
    assert_eq!(due_ids(&store, at(1, 10, 2)), ["Standup 01 10:02"]);
    // Dismissing the snooze removes it; the original stays dismissed.
    dismiss(&mut store, &id, None, at(1, 10, 3), UTC).unwrap();
    let rec = store.require(&id).unwrap();
    assert_eq!(rec.body.main.subs.len(), 1);
    assert!(rec.body.main.subs[0].prop("ACKNOWLEDGED").is_some());
    assert!(due_ids(&store, at(1, 10, 4)).is_empty());
    // Dismissal and snooze are logged changes, so they sync.
    let log = store.log(&Default::default()).unwrap();
    assert!(log.iter().filter(|c| c.record_id == id).count() >= 4);
}

#[test]
fn each_reminder_is_claimed_once() {
    let mut store = Store::open_in_memory().unwrap();
    daily(&mut store);
    assert_eq!(claim_due(&store, at(1, 9, 46), UTC).unwrap().len(), 1);
    assert!(claim_due(&store, at(1, 9, 47), UTC).unwrap().is_empty());
    assert_eq!(claim_due(&store, at(2, 9, 46), UTC).unwrap().len(), 1);
}

#[test]
fn missed_reminders_stay_due_for_a_day() {
    let mut store = Store::open_in_memory().unwrap();
    add(
        &mut store,
        Kind::Event,
        &[
            (Field::Summary, "Once"),
            (Field::Start, "2026-12-01 10:00"),
            (Field::Alarms, "-15m"),
        ],
    );
    assert_eq!(due_ids(&store, at(2, 9, 0)), ["Once 01 09:45"]);
    assert!(due_ids(&store, at(2, 9, 46)).is_empty());
}

#[test]
fn completed_tasks_do_not_remind_and_tasks_remind_before_due() {
    let mut store = Store::open_in_memory().unwrap();
    let id = add(
        &mut store,
        Kind::Task,
        &[
            (Field::Summary, "Report"),
            (Field::Due, "2026-12-01 17:00"),
            (Field::Alarms, "-1h"),
        ],
    );
    assert_eq!(due_ids(&store, at(1, 16, 0)), ["Report 01 16:00"]);
    let mut e = RecordEdit::update(Kind::Task, &id);
    e.set(Field::Status, "completed");
    records::save(
        &mut store,
        &e,
        &EditContext {
            now: at(1, 0, 0),
            tz: UTC,
        },
    )
    .unwrap();
    assert!(due_ids(&store, at(1, 16, 0)).is_empty());
}

#[test]
fn collection_default_alarms_apply_to_new_records_only() {
    let mut store = Store::open_in_memory().unwrap();
    let cal = store.default_collection(Kind::Event).unwrap();
    set_default_alarms(&mut store, &cal.id, "-10m", at(1, 0, 0), UTC).unwrap();
    assert!(set_default_alarms(&mut store, &cal.id, "soon", at(1, 0, 0), UTC).is_err());
    let id = add(
        &mut store,
        Kind::Event,
        &[
            (Field::Summary, "Default"),
            (Field::Start, "2026-12-01 10:00"),
        ],
    );
    assert_eq!(due_ids(&store, at(1, 9, 50)), ["Default 01 09:50"]);
    // An explicit alarm wins over the default.
    add(
        &mut store,
        Kind::Event,
        &[
            (Field::Summary, "Own"),
            (Field::Start, "2026-12-01 12:00"),
            (Field::Alarms, "-1h"),
        ],
    );
    assert_eq!(
        due_ids(&store, at(1, 11, 0)),
        ["Default 01 09:50", "Own 01 11:00"]
    );
    // Clearing the alarms of an existing record does not bring the default back.
    let mut e = RecordEdit::update(Kind::Event, &id);
    e.set(Field::Alarms, "");
    records::save(
        &mut store,
        &e,
        &EditContext {
            now: at(1, 0, 0),
            tz: UTC,
        },
    )
    .unwrap();
    assert_eq!(due_ids(&store, at(1, 11, 0)), ["Own 01 11:00"]);
}

#[test]
fn a_watcher_sleeps_towards_the_next_trigger_in_bounded_slices() {
    let mut store = Store::open_in_memory().unwrap();
    let slice = Duration::seconds(30);
    assert_eq!(watch_sleep(&store, at(1, 9, 0), UTC, slice).unwrap(), slice);
    daily(&mut store);
    assert_eq!(watch_sleep(&store, at(1, 9, 0), UTC, slice).unwrap(), slice);
    assert_eq!(
        watch_sleep(&store, at(1, 9, 44) + Duration::seconds(50), UTC, slice).unwrap(),
        Duration::seconds(10) + Duration::milliseconds(5)
    );
    // After a suspend the clock jumped past triggers: no sleep, they are due now.
    assert!(watch_sleep(&store, at(1, 9, 50), UTC, slice).unwrap() <= slice);
    assert_eq!(due_ids(&store, at(1, 9, 50)), ["Standup 01 09:45"]);
}

#[test]
fn floating_times_follow_the_zone_in_force_at_each_look() {
    // A floating 10:00 (no zone) reminds at 09:45 wherever the user is now: a
    // watcher re-reads the zone at each wake, so travel moves the instant.
    let mut store = Store::open_in_memory().unwrap();
    let r = crate::formats::ics::read_ics(
        "BEGIN:VEVENT\nUID:f\nSUMMARY:Floating\nDTSTART:20261201T100000\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\nEND:VEVENT\n",
    )
    .remove(0)
    .unwrap()
    .record;
    let mut r = r;
    r.collection = store.default_collection(Kind::Event).unwrap().id;
    store.write(|w| w.create(&r).map(drop)).unwrap();
    let berlin = crate::model::zonedb::Tz::known("Europe/Berlin");
    assert!(due(&store, at(1, 8, 46), UTC).unwrap().is_empty());
    assert_eq!(due(&store, at(1, 8, 46), berlin).unwrap().len(), 1);
    assert_eq!(due(&store, at(1, 9, 46), UTC).unwrap().len(), 1);
}

#[test]
fn a_moved_occurrence_reminds_at_its_new_time_with_its_own_alarm() {
    let mut store = Store::open_in_memory().unwrap();
    let ics = "BEGIN:VCALENDAR\nVERSION:2.0\n\
        BEGIN:VEVENT\nUID:m\nSUMMARY:Standup\nDTSTART:20261201T100000Z\nDTEND:20261201T101500Z\nRRULE:FREQ=DAILY;COUNT=5\n\
        BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\nEND:VALARM\nEND:VEVENT\n\
        BEGIN:VEVENT\nUID:m\nRECURRENCE-ID:20261202T100000Z\nSUMMARY:Standup (late)\nDTSTART:20261202T140000Z\nDTEND:20261202T141500Z\n\
        BEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT30M\nEND:VALARM\nEND:VEVENT\n\
        END:VCALENDAR\n";
    let mut r = crate::formats::ics::read_ics(ics).remove(0).unwrap().record;
    r.collection = store.default_collection(Kind::Event).unwrap().id;
    store.write(|w| w.create(&r).map(drop)).unwrap();
    let id = r.id.clone();
    assert!(
        due_ids(&store, at(2, 9, 50))
            .iter()
            .all(|d| !d.contains("02 09:45"))
    );
    // 1 December's was missed more than a day ago: no longer due.
    assert_eq!(due_ids(&store, at(2, 13, 31)), ["Standup 02 13:30"]);
    dismiss(
        &mut store,
        &id,
        Some("2026-12-02 14:00"),
        at(2, 13, 31),
        UTC,
    )
    .unwrap();
    let stored = store.require(&id).unwrap();
    assert!(
        stored.body.overrides[0].subs[0]
            .prop("ACKNOWLEDGED")
            .is_some()
    );
    assert!(stored.body.main.subs[0].prop("ACKNOWLEDGED").is_none());
    assert!(due_ids(&store, at(2, 13, 32)).is_empty());
    assert_eq!(due_ids(&store, at(3, 9, 46)), ["Standup 03 09:45"]);
}

/// Snoozing past the year 9999 wrote `TRIGGER:+116090809T095000Z`, a value no
/// calendar (pim included) reads, into the record and every export; it is refused and
/// the record is left as it was.
#[test]
fn a_snooze_past_the_calendar_is_refused() {
    let mut store = Store::open_in_memory().unwrap();
    let id = daily(&mut store);
    let before = store.get(&id).unwrap().unwrap();
    let err = snooze(
        &mut store,
        &id,
        Duration::weeks(500_000),
        None,
        at(1, 9, 50),
        UTC,
    )
    .unwrap_err();
    assert!(matches!(err, RemindError::BeyondCalendar(_)), "{err}");
    assert_eq!(store.get(&id).unwrap().unwrap().body, before.body);
    assert_eq!(due_ids(&store, at(1, 9, 50)), ["Standup 01 09:45"]);
}

/// Dismissing ahead looked for an occurrence's alarms within 60 days of it: an alarm
/// 90 days before, or an absolute one a year and a half before, could not be dismissed.
#[test]
fn alarms_far_from_their_occurrence_are_dismissed_ahead() {
    let mut store = Store::open_in_memory().unwrap();
    let id = add(
        &mut store,
        Kind::Event,
        &[
            (Field::Summary, "Conference"),
            (Field::Start, "2028-06-01 09:00"),
            (Field::Alarms, "-90d, 2026-12-01 12:00"),
        ],
    );
    assert_eq!(due_ids(&store, at(1, 12, 0)), ["Conference 01 12:00"]);
    let done = dismiss(&mut store, &id, Some("2028-06-01 09:00"), at(1, 11, 0), UTC).unwrap();
    assert_eq!(done.len(), 2, "{done:?}");
    assert!(due_ids(&store, at(1, 12, 0)).is_empty());
    let ninety_before = Utc.with_ymd_and_hms(2028, 3, 3, 9, 0, 0).unwrap();
    assert!(due(&store, ninety_before, UTC).unwrap().is_empty());
}

#[test]
fn a_default_alarm_text_that_does_not_read_is_left_out() {
    let mut store = Store::open_in_memory().unwrap();
    let mut cal = store.default_collection(Kind::Event).unwrap();
    // As another device or version might sync it.
    cal.default_alarms = Some("whenever".into());
    store.write(|w| w.change_collection(&cal)).unwrap();
    add(
        &mut store,
        Kind::Event,
        &[
            (Field::Summary, "Still saved"),
            (Field::Start, "2026-12-01 10:00"),
        ],
    );
    assert!(due_ids(&store, at(1, 10, 0)).is_empty());
}

/// An occurrence of a repeating task marked done on its own rang all the same
/// (only a task done as a whole was silenced); the next one still rings.
#[test]
fn a_done_occurrence_of_a_repeating_task_rings_no_more() {
    use crate::app::records::occurrence::{Scope, find, save_occurrence};
    let mut store = Store::open_in_memory().unwrap();
    let id = add(
        &mut store,
        Kind::Task,
        &[
            (Field::Summary, "Stretch"),
            (Field::Due, "2026-12-01 07:00"),
            (Field::Rrule, "daily"),
            (Field::Alarms, "-10m"),
        ],
    );
    let cx = EditContext {
        now: at(1, 0, 0),
        tz: UTC,
    };
    let r = store.get(&id).unwrap().unwrap();
    let second = find(&r, "2026-12-02", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Task, &id);
    e.set(Field::Status, "done");
    save_occurrence(&mut store, &e, &second.recurrence_id, Scope::This, &cx).unwrap();
    assert_eq!(due_ids(&store, at(1, 6, 55)), ["Stretch 01 06:50"]);
    assert!(due_ids(&store, at(2, 6, 55)).is_empty());
    assert_eq!(due_ids(&store, at(3, 6, 55)), ["Stretch 03 06:50"]);
    assert_ne!(
        next_trigger(&store, at(1, 8, 0), at(3, 0, 0), UTC).unwrap(),
        Some(at(2, 6, 50)),
        "a watcher does not wake for it either"
    );
}
