//! The CLI contract of issue 2, exercised through the real binary.

use std::path::Path;

use crate::support::pim::Pim;
use serde_json::Value;

/// Helpers for this file's checks of the CLI contract.
impl Pim {
    fn add(&self, args: &[&str]) -> String {
        let out = self.ok(args);
        let id = out.trim().to_string();
        assert_eq!(out.lines().count(), 1, "add prints the id alone");
        assert_eq!(id.len(), 36, "a UUID: {id}");
        id
    }

    fn change_count(&self) -> usize {
        self.json_list(&["log", "--json"]).len()
    }
}

/// A profile in Berlin time: the dates below are local.
fn berlin() -> Pim {
    Pim::new().tz("Europe/Berlin")
}

#[test]
fn add_and_list_every_kind() {
    let p = berlin();
    let c = p.add(&[
        "add",
        "contact",
        "--name",
        "Ada Lovelace",
        "--email",
        "ada@example.org",
        "--email",
        "ada@work.example",
        "--phone",
        "+44 20 1234",
        "--org",
        "Analytical Engines",
        "--birthday",
        "1815-12-10",
        "--note",
        "first programmer",
    ]);
    let e = p.add(&[
        "add",
        "event",
        "--summary",
        "Review",
        "--start",
        "2026-12-01 10:00",
        "--duration",
        "1h30m",
        "--location",
        "Room 4",
        "--description",
        "quarterly",
    ]);
    let t = p.add(&[
        "add",
        "task",
        "--summary",
        "File taxes",
        "--due",
        "2026-12-15",
        "--priority",
        "2",
    ]);
    let n = p.add(&[
        "add",
        "note",
        "--title",
        "Ideas",
        "--body",
        "# Heading\n\nsome *markdown*",
    ]);

    let contacts = p.json_list(&["list", "contacts", "--json"]);
    assert_eq!(contacts.len(), 1);
    let ct = &contacts[0];
    assert_eq!(ct["id"], c.as_str());
    assert_eq!(ct["kind"], "contact");
    assert_eq!(ct["collection"], "contacts");
    assert_eq!(ct["full_name"], "Ada Lovelace");
    assert_eq!(
        ct["emails"],
        serde_json::json!(["ada@example.org", "ada@work.example"])
    );
    assert_eq!(ct["phones"], serde_json::json!(["+44 20 1234"]));
    assert_eq!(ct["org"], "Analytical Engines");
    assert_eq!(ct["birthday"], "1815-12-10");

    let events = p.json_list(&["list", "events", "--json"]);
    assert_eq!(events[0]["id"], e.as_str());
    assert_eq!(events[0]["summary"], "Review");
    assert_eq!(events[0]["start"], "2026-12-01T10:00:00+01:00");
    assert_eq!(events[0]["end"], "2026-12-01T11:30:00+01:00");
    assert_eq!(events[0]["all_day"], false);
    assert_eq!(events[0]["location"], "Room 4");
    assert_eq!(events[0]["description"], "quarterly");
    assert_eq!(events[0]["rrule"], Value::Null);
    assert_eq!(events[0]["recurrence_id"], Value::Null);

    let tasks = p.json_list(&["list", "tasks", "--json"]);
    assert_eq!(tasks[0]["id"], t.as_str());
    assert_eq!(tasks[0]["due"], "2026-12-15");
    assert_eq!(tasks[0]["priority"], 2);
    assert_eq!(tasks[0]["status"], "NEEDS-ACTION");
    assert_eq!(tasks[0]["completed"], Value::Null);

    let notes = p.json_list(&["list", "notes", "--json"]);
    assert_eq!(notes[0]["id"], n.as_str());
    assert_eq!(notes[0]["title"], "Ideas");
    assert_eq!(notes[0]["body"], "# Heading\n\nsome *markdown*");
}

#[test]
fn note_body_from_stdin() {
    let p = berlin();
    p.ok_stdin(
        &["add", "note", "--title", "From pipe", "--body", "-"],
        b"line one\nline two\n",
    );
    assert_eq!(
        p.json_list(&["list", "notes", "--json"])[0]["body"],
        "line one\nline two\n"
    );
}

