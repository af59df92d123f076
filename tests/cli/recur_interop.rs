//! For every corpus .ics with recurrence, pim's occurrences over a fixed window equal
//! those of Python `recurring-ical-events` (the reference most peers agree with) on the
//! original file. Needs `pip install icalendar recurring-ical-events x-wr-timezone`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::{TimeZone, Utc};
use pim::formats::ics::read_ics;
use pim::model::Kind;
use pim::recur::occurrences;

const FROM: (i32, u32, u32) = (1995, 1, 1);
const TO: (i32, u32, u32) = (2030, 1, 1);

fn decode(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => bytes.iter().map(|&b| b as char).collect(),
    }
}

/// Corpus files whose events repeat or carry overrides, then our own edge cases.
fn recurring_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = Vec::new();
    let entries = std::fs::read_dir(root.join("tests/corpus/ics"))
        .unwrap()
        .chain(std::fs::read_dir(root.join("tests/interop/cases")).unwrap());
    for e in entries {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "ics") {
            continue;
        }
        let text = decode(&std::fs::read(&path).unwrap());
        let recurring = read_ics(&text).into_iter().any(|i| match i {
            Ok(i) => {
                i.record.kind == Kind::Event
                    && (i.record.is_recurring() || !i.record.body.overrides.is_empty())
            }
            // Broken items: both sides must reject them (see REJECTED_BY_BOTH).
            Err(_) => true,
        });
        if recurring {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// Deliberate divergences: files the reference rejects for a reason unrelated to
/// recurrence. Python gets a copy with that one construct repaired; pim reads the
/// original.
const REPAIRED_FOR_PYTHON: &[(&str, &str, &str, &str)] = &[
    (
        "khal--non_dst_error.ics",
        "TRIGGER;RELATED=START:PT-2H",
        "TRIGGER;RELATED=START:-PT2H",
        "icalendar rejects the malformed VALARM duration PT-2H and with it the whole file; \
         pim keeps the alarm as written, and alarms do not change occurrences",
    ),
    (
        "pim--google-birthday-rdate-z.ics",
        "RDATE:20131210Z",
        "RDATE;VALUE=DATE:20131210",
        "icalendar rejects a date with a 'Z'; pim repairs it to the date (with a warning)",
    ),
    (
        "pim--empty-rrule-count-minus-one.ics",
        "COUNT=-1;",
        "",
        "recurring-ical-events rejects COUNT=-1; pim reads it as a rule without end",
    ),
    (
        "pim--rscale-chinese.ics",
        "RRULE:RSCALE=CHINESE;FREQ=YEARLY\r\n",
        "",
        "recurring-ical-events expands RSCALE=CHINESE on the Gregorian calendar (wrong \
         dates); pim refuses the rule and lists DTSTART alone",
    ),
];

/// Files both sides must reject, with what pim's error must mention.
const REJECTED_BY_BOTH: &[(&str, &str)] = &[(
    "kolab--recurrence-id.ics",
    // DTSTART 20140230T150000: February 30th does not exist.
    "DTSTART",
)];

/// Occurrences the reference gives and pim deliberately does not: (file, uid, key, why).
/// None today: cancelled overrides were the last one, and pim now lists them (flagged)
/// as recurring-ical-events does.
const PIM_OMITS: &[(&str, &str, &str, &str)] = &[];

/// Per file: (uid, start key) pairs from Python, or its error.
fn python(files: &[PathBuf]) -> BTreeMap<String, Result<Vec<(String, String)>, String>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/interop/occurrences.py");
    let from = format!("{:04}-{:02}-{:02}", FROM.0, FROM.1, FROM.2);
    let to = format!("{:04}-{:02}-{:02}", TO.0, TO.1, TO.2);
    let out = Command::new("python3")
        .arg(&script)
        .arg(&from)
        .arg(&to)
        .args(files)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run python3 ({e}): install Python 3 and \
                 `pip install icalendar recurring-ical-events x-wr-timezone`"
            )
        });
    assert!(
        out.status.success(),
        "Python reference failed — is it installed? Run \
         `pip install icalendar recurring-ical-events x-wr-timezone`.\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("python JSON");
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, list)| {
            if let Some(e) = list.get("error") {
                return (k.clone(), Err(e.to_string()));
            }
            let pairs = list
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p[0].as_str().unwrap().to_string(),
                        p[1].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            (k.clone(), Ok(pairs))
        })
        .collect()
}

