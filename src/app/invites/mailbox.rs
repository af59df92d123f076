//! The invitation work done on the mailbox: the incremental INBOX scan
//! (BODYSTRUCTURE, then only the `text/calendar` parts), parking an answered
//! message server-side, and fetching one parked attachment.

use super::{InviteError, Result, Unusable};
use crate::invite::apply::{self, Settings};
use crate::invite::part::decode_part;
use crate::invite::{MAX_CALENDAR_BYTES, parse_itip};
use crate::model::change::AttachmentRef;
use crate::store::Store;
use crate::store::invitations::{Invitation, InvitationStatus, PartInfo};
use crate::sync::mailbox::{MessageMeta, MimePart};
use crate::sync::{Mailbox, MailboxError};

pub const INBOX: &str = "INBOX";
/// `Authentication-Results`: the first one is the topmost, added by the
/// receiving server (RFC 8601 §5); lower ones may come from the sender.
const HEADERS: &[&str] = &[
    "message-id",
    "from",
    "sender",
    "subject",
    "date",
    "authentication-results",
];

/// What one scan found.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
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
            size: decoded_size(p.size, &p.encoding),
            size_exact: false,
        })
        .collect();
    Some((cal, attachments))
}

/// `parts` with the decoded sizes the server reports (IMAP BINARY.SIZE) where it
/// can; the others keep their estimate. Only a lost connection is an error.
async fn exact_sizes<M: Mailbox>(
    mb: &mut M,
    uid: u32,
    mut parts: Vec<PartInfo>,
) -> Result<Vec<PartInfo>> {
    if parts.is_empty() {
        return Ok(parts);
    }
    let names: Vec<&str> = parts.iter().map(|p| p.part.as_str()).collect();
    // Sizes are a nicety: any failure leaves the estimates (a lost connection
    // shows in the commands that follow).
    let sizes = mb.decoded_sizes(INBOX, uid, &names).await.unwrap_or(None);
    if let Some(sizes) = sizes {
        for (p, size) in parts.iter_mut().zip(sizes) {
            if let Some(size) = size {
                p.size = size;
                p.size_exact = true;
            }
        }
    }
    Ok(parts)
}

/// About how many bytes a part of `encoded` octets holds once decoded — what
/// fetching it gives — from what BODYSTRUCTURE tells: base64 in lines of 76
/// characters is 3 bytes per 4 characters, within the 2 bytes of padding it cannot
/// see; quoted-printable and the rest are taken as they are.
pub fn decoded_size(encoded: u64, encoding: &str) -> u64 {
    if !encoding.eq_ignore_ascii_case("base64") {
        return encoded;
    }
    // 76 characters and CRLF per full line; the last line's CRLF may or may not be
    // counted, and the division below drops it either way.
    let line_breaks = encoded / 78;
    let chars = encoded.saturating_sub(2 * line_breaks);
    // A last quantum with padding holds 1 or 2 bytes: count 1 of its 3 as padding.
    (chars / 4 * 3).saturating_sub(u64::from(chars >= 4))
}

fn header(m: &MessageMeta, name: &str) -> String {
    m.headers.get(name).cloned().unwrap_or_default()
}

/// The decoded calendar text of `cal`, or why it cannot be read. Only a lost
/// connection is an error: a bad part makes an invalid invitation.
async fn calendar_text<M: Mailbox>(
    mb: &mut M,
    uid: u32,
    cal: &MimePart,
) -> Result<std::result::Result<String, Unusable>> {
    if cal.size > MAX_CALENDAR_BYTES {
        return Ok(Err(Unusable::TooLarge {
            part: cal.part.clone(),
            size: cal.size,
        }));
    }
    let fetched = match mb.fetch_parts(INBOX, uid, &[cal.part.as_str()]).await {
        Ok(f) => f,
        Err(MailboxError::Refused { reason, .. }) => return Ok(Err(Unusable::Refused(reason))),
        Err(e) => return Err(e.into()),
    };
    Ok(fetched
        .first()
        .ok_or(Unusable::NoPart)
        .and_then(|f| Ok(decode_part(f)?.into_text())))
}

