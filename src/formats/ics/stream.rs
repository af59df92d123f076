//! Reading an iCalendar stream item by item, in two passes over its lines, so an
//! import holds one item at a time rather than the file.
//!
//! What makes a record depends on the whole stream: the components sharing a UID
//! (master, overrides, older versions) may lie anywhere in it, and so may the
//! VTIMEZONEs and the calendar's X-WR-TIMEZONE. The first pass ([`prepare`]) keeps
//! only those: the zones, the calendar properties, and a 64-bit hash per item key,
//! from which it learns which keys come more than once. The second
//! ([`Prepared::read`]) hands over each record as soon as its last component has
//! been read: at once for the usual item of one component, later for the few that
//! have several. Items get the index and line that reading the whole text gives.

use std::collections::{BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};

use super::{Note, generated_uid, kind_of, validate, xwr};
use crate::formats::contentline::{Line, SyntaxError};
use crate::formats::{ItemError, ParsedItem};
use crate::model::{Body, Component, Kind, Property, Record, new_id};
use crate::recur::zone::unescape_tzid;

use super::scan::{Block, Blocks};

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

impl Group {
    fn new(kind: Kind, uid: String, line: usize) -> Self {
        Group {
            kind,
            uid,
            line,
            masters: Vec::new(),
            overrides: Vec::new(),
            error: None,
            repairs: Vec::new(),
        }
    }
}

/// One item component as read, ready to join its group.
struct Read {
    uid: String,
    name: String,
    is_override: bool,
    version: Version,
    repairs: Vec<SyntaxError>,
}

/// Notes about items of a stream (see [`super::IcsRead`]), in item order.
#[derive(Debug, Default)]
pub struct IcsNotes {
    pub repairs: Vec<Note>,
    pub superseded: Vec<Note>,
}

/// What the first pass learnt about a stream.
pub struct Prepared {
    strict: bool,
    timezones: HashMap<String, Component>,
    calendar_zone: Option<crate::model::zonedb::Tz>,
    /// Item keys (hashed) carried by more than one component: how many carry each.
    repeated: HashMap<u64, usize>,
    items: usize,
    stream_errors: Vec<SyntaxError>,
    calendar_repairs: Vec<SyntaxError>,
}

fn key_hash(kind: Kind, uid: &str) -> u64 {
    let mut h = DefaultHasher::new();
    kind.hash(&mut h);
    uid.hash(&mut h);
    h.finish()
}

/// The UID a component is grouped by, when it has one.
fn own_uid(c: &Component) -> Option<String> {
    c.prop("UID")
        .map(|p| p.value.trim().to_string())
        .filter(|u| !u.is_empty())
}

/// The first pass over a stream's unfolded lines (see the module comment).
pub fn prepare(lines: impl Iterator<Item = Line>, strict: bool) -> Prepared {
    let lenient = !strict;
    // Only the UIDs of items matter here: a lenient first look skims them.
    let mut blocks = match lenient {
        true => Blocks::skimming(lines, |name| kind_of(name).is_some()),
        false => Blocks::new(lines, false),
    };
    let mut timezones: HashMap<String, Component> = HashMap::new();
    let mut keys: Vec<u64> = Vec::new();
    let mut broken = 0;
    for block in blocks.by_ref() {
        let name = block.comp.name.as_str();
        if name == "VTIMEZONE" {
            if block.error.is_none()
                && let Some(tzid) = block.comp.prop("TZID").map(|p| unescape_tzid(&p.value))
            {
                timezones.entry(tzid).or_insert(block.comp);
            }
            continue;
        }
        let Some(kind) = kind_of(name) else {
            continue;
        };
        if block.error.is_some() {
            broken += 1;
            continue;
        }
        let uid = match own_uid(&block.comp) {
            Some(uid) => uid,
            None => read_block(block, lenient).uid,
        };
        keys.push(key_hash(kind, &uid));
    }
    let scan = blocks.into_scan();
    keys.sort_unstable();
    let mut repeated = HashMap::new();
    let mut distinct = 0;
    for run in keys.chunk_by(|a, b| a == b) {
        distinct += 1;
        if run.len() > 1 {
            repeated.insert(run[0], run.len());
        }
    }
    Prepared {
        strict,
        timezones,
        calendar_zone: xwr::calendar_zone(&scan.calendar_props),
        repeated,
        items: distinct + broken,
        stream_errors: scan.stream_errors,
        calendar_repairs: scan.stream_repairs,
    }
}

