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
