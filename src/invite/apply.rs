//! What an iTIP message does to the calendar: updates and cancellations applied
//! while scanning, our answer written into the event, attendees' replies to
//! events we organise, and the attachment references kept on the event.

use crate::model::change::AttachmentRef;
use crate::model::{Component, Kind, Property, Record};
use crate::store::{Store, StoreError};

use super::authority::{Refusal, header_addresses, may_update, sender_among};
use super::{Answer, Itip, Method, address_of};
use crate::store::invitations::{Invitation, InvitationStatus};

type Result<T> = std::result::Result<T, StoreError>;

mod occurrence;
pub use occurrence::target;
use occurrence::{derived_occurrence, is_instance, same_rid, target_mut};

/// The property that carries one parked attachment on an event (travels with
/// the event's changes, so every synced device knows it).
pub const ATTACHMENT_PROP: &str = "X-PIM-ATTACHMENT";
/// On an attachment reference: its SIZE is the decoded size the server reported
/// or a fetch gave (without it, SIZE is estimated from BODYSTRUCTURE).
pub const SIZE_EXACT_PARAM: &str = "X-SIZE-EXACT";

/// Choices the user makes in config.toml (`[invitations]`).
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Our own addresses (lower case): the account's e-mail and aliases.
    pub me: Vec<String>,
    /// Declined invitations delete the event instead of keeping it marked.
    pub remove_declined: bool,
    /// Cancellations delete the event instead of marking it CANCELLED.
    pub remove_cancelled: bool,
}

impl Settings {
    pub(crate) fn is_me(&self, addr: &str) -> bool {
        let a = address_of(addr);
        self.me.contains(&a)
    }
}

/// The event with this UID, if we have it.
pub fn local_event(store: &Store, uid: &str) -> Result<Option<Record>> {
    Ok(store.by_uid(Kind::Event, uid)?.into_iter().next())
}

fn sequence_of(c: &Component) -> u32 {
    c.prop("SEQUENCE")
        .and_then(|p| p.value.trim().parse().ok())
        .unwrap_or(0)
}

fn dtstamp_of(c: &Component) -> String {
    c.prop("DTSTAMP")
        .map(|p| p.value.trim().to_string())
        .unwrap_or_default()
}

/// Whether `itip` is newer than what `c` holds (RFC 5546 §2.1.5).
pub fn is_newer(itip: &Itip, c: &Component) -> bool {
    let seq = sequence_of(c);
    itip.sequence > seq || (itip.sequence == seq && itip.dtstamp > dtstamp_of(c))
}

fn set_prop(c: &mut Component, p: Property) {
    c.props.retain(|q| !q.name.eq_ignore_ascii_case(&p.name));
    c.props.push(p);
}

/// Put `comp` (an occurrence, or the master when it has no RECURRENCE-ID) into `r`.
fn put_component(r: &mut Record, comp: Component, rid: Option<&Property>) {
    let keep: Vec<Property> = target(r, rid)
        .map(|c| c.props_named(ATTACHMENT_PROP).cloned().collect())
        .unwrap_or_default();
    let mut comp = comp;
    for p in keep {
        if !comp.props.contains(&p) {
            comp.props.push(p);
        }
    }
    match target_mut(r, rid) {
        Some(slot) => *slot = comp,
        None => r.body.overrides.push(comp),
    }
}

/// The organizer's object into `r`: one occurrence (`rid`), or the whole series:
/// its master, the occurrences it changed (moved, renamed: they came with it as
/// overrides) and the zones they name. Ours it does not mention stay (nothing
/// lost). `partstat`: our answer, on every component written.
fn put_series(
    r: &mut Record,
    incoming: &crate::model::Body,
    main: Component,
    rid: Option<&Property>,
    ours: Option<(&Settings, &str)>,
) {
    put_component(r, main, rid);
    if rid.is_some() {
        return;
    }
    for o in &incoming.overrides {
        let Some(orid) = o.prop("RECURRENCE-ID").cloned() else {
            continue;
        };
        let mut o = o.clone();
        if let Some((s, partstat)) = ours {
            set_our_partstat(&mut o, s, partstat);
        }
        put_component(r, o, Some(&orid));
    }
    for z in &incoming.timezones {
        let id = z.prop("TZID").map(|p| p.value.trim());
        r.body
            .timezones
            .retain(|t| t.prop("TZID").map(|p| p.value.trim()) != id);
        r.body.timezones.push(z.clone());
    }
}

