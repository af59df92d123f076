//! A borrowed reading of a stored body: the same JSON that [`Body`] serializes to,
//! with every string pointing into the stored text (copied only when it holds a JSON
//! escape). Exports write from it without building a [`crate::model::Record`] per row.
//!
//! The field names mirror the `serde` renames on [`Body`], [`Component`],
//! [`Property`] and [`Param`]; `tests::reads_what_body_writes` keeps them in step.

use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};

use super::{Body, Component, Param, Property};

pub(crate) mod fast;
mod like;
pub use like::{ComponentLike, PropertyLike, RecordLike, RecordRef};

/// A string of a stored body, borrowed unless it had to be unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text<'a>(pub Cow<'a, str>);

impl Deref for Text<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl<'a> From<&'a str> for Text<'a> {
    fn from(s: &'a str) -> Self {
        Text(Cow::Borrowed(s))
    }
}

// `Cow<str>` itself always deserializes as owned inside a `Vec` or `Option`; this
// visitor borrows wherever the input allows.
impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: serde::de::Error>(self, s: &'de str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: serde::de::Error>(self, s: String) -> Result<Text<'de>, E> {
                Ok(Text(Cow::Owned(s)))
            }
        }
        d.deserialize_str(V)
    }
}

#[derive(Debug, Deserialize)]
pub struct BodyRef<'a> {
    #[serde(rename = "m", borrow)]
    pub main: ComponentRef<'a>,
    #[serde(rename = "o", default, borrow)]
    pub overrides: Vec<ComponentRef<'a>>,
    #[serde(rename = "z", default, borrow)]
    pub timezones: Vec<ComponentRef<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct ComponentRef<'a> {
    #[serde(rename = "n", borrow)]
    pub name: Text<'a>,
    #[serde(rename = "p", default, borrow)]
    pub props: Vec<PropertyRef<'a>>,
    #[serde(rename = "c", default, borrow)]
    pub subs: Vec<ComponentRef<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct PropertyRef<'a> {
    #[serde(rename = "g", default, borrow)]
    pub group: Option<Text<'a>>,
    #[serde(rename = "n", borrow)]
    pub name: Text<'a>,
    #[serde(rename = "p", default, borrow)]
    pub params: Vec<ParamRef<'a>>,
    #[serde(rename = "v", borrow)]
    pub value: Text<'a>,
}

#[derive(Debug, Deserialize)]
pub struct ParamRef<'a> {
    #[serde(rename = "n", borrow)]
    pub name: Text<'a>,
    #[serde(rename = "v", borrow)]
    pub values: Vec<Text<'a>>,
}

impl<'a> BodyRef<'a> {
    /// Read a body as the store keeps it (what reads as a [`Body`] reads as this):
    /// the store's own form by a reader made for it, anything else by serde_json.
    pub fn parse(stored: &'a str) -> Result<BodyRef<'a>, serde_json::Error> {
        match fast::parse(stored) {
            Some(body) => Ok(body),
            None => serde_json::from_str(stored),
        }
    }
}

impl<'a> BodyRef<'a> {
    /// A body with an unnamed main component and nothing else (to read others into,
    /// [`BodyRef::read_again`]).
    pub fn empty() -> BodyRef<'a> {
        BodyRef {
            main: ComponentRef {
                name: "".into(),
                props: Vec::new(),
                subs: Vec::new(),
            },
            overrides: Vec::new(),
            timezones: Vec::new(),
        }
    }

    /// `stored` read into this body in place, as [`BodyRef::parse`] reads it, when
    /// it is in the store's own form (a listing reading body after body makes no
    /// allocation for each); false otherwise, and then this body holds nothing to
    /// read (read `stored` with [`BodyRef::parse`], which reads it or names why not).
    pub fn read_again(&mut self, stored: &'a str) -> bool {
        fast::parse_into(stored, self)
    }
}

/// A stored body, owned: read by the reader made for the store's own form, anything
/// else by serde_json (which reads it, or names the error, as it always did).
pub fn read_body(stored: &str) -> Result<Body, serde_json::Error> {
    match fast::parse(stored) {
        Some(b) => Ok(b.to_body()),
        None => serde_json::from_str(stored),
    }
}

impl BodyRef<'_> {
    /// An owned copy.
    pub fn to_body(&self) -> Body {
        Body {
            main: self.main.to_component(),
            overrides: self
                .overrides
                .iter()
                .map(ComponentRef::to_component)
                .collect(),
            timezones: self
                .timezones
                .iter()
                .map(ComponentRef::to_component)
                .collect(),
        }
    }
}

impl<'a> From<&'a Body> for BodyRef<'a> {
    fn from(b: &'a Body) -> Self {
        BodyRef {
            main: (&b.main).into(),
            overrides: b.overrides.iter().map(Into::into).collect(),
            timezones: b.timezones.iter().map(Into::into).collect(),
        }
    }
}

impl<'a> From<&'a Component> for ComponentRef<'a> {
    fn from(c: &'a Component) -> Self {
        ComponentRef {
            name: c.name.as_str().into(),
            props: c.props.iter().map(Into::into).collect(),
            subs: c.subs.iter().map(Into::into).collect(),
        }
    }
}

impl<'a> From<&'a Property> for PropertyRef<'a> {
    fn from(p: &'a Property) -> Self {
        PropertyRef {
            group: p.group.as_deref().map(Into::into),
            name: p.name.as_str().into(),
            params: p
                .params
                .iter()
                .map(|x| ParamRef {
                    name: x.name.as_str().into(),
                    values: x.values.iter().map(|v| v.as_str().into()).collect(),
                })
                .collect(),
            value: p.value.as_str().into(),
        }
    }
}

