//! iCalendar (RFC 5545) in and out, losslessly.
//!
//! Reading groups the components of a stream by UID: the master (no RECURRENCE-ID)
//! becomes `body.main`, its RECURRENCE-ID instances `body.overrides`, and every
//! VTIMEZONE the record refers to is copied into `body.timezones`. Properties,
//! parameters, groups and sub-components travel untouched, so writing a record back
//! gives the same content (order, folding and line ends aside).

mod scan;
pub mod stream;
mod transcode;
mod validate;
mod write;
mod xwr;
mod year_zero;
mod zones;

use crate::formats::contentline::{self, write_component};
use crate::formats::{ItemError, ParsedItem};
use crate::model::{Component, Kind, Property};

pub use scan::{Block, Scan, UNPARSED, scan, scan_with};
pub use write::{CALENDAR_END, CalendarZones, IcsWriter, RecordPlace, write_components, write_ics};

/// The PRODID pim writes.
pub const PRODID: &str = "-//pim//EN";

fn kind_of(component: &str) -> Option<Kind> {
    match component {
        "VEVENT" => Some(Kind::Event),
        "VTODO" => Some(Kind::Task),
        "VJOURNAL" => Some(Kind::Note),
        _ => None,
    }
}

/// A remark about one item of a stream: what was repaired or superseded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    /// 1-based index of the item; 0 for the calendar itself.
    pub index: usize,
    pub line: usize,
    pub reason: String,
}

/// Everything read from an iCalendar stream.
#[derive(Debug, Default)]
pub struct IcsRead {
    pub items: Vec<Result<ParsedItem, ItemError>>,
    /// One note per repaired item (its reasons joined), calendar-level ones at index 0.
    pub repairs: Vec<Note>,
    /// Components replaced by another version of the same item (same UID and
    /// RECURRENCE-ID, lower SEQUENCE or older DTSTAMP).
    pub superseded: Vec<Note>,
}

/// Read every event, task and journal of an iCalendar stream, repairing what
/// common producers get wrong (see [`read_ics_with`]).
pub fn read_ics(text: &str) -> Vec<Result<ParsedItem, ItemError>> {
    read_ics_with(text, false).items
}

/// Read every event, task and journal of an iCalendar stream.
///
/// Items come in file order (of their first component); a broken item yields an
/// error naming its index and line, the others are still read. Unless `strict`,
/// malformed-but-common input is repaired and noted instead of refused: broken
/// folding, unreadable lines (kept as [`scan::UNPARSED`]), stray calendar-level
/// lines, `RDATE:20131210Z`, empty RRULEs, `COUNT=-1`, RSCALE rules (kept, not
/// expanded), and several versions of one item (the newest wins).
/// [`stream::prepare`] reads the same without holding the text.
pub fn read_ics_with(text: &str, strict: bool) -> IcsRead {
    let prepared = stream::prepare(contentline::unfold(text).into_iter(), strict);
    let mut results = Vec::new();
    let notes = prepared
        .read(contentline::unfold(text).into_iter(), |line, r| {
            results.push((line, r));
            Ok::<(), std::convert::Infallible>(())
        })
        .unwrap_or_else(|never| match never {});
    results.sort_by_key(|(line, _)| *line);
    IcsRead {
        items: results.into_iter().map(|(_, r)| r).collect(),
        repairs: notes.repairs,
        superseded: notes.superseded,
    }
}

/// A stable UID for a component that has none: a hash of its content, so importing
/// the same file twice updates instead of duplicating.
fn generated_uid(c: &Component) -> String {
    let mut text = String::new();
    write_component(&mut text, c);
    // FNV-1a, 128 bits: stable across Rust versions (unlike `DefaultHasher`).
    let mut h: u128 = 0x6c62272e07bb014262b821756295c58d;
    for b in text.bytes() {
        h ^= u128::from(b);
        h = h.wrapping_mul(0x0000000001000000000000000000013B);
    }
    format!("pim-{h:032x}")
}

/// The properties of the stream's VCALENDAR(s): METHOD, X-WR-CALNAME, X-WR-TIMEZONE...
/// (an importer may name a new collection after X-WR-CALNAME).
pub fn calendar_properties(text: &str) -> Vec<Property> {
    scan(text).calendar_props
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_lenient;
#[cfg(test)]
mod tests_transcode;
