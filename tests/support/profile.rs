//! A [`Pim`] profile with a mail account on the harness's Dovecot, and the sync
//! steps the mail, sync and TUI tests share.

use serde_json::Value;

use super::mailserver::MailServer;
use super::pim::Pim;

impl Pim {
    /// A profile syncing through `user`'s mailbox with conflict policy `policy`.
    pub fn mail_profile(server: &MailServer, user: &str, policy: &str) -> Pim {
        Pim::mail_profile_via(server, user, policy, server.imaps_port, server.smtps_port)
    }

    /// A profile whose IMAP and SMTP servers are reached on the given ports (e.g. a
    /// fault proxy in front of Dovecot or Postfix).
    pub fn mail_profile_via(
        server: &MailServer,
        user: &str,
        policy: &str,
        imap_port: u16,
        smtp_port: u16,
    ) -> Pim {
        let p = Pim::new();
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

    /// `pim sync init` with `args`; returns the key (the last line of stdout).
    pub fn init(&self, args: &[&str]) -> String {
        let out = self.ok(&[&["sync", "init"], args].concat());
        out.trim_end().lines().last().unwrap().to_string()
    }

    /// `pim sync init` here and `pim sync join` on `other` with the printed key.
    pub fn pair(&self, other: &Pim) {
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
        self.json_list(&["list", "contacts", "--json"])
            .iter()
            .map(|c| c["full_name"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// `pim invites list --json`.
    pub fn invites(&self) -> Vec<Value> {
        self.json_list(&["invites", "list", "--json"])
    }
}