/// The addresses a message came from: its `From`. `Sender` is not one of them:
/// no server checks it (DMARC aligns `From` only), so anyone sending from their
/// own domain could name the organizer there; a delegate's mail has the organizer
/// in `From` anyway.
pub fn senders(inv: &Invitation) -> Vec<String> {
    header_addresses(&inv.from)
}

fn refuse(inv: &mut Invitation, why: Refusal) {
    inv.status = InvitationStatus::Suspicious;
    inv.note = why.to_string();
}

/// What scanning does with a new invitation: apply updates, cancellations and
/// attendees' replies at once when their sender has the authority (RFC 5546);
/// leave requests and counters for the user; refuse the rest as suspicious.
pub fn on_scan(store: &mut Store, inv: &mut Invitation, itip: &Itip, s: &Settings) -> Result<()> {
    let local = local_event(store, &itip.uid)?;
    let rid = itip.recurrence_id.as_ref();
    inv.event_id = local.as_ref().map(|r| r.id.clone());
    let senders = senders(inv);
    match itip.method {
        Method::Request | Method::Publish | Method::Add => {
            let Some(mut ev) = local else {
                inv.status = InvitationStatus::New;
                inv.note = "new event".into();
                let organizer = itip.organizer().map(|o| o.email).unwrap_or_default();
                if senders.is_empty() {
                    // A bare calendar file (`pim invites import x.ics`) has no sender.
                    inv.note = "new event; no sender (a calendar file, not a message)".into();
                } else if !organizer.is_empty() && !senders.contains(&organizer) {
                    inv.note = format!(
                        "new event; sent by {} for the organizer {organizer}",
                        senders.join(", ")
                    );
                }
                return Ok(());
            };
            if let Err(why) = may_update(&ev, &senders, s) {
                refuse(inv, why);
                return Ok(());
            }
            let Some(current) = target(&ev, rid) else {
                if let Some(rid) = rid
                    && is_instance(&ev, rid)
                    && itip.sequence >= sequence_of(&ev.body.main)
                {
                    // The organizer changed one occurrence of a series we have: it
                    // lands on that occurrence (an override), the rest stays.
                    let base = ev.clone();
                    put_component(&mut ev, itip.event.body.main.clone(), Some(rid));
                    store.write(|w| w.update_from(&base, &ev))?;
                    inv.status = InvitationStatus::Update;
                    inv.note = format!("occurrence {} updated; answer again", rid.value.trim());
                    return Ok(());
                }
                inv.status = InvitationStatus::New;
                inv.note = "new occurrence of an event we have".into();
                return Ok(());
            };
            if !is_newer(itip, current) {
                let ours = our_partstat(current, s).filter(|p| p != "NEEDS-ACTION");
                let same =
                    itip.sequence == sequence_of(current) && itip.dtstamp == dtstamp_of(current);
                if let (Some(p), true) = (ours, same) {
                    // This device learnt the answer through sync (DELEGATED and the
                    // like leave nothing to answer here).
                    inv.status =
                        Answer::from_partstat(&p).map_or(InvitationStatus::Ignored, Answer::status);
                    inv.note = "answered on another device".into();
                    return Ok(());
                }
                inv.status = InvitationStatus::Outdated;
                inv.note = format!(
                    "not newer than the event we have (SEQUENCE {})",
                    sequence_of(current)
                );
                return Ok(());
            }
            let base = ev.clone();
            put_series(
                &mut ev,
                &itip.event.body,
                itip.event.body.main.clone(),
                rid,
                None,
            );
            store.write(|w| w.update_from(&base, &ev))?;
            inv.status = InvitationStatus::Update;
            inv.note = format!("event updated to SEQUENCE {}; answer again", itip.sequence);
        }
        Method::Cancel => {
            let Some(mut ev) = local else {
                inv.status = InvitationStatus::Ignored;
                inv.note = "cancels an event we do not have".into();
                return Ok(());
            };
            if let Err(why) = may_update(&ev, &senders, s) {
                refuse(inv, why);
                return Ok(());
            }
            if let Some(rid) = rid
                && target(&ev, Some(rid)).is_none()
                && !is_instance(&ev, rid)
            {
                // No phantom cancelled occurrence for a date the series never had.
                inv.status = InvitationStatus::Ignored;
                inv.note = format!(
                    "cancels occurrence {}, which the event does not have",
                    rid.value.trim()
                );
                return Ok(());
            }
            if target(&ev, rid).is_some_and(|c| sequence_of(c) > itip.sequence) {
                inv.status = InvitationStatus::Outdated;
                inv.note = "older than the event we have".into();
                return Ok(());
            }
            cancel(store, &mut ev, itip, s)?;
            inv.status = InvitationStatus::Applied;
            inv.note = match (rid, s.remove_cancelled) {
                (Some(_), _) => "occurrence cancelled".into(),
                (None, true) => "event removed (cancelled)".into(),
                (None, false) => "event marked cancelled".into(),
            };
        }
        Method::Reply => on_reply(store, inv, itip, local, &senders, s)?,
        Method::Counter => {
            let Some(ev) = local.filter(|r| organised_by_us(r, s)) else {
                inv.status = InvitationStatus::Ignored;
                inv.note = "a counter-proposal about an event we do not organise".into();
                return Ok(());
            };
            let invited = target(&ev, rid).unwrap_or(&ev.body.main);
            let attendees = invited.props_named("ATTENDEE").map(|p| p.value.as_str());
            if sender_among(&senders, attendees).is_none() {
                refuse(
                    inv,
                    Refusal::CounterFromStranger {
                        sender: senders.first().cloned().unwrap_or_default(),
                    },
                );
                return Ok(());
            }
            inv.status = InvitationStatus::New;
            inv.note = "counter-proposal: accept-counter or decline-counter".into();
        }
        Method::Declinecounter => {
            if let Some(ev) = &local
                && let Err(why) = may_update(ev, &senders, s)
            {
                refuse(inv, why);
                return Ok(());
            }
            inv.status = InvitationStatus::Ignored;
            inv.note = "DECLINECOUNTER is shown only".into();
        }
        Method::Refresh => {
            inv.status = InvitationStatus::Ignored;
            inv.note = "REFRESH is shown only".into();
        }
    }
    Ok(())
}

