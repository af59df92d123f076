//! Window queries skip series that cannot reach the window, and never one that can:
//! the COUNT bound stored for a series is checked against the expansion itself, and
//! an older database gets its spans recomputed when opened.

// Reads the database file directly, as SQLite sees it from outside the app.
#![allow(clippy::disallowed_types)]

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use pim::model::time::When;
use pim::model::{Kind, Property, Record};
use pim::recur::occurrences;
use pim::store::{Store, count_end};

const ZONES: &[&str] = &["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"];

/// Rules whose periods always hold an instance (the ones `count_end` bounds), and
/// some it must refuse.
const RULES: &[&str] = &[
    "FREQ=DAILY",
    "FREQ=DAILY;INTERVAL=3",
    "FREQ=DAILY;BYDAY=MO,WE",
    "FREQ=DAILY;INTERVAL=4;BYDAY=SU",
    "FREQ=WEEKLY",
    "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SA",
    "FREQ=MONTHLY",
    "FREQ=MONTHLY;BYMONTHDAY=-28,3",
    "FREQ=MONTHLY;INTERVAL=5;BYDAY=-4FR,2MO",
    "FREQ=MONTHLY;BYDAY=SU",
    "FREQ=YEARLY",
    "FREQ=YEARLY;INTERVAL=3",
    "FREQ=HOURLY;INTERVAL=7",
    "FREQ=MINUTELY;INTERVAL=90",
    "FREQ=MONTHLY;BYMONTHDAY=31",
    "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29",
];

fn event(start: When, rule: &str) -> Record {
    let mut r = Record::new(Kind::Event, "default-event");
    r.body.main.props.push(Property::new("UID", r.id.clone()));
    r.body.main.props.push(start.to_property("DTSTART"));
    r.body
        .main
        .props
        .push(start.plus(Duration::minutes(45)).to_property("DTEND"));
    r.body.main.props.push(Property::new("RRULE", rule));
    r
}

fn starts() -> Vec<When> {
    let mut out = Vec::new();
    for (i, day) in [(2024, 1, 31), (2025, 3, 29), (2026, 10, 24), (2027, 2, 28)]
        .into_iter()
        .enumerate()
    {
        let d = NaiveDate::from_ymd_opt(day.0, day.1, day.2).unwrap();
        let t = d.and_hms_opt(1 + 7 * i as u32 % 23, 30, 0).unwrap();
        out.push(When::Date(d));
        out.push(When::Floating(t));
        for z in ZONES {
            out.push(if *z == "UTC" {
                When::Utc(Utc.from_utc_datetime(&t))
            } else {
                When::Zoned(t, z.to_string())
            });
        }
    }
    out
}

#[test]
fn count_bound_is_never_before_the_last_instance() {
    let local: pim::model::zonedb::Tz = "Pacific/Auckland".parse().unwrap();
    let mut bounded = 0;
    for rule in RULES {
        for count in [1, 2, 7, 30] {
            for start in starts() {
                let rule = format!("{rule};COUNT={count}");
                let r = event(start.clone(), &rule);
                let from = Utc.with_ymd_and_hms(2020, 1, 1, 0, 0, 0).unwrap();
                let to = Utc.with_ymd_and_hms(2200, 1, 1, 0, 0, 0).unwrap();
                let occ = occurrences(&r, from, to, local).unwrap();
                // A DTSTART off the rule is an instance of its own, besides COUNT.
                assert!(
                    (count..=count + 1).contains(&occ.len()),
                    "{rule} from {start:?}"
                );
                let last: DateTime<Utc> = occ.last().unwrap().start.with_timezone(&Utc);
                // The store indexes floating and all-day values as if in UTC.
                let start_utc = pim::model::tz::instant(&start, &[], pim::model::zonedb::UTC);
                let day = match &start {
                    When::Date(d) => *d,
                    When::Floating(n) | When::Zoned(n, _) => n.date(),
                    When::Utc(t) => t.date_naive(),
                };
                if let Some(end) = count_end(&rule, start_utc, day) {
                    bounded += 1;
                    // 15 hours of slack cover the viewer's zone for floating times.
                    assert!(
                        last <= end + Duration::hours(15),
                        "{rule} from {start:?}: last {last}, bound {end}"
                    );
                }
            }
        }
    }
    assert!(bounded > 1000, "only {bounded} bounded");
}

fn window(store: &Store, from: (i32, u32, u32), to: (i32, u32, u32)) -> Vec<String> {
    let f = Utc
        .with_ymd_and_hms(from.0, from.1, from.2, 0, 0, 0)
        .unwrap();
    let t = Utc.with_ymd_and_hms(to.0, to.1, to.2, 0, 0, 0).unwrap();
    let mut ids: Vec<String> = store
        .events_between(f.timestamp(), t.timestamp(), None)
        .unwrap()
        .into_iter()
        .map(|r| r.id)
        .collect();
    ids.sort();
    ids
}

#[test]
fn ended_count_series_are_skipped_and_old_databases_reindexed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pim.sqlite3");
    let day = |y, m, d| {
        When::Zoned(
            NaiveDate::from_ymd_opt(y, m, d)
                .unwrap()
                .and_hms_opt(9, 0, 0)
                .unwrap(),
            "Europe/Berlin".into(),
        )
    };
    let ended = event(day(2020, 1, 6), "FREQ=WEEKLY;COUNT=10");
    let running = event(day(2026, 1, 5), "FREQ=WEEKLY;COUNT=10");
    let endless = event(day(2020, 1, 6), "FREQ=MONTHLY;BYMONTHDAY=31;COUNT=10");
    {
        let mut store = Store::open(&path).unwrap();
        store
            .write(|w| {
                for r in [&ended, &running, &endless] {
                    w.create(r)?;
                }
                Ok(())
            })
            .unwrap();
        let mut expect = vec![running.id.clone(), endless.id.clone()];
        expect.sort();
        assert_eq!(window(&store, (2026, 3, 1), (2026, 3, 2)), expect);
        // The 10th weekly instance is on 2026-03-09: still in a window then.
        assert!(window(&store, (2026, 3, 9), (2026, 3, 10)).contains(&running.id));
        // The bound is loose by a period or so, not more.
        assert!(!window(&store, (2026, 4, 1), (2026, 4, 2)).contains(&running.id));
    }
    // As a database of schema 3 stored them: no end for COUNT series, the old index.
    {
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute_batch(
            "UPDATE records SET end_ts = NULL WHERE recurring = 1;
             DROP INDEX records_kind_span;
             CREATE INDEX records_kind_start ON records (kind, recurring, start_ts);
             DROP TABLE sync_held;
             DROP INDEX changes_skipped;
             PRAGMA user_version = 3;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let mut expect = vec![running.id.clone(), endless.id.clone()];
    expect.sort();
    assert_eq!(window(&store, (2026, 3, 1), (2026, 3, 2)), expect);
    // The index columns are the store's own: read them from the file directly.
    let nulls: i64 = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row(
            "SELECT COUNT(*) FROM records WHERE end_ts IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(nulls, 1, "only the series without a bound stays open");
}
