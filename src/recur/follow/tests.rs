use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn at(y: i32, m: u32, d: u32, h: u32) -> NaiveDateTime {
    NaiveDate::from_ymd_opt(y, m, d)
        .unwrap()
        .and_hms_opt(h, 0, 0)
        .unwrap()
}

#[test]
fn weekdays_move_by_the_day_offset() {
    // Monday/Wednesday standup; Wednesday 10 March 2027 moved to Thursday.
    let from = at(2027, 3, 10, 9);
    let to = at(2027, 3, 11, 9);
    assert_eq!(
        follow_move("FREQ=WEEKLY;BYDAY=MO,WE", from, to),
        "FREQ=WEEKLY;BYDAY=TU,TH"
    );
    // Across the end of the week: Saturday/Sunday moved two days on.
    assert_eq!(
        follow_move(
            "FREQ=WEEKLY;BYDAY=SA,SU",
            at(2027, 3, 13, 9),
            at(2027, 3, 15, 9)
        ),
        "FREQ=WEEKLY;BYDAY=MO,TU"
    );
    // Earlier works the same way.
    assert_eq!(
        follow_move(
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR",
            at(2027, 3, 8, 9),
            at(2027, 3, 7, 9)
        ),
        "FREQ=DAILY;BYDAY=SU,MO,TU,WE,TH"
    );
}

#[test]
fn a_fortnightly_rule_with_several_days_shifts_its_week_start() {
    assert_eq!(
        follow_move(
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
            at(2027, 3, 10, 9),
            at(2027, 3, 16, 9)
        ),
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=SU,TU;WKST=SU"
    );
}

#[test]
fn one_value_becomes_the_new_starts() {
    // Monthly on the 15th moved to the 17th; the last day stays the last day.
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYMONTHDAY=15",
            at(2027, 3, 15, 9),
            at(2027, 3, 17, 9)
        ),
        "FREQ=MONTHLY;BYMONTHDAY=17"
    );
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYMONTHDAY=-1",
            at(2027, 3, 31, 9),
            at(2027, 3, 30, 9)
        ),
        "FREQ=MONTHLY;BYMONTHDAY=-2"
    );
    // Second Tuesday (9 March 2027) moved to Thursday 11 March: second Thursday.
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYDAY=2TU",
            at(2027, 3, 9, 9),
            at(2027, 3, 11, 9)
        ),
        "FREQ=MONTHLY;BYDAY=2TH"
    );
    // Last Friday moved to the Monday after: the first Monday of April.
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYDAY=-1FR",
            at(2027, 3, 26, 9),
            at(2027, 3, 29, 9)
        ),
        "FREQ=MONTHLY;BYDAY=-1MO"
    );
    // Outlook's "second Tuesday" moved to the Thursday after the second Thursday.
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
            at(2027, 3, 9, 9),
            at(2027, 3, 18, 9)
        ),
        "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=3"
    );
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYDAY=FR;BYSETPOS=-1",
            at(2027, 3, 26, 9),
            at(2027, 3, 25, 9)
        ),
        "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1"
    );
    assert_eq!(
        follow_move(
            "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=31",
            at(2027, 3, 31, 9),
            at(2027, 4, 1, 9)
        ),
        "FREQ=YEARLY;BYMONTH=4;BYMONTHDAY=1"
    );
    assert_eq!(
        follow_move(
            "FREQ=DAILY;BYHOUR=9",
            at(2027, 3, 31, 9),
            at(2027, 3, 31, 11)
        ),
        "FREQ=DAILY;BYHOUR=11"
    );
}

#[test]
fn until_moves_along_and_count_stays() {
    assert_eq!(
        follow_move(
            "FREQ=WEEKLY;BYDAY=WE;UNTIL=20270630T080000Z",
            at(2027, 3, 10, 9),
            at(2027, 3, 11, 10)
        ),
        "FREQ=WEEKLY;BYDAY=TH;UNTIL=20270701T090000Z"
    );
    assert_eq!(
        follow_move(
            "FREQ=WEEKLY;COUNT=5;UNTIL=20270630",
            at(2027, 3, 10, 9),
            at(2027, 3, 12, 9)
        ),
        "FREQ=WEEKLY;COUNT=5;UNTIL=20270702"
    );
}

#[test]
fn what_no_shift_keeps_repeats_from_the_new_start() {
    // Several month days where one would leave the month: monthly from the new day.
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYMONTHDAY=1,30",
            at(2027, 3, 30, 9),
            at(2027, 4, 2, 9)
        ),
        "FREQ=MONTHLY"
    );
    // The last weekday of the month moved to a Saturday.
    assert_eq!(
        follow_move(
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            at(2027, 3, 31, 9),
            at(2027, 3, 27, 9)
        ),
        "FREQ=MONTHLY"
    );
    // Nothing to follow: same rule.
    assert_eq!(
        follow_move(
            "FREQ=WEEKLY;COUNT=3",
            at(2027, 3, 10, 9),
            at(2027, 3, 11, 9)
        ),
        "FREQ=WEEKLY;COUNT=3"
    );
    assert_eq!(
        follow_move("FREQ=WEEKLY;BYDAY=MO", at(2027, 3, 8, 9), at(2027, 3, 8, 9)),
        "FREQ=WEEKLY;BYDAY=MO"
    );
}

/// Rule shapes where moving every instance by the same number of days is a rule.
fn arb_shape() -> impl Strategy<Value = String> {
    let days = prop::sample::subsequence(vec!["MO", "TU", "WE", "TH", "FR", "SA", "SU"], 1..4);
    prop_oneof![
        (days.clone(), 1u32..4)
            .prop_map(|(d, i)| format!("FREQ=WEEKLY;INTERVAL={i};BYDAY={}", d.join(","))),
        (days, 1u32..3).prop_map(|(d, i)| format!("FREQ=DAILY;INTERVAL={i};BYDAY={}", d.join(","))),
        (8i32..21, 1u32..3).prop_map(|(d, i)| format!("FREQ=MONTHLY;INTERVAL={i};BYMONTHDAY={d}")),
    ]
}

proptest! {
    /// The moved rule's instances are the old ones from the moved one on, each
    /// moved by the same offset, and the new start is its first instance.
    #[test]
    fn a_moved_rule_is_the_old_one_moved(
        rule in arb_shape(),
        first in 0i64..400,
        pick in 0usize..6,
        days in -6i64..7,
        hours in -3i64..4,
    ) {
        let start = at(2027, 1, 1, 10) + Duration::days(first);
        let old = Rule::parse(&rule).unwrap();
        let lo = start;
        let hi = start + Duration::days(800);
        let all = old.between(start, None, lo, hi);
        prop_assume!(all.len() > pick + 20);
        let from = all[pick];
        let delta = Duration::days(days) + Duration::hours(hours);
        let to = from + delta;
        let moved = follow_move(&rule, from, to);
        let new = Rule::parse(&moved).unwrap();
        let got = new.between(to, None, to, hi);
        let expected: Vec<NaiveDateTime> = all[pick..].iter().map(|t| *t + delta).collect();
        let n = expected.len().min(got.len()) - 3;
        prop_assert!(n > 10, "{moved}: {got:?}");
        prop_assert_eq!(&got[..n], &expected[..n], "{} -> {}", rule, moved);
        prop_assert_eq!(got[0], to);
    }
}
