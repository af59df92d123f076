//! Exports stay byte for byte what they were when the writers were rewritten for
//! speed (issue 19): every corpus file (and a few records made to stress folding and
//! quoting) is read, then written as iCalendar, vCard 4.0 and 3.0 and pim's JSON;
//! the size and hash of each output are compared with `export_golden.txt`, which the
//! writers before that change produced (at da0a994). `PIM_UPDATE_GOLDEN=1` rewrites it.

use std::fmt::Write as _;
use std::path::PathBuf;

use pim::formats::ics::{read_ics, write_ics};
use pim::formats::json::write_json;
use pim::formats::vcard::strict::write_vcf_checked;
use pim::formats::vcard::{VcardVersion, read_vcf, write_vcf};
use pim::model::{Component, Kind, Property, Record};

fn files(dir: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus dir exists")
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&p).unwrap())
        })
        .collect()
}

/// FNV-1a, 64 bits: stable, and enough to tell two outputs apart.
fn hash(text: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}

/// Ids fixed (reading gives random ones), so the JSON is the same every run.
fn numbered(name: &str, mut records: Vec<Record>) -> Vec<Record> {
    for (i, r) in records.iter_mut().enumerate() {
        r.id = format!("{name}-{i}");
        r.collection = "c".into();
    }
    records
}

/// Records that make the writers fold inside multi-byte characters, quote and
/// rewrite parameter values, and write groups and bare parameters.
fn stress() -> Vec<Record> {
    let mut out = Vec::new();
    for (i, kind) in [Kind::Event, Kind::Task, Kind::Note]
        .into_iter()
        .enumerate()
    {
        let mut r = Record::new(kind, "c");
        r.id = format!("stress-{i}");
        r.body.main.props.retain(|p| p.name != "UID");
        r.body
            .main
            .props
            .push(Property::new("UID", format!("stress-{i}")));
        for shift in 0..8 {
            let pad = "x".repeat(60 + shift);
            r.body.main.props.push(Property::text(
                "DESCRIPTION",
                &format!(
                    "{pad}ÄÖÜ€😀 and on, long; past the edge\n{}",
                    "é".repeat(90)
                ),
            ));
        }
        r.body.main.props.push(
            Property::new("ATTENDEE", "mailto:a@example.org")
                .with_param("CN", "Doe, \"Jo\": the; one ")
                .with_param("X-EMPTY", ""),
        );
        r.body.main.props.push(Property {
            group: Some("item1".into()),
            ..Property::new("X-GROUPED", "v")
        });
        let mut bare = Property::new("X-BARE", "v").with_param("CN", "Society\\");
        bare.params.push(pim::model::Param {
            name: String::new(),
            values: vec!["2014".into()],
        });
        r.body.main.props.push(bare);
        r.body
            .main
            .props
            .push(Property::new("DTSTART", "20260301T100000").with_param("TZID", "Europe/Berlin"));
        let mut alarm = Component::new("VALARM");
        alarm.props.push(Property::new("ACTION", "DISPLAY"));
        alarm.props.push(Property::new("TRIGGER", "-PT15M"));
        r.body.main.subs.push(alarm);
        out.push(r);
    }
    let mut c = Record::new(Kind::Contact, "c");
    c.id = "stress-contact".into();
    c.set_props("UID", vec![Property::new("UID", "stress-contact")]);
    c.set_text("FN", &format!("{}Ünïcödé Näme 😀", "n".repeat(70)));
    c.body
        .main
        .props
        .push(Property::new("TEL", "+49 30 1234").with_param("TYPE", "home,voice"));
    c.body.main.props.push(Property::new("BDAY", "1985-04-12"));
    out.push(c);
    out
}

