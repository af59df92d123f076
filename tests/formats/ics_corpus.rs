//! Every real-world iCalendar file of tests/corpus/ics reads without panicking,
//! reports broken items clearly, and survives read → write → read unchanged.

use std::path::PathBuf;

use pim::formats::ics::{read_ics, write_ics};

fn corpus() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/ics");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/corpus/ics exists")
        .map(|e| e.expect("dir entry").path())
        .collect();
    files.sort();
    assert!(
        files.len() >= 30,
        "corpus incomplete: {} files",
        files.len()
    );
    files
}

/// Text as an importer would see it: UTF-16 by BOM, else UTF-8, else Latin-1.
fn decode(bytes: &[u8]) -> String {
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        let units: Vec<u16> = rest
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        return String::from_utf16_lossy(&units);
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Files with deliberately broken items, and the errors they must produce.
const BROKEN: &[(&str, &[&str])] = &[(
    "kolab--recurrence-id.ics",
    &[
        "item 1 (line 21): VEVENT \"7e93e8e8eef16f28aa33b78cd73613ebff\": DTSTART: \
       invalid date/time \"20140230T150000\": expected YYYYMMDDTHHMMSS[Z]",
    ],
)];

#[test]
fn every_file_reads_and_round_trips() {
    let mut total = 0;
    for path in corpus() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = decode(&std::fs::read(&path).unwrap());
        let items = read_ics(&text);
        let good: Vec<_> = items.iter().filter_map(|r| r.as_ref().ok()).collect();
        for e in items.iter().filter_map(|r| r.as_ref().err()) {
            // A broken item must say where: a line inside the file and a reason.
            assert!(e.line >= 1, "{name}: error without line: {e}");
            assert!(!e.reason.is_empty(), "{name}: error without reason");
            eprintln!("{name}: {e}");
        }
        let errors: Vec<String> = items
            .iter()
            .filter_map(|r| r.as_ref().err())
            .map(|e| e.to_string())
            .collect();
        match BROKEN.iter().find(|(f, _)| *f == name) {
            Some((_, expected)) => assert_eq!(&errors, expected, "{name}"),
            None => assert!(errors.is_empty(), "{name}: unexpected errors {errors:?}"),
        }
        assert!(
            !good.is_empty() || !errors.is_empty(),
            "{name}: nothing read"
        );
        total += good.len();

        let records: Vec<_> = good.iter().map(|i| &i.record).collect();
        let out = write_ics(&records);
        let back = read_ics(&out);
        assert_eq!(
            back.len(),
            good.len(),
            "{name}: item count after round trip"
        );
        for (a, b) in good.iter().zip(&back) {
            let b = b
                .as_ref()
                .unwrap_or_else(|e| panic!("{name}: re-read failed: {e}"));
            assert_eq!(a.record.kind, b.record.kind, "{name}");
            // Export adds a VTIMEZONE for each known zone the item used without one.
            let mut b_body = b.record.body.clone();
            let own = |z: &pim::model::Component| {
                a.record
                    .body
                    .timezones
                    .iter()
                    .any(|o| o.prop("TZID") == z.prop("TZID"))
            };
            b_body.timezones.retain(own);
            if REPAIRED_ON_EXPORT.contains(&name.as_str()) {
                // The export writes the repaired form; that form is stable.
                let again = read_ics(&write_ics(&[&b.record]));
                let again = again.into_iter().next().unwrap().unwrap();
                assert_eq!(again.record.body.main, b.record.body.main, "{name}");
                continue;
            }
            assert_eq!(a.record.body, b_body, "{name}: body changed");
        }
        // Every VTIMEZONE of the input that an item uses is still present.
        for tz_line in text.lines().filter(|l| l.starts_with("TZID:")) {
            let tzid = tz_line.trim_end_matches('\r');
            let used = good.iter().any(|i| {
                i.record.body.timezones.iter().any(|z| {
                    z.prop("TZID")
                        .is_some_and(|p| format!("TZID:{}", p.value) == tzid)
                })
            });
            let referenced = text.contains(&format!("TZID={}", &tzid[5..]))
                || text.contains(&format!("TZID=\"{}\"", &tzid[5..]));
            if referenced && errors.is_empty() {
                assert!(used, "{name}: {tzid} lost");
                assert!(out.contains(tzid), "{name}: {tzid} not written");
            }
        }
    }
    assert!(total > 50, "only {total} items read from the corpus");
}

/// Lines pim repairs or supersedes on purpose (issue 15), per file; `None` for every
/// line of the file (an older version of an item, superseded by the newest).
/// Files whose export repairs what they hold: a parameter without `=` (`CN=Society\; 2014`)
/// is written back onto the value it was cut from.
const REPAIRED_ON_EXPORT: &[&str] = &["pim--parameter-without-equals.ics"];

const CHANGED_ON_PURPOSE: &[(&str, Option<&[&str]>)] = &[
    (
        "pim--parameter-without-equals.ics",
        Some(&["ORGANIZER;CN=Society\\;TYPE=2014:mailto:a@b.c"]),
    ),
    (
        "pim--empty-rrule-count-minus-one.ics",
        Some(&["RRULE:", "RRULE:FREQ=WEEKLY;COUNT=-1;INTERVAL=1"]),
    ),
    (
        "pim--google-birthday-rdate-z.ics",
        Some(&["RDATE:20131210Z"]),
    ),
    ("pim--same-uid-sequence.ics", None),
];

#[test]
fn no_property_or_parameter_is_lost() {
    // Semantic check against the raw input: every content line of every item
    // component (unfolded, parameters as parsed) appears in the export.
    use pim::formats::contentline::{format_property, parse_line, unfold};
    for path in corpus() {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let text = decode(&std::fs::read(&path).unwrap());
        let items = read_ics(&text);
        if items.iter().any(|r| r.is_err()) {
            continue; // broken files: covered by the per-item error check
        }
        let records: Vec<_> = items.iter().map(|r| &r.as_ref().unwrap().record).collect();
        let out = write_ics(&records);
        let written: std::collections::HashSet<String> = unfold(&out)
            .iter()
            .filter_map(|l| parse_line(l).ok())
            .map(|p| format_property(&p))
            .collect();
        let mut depth_names: Vec<String> = Vec::new();
        for line in unfold(&text) {
            let Ok(p) = parse_line(&line) else { continue };
            match p.name.as_str() {
                "BEGIN" => depth_names.push(p.value.to_ascii_uppercase()),
                "END" => {
                    depth_names.pop();
                }
                _ => {
                    let in_item = depth_names.len() >= 2;
                    let in_unused_tz = depth_names.get(1).is_some_and(|n| n == "VTIMEZONE");
                    let f = format_property(&p);
                    let on_purpose = CHANGED_ON_PURPOSE.iter().any(|(file, lines)| {
                        *file == name && lines.is_none_or(|l| l.contains(&f.as_str()))
                    });
                    if in_item && !in_unused_tz && !on_purpose {
                        assert!(written.contains(&f), "{name}: line lost: {f}");
                    }
                }
            }
        }
    }
}
