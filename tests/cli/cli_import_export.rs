//! `pim import` and `pim export` through the real binary, each test in its own home.

use std::path::Path;

use crate::support::corpus::corpus;
use crate::support::pim::Pim;
use pim::formats::vcard::{VcardVersion, read_vcf, semantic};
use serde_json::Value;

/// Profiles here run in Berlin time (the corpus's floating times are local).
fn berlin() -> Pim {
    Pim::new().tz("Europe/Berlin")
}

impl Pim {
    fn count(&self, kind: &str) -> usize {
        self.json_list(&["list", kind, "--json"]).len()
    }

    fn changes(&self) -> usize {
        self.json_list(&["log", "--json"]).len()
    }

    /// Import and return the --json summary.
    fn import(&self, args: &[&str]) -> Value {
        let mut all = vec!["import"];
        all.extend_from_slice(args);
        all.push("--json");
        self.json(&all)
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

fn summary(v: &Value) -> [u64; 5] {
    ["created", "updated", "unchanged", "skipped", "errors"].map(|k| v[k].as_u64().unwrap())
}

#[test]
fn vcard_files_round_trip_through_export_in_both_versions() {
    let pim = berlin();
    let file = corpus("vcf/ezvcard--outlook-2007.vcf");
    assert_eq!(summary(&pim.import(&[s(&file)])), [1, 0, 0, 0, 0]);
    let original = read_vcf(&std::fs::read(&file).unwrap())
        .remove(0)
        .unwrap()
        .record;
    for (flag, version) in [("4.0", VcardVersion::V4), ("3.0", VcardVersion::V3)] {
        let out = pim.ok(&[
            "export",
            "contacts",
            "--format",
            "vcf",
            "--vcard-version",
            flag,
        ]);
        assert!(out.contains(&format!("VERSION:{flag}")));
        let back = read_vcf(out.as_bytes()).remove(0).unwrap().record;
        let lost = semantic::missing(&original.body.main, &back.body.main, version);
        assert!(lost.is_empty(), "{flag}: lost {lost:?}");
        // Importing the export changes nothing.
        let again = pim.run_stdin(&["import", "-", "--json"], out.as_bytes());
        assert!(again.status.success());
        let v: Value = serde_json::from_slice(&again.stdout).unwrap();
        assert_eq!(v["created"], 0, "{flag}: {v}");
        assert_eq!(pim.count("contacts"), 1);
    }
    assert!(
        pim.fails(&["export", "contacts", "--vcard-version", "2.1"])
            .contains("3.0 or 4.0")
    );
}

#[test]
fn reimport_updates_in_place_as_one_logged_change() {
    let pim = berlin();
    let card = "BEGIN:VCARD\nVERSION:3.0\nUID:ada-1\nFN:Ada\nEMAIL:ada@example.org\nEND:VCARD\n";
    let o = pim.run_stdin(&["import", "-", "--json"], card.as_bytes());
    assert!(o.status.success());
    let id = pim.json(&["list", "contacts", "--json"])[0]["id"].clone();
    let before = pim.changes();
    // Same content again: nothing written.
    let o = pim.run_stdin(&["import", "-", "--json"], card.as_bytes());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary(&v), [0, 0, 1, 0, 0]);
    assert_eq!(pim.changes(), before);
    // Changed name: the same record, one update change.
    let changed = card.replace("FN:Ada", "FN:Ada Lovelace");
    let o = pim.run_stdin(&["import", "-", "--json"], changed.as_bytes());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary(&v), [0, 1, 0, 0, 0]);
    let list = pim.json(&["list", "contacts", "--json"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["full_name"], "Ada Lovelace");
    assert_eq!(pim.changes(), before + 1);
    let log = pim.json(&["log", "--json"]);
    let last = log.as_array().unwrap().last().unwrap().to_string();
    assert!(last.contains("Ada Lovelace"), "{last}");
}

#[test]
fn cards_without_uid_are_not_duplicated_on_reimport() {
    let pim = berlin();
    let file = corpus("vcf/kcontacts--vcard9.vcf");
    let file2 = corpus("vcf/icaljs--vcard3.vcf");
    pim.import(&[s(&file2)]);
    assert_eq!(summary(&pim.import(&[s(&file2)])), [0, 0, 1, 0, 0]);
    pim.import(&[s(&file)]);
    assert_eq!(pim.count("contacts"), 2);
}

const TWO_GOOD_ONE_BAD: &str = "BEGIN:VCARD\nVERSION:4.0\nUID:a\nFN:A\nEND:VCARD\n\
    BEGIN:VCARD\nVERSION:4.0\nUID:b\nFN B without colon\nEND:VCARD\n\
    BEGIN:VCARD\nVERSION:4.0\nUID:c\nFN:C\nEND:VCARD\n";

#[test]
fn one_bad_item_aborts_with_nothing_written() {
    let pim = berlin();
    let file = pim.path("mixed.vcf");
    std::fs::write(&file, TWO_GOOD_ONE_BAD).unwrap();
    let before = pim.changes();
    let o = pim.run(&["import", s(&file), "--collection", "New"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("mixed.vcf: item 2 (line 9)"), "{err}");
    assert!(err.contains("nothing written"), "{err}");
    assert_eq!(pim.count("contacts"), 0);
    assert_eq!(pim.changes(), before, "not even the collection");
    let cols = pim.json(&["collections", "list", "--json"]);
    assert!(!cols.to_string().contains("\"New\""));
}

#[test]
fn skip_invalid_imports_the_rest_and_lists_what_was_skipped() {
    let pim = berlin();
    let o = pim.run_stdin(
        &["import", "-", "--skip-invalid", "--json"],
        TWO_GOOD_ONE_BAD.as_bytes(),
    );
    assert!(o.status.success());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary(&v), [2, 0, 0, 1, 0]);
    assert_eq!(v["invalid_items"][0]["index"], 2);
    assert_eq!(v["invalid_items"][0]["line"], 9);
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("skipped <stdin>: item 2 (line 9)"), "{err}");
    assert!(
        err.contains("2 created, 0 updated, 0 unchanged, 1 skipped, 0 errors"),
        "{err}"
    );
    assert_eq!(pim.count("contacts"), 2);
}