impl ComponentRef<'_> {
    /// The first property of this name (ASCII case ignored), as [`Component::prop`].
    pub fn prop(&self, name: &str) -> Option<&PropertyRef<'_>> {
        self.props
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }

    pub fn props_named<'s>(
        &'s self,
        name: &'s str,
    ) -> impl Iterator<Item = &'s PropertyRef<'s>> + 's {
        self.props
            .iter()
            .filter(move |p| p.name.eq_ignore_ascii_case(name))
    }

    /// An owned copy (for the rare rewrite a writer needs).
    pub fn to_component(&self) -> Component {
        Component {
            name: self.name.to_string(),
            props: self.props.iter().map(PropertyRef::to_property).collect(),
            subs: self.subs.iter().map(ComponentRef::to_component).collect(),
        }
    }
}

impl PropertyRef<'_> {
    /// The first value of the first parameter of this name, as [`Property::param`].
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .and_then(|p| p.values.first())
            .map(|v| &**v)
    }

    /// Every value of the parameters of this name, as [`Property::param_values`].
    pub fn param_values<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s str> + 's {
        self.params
            .iter()
            .filter(move |p| p.name.eq_ignore_ascii_case(name))
            .flat_map(|p| p.values.iter().map(|v| &**v))
    }

    pub fn to_property(&self) -> Property {
        Property {
            group: self.group.as_ref().map(|g| g.to_string()),
            name: self.name.to_string(),
            params: self
                .params
                .iter()
                .map(|p| Param {
                    name: p.name.to_string(),
                    values: p.values.iter().map(|v| v.to_string()).collect(),
                })
                .collect(),
            value: self.value.to_string(),
        }
    }
}

/// Where the first quote, backslash or control character at or after `from` is
/// (`bytes.len()` if none): what ends a run of a JSON string that needs no
/// escape. Eight bytes at a time, as most text has none.
pub fn special_from(bytes: &[u8], from: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v & HIGH;
    let mut i = from;
    while i + 8 <= bytes.len() {
        let x = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("eight bytes"));
        // A byte below 0x20, or equal to `"` or `\`: the flag of the first such byte
        // is exact (a borrow only reaches the bytes after it).
        let found = (x.wrapping_sub(ONES * 0x20) & !x & HIGH)
            | zero_byte(x ^ (ONES * u64::from(b'"')))
            | zero_byte(x ^ (ONES * u64::from(b'\\')));
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < bytes.len() && !matches!(bytes[i], b'"' | b'\\' | 0..0x20) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Kind, Record};

    #[test]
    fn reads_what_body_writes() {
        let mut r = Record::new(Kind::Event, "c");
        r.body.main.props.push(
            Property::new("SUMMARY", "Tea \\, \"quoted\"\\nnext")
                .with_param("X-A", "b:c")
                .with_param("LANGUAGE", "de"),
        );
        r.body.main.props.push(Property {
            group: Some("item1".into()),
            ..Property::new("X-G", "v")
        });
        let mut alarm = Component::new("VALARM");
        alarm.props.push(Property::new("ACTION", "DISPLAY"));
        r.body.main.subs.push(alarm);
        let mut o = r.body.main.clone();
        o.props
            .push(Property::new("RECURRENCE-ID", "20260101T100000Z"));
        r.body.overrides.push(o);
        let mut z = Component::new("VTIMEZONE");
        z.props.push(Property::new("TZID", "Europe/Berlin"));
        r.body.timezones.push(z);
        let stored = serde_json::to_string(&r.body).unwrap();
        let b = BodyRef::parse(&stored).unwrap();
        assert_eq!(b.main.to_component(), r.body.main);
        assert_eq!(b.overrides[0].to_component(), r.body.overrides[0]);
        assert_eq!(b.timezones[0].to_component(), r.body.timezones[0]);
        // Strings without escapes are not copied.
        assert!(matches!(b.main.name.0, Cow::Borrowed(_)));
        let x = b.main.prop("x-a-missing");
        assert!(x.is_none());
        let s = b.main.prop("summary").unwrap();
        assert!(matches!(s.params[1].values[0].0, Cow::Borrowed(_)));
        assert!(matches!(s.value.0, Cow::Owned(_)));
        assert_eq!(BodyRef::from(&r.body).main.to_component(), r.body.main);
    }

    proptest::proptest! {
        #[test]
        fn the_first_byte_to_escape_is_found(
            bytes in proptest::collection::vec(proptest::prop_oneof![
                12 => 0x20u8..=0xff, 1 => proptest::strategy::Just(b'"'), 1 => proptest::strategy::Just(b'\\'), 1 => 0u8..0x20,
            ], 0..40),
            from in 0usize..40,
        ) {
            let from = from.min(bytes.len());
            let naive = bytes[from..]
                .iter()
                .position(|b| matches!(b, b'"' | b'\\' | 0..0x20))
                .map_or(bytes.len(), |i| from + i);
            proptest::prop_assert_eq!(special_from(&bytes, from), naive);
        }
    }

    #[test]
    fn broken_bodies_are_errors() {
        assert!(BodyRef::parse("{\"m\":{\"n\":1}}").is_err());
        assert!(BodyRef::parse("{\"m\":{\"n\":\"VEVENT\"}").is_err());
    }
}
