//! More attacks of session 13 (see attack_session13.rs): each test is a bug found
//! by playing a hostile file, user or process.

use crate::support::pim::Pim;

/// `pim agenda --days 100000000` panicked ("NaiveDate + TimeDelta overflowed",
/// exit 101): the days were added before the agenda was held to the calendar's
/// end. Any count of days lists up to the year 9999.
#[test]
fn an_agenda_of_any_length_ends_with_the_calendar() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-01T08:00:00Z");
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Soon",
        "--start",
        "2026-12-02 10:00",
    ]);
    for days in ["100000000", "4294967295"] {
        let out = pim.ok(&["agenda", "--days", days]);
        assert!(out.contains("Soon"), "{days}: {out}");
        pim.json(&["agenda", "--days", days, "--json"]);
    }
}

/// `pim export notes -o DIR/` named each file after its note's UID: notes whose
/// UIDs differ in case only (`Shop`, `shop`) went to one file on a
/// case-insensitive disk (macOS, Windows), the second over the first. A name
/// already given in the folder, whatever its case, gets a number.
#[test]
fn a_markdown_export_gives_notes_differing_in_case_their_own_files() {
    let pim = Pim::new();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VJOURNAL\r\nUID:Shop\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Upper\r\nEND:VJOURNAL\r\n\
        BEGIN:VJOURNAL\r\nUID:shop\r\nDTSTAMP:20260101T000000Z\r\nSUMMARY:Lower\r\nEND:VJOURNAL\r\n\
        END:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let dir = pim.path("md");
    pim.ok(&["export", "notes", "-o", &format!("{}/", dir.display())]);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_lowercase())
        .collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 2, "{names:?}");
}

/// `pim export events -o ""` (an unset shell variable) failed with "cannot write :
/// No such file or directory", naming nothing. An empty path is refused as such.
#[test]
fn an_empty_output_path_is_refused_as_such() {
    let pim = Pim::new();
    pim.ok(&["add", "note", "--title", "n"]);
    pim.fails_with(&["export", "notes", "-o", ""], "--output");
}

/// A vCard 2.1 quoted-printable value whose last line ends in a soft break `=`
/// right before END:VCARD (phones' exporters write so when the value ends at the
/// wrap): END:VCARD was joined to the value, the card never closed, and the import
/// stopped ("BEGIN:VCARD on line 7 before END:VCARD"). END:VCARD ends the card.
#[test]
fn a_quoted_printable_soft_break_before_end_vcard_ends_the_value() {
    let pim = Pim::new();
    let vcf = "BEGIN:VCARD\r\nVERSION:2.1\r\nN:Doe;Jane\r\nFN:Jane Doe\r\n\
        NOTE;ENCODING=QUOTED-PRINTABLE:caf=C3=A9=\r\nEND:VCARD\r\n\
        BEGIN:VCARD\r\nVERSION:2.1\r\nN:Roe;Rick\r\nFN:Rick Roe\r\n\
        NOTE;ENCODING=QUOTED-PRINTABLE:a=\r\n=\r\nend:vcard\r\n";
    for args in [
        &["import", "-"][..],
        &["import", "--format", "vcf", "-"][..],
    ] {
        pim.ok_stdin(args, vcf.as_bytes());
    }
    let path = pim.path("qp.vcf");
    std::fs::write(&path, vcf).unwrap();
    pim.ok(&["import", path.to_str().unwrap()]);
    let contacts = pim.json_list(&["list", "contacts", "--json"]);
    let notes: Vec<&str> = contacts
        .iter()
        .map(|c| c["note"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["caf\u{e9}", "a"], "{contacts:?}");
}

/// A file whose own VTIMEZONE begins in the year 0 (as pim's generated zones did
/// before this session, or a hostile file) is kept as it came, but an export wrote
/// that year out again, and python icalendar (and so khal) refused the whole
/// calendar. The observance is written from the first second of the year 1 (no
/// offset changes: nothing happens before it).
#[test]
fn a_stored_zone_from_the_year_0_is_exported_from_the_year_1() {
    let pim = Pim::new();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\n\
        BEGIN:VTIMEZONE\r\nTZID:Old/Zone\r\n\
        BEGIN:STANDARD\r\nDTSTART:00001231T190358\r\nRDATE:00001231T190358\r\n\
        TZOFFSETFROM:-045602\r\nTZOFFSETTO:-0500\r\nTZNAME:EST\r\nEND:STANDARD\r\n\
        BEGIN:DAYLIGHT\r\nDTSTART:00000401T020000\r\n\
        RRULE:FREQ=YEARLY;UNTIL=00001001T000000Z\r\nTZOFFSETFROM:-0500\r\n\
        TZOFFSETTO:-0400\r\nTZNAME:EDT\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n\
        BEGIN:VEVENT\r\nUID:old-zone\r\nDTSTAMP:20260101T000000Z\r\n\
        DTSTART;TZID=Old/Zone:20261201T100000\r\nSUMMARY:Zoned\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let out = pim.ok(&["export", "events"]);
    // No date of the year 0 anywhere: an onset, an extra onset, a rule's end.
    for year_0 in [":0000", ",0000", "=0000"] {
        assert!(!out.contains(year_0), "{year_0}: {out}");
    }
    assert!(out.contains("DTSTART:00010101T000000\r\n"), "{out}");
    // The observance in force when the year 1 began is the one kept.
    assert!(
        out.contains("TZOFFSETTO:-0500") && !out.contains("TZNAME:EDT"),
        "{out}"
    );
    // The event keeps its time.
    let fresh = Pim::new();
    fresh.ok_stdin(&["import", "-"], out.as_bytes());
    let listed = fresh.json_list(&["list", "events", "--json"]);
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(
        listed[0]["start"],
        pim.json_list(&["list", "events", "--json"])[0]["start"]
    );
}
