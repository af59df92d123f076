//! Property test: generated contacts, events, tasks and notes survive export → import
//! unchanged through iCalendar, vCard 4.0, pim's JSON and a vdir folder.

use proptest::prelude::*;

use pim::formats::ics::{read_ics, write_ics};
use pim::formats::json::{read_json, write_json};
use pim::formats::vcard::{VcardVersion, read_vcf, write_vcf};
use pim::formats::vdir::{read_vdir, write_vdir};
use pim::model::{Component, Kind, Param, Property, Record};

/// Text with the characters that need escaping, folding across multi-byte characters,
/// and quotes, colons and newlines.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ,;:\\\\\"\n.éß€😀-]{1,120}")
        .unwrap()
        .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn param_value() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ,;:.é-]{1,20}").unwrap()
}

fn x_prop() -> impl Strategy<Value = Property> {
    (
        "[A-Z]{1,8}",
        proptest::option::of("[a-z][a-z0-9]{0,4}"),
        proptest::collection::vec(("[A-Z]{1,6}", param_value()), 0..3),
        text(),
    )
        .prop_map(|(name, group, params, value)| {
            let mut p = Property::text(&format!("X-{name}"), &value);
            p.group = group;
            for (n, v) in params {
                p.params.push(Param {
                    name: format!("X-{n}"),
                    values: vec![v],
                });
            }
            p
        })
}

fn utc() -> impl Strategy<Value = String> {
    (2000u32..2030, 1u32..13, 1u32..29, 0u32..24, 0u32..60)
        .prop_map(|(y, m, d, h, mi)| format!("{y:04}{m:02}{d:02}T{h:02}{mi:02}00Z"))
}

fn uid() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9@._/-]{1,40}"
}

fn record(kind: Kind) -> impl Strategy<Value = Record> {
    (
        uid(),
        text(),
        proptest::option::of(text()),
        utc(),
        utc(),
        proptest::collection::vec(x_prop(), 0..4),
        proptest::collection::vec(text(), 0..3),
        proptest::collection::vec(any::<u8>(), 0..64),
    )
        .prop_map(move |(uid, title, long, t1, t2, xs, emails, photo)| {
            let mut r = Record::new(kind, "c");
            r.body.main.props.clear();
            let props = &mut r.body.main.props;
            if kind == Kind::Contact {
                props.push(Property::new("VERSION", "4.0"));
            }
            props.push(Property::new("UID", uid));
            match kind {
                Kind::Contact => {
                    props.push(Property::text("FN", &title));
                    props.push(Property::new("N", "Doe;Jane;;;"));
                    for (i, e) in emails.iter().enumerate() {
                        let mut p = Property::text("EMAIL", e);
                        p.params.push(Param {
                            name: "TYPE".into(),
                            values: vec!["home".into(), "work".into()],
                        });
                        if i == 0 {
                            p.params.push(Param {
                                name: "PREF".into(),
                                values: vec!["1".into()],
                            });
                        }
                        props.push(p);
                    }
                    if !photo.is_empty() {
                        use base64::Engine;
                        let data = base64::engine::general_purpose::STANDARD.encode(&photo);
                        props.push(Property::new(
                            "PHOTO",
                            format!("data:image/png;base64,{data}"),
                        ));
                    }
                    if let Some(l) = &long {
                        props.push(Property::text("NOTE", l));
                    }
                }
                Kind::Event | Kind::Task => {
                    props.push(Property::new("DTSTAMP", t1.clone()));
                    props.push(Property::text("SUMMARY", &title));
                    if kind == Kind::Event {
                        props.push(Property::new("DTSTART", t1));
                        props.push(Property::new("DTEND", t2));
                    } else {
                        props.push(Property::new("DUE", t2));
                        props.push(Property::new("PRIORITY", "5"));
                    }
                    if let Some(l) = &long {
                        props.push(Property::text("DESCRIPTION", l));
                        let mut alarm = Component::new("VALARM");
                        alarm.props.push(Property::new("ACTION", "DISPLAY"));
                        alarm.props.push(Property::new("TRIGGER", "-PT15M"));
                        alarm.props.push(Property::text("DESCRIPTION", l));
                        r.body.main.subs.push(alarm);
                    }
                    for e in &emails {
                        r.body.main.props.push(
                            Property::new("ATTENDEE", format!("mailto:{}@x.org", e.len()))
                                .with_param("CN", e.split(['"', '\n']).next().unwrap_or("x")),
                        );
                    }
                }
                Kind::Note => {
                    props.push(Property::new("DTSTAMP", t1));
                    props.push(Property::text("SUMMARY", &title));
                    if let Some(l) = &long {
                        props.push(Property::text("DESCRIPTION", l));
                    }
                }
            }
            r.body.main.props.extend(xs);
            r
        })
}

