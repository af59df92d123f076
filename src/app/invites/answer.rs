//! Answering an invitation end to end: park the message (server-side), write the
//! event with our PARTSTAT, send the REPLY or queue it for the next sync. Works
//! offline: the calendar changes at once. Also the organizer's answer to a
//! counter-proposal, and sending the outbox.

use super::mailbox::{park, parked_at, parked_refs};
use super::settings::{AccountSettings, settings};
use super::{InviteError, Result, readable};
use crate::config::accounts::{Account, ConfigFile};
use crate::invite::apply;
use crate::invite::reply::{Outgoing, ReplyError, build_counter_answer, build_reply};
use crate::invite::{Answer, Method};
use crate::mail::smtp::{self, SmtpConfig};
use crate::store::invitations::{Invitation, InvitationStatus};
use crate::store::{Store, StoreError};
use crate::sync::Mailbox;

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}")]
pub struct SendFailure {
    pub reason: String,
    /// Worth trying again soon (the server is unreachable or busy).
    pub transient: bool,
}

/// Where outgoing iTIP messages go: SMTP in the program, a recorder in tests.
#[allow(async_fn_in_trait)]
pub trait ReplySender {
    async fn send(
        &mut self,
        from: &str,
        to: &[String],
        message: &[u8],
    ) -> std::result::Result<(), SendFailure>;
}

/// SMTP of an account; when its settings or password cannot be used, every
/// send fails with that reason (and replies are queued).
pub struct SmtpSender(std::result::Result<SmtpConfig, SendFailure>);

impl SmtpSender {
    pub fn for_account(acc: &Account) -> SmtpSender {
        let unusable = |reason: String| SendFailure {
            reason,
            transient: false,
        };
        SmtpSender(
            acc.credentials()
                .map_err(|e| unusable(e.to_string()))
                .and_then(|credentials| {
                    crate::mail::account::smtp_config(acc, &credentials)
                        .map_err(|e| unusable(e.to_string()))
                }),
        )
    }
}

impl ReplySender for SmtpSender {
    async fn send(
        &mut self,
        from: &str,
        to: &[String],
        message: &[u8],
    ) -> std::result::Result<(), SendFailure> {
        let cfg = self.0.as_ref().map_err(Clone::clone)?;
        let to: Vec<&str> = to.iter().map(String::as_str).collect();
        smtp::send(cfg, from, &to, message)
            .await
            .map_err(|e| SendFailure {
                reason: e.to_string(),
                transient: e.is_transient(),
            })
    }
}

/// What became of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyOutcome {
    Sent {
        to: Vec<String>,
    },
    /// Waits in the outbox for the next sync.
    Queued {
        why: String,
    },
    /// The reply could not be built (e.g. no ORGANIZER): nothing was sent.
    NotBuilt(ReplyError),
}

/// Send now, or queue for the next sync when the server cannot take it. Only a
/// failure to queue is an error.
pub async fn deliver(
    store: &Store,
    account: &str,
    sender: &mut impl ReplySender,
    out: &Outgoing,
) -> std::result::Result<ReplyOutcome, StoreError> {
    match sender.send(&out.from, &out.to, &out.message).await {
        Ok(()) => Ok(ReplyOutcome::Sent { to: out.to.clone() }),
        Err(f) => {
            store.queue_reply(account, &out.from, &out.to, &out.message, &f.reason)?;
            Ok(ReplyOutcome::Queued { why: f.reason })
        }
    }
}

/// What answering needs besides the invitation.
#[derive(Debug, Clone)]
pub struct AnswerRequest<'a> {
    pub id: i64,
    pub answer: Answer,
    /// Collection id for a new event.
    pub calendar: &'a str,
    pub comment: Option<&'a str>,
    /// Tell the organizer (a REQUEST only; a PUBLISH is never answered by mail).
    pub reply: bool,
}

/// What happened to the message in the mailbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Parking {
    /// Parked now in this folder.
    Parked { folder: String },
    /// Parked by an earlier answer.
    AlreadyParked,
    /// The server could not be reached: parked by the next sync.
    Waiting { why: String },
    /// Imported from a file or a pipe: in no mailbox, nothing to park.
    NotInMailbox,
}

/// What answering did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub id: i64,
    pub status: InvitationStatus,
    /// The event written; None when a declined invitation removed it.
    pub event: Option<String>,
    pub parking: Parking,
    /// None when no reply was asked for (or the invitation is not a REQUEST).
    pub reply: Option<ReplyOutcome>,
}

/// One summary line for both front-ends, e.g. `accepted invitation 3: event X;
/// message parked in P; reply sent to O`.
impl std::fmt::Display for Answered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut said = vec![match &self.event {
            Some(id) => format!("event {id}"),
            None => "event removed".into(),
        }];
        match &self.parking {
            Parking::Parked { folder } => said.push(format!("message parked in {folder}")),
            Parking::AlreadyParked | Parking::NotInMailbox => {}
            Parking::Waiting { why } => {
                said.push(format!("parking waits for the next sync ({why})"))
            }
        }
        said.extend(self.reply.iter().map(ToString::to_string));
        write!(
            f,
            "{} invitation {}: {}",
            self.status,
            self.id,
            said.join("; ")
        )
    }
}

