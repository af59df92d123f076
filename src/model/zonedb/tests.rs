//! The tables against chrono-tz, whose data they were written from: every zone,
//! every transition (and the second either side), instants between, local times
//! in gaps and overlaps, whole dates.

use super::*;
use chrono::{DateTime, MappedLocalTime};
use chrono_tz::{OffsetComponents as _, OffsetName as _};

fn theirs(tz: Tz) -> chrono_tz::Tz {
    tz.name().parse().expect("chrono-tz knows the name")
}

/// What an offset says: total, standard part, daylight part, abbreviation, text.
fn ours_said(o: TzOffset) -> (i32, Duration, Duration, Option<&'static str>, String) {
    let text = o.to_string();
    (
        o.fix().local_minus_utc(),
        o.base_utc_offset(),
        o.dst_offset(),
        o.abbreviation(),
        text,
    )
}

fn theirs_said(o: chrono_tz::TzOffset) -> (i32, Duration, Duration, Option<&'static str>, String) {
    let abbreviation = o.abbreviation().map(|a| {
        // chrono-tz's names are 'static; the trait lends them for `&self` only.
        let leaked: &'static str = Box::leak(a.to_string().into_boxed_str());
        leaked
    });
    (
        o.fix().local_minus_utc(),
        o.base_utc_offset(),
        o.dst_offset(),
        abbreviation,
        o.to_string(),
    )
}

fn local_said<O>(
    r: MappedLocalTime<O>,
    say: impl Fn(O) -> (i32, Duration, Duration, Option<&'static str>, String),
) -> Vec<(i32, Duration, Duration, Option<&'static str>, String)> {
    match r {
        MappedLocalTime::None => vec![],
        MappedLocalTime::Single(a) => vec![say(a)],
        MappedLocalTime::Ambiguous(a, b) => vec![say(a), say(b)],
    }
}

#[test]
fn every_zone_of_chrono_tz_is_here_by_the_same_name() {
    assert_eq!(
        TZDB_VERSION,
        chrono_tz::IANA_TZDB_VERSION,
        "run scripts/gen-zones.py"
    );
    let mut names: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|z| z.name()).collect();
    names.sort_unstable();
    let ours: Vec<&str> = Tz::all().map(Tz::name).collect();
    assert_eq!(ours, names);
    for name in names {
        let tz: Tz = name.parse().expect("parses");
        assert_eq!(tz.name(), name);
        assert_eq!(format!("{tz}"), name);
        assert_eq!(format!("{tz:?}"), name);
    }
    assert_eq!(UTC.name(), "UTC");
    assert_eq!(Tz::default(), UTC);
    for unknown in [
        "",
        "europe/berlin",
        "Europe/Berlin ",
        "Europe",
        "Mars/Olympus",
        "\u{0}",
    ] {
        assert_eq!(unknown.parse::<Tz>(), Err(UnknownZone), "{unknown:?}");
        assert!(unknown.parse::<chrono_tz::Tz>().is_err(), "{unknown:?}");
    }
}

#[test]
fn every_zone_gives_chrono_tz_offsets_at_every_transition_and_between() {
    for tz in Tz::all() {
        let them = theirs(tz);
        let (at, _) = tz.transitions();
        let mut instants: Vec<i64> = at.iter().flat_map(|&t| [t - 1, t, t + 1]).collect();
        // Before the first transition, after the last, and a sample between.
        instants.extend((-5_000_000_000i64..5_000_000_000).step_by(86_400 * 233 + 3_607));
        for t in instants {
            let n = DateTime::from_timestamp(t, 0)
                .expect("in range")
                .naive_utc();
            assert_eq!(
                ours_said(tz.offset_from_utc_datetime(&n)),
                theirs_said(them.offset_from_utc_datetime(&n)),
                "{tz} at {n} UTC"
            );
            assert_eq!(tz.offset_from_utc_datetime(&n).tz_id(), tz.name());
            // The same seconds read as local time, and around: gaps and overlaps.
            for shift in [0, -1, 1, -3600, 1800, 3600] {
                let local = DateTime::from_timestamp(t + shift, 0)
                    .expect("in range")
                    .naive_utc();
                assert_eq!(
                    local_said(tz.offset_from_local_datetime(&local), ours_said),
                    local_said(them.offset_from_local_datetime(&local), theirs_said),
                    "{tz} at local {local}"
                );
            }
            #[allow(deprecated)]
            {
                let day = n.date();
                assert_eq!(
                    local_said(tz.offset_from_local_date(&day), ours_said),
                    local_said(them.offset_from_local_date(&day), theirs_said),
                    "{tz} on {day}"
                );
                assert_eq!(
                    ours_said(tz.offset_from_utc_date(&day)),
                    theirs_said(them.offset_from_utc_date(&day)),
                    "{tz} on {day} UTC"
                );
            }
        }
    }
}

#[test]
fn a_gap_and_an_overlap_in_berlin() {
    let berlin: Tz = "Europe/Berlin".parse().unwrap();
    let at = |h, m| {
        NaiveDate::from_ymd_opt(2026, 3, 29)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    };
    assert_eq!(
        berlin.offset_from_local_datetime(&at(2, 30)),
        MappedLocalTime::None
    );
    let back = NaiveDate::from_ymd_opt(2026, 10, 25)
        .unwrap()
        .and_hms_opt(2, 30, 0)
        .unwrap();
    match berlin.offset_from_local_datetime(&back) {
        MappedLocalTime::Ambiguous(a, b) => {
            assert_eq!(
                (a.to_string(), b.to_string()),
                ("CEST".into(), "CET".into())
            );
        }
        other => panic!("{other:?}"),
    }
    let summer = berlin.from_local_datetime(&at(12, 0)).single().unwrap();
    assert_eq!(summer.to_rfc3339(), "2026-03-29T12:00:00+02:00");
    assert_eq!(summer.format("%Z").to_string(), "CEST");
    let kolkata: Tz = "Asia/Kolkata".parse().unwrap();
    assert_eq!(
        kolkata.offset_from_utc_datetime(&at(0, 0)).to_string(),
        "IST"
    );
    let numeric: Tz = "America/Sao_Paulo".parse().unwrap();
    assert_eq!(
        numeric.offset_from_utc_datetime(&at(0, 0)).to_string(),
        "-03"
    );
}

#[test]
fn local_times_at_every_span_edge_and_the_extremes_are_chrono_tz_s() {
    // Where a local time turns from one answer to the next (a span's first local
    // second and its end, whatever the size of the change), and the ends of chrono's
    // range, where the arithmetic is furthest from the tables.
    for tz in Tz::all() {
        let them = theirs(tz);
        let spans = tz.transitions().0.len() + 1;
        let mut locals = vec![NaiveDateTime::MIN, NaiveDateTime::MAX];
        for i in 0..spans {
            let (begin, end) = tz.local_span(i);
            for edge in [begin, end].into_iter().flatten() {
                for shift in [-61, -1, 0, 1, 59] {
                    locals.push(
                        DateTime::from_timestamp(edge + shift, 0)
                            .expect("in range")
                            .naive_utc(),
                    );
                }
            }
        }
        for local in locals {
            assert_eq!(
                local_said(tz.offset_from_local_datetime(&local), ours_said),
                local_said(them.offset_from_local_datetime(&local), theirs_said),
                "{tz} at local {local}"
            );
            assert_eq!(
                ours_said(tz.offset_from_utc_datetime(&local)),
                theirs_said(them.offset_from_utc_datetime(&local)),
                "{tz} at {local} UTC"
            );
        }
    }
}