#[test]
fn bad_files_are_one_clear_error_and_exit_2() {
    let pim = berlin();
    assert!(
        pim.fails(&["import", "/nonexistent/x.ics"])
            .contains("/nonexistent/x.ics")
    );
    let junk = pim.path("junk.bin");
    std::fs::write(&junk, b"\x00\x01\x02hello").unwrap();
    assert!(
        pim.fails(&["import", s(&junk)])
            .contains("cannot tell the format")
    );
    let empty = pim.path("empty.vcf");
    std::fs::write(&empty, "").unwrap();
    assert!(
        pim.fails(&["import", s(&empty)])
            .contains("no contacts, events")
    );
    let o = pim.run_stdin(&["import", "-", "--format", "json"], b"{not json");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("<stdin>: item 1 (line 1): not valid JSON")
    );
    assert!(
        pim.fails(&["export", "events", "--format", "vcf"])
            .contains("contacts only")
    );
    assert!(
        pim.fails(&["export", "all", "--format", "vdir"])
            .contains("-o DIR")
    );
    assert!(
        pim.fails(&["export", "contacts", "--collection", "Nope"])
            .contains("Nope")
    );
    assert!(
        pim.fails(&["import", "x", "--format", "docx"])
            .contains("docx")
    );
}

#[test]
fn ics_with_events_and_todos_fills_a_calendar_and_a_task_list() {
    let pim = berlin();
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:e1\r\nDTSTAMP:20240101T000000Z\r\n\
        DTSTART:20240105T100000Z\r\nSUMMARY:Tea\r\nEND:VEVENT\r\nBEGIN:VTODO\r\nUID:t1\r\nDTSTAMP:20240101T000000Z\r\n\
        SUMMARY:Shop\r\nEND:VTODO\r\nEND:VCALENDAR\r\n";
    let o = pim.run_stdin(
        &["import", "-", "--collection", "Work", "--json"],
        ics.as_bytes(),
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cols = pim.json(&["collections", "list", "--json"]);
    let work: Vec<&Value> = cols
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["name"] == "Work")
        .collect();
    let mut kinds: Vec<&str> = work.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    kinds.sort();
    assert_eq!(kinds, ["event", "task"]);
    assert_eq!(
        pim.json(&[
            "list",
            "events",
            "--json",
            "--from",
            "2024-01-01",
            "--to",
            "2024-02-01"
        ])[0]["collection"],
        "Work"
    );
    assert_eq!(
        pim.json(&["list", "tasks", "--json"])[0]["collection"],
        "Work"
    );
    let out = pim.ok(&["export", "events", "--collection", "Work"]);
    assert!(out.contains("SUMMARY:Tea") && !out.contains("Shop"));
}

