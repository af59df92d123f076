//! The `--json` view of a record ([`super::view::record_json`]) written straight from
//! its stored body read in place ([`BodyRef`]): no decoded record, no
//! `serde_json::Value`, nothing allocated for a value without escapes. An export
//! writes it for every record. The bytes are those serde_json writes for
//! [`super::view::record_json`] (tasks, notes), [`super::view_event::EventView::record`]
//! and [`super::view_contact::ContactJson`]: keys in sorted order, compact. The
//! rules (what a field holds) are those modules'; `tests` holds the two equal over
//! generated records and `tests/formats/view_ref.rs` over every corpus file.

use crate::model::zonedb::Tz;

use super::view::{date_ish, push_when_text};
use crate::model::Kind;
use crate::model::borrowed::{BodyRef, ComponentRef, PropertyRef, special_from};
use crate::model::duration;
use crate::model::property::split_raw;
use crate::model::time::When;

/// The view of the record `id` of `kind` whose stored body is `body`, in the
/// collection named `collection`, as one JSON object appended to `out`.
pub fn write_view(
    out: &mut String,
    id: &str,
    kind: Kind,
    body: &BodyRef<'_>,
    collection: &str,
    local: Tz,
) {
    match kind {
        Kind::Event => event(out, id, body, collection, local),
        Kind::Contact => contact(out, id, &body.main, collection),
        Kind::Task => task(out, id, body, collection, local),
        Kind::Note => note(out, id, &body.main, collection),
    }
}

/// [`super::view_event::EventView::record`].
fn event(out: &mut String, id: &str, body: &BodyRef<'_>, collection: &str, local: Tz) {
    let c = &body.main;
    let start = c.prop("DTSTART").and_then(when);
    out.push_str("{\"alarms\":");
    list(
        out,
        c.subs.iter().filter(|s| &*s.name == "VALARM"),
        |out, alarm| {
            out.push_str("{\"action\":");
            opt_string(out, alarm.prop("ACTION").map(|p| &*p.value));
            out.push_str(",\"trigger\":");
            opt_string(out, alarm.prop("TRIGGER").map(|p| &*p.value));
            out.push('}');
        },
    );
    out.push_str(",\"all_day\":");
    out.push_str(bool_text(start.as_ref().is_some_and(When::is_date)));
    out.push_str(",\"attendees\":");
    list(out, c.props_named("ATTENDEE"), person);
    out.push_str(",\"categories\":");
    categories(out, c);
    out.push_str(",\"collection\":");
    string(out, collection);
    out.push_str(",\"description\":");
    opt_text(out, c.prop("DESCRIPTION"));
    out.push_str(",\"end\":");
    if c.prop("DTEND").is_some() {
        time_of(out, body, "DTEND", local);
    } else {
        match &start {
            Some(s) => {
                let length = duration::without_end(c.prop("DURATION").map(|p| &*p.value), s);
                time(out, &s.plus(length), body, local);
            }
            None => out.push_str("null"),
        }
    }
    out.push_str(",\"exdate\":");
    multi_raw(out, c, "EXDATE");
    out.push_str(",\"id\":");
    string(out, id);
    out.push_str(",\"kind\":\"event\",\"location\":");
    opt_text(out, c.prop("LOCATION"));
    out.push_str(",\"organizer\":");
    match c.prop("ORGANIZER") {
        Some(p) => person(out, p),
        None => out.push_str("null"),
    }
    out.push_str(",\"rdate\":");
    multi_raw(out, c, "RDATE");
    out.push_str(",\"recurrence_id\":null,\"rrule\":");
    opt_string(out, c.prop("RRULE").map(|p| &*p.value));
    out.push_str(",\"start\":");
    match &start {
        Some(s) => time(out, s, body, local),
        None => out.push_str("null"),
    }
    out.push_str(",\"status\":");
    opt_text(out, c.prop("STATUS"));
    out.push_str(",\"summary\":");
    opt_text(out, c.prop("SUMMARY"));
    out.push_str(",\"tz\":");
    match &start {
        Some(When::Zoned(_, z)) => string(out, z),
        Some(When::Utc(_)) => out.push_str("\"UTC\""),
        _ => out.push_str("null"),
    }
    uid_and_end(out, c);
}

