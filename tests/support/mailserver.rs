//! A real, throwaway Dovecot + Postfix on 127.0.0.1 for integration tests.
//!
//! `MailServer::shared()` starts one instance per test binary (first use) and a
//! watchdog process stops it when the binary exits, however it exits. Its workdir
//! (short, under /tmp) is removed afterwards unless a test panicked: then the path
//! and the logs stay for inspection. `MailServer::start(..)` gives a private
//! instance stopped on drop (e.g. for wrong-password tests: Dovecot slows down
//! logins from an address after a failure).
//!
//! Needs the packages from `scripts/install-test-deps.sh`; without them a test
//! fails with that instruction (never skips).
#![allow(dead_code)] // each test binary uses a different subset

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, Once, OnceLock};
use std::time::{Duration, Instant};

/// Users of the shared instance; the password of `NAME` is `pw-NAME`.
/// The `cyrus…` and `courier…` users also log in to the other servers of
/// `support::imapserver` (same password), and send through this Postfix.
pub const SHARED_USERS: &[&str] = &[
    "test",
    "alice",
    "bob",
    "carol",
    "dave",
    "dotted1",
    "dotted2",
    "trimmed1",
    "trimmed2",
    "cyrus1",
    "cyrus2",
    "cyrusi1",
    "cyrusi2",
    "courier1",
    "courier2",
    "courierd1",
    "courierd2",
];

/// Server flavours one Dovecot serves side by side: Dovecot applies these
/// per-user settings (passwd-file extra fields) after login. A user whose name
/// starts with a flavour's name gets it; everyone else the default layout.
pub const FLAVOURS: &[(&str, &str)] = &[
    // Personal folders under `INBOX.` with `.` separator (Courier, older Cyrus).
    (
        "dotted",
        "userdb_namespace/inbox/prefix=INBOX. userdb_namespace/inbox/separator=.",
    ),
    // Only IMAP4rev1 advertised: no NAMESPACE, IDLE, UIDPLUS, MOVE, CONDSTORE,
    // QRESYNC, MULTIAPPEND, ESEARCH, LITERAL+ (a correct client uses none).
    ("trimmed", "userdb_imap_capability=IMAP4rev1"),
];

/// The passwd-file line of `user`: its flavour's settings as extra fields.
fn passwd_line(user: &str, password: &str) -> String {
    match FLAVOURS.iter().find(|(f, _)| user.starts_with(f)) {
        Some((_, fields)) => format!("{user}:{password}::::::{fields}\n"),
        None => format!("{user}:{password}\n"),
    }
}

pub struct MailServer {
    pub workdir: PathBuf,
    pub imap_port: u16,
    pub imaps_port: u16,
    pub smtp_port: u16,
    pub submission_port: u16,
    pub smtps_port: u16,
    pub ca_file: PathBuf,
    pub users: Vec<(String, String)>,
    /// Private instances stop on drop; the shared one is stopped by its watchdog.
    stop_on_drop: bool,
}

pub fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness")
}

fn require_binaries() {
    let missing: Vec<&str> = ["dovecot", "/usr/lib/postfix/sbin/master", "openssl"]
        .into_iter()
        .filter(|bin| {
            if bin.starts_with('/') {
                !Path::new(bin).exists()
            } else {
                !Command::new("sh")
                    .args(["-c", &format!("command -v {bin}")])
                    .stdout(Stdio::null())
                    .status()
                    .map(|s| s.success())
                    .unwrap_or(false)
            }
        })
        .collect();
    assert!(
        missing.is_empty(),
        "mail tests need a real Dovecot + Postfix, but {missing:?} is missing: \
         run `scripts/install-test-deps.sh` as root (Debian 12)"
    );
    let uid = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default();
    assert_eq!(
        uid, "0",
        "mail tests start their own Dovecot + Postfix, which must run as root \
         (their spool directories belong to the postfix and nobody users)"
    );
}

/// Keep the workdir of every instance when a test panics (logs for the failure).
pub fn install_panic_marker() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            for dir in LIVE_DIRS.lock().map(|d| d.clone()).unwrap_or_default() {
                let _ = std::fs::write(dir.join("failed"), "a test panicked\n");
                eprintln!(
                    "mail server logs kept: {0}/dovecot.log {0}/postfix.log",
                    dir.display()
                );
            }
            default(info);
        }));
    });
}

pub static LIVE_DIRS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static START_LOCK: Mutex<()> = Mutex::new(());

