//! Issue 17's leftovers: a birthday reminder's dismissal in `pim history` said in
//! words, an address book's default alarms in `pim collections list`'s table, and
//! `next_due` (the open occurrence's due) in a repeating task's `--json`.

use serde_json::Value;

use crate::support::pim::Pim;

fn at(pim: &Pim, now: &str) -> Pim {
    Pim::at(pim.home()).tz(pim.time_zone()).env("PIM_NOW", now)
}

#[test]
fn history_says_a_birthday_reminders_snooze_and_dismissal_in_words() {
    let pim = Pim::new();
    let id = pim
        .ok(&[
            "add",
            "contact",
            "--name",
            "Ada Lovelace",
            "--birthday",
            "1985-12-08",
        ])
        .trim()
        .to_string();
    pim.ok(&["collections", "set", "Birthdays", "--default-alarm", "-15h"]);
    at(&pim, "2026-12-07T09:01:00Z").ok(&["remind", "snooze", &id, "10m"]);
    at(&pim, "2026-12-07T09:12:00Z").ok(&["remind", "dismiss", &id]);
    let out = pim.ok(&["history", &id[..8]]);
    assert!(!out.to_lowercase().contains("x-pim"), "{out}");
    let has = |field: &str, value: &str| {
        out.lines()
            .any(|l| l.contains(field) && l.trim_end().ends_with(value))
    };
    assert!(
        has(
            "birthday reminder snoozed until",
            "(none) → 7 Dec 2026 09:11 UTC"
        ),
        "{out}"
    );
    assert!(
        has("birthday reminder dismissed", "→ 7 Dec 2026 09:12 UTC"),
        "{out}"
    );
    // `--json` keeps the raw keys.
    let json = pim.json(&["history", &id, "--json"]).to_string();
    assert!(json.contains("X-PIM-ACKNOWLEDGED"), "{json}");
}

#[test]
fn collections_list_shows_default_alarms_in_its_table() {
    let pim = Pim::new();
    pim.ok(&["collections", "add", "calendar", "Work"]);
    pim.ok(&["collections", "set", "Work", "--default-alarm", "-15m,-1d"]);
    let out = pim.ok(&["collections", "list"]);
    let row = |name: &str| {
        out.lines()
            .find(|l| l.split_whitespace().nth(1) == Some(name))
            .unwrap_or_else(|| panic!("no {name} in\n{out}"))
            .to_string()
    };
    assert!(row("Work").ends_with("alarms -15m,-1d"), "{out}");
    assert!(!row("calendar").contains("alarms"), "{out}");

    // A long list is cut short in the table (`--json` has it whole), within 80 columns.
    let many = "-5m,-10m,-15m,-20m,-25m,-30m,-1h,-2h,-3h,-1d,-2d";
    pim.ok(&["collections", "set", "Work", "--default-alarm", many]);
    let out = pim.ok(&["collections", "list"]);
    let work = out.lines().find(|l| l.contains("Work")).unwrap();
    assert!(work.ends_with('…'), "{out}");
    assert!(
        out.lines().all(|l| l.chars().count() <= 80),
        "wider than 80 columns:\n{out}"
    );
    let cols = pim.json_list(&["collections", "list", "--json"]);
    let work = cols.iter().find(|c| c["name"] == "Work").unwrap();
    assert_eq!(work["default_alarms"], many);
}

#[test]
fn a_repeating_tasks_json_says_its_next_due_beside_the_series_due() {
    let pim = Pim::new();
    let id = pim
        .ok(&[
            "add",
            "task",
            "--summary",
            "Backup",
            "--due",
            "2027-01-04",
            "--rrule",
            "FREQ=WEEKLY;COUNT=2",
        ])
        .trim()
        .to_string();
    pim.ok(&["add", "task", "--summary", "Once", "--due", "2027-01-05"]);
    let listed = |pim: &Pim, summary: &str| -> Value {
        pim.json_list(&["list", "tasks", "--json"])
            .into_iter()
            .find(|t| t["summary"] == summary)
            .unwrap()
    };
    let backup = listed(&pim, "Backup");
    assert_eq!(
        (&backup["due"], &backup["next_due"]),
        (&Value::from("2027-01-04"), &Value::from("2027-01-04")),
        "{backup}"
    );
    assert!(
        listed(&pim, "Once").get("next_due").is_none(),
        "only repeating tasks have one"
    );

    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-04",
        "--set",
        "status=done",
    ]);
    let backup = listed(&pim, "Backup");
    assert_eq!(backup["due"], "2027-01-04", "the series' due: {backup}");
    assert_eq!(backup["next_due"], "2027-01-11", "{backup}");
    let shown = pim.json(&["show", &id, "--json"]);
    assert_eq!(shown["next_due"], "2027-01-11", "{shown}");
    let text = pim.ok(&["show", &id]);
    assert!(
        text.lines()
            .any(|l| l.starts_with("Next due") && l.contains("2027-01-11")),
        "{text}"
    );

    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-11",
        "--set",
        "status=done",
    ]);
    let backup = listed(&pim, "Backup");
    assert_eq!(backup["next_due"], Value::Null, "every one done: {backup}");
}

#[test]
fn a_rule_on_a_task_without_a_due_date_is_refused() {
    let pim = Pim::new();
    let id = pim
        .ok(&["add", "task", "--summary", "Someday"])
        .trim()
        .to_string();
    pim.fails_with(
        &["edit", &id, "--set", "rrule=weekly"],
        "a task needs a due date to repeat",
    );
    assert_eq!(pim.json(&["show", &id, "--json"]).get("rrule"), None);
    pim.ok(&[
        "edit",
        &id,
        "--set",
        "due=2027-01-04",
        "--set",
        "rrule=weekly",
    ]);
    assert_eq!(pim.json(&["show", &id, "--json"])["rrule"], "FREQ=WEEKLY");
}
