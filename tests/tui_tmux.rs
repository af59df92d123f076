//! End-to-end: drive the real `pim` binary in tmux — create a contact and an event
//! through the keys, quit, and check both with `pim list --json`.
//! Fails (never skips) when tmux is missing: the CI installs it.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    session: &'static str,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("tmux is required for this test (apt-get install tmux)")
    }

    fn screen(&self) -> String {
        let out = self.run(&["capture-pane", "-p", "-t", self.session]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn alive(&self) -> bool {
        self.run(&["has-session", "-t", self.session])
            .status
            .success()
    }

    /// Send keys as tmux key names (`Enter`, `Tab`, `C-u`) or literal text (`-l`).
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    fn text(&self, s: &str) {
        assert!(
            self.run(&["send-keys", "-t", self.session, "-l", s])
                .status
                .success()
        );
    }

    fn wait_for(&self, needle: &str) {
        let start = Instant::now();
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("timed out waiting for {needle:?}; screen:\n{s}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn pim_json(home: &Path, args: &[&str]) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_pim"))
        .arg("--home")
        .arg(home)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pim {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn create_contact_and_event_through_the_keys() {
    let version = Command::new("tmux").arg("-V").output();
    assert!(
        version.is_ok_and(|o| o.status.success()),
        "tmux is required for this test (apt-get install -y tmux)"
    );
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("profile");
    let tmux = Tmux {
        socket: format!("pim-test-{}", std::process::id()),
        session: "pim",
    };
    let cmd = format!(
        "env NO_COLOR=1 TZ=UTC TERM=xterm-256color '{}' --home '{}'",
        env!("CARGO_BIN_EXE_pim"),
        home.display()
    );
    let out = tmux.run(&[
        "new-session",
        "-d",
        "-s",
        tmux.session,
        "-x",
        "100",
        "-y",
        "30",
        &cmd,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

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
    let start = Instant::now();
    while tmux.alive() {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "pim did not quit"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let contacts = pim_json(&home, &["list", "contacts", "--json"]);
    assert_eq!(contacts.len(), 1, "{contacts:?}");
    let c = contacts[0].to_string();
    assert!(
        c.contains("Ada Lovelace") && c.contains("ada@example.org"),
        "{c}"
    );
    let events = pim_json(&home, &["list", "events", "--json"]);
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
