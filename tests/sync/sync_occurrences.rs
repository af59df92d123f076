//! One-occurrence edits and deletes, and "this and following" splits, travel like
//! any other change; two devices changing different occurrences of one series at
//! the same time both keep theirs, with no conflict to ask about.

use chrono::{DateTime, TimeZone, Utc};
use pim::app::records::occurrence::{self, Scope};
use pim::app::records::{EditContext, Field, RecordEdit, save};
use pim::model::Kind;
use pim::model::zonedb::Tz;
use pim::recur;
use pim::store::Store;
use pim::sync::apply::Policy;
use pim::sync::memory::MemoryServer;
use pim::sync::setup;

use crate::support::sim::Device;

fn cx() -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        tz: "Europe/Berlin".parse().unwrap(),
    }
}

/// Every occurrence on a device: "MM-DD HH:MM summary [location]".
fn agenda(s: &Store, tz: Tz) -> Vec<String> {
    let from: DateTime<Utc> = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 3, 1, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    for r in s.list(Kind::Event, None).unwrap() {
        for o in recur::occurrences(&r, from, to, tz).unwrap() {
            let c = o
                .override_index
                .map(|i| &r.body.overrides[i])
                .unwrap_or(&r.body.main);
            let text = |n: &str| c.prop(n).map(|p| p.text_value()).unwrap_or_default();
            out.push(format!(
                "{} {} {}",
                o.start.with_timezone(&tz).format("%m-%d %H:%M"),
                text("SUMMARY"),
                text("LOCATION"),
            ));
        }
    }
    out.sort();
    out
}

fn edit_at(d: &mut Device, id: &str, when: &str, scope: Scope, field: Field, value: &str) {
    let r = d.store.require(id).unwrap();
    let inst = occurrence::find(&r, when, &cx()).unwrap();
    let mut e = RecordEdit::update(Kind::Event, id);
    e.set(field, value);
    occurrence::save_occurrence(&mut d.store, &e, &inst.recurrence_id, scope, &cx()).unwrap();
}

fn delete_at(d: &mut Device, id: &str, when: &str, scope: Scope) {
    let r = d.store.require(id).unwrap();
    let inst = occurrence::find(&r, when, &cx()).unwrap();
    occurrence::delete_occurrence(&mut d.store, id, &inst.recurrence_id, scope, &cx()).unwrap();
}

fn settle(a: &mut Device, b: &mut Device) {
    for _ in 0..2 {
        a.sync();
        b.sync();
    }
}

#[test]
fn concurrent_edits_of_different_occurrences_both_land() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop").with_policy(Policy::Ask);
    let mut b = Device::new(&server, "desktop").with_policy(Policy::Ask);
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Weekly");
    e.set(Field::Start, "2026-12-03 10:00");
    e.set(Field::Duration, "1h");
    e.set(Field::Rrule, "FREQ=WEEKLY;COUNT=5");
    let id = save(&mut a.store, &e, &cx()).unwrap().after.id;
    settle(&mut a, &mut b);

    // At the same time: the laptop moves one Thursday, the desktop gives another a
    // room and deletes a third.
    edit_at(
        &mut a,
        &id,
        "2026-12-10",
        Scope::This,
        Field::Start,
        "2026-12-11 11:00",
    );
    edit_at(
        &mut b,
        &id,
        "2026-12-17",
        Scope::This,
        Field::Location,
        "Room 2",
    );
    delete_at(&mut b, &id, "2026-12-24", Scope::This);
    settle(&mut a, &mut b);

    let want = [
        "12-03 10:00 Weekly ",
        "12-11 11:00 Weekly ",
        "12-17 10:00 Weekly Room 2",
        "12-31 10:00 Weekly ",
    ];
    assert_eq!(agenda(&a.store, cx().tz), want);
    assert_eq!(agenda(&b.store, cx().tz), want);
    assert_eq!(a.state(), b.state());
    assert!(setup::conflicts(&a.store).unwrap().is_empty());
    assert!(setup::conflicts(&b.store).unwrap().is_empty());

    // An occurrence another device changed, edited further here.
    edit_at(
        &mut a,
        &id,
        "2026-12-17",
        Scope::This,
        Field::Summary,
        "Review",
    );
    settle(&mut a, &mut b);
    assert!(agenda(&b.store, cx().tz).contains(&"12-17 10:00 Review Room 2".to_string()));

    // A split on one device: the other gets the ended series and the new one.
    edit_at(
        &mut b,
        &id,
        "2026-12-31",
        Scope::ThisAndFollowing,
        Field::Summary,
        "New year",
    );
    settle(&mut a, &mut b);
    assert_eq!(a.store.list(Kind::Event, None).unwrap().len(), 2);
    assert_eq!(
        agenda(&a.store, cx().tz).last().unwrap(),
        "12-31 10:00 New year "
    );
    assert_eq!(a.state(), b.state());
}
