//! Invitations a mail client pipes in (`pim invites import FILE|-`) and answers
//! written as a ready-to-send message instead of sent (`--reply-to FILE|-`): pim
//! inside mutt or aerc, with or without an account of its own. An imported
//! invitation lives in no mailbox, so nothing is parked.

use super::answer::{Answered, Parking, recheck_authority, refuse_suspicious};
use super::{InviteError, Result, Unusable};
use crate::invite::apply::{self, Settings};
use crate::invite::piped::read_piped;
use crate::invite::reply::{Outgoing, ReplyError, build_reply};
use crate::invite::{Answer, Method, parse_itip};
use crate::store::Store;
use crate::store::invitations::{Invitation, InvitationStatus, PartInfo};

/// The folder an imported invitation is listed under.
pub const IMPORTED: &str = "(imported)";

/// What importing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub id: i64,
    /// The same message was imported (or scanned) before: nothing new was stored.
    pub known: bool,
    pub status: InvitationStatus,
    /// Why it cannot be used, when it cannot.
    pub error: Option<String>,
}

/// Store the invitation in `bytes` (an .eml or a bare .ics with METHOD) under
/// `account` ("" when there is none) and apply what applies by itself, as a scan
/// would: updates and cancellations from the organizer, replies to our events.
pub fn import(store: &mut Store, bytes: &[u8], account: &str, s: &Settings) -> Result<Imported> {
    let piped = read_piped(bytes)?;
    let mut inv = Invitation::found(IMPORTED, 0, 0);
    inv.from = piped.from;
    inv.sender = piped.sender;
    inv.subject = piped.subject;
    inv.date = piped.date;
    inv.authentication_results = piped.authentication_results;
    inv.content_method = piped.content_method;
    inv.ics = piped.ics;
    inv.calendar_part = "1".into();
    inv.attachments = piped
        .attachments
        .into_iter()
        .enumerate()
        .map(|(i, (name, content_type, size))| PartInfo {
            part: format!("{}", i + 2),
            name,
            content_type,
            size,
            // Counted on the decoded part: the message was read whole.
            size_exact: true,
        })
        .collect();
    let itip = parse_itip(&inv.ics, inv.content_method.as_deref());
    // A bare calendar has no Message-ID: the object itself identifies it, so the
    // same file imported twice is one invitation.
    inv.message_id = if piped.message_id.is_empty() {
        match &itip {
            Ok(i) => format!(
                "<{}.{}.{}@imported.pim.invalid>",
                i.method.as_str(),
                i.sequence,
                i.uid
            ),
            Err(_) => format!("<{:x}@imported.pim.invalid>", fnv(inv.ics.as_bytes())),
        }
    } else {
        piped.message_id
    };
    let Some(id) = store.insert_invitation(account, &inv)? else {
        let existing = store
            .invitations(None)?
            .into_iter()
            .find(|i| i.message_id == inv.message_id)
            .ok_or(InviteError::NoInvitation(0))?;
        return Ok(Imported {
            id: existing.id,
            known: true,
            status: existing.status,
            error: existing.error,
        });
    };
    inv.id = id;
    match itip {
        Ok(itip) => apply::on_scan(store, &mut inv, &itip, s)?,
        Err(why) => inv.error = Some(Unusable::from(why).to_string()),
    }
    store.save_invitation(&inv)?;
    Ok(Imported {
        id,
        known: false,
        status: inv.status,
        error: inv.error,
    })
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Answer invitation `req.id` here: write the event with our answer and build the
/// RFC 5546 REPLY as a whole message for the caller to hand to a mail client.
/// Nothing is sent and nothing is parked.
pub fn answer_to_message(
    store: &mut Store,
    id: i64,
    answer: Answer,
    calendar: &str,
    comment: Option<&str>,
    s: &Settings,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(Answered, std::result::Result<Outgoing, ReplyError>)> {
    let (_, mut inv, itip) = super::readable(store, id)?;
    refuse_suspicious(&inv)?;
    if itip.method != Method::Request {
        return Err(InviteError::NothingToAnswer {
            id,
            method: itip.method.as_str(),
        });
    }
    recheck_authority(store, &mut inv, &itip, s)?;
    let event = apply::answer(store, &itip, answer, calendar, &[], s)?;
    inv.event_id = event.clone();
    inv.status = answer.status();
    store.save_invitation(&inv)?;
    let reply = build_reply(&itip, answer, comment, s, now);
    Ok((
        Answered {
            id,
            status: inv.status,
            event,
            parking: Parking::NotInMailbox,
            reply: None,
        },
        reply,
    ))
}

/// Our own address for answering when no account (or alias) names it: the one
/// attendee of the invitation who is not its organizer.
pub fn lone_attendee(store: &Store, id: i64) -> Result<Option<String>> {
    let (_, _, itip) = super::readable(store, id)?;
    let organizer = itip.organizer().map(|o| o.email.to_lowercase());
    let others: Vec<String> = itip
        .attendees()
        .into_iter()
        .map(|a| a.email.to_lowercase())
        .filter(|e| Some(e) != organizer.as_ref() && !e.is_empty())
        .collect();
    Ok(match others.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    })
}
