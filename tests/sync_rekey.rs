//! Issue 20 through a real Dovecot: `pim sync rekey` locks a forgotten device
//! out, a junk snapshot part cannot keep a new device from bootstrapping, and a
//! key holder cannot write as another device.

mod support;

use support::mailserver::MailServer;
use support::pim::Pim;

/// A profile of `user` syncing under its own folder root.
fn profile(server: &MailServer, user: &str, root: &str) -> Pim {
    let p = Pim::mail_profile(server, user, "newest");
    p.ok(&["account", "set", "mail", "--folder-root", root]);
    p
}

#[test]
fn rekey_after_forgetting_a_device_locks_it_out() {
    let server = MailServer::shared();
    let a = profile(server, "alice", "Rekey");
    let b = profile(server, "alice", "Rekey");
    let c = profile(server, "alice", "Rekey");
    a.ok(&["add", "contact", "--name", "Before Rekey"]);
    let key = a.init(&["--device-name", "laptop"]);
    b.ok(&["sync", "join", "--key", &key, "--device-name", "desk"]);
    c.ok(&["sync", "join", "--key", &key, "--device-name", "lost-phone"]);
    a.ok(&["sync"]);
    assert_eq!(c.contact_names(), vec!["Before Rekey"]);

    let out = a.ok(&["devices", "forget", "lost-phone"]);
    assert!(
        out.contains("pim sync rekey"),
        "forget offers the rekey: {out}"
    );
    // B edits before it hears of the rekey: the edit waits in its outbox.
    b.ok(&["add", "contact", "--name", "Unsent On B"]);
    let out = a.ok(&["sync", "rekey"]);
    let new_key = out.trim_end().lines().last().unwrap().to_string();
    assert!(new_key.starts_with("PIM1-") && new_key != key, "{out}");

    // A device with the old key is told why.
    let why = b.fails(&["sync"]);
    assert!(why.contains("sync key was replaced"), "{why}");
    b.ok(&["sync", "join", "--key", &new_key]);
    a.ok(&["add", "contact", "--name", "After Rekey"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let mut names = b.contact_names();
    names.sort();
    assert_eq!(names, vec!["After Rekey", "Before Rekey", "Unsent On B"]);
    a.ok(&["sync"]);
    assert!(a.contact_names().contains(&"Unsent On B".to_string()));

    // The forgotten device reads nothing new and says why.
    let why = c.fails(&["sync"]);
    assert!(why.contains("join again with the new key"), "{why}");
    assert_eq!(c.contact_names(), vec!["Before Rekey"]);
}

/// The headers of the first message in `user`'s maildir whose text has `needle`.
fn stored_headers(server: &MailServer, user: &str, needle: &str) -> String {
    fn walk(dir: &std::path::Path, needle: &str) -> Option<String> {
        for e in std::fs::read_dir(dir).ok()?.flatten() {
            let p = e.path();
            let found = if p.is_dir() {
                walk(&p, needle)
            } else {
                std::fs::read(&p)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).to_string())
                    .filter(|t| t.contains(needle))
            };
            if found.is_some() {
                return found;
            }
        }
        None
    }
    let text = walk(&server.workdir.join("mail").join(user), needle).expect("message stored");
    let end = text.find("\r\n\r\n").or(text.find("\n\n")).unwrap();
    text[..end].replace("\r\n", "\n")
}

#[test]
fn a_junk_snapshot_part_does_not_stop_a_new_device() {
    let server = MailServer::shared();
    let x = profile(server, "bob", "Poison");
    let y = profile(server, "bob", "Poison");
    x.ok(&["add", "contact", "--name", "Only In The Snapshot"]);
    let key = x.init(&[]);
    // The server holds a snapshot and no batches.
    x.ok(&["sync", "--mode", "replace-remote"]);
    x.ok(&["sync"]);
    assert_eq!(server.count("bob", "Poison/Changes"), 0);
    let headers = stored_headers(server, "bob", "X-Pim-Kind: snapshot");
    let junk = format!("{headers}\n\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")
        .replace('\n', "\r\n");
    server.append("bob", "Poison/Snapshots", junk.as_bytes());
    assert_eq!(server.count("bob", "Poison/Snapshots"), 2);
    y.ok(&["sync", "join", "--key", &key]);
    assert_eq!(y.contact_names(), vec!["Only In The Snapshot"]);
}

