//! The part of a record a listing row shows, stored beside its body (the store's
//! `listed` column) so `pim list` reads a few hundred bytes per record, in listing
//! order, instead of every body in the table.
//!
//! A listed body is an ordinary [`Body`] holding only the properties a row reads:
//! the code that draws a row from a stored body draws the same row from it (a test in
//! `cli::records::rows` holds the two equal).

use super::{Body, Component, Kind, Property, Record};

/// The properties a row of `kind` reads, by name (`None`: its rows are not drawn
/// from a listed body).
pub fn listed_properties(kind: Kind) -> Option<&'static [&'static str]> {
    match kind {
        Kind::Task => Some(&["STATUS", "DUE", "PRIORITY", "SUMMARY"]),
        Kind::Contact => Some(&["FN", "EMAIL", "TEL", "ORG"]),
        Kind::Note => Some(&["SUMMARY", "DESCRIPTION"]),
        Kind::Event => None,
    }
}

/// How much of a note's text its row shows, in characters.
pub const NOTE_TEXT_CHARS: usize = 60;

/// How much of a note's text is kept for its row: an escape (`\n`) is two characters
/// for one shown, so twice [`NOTE_TEXT_CHARS`] suffice; a megabyte of text must not
/// sit in the listing index.
const NOTE_TEXT_KEPT: usize = 4 * NOTE_TEXT_CHARS;

/// The parameters a row reads (of a due: see `When::from_value`).
const ROW_PARAMS: &[&str] = &["VALUE", "TZID"];

/// What a listing row of `r` reads, or `None` when its row needs the whole body: an
/// event (listed by occurrence), a repeating task (its row is its open occurrence).
pub fn listed_body(r: &Record) -> Option<Body> {
    let names = listed_properties(r.kind)?;
    if r.kind == Kind::Task && r.is_recurring() {
        return None;
    }
    let main = &r.body.main;
    let props = main
        .props
        .iter()
        .filter(|p| names.iter().any(|n| p.name.eq_ignore_ascii_case(n)))
        .map(|p| Property {
            group: None,
            name: p.name.clone(),
            // A row reads only how a due is written (a date, a zone): the rest
            // (TYPE, LANGUAGE, …) would take room in every index entry.
            params: p
                .params
                .iter()
                .filter(|x| ROW_PARAMS.iter().any(|n| x.name.eq_ignore_ascii_case(n)))
                .cloned()
                .collect(),
            value: match r.kind == Kind::Note && p.name.eq_ignore_ascii_case("DESCRIPTION") {
                true => p.value.chars().take(NOTE_TEXT_KEPT).collect(),
                false => p.value.clone(),
            },
        })
        .collect();
    // A due in a zone of the record's own (a VTIMEZONE it carries) needs that zone.
    let timezones = match r.kind {
        Kind::Task => r.body.timezones.clone(),
        _ => Vec::new(),
    };
    Some(Body {
        main: Component {
            name: main.name.clone(),
            props,
            subs: Vec::new(),
        },
        overrides: Vec::new(),
        timezones,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(kind: Kind, props: &[(&str, &str)]) -> Record {
        let mut main = Component::new(match kind {
            Kind::Task => "VTODO",
            Kind::Contact => "VCARD",
            Kind::Note => "VJOURNAL",
            Kind::Event => "VEVENT",
        });
        main.props = props.iter().map(|(n, v)| Property::new(n, *v)).collect();
        Record {
            id: "x".into(),
            kind,
            collection: "c".into(),
            body: Body {
                main,
                overrides: Vec::new(),
                timezones: Vec::new(),
            },
        }
    }

    #[test]
    fn keeps_only_the_listed_properties_in_their_order() {
        let r = record(
            Kind::Contact,
            &[
                ("UID", "u"),
                ("EMAIL", "a@x"),
                ("FN", "Ada"),
                ("NOTE", "long"),
                ("email", "b@x"),
            ],
        );
        let mut r = r;
        r.body.main.props[1] = Property::new("EMAIL", "a@x").with_param("TYPE", "work");
        let b = listed_body(&r).expect("contacts are listed");
        assert!(
            b.main.props.iter().all(|p| p.params.is_empty()),
            "TYPE is not shown: {b:?}"
        );
        let kept: Vec<(&str, &str)> = b
            .main
            .props
            .iter()
            .map(|p| (p.name.as_str(), p.value.as_str()))
            .collect();
        assert_eq!(kept, [("EMAIL", "a@x"), ("FN", "Ada"), ("EMAIL", "b@x")]);
    }

    #[test]
    fn events_and_repeating_tasks_need_their_whole_body() {
        assert!(listed_body(&record(Kind::Event, &[("SUMMARY", "s")])).is_none());
        let repeating = record(Kind::Task, &[("SUMMARY", "s"), ("RRULE", "FREQ=DAILY")]);
        assert!(listed_body(&repeating).is_none());
        let mut task = record(Kind::Task, &[("SUMMARY", "s")]);
        task.body
            .main
            .props
            .push(Property::new("DUE", "20260101").with_param("VALUE", "DATE"));
        let listed = listed_body(&task).expect("a task that does not repeat");
        assert_eq!(
            listed.main.props, task.body.main.props,
            "how its due is written"
        );
    }
}
