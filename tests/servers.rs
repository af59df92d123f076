//! The sync and invitation scenarios against every server flavour the harness
//! serves (one Dovecot, per-user settings; see `support::mailserver::FLAVOURS`):
//! the default layout, personal folders under `INBOX.` with `.`, and a server
//! advertising nothing but IMAP4rev1 (no NAMESPACE, IDLE, UIDPLUS, MOVE,
//! CONDSTORE, QRESYNC, MULTIAPPEND, ESEARCH, LITERAL+). Each flavour runs as
//! its own test, in parallel. The README's compatibility table comes from here
//! (the `compat:` lines on stderr).

mod support;

use std::time::{Duration, Instant};

use support::mailserver::{MailServer, RawImap};
use support::pim::Pim;

/// How one flavour spells pim's folders, and what it offers.
struct Flavour {
    name: &'static str,
    /// (sync user, invitation user)
    users: (&'static str, &'static str),
    /// `PIM/…` as the server spells it.
    pim: &'static str,
    idle: bool,
    moves: bool,
}

const DEFAULT: Flavour = Flavour {
    name: "Dovecot default",
    users: ("alice", "bob"),
    pim: "PIM/",
    idle: true,
    moves: true,
};
const DOTTED: Flavour = Flavour {
    name: "Dovecot INBOX. + .",
    users: ("dotted1", "dotted2"),
    pim: "INBOX.PIM.",
    idle: true,
    moves: true,
};
const TRIMMED: Flavour = Flavour {
    name: "Dovecot IMAP4rev1 only",
    users: ("trimmed1", "trimmed2"),
    pim: "PIM/",
    idle: false,
    moves: false,
};

fn profile(server: &MailServer, user: &str, policy: &str) -> Pim {
    Pim::mail_profile(server, user, policy)
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
        assert!(out.contains("IDLE: yes"), "{out}");
        assert!(!out.contains("warning:"), "{out}");
    } else {
        assert!(out.contains("IDLE: no (sync --watch polls every"), "{out}");
        assert!(out.contains("warning: neither MOVE nor UIDPLUS"), "{out}");
        assert!(
            out.contains("not offered: NAMESPACE IDLE CONDSTORE"),
            "{out}"
        );
    }
}

/// init/join, two-way, a conflict, `--watch`; returns the watch latency.
fn sync_scenarios(f: &Flavour) -> Duration {
    let server = MailServer::shared();
    let user = f.users.0;
    let a = profile(server, user, "ask");
    let b = profile(server, user, "ask");
    check_account(f, &a);

    let id = a
        .ok(&["add", "contact", "--name", "Quentin Original"])
        .trim()
        .to_string();
    a.pair(&b);
    assert_eq!(b.full_name(&id), "Quentin Original", "{}", f.name);
    assert!(
        server.count(user, &format!("{}Changes", f.pim)) >= 1,
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

    watch_latency(&a, &b)
}

/// Both profiles watch; an edit on A shows on B after the returned time.
fn watch_latency(a: &Pim, b: &Pim) -> Duration {
    let spawn = |p: &Pim| {
        p.command(&["sync", "--watch"])
            .env("PIM_POLL_INTERVAL", "2")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut watchers = [spawn(a), spawn(b)];
    std::thread::sleep(Duration::from_millis(1500));
    a.ok(&["add", "contact", "--name", "Walter Watchful"]);
    let start = Instant::now();
    let mut seen = false;
    while start.elapsed() < Duration::from_secs(20) {
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
    assert!(seen, "the edit did not reach the other watching profile");
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
         MIME-Version: 1.0\r\nContent-Type: text/calendar; method=REQUEST; charset=utf-8\r\n\r\n{ics}"
    )
    .into_bytes()
}

/// Scan, accept with `park = "move"`, while another client's message waits in
/// INBOX marked \Deleted: it must survive whatever the server offers.
fn invitation_scenarios(f: &Flavour) {
    let server = MailServer::shared();
    let user = f.users.1;
    let other =
        b"From: x@example.test\r\nSubject: someone else's\r\nMessage-ID: <other@x>\r\n\r\nhi\r\n";
    server.deliver_smtp("x@example.test", &[&format!("{user}@example.test")], other);
    server.deliver_smtp(
        "carol@example.test",
        &[&format!("{user}@example.test")],
        &invitation(user),
    );
    assert_eq!(
        server.wait_for_count(user, "INBOX", 2, Duration::from_secs(20)),
        2
    );
    let mut imap = RawImap::login(server, user);
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

    let p = profile(server, user, "newest");
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
    assert_eq!(p.invites()[0]["status"], "accepted");

    let parked = format!("{}Parked", f.pim);
    assert_eq!(server.count(user, &parked), 1, "{}: {parked}", f.name);
    let inbox = server.messages(user, "INBOX");
    assert!(
        inbox
            .iter()
            .any(|m| String::from_utf8_lossy(m).contains("someone else's")),
        "{}: the other client's \\Deleted message was expunged",
        f.name
    );
    // With MOVE the invitation left INBOX; without MOVE/UIDPLUS it stays (read).
    let expected = if f.moves { 1 } else { 2 };
    assert_eq!(inbox.len(), expected, "{}", f.name);
    let note = p.invites()[0]["note"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        note.contains("neither MOVE nor UIDPLUS"),
        !f.moves,
        "{}: {note:?}",
        f.name
    );
}

fn run(f: &Flavour) {
    let started = Instant::now();
    let inv = std::thread::scope(|s| {
        let inv = s.spawn(|| invitation_scenarios(f));
        let latency = sync_scenarios(f);
        inv.join().unwrap();
        latency
    });
    eprintln!(
        "compat: {} | namespace {} | IDLE {} | park=move {} | watch latency {:.1} s | {:.1} s total",
        f.name,
        f.pim.trim_end_matches(['/', '.']),
        if f.idle { "yes" } else { "no (polls)" },
        if f.moves {
            "moves"
        } else {
            "copies, INBOX untouched"
        },
        inv.as_secs_f32(),
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

/// The namespace is remembered per account: a change is accepted while pim's
/// folders resolve under the new spelling, and stops sync clearly otherwise.
#[test]
#[allow(clippy::disallowed_types)] // sets the remembered value from outside, as SQLite sees it
fn a_changed_namespace_works_only_while_the_folders_resolve() {
    let server = MailServer::shared();
    let p = profile(server, "dave", "newest");
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
    use pim::mail::{ImapConfig, ImapMailbox, Security};
    use pim::sync::Mailbox;
    use support::proxy::{Fault, FaultProxy};

    let server = MailServer::shared();
    let proxy = FaultProxy::start(
        server.imap_port,
        Fault::Rewrite(b" EXPUNGE\r\n", b" EXPUNGED\r\n"),
    );
    let mut cfg = ImapConfig::new(
        "127.0.0.1",
        proxy.port,
        Security::Plaintext,
        "carol",
        server.password("carol"),
    );
    cfg.timeout = Duration::from_secs(5);
    let mut mb = ImapMailbox::connect(cfg).await.expect("connect");
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
