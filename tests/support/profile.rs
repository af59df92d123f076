//! A `--home` profile with a mail account on the harness's Dovecot, driven through
//! the `pim` binary: the one wrapper the mail, sync and TUI tests share.

use std::process::{Command, Output};

use serde_json::Value;

use super::mailserver::MailServer;

pub struct Profile {
    pub home: tempfile::TempDir,
}

impl Profile {
    /// A profile syncing through `user`'s mailbox with conflict policy `policy`.
    pub fn new(server: &MailServer, user: &str, policy: &str) -> Profile {
        Profile::via(server, user, policy, server.imaps_port, server.smtps_port)
    }

    /// A profile whose IMAP and SMTP servers are reached on the given ports (e.g. a
    /// fault proxy in front of Dovecot or Postfix).
    pub fn via(
        server: &MailServer,
        user: &str,
        policy: &str,
        imap_port: u16,
        smtp_port: u16,
    ) -> Profile {
        let p = Profile {
            home: tempfile::tempdir().unwrap(),
        };
        let imap = format!("127.0.0.1:{imap_port}");
        let smtp = format!("127.0.0.1:{smtp_port}");
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
            policy,
        ]);
        p
    }

    /// `pim ARGS` on this profile, not started yet (for spawning, stdin, …).
    pub fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_pim"));
        c.args(args).env("PIM_HOME", self.home.path());
        c
    }

    /// Run to the end in UTC; the output, whatever the exit code.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).env("TZ", "UTC").output().unwrap()
    }

    /// Run; fails the test unless pim succeeds. Its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(
            o.status.success(),
            "pim {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        String::from_utf8(o.stdout).unwrap()
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("pim {args:?}: {e}: {out}"))
    }

    /// `pim sync init` with `args`; returns the key (the last line of stdout).
    pub fn init(&self, args: &[&str]) -> String {
        let out = self.ok(&[&["sync", "init"], args].concat());
        out.trim_end().lines().last().unwrap().to_string()
    }

    /// `pim sync init` here and `pim sync join` on `other` with the printed key.
    pub fn pair(&self, other: &Profile) {
        let key = self.init(&["--device-name", "laptop"]);
        other.ok(&["sync", "join", "--key", &key, "--device-name", "desktop"]);
    }

    /// The contact's full name, by id.
    pub fn full_name(&self, id: &str) -> String {
        self.json(&["show", id, "--json"])["full_name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Full names of every contact.
    pub fn contact_names(&self) -> Vec<String> {
        self.json(&["list", "contacts", "--json"])
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["full_name"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// `pim invites list --json`.
    pub fn invites(&self) -> Vec<Value> {
        self.json(&["invites", "list", "--json"])
            .as_array()
            .unwrap()
            .clone()
    }
}
