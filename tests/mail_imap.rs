//! `ImapMailbox` against a real Dovecot (started by tests/support/mailserver.rs):
//! the shared Mailbox suite (tests/support/mailbox_suite.rs) with and without IMAP
//! extensions, then what only IMAP has: TLS modes and certificate checks, error
//! kinds, MULTIAPPEND splitting, and connections cut after N bytes by a fault proxy.

mod support;

use std::time::{Duration, Instant};

use pim::config::credentials::Credentials;
use pim::mail::{ImapConfig, ImapMailbox, Security};
use pim::sync::{Mailbox, MailboxError};
use support::mailbox_suite::{Backend, message, within};
use support::mailserver::MailServer;
use support::proxy::{Fault, FaultProxy};

fn config(server: &MailServer, user: &str, security: Security) -> ImapConfig {
    let port = match security {
        Security::Implicit => server.imaps_port,
        Security::Starttls | Security::Plaintext => server.imap_port,
    };
    let mut cfg = ImapConfig::new("127.0.0.1", port, security, user, server.password(user));
    cfg.ca_file = Some(server.ca_file.clone());
    cfg.timeout = Duration::from_secs(5);
    cfg.poll_interval = Duration::from_millis(200);
    cfg
}

/// Every capability whose absence has its own code path.
const FALLBACKS: &[&str] = &["MULTIAPPEND", "LITERAL+", "CONDSTORE", "UIDPLUS", "IDLE"];

/// `ImapMailbox` sessions as `alice` on the shared Dovecot, with every extension or
/// with the fallbacks forced.
struct Dovecot {
    cfg: ImapConfig,
}

impl Dovecot {
    fn new() -> Dovecot {
        Dovecot {
            cfg: config(MailServer::shared(), "alice", Security::Implicit),
        }
    }

    fn without_extensions() -> Dovecot {
        let mut cfg = config(MailServer::shared(), "alice", Security::Implicit);
        cfg.ignore_capabilities = FALLBACKS.iter().map(|c| c.to_string()).collect();
        Dovecot { cfg }
    }

    fn extensions(&self) -> bool {
        self.cfg.ignore_capabilities.is_empty()
    }
}

impl Backend for Dovecot {
    type Mb = ImapMailbox;

    async fn open(&self) -> ImapMailbox {
        ImapMailbox::connect(self.cfg.clone())
            .await
            .expect("connect")
    }

    async fn open_another(&self) -> ImapMailbox {
        let mut cfg = self.cfg.clone();
        cfg.security = Security::Starttls;
        cfg.port = MailServer::shared().imap_port;
        ImapMailbox::connect(cfg).await.expect("connect (STARTTLS)")
    }

    fn condstore(&self) -> bool {
        self.extensions()
    }

    fn multiappend(&self) -> bool {
        self.extensions()
    }

    fn append_elsewhere(&self, folder: &str, raw: &[u8]) {
        MailServer::shared().append(&self.cfg.user, folder, raw);
    }
}

mod dovecot {
    crate::mailbox_suite!(super::Dovecot::new());
}

mod dovecot_without_extensions {
    crate::mailbox_suite!(super::Dovecot::without_extensions());
}

#[tokio::test]
async fn large_append_is_split_into_bounded_multiappends() {
    let server = MailServer::shared();
    let mut mb = ImapMailbox::connect(config(server, "alice", Security::Implicit))
        .await
        .unwrap();
    let folder = "PIM/Big";
    mb.ensure_folder(folder).await.unwrap();
    let messages: Vec<Vec<u8>> = (1..=1500).map(message).collect();
    let before = mb.commands_sent();
    mb.append(folder, &messages).await.unwrap();
    assert_eq!(
        mb.commands_sent() - before,
        2,
        "1500 messages in two MULTIAPPENDs"
    );
    let metas = mb.list(folder, 1, &["X-Pim-Seq"]).await.unwrap();
    let seqs: Vec<String> = metas
        .iter()
        .map(|m| m.headers["x-pim-seq"].clone())
        .collect();
    let want: Vec<String> = (1..=1500).map(|n: usize| n.to_string()).collect();
    assert_eq!(seqs, want);
}

