//! One occurrence of a recurring task: edited, completed, deleted, split (issue 17).

use chrono::{TimeZone, Utc};
use proptest::prelude::{Strategy, prop_assert_eq};

use super::*;
use crate::app::records::save;

fn cx() -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2027, 3, 2, 12, 0, 0).unwrap(),
        tz: "Europe/Berlin".parse().unwrap(),
    }
}

/// A stored task due at `due` (and starting at `start`) repeating by `rule`.
fn task(s: &mut Store, cx: &EditContext, start: Option<&str>, due: &str, rule: &str) -> Record {
    let mut e = RecordEdit::create(Kind::Task);
    e.set(Field::Summary, "Water the plants");
    e.set(Field::Due, due);
    if let Some(start) = start {
        e.set(Field::Start, start);
    }
    let mut r = save(s, &e, cx).unwrap().after;
    r.body.main.props.push(Property::new("RRULE", rule));
    s.write(|w| w.update(&r)).unwrap();
    s.require(&r.id).unwrap()
}

fn open(s: &Store, id: &str, cx: &EditContext) -> Option<String> {
    open_task_occurrence(&s.require(id).unwrap(), cx.tz)
        .and_then(|o| o.due)
        .map(|t| t.format("%m-%d %H:%M").to_string())
}

fn complete(s: &mut Store, r: &Record, when: &str, cx: &EditContext) -> Record {
    let inst = find(&s.require(&r.id).unwrap(), when, cx).unwrap();
    let mut e = RecordEdit::update(Kind::Task, &r.id);
    e.set(Field::Status, "completed");
    save_occurrence(s, &e, &inst.recurrence_id, Scope::This, cx)
        .unwrap()
        .after
        .unwrap()
}

#[test]
fn completing_one_occurrence_completes_only_it() {
    let cx = cx();
    let mut s = Store::open_in_memory().unwrap();
    let r = task(&mut s, &cx, None, "2027-03-01 18:00", "FREQ=WEEKLY;COUNT=3");
    assert_eq!(open(&s, &r.id, &cx).as_deref(), Some("03-01 18:00"));
    let after = complete(&mut s, &r, "2027-03-01", &cx);
    // RFC 5545: an override for that occurrence, the series still open.
    assert_eq!(after.text("STATUS").as_deref(), Some("NEEDS-ACTION"));
    let o = &after.body.overrides[0];
    assert_eq!(o.name, "VTODO");
    assert_eq!(o.prop("RECURRENCE-ID").unwrap().value, "20270301T180000");
    assert_eq!(o.prop("DUE").unwrap().value, "20270301T180000");
    assert_eq!(o.prop("STATUS").unwrap().value, "COMPLETED");
    assert!(o.prop("COMPLETED").is_some());
    assert_eq!(open(&s, &r.id, &cx).as_deref(), Some("03-08 18:00"));
    complete(&mut s, &r, "2027-03-08", &cx);
    complete(&mut s, &r, "2027-03-15", &cx);
    assert_eq!(open(&s, &r.id, &cx), None, "every occurrence done");
}

#[test]
fn a_task_occurrence_moves_deletes_and_splits_with_its_due() {
    let cx = cx();
    let mut s = Store::open_in_memory().unwrap();
    let r = task(
        &mut s,
        &cx,
        Some("2027-03-01 09:00"),
        "2027-03-01 18:00",
        "FREQ=DAILY;COUNT=5",
    );
    // Named by its due time as well as by its start.
    assert_eq!(
        find(&r, "2027-03-02 18:00", &cx).unwrap().recurrence_id,
        "2027-03-02T09:00:00+01:00"
    );
    // One occurrence's due moved: its start stays, the override keeps both.
    let inst = find(&r, "2027-03-02", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Task, &r.id);
    e.set(Field::Due, "2027-03-02 20:00");
    let after = save_occurrence(&mut s, &e, &inst.recurrence_id, Scope::This, &cx)
        .unwrap()
        .after
        .unwrap();
    let o = &after.body.overrides[0];
    assert_eq!(o.prop("DTSTART").unwrap().value, "20270302T090000");
    assert_eq!(o.prop("DUE").unwrap().value, "20270302T200000");
    assert_eq!(o.prop("RECURRENCE-ID").unwrap().value, "20270302T090000");
    // One deleted: an EXDATE.
    let inst = find(&after, "2027-03-03", &cx).unwrap();
    let after = delete_occurrence(&mut s, &r.id, &inst.recurrence_id, Scope::This, &cx)
        .unwrap()
        .after
        .unwrap();
    assert_eq!(after.prop("EXDATE").unwrap().value, "20270303T090000");
    // This and following moved a day on (start and due are separate fields).
    let inst = find(&after, "2027-03-04", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Task, &r.id);
    e.set(Field::Start, "2027-03-05 10:00");
    e.set(Field::Due, "2027-03-05 19:00");
    let saved = save_occurrence(
        &mut s,
        &e,
        &inst.recurrence_id,
        Scope::ThisAndFollowing,
        &cx,
    )
    .unwrap();
    let old = saved.after.unwrap();
    let new = saved.new_series.unwrap();
    assert_eq!(
        old.prop("RRULE").unwrap().value,
        "FREQ=DAILY;UNTIL=20270304T075959Z"
    );
    assert_eq!(new.prop("RRULE").unwrap().value, "FREQ=DAILY;COUNT=2");
    assert_eq!(new.prop("DTSTART").unwrap().value, "20270305T100000");
    assert_eq!(new.prop("DUE").unwrap().value, "20270305T190000");
    assert_eq!(new.kind, Kind::Task);
    let got: Vec<String> = [&old, &new]
        .iter()
        .flat_map(|r| {
            let from = Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap();
            let to = Utc.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap();
            recur::occurrences(r, from, to, cx.tz).unwrap()
        })
        .map(|o| format!("{}-{}", o.start.format("%d %H"), o.end.format("%d %H")))
        .collect();
    assert_eq!(
        got,
        ["01 09-01 18", "02 09-02 20", "05 10-05 19", "06 10-06 19"]
    );
}

