//! Issue 17, reminders: `--alarm`, `pim remind` (due now, JSON), dismiss and snooze
//! written into the record, `--watch --command`, imported VALARMs, default alarms.
//! The clock is `PIM_NOW`: no test waits for real time, except the watcher's second.

use std::time::Duration;

use serde_json::Value;

use crate::support::pim::Pim;

/// The same profile with the clock at `now`.
fn at(pim: &Pim, now: &str) -> Pim {
    Pim::at(pim.home()).tz(pim.time_zone()).env("PIM_NOW", now)
}

fn due(pim: &Pim, now: &str) -> Vec<Value> {
    at(pim, now).json_list(&["remind", "--json"])
}

fn summaries(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|r| {
            format!(
                "{} {}",
                r["summary"].as_str().unwrap(),
                r["trigger"].as_str().unwrap()
            )
        })
        .collect()
}

fn standup(pim: &Pim) -> String {
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Standup",
        "--start",
        "2026-12-01 10:00",
        "--rrule",
        "daily",
        "--location",
        "Room 4",
        "--alarm",
        "-15m",
        "--alarm",
        "end+5m",
    ])
    .trim()
    .to_string()
}

#[test]
fn an_alarm_is_due_from_its_trigger_and_lists_as_json() {
    let pim = Pim::new();
    let id = standup(&pim);
    assert!(due(&pim, "2026-12-01T09:44:59Z").is_empty());
    let v = due(&pim, "2026-12-01T09:45:00Z");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["id"], id.as_str());
    assert_eq!(v[0]["summary"], "Standup");
    assert_eq!(v[0]["location"], "Room 4");
    assert_eq!(v[0]["trigger"], "2026-12-01T09:45:00Z");
    assert_eq!(v[0]["start"], "2026-12-01T10:00:00+00:00");
    // After the end: the end alarm too.
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T11:06:00Z")),
        [
            "Standup 2026-12-01T09:45:00Z",
            "Standup 2026-12-01T11:05:00Z"
        ]
    );
    let text = at(&pim, "2026-12-01T09:50:00Z").ok(&["remind"]);
    assert!(
        text.contains("09:45  2026-12-01 10:00  Standup  (Room 4)"),
        "{text}"
    );
    let shown = pim.json(&["show", &id, "--json"]);
    assert_eq!(shown["alarms"].as_array().unwrap().len(), 2, "{shown}");
    let text = pim.ok(&["show", &id]);
    assert!(text.contains("-15m, end+5m"), "{text}");
}

#[test]
fn dismissing_one_occurrence_leaves_the_next_and_snooze_rings_again() {
    let pim = Pim::new();
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Standup",
            "--start",
            "2026-12-01 10:00",
            "--rrule",
            "daily",
            "--alarm",
            "-15m",
        ])
        .trim()
        .to_string();
    let out = at(&pim, "2026-12-01T09:46:00Z").ok(&["remind", "dismiss", &id[..8]]);
    assert!(out.contains("dismissed"), "{out}");
    assert!(due(&pim, "2026-12-01T09:50:00Z").is_empty());
    assert_eq!(
        summaries(&due(&pim, "2026-12-02T09:46:00Z")),
        ["Standup 2026-12-02T09:45:00Z"]
    );
    // Snooze the second day's: quiet for ten minutes, then again.
    at(&pim, "2026-12-02T09:46:00Z").ok(&["remind", "snooze", &id, "10m"]);
    assert!(due(&pim, "2026-12-02T09:55:00Z").is_empty());
    let again = due(&pim, "2026-12-02T09:56:00Z");
    assert_eq!(summaries(&again), ["Standup 2026-12-02T09:56:00Z"]);
    assert_eq!(again[0]["snoozed"], true);
    assert_eq!(again[0]["occurrence"], "2026-12-02T10:00:00+00:00");
    // Nothing due: a one-line error.
    at(&pim, "2026-12-02T09:30:00Z").fails_with(&["remind", "dismiss", &id], "no reminder due");
    // One occurrence in advance.
    at(&pim, "2026-12-02T12:00:00Z").ok(&[
        "remind",
        "dismiss",
        &id,
        "--occurrence",
        "2026-12-04 10:00",
    ]);
    assert!(due(&pim, "2026-12-04T09:50:00Z").is_empty());
    assert_eq!(
        summaries(&due(&pim, "2026-12-05T09:50:00Z")),
        ["Standup 2026-12-05T09:45:00Z"]
    );
}

