//! Invitations over IMAP and SMTP (DESIGN.md §7): the incremental INBOX scan
//! (BODYSTRUCTURE, then only the `text/calendar` parts), parking an answered
//! message server-side, fetching one parked attachment, and sending the outbox
//! of replies. What an invitation *means* is decided in [`crate::invite`].

use mail_parser::MessageParser;

use super::imap::ImapMailbox;
use super::imap::parts::{FetchedPart, MimePart};
use super::smtp::{self, SmtpConfig};
use crate::invite::apply::{self, Settings};
use crate::invite::state::{self, Invitation, PartInfo};
use crate::invite::{MAX_CALENDAR_BYTES, parse_itip};
use crate::model::change::AttachmentRef;
use crate::store::{Store, StoreError};
use crate::sync::{Mailbox, MailboxError};

pub const INBOX: &str = "INBOX";
const HEADERS: &[&str] = &["message-id", "from", "subject", "date"];

#[derive(Debug, thiserror::Error)]
pub enum InviteMailError {
    #[error(transparent)]
    Mailbox(#[from] MailboxError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Gone(String),
}

type Result<T> = std::result::Result<T, InviteMailError>;

/// What one scan found.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct ScanReport {
    /// Messages looked at (new since the last scan).
    pub messages: usize,
    /// Invitations found (valid or not).
    pub invitations: usize,
    pub invalid: usize,
    /// Updates, cancellations and replies applied to the calendar.
    pub applied: usize,
    /// Answered invitations parked now (answered while offline).
    pub parked: usize,
}

/// The calendar part to read and the parts that are attachments.
fn classify(parts: &[MimePart]) -> Option<(MimePart, Vec<PartInfo>)> {
    let cal = parts
        .iter()
        .filter(|p| p.mime_type == "text/calendar")
        .max_by_key(|p| (p.params.contains_key("method"), p.disposition.is_none()))?
        .clone();
    let attachments = parts
        .iter()
        .filter(|p| !p.is_multipart() && p.part != cal.part)
        .filter(|p| p.filename.is_some() || p.disposition.as_deref() == Some("attachment"))
        .map(|p| PartInfo {
            part: p.part.clone(),
            name: p
                .filename
                .clone()
                .unwrap_or_else(|| format!("part-{}", p.part)),
            content_type: p.mime_type.clone(),
            size: p.size,
        })
        .collect();
    Some((cal, attachments))
}

/// Undo the transfer encoding (and for text, the charset) of a fetched part.
pub fn decode_part(f: &FetchedPart) -> std::result::Result<(Vec<u8>, Option<String>), String> {
    let mut raw = f.mime_header.clone();
    if !raw.ends_with(b"\n\n") && !raw.ends_with(b"\r\n\r\n") {
        raw.extend_from_slice(b"\r\n");
    }
    raw.extend_from_slice(&f.body);
    let msg = MessageParser::default()
        .parse(&raw)
        .ok_or_else(|| format!("part {}: unreadable MIME", f.part))?;
    let part = msg
        .parts
        .first()
        .ok_or_else(|| format!("part {}: empty", f.part))?;
    Ok((
        part.contents().to_vec(),
        part.text_contents().map(str::to_string),
    ))
}

fn header(m: &crate::sync::mailbox::MessageMeta, name: &str) -> String {
    m.headers.get(name).cloned().unwrap_or_default()
}

