//! Pure data: records, collections, properties, change records. No I/O.

pub mod borrowed;
pub mod change;
pub mod duration;
pub mod fields;
pub mod listed;
pub mod phone;
pub mod plain;
pub mod property;
pub mod stored_json;
pub mod sync_state;
pub mod time;
pub mod tz;
pub mod zonedb;

use serde::{Deserialize, Serialize};

pub use change::{Change, FieldChange, Op};
pub use fields::FieldValue;
pub use property::{Component, MAX_COMPONENT_DEPTH, Param, Property};
pub use time::When;

/// The four kinds of record pim keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Contact,
    Event,
    Task,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Contact, Kind::Event, Kind::Task, Kind::Note];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Contact => "contact",
            Kind::Event => "event",
            Kind::Task => "task",
            Kind::Note => "note",
        }
    }

    /// The collection kind word used in `pim collections`.
    pub fn collection_word(self) -> &'static str {
        match self {
            Kind::Contact => "addressbook",
            Kind::Event => "calendar",
            Kind::Task => "tasklist",
            Kind::Note => "notebook",
        }
    }

    /// The iCalendar/vCard component that holds this kind.
    pub fn component(self) -> &'static str {
        match self {
            Kind::Contact => "VCARD",
            Kind::Event => "VEVENT",
            Kind::Task => "VTODO",
            Kind::Note => "VJOURNAL",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        // The stored forms (every row read names one) without a lowercased copy.
        match s {
            "event" => return Some(Kind::Event),
            "contact" => return Some(Kind::Contact),
            "task" => return Some(Kind::Task),
            "note" => return Some(Kind::Note),
            _ => {}
        }
        match s.to_ascii_lowercase().as_str() {
            "contact" | "contacts" | "addressbook" | "addressbooks" => Some(Kind::Contact),
            "event" | "events" | "calendar" | "calendars" => Some(Kind::Event),
            "task" | "tasks" | "tasklist" | "tasklists" | "todo" | "todos" => Some(Kind::Task),
            "note" | "notes" | "notebook" | "notebooks" | "journal" => Some(Kind::Note),
            _ => None,
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The stored content of a record: one calendar object resource or one vCard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Body {
    /// VCARD / VEVENT / VTODO / VJOURNAL, with its sub-components (VALARM, ...).
    #[serde(rename = "m")]
    pub main: Component,
    /// Instances that override single occurrences (`RECURRENCE-ID`).
    #[serde(rename = "o", default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Component>,
    /// VTIMEZONE definitions the record refers to, kept as they came.
    #[serde(rename = "z", default, skip_serializing_if = "Vec::is_empty")]
    pub timezones: Vec<Component>,
}

impl Body {
    /// The deepest nesting of its components (see [`MAX_COMPONENT_DEPTH`]).
    pub fn depth(&self) -> usize {
        std::iter::once(&self.main)
            .chain(&self.overrides)
            .chain(&self.timezones)
            .map(Component::depth)
            .max()
            .unwrap_or(0)
    }
}

/// A contact, event, task or note.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub id: String,
    pub kind: Kind,
    /// Collection id.
    pub collection: String,
    pub body: Body,
}

impl Record {
    /// A new empty record with a fresh id, and a UID equal to that id.
    pub fn new(kind: Kind, collection: &str) -> Record {
        let id = new_id();
        let mut main = Component::new(kind.component());
        main.props.push(Property::new("UID", id.clone()));
        if kind == Kind::Contact {
            main.props.insert(0, Property::new("VERSION", "4.0"));
        }
        Record {
            id,
            kind,
            collection: collection.to_string(),
            body: Body {
                main,
                overrides: Vec::new(),
                timezones: Vec::new(),
            },
        }
    }

    pub fn prop(&self, name: &str) -> Option<&Property> {
        self.body.main.prop(name)
    }

    pub fn text(&self, name: &str) -> Option<String> {
        self.prop(name).map(Property::text_value)
    }

    pub fn props_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Property> + 'a {
        self.body.main.props_named(name)
    }

    pub fn uid(&self) -> Option<&str> {
        self.prop("UID").map(|p| p.value.as_str())
    }

    /// Replace every instance of `name` by `new` (keeping the place of the first one).
    pub fn set_props(&mut self, name: &str, new: Vec<Property>) {
        let props = &mut self.body.main.props;
        let pos = props.iter().position(|p| p.name.eq_ignore_ascii_case(name));
        props.retain(|p| !p.name.eq_ignore_ascii_case(name));
        let at = pos.unwrap_or(props.len()).min(props.len());
        for (i, p) in new.into_iter().enumerate() {
            props.insert(at + i, p);
        }
    }

    pub fn set_text(&mut self, name: &str, text: &str) {
        self.set_props(name, vec![Property::text(name, text)]);
    }

    pub fn remove(&mut self, name: &str) {
        self.set_props(name, Vec::new());
    }

    /// A short human title: summary, full name or note title.
    pub fn title(&self) -> String {
        let key = match self.kind {
            Kind::Contact => "FN",
            _ => "SUMMARY",
        };
        self.text(key).unwrap_or_default()
    }

    /// Whether this event or task repeats.
    pub fn is_recurring(&self) -> bool {
        self.prop("RRULE").is_some() || self.prop("RDATE").is_some()
    }
}

/// A new random record id (UUID v4, hyphenated).
pub fn new_id() -> String {
    // From the thread's generator (a CSPRNG seeded once from the OS): an import of
    // 10 000 items made 20 000 `getrandom` calls with `Uuid::new_v4`.
    uuid::Builder::from_random_bytes(rand::random())
        .into_uuid()
        .to_string()
}

/// An address book, calendar, task list or notebook.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collection {
    pub id: String,
    pub kind: Kind,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// Whether sync carries this collection.
    pub sync: bool,
    /// Alarms as the user typed them (`-10m, end+5m`): what new events or tasks of a
    /// calendar or task list get, or the reminders of an address book's birthdays
    /// and anniversaries. Synced with the name and colour.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_alarms: Option<String>,
}

#[cfg(test)]
mod kind_tests {
    use super::Kind;

    #[test]
    fn kinds_parse_from_their_stored_names_and_any_case() {
        for k in [Kind::Contact, Kind::Event, Kind::Task, Kind::Note] {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(Kind::parse(&k.as_str().to_ascii_uppercase()), Some(k));
        }
        assert_eq!(Kind::parse("Todos"), Some(Kind::Task));
        assert_eq!(Kind::parse("eventx"), None);
    }
}
