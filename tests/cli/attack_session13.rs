//! Attacks of session 13 (kills, concurrency, output paths, hostile files, round
//! trips): each test is a bug found by playing a hostile file, user or process.

use crate::support::pim::Pim;

/// `pim export all -o ~/.local/share/pim/pim.sqlite3` (a slip of the shell's
/// completion) renamed the export over the database: every record gone, and every
/// later command failed with "file is not a database". The same for config.toml
/// and SQLite's companions. The profile's own files are refused, nothing written.
#[test]
fn export_over_the_profiles_own_files_is_refused() {
    let pim = Pim::new();
    pim.ok(&["add", "note", "--title", "Keep me"]);
    let before = std::fs::read(pim.path("pim.sqlite3")).unwrap();
    for name in ["pim.sqlite3", "pim.sqlite3-wal", "config.toml"] {
        for (what, format) in [("all", "json"), ("notes", "md"), ("notes", "csv")] {
            let path = pim.path(name);
            // Also by another spelling of the same path.
            let spelled = pim.home().join(".").join(name);
            for p in [&path, &spelled] {
                let err = pim.fails(&[
                    "export",
                    what,
                    "--format",
                    format,
                    "-o",
                    p.to_str().unwrap(),
                ]);
                assert!(err.contains(name) && err.contains("profile"), "{err}");
            }
        }
    }
    assert_eq!(std::fs::read(pim.path("pim.sqlite3")).unwrap(), before);
    assert!(!pim.path("config.toml").exists());
    let notes = pim.json_list(&["list", "notes", "--json"]);
    assert_eq!(notes.len(), 1);
}

/// Imported records get time-ordered ids, so every record of one import began
/// with the same 8 characters: `pim list` showed them all as one id, and `pim show`
/// of the id it showed answered "ambiguous". Each record listed must be reachable
/// by the id the listing shows.
#[test]
fn the_ids_an_import_listing_shows_are_unique() {
    let pim = Pim::new();
    let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n");
    for i in 0..50 {
        ics.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:e{i}\r\nDTSTAMP:20260101T000000Z\r\n\
             DTSTART:20261201T{:02}0000Z\r\nSUMMARY:Event {i}\r\nEND:VEVENT\r\n",
            i % 24
        ));
    }
    ics.push_str("END:VCALENDAR\r\n");
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let listing = pim.ok(&[
        "list",
        "events",
        "--from",
        "2026-12-01",
        "--to",
        "2026-12-02",
    ]);
    let shown: Vec<&str> = listing
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(shown.len(), 50, "{listing}");
    for id in shown {
        pim.ok(&["show", id]);
    }
}

/// `pim` killed by the limit on file sizes (`ulimit -f`, in KiB) once it writes past
/// `kib`: a kill at a known moment, in the middle of writing a file. Its exit status.
fn killed_while_writing(pim: &Pim, kib: u32, args: &[&str]) -> std::process::ExitStatus {
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -f {kib}; exec {}", pim.shell_line(args)))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap()
}

/// `pim export --format vdir -o DIR` into the folder vdirsyncer or khal use wrote
/// each file in place: killed in the middle (here by `ulimit -f`, or a full disk),
/// it left the user's file cut short, and vdirsyncer uploaded the broken event.
/// Each file is written beside and renamed: the old one or the new one, whole.
#[test]
fn a_vdir_export_killed_midway_leaves_every_file_whole() {
    let pim = Pim::new();
    let long = "x".repeat(100_000);
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Long",
            "--start",
            "2026-12-01 10:00",
            "--description",
            &long,
        ])
        .trim()
        .to_string();
    let dir = pim.path("vdir");
    let dir = dir.to_str().unwrap();
    pim.ok(&["export", "events", "--format", "vdir", "-o", dir]);
    let file = std::fs::read_dir(pim.path("vdir/calendar"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let before = std::fs::read_to_string(&file).unwrap();
    pim.ok(&["edit", &id, "--set", "summary=Longer"]);
    let status = killed_while_writing(
        &pim,
        64,
        &["export", "events", "--format", "vdir", "-o", dir],
    );
    assert!(!status.success());
    let after = std::fs::read_to_string(&file).unwrap();
    assert!(
        after == before,
        "cut to {} of {} bytes",
        after.len(),
        before.len()
    );
    // The next export completes it; what the kill left is a dot file, which vdir
    // readers (pim's import too) pass over.
    pim.ok(&["export", "events", "--format", "vdir", "-o", dir]);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("SUMMARY:Longer")
    );
    let report = pim.json(&["import", dir, "--json"]);
    assert_eq!(report["unchanged"], 1, "{report}");
    assert_eq!(report["errors"], 0, "{report}");
}

