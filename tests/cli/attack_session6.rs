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
