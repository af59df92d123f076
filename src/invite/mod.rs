//! Meeting invitations (iMIP, RFC 6047 / iTIP, RFC 5546; DESIGN.md §7): read an
//! iTIP calendar object, decide what it does to the calendar, build the REPLY,
//! decode fetched MIME parts. The use cases (scan, answer, park, outbox) are in
//! [`crate::app::invites`]; what is remembered is in [`crate::store::invitations`].

pub mod apply;
pub mod authority;
pub mod part;
pub mod piped;
pub mod reply;

use serde::{Deserialize, Serialize};

use crate::formats::ics::{calendar_properties, read_ics, scan};
use crate::model::{Kind, Property, Record};
use crate::store::invitations::InvitationStatus;

/// Largest calendar part pim reads (real invitations are a few KB).
pub const MAX_CALENDAR_BYTES: u64 = 1024 * 1024;

/// What an iTIP message asks for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Method {
    Request,
    Cancel,
    Reply,
    Counter,
    Publish,
    Refresh,
    Add,
    Declinecounter,
}

impl Method {
    pub fn parse(s: &str) -> Option<Method> {
        Some(match s.trim().to_ascii_uppercase().as_str() {
            "REQUEST" => Method::Request,
            "CANCEL" => Method::Cancel,
            "REPLY" => Method::Reply,
            "COUNTER" => Method::Counter,
            "PUBLISH" => Method::Publish,
            "REFRESH" => Method::Refresh,
            "ADD" => Method::Add,
            "DECLINECOUNTER" => Method::Declinecounter,
            _ => return None,
        })
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
            Method::Reply => "REPLY",
            Method::Counter => "COUNTER",
            Method::Publish => "PUBLISH",
            Method::Refresh => "REFRESH",
            Method::Add => "ADD",
            Method::Declinecounter => "DECLINECOUNTER",
        }
    }
}

/// An answer to an invitation (our PARTSTAT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    Accept,
    Tentative,
    Decline,
}

impl Answer {
    pub fn partstat(self) -> &'static str {
        match self {
            Answer::Accept => "ACCEPTED",
            Answer::Tentative => "TENTATIVE",
            Answer::Decline => "DECLINED",
        }
    }
    /// The invitation status after answering.
    pub fn status(self) -> InvitationStatus {
        match self {
            Answer::Accept => InvitationStatus::Accepted,
            Answer::Tentative => InvitationStatus::Tentative,
            Answer::Decline => InvitationStatus::Declined,
        }
    }

    /// The answer a PARTSTAT stands for (NEEDS-ACTION, DELEGATED...: none).
    pub fn from_partstat(partstat: &str) -> Option<Answer> {
        match partstat.trim().to_ascii_uppercase().as_str() {
            "ACCEPTED" => Some(Answer::Accept),
            "TENTATIVE" => Some(Answer::Tentative),
            "DECLINED" => Some(Answer::Decline),
            _ => None,
        }
    }
}

/// One ATTENDEE (or the ORGANIZER) of an invitation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub email: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partstat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
}

impl Person {
    pub fn from_property(p: &Property) -> Person {
        Person {
            email: address_of(&p.value),
            name: p.param("CN").map(str::to_string),
            partstat: p.param("PARTSTAT").map(|s| s.to_ascii_uppercase()),
            role: p.param("ROLE").map(str::to_string),
        }
    }
}

/// `mailto:Anna@Example.org` → `anna@example.org`.
pub fn address_of(value: &str) -> String {
    let v = value.trim();
    let v = if v.len() >= 7 && v[..7].eq_ignore_ascii_case("mailto:") {
        &v[7..]
    } else {
        v
    };
    v.trim().to_ascii_lowercase()
}

/// A readable iTIP object: its method and the event it carries.
#[derive(Debug, Clone)]
pub struct Itip {
    pub method: Method,
    /// The event as received: `body.main` is the master, or the single occurrence
    /// when the message is about one occurrence only (then `recurrence_id` is set).
    pub event: Record,
    pub uid: String,
    pub sequence: u32,
    /// Raw DTSTAMP value (UTC, `YYYYMMDDTHHMMSSZ`), compares as text.
    pub dtstamp: String,
    pub recurrence_id: Option<Property>,
}

impl Itip {
    pub fn organizer(&self) -> Option<Person> {
        self.event.prop("ORGANIZER").map(Person::from_property)
    }
    pub fn attendees(&self) -> Vec<Person> {
        self.event
            .props_named("ATTENDEE")
            .map(Person::from_property)
            .collect()
    }
    pub fn summary(&self) -> String {
        self.event.text("SUMMARY").unwrap_or_default()
    }
    pub fn location(&self) -> Option<String> {
        self.event.text("LOCATION")
    }
}

/// A window holding the event's first occurrence: around its DTSTART (cheap to
/// expand even for a daily series).
pub fn first_window(
    itip: &Itip,
    local: crate::model::zonedb::Tz,
) -> Option<(chrono::DateTime<chrono::Utc>, chrono::DateTime<chrono::Utc>)> {
    let start = itip.event.prop("DTSTART")?;
    let when = crate::model::time::When::from_property(start).ok()?;
    let t = crate::model::tz::instant(&when, &itip.event.body.timezones, local);
    Some((t - chrono::Duration::days(1), t + chrono::Duration::days(2)))
}

