//! `pim edit/delete ID --occurrence WHEN [--this-and-following]`: one Thursday of a
//! weekly meeting moved, one deleted, the rest changed from a date on; the exported
//! file read back by Python `icalendar` + `recurring-ical-events` gives the same
//! occurrences as `pim list`.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::support::pim::Pim;

fn weekly(pim: &Pim, count: u32) -> String {
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Weekly",
        "--start",
        "2026-12-03 10:00",
        "--duration",
        "1h",
        "--rrule",
        &format!("FREQ=WEEKLY;COUNT={count}"),
    ])
    .trim()
    .to_string()
}

/// `pim list events` in December and January: (local start, summary) per occurrence.
fn listed(pim: &Pim) -> Vec<(String, String)> {
    pim.json_list(&[
        "list",
        "events",
        "--from",
        "2026-12-01",
        "--to",
        "2027-01-31",
        "--json",
    ])
    .iter()
    .map(|o| {
        (
            o["start"].as_str().unwrap()[..16].to_string(),
            o["summary"].as_str().unwrap().to_string(),
        )
    })
    .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn one_thursday_moved_one_deleted_the_rest_renamed() {
    let pim = Pim::new().tz("Europe/Berlin");
    let id = weekly(&pim, 6);
    let out = pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2026-12-10",
        "--set",
        "start=2026-12-11 11:00",
        "--set",
        "summary=Moved",
    ]);
    assert_eq!(out.trim(), id, "one occurrence stays in its series");
    pim.ok(&["delete", &id[..8], "--occurrence", "2026-12-17 10:00"]);
    let later = pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2026-12-31",
        "--this-and-following",
        "--set",
        "summary=Later",
        "--set",
        "start=2026-12-31 09:00",
    ]);
    let later = later.trim();
    assert_ne!(later, id, "this and following starts a new series");
    assert_eq!(
        listed(&pim),
        pairs(&[
            ("2026-12-03T10:00", "Weekly"),
            ("2026-12-11T11:00", "Moved"),
            ("2026-12-24T10:00", "Weekly"),
            ("2026-12-31T09:00", "Later"),
            ("2027-01-07T09:00", "Later"),
        ])
    );
    // The moved Thursday answers to its old date too; deleting it removes it.
    pim.ok(&["delete", &id, "--occurrence", "2026-12-10"]);
    assert_eq!(listed(&pim).len(), 4);
    // Everything from the first occurrence of the new series: the series goes.
    pim.ok(&[
        "delete",
        later,
        "--occurrence",
        "2026-12-31",
        "--this-and-following",
    ]);
    assert_eq!(
        listed(&pim),
        pairs(&[
            ("2026-12-03T10:00", "Weekly"),
            ("2026-12-24T10:00", "Weekly")
        ])
    );
    // Without --occurrence: the whole series, as before.
    pim.ok(&["edit", &id, "--set", "summary=All"]);
    assert!(listed(&pim).iter().all(|(_, s)| s == "All"));
}

#[test]
fn occurrence_mistakes_are_explained() {
    let pim = Pim::new();
    let id = weekly(&pim, 3);
    pim.fails_with(&["delete", &id, "--this-and-following"], "--occurrence");
    pim.fails_with(
        &[
            "edit",
            &id,
            "--occurrence",
            "2026-12-04",
            "--set",
            "summary=X",
        ],
        "no occurrence at 2026-12-04",
    );
    pim.fails_with(
        &[
            "edit",
            &id,
            "--occurrence",
            "2026-12-10",
            "--set",
            "rrule=FREQ=DAILY",
        ],
        "belongs to the whole series",
    );
    let once = pim.ok(&[
        "add",
        "event",
        "--summary",
        "Once",
        "--start",
        "2026-12-03 10:00",
    ]);
    let once = once.trim();
    pim.fails_with(
        &["delete", once, "--occurrence", "2026-12-03"],
        "does not repeat",
    );
    assert_eq!(listed(&pim).len(), 4, "nothing changed");
}

/// Occurrences per Python recurring-ical-events: (uid, "U:start") pairs.
pub(crate) fn python_occurrences(file: &Path) -> Vec<(String, String)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/occurrences.py");
    let out = Command::new("python3")
        .arg(&script)
        .args(["2026-01-01", "2028-01-01"])
        .arg(file)
        .output()
        .expect("python3 with icalendar and recurring-ical-events");
    assert!(
        out.status.success(),
        "Python reference failed — `pip install icalendar recurring-ical-events \
         x-wr-timezone`.\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = &v[file.to_str().unwrap()];
    assert!(list.is_array(), "Python rejected the export: {list}");
    let mut found: Vec<(String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().into(), p[1].as_str().unwrap().into()))
        .collect();
    found.sort();
    found
}

#[test]
fn exported_occurrence_edits_read_back_the_same_in_python() {
    let pim = Pim::new().tz("America/New_York");
    let id = weekly(&pim, 8);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2026-12-10",
        "--set",
        "start=2026-12-12 15:30",
    ]);
    pim.ok(&["delete", &id, "--occurrence", "2026-12-17"]);
    // Changes after the split point travel with the new series (and its new time).
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-14",
        "--set",
        "location=Annex",
    ]);
    pim.ok(&["delete", &id, "--occurrence", "2027-01-21"]);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-07",
        "--this-and-following",
        "--set",
        "start=2027-01-07 08:00",
    ]);
    let all_day = pim.ok(&[
        "add",
        "event",
        "--summary",
        "Days",
        "--start",
        "2026-12-01",
        "--all-day",
        "--rrule",
        "FREQ=DAILY;COUNT=10",
    ]);
    let all_day = all_day.trim();
    pim.ok(&["delete", all_day, "--occurrence", "2026-12-03"]);
    pim.ok(&[
        "edit",
        all_day,
        "--occurrence",
        "2026-12-05",
        "--set",
        "start=2026-12-20",
    ]);
    pim.ok(&[
        "delete",
        all_day,
        "--occurrence",
        "2026-12-08",
        "--this-and-following",
    ]);
    let file = pim.path("out.ics");
    pim.ok(&["export", "events", "-o", file.to_str().unwrap()]);
    let ours: Vec<(String, String)> = {
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
                let start = o["start"].as_str().unwrap();
                let key = if o["all_day"] == true {
                    format!("D:{}", &start[..10])
                } else {
                    let t: DateTime<Utc> = DateTime::parse_from_rfc3339(start).unwrap().into();
                    format!("U:{}", t.format("%Y-%m-%dT%H:%M:%SZ"))
                };
                (o["uid"].as_str().unwrap().to_string(), key)
            })
            .collect();
        v.sort();
        v
    };
    assert_eq!(ours.len(), 8 - 2 + 6, "{ours:?}");
    assert!(
        ours.iter()
            .any(|(uid, key)| uid != &id && key == "U:2027-01-14T13:00:00Z"),
        "the edited occurrence after the split moved with the series: {ours:?}"
    );
    assert_eq!(python_occurrences(&file), ours);
}
