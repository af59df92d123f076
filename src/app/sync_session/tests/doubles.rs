//! Test doubles: a connector over `MemoryServer` that can refuse connections,
//! and a mailbox whose `wait` idles like IMAP IDLE.

use std::time::Duration;

use crate::app::sync_session::{Connector, InvitationOutcome, SessionError};
use crate::store::Store;
use crate::sync::Mailbox;
use crate::sync::mailbox::{FetchedPart, FolderState, MbResult, MessageMeta, MimePart};
use crate::sync::memory::{MemoryMailbox, MemoryServer};

/// A MemoryMailbox whose `wait` behaves like IDLE: it returns when the folder
/// changes or the timeout passes (MemoryMailbox's own wait returns after 10 ms).
pub struct Idling(MemoryMailbox);

impl Mailbox for Idling {
    async fn ensure_folder(&mut self, folder: &str) -> MbResult<()> {
        self.0.ensure_folder(folder).await
    }
    async fn state(&mut self, folder: &str) -> MbResult<FolderState> {
        self.0.state(folder).await
    }
    async fn list(&mut self, f: &str, from: u32, h: &[&str]) -> MbResult<Vec<MessageMeta>> {
        self.0.list(f, from, h).await
    }
    async fn fetch(&mut self, folder: &str, uids: &[u32]) -> MbResult<Vec<(u32, Vec<u8>)>> {
        self.0.fetch(folder, uids).await
    }
    async fn append(&mut self, folder: &str, messages: &[Vec<u8>]) -> MbResult<()> {
        self.0.append(folder, messages).await
    }
    async fn delete(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        self.0.delete(folder, uids).await
    }
    async fn wait(&mut self, folder: &str, timeout: Duration) -> MbResult<bool> {
        let before = self.0.state(folder).await?;
        let deadline = tokio::time::Instant::now() + timeout;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(5)).await;
            if self.0.state(folder).await? != before {
                return Ok(true);
            }
        }
        Ok(false)
    }
    fn polls_every(&self) -> Option<Duration> {
        self.0.polls_every()
    }
    async fn body_structures(
        &mut self,
        folder: &str,
        uids: &[u32],
    ) -> MbResult<Vec<(u32, Vec<MimePart>)>> {
        self.0.body_structures(folder, uids).await
    }
    async fn fetch_parts(
        &mut self,
        folder: &str,
        uid: u32,
        parts: &[&str],
    ) -> MbResult<Vec<FetchedPart>> {
        self.0.fetch_parts(folder, uid, parts).await
    }
    async fn search_message_id(&mut self, folder: &str, message_id: &str) -> MbResult<Vec<u32>> {
        self.0.search_message_id(folder, message_id).await
    }
    async fn copy_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        self.0.copy_to(folder, uids, dest).await
    }
    async fn move_to(&mut self, folder: &str, uids: &[u32], dest: &str) -> MbResult<()> {
        self.0.move_to(folder, uids, dest).await
    }
    async fn mark_seen(&mut self, folder: &str, uids: &[u32]) -> MbResult<()> {
        self.0.mark_seen(folder, uids).await
    }
    fn commands_sent(&self) -> u64 {
        self.0.commands_sent()
    }
    fn bytes(&self) -> (u64, u64) {
        self.0.bytes()
    }
}

/// Connects to a MemoryServer; `refuse` makes the next connects fail with it.
pub struct MemoryConnector {
    server: MemoryServer,
    pub refuse: Vec<SessionError>,
    pub connects: usize,
    pub closes: usize,
}

impl MemoryConnector {
    pub fn new(server: &MemoryServer) -> MemoryConnector {
        MemoryConnector {
            server: server.clone(),
            refuse: Vec::new(),
            connects: 0,
            closes: 0,
        }
    }
}

impl Connector for MemoryConnector {
    type Mailbox = Idling;

    async fn connect(&mut self) -> Result<Idling, SessionError> {
        self.connects += 1;
        if !self.refuse.is_empty() {
            return Err(self.refuse.remove(0));
        }
        Ok(Idling(self.server.connect()))
    }

    async fn after_round(&mut self, _: &mut Store, _: &mut Idling) -> Option<InvitationOutcome> {
        None
    }

    async fn close(&mut self, _: Idling) {
        self.closes += 1;
    }
}
