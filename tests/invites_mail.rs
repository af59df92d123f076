//! Meeting invitations through a real Dovecot + Postfix (the project's harness):
//! the corpus e-mails scanned, a multi-megabyte invitation answered without
//! downloading its attachment, the REPLY read by Python `icalendar`, the parked
//! attachment fetched on a second synced profile, offline answers, updates and
//! cancellations.

mod support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use serde_json::Value;
use support::mailserver::MailServer;
use support::pim::Pim;
use support::proxy::{Fault, FaultProxy};

/// The messages of one corpus file (the mbox ones hold several).
fn corpus_messages() -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/eml");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let bytes = std::fs::read(&f).unwrap();
        if bytes.starts_with(b"From ") {
            let text = String::from_utf8_lossy(&bytes).into_owned();
            for (i, m) in text.split("\nFrom ").enumerate() {
                let body = m.split_once('\n').map(|x| x.1).unwrap_or("");
                out.push((format!("{name}#{}", i + 1), body.as_bytes().to_vec()));
            }
        } else {
            out.push((name, bytes));
        }
    }
    out
}

fn ics(method: &str, seq: u32, stamp: &str, start: &str, extra: &str) -> String {
    format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\nMETHOD:{method}\r\n\
         BEGIN:VEVENT\r\nUID:planning-7@example.test\r\nSEQUENCE:{seq}\r\n\
         DTSTAMP:{stamp}\r\nDTSTART:{start}\r\nDURATION:PT1H\r\n\
         SUMMARY:Quarterly planning\r\nLOCATION:Room 4\r\n\
         DESCRIPTION:The agenda is long and private\r\n\
         ORGANIZER;CN=Bob:mailto:bob@example.test\r\n\
         ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.test\r\n\
         ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@example.test\r\n{extra}\
         END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
}

/// An invitation mail with `attachment` bytes as slides.pdf (base64).
/// Mail an invitation from `from` to `to` (user names at example.test) through
/// Postfix and wait until it is the `nth` message in `to`'s INBOX.
fn deliver(server: &MailServer, from: &str, to: &str, message: &[u8], nth: u32) {
    server.deliver_smtp(
        &format!("{from}@example.test"),
        &[&format!("{to}@example.test")],
        message,
    );
    assert_eq!(
        server.wait_for_count(to, "INBOX", nth, Duration::from_secs(20)),
        nth
    );
}

fn invitation(mid: &str, method: &str, calendar: &str, attachment: &[u8]) -> Vec<u8> {
    invitation_from("Bob <bob@example.test>", mid, method, calendar, attachment)
}

/// [`invitation`] with another From header.
fn invitation_from(
    from: &str,
    mid: &str,
    method: &str,
    calendar: &str,
    attachment: &[u8],
) -> Vec<u8> {
    let b64 = base64::engine::general_purpose::STANDARD.encode(attachment);
    let lines: Vec<&str> = b64
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    format!(
        "From: {from}\r\nTo: alice@example.test\r\n\
         Subject: Invitation: Quarterly planning\r\nMessage-ID: {mid}\r\n\
         Date: Wed, 25 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n\
         --MIX\r\nContent-Type: multipart/alternative; boundary=\"ALT\"\r\n\r\n\
         --ALT\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nPlease come.\r\n\
         --ALT\r\nContent-Type: text/calendar; charset=UTF-8; method={method}\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{calendar}--ALT--\r\n\
         --MIX\r\nContent-Type: application/pdf; name=\"slides.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"slides.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{}\r\n--MIX--\r\n",
        lines.join("\r\n")
    )
    .into_bytes()
}

fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// Python `icalendar` (a third-party parser) reads the REPLY mail.
fn python_reads_reply(raw: &[u8]) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("reply.eml");
    std::fs::write(&path, raw).unwrap();
    let script = r#"
import email, json, sys, icalendar
msg = email.message_from_bytes(open(sys.argv[1], 'rb').read())
for part in msg.walk():
    if part.get_content_type() == 'text/calendar':
        cal = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        ev = next(c for c in cal.walk('VEVENT'))
        att = ev.get('ATTENDEE')
        atts = att if isinstance(att, list) else [att]
        print(json.dumps({
            'method': str(cal.get('METHOD')),
            'uid': str(ev.get('UID')),
            'sequence': int(ev.get('SEQUENCE', 0)),
            'attendees': [str(a) for a in atts],
            'partstat': [a.params.get('PARTSTAT') for a in atts],
            'has_description': 'DESCRIPTION' in ev,
            'content_method': part.get_param('method'),
        }))
        break