#[test]
fn recurring_events_expand_per_window() {
    let p = berlin();
    let id = p.add(&[
        "add",
        "event",
        "--summary",
        "Standup",
        "--start",
        "2026-03-02 09:00",
        "--duration",
        "15m",
        "--rrule",
        "FREQ=WEEKLY;BYDAY=MO,WE",
    ]);
    p.add(&[
        "add",
        "event",
        "--summary",
        "Holiday",
        "--start",
        "2026-03-10",
        "--all-day",
    ]);
    let occ = p.json_list(&[
        "list",
        "events",
        "--from",
        "2026-03-01",
        "--to",
        "2026-03-15",
        "--json",
    ]);
    let standups: Vec<&Value> = occ.iter().filter(|o| o["summary"] == "Standup").collect();
    let starts: Vec<&str> = standups
        .iter()
        .map(|o| o["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-03-02T09:00:00+01:00",
            "2026-03-04T09:00:00+01:00",
            "2026-03-09T09:00:00+01:00",
            "2026-03-11T09:00:00+01:00"
        ]
    );
    assert!(
        standups
            .iter()
            .all(|o| o["id"] == id.as_str() && !o["recurrence_id"].is_null())
    );
    let holiday = occ.iter().find(|o| o["summary"] == "Holiday").unwrap();
    assert_eq!(holiday["all_day"], true);
    assert_eq!(holiday["start"], "2026-03-10");
    assert_eq!(holiday["recurrence_id"], Value::Null);
    // Outside the window: nothing.
    assert!(
        p.json_list(&[
            "list",
            "events",
            "--from",
            "2025-01-01",
            "--to",
            "2025-02-01",
            "--json"
        ])
        .is_empty()
    );
}

