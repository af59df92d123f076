//! `pim sync --collection` between two `--home` profiles through the harness's
//! real Dovecot: only the chosen collection travels; the rest waits (own changes
//! in the outbox, received ones held) and follows with the next full sync.

mod support;

use support::mailserver::MailServer;
use support::pim::Pim;

fn add(p: &Pim, name: &str, collection: &str) -> String {
    p.ok(&["add", "contact", "--name", name, "--collection", collection])
        .trim()
        .to_string()
}

fn exists(p: &Pim, id: &str) -> bool {
    p.run(&["show", id, "--json"]).status.success()
}

#[test]
fn a_sync_limited_to_one_collection_through_dovecot() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "alice", "newest");
    let b = Pim::mail_profile(server, "alice", "newest");
    a.ok(&["collections", "add", "contacts", "work"]);
    a.pair(&b);

    let home = add(&a, "Ada at home", "contacts");
    let work = add(&a, "Grace at work", "work");
    let r = a.json(&["sync", "--collection", "work", "--json"]);
    assert_eq!(r["uploaded"], 1, "{r}");
    assert_eq!(r["queued"], 1, "{r}");
    let human = b.ok(&["sync"]);
    assert!(
        human.starts_with("uploaded 0, downloaded 1, applied 1"),
        "{human}"
    );
    assert_eq!(b.full_name(&work), "Grace at work");
    assert!(!exists(&b, &home), "the home contact waits on a");
    let r = a.json(&["sync", "--json"]);
    assert_eq!(
        (r["uploaded"].as_u64(), r["queued"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    b.ok(&["sync"]);
    assert_eq!(b.full_name(&home), "Ada at home");

    // Received changes outside the scope are held until their collection syncs.
    a.ok(&["edit", &home, "--set", "full_name=Ada Lovelace"]);
    a.ok(&["edit", &work, "--set", "full_name=Grace Hopper"]);
    a.ok(&["sync"]);
    let r = b.json(&["sync", "--collection", "work", "--json"]);
    assert_eq!(
        (r["applied"].as_u64(), r["held"].as_u64()),
        (Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(b.full_name(&work), "Grace Hopper");
    assert_eq!(b.full_name(&home), "Ada at home");
    let human = b.ok(&["sync", "--collection", "work"]);
    assert!(
        human.contains("1 received change(s) not applied"),
        "{human}"
    );
    let r = b.json(&["sync", "--collection", "contacts", "--json"]);
    assert_eq!(
        (r["applied"].as_u64(), r["held"].as_u64()),
        (Some(1), Some(0)),
        "{r}"
    );
    assert_eq!(b.full_name(&home), "Ada Lovelace");

    // A scoped dry run plans only the collection's changes and sends nothing.
    a.ok(&["edit", &home, "--set", "note=later"]);
    a.ok(&["edit", &work, "--set", "note=now"]);
    let r = a.json(&["sync", "--collection", "work", "--dry-run", "--json"]);
    let up = &r["plan"]["upload"];
    assert_eq!(
        up["to"].as_u64().unwrap() - up["from"].as_u64().unwrap(),
        0,
        "{r}"
    );
    assert_eq!(r["uploaded"], 0, "{r}");
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let note = |p: &Pim, id: &str| p.json(&["show", id, "--json"])["note"].clone();
    assert_eq!(note(&b, &home), "later");
    assert_eq!(note(&b, &work), "now");
}

#[test]
fn bad_collection_arguments_fail_clearly_and_change_nothing() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "bob", "newest");
    let b = Pim::mail_profile(server, "bob", "newest");
    a.ok(&["collections", "add", "contacts", "private"]);
    a.ok(&["collections", "set", "contacts", "private", "--sync", "off"]);
    a.pair(&b);
    let id = add(&a, "Queued", "contacts");
    for (args, says) in [
        (vec!["sync", "--collection", "nope"], "no such collection"),
        (vec!["sync", "--collection", "private"], "kept off sync"),
        (
            vec![
                "sync",
                "--collection",
                "contacts",
                "--mode",
                "replace-remote",
            ],
            "--collection works with",
        ),
    ] {
        let o = a.run(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "{args:?} succeeded");
        assert!(err.contains(says), "{args:?}: {err}");
    }
    b.ok(&["sync"]);
    assert!(!exists(&b, &id), "nothing was sent by the failed runs");
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert_eq!(b.full_name(&id), "Queued");
}

#[test]
fn sync_off_then_on_again_loses_nothing_through_dovecot() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "carol", "newest");
    let b = Pim::mail_profile(server, "carol", "newest");
    a.ok(&["collections", "add", "contacts", "work"]);
    let shared = add(&a, "Shared", "work");
    a.pair(&b);
    assert_eq!(b.full_name(&shared), "Shared");
    b.ok(&["collections", "set", "contacts", "work", "--sync", "off"]);
    a.ok(&["edit", &shared, "--set", "full_name=Renamed on a"]);
    let from_a = add(&a, "New on a", "work");
    a.ok(&["sync"]);
    let from_b = add(&b, "New on b", "work");
    let r = b.json(&["sync", "--json"]);
    assert_eq!(
        (r["uploaded"].as_u64(), r["held"].as_u64()),
        (Some(0), Some(2)),
        "{r}"
    );
    assert_eq!(b.full_name(&shared), "Shared");
    a.ok(&["sync"]);
    assert!(!exists(&a, &from_b), "kept on b while off");

    b.ok(&["collections", "set", "contacts", "work", "--sync", "on"]);
    let r = b.json(&["sync", "--json"]);
    assert_eq!(r["held"], 0, "{r}");
    assert_eq!(b.full_name(&shared), "Renamed on a");
    assert_eq!(b.full_name(&from_a), "New on a");
    a.ok(&["sync"]);
    assert_eq!(a.full_name(&from_b), "New on b");
}

#[test]
fn watch_limited_to_one_collection_applies_only_it() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "dave", "newest");
    let b = Pim::mail_profile(server, "dave", "newest");
    a.ok(&["collections", "add", "contacts", "work"]);
    a.pair(&b);
    let mut watcher = b
        .command(&["sync", "--watch", "--collection", "work"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let home = add(&a, "Home while watching", "contacts");
    let work = add(&a, "Work while watching", "work");
    a.ok(&["sync"]);
    let start = std::time::Instant::now();
    while start.elapsed() < std::time::Duration::from_secs(15) && !exists(&b, &work) {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = watcher.kill();
    let _ = watcher.wait();
    assert!(exists(&b, &work), "the work contact did not arrive");
    assert!(
        !exists(&b, &home),
        "the home contact waits outside the scope"
    );
    b.ok(&["sync"]);
    assert_eq!(b.full_name(&home), "Home while watching");
}
