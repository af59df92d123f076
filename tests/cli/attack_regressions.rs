//! Hostile input and awkward times against reminders and occurrence edits: each test
//! is a bug found by attacking them (a panic, an occurrence shown twice, an edit or
//! delete that did nothing).

use crate::support::pim::Pim;

/// `pim list events --json` in Berlin: (local start, summary) per occurrence.
fn listed(pim: &Pim, from: &str, to: &str) -> Vec<(String, String)> {
    pim.json_list(&["list", "events", "--from", from, "--to", to, "--json"])
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

/// 02:30 does not exist on the spring-forward day in Berlin: that occurrence happens
/// at 03:30. Editing it showed it twice (the edit and the original); deleting it
/// succeeded and left it there.
#[test]
fn an_occurrence_in_a_dst_gap_can_be_edited_and_deleted() {
    let pim = Pim::new().tz("Europe/Berlin");
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Night",
            "--start",
            "2026-03-28 02:30",
            "--rrule",
            "FREQ=DAILY;COUNT=3",
        ])
        .trim()
        .to_string();
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2026-03-29 03:30",
        "--set",
        "summary=Moved",
    ]);
    assert_eq!(
        listed(&pim, "2026-03-28", "2026-03-31"),
        pairs(&[
            ("2026-03-28T02:30", "Night"),
            ("2026-03-29T03:30", "Moved"),
            ("2026-03-30T02:30", "Night"),
        ])
    );
    let other = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Other",
            "--start",
            "2026-03-28 02:30",
            "--rrule",
            "FREQ=DAILY;COUNT=3",
        ])
        .trim()
        .to_string();
    pim.ok(&["delete", &other, "--occurrence", "2026-03-29 02:30"]);
    pim.ok(&["delete", &id, "--occurrence", "2026-03-29 03:30"]);
    assert_eq!(
        listed(&pim, "2026-03-28", "2026-03-31"),
        pairs(&[
            ("2026-03-28T02:30", "Night"),
            ("2026-03-28T02:30", "Other"),
            ("2026-03-30T02:30", "Night"),
            ("2026-03-30T02:30", "Other"),
        ])
    );
}

/// REPEAT:999999999 with a 10 000-year DURATION in an imported VALARM made every
/// `pim remind` panic (the window it widened overflowed the calendar).
#[test]
fn an_alarm_repeating_past_the_calendar_does_not_stop_reminders() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-06T16:50:00Z");
    let file = pim.path("hostile.ics");
    std::fs::write(
        &file,
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:h\r\n\
         DTSTAMP:20261201T000000Z\r\nDTSTART:20261206T170000Z\r\nDTEND:20261206T180000Z\r\n\
         SUMMARY:Hostile\r\nBEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:x\r\n\
         TRIGGER:-PT15M\r\nREPEAT:999999999\r\nDURATION:P3650000D\r\nEND:VALARM\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    pim.ok(&["import", &file.to_string_lossy()]);
    let due = pim.json_list(&["remind", "--json"]);
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0]["summary"], "Hostile");
}

/// "This and following" from the occurrence in the DST gap: the old series kept that
/// occurrence (shown twice) and the new one moved every later night to 03:30.
#[test]
fn this_and_following_from_an_occurrence_in_a_dst_gap() {
    let pim = Pim::new().tz("Europe/Berlin");
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Night",
            "--start",
            "2026-03-28 02:30",
            "--rrule",
            "FREQ=DAILY;COUNT=4",
        ])
        .trim()
        .to_string();
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2026-03-29 03:30",
        "--this-and-following",
        "--set",
        "summary=Later",
    ]);
    assert_eq!(
        listed(&pim, "2026-03-28", "2026-04-01"),
        pairs(&[
            ("2026-03-28T02:30", "Night"),
            ("2026-03-29T03:30", "Later"),
            ("2026-03-30T02:30", "Later"),
            ("2026-03-31T02:30", "Later"),
        ])
    );
}

/// `pim remind snooze ID 500000w` wrote a 5-digit year into the record's TRIGGER.
#[test]
fn a_snooze_past_the_year_9999_is_refused() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-06T09:50:00Z");
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Call",
            "--start",
            "2026-12-06 10:00",
            "--alarm",
            "-15m",
        ])
        .trim()
        .to_string();
    pim.fails_with(&["remind", "snooze", &id, "500000w"], "year 9999");
    let ics = pim.ok(&["export", "events", "-o", "-"]);
    assert!(!ics.contains("TRIGGER;VALUE=DATE-TIME"), "{ics}");
    assert_eq!(pim.json_list(&["remind", "--json"]).len(), 1);
}

/// `--alarm=` (an empty value) was accepted and added nothing: refused, nothing written.
#[test]
fn an_empty_alarm_is_refused() {
    let pim = Pim::new();
    for args in [
        &[
            "add",
            "event",
            "--summary",
            "x",
            "--start",
            "tomorrow",
            "--alarm=",
        ][..],
        &["add", "task", "--summary", "y", "--alarm", ""][..],
    ] {
        let out = pim.run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("--alarm"),
            "{args:?}"
        );
    }
    assert!(pim.json_list(&["list", "events", "--json"]).is_empty());
    assert!(pim.json_list(&["list", "tasks", "--json"]).is_empty());
}
