//! iCalendar written straight from a stored body's JSON, in the one form the store
//! writes it (see `model::borrowed::fast`): no [`crate::model::borrowed::BodyRef`]
//! is built, each string goes from the stored text to the output as it is read.
//! An export of 100 000 events spends most of its time here, so this path is
//! short; anything unusual (a string that names something and holds a JSON
//! escape, a bare parameter, another JSON layout, a damaged body) is left to the
//! general writer, which reads the body whole: the bytes written are the same
//! either way (`tests`).
//!
//! The grammar read is exactly that of `model::borrowed::fast`, so a body read
//! here is one that reader reads, and to the same components.

use crate::formats::contentline::{Fold, needs_quotes};
use crate::model::borrowed::fast::unescape_rest;
use crate::model::borrowed::special_from;

/// Nesting beyond this is left to the general reader (as `fast` does).
const MAX_DEPTH: usize = 64;

/// VTIMEZONEs whose stored text was read once and is known to be well formed: a
/// profile holds a handful, each repeated on many records.
const KNOWN_ZONES_AT_MOST: usize = 32;

/// Where a string lies in the stored text.
pub(super) type Span = (usize, usize);

/// What the calendar's head needs to know of one record transcribed, as places in
/// its stored text (kept from one record to the next: no allocation per record).
#[derive(Default)]
pub(super) struct Facts {
    /// The record's VTIMEZONEs in order: their TZID (the value of their first TZID
    /// property, if any) and stored text.
    pub zones: Vec<(Option<Span>, Span)>,
    /// Each TZID a property of the main component or an override uses, with the
    /// lowest and highest year of the values it is used with (`i32::MAX`,
    /// `i32::MIN` when none has a year).
    pub used: Vec<(Span, i32, i32)>,
    /// Whether the main component has an RRULE with neither UNTIL nor COUNT.
    pub open_series: bool,
    /// The latest year of the main component's RRULE UNTILs.
    pub until_year: Option<i32>,
}

impl Facts {
    fn clear(&mut self) {
        self.zones.clear();
        self.used.clear();
        self.open_series = false;
        self.until_year = None;
    }
}

/// Buffers kept from one record to the next (per writing thread).
#[derive(Default)]
pub(super) struct Transcoder {
    /// Stored texts of VTIMEZONEs read before, with where their TZID lies in them.
    known_zones: Vec<(String, Option<Span>)>,
    scratch: String,
}

impl Transcoder {
    /// Append the components of the body stored as `stored` (main, then overrides)
    /// to `out` as the general writer would, and what the head needs to `facts`;
    /// false when the body is not one this path reads (then `out` is as it was).
    pub fn write(&mut self, out: &mut String, stored: &str, facts: &mut Facts) -> bool {
        let start = out.len();
        facts.clear();
        let mut r = Reader {
            src: stored,
            at: 0,
            out,
            scratch: &mut self.scratch,
            known_zones: &mut self.known_zones,
        };
        if r.body(facts).is_some() && r.at == stored.len() {
            true
        } else {
            out.truncate(start);
            false
        }
    }
}

struct Reader<'a, 'o> {
    src: &'a str,
    at: usize,
    out: &'o mut String,
    scratch: &'o mut String,
    known_zones: &'o mut Vec<(String, Option<Span>)>,
}

/// Which component is being written: what its properties tell the head.
#[derive(Clone, Copy, PartialEq)]
enum Place {
    /// The main component itself (its RRULEs count).
    Main,
    /// Anything else written (overrides, sub-components).
    Other,
}

