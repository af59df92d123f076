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

/// Fill the Sync tab's "Add account" form for `user` of the test server, all
/// but the CA file: the cursor is left there.
fn fill_account_form(tmux: &Tmux, server: &MailServer, user: &str) {
    tmux.keys(&["5"]);
    tmux.wait_for("press a to add a mail account");
    tmux.keys(&["a"]);
    tmux.wait_for("Add account");
    // The cursor starts in Email; the servers and the user follow it.
    tmux.text(&format!("{user}@example.test"));
    tmux.wait_for("imap.example.test:993");
    for value in [
        format!("127.0.0.1:{}", server.imaps_port),
        format!("127.0.0.1:{}", server.smtps_port),
        user.to_string(),
    ] {
        tmux.keys(&["Tab", "C-u"]);
        tmux.text(&value);
    }
    // Login stays "password"; then the password command; TLS stays implicit.
    tmux.keys(&["Tab", "Tab"]);
    tmux.text(&format!("echo {}", server.password(user)));
    tmux.keys(&["Tab", "Tab"]);
}

/// The CA file, then save: the form checks the connection and offers first
/// device or join.
fn save_with_ca(tmux: &Tmux, server: &MailServer) {
    tmux.text(&server.ca_file.display().to_string());
    tmux.keys(&["Enter"]);
    tmux.wait_for("Is this the first device to sync?");
}

/// The key the first device's dialog shows.
fn shown_key(screen: &str) -> String {
    let at = screen.find("PIM1-").expect("a key on the screen");
    screen[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// From `pim demo` to two devices syncing without leaving the TUI: A adds the
/// account in the Sync tab and starts syncing as the first device; the key it
/// shows is typed into B's join dialog; B then holds A's data and both sync.
#[test]
fn set_up_sync_in_the_tui_from_the_demo_to_two_devices() {
    let server = MailServer::shared();
    let a = Pim::new();
    a.ok(&["demo"]);
    let b = Pim::new();

    let tmux = Tmux::new("pim-setup-a");
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        a.shell_line(&[])
    ));
    fill_account_form(&tmux, server, "alice");
    // Without the test server's CA its certificate is not trusted: said so, and
    // nothing is saved until the check passes.
    tmux.keys(&["Enter"]);
    tmux.wait_for("TLS certificate is not trusted");
    assert!(!a.path("config.toml").exists() || !a.ok(&["account", "list"]).contains("alice"));
    save_with_ca(&tmux, server);
    tmux.keys(&["f"]);
    tmux.wait_for("Enter this key on your other devices");
    let key = shown_key(&tmux.screen());
    assert!(key.len() > 40, "{key}");
    tmux.keys(&["Enter"]);
    // The sync thread starts its session at once.
    tmux.wait_for("State         ready");
    tmux.keys(&["q"]);
    tmux.wait_exit();

    let tmux = Tmux::new("pim-setup-b");
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        b.shell_line(&[])
    ));
    // An empty profile is offered the demo first: no, this one joins.
    tmux.wait_for("This database is empty");
    tmux.keys(&["n"]);
    fill_account_form(&tmux, server, "alice");
    save_with_ca(&tmux, server);
    tmux.keys(&["j"]);
    tmux.wait_for("The sync key (or passphrase)");
    tmux.text(&key);
    tmux.keys(&["Enter"]);
    tmux.wait_for("joined: downloaded");
    tmux.wait_for("State         ready");
    // A sync from B's TUI goes through.
    tmux.keys(&["s"]);
    tmux.wait_for(" synced: ");
    tmux.keys(&["q"]);
    tmux.wait_exit();

    let mut names_a = a.contact_names();
    let mut names_b = b.contact_names();
    names_a.sort();
    names_b.sort();
    assert!(!names_a.is_empty());
    assert_eq!(names_a, names_b, "B holds A's demo contacts");
    // Both sync on: an edit on B reaches A.
    let id = b
        .ok(&["add", "contact", "--name", "Joined Later"])
        .trim()
        .to_string();
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(a.full_name(&id), "Joined Later");
}
