//! End-to-end: drive the real `pim` binary in tmux — create a contact and an event
//! through the keys, quit, and check both with `pim list --json`.
//! Fails (never skips) when tmux is missing: the CI installs it.

use crate::support::pim::Pim;
use crate::support::tmux::Tmux;

#[test]
fn create_contact_and_event_through_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    let pim = Pim::at(&dir.path().join("profile"));
    let tmux = Tmux::new("pim");
    let cmd = format!("env NO_COLOR=1 TERM=xterm-256color {}", pim.shell_line(&[]));
    tmux.start(&cmd);

    // First run: decline the demo data.
    tmux.wait_for("Welcome to pim");
    tmux.keys(&["n"]);
    tmux.wait_for("empty database");

    // A contact: Contacts tab, add, name, skip Organization, email, save.
    tmux.keys(&["2", "a"]);
    tmux.wait_for("New contact");
    tmux.text("Ada Lovelace");
    tmux.keys(&["Tab", "Tab"]);
    tmux.text("ada@example.org (work)");
    tmux.keys(&["Enter"]);
    tmux.wait_for("created contact");

    // An event the day after tomorrow at 10:00.
    let day = (chrono::Utc::now() + chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    tmux.keys(&["1", "a"]);
    tmux.wait_for("New event");
    tmux.text("Analytical Engine review");
    tmux.keys(&["Tab", "C-u"]);
    tmux.text(&format!("{day} 10:00"));
    tmux.keys(&["Enter"]);
    tmux.wait_for("created event");

    tmux.keys(&["q"]);
    tmux.wait_exit();

    let contacts = pim.json_list(&["list", "contacts", "--json"]);
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let c = contacts[0].to_string();
    assert!(
        c.contains("Ada Lovelace") && c.contains("ada@example.org"),
        "{c}"
    );
    let events = pim.json_list(&["list", "events", "--json"]);
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["summary"], "Analytical Engine review");
    assert!(
        e["start"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{day}T10:00")),
        "{e}"
    );
}

#[allow(clippy::disallowed_types)] // damages the file from outside, as another program would
fn damage(pim: &Pim, statements: &str) {
    let db = rusqlite::Connection::open(pim.path("pim.sqlite3")).unwrap();
    db.execute_batch(statements).unwrap();
}

/// Rows the readers skip (a body that does not read, a kind pim does not know) are
/// told of in the status line with how to remove them, not hidden without a word.
#[test]
fn rows_the_readers_skip_are_told_in_the_status_line() {
    let dir = tempfile::tempdir().unwrap();
    let pim = Pim::at(&dir.path().join("profile"));
    let broken = pim.ok(&["add", "contact", "--name", "Ada Lovelace"]);
    let kindless = pim.ok(&["add", "contact", "--name", "Cy Kindless"]);
    pim.ok(&["add", "contact", "--name", "Bea Bell"]);
    let (broken, kindless) = (broken.trim(), kindless.trim());
    damage(
        &pim,
        &format!(
            "UPDATE records SET data = '{{not json' WHERE id = '{broken}';
             UPDATE records SET kind = 'bogus' WHERE id = '{kindless}';"
        ),
    );
    let tmux = Tmux::new("pim-skipped");
    let cmd = format!("env NO_COLOR=1 TERM=xterm-256color {}", pim.shell_line(&[]));
    tmux.start(&cmd);
    tmux.keys(&["2"]);
    tmux.wait_for("Bea Bell");
    tmux.wait_for("2 records could not be read and are not shown");
    let screen = tmux.screen();
    assert!(
        !screen.contains("Ada Lovelace") && !screen.contains("Cy Kindless"),
        "{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_exit();
}
