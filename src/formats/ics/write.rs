//! Writing iCalendar: one VCALENDAR with the records' time zones (once per TZID)
//! and their components. Records are written from their borrowed form
//! ([`BodyRef`]), so an export reads each stored body without copying it.

use std::collections::{BTreeMap, BTreeSet};

use super::transcode::{Facts, Span, Transcoder, write_stored_zone};
use super::{PRODID, zones};
use crate::formats::contentline::{fold_into, write_component, write_component_ref};
use crate::model::borrowed::{BodyRef, ComponentRef};
use crate::model::{Component, Record};

/// One VCALENDAR with the records' time zones (once per TZID) and their components.
pub fn write_ics(records: &[&Record]) -> String {
    let mut w = IcsWriter::default();
    for r in records {
        w.push(r);
    }
    w.finish()
}

/// [`write_ics`] one record at a time (the records need not stay in memory).
#[derive(Default)]
pub struct IcsWriter {
    seen: BTreeSet<String>,
    timezones: String,
    /// Zones used without a VTIMEZONE of their own: generated in `finish`.
    missing_zones: zones::ZoneYears,
    components: String,
}

impl IcsWriter {
    pub fn push(&mut self, r: &Record) {
        self.push_body(&BodyRef::from(&r.body));
    }

    /// Add one record's body (as the store keeps it, borrowed).
    pub fn push_body(&mut self, body: &BodyRef<'_>) {
        for z in &body.timezones {
            let tzid = z.prop("TZID").map_or("", |p| &*p.value);
            if !self.seen.contains(tzid) {
                self.seen.insert(tzid.to_string());
                write_component_ref(&mut self.timezones, z);
            }
        }
        let own = |tzid: &str| {
            body.timezones
                .iter()
                .any(|z| z.prop("TZID").is_some_and(|p| *p.value == *tzid))
        };
        self.missing_zones.note(body, own);
        write_components(&mut self.components, body);
    }

    pub fn finish(self) -> String {
        let (mut out, components) = self.finish_parts();
        out.reserve(components.len() + CALENDAR_END.len());
        out.push_str(&components);
        out.push_str(CALENDAR_END);
        out
    }

    /// The calendar's head (through the time zones); the components follow in
    /// the second string, then [`CALENDAR_END`]. Lets a caller write the
    /// parts out without joining them into one more string.
    pub fn finish_parts(self) -> (String, String) {
        let head = calendar_head(self.timezones, self.seen, self.missing_zones);
        (head, self.components)
    }
}

/// The calendar's head: `timezones` (the records' own VTIMEZONEs, whose TZIDs are
/// `seen`), then one generated for each zone used without one.
fn calendar_head(
    mut timezones: String,
    mut seen: BTreeSet<String>,
    missing: zones::ZoneYears,
) -> String {
    for z in missing.generate() {
        let tzid = z.prop("TZID").map(|p| p.value.clone()).unwrap_or_default();
        if seen.insert(tzid) {
            write_component(&mut timezones, &z);
        }
    }
    let mut head = String::with_capacity(timezones.len() + 64);
    fold_into(&mut head, "BEGIN:VCALENDAR");
    fold_into(&mut head, "VERSION:2.0");
    fold_into(&mut head, &format!("PRODID:{PRODID}"));
    head.push_str(&timezones);
    head
}

/// The VTIMEZONE kept for a TZID: the place of the record that has it, its index
/// among that record's zones, and its text.
type ChosenZone = ((usize, String, String), usize, ZoneText);

/// A VTIMEZONE's text: written, or as stored (written only if it is chosen).
enum ZoneText {
    Written(String),
    Stored(String),
}

/// Where a record goes in a calendar: (group, sort key, id), compared as a tuple.
pub type RecordPlace<'a> = (usize, &'a str, &'a str);

/// The head of a calendar whose records are read in any order and written in
/// the order of their [`RecordPlace`]s (their components each written by
/// [`write_components`]): the same head [`IcsWriter`] writes for the records in
/// that order. For each TZID it keeps the VTIMEZONE of the first record in that
/// order that has one, and writes them in that order.
#[derive(Default)]
pub struct CalendarZones {
    chosen: BTreeMap<String, ChosenZone>,
    missing_zones: zones::ZoneYears,
    transcoder: Transcoder,
    facts: Facts,
}

impl CalendarZones {
    /// Write the components of the record stored as `stored` (its body's JSON) to
    /// `out`, as [`write_components`] writes them, and note its time zones at
    /// `place`; or why the body cannot be read (then nothing is written).
    pub fn write_stored(
        &mut self,
        out: &mut String,
        place: RecordPlace<'_>,
        stored: &str,
    ) -> Result<(), serde_json::Error> {
        if self.transcoder.write(out, stored, &mut self.facts) {
            self.note_facts(place, stored);
            return Ok(());
        }
        let body = BodyRef::parse(stored)?;
        self.note(place, &body);
        write_components(out, &body);
        Ok(())
    }