/// Look at INBOX messages that arrived since the last scan; record invitations
/// and apply what applies by itself. A bad message becomes an invalid entry;
/// only a lost connection or a database failure stops the scan.
pub async fn scan(
    store: &mut Store,
    mb: &mut ImapMailbox,
    account: &str,
    parking: &str,
    s: &Settings,
) -> Result<ScanReport> {
    let mut report = ScanReport {
        parked: park_pending(store, mb, account, parking).await?,
        ..ScanReport::default()
    };
    let st = mb.state(INBOX).await?;
    let from = match state::scan_position(store, account, INBOX)? {
        Some((validity, next)) if validity == st.uidvalidity => next,
        _ => 1,
    };
    if st.uidnext <= from || st.exists == 0 {
        state::set_scan_position(store, account, INBOX, st.uidvalidity, st.uidnext)?;
        return Ok(report);
    }
    let metas = mb.list(INBOX, from, HEADERS).await?;
    report.messages = metas.len();
    let uids: Vec<u32> = metas.iter().map(|m| m.uid).collect();
    let structures = structures(mb, &uids, &mut report).await?;
    for (uid, parts) in structures {
        let Some((cal, attachments)) = classify(&parts) else {
            continue;
        };
        let meta = metas.iter().find(|m| m.uid == uid);
        let get = |h: &str| meta.map(|m| header(m, h)).unwrap_or_default();
        let mut inv = Invitation {
            id: 0,
            folder: INBOX.into(),
            uidvalidity: st.uidvalidity,
            uid,
            message_id: get("message-id").trim().to_string(),
            from: get("from"),
            subject: get("subject"),
            date: get("date"),
            calendar_part: cal.part.clone(),
            content_method: cal.params.get("method").cloned(),
            ics: String::new(),
            attachments,
            error: None,
            status: "invalid".into(),
            note: String::new(),
            event_id: None,
            parked: None,
            park_pending: false,
        };
        let itip = if cal.size > MAX_CALENDAR_BYTES {
            Err(format!(
                "calendar part {} has {} bytes (more than {MAX_CALENDAR_BYTES}): not read",
                cal.part, cal.size
            ))
        } else {
            match mb.fetch_parts(INBOX, uid, &[cal.part.as_str()]).await {
                Ok(fetched) => fetched
                    .first()
                    .ok_or_else(|| "calendar part missing".to_string())
                    .and_then(decode_part)
                    .and_then(|(bytes, text)| {
                        let text =
                            text.unwrap_or_else(|| String::from_utf8_lossy(&bytes).into_owned());
                        inv.ics = text.clone();
                        parse_itip(&text, inv.content_method.as_deref())
                    }),
                Err(MailboxError::Refused { reason, .. }) => Err(reason),
                Err(e) => return Err(e.into()),
            }
        };
        let Some(id) = state::insert(store, account, &inv)? else {
            continue; // seen before (e.g. found again after UIDVALIDITY changed)
        };
        inv.id = id;
        report.invitations += 1;
        match itip {
            Ok(itip) => {
                apply::on_scan(store, &mut inv, &itip, s)?;
                if inv.status == "applied" || inv.status == "update" {
                    report.applied += 1;
                }
            }
            Err(why) => {
                inv.error = Some(why);
                report.invalid += 1;
            }
        }
        state::save(store, &inv)?;
    }
    state::set_scan_position(store, account, INBOX, st.uidvalidity, st.uidnext)?;
    Ok(report)
}

/// MIME trees of `uids`. When the server's answer for the batch cannot be read,
/// each message is asked alone and one that still fails is skipped (counted as
/// invalid) while the server stays reachable: one odd message never blocks the scan.
async fn structures(
    mb: &mut ImapMailbox,
    uids: &[u32],
    report: &mut ScanReport,
) -> Result<Vec<(u32, Vec<MimePart>)>> {
    if let Ok(all) = mb.body_structures(INBOX, uids).await {
        return Ok(all);
    }
    let mut out = Vec::new();
    for uid in uids {
        match mb.body_structures(INBOX, &[*uid]).await {
            Ok(one) => out.extend(one),
            Err(e) => {
                // Still reachable? Then the message is the problem, not the link.
                mb.state(INBOX).await.map_err(|_| e)?;
                report.invalid += 1;
            }
        }
    }
    Ok(out)
}

/// Mark the invitation \Seen and copy (or move) it into `parking`, server-side.
/// Returns where the parked copy is.
pub async fn park(
    mb: &mut ImapMailbox,
    inv: &Invitation,
    parking: &str,
    move_it: bool,
) -> Result<(u32, u32)> {
    let inbox = mb.state(&inv.folder).await?;
    let uid = if inbox.uidvalidity == inv.uidvalidity {
        inv.uid
    } else {
        *find_by_message_id(mb, &inv.folder, &inv.message_id)
            .await?
            .last()
            .ok_or_else(|| {
                InviteMailError::Gone(format!(
                    "the invitation {} is no longer in {}",
                    inv.message_id, inv.folder
                ))
            })?
    };
    mb.ensure_folder(parking).await?;
    let before = mb.state(parking).await?;
    mb.mark_seen(&inv.folder, &[uid]).await?;
    if move_it {
        mb.move_to(&inv.folder, &[uid], parking).await?;
    } else {
        mb.copy_to(&inv.folder, &[uid], parking).await?;
    }
    let after = mb.state(parking).await?;
    let fresh = mb.list(parking, before.uidnext, &["message-id"]).await?;
    let parked = fresh
        .iter()
        .rev()
        .find(|m| inv.message_id.is_empty() || header(m, "message-id").trim() == inv.message_id)
        .map(|m| m.uid)
        .ok_or_else(|| {
            InviteMailError::Gone(format!(
                "the copy of {} did not appear in {parking}",
                inv.message_id
            ))
        })?;
    Ok((after.uidvalidity, parked))
}

async fn find_by_message_id(mb: &mut ImapMailbox, folder: &str, mid: &str) -> Result<Vec<u32>> {
    if mid.is_empty() {
        return Ok(Vec::new());
    }
    Ok(mb.search_message_id(folder, mid).await?)
}

