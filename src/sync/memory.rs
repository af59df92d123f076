//! An in-memory [`Mailbox`] for tests and simulations: several simulated devices
//! share one [`MemoryServer`], which can lose, duplicate and reorder messages,
//! reset UIDVALIDITY and fail calls on demand.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::envelope::split_message;
use super::mailbox::{
    FetchedPart, FolderState, Mailbox, MailboxError, MbResult, MessageMeta, MimePart,
};

mod mime;

#[derive(Debug, Default, Clone)]
struct Folder {
    uidvalidity: u32,
    uidnext: u32,
    modseq: u64,
    messages: BTreeMap<u32, Vec<u8>>,
    /// UIDs flagged \\Seen.
    seen: BTreeSet<u32>,
}

#[derive(Debug, Default)]
struct Server {
    folders: BTreeMap<String, Folder>,
    next_validity: u32,
    fail_next: u32,
    /// Calls to let through before `fail_next` starts counting.
    ok_before_fail: u32,
    /// Appends that store the message but report failure (lost acknowledgement).
    drop_ack_next: u32,
    condstore: bool,
    /// As if the server had no IDLE: `polls_every` reports this.
    polls_every: Option<Duration>,
}

/// The shared server. Clone it to hand the same server to several devices.
#[derive(Debug, Clone)]
pub struct MemoryServer(Arc<Mutex<Server>>);

impl Default for MemoryServer {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryServer {
    pub fn new() -> MemoryServer {
        MemoryServer(Arc::new(Mutex::new(Server {
            next_validity: 1000,
            condstore: true,
            ..Server::default()
        })))
    }

    fn lock(&self) -> MutexGuard<'_, Server> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A new connection to this server.
    pub fn connect(&self) -> MemoryMailbox {
        MemoryMailbox {
            server: self.clone(),
            commands: 0,
            bytes_up: 0,
            bytes_down: 0,
        }
    }

    /// Whether the server reports HIGHESTMODSEQ (CONDSTORE).
    pub fn set_condstore(&self, on: bool) {
        self.lock().condstore = on;
    }

    /// Act as a server without IDLE whose changes are looked for `every` so often
    /// (what [`Mailbox::polls_every`] then reports; `wait` is unchanged).
    pub fn set_polls_every(&self, every: Option<Duration>) {
        self.lock().polls_every = every;
    }

    /// The next `n` calls fail as if the connection dropped.
    pub fn fail_next(&self, n: u32) {
        self.fail_after(0, n);
    }

    /// Let `ok` calls succeed, then fail the `n` after them.
    pub fn fail_after(&self, ok: u32, n: u32) {
        let mut s = self.lock();
        s.ok_before_fail = ok;
        s.fail_next = n;
    }

    /// The next `n` appends store their messages but report a failure.
    pub fn drop_append_ack(&self, n: u32) {
        self.lock().drop_ack_next = n;
    }

    pub fn uids(&self, folder: &str) -> Vec<u32> {
        self.lock()
            .folders
            .get(folder)
            .map(|f| f.messages.keys().copied().collect())
            .unwrap_or_default()
    }

    /// Whether the message is flagged \\Seen.
    pub fn is_seen(&self, folder: &str, uid: u32) -> bool {
        self.lock()
            .folders
            .get(folder)
            .is_some_and(|f| f.seen.contains(&uid))
    }

    pub fn message(&self, folder: &str, uid: u32) -> Option<Vec<u8>> {
        self.lock().folders.get(folder)?.messages.get(&uid).cloned()
    }

    /// Every message in `folder`, by UID.
    pub fn messages(&self, folder: &str) -> Vec<(u32, Vec<u8>)> {
        self.lock()
            .folders
            .get(folder)
            .map(|f| f.messages.iter().map(|(u, m)| (*u, m.clone())).collect())
            .unwrap_or_default()
    }

    /// Delete a message behind the devices' backs (another client, a user).
    pub fn lose(&self, folder: &str, uid: u32) -> bool {
        let mut s = self.lock();
        let Some(f) = s.folders.get_mut(folder) else {
            return false;
        };
        f.modseq += 1;
        f.messages.remove(&uid).is_some()
    }

