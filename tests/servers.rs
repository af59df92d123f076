//! The sync and invitation scenarios against every server flavour the test
//! harness runs: Dovecot in three setups (one Dovecot, per-user settings; see
//! `support::mailserver::FLAVOURS`) — the default layout, personal folders under
//! `INBOX.` with `.`, and a server advertising nothing but IMAP4rev1 (no
//! NAMESPACE, IDLE, UIDPLUS, MOVE, CONDSTORE, QRESYNC, MULTIAPPEND, ESEARCH,
//! LITERAL+) — plus Cyrus IMAP in both namespace layouts and Courier IMAP, with
//! FAM-backed IDLE and as Debian configures it (`support::imapserver`, one
//! process per server for the whole binary; the Debian Courier's watch takes a
//! minute, the rest of the binary runs beside it). Each
//! flavour runs as its own test, in parallel, its sync and invitation scenarios
//! side by side. The README's compatibility table comes from here: every cell
//! is asserted below, and the measured figures are printed on stderr as
//! `compat:` lines (`cargo test --test servers -- --nocapture`).

mod support;

use std::time::{Duration, Instant};

use support::imapserver::{Kind, OtherImap};
use support::mailserver::{ImapHost, MailServer, RawImap, append_at, count_at, messages_at};
use support::pim::Pim;

/// Which server process serves a flavour.
#[derive(Clone, Copy)]
enum Backend {
    /// The shared Dovecot (its users pick the flavour).
    Dovecot,
    Other(Kind),
}

/// How one flavour spells pim's folders, and what it offers.
struct Flavour {
    name: &'static str,
    backend: Backend,
    /// (sync user, invitation user)
    users: (&'static str, &'static str),
    /// `PIM/…` as the server spells it.
    pim: &'static str,
    idle: bool,
    /// MOVE or UIDPLUS: a parked invitation leaves INBOX.
    moves: bool,
    condstore: bool,
    /// Longest wait for a change to reach the other watching device.
    watch_within: Duration,
}

const DEFAULT: Flavour = Flavour {
    name: "Dovecot default",
    backend: Backend::Dovecot,
    users: ("alice", "bob"),
    pim: "PIM/",
    idle: true,
    moves: true,
    condstore: true,
    watch_within: Duration::from_secs(20),
};
const DOTTED: Flavour = Flavour {
    name: "Dovecot INBOX. + .",
    backend: Backend::Dovecot,
    users: ("dotted1", "dotted2"),
    pim: "INBOX.PIM.",
    idle: true,
    moves: true,
    condstore: true,
    watch_within: Duration::from_secs(20),
};
const TRIMMED: Flavour = Flavour {
    name: "Dovecot IMAP4rev1 only",
    backend: Backend::Dovecot,
    users: ("trimmed1", "trimmed2"),
    pim: "PIM/",
    idle: false,
    moves: false,
    condstore: false,
    watch_within: Duration::from_secs(20),
};
const CYRUS_ALT: Flavour = Flavour {
    name: "Cyrus 3.6 altnamespace (Fastmail)",
    backend: Backend::Other(Kind::CyrusAlt),
    users: ("cyrus1", "cyrus2"),
    pim: "PIM/",
    idle: true,
    moves: true,
    condstore: true,
    watch_within: Duration::from_secs(20),
};
const CYRUS_INBOX: Flavour = Flavour {
    name: "Cyrus 3.6 INBOX. + .",
    backend: Backend::Other(Kind::CyrusInbox),
    users: ("cyrusi1", "cyrusi2"),
    pim: "INBOX.PIM.",
    idle: true,
    moves: true,
    condstore: true,
    watch_within: Duration::from_secs(20),
};
const COURIER: Flavour = Flavour {
    name: "Courier 5.0 (IMAP_ENHANCEDIDLE=1)",
    backend: Backend::Other(Kind::Courier),
    users: ("courier1", "courier2"),
    pim: "INBOX.PIM.",
    idle: true,
    moves: true,
    condstore: false,
    watch_within: Duration::from_secs(20),
};
/// Courier's IDLE as Debian ships it rescans the folder every 60 s, and pim's
/// watch ends every wait after 60 s for its INBOX scan: a change arrives
/// within a minute.
const COURIER_DEBIAN: Flavour = Flavour {
    name: "Courier 5.0 (Debian defaults)",
    backend: Backend::Other(Kind::CourierDebian),
    users: ("courierd1", "courierd2"),
    watch_within: Duration::from_secs(75),
    ..COURIER
};

