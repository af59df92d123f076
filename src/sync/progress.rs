//! Progress of a sync round, observed from outside the engine: [`Watched`] wraps a
//! [`Mailbox`] and reports what crosses it (listing, downloading, uploading), so
//! the CLI can draw a progress line and the TUI a bar without the engine knowing.

use std::time::Duration;

use super::engine::SyncReport;
use super::envelope::LIST_HEADERS;
use super::mailbox::{FetchedPart, FolderState, Mailbox, MbResult, MessageMeta, MimePart};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Phase {
    #[default]
    Checking,
    Downloading,
    /// Everything expected is downloaded: the engine applies it now.
    Applying,
    Uploading,
    Finishing,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Checking => "checking",
            Phase::Downloading => "downloading",
            Phase::Applying => "applying",
            Phase::Uploading => "uploading",
            Phase::Finishing => "finishing",
        }
    }
}

/// Where a round is: messages done of those expected in this phase, and bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub phase: Phase,
    pub done: u64,
    /// 0 when unknown.
    pub total: u64,
    pub bytes: u64,
}

impl Progress {
    /// 0.0..=1.0 when the total is known.
    pub fn ratio(&self) -> Option<f64> {
        (self.total > 0).then(|| (self.done as f64 / self.total as f64).min(1.0))
    }

    /// "downloading 3/12 messages, 45 KB".
    pub fn line(&self) -> String {
        let count = match (self.phase, self.total) {
            (Phase::Checking | Phase::Finishing, _) => String::new(),
            (_, 0) => format!(" {} messages", self.done),
            (_, t) => format!(" {}/{t} messages", self.done.min(t)),
        };
        let bytes = if self.bytes > 0 {
            format!(", {}", human_bytes(self.bytes))
        } else {
            String::new()
        };
        format!("{}{count}{bytes}", self.phase.label())
    }
}

pub fn human_bytes(n: u64) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{} KB", n / 1024),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

/// A [`Mailbox`] that reports progress to `report` as calls pass through.
/// `own_tag` (this device's `X-Pim-Device` tag) keeps own messages out of the
/// download estimate: they are listed but never fetched.
pub struct Watched<'a, M: Mailbox> {
    inner: &'a mut M,
    report: &'a mut dyn FnMut(&Progress),
    own_tag: String,
    now: Progress,
}

impl<'a, M: Mailbox> Watched<'a, M> {
    pub fn new(inner: &'a mut M, own_tag: String, report: &'a mut dyn FnMut(&Progress)) -> Self {
        Watched {
            inner,
            report,
            own_tag,
            now: Progress::default(),
        }
    }

    fn enter(&mut self, phase: Phase) {
        if self.now.phase != phase {
            // The applying phase follows downloading whatever its count was.
            let keep_total = phase == Phase::Applying;
            self.now = Progress {
                phase,
                done: if keep_total { self.now.done } else { 0 },
                total: if keep_total { self.now.done } else { 0 },
                bytes: 0,
            };
            (self.report)(&self.now);
        }
    }

    fn leave_download(&mut self) {
        if self.now.phase == Phase::Downloading {
            self.enter(Phase::Applying);
        }
    }

    /// The round is over (call after the engine returns).
    pub fn finish(&mut self) {
        self.enter(Phase::Finishing);
    }
}