    /// Store a second copy of a message under a new UID.
    pub fn duplicate(&self, folder: &str, uid: u32) -> bool {
        let mut s = self.lock();
        let Some(f) = s.folders.get_mut(folder) else {
            return false;
        };
        let Some(m) = f.messages.get(&uid).cloned() else {
            return false;
        };
        let u = f.uidnext;
        f.uidnext += 1;
        f.modseq += 1;
        f.messages.insert(u, m);
        true
    }

    /// Re-store the messages of `folder` in the given order of their current UIDs
    /// (others keep theirs), so later UIDs no longer follow sequence order.
    pub fn reorder(&self, folder: &str, order: &[u32]) {
        let mut s = self.lock();
        let Some(f) = s.folders.get_mut(folder) else {
            return;
        };
        for uid in order {
            if let Some(m) = f.messages.remove(uid) {
                let u = f.uidnext;
                f.uidnext += 1;
                f.messages.insert(u, m);
            }
        }
        f.modseq += 1;
    }

    /// Renumber every message of `folder` under a new UIDVALIDITY.
    pub fn reset_uidvalidity(&self, folder: &str) {
        let mut s = self.lock();
        let validity = s.next_validity;
        s.next_validity += 1;
        let Some(f) = s.folders.get_mut(folder) else {
            return;
        };
        let msgs: Vec<Vec<u8>> = std::mem::take(&mut f.messages).into_values().collect();
        f.uidvalidity = validity;
        f.uidnext = 1;
        f.seen.clear();
        for m in msgs {
            f.messages.insert(f.uidnext, m);
            f.uidnext += 1;
        }
        f.modseq += 1;
    }

    /// Delete `root` and every folder under it (a user cleaning up the server, a
    /// provider migration): recreated folders get a new UIDVALIDITY.
    pub fn delete_tree(&self, root: &str) {
        let prefix = format!("{root}/");
        self.lock()
            .folders
            .retain(|name, _| name != root && !name.starts_with(&prefix));
    }

    /// Put a raw message into a folder (a forged or foreign message, in tests).
    pub fn inject(&self, folder: &str, raw: Vec<u8>) -> u32 {
        let mut s = self.lock();
        let v = s.next_validity;
        let f = s
            .folders
            .entry(folder.to_string())
            .or_insert_with(|| Folder {
                uidvalidity: v,
                uidnext: 1,
                ..Folder::default()
            });
        let u = f.uidnext;
        f.uidnext += 1;
        f.modseq += 1;
        f.messages.insert(u, raw);
        u
    }
}

/// One device's connection to a [`MemoryServer`].
#[derive(Debug)]
pub struct MemoryMailbox {
    server: MemoryServer,
    commands: u64,
    bytes_up: u64,
    bytes_down: u64,
}

impl MemoryMailbox {
    /// Count a command and apply any injected failure.
    fn begin(&mut self, what: &str) -> MbResult<MutexGuard<'_, Server>> {
        self.commands += 1;
        // The command line itself goes up, as it would on the wire.
        self.bytes_up += what.len() as u64 + 2;
        let mut s = self.server.lock();
        if s.ok_before_fail > 0 {
            s.ok_before_fail -= 1;
        } else if s.fail_next > 0 {
            s.fail_next -= 1;
            return Err(MailboxError::Disconnected(format!(
                "injected failure in {what}"
            )));
        }
        Ok(s)
    }
}

fn folder<'a>(s: &'a mut Server, name: &str) -> MbResult<&'a mut Folder> {
    s.folders
        .get_mut(name)
        .ok_or_else(|| MailboxError::NoFolder(name.to_string()))
}

