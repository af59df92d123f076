//! What changes between vCard 3.0 and 4.0 when writing; everything else is copied.
//!
//! - VERSION (always the first property);
//! - inline binaries: 4.0 `PHOTO:data:image/jpeg;base64,...` vs 3.0
//!   `PHOTO;ENCODING=b;TYPE=JPEG:...` (PHOTO, LOGO, SOUND, KEY);
//! - preference: 4.0 `PREF=1` vs 3.0 `TYPE=pref`;
//! - GEO: 4.0 `geo:lat,lon` URI vs 3.0 `lat;lon`;
//! - group cards: 4.0 `KIND`/`MEMBER` vs Apple's 3.0 `X-ADDRESSBOOKSERVER-KIND`/`-MEMBER`
//!   (the missing form is added; the existing one is kept);
//! - FN (and in 3.0 N) are required: added when missing.

use base64::Engine;

use super::VcardVersion;
use crate::model::property::split_unescaped;
use crate::model::{Component, Param, Property};

const BINARY: &[&str] = &["PHOTO", "LOGO", "SOUND", "KEY"];
const URI_VALUED: &[&str] = &[
    "URL",
    "SOURCE",
    "PHOTO",
    "LOGO",
    "SOUND",
    "KEY",
    "MEMBER",
    "IMPP",
    "FBURL",
    "CALURI",
    "CALADRURI",
];

/// 4.0 dates are ISO 8601 basic: `1960-09-10` → `19600910`, `T23:10:00Z` → `T231000Z`.
fn basic_date(v: &str) -> String {
    let b = v.as_bytes();
    let extended_date = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b[..4]
            .iter()
            .chain(&b[5..7])
            .chain(&b[8..10])
            .all(u8::is_ascii_digit);
    if !extended_date {
        return v.to_string();
    }
    let (date, time) = v.split_at(10);
    let mut out = date.replace('-', "");
    if let Some(t) = time.strip_prefix('T') {
        // Keep the sign of a UTC offset; drop the separators.
        let (clock, zone) = match t.find(['Z', '+', '-']) {
            Some(i) => t.split_at(i),
            None => (t, ""),
        };
        out.push('T');
        out.push_str(&clock.replace(':', ""));
        out.push_str(&zone.replace(':', ""));
    } else {
        out.push_str(time);
    }
    out
}

/// A 4.0 date-and-or-time property (BDAY, ANNIVERSARY, DEATHDATE).
///
/// A text value (`VALUE=text`, or words such as `sometime in spring` that a 3.0
/// card allowed) is kept verbatim and marked `VALUE=text`; a date without a year
/// (3.0 `--02-10`, Apple's `1604-02-10;X-APPLE-OMIT-YEAR=1604`) becomes `--0210`;
/// other dates go to ISO 8601 basic form.
fn date_to_v4(p: &mut Property) {
    let is_text = p
        .param("VALUE")
        .is_some_and(|v| v.eq_ignore_ascii_case("text"));
    if is_text {
        return;
    }
    if let Some(year) = p.param("X-APPLE-OMIT-YEAR").map(str::to_string)
        && let Some(rest) = p.value.strip_prefix(year.as_str())
        && let Some(month_day) = rest
            .get(..6)
            .filter(|_| rest.len() == 6 || rest[6..].starts_with('T'))
        && month_day.starts_with('-')
    {
        p.value = format!("--{}", month_day[1..].replace('-', ""));
        p.remove_param("X-APPLE-OMIT-YEAR");
        return;
    }
    if let Some(month_day) = p.value.strip_prefix("--")
        && month_day.len() == 5
        && month_day.as_bytes()[2] == b'-'
    {
        p.value = format!("--{}", month_day.replace('-', ""));
        return;
    }
    p.value = basic_date(&p.value);
    if !is_v4_date_and_or_time(&p.value) {
        p.set_param("VALUE", "text");
    }
}