/// The task branch of [`super::view::record_json`].
fn task(out: &mut String, id: &str, body: &BodyRef<'_>, collection: &str, local: Tz) {
    let c = &body.main;
    out.push_str("{\"categories\":");
    categories(out, c);
    out.push_str(",\"collection\":");
    string(out, collection);
    out.push_str(",\"completed\":");
    time_of(out, body, "COMPLETED", local);
    out.push_str(",\"description\":");
    opt_text(out, c.prop("DESCRIPTION"));
    out.push_str(",\"due\":");
    time_of(out, body, "DUE", local);
    out.push_str(",\"id\":");
    string(out, id);
    out.push_str(",\"kind\":\"task\",\"parent\":");
    let parent = c.props_named("RELATED-TO").find(|p| {
        p.param("RELTYPE")
            .is_none_or(|t| t.eq_ignore_ascii_case("PARENT"))
    });
    opt_string(out, parent.map(|p| &*p.value));
    let number = |name: &str| c.prop(name).and_then(|p| p.value.trim().parse::<u8>().ok());
    out.push_str(",\"percent_complete\":");
    opt_number(out, number("PERCENT-COMPLETE"));
    out.push_str(",\"priority\":");
    opt_number(out, number("PRIORITY").filter(|p| *p > 0));
    if let Some(rule) = c.prop("RRULE") {
        out.push_str(",\"rrule\":");
        string(out, &rule.value);
    }
    out.push_str(",\"start\":");
    time_of(out, body, "DTSTART", local);
    out.push_str(",\"status\":");
    match c.prop("STATUS") {
        Some(p) => string(out, &p.value.to_ascii_uppercase()),
        None => out.push_str("\"NEEDS-ACTION\""),
    }
    out.push_str(",\"summary\":");
    opt_text(out, c.prop("SUMMARY"));
    uid_and_end(out, c);
}

/// The note branch of [`super::view::record_json`].
fn note(out: &mut String, id: &str, c: &ComponentRef<'_>, collection: &str) {
    out.push_str("{\"body\":");
    match c.prop("DESCRIPTION") {
        Some(p) => text(out, &p.value),
        None => out.push_str("\"\""),
    }
    out.push_str(",\"categories\":");
    categories(out, c);
    out.push_str(",\"collection\":");
    string(out, collection);
    out.push_str(",\"id\":");
    string(out, id);
    out.push_str(",\"kind\":\"note\",\"title\":");
    opt_text(out, c.prop("SUMMARY"));
    uid_and_end(out, c);
}

