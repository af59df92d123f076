//! The [`Mailbox`] operations over IMAP.

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use tokio::io::AsyncWriteExt;
use tokio::time::timeout;

use super::ImapMailbox;
use super::answers::{read_select, wait_continue, wait_done};
use super::wire::{
    literal_marker, parse_headers, quote_folder, uid_chunks, uid_set, valid_header_name,
};
use crate::sync::mailbox::{
    FetchedPart, FolderState, Mailbox, MailboxError, MbResult, MessageMeta, MimePart,
};

/// At most this many messages or bytes per APPEND command.
const APPEND_MAX_MESSAGES: usize = 1000;
const APPEND_MAX_BYTES: usize = 16 << 20;

pub(super) fn folder_arg(folder: &str) -> MbResult<String> {
    quote_folder(folder).map_err(|reason| MailboxError::Refused {
        command: "folder name".into(),
        reason: reason.to_string(),
    })
}

impl ImapMailbox {
    /// SELECT `folder` (with CONDSTORE when offered) unless it is already selected.
    async fn select_if_needed(&mut self, folder: &str) -> MbResult<()> {
        if self.selected.as_deref() == Some(folder) && self.session.is_some() {
            return Ok(());
        }
        self.select(folder).await.map(|_| ())
    }

    pub(super) async fn select(&mut self, folder: &str) -> MbResult<FolderState> {
        let quoted = folder_arg(&self.server_folder(folder))?;
        let condstore = self.has_capability("CONDSTORE");
        let mut s = self.take().await?;
        self.commands += 1;
        self.selected = None;
        let res = timeout(self.cfg.timeout, async {
            let cmd = if condstore {
                format!("SELECT {quoted} (CONDSTORE)")
            } else {
                format!("SELECT {quoted}")
            };
            let id = s.run_command(&cmd).await?;
            let mbox = read_select(&mut s, id).await?;
            Ok(mbox)
        })
        .await;
        let mbox = match self.give_back(s, "SELECT", res) {
            Err(MailboxError::Refused { .. }) => {
                return Err(MailboxError::NoFolder(self.server_folder(folder)));
            }
            other => other?,
        };
        self.selected = Some(folder.to_string());
        self.exists_known = Some(mbox.exists);
        let uidvalidity = mbox.uid_validity.ok_or_else(|| {
            MailboxError::Protocol(format!("SELECT {folder}: no UIDVALIDITY in the answer"))
        })?;
        let uidnext = match mbox.uid_next {
            Some(n) => n,
            None => self.status_uidnext(&quoted).await?,
        };
        Ok(FolderState {
            uidvalidity,
            uidnext,
            highestmodseq: if condstore { mbox.highest_modseq } else { None },
            exists: mbox.exists,
        })
    }

    async fn status_uidnext(&mut self, quoted: &str) -> MbResult<u32> {
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout, async {
            Ok(s.status(quoted.trim_matches('"'), "(UIDNEXT)").await?)
        })
        .await;
        let mbox = self.give_back(s, "STATUS", res)?;
        mbox.uid_next
            .ok_or_else(|| MailboxError::Protocol("server gave no UIDNEXT".into()))
    }

    /// APPEND one or more messages in one command (MULTIAPPEND), using LITERAL+
    /// when offered and continuation requests otherwise.
    async fn append_command(&mut self, quoted: &str, messages: &[Vec<u8>]) -> MbResult<()> {
        let literal_plus = self.has_capability("LITERAL+");
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout.max(Duration::from_secs(1)) * 4, async {
            let head = format!(
                "APPEND {quoted} {}",
                literal_marker(messages[0].len(), literal_plus)
            );
            let id = s.run_command(&head).await?;
            for (i, msg) in messages.iter().enumerate() {
                if !literal_plus {
                    wait_continue(&mut s, &id).await?;
                }
                let stream = s.get_mut();
                stream.write_all(msg).await?;
                match messages.get(i + 1) {
                    Some(next) => {
                        let sep = format!(" {}\r\n", literal_marker(next.len(), literal_plus));
                        stream.write_all(sep.as_bytes()).await?;
                    }
                    None => stream.write_all(b"\r\n").await?,
                }
                stream.flush().await?;
            }
            wait_done(&mut s, &id).await
        })
        .await;
        self.give_back(s, "APPEND", res)
    }
}