#[test]
fn a_key_holder_writing_as_another_device_is_refused_and_named() {
    let server = MailServer::shared();
    let a = profile(server, "carol", "Signed");
    let b = profile(server, "carol", "Signed");
    a.ok(&["add", "contact", "--name", "From The Laptop"]);
    let key = a.init(&["--device-name", "laptop"]);
    b.ok(&["sync", "join", "--key", &key, "--device-name", "desk"]);
    forge_laptop_announcement(server, &b, &key, "Signed");
    let out = b.ok(&["sync"]);
    assert!(
        out.contains("refused messages signed with another key than their device's: laptop"),
        "{out}"
    );
    let names = b.json(&["devices", "list", "--json"]).to_string();
    assert!(
        names.contains("laptop") && !names.contains("renamed"),
        "{names}"
    );
    a.ok(&["add", "contact", "--name", "Still From The Laptop"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert_eq!(b.contact_names().len(), 2);
}

#[test]
fn passphrases_are_judged_by_entropy_not_length() {
    let server = MailServer::shared();
    let p = profile(server, "carol", "Entropy");
    for weak in ["Password1234567890\n", "aaaaaaaaaaaaaaaaaaaaaaaa\n"] {
        let o = p.run_stdin(&["sync", "init", "--passphrase"], weak.as_bytes());
        assert_eq!(o.status.code(), Some(2), "{weak}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("too easy to guess"), "{err}");
        assert!(err.contains("generate a key"), "{err}");
    }
    let o = p.run_stdin(
        &["sync", "init", "--passphrase"],
        b"vivid otter quarry mantle\n",
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// What a running `pim sync --watch` of `p` writes to stdout and stderr until
/// `pattern` appears in `which` (or 20 s pass); the watcher is stopped either way.
fn watch_until(p: &Pim, which: &str, pattern: &str) -> (bool, String) {
    use std::io::Read;
    use std::sync::{Arc, Mutex};
    let mut child = p
        .command(&["sync", "--watch"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let seen = Arc::new(Mutex::new(String::new()));
    let readers: Vec<_> = [
        (
            "stdout",
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
        ),
        ("stderr", Box::new(child.stderr.take().unwrap())),
    ]
    .into_iter()
    .map(|(name, mut stream)| {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stream.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]);
                seen.lock().unwrap().push_str(&format!("[{name}] {text}"));
            }
        })
    })
    .collect();
    let start = std::time::Instant::now();
    let wanted = format!("[{which}] ");
    let found = loop {
        let text = seen.lock().unwrap().clone();
        if text
            .split(&wanted)
            .skip(1)
            .any(|part| part.split("\n[").next().unwrap_or("").contains(pattern))
        {
            break true;
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let _ = child.kill();
    let _ = child.wait();
    for r in readers {
        let _ = r.join();
    }
    let text = seen.lock().unwrap().clone();
    (found, text)
}

/// Someone with the sync `key` (and a signing key of their own) announces the
/// device named "laptop" (as `observer` lists it) as renamed, in carol's `root`.
fn forge_laptop_announcement(server: &MailServer, observer: &Pim, key: &str, root: &str) {
    use pim::sync::batch::{DevicePayload, seal_device};
    use pim::sync::crypto::SyncKey;
    use pim::sync::signing::DeviceSigner;
    let laptop = observer
        .json(&["devices", "list", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "laptop")
        .and_then(|d| d["id"].as_str())
        .expect("laptop listed")
        .to_string();
    let forged = DevicePayload {
        device: laptop,
        name: "renamed".into(),
        vector: Default::default(),
        last_seen: "2999-01-01T00:00:00.000Z".into(),
        snapshot: None,
        signs_from: Some(1),
    };
    let sync_key = SyncKey::parse_human(key).unwrap();
    let signer = DeviceSigner::generate(1);
    let (_, raw) = seal_device(&sync_key, Some(&signer), &forged, 0, 1, None);
    server.append("carol", &format!("{root}/Devices"), &raw);
}

#[test]
fn a_watching_device_says_a_refused_key_in_a_quiet_round_and_again_when_it_restarts() {
    let server = MailServer::shared();
    let a = profile(server, "carol", "Watched");
    let b = profile(server, "carol", "Watched");
    let key = a.init(&["--device-name", "laptop"]);
    b.ok(&["sync", "join", "--key", &key, "--device-name", "desk"]);
    forge_laptop_announcement(server, &b, &key, "Watched");
    // The round that meets it changes nothing else: it is said all the same.
    let (found, out) = watch_until(&b, "stdout", "refused messages signed with another key");
    assert!(found, "the watcher did not say the refusal: {out}");
    // A watcher started later says the remembered refusal as it starts.
    let (found, out) = watch_until(
        &b,
        "stderr",
        "earlier refused messages signed with another key",
    );
    assert!(found, "the reminder was not said at the start: {out}");
}
