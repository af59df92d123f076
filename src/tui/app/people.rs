//! The selected contact's upcoming and recent events (its detail pane), loaded by
//! the worker through `app::people` whenever another contact is selected.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Utc};

use super::{App, Tab};
use crate::app::people;
use crate::store::Store;
use crate::tui::worker::Request;

/// One event line of the pane.
#[derive(Debug, Clone, PartialEq)]
pub struct PersonLine {
    pub when: String,
    pub title: String,
    pub role: &'static str,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct PersonLines {
    pub upcoming: Vec<PersonLine>,
    pub recent: Vec<PersonLine>,
}

/// What the pane shows and which contact it belongs to.
#[derive(Debug, Clone, Default)]
pub struct PersonPane {
    pub contact_id: Option<String>,
    requested: Option<String>,
    pub lines: PersonLines,
}

impl PersonPane {
    pub fn take(&mut self, contact_id: String, lines: PersonLines) {
        if self.requested.as_deref() == Some(contact_id.as_str()) {
            self.requested = None;
        }
        self.contact_id = Some(contact_id);
        self.lines = lines;
    }

    /// The lines for `contact_id`, once loaded.
    pub fn of(&self, contact_id: &str) -> Option<&PersonLines> {
        (self.contact_id.as_deref() == Some(contact_id)).then_some(&self.lines)
    }
}

impl App {
    /// Ask for the selected contact's events when the pane shows another one's.
    pub(crate) fn want_person_events(&mut self) {
        if self.tab != Tab::Contacts {
            return;
        }
        let Some(id) = self.contacts.selected().map(|r| r.id.clone()) else {
            return;
        };
        if self.person.contact_id.as_deref() == Some(id.as_str())
            || self.person.requested.as_deref() == Some(id.as_str())
        {
            return;
        }
        self.person.requested = Some(id.clone());
        self.request(Request::PersonEvents {
            contact_id: id,
            now: self.now,
        });
    }
}

/// The worker's side: the contact's events as pane lines, in the user's zone.
pub fn lines(
    store: &Store,
    contact_id: &str,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<PersonLines, crate::store::StoreError> {
    let Some(contact) = store.get(contact_id)? else {
        return Ok(PersonLines::default());
    };
    let found = people::events_of(store, &contact, now, tz)?;
    let line = |e: &people::PersonEvent| {
        let o = &e.occurrence;
        PersonLine {
            when: if o.all_day {
                o.start.format("%a %d %b").to_string()
            } else {
                o.start
                    .with_timezone(&tz)
                    .format("%a %d %b %H:%M")
                    .to_string()
            },
            title: e.event.title(),
            role: e.role.as_str(),
        }
    };
    Ok(PersonLines {
        upcoming: found.upcoming.iter().map(line).collect(),
        recent: found.recent.iter().map(line).collect(),
    })
}

/// An event's people: organizer first, then attendees, each with its address.
#[derive(Debug, Clone, PartialEq)]
pub struct PeopleDialog {
    pub title: String,
    /// (what is shown, the address)
    pub people: Vec<(String, String)>,
    pub selected: usize,
}

impl App {
    pub(super) fn open_people(&mut self) {
        let Some(occ) = self.calendar.selected_occ() else {
            self.info("nothing selected");
            return;
        };
        let r = occ.record.clone();
        let mut people = Vec::new();
        for (name, role) in [("ORGANIZER", "organizer"), ("ATTENDEE", "")] {
            for p in r.props_named(name) {
                let address = people::address_of(p);
                let shown = match (p.param("CN"), role) {
                    (Some(cn), "") => format!("{cn} <{address}>"),
                    (Some(cn), role) => format!("{cn} <{address}> ({role})"),
                    (None, "") => address.clone(),
                    (None, role) => format!("{address} ({role})"),
                };
                people.push((shown, address));
            }
        }
        if people.is_empty() {
            self.info("no organizer or attendees");
            return;
        }
        self.overlay = Some(super::Overlay::People(PeopleDialog {
            title: r.title(),
            people,
            selected: 0,
        }));
    }

    pub(super) fn on_people_key(
        &mut self,
        mut d: PeopleDialog,
        key: crossterm::event::KeyEvent,
    ) -> Option<super::Overlay> {
        use crossterm::event::KeyCode;
        match key.code {
            KeyCode::Esc | KeyCode::Char('q') => None,
            KeyCode::Enter => {
                let address = d.people[d.selected].1.clone();
                self.request(Request::ContactFor(address));
                None
            }
            KeyCode::Up | KeyCode::Char('k') => {
                d.selected = d.selected.saturating_sub(1);
                Some(super::Overlay::People(d))
            }
            KeyCode::Down | KeyCode::Char('j') => {
                d.selected = (d.selected + 1).min(d.people.len() - 1);
                Some(super::Overlay::People(d))
            }
            _ => Some(super::Overlay::People(d)),
        }
    }
}