fn organised_by_us(r: &Record, s: &Settings) -> bool {
    r.prop("ORGANIZER").is_some_and(|o| s.is_me(&o.value))
}

/// An attendee's REPLY to an event we organise: only the sender's own ATTENDEE
/// entry changes (its PARTSTAT); a sender we did not invite is not added.
fn on_reply(
    store: &mut Store,
    inv: &mut Invitation,
    itip: &Itip,
    local: Option<Record>,
    senders: &[String],
    s: &Settings,
) -> Result<()> {
    let Some(mut ev) = local.filter(|r| organised_by_us(r, s)) else {
        inv.status = InvitationStatus::Ignored;
        inv.note = "a reply about an event we do not organise".into();
        return Ok(());
    };
    // Only the sender's PARTSTAT changes, on the event as stored when written.
    let base = ev.clone();
    let sender = senders.first().cloned().unwrap_or_default();
    let replied: Vec<&Property> = itip.event.props_named("ATTENDEE").collect();
    let Some(who) = sender_among(senders, replied.iter().map(|p| p.value.as_str())) else {
        let others: Vec<String> = replied.iter().map(|p| address_of(&p.value)).collect();
        refuse(
            inv,
            Refusal::ReplyForOthers {
                sender,
                others: others.join(", "),
            },
        );
        return Ok(());
    };
    let stat = replied
        .iter()
        .find(|p| address_of(&p.value) == who)
        .and_then(|p| p.param("PARTSTAT"))
        .unwrap_or("NEEDS-ACTION")
        .to_ascii_uppercase();
    let rid = itip.recurrence_id.as_ref();
    if let Some(rid) = rid
        && target(&ev, Some(rid)).is_none()
    {
        // An answer for one occurrence ("this event only"): it gets an override.
        let Some(occ) = derived_occurrence(&ev, rid) else {
            inv.status = InvitationStatus::Ignored;
            inv.note = format!(
                "a reply about occurrence {}, which the event does not have",
                rid.value.trim()
            );
            return Ok(());
        };
        ev.body.overrides.push(occ);
    }
    let entry = target_mut(&mut ev, rid).and_then(|c| {
        c.props
            .iter_mut()
            .find(|p| p.name == "ATTENDEE" && address_of(&p.value) == who)
    });
    let Some(entry) = entry else {
        refuse(inv, Refusal::NotInvited { sender: who });
        return Ok(());
    };
    entry.set_param("PARTSTAT", &stat);
    store.write(|w| w.update_from(&base, &ev))?;
    inv.status = InvitationStatus::Applied;
    inv.note = format!("{who}: {stat}");
    let ignored = itip.attendees().len() - 1;
    if ignored > 0 {
        inv.note
            .push_str(&format!(" ({ignored} entries for others ignored)"));
    }
    Ok(())
}

