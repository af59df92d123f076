//! People and their events: the upcoming and recent events a contact attends or
//! organises (matched by e-mail address), and the contact behind an attendee.

use crate::model::zonedb::Tz;
use chrono::{DateTime, Duration, Utc};

use crate::model::{Kind, Property, Record};
use crate::recur::{Occurrence, expand};
use crate::store::{Store, StoreError};

/// How far back "recent" and ahead "upcoming" look, and how many of each are kept.
pub const RECENT_DAYS: i64 = 90;
pub const UPCOMING_DAYS: i64 = 365;
pub const SHOWN: usize = 5;
/// Occurrences of one series read from the recent window at most (hourly for 90 days).
const MAX_RECENT_SCAN: usize = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Organizer,
    Attendee,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organizer => "organizer",
            Role::Attendee => "attendee",
        }
    }
}

/// One occurrence of an event the person takes part in.
#[derive(Debug, Clone)]
pub struct PersonEvent {
    pub event: Record,
    pub occurrence: Occurrence,
    pub role: Role,
}

/// A contact's events: `recent` ended before now (latest last), `upcoming` have not
/// ended yet (earliest first); at most [`SHOWN`] of each.
#[derive(Debug, Clone, Default)]
pub struct PersonEvents {
    pub recent: Vec<PersonEvent>,
    pub upcoming: Vec<PersonEvent>,
}

/// The address of an ATTENDEE or ORGANIZER value (`mailto:` dropped), lower-cased.
pub fn address_of(p: &Property) -> String {
    let v = p.value.trim();
    let v = match v.get(..7) {
        Some(scheme) if scheme.eq_ignore_ascii_case("mailto:") => &v[7..],
        _ => v,
    };
    v.to_lowercase()
}

/// A contact's e-mail addresses, lower-cased.
pub fn addresses(contact: &Record) -> Vec<String> {
    contact
        .props_named("EMAIL")
        .map(|p| p.text_value().trim().to_lowercase())
        .filter(|a| !a.is_empty())
        .collect()
}

/// The role one of `addresses` has in `event`, if any (organising wins).
pub fn role_in(event: &Record, addresses: &[String]) -> Option<Role> {
    let named = |name: &str| {
        event
            .props_named(name)
            .any(|p| addresses.contains(&address_of(p)))
    };
    if named("ORGANIZER") {
        Some(Role::Organizer)
    } else if named("ATTENDEE") {
        Some(Role::Attendee)
    } else {
        None
    }
}

/// The events `contact` attends or organises around `now`.
pub fn events_of(
    store: &Store,
    contact: &Record,
    now: DateTime<Utc>,
    tz: Tz,
) -> Result<PersonEvents, StoreError> {
    let mine = addresses(contact);
    let mut found: Vec<PersonEvent> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let (from, to) = (
        now - Duration::days(RECENT_DAYS),
        now + Duration::days(UPCOMING_DAYS),
    );
    for address in &mine {
        for event in store.events_mentioning(address)? {
            if !seen.insert(event.id.clone()) {
                continue;
            }
            let Some(role) = role_in(&event, &mine) else {
                continue;
            };
            // A broken event must not hide the others. Past occurrences overlapping
            // the recent window (only the last ones are kept), then the next few.
            let (Ok(past), Ok(next)) = (
                expand(&event, from, now, tz, MAX_RECENT_SCAN),
                expand(&event, now, to, tz, SHOWN),
            ) else {
                continue;
            };
            let past = past.occurrences.into_iter().filter(|o| o.end <= now);
            for occurrence in past.chain(next.occurrences) {
                found.push(PersonEvent {
                    event: event.clone(),
                    occurrence,
                    role,
                });
            }
        }
    }
    found.sort_by_key(|e| (e.occurrence.start, e.event.id.clone()));
    let (mut recent, mut upcoming): (Vec<_>, Vec<_>) =
        found.into_iter().partition(|e| e.occurrence.end <= now);
    if recent.len() > SHOWN {
        recent.drain(..recent.len() - SHOWN);
    }
    upcoming.truncate(SHOWN);
    Ok(PersonEvents { recent, upcoming })
}

