//! A reader of a stored body in the one form the store writes it: serde_json's compact
//! output of [`crate::model::Body`] (keys in declaration order, empty lists left out, no
//! whitespace). It reads that form several times faster than serde's derived reader,
//! which listings and exports pay for every record. Anything else (whitespace, another
//! key order, `null`, a duplicate key, an invalid escape) is not read here: the caller
//! falls back to serde_json, which reads it or names the error, as before.

use std::borrow::Cow;

use super::{BodyRef, ComponentRef, ParamRef, PropertyRef, Text, special_from};

/// Nesting beyond this is left to serde_json (which refuses it past its own limit).
const MAX_DEPTH: usize = 64;

/// `stored` read as a body, or `None` when it is not in the store's own form.
pub(super) fn parse(stored: &str) -> Option<BodyRef<'_>> {
    let mut r = Reader { src: stored, at: 0 };
    let body = r.body()?;
    (r.at == stored.len()).then_some(body)
}

/// [`parse`] into `body`, each list filled where the last body read into it left
/// room (many bodies read one after another make no allocation each): true when
/// `stored` is in the store's own form; otherwise `body` holds nothing to read.
pub(super) fn parse_into<'a>(stored: &'a str, body: &mut BodyRef<'a>) -> bool {
    let mut r = Reader { src: stored, at: 0 };
    r.body_into(body).is_some() && r.at == stored.len()
}

