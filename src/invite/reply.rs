//! The iTIP messages pim sends: REPLY to an invitation (only what a reply
//! carries, RFC 5546 §3.2.3 — never DESCRIPTION or attachments), and for events we
//! organise the REQUEST after accepting a counter-proposal or a DECLINECOUNTER.

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message, MultiPart, SinglePart};

use crate::formats::contentline::write_component;
use crate::formats::ics::PRODID;
use crate::model::{Component, Property};

use super::apply::{ATTACHMENT_PROP, Settings, set_our_partstat};
use super::{Answer, Itip, Method, address_of};

/// Why an iTIP message cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the invitation names no ORGANIZER to reply to")]
    NoOrganizer,
    #[error("no own address configured")]
    NoOwnAddress,
    #[error("invalid address {address:?}: {reason}")]
    BadAddress { address: String, reason: String },
    #[error("cannot build the message: {0}")]
    Message(String),
}

/// An outgoing iTIP message, ready for SMTP.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub from: String,
    pub to: Vec<String>,
    pub message: Vec<u8>,
    /// The calendar object alone (for tests and `--json` output).
    pub ics: String,
}

fn utc_stamp(now: chrono::DateTime<chrono::Utc>) -> String {
    now.format("%Y%m%dT%H%M%SZ").to_string()
}

/// `p` for the `icalendar` writer, which escapes TEXT values itself: those are
/// handed over unescaped (our model keeps the escaped wire form). Multi-valued
/// parameters go pre-quoted (the writer passes a quoted value through).
fn to_ical(p: &Property) -> icalendar::Property {
    let probe = icalendar::Property::new(&p.name, "");
    let value = if probe.value_type() == Some(icalendar::ValueType::Text) {
        p.text_value()
    } else {
        p.value.clone()
    };
    let mut out = icalendar::Property::new(&p.name, &value);
    for param in &p.params {
        let v = match param.values.as_slice() {
            [one] => one.clone(),
            many => many
                .iter()
                .map(|v| format!("\"{v}\""))
                .collect::<Vec<_>>()
                .join(","),
        };
        out.add_parameter(&param.name, &v);
    }
    out
}

/// A one-VEVENT iTIP object built with the `icalendar` crate's typed builder.
/// Only for a component without sub-components and with one of each property but
/// ATTENDEE/COMMENT: its writer keeps one value per property name and gives every
/// sub-component a random UID and DTSTAMP (invalid in a VALARM); whole events go
/// through [`calendar`] instead.
fn itip_calendar(method: &str, comp: &Component) -> String {
    use icalendar::Component as _;
    debug_assert!(comp.subs.is_empty(), "sub-components need `calendar`");
    let mut event = icalendar::Event::new();
    for p in &comp.props {
        if matches!(p.name.as_str(), "ATTENDEE" | "COMMENT") {
            event.append_multi_property(to_ical(p));
        } else {
            event.append_property(to_ical(p));
        }
    }
    let mut cal = icalendar::Calendar::empty();
    cal.append_property(("VERSION", "2.0"))
        .append_property(("PRODID", PRODID))
        .append_property(("METHOD", method))
        .push(event.done());
    cal.to_string()
}