impl<'a> Reader<'a, '_> {
    fn rest(&self) -> &'a [u8] {
        &self.src.as_bytes()[self.at..]
    }

    fn eat(&mut self, lit: &[u8]) -> bool {
        let found = self.rest().starts_with(lit);
        if found {
            self.at += lit.len();
        }
        found
    }

    fn expect(&mut self, lit: &[u8]) -> Option<()> {
        self.eat(lit).then_some(())
    }

    fn body(&mut self, facts: &mut Facts) -> Option<()> {
        self.expect(b"{\"m\":")?;
        self.component(1, Place::Main, facts)?;
        if self.eat(b",\"o\":") {
            self.list(|r| r.component(1, Place::Other, facts))?;
        }
        if self.eat(b",\"z\":") {
            self.list(|r| r.zone(facts))?;
        }
        self.expect(b"}")
    }

    /// `[item,item,…]`.
    fn list(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.expect(b"[")?;
        if self.eat(b"]") {
            return Some(());
        }
        loop {
            item(self)?;
            if self.eat(b"]") {
                return Some(());
            }
            self.expect(b",")?;
        }
    }

    /// A string without escapes, borrowed (one with an escape is left to the
    /// general reader).
    fn plain(&mut self) -> Option<&'a str> {
        self.expect(b"\"")?;
        let start = self.at;
        let end = special_from(self.src.as_bytes(), start);
        match self.src.as_bytes().get(end)? {
            b'"' => {
                self.at = end + 1;
                Some(&self.src[start..end])
            }
            _ => None,
        }
    }

    /// A string unescaped onto `out` (it is not folded here).
    fn string_to(&mut self, to: Target) -> Option<()> {
        self.expect(b"\"")?;
        let bytes = self.src.as_bytes();
        let start = self.at;
        let end = special_from(bytes, start);
        let out: &mut String = match to {
            Target::Out => &mut *self.out,
            Target::Scratch => &mut *self.scratch,
        };
        match bytes.get(end)? {
            b'"' => {
                out.push_str(&self.src[start..end]);
                self.at = end + 1;
                return Some(());
            }
            b'\\' => {}
            _ => return None,
        }
        self.at = unescape_rest(self.src, start, out)?;
        Some(())
    }

    /// A string read (and checked), not kept.
    fn skip_string(&mut self) -> Option<()> {
        self.scratch.clear();
        self.string_to(Target::Scratch)
    }

    /// End the line that started at `start` in `out`: folded as [`Fold`] folds it.
    fn end_line(&mut self, start: usize) {
        if self.out.len() - start <= 75 {
            self.out.push_str("\r\n");
            return;
        }
        self.scratch.clear();
        self.scratch.push_str(&self.out[start..]);
        self.out.truncate(start);
        let mut f = Fold::new(&mut *self.out);
        f.push(self.scratch.as_str());
        f.end();
    }

    /// `word` and a component's name on a line of their own.
    fn name_line(&mut self, word: &str, name: &str) {
        let start = self.out.len();
        self.out.push_str(word);
        self.out.push_str(name);
        self.end_line(start);
    }

    /// One component written, with its sub-components.
    fn component(&mut self, depth: usize, place: Place, facts: &mut Facts) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b"{\"n\":")?;
        let name = self.plain()?;
        self.name_line("BEGIN:", name);
        if self.eat(b",\"p\":") {
            self.list(|r| r.property(place, facts))?;
        }
        if self.eat(b",\"c\":") {
            self.list(|r| r.component(depth + 1, Place::Other, facts))?;
        }
        self.expect(b"}")?;
        self.name_line("END:", name);
        Some(())
    }

    /// One property line, with what it tells the head.
    fn property(&mut self, place: Place, facts: &mut Facts) -> Option<()> {
        self.expect(b"{")?;
        let start = self.out.len();
        if self.eat(b"\"g\":") {
            let group = self.plain()?;
            self.out.push_str(group);
            self.out.push('.');
            self.expect(b",")?;
        }
        self.expect(b"\"n\":")?;
        let name = self.plain()?;
        self.out.push_str(name);
        // The TZIDs of this property (a handful of records have more than one).
        let used_from = facts.used.len();
        if self.eat(b",\"p\":") {
            self.list(|r| r.param(facts))?;
        }
        self.expect(b",\"v\":")?;
        self.out.push(':');
        let value_at = self.out.len();
        self.string_to(Target::Out)?;
        self.expect(b"}")?;
        let value = &self.out[value_at..];
        if facts.used.len() > used_from {
            note_years(&mut facts.used, used_from, value);
        }
        if place == Place::Main && name.eq_ignore_ascii_case("RRULE") {
            if !value.contains("UNTIL=") && !value.contains("COUNT=") {
                facts.open_series = true;
            }
            let until = value.split(';').find_map(|x| x.strip_prefix("UNTIL="));
            if let Some(year) = until.and_then(|v| v.get(..4)?.parse::<i32>().ok()) {
                facts.until_year = Some(facts.until_year.map_or(year, |y| y.max(year)));
            }
        }
        self.end_line(start);
        Some(())
    }

    /// `;NAME=v,v…`: a TZID's values are noted in `facts.used` (years to come).
    fn param(&mut self, facts: &mut Facts) -> Option<()> {
        self.expect(b"{\"n\":")?;
        let name = self.plain()?;
        if name.is_empty() {
            return None; // a bare parameter: rejoined by the general writer
        }
        let tzid = name.eq_ignore_ascii_case("TZID");
        self.out.push(';');
        self.out.push_str(name);
        self.out.push('=');
        self.expect(b",\"v\":")?;
        let mut first = true;
        self.list(|r| {
            if !first {
                r.out.push(',');
            }
            first = false;
            if tzid {
                let v = r.plain()?;
                let end = r.at - 1;
                facts.used.push(((end - v.len(), end), i32::MAX, i32::MIN));
                r.param_value(v);
                return Some(());
            }
            let at = r.out.len();
            r.string_to(Target::Out)?;
            if needs_quotes(&r.out[at..]) {
                let v = r.out.split_off(at);
                r.param_value(&v);
            }
            Some(())
        })?;
        self.expect(b"}")
    }

    /// A parameter value as [`Fold::push_param_value`] writes it (unfolded).
    fn param_value(&mut self, v: &str) {
        if !needs_quotes(v) {
            self.out.push_str(v);
            return;
        }
        self.out.push('"');
        for (i, part) in v.split('"').enumerate() {
            if i > 0 {
                self.out.push('\'');
            }
            self.out.push_str(part);
        }
        self.out.push('"');
    }

    /// One VTIMEZONE of the body: checked (or known from before), not written.
    fn zone(&mut self, facts: &mut Facts) -> Option<()> {
        let rest = &self.src[self.at..];
        let known = self
            .known_zones
            .iter()
            .find(|(text, _)| rest.starts_with(text.as_str()))
            .map(|(text, tzid)| (text.len(), *tzid));
        let start = self.at;
        let shift = |(a, b): Span| (start + a, start + b);
        if let Some((len, tzid)) = known {
            // The same text as a zone read before: the same TZID, at the same place.
            self.at += len;
            facts.zones.push((tzid.map(shift), (start, self.at)));
            return Some(());
        }
        let tzid = self.zone_component()?;
        if self.known_zones.len() < KNOWN_ZONES_AT_MOST {
            let text = self.src[start..self.at].to_string();
            let relative = tzid.map(|(a, b)| (a - start, b - start));
            self.known_zones.push((text, relative));
        }
        facts.zones.push((tzid, (start, self.at)));
        Some(())
    }

    /// A VTIMEZONE read and checked: where its TZID (the value of its first TZID
    /// property) lies.
    fn zone_component(&mut self) -> Option<Option<Span>> {
        self.expect(b"{\"n\":")?;
        self.plain()?;
        let mut tzid = None;
        if self.eat(b",\"p\":") {
            self.list(|r| {
                r.property_with(Reader::plain, |r, name| {
                    if tzid.is_none() && name.eq_ignore_ascii_case("TZID") {
                        let v = r.plain()?;
                        tzid = Some((r.at - 1 - v.len(), r.at - 1));
                        Some(())
                    } else {
                        r.skip_string()
                    }
                })
            })?;
        }
        if self.eat(b",\"c\":") {
            self.list(|r| r.skip_component(2))?;
        }
        self.expect(b"}")?;
        Some(tzid)
    }

    fn skip_component(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b"{\"n\":")?;
        self.skip_string()?;
        if self.eat(b",\"p\":") {
            self.list(|r| r.property_with(Reader::skip_string, |r, ()| r.skip_string()))?;
        }
        if self.eat(b",\"c\":") {
            self.list(|r| r.skip_component(depth + 1))?;
        }
        self.expect(b"}")
    }

    /// One property, `{"g":…,"n":…,"p":[…],"v":…}`, checked: `name` reads its name,
    /// `value` its value (given what `name` read); its group and parameters skipped.
    fn property_with<N>(
        &mut self,
        name: impl FnOnce(&mut Self) -> Option<N>,
        value: impl FnOnce(&mut Self, N) -> Option<()>,
    ) -> Option<()> {
        self.expect(b"{")?;
        if self.eat(b"\"g\":") {
            self.skip_string()?;
            self.expect(b",")?;
        }
        self.expect(b"\"n\":")?;
        let read = name(self)?;
        if self.eat(b",\"p\":") {
            self.list(Reader::skip_param)?;
        }
        self.expect(b",\"v\":")?;
        value(self, read)?;
        self.expect(b"}")
    }

    fn skip_param(&mut self) -> Option<()> {
        self.expect(b"{\"n\":")?;
        self.skip_string()?;
        self.expect(b",\"v\":")?;
        self.list(Reader::skip_string)?;
        self.expect(b"}")
    }
}