struct Reader<'a> {
    src: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a [u8] {
        &self.src.as_bytes()[self.at..]
    }

    /// Step over `lit` if it comes next.
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

    fn body(&mut self) -> Option<BodyRef<'a>> {
        self.expect(b"{\"m\":")?;
        let main = self.component(1)?;
        let overrides = match self.eat(b",\"o\":") {
            true => self.list(2, |r| r.component(1))?,
            false => Vec::new(),
        };
        let timezones = match self.eat(b",\"z\":") {
            true => self.list(2, |r| r.component(1))?,
            false => Vec::new(),
        };
        self.expect(b"}")?;
        Some(BodyRef {
            main,
            overrides,
            timezones,
        })
    }

    /// [`Reader::body`] into `b` (see [`parse_into`]).
    fn body_into(&mut self, b: &mut BodyRef<'a>) -> Option<()> {
        self.expect(b"{\"m\":")?;
        self.component_into(&mut b.main, 1)?;
        for (key, list) in [
            (&b",\"o\":"[..], &mut b.overrides),
            (&b",\"z\":"[..], &mut b.timezones),
        ] {
            match self.eat(key) {
                true => self.list_into(list, |r, c| r.component_into(c, 1), |r| r.component(1))?,
                false => list.clear(),
            }
        }
        self.expect(b"}")
    }

    /// [`Reader::component`] into `c`.
    fn component_into(&mut self, c: &mut ComponentRef<'a>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b"{\"n\":")?;
        c.name = self.string()?;
        match self.eat(b",\"p\":") {
            true => self.list_into(&mut c.props, Reader::property_into, Reader::property)?,
            false => c.props.clear(),
        }
        match self.eat(b",\"c\":") {
            true => self.list_into(
                &mut c.subs,
                |r, s| r.component_into(s, depth + 1),
                |r| r.component(depth + 1),
            )?,
            false => c.subs.clear(),
        }
        self.expect(b"}")
    }

    /// [`Reader::property`] into `p`.
    fn property_into(&mut self, p: &mut PropertyRef<'a>) -> Option<()> {
        self.expect(b"{")?;
        p.group = match self.eat(b"\"g\":") {
            true => {
                let g = self.string()?;
                self.expect(b",")?;
                Some(g)
            }
            false => None,
        };
        self.expect(b"\"n\":")?;
        p.name = self.string()?;
        match self.eat(b",\"p\":") {
            true => self.list_into(&mut p.params, Reader::param_into, Reader::param)?,
            false => p.params.clear(),
        }
        self.expect(b",\"v\":")?;
        p.value = self.string()?;
        self.expect(b"}")
    }

    /// [`Reader::param`] into `p`.
    fn param_into(&mut self, p: &mut ParamRef<'a>) -> Option<()> {
        self.expect(b"{\"n\":")?;
        p.name = self.string()?;
        self.expect(b",\"v\":")?;
        let again = |r: &mut Self, v: &mut Text<'a>| {
            *v = r.string()?;
            Some(())
        };
        self.list_into(&mut p.values, again, Reader::string)?;
        self.expect(b"}")
    }

    /// [`Reader::list`] into `out`: its items read again in place, more pushed,
    /// those left over dropped.
    fn list_into<T>(
        &mut self,
        out: &mut Vec<T>,
        mut again: impl FnMut(&mut Self, &mut T) -> Option<()>,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<()> {
        self.expect(b"[")?;
        let mut n = 0;
        if !self.eat(b"]") {
            loop {
                match out.get_mut(n) {
                    Some(slot) => again(self, slot)?,
                    None => out.push(item(self)?),
                }
                n += 1;
                if self.eat(b"]") {
                    break;
                }
                self.expect(b",")?;
            }
        }
        out.truncate(n);
        Some(())
    }

    fn component(&mut self, depth: usize) -> Option<ComponentRef<'a>> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.expect(b"{\"n\":")?;
        let name = self.string()?;
        let props = match self.eat(b",\"p\":") {
            true => self.list(8, Reader::property)?,
            false => Vec::new(),
        };
        let subs = match self.eat(b",\"c\":") {
            true => self.list(2, |r| r.component(depth + 1))?,
            false => Vec::new(),
        };
        self.expect(b"}")?;
        Some(ComponentRef { name, props, subs })
    }

    fn property(&mut self) -> Option<PropertyRef<'a>> {
        self.expect(b"{")?;
        let group = match self.eat(b"\"g\":") {
            true => {
                let g = self.string()?;
                self.expect(b",")?;
                Some(g)
            }
            false => None,
        };
        self.expect(b"\"n\":")?;
        let name = self.string()?;
        let params = match self.eat(b",\"p\":") {
            true => self.list(1, Reader::param)?,
            false => Vec::new(),
        };
        self.expect(b",\"v\":")?;
        let value = self.string()?;
        self.expect(b"}")?;
        Some(PropertyRef {
            group,
            name,
            params,
            value,
        })
    }

    fn param(&mut self) -> Option<ParamRef<'a>> {
        self.expect(b"{\"n\":")?;
        let name = self.string()?;
        self.expect(b",\"v\":")?;
        let values = self.list(1, Reader::string)?;
        self.expect(b"}")?;
        Some(ParamRef { name, values })
    }

    /// `[item,item,…]`, room made for `room` items first (about as many as such a
    /// list has: growing copies the items read).
    fn list<T>(
        &mut self,
        room: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        self.expect(b"[")?;
        if self.eat(b"]") {
            return Some(Vec::new());
        }
        let mut out = Vec::with_capacity(room);
        loop {
            out.push(item(self)?);
            if self.eat(b"]") {
                return Some(out);
            }
            self.expect(b",")?;
        }
    }

    /// A JSON string: borrowed from the input unless it holds an escape.
    fn string(&mut self) -> Option<Text<'a>> {
        self.expect(b"\"")?;
        let start = self.at;
        // Every byte is checked (a raw control character is not JSON).
        let end = special_from(self.src.as_bytes(), start);
        match self.src.as_bytes().get(end)? {
            b'"' => {
                self.at = end + 1;
                Some(Text(Cow::Borrowed(&self.src[start..end])))
            }
            b'\\' => self.escaped_string(start),
            _ => None,
        }
    }

    /// The rest of a string from `start` (just after its opening quote), unescaped.
    fn escaped_string(&mut self, start: usize) -> Option<Text<'a>> {
        let mut out = String::new();
        self.at = unescape_rest(self.src, start, &mut out)?;
        Some(Text(Cow::Owned(out)))
    }
}

