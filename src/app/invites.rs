//! Meeting invitations as one use case (DESIGN.md §7), called by `pim invites`,
//! `pim sync`, `pim attachments` and the TUI alike: scan INBOX, apply what
//! applies by itself, answer (our PARTSTAT, the REPLY sent or queued, the message
//! parked server-side), answer counter-proposals, send the outbox, fetch parked
//! attachments, and find what an invitation overlaps.
//!
//! Everything works over any [`Mailbox`](crate::sync::Mailbox) and any
//! [`ReplySender`], so the logic is tested in memory; the front-ends get typed
//! results and make their own words.

mod answer;
#[cfg(test)]
mod attack_s14_tests;
#[cfg(test)]
mod authority_tests;
mod mailbox;
mod overlaps;
mod piped;
mod settings;
#[cfg(test)]
mod tests;

pub use answer::{
    AnswerRequest, Answered, CounterAnswered, CounterRequest, MailboxLink, OutboxReport, Parking,
    ReplyOutcome, ReplySender, SendFailure, SmtpSender, answer, answer_counter,
    answer_counter_with, answer_with, deliver, send_outbox,
};
pub use mailbox::{
    INBOX, ScanReport, fetch_attachment, park, parked_refs, remember_fetched_size, scan,
};
pub use overlaps::{Overlap, Overlaps, Slot, overlaps};
pub use piped::{IMPORTED, Imported, answer_to_message, import, lone_attendee};
pub use settings::{AccountSettings, SettingsError, settings, settings_for};

pub use crate::invite::apply::{Settings, attachment_refs};
pub use crate::invite::authority::AuthSummary;
pub use crate::invite::{Answer, Itip, ItipError, Method, Person};
pub use crate::store::invitations::{
    Invitation, InvitationStatus, PartInfo, QueuedReply, UnknownStatus,
};

use crate::config::accounts::{Account, ConfigFile};
use crate::invite::{first_window, parse_itip};
use crate::mail::ImapMailbox;
use crate::model::{Component, Record};
use crate::recur::RecurError;
use crate::store::{Store, StoreError};
use crate::sync::{Mailbox, MailboxError};

