//! Attacks on this session's changes (clock, zone files, reminders, import, export,
//! occurrences): each test is a bug found by playing a hostile file, user or process.

use crate::support::pim::Pim;

/// RFC 5545 §3.1: a line may be folded in the middle of a UTF-8 sequence, and
/// unfolding must give the sequence back. An `.ics` folded so was read as
/// windows-1252 (`abÃ©cd`), though the same fold in a vCard read right.
#[test]
fn an_ics_folded_inside_a_utf8_character_reads_back_that_character() {
    let pim = Pim::new();
    let mut ics: Vec<u8> = Vec::new();
    ics.extend_from_slice(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\n");
    ics.extend_from_slice(b"UID:fold\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\n");
    // "ab\u{e9}cd\u{1F600}end", folded after the first byte of each character.
    ics.extend_from_slice(b"SUMMARY:ab\xc3\r\n \xa9cd\xf0\x9f\r\n \x98\x80end\r\n");
    ics.extend_from_slice(b"END:VEVENT\r\nEND:VCALENDAR\r\n");
    let path = pim.path("folded.ics");
    std::fs::write(&path, &ics).unwrap();
    pim.ok(&["import", path.to_str().unwrap()]);
    let listed = pim.json_list(&[
        "list",
        "events",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-02",
        "--json",
    ]);
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["summary"], "ab\u{e9}cd\u{1F600}end");
}

/// On the calendar's last day, `tomorrow` is the year 10000: `pim add task --due
/// tomorrow` stored `DUE;VALUE=DATE:+100000101`, which no reader (pim's own import
/// included) takes back. So did `today` where the zone is already in the year 10000,
/// and `yesterday` on the first day.
#[test]
fn day_words_past_the_calendar_are_refused() {
    let last = Pim::new().env("PIM_NOW", "9999-12-31T12:00:00Z");
    last.fails_with(
        &["add", "task", "--summary", "a", "--due", "tomorrow"],
        "1-9999",
    );
    last.fails_with(
        &["add", "event", "--summary", "b", "--start", "tomorrow"],
        "1-9999",
    );
    let ahead = Pim::new()
        .tz("Pacific/Kiritimati")
        .env("PIM_NOW", "9999-12-31T12:00:00Z");
    ahead.fails_with(
        &["add", "task", "--summary", "c", "--due", "today"],
        "1-9999",
    );
    let first = Pim::new().env("PIM_NOW", "0001-01-01T12:00:00Z");
    first.fails_with(
        &["add", "task", "--summary", "d", "--due", "yesterday"],
        "1-9999",
    );
    first.ok(&["add", "task", "--summary", "e", "--due", "today"]);
    let ics = first.ok(&["export", "tasks"]);
    assert!(ics.contains("DUE;VALUE=DATE:00010101"), "{ics}");
    assert!(!ics.contains("SUMMARY:d"), "{ics}");
}

/// A `PIM_NOW` whose offset puts it outside the years 1-9999 in UTC was taken: every
/// record added then was stamped `DTSTAMP:+100000101T…` (or the year 0).
#[test]
fn a_clock_outside_the_calendar_is_refused() {
    for now in ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"] {
        let pim = Pim::new().env("PIM_NOW", now);
        let err = pim.fails(&["add", "note", "--title", "n"]);
        assert!(
            err.contains("PIM_NOW") && err.contains("1-9999"),
            "{now}: {err}"
        );
    }
}

/// A VTIMEZONE whose observances repeat every second: each offset looked up searched
/// millions of onsets, so once imported, `pim list`, `remind` and `agenda` (and the
/// TUI) ran for minutes. Zone rules repeat yearly; others are not followed.
#[test]
fn a_vtimezone_changing_every_second_does_not_hang_listings() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-02T09:00:00Z");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Evil\r\n\
        BEGIN:STANDARD\r\nDTSTART:00010101T000000\r\nRRULE:FREQ=SECONDLY\r\n\
        TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:00010101T000001\r\nRRULE:FREQ=YEARLY;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23;BYMINUTE=0,10,20,30,40,50;BYSECOND=0,30;BYMONTH=1,2,3,4,5,6,7,8,9,10,11,12\r\n\
        TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0100\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:evil\r\nDTSTAMP:20260101T000000Z\r\n\
        DTSTART;TZID=Evil:20261201T100000\r\nDTEND;TZID=Evil:20261201T110000\r\n\
        RRULE:FREQ=DAILY\r\nSUMMARY:evil\r\n\
        BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-P1D\r\nDESCRIPTION:x\r\nEND:VALARM\r\n\
        END:VEVENT\r\nEND:VCALENDAR\r\n";
    let path = pim.path("evil.ics");
    std::fs::write(&path, ics).unwrap();
    pim.ok(&["import", path.to_str().unwrap()]);
    for args in [
        &[
            "list",
            "events",
            "--from",
            "2026-11-30",
            "--to",
            "2026-12-05",
        ][..],
        &["remind"][..],
        &["agenda"][..],
    ] {
        let out = pim.run_within(args, std::time::Duration::from_secs(20));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
    }
}

fn at(pim: &Pim, now: &str) -> Pim {
    Pim::at(pim.home()).env("PIM_NOW", now)
}

