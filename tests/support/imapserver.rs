//! Other IMAP servers on 127.0.0.1, beside the Dovecot + Postfix of
//! `support::mailserver`: Cyrus IMAP (both namespace layouts) and Courier IMAP,
//! started by tests/harness/start-cyrus.sh and start-courier.sh from the
//! packages `scripts/install-test-deps.sh` unpacks. They serve IMAP only: mail
//! is put into INBOX with APPEND, and pim sends through the shared Postfix
//! (the users and passwords are the shared Dovecot's). They present the shared
//! instance's certificate, so profiles trust the same CA file.
//!
//! `OtherImap::shared(kind)` starts one instance per kind and binary (first use);
//! a watchdog stops it when the binary exits, however it exits.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use super::mailserver::{
    ImapHost, LIVE_DIRS, MailServer, candidate_bases, count_at, harness_dir, install_panic_marker,
    messages_at, port_free, wait_for_count_at,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Cyrus with `altnamespace: yes` and `/`: top-level folders, as Fastmail.
    CyrusAlt,
    /// Cyrus with `altnamespace: no`: everything under `INBOX.`, `.` separator.
    CyrusInbox,
    /// Courier IMAP with gamin (IMAP_ENHANCEDIDLE=1): `INBOX.` and `.`.
    Courier,
    /// Courier IMAP as Debian configures it (IMAP_ENHANCEDIDLE=0: IDLE looks
    /// for new mail every 60 s).
    CourierDebian,
}

pub struct OtherImap {
    pub kind: Kind,
    pub workdir: PathBuf,
    pub imap_port: u16,
    pub imaps_port: u16,
    users: Vec<(String, String)>,
}

impl ImapHost for OtherImap {
    fn plain_imap_port(&self) -> u16 {
        self.imap_port
    }
    fn password_of(&self, user: &str) -> String {
        self.users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.clone())
            .unwrap_or_else(|| panic!("no test user {user:?}"))
    }
}

static START_LOCK: Mutex<()> = Mutex::new(());

impl OtherImap {
    /// The instance of `kind` shared by all tests of this binary.
    pub fn shared(kind: Kind) -> &'static OtherImap {
        static CYRUS_ALT: OnceLock<OtherImap> = OnceLock::new();
        static CYRUS_INBOX: OnceLock<OtherImap> = OnceLock::new();
        static COURIER: OnceLock<OtherImap> = OnceLock::new();
        static COURIER_DEBIAN: OnceLock<OtherImap> = OnceLock::new();
        let cell = match kind {
            Kind::CyrusAlt => &CYRUS_ALT,
            Kind::CyrusInbox => &CYRUS_INBOX,
            Kind::Courier => &COURIER,
            Kind::CourierDebian => &COURIER_DEBIAN,
        };
        cell.get_or_init(|| {
            let server = OtherImap::launch(kind, MailServer::shared());
            server.spawn_watchdog();
            server
        })
    }

    fn launch(kind: Kind, dovecot: &MailServer) -> OtherImap {
        install_panic_marker();
        let _guard = START_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let workdir = PathBuf::from(format!("/tmp/pimi-{}-{kind:?}", std::process::id()));
        let _ = std::fs::remove_dir_all(&workdir);
        std::fs::create_dir_all(&workdir).expect("create IMAP server workdir");
        let passwd: String = dovecot
            .users
            .iter()
            .map(|(u, p)| format!("{u}:{p}\n"))
            .collect();
        std::fs::write(workdir.join("passwd"), passwd).expect("write passwd");
        for f in ["cert.pem", "key.pem"] {
            std::fs::copy(dovecot.workdir.join(f), workdir.join(f)).expect("copy certificate");
        }
        let (script, extra): (&str, &[&str]) = match kind {
            Kind::CyrusAlt => ("start-cyrus.sh", &["alt"]),
            Kind::CyrusInbox => ("start-cyrus.sh", &["inbox"]),
            Kind::Courier | Kind::CourierDebian => ("start-courier.sh", &[]),
        };
        let enhanced_idle = if kind == Kind::Courier { "1" } else { "0" };
        let mut last_error = String::new();
        for base in candidate_bases().take(12) {
            let ports = [base + 143, base + 993];
            if !ports.iter().all(|p| port_free(*p)) {
                continue;
            }
            let out = Command::new(harness_dir().join(script))
                .arg(&workdir)
                .arg(base.to_string())
                .args(extra)
                .env("PIM_COURIER_ENHANCEDIDLE", enhanced_idle)
                .stdin(Stdio::null())
                .output()
                .unwrap_or_else(|e| panic!("run tests/harness/{script}: {e}"));
            if out.status.success() {
                LIVE_DIRS.lock().unwrap().push(workdir.clone());
                return OtherImap {
                    kind,
                    workdir,
                    imap_port: ports[0],
                    imaps_port: ports[1],
                    users: dovecot.users.clone(),
                };
            }
            last_error = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let _ = Command::new(harness_dir().join("stop-imapserver.sh"))
                .arg(&workdir)
                .stdin(Stdio::null())
                .output();
        }
        panic!(
            "could not start {kind:?} in {} (packages: run scripts/install-test-deps.sh as root): \
             {last_error}",
            workdir.display()
        );
    }

    fn spawn_watchdog(&self) {
        super::mailserver::spawn_watchdog(&self.workdir, "stop-imapserver.sh");
    }

    pub fn count(&self, user: &str, folder: &str) -> u32 {
        count_at(self, user, folder)
    }

    pub fn wait_for_count(&self, user: &str, folder: &str, n: u32, timeout: Duration) -> u32 {
        wait_for_count_at(self, user, folder, n, timeout)
    }

    pub fn messages(&self, user: &str, folder: &str) -> Vec<Vec<u8>> {
        messages_at(self, user, folder)
    }
}