#[test]
fn show_edit_delete_and_the_change_log() {
    let p = berlin();
    let before = p.change_count();
    let id = p.add(&["add", "task", "--summary", "Draft", "--due", "2026-12-01"]);
    assert_eq!(p.change_count(), before + 1, "one change per add");
    p.ok(&[
        "edit",
        &id,
        "--set",
        "summary=Final draft",
        "--set",
        "priority=1",
    ]);
    assert_eq!(
        p.change_count(),
        before + 2,
        "one change per edit, however many fields"
    );
    let shown = p.json_list(&["show", &id, "--json"]);
    assert_eq!(shown[0]["summary"], "Final draft");
    assert_eq!(shown[0]["priority"], 1);
    // A unique prefix works too.
    p.ok(&["show", &id[..8]]);
    p.ok(&["edit", &id, "--set", "status=completed"]);
    let t = &p.json_list(&["show", &id, "--json"])[0];
    assert_eq!(t["status"], "COMPLETED");
    assert!(t["completed"].as_str().unwrap().contains('T'));

    let log = p.json_list(&["log", "--json"]);
    let last = log.last().unwrap();
    for key in [
        "device",
        "seq",
        "change_id",
        "hlc",
        "changed_at",
        "submitted_at",
        "record_id",
        "kind",
        "op",
        "attachments",
    ] {
        assert!(last.get(key).is_some(), "log entry has {key}");
    }
    assert_eq!(last["record_id"], id.as_str());
    assert_eq!(last["kind"], "task");
    assert_eq!(last["submitted_at"], "");
    assert_eq!(last["op"]["type"], "update");
    let fields = last["op"]["fields"].as_array().unwrap();
    let status = fields.iter().find(|f| f["key"] == "STATUS").unwrap();
    assert_eq!(status["base"][0]["v"], "NEEDS-ACTION", "a new task is open");
    let summary_change = &log[log.len() - 2]["op"]["fields"];
    let s = summary_change
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "SUMMARY")
        .unwrap();
    assert_eq!(
        s["base"][0]["v"], "Draft",
        "the base value travels with the change"
    );

    p.ok(&["delete", &id]);
    let log = p.json_list(&["log", "--json"]);
    assert_eq!(log.last().unwrap()["op"]["type"], "delete");
    assert!(p.json_list(&["list", "tasks", "--json"]).is_empty());

    // seq is gapless, and the log is ordered.
    let seqs: Vec<u64> = log.iter().map(|c| c["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());
    let device = log[0]["device"].as_str().unwrap();
    assert!(
        log.iter()
            .all(|c| c["device"] == device && c["change_id"] == format!("{device}-{}", c["seq"]))
    );
}

#[test]
fn search_all_kinds() {
    let p = berlin();
    p.add(&[
        "add",
        "contact",
        "--name",
        "Grace Hopper",
        "--email",
        "grace@navy.example",
    ]);
    p.add(&[
        "add",
        "event",
        "--summary",
        "Compiler talk by Grace",
        "--start",
        "2026-12-01 10:00",
    ]);
    p.add(&[
        "add",
        "note",
        "--title",
        "Unrelated",
        "--body",
        "nothing here",
    ]);
    let found = p.json_list(&["search", "grace", "--json"]);
    let kinds: Vec<&str> = found.iter().map(|v| v["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.len(), 2);
    assert!(kinds.contains(&"contact") && kinds.contains(&"event"));
    assert!(p.json_list(&["search", "zebra", "--json"]).is_empty());
    assert_eq!(
        p.json_list(&["search", "navy", "--json"]).len(),
        1,
        "emails are searchable"
    );
}

#[test]
fn collections_lifecycle() {
    let p = berlin();
    let cols = p.json_list(&["collections", "list", "--json"]);
    assert_eq!(cols.len(), 4, "one default collection per kind");
    p.ok(&["collections", "add", "calendar", "Work"]);
    let id = p.add(&[
        "add",
        "event",
        "--summary",
        "At work",
        "--start",
        "2026-12-01 10:00",
        "--collection",
        "Work",
    ]);
    assert_eq!(
        p.json_list(&["list", "events", "--collection", "Work", "--json"])
            .len(),
        1
    );
    assert!(
        p.json_list(&["list", "events", "--collection", "calendar", "--json"])
            .is_empty()
    );
    p.ok(&["collections", "rename", "calendar", "Work", "Job"]);
    assert_eq!(
        p.json_list(&["show", &id, "--json"])[0]["collection"],
        "Job"
    );
    p.fails(&["collections", "delete", "calendar", "Job"]);
    p.ok(&["collections", "set", "calendar", "Job", "--sync", "off"]);
    let job = p
        .json_list(&["collections", "list", "--json"])
        .into_iter()
        .find(|c| c["name"] == "Job")
        .unwrap();
    assert_eq!(job["sync"], false);
    // The kind may be left out while the name is unique across kinds.
    p.ok(&[
        "collections",
        "set",
        "Job",
        "--sync",
        "on",
        "--color",
        "blue",
    ]);
    let job = p
        .json_list(&["collections", "list", "--json"])
        .into_iter()
        .find(|c| c["name"] == "Job")
        .unwrap();
    assert_eq!(
        (job["sync"].clone(), job["color"].clone()),
        (true.into(), "blue".into())
    );
    p.ok(&["collections", "add", "contacts", "Job"]);
    let err = p.fails(&["collections", "set", "Job", "--sync", "off"]);
    assert!(err.contains("say which"), "{err}");
    assert!(
        p.fails(&["collections", "set", "Nope", "--sync", "off"])
            .contains("no collection named")
    );
    p.ok(&["collections", "delete", "contacts", "Job"]);
    p.ok(&["collections", "set", "Job", "--sync", "off"]);
    p.ok(&["edit", &id, "--set", "collection=calendar"]);
    assert_eq!(
        p.json_list(&["log", "--json"]).last().unwrap()["op"]["type"],
        "move"
    );
    p.ok(&["collections", "delete", "calendar", "Job"]);
    p.fails(&["collections", "delete", "calendar", "calendar"]);
    p.fails(&["collections", "add", "calendar", "calendar"]);
    p.fails(&[
        "add",
        "event",
        "--summary",
        "x",
        "--start",
        "today",
        "--collection",
        "Nope",
    ]);
}

#[test]
fn bad_input_is_refused_and_nothing_is_written() {
    let p = berlin();
    let id = p.add(&[
        "add",
        "event",
        "--summary",
        "Keep",
        "--start",
        "2026-12-01 10:00",
    ]);
    let before = p.change_count();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["show", "00000000-0000-0000-0000-000000000000"],
            "no record",
        ),
        (vec!["delete", "nope"], "no record"),
        (
            vec!["add", "event", "--summary", "x", "--start", "2026-13-45"],
            "2026-13-45",
        ),
        (
            vec![
                "add",
                "event",
                "--summary",
                "x",
                "--start",
                "today",
                "--rrule",
                "FREQ=FORTNIGHTLY",
            ],
            "RRULE",
        ),
        (
            vec![
                "add",
                "event",
                "--summary",
                "x",
                "--start",
                "2026-12-02 10:00",
                "--end",
                "2026-12-01 10:00",
            ],
            "before the start",
        ),
        (
            vec!["add", "task", "--summary", "x", "--priority", "12"],
            "priority",
        ),
        (
            vec!["add", "contact", "--name", "x", "--email", "not-an-address"],
            "email",
        ),
        (vec!["edit", &id, "--set", "colour=red"], "unknown field"),
        (vec!["edit", &id, "--set", "summary"], "FIELD=VALUE"),
        (
            vec!["edit", &id, "--set", "summary=ok", "--set", "start=soon"],
            "soon",
        ),
        (vec!["list", "events", "--from", "2026-02-30"], "2026-02-30"),
    ];
    for (args, needle) in cases {
        let err = p.fails(&args);
        assert!(
            err.contains(needle),
            "{args:?}: {err:?} should mention {needle:?}"
        );
    }
    assert_eq!(
        p.change_count(),
        before,
        "nothing written by failed commands"
    );
    assert_eq!(
        p.json_list(&["show", &id, "--json"])[0]["summary"],
        "Keep",
        "no partial edit"
    );
}

#[test]
fn unreadable_database_is_a_clear_error() {
    let p = berlin();
    std::fs::write(
        p.home().join("pim.sqlite3"),
        b"this is not a database, just text....",
    )
    .unwrap();
    let err = p.fails(&["list", "contacts"]);
    assert!(err.contains("pim.sqlite3"), "{err}");
    assert_eq!(
        std::fs::read(p.home().join("pim.sqlite3")).unwrap(),
        b"this is not a database, just text....",
        "the file is left alone"
    );
}

#[test]
fn when_forms() {
    let p = berlin();
    for w in [
        "2026-12-01",
        "2026-12-01 10:00",
        "2026-12-01T10:00:00+05:00",
        "today",
        "tomorrow",
        "+3d",
        "+2h",
    ] {
        p.add(&["add", "task", "--summary", w, "--due", w]);
    }
    let tasks = p.json_list(&["list", "tasks", "--json"]);
    let due = |s: &str| {
        tasks.iter().find(|t| t["summary"] == s).unwrap()["due"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(due("2026-12-01"), "2026-12-01");
    assert_eq!(due("2026-12-01 10:00"), "2026-12-01T10:00:00+01:00");
    assert_eq!(
        due("2026-12-01T10:00:00+05:00"),
        "2026-12-01T06:00:00+01:00"
    );
    assert_eq!(due("+3d").len(), 10, "whole days stay dates");
    assert!(due("+2h").contains('T'));
}

#[test]
fn separate_homes_are_separate_profiles() {
    let a = berlin();
    let b = berlin();
    a.add(&["add", "note", "--title", "only in a"]);
    assert!(b.json_list(&["list", "notes", "--json"]).is_empty());
    let da = a.json_list(&["log", "--json"])[0]["device"].clone();
    let db = b.json_list(&["log", "--json"])[0]["device"].clone();
    assert_ne!(da, db, "each profile is its own device");
    // --home wins over PIM_HOME.
    let out = b
        .command(&[
            "--home",
            a.home().to_str().unwrap(),
            "list",
            "notes",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("only in a"));
    assert!(Path::new(&a.home().join("pim.sqlite3")).exists());
}

#[test]
fn completions_for_each_shell() {
    let p = berlin();
    for shell in ["bash", "zsh", "fish"] {
        assert!(p.ok(&["completions", shell]).contains("pim"));
    }
    p.fails(&["completions", "tcsh"]);
}