    /// [`CalendarZones::note`] from what the transcoder found in `stored`.
    fn note_facts(&mut self, place: RecordPlace<'_>, stored: &str) {
        let text = |(a, b): Span| &stored[a..b];
        let facts = &self.facts;
        for (i, (tzid, zone)) in facts.zones.iter().enumerate() {
            let tzid = tzid.map_or("", text);
            if facts.zones[..i]
                .iter()
                .any(|(y, _)| y.map_or("", text) == tzid)
            {
                continue;
            }
            if let Some((p, _, _)) = self.chosen.get(tzid)
                && (p.0, p.1.as_str(), p.2.as_str()) < place
            {
                continue;
            }
            let owned = (place.0, place.1.to_string(), place.2.to_string());
            let stored_text = ZoneText::Stored(text(*zone).to_string());
            self.chosen
                .insert(tzid.to_string(), (owned, i, stored_text));
        }
        for &(tzid, lo, hi) in &facts.used {
            if lo > hi {
                continue; // used with no year
            }
            let tzid = text(tzid);
            let own = facts
                .zones
                .iter()
                .any(|(z, _)| z.is_some_and(|z| text(z) == tzid));
            if !own {
                self.missing_zones
                    .add(tzid, (lo, hi), facts.until_year, facts.open_series);
            }
        }
    }

    /// Note the time zones of one record's body, at `place`.
    pub fn note(&mut self, place: RecordPlace<'_>, body: &BodyRef<'_>) {
        for (i, z) in body.timezones.iter().enumerate() {
            let tzid = tzid_of(z);
            // Within a record, the first VTIMEZONE of a TZID counts.
            if body.timezones[..i].iter().any(|y| tzid_of(y) == tzid) {
                continue;
            }
            if let Some((p, _, _)) = self.chosen.get(tzid)
                && (p.0, p.1.as_str(), p.2.as_str()) < place
            {
                continue;
            }
            let mut text = String::new();
            write_component_ref(&mut text, z);
            let owned = (place.0, place.1.to_string(), place.2.to_string());
            let text = ZoneText::Written(text);
            self.chosen.insert(tzid.to_string(), (owned, i, text));
        }
        let own = |tzid: &str| {
            body.timezones
                .iter()
                .any(|z| z.prop("TZID").is_some_and(|p| *p.value == *tzid))
        };
        self.missing_zones.note(body, own);
    }

    /// Take what `other` noted (of other records) as well: the same as if every
    /// record had been noted here.
    pub fn merge(&mut self, other: CalendarZones) {
        for (tzid, zone) in other.chosen {
            match self.chosen.get(&tzid) {
                Some(mine) if mine.0 < zone.0 => {}
                _ => {
                    self.chosen.insert(tzid, zone);
                }
            }
        }
        self.missing_zones.merge(other.missing_zones);
    }

    /// The calendar's head (see [`IcsWriter::finish_parts`]).
    pub fn head(self) -> String {
        let mut chosen: Vec<_> = self.chosen.into_iter().collect();
        chosen.sort_unstable_by(|a, b| (&(a.1).0, (a.1).1).cmp(&(&(b.1).0, (b.1).1)));
        let mut timezones = String::new();
        let mut seen = BTreeSet::new();
        for (tzid, (_, _, text)) in chosen {
            match text {
                ZoneText::Written(text) => timezones.push_str(&text),
                ZoneText::Stored(text) => write_stored_zone(&mut timezones, &text),
            }
            seen.insert(tzid);
        }
        calendar_head(timezones, seen, self.missing_zones)
    }
}

fn tzid_of<'c>(z: &'c ComponentRef<'_>) -> &'c str {
    z.prop("TZID").map_or("", |p| &*p.value)
}

/// One record's components as iCalendar: its main component, then its overrides.
pub fn write_components(out: &mut String, body: &BodyRef<'_>) {
    write_ics_component(out, &body.main);
    for o in &body.overrides {
        write_ics_component(out, o);
    }
}

/// What closes a calendar after [`IcsWriter::finish_parts`].
pub const CALENDAR_END: &str = "END:VCALENDAR\r\n";

/// Write one component as iCalendar: a parameter read without `=` never leaves
/// as the vCard 2.1 `TYPE=` (iCalendar has no bare parameters).
fn write_ics_component(out: &mut String, c: &ComponentRef<'_>) {
    if has_bare_param(c) {
        let mut c = c.to_component();
        rejoin_bare_params(&mut c);
        write_component(out, &c);
    } else {
        write_component_ref(out, c);
    }
}

fn has_bare_param(c: &ComponentRef<'_>) -> bool {
    c.props
        .iter()
        .any(|p| p.params.iter().any(|x| x.name.is_empty()))
        || c.subs.iter().any(has_bare_param)
}

/// [`rejoin_bare`] of every property of `c` (a body stored before files were read
/// so).
fn rejoin_bare_params(c: &mut Component) {
    for p in &mut c.props {
        rejoin_bare(p);
    }
    for s in &mut c.subs {
        rejoin_bare_params(s);
    }
}

/// A bare parameter in iCalendar is the tail of the previous value, cut at an
/// escaped `;` (`CN=Society\; 2014`): put it back there (`CN="Society; 2014"`).
/// One with no value before it carries no meaning and is dropped. Files are read
/// so, and written so: what is read is what is written.
pub(super) fn rejoin_bare(p: &mut crate::model::Property) {
    if p.params.iter().all(|x| !x.name.is_empty()) {
        return;
    }
    let mut kept: Vec<crate::model::Param> = Vec::with_capacity(p.params.len());
    for param in std::mem::take(&mut p.params) {
        if !param.name.is_empty() {
            kept.push(param);
            continue;
        }
        if let Some(last) = kept.last_mut().and_then(|k| k.values.last_mut()) {
            let head = last.strip_suffix('\\').unwrap_or(last).to_string();
            *last = format!("{head}; {}", param.values.join(","));
        }
    }
    p.params = kept;
}
