//! `pim sync` between `--home` profiles through a real Dovecot (the project's
//! harness): init/join, a contact travelling, devices, and what the provider sees.

mod support;

use std::process::{Command, Output};

use serde_json::Value;
use support::mailserver::MailServer;

struct Profile {
    home: tempfile::TempDir,
}

impl Profile {
    fn new(server: &MailServer, user: &str) -> Profile {
        let p = Profile {
            home: tempfile::tempdir().unwrap(),
        };
        let imap = format!("127.0.0.1:{}", server.imaps_port);
        let smtp = format!("127.0.0.1:{}", server.smtps_port);
        let pw = format!("echo {}", server.password(user));
        let ca = server.ca_file.display().to_string();
        p.ok(&[
            "account",
            "add",
            "mail",
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--user",
            user,
            "--email",
            &format!("{user}@example.test"),
            "--password-command",
            &pw,
            "--ca-file",
            &ca,
            "--conflict-policy",
            "newest",
        ]);
        p
    }
    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pim"))
            .args(args)
            .env("PIM_HOME", self.home.path())
            .env("TZ", "UTC")
            .output()
            .unwrap()
    }
    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "pim {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }
    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }
    fn contact_names(&self) -> Vec<String> {
        self.json(&["list", "contacts", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["full_name"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

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
    let a = Profile::new(server, "alice");
    let b = Profile::new(server, "alice");

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
    let a = Profile::new(&server, "frank");
    let key = a
        .ok(&["sync", "init"])
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .to_string();
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
    let a = Profile::new(server, "carol");
    let b = Profile::new(server, "carol");
    let key = a
        .ok(&["sync", "init"])
        .trim_end()
        .lines()
        .last()
        .unwrap()
        .to_string();
    b.ok(&["sync", "join", "--key", &key]);

    let spawn = |p: &Profile| {
        Command::new(env!("CARGO_BIN_EXE_pim"))
            .args(["sync", "--watch"])
            .env("PIM_HOME", p.home.path())
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