#[test]
fn dismissal_is_an_acknowledged_alarm_in_the_export_and_the_log() {
    let pim = Pim::new();
    let id = standup(&pim);
    at(&pim, "2026-12-01T09:46:00Z").ok(&["remind", "dismiss", &id]);
    let ics = pim.ok(&["export", "events"]);
    assert!(ics.contains("ACKNOWLEDGED:20261201T094600Z"), "{ics}");
    let log = pim.ok(&["log"]);
    assert!(
        log.matches(&id[..8]).count() >= 2 || log.lines().count() >= 2,
        "{log}"
    );
}

#[test]
fn tasks_remind_before_due_and_edits_set_alarms() {
    let pim = Pim::new();
    let id = pim
        .ok(&[
            "add",
            "task",
            "--summary",
            "Report",
            "--due",
            "2026-12-01 17:00",
            "--alarm",
            "-1h",
        ])
        .trim()
        .to_string();
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T16:00:00Z")),
        ["Report 2026-12-01T16:00:00Z"]
    );
    pim.ok(&["edit", &id, "--set", "alarms=-30m, 2026-12-01 12:00"]);
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T12:01:00Z")),
        ["Report 2026-12-01T12:00:00Z"]
    );
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T16:31:00Z")),
        ["Report 2026-12-01T12:00:00Z", "Report 2026-12-01T16:30:00Z"]
    );
    pim.fails_with(&["edit", &id, "--set", "alarms=soon"], "alarm \"soon\"");
    pim.ok(&["edit", &id, "--set", "alarms="]);
    assert!(due(&pim, "2026-12-01T16:31:00Z").is_empty());
}

#[test]
fn collections_give_new_records_their_default_alarm() {
    let pim = Pim::new();
    pim.ok(&["collections", "add", "events", "Work"]);
    pim.ok(&["collections", "set", "Work", "--default-alarm", "-10m"]);
    let cols = pim.json_list(&["collections", "list", "--json"]);
    let work = cols.iter().find(|c| c["name"] == "Work").unwrap();
    assert_eq!(work["default_alarms"], "-10m");
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Review",
        "--start",
        "2026-12-01 14:00",
        "--collection",
        "Work",
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Lunch",
        "--start",
        "2026-12-01 14:00",
    ]);
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T13:55:00Z")),
        ["Review 2026-12-01T13:50:00Z"]
    );
    pim.fails_with(
        &["collections", "set", "Work", "--default-alarm", "soon"],
        "alarm",
    );
    pim.ok(&["collections", "set", "Work", "--default-alarm", ""]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Later",
        "--start",
        "2026-12-01 15:00",
        "--collection",
        "Work",
    ]);
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T14:55:00Z")),
        ["Review 2026-12-01T13:50:00Z"]
    );
}

const IMPORTED: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n\
BEGIN:VEVENT\r\nUID:imp-1\r\nDTSTAMP:20261101T000000Z\r\nSUMMARY:Imported\r\n\
DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n\
BEGIN:VALARM\r\nACTION:AUDIO\r\nTRIGGER;RELATED=END:-PT10M\r\nEND:VALARM\r\n\
BEGIN:VALARM\r\nACTION:EMAIL\r\nSUMMARY:s\r\nDESCRIPTION:d\r\nATTENDEE:mailto:a@example.org\r\n\
TRIGGER;VALUE=DATE-TIME:20261201T080000Z\r\nEND:VALARM\r\n\
BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\nTRIGGER:-PT30M\r\nREPEAT:2\r\nDURATION:PT5M\r\n\
X-UNKNOWN:kept\r\nEND:VALARM\r\n\
BEGIN:VALARM\r\nACTION:NONE\r\nTRIGGER;VALUE=DATE-TIME:19760401T005545Z\r\nEND:VALARM\r\n\
END:VEVENT\r\nEND:VCALENDAR\r\n";

