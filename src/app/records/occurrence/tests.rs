use crate::model::zonedb::Tz;
use chrono::{DateTime, Datelike, Duration, NaiveDateTime, TimeZone, Utc};
use proptest::prelude::*;

use super::*;
use crate::app::records::save;

fn cx(zone: &str) -> EditContext {
    EditContext {
        now: Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap(),
        tz: zone.parse().unwrap(),
    }
}

fn series(s: &mut Store, cx: &EditContext, start: &str, rule: &str) -> Record {
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Weekly");
    e.set(Field::Start, start);
    e.set(Field::Duration, "1h");
    e.set(Field::Rrule, rule);
    save(s, &e, cx).unwrap().after
}

fn from() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap()
}

fn to() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2029, 1, 1, 0, 0, 0).unwrap()
}

/// Every event occurrence in the store: (start, end, summary), ordered.
fn all(s: &Store, local: Tz) -> Vec<(DateTime<Utc>, DateTime<Utc>, String)> {
    let mut out = Vec::new();
    for r in s.list(Kind::Event, None).unwrap() {
        for o in recur::occurrences(&r, from(), to(), local).unwrap() {
            let summary = match o.override_index {
                Some(i) => r.body.overrides[i]
                    .prop("SUMMARY")
                    .map(|p| p.text_value())
                    .unwrap_or_default(),
                None => r.title(),
            };
            out.push((
                o.start.with_timezone(&Utc),
                o.end.with_timezone(&Utc),
                summary,
            ));
        }
    }
    out.sort();
    out
}

fn rids(r: &Record, local: Tz) -> Vec<(String, DateTime<FixedOffset>)> {
    recur::occurrences(r, from(), to(), local)
        .unwrap()
        .into_iter()
        .map(|o| (o.recurrence_id.unwrap(), o.start))
        .collect()
}

fn wall(t: DateTime<FixedOffset>) -> NaiveDateTime {
    t.naive_local()
}

#[test]
fn moving_one_thursday_writes_an_override() {
    let cx = cx("Europe/Berlin");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=WEEKLY;COUNT=4");
    let inst = find(&r, "2026-12-10", &cx).unwrap();
    assert_eq!(inst.recurrence_id, "2026-12-10T10:00:00+01:00");
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, "2026-12-11 11:00");
    let saved = save_occurrence(&mut s, &e, &inst.recurrence_id, Scope::This, &cx).unwrap();
    let after = saved.after.unwrap();
    assert_eq!(after.body.overrides.len(), 1);
    let o = &after.body.overrides[0];
    let rid = o.prop("RECURRENCE-ID").unwrap();
    assert_eq!(
        (rid.value.as_str(), rid.param("TZID")),
        ("20261210T100000", Some("Europe/Berlin"))
    );
    assert_eq!(o.prop("DTSTART").unwrap().value, "20261211T110000");
    assert_eq!(o.prop("DTEND").unwrap().value, "20261211T120000");
    assert!(o.prop("RRULE").is_none());
    let starts: Vec<String> = rids(&after, cx.tz)
        .into_iter()
        .map(|(_, t)| t.format("%m-%d %H:%M").to_string())
        .collect();
    assert_eq!(
        starts,
        ["12-03 10:00", "12-11 11:00", "12-17 10:00", "12-24 10:00"]
    );
    // The moved one is found by its new day and by its old one, and edits again
    // in place.
    assert_eq!(
        find(&after, "2026-12-11", &cx).unwrap().recurrence_id,
        inst.recurrence_id
    );
    assert_eq!(
        find(&after, "2026-12-10 10:00", &cx).unwrap().recurrence_id,
        inst.recurrence_id
    );
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Summary, "Moved");
    let after = save_occurrence(&mut s, &e, &inst.recurrence_id, Scope::This, &cx)
        .unwrap()
        .after
        .unwrap();
    assert_eq!(after.body.overrides.len(), 1);
    assert_eq!(
        after.body.overrides[0].prop("SUMMARY").unwrap().value,
        "Moved"
    );
    assert_eq!(after.title(), "Weekly");
}

