//! Answering an invitation end to end, shared by the CLI and the TUI: park the
//! message (server-side), write the event with our PARTSTAT, send the REPLY or
//! queue it for the next sync. Works offline: the calendar changes at once.

use super::ImapMailbox;
use super::invites::{InviteMailError, park, parked_refs};
use crate::config::accounts::{Account, ConfigFile};
use crate::invite::apply::{self, Settings};
use crate::invite::reply::{Outgoing, build_counter_answer, build_reply};
use crate::invite::state::{self, Invitation};
use crate::invite::{Answer, Itip, Method, address_of, parse_itip};
use crate::model::change::AttachmentRef;
use crate::store::{Store, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum AnswerError {
    #[error("no invitation {0} (see `pim invites list`)")]
    NoInvitation(i64),
    #[error("invitation {0} cannot be answered: {1}")]
    Unusable(i64, String),
    #[error("invitation {0} is a {1}, not a COUNTER")]
    NotCounter(i64, String),
    #[error("no event with UID {0} to change")]
    NoEvent(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// `[invitations]` of config.toml and the account's address: the answer
/// settings, and whether parking moves (true) or copies the message.
pub fn settings(config: &ConfigFile, acc: &Account) -> Result<(Settings, bool), String> {
    let table = config.table("invitations");
    let word = |key: &str, allowed: &[&str], default: &str| -> Result<String, String> {
        let v = table
            .and_then(|t| t.get(key))
            .map(|v| v.as_str().unwrap_or("").to_string())
            .unwrap_or_else(|| default.to_string());
        if allowed.contains(&v.as_str()) {
            Ok(v)
        } else {
            Err(format!(
                "config.toml [invitations] {key} = {v:?}: use {}",
                allowed.join(" or ")
            ))
        }
    };
    let declined = word("declined", &["keep", "remove"], "keep")?;
    let cancelled = word("cancelled", &["mark", "remove"], "mark")?;
    let park = word("park", &["copy", "move"], "copy")?;
    let mut me = vec![address_of(&acc.email)];
    if let Some(aliases) = table
        .and_then(|t| t.get("aliases"))
        .and_then(|v| v.as_array())
    {
        me.extend(aliases.iter().filter_map(|a| a.as_str()).map(address_of));
    }
    Ok((
        Settings {
            me,
            remove_declined: declined == "remove",
            remove_cancelled: cancelled == "remove",
        },
        park == "move",
    ))
}

/// A stored invitation that can be acted on, with its account name.
pub fn readable(store: &Store, id: i64) -> Result<(String, Invitation, Itip), AnswerError> {
    let (acct, inv) = state::get(store, id)?.ok_or(AnswerError::NoInvitation(id))?;
    if let Some(e) = &inv.error {
        return Err(AnswerError::Unusable(id, e.clone()));
    }
    let itip = parse_itip(&inv.ics, inv.content_method.as_deref())
        .map_err(|e| AnswerError::Unusable(id, e))?;
    Ok((acct, inv, itip))
}

/// Send now, or queue for the next sync when the server cannot take it.
pub async fn send_or_queue(store: &Store, name: &str, acc: &Account, out: &Outgoing) -> String {
    let to: Vec<&str> = out.to.iter().map(String::as_str).collect();
    let sent = match acc
        .password()
        .map_err(|e| e.to_string())
        .and_then(|pw| super::account::smtp_config(acc, &pw).map_err(|e| e.to_string()))
    {
        Ok(cfg) => super::smtp::send(&cfg, &out.from, &to, &out.message)
            .await
            .map_err(|e| e.to_string()),
        Err(e) => Err(e),
    };
    match sent {
        Ok(()) => format!("reply sent to {}", out.to.join(", ")),
        Err(why) => match state::enqueue(store, name, &out.from, &out.to, &out.message, &why) {
            Ok(_) => format!("reply queued for the next `pim sync` ({why})"),
            Err(e) => format!("reply NOT sent ({why}) and could not be queued: {e}"),
        },
    }
}

async fn connect(acc: &Account) -> Result<ImapMailbox, String> {
    let pw = acc.password().map_err(|e| e.to_string())?;
    let cfg = super::account::imap_config(acc, &pw).map_err(|e| e.to_string())?;
    ImapMailbox::connect(cfg).await.map_err(|e| e.to_string())
}

/// What answering needs besides the invitation.
pub struct AnswerRequest<'a> {
    pub id: i64,
    pub answer: Answer,
    /// Collection id for a new event.
    pub calendar: &'a str,
    pub comment: Option<&'a str>,
    pub reply: bool,
}

/// Answer invitation `req.id`; returns a one-line account of what happened.
pub async fn answer(
    store: &mut Store,
    acc_name: &str,
    acc: &Account,
    config: &ConfigFile,
    req: AnswerRequest<'_>,
) -> Result<String, AnswerError> {
    let (_, mut inv, itip) = readable(store, req.id)?;
    if !matches!(itip.method, Method::Request | Method::Publish | Method::Add) {
        return Err(AnswerError::Unusable(
            req.id,
            format!(
                "it is a {}: there is nothing to answer",
                itip.method.as_str()
            ),
        ));
    }
    let (s, move_it) = settings(config, acc).map_err(|e| AnswerError::Unusable(req.id, e))?;
    let parking = acc.parking_folder.clone();
    let mut said = Vec::new();
    // Park first so the event can point at the parked copy.
    let refs = match &inv.parked {
        Some(p) => parked_refs(&inv, &p.folder, p.uidvalidity, p.uid),
        None => {
            let parked = match connect(acc).await {
                Ok(mut mb) => {
                    let r = park(&mut mb, &inv, &parking, move_it).await;
                    mb.logout().await;
                    r.map_err(|e: InviteMailError| e.to_string())
                }
                Err(e) => Err(e),
            };
            match parked {
                Ok((validity, uid)) => {
                    said.push(format!("message parked in {parking}"));
                    inv.parked = Some(AttachmentRef {
                        folder: parking.clone(),
                        uidvalidity: validity,
                        uid,
                        message_id: inv.message_id.clone(),
                        part: String::new(),
                        filename: String::new(),
                        content_type: String::new(),
                        size: 0,
                    });
                    parked_refs(&inv, &parking, validity, uid)
                }
                Err(why) => {
                    said.push(format!("parking waits for the next sync ({why})"));
                    inv.park_pending = true;
                    parked_refs(&inv, &inv.folder, inv.uidvalidity, inv.uid)
                }
            }
        }
    };
    let event = apply::answer(store, &itip, req.answer, req.calendar, &refs, &s)?;
    said.insert(
        0,
        match &event {
            Some(id) => format!("event {id}"),
            None => "event removed".into(),
        },
    );
    inv.event_id = event;
    inv.status = req.answer.status().into();
    state::save(store, &inv)?;
    if req.reply && itip.method == Method::Request {
        match build_reply(&itip, req.answer, req.comment, &s, chrono::Utc::now()) {
            Ok(out) => said.push(send_or_queue(store, acc_name, acc, &out).await),
            Err(e) => said.push(format!("no reply: {e}")),
        }
    }
    Ok(format!(
        "{} invitation {}: {}",
        req.answer.status(),
        req.id,
        said.join("; ")
    ))
}

/// The organizer's answer to a COUNTER: take the proposed time or keep ours.
pub struct CounterRequest {
    pub id: i64,
    /// Take the attendee's proposed time (true) or keep ours (false).
    pub accept: bool,
    pub reply: bool,
}

/// Answer the counter-proposal `req.id` (for an event we organise): change the
/// event when accepting, record the outcome, tell the attendee (or queue it).
pub async fn answer_counter(
    store: &mut Store,
    acc_name: &str,
    acc: &Account,
    config: &ConfigFile,
    req: CounterRequest,
) -> Result<String, AnswerError> {
    let (_, mut inv, itip) = readable(store, req.id)?;
    if itip.method != Method::Counter {
        return Err(AnswerError::NotCounter(
            req.id,
            itip.method.as_str().to_string(),
        ));
    }
    let (s, _) = settings(config, acc).map_err(|e| AnswerError::Unusable(req.id, e))?;
    let proposer = itip
        .attendees()
        .into_iter()
        .next()
        .map(|p| p.email)
        .ok_or_else(|| {
            AnswerError::Unusable(req.id, "the counter-proposal names no attendee".into())
        })?;
    let event = if req.accept {
        Some(
            apply::accept_counter(store, &itip)?
                .ok_or_else(|| AnswerError::NoEvent(itip.uid.clone()))?,
        )
    } else {
        None
    };
    inv.status = if req.accept {
        "counter-accepted"
    } else {
        "counter-declined"
    }
    .into();
    state::save(store, &inv)?;
    let mut said = format!("invitation {}: {}", req.id, inv.status);
    if req.reply {
        let comp = event.as_ref().map(|e| &e.body.main);
        match build_counter_answer(&itip, comp, &s, &proposer, chrono::Utc::now()) {
            Ok(out) => {
                let r = send_or_queue(store, acc_name, acc, &out).await;
                said.push_str(&format!("; {r}"));
            }
            Err(e) => said.push_str(&format!("; no reply: {e}")),
        }
    }
    Ok(said)
}