/// Look at INBOX messages that arrived since the last scan; record invitations
/// and apply what applies by itself. A bad message becomes an invalid entry;
/// only a lost connection or a database failure stops the scan. Invitations
/// answered while offline are parked first.
pub async fn scan<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    account: &str,
    parking: &str,
    s: &Settings,
) -> Result<ScanReport> {
    let mut report = ScanReport {
        parked: park_pending(store, mb, account, parking).await?,
        ..ScanReport::default()
    };
    let st = mb.state(INBOX).await?;
    let from = match store.invite_scan_position(account, INBOX)? {
        Some((validity, next)) if validity == st.uidvalidity => next,
        _ => 1,
    };
    if st.uidnext <= from || st.exists == 0 {
        store.set_invite_scan_position(account, INBOX, st.uidvalidity, st.uidnext)?;
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
        let mut inv = Invitation::found(INBOX, st.uidvalidity, uid);
        inv.message_id = get("message-id").trim().to_string();
        inv.from = get("from");
        inv.sender = get("sender");
        inv.authentication_results = get("authentication-results");
        inv.subject = get("subject");
        inv.date = get("date");
        inv.calendar_part = cal.part.clone();
        inv.content_method = cal.params.get("method").cloned();
        inv.attachments = exact_sizes(mb, uid, attachments).await?;
        let itip = calendar_text(mb, uid, &cal).await?.and_then(|text| {
            inv.ics = text;
            parse_itip(&inv.ics, inv.content_method.as_deref()).map_err(Unusable::from)
        });
        let Some(id) = store.insert_invitation(account, &inv)? else {
            continue; // seen before (e.g. found again after UIDVALIDITY changed)
        };
        inv.id = id;
        report.invitations += 1;
        match itip {
            Ok(itip) => {
                apply::on_scan(store, &mut inv, &itip, s)?;
                if matches!(
                    inv.status,
                    InvitationStatus::Applied | InvitationStatus::Update
                ) {
                    report.applied += 1;
                }
            }
            Err(why) => {
                inv.error = Some(why.to_string());
                report.invalid += 1;
            }
        }
        store.save_invitation(&inv)?;
    }
    store.set_invite_scan_position(account, INBOX, st.uidvalidity, st.uidnext)?;
    Ok(report)
}