/// Why an invitation use case failed.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Settings(#[from] SettingsError),
    #[error(transparent)]
    Recur(#[from] RecurError),
    #[error(transparent)]
    Piped(#[from] crate::invite::piped::PipedError),
    #[error("no invitation {0} (see `pim invites list`)")]
    NoInvitation(i64),
    #[error("invitation {id} cannot be answered: {why}")]
    Unusable { id: i64, why: Unusable },
    #[error("invitation {id} cannot be answered: it is a {method}: there is nothing to answer")]
    NothingToAnswer { id: i64, method: &'static str },
    #[error("invitation {id} is a {method}, not a COUNTER")]
    NotCounter { id: i64, method: &'static str },
    #[error("invitation {0} cannot be answered: the counter-proposal names no attendee")]
    NoProposer(i64),
    #[error("invitation {id} is suspicious and is not applied: {why}")]
    Suspicious { id: i64, why: String },
    #[error("no event with UID {0} to change")]
    NoEvent(String),
    /// The message (or its part) is no longer where it was: moved or deleted.
    #[error("{0}")]
    Gone(String),
    /// The account's password or server settings cannot be used.
    #[error("account: {0}")]
    Account(String),
}

pub type Result<T> = std::result::Result<T, InviteError>;

/// Why an invitation cannot be used. Shown on the invitation (stored as its
/// `error` text) rather than failing a scan or a listing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unusable {
    /// Found when the message was scanned (the stored `error`).
    #[error("{0}")]
    Found(String),
    #[error(transparent)]
    Itip(#[from] ItipError),
    #[error("calendar part {part} has {size} bytes (more than {max}): not read", max = crate::invite::MAX_CALENDAR_BYTES)]
    TooLarge { part: String, size: u64 },
    /// The server would not give the calendar part.
    #[error("{0}")]
    Refused(String),
    #[error("calendar part missing")]
    NoPart,
    #[error(transparent)]
    Part(#[from] crate::invite::part::PartError),
}

/// Why the account's IMAP server could not be used (answering works offline).
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error(transparent)]
    Password(#[from] crate::config::accounts::PasswordError),
    #[error(transparent)]
    Settings(#[from] crate::mail::account::AccountError),
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
}

/// Every stored invitation of `account` (all accounts when None), oldest first.
pub fn list(store: &Store, account: Option<&str>) -> Result<Vec<Invitation>> {
    Ok(store.invitations(account)?)
}

/// One stored invitation with its account name.
pub fn get(store: &Store, id: i64) -> Result<(String, Invitation)> {
    store.invitation(id)?.ok_or(InviteError::NoInvitation(id))
}

/// The iTIP object of a stored invitation, or why it has none.
pub fn itip_of(inv: &Invitation) -> std::result::Result<Itip, Unusable> {
    if let Some(e) = &inv.error {
        return Err(Unusable::Found(e.clone()));
    }
    Ok(parse_itip(&inv.ics, inv.content_method.as_deref())?)
}

/// Starts of the invitation's first `n` occurrences (one for a single event).
pub fn first_starts(
    itip: &Itip,
    tz: crate::model::zonedb::Tz,
    n: usize,
) -> Result<Vec<chrono::DateTime<chrono::FixedOffset>>> {
    let Some((from, _)) = first_window(itip, tz) else {
        return Ok(Vec::new());
    };
    let to = from + chrono::Duration::days(366 * 5);
    Ok(crate::recur::expand(&itip.event, from, to, tz, n)?
        .occurrences
        .into_iter()
        .map(|o| o.start)
        .collect())
}

/// After a sync round: park what waits, scan INBOX for invitations, then send
/// queued replies — also when the scan failed (its error is returned after).
pub async fn after_sync_with<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    account: &str,
    parking: &str,
    st: &AccountSettings,
    sender: &mut impl ReplySender,
) -> Result<(ScanReport, OutboxReport)> {
    let scanned = scan(store, mb, account, parking, &st.answer).await;
    let sent = send_outbox(store, account, sender).await?;
    Ok((scanned?, sent))
}

/// [`after_sync_with`] for a configured account (SMTP asked for a password
/// only when replies wait).
pub async fn after_sync<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    name: &str,
    acc: &Account,
    config: &ConfigFile,
) -> Result<(ScanReport, OutboxReport)> {
    let st = settings(config, acc)?;
    if store.queued_replies(name)?.is_empty() {
        let scanned = scan(store, mb, name, &acc.parking_folder, &st.answer).await?;
        return Ok((scanned, OutboxReport::default()));
    }
    let mut smtp = SmtpSender::for_account(acc);
    after_sync_with(store, mb, name, &acc.parking_folder, &st, &mut smtp).await
}

/// A stored invitation that can be acted on, with its account name.
pub fn readable(store: &Store, id: i64) -> Result<(String, Invitation, Itip)> {
    let (account, inv) = get(store, id)?;
    let itip = itip_of(&inv).map_err(|why| InviteError::Unusable { id, why })?;
    Ok((account, inv, itip))
}

/// Waiting for the user's answer (the TUI's badge, the list's highlight): a
/// request, update or counter-proposal not answered yet.
pub fn needs_answer(inv: &Invitation, itip: &Itip) -> bool {
    inv.error.is_none()
        && inv.status.awaits_answer()
        && matches!(
            itip.method,
            Method::Request | Method::Counter | Method::Publish
        )
}

/// What the receiving server verified about the sender (DKIM/SPF/DMARC), when
/// it added an `Authentication-Results` header.
pub fn authentication(inv: &Invitation) -> Option<AuthSummary> {
    AuthSummary::parse(&inv.authentication_results)
}

/// Our event with the invitation's UID, if we have it.
pub fn local_event(store: &Store, itip: &Itip) -> Result<Option<Record>> {
    Ok(crate::invite::apply::local_event(store, &itip.uid)?)
}

/// The component of our event the invitation is about: the occurrence it names,
/// else the master.
pub fn our_component<'a>(ev: &'a Record, itip: &Itip) -> &'a Component {
    crate::invite::apply::target(ev, itip.recurrence_id.as_ref()).unwrap_or(&ev.body.main)
}

/// Our PARTSTAT in our copy of the event (what we answered), if any.
pub fn our_answer(ev: &Record, itip: &Itip, s: &Settings) -> Option<String> {
    crate::invite::apply::our_partstat(our_component(ev, itip), s)
}

/// Connect to the account's IMAP server.
pub async fn connect(acc: &Account) -> std::result::Result<ImapMailbox, ConnectError> {
    let credentials = acc.credentials()?;
    let cfg = crate::mail::account::imap_config(acc, &credentials)?;
    Ok(ImapMailbox::connect(cfg).await?)
}