/// Repair (when lenient), name (a generated UID when it has none) and check one
/// item component.
fn read_block(block: Block, lenient: bool) -> Read {
    let name = block.comp.name.clone();
    let mut comp = block.comp;
    let mut prop_lines = block.prop_lines;
    let mut repairs = block.repairs;
    if lenient {
        repairs.extend(validate::repair(&mut comp, &mut prop_lines));
    }
    let uid = match own_uid(&comp) {
        Some(u) => u,
        None => {
            let uid = generated_uid(&comp);
            comp.props.retain(|p| !p.name.eq_ignore_ascii_case("UID"));
            comp.props.insert(0, Property::new("UID", uid.clone()));
            prop_lines.insert(0, block.line);
            uid
        }
    };
    let invalid = validate::check(&comp, &prop_lines, lenient).err();
    let is_override = comp.prop("RECURRENCE-ID").is_some();
    Read {
        version: Version {
            comp,
            line: block.line,
            invalid: invalid.map(|invalid| ItemError {
                index: 0,
                line: invalid.line,
                reason: format!("{name} {uid:?}: {invalid}"),
            }),
        },
        uid,
        name,
        is_override,
        repairs,
    }
}

impl Prepared {
    /// Items in the stream (records and broken items), for progress.
    pub fn items(&self) -> usize {
        self.items
    }

    /// Whether the stream holds nothing to import and nothing to complain about.
    pub fn is_empty(&self) -> bool {
        self.items == 0 && self.stream_errors.is_empty()
    }

    /// The second pass over the same lines: each item goes to `sink` with the line
    /// its file order is given by, as soon as it is complete; an error of `sink`
    /// stops the reading.
    pub fn read<E>(
        self,
        lines: impl Iterator<Item = Line>,
        mut sink: impl FnMut(usize, Result<ParsedItem, ItemError>) -> Result<(), E>,
    ) -> Result<IcsNotes, E> {
        let lenient = !self.strict;
        let mut notes = IcsNotes::default();
        for e in &self.stream_errors {
            let error = ItemError {
                index: 0,
                line: e.line,
                reason: format!("calendar: {}", e.reason),
            };
            sink(e.line, Err(error))?;
        }
        if let Some(first) = self.calendar_repairs.first() {
            notes.repairs.push(Note {
                index: 0,
                line: first.line,
                reason: joined("calendar", &self.calendar_repairs),
            });
        }
        let mut remaining = self.repeated.clone();
        // Groups of repeated keys still waiting for components, by hash.
        let mut open: HashMap<u64, Vec<(usize, Group)>> = HashMap::new();
        let mut count = 0;
        for block in Blocks::new(lines, lenient) {
            let Some(kind) = kind_of(&block.comp.name) else {
                continue; // VTIMEZONE (known), VFREEBUSY, X- components
            };
            if let Some(e) = block.error {
                count += 1;
                let error = ItemError {
                    index: count,
                    line: e.line,
                    reason: format!("{}: {}", block.comp.name, e.reason),
                };
                sink(block.line, Err(error))?;
                continue;
            }
            let read = read_block(block, lenient);
            let hash = key_hash(kind, &read.uid);
            let Some(left) = remaining.get_mut(&hash) else {
                count += 1;
                let mut g = Group::new(kind, read.uid.clone(), read.version.line);
                self.add(&mut g, read);
                let (line, r) = self.finish(g, count, &mut notes);
                sink(line, r)?;
                continue;
            };
            *left -= 1;
            let done = *left == 0;
            let groups = open.entry(hash).or_default();
            let at = match groups
                .iter()
                .position(|(_, g)| g.kind == kind && g.uid == read.uid)
            {
                Some(at) => at,
                None => {
                    count += 1;
                    let g = Group::new(kind, read.uid.clone(), read.version.line);
                    groups.push((count, g));
                    groups.len() - 1
                }
            };
            self.add(&mut groups[at].1, read);
            if done {
                remaining.remove(&hash);
                for (index, g) in open.remove(&hash).unwrap_or_default() {
                    let (line, r) = self.finish(g, index, &mut notes);
                    sink(line, r)?;
                }
            }
        }
        // Only when the stream changed between the passes: what is left is complete.
        let mut left: Vec<(usize, Group)> = open.into_values().flatten().collect();
        left.sort_by_key(|(index, _)| *index);
        for (index, g) in left {
            let (line, r) = self.finish(g, index, &mut notes);
            sink(line, r)?;
        }
        notes.repairs.sort_by_key(|n| n.index);
        notes.superseded.sort_by_key(|n| n.index);
        Ok(notes)
    }