fn cancel(store: &mut Store, ev: &mut Record, itip: &Itip, s: &Settings) -> Result<()> {
    // Only what the cancellation changes is written, onto the event as stored now.
    let base = ev.clone();
    match itip.recurrence_id.as_ref() {
        None if s.remove_cancelled => {
            let id = ev.id.clone();
            store.write(|w| w.delete(&id).map(|_| ()))?;
        }
        None => {
            set_prop(&mut ev.body.main, Property::new("STATUS", "CANCELLED"));
            set_prop(
                &mut ev.body.main,
                Property::new("SEQUENCE", itip.sequence.to_string()),
            );
            store.write(|w| w.update_from(&base, ev))?;
        }
        Some(rid) => {
            if ev.body.main.prop("RECURRENCE-ID").is_some() && target(ev, Some(rid)).is_some() {
                // The only occurrence we have is the cancelled one.
                set_prop(&mut ev.body.main, Property::new("STATUS", "CANCELLED"));
            } else if s.remove_cancelled {
                let tzs = ev.body.timezones.clone();
                ev.body.overrides.retain(|o| {
                    !o.prop("RECURRENCE-ID")
                        .is_some_and(|p| same_rid(p, rid, &tzs))
                });
                let mut ex = rid.clone();
                ex.name = "EXDATE".into();
                ex.remove_param("RANGE");
                ev.body.main.props.push(ex);
            } else {
                // The occurrence as we hold it, marked: a CANCEL need not carry
                // its time or title (RFC 5546 §3.2.5).
                let mut occ = target(ev, Some(rid))
                    .cloned()
                    .or_else(|| derived_occurrence(ev, rid))
                    .unwrap_or_else(|| itip.event.body.main.clone());
                set_prop(&mut occ, Property::new("STATUS", "CANCELLED"));
                set_prop(
                    &mut occ,
                    Property::new("SEQUENCE", itip.sequence.to_string()),
                );
                put_component(ev, occ, Some(rid));
            }
            store.write(|w| w.update_from(&base, ev))?;
        }
    }
    Ok(())
}

/// Our PARTSTAT in `c`, if we are an attendee.
pub fn our_partstat(c: &Component, s: &Settings) -> Option<String> {
    c.props_named("ATTENDEE")
        .find(|p| s.is_me(&p.value))
        .and_then(|p| p.param("PARTSTAT"))
        .map(|p| p.to_ascii_uppercase())
}

/// Our ATTENDEE line in `c` with `partstat` (added when the invitation reached us
/// through an alias or a list). Returns our address as the organizer knows it.
pub fn set_our_partstat(c: &mut Component, s: &Settings, partstat: &str) -> String {
    if let Some(p) = c
        .props
        .iter_mut()
        .find(|p| p.name == "ATTENDEE" && s.is_me(&p.value))
    {
        p.set_param("PARTSTAT", partstat);
        p.remove_param("RSVP");
        return address_of(&p.value);
    }
    let me = s.me.first().cloned().unwrap_or_default();
    c.props
        .push(Property::new("ATTENDEE", format!("mailto:{me}")).with_param("PARTSTAT", partstat));
    me
}

/// The attachment references as event properties.
pub fn attachment_props(refs: &[AttachmentRef]) -> Vec<Property> {
    refs.iter()
        .map(|a| {
            let p = Property::text(ATTACHMENT_PROP, &a.filename)
                .with_param("X-FOLDER", &a.folder)
                .with_param("X-UIDVALIDITY", &a.uidvalidity.to_string())
                .with_param("X-UID", &a.uid.to_string())
                .with_param("X-MESSAGE-ID", &a.message_id)
                .with_param("X-PART", &a.part)
                .with_param("FMTTYPE", &a.content_type)
                .with_param("SIZE", &a.size.to_string());
            if a.size_exact {
                p.with_param(SIZE_EXACT_PARAM, "TRUE")
            } else {
                p
            }
        })
        .collect()
}