/// Does `v` read as an RFC 6350 date-and-or-time (basic form)?
fn is_v4_date_and_or_time(v: &str) -> bool {
    let (date, time) = match v.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (v, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let date_ok = if let Some(no_year) = date.strip_prefix("--") {
        // --MMDD, --MM, ---DD
        let no_month = no_year.strip_prefix('-');
        match no_month {
            Some(day) => day.len() == 2 && digits(day),
            None => matches!(no_year.len(), 2 | 4) && digits(no_year),
        }
    } else {
        match date.len() {
            0 => time.is_some(),
            4 | 8 => digits(date),
            // YYYY-MM
            7 => digits(&date[..4]) && &date[4..5] == "-" && digits(&date[5..]),
            _ => false,
        }
    };
    let time_ok = time.is_none_or(|t| {
        let clock = t.split(['Z', '+', '-']).next().unwrap_or("");
        let zone = &t[clock.len()..];
        digits(clock.trim_start_matches('-'))
            && clock.len() <= 6
            && (zone.is_empty() || zone == "Z" || digits(&zone[1..]))
    });
    date_ok && time_ok
}

/// The card converted for writing as `version`.
pub fn to_version(card: &Component, version: VcardVersion) -> Component {
    to_version_owned(card.clone(), version)
}

/// [`to_version`] of a card no longer needed: its properties are moved, not copied.
pub fn to_version_owned(card: Component, version: VcardVersion) -> Component {
    let v4 = version == VcardVersion::V4;
    let has = |name: &str| card.prop(name).is_some();
    let (has_fn, has_n) = (has("FN"), has("N"));
    let (has_kind, has_member) = (has("KIND"), has("MEMBER"));
    let has_x_kind = has("X-ADDRESSBOOKSERVER-KIND");
    let has_x_member = has("X-ADDRESSBOOKSERVER-MEMBER");
    let fallback = (!has_fn).then(|| fallback_name(&card));
    let mut out = Component::new("VCARD");
    out.subs = card.subs;
    out.props.reserve(card.props.len() + 2);
    out.props.push(Property::new("VERSION", version.as_str()));
    for mut q in card.props.into_iter().filter(|p| p.name != "VERSION") {
        name_bare_params(&mut q);
        if BINARY.contains(&q.name.as_str()) {
            if v4 {
                binary_to_v4(&mut q);
            } else {
                binary_to_v3(&mut q);
            }
        }
        if v4 {
            pref_to_v4(&mut q);
        } else {
            pref_to_v3(&mut q);
        }
        if q.name == "GEO" {
            geo(&mut q, v4);
        }
        if URI_VALUED.contains(&q.name.as_str()) && looks_like_uri(&q.value.replace("\\:", ":")) {
            // Apple and Google escape the colon of URIs (`http\://`); URIs have no escapes.
            q.value = q.value.replace("\\:", ":");
        }
        if v4 && matches!(q.name.as_str(), "BDAY" | "ANNIVERSARY" | "DEATHDATE") {
            date_to_v4(&mut q);
        }
        if v4 && q.name == "REV" {
            q.value = basic_date(&q.value);
        }
        let twin = match q.name.as_str() {
            "X-ADDRESSBOOKSERVER-KIND" if v4 && !has_kind => Some("KIND"),
            "X-ADDRESSBOOKSERVER-MEMBER" if v4 && !has_member => Some("MEMBER"),
            "KIND" if !v4 && !has_x_kind => Some("X-ADDRESSBOOKSERVER-KIND"),
            "MEMBER" if !v4 && !has_x_member => Some("X-ADDRESSBOOKSERVER-MEMBER"),
            _ => None,
        };
        let twin = twin.map(|name| Property {
            group: None,
            name: name.into(),
            params: Vec::new(),
            value: q.value.clone(),
        });
        out.props.push(q);
        out.props.extend(twin);
    }
    if let Some(name) = fallback {
        out.props.insert(1, Property::text("FN", &name));
    }
    if !v4 && !has_n {
        out.props.insert(2, Property::new("N", ";;;;"));
    }
    out
}

/// A display name for a card without FN: from N, ORG or EMAIL.
fn fallback_name(card: &Component) -> String {
    if let Some(n) = card.prop("N") {
        let parts = split_unescaped(&n.value, ';');
        let pick = |i: usize| parts.get(i).map(|s| s.trim()).unwrap_or("");
        let name = [pick(3), pick(1), pick(2), pick(0), pick(4)]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        if !name.is_empty() {
            return name;
        }
    }
    for key in ["ORG", "EMAIL", "TEL"] {
        if let Some(p) = card.prop(key) {
            let v = split_unescaped(&p.value, ';').join(" ").trim().to_string();
            if !v.is_empty() {
                return v;
            }
        }
    }
    String::new()
}

fn name_bare_params(p: &mut Property) {
    for param in &mut p.params {
        if param.name.is_empty() {
            param.name = "TYPE".into();
        }
    }
}

fn is_inline_base64(p: &Property) -> bool {
    if p.param("ENCODING")
        .is_some_and(|e| e.eq_ignore_ascii_case("b") || e.eq_ignore_ascii_case("base64"))
    {
        return true;
    }
    // Thunderbird writes 3.0 photos as bare base64 without any parameter.
    p.params.is_empty()
        && p.value.len() >= 16
        && !looks_like_uri(&p.value)
        && p.value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
}

fn looks_like_uri(v: &str) -> bool {
    match v.find(':') {
        Some(i) if i > 0 => v[..i]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.')),
        _ => false,
    }
}

/// The media type of an inline binary: its TYPE parameter, else sniffed from the bytes.
fn media_type(p: &Property) -> String {
    let major = match p.name.as_str() {
        "SOUND" => "audio",
        "KEY" => "application",
        _ => "image",
    };
    if let Some(t) = p.param("TYPE") {
        let t = t.to_ascii_lowercase();
        if t.contains('/') {
            return t;
        }
        return match (major, t.as_str()) {
            ("application", "x509") => "application/pkix-cert".into(),
            ("application", "pgp") => "application/pgp-keys".into(),
            _ => format!("{major}/{t}"),
        };
    }
    let head = base64::engine::general_purpose::STANDARD
        .decode(p.value.get(..p.value.len().min(16) / 4 * 4).unwrap_or(""))
        .unwrap_or_default();
    match head.as_slice() {
        [0xFF, 0xD8, ..] => "image/jpeg".into(),
        [0x89, b'P', b'N', b'G', ..] => "image/png".into(),
        [b'G', b'I', b'F', ..] => "image/gif".into(),
        _ => "application/octet-stream".into(),
    }
}

fn binary_to_v4(p: &mut Property) {
    if !is_inline_base64(p) {
        return;
    }
    let mime = media_type(p);
    p.value = format!("data:{mime};base64,{}", p.value);
    p.remove_param("ENCODING");
    p.remove_param("TYPE");
    p.remove_param("VALUE");
}

fn binary_to_v3(p: &mut Property) {
    if let Some(rest) = p.value.strip_prefix("data:")
        && let Some((meta, data)) = rest.split_once(',')
        && let Some(mime) = meta.strip_suffix(";base64")
    {
        let sub = mime.rsplit('/').next().unwrap_or(mime);
        let sub = match sub {
            "pkix-cert" => "X509",
            "pgp-keys" => "PGP",
            s => s,
        };
        let sub = sub.to_ascii_uppercase();
        p.value = data.to_string();
        p.remove_param("VALUE");
        p.remove_param("MEDIATYPE");
        p.set_param("ENCODING", "b");
        if !sub.is_empty() {
            p.set_param("TYPE", &sub);
        }
    } else if looks_like_uri(&p.value) && p.param("VALUE").is_none() {
        p.set_param("VALUE", "uri");
    }
}

fn pref_to_v4(p: &mut Property) {
    let mut had_pref = false;
    for param in p.params.iter_mut().filter(|x| x.name == "TYPE") {
        let before = param.values.len();
        param.values.retain(|v| !v.eq_ignore_ascii_case("pref"));
        had_pref |= param.values.len() != before;
    }
    p.params
        .retain(|x| !(x.name == "TYPE" && x.values.is_empty()));
    if had_pref && p.param("PREF").is_none() {
        p.params.push(Param {
            name: "PREF".into(),
            values: vec!["1".into()],
        });
    }
}

fn pref_to_v3(p: &mut Property) {
    if p.param("PREF").is_none() {
        return;
    }
    p.remove_param("PREF");
    let has_pref_type = p
        .param_values("TYPE")
        .iter()
        .any(|v| v.eq_ignore_ascii_case("pref"));
    if has_pref_type {
        return;
    }
    match p.params.iter_mut().find(|x| x.name == "TYPE") {
        Some(t) => t.values.push("pref".into()),
        None => p.params.push(Param {
            name: "TYPE".into(),
            values: vec!["pref".into()],
        }),
    }
}

fn geo(p: &mut Property, v4: bool) {
    if v4 {
        if !p.value.starts_with("geo:")
            && let Some((lat, lon)) = p.value.split_once(';')
        {
            p.value = format!("geo:{},{}", lat.trim(), lon.trim());
        }
    } else if let Some(rest) = p.value.strip_prefix("geo:") {
        let coords = rest.split(';').next().unwrap_or(rest);
        if let Some((lat, lon)) = coords.split_once(',') {
            p.value = format!("{lat};{lon}");
        }
    }
}
