//! iCalendar (RFC 5545) in and out, losslessly.
//!
//! Reading groups the components of a stream by UID: the master (no RECURRENCE-ID)
//! becomes `body.main`, its RECURRENCE-ID instances `body.overrides`, and every
//! VTIMEZONE the record refers to is copied into `body.timezones`. Properties,
//! parameters, groups and sub-components travel untouched, so writing a record back
//! gives the same content (order, folding and line ends aside).

mod scan;
mod validate;
mod write;
mod xwr;
mod zones;

use std::collections::{BTreeSet, HashMap};

use crate::formats::contentline::{SyntaxError, write_component};
use crate::formats::{ItemError, ParsedItem};
use crate::model::{Body, Component, Kind, Property, Record, new_id};
use crate::recur::zone::unescape_tzid;

pub use scan::{Block, Scan, UNPARSED, scan, scan_with};
pub use write::{CALENDAR_END, IcsWriter, write_ics};

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

/// One component of a record as read, with its place in the file.
struct Version {
    comp: Component,
    line: usize,
    /// Why this version cannot be used; it may still be superseded by a good one.
    invalid: Option<ItemError>,
}

impl Version {
    /// Which of two versions of one component wins: a usable one, then the higher
    /// SEQUENCE, then the later DTSTAMP, then the later in the file (RFC 5546 §2.1.5).
    fn rank(&self) -> (bool, i64, String, usize) {
        let sequence = self
            .comp
            .prop("SEQUENCE")
            .and_then(|p| p.value.trim().parse().ok())
            .unwrap_or(0);
        let stamp = self
            .comp
            .prop("DTSTAMP")
            .map(|p| p.value.trim().to_ascii_uppercase())
            .unwrap_or_default();
        (self.invalid.is_none(), sequence, stamp, self.line)
    }
}