#[tokio::test]
async fn tls_modes_and_certificate_checks() {
    let server = MailServer::shared();
    for security in [Security::Implicit, Security::Starttls, Security::Plaintext] {
        let mut mb = ImapMailbox::connect(config(server, "test", security))
            .await
            .unwrap_or_else(|e| panic!("{security:?}: {e}"));
        mb.state("INBOX").await.unwrap();
    }

    // The platform's roots do not know the harness CA.
    for security in [Security::Implicit, Security::Starttls] {
        let mut cfg = config(server, "test", security);
        cfg.ca_file = None;
        match ImapMailbox::connect(cfg).await {
            Err(MailboxError::Tls(msg)) => assert!(msg.contains("certificate"), "{msg}"),
            other => panic!("{security:?} with system roots: {:?}", other.err()),
        }
    }

    // Another CA is not trusted either.
    let dir = tempfile::tempdir().unwrap();
    let other_ca = dir.path().join("other-ca.pem");
    let status = std::process::Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
        ])
        .args(["-days", "1", "-subj", "/CN=other-ca", "-keyout"])
        .arg(dir.path().join("k.pem"))
        .arg("-out")
        .arg(&other_ca)
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mut cfg = config(server, "test", Security::Implicit);
    cfg.ca_file = Some(other_ca);
    assert!(matches!(
        ImapMailbox::connect(cfg).await,
        Err(MailboxError::Tls(_))
    ));

    // A name the certificate does not cover.
    let mut cfg = config(server, "test", Security::Implicit);
    cfg.host = "127.0.0.2".into();
    assert!(matches!(
        ImapMailbox::connect(cfg).await,
        Err(MailboxError::Tls(_) | MailboxError::Unreachable(_))
    ));

    // Plaintext is refused before connecting to anything but loopback.
    let mut cfg = config(server, "test", Security::Plaintext);
    cfg.host = "192.0.2.1".into();
    match ImapMailbox::connect(cfg).await {
        Err(MailboxError::Tls(msg)) => assert!(msg.contains("loopback"), "{msg}"),
        other => panic!("plaintext to a remote host: {:?}", other.err()),
    }
}