fn records() -> impl Strategy<Value = Vec<Record>> {
    (
        proptest::collection::vec(record(Kind::Contact), 0..3),
        proptest::collection::vec(record(Kind::Event), 0..3),
        proptest::collection::vec(record(Kind::Task), 0..3),
        proptest::collection::vec(record(Kind::Note), 0..3),
    )
        .prop_map(|(a, b, c, d)| {
            let mut all: Vec<Record> = a.into_iter().chain(b).chain(c).chain(d).collect();
            // UIDs are unique per kind in a real collection.
            let mut seen = std::collections::HashSet::new();
            all.retain(|r| seen.insert((r.kind, r.uid().unwrap().to_string())));
            all
        })
}

fn bodies(rs: &[Record]) -> Vec<(Kind, pim::model::Body)> {
    let mut v: Vec<_> = rs.iter().map(|r| (r.kind, r.body.clone())).collect();
    v.sort_by_key(|(k, b)| (*k, b.main.prop("UID").unwrap().value.clone()));
    v
}

fn ok<T: std::fmt::Debug, E: std::fmt::Debug>(items: Vec<Result<T, E>>) -> Vec<T> {
    items.into_iter().map(|i| i.expect("reads back")).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn ics_round_trip(rs in records()) {
        let cal: Vec<Record> = rs.into_iter().filter(|r| r.kind != Kind::Contact).collect();
        let refs: Vec<&Record> = cal.iter().collect();
        let back: Vec<Record> = ok(read_ics(&write_ics(&refs))).into_iter().map(|i| i.record).collect();
        prop_assert_eq!(bodies(&back), bodies(&cal));
    }

    #[test]
    fn vcf_round_trip(rs in records()) {
        let cards: Vec<Record> = rs.into_iter().filter(|r| r.kind == Kind::Contact).collect();
        let refs: Vec<&Record> = cards.iter().collect();
        let back: Vec<Record> = ok(read_vcf(write_vcf(&refs, VcardVersion::V4).as_bytes()))
            .into_iter().map(|i| i.record).collect();
        prop_assert_eq!(bodies(&back), bodies(&cards));
    }

    #[test]
    fn json_round_trip(rs in records()) {
        let named: Vec<(&Record, &str)> = rs.iter().map(|r| (r, "Home")).collect();
        let back = ok(read_json(&write_json(&named, pim::model::zonedb::UTC)));
        prop_assert_eq!(back.len(), rs.len());
        for (b, r) in back.iter().zip(&rs) {
            prop_assert_eq!(&b.item.record.id, &r.id);
            prop_assert_eq!(b.item.record.kind, r.kind);
            prop_assert_eq!(&b.item.record.body, &r.body);
            prop_assert_eq!(b.collection.as_deref(), Some("Home"));
        }
    }

    #[test]
    fn vdir_round_trip(rs in records()) {
        let dir = tempfile::tempdir().unwrap();
        let refs: Vec<&Record> = rs.iter().collect();
        write_vdir(dir.path(), &[("Home".to_string(), refs)], VcardVersion::V4).unwrap();
        let mut back = Vec::new();
        for f in read_vdir(dir.path()).unwrap() {
            prop_assert_eq!(f.collection.as_deref(), Some("Home"));
            back.extend(ok(f.items).into_iter().map(|i| i.record));
        }
        prop_assert_eq!(bodies(&back), bodies(&rs));
    }
}