/// Why a calendar part is not a usable iTIP object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ItipError {
    #[error("calendar part of {0} bytes is larger than {MAX_CALENDAR_BYTES}")]
    TooLarge(usize),
    #[error("no VCALENDAR in the calendar part")]
    NoCalendar,
    #[error("no METHOD: not an invitation (a plain calendar file)")]
    NoMethod,
    #[error("unknown METHOD {0:?}")]
    UnknownMethod(String),
    #[error("no VEVENT in the calendar part (only events are handled)")]
    NoEvent,
    #[error("VEVENT at line {0} has no UID")]
    NoUid(usize),
    #[error("line {line}: {reason}")]
    Unreadable { line: usize, reason: String },
    #[error("no readable VEVENT")]
    NoReadableEvent,
    #[error("SEQUENCE {0:?} is not a number")]
    BadSequence(String),
    #[error("event {0:?} has no DTSTART")]
    NoStart(String),
    #[error("the {method} carries {} events ({}): an invitation is about one", uids.len(), uids.join(", "))]
    SeveralUids {
        method: &'static str,
        uids: Vec<String>,
    },
    #[error("{method} for {uid:?} has no ORGANIZER")]
    NoOrganizer { method: &'static str, uid: String },
}

/// Read the iTIP object of a `text/calendar` part. `content_method` is the
/// `method=` parameter of its Content-Type, used when the body has no METHOD.
pub fn parse_itip(text: &str, content_method: Option<&str>) -> Result<Itip, ItipError> {
    if text.len() as u64 > MAX_CALENDAR_BYTES {
        return Err(ItipError::TooLarge(text.len()));
    }
    if !text.to_ascii_uppercase().contains("BEGIN:VCALENDAR") {
        return Err(ItipError::NoCalendar);
    }
    let method_prop = calendar_properties(text)
        .into_iter()
        .find(|p| p.name.eq_ignore_ascii_case("METHOD"))
        .map(|p| p.value);
    let method_text = method_prop
        .or_else(|| content_method.map(str::to_string))
        .ok_or(ItipError::NoMethod)?;
    let method = Method::parse(&method_text).ok_or(ItipError::UnknownMethod(method_text))?;
    let scanned = scan(text);
    let events: Vec<_> = scanned
        .blocks
        .iter()
        .filter(|b| b.comp.name == "VEVENT")
        .collect();
    if events.is_empty() {
        return Err(ItipError::NoEvent);
    }
    if let Some(b) = events
        .iter()
        .find(|b| b.comp.prop("UID").is_none_or(|u| u.value.trim().is_empty()))
    {
        return Err(ItipError::NoUid(b.line));
    }
    // One UID per iTIP message (RFC 5546 §3.1.1); only a PUBLISH may share more.
    let mut uids: Vec<String> = Vec::new();
    for b in &events {
        let uid = b.comp.prop("UID").map(|u| u.value.trim().to_string());
        if let Some(uid) = uid.filter(|u| !uids.contains(u)) {
            uids.push(uid);
        }
    }
    if uids.len() > 1 && method != Method::Publish {
        return Err(ItipError::SeveralUids {
            method: method.as_str(),
            uids,
        });
    }
    let mut items = read_ics(text).into_iter();
    let event = loop {
        match items.next() {
            Some(Ok(item)) if item.record.kind == Kind::Event => break item.record,
            Some(Ok(_)) => continue,
            Some(Err(e)) => {
                return Err(ItipError::Unreadable {
                    line: e.line,
                    reason: e.reason,
                });
            }
            None => return Err(ItipError::NoReadableEvent),
        }
    };
    let uid = event.uid().unwrap_or_default().trim().to_string();
    let sequence = match event.prop("SEQUENCE") {
        None => 0,
        Some(p) => p
            .value
            .trim()
            .parse()
            .map_err(|_| ItipError::BadSequence(p.value.clone()))?,
    };
    let dtstamp = event
        .prop("DTSTAMP")
        .map(|p| p.value.trim().to_string())
        .unwrap_or_default();
    let recurrence_id = event.prop("RECURRENCE-ID").cloned();
    if matches!(method, Method::Request | Method::Publish | Method::Add)
        && event.prop("DTSTART").is_none()
        && recurrence_id.is_none()
    {
        return Err(ItipError::NoStart(uid));
    }
    if matches!(
        method,
        Method::Request | Method::Cancel | Method::Reply | Method::Counter
    ) && event.prop("ORGANIZER").is_none()
        && method != Method::Reply
    {
        return Err(ItipError::NoOrganizer {
            method: method.as_str(),
            uid,
        });
    }
    Ok(Itip {
        method,
        event,
        uid,
        sequence,
        dtstamp,
        recurrence_id,
    })
}

#[cfg(test)]
mod tests;