    fn add(&self, g: &mut Group, read: Read) {
        let Read {
            name,
            uid,
            is_override,
            mut version,
            repairs,
            ..
        } = read;
        g.repairs.extend(repairs);
        if (is_override || self.strict)
            && let Some(e) = version.invalid.take()
        {
            // One broken component spoils its whole record: nothing half-imported.
            // (A broken older version of the item is superseded below instead.)
            g.error.get_or_insert(e);
        } else if is_override {
            g.overrides.push(version);
        } else if self.strict && !g.masters.is_empty() {
            g.error.get_or_insert(ItemError {
                index: 0,
                line: version.line,
                reason: format!("{name}: a second component with UID {uid:?} and no RECURRENCE-ID"),
            });
        } else {
            g.masters.push(version);
        }
    }

    /// The record of a complete group (item `index`), or why there is none; with
    /// the line that orders it.
    fn finish(
        &self,
        mut g: Group,
        index: usize,
        notes: &mut IcsNotes,
    ) -> (usize, Result<ParsedItem, ItemError>) {
        let line = g.line;
        let mut master = None;
        if g.error.is_none() {
            let uid = &g.uid;
            master = newest(std::mem::take(&mut g.masters), &mut |l, w| {
                notes
                    .superseded
                    .push(superseded_note(index, uid, "the item", l, w));
            });
            if let Some(e) = master.as_mut().and_then(|m| m.invalid.take()) {
                g.error = Some(e);
            }
        }
        if let Some(mut e) = g.error {
            e.index = index;
            return (line, Err(e));
        }
        if let Some(first) = g.repairs.first() {
            notes.repairs.push(Note {
                index,
                line: first.line,
                reason: joined(&g.uid, &g.repairs),
            });
        }
        let mut supersede = |loser: &Version, winner: &Version, what: &str| {
            notes
                .superseded
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
        if let Some(zone) = self.calendar_zone
            && body.main.name == "VEVENT"
        {
            let series = body.main.prop("RRULE").is_some() || body.main.prop("RDATE").is_some();
            xwr::apply(&mut body.main, zone, series);
            for o in &mut body.overrides {
                xwr::apply(o, zone, series);
            }
        }
        for tzid in tzids_used(&body) {
            if let Some(z) = self.timezones.get(&tzid) {
                body.timezones.push(z.clone());
            }
        }
        let item = ParsedItem {
            record: Record {
                id: new_id(),
                kind: g.kind,
                collection: String::new(),
                body,
            },
            index,
            line,
        };
        (line, Ok(item))
    }
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