/// A calendar object around a whole event (kept byte-exact by our own writer).
fn calendar(method: &str, comp: &Component) -> String {
    let mut out = String::new();
    out.push_str("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
    out.push_str(&format!("PRODID:{PRODID}\r\nMETHOD:{method}\r\n"));
    write_component(&mut out, comp);
    out.push_str("END:VCALENDAR\r\n");
    out
}

/// The VEVENT of a REPLY: UID, SEQUENCE, DTSTAMP, ORGANIZER, our ATTENDEE,
/// RECURRENCE-ID when answering one occurrence, and an optional COMMENT.
pub fn reply_component(
    itip: &Itip,
    answer: Answer,
    comment: Option<&str>,
    s: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Component {
    let mut full = itip.event.body.main.clone();
    set_our_partstat(&mut full, s, answer.partstat());
    let mut c = Component::new("VEVENT");
    c.props.push(Property::new("UID", itip.uid.clone()));
    c.props
        .push(Property::new("SEQUENCE", itip.sequence.to_string()));
    c.props.push(Property::new("DTSTAMP", utc_stamp(now)));
    if let Some(o) = full.prop("ORGANIZER") {
        c.props.push(o.clone());
    }
    if let Some(me) = full
        .props
        .iter()
        .find(|p| p.name == "ATTENDEE" && s.me.contains(&address_of(&p.value)))
    {
        let mut me = me.clone();
        me.remove_param("RSVP");
        c.props.push(me);
    }
    if let Some(rid) = &itip.recurrence_id {
        c.props.push(rid.clone());
    }
    if let Some(text) = comment.filter(|t| !t.trim().is_empty()) {
        c.props.push(Property::text("COMMENT", text));
    }
    c
}

fn mailbox(addr: &str) -> Result<Mailbox, ReplyError> {
    addr.parse::<Mailbox>().map_err(|e| ReplyError::BadAddress {
        address: addr.to_string(),
        reason: e.to_string(),
    })
}

/// A whole RFC 5322 message: a short text part and the calendar object.
pub fn message(
    from: &str,
    to: &[String],
    subject: &str,
    text: &str,
    method: &str,
    ics: &str,
) -> Result<Vec<u8>, ReplyError> {
    let mut b = Message::builder()
        .from(mailbox(from)?)
        .subject(subject)
        .message_id(Some(format!(
            "<{}@pim.invalid>",
            uuid::Uuid::new_v4().simple()
        )));
    for t in to {
        b = b.to(mailbox(t)?);
    }
    let cal_type = ContentType::parse(&format!("text/calendar; method={method}; charset=UTF-8"))
        .map_err(|e| ReplyError::Message(e.to_string()))?;
    let m = b
        .multipart(
            MultiPart::alternative()
                .singlepart(SinglePart::plain(text.to_string()))
                .singlepart(SinglePart::builder().header(cal_type).body(ics.to_string())),
        )
        .map_err(|e| ReplyError::Message(e.to_string()))?;
    Ok(m.formatted())
}

/// Our REPLY to the organizer.
pub fn build_reply(
    itip: &Itip,
    answer: Answer,
    comment: Option<&str>,
    s: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Outgoing, ReplyError> {
    let organizer = itip
        .organizer()
        .map(|o| o.email)
        .filter(|e| !e.is_empty())
        .ok_or(ReplyError::NoOrganizer)?;
    let from = s.me.first().cloned().ok_or(ReplyError::NoOwnAddress)?;
    let comp = reply_component(itip, answer, comment, s, now);
    let ics = itip_calendar(Method::Reply.as_str(), &comp);
    let word = match answer {
        Answer::Accept => "Accepted",
        Answer::Tentative => "Tentative",
        Answer::Decline => "Declined",
    };
    let summary = itip.summary();
    let mut text = format!("{from} has {} \"{summary}\".", word.to_lowercase());
    if let Some(c) = comment {
        text.push_str(&format!("\n\n{c}"));
    }
    let to = vec![organizer];
    let message = message(
        &from,
        &to,
        &format!("{word}: {summary}"),
        &text,
        "REPLY",
        &ics,
    )?;
    Ok(Outgoing {
        from,
        to,
        message,
        ics,
    })
}

/// After accepting a counter-proposal: the updated event as a REQUEST to the
/// attendee who proposed it. DECLINECOUNTER when `event` is None.
pub fn build_counter_answer(
    itip: &Itip,
    event: Option<&Component>,
    s: &Settings,
    proposer: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Outgoing, ReplyError> {
    let from = s.me.first().cloned().ok_or(ReplyError::NoOwnAddress)?;
    let (method, comp, word) = match event {
        Some(ev) => {
            let mut c = ev.clone();
            c.props.retain(|p| p.name != ATTACHMENT_PROP);
            c.props.retain(|p| p.name != "DTSTAMP");
            c.props.push(Property::new("DTSTAMP", utc_stamp(now)));
            ("REQUEST", c, "Updated")
        }
        None => {
            let mut c = Component::new("VEVENT");
            c.props.push(Property::new("UID", itip.uid.clone()));
            c.props
                .push(Property::new("SEQUENCE", itip.sequence.to_string()));
            c.props.push(Property::new("DTSTAMP", utc_stamp(now)));
            c.props
                .push(Property::new("ORGANIZER", format!("mailto:{from}")));
            c.props
                .push(Property::new("ATTENDEE", format!("mailto:{proposer}")));
            if let Some(rid) = &itip.recurrence_id {
                c.props.push(rid.clone());
            }
            ("DECLINECOUNTER", c, "Declined proposal")
        }
    };
    // The updated event is whole (alarms, any property): our writer. The
    // DECLINECOUNTER is a few properties: the builder.
    let ics = if event.is_some() {
        calendar(method, &comp)
    } else {
        itip_calendar(method, &comp)
    };
    let to = vec![proposer.to_string()];
    let summary = itip.summary();
    let message = message(
        &from,
        &to,
        &format!("{word}: {summary}"),
        &format!("{word}: \"{summary}\"."),
        method,
        &ics,
    )?;
    Ok(Outgoing {
        from,
        to,
        message,
        ics,
    })
}
