//! Property values as form text and back: `value (type)` lists, addresses.

use super::*;

pub fn type_of(p: &Property) -> Option<String> {
    p.param_values("TYPE")
        .into_iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .find(|t| {
            !t.eq_ignore_ascii_case("pref")
                && !t.eq_ignore_ascii_case("internet")
                && !t.eq_ignore_ascii_case("voice")
        })
        .map(|t| t.to_ascii_lowercase())
}

/// An email or phone value without a `tel:`/`mailto:` scheme.
pub fn plain_value(p: &Property) -> String {
    let v = p.text_value();
    v.strip_prefix("tel:")
        .or_else(|| v.strip_prefix("mailto:"))
        .unwrap_or(&v)
        .to_string()
}

pub(super) fn list_show(r: &Record, name: &str) -> String {
    r.props_named(name)
        .map(|p| match type_of(p) {
            Some(t) => format!("{} ({t})", plain_value(p)),
            None => plain_value(p),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// An address as one line: street, city, region, postcode, country.
pub fn addr_line(p: &Property) -> String {
    let parts = crate::model::property::split_unescaped(&p.value, ';');
    parts
        .iter()
        .skip(2)
        .map(|s| crate::model::property::unescape_text(s).replace('\n', ", "))
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn addr_show(r: &Record) -> String {
    r.props_named("ADR")
        .map(|p| match type_of(p) {
            Some(t) => format!("{} ({t})", addr_line(p)),
            None => addr_line(p),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// `value (type)` → (value, type).
pub(super) fn split_type(s: &str) -> (String, Option<String>) {
    let s = s.trim();
    if let Some(open) = s.rfind(" (")
        && let Some(inner) = s[open + 2..].strip_suffix(')')
        && !inner.is_empty()
        && inner.chars().all(|c| c.is_alphanumeric() || c == '-')
    {
        return (
            s[..open].trim().to_string(),
            Some(inner.to_ascii_lowercase()),
        );
    }
    (s.to_string(), None)
}

pub(super) fn typed_props(
    name: &str,
    text: &str,
    sep: char,
    check: impl Fn(&str) -> Result<(), String>,
) -> Result<Vec<Property>, String> {
    let mut out = Vec::new();
    for item in text.split(sep).map(str::trim).filter(|s| !s.is_empty()) {
        let (value, ty) = split_type(item);
        check(&value)?;
        let mut p = Property::text(name, &value);
        if let Some(t) = ty {
            p.set_param("TYPE", &t);
        }
        out.push(p);
    }
    Ok(out)
}

pub(super) fn adr_value(line: &str) -> String {
    let parts: Vec<String> = line
        .split(',')
        .map(|s| crate::model::property::escape_text(s.trim()).replace(',', "\\,"))
        .collect();
    let get = |i: usize| parts.get(i).cloned().unwrap_or_default();
    // street, city, postcode, country (the common case); five parts add a region.
    let (street, city, region, code, country) = match parts.len() {
        5 => (get(0), get(1), get(2), get(3), get(4)),
        _ => (get(0), get(1), String::new(), get(2), get(3)),
    };
    format!(";;{street};{city};{region};{code};{country}")
}