/// Copy `uids` of `from` into `dest` under new UIDs, flags included (as IMAP COPY).
fn copy(s: &mut Server, from: &str, uids: &[u32], dest: &str) -> MbResult<()> {
    if !s.folders.contains_key(dest) {
        return Err(MailboxError::NoFolder(dest.to_string()));
    }
    let src = folder(s, from)?;
    let picked: Vec<(Vec<u8>, bool)> = uids
        .iter()
        .filter_map(|u| {
            src.messages
                .get(u)
                .map(|m| (m.clone(), src.seen.contains(u)))
        })
        .collect();
    let to = folder(s, dest)?;
    for (m, seen) in picked {
        let u = to.uidnext;
        to.uidnext += 1;
        to.modseq += 1;
        to.messages.insert(u, m);
        if seen {
            to.seen.insert(u);
        }
    }
    Ok(())
}

fn folder_state(s: &mut Server, name: &str) -> MbResult<FolderState> {
    let condstore = s.condstore;
    let f = folder(s, name)?;
    Ok(FolderState {
        uidvalidity: f.uidvalidity,
        uidnext: f.uidnext,
        highestmodseq: condstore.then_some(f.modseq),
        exists: f.messages.len() as u32,
    })
}

impl Mailbox for MemoryMailbox {
    async fn ensure_folder(&mut self, name: &str) -> MbResult<()> {
        let mut s = self.begin("CREATE")?;
        let v = s.next_validity;
        if !s.folders.contains_key(name) {
            s.next_validity += 1;
            s.folders.insert(
                name.to_string(),
                Folder {
                    uidvalidity: v,
                    uidnext: 1,
                    modseq: 1,
                    messages: BTreeMap::new(),
                    seen: BTreeSet::new(),
                },
            );
        }
        Ok(())
    }

    async fn state(&mut self, name: &str) -> MbResult<FolderState> {
        let mut s = self.begin("STATUS")?;
        folder_state(&mut s, name)
    }

    async fn list(
        &mut self,
        name: &str,
        from_uid: u32,
        headers: &[&str],
    ) -> MbResult<Vec<MessageMeta>> {
        let mut s = self.begin("UID FETCH headers")?;
        let f = folder(&mut s, name)?;
        let mut out = Vec::new();
        let mut down = 0;
        for (uid, raw) in f.messages.range(from_uid..) {
            let (all, _) = split_message(raw);
            let picked: BTreeMap<String, String> = all
                .into_iter()
                .filter(|(k, _)| headers.iter().any(|h| h.eq_ignore_ascii_case(k)))
                .collect();
            down += picked
                .iter()
                .map(|(k, v)| k.len() + v.len() + 4)
                .sum::<usize>() as u64;
            out.push(MessageMeta {
                uid: *uid,
                size: raw.len() as u64,
                headers: picked,
            });
        }
        drop(s);
        self.bytes_down += down;
        Ok(out)
    }

    async fn fetch(&mut self, name: &str, uids: &[u32]) -> MbResult<Vec<(u32, Vec<u8>)>> {
        let mut s = self.begin("UID FETCH body")?;
        let f = folder(&mut s, name)?;
        // In UID order, each once, as an IMAP server answers a UID FETCH.
        let wanted: std::collections::BTreeSet<u32> = uids.iter().copied().collect();
        let out: Vec<(u32, Vec<u8>)> = wanted
            .into_iter()
            .filter_map(|u| f.messages.get(&u).map(|m| (u, m.clone())))
            .collect();
        drop(s);
        self.bytes_down += out.iter().map(|(_, m)| m.len() as u64).sum::<u64>();
        Ok(out)
    }

    async fn append(&mut self, name: &str, messages: &[Vec<u8>]) -> MbResult<()> {
        let mut s = self.begin("APPEND")?;
        let drop_ack = s.drop_ack_next > 0;
        if drop_ack {
            s.drop_ack_next -= 1;
        }
        let f = folder(&mut s, name)?;
        for m in messages {
            let u = f.uidnext;
            f.uidnext += 1;
            f.modseq += 1;
            f.messages.insert(u, m.clone());
        }
        drop(s);
        self.bytes_up += messages.iter().map(|m| m.len() as u64).sum::<u64>();
        if drop_ack {
            return Err(MailboxError::Disconnected(
                "connection lost before APPEND completed".into(),
            ));
        }
        Ok(())
    }

