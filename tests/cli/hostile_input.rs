//! Hostile input (issue 14 items 1 and 2): one file, one invitation or one command
//! line must never panic, abort, or brick the profile. Each case exits 2 with a
//! one-line reason naming the file, item and line, and the profile keeps working.

use std::process::{Command, Output};

use crate::support::pim::Pim;
use pim::model::{Component, Kind, MAX_COMPONENT_DEPTH, Record};
use pim::store::invitations::Invitation;
use pim::store::{LogFilter, Store, StoreError};

fn run(pim: &Pim, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pim"))
        .arg("--home")
        .arg(pim.home())
        .args(args)
        .env("TZ", "Europe/Berlin")
        .output()
        .unwrap()
}

/// Runs a command that must be refused: exit 2 (not a panic's 101 or a signal).
/// Returns stderr.
fn refused(pim: &Pim, args: &[&str]) -> String {
    let o = run(pim, args);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "pim {args:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    if args[0] != "import" {
        // Import lists each bad item, then a summary; everything else: one line.
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    }
    err
}

fn write(pim: &Pim, name: &str, text: &str) -> String {
    let path = pim.path(name);
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

fn event(uid: &str, inner: &str) -> String {
    format!(
        "BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261101T000000Z\r\n\
         DTSTART:20261201T100000Z\r\nSUMMARY:{uid}\r\n{inner}END:VEVENT\r\n"
    )
}

fn calendar(events: &[String]) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{}END:VCALENDAR\r\n",
        events.concat()
    )
}

fn nested(levels: usize) -> String {
    "BEGIN:X\r\n".repeat(levels) + &"END:X\r\n".repeat(levels)
}

