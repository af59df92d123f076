//! CSV export: one row per record with the main fields of its kind (RFC 4180 quoting).
//! Several kinds in one file share a header that is the union of their columns.

use crate::model::zonedb::Tz;
use serde_json::Value;

use crate::formats::view::record_json;
use crate::model::{Kind, Record};

fn columns(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::Contact => &[
            "id",
            "collection",
            "uid",
            "full_name",
            "family_name",
            "given_name",
            "org",
            "title",
            "emails",
            "phones",
            "addresses",
            "birthday",
            "url",
            "categories",
            "note",
        ],
        Kind::Event => &[
            "id",
            "collection",
            "uid",
            "summary",
            "start",
            "end",
            "all_day",
            "tz",
            "location",
            "rrule",
            "status",
            "categories",
            "description",
        ],
        Kind::Task => &[
            "id",
            "collection",
            "uid",
            "summary",
            "due",
            "start",
            "status",
            "priority",
            "completed",
            "percent_complete",
            "categories",
            "description",
        ],
        Kind::Note => &["id", "collection", "uid", "title", "categories", "body"],
    }
}

/// Records with their collection names as CSV (CRLF line ends, header first).
pub fn write_csv(records: &[(&Record, &str)], local: Tz) -> String {
    let mut kinds: Vec<Kind> = records.iter().map(|(r, _)| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mixed = kinds.len() > 1;
    let mut header: Vec<&str> = Vec::new();
    if mixed {
        header.push("kind");
    }
    for k in &kinds {
        for c in columns(*k) {
            if !header.contains(c) {
                header.push(c);
            }
        }
    }
    let mut out = String::new();
    push_row(&mut out, header.iter().map(|s| s.to_string()));
    for (r, collection) in records {
        let v = record_json(r, collection, local);
        push_row(&mut out, header.iter().map(|c| cell(&v, c)));
    }
    out
}

fn cell(v: &Value, column: &str) -> String {
    match column {
        "family_name" => flat(&v["name"]["family"]),
        "given_name" => flat(&v["name"]["given"]),
        "addresses" => v["addresses"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|adr| {
                        [
                            "po_box",
                            "extended",
                            "street",
                            "locality",
                            "region",
                            "postal_code",
                            "country",
                        ]
                        .iter()
                        .map(|k| flat(&adr[*k]))
                        .filter(|s| !s.is_empty())
                        .collect::<Vec<_>>()
                        .join(", ")
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default(),
        c => flat(&v[c]),
    }
}

fn flat(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Array(a) => a.iter().map(flat).collect::<Vec<_>>().join("; "),
        other => other.to_string(),
    }
}

/// Whether a spreadsheet would read `cell` as a formula: a summary from a
/// stranger's invitation such as `=HYPERLINK(…)` or `@SUM(…)` must not run when the
/// export is opened (CSV injection). Such a cell is written after a `'`, which
/// spreadsheets take as "text" and do not show. Numbers and phone numbers
/// (`-5`, `+49 (30) 1234-56`) are left as they are.
fn reads_as_formula(cell: &str) -> bool {
    let mut chars = cell.chars();
    match chars.next() {
        // Fullwidth forms too: some spreadsheets read them as the ASCII ones.
        Some('=' | '@' | '\t' | '\r' | '\u{FF1D}' | '\u{FF20}') => true,
        Some('+' | '-' | '\u{FF0B}' | '\u{FF0D}') => {
            !chars.all(|c| c.is_ascii_digit() || " ()-./".contains(c))
        }
        _ => false,
    }
}

fn push_row(out: &mut String, cells: impl Iterator<Item = String>) {
    for (i, c) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        let c = match reads_as_formula(&c) {
            true => format!("'{c}"),
            false => c,
        };
        if c.contains([',', '"', '\n', '\r']) || c.starts_with(' ') || c.ends_with(' ') {
            out.push('"');
            out.push_str(&c.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(&c);
        }
    }
    out.push_str("\r\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_what_needs_quoting() {
        let mut r = Record::new(Kind::Note, "c");
        r.set_text("SUMMARY", "a, \"b\"");
        r.set_text("DESCRIPTION", "line1\nline2");
        let csv = write_csv(&[(&r, "notes")], crate::model::zonedb::UTC);
        let mut lines = csv.split("\r\n");
        assert_eq!(
            lines.next(),
            Some("id,collection,uid,title,categories,body")
        );
        let row = lines.next().unwrap();
        assert!(row.contains(",notes,"), "{row}");
        assert!(row.contains("\"a, \"\"b\"\"\""), "{row}");
        assert!(csv.contains("\"line1\nline2\""));
    }

    /// What a stranger's invitation can put in a summary does not run as a formula
    /// when the export is opened in a spreadsheet; numbers and phone numbers stay.
    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text() {
        let row = |summary: &str| {
            let mut r = Record::new(Kind::Note, "c");
            r.set_text("SUMMARY", summary);
            let csv = write_csv(&[(&r, "notes")], crate::model::zonedb::UTC);
            let line = csv.split("\r\n").nth(1).unwrap().to_string();
            // After the id, the collection and the uid: the title and the rest.
            let after = line.split_once(",notes,").unwrap().1;
            after.split_once(',').unwrap().1.to_string()
        };
        assert_eq!(
            row("=HYPERLINK(\"http://evil.example\",\"agenda\")"),
            "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"agenda\"\")\",,"
        );
        assert_eq!(row("@SUM(A1)"), "'@SUM(A1),,");
        assert_eq!(row("-2+3+cmd|' /C calc'!A0"), "'-2+3+cmd|' /C calc'!A0,,");
        assert_eq!(row("+IMPORTXML(x)"), "'+IMPORTXML(x),,");
        assert_eq!(row("\u{FF1D}1+1"), "'\u{FF1D}1+1,,");
        for kept in ["+49 (30) 1234-56", "-5", "-", "2026-03-01", "Plan = good"] {
            assert_eq!(row(kept), format!("{kept},,"));
        }
    }

    #[test]
    fn mixed_kinds_share_a_header() {
        let a = Record::new(Kind::Note, "c");
        let b = Record::new(Kind::Event, "c");
        let csv = write_csv(&[(&a, "n"), (&b, "e")], crate::model::zonedb::UTC);
        let header = csv.lines().next().unwrap();
        assert!(header.starts_with("kind,id,collection,uid,"));
        assert!(header.contains("summary") && header.contains("body"));
        assert_eq!(csv.lines().count(), 3);
    }
}