/// Two `pim export -o FILE` of one file at once (a cron backup and a hand-made one)
/// shared one temporary file: all but one failed with "No such file or directory"
/// (the other had renamed it away), and their bytes could mix. Each export now has
/// its own temporary file; every one succeeds and the file is one export, whole.
#[test]
fn exports_to_one_file_at_once_all_succeed() {
    let pim = Pim::new();
    for i in 0..200 {
        pim.ok(&["add", "note", "--title", &format!("Note {i}")]);
    }
    let file = pim.path("backup.json");
    let file = file.to_str().unwrap();
    for _ in 0..3 {
        let outs: Vec<std::process::Output> = std::thread::scope(|s| {
            let runs: Vec<_> = (0..4)
                .map(|_| s.spawn(|| pim.run(&["export", "all", "-o", file])))
                .collect();
            runs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for o in outs {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let all: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        assert_eq!(all.as_array().unwrap().len(), 200);
    }
}

/// Several `pim import --collection NAME` at once, NAME not there yet: each read the
/// collections before its transaction, so all but the first to write failed with
/// "a calendar collection named \"Work\" already exists", their items not imported.
/// The collection is looked up inside the transaction: one is made, all import.
#[test]
fn imports_into_a_new_collection_at_once_all_succeed() {
    let pim = Pim::new();
    pim.ok(&["list", "events"]); // the profile exists: the race is the collection's
    let files: Vec<String> = (0..6)
        .map(|i| {
            let path = pim.path(&format!("c{i}.ics"));
            std::fs::write(
                &path,
                format!(
                    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:c{i}\r\n\
                     DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:C{i}\r\n\
                     END:VEVENT\r\nEND:VCALENDAR\r\n"
                ),
            )
            .unwrap();
            path.to_str().unwrap().to_string()
        })
        .collect();
    for round in 0..3 {
        let name = format!("Work {round}");
        let outs: Vec<std::process::Output> = std::thread::scope(|s| {
            let runs: Vec<_> = files
                .iter()
                .map(|f| s.spawn(|| pim.run(&["import", "--collection", &name, f])))
                .collect();
            runs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        for o in outs {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
        let listed = pim.json_list(&["collections", "list", "--json"]);
        let named: Vec<_> = listed
            .iter()
            .filter(|c| c["name"] == name.as_str())
            .collect();
        assert_eq!(named.len(), 1, "{listed:?}");
    }
}

/// An invitation mail from `from` about Bob's meeting `planning@example.test`.
fn invitation(from: &str, method: &str, sequence: u32, summary: &str) -> String {
    format!(
        "From: {from}\r\nTo: ada@example.test\r\nSubject: {summary}\r\n\
         Message-ID: <m{sequence}@example.test>\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/calendar; method={method}; charset=UTF-8\r\n\r\n\
         BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:{method}\r\n\
         BEGIN:VEVENT\r\nUID:planning@example.test\r\nDTSTAMP:20261201T08000{sequence}Z\r\n\
         SEQUENCE:{sequence}\r\nDTSTART:20270110T100000Z\r\nDTEND:20270110T110000Z\r\n\
         SUMMARY:{summary}\r\nORGANIZER;CN=Bob:mailto:bob@example.test\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:ada@example.test\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// The addresses of `From:` were every `<…>` in it, also inside a quoted display
/// name: `"Bob <bob@example.test>" <mallory@evil.test>` (mail that evil.test's
/// DKIM and DMARC vouch for) counted as sent by Bob, so Mallory rewrote and then
/// cancelled Bob's meeting, listed as "from bob@example.test". A display name
/// (quoted, or a comment) is not an address.
#[test]
fn an_address_in_a_display_name_does_not_speak_for_the_organizer() {
    let pim = Pim::new();
    let bob = invitation("Bob <bob@example.test>", "REQUEST", 0, "Planning");
    pim.ok_stdin(&["invites", "import", "-"], bob.as_bytes());
    let reply = pim.path("reply.eml");
    pim.ok(&[
        "invites",
        "accept",
        "1",
        "--reply-to",
        reply.to_str().unwrap(),
    ]);
    let spoofs = [
        "\"Bob <bob@example.test>\" <mallory@evil.test>",
        "\"Bob \\\" <bob@example.test>\" <mallory@evil.test>",
        "mallory@evil.test (Bob <bob@example.test>)",
        "Friends: \"x <bob@example.test>\" <mallory@evil.test>;",
    ];
    for (i, from) in spoofs.iter().enumerate() {
        let seq = i as u32 + 1;
        for (method, summary) in [("REQUEST", "Hijacked"), ("CANCEL", "Cancelled")] {
            let mail = invitation(from, method, seq, summary)
                .replace(&format!("<m{seq}@"), &format!("<m{seq}{method}@"));
            let out = pim.ok_stdin(&["invites", "import", "-"], mail.as_bytes());
            assert!(out.contains("suspicious"), "{from}: {out}");
            assert!(out.contains("mallory@evil.test"), "{from}: {out}");
        }
    }
    let events = pim.json_list(&["list", "events", "--json"]);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["summary"], "Planning");
    assert_ne!(events[0]["status"], "CANCELLED");
}

/// A rule whose UNTIL lies before DTSTART (`pim edit ID --set
/// rrule=FREQ=DAILY;UNTIL=20200101`, or such a file imported): DTSTART is still an
/// occurrence, and `pim list` over 2020-2030 showed it, but a window round its day
/// did not (the index's span ended at UNTIL), nor did the agenda or reminders.
#[test]
fn a_series_ending_before_its_start_still_shows_its_start() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-01T08:00:00Z");
    let id = pim
        .ok(&[
            "add",
            "event",
            "--summary",
            "Early end",
            "--start",
            "2026-12-01 10:00",
            "--alarm",
            "-2h",
        ])
        .trim()
        .to_string();
    pim.ok(&["edit", &id, "--set", "rrule=FREQ=DAILY;UNTIL=20200101"]);
    for (from, to) in [("2020-01-01", "2030-01-01"), ("2026-11-30", "2026-12-08")] {
        let listed = pim.json_list(&["list", "events", "--from", from, "--to", to, "--json"]);
        assert_eq!(listed.len(), 1, "{from}..{to}: {listed:?}");
    }
    assert!(pim.ok(&["agenda", "--days", "2"]).contains("Early end"));
    assert_eq!(pim.json_list(&["remind", "--json"]).len(), 1);
}

/// One occurrence of a daily series moved to last five days: `pim list` over the
/// month showed it, a window on its fourth day and that day's agenda did not (the
/// series' indexed span counted a moved occurrence as one day long).
#[test]
fn a_moved_occurrence_lasting_days_shows_on_each_of_them() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-13T12:00:00Z");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VEVENT\r\nUID:ov\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\n\
        DTEND:20261201T110000Z\r\nRRULE:FREQ=DAILY;COUNT=2\r\nSUMMARY:Series\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:ov\r\nDTSTAMP:20260101T000000Z\r\nRECURRENCE-ID:20261202T100000Z\r\n\
        DTSTART:20261210T100000Z\r\nDTEND:20261215T100000Z\r\nSUMMARY:Retreat\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let listed = window(&pim, "2026-12-13", "2026-12-14");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["summary"], "Retreat");
    assert!(pim.ok(&["agenda", "--days", "1"]).contains("Retreat"));
}

/// An event with `DURATION:-P2D` (a hostile or broken file) is shown lasting no
/// time, over the month; a window on its own day and that day's agenda left it out
/// (its indexed end lay two days before its start).
#[test]
fn an_event_with_a_negative_duration_shows_on_its_day() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-01T08:00:00Z");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VEVENT\r\nUID:neg\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\n\
        DURATION:-P2D\r\nSUMMARY:Negative\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let listed = window(&pim, "2026-12-01", "2026-12-02");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert!(pim.ok(&["agenda", "--days", "1"]).contains("Negative"));
}

/// An extra occurrence given as a PERIOD (`RDATE;VALUE=PERIOD:start/end`, as
/// Outlook and Apple write) was listed over the month but not in a window on its
/// own days: the series' indexed span passed over PERIOD values.
#[test]
fn an_rdate_period_shows_on_its_own_days() {
    let pim = Pim::new();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VEVENT\r\nUID:rp\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\n\
        DTEND:20261201T110000Z\r\nRRULE:FREQ=DAILY;COUNT=1\r\n\
        RDATE;VALUE=PERIOD:20261220T100000Z/20261224T100000Z,20270105T090000Z/PT50H\r\n\
        SUMMARY:Period\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    for (from, to) in [
        ("2026-12-20", "2026-12-21"),
        ("2026-12-22", "2026-12-23"),
        ("2027-01-06", "2027-01-07"),
    ] {
        let listed = pim.json_list(&["list", "events", "--from", from, "--to", to, "--json"]);
        assert_eq!(listed.len(), 1, "{from}..{to}: {listed:?}");
    }
}

/// `pim collections add event ""` (or "   ", or a name with a line break), and
/// `pim import --collection ""`, made a collection no listing shows a name for, nor
/// the TUI; a line break broke the listing's table. Such names are
/// refused; a backup's record without a collection name goes to the default one.
#[test]
fn blank_collection_names_are_refused() {
    let pim = Pim::new();
    for name in ["", "   ", "new\nline", "tab\there"] {
        let err = pim.fails(&["collections", "add", "event", name]);
        assert!(err.contains("collection name"), "{name:?}: {err}");
    }
    for name in ["", " ", "a\nb"] {
        let err = pim.fails(&["collections", "rename", "events", "calendar", name]);
        assert!(err.contains("collection name"), "{name:?}: {err}");
    }
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n\
        DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:S\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    let out = pim.run_stdin(&["import", "--collection", "", "-"], ics.as_bytes());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("collection name"));
    let names: Vec<serde_json::Value> = pim
        .json_list(&["collections", "list", "--json"])
        .iter()
        .map(|c| c["name"].clone())
        .collect();
    assert_eq!(
        names,
        ["contacts", "calendar", "notes", "tasks"],
        "{names:?}"
    );
    // A JSON item naming no collection lands in the kind's default.
    pim.ok(&["add", "note", "--title", "n"]);
    let backup = pim
        .ok(&["export", "all"])
        .replace("\"collection\":\"notes\"", "\"collection\":\"\"");
    let fresh = Pim::new();
    fresh.ok_stdin(&["import", "-"], backup.as_bytes());
    let notes = fresh.json_list(&["list", "notes", "--json"]);
    assert_eq!(notes[0]["collection"], "notes", "{notes:?}");
    // A backup naming a collection with a line break (made before such names were
    // refused) still restores, the break made a space.
    let old = backup.replace("\"collection\":\"\"", "\"collection\":\"Old\\nbook\"");
    let restored = Pim::new();
    restored.ok_stdin(&["import", "-"], old.as_bytes());
    let notes = restored.json_list(&["list", "notes", "--json"]);
    assert_eq!(notes[0]["collection"], "Old book", "{notes:?}");
}

/// An event on 1 January of the year 1 in New York: the VTIMEZONE written with it
/// began `DTSTART:00001231T190358` (the year 0), which python icalendar (and so
/// khal) refuses, "year 0 is out of range": the whole exported calendar unreadable
/// for them. The zone's first observance starts within the calendar.
#[test]
fn an_export_never_writes_the_year_0() {
    let pim = Pim::new().tz("America/New_York");
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Old",
        "--start",
        "0001-01-01 10:00",
    ]);
    let ics = pim.ok(&["export", "events"]);
    assert!(
        ics.contains("DTSTART;TZID=America/New_York:00010101T100000"),
        "{ics}"
    );
    assert!(!ics.contains(":0000"), "{ics}");
    // And pim reads it back as the event it wrote.
    let fresh = Pim::new().tz("America/New_York");
    fresh.ok_stdin(&["import", "-"], ics.as_bytes());
    let listed = window(&fresh, "0001-01-01", "0001-01-02");
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["start"], "0001-01-01T10:00:00-04:56");
}