"#;
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3 (run scripts/install-test-deps.sh)");
    assert!(
        out.status.success(),
        "python icalendar: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("python printed the reply")
}

#[test]
fn corpus_invitations_are_listed_or_reported_invalid() {
    let server = MailServer::shared();
    let messages = corpus_messages();
    for (_, m) in &messages {
        server.append("carol", "INBOX", m);
    }
    // Hostile ones: no UID, and a calendar part far too large.
    let no_uid = ics("REQUEST", 0, "20261125T100000Z", "20270110T100000Z", "")
        .replace("UID:planning-7@example.test\r\n", "");
    server.append(
        "carol",
        "INBOX",
        &invitation("<no-uid@x>", "REQUEST", &no_uid, b"x"),
    );
    let huge = format!(
        "{}X-PAD:{}\r\n",
        ics("REQUEST", 0, "20261125T100000Z", "20270110T100000Z", ""),
        "a".repeat(1_200_000)
    );
    server.append(
        "carol",
        "INBOX",
        &invitation("<huge@x>", "REQUEST", &huge, b"x"),
    );
    server.append(
        "carol",
        "INBOX",
        b"From: a@x\r\nSubject: plain mail\r\nMessage-ID: <plain@x>\r\n\r\nhello\r\n",
    );
    // A Latin-1 calendar part (declared), and one whose base64 is garbage.
    let latin = ics("REQUEST", 0, "20261125T100000Z", "20270110T100000Z", "")
        .replace("Quarterly planning", "Caf\u{e9} talk")
        .replace("UID:planning-7", "UID:latin-1");
    let latin_bytes: Vec<u8> = latin.chars().map(|c| c as u32 as u8).collect();
    let mut latin_mail = b"From: b@x\r\nMessage-ID: <latin@x>\r\nMIME-Version: 1.0\r\n\
        Content-Type: text/calendar; method=REQUEST; charset=iso-8859-1\r\n\
        Content-Transfer-Encoding: 8bit\r\n\r\n"
        .to_vec();
    latin_mail.extend_from_slice(&latin_bytes);
    server.append("carol", "INBOX", &latin_mail);
    server.append(
        "carol",
        "INBOX",
        b"From: b@x\r\nMessage-ID: <garbage@x>\r\nMIME-Version: 1.0\r\n\
          Content-Type: text/calendar; method=REQUEST\r\n\
          Content-Transfer-Encoding: base64\r\n\r\n!!!not*base64$$$\r\n",
    );

    let p = Pim::mail_profile(server, "carol", "newest");
    let out = p.json(&["invites", "scan", "--json"]);
    assert_eq!(out["messages"], messages.len() + 5, "{out}");
    let list = p.invites();
    let with_calendar = messages
        .iter()
        .filter(|(_, m)| {
            String::from_utf8_lossy(m)
                .to_ascii_lowercase()
                .contains("text/calendar")
        })
        .count();
    assert!(
        list.len() >= with_calendar.min(16) && list.len() <= messages.len() + 4,
        "{} invitations from {} corpus messages",
        list.len(),
        messages.len()
    );
    for v in &list {
        match &v["error"] {
            Value::String(e) => assert!(!e.is_empty(), "{v}"),
            _ => {
                for k in ["id", "uid", "method", "status", "sequence", "attachments"] {
                    assert!(!v[k].is_null(), "{k} missing in {v}");
                }
                assert_eq!(v["kind"], "invitation");
            }
        }
    }
    let by_mid = |needle: &str| {
        list.iter()
            .find(|v| v["message_id"].as_str().unwrap_or("").contains(needle))
            .unwrap_or_else(|| panic!("no invitation with Message-ID {needle}"))
            .clone()
    };
    let no_uid = by_mid("no-uid@x");
    assert!(
        no_uid["error"].as_str().unwrap().contains("no UID"),
        "{no_uid}"
    );
    let huge = by_mid("huge@x");
    assert!(huge["error"].as_str().unwrap().contains("bytes"), "{huge}");
    assert_eq!(by_mid("latin@x")["summary"], "Caf\u{e9} talk");
    assert!(by_mid("garbage@x")["error"].is_string());
    let valid = list.iter().filter(|v| v["error"].is_null()).count();
    assert!(
        valid >= 10,
        "only {valid} corpus invitations read: {list:?}"
    );
    let methods: Vec<&str> = list.iter().filter_map(|v| v["method"].as_str()).collect();
    for m in ["REQUEST", "CANCEL", "REPLY"] {
        assert!(methods.contains(&m), "no {m} among {methods:?}");
    }
    // Attachments come from BODYSTRUCTURE.
    assert!(
        list.iter()
            .any(|v| v["attachments"].as_array().is_some_and(|a| !a.is_empty())),
        "no attachment listed"
    );

    // Incremental: nothing is looked at twice.
    let again = p.json(&["invites", "scan", "--json"]);
    assert_eq!(again["messages"], 0, "{again}");
    assert_eq!(p.invites().len(), list.len());
    let o = p.run(&["invites", "accept", &no_uid["id"].to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot be answered"));
}

#[test]
fn big_invitation_accepted_without_downloading_the_attachment() {
    let server = MailServer::shared();
    let slides = noise(3 * 1024 * 1024);
    let cal = ics("REQUEST", 0, "20261125T100000Z", "20270110T100000Z", "");
    deliver(
        server,
        "bob",
        "alice",
        &invitation("<big-1@example.test>", "REQUEST", &cal, &slides),
        1,
    );
    let proxy = FaultProxy::start(server.imaps_port, Fault::None);
    let a = Pim::mail_profile_via(server, "alice", "newest", proxy.port, server.smtps_port);
    let key = a.init(&[]);

    proxy.reset_counts();
    a.ok(&["invites", "scan"]);
    let list = a.invites();
    assert_eq!(list.len(), 1, "{list:?}");
    let inv = &list[0];
    assert_eq!(inv["method"], "REQUEST");
    assert_eq!(inv["summary"], "Quarterly planning");
    assert_eq!(inv["uid"], "planning-7@example.test");
    assert_eq!(inv["organizer"]["email"], "bob@example.test");
    assert_eq!(inv["status"], "new");
    let att = &inv["attachments"][0];
    assert_eq!(att["name"], "slides.pdf");
    assert_eq!(att["type"], "application/pdf");
    // The size the attachment decodes to (what fetching gives), not its base64.
    let listed = att["size"].as_u64().unwrap();
    assert!(listed.abs_diff(slides.len() as u64) <= 1, "{att}");
    let id = inv["id"].to_string();
    let shown = a.json(&["invites", "show", &id, "--json"]);
    assert_eq!(shown["attendees"].as_array().unwrap().len(), 2);
    assert_eq!(
        shown["occurrences"],
        serde_json::json!(["2027-01-10T10:00:00+00:00"])
    );

    a.ok(&["invites", "accept", &id, "--comment", "See you there"]);
    let (_, down) = proxy.bytes();
    assert!(down < 100 * 1024, "scan + accept downloaded {down} bytes");
    assert_eq!(server.count("alice", "PIM/Parked"), 1);
    let inv = &a.invites()[0];
    assert_eq!(inv["status"], "accepted");
    assert_eq!(inv["our_answer"], "ACCEPTED");
    let event_id = inv["event_id"].as_str().unwrap().to_string();

    // The organizer got a REPLY a third-party parser understands.
    assert_eq!(
        server.wait_for_count("bob", "INBOX", 1, Duration::from_secs(20)),
        1
    );
    let reply = server.messages("bob", "INBOX").pop().unwrap();
    let r = python_reads_reply(&reply);
    assert_eq!(r["method"], "REPLY", "{r}");
    assert_eq!(r["content_method"], "REPLY");
    assert_eq!(r["uid"], "planning-7@example.test");
    assert_eq!(r["sequence"], 0);
    assert_eq!(r["partstat"], serde_json::json!(["ACCEPTED"]));
    assert_eq!(
        r["attendees"],
        serde_json::json!(["mailto:alice@example.test"])
    );
    assert_eq!(r["has_description"], false);
    assert!(reply.len() < 10_000, "the reply echoes too much");

    // Another device knows where the attachment is and gets the exact bytes.
    a.ok(&["sync"]);
    let b = Pim::mail_profile(server, "alice", "newest");
    b.ok(&["sync", "join", "--key", &key]);
    b.ok(&["invites", "scan"]);
    let seen_on_b = b.invites();
    assert_eq!(seen_on_b[0]["status"], "accepted", "{seen_on_b:?}");
    // The id prefix `pim list` prints is enough, as for every other command.
    let prefix = &event_id[..8];
    let refs = b.json(&["attachments", "list", prefix, "--json"]);
    assert_eq!(refs[0]["name"], "slides.pdf", "{refs}");
    assert_eq!(refs[0]["folder"], "PIM/Parked");
    let listed = b.ok(&["attachments", "list", prefix]);
    let dir = tempfile::tempdir().unwrap();
    // -o makes the directory, as `pim export -o` does.
    let into = dir.path().join("new/folder");
    let into_s = into.display().to_string();
    let fetched = b.ok(&["attachments", "fetch", prefix, "-o", &into_s]);
    let got = std::fs::read(into.join("slides.pdf")).unwrap();
    assert!(got == slides, "fetched {} bytes, differ", got.len());
    // The size shown before fetching is the size fetched.
    assert!(fetched.contains("(3.0 MiB)"), "{fetched}");
    assert!(listed.contains("3.0 MiB"), "{listed}");

    // An update: a new time and SEQUENCE 1; the event follows, the answer is asked again.
    let update = ics("REQUEST", 1, "20261126T100000Z", "20270111T150000Z", "");
    deliver(
        server,
        "bob",
        "alice",
        &invitation("<big-2@example.test>", "REQUEST", &update, b"v2"),
        2,
    );
    a.ok(&["sync"]);
    let list = a.invites();
    let upd = list.iter().find(|v| v["sequence"] == 1).unwrap();
    assert_eq!(upd["status"], "update", "{upd}");
    let ev = a.json(&["show", &event_id, "--json"]);
    assert!(
        ev["start"]
            .as_str()
            .unwrap()
            .starts_with("2027-01-11T15:00"),
        "{ev}"
    );
    // An older copy of the first invitation changes nothing.
    a.ok(&["invites", "tentative", &upd["id"].to_string()]);

    // A cancellation marks it cancelled.
    let cancel = ics("CANCEL", 2, "20261127T100000Z", "20270111T150000Z", "");
    deliver(
        server,
        "bob",
        "alice",
        &invitation("<big-3@example.test>", "CANCEL", &cancel, b"c"),
        3,
    );
    a.ok(&["invites", "scan"]);
    let list = a.invites();
    let c = list.iter().find(|v| v["method"] == "CANCEL").unwrap();
    assert_eq!(c["status"], "applied", "{c}");
    let ev = a.json(&["show", &event_id, "--json"]);
    assert_eq!(ev["status"], "CANCELLED", "{ev}");

    // The parked message gone → a clear error on fetch.
    let mut imap = support::mailserver::RawImap::login(server, "alice");
    imap.command("SELECT \"PIM/Parked\"", false);
    imap.command("UID STORE 1:* +FLAGS.SILENT (\\Deleted)", false);
    imap.command("EXPUNGE", false);
    imap.command("LOGOUT", false);
    let dir2 = tempfile::tempdir().unwrap();
    let o = b.run(&[
        "attachments",
        "fetch",
        &event_id,
        "-o",
        &dir2.path().display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("moved or deleted"), "{err}");
}

#[test]
fn offline_accept_sends_the_reply_at_the_next_sync() {
    let server = MailServer::start(&[("erin", "pw-erin"), ("bob", "pw-bob")]);
    let cal = ics("REQUEST", 0, "20261125T100000Z", "20270110T100000Z", "")
        .replace("alice@example.test", "erin@example.test");
    deliver(
        &server,
        "bob",
        "erin",
        &invitation("<off-1@example.test>", "REQUEST", &cal, b"tiny"),
        1,
    );
    let p = Pim::mail_profile(&server, "erin", "newest");
    p.ok(&["sync", "init"]);
    p.ok(&["invites", "scan"]);
    let id = p.invites()[0]["id"].to_string();

    server.stop();
    let out = p.ok(&["invites", "accept", &id]);
    assert!(out.contains("queued"), "{out}");
    let inv = &p.invites()[0];
    assert_eq!(inv["status"], "accepted");
    let event_id = inv["event_id"].as_str().unwrap().to_string();
    let ev = p.json(&["show", &event_id, "--json"]);
    assert_eq!(ev["summary"], "Quarterly planning");

    server.restart();
    p.ok(&["sync"]);
    assert_eq!(
        server.wait_for_count("bob", "INBOX", 1, Duration::from_secs(20)),
        1
    );
    let r = python_reads_reply(&server.messages("bob", "INBOX").pop().unwrap());
    assert_eq!(r["method"], "REPLY");
    assert_eq!(r["partstat"], serde_json::json!(["ACCEPTED"]));
    // Parking happened once the server was back.
    assert_eq!(server.count("erin", "PIM/Parked"), 1);
    let refs = p.json(&["attachments", "list", &event_id, "--json"]);
    assert_eq!(refs[0]["folder"], "PIM/Parked", "{refs}");
}

#[test]
fn attendee_replies_update_events_we_organise() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "dave", "newest");
    let own = ics("REQUEST", 0, "20261125T100000Z", "20270120T100000Z", "")
        .replace("UID:planning-7", "UID:dave-own")
        .replace("ORGANIZER;CN=Bob:mailto:bob@", "ORGANIZER:mailto:dave@")
        .replace("METHOD:REQUEST\r\n", "");
    let file = p.home().join("own.ics");
    std::fs::write(&file, own).unwrap();
    p.ok(&["import", &file.display().to_string()]);
    let events = p.json(&["list", "events", "--json"]);
    let id = events[0]["id"].as_str().unwrap().to_string();
    let reply = ics("REPLY", 0, "20261125T110000Z", "20270120T100000Z", "")
        .replace("UID:planning-7", "UID:dave-own")
        .replace("ORGANIZER;CN=Bob:mailto:bob@", "ORGANIZER:mailto:dave@")
        .replace(
            "ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.test\r\n",
            "",
        )
        .replace(
            "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol",
            "ATTENDEE;PARTSTAT=DECLINED:mailto:carol",
        );
    deliver(
        server,
        "carol",
        "dave",
        &invitation_from(
            "carol@example.test",
            "<reply-1@example.test>",
            "REPLY",
            &reply,
            b"r",
        ),
        1,
    );
    p.ok(&["invites", "scan"]);
    let inv = &p.invites()[0];
    assert_eq!(inv["method"], "REPLY");
    assert_eq!(inv["status"], "applied", "{inv}");
    let ev = p.json(&["show", &id, "--json"]);
    let carol = ev["attendees"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a.to_string().contains("carol"))
        .unwrap()
        .clone();
    assert!(carol.to_string().contains("DECLINED"), "{ev}");
}

#[test]
fn counter_proposal_taken_from_the_cli() {
    let server = MailServer::start(&[("hank", "pw-hank"), ("gina", "pw-gina")]);
    let ours = |method: &str, stamp: &str, start: &str| {
        ics(method, 0, stamp, start, "")
            .replace("UID:planning-7", "UID:hank-own")
            .replace("ORGANIZER;CN=Bob:mailto:bob@", "ORGANIZER:mailto:hank@")
            .replace("alice@example.test", "gina@example.test")
    };
    let p = Pim::mail_profile(&server, "hank", "newest");
    let file = p.home().join("own.ics");
    let own = ours("REQUEST", "20261125T100000Z", "20270120T100000Z");
    std::fs::write(&file, own.replace("METHOD:REQUEST\r\n", "")).unwrap();
    p.ok(&["import", &file.display().to_string()]);
    let id = p.json(&["list", "events", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Gina proposes the next day at 15:00.
    let counter = ours("COUNTER", "20261125T110000Z", "20270121T150000Z").replace(
        "ATTENDEE;PARTSTAT=ACCEPTED:mailto:carol@example.test\r\n",
        "",
    );
    deliver(
        &server,
        "gina",
        "hank",
        &invitation_from(
            "Gina <gina@example.test>",
            "<counter-1@example.test>",
            "COUNTER",
            &counter,
            b"c",
        ),
        1,
    );
    p.ok(&["invites", "scan"]);
    let inv = &p.invites()[0];
    assert_eq!(inv["method"], "COUNTER", "{inv}");
    let inv_id = inv["id"].to_string();
    let o = p.run(&["invites", "accept", &inv_id]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a COUNTER is not accepted like a REQUEST"
    );

    let out = p.ok(&["invites", "accept-counter", &inv_id]);
    assert!(out.contains("counter-accepted"), "{out}");
    assert!(out.contains("reply sent to gina@example.test"), "{out}");
    assert_eq!(p.invites()[0]["status"], "counter-accepted");
    let ev = p.json(&["show", &id, "--json"]);
    assert!(ev["start"].to_string().contains("2027-01-21"), "{ev}");
    assert_eq!(
        server.wait_for_count("gina", "INBOX", 1, Duration::from_secs(20)),
        1
    );
    let mail = String::from_utf8_lossy(&server.messages("gina", "INBOX")[0]).into_owned();
    assert!(mail.contains("METHOD:REQUEST"), "{mail}");
    assert!(mail.contains("DTSTART:20270121T150000Z"), "{mail}");
}

/// Issue 14 item 5 through Postfix and Dovecot: a stranger's REQUEST taking over
/// our event and a forged REPLY are listed as suspicious and change nothing.
#[test]
fn a_strangers_update_and_forged_reply_are_suspicious() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "test", "newest");
    let ours = |method: &str, seq: u32| {
        ics(method, seq, "20261125T100000Z", "20270120T100000Z", "")
            .replace("UID:planning-7", "UID:test-own")
            .replace("ORGANIZER;CN=Bob:mailto:bob@", "ORGANIZER:mailto:test@")
    };
    let file = p.home().join("own.ics");
    std::fs::write(&file, ours("REQUEST", 0).replace("METHOD:REQUEST\r\n", "")).unwrap();
    p.ok(&["import", &file.display().to_string()]);
    let id = p.json(&["list", "events", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = p.json(&["show", &id, "--json"]);
    let takeover = ours("REQUEST", 3)
        .replace("Quarterly planning", "Pwned")
        .replace(
            "ORGANIZER:mailto:test@example.test",
            "ORGANIZER:mailto:mallory@evil.example",
        );
    let forged_reply = ours("REPLY", 0)
        .replace(
            "ATTENDEE;CN=Alice;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:alice@example.test",
            "ATTENDEE;PARTSTAT=ACCEPTED;ROLE=CHAIR:mailto:mallory@evil.example",
        )
        .replace(
            "PARTSTAT=ACCEPTED:mailto:carol",
            "PARTSTAT=DECLINED:mailto:carol",
        );
    let mallory = "Mallory <mallory@evil.example>";
    for (n, (mid, method, cal)) in [
        ("<evil-1@evil.example>", "REQUEST", &takeover),
        ("<evil-2@evil.example>", "REPLY", &forged_reply),
    ]
    .into_iter()
    .enumerate()
    {
        server.deliver_smtp(
            "mallory@evil.example",
            &["test@example.test"],
            &invitation_from(mallory, mid, method, cal, b"x"),
        );
        let want = n as u32 + 1;
        assert_eq!(
            server.wait_for_count("test", "INBOX", want, Duration::from_secs(20)),
            want
        );
    }
    p.ok(&["invites", "scan"]);
    let all = p.invites();
    assert_eq!(all.len(), 2, "{all:?}");
    for inv in &all {
        assert_eq!(inv["status"], "suspicious", "{inv}");
        assert_eq!(inv["suspicious"], true, "{inv}");
    }
    let table = p.ok(&["invites", "list"]);
    assert!(table.contains("suspicious"), "{table}");
    assert!(table.contains("you organise this event"), "{table}");
    assert!(table.contains("not invited"), "{table}");
    assert_eq!(p.json(&["show", &id, "--json"]), before);
    let o = p.run(&["invites", "accept", &all[0]["id"].to_string()]);
    assert_eq!(
        o.status.code(),
        Some(2),
        "a suspicious invitation is not answered"
    );
}

/// An invitation whose attachments decode to awkward sizes: base64 of 0–5 and 58
/// bytes (every padding, one with a blank line before the boundary) and
/// quoted-printable with soft breaks and a body ending in CRLF. Returns the
/// message and each attachment's (file name, decoded bytes).
fn awkward_invitation(mid: &str, calendar: &str) -> (Vec<u8>, Vec<(String, Vec<u8>)>) {
    let mut parts = String::new();
    let mut want = Vec::new();
    for (len, blank) in [
        (0usize, false),
        (1, false),
        (2, true),
        (3, false),
        (4, false),
        (5, false),
        (58, true),
    ] {
        let data: Vec<u8> = (0..len).map(|i| (i * 37 % 251) as u8).collect();
        let b64 = base64::engine::general_purpose::STANDARD.encode(&data);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        let name = format!("b{len}.bin");
        parts += &format!(
            "--MIX\r\nContent-Type: application/octet-stream\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: base64\r\n\r\n{}\r\n{}",
            lines.join("\r\n"),
            if blank { "\r\n" } else { "" }
        );
        want.push((name, data));
    }
    for (i, (encoded, decoded)) in [
        (
            "caf=C3=A9 au lait=\r\n, soft break",
            "café au lait, soft break",
        ),
        ("a=3Db\r\nline two\r\n", "a=b\r\nline two\r\n"),
        ("ends in a soft break=\r\n", "ends in a soft break"),
    ]
    .into_iter()
    .enumerate()
    {
        let name = format!("q{i}.txt");
        parts += &format!(
            "--MIX\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Disposition: attachment; filename=\"{name}\"\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{encoded}\r\n"
        );
        want.push((name, decoded.as_bytes().to_vec()));
    }
    let msg = format!(
        "From: Bob <bob@example.test>\r\nTo: ivan@example.test\r\n\
         Subject: Invitation: Quarterly planning\r\nMessage-ID: {mid}\r\n\
         Date: Wed, 25 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"MIX\"\r\n\r\n\
         --MIX\r\nContent-Type: text/calendar; charset=UTF-8; method=REQUEST\r\n\
         Content-Transfer-Encoding: 8bit\r\n\r\n{calendar}{parts}--MIX--\r\n"
    );
    (msg.into_bytes(), want)
}

/// Issue 18: the size `pim attachments list` shows is the size `fetch` writes,
/// for every padding of base64 and for quoted-printable (Dovecot's BINARY.SIZE).
#[test]
fn listed_attachment_sizes_are_the_sizes_fetched() {
    let server = MailServer::start(&[("ivan", "pw-ivan"), ("bob", "pw-bob")]);
    let cal = ics("REQUEST", 0, "20261125T100000Z", "20270110T100000Z", "")
        .replace("alice@example.test", "ivan@example.test");
    let (raw, want) = awkward_invitation("<sizes-1@example.test>", &cal);
    server.append("ivan", "INBOX", &raw);
    let p = Pim::mail_profile(&server, "ivan", "newest");
    p.ok(&["sync", "init"]);
    p.ok(&["invites", "scan"]);
    let inv = &p.invites()[0];
    let id = inv["id"].to_string();
    p.ok(&["invites", "accept", &id]);
    let event_id = p.invites()[0]["event_id"].as_str().unwrap().to_string();

    let refs = p.json(&["attachments", "list", &event_id, "--json"]);
    let refs = refs.as_array().unwrap();
    assert_eq!(refs.len(), want.len(), "{refs:?}");
    let listed = p.ok(&["attachments", "list", &event_id]);
    assert!(
        !listed.contains('~'),
        "no estimate where the server says: {listed}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().display().to_string();
    p.ok(&["attachments", "fetch", &event_id, "-o", &out]);
    for (name, data) in &want {
        let r = refs.iter().find(|r| r["name"] == name.as_str()).unwrap();
        let written = std::fs::read(dir.path().join(name)).unwrap();
        assert_eq!(&written, data, "{name}");
        assert_eq!(r["size"], written.len() as u64, "{name}: {r}");
        assert_eq!(r["size_exact"], true, "{name}: {r}");
    }
}