/// One record being assembled from the components sharing a UID.
struct Group {
    kind: Kind,
    uid: String,
    line: usize,
    masters: Vec<Version>,
    overrides: Vec<Version>,
    error: Option<ItemError>,
    repairs: Vec<SyntaxError>,
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
pub fn read_ics_with(text: &str, strict: bool) -> IcsRead {
    let lenient = !strict;
    let scan = scan::scan_with(text, lenient);
    let calendar_zone = xwr::calendar_zone(&scan.calendar_props);
    let mut timezones: HashMap<String, Component> = HashMap::new();
    let mut groups: Vec<Group> = Vec::new();
    let mut by_uid: HashMap<(Kind, String), usize> = HashMap::new();
    let mut results: Vec<(usize, Result<ParsedItem, ItemError>)> = Vec::new();
    let mut read = IcsRead::default();
    for e in &scan.stream_errors {
        results.push((
            e.line,
            Err(ItemError {
                index: 0,
                line: e.line,
                reason: format!("calendar: {}", e.reason),
            }),
        ));
    }
    if let Some(first) = scan.stream_repairs.first() {
        read.repairs.push(Note {
            index: 0,
            line: first.line,
            reason: joined("calendar", &scan.stream_repairs),
        });
    }
    for block in scan.blocks {
        let name = block.comp.name.clone();
        if name == "VTIMEZONE" {
            if block.error.is_none()
                && let Some(tzid) = block.comp.prop("TZID").map(|p| unescape_tzid(&p.value))
            {
                timezones.entry(tzid).or_insert(block.comp);
            }
            continue;
        }
        let Some(kind) = kind_of(&name) else {
            // VFREEBUSY, VAVAILABILITY, X- components: not records pim keeps.
            continue;
        };
        if let Some(e) = block.error {
            groups.push(Group {
                kind,
                uid: String::new(),
                line: block.line,
                masters: Vec::new(),
                overrides: Vec::new(),
                error: Some(ItemError {
                    index: 0,
                    line: e.line,
                    reason: format!("{name}: {}", e.reason),
                }),
                repairs: Vec::new(),
            });
            continue;
        }
        let mut comp = block.comp;
        let mut prop_lines = block.prop_lines;
        let mut repairs = block.repairs;
        if lenient {
            repairs.extend(validate::repair(&mut comp, &mut prop_lines));
        }
        let uid = match comp.prop("UID").map(|p| p.value.trim().to_string()) {
            Some(u) if !u.is_empty() => u,
            _ => {
                let uid = generated_uid(&comp);
                comp.props.retain(|p| !p.name.eq_ignore_ascii_case("UID"));
                comp.props.insert(0, Property::new("UID", uid.clone()));
                prop_lines.insert(0, block.line);
                uid
            }
        };
        let invalid = validate::check(&comp, &prop_lines, lenient).err();
        let is_override = comp.prop("RECURRENCE-ID").is_some();
        let key = (kind, uid.clone());
        let gi = *by_uid.entry(key).or_insert_with(|| {
            groups.push(Group {
                kind,
                uid: uid.clone(),
                line: block.line,
                masters: Vec::new(),
                overrides: Vec::new(),
                error: None,
                repairs: Vec::new(),
            });
            groups.len() - 1
        });
        let g = &mut groups[gi];
        g.repairs.extend(repairs);
        let mut version = Version {
            comp,
            line: block.line,
            invalid: invalid.map(|invalid| ItemError {
                index: 0,
                line: invalid.line,
                reason: format!("{name} {uid:?}: {invalid}"),
            }),
        };
        if (is_override || strict)
            && let Some(e) = version.invalid.take()
        {
            // One broken component spoils its whole record: nothing half-imported.
            // (A broken older version of the item is superseded below instead.)
            g.error.get_or_insert(e);
        } else if is_override {
            g.overrides.push(version);
        } else if strict && !g.masters.is_empty() {
            g.error.get_or_insert(ItemError {
                index: 0,
                line: block.line,
                reason: format!("{name}: a second component with UID {uid:?} and no RECURRENCE-ID"),
            });
        } else {
            g.masters.push(version);
        }
    }
    for (i, mut g) in groups.into_iter().enumerate() {
        let index = i + 1;
        let line = g.line;
        let mut master = None;
        if g.error.is_none() {
            let uid = &g.uid;
            master = newest(std::mem::take(&mut g.masters), &mut |l, w| {
                read.superseded
                    .push(superseded_note(index, uid, "the item", l, w));
            });
            if let Some(e) = master.as_mut().and_then(|m| m.invalid.take()) {
                g.error = Some(e);
            }
        }
        if let Some(mut e) = g.error {
            e.index = index;
            results.push((line, Err(e)));
            continue;
        }
        if let Some(first) = g.repairs.first() {
            read.repairs.push(Note {
                index,
                line: first.line,
                reason: joined(&g.uid, &g.repairs),
            });
        }
        let mut supersede = |loser: &Version, winner: &Version, what: &str| {
            read.superseded
                .push(superseded_note(index, &g.uid, what, loser, winner));
        };
        let mut overrides = Vec::new();
        let mut by_instance: Vec<(String, Vec<Version>)> = Vec::new();
        for o in g.overrides {
            let id = instance_key(&o.comp);
            match by_instance.iter_mut().find(|(k, _)| *k == id) {
                Some((_, vs)) => vs.push(o),
                None => by_instance.push((id, vec![o])),
            }
        }
        for (id, versions) in by_instance {
            let what = format!("the override {id}");
            if let Some(v) = newest(versions, &mut |l, w| supersede(l, w, &what)) {
                overrides.push(v.comp);
            }
        }
        let main = match master {
            Some(m) => m.comp,
            // Only overridden instances arrived (e.g. an invitation to one occurrence).
            None => overrides.remove(0),
        };
        let mut body = Body {
            main,
            overrides,
            timezones: Vec::new(),
        };
        if let Some(zone) = calendar_zone
            && body.main.name == "VEVENT"
        {
            let series = body.main.prop("RRULE").is_some() || body.main.prop("RDATE").is_some();
            xwr::apply(&mut body.main, zone, series);
            for o in &mut body.overrides {
                xwr::apply(o, zone, series);
            }
        }
        for tzid in tzids_used(&body) {
            if let Some(z) = timezones.get(&tzid) {
                body.timezones.push(z.clone());
            }
        }
        results.push((
            line,
            Ok(ParsedItem {
                record: Record {
                    id: new_id(),
                    kind: g.kind,
                    collection: String::new(),
                    body,
                },
                index,
                line,
            }),
        ));
    }
    results.sort_by_key(|(line, _)| *line);
    read.items = results.into_iter().map(|(_, r)| r).collect();
    read
}

fn superseded_note(index: usize, uid: &str, what: &str, loser: &Version, winner: &Version) -> Note {
    let broken = match &loser.invalid {
        Some(e) => format!(" (it was invalid: {})", e.reason),
        None => String::new(),
    };
    Note {
        index,
        line: loser.line,
        reason: format!(
            "{what} of {uid:?} at line {} is superseded by the one at line {}{broken}",
            loser.line, winner.line
        ),
    }
}

/// The winning version; every other one is handed to `superseded` with the winner.
fn newest(
    mut versions: Vec<Version>,
    superseded: &mut dyn FnMut(&Version, &Version),
) -> Option<Version> {
    let best = (0..versions.len()).max_by_key(|&i| versions[i].rank())?;
    let winner = versions.swap_remove(best);
    for v in &versions {
        superseded(v, &winner);
    }
    Some(winner)
}

/// What identifies an overridden instance: its RECURRENCE-ID (value, zone, range).
fn instance_key(c: &Component) -> String {
    c.prop("RECURRENCE-ID")
        .map(|p| {
            let zone = p.param("TZID").unwrap_or("");
            let range = p.param("RANGE").unwrap_or("");
            format!("{} {zone} {range}", p.value.trim())
                .trim()
                .to_string()
        })
        .unwrap_or_default()
}

/// One line for the repairs of one item: `what: line N: reason; line M: reason`.
fn joined(what: &str, repairs: &[SyntaxError]) -> String {
    let reasons: Vec<String> = repairs.iter().map(ToString::to_string).collect();
    format!("{what}: {}", reasons.join("; "))
}

/// Every TZID parameter used anywhere in a body, in first-use order.
fn tzids_used(body: &Body) -> Vec<String> {
    fn walk(c: &Component, seen: &mut BTreeSet<String>, out: &mut Vec<String>) {
        for p in &c.props {
            for v in p.param_values("TZID") {
                if seen.insert(v.to_string()) {
                    out.push(v.to_string());
                }
            }
        }
        for s in &c.subs {
            walk(s, seen, out);
        }
    }
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    walk(&body.main, &mut seen, &mut out);
    for o in &body.overrides {
        walk(o, &mut seen, &mut out);
    }
    out
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
