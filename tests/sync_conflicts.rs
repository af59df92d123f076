//! Conflicts across two `--home` profiles with policy `ask`, through the
//! harness's real Dovecot: queued, listed, shown, resolved, synced, gone.

mod support;

use serde_json::Value;
use support::mailserver::MailServer;
use support::pim::Pim;

/// Two paired profiles holding one contact, each having renamed it differently and
/// synced, so both queue a conflict on its full name. Returns (a, b, id).
pub fn conflicting_pair(user: &str) -> (Pim, Pim, String) {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, user, "ask");
    let b = Pim::mail_profile(server, user, "ask");
    let id = a
        .ok(&["add", "contact", "--name", "Quentin Original"])
        .trim()
        .to_string();
    a.pair(&b);
    assert_eq!(b.full_name(&id), "Quentin Original");
    a.ok(&["edit", &id, "--set", "full_name=Quentin Mine"]);
    b.ok(&["edit", &id, "--set", "full_name=Quentin Theirs"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    (a, b, id)
}

fn open(p: &Pim) -> Vec<Value> {
    p.json(&["conflicts", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn a_conflict_is_queued_shown_resolved_and_synced() {
    let (a, b, id) = conflicting_pair("alice");
    let list = open(&a);
    assert_eq!(list.len(), 1, "{list:?}");
    let c = &list[0];
    assert_eq!(c["record_id"], id.as_str());
    assert_eq!(c["kind"], "conflict");
    assert_eq!(c["field"], "FN");
    assert_eq!(c["base"], "Quentin Original");
    assert_eq!(c["mine"]["value"], "Quentin Mine");
    assert_eq!(c["theirs"]["value"], "Quentin Theirs");
    assert_eq!(c["theirs"]["device_name"], "desktop");
    assert_eq!(c["mine"]["device_name"], "laptop");
    // Only the device whose own edit would lose under newest-wins asks; the other
    // keeps its newer value (and records the older one in history).
    assert!(open(&b).is_empty());
    assert_eq!(b.full_name(&id), "Quentin Theirs");
    assert_eq!(a.full_name(&id), "Quentin Mine", "mine stays until decided");

    let cid = c["id"].as_i64().unwrap().to_string();
    let shown = a.ok(&["conflicts", "show", &cid]);
    assert!(
        shown.contains("Quentin Mine") && shown.contains("desktop"),
        "{shown}"
    );

    a.ok(&["conflicts", "resolve", &cid, "--take", "theirs"]);
    assert!(open(&a).is_empty());
    assert_eq!(a.full_name(&id), "Quentin Theirs");
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(a.full_name(&id), "Quentin Theirs");
    assert_eq!(b.full_name(&id), "Quentin Theirs");
    assert!(open(&a).is_empty(), "{:?}", open(&a));
    assert!(open(&b).is_empty(), "{:?}", open(&b));

    // History keeps the value that lost.
    let h = a.json(&["history", &id, "--json"]);
    let lost: Vec<&Value> = h
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "lost")
        .collect();
    assert!(
        lost.iter().any(|e| e["fields"][0]["new"] == "Quentin Mine"),
        "{h}"
    );
}

#[test]
fn bad_conflict_ids_and_choices_fail_with_exit_2() {
    let server = MailServer::shared();
    let p = Pim::mail_profile(server, "bob", "ask");
    for args in [
        vec!["conflicts", "show", "42"],
        vec!["conflicts", "resolve", "42", "--take", "mine"],
        vec!["conflicts", "resolve", "1", "--take", "sideways"],
        vec!["conflicts", "show", "abc"],
        vec!["history", "no-such-record"],
    ] {
        let o = p.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
    }
    assert_eq!(
        p.json(&["conflicts", "list", "--json"]),
        Value::Array(vec![])
    );
}

/// A server whose hierarchy separator is `.` (Dovecot's maildir++ style): pim's
/// `PIM/Changes` lives in `PIM.Changes` there, and sync works as usual.
#[test]
fn folders_follow_the_servers_hierarchy_separator() {
    let server = MailServer::start_with_separator(&[("erin", "pw-erin")], ".");
    let a = Pim::mail_profile(&server, "erin", "ask");
    let b = Pim::mail_profile(&server, "erin", "ask");
    let id = a
        .ok(&["add", "contact", "--name", "Dot Separated"])
        .trim()
        .to_string();
    a.pair(&b);
    assert_eq!(b.full_name(&id), "Dot Separated");
    assert!(server.count("erin", "PIM.Changes") > 0);
    assert!(server.count("erin", "PIM.Devices") > 0);
    let mut imap = support::mailserver::RawImap::login(&server, "erin");
    let listing = imap.command("LIST \"\" \"*\"", false).join("\n");
    assert!(
        listing.contains("\"PIM.Changes\"") || listing.contains(" PIM.Changes"),
        "{listing}"
    );
    assert!(!listing.contains("PIM/"), "{listing}");
}

/// On a terminal `pim sync` draws a progress line on stderr; piped, it prints none.
#[test]
fn progress_shows_on_a_terminal_only() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "carol", "newest");
    let b = Pim::mail_profile(server, "carol", "newest");
    a.pair(&b);
    for i in 0..30 {
        a.ok(&["add", "contact", "--name", &format!("Progress Person {i}")]);
    }
    let piped = a.run(&["sync"]);
    assert!(piped.status.success());
    assert!(
        piped.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&piped.stderr)
    );

    // `script` gives pim a terminal; its transcript holds what pim drew.
    let o = std::process::Command::new("script")
        .args(["-qec", &b.shell_line(&["sync"]), "/dev/null"])
        .output()
        .unwrap();
    assert!(o.status.success());
    let shown = String::from_utf8_lossy(&o.stdout);
    assert!(shown.contains("pim: sync downloading"), "{shown}");
    assert!(
        shown.contains("30/30 messages") || shown.contains("applying"),
        "{shown}"
    );
    assert!(shown.contains("applied 30"), "{shown}");
}

/// Taking "mine" writes a new change that travels to the other device.
#[test]
fn taking_mine_is_a_change_that_syncs() {
    let (a, b, id) = conflicting_pair("test");
    let cid = open(&a)[0]["id"].as_i64().unwrap().to_string();
    a.ok(&["conflicts", "resolve", &cid, "--take", "mine"]);
    let r = a.json(&["sync", "--json"]);
    assert_eq!(r["uploaded"], 1, "{r}");
    b.ok(&["sync"]);
    assert_eq!(a.full_name(&id), "Quentin Mine");
    assert_eq!(b.full_name(&id), "Quentin Mine");
    assert!(open(&a).is_empty() && open(&b).is_empty());
}
