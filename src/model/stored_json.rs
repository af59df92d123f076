//! The stored form of a body, written directly: the same bytes as
//! `serde_json::to_string(&body)` (the reader of either is the other's test),
//! without serde's per-key escaping and per-write dispatch — a tenth of an
//! import's instructions went to serializing bodies through serde.

use super::borrowed::special_from;
use super::{Body, Component, Param, Property};

/// Append `body`'s stored JSON to `out`.
pub fn write_body(body: &Body, out: &mut String) {
    out.push_str("{\"m\":");
    write_component(&body.main, out);
    write_list(out, ",\"o\":", &body.overrides, write_component);
    write_list(out, ",\"z\":", &body.timezones, write_component);
    out.push('}');
}

/// `body`'s stored JSON as a new string.
pub fn body_to_string(body: &Body) -> String {
    let mut out = String::with_capacity(512);
    write_body(body, &mut out);
    out
}

/// `key` and `[item,item,…]`; nothing for an empty list (serde's
/// `skip_serializing_if = "Vec::is_empty"`).
fn write_list<T>(out: &mut String, key: &str, items: &[T], write: fn(&T, &mut String)) {
    if items.is_empty() {
        return;
    }
    out.push_str(key);
    write_items(out, items, write);
}

/// `[item,item,…]`.
fn write_items<T>(out: &mut String, items: &[T], write: fn(&T, &mut String)) {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write(item, out);
    }
    out.push(']');
}

fn write_component(c: &Component, out: &mut String) {
    out.push_str("{\"n\":");
    write_str(&c.name, out);
    write_list(out, ",\"p\":", &c.props, write_property);
    write_list(out, ",\"c\":", &c.subs, write_component);
    out.push('}');
}

fn write_property(p: &Property, out: &mut String) {
    out.push('{');
    if let Some(group) = &p.group {
        out.push_str("\"g\":");
        write_str(group, out);
        out.push(',');
    }
    out.push_str("\"n\":");
    write_str(&p.name, out);
    write_list(out, ",\"p\":", &p.params, write_param);
    out.push_str(",\"v\":");
    write_str(&p.value, out);
    out.push('}');
}

/// A parameter: its values always written, even none (`"v":[]`), as serde does.
fn write_param(param: &Param, out: &mut String) {
    out.push_str("{\"n\":");
    write_str(&param.name, out);
    out.push_str(",\"v\":");
    write_items(out, &param.values, |v: &String, out| write_str(v, out));
    out.push('}');
}

/// A JSON string as serde_json writes it: `"` and `\` escaped, control characters
/// as `\b \t \n \f \r` or `\u00xx`, everything else (DEL, non-ASCII) as it is.
pub fn write_str(s: &str, out: &mut String) {
    let bytes = s.as_bytes();
    out.push('"');
    let mut start = 0;
    loop {
        let at = special_from(bytes, start);
        out.push_str(&s[start..at]);
        let Some(&b) = bytes.get(at) else {
            break;
        };
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x08 => out.push_str("\\b"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            0x0c => out.push_str("\\f"),
            b'\r' => out.push_str("\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
        start = at + 1;
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::borrowed::fast::tests::body;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn writes_the_bytes_serde_writes(b in body()) {
            prop_assert_eq!(body_to_string(&b), serde_json::to_string(&b).unwrap());
        }

        #[test]
        fn every_character_is_written_as_serde_writes_it(s in "(?s).{0,40}") {
            let mut ours = String::new();
            write_str(&s, &mut ours);
            prop_assert_eq!(ours, serde_json::to_string(&s).unwrap());
        }
    }

    #[test]
    fn every_byte_below_128_is_written_as_serde_writes_it() {
        let all: String = (0u8..128).map(char::from).collect();
        for s in [
            all.clone(),
            all.chars().rev().collect(),
            format!("{all}é😀{all}"),
        ] {
            let mut ours = String::new();
            write_str(&s, &mut ours);
            assert_eq!(ours, serde_json::to_string(&s).unwrap());
        }
    }
}
