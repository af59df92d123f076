//! The view written from a body read in place is the record view, byte for byte.

use crate::model::zonedb::Tz;
use proptest::prelude::*;

use super::*;
use crate::formats::view::record_json;
use crate::formats::view_contact::ContactJson;
use crate::formats::view_event::EventView;
use crate::model::{Body, Component, Param, Property, Record};

/// What `--json` listings write for `r`: the typed views where a listing uses them,
/// and the `Value` view (the contract of issue 2) for every kind.
fn owned_views(r: &Record, collection: &str, local: Tz) -> Vec<String> {
    let mut views = vec![serde_json::to_string(&record_json(r, collection, local)).unwrap()];
    match r.kind {
        Kind::Event => views.push(
            serde_json::to_string(&EventView::for_record(r, collection).record(local)).unwrap(),
        ),
        Kind::Contact => {
            views.push(serde_json::to_string(&ContactJson::new(r, collection)).unwrap())
        }
        Kind::Task | Kind::Note => {}
    }
    views
}

/// The view of `r` written from its stored body, read in place.
fn view_in_place(r: &Record, collection: &str, local: Tz) -> String {
    let stored = serde_json::to_string(&r.body).unwrap();
    let body = BodyRef::parse(&stored).unwrap();
    let mut out = String::new();
    write_view(&mut out, &r.id, r.kind, &body, collection, local);
    let mut direct = String::new();
    write_view(
        &mut direct,
        &r.id,
        r.kind,
        &BodyRef::from(&r.body),
        collection,
        local,
    );
    assert_eq!(out, direct);
    out
}

pub(crate) fn assert_same_view(r: &Record, collection: &str, local: Tz) {
    let written = view_in_place(r, collection, local);
    for owned in owned_views(r, collection, local) {
        assert_eq!(written, owned, "{r:#?}");
    }
}

/// Texts with JSON and iCalendar escapes, control characters, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    proptest::string::string_regex("[a-zA-Z0-9 ,;:\\\\\"\\n\\r\\t\u{1}\u{7f}é€😀/-]{0,10}").unwrap()
}

/// Values that read as times, dates, durations, addresses and numbers, and text.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        text(),
        prop::sample::select(vec![
            "20260302T090000",
            "20260302T090000Z",
            "20260302",
            " 20261231T235959 ",
            "99991231T235959",
            "00010101T000000Z",
            "20260229",
            "1985-04-12",
            "--0412",
            "19850412T101010",
            "123é456",
            "P1D",
            "PT30M",
            "-P2W",
            "mailto:ann@example.org",
            "MAILTO:Bob@example.org",
            "Mailto:c@d",
            "0",
            " 5",
            "+7",
            "100",
            "300",
            "NEEDS-action",
            "a,,b\\,c",
            ";Street 1;;Town;;123;Land;Extra",
            "Doe;Jane;Q;Dr.;",
            "Acme\\; Inc;Lab",
        ])
        .prop_map(str::to_string),
    ]
}

fn property() -> impl Strategy<Value = Property> {
    let names = prop::sample::select(vec![
        "SUMMARY",
        "summary",
        "DESCRIPTION",
        "LOCATION",
        "STATUS",
        "DTSTART",
        "DTEND",
        "DURATION",
        "DUE",
        "COMPLETED",
        "RRULE",
        "RDATE",
        "EXDATE",
        "ATTENDEE",
        "ORGANIZER",
        "CATEGORIES",
        "UID",
        "PRIORITY",
        "PERCENT-COMPLETE",
        "RELATED-TO",
        "FN",
        "N",
        "ADR",
        "EMAIL",
        "TEL",
        "ORG",
        "BDAY",
        "ANNIVERSARY",
        "NOTE",
        "TITLE",
        "URL",
        "PHOTO",
        "X-OTHER",
    ]);
    let param_names = prop::sample::select(vec![
        "TYPE", "type", "TZID", "VALUE", "CN", "PARTSTAT", "ROLE", "RSVP", "RELTYPE", "",
    ]);
    let param_values = prop_oneof![
        prop::sample::select(vec![
            "DATE",
            "date-time",
            "Europe/Berlin",
            "Odd",
            "Nowhere/Special",
            "W. Europe Standard Time",
            "home,WORK",
            "CELL",
            "TRUE",
            "true",
            "false",
            "PARENT",
            "child",
        ])
        .prop_map(str::to_string),
        text(),
    ];
    (
        names,
        proptest::collection::vec(
            (param_names, proptest::collection::vec(param_values, 0..3)),
            0..3,
        ),
        value(),
    )
        .prop_map(|(name, params, value)| Property {
            group: None,
            name: name.to_string(),
            params: params
                .into_iter()
                .map(|(name, values)| Param {
                    name: name.to_string(),
                    values,
                })
                .collect(),
            value,
        })
}