/// Where a string read goes.
#[derive(Clone, Copy)]
enum Target {
    Out,
    Scratch,
}

/// The years of `value` (each of its comma- or slash-separated parts that starts
/// with one) given to the TZIDs noted from `from` on, as `zones::collect` reads them.
fn note_years(used: &mut [(Span, i32, i32)], from: usize, value: &str) {
    let bytes = value.as_bytes();
    let mut start = 0;
    loop {
        let end = bytes[start..]
            .iter()
            .position(|b| matches!(b, b',' | b'/'))
            .map_or(bytes.len(), |i| start + i);
        if let Some(year) = value[start..end].get(..4).and_then(year_of) {
            for u in &mut used[from..] {
                u.1 = u.1.min(year);
                u.2 = u.2.max(year);
            }
        }
        if end == bytes.len() {
            return;
        }
        start = end + 1;
    }
}

/// `y` (four bytes) read as `i32::from_str` reads it.
fn year_of(y: &str) -> Option<i32> {
    match y.as_bytes() {
        [a, b, c, d] if [a, b, c, d].iter().all(|x| x.is_ascii_digit()) => Some(
            [a, b, c, d]
                .iter()
                .fold(0, |n, x| n * 10 + i32::from(**x - b'0')),
        ),
        _ => y.parse().ok(),
    }
}

/// A stored zone's text, written as a component; dates of the year 0 in it are
/// not written ([`super::year_zero`]).
pub(super) fn write_stored_zone(out: &mut String, text: &str) {
    let year_0 = ["\"v\":\"0000", ",0000", "UNTIL=0000"];
    if year_0.iter().any(|y| text.contains(y))
        && let Ok(mut zone) = serde_json::from_str::<crate::model::Component>(text)
    {
        super::year_zero::without_year_0(&mut zone);
        crate::formats::contentline::write_component(out, &zone);
        return;
    }
    let wrapped = format!("{{\"m\":{text}}}");
    let body = crate::model::borrowed::BodyRef::parse(&wrapped)
        .expect("a zone's text is checked when it is read");
    crate::formats::contentline::write_component_ref(out, &body.main);
}
