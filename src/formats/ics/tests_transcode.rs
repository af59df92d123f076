//! The transcoder writes what the general writer writes from the body read whole,
//! and notes the same time zones.

use proptest::prelude::*;

use super::transcode::{Facts, Transcoder};
use super::write::{CalendarZones, write_components};
use crate::model::borrowed::BodyRef;
use crate::model::{Body, Component, Param, Property};

fn one_of(items: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(items).prop_map(str::to_string)
}

/// Values as events hold them: dates in zones, rules, text with escapes, quotes,
/// separators, non-ASCII and long runs (folded).
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        one_of(&[
            "20260302T090000",
            "20260302T090000,20270101T100000",
            "2026/P1D",
            "+123",
            "x",
            "FREQ=WEEKLY",
            "FREQ=DAILY;COUNT=3",
            "FREQ=DAILY;UNTIL=20310101T000000Z",
            "FREQ=DAILY;UNTIL=2029",
            "FREQ=YEARLY;UNTIL=x",
            "",
        ]),
        proptest::string::string_regex("[a-z0-9 ,;:\"\\\\\\né😀\u{1}/]{0,20}").unwrap(),
        proptest::string::string_regex("[aé😀 ]{70,160}").unwrap(),
    ]
}

fn param() -> impl Strategy<Value = Param> {
    let tzid = one_of(&[
        "Europe/Berlin",
        "America/New_York",
        "Mars/Base",
        "",
        "Europe/Berlin\"x",
        "W. Europe Standard Time",
    ]);
    prop_oneof![
        8 => (one_of(&["TZID", "tzid"]), proptest::collection::vec(tzid, 1..3))
            .prop_map(|(name, values)| Param { name, values }),
        8 => (one_of(&["CN", "X-P", "VALUE"]), proptest::collection::vec(value(), 0..3))
            .prop_map(|(name, values)| Param { name, values }),
        1 => proptest::collection::vec(value(), 1..2)
            .prop_map(|values| Param { name: String::new(), values }),
    ]
}

fn property() -> impl Strategy<Value = Property> {
    let name = one_of(&[
        "DTSTART", "DTEND", "RRULE", "rrule", "SUMMARY", "EXDATE", "RDATE", "TZID", "X-ÉTÉ",
    ]);
    (
        proptest::option::weighted(0.1, one_of(&["item1", "a\"b"])),
        name,
        proptest::collection::vec(param(), 0..3),
        value(),
    )
        .prop_map(|(group, name, params, value)| Property {
            group,
            name,
            params,
            value,
        })
}

fn component(names: &'static [&'static str]) -> impl Strategy<Value = Component> {
    let leaf =
        (one_of(names), proptest::collection::vec(property(), 0..5)).prop_map(|(name, props)| {
            Component {
                name,
                props,
                subs: Vec::new(),
            }
        });
    leaf.prop_recursive(2, 8, 2, |inner| {
        (
            one_of(&["VALARM", "STANDARD"]),
            proptest::collection::vec(property(), 0..4),
            proptest::collection::vec(inner, 0..2),
        )
            .prop_map(|(name, props, subs)| Component { name, props, subs })
    })
}

fn body() -> impl Strategy<Value = Body> {
    (
        component(&["VEVENT", "VTODO"]),
        proptest::collection::vec(component(&["VEVENT"]), 0..2),
        proptest::collection::vec(component(&["VTIMEZONE"]), 0..3),
    )
        .prop_map(|(main, overrides, timezones)| Body {
            main,
            overrides,
            timezones,
        })
}

/// Several records, some bodies repeated (a zone seen before), each at a place.
fn records() -> impl Strategy<Value = Vec<((usize, String, String), String)>> {
    let any = prop_oneof![
        4 => body(),
        1 => crate::model::borrowed::fast::tests::body(),
    ];
    let place = (0usize..2, one_of(&["a", "b", "c"]), one_of(&["1", "2"]));
    proptest::collection::vec((place, any), 1..8).prop_map(|records| {
        let mut out: Vec<_> = records
            .into_iter()
            .map(|(p, b)| (p, serde_json::to_string(&b).unwrap()))
            .collect();
        if out.len() > 2 {
            let again = out[0].1.clone();
            out[1].1 = again;
        }
        out
    })
}

