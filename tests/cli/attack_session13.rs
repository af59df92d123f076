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
