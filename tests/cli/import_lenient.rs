//! Issue 15: malformed-but-common calendars are read with a repair noted per item,
//! `--strict` refuses them, and an import accounts for every component.

use std::path::PathBuf;

use crate::support::pim::Pim;

fn corpus(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus/ics")
        .join(name)
        .to_string_lossy()
        .into_owned()
}

fn import_json(pim: &Pim, file: &str) -> serde_json::Value {
    pim.json(&["import", &corpus(file), "--json"])
}

#[test]
fn repairs_are_counted_and_explained_and_strict_refuses() {
    let cases: &[(&str, &str)] = &[
        (
            "pim--exchange2001-broken-folding.ics",
            "without the leading space",
        ),
        ("pim--google-birthday-rdate-z.ics", "RDATE date with a 'Z'"),
        (
            "pim--empty-rrule-count-minus-one.ics",
            "empty RRULE dropped",
        ),
        ("pim--malformed-lines.ics", "kept as X-PIM-UNPARSED"),
        ("pim--rscale-chinese.ics", "RSCALE=CHINESE"),
    ];
    for (file, reason) in cases {
        let pim = Pim::new();
        let out = pim.run(&["import", &corpus(file)]);
        assert!(out.status.success(), "{file}: {out:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("pim: repaired "), "{file}: {stderr}");
        assert!(stderr.contains(reason), "{file}: {stderr}");
        assert!(
            stderr.contains(" repaired, 0 skipped, 0 errors"),
            "{file}: {stderr}"
        );
        let strict = Pim::new();
        let out = strict.run(&["import", &corpus(file), "--strict"]);
        assert!(!out.status.success(), "{file}: --strict accepted it");
        let again = Pim::new();
        let v = import_json(&again, file);
        assert!(v["repaired"].as_u64().unwrap() >= 1, "{file}: {v}");
        let reasons = v["repaired_items"].to_string();
        assert!(reasons.contains(reason), "{file}: {reasons}");
    }
}

#[test]
fn broken_folding_keeps_the_attendee_and_unreadable_lines_are_exported() {
    let pim = Pim::new();
    pim.ok(&["import", &corpus("pim--exchange2001-broken-folding.ics")]);
    pim.ok(&["import", &corpus("pim--malformed-lines.ics")]);
    let out = pim.ok(&["export", "events"]).replace("\r\n ", "");
    assert!(
        out.contains("mailto:MHMN002@bitgroup.com") || out.contains("MAILTO:MHMN002@bitgroup.com"),
        "{out}"
    );
    assert!(out.contains("CN=MHMN002"), "{out}");
    for kept in ["X-APPLE-RADIUS=49.9", "SUMMARY=Other", "X-BAD/SLASH:value"] {
        assert!(out.contains(kept), "{kept} lost: {out}");
    }
    assert!(out.contains("SUMMARY:Pick-up"));
}

#[test]
fn the_newest_version_wins_and_every_component_is_accounted_for() {
    let pim = Pim::new();
    let v = import_json(&pim, "pim--same-uid-sequence.ics");
    assert_eq!(v["created"], 1, "{v}");
    // The older master and the identical second override.
    assert_eq!(v["superseded"], 2, "{v}");
    assert_eq!(v["skipped"], 0, "{v}");
    let list = pim.ok(&[
        "list",
        "events",
        "--from",
        "2024-01-01",
        "--to",
        "2024-02-01",
    ]);
    assert_eq!(list.matches("Sync (late)").count(), 1, "{list}");
    assert_eq!(list.matches("moved to 14:00").count(), 3, "{list}");
    assert!(
        !list.contains("Sync\n") && !list.contains("10:00"),
        "{list}"
    );
    let strict = Pim::new();
    let out = strict.run(&["import", &corpus("pim--same-uid-sequence.ics"), "--strict"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("second component"));
}

#[test]
fn vtimezone_with_a_date_start_gives_one_answer_on_both_list_paths() {
    let pim = Pim::new().tz("UTC");
    pim.ok(&["import", &corpus("pim--vtimezone-date-dtstart.ics")]);
    let all = pim.ok(&["list", "events"]);
    let window = pim.ok(&[
        "list",
        "events",
        "--from",
        "2024-03-01",
        "--to",
        "2024-03-10",
    ]);
    // The zone's own offset, not the viewer's zone, on both paths.
    assert!(all.contains("2024-03-04T23:00:00+11:00"), "{all}");
    assert!(window.contains("2024-03-04T23:00:00+11:00"), "{window}");
}