/// The profile still lists, searches, exports, logs and deletes; returns the
/// events' ids.
fn still_works(pim: &Pim) -> Vec<String> {
    let events = pim.json_list(&["list", "events", "--json"]);
    pim.json(&["search", "good", "--json"]);
    pim.ok(&["export", "events"]);
    pim.json(&["log", "--json"]);
    events
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn huge_durations_are_refused_at_import() {
    let pim = Pim::new();
    let good = write(&pim, "good.ics", &calendar(&[event("good", "")]));
    pim.ok(&["import", &good]);
    for d in [
        "P999999999W",
        "P99999999D",
        "P106751991167300DT0S",
        "PT9223372036854775807S",
    ] {
        let file = write(
            &pim,
            "bad.ics",
            &calendar(&[event("bad", &format!("DURATION:{d}\r\n"))]),
        );
        let err = refused(&pim, &["import", &file]);
        assert!(err.contains("bad.ics: item 1 (line "), "{d}: {err}");
        assert!(
            err.contains("DURATION") && err.contains("10000 years"),
            "{err}"
        );
        assert_eq!(still_works(&pim).len(), 1, "{d}");
    }
    let ids = still_works(&pim);
    pim.ok(&["delete", &ids[0]]);
}

#[test]
fn huge_durations_on_the_command_line_exit_2() {
    let pim = Pim::new();
    let add = |d| {
        [
            "add",
            "event",
            "--summary",
            "good",
            "--start",
            "2026-12-01 10:00",
            "--duration",
            d,
        ]
    };
    for d in [
        "999999999w",
        "P999999999W",
        "99999999999999999999",
        "PT9223372036854775807S",
    ] {
        let err = refused(&pim, &add(d));
        assert!(err.contains("10000 years"), "{d}: {err}");
    }
    // Inside 10000 years but past 9999-12-31.
    assert!(refused(&pim, &add("500000w")).contains("after the year 9999"));
    let far = refused(
        &pim,
        &["add", "event", "--summary", "x", "--start", "+3000000d"],
    );
    assert!(far.contains("1-9999"), "{far}");

    let id = pim.ok(&add("1h")).trim().to_string();
    for set in [
        "duration=P999999999W",
        "duration=999999999w",
        "duration=500000w",
    ] {
        refused(&pim, &["edit", &id, "--set", set]);
    }
    assert_eq!(still_works(&pim), vec![id.clone()]);
    pim.ok(&["edit", &id, "--set", "duration=2h"]);
    pim.ok(&["delete", &id]);
}

#[test]
fn deep_nesting_is_refused_with_its_line_and_never_overflows() {
    let pim = Pim::new();
    let good = write(&pim, "good.ics", &calendar(&[event("good", "")]));
    pim.ok(&["import", &good]);
    for levels in [MAX_COMPONENT_DEPTH, 64, 100_000] {
        let file = write(
            &pim,
            "deep.ics",
            &calendar(&[event("deep", &nested(levels))]),
        );
        let err = refused(&pim, &["import", &file]);
        // Line 4 is BEGIN:VEVENT; its 5 properties end on line 8.
        let line = 8 + MAX_COMPONENT_DEPTH;
        assert!(
            err.contains(&format!("deep.ics: item 1 (line {line})")),
            "{levels}: {err}"
        );
        assert!(err.contains("more than 8 levels deep"), "{err}");
        assert_eq!(still_works(&pim).len(), 1);
    }
    let deep_card = format!(
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Deep\r\n{}END:VCARD\r\n",
        nested(100_000)
    );
    let file = write(&pim, "deep.vcf", &deep_card);
    assert!(refused(&pim, &["import", &file]).contains("levels deep"));
    assert_eq!(pim.json_list(&["list", "contacts", "--json"]).len(), 0);
}

#[test]
fn the_deepest_allowed_record_reads_back_everywhere() {
    let pim = Pim::new();
    // VEVENT is level 1: seven nested levels below it make the deepest allowed record.
    let inner = nested(MAX_COMPONENT_DEPTH - 1).replacen(
        "END:X\r\n",
        "X-LEAF;X-P=a,b:deepest\r\nEND:X\r\n",
        1,
    );
    let file = write(&pim, "deepest.ics", &calendar(&[event("good", &inner)]));
    pim.ok(&["import", &file]);
    let ids = still_works(&pim);
    assert_eq!(ids.len(), 1);
    pim.ok(&["show", &ids[0]]);
    let exported = pim.ok(&["export", "events"]);
    assert_eq!(exported.matches("BEGIN:X").count(), MAX_COMPONENT_DEPTH - 1);
    assert!(exported.contains("X-LEAF;X-P=a,b:deepest"));
    pim.ok(&["delete", &ids[0]]);
    assert!(still_works(&pim).is_empty());
}

/// A component `depth` levels deep, with a parameterised property at the bottom.
fn chain(depth: usize) -> Component {
    let mut c = Component::new("X");
    c.props.push(
        pim::model::Property::new("X-LEAF", "v")
            .with_param("X-P", "a")
            .with_param("X-Q", "b"),
    );
    for _ in 1..depth {
        let mut parent = Component::new("X");
        parent.subs.push(c);
        c = parent;
    }
    c
}

#[test]
fn the_store_keeps_only_what_it_can_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("pim.sqlite3")).unwrap();
    let coll = store.default_collection(Kind::Event).unwrap().id;
    let mut deepest = Record::new(Kind::Event, &coll);
    deepest.body.main.subs.push(chain(MAX_COMPONENT_DEPTH - 1));
    assert_eq!(deepest.body.depth(), MAX_COMPONENT_DEPTH);
    store.write(|w| w.create(&deepest)).unwrap();
    assert_eq!(store.get(&deepest.id).unwrap().unwrap(), deepest);
    assert_eq!(store.list(Kind::Event, None).unwrap().len(), 1);
    let log = store.log(&LogFilter::default()).unwrap();
    assert!(log.iter().any(|c| c.record_id == deepest.id));

    let mut too_deep = Record::new(Kind::Event, &coll);
    too_deep.body.main.subs.push(chain(MAX_COMPONENT_DEPTH));
    let e = store.write(|w| w.create(&too_deep)).unwrap_err();
    assert!(
        matches!(
            e,
            StoreError::TooDeep {
                depth: 9,
                max: 8,
                ..
            }
        ),
        "{e}"
    );
    assert!(store.get(&too_deep.id).unwrap().is_none());
    // Updates are held to the same limit.
    let mut grown = deepest.clone();
    grown.body.overrides.push(chain(MAX_COMPONENT_DEPTH + 1));
    assert!(store.write(|w| w.update(&grown)).is_err());
    assert_eq!(store.get(&deepest.id).unwrap().unwrap(), deepest);
}

#[test]
fn an_invitation_with_a_huge_duration_lists() {
    let pim = Pim::new();
    pim.ok(&["list", "events"]); // creates the profile
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\n{}END:VCALENDAR\r\n",
        event(
            "inv",
            "DURATION:P999999999W\r\nORGANIZER:mailto:boss@example.org\r\n"
        )
    );
    let inv: Invitation = serde_json::from_value(serde_json::json!({
        "id": 0, "folder": "INBOX", "uidvalidity": 1, "uid": 1, "message_id": "<m@x>",
        "from": "boss@example.org", "subject": "Huge", "date": "", "calendar_part": "2",
        "content_method": "REQUEST", "ics": ics, "attachments": [],
        "error": null, "status": "new", "note": "", "event_id": null,
        "parked": null, "park_pending": false
    }))
    .unwrap();
    let store = Store::open(&pim.path("pim.sqlite3")).unwrap();
    store.insert_invitation("mail", &inv).unwrap();
    drop(store);
    for args in [&["invites", "list"][..], &["invites", "list", "--json"]] {
        let o = run(&pim, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(!String::from_utf8_lossy(&o.stdout).is_empty());
    }
    let listed = pim.json(&["invites", "list", "--json"]);
    assert_eq!(listed[0]["from"], "boss@example.org");
    let shown = run(&pim, &["invites", "show", "1"]);
    assert!(!String::from_utf8_lossy(&shown.stderr).contains("panicked"));
    assert_ne!(shown.status.code(), Some(101));
    assert!(still_works(&pim).is_empty());
}
