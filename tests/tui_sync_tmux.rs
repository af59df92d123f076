//! End-to-end through real Dovecot and two `--home` profiles with policy `ask`:
//! both rename the same contact and sync; in profile A's TUI (driven through tmux)
//! the user takes "theirs" in the conflict dialog; after syncing both profiles
//! hold that value and `pim conflicts list --json` is empty on both.

mod support;

use serde_json::Value;
use support::mailserver::MailServer;
use support::pim::Pim;
use support::tmux::Tmux;

fn open_conflicts(p: &Pim) -> usize {
    match p.json(&["conflicts", "list", "--json"]) {
        Value::Array(a) => a.len(),
        other => panic!("not an array: {other}"),
    }
}

#[test]
fn take_theirs_in_the_tui_and_both_profiles_converge() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "dave", "ask");
    let b = Pim::mail_profile(server, "dave", "ask");
    let id = a
        .ok(&["add", "contact", "--name", "Quentin Original"])
        .trim()
        .to_string();
    a.pair(&b);
    a.ok(&["edit", &id, "--set", "full_name=Quentin Mine"]);
    b.ok(&["edit", &id, "--set", "full_name=Quentin Theirs"]);
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(open_conflicts(&a), 1, "A (the older edit) asks");

    let tmux = Tmux::new("pim-sync");
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        a.shell_line(&[])
    ));
    tmux.wait_for("Sync (1!)");
    tmux.keys(&["5"]);
    tmux.wait_for("Conflicts (1)");
    tmux.wait_for("State         ready");
    tmux.keys(&["Enter"]);
    tmux.wait_for("Quentin Theirs");
    tmux.wait_for("desktop");
    tmux.keys(&["t"]);
    // Closing the dialog syncs the resolution (taking theirs changes nothing
    // that B lacks, so the round has nothing to upload).
    tmux.wait_for("Conflicts (0)");
    tmux.wait_for("Log ─");
    tmux.wait_for(" synced: ");
    assert!(!tmux.screen().contains("(1!)"), "the badge is gone");
    tmux.keys(&["q"]);
    tmux.wait_exit();

    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(a.full_name(&id), "Quentin Theirs");
    assert_eq!(b.full_name(&id), "Quentin Theirs");
    assert_eq!(open_conflicts(&a), 0);
    assert_eq!(open_conflicts(&b), 0);
}

/// With `watch = true` the open TUI keeps IDLE and shows another device's edit
/// live, on the tab the user is on, with the selection kept.
#[test]
fn watching_tui_applies_other_devices_changes_live() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "carol", "newest");
    let b = Pim::mail_profile(server, "carol", "newest");
    for name in ["Anna Alpha", "Bruno Beta", "Carla Gamma"] {
        a.ok(&["add", "contact", "--name", name]);
    }
    a.pair(&b);
    a.ok(&["account", "set", "mail", "--watch", "true"]);
    let bruno = b
        .json(&["list", "contacts", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["full_name"] == "Bruno Beta")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .unwrap();

    let tmux = Tmux::new("pim-watch");
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        a.shell_line(&[])
    ));
    tmux.keys(&["5"]);
    tmux.wait_for("watching");
    // Contacts tab, third contact selected.
    tmux.keys(&["2", "j", "j"]);
    tmux.wait_for("Carla Gamma");

    b.ok(&["edit", &bruno, "--set", "full_name=Bruno Renamed"]);
    b.ok(&["sync"]);
    tmux.wait_for("Bruno Renamed");
    // Still on Contacts with Carla selected: `e` edits her.
    tmux.keys(&["e"]);
    tmux.wait_for("Edit contact");
    assert!(tmux.screen().contains("Carla Gamma"), "{}", tmux.screen());
    tmux.keys(&["Escape"]);
    let start = std::time::Instant::now();
    while tmux.screen().contains("Edit contact") {
        assert!(start.elapsed().as_secs() < 10, "the form stays open");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

/// The server down: the Sync tab says offline with the next retry; a wrong
/// password: error with the reason.
#[test]
fn offline_and_login_errors_show_in_the_sync_tab() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "bob", "newest");
    let b = Pim::mail_profile(server, "bob", "newest");
    a.ok(&["add", "contact", "--name", "Olga Offline"]);
    a.pair(&b);
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = dead.local_addr().unwrap().port();
    drop(dead);
    a.ok(&[
        "account",
        "set",
        "mail",
        "--imap",
        &format!("127.0.0.1:{port}"),
    ]);

    let tmux = Tmux::new("pim-offline");
    let cmd = format!("env NO_COLOR=1 TERM=xterm-256color {}", a.shell_line(&[]));
    tmux.start(&cmd);
    tmux.keys(&["5"]);
    tmux.wait_for("State         ready");
    tmux.keys(&["s"]);
    tmux.wait_for("offline — next retry");
    tmux.wait_for("cannot reach the mail server");
    tmux.keys(&["q"]);
    tmux.wait_exit();

    a.ok(&[
        "account",
        "set",
        "mail",
        "--imap",
        &format!("127.0.0.1:{}", server.imaps_port),
        "--password-command",
        "echo wrong-password",
    ]);
    let tmux = Tmux::new("pim-autherr");
    tmux.start(&cmd);
    tmux.keys(&["5"]);
    tmux.wait_for("State         ready");
    tmux.keys(&["s"]);
    tmux.wait_for("error — login failed");
    tmux.keys(&["q"]);
    tmux.wait_exit();
}