/// Message batches for APPEND commands, bounded in count and bytes.
fn append_groups(messages: &[Vec<u8>], multi: bool) -> Vec<&[Vec<u8>]> {
    if !multi {
        return messages.chunks(1).collect();
    }
    let mut groups = Vec::new();
    let mut start = 0;
    let mut bytes = 0;
    for (i, m) in messages.iter().enumerate() {
        if i > start && (i - start >= APPEND_MAX_MESSAGES || bytes + m.len() > APPEND_MAX_BYTES) {
            groups.push(&messages[start..i]);
            start = i;
            bytes = 0;
        }
        bytes += m.len();
    }
    if start < messages.len() {
        groups.push(&messages[start..]);
    }
    groups
}

impl Mailbox for ImapMailbox {
    async fn ensure_folder(&mut self, folder: &str) -> MbResult<()> {
        let on_server = self.server_folder(folder);
        let quoted = folder_arg(&on_server)?;
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout, async {
            Ok(s.run_command_and_check_ok(format!("CREATE {quoted}"))
                .await?)
        })
        .await;
        match self.give_back(s, "CREATE", res) {
            Ok(()) => Ok(()),
            Err(MailboxError::Refused { reason, .. }) => {
                // Usually "already exists"; confirm with LIST rather than trust wording.
                let found = self.list_names(&on_server).await?;
                if found.iter().any(|(n, _)| *n == on_server) {
                    Ok(())
                } else {
                    Err(MailboxError::Refused {
                        command: format!("CREATE {on_server}"),
                        reason,
                    })
                }
            }
            Err(e) => Err(e),
        }
    }

    async fn state(&mut self, folder: &str) -> MbResult<FolderState> {
        self.select(folder).await
    }

    async fn list(
        &mut self,
        folder: &str,
        from_uid: u32,
        headers: &[&str],
    ) -> MbResult<Vec<MessageMeta>> {
        if let Some(bad) = headers.iter().find(|h| !valid_header_name(h)) {
            return Err(MailboxError::Refused {
                command: "UID FETCH".into(),
                reason: format!("invalid header name {bad:?}"),
            });
        }
        self.select_if_needed(folder).await?;
        let items = if headers.is_empty() {
            "(UID RFC822.SIZE)".to_string()
        } else {
            format!(
                "(UID RFC822.SIZE BODY.PEEK[HEADER.FIELDS ({})])",
                headers.join(" ")
            )
        };
        let from = from_uid.max(1);
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout, async {
            let fetches: Vec<_> = s
                .uid_fetch(format!("{from}:*"), &items)
                .await?
                .try_collect()
                .await?;
            Ok(fetches)
        })
        .await;
        let fetches = self.give_back(s, "UID FETCH", res)?;
        let mut out: Vec<MessageMeta> = fetches
            .iter()
            .filter_map(|f| {
                let uid = f.uid?;
                // `N:*` also returns the last message when N is beyond it.
                if uid < from {
                    return None;
                }
                Some(MessageMeta {
                    uid,
                    size: f.size? as u64,
                    headers: f.header().map(parse_headers).unwrap_or_default(),
                })
            })
            .collect();
        out.sort_by_key(|m| m.uid);
        out.dedup_by_key(|m| m.uid);
        Ok(out)
    }

    async fn fetch(&mut self, folder: &str, uids: &[u32]) -> MbResult<Vec<(u32, Vec<u8>)>> {
        if uids.is_empty() {
            return Ok(Vec::new());
        }
        self.select_if_needed(folder).await?;
        let mut out = Vec::with_capacity(uids.len());
        for chunk in uid_chunks(uids) {
            let mut s = self.take().await?;
            self.commands += 1;
            let set = uid_set(&chunk);
            let res = timeout(self.cfg.timeout, async {
                let fetches: Vec<_> = s
                    .uid_fetch(&set, "(UID BODY.PEEK[])")
                    .await?
                    .try_collect()
                    .await?;
                Ok(fetches)
            })
            .await;
            let fetches = self.give_back(s, "UID FETCH", res)?;
            for f in &fetches {
                if let (Some(uid), Some(body)) = (f.uid, f.body())
                    && chunk.binary_search(&uid).is_ok()
                {
                    out.push((uid, body.to_vec()));
                }
            }
        }
        out.sort_by_key(|(uid, _)| *uid);
        out.dedup_by_key(|(uid, _)| *uid);
        Ok(out)
    }

    async fn append(&mut self, folder: &str, messages: &[Vec<u8>]) -> MbResult<()> {
        if messages.is_empty() {
            return Ok(());
        }
        let quoted = folder_arg(&self.server_folder(folder))?;
        self.ensure_session().await?;
        let multi = self.has_capability("MULTIAPPEND");
        for group in append_groups(messages, multi) {
            match self.append_command(&quoted, group).await {
                Err(MailboxError::NoFolder(_)) => {
                    return Err(MailboxError::NoFolder(self.server_folder(folder)));
                }
                other => other?,
            }
        }
        Ok(())
    }

    async fn delete(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        if uids.is_empty() {
            return Ok(());
        }
        self.select_if_needed(folder).await?;
        if !self.has_capability("UIDPLUS") {
            // A plain EXPUNGE removes every \Deleted message of the folder: only
            // safe when nothing but pim's own messages carries the flag.
            self.refuse_foreign_deleted(folder, uids).await?;
        }
        let uidplus = self.has_capability("UIDPLUS");
        for chunk in uid_chunks(uids) {
            let set = uid_set(&chunk);
            let mut s = self.take().await?;
            self.commands += 2;
            let res = timeout(self.cfg.timeout, async {
                let _: Vec<_> = s
                    .uid_store(&set, "+FLAGS.SILENT (\\Deleted)")
                    .await?
                    .try_collect()
                    .await?;
                if uidplus {
                    let _: Vec<_> = s.uid_expunge(&set).await?.try_collect().await?;
                } else {
                    let _: Vec<_> = s.expunge().await?.try_collect().await?;
                }
                Ok(())
            })
            .await;
            self.give_back(s, "UID STORE/EXPUNGE", res)?;
        }
        Ok(())
    }

    // Invitation operations: in `parts.rs`.
    async fn body_structures(
        &mut self,
        folder: &str,
        uids: &[u32],
    ) -> MbResult<Vec<(u32, Vec<MimePart>)>> {
        self.imap_body_structures(folder, uids).await
    }

    async fn fetch_parts(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Vec<FetchedPart>> {
        self.imap_fetch_parts(folder, uid, parts).await
    }

    async fn decoded_sizes(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Option<Vec<Option<u64>>>> {
        self.imap_decoded_sizes(folder, uid, parts).await
    }

    async fn search_message_id(&mut self, folder: &str, message_id: &str) -> MbResult<Vec<u32>> {
        self.imap_search_message_id(folder, message_id).await
    }

    async fn copy_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        self.imap_copy_to(folder, uids, dest).await
    }

    async fn move_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        self.imap_move_to(folder, uids, dest).await
    }

    async fn mark_seen(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        self.imap_mark_seen(folder, uids).await
    }

    fn polls_every(&self) -> Option<Duration> {
        (!self.has_idle()).then_some(self.cfg.poll_interval)
    }

    async fn wait(&mut self, folder: &str, max: Duration) -> MbResult<bool> {
        if !self.has_capability("IDLE") {
            return self.poll_wait(folder, max).await;
        }
        self.select_if_needed(folder).await?;
        let s = self.take().await?;
        self.commands += 1;
        // What the server said unasked during the round was about the round: it
        // only keeps the count of messages up to date.
        let mut known = self.exists_known;
        while let Ok(said) = s.unsolicited_responses.try_recv() {
            counts_news(&mut known, &said);
        }
        let said_meanwhile = s.unsolicited_responses.clone();
        let mut handle = s.idle();
        let guard = self.cfg.timeout;
        let started = timeout(guard, handle.init()).await;
        let failed = match started {
            Err(_) => Some(format!("no answer to IDLE within {} s", guard.as_secs())),
            Ok(Err(e)) => Some(format!("IDLE: {e}")),
            Ok(Ok(())) => None,
        };
        if let Some(why) = failed {
            self.selected = None;
            return Err(MailboxError::Disconnected(why));
        }
        // A message that arrived after the round's last look is reported in answer
        // to IDLE; a server may say so before its "+ idling" (Courier does), which
        // async-imap puts aside instead of handing to the wait below: such news
        // ends the wait at once, not at the next poll a minute later. A count the
        // server merely repeats is not news (no round after round).
        let mut news_before_idling = false;
        while let Ok(said) = said_meanwhile.try_recv() {
            news_before_idling |= counts_news(&mut known, &said);
        }
        self.exists_known = known;
        let (changed, broken) = if news_before_idling {
            (true, None)
        } else {
            // The outer deadline bounds the whole wait: the inner timeout restarts
            // on every keep-alive line ("* OK Still here").
            let (fut, _stop) = handle.wait_with_timeout(max);
            match timeout(max, fut).await {
                Ok(Ok(async_imap::extensions::idle::IdleResponse::NewData(_))) => (true, None),
                Ok(Ok(_)) | Err(_) => (false, None),
                Ok(Err(e)) => (false, Some(format!("during IDLE: {e}"))),
            }
        };
        if let Some(why) = broken {
            self.selected = None;
            return Err(MailboxError::Disconnected(why));
        }
        match timeout(guard, handle.done()).await {
            Ok(Ok(s)) => {
                while s.unsolicited_responses.try_recv().is_ok() {}
                self.session = Some(s);
                Ok(changed)
            }
            Ok(Err(e)) => {
                self.selected = None;
                Err(MailboxError::Disconnected(format!("ending IDLE: {e}")))
            }
            Err(_) => {
                self.selected = None;
                Err(MailboxError::Disconnected(
                    "no answer to DONE in time".into(),
                ))
            }
        }
    }

    fn commands_sent(&self) -> u64 {
        self.commands
    }

    fn bytes(&self) -> (u64, u64) {
        (self.traffic.sent(), self.traffic.received())
    }

    fn take_notices(&mut self) -> Vec<String> {
        std::mem::take(&mut self.notices)
    }
}