fn outputs() -> String {
    let tz: pim::model::zonedb::Tz = "Europe/Berlin".parse().unwrap();
    let mut lines = String::new();
    let mut line = |name: &str, what: &str, text: &str| {
        writeln!(lines, "{name} {what} {} {}", text.len(), hash(text)).unwrap();
    };
    for (name, bytes) in files("tests/corpus/ics") {
        let text = pim::formats::vcard::bytes_to_text(&bytes);
        let records: Vec<Record> = read_ics(&text)
            .into_iter()
            .filter_map(Result::ok)
            .map(|i| i.record)
            .collect();
        let records = numbered(&name, records);
        let refs: Vec<&Record> = records.iter().collect();
        line(&name, "ics", &write_ics(&refs));
        let named: Vec<(&Record, &str)> = records.iter().map(|r| (r, "Home")).collect();
        line(&name, "json", &write_json(&named, tz));
    }
    for (name, bytes) in files("tests/corpus/vcf") {
        let records: Vec<Record> = read_vcf(&bytes)
            .into_iter()
            .filter_map(Result::ok)
            .map(|i| i.record)
            .collect();
        let records = numbered(&name, records);
        let refs: Vec<&Record> = records.iter().collect();
        line(&name, "vcf4", &write_vcf(&refs, VcardVersion::V4));
        line(&name, "vcf3", &write_vcf(&refs, VcardVersion::V3));
        let checked = write_vcf_checked(&refs, VcardVersion::V4)
            .map(|t| hash(&t))
            .unwrap_or_else(|e| format!("error: {e}"));
        line(&name, "vcf4-checked", &checked);
        let named: Vec<(&Record, &str)> = records.iter().map(|r| (r, "Home")).collect();
        line(&name, "json", &write_json(&named, tz));
    }
    let stress = stress();
    let (contacts, others): (Vec<&Record>, Vec<&Record>) =
        stress.iter().partition(|r| r.kind == Kind::Contact);
    line("stress", "ics", &write_ics(&others));
    line("stress", "vcf4", &write_vcf(&contacts, VcardVersion::V4));
    line("stress", "vcf3", &write_vcf(&contacts, VcardVersion::V3));
    let named: Vec<(&Record, &str)> = stress.iter().map(|r| (r, "Home")).collect();
    line("stress", "json", &write_json(&named, tz));
    lines
}

#[test]
fn exports_are_byte_identical_to_the_writers_before() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/formats/export_golden.txt");
    let now = outputs();
    if std::env::var_os("PIM_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &now).unwrap();
        return;
    }
    let golden = std::fs::read_to_string(&path).expect("export_golden.txt exists");
    assert!(golden.lines().count() > 100, "golden file incomplete");
    for (was, is) in golden.lines().zip(now.lines()) {
        assert_eq!(is, was, "export changed");
    }
    assert_eq!(now.lines().count(), golden.lines().count());
}

/// What an export writes from a stored body (borrowed, not decoded) is what
/// `write_ics` writes from the record.
#[test]
fn ics_from_stored_bodies_equals_ics_from_records() {
    use pim::formats::ics::IcsWriter;
    use pim::model::borrowed::BodyRef;
    let mut records: Vec<Record> = stress()
        .into_iter()
        .filter(|r| r.kind != Kind::Contact)
        .collect();
    records.extend(corpus_ics_records());
    let stored: Vec<String> = records
        .iter()
        .map(|r| serde_json::to_string(&r.body).unwrap())
        .collect();
    let mut w = IcsWriter::default();
    for s in &stored {
        w.push_body(&BodyRef::parse(s).unwrap());
    }
    let refs: Vec<&Record> = records.iter().collect();
    assert_eq!(w.finish(), write_ics(&refs));
}

/// The `--json` view an export writes from a stored body read in place is the view
/// `--json` listings serialize from the decoded record, for every corpus record.
#[test]
fn json_views_from_stored_bodies_equal_the_record_views() {
    use pim::formats::view::record_json;
    use pim::formats::view_contact::ContactJson;
    use pim::formats::view_event::EventView;
    use pim::formats::view_ref::write_view;
    use pim::model::borrowed::BodyRef;
    let mut records: Vec<Record> = stress();
    records.extend(corpus_ics_records());
    for (_, bytes) in files("tests/corpus/vcf") {
        records.extend(
            read_vcf(&bytes)
                .into_iter()
                .filter_map(Result::ok)
                .map(|i| i.record),
        );
    }
    assert!(records.len() > 100, "{} records", records.len());
    for local in ["Europe/Berlin", "America/New_York"] {
        let local: pim::model::zonedb::Tz = local.parse().unwrap();
        for r in &records {
            let stored = serde_json::to_string(&r.body).unwrap();
            let body = BodyRef::parse(&stored).unwrap();
            let mut written = String::new();
            write_view(&mut written, &r.id, r.kind, &body, "Home \"1\"", local);
            let want = serde_json::to_string(&record_json(r, "Home \"1\"", local)).unwrap();
            assert_eq!(written, want, "{r:#?}");
            let typed = match r.kind {
                Kind::Event => Some(serde_json::to_string(
                    &EventView::for_record(r, "Home \"1\"").record(local),
                )),
                Kind::Contact => Some(serde_json::to_string(&ContactJson::new(r, "Home \"1\""))),
                _ => None,
            };
            if let Some(typed) = typed {
                assert_eq!(written, typed.unwrap(), "{r:#?}");
            }
        }
    }
}

/// Every record of the iCalendar corpus files.
fn corpus_ics_records() -> Vec<Record> {
    let mut records = Vec::new();
    for (_, bytes) in files("tests/corpus/ics") {
        let text = pim::formats::vcard::bytes_to_text(&bytes);
        records.extend(
            read_ics(&text)
                .into_iter()
                .filter_map(Result::ok)
                .map(|i| i.record),
        );
    }
    records
}