    async fn delete(&mut self, name: &str, uids: &[u32]) -> MbResult<()> {
        let mut s = self.begin("UID STORE/EXPUNGE")?;
        let f = folder(&mut s, name)?;
        for u in uids {
            if f.messages.remove(u).is_some() {
                f.seen.remove(u);
                f.modseq += 1;
            }
        }
        Ok(())
    }

    fn polls_every(&self) -> Option<Duration> {
        self.server.lock().polls_every
    }

    /// One command (like IDLE), then a quiet look every few milliseconds until the
    /// folder changes or `timeout` passes.
    async fn wait(&mut self, name: &str, timeout: Duration) -> MbResult<bool> {
        let before = self.state(name).await?;
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            tokio::time::sleep(left.min(Duration::from_millis(10))).await;
            if folder_state(&mut self.server.lock(), name)? != before {
                return Ok(true);
            }
        }
    }

    async fn body_structures(
        &mut self,
        name: &str,
        uids: &[u32],
    ) -> MbResult<Vec<(u32, Vec<MimePart>)>> {
        let mut s = self.begin("UID FETCH BODYSTRUCTURE")?;
        let f = folder(&mut s, name)?;
        let mut out: Vec<(u32, Vec<MimePart>)> = uids
            .iter()
            .filter_map(|u| f.messages.get(u).map(|m| (*u, mime::structure(m))))
            .collect();
        out.sort_by_key(|(uid, _)| *uid);
        out.dedup_by_key(|(uid, _)| *uid);
        Ok(out)
    }

    async fn fetch_parts(
        &mut self,
        name: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Vec<FetchedPart>> {
        let mut s = self.begin("UID FETCH parts")?;
        let f = folder(&mut s, name)?;
        let refused = |reason: String| MailboxError::Refused {
            command: "UID FETCH".into(),
            reason,
        };
        let raw = f
            .messages
            .get(&uid)
            .ok_or_else(|| refused(format!("no message with UID {uid} in {name}")))?;
        let out = parts
            .iter()
            .map(|p| {
                mime::part(raw, p)
                    .ok_or_else(|| refused(format!("message {uid} in {name} has no part {p}")))
            })
            .collect::<MbResult<Vec<FetchedPart>>>()?;
        drop(s);
        self.bytes_down += out
            .iter()
            .map(|p| (p.mime_header.len() + p.body.len()) as u64)
            .sum::<u64>();
        Ok(out)
    }

    async fn search_message_id(&mut self, name: &str, message_id: &str) -> MbResult<Vec<u32>> {
        let mut s = self.begin("UID SEARCH")?;
        let f = folder(&mut s, name)?;
        Ok(f.messages
            .iter()
            .filter(|(_, raw)| {
                split_message(raw)
                    .0
                    .iter()
                    .any(|(k, v)| k.eq_ignore_ascii_case("message-id") && v.trim() == message_id)
            })
            .map(|(uid, _)| *uid)
            .collect())
    }

    async fn copy_to(&mut self, name: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        let mut s = self.begin("UID COPY")?;
        copy(&mut s, name, uids, dest)
    }

    async fn move_to(&mut self, name: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        let mut s = self.begin("UID MOVE")?;
        copy(&mut s, name, uids, dest)?;
        let f = folder(&mut s, name)?;
        for u in uids {
            if f.messages.remove(u).is_some() {
                f.seen.remove(u);
                f.modseq += 1;
            }
        }
        Ok(())
    }

    async fn mark_seen(&mut self, name: &str, uids: &[u32]) -> MbResult<()> {
        let mut s = self.begin("UID STORE")?;
        let f = folder(&mut s, name)?;
        for u in uids {
            if f.messages.contains_key(u) && f.seen.insert(*u) {
                f.modseq += 1;
            }
        }
        Ok(())
    }

    fn commands_sent(&self) -> u64 {
        self.commands
    }

    fn bytes(&self) -> (u64, u64) {
        (self.bytes_up, self.bytes_down)
    }
}
