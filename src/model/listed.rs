//! The part of a record a listing row shows, stored beside its body (the store's
//! `listed` column) so `pim list` reads a few hundred bytes per record, in listing
//! order, instead of every body in the table.
//!
//! A listed body is an ordinary [`Body`] holding only the properties a row reads (the
//! first of each, but every address and number of a contact; of a note's body the
//! start its row shows): the code that draws a row from a stored body draws the same
//! row from it (tests in `cli::records::rows` hold the two equal).

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

/// Characters of a note's body its listing row shows (the start of it).
pub const NOTE_PREVIEW_CHARS: usize = 60;

/// The listed properties a row reads every one of (a contact's addresses and
/// numbers); of the others it reads the first, and only that one is kept.
const EVERY_ONE_READ: &[&str] = &["EMAIL", "TEL"];

/// The start of an escaped TEXT value that holds its first [`NOTE_PREVIEW_CHARS`]
/// characters once unescaped (an escape is two characters), cut between escapes: a
/// note of megabytes keeps a few hundred bytes here, not a copy of its body.
fn preview(value: &str) -> String {
    let Some((cut, _)) = value.char_indices().nth(2 * NOTE_PREVIEW_CHARS) else {
        return value.to_string();
    };
    let head = &value[..cut];
    let backslashes = head.len() - head.trim_end_matches('\\').len();
    // An odd run of backslashes at the end leaves the last one escaping what was cut.
    let head = match backslashes % 2 {
        1 => &head[..cut - 1],
        _ => head,
    };
    head.to_string()
}

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
    let mut props: Vec<Property> = Vec::new();
    for p in &main.props {
        let named = |n: &&str| p.name.eq_ignore_ascii_case(n);
        if !names.iter().any(named)
            || (!EVERY_ONE_READ.iter().any(named)
                && props.iter().any(|k| k.name.eq_ignore_ascii_case(&p.name)))
        {
            continue;
        }
        let value = match r.kind {
            Kind::Note if p.name.eq_ignore_ascii_case("DESCRIPTION") => preview(&p.value),
            _ => p.value.clone(),
        };
        props.push(Property {
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
            value,
        });
    }
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
    fn a_huge_note_or_repeated_property_keeps_the_listed_body_small() {
        let long = "word ".repeat(200_000);
        let r = record(
            Kind::Note,
            &[
                ("SUMMARY", "Big"),
                ("DESCRIPTION", &long),
                ("DESCRIPTION", &long),
                ("SUMMARY", "second"),
            ],
        );
        let b = listed_body(&r).expect("notes are listed");
        let json = serde_json::to_string(&b).unwrap();
        assert!(json.len() < 400, "{} bytes", json.len());
        let names: Vec<&str> = b.main.props.iter().map(|p| p.name.as_str()).collect();
        // A row reads the first of each (every EMAIL and TEL of a contact).
        assert_eq!(names, ["SUMMARY", "DESCRIPTION"]);
        assert!(long.starts_with(&b.main.props[1].value));
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
