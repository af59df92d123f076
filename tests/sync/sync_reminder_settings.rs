//! Reminder settings and birthday dismissals travel like any other change: a
//! collection's default alarms set on one device apply on the other after sync, and
//! a birthday reminder dismissed on one device stops on every device.

use chrono::{DateTime, TimeZone, Utc};
use pim::app::records::{EditContext, Field, RecordEdit, save};
use pim::app::reminders::{self, set_default_alarms, spec};
use pim::model::zonedb::Tz;
use pim::model::{Kind, Property, Record};
use pim::store::Clock;
use pim::sync::apply::Policy;
use pim::sync::memory::MemoryServer;
use pim::sync::setup;

use crate::support::sim::Device;

const UTC: Tz = pim::model::zonedb::UTC;

fn at(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
}

fn settle(a: &mut Device, b: &mut Device) {
    for _ in 0..2 {
        a.sync();
        b.sync();
    }
}

fn default_alarms(d: &Device, kind: Kind) -> Option<String> {
    d.store.default_collection(kind).unwrap().default_alarms
}

fn due(d: &Device, now: DateTime<Utc>) -> Vec<String> {
    reminders::due(&d.store, now, UTC)
        .unwrap()
        .into_iter()
        .map(|r| r.summary)
        .collect()
}

#[test]
fn a_default_alarm_set_on_one_device_applies_on_the_other() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop").with_policy(Policy::Ask);
    let mut b = Device::new(&server, "desktop").with_policy(Policy::Ask);
    settle(&mut a, &mut b);
    let cal = a.store.default_collection(Kind::Event).unwrap().id;
    set_default_alarms(&mut a.store, &cal, "-10m", at(2026, 12, 1, 0, 0), UTC).unwrap();
    settle(&mut a, &mut b);
    assert_eq!(default_alarms(&b, Kind::Event).as_deref(), Some("-10m"));

    // A new event on the other device gets it.
    let cx = EditContext {
        now: at(2026, 12, 1, 0, 0),
        tz: UTC,
    };
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Planning");
    e.set(Field::Start, "2026-12-02 10:00");
    let made = save(&mut b.store, &e, &cx).unwrap().after;
    assert_eq!(spec::show_all(&made, UTC), "-10m");

    // Set at once on both: one write wins everywhere, as for a name or colour.
    set_default_alarms(&mut a.store, &cal, "-5m", at(2026, 12, 1, 0, 0), UTC).unwrap();
    set_default_alarms(&mut b.store, &cal, "-30m", at(2026, 12, 1, 0, 0), UTC).unwrap();
    settle(&mut a, &mut b);
    let (on_a, on_b) = (
        default_alarms(&a, Kind::Event),
        default_alarms(&b, Kind::Event),
    );
    assert_eq!(on_a, on_b);
    assert!(matches!(on_b.as_deref(), Some("-5m" | "-30m")), "{on_b:?}");
    // Removed on one, removed on both.
    set_default_alarms(&mut a.store, &cal, "", at(2026, 12, 1, 0, 0), UTC).unwrap();
    settle(&mut a, &mut b);
    assert_eq!(default_alarms(&b, Kind::Event), None);
}

/// The default collections have one id on every device, each made on first run: a
/// device set up later must not undo the settings made before it joined.
#[test]
fn a_device_that_joins_later_keeps_the_settings_made_before() {
    let server = MemoryServer::new();
    let clock = Clock::manual(at(2026, 12, 1, 0, 0).timestamp_millis());
    let mut a = Device::simulated(&server, 1, clock.clone()).with_policy(Policy::Ask);
    let cal = a.store.default_collection(Kind::Event).unwrap();
    set_default_alarms(&mut a.store, &cal.id, "-10m", at(2026, 12, 1, 0, 0), UTC).unwrap();
    let mut renamed = a.store.collection_by_id(&cal.id).unwrap().unwrap();
    renamed.name = "Work".into();
    a.store.write(|w| w.change_collection(&renamed)).unwrap();
    a.sync();
    // Made after those edits, with its own "calendar".
    clock.advance(60_000);
    let mut b = Device::simulated(&server, 2, clock).with_policy(Policy::Ask);
    settle(&mut a, &mut b);
    for d in [&a, &b] {
        let c = d.store.collection_by_id(&cal.id).unwrap().unwrap();
        assert_eq!(
            (c.name.as_str(), c.default_alarms.as_deref()),
            ("Work", Some("-10m"))
        );
    }
}

#[test]
fn a_birthday_dismissed_on_one_device_stops_on_both() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop").with_policy(Policy::Ask);
    let mut b = Device::new(&server, "desktop").with_policy(Policy::Ask);
    let book = a.store.default_collection(Kind::Contact).unwrap().id;
    let mut ada = Record::new(Kind::Contact, &book);
    ada.set_text("FN", "Ada");
    ada.body.main.props.push(Property::new("BDAY", "19851208"));
    a.store.write(|w| w.create(&ada)).unwrap();
    set_default_alarms(&mut a.store, &book, "-15h", at(2026, 1, 1, 0, 0), UTC).unwrap();
    settle(&mut a, &mut b);
    let ringing = at(2026, 12, 7, 9, 0);
    assert_eq!(due(&b, ringing), ["Ada's birthday (41)"]);

    reminders::dismiss(&mut a.store, &ada.id, None, at(2026, 12, 7, 9, 5), UTC).unwrap();
    settle(&mut a, &mut b);
    assert!(due(&b, at(2026, 12, 7, 9, 10)).is_empty());
    assert_eq!(due(&b, at(2027, 12, 7, 9, 0)), ["Ada's birthday (42)"]);

    // Next year both devices dismiss it at once: no conflict to answer, both agree.
    reminders::dismiss(&mut a.store, &ada.id, None, at(2027, 12, 7, 9, 5), UTC).unwrap();
    reminders::dismiss(&mut b.store, &ada.id, None, at(2027, 12, 7, 9, 7), UTC).unwrap();
    settle(&mut a, &mut b);
    assert!(setup::conflicts(&a.store).unwrap().is_empty());
    assert!(setup::conflicts(&b.store).unwrap().is_empty());
    assert_eq!(a.state(), b.state());
    assert!(due(&a, at(2027, 12, 7, 9, 10)).is_empty());
    assert_eq!(due(&a, at(2028, 12, 7, 9, 0)), ["Ada's birthday (43)"]);
}