#[test]
fn errors_name_the_problem() {
    let cx = cx("UTC");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=DAILY;COUNT=3");
    let e = find(&r, "2026-12-09", &cx).unwrap_err();
    assert!(e.to_string().contains("no occurrence at 2026-12-09"), "{e}");
    let inst = find(&r, "2026-12-04", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Rrule, "FREQ=WEEKLY");
    let err = save_occurrence(&mut s, &e, &inst.recurrence_id, Scope::This, &cx).unwrap_err();
    assert!(
        err.to_string()
            .contains("rrule belongs to the whole series"),
        "{err}"
    );
    let mut single = RecordEdit::create(Kind::Event);
    single.set(Field::Summary, "Once");
    single.set(Field::Start, "2026-12-03 10:00");
    let once = save(&mut s, &single, &cx).unwrap().after;
    let e = find(&once, "2026-12-03", &cx).unwrap_err();
    assert!(e.to_string().contains("does not repeat"), "{e}");
    let hourly = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=HOURLY;COUNT=3");
    let e = find(&hourly, "2026-12-03", &cx).unwrap_err();
    assert!(e.to_string().contains("several occurrences"), "{e}");
    assert!(find(&hourly, "2026-12-03 11:00", &cx).is_ok());
}

#[test]
fn this_and_following_ends_the_series_and_starts_a_sibling() {
    let cx = cx("Europe/Berlin");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=WEEKLY;COUNT=6");
    // An override and an EXDATE after the split go with the new series.
    let late = find(&r, "2026-12-31", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Location, "Room 2");
    save_occurrence(&mut s, &e, &late.recurrence_id, Scope::This, &cx).unwrap();
    let gone = find(&s.require(&r.id).unwrap(), "2027-01-07", &cx).unwrap();
    delete_occurrence(&mut s, &r.id, &gone.recurrence_id, Scope::This, &cx).unwrap();

    let inst = find(&s.require(&r.id).unwrap(), "2026-12-17", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, "2026-12-17 11:00");
    e.set(Field::Summary, "Later");
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
        "FREQ=WEEKLY;UNTIL=20261217T085959Z"
    );
    assert!(old.body.overrides.is_empty() && old.prop("EXDATE").is_none());
    assert_eq!(new.prop("RRULE").unwrap().value, "FREQ=WEEKLY;COUNT=4");
    assert_eq!(new.uid(), Some(new.id.as_str()));
    let rel = new.prop("RELATED-TO").unwrap();
    assert_eq!(
        (rel.value.as_str(), rel.param("RELTYPE")),
        (r.id.as_str(), Some("SIBLING"))
    );
    assert_eq!(new.prop("DTSTART").unwrap().value, "20261217T110000");
    // The override and the EXDATE moved along with the start.
    assert_eq!(new.prop("EXDATE").unwrap().value, "20270107T110000");
    let o = &new.body.overrides[0];
    assert_eq!(
        o.prop("UID").unwrap().value,
        new.id,
        "the override follows its series"
    );
    assert_eq!(o.prop("RECURRENCE-ID").unwrap().value, "20261231T110000");
    assert_eq!(o.prop("DTSTART").unwrap().value, "20261231T110000");
    let got: Vec<String> = all(&s, cx.tz)
        .into_iter()
        .map(|(t, _, summary)| {
            format!(
                "{} {summary}",
                t.with_timezone(&cx.tz).format("%m-%d %H:%M")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "12-03 10:00 Weekly",
            "12-10 10:00 Weekly",
            "12-17 11:00 Later",
            "12-24 11:00 Later",
            "12-31 11:00 Later",
        ]
    );
    // The first occurrence: the whole series, no split.
    let first = find(&old, "2026-12-03", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Summary, "All");
    let saved = save_occurrence(
        &mut s,
        &e,
        &first.recurrence_id,
        Scope::ThisAndFollowing,
        &cx,
    )
    .unwrap();
    assert!(saved.new_series.is_none());
    assert_eq!(saved.after.unwrap().title(), "All");
}

#[test]
fn deleting_this_and_following_ends_the_series_or_removes_it() {
    let cx = cx("UTC");
    let mut s = Store::open_in_memory().unwrap();
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Holiday");
    e.set(Field::Start, "2026-12-01");
    e.set(Field::Rrule, "FREQ=DAILY;COUNT=5");
    let r = save(&mut s, &e, &cx).unwrap().after;
    let inst = find(&r, "2026-12-03", &cx).unwrap();
    assert_eq!(inst.recurrence_id, "2026-12-03");
    let saved = delete_occurrence(
        &mut s,
        &r.id,
        &inst.recurrence_id,
        Scope::ThisAndFollowing,
        &cx,
    )
    .unwrap();
    let old = saved.after.unwrap();
    assert_eq!(
        old.prop("RRULE").unwrap().value,
        "FREQ=DAILY;UNTIL=20261202"
    );
    assert_eq!(all(&s, cx.tz).len(), 2);
    let first = find(&old, "2026-12-01", &cx).unwrap();
    let saved = delete_occurrence(
        &mut s,
        &r.id,
        &first.recurrence_id,
        Scope::ThisAndFollowing,
        &cx,
    )
    .unwrap();
    assert!(saved.after.is_none());
    assert!(s.get(&r.id).unwrap().is_none());
}