/// Park invitations answered while the server could not be reached, then point
/// their events' attachment references at the parked copy.
async fn park_pending(
    store: &mut Store,
    mb: &mut ImapMailbox,
    account: &str,
    parking: &str,
) -> Result<usize> {
    let mut n = 0;
    for mut inv in state::list(store, Some(account))? {
        if !inv.park_pending {
            continue;
        }
        let (validity, uid) = match park(mb, &inv, parking, false).await {
            Ok(p) => p,
            Err(InviteMailError::Gone(why)) => {
                inv.park_pending = false;
                inv.note = why;
                state::save(store, &inv)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let refs = parked_refs(&inv, parking, validity, uid);
        if let Some(event_id) = &inv.event_id
            && let Some(mut ev) = store.get(event_id)?
        {
            for c in std::iter::once(&mut ev.body.main).chain(ev.body.overrides.iter_mut()) {
                if c.props.iter().any(|p| p.name == apply::ATTACHMENT_PROP) {
                    c.props.retain(|p| p.name != apply::ATTACHMENT_PROP);
                    c.props.extend(apply::attachment_props(&refs));
                }
            }
            store.write(|w| {
                w.update(&ev)?;
                w.attach_to_last(refs.clone())
            })?;
        }
        inv.parked = refs.first().cloned();
        inv.park_pending = false;
        state::save(store, &inv)?;
        n += 1;
    }
    Ok(n)
}

/// References to the attachments of `inv` parked at (`validity`, `uid`).
pub fn parked_refs(inv: &Invitation, folder: &str, validity: u32, uid: u32) -> Vec<AttachmentRef> {
    inv.attachments
        .iter()
        .map(|a| AttachmentRef {
            folder: folder.to_string(),
            uidvalidity: validity,
            uid,
            message_id: inv.message_id.clone(),
            part: a.part.clone(),
            filename: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
        })
        .collect()
}

/// Download one parked attachment, decoded. The message is found by its
/// UIDVALIDITY/UID, else by Message-ID; gone → a clear error.
pub async fn fetch_attachment(mb: &mut ImapMailbox, a: &AttachmentRef) -> Result<Vec<u8>> {
    let gone = || {
        InviteMailError::Gone(format!(
            "the parked message {} holding {:?} is no longer in {} (moved or deleted)",
            if a.message_id.is_empty() {
                "(no Message-ID)"
            } else {
                &a.message_id
            },
            a.filename,
            a.folder
        ))
    };
    let st = match mb.state(&a.folder).await {
        Ok(st) => st,
        Err(MailboxError::NoFolder(_)) => return Err(gone()),
        Err(e) => return Err(e.into()),
    };
    let mut uid = None;
    if st.uidvalidity == a.uidvalidity && a.uid > 0 {
        let at = mb.list(&a.folder, a.uid, &["message-id"]).await?;
        uid = at
            .iter()
            .find(|m| {
                m.uid == a.uid
                    && (a.message_id.is_empty() || header(m, "message-id").trim() == a.message_id)
            })
            .map(|m| m.uid);
    }
    if uid.is_none() {
        uid = find_by_message_id(mb, &a.folder, &a.message_id)
            .await?
            .last()
            .copied();
    }
    let uid = uid.ok_or_else(gone)?;
    let fetched = match mb.fetch_parts(&a.folder, uid, &[a.part.as_str()]).await {
        Ok(f) => f,
        Err(MailboxError::Refused { reason, .. }) => return Err(InviteMailError::Gone(reason)),
        Err(e) => return Err(e.into()),
    };
    let part = fetched.first().ok_or_else(gone)?;
    let (bytes, _) = decode_part(part).map_err(InviteMailError::Gone)?;
    Ok(bytes)
}

/// Outcome of sending the outbox.
#[derive(Debug, Default, Clone, serde::Serialize)]
pub struct OutboxReport {
    pub sent: usize,
    pub waiting: usize,
    pub last_error: Option<String>,
}

/// Send queued replies; a transient failure leaves them (and the rest) queued.
pub async fn send_outbox(store: &Store, cfg: &SmtpConfig, account: &str) -> Result<OutboxReport> {
    let mut r = OutboxReport::default();
    let queued = state::queued(store, account)?;
    for (i, q) in queued.iter().enumerate() {
        let to: Vec<&str> = q.to.iter().map(String::as_str).collect();
        match smtp::send(cfg, &q.from, &to, &q.message).await {
            Ok(()) => {
                state::dequeue(store, q.id)?;
                r.sent += 1;
            }
            Err(e) => {
                state::note_failure(store, q.id, &e.to_string())?;
                r.last_error = Some(e.to_string());
                if e.is_transient() {
                    r.waiting += queued.len() - i;
                    break;
                }
                r.waiting += 1;
            }
        }
    }
    Ok(r)
}
