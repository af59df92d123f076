//! `pim sync` between `--home` profiles through a real Dovecot (the project's
//! harness): init/join, a contact travelling, devices, and what the provider sees.

// Reads the database file directly, as SQLite sees it from outside the app.
#![allow(clippy::disallowed_types)]

mod support;

use serde_json::Value;
use support::mailserver::MailServer;
use support::pim::Pim;
use support::proxy::{Fault, FaultProxy};

fn grep_storage(server: &MailServer, user: &str, needle: &str) -> bool {
    fn walk(dir: &std::path::Path, needle: &[u8]) -> bool {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return false;
        };
        entries.flatten().any(|e| {
            let p = e.path();
            if p.is_dir() {
                walk(&p, needle)
            } else {
                std::fs::read(&p).is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle))
            }
        })
    }
    walk(&server.workdir.join("mail").join(user), needle.as_bytes())
}

#[test]
fn two_profiles_sync_a_contact_through_dovecot() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "alice", "newest");
    let b = Pim::mail_profile(server, "alice", "newest");

    // Nothing to join before init; sync without a key says what to do.
    let o = b.run(&["sync", "join", "--key", "PIM1-AAAA"]);
    assert_eq!(o.status.code(), Some(2));
    let o = a.run(&["sync"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("sync init"));

    a.ok(&[
        "add",
        "contact",
        "--name",
        "Zebulon Quaxley",
        "--email",
        "zq@example.org",
    ]);
    let out = a.ok(&["sync", "init", "--device-name", "laptop"]);
    let key = out.trim_end().lines().last().unwrap().to_string();
    assert!(key.starts_with("PIM1-"), "{out}");

    let other_key = pim::sync::crypto::SyncKey::generate().to_human();
    let wrong = b.run(&["sync", "join", "--key", &other_key]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("does not open"));
    b.ok(&["sync", "join", "--key", &key, "--device-name", "desktop"]);
    assert_eq!(b.contact_names(), vec!["Zebulon Quaxley"]);

    // An edit on B travels back to A.
    b.ok(&["add", "contact", "--name", "Yolanda Prewitt"]);
    let report = b.json(&["sync", "--json"]);
    assert_eq!(report["uploaded"], 1, "{report}");
    for field in [
        "downloaded",
        "applied",
        "conflicts",
        "deleted",
        "rejected",
        "bytes_up",
        "bytes_down",
        "imap_commands",
    ] {
        assert!(report.get(field).is_some(), "{field} missing in {report}");
    }
    let report = a.json(&["sync", "--json"]);
    assert!(report["applied"].as_u64().unwrap() >= 1, "{report}");
    let mut names = a.contact_names();
    names.sort();
    assert_eq!(names, vec!["Yolanda Prewitt", "Zebulon Quaxley"]);

    // Nothing to do: cheap.
    let idle = a.json(&["sync", "--json"]);
    assert_eq!(idle["applied"], 0);
    let commands = idle["imap_commands"].as_u64().unwrap();
    eprintln!("idle sync: {commands} IMAP commands");
    assert!(commands <= 5, "{commands} IMAP commands for an idle sync");

    // --dry-run changes nothing.
    a.ok(&["add", "contact", "--name", "Xavier Dry"]);
    let dry = a.json(&["sync", "--dry-run", "--json"]);
    assert!(dry.get("plan").is_some(), "{dry}");
    assert_eq!(
        dry["plan"]["words"], "would upload 1 change in 1 message",
        "{dry}"
    );
    // In words for people, no JSON blob.
    let said = a.ok(&["sync", "--dry-run"]);
    assert_eq!(said.trim(), "would upload 1 change in 1 message", "{said}");
    let report = b.json(&["sync", "--json"]);
    assert_eq!(report["applied"], 0, "dry run uploaded nothing: {report}");

    let devices = a.json(&["devices", "list", "--json"]);
    let names: Vec<&str> = devices
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"laptop") && names.contains(&"desktop"),
        "{devices}"
    );

    // The provider sees ciphertext only.
    assert!(server.count("alice", "PIM/Changes") > 0);
    assert!(!grep_storage(server, "alice", "Zebulon"));
    assert!(!grep_storage(server, "alice", "Yolanda"));
}