#[test]
fn a_stale_occurrence_edit_is_a_conflict() {
    let cx = cx("UTC");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=DAILY;COUNT=3");
    let inst = find(&r, "2026-12-04", &cx).unwrap();
    let mut other = RecordEdit::update(Kind::Event, &r.id);
    other.set(Field::Summary, "Theirs");
    save_occurrence(&mut s, &other, &inst.recurrence_id, Scope::This, &cx).unwrap();
    let mut mine = RecordEdit::update(Kind::Event, &r.id);
    mine.change(Field::Summary, "Weekly", "Mine");
    let e = save_occurrence(&mut s, &mine, &inst.recurrence_id, Scope::This, &cx).unwrap_err();
    assert!(matches!(e, RecordError::Conflict { .. }), "{e}");
}

const ZONES: [&str; 3] = ["UTC", "Europe/Berlin", "America/New_York"];

/// A random series: zone, start (daytime, so a shift never lands in a DST gap),
/// rule, and the index of the occurrence to change.
fn arb_series() -> impl Strategy<Value = (usize, String, String)> {
    (
        0..ZONES.len(),
        0u32..300,
        8u32..18,
        prop_oneof![Just("DAILY"), Just("WEEKLY"), Just("MONTHLY")],
        1u32..4,
        2u32..10,
        any::<bool>(),
    )
        .prop_map(|(zone, day, hour, freq, interval, count, by_until)| {
            let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + Duration::days(i64::from(day));
            let rule = if by_until {
                // An UNTIL after a few instances (in days, whatever the unit).
                let until = start + Duration::days(i64::from(count * interval * 7));
                format!(
                    "FREQ={freq};INTERVAL={interval};UNTIL={}",
                    until.format("%Y%m%d")
                )
            } else {
                format!("FREQ={freq};INTERVAL={interval};COUNT={count}")
            };
            (
                zone,
                format!("{} {hour:02}:30", start.format("%Y-%m-%d")),
                rule,
            )
        })
}