impl<M: Mailbox> Mailbox for Watched<'_, M> {
    async fn ensure_folder(&mut self, folder: &str) -> MbResult<()> {
        self.inner.ensure_folder(folder).await
    }

    async fn state(&mut self, folder: &str) -> MbResult<FolderState> {
        self.leave_download();
        self.inner.state(folder).await
    }

    async fn list(
        &mut self,
        folder: &str,
        from_uid: u32,
        headers: &[&str],
    ) -> MbResult<Vec<MessageMeta>> {
        self.leave_download();
        let listed = self.inner.list(folder, from_uid, headers).await?;
        if headers == LIST_HEADERS && !folder.ends_with("/Devices") {
            let theirs = listed
                .iter()
                .filter(|m| m.headers.get("x-pim-device").map(|t| t.trim()) != Some(&self.own_tag))
                .count() as u64;
            if self.now.phase == Phase::Checking {
                self.now.total += theirs;
            }
        }
        Ok(listed)
    }

    async fn fetch(&mut self, folder: &str, uids: &[u32]) -> MbResult<Vec<(u32, Vec<u8>)>> {
        let got = self.inner.fetch(folder, uids).await?;
        if folder.ends_with("/Devices") {
            return Ok(got);
        }
        if self.now.phase != Phase::Downloading {
            let total = self.now.total;
            self.enter(Phase::Downloading);
            self.now.total = total;
        }
        self.now.done += got.len() as u64;
        self.now.bytes += got.iter().map(|(_, raw)| raw.len() as u64).sum::<u64>();
        self.now.total = self.now.total.max(self.now.done);
        (self.report)(&self.now);
        if self.now.done >= self.now.total {
            self.enter(Phase::Applying);
        }
        Ok(got)
    }

    async fn append(&mut self, folder: &str, messages: &[Vec<u8>]) -> MbResult<()> {
        self.leave_download();
        if !folder.ends_with("/Devices") {
            self.enter(Phase::Uploading);
        }
        self.inner.append(folder, messages).await?;
        if self.now.phase == Phase::Uploading {
            self.now.done += messages.len() as u64;
            self.now.bytes += messages.iter().map(|m| m.len() as u64).sum::<u64>();
            (self.report)(&self.now);
        }
        Ok(())
    }

    async fn delete(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        self.leave_download();
        self.inner.delete(folder, uids).await
    }

    async fn wait(&mut self, folder: &str, timeout: Duration) -> MbResult<bool> {
        self.inner.wait(folder, timeout).await
    }

    fn polls_every(&self) -> Option<Duration> {
        self.inner.polls_every()
    }

    // Invitation work is not part of a sync round's progress: passed through.
    async fn body_structures(
        &mut self,
        folder: &str,
        uids: &[u32],
    ) -> MbResult<Vec<(u32, Vec<MimePart>)>> {
        self.inner.body_structures(folder, uids).await
    }

    async fn fetch_parts(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Vec<FetchedPart>> {
        self.inner.fetch_parts(folder, uid, parts).await
    }

    async fn search_message_id(&mut self, folder: &str, message_id: &str) -> MbResult<Vec<u32>> {
        self.inner.search_message_id(folder, message_id).await
    }

    async fn copy_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        self.inner.copy_to(folder, uids, dest).await
    }

    async fn move_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        self.inner.move_to(folder, uids, dest).await
    }

    async fn mark_seen(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        self.inner.mark_seen(folder, uids).await
    }

    fn commands_sent(&self) -> u64 {
        self.inner.commands_sent()
    }

    fn bytes(&self) -> (u64, u64) {
        self.inner.bytes()
    }
}