/// Whether the general writer's own rewrite applies (a bare parameter), or a
/// string the transcoder reads as a name holds a JSON escape: the only bodies in
/// the store's form it leaves to the general writer.
fn left_to_general_writer(b: &Body) -> bool {
    fn escaped(s: &str) -> bool {
        s.contains(|c: char| c == '"' || c == '\\' || c < ' ')
    }
    fn odd(c: &Component) -> bool {
        escaped(&c.name)
            || c.props.iter().any(|p| {
                p.group.as_deref().is_some_and(escaped)
                    || escaped(&p.name)
                    || p.params.iter().any(|x| {
                        x.name.is_empty()
                            || escaped(&x.name)
                            || (x.name.eq_ignore_ascii_case("TZID")
                                && x.values.iter().any(|v| escaped(v)))
                    })
            })
            || c.subs.iter().any(odd)
    }
    fn odd_zone(z: &Component) -> bool {
        escaped(&z.name)
            || z.props.iter().any(|p| escaped(&p.name))
            || z.prop("TZID").is_some_and(|p| escaped(&p.value))
    }
    odd(&b.main) || b.overrides.iter().any(odd) || b.timezones.iter().any(odd_zone)
}

proptest! {
    #[test]
    fn transcribed_calendars_are_those_the_general_writer_writes(records in records()) {
        let mut general = CalendarZones::default();
        let mut transcribed = CalendarZones::default();
        for ((g, key, id), stored) in &records {
            let place = (*g, key.as_str(), id.as_str());
            let body = BodyRef::parse(stored).unwrap();
            let mut want = String::new();
            general.note(place, &body);
            write_components(&mut want, &body);
            let mut got = String::from("kept");
            transcribed.write_stored(&mut got, place, stored).unwrap();
            prop_assert_eq!(&got["kept".len()..], want.as_str());
            // The transcoder itself wrote it, unless the body is one it leaves.
            let owned = crate::model::borrowed::read_body(stored).unwrap();
            let mut out = String::new();
            let read = Transcoder::default().write(&mut out, stored, &mut Facts::default());
            prop_assert_eq!(read, !left_to_general_writer(&owned), "{}", stored);
        }
        prop_assert_eq!(transcribed.head(), general.head());
    }

    #[test]
    fn damaged_bodies_are_read_as_the_general_reader_reads_them(
        records in records(), cut in 0usize..600, byte in 0u8..128,
    ) {
        let stored = &records[0].1;
        let at = cut.min(stored.len());
        if !stored.is_char_boundary(at) {
            return Ok(());
        }
        let mut changed = stored.clone();
        changed.insert(at, byte as char);
        for damaged in [&stored[..at], changed.as_str()] {
            let mut zones = CalendarZones::default();
            let mut got = String::from("kept");
            let written = zones.write_stored(&mut got, (0, "", ""), damaged);
            match BodyRef::parse(damaged) {
                Ok(body) => {
                    let mut want = String::from("kept");
                    write_components(&mut want, &body);
                    prop_assert!(written.is_ok());
                    prop_assert_eq!(got, want);
                }
                Err(e) => {
                    prop_assert_eq!(written.unwrap_err().to_string(), e.to_string());
                    prop_assert_eq!(got, "kept");
                }
            }
        }
    }
}

