//! Issue 17 leftovers: "this and following" moved to another weekday rewrites the
//! new series' BYDAY; one occurrence of a recurring task edited, completed and
//! deleted. Exports read back by Python `icalendar` + `recurring-ical-events`.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::occurrence_edits::python_occurrences;
use crate::support::pim::Pim;

/// `pim list events --json` over the window Python reads: (uid, "U:start UTC").
fn ours(pim: &Pim) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = pim
        .json_list(&[
            "list",
            "events",
            "--from",
            "2026-01-01",
            "--to",
            "2028-01-01",
            "--json",
        ])
        .iter()
        .map(|o| {
            let t: DateTime<Utc> = DateTime::parse_from_rfc3339(o["start"].as_str().unwrap())
                .unwrap()
                .into();
            (
                o["uid"].as_str().unwrap().to_string(),
                format!("U:{}", t.format("%Y-%m-%dT%H:%M:%SZ")),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn a_standup_moved_from_wednesday_to_thursday_keeps_its_days_apart() {
    let pim = Pim::new().tz("Europe/Berlin");
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Standup",
            "--start",
            "2027-03-01 09:00",
            "--duration",
            "15m",
            "--rrule",
            "FREQ=WEEKLY;BYDAY=MO,WE",
        ])
        .trim()
        .to_string();
    // One occurrence moved: the rule stays as it was.
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-03-03",
        "--set",
        "start=2027-03-04 09:00",
    ]);
    assert_eq!(
        pim.json(&["show", &id, "--json"])["rrule"],
        "FREQ=WEEKLY;BYDAY=MO,WE"
    );
    let new = pim
        .ok(&[
            "edit",
            &id,
            "--occurrence",
            "2027-03-10",
            "--this-and-following",
            "--set",
            "start=2027-03-11 09:00",
        ])
        .trim()
        .to_string();
    assert_ne!(new, id);
    assert_eq!(
        pim.json(&["show", &new, "--json"])["rrule"],
        "FREQ=WEEKLY;BYDAY=TU,TH"
    );
    let days: Vec<String> = pim
        .json_list(&[
            "list",
            "events",
            "--from",
            "2027-03-01",
            "--to",
            "2027-03-24",
            "--json",
        ])
        .iter()
        .map(|o| o["start"].as_str().unwrap()[..16].to_string())
        .collect();
    assert_eq!(
        days,
        [
            "2027-03-01T09:00",
            "2027-03-04T09:00",
            "2027-03-08T09:00",
            "2027-03-11T09:00",
            "2027-03-16T09:00",
            "2027-03-18T09:00",
            "2027-03-23T09:00",
        ]
    );
    let file = pim.path("standup.ics");
    pim.ok(&["export", "events", "-o", file.to_str().unwrap()]);
    assert_eq!(python_occurrences(&file), ours(&pim));
}

/// Task occurrences per Python recurring-ical-events: (uid, "U:due", status).
fn python_tasks(file: &Path) -> Vec<(String, String, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/occurrences.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(["--todo", "2027-01-01", "2028-01-01"])
        .arg(file)
        .output()
        .expect("python3 with icalendar and recurring-ical-events");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = &v[file.to_str().unwrap()];
    assert!(list.is_array(), "Python rejected the export: {list}");
    let mut found: Vec<(String, String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let s = |i: usize| p[i].as_str().unwrap().to_string();
            (s(0), s(1), s(2))
        })
        .collect();
    found.sort();
    found
}

const WATERING: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VTODO\r\nUID:water@example.com\r\nDTSTAMP:20270101T000000Z\r\n\
SUMMARY:Water the plants\r\nDUE:20270301T170000Z\r\nRRULE:FREQ=WEEKLY;COUNT=5\r\n\
END:VTODO\r\nEND:VCALENDAR\r\n";

#[test]
fn one_occurrence_of_a_recurring_task_done_moved_and_deleted() {
    let pim = Pim::new().tz("Europe/Berlin");
    let path = pim.path("water.ics");
    std::fs::write(&path, WATERING).unwrap();
    pim.ok(&["import", path.to_str().unwrap()]);
    let id = pim.json_list(&["list", "tasks", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Done for one week (completing is `--set status=done`, as for any task).
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-03-08",
        "--set",
        "status=done",
    ]);
    let out = pim.ok(&["delete", &id, "--occurrence", "2027-03-15"]);
    assert!(
        out.contains("deleted the occurrence 2027-03-15 of task"),
        "{out}"
    );
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-03-22",
        "--set",
        "due=2027-03-23 19:00",
    ]);
    // The last one, and everything after it (nothing), gone.
    pim.ok(&[
        "delete",
        &id,
        "--occurrence",
        "2027-03-29",
        "--this-and-following",
    ]);
    let task = pim.json(&["show", &id, "--json"]);
    assert_ne!(task["status"], "completed", "the series stays open: {task}");
    let file = pim.path("tasks.ics");
    pim.ok(&["export", "tasks", "-o", file.to_str().unwrap()]);
    let uid = "water@example.com".to_string();
    let got = python_tasks(&file);
    let dues: Vec<(String, String)> = got.iter().map(|(u, d, _)| (u.clone(), d.clone())).collect();
    assert_eq!(
        dues,
        [
            (uid.clone(), "U:2027-03-01T17:00:00Z".to_string()),
            (uid.clone(), "U:2027-03-08T17:00:00Z".to_string()),
            (uid.clone(), "U:2027-03-23T18:00:00Z".to_string()),
        ]
    );
    let done: Vec<&str> = got
        .iter()
        .filter(|(.., s)| s == "COMPLETED")
        .map(|(_, d, _)| d.as_str())
        .collect();
    assert_eq!(done, ["U:2027-03-08T17:00:00Z"]);
    // Series fields belong to the series.
    pim.fails_with(
        &[
            "edit",
            &id,
            "--occurrence",
            "2027-03-01",
            "--set",
            "collection=Tasks",
        ],
        "belongs to the whole series",
    );
}

