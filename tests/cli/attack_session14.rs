//! Attacks of session 14 on recurrence edits: each test is a bug found by playing
//! a demanding user against series with extra dates, exceptions and moves.

use crate::support::pim::Pim;

/// A weekly Thursday standup (six times from 7 January 2027, 21 January
/// excepted) with extra dates on Sunday 3 and Saturday 30 January.
const STANDUP: &str = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
    BEGIN:VEVENT\r\nUID:ser-1\r\nDTSTAMP:20261101T000000Z\r\n\
    DTSTART:20270107T100000Z\r\nDTEND:20270107T110000Z\r\n\
    RRULE:FREQ=WEEKLY;COUNT=6\r\nEXDATE:20270121T100000Z\r\n\
    RDATE:20270130T100000Z\r\nRDATE:20270103T100000Z\r\nSUMMARY:Standup\r\n\
    END:VEVENT\r\nEND:VCALENDAR\r\n";

fn standup(pim: &Pim) -> String {
    pim.ok_stdin(&["import", "-"], STANDUP.as_bytes());
    first_id(pim)
}

/// Every occurrence in January and February 2027, as `--json` lists them.
fn window(pim: &Pim) -> Vec<serde_json::Value> {
    pim.json_list(&[
        "list",
        "events",
        "--from",
        "2027-01-01",
        "--to",
        "2027-03-01",
        "--json",
    ])
}

/// The id of the first occurrence in [`window`].
fn first_id(pim: &Pim) -> String {
    window(pim)[0]["id"].as_str().unwrap().to_string()
}

/// (start, summary) of every occurrence in January and February 2027.
fn starts(pim: &Pim) -> Vec<(String, String)> {
    window(pim)
        .iter()
        .map(|o| {
            (
                o["start"].as_str().unwrap()[..16].to_string(),
                o["summary"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// "This and following" from the first occurrence, an extra date (RDATE) before
/// the series' start, renamed the series and moved its rule onto Sundays: the
/// Thursdays were gone. Every occurrence stays where it was, renamed.
#[test]
fn this_and_following_from_an_extra_date_before_the_start_keeps_the_rule() {
    let pim = Pim::new().tz("UTC");
    let id = standup(&pim);
    let before: Vec<String> = starts(&pim).into_iter().map(|(t, _)| t).collect();
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-03",
        "--this-and-following",
        "--set",
        "summary=Daily sync",
    ]);
    let after = starts(&pim);
    assert_eq!(
        after.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
        before
    );
    assert!(after.iter().all(|(_, s)| s == "Daily sync"), "{after:?}");
    // Moving them all from there cannot keep the rule's days: said, nothing changed.
    let err = pim.fails(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-03",
        "--this-and-following",
        "--set",
        "start=2027-01-03T12:00",
    ]);
    assert!(
        err.contains("2027-01-03") && err.contains("before the series"),
        "{err}"
    );
    assert_eq!(starts(&pim), after);
}

/// An occurrence moved onto another one (the 7th onto the extra date of the
/// 3rd): the extra date could no longer be named at all, even by its exact time
/// ("give the time too"). A date or time names first the occurrence that was
/// originally then; the moved one still answers to its original time.
#[test]
fn an_occurrence_another_was_moved_onto_can_still_be_named() {
    let pim = Pim::new().tz("UTC");
    let id = standup(&pim);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-07",
        "--set",
        "start=2027-01-03T10:00",
    ]);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-03T10:00",
        "--set",
        "summary=Extra",
    ]);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-07",
        "--set",
        "summary=Moved",
    ]);
    let mut jan3: Vec<String> = starts(&pim)
        .into_iter()
        .filter(|(t, _)| t.starts_with("2027-01-03"))
        .map(|(_, s)| s)
        .collect();
    jan3.sort();
    assert_eq!(jan3, ["Extra", "Moved"]);
}

/// Invited to two occurrences of someone's series only (no master, as Outlook
/// and Google send it): both were listed, but `--occurrence` answered "does not
/// repeat", so one could not be changed or deleted without the other. Each is
/// edited and deleted alone now; "this and following" says there is no series.
#[test]
fn occurrences_without_their_series_are_edited_and_deleted_one_by_one() {
    let pim = Pim::new().tz("UTC");
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\n\
        BEGIN:VEVENT\r\nUID:orph-1\r\nRECURRENCE-ID:20270107T100000Z\r\n\
        DTSTAMP:20261101T000000Z\r\nDTSTART:20270107T100000Z\r\nDTEND:20270107T110000Z\r\n\
        SUMMARY:Occ one\r\nEND:VEVENT\r\n\
        BEGIN:VEVENT\r\nUID:orph-1\r\nRECURRENCE-ID:20270114T100000Z\r\n\
        DTSTAMP:20261101T000000Z\r\nDTSTART:20270114T120000Z\r\nDTEND:20270114T130000Z\r\n\
        SUMMARY:Occ two\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let id = first_id(&pim);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-14",
        "--set",
        "summary=Two renamed",
    ]);
    pim.ok(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-07",
        "--set",
        "start=2027-01-08T09:00",
    ]);
    assert_eq!(
        starts(&pim),
        [
            ("2027-01-08T09:00".to_string(), "Occ one".to_string()),
            ("2027-01-14T12:00".to_string(), "Two renamed".to_string()),
        ]
    );
    let err = pim.fails(&[
        "edit",
        &id,
        "--occurrence",
        "2027-01-07",
        "--this-and-following",
        "--set",
        "summary=Z",
    ]);
    assert!(err.contains("without their series"), "{err}");
    pim.ok(&["delete", &id, "--occurrence", "2027-01-07"]);
    assert_eq!(
        starts(&pim),
        [("2027-01-14T12:00".to_string(), "Two renamed".to_string())]
    );
    let shown = pim.ok(&["show", &id]);
    assert!(shown.contains("orph-1"), "{shown}");
}
