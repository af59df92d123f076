//! "This and following" moved to another day: the new series' rule follows the
//! move (issue 17); one occurrence moved leaves the rule alone.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::app::records::save;
use crate::recur::rule::Rule;

fn cx(zone: &str) -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2027, 2, 1, 12, 0, 0).unwrap(),
        tz: zone.parse().unwrap(),
    }
}

fn series(s: &mut Store, cx: &EditContext, start: &str, rule: &str) -> Record {
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Standup");
    e.set(Field::Start, start);
    e.set(Field::Duration, "30m");
    e.set(Field::Rrule, rule);
    save(s, &e, cx).unwrap().after
}

fn far() -> (DateTime<Utc>, DateTime<Utc>) {
    (
        Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap(),
        Utc.with_ymd_and_hms(2030, 1, 1, 0, 0, 0).unwrap(),
    )
}

/// Every occurrence in the store, as wall-clock starts in `local`, ordered.
fn walls(s: &Store, local: Tz) -> Vec<NaiveDateTime> {
    let (from, to) = far();
    let mut out: Vec<NaiveDateTime> = s
        .list(Kind::Event, None)
        .unwrap()
        .iter()
        .flat_map(|r| recur::occurrences(r, from, to, local).unwrap())
        .map(|o| o.start.with_timezone(&local).naive_local())
        .collect();
    out.sort();
    out
}

fn move_from(
    s: &mut Store,
    r: &Record,
    when: &str,
    to: &str,
    scope: Scope,
    cx: &EditContext,
) -> OccurrenceSaved {
    let inst = find(r, when, cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, to);
    save_occurrence(s, &e, &inst.recurrence_id, scope, cx).unwrap()
}

#[test]
fn a_standup_moved_from_wednesday_to_thursday_keeps_its_pattern() {
    let cx = cx("Europe/Berlin");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2027-03-01 09:00", "FREQ=WEEKLY;BYDAY=MO,WE");
    let saved = move_from(
        &mut s,
        &r,
        "2027-03-10",
        "2027-03-11 09:00",
        Scope::ThisAndFollowing,
        &cx,
    );
    let new = saved.new_series.unwrap();
    assert_eq!(new.prop("RRULE").unwrap().value, "FREQ=WEEKLY;BYDAY=TU,TH");
    assert_eq!(new.prop("DTSTART").unwrap().value, "20270311T090000");
    let got: Vec<String> = walls(&s, cx.tz)
        .iter()
        .take(7)
        .map(|t| t.format("%a %d").to_string())
        .collect();
    assert_eq!(
        got,
        [
            "Mon 01", "Wed 03", "Mon 08", "Thu 11", "Tue 16", "Thu 18", "Tue 23"
        ]
    );
}

#[test]
fn moving_the_whole_series_to_another_day_moves_its_weekdays() {
    let cx = cx("UTC");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(
        &mut s,
        &cx,
        "2027-03-01 09:00",
        "FREQ=WEEKLY;BYDAY=MO,WE;COUNT=4",
    );
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, "2027-03-02 09:00");
    let after = save(&mut s, &e, &cx).unwrap().after;
    assert_eq!(
        after.prop("RRULE").unwrap().value,
        "FREQ=WEEKLY;BYDAY=TU,TH;COUNT=4"
    );
    // A rule given in the same edit is the user's: it is kept as given.
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, "2027-03-05 09:00");
    e.set(Field::Rrule, "FREQ=WEEKLY;BYDAY=FR");
    let after = save(&mut s, &e, &cx).unwrap().after;
    assert_eq!(after.prop("RRULE").unwrap().value, "FREQ=WEEKLY;BYDAY=FR");
}

#[test]
fn one_occurrence_moved_never_touches_the_rule() {
    let cx = cx("Europe/Berlin");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2027-03-01 09:00", "FREQ=WEEKLY;BYDAY=MO,WE");
    let saved = move_from(
        &mut s,
        &r,
        "2027-03-10",
        "2027-03-11 09:00",
        Scope::This,
        &cx,
    );
    let after = saved.after.unwrap();
    assert_eq!(
        after.prop("RRULE").unwrap().value,
        "FREQ=WEEKLY;BYDAY=MO,WE"
    );
    assert_eq!(after.prop("DTSTART").unwrap().value, "20270301T090000");
    assert_eq!(after.body.overrides.len(), 1);
}

const ZONES: [&str; 3] = ["UTC", "Europe/Berlin", "America/New_York"];

/// Rule shapes where every later occurrence moved by the same days is a rule again.
fn arb_rule() -> impl Strategy<Value = String> {
    let days = prop::sample::subsequence(vec!["MO", "TU", "WE", "TH", "FR", "SA", "SU"], 1..4);
    prop_oneof![
        (days.clone(), 1u32..3)
            .prop_map(|(d, i)| format!("FREQ=WEEKLY;INTERVAL={i};BYDAY={};COUNT=12", d.join(","))),
        (days, 1u32..3)
            .prop_map(|(d, i)| format!("FREQ=DAILY;INTERVAL={i};BYDAY={};COUNT=12", d.join(","))),
        (8i32..21).prop_map(|d| format!("FREQ=MONTHLY;BYMONTHDAY={d};COUNT=8")),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// After a this-and-following move by Δ (days and minutes), the occurrences
    /// before stay, every later one moves by Δ, and the new series' start is an
    /// occurrence of its rule.
    #[test]
    fn this_and_following_moved_days_moves_every_later_one(
        zone in 0..ZONES.len(),
        first in 0i64..300,
        rule in arb_rule(),
        pick in any::<prop::sample::Index>(),
        days in -6i64..7,
        minutes in -120i64..120,
    ) {
        let cx = cx(ZONES[zone]);
        let mut s = Store::open_in_memory().unwrap();
        let base = NaiveDateTime::parse_from_str("2027-01-04 10:00", "%Y-%m-%d %H:%M").unwrap()
            + Duration::days(first);
        // A series whose start is one of its rule's instances.
        let start = Rule::parse(&rule)
            .unwrap()
            .instances(base, None, base, base + Duration::days(40))
            .next()
            .unwrap();
        let r = series(&mut s, &cx, &start.format("%Y-%m-%d %H:%M").to_string(), &rule);
        let before = walls(&s, cx.tz);
        let k = pick.index(before.len());
        let delta = Duration::days(days) + Duration::minutes(minutes / 15 * 15);
        let at = before[k];
        let (from, to) = far();
        let occ = recur::occurrences(&r, from, to, cx.tz).unwrap();
        let rid = occ[k].recurrence_id.clone().unwrap();
        let mut e = RecordEdit::update(Kind::Event, &r.id);
        e.set(Field::Start, (at + delta).format("%Y-%m-%d %H:%M").to_string());
        let saved = save_occurrence(&mut s, &e, &rid, Scope::ThisAndFollowing, &cx).unwrap();
        let mut expected: Vec<NaiveDateTime> = before
            .iter()
            .enumerate()
            .map(|(i, t)| if i < k { *t } else { *t + delta })
            .collect();
        expected.sort();
        prop_assert_eq!(walls(&s, cx.tz), expected, "{}", rule);
        let moved = saved.changed().unwrap();
        let new_rule = Rule::parse(&moved.prop("RRULE").unwrap().value).unwrap();
        let new_start = at + delta;
        prop_assert_eq!(
            new_rule.instances(new_start, None, new_start, new_start).next(),
            Some(new_start),
            "{}", moved.prop("RRULE").unwrap().value
        );
    }
}