/// [`super::view_contact::ContactJson`].
fn contact(out: &mut String, id: &str, c: &ComponentRef<'_>, collection: &str) {
    out.push_str("{\"addresses\":");
    list(out, c.props_named("ADR"), |out, p| {
        let mut parts = split_raw(&p.value, ';');
        let mut part = || parts.next().unwrap_or("");
        let (po_box, extended, street, locality, region, postal_code, country) =
            (part(), part(), part(), part(), part(), part(), part());
        for (key, value) in [
            ("{\"country\":", country),
            (",\"extended\":", extended),
            (",\"locality\":", locality),
            (",\"po_box\":", po_box),
            (",\"postal_code\":", postal_code),
            (",\"region\":", region),
            (",\"street\":", street),
        ] {
            out.push_str(key);
            text(out, value);
        }
        out.push_str(",\"types\":");
        list(out, p.param_values("TYPE"), lower_string);
        out.push('}');
    });
    out.push_str(",\"anniversary\":");
    opt_string(
        out,
        c.prop("ANNIVERSARY").map(|p| date_ish(&p.value)).as_deref(),
    );
    out.push_str(",\"birthday\":");
    opt_string(out, c.prop("BDAY").map(|p| date_ish(&p.value)).as_deref());
    out.push_str(",\"categories\":");
    categories(out, c);
    out.push_str(",\"collection\":");
    string(out, collection);
    out.push_str(",\"email_entries\":");
    entries(out, c, "EMAIL");
    out.push_str(",\"emails\":");
    list(out, c.props_named("EMAIL"), |out, p| text(out, &p.value));
    out.push_str(",\"full_name\":");
    opt_text(out, c.prop("FN"));
    out.push_str(",\"id\":");
    string(out, id);
    out.push_str(",\"kind\":\"contact\",\"name\":");
    let mut n = c.prop("N").map(|p| split_raw(&p.value, ';'));
    let mut part = || n.as_mut().and_then(Iterator::next).unwrap_or("");
    let (family, given, additional, prefix, suffix) = (part(), part(), part(), part(), part());
    for (key, value) in [
        ("{\"additional\":", additional),
        (",\"family\":", family),
        (",\"given\":", given),
        (",\"prefix\":", prefix),
        (",\"suffix\":", suffix),
    ] {
        out.push_str(key);
        text(out, value);
    }
    out.push_str("},\"note\":");
    opt_text(out, c.prop("NOTE"));
    out.push_str(",\"org\":");
    match c.prop("ORG") {
        Some(p) => {
            out.push('"');
            for (i, part) in split_raw(&p.value, ';').enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                text_escaped(out, part);
            }
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"phone_entries\":");
    entries(out, c, "TEL");
    out.push_str(",\"phones\":");
    list(out, c.props_named("TEL"), |out, p| text(out, &p.value));
    out.push_str(",\"photo\":");
    out.push_str(bool_text(c.prop("PHOTO").is_some()));
    out.push_str(",\"title\":");
    opt_text(out, c.prop("TITLE"));
    out.push_str(",\"uid\":");
    opt_string(out, c.prop("UID").map(|p| &*p.value));
    out.push_str(",\"url\":");
    opt_text(out, c.prop("URL"));
    out.push('}');
}

/// E-mail addresses or phone numbers with their types (`TYPE` values split at
/// commas, and vCard 2.1's bare parameters), lower-cased.
fn entries(out: &mut String, c: &ComponentRef<'_>, name: &str) {
    list(out, c.props_named(name), |out, p| {
        out.push_str("{\"types\":");
        let typed = p.param_values("TYPE").flat_map(|t| t.split(','));
        let bare = p
            .params
            .iter()
            .filter(|x| x.name.is_empty())
            .flat_map(|x| x.values.iter().map(|v| &**v));
        list(out, typed.chain(bare), lower_string);
        out.push_str(",\"value\":");
        text(out, &p.value);
        out.push('}');
    });
}

/// `,"uid":…}`: the last key of every view but a contact's.
fn uid_and_end(out: &mut String, c: &ComponentRef<'_>) {
    out.push_str(",\"uid\":");
    opt_string(out, c.prop("UID").map(|p| &*p.value));
    out.push('}');
}

/// An attendee or organizer.
fn person(out: &mut String, p: &PropertyRef<'_>) {
    let v = &*p.value;
    let email = v
        .strip_prefix("mailto:")
        .or_else(|| v.strip_prefix("MAILTO:"))
        .unwrap_or(v);
    out.push_str("{\"email\":");
    string(out, email);
    out.push_str(",\"name\":");
    opt_string(out, p.param("CN"));
    out.push_str(",\"partstat\":");
    opt_string(out, p.param("PARTSTAT"));
    out.push_str(",\"role\":");
    opt_string(out, p.param("ROLE"));
    out.push_str(",\"rsvp\":");
    match p.param("RSVP") {
        Some(x) => out.push_str(bool_text(x.eq_ignore_ascii_case("TRUE"))),
        None => out.push_str("null"),
    }
    out.push('}');
}

/// Every CATEGORIES value, split at unescaped commas, empty ones left out.
fn categories(out: &mut String, c: &ComponentRef<'_>) {
    let parts = c
        .props_named("CATEGORIES")
        .flat_map(|p| split_raw(&p.value, ','))
        .filter(|s| !s.is_empty());
    list(out, parts, text);
}

/// The values of every property `name`, split at commas, as written.
fn multi_raw(out: &mut String, c: &ComponentRef<'_>, name: &str) {
    let values = c.props_named(name).flat_map(|p| p.value.split(','));
    list(out, values, string);
}

fn when(p: &PropertyRef<'_>) -> Option<When> {
    When::from_value(&p.value, |name| p.param(name)).ok()
}

