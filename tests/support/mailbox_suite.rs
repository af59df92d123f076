//! One conformance suite for every [`Mailbox`]: the in-memory fake the sync tests
//! use and `ImapMailbox` on a real server must behave alike, or the fast tests
//! prove nothing about the real thing.
//!
//! Each case is a plain async function over a [`Backend`] (how to open sessions,
//! what the server offers, how another client writes). `mailbox_suite!(backend)`
//! stamps one `#[tokio::test]` per case, each in a folder of its own, so a backend's
//! tests run in parallel on one shared server. Backend-only tests (TLS, cut
//! connections, MULTIAPPEND splitting) live next to the backend's invocation.

use std::time::{Duration, Instant};

use pim::sync::memory::{MemoryMailbox, MemoryServer};
use pim::sync::{FolderState, Mailbox, MailboxError};

/// A mail server under test: sessions to it, and what the checks depend on.
#[allow(async_fn_in_trait)]
pub trait Backend {
    type Mb: Mailbox;

    /// A new logged-in session.
    async fn open(&self) -> Self::Mb;

    /// Another session, reached another way where the backend has one (IMAP:
    /// STARTTLS instead of implicit TLS).
    async fn open_another(&self) -> Self::Mb {
        self.open().await
    }

    /// Whether folder states carry HIGHESTMODSEQ.
    fn condstore(&self) -> bool;

    /// Whether one APPEND command stores many messages.
    fn multiappend(&self) -> bool;

    /// Another client stores `raw` in `folder` (blocking; run off the test's task).
    fn append_elsewhere(&self, folder: &str, raw: &[u8]);
}

/// A message numbered `n`, with headers the cases look up.
pub fn message(n: usize) -> Vec<u8> {
    format!(
        "From: pim@example.test\r\nTo: pim@example.test\r\nSubject: batch {n}\r\n\
         Message-ID: <batch-{n}@pim.test>\r\nX-Pim-Seq: {n}\r\n\r\nbody of batch {n}\r\n{}\r\n",
        "x".repeat(n % 97)
    )
    .into_bytes()
}

/// Bounded: a hang is a failure, never a stuck test run.
pub async fn within<T>(secs: u64, what: &str, fut: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut)
        .await
        .unwrap_or_else(|_| panic!("{what} hung for more than {secs} s"))
}

/// The folder a stamped test works in: its module path and case name, so
/// invocations and cases never share one.
pub fn folder_for(module: &str, case: &str) -> String {
    let module = module.split("::").skip(1).collect::<Vec<_>>().join("-");
    format!("PIM/{module}-{case}")
}

/// Stamp one `#[tokio::test]` per case for `$backend` (an expression evaluated in
/// each test). Invoke it once per backend, each in a module of its own.
#[macro_export]
macro_rules! mailbox_suite {
    ($backend:expr) => {
        $crate::mailbox_suite!(@cases $backend;
            ensure_folder_is_idempotent_and_starts_empty,
            append_stores_all_in_one_command_where_possible,
            list_gives_uids_sizes_and_only_the_asked_headers,
            fetch_returns_existing_uids_in_uid_order,
            delete_removes_only_the_given_uids,
            missing_folder_is_an_error_and_the_session_survives,
            traffic_and_commands_are_counted,
            wait_is_woken_by_another_client,
            wait_times_out_quietly,
            uidvalidity_is_stable_across_sessions
            // Invitation operations (search by Message-ID, body structures,
            // fetch parts, copy, move, mark seen): add their cases here once
            // they are on the Mailbox trait.
        );
    };
    (@cases $backend:expr; $($case:ident),+ $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let backend = $backend;
                let folder =
                    $crate::support::mailbox_suite::folder_for(module_path!(), stringify!($case));
                let mut mb = $crate::support::mailbox_suite::within(
                    10,
                    "open",
                    $crate::support::mailbox_suite::Backend::open(&backend),
                )
                .await;
                $crate::support::mailbox_suite::$case(&backend, &mut mb, &folder).await;
            }
        )+
    };
}

/// `folder` created, with messages 1..=n appended; the state after.
async fn filled<M: Mailbox>(mb: &mut M, folder: &str, n: usize) -> (Vec<Vec<u8>>, FolderState) {
    mb.ensure_folder(folder).await.unwrap();
    let messages: Vec<Vec<u8>> = (1..=n).map(message).collect();
    mb.append(folder, &messages).await.unwrap();
    let state = mb.state(folder).await.unwrap();
    (messages, state)
}

