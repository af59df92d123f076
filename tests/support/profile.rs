//! A `--home` profile with a mail account on the harness's Dovecot, driven through
//! the `pim` binary (for sync tests across profiles).

use std::process::{Command, Output};

use serde_json::Value;

use super::mailserver::MailServer;

pub struct Profile {
    pub home: tempfile::TempDir,
}

impl Profile {
    /// A profile syncing through `user`'s mailbox with conflict policy `policy`.
    pub fn new(server: &MailServer, user: &str, policy: &str) -> Profile {
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
            policy,
        ]);
        p
    }

    pub fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_pim"))
            .args(args)
            .env("PIM_HOME", self.home.path())
            .env("TZ", "UTC")
            .output()
            .unwrap()
    }

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
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// `pim sync init` here and `pim sync join` on `other` with the printed key.
    pub fn pair(&self, other: &Profile) {
        let out = self.ok(&["sync", "init", "--device-name", "laptop"]);
        let key = out.trim_end().lines().last().unwrap().to_string();
        other.ok(&["sync", "join", "--key", &key, "--device-name", "desktop"]);
    }

    /// The contact's full name, by id.
    pub fn full_name(&self, id: &str) -> String {
        self.json(&["show", id, "--json"])["full_name"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}