impl Flavour {
    fn host(&self) -> &'static dyn ImapHost {
        match self.backend {
            Backend::Dovecot => MailServer::shared(),
            Backend::Other(kind) => OtherImap::shared(kind),
        }
    }

    fn imaps_port(&self) -> u16 {
        match self.backend {
            Backend::Dovecot => MailServer::shared().imaps_port,
            Backend::Other(kind) => OtherImap::shared(kind).imaps_port,
        }
    }

    /// A profile on this flavour's IMAP server, sending through the shared Postfix.
    fn profile(&self, user: &str, policy: &str) -> Pim {
        let dovecot = MailServer::shared();
        Pim::mail_profile_via(dovecot, user, policy, self.imaps_port(), dovecot.smtps_port)
    }

    fn count(&self, user: &str, folder: &str) -> u32 {
        count_at(&self.host(), user, folder)
    }
}

fn check_account(f: &Flavour, p: &Pim) {
    let out = p.ok(&["account", "check", "mail"]);
    let prefix = if f.pim.starts_with("INBOX.") {
        "prefix \"INBOX.\", separator '.'"
    } else {
        "prefix \"\", separator '/'"
    };
    assert!(out.contains(prefix), "{}: {out}", f.name);
    assert!(
        out.contains(&format!("pim's folders: {}Changes", f.pim)),
        "{out}"
    );
    if f.idle {
        assert!(out.contains("IDLE: yes"), "{}: {out}", f.name);
    } else {
        assert!(out.contains("IDLE: no (sync --watch polls every"), "{out}");
        assert!(out.contains("warning: neither MOVE nor UIDPLUS"), "{out}");
        assert!(
            out.contains("not offered: NAMESPACE IDLE CONDSTORE"),
            "{out}"
        );
    }
    assert_eq!(
        out.contains("warning: no CONDSTORE"),
        !f.condstore,
        "{}: {out}",
        f.name
    );
    if f.idle && f.condstore {
        assert!(!out.contains("warning:"), "{}: {out}", f.name);
    }
}

/// What the sync scenarios measured.
struct Measured {
    thousand: Duration,
    watch: Duration,
}