pub async fn ensure_folder_is_idempotent_and_starts_empty<B: Backend>(
    b: &B,
    mb: &mut B::Mb,
    folder: &str,
) {
    mb.ensure_folder(folder).await.unwrap();
    mb.ensure_folder(folder)
        .await
        .expect("ensure_folder is idempotent");
    let empty = mb.state(folder).await.unwrap();
    assert!(empty.uidvalidity > 0);
    assert_eq!((empty.exists, empty.uidnext), (0, 1));
    assert_eq!(empty.highestmodseq.is_some(), b.condstore(), "CONDSTORE");
}

pub async fn append_stores_all_in_one_command_where_possible<B: Backend>(
    b: &B,
    mb: &mut B::Mb,
    folder: &str,
) {
    mb.ensure_folder(folder).await.unwrap();
    let empty = mb.state(folder).await.unwrap();
    let messages: Vec<Vec<u8>> = (1..=60).map(message).collect();
    let before = mb.commands_sent();
    mb.append(folder, &messages).await.unwrap();
    let appends = if b.multiappend() { 1 } else { 60 };
    assert_eq!(
        mb.commands_sent() - before,
        appends,
        "APPEND commands for 60 messages"
    );
    let full = mb.state(folder).await.unwrap();
    assert_eq!((full.exists, full.uidnext), (60, 61));
    assert_eq!(full.uidvalidity, empty.uidvalidity);
    assert!(full.highestmodseq > empty.highestmodseq || !b.condstore());
}

pub async fn list_gives_uids_sizes_and_only_the_asked_headers<B: Backend>(
    _: &B,
    mb: &mut B::Mb,
    folder: &str,
) {
    let (messages, _) = filled(mb, folder, 60).await;
    let metas = mb
        .list(folder, 1, &["Message-ID", "X-Pim-Seq"])
        .await
        .unwrap();
    assert_eq!(metas.len(), 60);
    for (i, meta) in metas.iter().enumerate() {
        let n = i + 1;
        assert_eq!(meta.uid as usize, n);
        assert_eq!(meta.size as usize, messages[i].len());
        assert_eq!(meta.headers["message-id"], format!("<batch-{n}@pim.test>"));
        assert_eq!(meta.headers["x-pim-seq"], n.to_string());
        assert!(
            !meta.headers.contains_key("subject"),
            "only the asked headers"
        );
    }
    assert_eq!(mb.list(folder, 55, &["Message-ID"]).await.unwrap().len(), 6);
    assert!(
        mb.list(folder, 61, &["Message-ID"])
            .await
            .unwrap()
            .is_empty(),
        "from beyond UIDNEXT-1 gives nothing (not the last message)"
    );
}

pub async fn fetch_returns_existing_uids_in_uid_order<B: Backend>(
    _: &B,
    mb: &mut B::Mb,
    folder: &str,
) {
    let (messages, _) = filled(mb, folder, 10).await;
    let got = mb.fetch(folder, &[7, 3, 999]).await.unwrap();
    assert_eq!(
        got,
        vec![(3, messages[2].clone()), (7, messages[6].clone())]
    );
}

pub async fn delete_removes_only_the_given_uids<B: Backend>(b: &B, mb: &mut B::Mb, folder: &str) {
    let (_, full) = filled(mb, folder, 60).await;
    mb.delete(folder, &[1, 2, 3, 30]).await.unwrap();
    let after = mb.state(folder).await.unwrap();
    assert_eq!(after.exists, 56);
    assert_eq!(after.uidnext, 61, "deleting frees no UIDs");
    assert!(after.highestmodseq > full.highestmodseq || !b.condstore());
    let uids: Vec<u32> = mb
        .list(folder, 1, &[])
        .await
        .unwrap()
        .iter()
        .map(|m| m.uid)
        .collect();
    assert_eq!(uids.len(), 56);
    assert!(!uids.contains(&1) && !uids.contains(&30) && uids.contains(&4));
    assert!(mb.fetch(folder, &[1]).await.unwrap().is_empty());
}