/// One `X-PIM-ATTACHMENT` property read back.
pub fn attachment_ref(p: &Property) -> AttachmentRef {
    let num = |k: &str| p.param(k).and_then(|v| v.parse().ok()).unwrap_or(0);
    AttachmentRef {
        folder: p.param("X-FOLDER").unwrap_or_default().to_string(),
        uidvalidity: num("X-UIDVALIDITY") as u32,
        uid: num("X-UID") as u32,
        message_id: p.param("X-MESSAGE-ID").unwrap_or_default().to_string(),
        part: p.param("X-PART").unwrap_or_default().to_string(),
        filename: p.text_value(),
        content_type: p.param("FMTTYPE").unwrap_or_default().to_string(),
        size: num("SIZE"),
        size_exact: p.param(SIZE_EXACT_PARAM) == Some("TRUE"),
    }
}

/// The parked attachments an event refers to (master and occurrences).
pub fn attachment_refs(r: &Record) -> Vec<AttachmentRef> {
    let comps = std::iter::once(&r.body.main).chain(r.body.overrides.iter());
    let mut out: Vec<AttachmentRef> = Vec::new();
    for c in comps {
        for p in c.props_named(ATTACHMENT_PROP) {
            let a = attachment_ref(p);
            if !out.contains(&a) {
                out.push(a);
            }
        }
    }
    out
}

/// Write our answer into the calendar. Returns the event id (None when a
/// declined invitation removed the event).
pub fn answer(
    store: &mut Store,
    itip: &Itip,
    answer: Answer,
    collection: &str,
    refs: &[AttachmentRef],
    s: &Settings,
) -> Result<Option<String>> {
    let rid = itip.recurrence_id.as_ref();
    let local = local_event(store, &itip.uid)?;
    if answer == Answer::Decline && s.remove_declined {
        if let Some(ev) = local {
            store.write(|w| w.delete(&ev.id).map(|_| ()))?;
        }
        return Ok(None);
    }
    let mut comp = itip.event.body.main.clone();
    set_our_partstat(&mut comp, s, answer.partstat());
    comp.props.retain(|p| p.name != ATTACHMENT_PROP);
    comp.props.extend(attachment_props(refs));
    let record = match local {
        Some(found) => {
            let refs = refs.to_vec();
            store.write(|w| {
                // Changed on the event as stored now (read in this transaction), so
                // an edit made meanwhile is not overwritten.
                let mut ev = w.get(&found.id)?.unwrap_or(found);
                let stale = target(&ev, rid)
                    .is_some_and(|c| !is_newer(itip, c) && itip.sequence < sequence_of(c));
                if stale {
                    // An old invitation answered late: only our PARTSTAT changes.
                    if let Some(c) = target_mut(&mut ev, rid) {
                        set_our_partstat(c, s, answer.partstat());
                    }
                } else {
                    let ours = Some((s, answer.partstat()));
                    put_series(&mut ev, &itip.event.body, comp, rid, ours);
                }
                w.update(&ev)?;
                w.attach_to_last(refs)?;
                Ok(ev)
            })?
        }
        None => {
            let mut r = Record::new(Kind::Event, collection);
            r.body = itip.event.body.clone();
            r.body.main = comp;
            for o in r.body.overrides.iter_mut() {
                // Our answer to the series holds for its changed occurrences too.
                set_our_partstat(o, s, answer.partstat());
            }
            let refs = refs.to_vec();
            store.write(|w| {
                w.create(&r)?;
                w.attach_to_last(refs)
            })?;
            r
        }
    };
    Ok(Some(record.id))
}

/// The organizer accepts a COUNTER: the proposed times and place replace ours
/// and SEQUENCE goes up (the caller sends the new REQUEST). Returns the event.
pub fn accept_counter(store: &mut Store, itip: &Itip) -> Result<Option<Record>> {
    let Some(found) = local_event(store, &itip.uid)? else {
        return Ok(None);
    };
    let rid = itip.recurrence_id.as_ref();
    // Read again inside the transaction: only these fields change, on the event as
    // stored now.
    store.write(|w| {
        let Some(mut ev) = w.get(&found.id)? else {
            return Ok(None);
        };
        let Some(c) = target_mut(&mut ev, rid) else {
            return Ok(None);
        };
        for name in ["DTSTART", "DTEND", "DURATION", "LOCATION"] {
            if let Some(p) = itip.event.prop(name) {
                set_prop(c, p.clone());
            }
        }
        // At the largest SEQUENCE it stays: the new DTSTAMP still makes it newer.
        let seq = sequence_of(c).saturating_add(1);
        set_prop(c, Property::new("SEQUENCE", seq.to_string()));
        w.update(&ev)?;
        Ok(Some(ev))
    })
}