/// The rest of a JSON string of `src` from `start` (just after its opening quote),
/// unescaped onto `out`: where its closing quote ends, or `None` when it is not
/// JSON (a raw control character, an unknown escape, a lone surrogate, no end;
/// `out` then holds part of it).
pub(crate) fn unescape_rest(src: &str, start: usize, out: &mut String) -> Option<usize> {
    let bytes = src.as_bytes();
    let mut i = start;
    loop {
        let run = memchr::memchr2(b'"', b'\\', &bytes[i..])?;
        let plain = &src[i..i + run];
        if plain.bytes().any(|c| c < 0x20) {
            return None;
        }
        out.push_str(plain);
        i += run;
        if bytes[i] == b'"' {
            return Some(i + 1);
        }
        let esc = *bytes.get(i + 1)?;
        i += 2;
        match esc {
            b'"' => out.push('"'),
            b'\\' => out.push('\\'),
            b'/' => out.push('/'),
            b'b' => out.push('\u{8}'),
            b'f' => out.push('\u{c}'),
            b'n' => out.push('\n'),
            b'r' => out.push('\r'),
            b't' => out.push('\t'),
            b'u' => {
                let (c, used) = unicode_escape(&bytes[i..])?;
                out.push(c);
                i += used;
            }
            _ => return None,
        }
    }
}