fn setup(zone: usize, start: &str, rule: &str) -> (Store, EditContext, Record) {
    let cx = cx(ZONES[zone]);
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, start, rule);
    (s, cx, r)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Expanding after a one-occurrence edit equals expanding the series with that
    /// occurrence changed (moved, retitled); nothing else moves.
    #[test]
    fn one_occurrence_edit_changes_only_it(
        (zone, start, rule) in arb_series(),
        pick in any::<prop::sample::Index>(),
        shift in -300i64..300,
        days in -3i64..4,
    ) {
        let (mut s, cx, r) = setup(zone, &start, &rule);
        let before = all(&s, cx.tz);
        let occ = rids(&r, cx.tz);
        let k = pick.index(occ.len());
        let (rid, at) = occ[k].clone();
        let moved_wall = wall(at) + Duration::days(days) + Duration::minutes(shift / 15 * 15);
        let mut e = RecordEdit::update(Kind::Event, &r.id);
        e.set(Field::Start, moved_wall.format("%Y-%m-%d %H:%M").to_string());
        e.set(Field::Summary, "Changed");
        save_occurrence(&mut s, &e, &rid, Scope::This, &cx).unwrap();
        let moved = crate::model::time::local_to_utc(moved_wall, cx.tz);
        let mut expected: Vec<_> = before.clone();
        let old = at.with_timezone(&Utc);
        let i = expected.iter().position(|(t, ..)| *t == old).unwrap();
        let len = expected[i].1 - expected[i].0;
        expected[i] = (moved, moved + len, "Changed".to_string());
        expected.sort();
        prop_assert_eq!(all(&s, cx.tz), expected);
    }

    /// Deleting one occurrence removes it and nothing else.
    #[test]
    fn one_occurrence_delete_removes_only_it(
        (zone, start, rule) in arb_series(),
        pick in any::<prop::sample::Index>(),
    ) {
        let (mut s, cx, r) = setup(zone, &start, &rule);
        let mut expected = all(&s, cx.tz);
        let occ = rids(&r, cx.tz);
        let k = pick.index(occ.len());
        delete_occurrence(&mut s, &r.id, &occ[k].0, Scope::This, &cx).unwrap();
        let old = occ[k].1.with_timezone(&Utc);
        expected.retain(|(t, ..)| *t != old);
        prop_assert_eq!(all(&s, cx.tz), expected);
    }

    /// This and following: the occurrences before stay as they were, the ones from
    /// it on move by the same wall-clock shift, across the two series.
    #[test]
    fn this_and_following_keeps_before_and_shifts_after(
        (zone, start, rule) in arb_series(),
        pick in any::<prop::sample::Index>(),
        gap in any::<prop::sample::Index>(),
        shift in -300i64..300,
        delete_one_first in any::<bool>(),
    ) {
        let (mut s, cx, r) = setup(zone, &start, &rule);
        let mut r = r;
        if delete_one_first {
            // An EXDATE somewhere, to be split with the rest.
            let occ = rids(&r, cx.tz);
            let k = gap.index(occ.len());
            r = delete_occurrence(&mut s, &r.id, &occ[k].0, Scope::This, &cx)
                .unwrap()
                .after
                .unwrap();
        }
        let occ = rids(&r, cx.tz);
        prop_assume!(!occ.is_empty());
        let k = pick.index(occ.len());
        let delta = Duration::minutes(shift / 15 * 15);
        let new_start = wall(occ[k].1) + delta;
        let mut e = RecordEdit::update(Kind::Event, &r.id);
        e.set(Field::Start, new_start.format("%Y-%m-%d %H:%M").to_string());
        save_occurrence(&mut s, &e, &occ[k].0, Scope::ThisAndFollowing, &cx).unwrap();
        let expected: Vec<NaiveDateTime> = occ
            .iter()
            .enumerate()
            .map(|(i, (_, t))| if i < k { wall(*t) } else { wall(*t) + delta })
            .collect();
        let mut got: Vec<NaiveDateTime> = Vec::new();
        for rec in s.list(Kind::Event, None).unwrap() {
            for o in recur::occurrences(&rec, from(), to(), cx.tz).unwrap() {
                got.push(o.start.naive_local());
            }
        }
        got.sort();
        let mut expected = expected;
        expected.sort();
        prop_assert_eq!(got, expected);
        prop_assert_eq!(s.list(Kind::Event, None).unwrap().len(), if k == 0 { 1 } else { 2 });
    }
}

/// An all-day series: (zone, first day, rule).
fn arb_all_day() -> impl Strategy<Value = (usize, String, String)> {
    (
        0..ZONES.len(),
        0u32..300,
        prop_oneof![Just("DAILY"), Just("WEEKLY"), Just("YEARLY")],
        1u32..3,
        2u32..8,
    )
        .prop_map(|(zone, day, freq, interval, count)| {
            let start = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
                + Duration::days(i64::from(day));
            (
                zone,
                start.format("%Y-%m-%d").to_string(),
                format!("FREQ={freq};INTERVAL={interval};COUNT={count}"),
            )
        })
}

fn all_day_setup(zone: usize, start: &str, rule: &str) -> (Store, EditContext, Record) {
    let cx = cx(ZONES[zone]);
    let mut s = Store::open_in_memory().unwrap();
    let mut e = RecordEdit::create(Kind::Event);
    e.set(Field::Summary, "Days");
    e.set(Field::Start, start);
    e.set(Field::Rrule, rule);
    let r = save(&mut s, &e, &cx).unwrap().after;
    (s, cx, r)
}