/// `json` with the characters of its string values (not its keys) written as
/// other escapes where `picks` says so (cycled): `\uXXXX` in either case (a
/// surrogate pair past the BMP), `\/`, and the short escapes serde writes (`\n`,
/// `\"`) as `\u` ones. The same body; serde_json never writes it so. Only values
/// (`"v"`) unless the first pick says names and groups too (those bodies are left
/// to the general writer).
fn reescaped(json: &str, picks: &[u8]) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let mut k = 0;
    let mut pick = || {
        k += 1;
        match picks.is_empty() {
            true => 0,
            false => picks[k % picks.len()],
        }
    };
    let u = |out: &mut String, c: char, upper: bool| {
        let mut units = [0u16; 2];
        for unit in c.encode_utf16(&mut units) {
            match upper {
                true => out.push_str(&format!("\\u{unit:04X}")),
                false => out.push_str(&format!("\\u{unit:04x}")),
            }
        }
    };
    let mut chars = json.chars();
    // Whether each open container is an object, and whether a key comes next.
    let mut objects: Vec<bool> = Vec::new();
    let mut key_next = false;
    let names_too = picks.first().is_some_and(|p| p % 5 == 0);
    let mut last_key = String::new();
    while let Some(c) = chars.next() {
        match c {
            '{' | '[' => {
                objects.push(c == '{');
                key_next = c == '{';
            }
            '}' | ']' => {
                objects.pop();
            }
            ',' => key_next = objects.last() == Some(&true),
            ':' => key_next = false,
            _ => {}
        }
        out.push(c);
        if c != '"' {
            continue;
        }
        let is_key = key_next;
        key_next = false;
        if is_key {
            last_key.clear();
        }
        let kept = is_key || !(names_too || last_key == "v");
        while let Some(c) = chars.next() {
            let p = if kept { 5 } else { pick() };
            if is_key && c != '"' {
                last_key.push(c);
            }
            match c {
                '"' => {
                    out.push('"');
                    break;
                }
                '\\' => {
                    let e = chars.next().expect("an escape");
                    let decoded = match e {
                        'n' => Some('\n'),
                        'r' => Some('\r'),
                        't' => Some('\t'),
                        '"' => Some('"'),
                        '\\' => Some('\\'),
                        _ => None,
                    };
                    match decoded {
                        Some(d) if p % 2 == 0 => u(&mut out, d, p % 4 == 0),
                        _ => {
                            out.push('\\');
                            out.push(e);
                            if e == 'u' {
                                out.extend(chars.by_ref().take(4));
                            }
                        }
                    }
                }
                '/' if p % 3 == 0 => out.push_str("\\/"),
                c if p % 3 == 1 => u(&mut out, c, p % 2 == 0),
                c => out.push(c),
            }
        }
    }
    out
}

/// Components nested `levels` deep (the outermost named `name`).
fn nested(name: &str, levels: usize) -> Component {
    let mut c = Component {
        name: "X".into(),
        props: vec![
            Property::new("TZID", "Europe/Berlin"),
            Property::new("DTSTART", "20260302T090000").with_param("TZID", "Europe/Berlin"),
        ],
        subs: Vec::new(),
    };
    for _ in 1..levels {
        c = Component {
            name: "X".into(),
            props: Vec::new(),
            subs: vec![c],
        };
    }
    c.name = name.into();
    c
}

/// What the general writer makes of `records` in the order given (one writer,
/// one pass), or the error of the first body it cannot read.
fn general(records: &[((usize, String, String), String)]) -> (String, Vec<String>) {
    let mut zones = CalendarZones::default();
    let mut parts = Vec::new();
    for ((g, key, id), stored) in records {
        let mut out = String::new();
        match BodyRef::parse(stored) {
            Ok(body) => {
                zones.note((*g, key.as_str(), id.as_str()), &body);
                write_components(&mut out, &body);
            }
            Err(e) => out = format!("error: {e}"),
        }
        parts.push(out);
    }
    (zones.head(), parts)
}

/// The same through [`CalendarZones::write_stored`], each record given to one of
/// two writers (`split`, cycled) whose zones are merged, as the export's threads do.
fn transcribed(
    records: &[((usize, String, String), String)],
    split: &[bool],
) -> (String, Vec<String>) {
    let mut zones = [CalendarZones::default(), CalendarZones::default()];
    let mut parts = Vec::new();
    for (i, ((g, key, id), stored)) in records.iter().enumerate() {
        let which = split.get(i % split.len().max(1)).copied().unwrap_or(false);
        let mut out = String::new();
        if let Err(e) = zones[usize::from(which)].write_stored(
            &mut out,
            (*g, key.as_str(), id.as_str()),
            stored,
        ) {
            assert_eq!(out, "", "nothing written for a body that cannot be read");
            out = format!("error: {e}");
        }
        parts.push(out);
    }
    let [mut first, second] = zones;
    first.merge(second);
    (first.head(), parts)
}

