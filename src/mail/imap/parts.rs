//! Working on single messages without downloading them whole (for invitations,
//! DESIGN.md §7): BODYSTRUCTURE, single MIME parts, COPY/MOVE, \Seen, search by
//! Message-ID.

use std::collections::BTreeMap;

use async_imap::imap_proto::{self, BodyStructure, ContentEncoding, MessageSection, SectionPath};
use futures::TryStreamExt;
use tokio::time::timeout;

use super::ImapMailbox;
use super::wire::{quote_folder, uid_chunks, uid_set};
use crate::sync::mailbox::{FetchedPart, MailboxError, MbResult, MimePart};

/// Flattens a BODYSTRUCTURE into parts in document order. Parts nested deeper than
/// [`MAX_MIME_DEPTH`] are left out (no invitation hides that deep; the recursion
/// stays bounded whatever a sender builds).
pub fn flatten(body: &BodyStructure<'_>) -> Vec<MimePart> {
    let mut out = Vec::new();
    walk(body, "", true, 0, &mut out);
    out
}

/// How deeply multiparts and attached messages are followed.
pub const MAX_MIME_DEPTH: usize = 32;

fn join(prefix: &str, n: usize) -> String {
    if prefix.is_empty() {
        n.to_string()
    } else {
        format!("{prefix}.{n}")
    }
}

fn walk(body: &BodyStructure<'_>, prefix: &str, top: bool, depth: usize, out: &mut Vec<MimePart>) {
    if depth > MAX_MIME_DEPTH {
        return;
    }
    match body {
        BodyStructure::Multipart { common, bodies, .. } => {
            out.push(describe(common, None, prefix.to_string()));
            for (i, child) in bodies.iter().enumerate() {
                walk(child, &join(prefix, i + 1), false, depth + 1, out);
            }
        }
        BodyStructure::Message {
            common,
            other,
            body: inner,
            ..
        } => {
            let here = if top {
                "1".to_string()
            } else {
                prefix.to_string()
            };
            out.push(describe(common, Some(other), here.clone()));
            // The encapsulated message's parts are numbered below this one; a
            // single-part body is `<here>.1`.
            match inner.as_ref() {
                BodyStructure::Multipart { .. } => walk(inner, &here, false, depth + 1, out),
                _ => walk(inner, &join(&here, 1), false, depth + 1, out),
            }
        }
        BodyStructure::Basic { common, other, .. } | BodyStructure::Text { common, other, .. } => {
            // A non-multipart message has one part: "1".
            let here = if top {
                "1".to_string()
            } else {
                prefix.to_string()
            };
            out.push(describe(common, Some(other), here));
        }
    }
}

fn params(p: &imap_proto::BodyParams<'_>) -> BTreeMap<String, String> {
    p.iter()
        .flatten()
        .map(|(k, v)| (k.to_ascii_lowercase(), v.to_string()))
        .collect()
}

fn describe(
    common: &imap_proto::BodyContentCommon<'_>,
    single: Option<&imap_proto::BodyContentSinglePart<'_>>,
    part: String,
) -> MimePart {
    let type_params = params(&common.ty.params);
    let disp_params = common
        .disposition
        .as_ref()
        .map(|d| params(&d.params))
        .unwrap_or_default();
    let filename = disp_params
        .get("filename")
        .cloned()
        .or_else(|| disp_params.get("filename*").map(|v| decode_rfc2231(v)))
        .or_else(|| type_params.get("name").cloned())
        .or_else(|| type_params.get("name*").map(|v| decode_rfc2231(v)));
    MimePart {
        part,
        mime_type: format!("{}/{}", common.ty.ty, common.ty.subtype).to_ascii_lowercase(),
        params: type_params,
        disposition: common
            .disposition
            .as_ref()
            .map(|d| d.ty.to_ascii_lowercase()),
        filename,
        size: single.map(|s| s.octets as u64).unwrap_or(0),
        encoding: single
            .map(|s| match &s.transfer_encoding {
                ContentEncoding::SevenBit => "7bit".to_string(),
                ContentEncoding::EightBit => "8bit".into(),
                ContentEncoding::Binary => "binary".into(),
                ContentEncoding::Base64 => "base64".into(),
                ContentEncoding::QuotedPrintable => "quoted-printable".into(),
                ContentEncoding::Other(o) => o.to_ascii_lowercase(),
            })
            .unwrap_or_default(),
    }
}

