//! Properties and components mirroring iCalendar (RFC 5545) and vCard (RFC 6350).
//!
//! Values are kept exactly as they travel on the wire (still escaped, unfolded), so
//! anything pim does not understand is written back byte-for-byte.

use serde::{Deserialize, Serialize};

/// One parameter of a property, e.g. `TYPE=home,work`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Param {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "v")]
    pub values: Vec<String>,
}

/// One content line: `[group.]NAME;PARAM=..:value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Property {
    #[serde(rename = "g", default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<Param>,
    /// Raw (escaped) value.
    #[serde(rename = "v")]
    pub value: String,
}

impl Property {
    pub fn new(name: &str, raw_value: impl Into<String>) -> Self {
        Property {
            group: None,
            name: name.to_ascii_uppercase(),
            params: Vec::new(),
            value: raw_value.into(),
        }
    }

    /// A TEXT property from an unescaped string.
    pub fn text(name: &str, text: &str) -> Self {
        Property::new(name, escape_text(text))
    }

    pub fn with_param(mut self, name: &str, value: &str) -> Self {
        self.set_param(name, value);
        self
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.values.first())
            .map(String::as_str)
    }

    pub fn param_values(&self, name: &str) -> Vec<&str> {
        self.params
            .iter()
            .filter(|p| p.name.eq_ignore_ascii_case(name))
            .flat_map(|p| p.values.iter().map(String::as_str))
            .collect()
    }

    pub fn set_param(&mut self, name: &str, value: &str) {
        let name = name.to_ascii_uppercase();
        if let Some(p) = self.params.iter_mut().find(|p| p.name == name) {
            p.values = vec![value.to_string()];
        } else {
            self.params.push(Param {
                name,
                values: vec![value.to_string()],
            });
        }
    }

    pub fn remove_param(&mut self, name: &str) {
        self.params.retain(|p| !p.name.eq_ignore_ascii_case(name));
    }

    /// The value with TEXT escapes resolved.
    pub fn text_value(&self) -> String {
        unescape_text(&self.value)
    }
}

/// How deeply components may nest in one record, the record's own component counting as
/// level 1 (VEVENT > VALARM is 2; real files use at most 3). Every reader refuses deeper
/// input and the store refuses to write it, so what is stored always reads back (the
/// JSON reader stops at 128 levels, and each component level costs two).
pub const MAX_COMPONENT_DEPTH: usize = 8;

/// A component (`BEGIN:X` .. `END:X`) with its properties and sub-components.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Component {
    #[serde(rename = "n")]
    pub name: String,
    #[serde(rename = "p", default, skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<Property>,
    #[serde(rename = "c", default, skip_serializing_if = "Vec::is_empty")]
    pub subs: Vec<Component>,
}

impl Component {
    pub fn new(name: &str) -> Self {
        Component {
            name: name.to_ascii_uppercase(),
            props: Vec::new(),
            subs: Vec::new(),
        }
    }

    pub fn prop(&self, name: &str) -> Option<&Property> {
        self.props
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    /// Levels of nesting: 1 for a component without sub-components. Iterative, so a
    /// tree of any depth is measured without recursion.
    pub fn depth(&self) -> usize {
        let mut deepest = 0;
        let mut pending = vec![(self, 1)];
        while let Some((c, level)) = pending.pop() {
            deepest = deepest.max(level);
            pending.extend(c.subs.iter().map(|s| (s, level + 1)));
        }
        deepest
    }

    pub fn props_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.props
            .iter()
            .filter(move |p| p.name.eq_ignore_ascii_case(name))
    }
}

/// Escape a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma, newline.
/// A line break is `\n`, `\r\n` or a lone `\r` (old Mac text): each is one `\\n`.
pub fn escape_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("\\n");
            }
            c => out.push(c),
        }
    }
    out
}

/// Undo [`escape_text`]; unknown escapes keep the escaped character.
pub fn unescape_text(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') | Some('N') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Split a raw multi-valued TEXT value on unescaped `sep` (e.g. CATEGORIES, N, ADR).
pub fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    split_raw(s, sep).map(unescape_text).collect()
}

/// The parts [`split_unescaped`] unescapes, as written (borrowed): `s` cut at each
/// `sep` that no backslash escapes. Always at least one part.
pub fn split_raw(s: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(s);
    std::iter::from_fn(move || {
        let text = rest?;
        let mut escaped = false;
        for (i, c) in text.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == sep {
                rest = Some(&text[i + c.len_utf8()..]);
                return Some(&text[..i]);
            }
        }
        rest = None;
        Some(text)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_escaping_round_trips() {
        let s = "a, b; c\\d\nnext";
        assert_eq!(escape_text(s), "a\\, b\\; c\\\\d\\nnext");
        assert_eq!(unescape_text(&escape_text(s)), s);
    }

    #[test]
    fn every_line_break_is_kept_as_one() {
        // A lone CR (old Mac text, or typed into a terminal) was dropped, joining lines.
        for text in ["one\ntwo", "one\r\ntwo", "one\rtwo"] {
            assert_eq!(escape_text(text), "one\\ntwo", "{text:?}");
        }
        assert_eq!(escape_text("a\r\r\nb\r"), "a\\n\\nb\\n");
        assert_eq!(unescape_text(&escape_text("x\ry")), "x\ny");
    }

    #[test]
    fn split_respects_escapes() {
        assert_eq!(split_unescaped("a\\,b,c", ','), vec!["a,b", "c"]);
        assert_eq!(split_unescaped("Doe;John;;;", ';').len(), 5);
        assert_eq!(split_unescaped("", ';'), vec![""]);
        assert_eq!(split_unescaped("a\\", ';'), vec!["a\\"]);
        assert_eq!(
            split_unescaped("a\\\\;b\\;c;é", ';'),
            vec!["a\\", "b;c", "é"]
        );
        assert_eq!(
            split_raw("a\\,b,,c", ',').collect::<Vec<_>>(),
            ["a\\,b", "", "c"]
        );
    }

    /// The definition [`split_unescaped`] had before it split borrowed parts.
    fn split_char_by_char(s: &str, sep: char) -> Vec<String> {
        let (mut parts, mut cur, mut escaped) = (Vec::new(), String::new(), false);
        for c in s.chars() {
            if escaped {
                cur.push('\\');
                cur.push(c);
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == sep {
                parts.push(unescape_text(&cur));
                cur.clear();
            } else {
                cur.push(c);
            }
        }
        if escaped {
            cur.push('\\');
        }
        parts.push(unescape_text(&cur));
        parts
    }

    proptest::proptest! {
        #[test]
        fn split_parts_are_the_char_by_char_ones(s in "[a;,\\\\nNé😀]{0,12}") {
            for sep in [';', ','] {
                proptest::prop_assert_eq!(split_unescaped(&s, sep), split_char_by_char(&s, sep));
            }
        }
    }

    #[test]
    fn params_are_case_insensitive() {
        let p = Property::new("email", "a@b").with_param("type", "home");
        assert_eq!(p.name, "EMAIL");
        assert_eq!(p.param("TYPE"), Some("home"));
    }
}