#[test]
fn json_export_restores_records_exactly() {
    let a = berlin();
    a.import(&[s(&corpus("vcf/calcard--rfc.vcf"))]);
    a.import(&[s(&corpus("ics/kcalendarcore--test_relations.ics"))]);
    a.ok(&["add", "note", "--title", "Idea", "--body", "a, b; c\nline"]);
    let first = a.ok(&["export", "all", "--format", "json"]);
    let file = a.path("all.json");
    a.ok(&["export", "all", "--format", "json", "-o", s(&file)]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), first);
    let b = berlin();
    let v = b.import(&[s(&file)]);
    assert_eq!(v["errors"], 0);
    assert_eq!(b.ok(&["export", "all", "--format", "json"]), first);
    // And again: all unchanged.
    let v = b.import(&[s(&file)]);
    assert_eq!(v["created"], 0);
    assert_eq!(v["updated"], 0);
}

#[test]
fn vdir_export_and_import() {
    let a = berlin();
    a.import(&[s(&corpus("vcf/kcontacts--vcard10.vcf"))]);
    a.import(&[
        s(&corpus("ics/khal--cal_lots_of_timezones.ics")),
        "--collection",
        "Trips",
    ]);
    let dir = a.path("vdir");
    a.ok(&["export", "all", "--format", "vdir", "-o", s(&dir)]);
    let contacts: Vec<_> = std::fs::read_dir(dir.join("contacts")).unwrap().collect();
    assert_eq!(contacts.len(), 5);
    assert!(dir.join("Trips").is_dir());
    let b = berlin();
    let v = b.import(&[s(&dir)]);
    assert_eq!(v["errors"], 0);
    assert_eq!(b.count("contacts"), 5);
    let trips = b.json(&["collections", "list", "--json"]);
    assert!(trips.to_string().contains("\"Trips\""));
    // Same events, same content (record ids are new; order among equal titles may vary).
    let bodies = |p: &Pim| {
        let mut v: Vec<String> = p
            .json(&["export", "events", "--format", "json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|r| format!("{} {} {}", r["collection"], r["uid"], r["content"]))
            .collect();
        v.sort();
        v
    };
    assert_eq!(bodies(&a), bodies(&b));
}

#[test]
fn markdown_notes_in_and_out() {
    let pim = berlin();
    let dir = pim.path("notes");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(
        dir.join("one.md"),
        "---\ntitle: First\ncategories: [a, b]\n---\nHello\n",
    )
    .unwrap();
    std::fs::write(dir.join("two.md"), "# Second\n\nplain text\n").unwrap();
    std::fs::write(dir.join("ignored.txt"), "not a note").unwrap();
    assert_eq!(summary(&pim.import(&[s(&dir)])), [2, 0, 0, 0, 0]);
    assert_eq!(summary(&pim.import(&[s(&dir)])), [0, 0, 2, 0, 0]);
    let notes = pim.json(&["list", "notes", "--json"]);
    let titles: Vec<&str> = notes
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["First", "Second"]);
    let out_dir = pim.path("out/");
    pim.ok(&["export", "notes", "--format", "md", "-o", s(&out_dir)]);
    assert_eq!(std::fs::read_dir(&out_dir).unwrap().count(), 2);
    let stream = pim.ok(&["export", "notes"]);
    assert!(stream.starts_with("---\ntitle: First\n"), "{stream}");
    let other = berlin();
    let o = other.run_stdin(
        &["import", "-", "--format", "md", "--json"],
        stream.as_bytes(),
    );
    assert!(o.status.success());
    assert_eq!(other.ok(&["export", "notes"]), stream);
}

#[test]
fn csv_has_a_header_and_one_row_per_record() {
    let pim = berlin();
    pim.import(&[s(&corpus("vcf/kcontacts--vcard10.vcf"))]);
    pim.ok(&[
        "add",
        "event",
        "--summary",
        "Lunch, with \"Bob\"",
        "--start",
        "2024-03-01 12:00",
    ]);
    let csv = pim.ok(&["export", "all", "--format", "csv"]);
    let mut lines = csv.split("\r\n").filter(|l| !l.is_empty());
    assert!(lines.next().unwrap().starts_with("kind,id,collection,uid,"));
    assert!(csv.contains("\"Lunch, with \"\"Bob\"\"\""), "{csv}");
    let contacts = pim.ok(&["export", "contacts", "--format", "csv"]);
    assert!(contacts.starts_with("id,collection,uid,full_name,"));
}

#[test]
fn ics_stdout_export_reimports_unchanged() {
    let pim = berlin();
    let file = corpus("ics/icalevents--recurrenceid_ms.ics");
    assert_eq!(
        summary(&pim.import(&["--format", "ics", s(&file)])),
        [1, 0, 0, 0, 0]
    );
    let out = pim.ok(&["export", "events", "-o", "-"]);
    let o = pim.run_stdin(&["import", "-", "--json"], out.as_bytes());
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(summary(&v), [0, 0, 1, 0, 0]);
}

#[test]
fn a_3_0_text_birthday_exports_as_a_valid_4_0_text_value() {
    // Was a writer bug: the text was written as a 4.0 date and the strict check
    // failed the export (the check's error itself is tested in formats/vcard/strict.rs).
    let pim = berlin();
    pim.ok_stdin(
        &["import", "-", "--format", "vcf"],
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ada Lovelace\r\nBDAY:sometime in spring\r\nEND:VCARD\r\n",
    );
    let out = pim.ok(&["export", "contacts", "--vcard-version", "4.0"]);
    assert!(
        out.contains("BDAY;VALUE=text:sometime in spring\r\n"),
        "{out}"
    );
    let vdir = pim.path("vdir");
    pim.ok(&["export", "contacts", "--format", "vdir", "-o", s(&vdir)]);
    assert!(
        pim.ok(&["export", "contacts", "--vcard-version", "3.0"])
            .contains("BDAY:sometime in spring")
    );
}

/// A birthday of eight bytes with a character of several bytes where the date is
/// cut (`123é456`) made every `--json` view of the contact panic.
#[test]
fn a_birthday_cut_inside_a_character_is_shown_as_written() {
    let pim = Pim::new();
    let file = pim.home().join("odd.vcf");
    std::fs::write(
        &file,
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Odd Date\r\nN:Date;Odd;;;\r\nBDAY:123é456\r\nEND:VCARD\r\n",
    )
    .unwrap();
    pim.ok(&["import", s(&file)]);
    let list = pim.json(&["list", "contacts", "--json"]);
    assert_eq!(list[0]["birthday"], "123é456");
    let backup = pim.json(&["export", "all", "--format", "json"]);
    assert_eq!(backup[0]["birthday"], "123é456");
}

/// A card the strict 4.0 check refuses stops the export before any output, naming
/// the first such card in the order written, though the checks run on a thread of
/// their own (more cards than one batch of them).
#[test]
fn a_refused_card_stops_the_vcard_export_before_any_output() {
    let pim = Pim::new();
    let file = pim.home().join("cards.vcf");
    let mut cards = String::new();
    for i in 0..600 {
        let url = match i {
            300 => "URL:not a uri at all\r\n",
            450 => "URL:neither is this\r\n",
            _ => "",
        };
        cards.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Card {i:03}\r\n{url}END:VCARD\r\n"
        ));
    }
    std::fs::write(&file, cards).unwrap();
    pim.ok(&["import", s(&file)]);
    let o = pim.run(&["export", "contacts", "--format", "vcf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("\"Card 300\"") && err.contains("a bug in pim"),
        "{err}"
    );
    let out = pim.home().join("out.vcf");
    let o = pim.run(&["export", "contacts", "--format", "vcf", "-o", s(&out)]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // 3.0 is not checked: written.
    let o = pim.run(&["export", "contacts", "--vcard-version", "3.0"]);
    assert!(o.status.success());
    assert_eq!(
        String::from_utf8_lossy(&o.stdout)
            .matches("BEGIN:VCARD")
            .count(),
        600
    );
}