#[test]
fn a_task_starting_days_before_it_is_due_answers_to_its_due_day() {
    let cx = cx();
    let mut s = Store::open_in_memory().unwrap();
    let r = task(
        &mut s,
        &cx,
        Some("2027-03-01 09:00"),
        "2027-03-05 17:00",
        "FREQ=WEEKLY;COUNT=3",
    );
    let by_due = find(&r, "2027-03-12", &cx).unwrap();
    let by_start = find(&r, "2027-03-08", &cx).unwrap();
    assert_eq!(by_due.recurrence_id, by_start.recurrence_id);
    assert!(find(&r, "2027-03-10", &cx).is_err());
}

#[test]
fn a_moved_due_only_occurrence_is_where_its_due_is() {
    let cx = cx();
    let mut s = Store::open_in_memory().unwrap();
    let r = task(&mut s, &cx, None, "2027-03-01", "FREQ=WEEKLY;COUNT=3");
    let inst = find(&r, "2027-03-08", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Task, &r.id);
    e.set(Field::Due, "2027-03-10");
    let after = save_occurrence(&mut s, &e, &inst.recurrence_id, Scope::This, &cx)
        .unwrap()
        .after
        .unwrap();
    let from = Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2027, 4, 1, 0, 0, 0).unwrap();
    let days: Vec<String> = recur::occurrences(&after, from, to, cx.tz)
        .unwrap()
        .iter()
        .map(|o| o.start.format("%d").to_string())
        .collect();
    assert_eq!(days, ["01", "10", "15"]);
    // And it answers to its new day as to its old one.
    assert_eq!(
        find(&after, "2027-03-10", &cx).unwrap().recurrence_id,
        "2027-03-08"
    );
}

#[test]
fn notes_have_no_occurrences() {
    let cx = cx();
    let mut s = Store::open_in_memory().unwrap();
    let mut e = RecordEdit::create(Kind::Note);
    e.set(Field::Summary, "n");
    let n = save(&mut s, &e, &cx).unwrap().after;
    let err = find(&n, "2027-03-01", &cx).unwrap_err();
    assert!(err.to_string().contains("events and tasks"), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]

    /// Completing occurrences one by one, in any order: each is done on its own,
    /// no occurrence moves, and the open one is always the earliest not done.
    #[test]
    fn completing_occurrences_in_any_order(
        daily in proptest::bool::ANY,
        count in 2usize..8,
        order in proptest::sample::subsequence((0..8usize).collect::<Vec<_>>(), 0..8)
            .prop_shuffle(),
        dated in proptest::bool::ANY,
    ) {
        let cx = cx();
        let mut s = Store::open_in_memory().unwrap();
        let due = if dated { "2027-03-01" } else { "2027-03-01 18:00" };
        let freq = if daily { "DAILY" } else { "WEEKLY" };
        let r = task(&mut s, &cx, None, due, &format!("FREQ={freq};COUNT={count}"));
        let from = Utc.with_ymd_and_hms(2027, 2, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2027, 6, 1, 0, 0, 0).unwrap();
        let starts = |r: &Record| -> Vec<_> {
            recur::occurrences(r, from, to, cx.tz).unwrap().iter().map(|o| o.start).collect()
        };
        let before = starts(&r);
        prop_assert_eq!(before.len(), count);
        let mut done = vec![false; count];
        for k in order.into_iter().filter(|k| *k < count) {
            let o = &recur::occurrences(&s.require(&r.id).unwrap(), from, to, cx.tz).unwrap()[k];
            let mut e = RecordEdit::update(Kind::Task, &r.id);
            e.set(Field::Status, "completed");
            let rid = o.recurrence_id.clone().unwrap();
            save_occurrence(&mut s, &e, &rid, Scope::This, &cx).unwrap();
            done[k] = true;
            let now = s.require(&r.id).unwrap();
            prop_assert_eq!(starts(&now), before.clone());
            let open = open_task_occurrence(&now, cx.tz).map(|o| o.due.unwrap());
            let want = done.iter().position(|d| !d).map(|i| before[i]);
            prop_assert_eq!(open, want);
        }
    }
}