pub async fn missing_folder_is_an_error_and_the_session_survives<B: Backend>(
    _: &B,
    mb: &mut B::Mb,
    folder: &str,
) {
    filled(mb, folder, 3).await;
    let missing = format!("{folder}-nope");
    assert!(matches!(
        mb.state(&missing).await,
        Err(MailboxError::NoFolder(_))
    ));
    assert!(matches!(
        mb.append(&missing, &[message(1)]).await,
        Err(MailboxError::NoFolder(_))
    ));
    // The session survives refused commands.
    assert_eq!(mb.state(folder).await.unwrap().exists, 3);
}

pub async fn traffic_and_commands_are_counted<B: Backend>(b: &B, mb: &mut B::Mb, folder: &str) {
    let (messages, _) = filled(mb, folder, 60).await;
    mb.list(folder, 1, &["Message-ID"]).await.unwrap();
    mb.fetch(folder, &[7, 3]).await.unwrap();
    mb.delete(folder, &[1, 2]).await.unwrap();
    mb.state(folder).await.unwrap();
    let (up, down) = mb.bytes();
    assert!(
        up > messages.iter().map(Vec::len).sum::<usize>() as u64,
        "{up} bytes up: the messages and the commands"
    );
    assert!(down > 0);
    // Seven calls: at least one command each, a few more where IMAP needs them.
    let appends = if b.multiappend() { 1 } else { 60 };
    let commands = mb.commands_sent();
    assert!(
        (6 + appends..25 + appends).contains(&commands),
        "{commands} commands"
    );
}

pub async fn wait_is_woken_by_another_client<B: Backend>(b: &B, mb: &mut B::Mb, folder: &str) {
    let (_, before) = filled(mb, folder, 1).await;
    let t = Instant::now();
    let (woke, ()) = tokio::join!(
        within(10, "wait", mb.wait(folder, Duration::from_secs(5))),
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            // Blocks this task briefly; the server's notice waits in the socket.
            b.append_elsewhere(folder, &message(2));
        }
    );
    assert!(woke.unwrap(), "wait reports the new message");
    assert!(
        t.elapsed() < Duration::from_millis(1800),
        "woken after {:?}",
        t.elapsed()
    );
    assert_eq!(mb.state(folder).await.unwrap().exists, before.exists + 1);
}

pub async fn wait_times_out_quietly<B: Backend>(_: &B, mb: &mut B::Mb, folder: &str) {
    filled(mb, folder, 1).await;
    let t = Instant::now();
    let woke = within(10, "wait", mb.wait(folder, Duration::from_millis(800)))
        .await
        .unwrap();
    assert!(!woke, "nothing changed");
    assert!(
        t.elapsed() >= Duration::from_millis(750),
        "{:?}",
        t.elapsed()
    );
    assert_eq!(mb.state(folder).await.unwrap().exists, 1, "still usable");
}

pub async fn uidvalidity_is_stable_across_sessions<B: Backend>(
    b: &B,
    mb: &mut B::Mb,
    folder: &str,
) {
    let (_, state) = filled(mb, folder, 5).await;
    mb.delete(folder, &[2]).await.unwrap();
    let state_after = mb.state(folder).await.unwrap();
    assert_ne!(state, state_after);
    let mut again = within(10, "open", b.open_another()).await;
    assert_eq!(again.state(folder).await.unwrap(), state_after);
}

/// [`MemoryMailbox`] sessions to one [`MemoryServer`].
pub struct Memory {
    pub server: MemoryServer,
    condstore: bool,
}

impl Memory {
    pub fn new() -> Memory {
        Memory {
            server: MemoryServer::new(),
            condstore: true,
        }
    }

    /// A server that reports no HIGHESTMODSEQ.
    pub fn without_condstore() -> Memory {
        let server = MemoryServer::new();
        server.set_condstore(false);
        Memory {
            server,
            condstore: false,
        }
    }
}

impl Default for Memory {
    fn default() -> Self {
        Memory::new()
    }
}

impl Backend for Memory {
    type Mb = MemoryMailbox;

    async fn open(&self) -> MemoryMailbox {
        self.server.connect()
    }

    fn condstore(&self) -> bool {
        self.condstore
    }

    fn multiappend(&self) -> bool {
        true
    }

    fn append_elsewhere(&self, folder: &str, raw: &[u8]) {
        self.server.inject(folder, raw.to_vec());
    }
}
