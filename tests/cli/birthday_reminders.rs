//! Issue 17, birthday reminders: off by default, on with `pim collections set
//! Birthdays --default-alarm` (every address book) or one address book's default
//! alarms; due in `pim remind` and `pim agenda`; dismissed or snoozed on the contact,
//! so this year's dismissal leaves next year's. The clock is `PIM_NOW`.

use serde_json::Value;

use crate::support::pim::Pim;

fn at(pim: &Pim, now: &str) -> Pim {
    Pim::at(pim.home()).tz(pim.time_zone()).env("PIM_NOW", now)
}

fn due(pim: &Pim, now: &str) -> Vec<String> {
    at(pim, now)
        .json_list(&["remind", "--json"])
        .iter()
        .map(|r: &Value| {
            format!(
                "{} {}",
                r["summary"].as_str().unwrap(),
                r["trigger"].as_str().unwrap()
            )
        })
        .collect()
}

fn ada(pim: &Pim) -> String {
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ada Lovelace",
        "--birthday",
        "1985-12-08",
    ])
    .trim()
    .to_string()
}

#[test]
fn birthdays_remind_once_the_birthdays_calendar_has_an_alarm() {
    let pim = Pim::new();
    let id = ada(&pim);
    assert!(
        due(&pim, "2026-12-07T09:00:00Z").is_empty(),
        "off by default"
    );
    // 09:00 the day before.
    pim.ok(&["collections", "set", "Birthdays", "--default-alarm", "-15h"]);
    let books = pim.json_list(&["collections", "list", "--kind", "contacts", "--json"]);
    assert!(
        books.iter().all(|b| b["default_alarms"] == "-15h"),
        "{books:?}"
    );
    assert!(due(&pim, "2026-12-07T08:59:00Z").is_empty());
    assert_eq!(
        due(&pim, "2026-12-07T09:00:00Z"),
        ["Ada Lovelace's birthday (41) 2026-12-07T09:00:00Z"]
    );
    let v = at(&pim, "2026-12-07T09:00:00Z").json_list(&["remind", "--json"]);
    assert_eq!(v[0]["id"], id.as_str());

    // The agenda lists it first, like an event's reminder.
    let agenda = at(&pim, "2026-12-07T09:01:00Z").json(&["agenda", "--days", "2", "--json"]);
    assert_eq!(agenda[0]["items"][0]["kind"], "reminder", "{agenda}");
    assert_eq!(agenda[0]["items"][0]["id"], id.as_str());

    let out = at(&pim, "2026-12-07T09:05:00Z").ok(&["remind", "dismiss", &id]);
    assert!(out.contains("Ada Lovelace's birthday"), "{out}");
    assert!(due(&pim, "2026-12-07T09:06:00Z").is_empty());
    // This year's dismissal leaves next year's.
    assert_eq!(
        due(&pim, "2027-12-07T09:00:00Z"),
        ["Ada Lovelace's birthday (42) 2027-12-07T09:00:00Z"]
    );

    pim.fails_with(
        &["collections", "set", "Birthdays", "--color", "red"],
        "only --default-alarm",
    );
    pim.fails_with(
        &[
            "collections",
            "set",
            "Birthdays",
            "--default-alarm",
            "2026-12-07 09:00",
        ],
        "relative to the day",
    );
    // A text that does not read changes nothing, not even the colour given with it.
    pim.fails_with(
        &[
            "collections",
            "set",
            "contacts",
            "--color",
            "red",
            "--default-alarm",
            "soon",
        ],
        "alarm",
    );
    let books = pim.json_list(&["collections", "list", "--kind", "contacts", "--json"]);
    assert_eq!(books[0]["color"], Value::Null, "{books:?}");
    assert_eq!(books[0]["default_alarms"], "-15h");
    pim.ok(&["collections", "set", "Birthdays", "--default-alarm", ""]);
    assert!(due(&pim, "2027-12-07T09:00:00Z").is_empty());
}

#[test]
fn one_address_books_alarm_snoozes_and_handles_the_29th_of_february() {
    let pim = Pim::new();
    pim.ok(&["collections", "add", "contacts", "Family"]);
    let lea = pim
        .ok(&[
            "add",
            "contact",
            "--name",
            "Lea",
            "--birthday",
            "2000-02-29",
            "--collection",
            "Family",
        ])
        .trim()
        .to_string();
    ada(&pim);
    // On the day at 09:00, for Family only.
    pim.ok(&["collections", "set", "Family", "--default-alarm", "+9h"]);
    assert!(
        due(&pim, "2026-12-08T09:00:00Z").is_empty(),
        "Ada is not in Family"
    );
    assert_eq!(
        due(&pim, "2027-02-28T09:00:00Z"),
        ["Lea's birthday (27) 2027-02-28T09:00:00Z"]
    );
    at(&pim, "2027-02-28T09:01:00Z").ok(&["remind", "snooze", &lea, "10m"]);
    assert!(due(&pim, "2027-02-28T09:10:00Z").is_empty());
    assert_eq!(
        due(&pim, "2027-02-28T09:11:00Z"),
        ["Lea's birthday (27) 2027-02-28T09:11:00Z"]
    );
    at(&pim, "2027-02-28T09:12:00Z").ok(&["remind", "dismiss", &lea]);
    assert!(due(&pim, "2027-02-28T09:13:00Z").is_empty());
    // A leap year has the day itself.
    assert!(due(&pim, "2028-02-28T09:00:00Z").is_empty());
    assert_eq!(
        due(&pim, "2028-02-29T09:00:00Z"),
        ["Lea's birthday (28) 2028-02-29T09:00:00Z"]
    );
    // Dismissed in advance by its day.
    at(&pim, "2028-02-01T00:00:00Z").ok(&["remind", "dismiss", &lea, "--occurrence", "2028-02-29"]);
    assert!(due(&pim, "2028-02-29T09:00:00Z").is_empty());
}

#[test]
fn the_watcher_rings_a_birthday_at_its_moment() {
    let pim = Pim::new();
    let id = ada(&pim);
    pim.ok(&["collections", "set", "Birthdays", "--default-alarm", "-15h"]);
    let out = pim.path("rang.txt");
    let cmd = format!("env | grep ^PIM_ | sort > '{}'", out.display());
    // One second before: the watcher sleeps until it, rings, and exits.
    let o = at(&pim, "2026-12-07T08:59:59Z").run_within(
        &[
            "remind",
            "--watch",
            "--command",
            &cmd,
            "--max-reminders",
            "1",
        ],
        std::time::Duration::from_secs(30),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let env = std::fs::read_to_string(&out).unwrap();
    for line in [
        "PIM_SUMMARY=Ada Lovelace's birthday (41)".to_string(),
        format!("PIM_ID={id}"),
        "PIM_TRIGGER=2026-12-07T09:00:00Z".to_string(),
    ] {
        assert!(env.lines().any(|l| l == line), "{line} in {env}");
    }
}
