//! Readers and writers: iCalendar, vCard (2.1/3.0/4.0), vdir, JSON, CSV, Markdown.
//! Bytes in, records out and back; no other I/O.

pub mod contentline;
pub mod csv;
pub mod ics;
pub mod json;
pub mod lines;
pub mod markdown;
pub mod uid;
pub mod vcard;
pub mod vdir;
pub mod view;
pub mod view_contact;
pub mod view_event;
pub mod view_ref;

use crate::model::Record;

/// One item read from a file: the record (its `collection` still empty) and where it began.
#[derive(Debug, Clone)]
pub struct ParsedItem {
    pub record: Record,
    /// 1-based index of the item in its file.
    pub index: usize,
    /// 1-based line where the item starts.
    pub line: usize,
}

/// Why one item of a file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("item {index} (line {line}): {}", reason_once(.reason, *.line))]
pub struct ItemError {
    pub index: usize,
    pub line: usize,
    pub reason: String,
}

/// A reason that names the item's line itself (a content-line error: "line 9:
/// ...") is said without it, so the message names the line once.
fn reason_once(reason: &str, line: usize) -> &str {
    reason
        .strip_prefix(&format!("line {line}: "))
        .unwrap_or(reason)
}