#[test]
fn bodies_nested_to_the_readers_limit_and_past_it_are_written_as_the_general_writer_does() {
    for levels in [1, 2, 8, 9, 63, 64, 65, 66] {
        let main = Body {
            main: nested("VEVENT", levels),
            overrides: Vec::new(),
            timezones: Vec::new(),
        };
        let zone = Body {
            main: Component::new("VEVENT"),
            overrides: vec![nested("VEVENT", levels)],
            timezones: vec![nested("VTIMEZONE", levels)],
        };
        let records: Vec<_> = [main, zone]
            .iter()
            .enumerate()
            .map(|(i, b)| {
                (
                    (0, "k".to_string(), i.to_string()),
                    serde_json::to_string(b).unwrap(),
                )
            })
            .collect();
        assert_eq!(
            transcribed(&records, &[false]),
            general(&records),
            "{levels} levels"
        );
    }
}

proptest! {
    /// Bodies in forms serde_json never writes (other escapes of the same strings)
    /// are written as the general writer writes them.
    #[test]
    fn reescaped_bodies_are_written_as_the_general_writer_writes_them(
        records in records(),
        picks in proptest::collection::vec(any::<u8>(), 0..16),
    ) {
        let records: Vec<_> = records
            .into_iter()
            .map(|(place, stored)| {
                let again = reescaped(&stored, &picks);
                let same = BodyRef::parse(&again).map(|b| b.to_body()).ok();
                assert_eq!(same, Some(BodyRef::parse(&stored).unwrap().to_body()), "{again}");
                (place, again)
            })
            .collect();
        prop_assert_eq!(transcribed(&records, &[false]), general(&records));
    }

    /// Records written by two writers in any order, their zones merged: the head
    /// is the one a single [`super::IcsWriter`] writes for the records in their
    /// places' order (for each TZID the VTIMEZONE of the first record that has one).
    #[test]
    fn zones_noted_in_any_order_on_two_writers_are_those_of_the_calendar_in_order(
        records in records(),
        picks in proptest::collection::vec(any::<u8>(), 0..16),
        split in proptest::collection::vec(any::<bool>(), 1..6),
        order in proptest::collection::vec(any::<u32>(), 8),
    ) {
        // Unique places; some bodies with other escapes (left to the general reader).
        let mut records: Vec<_> = records
            .into_iter()
            .enumerate()
            .map(|(i, ((g, key, id), stored))| {
                let stored = match i % 2 {
                    0 => stored,
                    _ => reescaped(&stored, &picks),
                };
                ((g, key, format!("{id}{i}")), stored)
            })
            .collect();
        let mut in_order = records.clone();
        in_order.sort_by(|a, b| a.0.cmp(&b.0));
        let mut writer = super::IcsWriter::default();
        let mut components = String::new();
        for (_, stored) in &in_order {
            let body = BodyRef::parse(stored).unwrap();
            writer.push_body(&body);
            write_components(&mut components, &body);
        }
        let (want_head, _) = writer.finish_parts();
        // Handled in another order, then put in order.
        let mut keyed: Vec<_> = records.drain(..).enumerate().collect();
        keyed.sort_by_key(|(i, _)| order[i % order.len()].rotate_left(*i as u32));
        let shuffled: Vec<_> = keyed.into_iter().map(|(_, r)| r).collect();
        let (head, parts) = transcribed(&shuffled, &split);
        let mut placed: Vec<_> = shuffled.iter().map(|r| &r.0).zip(parts).collect();
        placed.sort_by(|a, b| a.0.cmp(b.0));
        let written: String = placed.into_iter().map(|(_, part)| part).collect();
        prop_assert_eq!(written, components);
        prop_assert_eq!(head, want_head);
    }
}