/// A vdir's `.ics` or `.vcf` file that holds no calendar or card at all (empty,
/// cut to nothing, or some other file under that name) was passed over without a
/// word: "1 created, 0 errors", though an event was missing. It is named as an
/// invalid item, as the same file imported alone is refused; a free/busy or
/// zone-only calendar still passes quietly.
#[test]
fn a_vdir_file_with_no_calendar_or_card_is_named() {
    let pim = Pim::new();
    let cal = pim.path("vdir/cal");
    std::fs::create_dir_all(&cal).unwrap();
    std::fs::write(
        cal.join("good.ics"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:g\r\n\
         DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:G\r\nEND:VEVENT\r\n\
         END:VCALENDAR\r\n",
    )
    .unwrap();
    std::fs::write(
        cal.join("busy.ifb"),
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VFREEBUSY\r\nUID:b\r\n\
         DTSTAMP:20260101T000000Z\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n",
    )
    .unwrap();
    std::fs::write(cal.join("empty.ics"), "").unwrap();
    std::fs::write(cal.join("junk.vcf"), "hello\n").unwrap();
    let dir = pim.path("vdir");
    let out = pim.run(&["import", dir.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("empty.ics") && err.contains("junk.vcf"),
        "{err}"
    );
    assert!(!err.contains("busy.ifb"), "{err}");
    let out = pim.run(&["import", "--skip-invalid", dir.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(pim.json_list(&["list", "events", "--json"]).len(), 1);
}

/// An event, a task and a note sharing one UID (a calendar file may hold them so),
/// in a calendar, task list and notebook of one name: `export --format vdir` said
/// "exported 3 items" and wrote one file, each record over the one before; and
/// UIDs differing in case only clash on a case-insensitive disk (macOS). Each
/// record gets a file of its own.
#[test]
fn a_vdir_export_writes_every_record_whose_uid_is_shared() {
    let pim = Pim::new();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VEVENT\r\nUID:same\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\n\
        SUMMARY:The event\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:SAME\r\nDTSTAMP:20260101T000000Z\r\nDTSTART:20261202T100000Z\r\n\
        SUMMARY:The other event\r\nEND:VEVENT\r\n\
        BEGIN:VTODO\r\nUID:same\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:The task\r\nEND:VTODO\r\n\
        BEGIN:VJOURNAL\r\nUID:same\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:The note\r\n\
        END:VJOURNAL\r\nEND:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "--collection", "Work", "-"], ics.as_bytes());
    let dir = pim.path("vdir");
    pim.ok(&[
        "export",
        "all",
        "--format",
        "vdir",
        "-o",
        dir.to_str().unwrap(),
    ]);
    let mut names: Vec<String> = std::fs::read_dir(dir.join("Work"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_lowercase())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 4, "{names:?}");
    let fresh = Pim::new();
    fresh.ok(&["import", dir.to_str().unwrap()]);
    let all = fresh.json_list(&["export", "all"]);
    assert_eq!(all.len(), 4, "{all:?}");
}

/// `pim list events --from FROM --to TO --json`: the events of a window.
fn window(pim: &Pim, from: &str, to: &str) -> Vec<serde_json::Value> {
    pim.json_list(&["list", "events", "--from", from, "--to", to, "--json"])
}