/// Every occurrence's first day in the store, ordered.
fn days(s: &Store, local: Tz) -> Vec<chrono::NaiveDate> {
    let mut out: Vec<_> = s
        .list(Kind::Event, None)
        .unwrap()
        .iter()
        .flat_map(|r| recur::occurrences(r, from(), to(), local).unwrap())
        .map(|o| {
            assert!(o.all_day);
            o.start.date_naive()
        })
        .collect();
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// All-day series: one occurrence moved by days changes only it; this and
    /// following keeps the days before and shifts the rest.
    #[test]
    fn all_day_occurrences_move_alone_or_with_the_rest(
        (zone, start, rule) in arb_all_day(),
        pick in any::<prop::sample::Index>(),
        shift in -3i64..4,
        following in any::<bool>(),
    ) {
        let (mut s, cx, r) = all_day_setup(zone, &start, &rule);
        let before = days(&s, cx.tz);
        let occ = rids(&r, cx.tz);
        let k = pick.index(occ.len());
        let day = occ[k].1.date_naive();
        let mut e = RecordEdit::update(Kind::Event, &r.id);
        e.set(Field::Start, (day + Duration::days(shift)).format("%Y-%m-%d").to_string());
        let scope = if following { Scope::ThisAndFollowing } else { Scope::This };
        save_occurrence(&mut s, &e, &occ[k].0, scope, &cx).unwrap();
        // A yearly series moved by days keeps its new month and day each year:
        // 27 Feb moved to 1 Mar is 1 Mar in a leap year too, not 29 Feb.
        let yearly = rule.contains("FREQ=YEARLY");
        let moved_k = before[k] + Duration::days(shift);
        let mut expected = Vec::new();
        for (i, d) in before.iter().enumerate() {
            let moves = if following { i >= k } else { i == k };
            if !moves {
                expected.push(*d);
            } else if yearly && following {
                let year = moved_k.year() + (d.year() - before[k].year());
                let Some(day) = moved_k.with_year(year) else {
                    // 29 Feb in a year without one: RFC 5545 skips it.
                    return Err(TestCaseError::reject("moved onto 29 February"));
                };
                expected.push(day);
            } else {
                expected.push(*d + Duration::days(shift));
            }
        }
        expected.sort();
        prop_assert_eq!(days(&s, cx.tz), expected);
    }
}

#[test]
fn a_whole_series_edit_keeps_its_occurrences_in_step() {
    let cx = cx("Europe/Berlin");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=WEEKLY;COUNT=4");
    let moved = find(&r, "2026-12-10", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, "2026-12-11 12:00");
    save_occurrence(&mut s, &e, &moved.recurrence_id, Scope::This, &cx).unwrap();
    let renamed = find(&r, "2026-12-17", &cx).unwrap();
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Summary, "Own title");
    save_occurrence(&mut s, &e, &renamed.recurrence_id, Scope::This, &cx).unwrap();
    let gone = find(&r, "2026-12-24", &cx).unwrap();
    delete_occurrence(&mut s, &r.id, &gone.recurrence_id, Scope::This, &cx).unwrap();
    // The whole series an hour later and renamed: the excluded day stays excluded,
    // the moved one stays where it was put, the renamed one keeps its title.
    let mut e = RecordEdit::update(Kind::Event, &r.id);
    e.set(Field::Start, "2026-12-03 11:00");
    e.set(Field::Summary, "Planning");
    save(&mut s, &e, &cx).unwrap();
    let got: Vec<String> = all(&s, cx.tz)
        .into_iter()
        .map(|(t, _, summary)| {
            format!(
                "{} {summary}",
                t.with_timezone(&cx.tz).format("%m-%d %H:%M")
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "12-03 11:00 Planning",
            "12-11 12:00 Planning",
            "12-17 11:00 Own title"
        ]
    );
}

/// Attack: three splits of one series (last occurrence, a middle one, the first), each
/// undone in reverse order, give back exactly the occurrences of the start.
#[test]
fn repeated_splits_undone_in_reverse_give_back_the_series() {
    let cx = cx("Europe/Berlin");
    let mut s = Store::open_in_memory().unwrap();
    let r = series(&mut s, &cx, "2026-12-03 10:00", "FREQ=WEEKLY;COUNT=5");
    let original = all(&s, cx.tz);
    let mut undos = Vec::new();
    for (when, title) in [
        ("2026-12-31", "Last"),
        ("2026-12-17", "Mid"),
        ("2026-12-03", "First"),
    ] {
        let current = s.get(&r.id).unwrap().unwrap();
        let inst = find(&current, when, &cx).unwrap();
        let mut e = RecordEdit::update(Kind::Event, &r.id);
        e.set(Field::Summary, title);
        let saved = save_occurrence(
            &mut s,
            &e,
            &inst.recurrence_id,
            Scope::ThisAndFollowing,
            &cx,
        )
        .unwrap();
        undos.push(saved.undo());
    }
    assert_eq!(all(&s, cx.tz).len(), 5);
    for u in undos.iter().rev() {
        crate::app::records::undo::undo(&mut s, u).unwrap();
    }
    assert_eq!(all(&s, cx.tz), original);
}