/// The time of property `name` (`null` when absent or not a time).
fn time_of(out: &mut String, body: &BodyRef<'_>, name: &str, local: Tz) {
    match body.main.prop(name).and_then(when) {
        Some(w) => time(out, &w, body, local),
        None => out.push_str("null"),
    }
}

/// A time as the view writes it: a date, or RFC 3339 in the value's own zone.
fn time(out: &mut String, w: &When, body: &BodyRef<'_>, local: Tz) {
    // Digits, dashes, colons, `T` and a sign: nothing to escape.
    out.push('"');
    push_when_text(out, w, &body.timezones, local);
    out.push('"');
}

fn bool_text(b: bool) -> &'static str {
    if b { "true" } else { "false" }
}

fn opt_number(out: &mut String, n: Option<u8>) {
    use std::fmt::Write as _;
    match n {
        Some(n) => {
            let _ = write!(out, "{n}");
        }
        None => out.push_str("null"),
    }
}

/// `[item,item,…]`.
fn list<T>(out: &mut String, items: impl Iterator<Item = T>, mut each: impl FnMut(&mut String, T)) {
    out.push('[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(',');
        }
        each(out, item);
    }
    out.push(']');
}

fn opt_string(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => string(out, s),
        None => out.push_str("null"),
    }
}

/// A TEXT property's value, unescaped ([`crate::model::Property::text_value`]), or
/// `null`.
fn opt_text(out: &mut String, p: Option<&PropertyRef<'_>>) {
    match p {
        Some(p) => text(out, &p.value),
        None => out.push_str("null"),
    }
}

/// A TEXT value, unescaped, as a JSON string.
fn text(out: &mut String, raw: &str) {
    out.push('"');
    text_escaped(out, raw);
    out.push('"');
}

/// A TEXT value, unescaped ([`crate::model::property::unescape_text`]), then escaped for JSON (no quotes):
/// one pass, no copy of the value.
fn text_escaped(out: &mut String, raw: &str) {
    let bytes = raw.as_bytes();
    let mut plain = 0;
    let mut at = special_from(bytes, 0);
    while at < bytes.len() {
        out.push_str(&raw[plain..at]);
        if bytes[at] != b'\\' {
            escape_byte(out, bytes[at]);
            plain = at + 1;
        } else {
            match raw[at + 1..].chars().next() {
                Some('n' | 'N') => out.push_str("\\n"),
                Some(c) => json_escaped(out, c.encode_utf8(&mut [0; 4])),
                // A lone backslash at the end stays.
                None => out.push_str("\\\\"),
            }
            plain = at + 1 + raw[at + 1..].chars().next().map_or(0, char::len_utf8);
        }
        at = special_from(bytes, plain);
    }
    out.push_str(&raw[plain..]);
}

/// `s` in ASCII lower case, as a JSON string.
fn lower_string(out: &mut String, s: &str) {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        string(out, &s.to_ascii_lowercase());
    } else {
        string(out, s);
    }
}

/// `s` as a JSON string.
pub fn string(out: &mut String, s: &str) {
    out.push('"');
    json_escaped(out, s);
    out.push('"');
}

/// `s` escaped as serde_json escapes a string (no quotes).
fn json_escaped(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let mut plain = 0;
    let mut at = special_from(bytes, 0);
    while at < bytes.len() {
        // `at` is at an ASCII byte: a character boundary.
        out.push_str(&s[plain..at]);
        escape_byte(out, bytes[at]);
        plain = at + 1;
        at = special_from(bytes, plain);
    }
    out.push_str(&s[plain..]);
}

/// A quote, backslash or control character as serde_json escapes it: the short
/// forms where JSON has them, else `\u00XX` (lower-case hex).
fn escape_byte(out: &mut String, b: u8) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    match b {
        b'"' => out.push_str("\\\""),
        b'\\' => out.push_str("\\\\"),
        b'\n' => out.push_str("\\n"),
        b'\r' => out.push_str("\\r"),
        b'\t' => out.push_str("\\t"),
        0x08 => out.push_str("\\b"),
        0x0c => out.push_str("\\f"),
        _ => {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
}

#[cfg(test)]
mod tests;