#[test]
fn a_task_added_with_a_rule_repeats_from_its_due_date() {
    let pim = Pim::new();
    pim.fails_with(
        &["add", "task", "--summary", "Rent", "--rrule", "monthly"],
        "--due",
    );
    let id = pim
        .ok(&[
            "add",
            "task",
            "--summary",
            "Rent",
            "--due",
            "2027-01-01",
            "--rrule",
            "monthly",
        ])
        .trim()
        .to_string();
    let shown = pim.json(&["show", &id, "--json"]);
    assert_eq!(shown["rrule"], "FREQ=MONTHLY", "{shown}");
    assert!(pim.ok(&["show", &id]).contains("Repeats"));
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-02-01",
        "--set",
        "status=done",
    ]);
    // The series stays open; the whole series' rule can change like any field.
    assert_eq!(pim.json(&["show", &id, "--json"])["status"], "NEEDS-ACTION");
    pim.ok(&["edit", &id, "--set", "rrule=FREQ=MONTHLY;COUNT=3"]);
    assert_eq!(
        pim.json(&["show", &id, "--json"])["rrule"],
        "FREQ=MONTHLY;COUNT=3"
    );
}

#[test]
fn moved_rules_of_every_shape_read_back_the_same_in_python() {
    let pim = Pim::new().tz("America/New_York");
    // (start, rule, occurrence to move from, its new start, the new series' rule)
    let cases = [
        (
            "2027-01-04 09:00",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE",
            "2027-02-03",
            "2027-02-07 10:00",
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR,SU;WKST=FR",
        ),
        (
            "2027-01-15 12:00",
            "FREQ=MONTHLY;BYMONTHDAY=15",
            "2027-04-15",
            "2027-04-17 12:00",
            "FREQ=MONTHLY;BYMONTHDAY=17",
        ),
        (
            "2027-01-12 08:00",
            "FREQ=MONTHLY;BYDAY=2TU",
            "2027-03-09",
            "2027-03-11 08:00",
            "FREQ=MONTHLY;BYDAY=2TH",
        ),
        (
            "2027-01-12 08:00",
            "FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2",
            "2027-03-09",
            "2027-03-18 08:00",
            "FREQ=MONTHLY;BYDAY=TH;BYSETPOS=3",
        ),
        (
            "2027-01-29 16:00",
            "FREQ=MONTHLY;BYDAY=-1FR",
            "2027-03-26",
            "2027-03-29 16:00",
            "FREQ=MONTHLY;BYDAY=-1MO",
        ),
        (
            "2027-01-04 07:30",
            "FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270401T000000Z",
            "2027-02-10",
            "2027-02-11 23:30",
            "FREQ=DAILY;BYDAY=TU,WE,TH,FR,SA;UNTIL=20270402T160000Z",
        ),
        (
            "2027-01-29 10:00",
            "FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
            "2027-03-31",
            "2027-03-27 10:00",
            // No shift keeps "the last weekday": monthly from the new day.
            "FREQ=MONTHLY",
        ),
    ];
    for (start, rule, from, to, moved) in cases {
        let id = pim
            .ok(&[
                "add",
                "event",
                "--summary",
                rule,
                "--start",
                start,
                "--duration",
                "1h",
                "--rrule",
                rule,
            ])
            .trim()
            .to_string();
        let new = pim
            .ok(&[
                "edit",
                &id,
                "--occurrence",
                from,
                "--this-and-following",
                "--set",
                &format!("start={to}"),
            ])
            .trim()
            .to_string();
        assert_eq!(
            pim.json(&["show", &new, "--json"])["rrule"],
            moved,
            "{rule}"
        );
    }
    let file = pim.path("moved.ics");
    pim.ok(&["export", "events", "-o", file.to_str().unwrap()]);
    assert_eq!(python_occurrences(&file), ours(&pim));
}

#[test]
fn pim_list_tasks_shows_a_repeating_task_at_its_open_occurrence() {
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
    let row = |pim: &Pim| {
        pim.ok(&["list", "tasks"])
            .lines()
            .find(|l| l.contains("Backup"))
            .unwrap()
            .to_string()
    };
    assert!(
        row(&pim).contains("[ ]") && row(&pim).contains("2027-01-04"),
        "{}",
        row(&pim)
    );
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-04",
        "--set",
        "status=done",
    ]);
    assert!(
        row(&pim).contains("[ ]") && row(&pim).contains("2027-01-11"),
        "{}",
        row(&pim)
    );
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-11",
        "--set",
        "status=done",
    ]);
    assert!(row(&pim).contains("[x]"), "{}", row(&pim));
}

#[test]
fn the_agenda_lists_each_open_occurrence_of_a_repeating_task() {
    let pim = Pim::new();
    let today = chrono::Utc::now().date_naive();
    let day = |n: i64| (today + chrono::Duration::days(n)).to_string();
    let id = pim
        .ok(&[
            "add",
            "task",
            "--summary",
            "Stretch",
            "--due",
            &format!("{} 07:00", day(-3)),
            "--rrule",
            "FREQ=DAILY;COUNT=10",
        ])
        .trim()
        .to_string();
    pim.ok(&["edit", &id, "--occurrence", &day(2), "--set", "status=done"]);
    let days = pim.json(&["agenda", "--days", "5", "--json"]);
    let with_task: Vec<String> = days
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| {
            d["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["kind"] == "task" && i["summary"] == "Stretch")
        })
        .map(|d| d["date"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(with_task, [day(0), day(1), day(3), day(4)]);
}