/// One line summing up a round.
pub fn summary(r: &SyncReport) -> String {
    let mut parts = Vec::new();
    for (n, what) in [
        (r.uploaded, "uploaded"),
        (r.applied, "applied"),
        (r.conflicts, "conflicts"),
        (r.deleted, "cleaned up"),
        (r.rejected, "rejected"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    if let Some(line) = lost_folders_line(r) {
        parts.insert(0, line);
    }
    if let Some(line) = epoch_pending_line(r) {
        parts.insert(0, line);
    }
    if let Some(line) = refused_keys_line(r) {
        parts.insert(0, line);
    }
    if parts.is_empty() {
        "nothing to do".into()
    } else {
        parts.join(", ")
    }
}

/// Starts the summary of a round that found the sync folders lost.
pub const LOST_FOLDERS: &str = "sync folders lost on the server";

/// What a round did about lost sync folders, if it found them lost.
pub fn lost_folders_line(r: &SyncReport) -> Option<String> {
    let why = r.lost_folders.as_ref()?;
    Some(if r.republished > 0 {
        format!(
            "{LOST_FOLDERS} ({why}): republished all {} records held here",
            r.republished
        )
    } else {
        format!("{LOST_FOLDERS} ({why}): republishing once a full sync can run")
    })
}

/// What waits for the user after another device replaced the server's data.
pub fn epoch_pending_line(r: &SyncReport) -> Option<String> {
    let epoch = r.epoch_pending?;
    Some(format!(
        "another device replaced the server's data (epoch {epoch}); nothing was changed here: \
         `pim sync --mode replace-local` (or T on the Sync tab) takes it (records it lacks \
         are dropped here, unsent edits kept), \
         `pim sync --mode replace-remote` puts this device's data back"
    ))
}

/// Devices whose messages came signed with another key than the one they are
/// bound to (someone with the sync key writing as them), if any.
pub fn refused_keys_line(r: &SyncReport) -> Option<String> {
    if r.refused_keys.is_empty() {
        return None;
    }
    let who: Vec<String> = r
        .refused_keys
        .iter()
        .map(|k| {
            let name = if k.name.is_empty() {
                &k.device
            } else {
                &k.name
            };
            format!("{name} (its key {}, offered {})", k.bound, k.offered)
        })
        .collect();
    Some(format!(
        "refused messages signed with another key than their device's: {}; someone with \
         the sync key may be writing as it (`pim sync rekey` replaces the key)",
        who.join(", ")
    ))
}

/// Remember the last successful round (the Sync tab and `pim sync` share it).
pub fn remember_round(store: &crate::store::Store, r: &SyncReport) {
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let _ = store.set_meta("last_sync", &now);
    let _ = store.set_meta("last_sync.summary", &summary(r));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use crate::sync::crypto::SyncKey;
    use crate::sync::engine::{SyncOptions, sync_once};
    use crate::sync::memory::MemoryServer;

    fn add_contact(store: &mut Store, name: &str) {
        let mut r = crate::model::Record::new(crate::model::Kind::Contact, "default-contact");
        r.set_text("FN", name);
        store
            .write(|w| {
                if w.collection("default-contact").is_err() {
                    w.put_collection_with_id(
                        "default-contact",
                        crate::model::Kind::Contact,
                        "Contacts",
                    )?;
                }
                w.create(&r)
            })
            .unwrap();
    }

    #[test]
    fn phases_follow_the_round() {
        let key = SyncKey::generate();
        let o = SyncOptions::new(key.clone());
        let server = MemoryServer::new();
        let mut a = Store::open_in_memory().unwrap();
        let mut b = Store::open_in_memory().unwrap();
        for i in 0..5 {
            add_contact(&mut a, &format!("Person {i}"));
        }
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let mut seen_a: Vec<Progress> = Vec::new();
        let tag_a = crate::sync::engine::own_tag(&a, &key);
        rt.block_on(async {
            let mut record = |p: &Progress| seen_a.push(*p);
            let mut mb = server.connect();
            let mut w = Watched::new(&mut mb, tag_a, &mut record);
            sync_once(&mut a, &mut w, &o).await.unwrap();
            w.finish();
        });
        let up = seen_a.iter().rev().find(|p| p.phase == Phase::Uploading);
        assert!(up.is_some_and(|p| p.done >= 1 && p.bytes > 0), "{seen_a:?}");
        assert!(!seen_a.iter().any(|p| p.phase == Phase::Downloading));

        let mut seen_b: Vec<Progress> = Vec::new();
        let tag_b = crate::sync::engine::own_tag(&b, &key);
        rt.block_on(async {
            let mut record = |p: &Progress| seen_b.push(*p);
            let mut mb = server.connect();
            let mut w = Watched::new(&mut mb, tag_b, &mut record);
            sync_once(&mut b, &mut w, &o).await.unwrap();
            w.finish();
        });
        let phases: Vec<Phase> = seen_b.iter().map(|p| p.phase).collect();
        let down = phases.iter().position(|p| *p == Phase::Downloading);
        let apply = phases.iter().position(|p| *p == Phase::Applying);
        assert!(down.is_some() && apply > down, "{phases:?}");
        let last_down = seen_b
            .iter()
            .rev()
            .find(|p| p.phase == Phase::Downloading)
            .unwrap();
        assert_eq!(last_down.done, last_down.total, "{seen_b:?}");
        assert_eq!(seen_b.last().unwrap().phase, Phase::Finishing);
        assert_eq!(b.count(crate::model::Kind::Contact).unwrap(), 5);
    }

    #[test]
    fn lines_read_well() {
        let p = Progress {
            phase: Phase::Downloading,
            done: 3,
            total: 12,
            bytes: 46_080,
        };
        assert_eq!(p.line(), "downloading 3/12 messages, 45 KB");
        assert_eq!(p.ratio(), Some(0.25));
        assert_eq!(Progress::default().line(), "checking");
    }

    #[test]
    fn a_waiting_epoch_leads_the_summary_with_what_to_do() {
        let r = SyncReport {
            epoch_pending: Some(2),
            applied: 3,
            ..SyncReport::default()
        };
        let line = summary(&r);
        assert!(line.starts_with("another device replaced the server's data (epoch 2)"));
        assert!(line.contains("--mode replace-local") && line.ends_with("3 applied"));
        assert_eq!(epoch_pending_line(&SyncReport::default()), None);
    }

    /// The line named the device with a run of stray spaces in the middle.
    #[test]
    fn a_refused_key_is_named_in_one_plain_line() {
        let r = SyncReport {
            refused_keys: vec![crate::sync::engine::RefusedKey {
                device: "a-id".into(),
                name: "laptop".into(),
                bound: "3f9a 1b2c 7d8e c2d1".into(),
                offered: "77b1 0e4f 9a2d 5c38".into(),
            }],
            ..SyncReport::default()
        };
        let line = refused_keys_line(&r).unwrap();
        assert_eq!(
            line,
            "refused messages signed with another key than their device's: laptop (its key \
             3f9a 1b2c 7d8e c2d1, offered 77b1 0e4f 9a2d 5c38); someone with the sync key may \
             be writing as it (`pim sync rekey` replaces the key)"
        );
    }
}