pub fn port_free(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

/// Bases step by 100: the five port offsets (25, 143, 465, 587, 993) never differ by a
/// multiple of 100, so two instances on different bases never share a port. All stay
/// below the kernel's ephemeral range (32768+).
pub fn candidate_bases() -> impl Iterator<Item = u16> {
    const SLOTS: u32 = 210;
    let exe = std::env::current_exe().unwrap_or_default();
    let seed = exe
        .to_string_lossy()
        .bytes()
        .fold(std::process::id(), |h, b| {
            h.wrapping_mul(31).wrapping_add(b as u32)
        });
    (0..SLOTS).map(move |i| (10_000 + ((seed + i) % SLOTS) * 100) as u16)
}

impl MailServer {
    /// The instance shared by all tests of this binary.
    pub fn shared() -> &'static MailServer {
        static SHARED: OnceLock<MailServer> = OnceLock::new();
        SHARED.get_or_init(|| {
            let users: Vec<(String, String)> = SHARED_USERS
                .iter()
                .map(|u| (u.to_string(), format!("pw-{u}")))
                .collect();
            let server = MailServer::launch(&users, false, "/");
            server.spawn_watchdog();
            server
        })
    }

    /// A private instance with these `(user, password)` pairs, stopped on drop.
    pub fn start(users: &[(&str, &str)]) -> MailServer {
        let users: Vec<(String, String)> = users
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect();
        MailServer::launch(&users, true, "/")
    }

    /// A private instance whose IMAP hierarchy separator is `separator` (e.g. `.`).
    pub fn start_with_separator(users: &[(&str, &str)], separator: &str) -> MailServer {
        let users: Vec<(String, String)> = users
            .iter()
            .map(|(u, p)| (u.to_string(), p.to_string()))
            .collect();
        MailServer::launch(&users, true, separator)
    }

    fn launch(users: &[(String, String)], stop_on_drop: bool, separator: &str) -> MailServer {
        require_binaries();
        install_panic_marker();
        let _guard = START_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let workdir = PathBuf::from(format!(
            "/tmp/pimm-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&workdir);
        std::fs::create_dir_all(&workdir).expect("create mail server workdir");
        let passwd: String = users.iter().map(|(u, p)| passwd_line(u, p)).collect();
        std::fs::write(workdir.join("passwd"), passwd).expect("write passwd");

        let mut last_error = String::new();
        for base in candidate_bases().take(12) {
            let ports = [base + 143, base + 993, base + 25, base + 587, base + 465];
            if !ports.iter().all(|p| port_free(*p)) {
                continue;
            }
            let out = Command::new(harness_dir().join("start-mailserver.sh"))
                .arg(&workdir)
                .arg(base.to_string())
                .env("PIM_TEST_SEPARATOR", separator)
                .stdin(Stdio::null())
                .output()
                .expect("run tests/harness/start-mailserver.sh");
            if out.status.success() {
                LIVE_DIRS.lock().unwrap().push(workdir.clone());
                return MailServer {
                    ca_file: workdir.join("ca.pem"),
                    workdir,
                    imap_port: ports[0],
                    imaps_port: ports[1],
                    smtp_port: ports[2],
                    submission_port: ports[3],
                    smtps_port: ports[4],
                    users: users.to_vec(),
                    stop_on_drop,
                };
            }
            last_error = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            // Another process may have taken a port between the check and the start.
            let _ = Command::new(harness_dir().join("stop-mailserver.sh"))
                .arg(&workdir)
                .stdin(Stdio::null())
                .output();
        }
        panic!(
            "could not start the test mail server in {}: {last_error}",
            workdir.display()
        );
    }

    fn spawn_watchdog(&self) {
        spawn_watchdog(&self.workdir, "stop-mailserver.sh");
    }

    pub fn password(&self, user: &str) -> &str {
        self.users
            .iter()
            .find(|(u, _)| u == user)
            .map(|(_, p)| p.as_str())
            .unwrap_or_else(|| panic!("no test user {user:?}"))
    }

    pub fn address(&self, user: &str) -> String {
        format!("{user}@example.test")
    }

    /// Stop Dovecot and Postfix (files kept; `restart` brings them back).
    pub fn stop(&self) {
        let out = Command::new(harness_dir().join("stop-mailserver.sh"))
            .arg(&self.workdir)
            .stdin(Stdio::null())
            .output()
            .expect("run stop-mailserver.sh");
        assert!(out.status.success(), "stop-mailserver.sh failed");
    }

    pub fn restart(&self) {
        let base = self.imap_port - 143;
        let out = Command::new(harness_dir().join("start-mailserver.sh"))
            .arg(&self.workdir)
            .arg(base.to_string())
            .stdin(Stdio::null())
            .output()
            .expect("run start-mailserver.sh");
        assert!(
            out.status.success(),
            "restart failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn dovecot_log(&self) -> String {
        std::fs::read_to_string(self.workdir.join("dovecot.log")).unwrap_or_default()
    }

    /// Hand a message to Postfix on the plain SMTP port (no auth); it lands in the
    /// INBOX of each recipient's local part. Returns once Postfix accepted it.
    pub fn deliver_smtp(&self, from: &str, to: &[&str], message: &[u8]) {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, self.smtp_port)).expect("smtp");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        let expect = |reader: &mut BufReader<TcpStream>, code: &str| loop {
            let mut line = String::new();
            reader.read_line(&mut line).expect("smtp read");
            assert!(
                line.starts_with(code),
                "SMTP: expected {code}, got {line:?}"
            );
            if line.as_bytes().get(3) != Some(&b'-') {
                break;
            }
        };
        expect(&mut reader, "220");
        writer.write_all(b"EHLO test.local\r\n").unwrap();
        expect(&mut reader, "250");
        writer
            .write_all(format!("MAIL FROM:<{from}>\r\n").as_bytes())
            .unwrap();
        expect(&mut reader, "250");
        for rcpt in to {
            writer
                .write_all(format!("RCPT TO:<{rcpt}>\r\n").as_bytes())
                .unwrap();
            expect(&mut reader, "250");
        }
        writer.write_all(b"DATA\r\n").unwrap();
        expect(&mut reader, "354");
        writer.write_all(&dot_stuff(message)).unwrap();
        writer.write_all(b".\r\n").unwrap();
        expect(&mut reader, "250");
        writer.write_all(b"QUIT\r\n").unwrap();
    }

    /// APPEND a message straight into `user`'s `folder` (created if missing).
    pub fn append(&self, user: &str, folder: &str, message: &[u8]) {
        append_at(self, user, folder, message)
    }

    /// Number of messages in `user`'s `folder` (0 when it does not exist).
    pub fn count(&self, user: &str, folder: &str) -> u32 {
        count_at(self, user, folder)
    }

    /// Poll until `user`'s `folder` holds at least `n` messages.
    pub fn wait_for_count(&self, user: &str, folder: &str, n: u32, timeout: Duration) -> u32 {
        wait_for_count_at(self, user, folder, n, timeout)
    }

    /// Whole raw messages of `user`'s `folder`, in UID order.
    pub fn messages(&self, user: &str, folder: &str) -> Vec<Vec<u8>> {
        messages_at(self, user, folder)
    }
}

/// A server [`RawImap`] can log in to (plaintext IMAP on loopback).
pub trait ImapHost {
    fn plain_imap_port(&self) -> u16;
    fn password_of(&self, user: &str) -> String;
}

impl ImapHost for MailServer {
    fn plain_imap_port(&self) -> u16 {
        self.imap_port
    }
    fn password_of(&self, user: &str) -> String {
        self.password(user).to_string()
    }
}

impl<T: ImapHost + ?Sized> ImapHost for &T {
    fn plain_imap_port(&self) -> u16 {
        (**self).plain_imap_port()
    }
    fn password_of(&self, user: &str) -> String {
        (**self).password_of(user)
    }
}

/// APPEND a message straight into `user`'s `folder` (created if missing).
pub fn append_at(host: &impl ImapHost, user: &str, folder: &str, message: &[u8]) {
    let mut imap = RawImap::login(host, user);
    imap.command(&format!("CREATE \"{folder}\""), true);
    imap.append(folder, message);
    imap.command("LOGOUT", false);
}

/// Number of messages in `user`'s `folder` (0 when it does not exist).
pub fn count_at(host: &impl ImapHost, user: &str, folder: &str) -> u32 {
    let mut imap = RawImap::login(host, user);
    let lines = imap.command(&format!("STATUS \"{folder}\" (MESSAGES)"), true);
    imap.command("LOGOUT", false);
    lines
        .iter()
        .find_map(|l| {
            let rest = l.split("(MESSAGES ").nth(1)?;
            rest.trim_end_matches(|c: char| !c.is_ascii_digit())
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

/// Poll until `user`'s `folder` holds at least `n` messages.
pub fn wait_for_count_at(
    host: &impl ImapHost,
    user: &str,
    folder: &str,
    n: u32,
    timeout: Duration,
) -> u32 {
    let start = Instant::now();
    loop {
        let have = count_at(host, user, folder);
        if have >= n || start.elapsed() > timeout {
            return have;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Whole raw messages of `user`'s `folder`, in UID order.
pub fn messages_at(host: &impl ImapHost, user: &str, folder: &str) -> Vec<Vec<u8>> {
    let mut imap = RawImap::login(host, user);
    imap.command(&format!("SELECT \"{folder}\""), false);
    let literals = imap.command_literals("UID FETCH 1:* BODY.PEEK[]");
    imap.command("LOGOUT", false);
    literals
}

impl Drop for MailServer {
    fn drop(&mut self) {
        if !self.stop_on_drop {
            return;
        }
        let _ = Command::new(harness_dir().join("stop-mailserver.sh"))
            .arg(&self.workdir)
            .stdin(Stdio::null())
            .output();
        LIVE_DIRS.lock().unwrap().retain(|d| d != &self.workdir);
        if std::thread::panicking() || self.workdir.join("failed").exists() {
            eprintln!("mail server workdir kept: {}", self.workdir.display());
        } else {
            let _ = std::fs::remove_dir_all(&self.workdir);
        }
    }
}

fn dot_stuff(message: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len() + 16);
    let mut at_line_start = true;
    for &b in message {
        if at_line_start && b == b'.' {
            out.push(b'.');
        }
        out.push(b);
        at_line_start = b == b'\n';
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// A minimal blocking IMAP client over loopback plaintext, independent of the
/// code under test (used to set up and inspect the server).
pub struct RawImap {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
}

impl RawImap {
    pub fn login(server: &impl ImapHost, user: &str) -> RawImap {
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, server.plain_imap_port()))
            .expect("imap connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut imap = RawImap {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            tag: 0,
        };
        let mut greeting = String::new();
        imap.reader.read_line(&mut greeting).unwrap();
        let pass = server.password_of(user);
        imap.command(&format!("LOGIN \"{user}\" \"{pass}\""), false);
        imap
    }

    /// Run a command; lines of the answer (literals inlined). Panics on NO/BAD
    /// unless `may_fail`.
    pub fn command(&mut self, cmd: &str, may_fail: bool) -> Vec<String> {
        self.run(cmd, may_fail).0
    }

    fn command_literals(&mut self, cmd: &str) -> Vec<Vec<u8>> {
        self.run(cmd, false).1
    }

    fn run(&mut self, cmd: &str, may_fail: bool) -> (Vec<String>, Vec<Vec<u8>>) {
        self.tag += 1;
        let tag = format!("R{}", self.tag);
        self.writer
            .write_all(format!("{tag} {cmd}\r\n").as_bytes())
            .unwrap();
        let mut lines = Vec::new();
        let mut literals = Vec::new();
        loop {
            let mut line = Vec::new();
            self.reader.read_until(b'\n', &mut line).unwrap();
            assert!(!line.is_empty(), "IMAP connection closed during {cmd}");
            let text = String::from_utf8_lossy(&line).into_owned();
            if let Some(n) = literal_len(&text) {
                let mut buf = vec![0; n];
                self.reader.read_exact(&mut buf).unwrap();
                literals.push(buf);
            }
            if let Some(status) = text.strip_prefix(&format!("{tag} ")) {
                assert!(
                    may_fail || status.starts_with("OK"),
                    "IMAP {cmd} failed: {text}"
                );
                lines.push(text);
                return (lines, literals);
            }
            lines.push(text);
        }
    }

    fn append(&mut self, folder: &str, message: &[u8]) {
        self.tag += 1;
        let tag = format!("R{}", self.tag);
        self.writer
            .write_all(format!("{tag} APPEND \"{folder}\" {{{}}}\r\n", message.len()).as_bytes())
            .unwrap();
        // A synchronizing literal: not every server has LITERAL+ (Courier).
        let mut go_on = String::new();
        self.reader.read_line(&mut go_on).unwrap();
        assert!(go_on.starts_with('+'), "APPEND refused: {go_on}");
        self.writer.write_all(message).unwrap();
        self.writer.write_all(b"\r\n").unwrap();
        loop {
            let mut line = String::new();
            self.reader.read_line(&mut line).unwrap();
            assert!(!line.is_empty(), "IMAP connection closed during APPEND");
            if line.starts_with(&format!("{tag} ")) {
                assert!(line.contains(" OK"), "APPEND failed: {line}");
                return;
            }
        }
    }
}

fn literal_len(line: &str) -> Option<usize> {
    let line = line.trim_end();
    let inner = line.strip_suffix('}')?;
    let open = inner.rfind('{')?;
    inner[open + 1..].trim_end_matches('+').parse().ok()
}

/// Stops the server in `workdir` with the harness script `stop` when this process
/// is gone (even after a panic or SIGKILL). The watchdog must outlive this
/// process, so it is never waited for.
#[allow(clippy::zombie_processes)]
pub fn spawn_watchdog(workdir: &Path, stop: &str) {
    let script = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.2; done; \"{stop}\" \"{w}\"; \
         [ -e \"{w}/failed\" ] || rm -rf \"{w}\"",
        pid = std::process::id(),
        stop = harness_dir().join(stop).display(),
        w = workdir.display()
    );
    Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn the test server's watchdog");
}
