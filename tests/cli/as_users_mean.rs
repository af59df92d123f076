//! Issue 15, "Edits and search as users mean them" and "Write what other tools
//! accept": each reproduction of the issue, through the real binary.

use serde_json::Value;

use crate::support::pim::Pim;

fn berlin() -> Pim {
    Pim::new().tz("Europe/Berlin")
}

fn add(p: &Pim, args: &[&str]) -> String {
    p.ok(args).trim().to_string()
}

fn summaries(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|o| o["summary"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn a_date_only_to_includes_that_day_and_a_date_time_stays_exclusive() {
    let p = berlin();
    for (summary, start) in [
        ("First", "2026-12-01 09:00"),
        ("Eve", "2026-12-31 18:00"),
        ("New year", "2027-01-01 00:00"),
    ] {
        add(
            &p,
            &["add", "event", "--summary", summary, "--start", start],
        );
    }
    let december = p.json_list(&[
        "list",
        "events",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    assert_eq!(summaries(&december), ["First", "Eve"]);
    let before_six = p.json_list(&[
        "list",
        "events",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-31 18:00",
        "--json",
    ]);
    assert_eq!(summaries(&before_six), ["First"]);
    // One day: --from and --to the same date.
    let eve = p.json_list(&[
        "list",
        "events",
        "--from",
        "2026-12-31",
        "--to",
        "2026-12-31",
        "--json",
    ]);
    assert_eq!(summaries(&eve), ["Eve"]);
}

#[test]
fn a_date_only_start_moves_a_timed_event_keeping_time_and_length() {
    let p = berlin();
    let id = add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Review",
            "--start",
            "2026-12-01 10:00",
            "--duration",
            "90m",
        ],
    );
    p.ok(&["edit", &id, "--set", "start=2026-12-11"]);
    let v = p.json(&["show", &id, "--json"]);
    assert_eq!(v["all_day"], false, "{v}");
    assert_eq!(v["start"], "2026-12-11T10:00:00+01:00", "{v}");
    assert_eq!(v["end"], "2026-12-11T11:30:00+01:00", "{v}");
    // All day only when asked.
    p.ok(&["edit", &id, "--set", "all_day=true"]);
    let v = p.json(&["show", &id, "--json"]);
    assert_eq!(v["all_day"], true, "{v}");
}

#[test]
fn all_day_ends_are_the_last_day_inclusive_and_never_before_the_start() {
    let p = berlin();
    let id = add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Holiday",
            "--start",
            "2026-12-24",
            "--all-day",
            "--end",
            "2026-12-24",
        ],
    );
    let ics = p.ok(&["export", "events"]);
    assert!(ics.contains("DTSTART;VALUE=DATE:20261224\r\n"), "{ics}");
    assert!(ics.contains("DTEND;VALUE=DATE:20261225\r\n"), "{ics}");
    p.ok(&["edit", &id, "--set", "end=2026-12-26"]);
    let ics = p.ok(&["export", "events"]);
    assert!(ics.contains("DTEND;VALUE=DATE:20261227\r\n"), "{ics}");
    p.fails_with(
        &["edit", &id, "--set", "end=2026-12-23"],
        "before the start",
    );
    p.fails_with(
        &[
            "add",
            "event",
            "--summary",
            "Backwards",
            "--start",
            "2026-12-24",
            "--all-day",
            "--end",
            "2026-12-20",
        ],
        "before the start",
    );
}

#[test]
fn emails_take_the_forms_value_type_syntax() {
    let p = berlin();
    let id = add(&p, &["add", "contact", "--name", "Clara Öztürk"]);
    p.ok(&["edit", &id, "--set", "emails=a@b.org (work), c@d.org"]);
    let vcf = p.ok(&["export", "contacts", "--format", "vcf"]);
    assert!(vcf.contains("EMAIL;TYPE=work:a@b.org\r\n"), "{vcf}");
    assert!(vcf.contains("EMAIL:c@d.org\r\n"), "{vcf}");
    p.fails(&["edit", &id, "--set", "emails=not an address (work)"]);
}

/// Each exported event's start as a UTC instant, read by Python `icalendar` through
/// the file's VTIMEZONEs only (zoneinfo lookups disabled).
fn python_instants(file: &std::path::Path) -> serde_json::Map<String, Value> {
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/interop/vtimezone_instants.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(file)
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3 ({e}): `pip install icalendar`"));
    assert!(
        out.status.success(),
        "Python icalendar failed (installed by scripts/install-test-deps.sh)\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    match serde_json::from_slice(&out.stdout).expect("python JSON") {
        Value::Object(m) => m,
        other => panic!("{other}"),
    }
}