/// `utf-8''n%C3%A4me.pdf` → `näme.pdf` (RFC 2231); other charsets kept as bytes.
fn decode_rfc2231(v: &str) -> String {
    let encoded = v.splitn(3, '\'').nth(2).unwrap_or(v);
    let mut bytes = Vec::with_capacity(encoded.len());
    let raw = encoded.as_bytes();
    let mut i = 0;
    while i < raw.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if raw[i] == b'%'
            && i + 2 < raw.len()
            && let (Some(hi), Some(lo)) = (hex(raw[i + 1]), hex(raw[i + 2]))
        {
            bytes.push((hi * 16 + lo) as u8);
            i += 3;
            continue;
        }
        bytes.push(raw[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

pub(super) fn part_path(part: &str) -> Result<Vec<u32>, MailboxError> {
    part.split('.')
        .map(|n| n.parse::<u32>().ok().filter(|n| *n > 0))
        .collect::<Option<Vec<u32>>>()
        .ok_or_else(|| MailboxError::Refused {
            command: "UID FETCH".into(),
            reason: format!("invalid MIME part number {part:?}"),
        })
}

fn folder_arg(folder: &str) -> MbResult<String> {
    quote_folder(folder).map_err(|reason| MailboxError::Refused {
        command: "folder name".into(),
        reason: reason.to_string(),
    })
}

// The `Mailbox` trait's invitation operations (its impl in `ops.rs` calls these).
impl ImapMailbox {
    /// The MIME tree of each message (UIDs that do not exist are left out).
    pub(super) async fn imap_body_structures(
        &mut self,
        folder: &str,
        uids: &[u32],
    ) -> MbResult<Vec<(u32, Vec<MimePart>)>> {
        self.select_for_parts(folder).await?;
        let mut out = Vec::new();
        for chunk in uid_chunks(uids) {
            let set = uid_set(&chunk);
            let mut s = self.take().await?;
            self.commands += 1;
            let res = timeout(self.cfg.timeout, async {
                let fetches: Vec<_> = s
                    .uid_fetch(&set, "(UID BODYSTRUCTURE)")
                    .await?
                    .try_collect()
                    .await?;
                Ok(fetches)
            })
            .await;
            for f in self.give_back(s, "UID FETCH BODYSTRUCTURE", res)? {
                if let (Some(uid), Some(body)) = (f.uid, f.bodystructure()) {
                    out.push((uid, flatten(body)));
                }
            }
        }
        out.sort_by_key(|(uid, _)| *uid);
        Ok(out)
    }

    /// Only the named parts of one message, each with its MIME header
    /// (`BODY.PEEK[p.MIME] BODY.PEEK[p]`): the rest never crosses the network.
    pub(super) async fn imap_fetch_parts(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Vec<FetchedPart>> {
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let paths = parts
            .iter()
            .map(|p| part_path(p))
            .collect::<Result<Vec<_>, _>>()?;
        self.select_for_parts(folder).await?;
        let items: Vec<String> = parts
            .iter()
            .map(|p| format!("BODY.PEEK[{p}.MIME] BODY.PEEK[{p}]"))
            .collect();
        let items = format!("(UID {})", items.join(" "));
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout, async {
            let fetches: Vec<_> = s
                .uid_fetch(uid.to_string(), &items)
                .await?
                .try_collect()
                .await?;
            Ok(fetches)
        })
        .await;
        let fetches = self.give_back(s, "UID FETCH parts", res)?;
        let Some(f) = fetches.iter().find(|f| f.uid == Some(uid)) else {
            return Err(MailboxError::Refused {
                command: "UID FETCH".into(),
                reason: format!("no message with UID {uid} in {folder}"),
            });
        };
        let mut out = Vec::new();
        for (part, path) in parts.iter().zip(paths) {
            let body = f.section(&SectionPath::Part(path.clone(), None));
            let mime = f.section(&SectionPath::Part(path, Some(MessageSection::Mime)));
            // Dovecot answers a part that does not exist with empty strings.
            let missing = body.is_none_or(<[u8]>::is_empty) && mime.is_none_or(<[u8]>::is_empty);
            match body {
                Some(body) if !missing => out.push(FetchedPart {
                    part: part.to_string(),
                    mime_header: mime.unwrap_or_default().to_vec(),
                    body: body.to_vec(),
                }),
                _ => {
                    return Err(MailboxError::Refused {
                        command: "UID FETCH".into(),
                        reason: format!("message {uid} in {folder} has no part {part}"),
                    });
                }
            }
        }
        Ok(out)
    }

    /// UIDs of messages whose Message-ID header is `message_id` (with <>).
    pub(super) async fn imap_search_message_id(
        &mut self,
        folder: &str,
        message_id: &str,
    ) -> MbResult<Vec<u32>> {
        if message_id
            .chars()
            .any(|c| c.is_control() || c == '"' || c == '\\')
        {
            return Err(MailboxError::Refused {
                command: "UID SEARCH".into(),
                reason: format!("unusable Message-ID {message_id:?}"),
            });
        }
        self.select_for_parts(folder).await?;
        let mut s = self.take().await?;
        self.commands += 1;
        let query = format!("HEADER Message-ID \"{message_id}\"");
        let res = timeout(self.cfg.timeout, async { Ok(s.uid_search(&query).await?) }).await;
        let mut uids: Vec<u32> = self.give_back(s, "UID SEARCH", res)?.into_iter().collect();
        uids.sort_unstable();
        Ok(uids)
    }

    /// Server-side copy; nothing is downloaded.
    pub(super) async fn imap_copy_to(
        &mut self,
        folder: &str,
        uids: &[u32],
        dest: &str,
    ) -> MbResult<()> {
        let dest_name = self.server_folder(dest);
        folder_arg(&dest_name)?;
        self.select_for_parts(folder).await?;
        for chunk in uid_chunks(uids) {
            let set = uid_set(&chunk);
            let mut s = self.take().await?;
            self.commands += 1;
            let res = timeout(self.cfg.timeout, async {
                Ok(s.uid_copy(&set, &dest_name).await?)
            })
            .await;
            self.give_back(s, "UID COPY", res)
                .map_err(|e| no_folder(e, &dest_name))?;
        }
        Ok(())
    }

    /// Server-side move: UID MOVE with MOVE; COPY + UID EXPUNGE of just these
    /// messages with UIDPLUS; otherwise only a COPY (the originals are marked
    /// \Seen and stay): without either extension removing one message would
    /// expunge every \Deleted message of the folder, other clients' too.
    pub(super) async fn imap_move_to(
        &mut self,
        folder: &str,
        uids: &[u32],
        dest: &str,
    ) -> MbResult<()> {
        let dest_name = self.server_folder(dest);
        folder_arg(&dest_name)?;
        if !self.has_capability("MOVE") {
            self.imap_copy_to(folder, uids, dest).await?;
            if self.has_capability("UIDPLUS") {
                return crate::sync::Mailbox::delete(self, folder, uids).await;
            }
            self.imap_mark_seen(folder, uids).await?;
            let source = self.server_folder(folder);
            self.say_once(format!(
                "the server offers neither MOVE nor UIDPLUS: messages are copied to \
                 {dest_name} and stay in {source} (marked read)"
            ));
            return Ok(());
        }
        self.select_for_parts(folder).await?;
        for chunk in uid_chunks(uids) {
            let set = uid_set(&chunk);
            let mut s = self.take().await?;
            self.commands += 1;
            let res = timeout(self.cfg.timeout, async {
                Ok(s.uid_mv(&set, &dest_name).await?)
            })
            .await;
            self.give_back(s, "UID MOVE", res)
                .map_err(|e| no_folder(e, &dest_name))?;
        }
        Ok(())
    }

    /// Set \Seen (e.g. on an invitation that was answered).
    pub(super) async fn imap_mark_seen(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        self.select_for_parts(folder).await?;
        for chunk in uid_chunks(uids) {
            let set = uid_set(&chunk);
            let mut s = self.take().await?;
            self.commands += 1;
            let res = timeout(self.cfg.timeout, async {
                let _: Vec<_> = s
                    .uid_store(&set, "+FLAGS.SILENT (\\Seen)")
                    .await?
                    .try_collect()
                    .await?;
                Ok(())
            })
            .await;
            self.give_back(s, "UID STORE", res)?;
        }
        Ok(())
    }

    pub(super) async fn select_for_parts(&mut self, folder: &str) -> MbResult<()> {
        if self.selected.as_deref() == Some(folder) && self.session.is_some() {
            return Ok(());
        }
        self.select(folder).await.map(|_| ())
    }
}

fn no_folder(e: MailboxError, dest: &str) -> MailboxError {
    match e {
        MailboxError::Refused { ref reason, .. }
            if reason.to_ascii_uppercase().contains("TRYCREATE") =>
        {
            MailboxError::NoFolder(dest.to_string())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc2231_filenames() {
        assert_eq!(decode_rfc2231("utf-8''n%C3%A4me.pdf"), "näme.pdf");
        assert_eq!(decode_rfc2231("plain.txt"), "plain.txt");
        assert_eq!(decode_rfc2231("utf-8'en'100%"), "100%");
        assert_eq!(decode_rfc2231("utf-8''%Cä%zz"), "%Cä%zz");
    }

    fn common(ty: &'static str, subtype: &'static str) -> imap_proto::BodyContentCommon<'static> {
        imap_proto::BodyContentCommon {
            ty: imap_proto::ContentType {
                ty: ty.into(),
                subtype: subtype.into(),
                params: None,
            },
            disposition: None,
            language: None,
            location: None,
        }
    }

    /// `levels` multiparts, one inside the other, around a text/calendar part.
    fn nested(levels: usize) -> BodyStructure<'static> {
        let mut body = BodyStructure::Text {
            common: common("text", "calendar"),
            other: imap_proto::BodyContentSinglePart {
                id: None,
                md5: None,
                description: None,
                transfer_encoding: imap_proto::ContentEncoding::SevenBit,
                octets: 10,
            },
            lines: 1,
            extension: None,
        };
        for _ in 0..levels {
            body = BodyStructure::Multipart {
                common: common("multipart", "mixed"),
                bodies: vec![body],
                extension: None,
            };
        }
        body
    }

    #[test]
    fn deep_mime_nesting_is_cut_off() {
        let found = |levels| {
            flatten(&nested(levels))
                .iter()
                .any(|p| p.mime_type == "text/calendar")
        };
        assert!(found(MAX_MIME_DEPTH));
        assert!(!found(MAX_MIME_DEPTH + 1));
        assert_eq!(flatten(&nested(1000)).len(), MAX_MIME_DEPTH + 1);
    }

    #[test]
    fn part_numbers() {
        assert_eq!(part_path("2.1").unwrap(), vec![2, 1]);
        assert!(part_path("0").is_err());
        assert!(part_path("1.x").is_err());
        assert!(part_path("").is_err());
    }
}
