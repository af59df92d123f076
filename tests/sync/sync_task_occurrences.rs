//! Occurrences of a recurring task completed, moved and deleted on two devices at
//! the same time: both keep theirs, with no conflict to ask about (issue 17).

use chrono::{DateTime, TimeZone, Utc};
use pim::app::records::occurrence::{self, Scope};
use pim::app::records::{EditContext, Field, RecordEdit, save};
use pim::model::zonedb::Tz;
use pim::model::{Kind, Property};
use pim::recur;
use pim::store::Store;
use pim::sync::apply::{Policy, Resolution};
use pim::sync::memory::MemoryServer;
use pim::sync::setup;

use crate::support::sim::Device;

fn cx() -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2027, 2, 25, 12, 0, 0).unwrap(),
        tz: "Europe/Berlin".parse().unwrap(),
    }
}

/// Every task occurrence on a device: "MM-DD HH:MM status".
fn checklist(s: &Store, tz: Tz) -> Vec<String> {
    let from: DateTime<Utc> = Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
    let mut out = Vec::new();
    for r in s.list(Kind::Task, None).unwrap() {
        for o in recur::occurrences(&r, from, to, tz).unwrap() {
            let c = o
                .override_index
                .map(|i| &r.body.overrides[i])
                .unwrap_or(&r.body.main);
            let status = c
                .prop("STATUS")
                .map(|p| p.value.clone())
                .unwrap_or_default();
            out.push(format!(
                "{} {status}",
                o.start.with_timezone(&tz).format("%m-%d %H:%M")
            ));
        }
    }
    out.sort();
    out
}

fn edit_at(d: &mut Device, id: &str, when: &str, scope: Scope, field: Field, value: &str) {
    let r = d.store.require(id).unwrap();
    let inst = occurrence::find(&r, when, &cx()).unwrap();
    let mut e = RecordEdit::update(Kind::Task, id);
    e.set(field, value);
    occurrence::save_occurrence(&mut d.store, &e, &inst.recurrence_id, scope, &cx()).unwrap();
}

fn settle(a: &mut Device, b: &mut Device) {
    for _ in 0..2 {
        a.sync();
        b.sync();
    }
}

#[test]
fn concurrent_task_occurrence_edits_both_land() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop").with_policy(Policy::Ask);
    let mut b = Device::new(&server, "desktop").with_policy(Policy::Ask);
    let mut e = RecordEdit::create(Kind::Task);
    e.set(Field::Summary, "Water the plants");
    e.set(Field::Due, "2027-03-01 18:00");
    e.set(Field::Status, "needs-action");
    let mut t = save(&mut a.store, &e, &cx()).unwrap().after;
    t.body
        .main
        .props
        .push(Property::new("RRULE", "FREQ=WEEKLY;COUNT=5"));
    a.store.write(|w| w.update(&t)).unwrap();
    let id = t.id;
    settle(&mut a, &mut b);

    // At the same time: the laptop ticks off the first week and moves the third;
    // the desktop ticks off the second and deletes the fourth.
    edit_at(
        &mut a,
        &id,
        "2027-03-01",
        Scope::This,
        Field::Status,
        "done",
    );
    edit_at(
        &mut a,
        &id,
        "2027-03-15",
        Scope::This,
        Field::Due,
        "2027-03-16 09:00",
    );
    edit_at(
        &mut b,
        &id,
        "2027-03-08",
        Scope::This,
        Field::Status,
        "done",
    );
    let r = b.store.require(&id).unwrap();
    let inst = occurrence::find(&r, "2027-03-22", &cx()).unwrap();
    occurrence::delete_occurrence(&mut b.store, &id, &inst.recurrence_id, Scope::This, &cx())
        .unwrap();
    settle(&mut a, &mut b);

    let want = [
        "03-01 18:00 COMPLETED",
        "03-08 18:00 COMPLETED",
        "03-16 09:00 NEEDS-ACTION",
        "03-29 18:00 NEEDS-ACTION",
    ];
    assert_eq!(checklist(&a.store, cx().tz), want);
    assert_eq!(checklist(&b.store, cx().tz), want);
    assert_eq!(a.state(), b.state());
    assert!(setup::conflicts(&a.store).unwrap().is_empty());
    assert!(setup::conflicts(&b.store).unwrap().is_empty());
    let open = occurrence::open_task_occurrence(&b.store.require(&id).unwrap(), cx().tz).unwrap();
    assert_eq!(
        open.due.unwrap().format("%m-%d %H:%M").to_string(),
        "03-16 09:00"
    );
}

/// The same occurrence changed on both devices: an occurrence is one field (its
/// override), so this is a conflict about that occurrence, asked once; the answer
/// syncs and both devices end the same.
#[test]
fn one_task_occurrence_changed_on_both_devices_is_one_question() {
    let server = MemoryServer::new();
    let mut a = Device::new(&server, "laptop").with_policy(Policy::Ask);
    let mut b = Device::new(&server, "desktop").with_policy(Policy::Ask);
    let mut e = RecordEdit::create(Kind::Task);
    e.set(Field::Summary, "Water the plants");
    e.set(Field::Due, "2027-03-01 18:00");
    e.set(Field::Status, "needs-action");
    let mut t = save(&mut a.store, &e, &cx()).unwrap().after;
    t.body
        .main
        .props
        .push(Property::new("RRULE", "FREQ=WEEKLY;COUNT=2"));
    a.store.write(|w| w.update(&t)).unwrap();
    let id = t.id;
    settle(&mut a, &mut b);
    // The same occurrence: done on the laptop, moved on the desktop; the first
    // occurrence done on the desktop too, which nobody disputes.
    edit_at(
        &mut a,
        &id,
        "2027-03-08",
        Scope::This,
        Field::Status,
        "done",
    );
    edit_at(
        &mut b,
        &id,
        "2027-03-08",
        Scope::This,
        Field::Due,
        "2027-03-09 08:00",
    );
    edit_at(
        &mut b,
        &id,
        "2027-03-01",
        Scope::This,
        Field::Status,
        "done",
    );
    settle(&mut a, &mut b);
    let mut open: Vec<(bool, i64, String)> = Vec::new();
    for (is_a, d) in [(true, &a), (false, &b)] {
        for c in setup::conflicts(&d.store).unwrap() {
            open.push((is_a, c.id, c.key));
        }
    }
    assert_eq!(open.len(), 1, "{open:?}");
    let (on_a, conflict, key) = open.remove(0);
    assert_eq!(
        key, "#O:20270308T180000",
        "the question names the occurrence"
    );
    let asked = if on_a { &mut a } else { &mut b };
    setup::resolve(&mut asked.store, conflict, &Resolution::Mine).unwrap();
    let kept = checklist(&asked.store, cx().tz);
    settle(&mut a, &mut b);
    assert_eq!(checklist(&a.store, cx().tz), kept);
    assert_eq!(checklist(&b.store, cx().tz), kept);
    assert_eq!(kept[0], "03-01 18:00 COMPLETED");
    assert_eq!(a.state(), b.state());
}