/// The contact with `address` (an attendee's or organiser's), if there is one:
/// the first by name when several share it.
pub fn contact_for(store: &Store, address: &str) -> Result<Option<Record>, StoreError> {
    let wanted = address.trim().to_lowercase();
    if wanted.is_empty() {
        return Ok(None);
    }
    Ok(store
        .search(&wanted, 50)?
        .into_iter()
        .filter(|r| r.kind == Kind::Contact)
        .find(|r| addresses(r).contains(&wanted)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// (summary, DTSTART, extra properties as (name, value))
    type TestEvent<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

    fn store_with(events: &[TestEvent]) -> (Store, Record) {
        let mut store = Store::open_in_memory().unwrap();
        let contacts = store.default_collection(Kind::Contact).unwrap().id;
        let cal = store.default_collection(Kind::Event).unwrap().id;
        let mut ada = Record::new(Kind::Contact, &contacts);
        ada.set_text("FN", "Ada Lovelace");
        ada.body
            .main
            .props
            .push(Property::new("EMAIL", "Ada@Example.org"));
        store.write(|w| w.create(&ada)).unwrap();
        for (summary, start, people) in events {
            let mut e = Record::new(Kind::Event, &cal);
            e.set_text("SUMMARY", summary);
            e.body.main.props.push(Property::new("DTSTART", *start));
            e.body.main.props.push(Property::new("DURATION", "PT1H"));
            for (name, value) in *people {
                e.body.main.props.push(Property::new(name, *value));
            }
            store.write(|w| w.create(&e)).unwrap();
        }
        (store, ada)
    }

    #[test]
    fn upcoming_and_recent_events_by_address_with_the_role() {
        let (store, ada) = store_with(&[
            (
                "Review",
                "20261210T100000Z",
                &[("ORGANIZER", "mailto:ada@example.org")],
            ),
            (
                "Standup",
                "20261201T090000Z",
                &[
                    ("ORGANIZER", "mailto:bob@example.org"),
                    ("ATTENDEE", "MAILTO:ADA@example.org"),
                ],
            ),
            (
                "Someone else's",
                "20261211T090000Z",
                &[("ATTENDEE", "mailto:ada@example.net")],
            ),
            (
                "Long ago",
                "20250101T090000Z",
                &[("ATTENDEE", "mailto:ada@example.org")],
            ),
        ]);
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
        let found = events_of(&store, &ada, now, crate::model::zonedb::UTC).unwrap();
        let titles = |v: &[PersonEvent]| -> Vec<(String, Role)> {
            v.iter().map(|e| (e.event.title(), e.role)).collect()
        };
        assert_eq!(
            titles(&found.upcoming),
            [("Review".into(), Role::Organizer)]
        );
        assert_eq!(titles(&found.recent), [("Standup".into(), Role::Attendee)]);
    }

    #[test]
    fn a_weekly_series_counts_each_occurrence_at_most_shown_times() {
        let (store, ada) = store_with(&[(
            "Weekly",
            "20261105T090000Z",
            &[
                ("RRULE", "FREQ=WEEKLY"),
                ("ATTENDEE", "mailto:ada@example.org"),
            ],
        )]);
        let now = Utc.with_ymd_and_hms(2026, 12, 5, 12, 0, 0).unwrap();
        let found = events_of(&store, &ada, now, crate::model::zonedb::UTC).unwrap();
        assert_eq!(found.recent.len(), 5);
        assert_eq!(found.upcoming.len(), 5);
        let first = found.upcoming[0].occurrence.start;
        assert_eq!(first.to_rfc3339(), "2026-12-10T09:00:00+00:00");
    }

    #[test]
    fn an_attendee_address_leads_to_its_contact() {
        let (store, ada) = store_with(&[]);
        let found = contact_for(&store, "ada@example.ORG").unwrap().unwrap();
        assert_eq!(found.id, ada.id);
        assert!(contact_for(&store, "ada@example.net").unwrap().is_none());
    }
}
