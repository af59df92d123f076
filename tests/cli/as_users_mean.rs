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