/// `known`, the selected folder's count of messages, after an untagged response
/// the server sent unasked; whether that response tells of a change (a message
/// came or went), not a count repeated.
fn counts_news(known: &mut Option<u32>, said: &async_imap::types::UnsolicitedResponse) -> bool {
    use async_imap::types::UnsolicitedResponse as Said;
    match *said {
        Said::Exists(n) => {
            let news = *known != Some(n);
            *known = Some(n);
            news
        }
        Said::Expunge(_) => {
            *known = known.map(|k| k.saturating_sub(1));
            true
        }
        _ => false,
    }
}

impl ImapMailbox {
    /// Without UIDPLUS pim can only expunge a whole folder: refuse when INBOX is
    /// meant or another message there is already marked \Deleted (another
    /// client's, waiting for its own expunge), so no other mail is ever removed.
    async fn refuse_foreign_deleted(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        let on_server = self.server_folder(folder);
        if on_server.eq_ignore_ascii_case("INBOX") {
            return Err(MailboxError::Refused {
                command: format!("EXPUNGE {on_server}"),
                reason: "the server has no UIDPLUS, and pim never expunges INBOX as a whole".into(),
            });
        }
        let mut s = self.take().await?;
        self.commands += 1;
        let res = timeout(self.cfg.timeout, async {
            Ok(s.uid_search("DELETED").await?)
        })
        .await;
        let flagged = self.give_back(s, "UID SEARCH DELETED", res)?;
        let foreign = flagged.iter().filter(|u| !uids.contains(u)).count();
        if foreign > 0 {
            return Err(MailboxError::Refused {
                command: format!("EXPUNGE {on_server}"),
                reason: format!(
                    "the server has no UIDPLUS and {foreign} other message(s) there are marked \\Deleted: \
                     expunging would remove them too"
                ),
            });
        }
        Ok(())
    }