/// Birthday days are looked at only up to two weeks past their last alarm, so a
/// birthday snoozed for 20 days was "snoozed until 09:30" and then never rang again
/// (its alarm dismissed with it). A snooze past that reach is refused, nothing written.
#[test]
fn a_birthday_snooze_that_would_never_ring_is_refused() {
    let pim = Pim::new();
    pim.ok(&["collections", "set", "Birthdays", "--default-alarm", "-15h"]);
    let id = pim
        .ok(&[
            "add",
            "contact",
            "--name",
            "Ada",
            "--birthday",
            "1985-12-08",
        ])
        .trim()
        .to_string();
    let before = at(&pim, "2026-12-07T09:30:00Z");
    assert_eq!(before.json_list(&["remind", "--json"]).len(), 1);
    let err = before.fails(&["remind", "snooze", &id, "20d"]);
    assert!(err.contains("two weeks"), "{err}");
    // Still due, and a snooze within reach rings when it says.
    assert_eq!(before.json_list(&["remind", "--json"]).len(), 1);
    before.ok(&["remind", "snooze", &id, "10d"]);
    let again = at(&pim, "2026-12-17T09:31:00Z").json_list(&["remind", "--json"]);
    assert_eq!(again.len(), 1, "{again:?}");
    assert_eq!(again[0]["snoozed"], true);
}

/// The refusal of a birthday alarm too far from its day was printed with a run of
/// 22 spaces in the middle ("repeating at most                      100 times").
#[test]
fn the_birthday_alarm_reach_message_reads() {
    let pim = Pim::new();
    let err = pim.fails(&["collections", "set", "Birthdays", "--default-alarm", "-40d"]);
    assert!(err.contains("repeating at most 100 times"), "{err}");
}

/// `pim export -o PATH` writes a temporary file and renames it over PATH: a symlink
/// there (a dotfile manager's) was replaced by a plain file and its target left
/// stale, and a FIFO (or `/dev/full`, as root) was replaced, its reader left waiting.
/// The link is followed, and what is not a regular file is written in place.
#[test]
fn export_to_a_symlink_or_a_fifo_writes_through_it() {
    use std::os::unix::fs::FileTypeExt as _;
    let pim = Pim::new();
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Gig",
        "--start",
        "2026-12-01 20:00",
    ]);
    let target = pim.path("real.ics");
    std::fs::write(&target, "old").unwrap();
    let link = pim.path("link.ics");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    pim.ok(&["export", "events", "-o", link.to_str().unwrap()]);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    assert!(
        std::fs::read_to_string(&target)
            .unwrap()
            .contains("SUMMARY:Gig")
    );

    let fifo = pim.path("pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    // The reader waits for a writer: it never gets one if the FIFO is replaced.
    let (tx, read) = std::sync::mpsc::channel();
    {
        let fifo = fifo.clone();
        std::thread::spawn(move || tx.send(std::fs::read_to_string(fifo).unwrap()));
    }
    let out = pim.run_within(
        &["export", "events", "-o", fifo.to_str().unwrap()],
        std::time::Duration::from_secs(20),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = read
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the FIFO's reader got nothing");
    assert!(text.contains("SUMMARY:Gig"));
    assert!(fifo.metadata().unwrap().file_type().is_fifo());
}

/// config.toml kept in a dotfiles folder and linked into the profile: `pim account
/// add` renamed its new text over the link, so the link became a plain file and the
/// dotfiles copy never saw the account.
#[test]
fn a_symlinked_config_file_is_written_through_its_link() {
    let pim = Pim::new();
    pim.ok(&["list", "events"]);
    let dotfiles = tempfile::tempdir().unwrap();
    let real = dotfiles.path().join("config.toml");
    std::fs::write(&real, "[search]\ncountry = \"DE\"\n").unwrap();
    let link = pim.path("config.toml");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    pim.ok(&[
        "account",
        "add",
        "personal",
        "--imap",
        "mail.example.org:993",
        "--smtp",
        "mail.example.org:465",
        "--user",
        "ada",
        "--email",
        "ada@example.org",
        "--password-command",
        "pass show mail",
    ]);
    assert!(link.symlink_metadata().unwrap().file_type().is_symlink());
    let text = std::fs::read_to_string(&real).unwrap();
    assert!(
        text.contains("ada@example.org") && text.contains("country"),
        "{text}"
    );
}

/// `pim import /dev/zero` (or any endless input that is no known format) read the
/// whole input before telling its format, growing without bound; the format is told
/// from the first 4 KiB, so it now stops at once with "cannot tell the format".
#[test]
fn an_endless_input_of_no_known_format_is_refused_without_reading_it_whole() {
    let pim = Pim::new();
    let mut child = pim
        .command(&["import", "/dev/zero"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("pim import /dev/zero was still reading after 20 s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(!status.success());
    assert!(err.contains("/dev/zero"), "{err}");
}

/// Near the calendar's end the agenda listed a day `+10000-01-01` (a birthday on the
/// first of January), a date no other command takes; the agenda ends with 9999.
#[test]
fn the_agenda_ends_with_the_calendar() {
    let pim = Pim::new().env("PIM_NOW", "9999-12-30T12:00:00Z");
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ann",
        "--birthday",
        "1990-01-01",
    ]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Eve",
        "--start",
        "9999-12-31 20:00",
    ]);
    let out = pim.ok(&["agenda", "--days", "5"]);
    assert!(out.contains("9999-12-31") && out.contains("Eve"), "{out}");
    assert!(!out.contains("10000"), "{out}");
}
