//! Several `pim` processes on one profile at once (issue 13, item 4): writers queue
//! on the write lock instead of failing with "database is locked", and a brand-new
//! profile opened by several processes at once is set up exactly once.

mod support;

use std::collections::HashSet;
use std::path::Path;
use std::process::{Command, Output};
use std::thread;

use serde_json::Value;
use support::mailserver::MailServer;
use support::pim::Pim;

fn pim(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pim"))
        .args(args)
        .env("PIM_HOME", home)
        .env("TZ", "Europe/Berlin")
        .output()
        .unwrap()
}

fn failure(args: &[&str], o: &Output) -> Option<String> {
    (!o.status.success()).then(|| {
        format!(
            "pim {args:?} failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )
    })
}

/// Every change record this profile wrote, through `pim log --json`.
fn log(home: &Path) -> Vec<Value> {
    let o = pim(home, &["log", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice::<Value>(&o.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

/// Run `per_process` in `processes` threads at once; the failures, if any.
fn at_once(processes: usize, per_process: impl Fn(usize) -> Vec<String> + Sync) -> Vec<String> {
    thread::scope(|s| {
        let handles: Vec<_> = (0..processes)
            .map(|p| {
                let f = &per_process;
                s.spawn(move || f(p))
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    })
}

#[test]
fn concurrent_adds_all_succeed_with_gapless_seq() {
    const PROCESSES: usize = 4;
    const ADDS: usize = 15;
    let home = tempfile::tempdir().unwrap();
    // The profile exists before the race: this test is about the write path.
    assert!(pim(home.path(), &["log"]).status.success());
    let failures = at_once(PROCESSES, |p| {
        (0..ADDS)
            .filter_map(|i| {
                let name = format!("P{p} #{i}");
                let args = ["add", "contact", "--name", name.as_str()];
                failure(&args, &pim(home.path(), &args))
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );

    let changes = log(home.path());
    let creates = changes
        .iter()
        .filter(|c| c["kind"] == "contact" && c["op"]["type"] == "create")
        .count();
    assert_eq!(creates, PROCESSES * ADDS, "one create per add");
    let mut seqs: Vec<u64> = changes.iter().map(|c| c["seq"].as_u64().unwrap()).collect();
    seqs.sort_unstable();
    let expected: Vec<u64> = (1..=seqs.len() as u64).collect();
    assert_eq!(seqs, expected, "seq is gapless and never reused");
    let stamps: HashSet<&str> = changes.iter().map(|c| c["hlc"].as_str().unwrap()).collect();
    assert_eq!(
        stamps.len(),
        changes.len(),
        "every change has its own clock stamp"
    );
}

#[test]
fn six_first_openers_of_a_new_profile_all_succeed() {
    let home = tempfile::tempdir().unwrap();
    let failures = at_once(6, |p| {
        let name = format!("First {p}");
        let args = ["add", "contact", "--name", name.as_str()];
        failure(&args, &pim(home.path(), &args))
            .into_iter()
            .collect()
    });
    assert!(failures.is_empty(), "{failures:#?}");

    let o = pim(home.path(), &["collections", "list", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let collections: Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = collections
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    let mut unique = names.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        names.len(),
        "no default collection made twice"
    );
    assert_eq!(names.len(), 4, "one default collection per kind: {names:?}");
    let devices: HashSet<String> = log(home.path())
        .iter()
        .map(|c| c["device"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(devices.len(), 1, "one device id for the profile");
}

/// `pim sync` rounds against the harness's Dovecot while two processes add
/// contacts: neither the syncs nor the adds fail, and every add reaches the server.
#[test]
fn syncs_and_adds_run_at_once() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "test", "newest");
    p.ok(&["sync", "init", "--device-name", "busy"]);
    let home = p.home();
    let failures = at_once(3, |worker| {
        (0..8)
            .filter_map(|i| {
                let name = format!("W{worker} #{i}");
                let args: Vec<&str> = if worker == 0 {
                    vec!["sync"]
                } else {
                    vec!["add", "contact", "--name", name.as_str()]
                };
                failure(&args, &pim(home, &args))
            })
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} failed: {failures:#?}",
        failures.len()
    );
    p.ok(&["sync"]);
    let o = pim(home, &["sync", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let unsent = log(home).iter().filter(|c| c["submitted_at"] == "").count();
    assert_eq!(unsent, 0, "every change was uploaded");
}

/// Two `pim sync` of one profile at once (cron and a terminal, or the TUI): one
/// waits for the other, so every change goes up once, not once per process.
#[test]
fn two_syncs_of_one_profile_take_turns() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "test", "newest");
    // Folders of its own: the other tests of this binary sync as the same user.
    p.ok(&["account", "set", "mail", "--folder-root", "Turns"]);
    p.ok(&["sync", "init", "--device-name", "twice"]);
    for i in 0..30 {
        p.ok(&["add", "contact", "--name", &format!("Turn {i}")]);
    }
    let home = p.home();
    let reports: Vec<Output> = std::thread::scope(|s| {
        let runs: Vec<_> = (0..2)
            .map(|_| s.spawn(|| pim(home, &["sync", "--json"])))
            .collect();
        runs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut uploaded = 0;
    for o in &reports {
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: Value = serde_json::from_slice(&o.stdout).unwrap();
        uploaded += v["uploaded"].as_u64().unwrap();
    }
    assert_eq!(uploaded, 30, "each change went up once");
}