impl std::fmt::Display for ReplyOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReplyOutcome::Sent { to } => write!(f, "reply sent to {}", to.join(", ")),
            ReplyOutcome::Queued { why } => write!(f, "reply queued for the next sync ({why})"),
            ReplyOutcome::NotBuilt(e) => write!(f, "no reply: {e}"),
        }
    }
}

impl std::fmt::Display for CounterAnswered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invitation {}: {}", self.id, self.status)?;
        match &self.reply {
            Some(r) => write!(f, "; {r}"),
            None => Ok(()),
        }
    }
}

/// The mailbox for parking: open, or why it could not be opened.
pub enum MailboxLink<'a, M> {
    Open(&'a mut M),
    /// Parking waits for the next sync.
    Offline(String),
}

/// A message refused at scan time (not from the organizer, ...) is never acted on.
pub(super) fn refuse_suspicious(inv: &Invitation) -> Result<()> {
    if inv.status == InvitationStatus::Suspicious {
        return Err(InviteError::Suspicious {
            id: inv.id,
            why: inv.note.clone(),
        });
    }
    Ok(())
}

/// A request scanned before we had its UID, answered once we have it (another
/// invitation for the UID was accepted meanwhile, or the event came by sync):
/// the scan's authority rule applies now, so a stranger's request cannot
/// replace the organizer's meeting. Refused, the invitation is marked suspicious.
pub(super) fn recheck_authority(
    store: &Store,
    inv: &mut Invitation,
    itip: &crate::invite::Itip,
    s: &apply::Settings,
) -> Result<()> {
    let Some(ev) = apply::local_event(store, &itip.uid)? else {
        return Ok(());
    };
    // The event this invitation wrote (answered before): answering again is fine.
    if inv.event_id.as_deref() == Some(ev.id.as_str()) {
        return Ok(());
    }
    let senders = apply::senders(inv);
    if let Err(why) = crate::invite::authority::may_update(&ev, &senders, s) {
        inv.status = InvitationStatus::Suspicious;
        inv.note = why.to_string();
        store.save_invitation(inv)?;
        return Err(InviteError::Suspicious {
            id: inv.id,
            why: inv.note.clone(),
        });
    }
    Ok(())
}

/// Answer invitation `req.id`, parking the message through `mailbox`.
pub async fn answer_with<M: Mailbox>(
    store: &mut Store,
    mailbox: MailboxLink<'_, M>,
    account: &str,
    parking: &str,
    st: &AccountSettings,
    req: &AnswerRequest<'_>,
    sender: &mut impl ReplySender,
) -> Result<Answered> {
    let (_, mut inv, itip) = readable(store, req.id)?;
    refuse_suspicious(&inv)?;
    if !matches!(itip.method, Method::Request | Method::Publish | Method::Add) {
        return Err(InviteError::NothingToAnswer {
            id: req.id,
            method: itip.method.as_str(),
        });
    }
    recheck_authority(store, &mut inv, &itip, &st.answer)?;
    // Park first so the event can point at the parked copy.
    let (refs, parking_done) = match &inv.parked {
        Some(p) => (
            parked_refs(&inv, &p.folder, p.uidvalidity, p.uid),
            Parking::AlreadyParked,
        ),
        None => {
            let parked = match mailbox {
                MailboxLink::Open(mb) => {
                    let parked = park(mb, &inv, parking, st.park_moves)
                        .await
                        .map_err(|e| e.to_string());
                    // e.g. "copied, the original stays in INBOX" on a server without MOVE.
                    let notices = mb.take_notices();
                    if !notices.is_empty() {
                        inv.note = notices.join("; ");
                    }
                    parked
                }
                MailboxLink::Offline(why) => Err(why),
            };
            match parked {
                Ok((validity, uid)) => {
                    inv.parked = Some(parked_at(&inv, parking, validity, uid));
                    (
                        parked_refs(&inv, parking, validity, uid),
                        Parking::Parked {
                            folder: parking.to_string(),
                        },
                    )
                }
                Err(why) => {
                    inv.park_pending = true;
                    (
                        parked_refs(&inv, &inv.folder, inv.uidvalidity, inv.uid),
                        Parking::Waiting { why },
                    )
                }
            }
        }
    };
    let s = &st.answer;
    let event = apply::answer(store, &itip, req.answer, req.calendar, &refs, s)?;
    inv.event_id = event.clone();
    inv.status = req.answer.status();
    store.save_invitation(&inv)?;
    let reply = if req.reply && itip.method == Method::Request {
        Some(
            match build_reply(&itip, req.answer, req.comment, s, chrono::Utc::now()) {
                Ok(out) => deliver(store, account, sender, &out).await?,
                Err(e) => ReplyOutcome::NotBuilt(e),
            },
        )
    } else {
        None
    };
    Ok(Answered {
        id: req.id,
        status: inv.status,
        event,
        parking: parking_done,
        reply,
    })
}