    /// `wait` without IDLE: re-check the folder every poll interval.
    async fn poll_wait(&mut self, folder: &str, max: Duration) -> MbResult<bool> {
        let before = self.select(folder).await?;
        let deadline = Instant::now() + max;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            tokio::time::sleep(left.min(self.cfg.poll_interval)).await;
            let now = self.select(folder).await?;
            if now != before {
                return Ok(true);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_groups_bound_count_and_bytes() {
        let small: Vec<Vec<u8>> = (0..2500).map(|_| vec![b'x'; 10]).collect();
        let groups = append_groups(&small, true);
        assert_eq!(
            groups.iter().map(|g| g.len()).collect::<Vec<_>>(),
            [1000, 1000, 500]
        );
        let big: Vec<Vec<u8>> = (0..5).map(|_| vec![b'x'; 6 << 20]).collect();
        let groups = append_groups(&big, true);
        assert!(
            groups
                .iter()
                .all(|g| g.iter().map(Vec::len).sum::<usize>() <= APPEND_MAX_BYTES)
        );
        assert_eq!(groups.iter().map(|g| g.len()).sum::<usize>(), 5);
        assert_eq!(append_groups(&small[..3], false).len(), 3);
    }

    /// What a server says unasked before its "+ idling" ends the wait only when it
    /// tells of a change: a count it repeats at every IDLE must not start round
    /// after round.
    #[test]
    fn only_a_changed_count_or_an_expunge_is_news() {
        use async_imap::types::UnsolicitedResponse as Said;
        let mut known = Some(4);
        assert!(!counts_news(&mut known, &Said::Exists(4)));
        assert!(!counts_news(&mut known, &Said::Recent(1)));
        assert!(counts_news(&mut known, &Said::Exists(5)));
        assert_eq!(known, Some(5));
        assert!(!counts_news(&mut known, &Said::Exists(5)));
        assert!(counts_news(&mut known, &Said::Expunge(2)));
        assert_eq!(known, Some(4));
        // A count not known before is news once, then known.
        let mut unknown = None;
        assert!(counts_news(&mut unknown, &Said::Exists(3)));
        assert!(!counts_news(&mut unknown, &Said::Exists(3)));
    }
}