#[test]
fn every_exported_tzid_has_a_vtimezone_that_python_reads_to_the_same_instants() {
    let p = berlin();
    let file = p.path("zones.ics");
    // An X-WR-TIMEZONE calendar (floating times) and a Windows TZID without VTIMEZONE.
    std::fs::write(
        &file,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n\
         X-WR-TIMEZONE:America/New_York\r\n\
         BEGIN:VEVENT\r\nUID:xwr-summer\r\nDTSTART:20260704T090000\r\nDTEND:20260704T100000\r\n\
         SUMMARY:Parade\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:xwr-winter\r\nDTSTART:20261224T090000\r\nDTEND:20261224T100000\r\n\
         SUMMARY:Eve\r\nEND:VEVENT\r\n\
         BEGIN:VEVENT\r\nUID:windows\r\nDTSTART;TZID=W. Europe Standard Time:20260329T030000\r\n\
         DTEND;TZID=W. Europe Standard Time:20260329T040000\r\nSUMMARY:After the switch\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    p.ok(&["import", file.to_str().unwrap()]);
    let mut expected: Vec<(String, &str)> = vec![
        ("xwr-summer".into(), "2026-07-04T13:00:00Z"),
        ("xwr-winter".into(), "2026-12-24T14:00:00Z"),
        ("windows".into(), "2026-03-29T01:00:00Z"),
    ];
    for (summary, zone, start, utc) in [
        (
            "London summer",
            "Europe/London",
            "2026-07-01 09:00",
            "2026-07-01T08:00:00Z",
        ),
        (
            "London winter",
            "Europe/London",
            "2026-01-15 09:00",
            "2026-01-15T09:00:00Z",
        ),
        (
            "London 1995",
            "Europe/London",
            "1995-06-01 09:00",
            "1995-06-01T08:00:00Z",
        ),
        (
            "Lord Howe",
            "Australia/Lord_Howe",
            "2026-01-10 09:00",
            "2026-01-09T22:00:00Z",
        ),
        (
            "Kathmandu",
            "Asia/Kathmandu",
            "2026-05-05 12:00",
            "2026-05-05T06:15:00Z",
        ),
    ] {
        let id = add(
            &p,
            &[
                "add",
                "event",
                "--summary",
                summary,
                "--tz",
                zone,
                "--start",
                start,
            ],
        );
        let uid = p.json(&["show", &id, "--json"])["uid"]
            .as_str()
            .unwrap()
            .to_string();
        expected.push((uid, utc));
    }
    // A weekly series without end in New York: covered for years to come.
    let series = add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Weekly",
            "--tz",
            "America/New_York",
            "--start",
            "2026-01-05 09:00",
            "--rrule",
            "FREQ=WEEKLY",
        ],
    );
    let series_uid = p.json(&["show", &series, "--json"])["uid"]
        .as_str()
        .unwrap()
        .to_string();
    expected.push((series_uid, "2026-01-05T14:00:00Z"));
    let ics = p.ok(&["export", "events"]);
    let out = p.path("out.ics");
    std::fs::write(&out, &ics).unwrap();
    for tzid in [
        "Europe/London",
        "America/New_York",
        "W. Europe Standard Time",
        "Australia/Lord_Howe",
        "Asia/Kathmandu",
    ] {
        assert_eq!(
            ics.matches(&format!("BEGIN:VTIMEZONE\r\nTZID:{tzid}\r\n"))
                .count(),
            1,
            "{tzid}: {ics}"
        );
    }
    assert!(
        ics.contains("DTSTART:20350311T020000\r\n"),
        "2035 DST start: {ics}"
    );
    let got = python_instants(&out);
    for (uid, utc) in &expected {
        assert_eq!(got[uid.as_str()], *utc, "{uid}");
    }
    // pim reads its own export to the same instants.
    let again = Pim::new().tz("Europe/Berlin");
    again.ok(&["import", out.to_str().unwrap()]);
    let weekly = again.json_list(&[
        "list",
        "events",
        "--from",
        "2035-07-01",
        "--to",
        "2035-07-07",
        "--json",
    ]);
    assert_eq!(
        weekly[0]["start"], "2035-07-02T09:00:00-04:00",
        "{weekly:?}"
    );
}

#[test]
fn search_finds_addresses_domains_phones_and_prefixes_over_every_kind() {
    let p = berlin();
    add(
        &p,
        &[
            "add",
            "contact",
            "--name",
            "Clara Öztürk",
            "--email",
            "clara.oeztuerk@sws.example.org",
            "--phone",
            "+49 30 1234",
        ],
    );
    add(
        &p,
        &[
            "add",
            "event",
            "--summary",
            "Call clara.oeztuerk@sws.example.org",
            "--start",
            "2026-12-01 10:00",
        ],
    );
    add(
        &p,
        &[
            "add",
            "task",
            "--summary",
            "Ring +49301234 about the invoice",
        ],
    );
    let kinds = |q: &str| -> Vec<String> {
        let mut k: Vec<String> = p
            .json_list(&["search", q, "--json"])
            .iter()
            .map(|r| r["kind"].as_str().unwrap().to_string())
            .collect();
        k.sort();
        k
    };
    assert_eq!(
        kinds("clara.oeztuerk@sws.example.org"),
        ["contact", "event"]
    );
    assert_eq!(kinds("sws.example.org"), ["contact", "event"]);
    assert_eq!(kinds("clara.oeztuerk"), ["contact", "event"]);
    assert_eq!(kinds("+49301234"), ["contact", "task"]);
    assert_eq!(kinds("+49 30 1234"), ["contact", "task"]);
    assert_eq!(kinds("+49 (30) 12"), ["contact", "task"]);
    assert_eq!(kinds("invo"), ["task"]);
    assert!(kinds("clara.oeztuerk@elsewhere.example").is_empty());
}