fn alarm() -> impl Strategy<Value = Component> {
    (
        prop::sample::select(vec!["VALARM", "valarm", "X-OTHER"]),
        proptest::collection::vec(
            (
                prop::sample::select(vec!["ACTION", "trigger", "X"]),
                value(),
            ),
            0..3,
        ),
    )
        .prop_map(|(name, props)| Component {
            name: name.to_string(),
            props: props
                .into_iter()
                .map(|(n, v)| Property::new(n, v))
                .collect(),
            subs: Vec::new(),
        })
}

/// VTIMEZONEs a zoned value may name (`Odd` is no known zone).
fn timezone() -> impl Strategy<Value = Component> {
    (
        prop::sample::select(vec!["Odd", "Europe/Berlin", "Nowhere/Special"]),
        proptest::option::of(prop::sample::select(vec!["Asia/Tokyo", "Not/AZone"])),
        prop::sample::select(vec!["STANDARD", "DAYLIGHT", "standard"]),
        prop::sample::select(vec!["+0530", "-0100", "+013015", "bad"]),
    )
        .prop_map(|(tzid, location, part, offset)| {
            let mut z = Component::new("VTIMEZONE");
            z.props.push(Property::new("TZID", tzid));
            if let Some(l) = location {
                z.props.push(Property::new("X-LIC-LOCATION", l));
            }
            let mut p = Component {
                name: part.to_string(),
                props: Vec::new(),
                subs: Vec::new(),
            };
            p.props.push(Property::new("TZOFFSETTO", offset));
            z.subs.push(p);
            z
        })
}

fn record() -> impl Strategy<Value = (Record, Tz)> {
    (
        prop::sample::select(Kind::ALL.to_vec()),
        proptest::collection::vec(property(), 0..12),
        proptest::collection::vec(alarm(), 0..3),
        proptest::collection::vec(timezone(), 0..2),
        prop::sample::select(vec!["UTC", "America/New_York", "Asia/Kolkata"]),
    )
        .prop_map(|(kind, props, subs, timezones, local)| {
            let mut r = Record::new(kind, "c");
            r.id = "id-1".into();
            r.body = Body {
                main: Component {
                    name: kind.component().to_string(),
                    props,
                    subs,
                },
                overrides: Vec::new(),
                timezones,
            };
            (r, local.parse().unwrap())
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]
    #[test]
    fn the_view_of_a_body_read_in_place_is_the_record_view((r, local) in record(), name in text()) {
        assert_same_view(&r, &name, local);
    }
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let mut all = String::new();
    for b in 0u8..=0x7f {
        all.push(char::from(b));
    }
    all.push_str("é€😀\u{2028}");
    let mut out = String::new();
    string(&mut out, &all);
    assert_eq!(out, serde_json::to_string(&all).unwrap());
}

proptest! {
    #[test]
    fn text_is_unescaped_then_escaped_as_serde_json_escapes_it(
        s in "[a-z \\\\\"\\n\\r\\t\u{1}\u{1f}\u{7f}é😀nN,;]{0,40}"
    ) {
        let mut out = String::new();
        string(&mut out, &s);
        prop_assert_eq!(&out, &serde_json::to_string(&s).unwrap());
        let mut out = String::new();
        super::text(&mut out, &s);
        let want = serde_json::to_string(&crate::model::property::unescape_text(&s)).unwrap();
        prop_assert_eq!(out, want);
    }
}