#[test]
fn sync_fails_clearly_when_the_server_is_down() {
    let server = MailServer::start(&[("frank", "pw-frank")]);
    let a = Pim::mail_profile(&server, "frank", "newest");
    let key = a.init(&[]);
    assert!(key.starts_with("PIM1-"));
    a.ok(&["add", "contact", "--name", "Queued Person"]);
    server.stop();
    let o = a.run(&["sync"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot reach") && err.contains("stay queued"),
        "{err}"
    );
    server.restart();
    let report = a.json(&["sync", "--json"]);
    assert_eq!(report["uploaded"], 1, "the queued edit went up: {report}");
}

#[test]
fn watch_carries_an_edit_across_within_seconds() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "carol", "newest");
    let b = Pim::mail_profile(server, "carol", "newest");
    let key = a.init(&[]);
    b.ok(&["sync", "join", "--key", &key]);

    let spawn = |p: &Pim| {
        p.command(&["sync", "--watch"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut watchers = [spawn(&a), spawn(&b)];
    std::thread::sleep(std::time::Duration::from_millis(800));

    a.ok(&["add", "contact", "--name", "Walter Watchful"]);
    let start = std::time::Instant::now();
    let mut seen = false;
    while start.elapsed() < std::time::Duration::from_secs(15) {
        if b.contact_names().iter().any(|n| n == "Walter Watchful") {
            seen = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let latency = start.elapsed();
    for w in &mut watchers {
        let _ = w.kill();
        let _ = w.wait();
    }
    assert!(seen, "the edit did not reach the other watching profile");
    eprintln!("watch: edit visible on the other profile after {latency:?}");
}

impl Pim {
    /// Run with a deadline: a hang is a failure. Returns the exit code (0 or 2).
    fn run_bounded(&self, args: &[&str], secs: u64) -> i32 {
        let o = self.run_within(args, std::time::Duration::from_secs(secs));
        let code = o.status.code().unwrap_or(-1);
        assert!(
            code == 0 || code == 2,
            "pim {args:?} exited {code}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        code
    }

    fn integrity_ok(&self) {
        let db = rusqlite::Connection::open(self.home().join("pim.sqlite3")).unwrap();
        let verdict: String = db
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
    }
}

#[test]
fn cut_connections_during_sync_then_everything_converges() {
    let server = MailServer::shared();
    let proxy = FaultProxy::start(server.imaps_port, Fault::None);
    let a = Pim::mail_profile_via(server, "dave", "newest", proxy.port, server.smtps_port);
    let b = Pim::mail_profile_via(server, "dave", "newest", proxy.port, server.smtps_port);
    for i in 0..10 {
        a.ok(&["add", "contact", "--name", &format!("Before Cut {i}")]);
    }
    let key = a.init(&[]);
    b.ok(&["sync", "join", "--key", &key]);

    // How much one round with work in it moves.
    a.ok(&["add", "contact", "--name", "Measure"]);
    proxy.reset_counts();
    a.ok(&["sync"]);
    let (up, down) = proxy.bytes();
    let total = up + down;

    let steps = 16u64;
    let mut failed = 0;
    for i in 0..steps {
        let n = total * i / steps + i * 7;
        a.ok(&["add", "contact", "--name", &format!("Cut A {i}")]);
        b.ok(&["add", "contact", "--name", &format!("Cut B {i}")]);
        proxy.set_fault(Fault::CutAfter(n));
        for p in [&a, &b] {
            if p.run_bounded(&["sync"], 30) != 0 {
                failed += 1;
            }
        }
    }
    assert!(failed >= steps as usize, "only {failed} cut syncs failed");

    proxy.set_fault(Fault::None);
    for p in [&a, &b, &a, &b] {
        p.ok(&["sync"]);
    }
    let mut names_a = a.contact_names();
    let mut names_b = b.contact_names();
    names_a.sort();
    names_b.sort();
    assert_eq!(names_a, names_b);
    for i in 0..steps {
        assert!(names_a.contains(&format!("Cut A {i}")), "Cut A {i} lost");
        assert!(names_a.contains(&format!("Cut B {i}")), "Cut B {i} lost");
    }
    assert_eq!(names_a.len(), 10 + 1 + 2 * steps as usize);
    a.integrity_ok();
    b.integrity_ok();
}

#[test]
fn sigkilled_sync_recovers_and_converges() {
    use pim::model::{Kind, Record};
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "bob", "newest");
    a.ok(&["list", "contacts"]); // creates the profile
    {
        let mut store = pim::store::Store::open(&a.home().join("pim.sqlite3")).unwrap();
        let coll = store.default_collection(Kind::Contact).unwrap().id;
        store
            .write(|w| {
                for i in 0..1500 {
                    let mut r = Record::new(Kind::Contact, &coll);
                    r.set_text("FN", &format!("Bulk Person {i}"));
                    w.create(&r)?;
                }
                Ok(())
            })
            .unwrap();
    }
    let key = a.init(&[]);

    let c = Pim::mail_profile(server, "bob", "newest");
    let has_key = |p: &Pim| {
        let store = pim::store::Store::open(&p.home().join("pim.sqlite3")).unwrap();
        store.meta("sync.key").unwrap().is_some()
    };
    let mut kills = 0;
    for delay_ms in [40u64, 80, 120, 160, 220, 280, 350, 450, 600, 800] {
        let args: Vec<&str> = if has_key(&c) {
            vec!["sync"]
        } else {
            vec!["sync", "join", "--key", &key]
        };
        let mut child = c
            .command(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(delay_ms));
        if child.try_wait().unwrap().is_none() {
            kills += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        c.integrity_ok();
    }
    eprintln!("sigkill: {kills} runs killed mid-way");
    assert!(kills >= 3, "only {kills} runs were still busy when killed");

    if !has_key(&c) {
        c.ok(&["sync", "join", "--key", &key]);
    }
    c.ok(&["sync"]);
    let names = c.contact_names();
    assert_eq!(names.len(), 1500, "every contact exactly once");
    let unique: std::collections::BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), 1500);
    c.integrity_ok();
}

/// UIDs in `folder` of `user` (via the harness's own plain IMAP client).
fn server_uids(server: &MailServer, user: &str, folder: &str) -> Vec<u32> {
    let mut imap = support::mailserver::RawImap::login(server, user);
    imap.command(&format!("SELECT \"{folder}\""), false);
    let lines = imap.command("UID SEARCH ALL", false);
    imap.command("LOGOUT", false);
    lines
        .iter()
        .filter_map(|l| l.strip_prefix("* SEARCH"))
        .flat_map(|rest| {
            rest.split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[test]
fn forged_batches_are_rejected_and_deleted_batches_repaired() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "test", "newest");
    let b = Pim::mail_profile(server, "test", "newest");
    a.ok(&["add", "contact", "--name", "Original Person"]);
    let key = a.init(&[]);
    b.ok(&["sync", "join", "--key", &key]);

    // A's real next batch goes up; then a forgery of it: the very same headers
    // (Message-ID included), damaged ciphertext.
    a.ok(&["add", "contact", "--name", "Second Person"]);
    a.ok(&["sync"]);
    let real = server.messages("test", "PIM/Changes");
    let text = String::from_utf8(real.last().unwrap().clone()).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let body = body.replacen('A', "B", 3);
    server.append(
        "test",
        "PIM/Changes",
        format!("{head}\r\n\r\n{body}").as_bytes(),
    );
    let o = b.run(&["sync", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(report["rejected"].as_u64().unwrap() >= 1, "{report}");
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("failed authentication"),
        "rejections are reported"
    );
    let mut names = b.contact_names();
    names.sort();
    assert_eq!(names, vec!["Original Person", "Second Person"]);
    // Rebuilding B from the server fetches the batches again: the forgery must
    // not hide the real batch it copied.
    b.ok(&["sync", "--mode", "replace-local"]);
    let mut names = b.contact_names();
    names.sort();
    assert_eq!(names, vec!["Original Person", "Second Person"]);

    // Delete A's next batch from the server by hand before B sees it.
    let before = server_uids(server, "test", "PIM/Changes");
    a.ok(&["add", "contact", "--name", "Gap Person"]);
    a.ok(&["sync"]);
    let after = server_uids(server, "test", "PIM/Changes");
    let new: Vec<u32> = after
        .iter()
        .filter(|u| !before.contains(u))
        .copied()
        .collect();
    assert!(!new.is_empty(), "A uploaded a batch");
    let mut imap = support::mailserver::RawImap::login(server, "test");
    imap.command("SELECT \"PIM/Changes\"", false);
    let set: Vec<String> = new.iter().map(u32::to_string).collect();
    imap.command(
        &format!("UID STORE {} +FLAGS (\\Deleted)", set.join(",")),
        false,
    );
    imap.command("EXPUNGE", false);
    imap.command("LOGOUT", false);

    a.ok(&["add", "contact", "--name", "After Gap"]);
    let mut repaired = false;
    for _ in 0..4 {
        a.ok(&["sync"]);
        b.ok(&["sync"]);
        let names = b.contact_names();
        if names.iter().any(|n| n == "Gap Person") && names.iter().any(|n| n == "After Gap") {
            repaired = true;
            break;
        }
    }
    assert!(
        repaired,
        "B never got the deleted batch back: {:?}",
        b.contact_names()
    );
}

#[test]
fn passphrase_init_and_join_read_stdin() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "carol", "newest");
    let q = Pim::mail_profile(server, "carol", "newest");
    // carol's folders are used by the watch test: sync under another root.
    for x in [&p, &q] {
        x.ok(&["account", "set", "mail", "--folder-root", "PhraseRoot"]);
    }
    p.ok(&["add", "contact", "--name", "Phrase Person"]);
    let o = p.run_stdin(&["sync", "init", "--passphrase"], b"short\n");
    assert_eq!(o.status.code(), Some(2), "short passphrases are refused");
    let o = p.run_stdin(
        &["sync", "init", "--passphrase"],
        b"correct horse battery staple\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = q.run_stdin(&["sync", "join"], b"wrong horse battery staple\n");
    assert_eq!(o.status.code(), Some(2));
    let o = q.run_stdin(&["sync", "join"], b"correct horse battery staple\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(q.contact_names(), vec!["Phrase Person"]);
}

/// Issue 13, item 3: the folder tree is deleted on the server. The next
/// sync says so and republishes every record the device holds, so a device that
/// joins afterwards gets the other device's records and later edits of them.
#[test]
fn a_deleted_folder_tree_is_rebuilt_for_later_joiners() {
    let server = MailServer::shared();
    // A folder root of its own: the other tests on this user keep theirs.
    let profile = || {
        let p = Pim::mail_profile(server, "test", "newest");
        p.ok(&["account", "set", "mail", "--folder-root", "LostTree"]);
        p
    };
    let x = profile();
    let y = profile();
    x.ok(&["add", "contact", "--name", "Lost Tree X"]);
    let key = x.init(&[]);
    y.ok(&["sync", "join", "--key", &key]);
    let from_y = y.ok(&["add", "contact", "--name", "Lost Tree Y"]);
    let from_y = from_y.trim();
    y.ok(&["sync"]);
    x.ok(&["sync"]);

    let mut imap = support::mailserver::RawImap::login(server, "test");
    for folder in [
        "LostTree/Changes",
        "LostTree/Devices",
        "LostTree/Snapshots",
        "LostTree",
    ] {
        imap.command(&format!("DELETE \"{folder}\""), true);
    }
    imap.command("LOGOUT", false);

    let said = x.ok(&["sync"]);
    assert!(
        said.contains("sync folders lost on the server") && said.contains("republished all"),
        "{said}"
    );
    let w = profile();
    w.ok(&["sync", "join", "--key", &key]);
    let mut names = w.contact_names();
    names.sort();
    assert!(
        names.contains(&"Lost Tree X".to_string()) && names.contains(&"Lost Tree Y".to_string()),
        "{names:?}"
    );
    x.ok(&["edit", from_y, "--set", "full_name=Lost Tree Y Edited"]);
    x.ok(&["sync"]);
    w.ok(&["sync"]);
    assert_eq!(w.full_name(from_y), "Lost Tree Y Edited");

    // Y notices too (its folders are new to it): `--json` says so.
    let report = y.json(&["sync", "--json"]);
    assert!(report["lost_folders"].is_string(), "{report}");
    assert!(report["republished"].as_u64().unwrap() >= 2, "{report}");
}
