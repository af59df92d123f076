use chrono::TimeZone;

use super::*;
use crate::model::{Kind, Property};

fn utc(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, h, min, 0).unwrap()
}

fn add(store: &mut Store, kind: Kind, props: &[(&str, &str)]) -> String {
    let coll = store.default_collection(kind).unwrap().id;
    let mut r = Record::new(kind, &coll);
    for (name, value) in props {
        // `NAME;PARAM=VALUE` sets one parameter.
        let p = match name.split_once(';') {
            Some((name, param)) => {
                let (k, v) = param.split_once('=').unwrap();
                Property::new(name, *value).with_param(k, v)
            }
            None => Property::new(name, *value),
        };
        r.body.main.props.push(p);
    }
    store.write(|w| w.create(&r)).unwrap();
    r.id
}

fn sample(store: &mut Store) {
    add(
        store,
        Kind::Event,
        &[
            ("SUMMARY", "Review"),
            ("DTSTART", "20261207T100000Z"),
            ("DTEND", "20261207T110000Z"),
            ("LOCATION", "Room 1"),
        ],
    );
    add(
        store,
        Kind::Event,
        &[
            ("SUMMARY", "Earlier today"),
            ("DTSTART", "20261206T080000Z"),
            ("DTEND", "20261206T090000Z"),
        ],
    );
    add(
        store,
        Kind::Event,
        &[
            ("SUMMARY", "In progress"),
            ("DTSTART", "20261206T113000Z"),
            ("DTEND", "20261206T130000Z"),
        ],
    );
    add(
        store,
        Kind::Event,
        &[
            ("SUMMARY", "Trip"),
            ("DTSTART;VALUE=DATE", "20261207"),
            ("DTEND;VALUE=DATE", "20261209"),
        ],
    );
    add(
        store,
        Kind::Task,
        &[("SUMMARY", "Report"), ("DUE", "20261207T170000Z")],
    );
    add(
        store,
        Kind::Task,
        &[
            ("SUMMARY", "Done already"),
            ("DUE", "20261207T170000Z"),
            ("STATUS", "COMPLETED"),
        ],
    );
    add(
        store,
        Kind::Contact,
        &[("FN", "Ada Lovelace"), ("BDAY", "19851208")],
    );
}

#[test]
fn the_agenda_groups_what_is_coming_by_day() {
    let mut store = Store::open_in_memory().unwrap();
    sample(&mut store);
    let req = AgendaRequest {
        now: utc(2026, 12, 6, 12, 0),
        tz: crate::model::zonedb::UTC,
        days: 7,
        birthdays: true,
    };
    let days = agenda(&store, req).unwrap();
    let lines: Vec<(String, Vec<String>)> = days
        .iter()
        .map(|d| {
            (
                d.date.to_string(),
                d.items.iter().map(|i| i.summary.clone()).collect(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("2026-12-06".into(), vec!["In progress".into()]),
            (
                "2026-12-07".into(),
                vec!["Trip".into(), "Review".into(), "Report".into()]
            ),
            (
                "2026-12-08".into(),
                vec!["Ada Lovelace's birthday (41)".into(), "Trip".into()]
            ),
        ]
    );
    let review = &days[1].items[1];
    assert_eq!(review.location.as_deref(), Some("Room 1"));
    assert_eq!(review.kind, ItemKind::Event);
    assert_eq!(days[1].items[2].kind, ItemKind::Task);
    assert_eq!(days[2].items[0].years, Some(41));
    let without = agenda(
        &store,
        AgendaRequest {
            birthdays: false,
            ..req
        },
    )
    .unwrap();
    assert_eq!(without[2].items.len(), 1, "no birthday");
    // One day: today only.
    let one = agenda(&store, AgendaRequest { days: 1, ..req }).unwrap();
    assert_eq!(one.len(), 1);
}

#[test]
fn next_is_the_earliest_timed_event_not_yet_ended() {
    let mut store = Store::open_in_memory().unwrap();
    sample(&mut store);
    let next_at = |t| {
        next(&store, t, crate::model::zonedb::UTC, None)
            .unwrap()
            .map(|e| e.summary)
    };
    assert_eq!(
        next_at(utc(2026, 12, 6, 7, 0)).as_deref(),
        Some("Earlier today")
    );
    assert_eq!(
        next_at(utc(2026, 12, 6, 12, 0)).as_deref(),
        Some("In progress")
    );
    assert_eq!(next_at(utc(2026, 12, 6, 13, 0)).as_deref(), Some("Review"));
    assert_eq!(next_at(utc(2026, 12, 7, 11, 0)), None);
}

#[test]
fn the_cache_answers_like_a_fresh_computation_and_sees_writes() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
    sample(&mut store);
    let cache = dir.path().join("next.json");
    let tz = crate::model::zonedb::UTC;
    for t in [
        utc(2026, 12, 6, 7, 0),
        utc(2026, 12, 6, 12, 0),
        utc(2026, 12, 6, 13, 0),
        utc(2026, 12, 7, 11, 0),
    ] {
        let cached = next(&store, t, tz, Some(&cache)).unwrap();
        assert_eq!(cached, next(&store, t, tz, None).unwrap(), "{t}");
        assert!(cache.exists());
    }
    let t = utc(2026, 12, 6, 13, 0);
    assert_eq!(
        next(&store, t, tz, Some(&cache)).unwrap().unwrap().summary,
        "Review"
    );
    // While the database is unchanged, the answer comes from the file.
    let text = std::fs::read_to_string(&cache).unwrap();
    std::fs::write(&cache, text.replace("\"Review\"", "\"From the cache\"")).unwrap();
    assert_eq!(
        next(&store, t, tz, Some(&cache)).unwrap().unwrap().summary,
        "From the cache"
    );
    // The cache holds what an older database said; a write is seen at once.
    add(
        &mut store,
        Kind::Event,
        &[
            ("SUMMARY", "Squeezed in"),
            ("DTSTART", "20261206T140000Z"),
            ("DTEND", "20261206T143000Z"),
        ],
    );
    assert_eq!(
        next(&store, t, tz, Some(&cache)).unwrap().unwrap().summary,
        "Squeezed in"
    );
    // A cache of another zone is not used.
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    let there = next(&store, t, berlin, Some(&cache)).unwrap().unwrap();
    assert_eq!(there.start.offset().local_minus_utc(), 3600);
}

#[test]
fn status_bar_templates() {
    let e = NextEvent {
        id: "abc".into(),
        summary: "Review".into(),
        start: utc(2026, 12, 7, 10, 0).fixed_offset(),
        end: utc(2026, 12, 7, 11, 0).fixed_offset(),
        location: Some("Room 1".into()),
        collection: "Work".into(),
    };
    let f = |t: &str| format_next(&e, t);
    assert_eq!(f("{start:%H:%M} {summary}").unwrap(), "10:00 Review");
    assert_eq!(
        f("{start}–{end:%H:%M} {summary} @ {location} [{collection}] {{{id}}}").unwrap(),
        "2026-12-07 10:00–11:00 Review @ Room 1 [Work] {abc}"
    );
    assert!(
        f("{nope}")
            .unwrap_err()
            .to_string()
            .contains("unknown field")
    );
    assert!(f("{start").is_err());
    assert!(f("}").is_err());
    assert!(f("{summary:%H}").is_err());
    assert!(f("{start:%Q}").is_err());
}