#[tokio::test]
async fn wrong_password_then_server_down() {
    // Own instance: a failed login makes Dovecot slow down later logins.
    let server = tokio::task::spawn_blocking(|| MailServer::start(&[("erin", "right")]))
        .await
        .unwrap();
    let mut cfg = config(&server, "erin", Security::Implicit);
    cfg.credentials = Credentials::password("wrong");
    match within(20, "login", ImapMailbox::connect(cfg)).await {
        Err(MailboxError::Auth(msg)) => assert!(msg.contains("erin"), "{msg}"),
        other => panic!("wrong password: {:?}", other.err()),
    }
    let server = tokio::task::spawn_blocking(move || {
        server.stop();
        server
    })
    .await
    .unwrap();
    let cfg = config(&server, "erin", Security::Implicit);
    let t = Instant::now();
    match ImapMailbox::connect(cfg).await {
        Err(e @ MailboxError::Unreachable(_)) => assert!(e.is_transient()),
        other => panic!("server down: {:?}", other.err()),
    }
    assert!(t.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn silent_server_times_out_as_unreachable() {
    let server = MailServer::shared();
    let proxy = FaultProxy::start(server.imaps_port, Fault::Blackhole);
    let mut cfg = config(server, "carol", Security::Implicit);
    cfg.port = proxy.port;
    cfg.timeout = Duration::from_millis(700);
    let t = Instant::now();
    let res = within(10, "connect", ImapMailbox::connect(cfg)).await;
    assert!(
        matches!(res, Err(MailboxError::Unreachable(_))),
        "{:?}",
        res.err()
    );
    assert!(t.elapsed() < Duration::from_secs(3));

    // A connection closed at once (accepted, then dropped).
    proxy.set_fault(Fault::Drop);
    let mut cfg = config(server, "carol", Security::Implicit);
    cfg.port = proxy.port;
    let res = within(10, "connect", ImapMailbox::connect(cfg)).await;
    assert!(
        matches!(
            res,
            Err(MailboxError::Unreachable(_) | MailboxError::Tls(_))
        ),
        "{:?}",
        res.err()
    );
}

/// One sync-like round trip through the proxy.
async fn scenario(cfg: ImapConfig, folder: &str) -> Result<(), MailboxError> {
    let mut mb = ImapMailbox::connect(cfg).await?;
    mb.ensure_folder(folder).await?;
    mb.state(folder).await?;
    mb.append(folder, &[message(1), message(2), message(3)])
        .await?;
    let metas = mb.list(folder, 1, &["Message-ID"]).await?;
    let uids: Vec<u32> = metas.iter().map(|m| m.uid).collect();
    mb.fetch(folder, &uids).await?;
    mb.delete(folder, &uids).await?;
    Ok(())
}

#[tokio::test]
async fn cut_connections_give_clean_errors_never_hangs() {
    let server = MailServer::shared();
    let proxy = FaultProxy::start(server.imaps_port, Fault::None);
    let mut cfg = config(server, "carol", Security::Implicit);
    cfg.port = proxy.port;
    cfg.timeout = Duration::from_secs(3);

    // A faithful run tells how many bytes a whole scenario moves.
    within(15, "clean run", scenario(cfg.clone(), "PIM/Cut"))
        .await
        .unwrap();
    let (up, down) = proxy.bytes();
    let total = up + down;
    assert!(total > 2000, "{total} bytes");

    let mut failures = 0;
    let steps = 40;
    for i in 0..steps {
        let n = total * i / steps + (i % 7);
        proxy.set_fault(Fault::CutAfter(n));
        let res = within(
            15,
            &format!("cut after {n} bytes"),
            scenario(cfg.clone(), "PIM/Cut"),
        )
        .await;
        if let Err(e) = res {
            failures += 1;
            assert!(
                matches!(
                    e,
                    MailboxError::Unreachable(_)
                        | MailboxError::Disconnected(_)
                        | MailboxError::Timeout(_)
                        | MailboxError::Tls(_)
                        | MailboxError::Protocol(_)
                ),
                "cut after {n} bytes gave {e:?}"
            );
        }
    }
    assert!(
        failures >= steps - 2,
        "only {failures} of {steps} cut runs failed"
    );

    // The same ImapMailbox logs in again after a cut.
    proxy.set_fault(Fault::None);
    let mut mb = ImapMailbox::connect(cfg.clone()).await.unwrap();
    mb.state("PIM/Cut").await.unwrap();
    let logins = proxy.connections();
    // The connection drops (network, server restart): the next call reports it...
    proxy.cut_all();
    let err = within(10, "state after the cut", mb.state("PIM/Cut"))
        .await
        .unwrap_err();
    assert!(matches!(err, MailboxError::Disconnected(_)), "{err:?}");
    // ...and the call after that logs in again.
    let state = within(10, "reconnect", mb.state("PIM/Cut")).await.unwrap();
    assert!(state.uidvalidity > 0);
    assert!(proxy.connections() > logins);
}

#[tokio::test]
async fn traffic_counts_match_the_wire() {
    let server = MailServer::shared();
    let proxy = FaultProxy::start(server.imaps_port, Fault::Delay(Duration::from_millis(2)));
    let mut cfg = config(server, "dave", Security::Implicit);
    cfg.port = proxy.port;
    let mut mb = ImapMailbox::connect(cfg).await.unwrap();
    mb.ensure_folder("PIM/Count").await.unwrap();
    mb.append("PIM/Count", &vec![message(5); 4]).await.unwrap();
    mb.fetch("PIM/Count", &[1, 2]).await.unwrap();
    // Compared before LOGOUT: the server's goodbye may still be on its way when
    // logout returns, and no sync report counts it. The proxy counts a chunk just
    // after relaying it: let it catch up (a loaded machine can take a while).
    let start = Instant::now();
    while mb.bytes() != proxy.bytes() && start.elapsed() < Duration::from_secs(3) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(mb.bytes(), proxy.bytes());
    mb.logout().await;
}

fn invitation(id: &str, attachment_kib: usize) -> (Vec<u8>, String) {
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nMETHOD:REQUEST\r\nPRODID:-//test//EN\r\n\
               BEGIN:VEVENT\r\nUID:meeting-1@test\r\nSEQUENCE:0\r\nDTSTAMP:20261125T120000Z\r\n\
               DTSTART:20261201T090000Z\r\nSUMMARY:Planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        .to_string();
    let line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAx\r\n";
    let attachment = line.repeat(attachment_kib * 1024 / line.len());
    let msg = format!(
        "From: org@example.test\r\nTo: dave@example.test\r\nSubject: Invitation\r\n\
         Message-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n\
         --outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n\
         --inner\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nYou are invited.\r\n\
         --inner\r\nContent-Type: text/calendar; charset=utf-8; method=REQUEST\r\n\r\n{ics}\
         --inner--\r\n\
         --outer\r\nContent-Type: application/pdf; name=\"slides.pdf\"\r\n\
         Content-Disposition: attachment; filename*=utf-8''Folien%20f%C3%BCr%20Q4.pdf\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{attachment}--outer--\r\n"
    );
    (msg.into_bytes(), ics)
}

#[tokio::test]
async fn invitation_parts_without_downloading_attachments() {
    let server = MailServer::shared();
    let (raw, ics) = invitation("invite-1@test", 2048);
    server.append("dave", "INBOX", &raw);
    let mut cfg = config(server, "dave", Security::Implicit);
    cfg.ignore_capabilities = vec![];
    let mut mb = ImapMailbox::connect(cfg.clone()).await.unwrap();

    let uids = mb
        .search_message_id("INBOX", "<invite-1@test>")
        .await
        .unwrap();
    assert_eq!(uids.len(), 1);
    let uid = uids[0];
    assert!(
        mb.search_message_id("INBOX", "<nothing@test>")
            .await
            .unwrap()
            .is_empty()
    );

    let (_, down_before) = mb.bytes();
    let structures = mb.body_structures("INBOX", &[uid]).await.unwrap();
    let parts = &structures[0].1;
    let cal = parts
        .iter()
        .find(|p| p.mime_type == "text/calendar")
        .expect("calendar part");
    assert_eq!(cal.part, "1.2");
    assert_eq!(cal.params["method"], "REQUEST");
    let pdf = parts
        .iter()
        .find(|p| p.mime_type == "application/pdf")
        .expect("attachment");
    assert_eq!(pdf.part, "2");
    assert_eq!(pdf.filename.as_deref(), Some("Folien für Q4.pdf"));
    assert_eq!(pdf.disposition.as_deref(), Some("attachment"));
    assert_eq!(pdf.encoding, "base64");
    assert!(pdf.size > 2_000_000, "{}", pdf.size);

    // The CRLF before a boundary belongs to the boundary (RFC 2046).
    let ics_part = ics.strip_suffix("\r\n").unwrap().as_bytes();
    let fetched = mb.fetch_parts("INBOX", uid, &["1.2"]).await.unwrap();
    assert_eq!(fetched[0].body, ics_part);
    assert!(String::from_utf8_lossy(&fetched[0].mime_header).contains("text/calendar"));
    let (_, down_after) = mb.bytes();
    assert!(
        down_after - down_before < 10_000,
        "{} bytes read",
        down_after - down_before
    );

    assert!(matches!(
        mb.fetch_parts("INBOX", uid, &["9"]).await,
        Err(MailboxError::Refused { .. })
    ));
    assert!(mb.fetch_parts("INBOX", uid, &["1.x"]).await.is_err());

    // Park: copy, mark seen, then move (MOVE and its fallback).
    mb.ensure_folder("PIM/Parked").await.unwrap();
    mb.copy_to("INBOX", &[uid], "PIM/Parked").await.unwrap();
    mb.mark_seen("INBOX", &[uid]).await.unwrap();
    assert!(matches!(
        mb.copy_to("INBOX", &[uid], "PIM/Missing").await,
        Err(MailboxError::NoFolder(_))
    ));
    let parked = mb
        .search_message_id("PIM/Parked", "<invite-1@test>")
        .await
        .unwrap();
    assert_eq!(parked.len(), 1);
    let again = mb
        .fetch_parts("PIM/Parked", parked[0], &["1.2"])
        .await
        .unwrap();
    assert_eq!(again[0].body, ics_part);

    mb.ensure_folder("PIM/Moved").await.unwrap();
    mb.move_to("INBOX", &[uid], "PIM/Moved").await.unwrap();
    assert!(
        mb.search_message_id("INBOX", "<invite-1@test>")
            .await
            .unwrap()
            .is_empty()
    );
    cfg.ignore_capabilities = vec!["MOVE".into()];
    let mut no_move = ImapMailbox::connect(cfg).await.unwrap();
    let moved = no_move
        .search_message_id("PIM/Moved", "<invite-1@test>")
        .await
        .unwrap();
    no_move.move_to("PIM/Moved", &moved, "INBOX").await.unwrap();
    assert!(
        no_move
            .search_message_id("PIM/Moved", "<invite-1@test>")
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        no_move
            .search_message_id("INBOX", "<invite-1@test>")
            .await
            .unwrap()
            .len(),
        1
    );
}

/// Attachments whose decoded sizes are awkward: base64 of 0–5, 57 and 58 bytes
/// (every length mod 3, so every padding), one with a blank line before the
/// boundary; quoted-printable with soft breaks, `=3D`, a body ending in CRLF.
/// Returns the message and each part's (number, decoded bytes).
pub fn awkward_attachments(id: &str) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    use base64::Engine;
    let mut body = String::new();
    let mut want = Vec::new();
    let mut n = 1;
    for (len, blank_before_boundary) in [
        (0usize, false),
        (1, false),
        (2, false),
        (3, false),
        (4, true),
        (5, false),
        (57, false),
        (58, true),
    ] {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        body += &format!(
            "--outer\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"b{len}.bin\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n{}",
            lines.join("\r\n"),
            if blank_before_boundary { "\r\n" } else { "" }
        );
        want.push((n.to_string(), data));
        n += 1;
    }
    for (encoded, decoded) in [
        (
            "caf=C3=A9 au lait=\r\n, soft break",
            "café au lait, soft break",
        ),
        ("a=3Db\r\nline two\r\n", "a=b\r\nline two\r\n"),
        ("ends in a soft break=\r\n", "ends in a soft break"),
    ] {
        body += &format!(
            "--outer\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Disposition: attachment; filename=\"q{n}.txt\"\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}\r\n"
        );
        want.push((n.to_string(), decoded.as_bytes().to_vec()));
        n += 1;
    }
    let msg = format!(
        "From: org@example.test\r\nTo: dave@example.test\r\nSubject: Sizes\r\n\
         Message-ID: <{id}>\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"outer\"\r\n\r\n{body}--outer--\r\n"
    );
    (msg.into_bytes(), want)
}

/// The size listed for an attachment is what fetching it gives: BINARY.SIZE
/// where the server offers BINARY (Dovecot does), nothing to claim without it.
#[tokio::test]
async fn binary_size_is_the_size_a_fetch_decodes() {
    let server = MailServer::shared();
    let (raw, want) = awkward_attachments("sizes-1@test");
    server.append("dave", "Sizes", &raw);
    server.append("dave", "Sizes", &raw_with_bad_trailer());
    let mut mb = ImapMailbox::connect(config(server, "dave", Security::Implicit))
        .await
        .unwrap();
    assert!(mb.has_capability("BINARY"), "Dovecot offers BINARY");
    let uid = mb
        .search_message_id("Sizes", "<sizes-1@test>")
        .await
        .unwrap()[0];
    let parts: Vec<&str> = want.iter().map(|(p, _)| p.as_str()).collect();
    let sizes = mb
        .decoded_sizes("Sizes", uid, &parts)
        .await
        .unwrap()
        .expect("sizes from BINARY.SIZE");
    let fetched = mb.fetch_parts("Sizes", uid, &parts).await.unwrap();
    for (((part, data), size), f) in want.iter().zip(&sizes).zip(&fetched) {
        let decoded = pim::invite::part::decode_part(f).unwrap().bytes;
        assert_eq!(&decoded, data, "part {part} decodes to what was sent");
        assert_eq!(*size, Some(data.len() as u64), "part {part}");
    }
    // A part Dovecot cannot decode (`=` ending a quoted-printable body): it drops
    // the connection rather than answer. No size then, and the mailbox goes on.
    let bad_uid = mb
        .search_message_id("Sizes", "<sizes-bad@test>")
        .await
        .unwrap()[0];
    assert_eq!(
        mb.decoded_sizes("Sizes", bad_uid, &["1"]).await.unwrap(),
        None
    );
    assert_eq!(mb.fetch_parts("Sizes", uid, &["2"]).await.unwrap().len(), 1);

    let mut cfg = config(server, "dave", Security::Implicit);
    cfg.ignore_capabilities = vec!["BINARY".into()];
    let mut without = ImapMailbox::connect(cfg).await.unwrap();
    assert_eq!(
        without.decoded_sizes("Sizes", uid, &parts).await.unwrap(),
        None
    );
}

fn raw_with_bad_trailer() -> Vec<u8> {
    b"From: org@example.test\r\nSubject: Bad\r\nMessage-ID: <sizes-bad@test>\r\n\
      MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n\
      --b\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename=\"x.txt\"\r\n\
      Content-Transfer-Encoding: quoted-printable\r\n\r\nends in =\r\n--b--\r\n"
        .to_vec()
}
