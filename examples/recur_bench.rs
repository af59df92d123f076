//! Benchmark: expand 6 000 recurring events into a one-month window.
//!
//! `cargo run --release --example recur_bench [EVENTS] [ROUNDS]`
//! (`BREAKDOWN=1` adds the cost per kind of rule; `--print-ics [EVENTS]` prints the
//! events as one .ics file instead, to time `pim import` and `pim list events`)
//!
//! Events are daily/weekly/monthly/yearly, DTSTART spread over 2024–2026, in UTC,
//! IANA, Windows-named and floating zones, some all-day, some with BY* parts, one in
//! ten bounded by COUNT (which must be counted from DTSTART). They are read from
//! iCalendar text first, as the store would hold them.

use std::time::Instant;

use chrono::{TimeZone, Utc};
use pim::formats::ics::read_ics;
use pim::model::Record;
use pim::recur::occurrences;

fn generate(n: usize) -> String {
    let zones = [
        ("", "Z"),
        (";TZID=Europe/Berlin", ""),
        (";TZID=America/New_York", ""),
        (";TZID=W. Europe Standard Time", ""),
        ("", ""),
    ];
    let rules = [
        "FREQ=DAILY",
        "FREQ=DAILY;INTERVAL=3",
        "FREQ=WEEKLY;BYDAY=MO,WE,FR",
        "FREQ=WEEKLY;INTERVAL=2",
        "FREQ=MONTHLY",
        "FREQ=MONTHLY;BYDAY=-1FR",
        "FREQ=YEARLY",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=2TU",
    ];
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n");
    for i in 0..n {
        let day = i % 1000; // 2024-01-01 + up to ~2.7 years
        let start = chrono::NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
            + chrono::Duration::days(day as i64);
        let mut rule = rules[i % rules.len()].to_string();
        if i % 10 == 7 {
            rule.push_str(";COUNT=400");
        }
        let dt = if i % 13 == 0 {
            format!(
                "DTSTART;VALUE=DATE:{}\r\nDTEND;VALUE=DATE:{}",
                start.format("%Y%m%d"),
                (start + chrono::Duration::days(1)).format("%Y%m%d")
            )
        } else {
            let (param, z) = zones[i % zones.len()];
            let hour = 8 + i % 10;
            format!(
                "DTSTART{param}:{}T{hour:02}0000{z}\r\nDTEND{param}:{}T{:02}3000{z}",
                start.format("%Y%m%d"),
                start.format("%Y%m%d"),
                hour
            )
        };
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:bench-{i}\r\nSUMMARY:Event {i}\r\n{dt}\r\nRRULE:{rule}\r\nEND:VEVENT\r\n"
        ));
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

fn main() {
    if std::env::args().nth(1).as_deref() == Some("--print-ics") {
        // The same events as a file, for timing `pim import` + `pim list events`.
        let n = std::env::args()
            .nth(2)
            .and_then(|a| a.parse().ok())
            .unwrap_or(6000);
        print!("{}", generate(n));
        return;
    }
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(6000);
    let rounds: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(20);
    let records: Vec<Record> = read_ics(&generate(n))
        .into_iter()
        .map(|r| r.expect("generated item reads").record)
        .collect();
    let from = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let to = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
    let local = pim::model::zonedb::Tz::known("Europe/Berlin");
    let mut best = f64::MAX;
    let mut found = 0;
    for _ in 0..rounds {
        let t = Instant::now();
        found = 0;
        for r in &records {
            found += occurrences(r, from, to, local).expect("expands").len();
        }
        best = best.min(t.elapsed().as_secs_f64());
    }
    // Per kind of rule, to see where time goes.
    let mut by_rule: std::collections::BTreeMap<String, (usize, f64)> = Default::default();
    for r in &records {
        let key = r.prop("RRULE").map(|p| p.value.clone()).unwrap_or_default();
        let t = Instant::now();
        for _ in 0..10 {
            std::hint::black_box(occurrences(r, from, to, local).expect("expands"));
        }
        let e = by_rule.entry(key).or_default();
        e.0 += 1;
        e.1 += t.elapsed().as_secs_f64() / 10.0;
    }
    if std::env::var_os("BREAKDOWN").is_some() {
        for (rule, (count, secs)) in &by_rule {
            println!(
                "{:>8.2} µs/event  {count:>5} × {rule}",
                secs * 1e6 / *count as f64
            );
        }
    }
    println!(
        "{n} recurring events, window 2026-03-01..2026-04-01: {found} occurrences, \
         best of {rounds}: {:.2} ms total, {:.2} µs per event",
        best * 1e3,
        best * 1e6 / n as f64
    );
}