/// The character of a `\u` escape whose four hex digits start `after_u`, and how many
/// bytes it took (a surrogate pair takes a second `\uXXXX`); `None` for a lone or
/// malformed surrogate, which serde_json refuses too.
fn unicode_escape(after_u: &[u8]) -> Option<(char, usize)> {
    let hex4 = |b: &[u8]| -> Option<u32> {
        let digits = std::str::from_utf8(b.get(..4)?).ok()?;
        if !digits.bytes().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(digits, 16).ok()
    };
    let first = hex4(after_u)?;
    match first {
        0xD800..=0xDBFF => {
            let low_at = after_u.get(4..6).filter(|s| *s == b"\\u")?;
            debug_assert_eq!(low_at, b"\\u");
            let low = hex4(&after_u[6..])?;
            if !(0xDC00..=0xDFFF).contains(&low) {
                return None;
            }
            let c = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00);
            Some((char::from_u32(c)?, 10))
        }
        0xDC00..=0xDFFF => None,
        c => Some((char::from_u32(c)?, 4)),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::{Body, Component, Param, Property};
    use proptest::prelude::*;

    /// What serde's derived reader makes of `s`.
    fn by_serde(s: &str) -> Result<BodyRef<'_>, serde_json::Error> {
        serde_json::from_str(s)
    }

    fn owned(b: &BodyRef<'_>) -> Body {
        b.to_body()
    }

    /// Whatever this reader reads, serde reads the same; what it leaves, serde decides.
    fn agrees(s: &str) {
        if let Some(fast) = parse(s) {
            let slow = by_serde(s).unwrap_or_else(|e| panic!("serde refused {s:?}: {e}"));
            assert_eq!(owned(&fast), owned(&slow), "{s:?}");
        }
    }

    fn text() -> impl Strategy<Value = String> {
        // Escapes, quotes, control characters, non-ASCII and astral characters.
        proptest::string::string_regex("[a-zA-Z0-9 ,;:\\\\\"\\n\\r\\t\u{1}\u{1f}é€😀/]{0,12}")
            .unwrap()
    }

    fn property() -> impl Strategy<Value = Property> {
        (
            proptest::option::of(text()),
            text(),
            proptest::collection::vec((text(), proptest::collection::vec(text(), 0..3)), 0..3),
            text(),
        )
            .prop_map(|(group, name, params, value)| Property {
                group,
                name,
                params: params
                    .into_iter()
                    .map(|(name, values)| Param { name, values })
                    .collect(),
                value,
            })
    }

    fn component() -> impl Strategy<Value = Component> {
        let leaf =
            (text(), proptest::collection::vec(property(), 0..4)).prop_map(|(name, props)| {
                Component {
                    name,
                    props,
                    subs: Vec::new(),
                }
            });
        leaf.prop_recursive(3, 12, 3, |inner| {
            (
                text(),
                proptest::collection::vec(property(), 0..3),
                proptest::collection::vec(inner, 0..3),
            )
                .prop_map(|(name, props, subs)| Component { name, props, subs })
        })
    }

    pub(crate) fn body() -> impl Strategy<Value = Body> {
        (
            component(),
            proptest::collection::vec(component(), 0..2),
            proptest::collection::vec(component(), 0..2),
        )
            .prop_map(|(main, overrides, timezones)| Body {
                main,
                overrides,
                timezones,
            })
    }

    proptest! {
        #[test]
        fn reads_every_body_the_store_writes_as_serde_does(b in body()) {
            let stored = serde_json::to_string(&b).unwrap();
            let fast = parse(&stored).expect("the store's own form");
            prop_assert_eq!(owned(&fast), b.clone());
            prop_assert_eq!(super::super::read_body(&stored).unwrap(), b);
        }

        #[test]
        fn never_reads_what_serde_refuses_or_reads_otherwise(b in body(), cut in 0usize..400, byte in 0u8..128) {
            let stored = serde_json::to_string(&b).unwrap();
            // Damaged copies: cut short, one byte replaced, one inserted.
            let at = cut.min(stored.len());
            if stored.is_char_boundary(at) {
                agrees(&stored[..at]);
                let mut changed = stored.clone();
                changed.insert(at, byte as char);
                agrees(&changed);
                if at < stored.len() && stored.is_char_boundary(at + 1) {
                    let mut replaced = stored.clone();
                    replaced.replace_range(at..at + 1, &(byte as char).to_string());
                    agrees(&replaced);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn reads_into_a_body_used_before_as_into_a_new_one(
            bodies in proptest::collection::vec(body(), 1..5),
            cut in 0usize..400,
        ) {
            let stored: Vec<String> =
                bodies.iter().map(|b| serde_json::to_string(b).unwrap()).collect();
            // A damaged one in between: what it left is not read.
            let mut at = cut.min(stored[0].len());
            while !stored[0].is_char_boundary(at) {
                at -= 1;
            }
            let damaged = &stored[0][..at];
            let mut reused = parse("{\"m\":{\"n\":\"X\"}}").unwrap();
            for s in stored.iter().rev().chain([&damaged.to_string()]).chain(&stored) {
                let read = parse_into(s, &mut reused);
                prop_assert_eq!(read, parse(s).is_some());
                if read {
                    prop_assert_eq!(owned(&reused), owned(&parse(s).unwrap()));
                }
            }
        }
    }

    #[test]
    fn other_forms_are_left_to_serde() {
        for s in [
            "{\"m\":{\"n\":\"VTODO\"}} ",
            "{ \"m\":{\"n\":\"VTODO\"}}",
            "{\"m\":{\"n\":\"VTODO\",\"p\":[{\"v\":\"x\",\"n\":\"SUMMARY\"}]}}",
            "{\"m\":{\"n\":\"VTODO\",\"p\":[{\"g\":null,\"n\":\"A\",\"v\":\"x\"}]}}",
            "{\"m\":{\"n\":\"VTODO\"},\"m\":{\"n\":\"VTODO\"}}",
            "{\"m\":{\"n\":\"a\\u00e9\\ud83d\\ude00\"}}",
        ] {
            agrees(s);
        }
        assert!(parse("{\"m\":{\"n\":\"VTODO\"}} ").is_none());
        let s = "{\"m\":{\"n\":\"a\\u00e9\\ud83d\\ude00\\/\"}}";
        assert_eq!(&*parse(s).unwrap().main.name, "aé😀/");
        for bad in [
            "{\"m\":{\"n\":\"\\ud83d\"}}",
            "{\"m\":{\"n\":\"\\ude00\"}}",
            "{\"m\":{\"n\":\"\\x\"}}",
            "{\"m\":{\"n\":\"\u{1}\"}}",
            "{\"m\":{\"n\":\"a\\u00g0\"}}",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
            assert!(by_serde(bad).is_err(), "{bad}");
        }
        let deep = format!(
            "{{\"m\":{}{{\"n\":\"X\"}}{}}}",
            "{\"n\":\"X\",\"c\":[".repeat(MAX_DEPTH),
            "]}".repeat(MAX_DEPTH)
        );
        assert!(parse(&deep).is_none(), "deeper than this reader goes");
    }
}
