//! Issue 14 item 3 through the binary: FREQ=SECONDLY from 1900 listed over two
//! centuries gives the capped number of occurrences with a notice on stderr, and
//! `--limit` changes the cap. (Memory and time: BENCHMARKS.md, measured with
//! /usr/bin/time -v on the same command.)

use std::process::{Command, Output};

fn pim(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pim"))
        .args(args)
        .env("PIM_HOME", home)
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn ok(home: &std::path::Path, args: &[&str]) -> (String, String) {
    let o = pim(home, args);
    assert!(
        o.status.success(),
        "pim {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    (
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

#[test]
fn a_secondly_rule_over_two_centuries_is_capped_with_a_notice() {
    let home = tempfile::tempdir().unwrap();
    let file = home.path().join("every-second.ics");
    std::fs::write(
        &file,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\n\
         UID:every-second\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:19000101T000000Z\r\n\
         SUMMARY:Tick\r\nRRULE:FREQ=SECONDLY\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    ok(home.path(), &["import", &file.display().to_string()]);
    let window = ["--from", "1900-01-01", "--to", "2100-01-01"];
    let args = |extra: &[&'static str]| {
        let mut a = vec!["list", "events", "--json"];
        a.extend(window);
        a.extend(extra);
        a
    };
    let (out, err) = ok(home.path(), &args(&[]));
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.len(), 100_000);
    assert!(err.contains("first 100000 occurrences"), "{err}");
    assert!(err.contains("--limit"), "{err}");
    let (out, err) = ok(home.path(), &args(&["--limit", "3"]));
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.len(), 3);
    assert!(err.contains("first 3 occurrences"), "{err}");
    // A window the cap does not reach: complete and silent.
    let (out, err) = ok(
        home.path(),
        &[
            "list",
            "events",
            "--json",
            "--from",
            "2026-01-01T00:00",
            "--to",
            "2026-01-01T00:01",
        ],
    );
    let listed: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(listed.len(), 60);
    assert!(err.is_empty(), "{err}");
}