/// init/join, two-way, a conflict, 1 000 records, `--watch`.
fn sync_scenarios(f: &Flavour) -> Measured {
    let user = f.users.0;
    let a = f.profile(user, "ask");
    let b = f.profile(user, "ask");
    check_account(f, &a);

    let id = a
        .ok(&["add", "contact", "--name", "Quentin Original"])
        .trim()
        .to_string();
    a.pair(&b);
    assert_eq!(b.full_name(&id), "Quentin Original", "{}", f.name);
    assert!(
        f.count(user, &format!("{}Changes", f.pim)) >= 1,
        "{}: no batch in {}Changes",
        f.name,
        f.pim
    );

    // Two-way.
    b.ok(&["add", "contact", "--name", "Yolanda Prewitt"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert!(a.contact_names().contains(&"Yolanda Prewitt".to_string()));

    // A conflict: both rename the same contact.
    a.ok(&["edit", &id, "--set", "full_name=Quentin Mine"]);
    b.ok(&["edit", &id, "--set", "full_name=Quentin Theirs"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    let open = a.json(&["conflicts", "list", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 1, "{}: {open}", f.name);
    assert_eq!(open[0]["theirs"]["value"], "Quentin Theirs");

    let thousand = thousand_records(f, &a, &b);
    let watch = watch_latency(f, &a, &b);
    Measured { thousand, watch }
}

/// 1 000 contacts imported on A reach B; returns the time of both syncs.
fn thousand_records(f: &Flavour, a: &Pim, b: &Pim) -> Duration {
    let cards: String = (0..1000)
        .map(|i| {
            format!(
                "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:urn:uuid:servers-{i:04}\r\n\
                 FN:Bulk Person {i:04}\r\nEMAIL:bulk{i}@example.test\r\nEND:VCARD\r\n"
            )
        })
        .collect();
    let o = a.run_stdin(&["import", "-"], cards.as_bytes());
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let start = Instant::now();
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let took = start.elapsed();
    let names = b.contact_names();
    let bulk = names
        .iter()
        .filter(|n| n.starts_with("Bulk Person"))
        .count();
    assert_eq!(bulk, 1000, "{}", f.name);
    took
}

/// Both profiles watch; an edit on A shows on B after the returned time. On a
/// server without IDLE, `sync --watch` says once how often it polls.
fn watch_latency(f: &Flavour, a: &Pim, b: &Pim) -> Duration {
    let logs = [a.home().join("watch.log"), b.home().join("watch.log")];
    let spawn = |p: &Pim, log: &std::path::Path| {
        let out = std::fs::File::create(log).unwrap();
        p.command(&["sync", "--watch", "--json"])
            .env("PIM_POLL_INTERVAL", "2")
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .spawn()
            .unwrap()
    };
    let mut watchers = [spawn(a, &logs[0]), spawn(b, &logs[1])];
    // Both watchers finished their first round (`--json` prints one line per
    // round) and rest; then a moment for IDLE to be open on the server.
    for log in &logs {
        let start = Instant::now();
        while !std::fs::read_to_string(log).unwrap().contains("}\n") {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "{}: no round",
                f.name
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    std::thread::sleep(Duration::from_millis(500));
    a.ok(&["add", "contact", "--name", "Walter Watchful"]);
    let start = Instant::now();
    let mut seen = false;
    while start.elapsed() < f.watch_within {
        if b.contact_names().iter().any(|n| n == "Walter Watchful") {
            seen = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let latency = start.elapsed();
    for w in &mut watchers {
        let _ = w.kill();
        let _ = w.wait();
    }
    let said = logs.map(|l| std::fs::read_to_string(l).unwrap());
    assert!(
        seen,
        "{}: the edit did not reach the other watching profile\nA: {}\nB: {}",
        f.name, said[0], said[1]
    );
    for s in &said {
        let notes = s
            .matches("pim: server has no IDLE; polling every 2 s")
            .count();
        assert_eq!(notes, usize::from(!f.idle), "{}: {s}", f.name);
    }
    latency
}

fn invitation(user: &str) -> Vec<u8> {
    let ics = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//pim tests//EN\r\nMETHOD:REQUEST\r\n\
         BEGIN:VEVENT\r\nUID:servers-{user}@example.test\r\nDTSTAMP:20261125T100000Z\r\n\
         DTSTART:20270110T100000Z\r\nDTEND:20270110T110000Z\r\nSUMMARY:Server check\r\n\
         ORGANIZER:mailto:carol@example.test\r\n\
         ATTENDEE;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:{user}@example.test\r\n\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    );
    format!(
        "From: carol@example.test\r\nTo: {user}@example.test\r\nSubject: Server check\r\n\
         Message-ID: <servers-{user}@example.test>\r\nDate: Wed, 25 Nov 2026 10:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n\
         --MIX\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n{ics}\
         --MIX\r\nContent-Type: text/plain; name=\"agenda.txt\"\r\n\
         Content-Disposition: attachment; filename=\"agenda.txt\"\r\n\r\n{AGENDA}\r\n\
         --MIX--\r\n"
    )
    .into_bytes()
}

const AGENDA: &str = "1. servers\r\n2. more servers";

/// Scan, accept with `park = "move"`, while another client's message waits in
/// INBOX marked \Deleted: it must survive whatever the server offers. Then the
/// invitation's attachment is fetched from the parking folder.
fn invitation_scenarios(f: &Flavour) {
    let host = f.host();
    let user = f.users.1;
    let other =
        b"From: x@example.test\r\nSubject: someone else's\r\nMessage-ID: <other@x>\r\n\r\nhi\r\n";
    append_at(&host, user, "INBOX", other);
    append_at(&host, user, "INBOX", &invitation(user));
    let mut imap = RawImap::login(&host, user);
    imap.command("SELECT INBOX", false);
    let found = imap.command("UID SEARCH HEADER Message-ID \"<other@x>\"", false);
    let uid = found
        .iter()
        .find_map(|l| l.strip_prefix("* SEARCH "))
        .expect("the other message is in INBOX")
        .trim()
        .to_string();
    imap.command(&format!("UID STORE {uid} +FLAGS (\\Deleted)"), false);
    imap.command("LOGOUT", false);

    let p = f.profile(user, "newest");
    let config = p.home().join("config.toml");
    let mut text = std::fs::read_to_string(&config).expect("config.toml in the profile");
    text.push_str("\n[invitations]\npark = \"move\"\n");
    std::fs::write(&config, text).unwrap();
    p.init(&[]);
    p.ok(&["invites", "scan"]);
    let list = p.invites();
    assert_eq!(list.len(), 1, "{}: {list:?}", f.name);
    let id = list[0]["id"].to_string();
    p.ok(&["invites", "accept", &id]);
    let accepted = &p.invites()[0];
    assert_eq!(accepted["status"], "accepted");

    let parked = format!("{}Parked", f.pim);
    assert_eq!(count_at(&host, user, &parked), 1, "{}: {parked}", f.name);
    let inbox = messages_at(&host, user, "INBOX");
    assert!(
        inbox
            .iter()
            .any(|m| String::from_utf8_lossy(m).contains("someone else's")),
        "{}: the other client's \\Deleted message was expunged",
        f.name
    );
    // With MOVE or UIDPLUS the invitation left INBOX; without both it stays (read).
    let expected = if f.moves { 1 } else { 2 };
    assert_eq!(inbox.len(), expected, "{}", f.name);
    let note = accepted["note"].as_str().unwrap_or_default().to_string();
    assert_eq!(
        note.contains("neither MOVE nor UIDPLUS"),
        !f.moves,
        "{}: {note:?}",
        f.name
    );

    // The attachment comes back from the parking folder.
    let event_id = accepted["event_id"].as_str().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let dir_s = dir.path().display().to_string();
    let listed = p.json(&["attachments", "list", &event_id, "--json"]);
    // Where the server reports BINARY.SIZE the listed size is exact already.
    if listed[0]["size_exact"] == true {
        assert_eq!(listed[0]["size"], AGENDA.len() as u64, "{}", f.name);
    }
    p.ok(&["attachments", "fetch", &event_id, "-o", &dir_s]);
    let got = std::fs::read_to_string(dir.path().join("agenda.txt")).unwrap();
    assert_eq!(got, AGENDA, "{}", f.name);
    // Fetched once, the size listed is the size written, on every server.
    let listed = p.json(&["attachments", "list", &event_id, "--json"]);
    assert_eq!(listed[0]["size"], AGENDA.len() as u64, "{}", f.name);
    assert_eq!(listed[0]["size_exact"], true, "{}", f.name);
}

fn run(f: &Flavour) {
    let started = Instant::now();
    let m = std::thread::scope(|s| {
        let inv = s.spawn(|| invitation_scenarios(f));
        let measured = sync_scenarios(f);
        inv.join().unwrap();
        measured
    });
    eprintln!(
        "compat: {} | namespace {} | IDLE {} | park=move {} | 1000 records {:.1} s | \
         watch latency {:.1} s | {:.1} s total",
        f.name,
        f.pim.trim_end_matches(['/', '.']),
        if f.idle { "yes" } else { "no (polls)" },
        if f.moves {
            "moves"
        } else {
            "copies, INBOX untouched"
        },
        m.thousand.as_secs_f32(),
        m.watch.as_secs_f32(),
        started.elapsed().as_secs_f32()
    );
}

#[test]
fn dovecot_default_layout() {
    run(&DEFAULT);
}

#[test]
fn dovecot_inbox_prefix_and_dot_separator() {
    run(&DOTTED);
}

#[test]
fn dovecot_with_only_imap4rev1() {
    run(&TRIMMED);
}

#[test]
fn cyrus_altnamespace_like_fastmail() {
    run(&CYRUS_ALT);
}

#[test]
fn cyrus_inbox_prefix_and_dot_separator() {
    run(&CYRUS_INBOX);
}

#[test]
fn courier() {
    run(&COURIER);
}

#[test]
fn courier_with_debian_defaults() {
    run(&COURIER_DEBIAN);
}

/// The namespace is remembered per account: a change is accepted while pim's
/// folders resolve under the new spelling, and stops sync clearly otherwise.
#[test]
#[allow(clippy::disallowed_types)] // sets the remembered value from outside, as SQLite sees it
fn a_changed_namespace_works_only_while_the_folders_resolve() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "dave", "newest");
    p.init(&[]);
    p.ok(&["sync"]);
    let db = rusqlite::Connection::open(p.home().join("pim.sqlite3")).unwrap();
    let remembered = || -> String {
        db.query_row(
            "SELECT value FROM meta WHERE key = 'imap.namespace.mail'",
            [],
            |r| r.get(0),
        )
        .unwrap()
    };
    assert_eq!(remembered(), "\t/");
    let pretend_dotted = || {
        db.execute(
            "UPDATE meta SET value = 'INBOX.\t.' WHERE key = 'imap.namespace.mail'",
            [],
        )
        .unwrap();
    };

    // As if the server had moved pim's folders from INBOX.PIM.* to PIM/*: found.
    pretend_dotted();
    p.ok(&["sync"]);
    assert_eq!(remembered(), "\t/");

    // Changed again, and the folders are not there: a clear error, nothing created.
    pretend_dotted();
    let mut imap = RawImap::login(server, "dave");
    for f in ["PIM/Changes", "PIM/Devices", "PIM/Snapshots"] {
        imap.command(&format!("DELETE \"{f}\""), false);
    }
    imap.command("LOGOUT", false);
    let o = p.run(&["sync"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(err.contains("namespace changed"), "{err}");
    assert!(err.contains("PIM/Changes"), "{err}");
    assert_eq!(server.count("dave", "PIM/Changes"), 0);
}

/// GNU Mailutils answers an expunge with `* N EXPUNGED` (not IMAP): pim skips
/// the line, says so once, and the tagged OK decides.
#[tokio::test]
async fn an_invalid_untagged_line_is_skipped_and_the_tagged_result_decides() {
    use pim::sync::Mailbox;

    let (_proxy, mut mb) = bent_by(b" EXPUNGE\r\n", b" EXPUNGED\r\n").await;
    mb.ensure_folder("PIM/Bent").await.unwrap();
    let msgs: Vec<Vec<u8>> = (1..=3)
        .map(|n| format!("Subject: {n}\r\nMessage-ID: <bent-{n}@x>\r\n\r\n{n}\r\n").into_bytes())
        .collect();
    mb.append("PIM/Bent", &msgs).await.unwrap();
    let uids: Vec<u32> = mb
        .list("PIM/Bent", 1, &[])
        .await
        .unwrap()
        .iter()
        .map(|m| m.uid)
        .collect();
    mb.delete("PIM/Bent", &uids[..2])
        .await
        .expect("the tagged OK decides");
    let left = mb.list("PIM/Bent", 1, &[]).await.unwrap();
    assert_eq!(left.len(), 1);
    let notices = mb.take_notices();
    assert!(
        notices.iter().any(|n| n.contains("EXPUNGED")),
        "{notices:?}"
    );
    mb.logout().await;
}

/// A server that reports news in answer to IDLE before its "+ idling" (RFC 3501
/// allows it; Courier does): the wait ends at once, not at its deadline. Dovecot
/// behind a proxy that puts `* 99 EXISTS` before the continuation.
#[tokio::test]
async fn news_said_before_idling_ends_the_wait_at_once() {
    use pim::sync::Mailbox;

    let (_proxy, mut mb) = bent_by(b"+ idling\r\n", b"* 99 EXISTS\r\n+ idling\r\n").await;
    mb.ensure_folder("PIM/Early").await.unwrap();
    let start = Instant::now();
    let woke = mb
        .wait("PIM/Early", Duration::from_secs(20))
        .await
        .expect("wait");
    assert!(woke, "the news before '+ idling' did not wake the wait");
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "woke only after {:?}",
        start.elapsed()
    );
    mb.logout().await;
}

/// A mailbox of the shared Dovecot, logged in through a proxy that replaces `from`
/// by `to` in what the server says (a server that bends the protocol); the proxy
/// lives as long as the first value.
async fn bent_by(
    from: &'static [u8],
    to: &'static [u8],
) -> (support::proxy::FaultProxy, pim::mail::ImapMailbox) {
    use pim::mail::{ImapConfig, ImapMailbox, Security};
    use support::proxy::{Fault, FaultProxy};
    let server = MailServer::shared();
    let proxy = FaultProxy::start(server.imap_port, Fault::Rewrite(from, to));
    let mut cfg = ImapConfig::new(
        "127.0.0.1",
        proxy.port,
        Security::Plaintext,
        "carol",
        server.password("carol"),
    );
    cfg.timeout = Duration::from_secs(5);
    let mb = ImapMailbox::connect(cfg).await.expect("connect");
    (proxy, mb)
}