/// Answer invitation `req.id` of account `name`: connect (when the message still
/// needs parking), park, write the event, send or queue the REPLY.
pub async fn answer(
    store: &mut Store,
    name: &str,
    acc: &Account,
    config: &ConfigFile,
    req: &AnswerRequest<'_>,
) -> Result<Answered> {
    let st = settings(config, acc)?;
    let (_, inv) = super::get(store, req.id)?;
    // Only a message still to park needs the IMAP server.
    let mut mb = match inv.parked {
        None => Some(super::connect(acc).await),
        Some(_) => None,
    };
    let link = match mb.as_mut() {
        Some(Ok(mb)) => MailboxLink::Open(mb),
        Some(Err(e)) => MailboxLink::Offline(e.to_string()),
        None => MailboxLink::Offline("already parked".into()),
    };
    let mut smtp = SmtpSender::for_account(acc);
    let parking = acc.parking_folder.clone();
    let r = answer_with(store, link, name, &parking, &st, req, &mut smtp).await;
    if let Some(Ok(mb)) = mb.as_mut() {
        mb.logout().await;
    }
    r
}

/// The organizer's answer to a COUNTER: take the proposed time or keep ours.
#[derive(Debug, Clone)]
pub struct CounterRequest {
    pub id: i64,
    /// Take the attendee's proposed time (true) or keep ours (false).
    pub accept: bool,
    pub reply: bool,
}

/// What answering a counter-proposal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterAnswered {
    pub id: i64,
    pub status: InvitationStatus,
    pub reply: Option<ReplyOutcome>,
}

/// Answer the counter-proposal `req.id` (for an event we organise): change the
/// event when accepting, record the outcome, tell the attendee (or queue it).
pub async fn answer_counter_with(
    store: &mut Store,
    account: &str,
    st: &AccountSettings,
    req: &CounterRequest,
    sender: &mut impl ReplySender,
) -> Result<CounterAnswered> {
    let (_, mut inv, itip) = readable(store, req.id)?;
    refuse_suspicious(&inv)?;
    if itip.method != Method::Counter {
        return Err(InviteError::NotCounter {
            id: req.id,
            method: itip.method.as_str(),
        });
    }
    let proposer = itip
        .attendees()
        .into_iter()
        .next()
        .map(|p| p.email)
        .ok_or(InviteError::NoProposer(req.id))?;
    let event = if req.accept {
        Some(
            apply::accept_counter(store, &itip)?
                .ok_or_else(|| InviteError::NoEvent(itip.uid.clone()))?,
        )
    } else {
        None
    };
    inv.status = if req.accept {
        InvitationStatus::CounterAccepted
    } else {
        InvitationStatus::CounterDeclined
    };
    store.save_invitation(&inv)?;
    let reply = if req.reply {
        let comp = event.as_ref().map(|e| &e.body.main);
        Some(
            match build_counter_answer(&itip, comp, &st.answer, &proposer, chrono::Utc::now()) {
                Ok(out) => deliver(store, account, sender, &out).await?,
                Err(e) => ReplyOutcome::NotBuilt(e),
            },
        )
    } else {
        None
    };
    Ok(CounterAnswered {
        id: req.id,
        status: inv.status,
        reply,
    })
}

/// [`answer_counter_with`] over the account's SMTP server.
pub async fn answer_counter(
    store: &mut Store,
    name: &str,
    acc: &Account,
    config: &ConfigFile,
    req: &CounterRequest,
) -> Result<CounterAnswered> {
    let st = settings(config, acc)?;
    answer_counter_with(store, name, &st, req, &mut SmtpSender::for_account(acc)).await
}

/// Outcome of sending the outbox.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OutboxReport {
    pub sent: usize,
    pub waiting: usize,
    pub last_error: Option<String>,
}

/// Send queued replies; a transient failure leaves them (and the rest) queued.
pub async fn send_outbox(
    store: &Store,
    account: &str,
    sender: &mut impl ReplySender,
) -> Result<OutboxReport> {
    let mut r = OutboxReport::default();
    let queued = store.queued_replies(account)?;
    for (i, q) in queued.iter().enumerate() {
        match sender.send(&q.from, &q.to, &q.message).await {
            Ok(()) => {
                store.remove_queued_reply(q.id)?;
                r.sent += 1;
            }
            Err(f) => {
                store.note_reply_failure(q.id, &f.reason)?;
                r.last_error = Some(f.reason);
                if f.transient {
                    r.waiting += queued.len() - i;
                    break;
                }
                r.waiting += 1;
            }
        }
    }
    Ok(r)
}