/// MIME trees of `uids`. When the server's answer for the batch cannot be read,
/// each message is asked alone and one that still fails is skipped (counted as
/// invalid) while the server stays reachable: one odd message never blocks the scan.
async fn structures<M: Mailbox>(
    mb: &mut M,
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
/// Returns where the parked copy is: (UIDVALIDITY, UID).
pub async fn park<M: Mailbox>(
    mb: &mut M,
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
                InviteError::Gone(format!(
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
            InviteError::Gone(format!(
                "the copy of {} did not appear in {parking}",
                inv.message_id
            ))
        })?;
    Ok((after.uidvalidity, parked))
}

async fn find_by_message_id<M: Mailbox>(mb: &mut M, folder: &str, mid: &str) -> Result<Vec<u32>> {
    if mid.is_empty() {
        return Ok(Vec::new());
    }
    Ok(mb.search_message_id(folder, mid).await?)
}

/// Park invitations answered while the server could not be reached, then point
/// their events' attachment references at the parked copy.
async fn park_pending<M: Mailbox>(
    store: &mut Store,
    mb: &mut M,
    account: &str,
    parking: &str,
) -> Result<usize> {
    let mut n = 0;
    for mut inv in store.invitations(Some(account))? {
        if !inv.park_pending {
            continue;
        }
        let (validity, uid) = match park(mb, &inv, parking, false).await {
            Ok(p) => p,
            Err(InviteError::Gone(why)) => {
                inv.park_pending = false;
                inv.note = why;
                store.save_invitation(&inv)?;
                continue;
            }
            Err(e) => return Err(e),
        };
        let refs = parked_refs(&inv, parking, validity, uid);
        if let Some(event_id) = &inv.event_id {
            // Read and write in one transaction: only the attachment fields change,
            // on the event as stored now (an edit made meanwhile is kept).
            store.write(|w| {
                let Some(mut ev) = w.get(event_id)? else {
                    return Ok(());
                };
                for c in std::iter::once(&mut ev.body.main).chain(ev.body.overrides.iter_mut()) {
                    if c.props.iter().any(|p| p.name == apply::ATTACHMENT_PROP) {
                        c.props.retain(|p| p.name != apply::ATTACHMENT_PROP);
                        c.props.extend(apply::attachment_props(&refs));
                    }
                }
                w.update(&ev)?;
                w.attach_to_last(refs.clone())
            })?;
        }
        inv.parked = Some(parked_at(&inv, parking, validity, uid));
        inv.park_pending = false;
        store.save_invitation(&inv)?;
        n += 1;
    }
    Ok(n)
}

/// Where the whole message was parked (no part: the message itself).
pub(super) fn parked_at(inv: &Invitation, folder: &str, validity: u32, uid: u32) -> AttachmentRef {
    AttachmentRef {
        folder: folder.to_string(),
        uidvalidity: validity,
        uid,
        message_id: inv.message_id.clone(),
        part: String::new(),
        filename: String::new(),
        content_type: String::new(),
        size: 0,
        size_exact: false,
    }
}

/// References to the attachments of `inv` parked at (`validity`, `uid`).
pub fn parked_refs(inv: &Invitation, folder: &str, validity: u32, uid: u32) -> Vec<AttachmentRef> {
    inv.attachments
        .iter()
        .map(|a| AttachmentRef {
            part: a.part.clone(),
            filename: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size,
            size_exact: a.size_exact,
            ..parked_at(inv, folder, validity, uid)
        })
        .collect()
}

/// Download one parked attachment, decoded. The message is found by its
/// UIDVALIDITY/UID, else by Message-ID; gone → [`InviteError::Gone`].
pub async fn fetch_attachment<M: Mailbox>(mb: &mut M, a: &AttachmentRef) -> Result<Vec<u8>> {
    let gone = || {
        InviteError::Gone(format!(
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
        Err(MailboxError::Refused { reason, .. }) => return Err(InviteError::Gone(reason)),
        Err(e) => return Err(e.into()),
    };
    let part = fetched.first().ok_or_else(gone)?;
    let decoded = decode_part(part).map_err(|e| InviteError::Gone(e.to_string()))?;
    Ok(decoded.bytes)
}

/// Record on the event that attachment `a` decodes to `size` bytes, as a fetch
/// just gave: later listings (on every device) show the size fetched.
pub fn remember_fetched_size(
    store: &mut Store,
    event_id: &str,
    a: &AttachmentRef,
    size: u64,
) -> Result<()> {
    if a.size_exact && a.size == size {
        return Ok(());
    }
    let same = |b: &AttachmentRef| {
        AttachmentRef {
            size: a.size,
            size_exact: a.size_exact,
            ..b.clone()
        } == *a
    };
    store.write(|w| {
        let Some(mut ev) = w.get(event_id)? else {
            return Ok(());
        };
        let mut changed = false;
        for c in std::iter::once(&mut ev.body.main).chain(ev.body.overrides.iter_mut()) {
            for p in c
                .props
                .iter_mut()
                .filter(|p| p.name == apply::ATTACHMENT_PROP)
            {
                if same(&apply::attachment_ref(p)) {
                    p.set_param("SIZE", &size.to_string());
                    p.set_param(apply::SIZE_EXACT_PARAM, "TRUE");
                    changed = true;
                }
            }
        }
        if changed {
            w.update(&ev)?;
        }
        Ok(())
    })?;
    Ok(())
}

#[cfg(test)]
mod size_tests {
    use super::{decoded_size, remember_fetched_size};
    use crate::invite::apply::{attachment_props, attachment_refs};
    use crate::model::change::AttachmentRef;
    use crate::model::{Kind, Record};
    use crate::store::Store;

    /// Without BINARY the listing starts from an estimate; the first fetch
    /// records what it wrote, and listings show that from then on.
    #[test]
    fn a_fetch_records_the_size_it_wrote() {
        let mut store = Store::open_in_memory().unwrap();
        let cal = store.default_collection(Kind::Event).unwrap().id;
        let estimate = AttachmentRef {
            folder: "PIM/Parked".into(),
            uidvalidity: 1,
            uid: 4,
            message_id: "<m@x>".into(),
            part: "2".into(),
            filename: "a.bin".into(),
            content_type: "application/octet-stream".into(),
            size: 2,
            size_exact: false,
        };
        let other = AttachmentRef {
            part: "3".into(),
            ..estimate.clone()
        };
        let mut ev = Record::new(Kind::Event, &cal);
        ev.set_text("SUMMARY", "Planning");
        ev.body
            .main
            .props
            .extend(attachment_props(&[estimate.clone(), other.clone()]));
        let id = ev.id.clone();
        store.write(|w| w.create(&ev)).unwrap();
        remember_fetched_size(&mut store, &id, &estimate, 1).unwrap();
        let refs = attachment_refs(&store.get(&id).unwrap().unwrap());
        assert_eq!(
            refs,
            [
                AttachmentRef {
                    size: 1,
                    size_exact: true,
                    ..estimate.clone()
                },
                other
            ]
        );
        // Known already: nothing is written again.
        let before = store.get(&id).unwrap().unwrap();
        remember_fetched_size(&mut store, &id, &refs[0], 1).unwrap();
        assert_eq!(store.get(&id).unwrap().unwrap(), before);
    }

    #[test]
    fn a_base64_part_is_counted_as_the_bytes_it_decodes_to() {
        use base64::Engine;
        for len in [1usize, 2, 3, 8, 20, 57, 58, 1000, 3 * 1024 * 1024 + 1] {
            let data = vec![7u8; len];
            let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
            let lines: Vec<&str> = b64
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            for body in [lines.join("\r\n"), lines.join("\r\n") + "\r\n"] {
                let est = decoded_size(body.len() as u64, "base64");
                assert!(
                    est.abs_diff(len as u64) <= 1,
                    "{len} bytes as {} octets: {est}",
                    body.len()
                );
            }
        }
        assert_eq!(decoded_size(30, "base64"), 20, "issue 18's example");
        assert_eq!(decoded_size(30, "7bit"), 30);
    }
}