fn ours(path: &Path) -> Result<Vec<(String, String)>, String> {
    let from = Utc
        .with_ymd_and_hms(FROM.0, FROM.1, FROM.2, 0, 0, 0)
        .unwrap();
    let to = Utc.with_ymd_and_hms(TO.0, TO.1, TO.2, 0, 0, 0).unwrap();
    let text = decode(&std::fs::read(path).unwrap());
    let mut out = Vec::new();
    for item in read_ics(&text) {
        let item = item.map_err(|e| e.to_string())?;
        let r = &item.record;
        if r.kind != Kind::Event {
            continue;
        }
        let uid = r.uid().unwrap_or_default().to_string();
        for o in occurrences(r, from, to, pim::model::zonedb::UTC).map_err(|e| e.to_string())? {
            let key = if o.all_day {
                format!("D:{}", o.start.date_naive())
            } else {
                format!(
                    "U:{}",
                    o.start.with_timezone(&Utc).format("%Y-%m-%dT%H:%M:%SZ")
                )
            };
            out.push((uid.clone(), key));
        }
    }
    out.sort();
    Ok(out)
}

/// The path Python should read: the original, or a repaired copy in `tmp`.
fn for_python(path: &Path, tmp: &Path) -> PathBuf {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    match REPAIRED_FOR_PYTHON.iter().find(|(f, ..)| *f == name) {
        Some((_, bad, good, _why)) => {
            let text = std::fs::read_to_string(path).unwrap();
            assert!(text.contains(bad), "{name}: repair target gone");
            let copy = tmp.join(&name);
            std::fs::write(&copy, text.replace(bad, good)).unwrap();
            copy
        }
        None => path.to_path_buf(),
    }
}

#[test]
fn occurrences_match_recurring_ical_events() {
    let files = recurring_files();
    assert!(
        files.len() >= 10,
        "expected the recurring corpus files, got {files:?}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let inputs: Vec<PathBuf> = files.iter().map(|f| for_python(f, tmp.path())).collect();
    let reference = python(&inputs);
    let mut failures = Vec::new();
    for (path, input) in files.iter().zip(&inputs) {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let theirs = &reference[&input.to_string_lossy().to_string()];
        let mine = ours(path);
        if let Some((_, must_mention)) = REJECTED_BY_BOTH.iter().find(|(f, _)| *f == name) {
            assert!(theirs.is_err(), "{name}: python now accepts it: {theirs:?}");
            let e = mine.expect_err("pim must reject it too");
            assert!(e.contains(must_mention), "{name}: unclear error {e}");
            continue;
        }
        let theirs = match theirs {
            Ok(t) => {
                let mut t = t.clone();
                for (file, uid, key, _why) in PIM_OMITS.iter().filter(|d| d.0 == name) {
                    let at = t.iter().position(|(u, k)| u == uid && k == key);
                    let at = at.unwrap_or_else(|| panic!("{file}: divergence {uid} {key} gone"));
                    t.remove(at);
                }
                t
            }
            Err(e) => {
                failures.push(format!("{name}: python rejected it: {e}"));
                continue;
            }
        };
        let mine = match mine {
            Ok(m) => m,
            Err(e) => {
                failures.push(format!("{name}: pim rejected it: {e}"));
                continue;
            }
        };
        if mine != theirs {
            let only_mine: Vec<_> = mine
                .iter()
                .filter(|x| !theirs.contains(x))
                .take(5)
                .collect();
            let only_theirs: Vec<_> = theirs
                .iter()
                .filter(|x| !mine.contains(x))
                .take(5)
                .collect();
            failures.push(format!(
                "{name}: pim {} vs python {}; only pim: {only_mine:?}; only python: {only_theirs:?}",
                mine.len(),
                theirs.len()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