#[test]
fn imported_alarms_ring_and_survive_export() {
    let pim = Pim::new();
    let file = pim.path("imported.ics");
    std::fs::write(&file, IMPORTED).unwrap();
    pim.ok(&["import", &file.to_string_lossy()]);
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T08:00:00Z")),
        ["Imported 2026-12-01T08:00:00Z"]
    );
    // The repeating one: its latest repetition.
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T09:41:00Z")),
        [
            "Imported 2026-12-01T08:00:00Z",
            "Imported 2026-12-01T09:40:00Z"
        ]
    );
    assert_eq!(
        summaries(&due(&pim, "2026-12-01T10:51:00Z")),
        [
            "Imported 2026-12-01T08:00:00Z",
            "Imported 2026-12-01T09:40:00Z",
            "Imported 2026-12-01T10:50:00Z"
        ]
    );
    let ics = pim.ok(&["export", "events"]);
    for line in [
        "TRIGGER;RELATED=END:-PT10M",
        "TRIGGER;VALUE=DATE-TIME:20261201T080000Z",
        "ATTENDEE:mailto:a@example.org",
        "REPEAT:2",
        "X-UNKNOWN:kept",
        "ACTION:NONE",
    ] {
        assert!(ics.contains(line), "{line} missing: {ics}");
    }
    // The alarms field shows them in the user's syntax.
    let id = pim.json_list(&["list", "events", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    at(&pim, "2026-12-01T09:00:00Z").ok(&["edit", &id, "--set", "summary=Renamed"]);
    let ics = pim.ok(&["export", "events"]);
    assert!(ics.contains("X-UNKNOWN:kept"), "{ics}");
}

#[test]
fn all_day_events_remind_from_local_midnight() {
    let pim = Pim::new().tz("Europe/Berlin");
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Holiday",
        "--start",
        "2026-12-24",
        "--all-day",
        "--alarm",
        "0m",
    ]);
    assert!(due(&pim, "2026-12-23T22:59:00Z").is_empty());
    let v = due(&pim, "2026-12-23T23:00:00Z");
    assert_eq!(summaries(&v), ["Holiday 2026-12-23T23:00:00Z"]);
    assert_eq!(v[0]["start"], "2026-12-24");
}

#[test]
fn watch_runs_the_command_with_the_reminder_in_its_environment() {
    let pim = Pim::new();
    let id = standup(&pim);
    let out = pim.path("rang.txt");
    let cmd = format!("env | grep ^PIM_ | sort > '{}'", out.display());
    // One second before the trigger: the watcher sleeps until it, rings, and exits.
    let o = at(&pim, "2026-12-01T09:44:59Z").run_within(
        &[
            "remind",
            "--watch",
            "--command",
            &cmd,
            "--max-reminders",
            "1",
        ],
        Duration::from_secs(30),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("Standup"), "{stdout}");
    let env = std::fs::read_to_string(&out).unwrap();
    for line in [
        "PIM_SUMMARY=Standup".to_string(),
        "PIM_START=2026-12-01 10:00".into(),
        "PIM_LOCATION=Room 4".into(),
        format!("PIM_ID={id}"),
        "PIM_TRIGGER=2026-12-01T09:45:00Z".into(),
    ] {
        assert!(env.lines().any(|l| l == line), "{line} missing: {env}");
    }
    // Rung once per profile: a later `remind` still lists it (not dismissed), but a
    // second watcher does not ring it again; it rings the next one.
    assert_eq!(due(&pim, "2026-12-01T09:46:00Z").len(), 1);
    let o = at(&pim, "2026-12-01T11:04:59Z").run_within(
        &["remind", "--watch", "--max-reminders", "1"],
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.starts_with("11:05"), "{stdout}");
}

#[test]
fn google_calendar_alarms_from_the_corpus_remind() {
    let pim = Pim::new();
    let path = crate::support::corpus::corpus("ics/icalendar--alarm_google_future.ics");
    pim.ok(&["import", &path.to_string_lossy()]);
    // Three alarms 15, 14 and 10 minutes before 18:15 (two at 18:00, DISPLAY and
    // EMAIL, ring as one reminder).
    assert!(due(&pim, "2024-10-04T17:59:00Z").is_empty());
    assert_eq!(
        summaries(&due(&pim, "2024-10-04T18:05:00Z")),
        [
            "event with alarms 2024-10-04T18:00:00Z",
            "event with alarms 2024-10-04T18:01:00Z",
            "event with alarms 2024-10-04T18:05:00Z",
        ]
    );
    let id = pim.json_list(&["list", "events", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let text = pim.ok(&["show", &id]);
    assert!(text.contains("-10m, -14m, -15m, -15m"), "{text}");
    at(&pim, "2024-10-04T18:06:00Z").ok(&["remind", "dismiss", &id]);
    assert!(due(&pim, "2024-10-04T18:07:00Z").is_empty());
}

/// An absolute alarm more than 400 days before its event never rang (issue 17).
#[test]
fn an_absolute_alarm_years_ahead_of_its_event_rings_and_is_dismissed() {
    let pim = Pim::new();
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Conference",
            "--start",
            "2028-06-01 09:00",
            "--alarm",
            "2026-12-01 12:00",
        ])
        .trim()
        .to_string();
    assert!(due(&pim, "2026-12-01T11:59:59Z").is_empty());
    let v = due(&pim, "2026-12-01T12:00:00Z");
    assert_eq!(summaries(&v), ["Conference 2026-12-01T12:00:00Z"]);
    assert_eq!(v[0]["start"], "2028-06-01T09:00:00+00:00");
    at(&pim, "2026-12-01T12:01:00Z").ok(&["remind", "dismiss", &id]);
    assert!(due(&pim, "2026-12-01T12:02:00Z").is_empty());
}
