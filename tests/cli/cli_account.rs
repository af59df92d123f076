//! `pim account ...` through the real binary; `check` against the test mail server.

use crate::support::mailserver::MailServer;
use crate::support::pim::Pim;
use serde_json::Value;

impl Pim {
    fn config(&self) -> String {
        std::fs::read_to_string(self.path("config.toml")).unwrap_or_default()
    }
}

const ADD: &[&str] = &[
    "account",
    "add",
    "personal",
    "--imap",
    "mail.example.org:993",
    "--smtp",
    "mail.example.org:465",
    "--user",
    "ada",
    "--email",
    "ada@example.org",
    "--password-command",
    "pass show mail",
];

#[test]
fn add_list_set_remove() {
    let pim = Pim::new();
    pim.ok(ADD);
    let list = pim.json(&["account", "list", "--json"]);
    let a = &list[0];
    assert_eq!(a["id"], "personal");
    assert_eq!(a["kind"], "account");
    assert_eq!(a["email"], "ada@example.org");
    assert_eq!(a["tls"], "implicit");
    assert_eq!(a["conflict_policy"], "ask");
    assert_eq!(a["folder_root"], "PIM");
    assert_eq!(a["parking_folder"], "PIM/Parked");
    assert!(pim.ok(&["account", "list"]).contains("ada@example.org"));

    pim.fails_with(ADD, "exists already");
    pim.ok(&[
        "account",
        "set",
        "personal",
        "--conflict-policy",
        "newest",
        "--tls",
        "starttls",
    ]);
    pim.ok(&["account", "set", "personal", "--watch", "true"]);
    let list = pim.json(&["account", "list", "--json"]);
    assert_eq!(list[0]["conflict_policy"], "newest");
    assert_eq!(list[0]["tls"], "starttls");
    assert_eq!(list[0]["watch"], true);
    assert!(!pim.config().contains("password ="), "no password stored");

    pim.fails_with(
        &[
            "account",
            "set",
            "personal",
            "--conflict-policy",
            "sometimes",
        ],
        "sometimes",
    );
    pim.fails_with(&["account", "set", "personal"], "nothing to change");
    pim.fails_with(
        &["account", "set", "personal", "--insecure", "true"],
        "loopback",
    );
    pim.fails_with(
        &["account", "set", "nobody", "--watch", "true"],
        "no account",
    );

    pim.ok(&["account", "remove", "personal"]);
    let list = pim.json(&["account", "list", "--json"]);
    assert_eq!(list, Value::Array(vec![]));
    pim.fails_with(&["account", "remove", "personal"], "no account");
}

#[test]
fn validation_errors_exit_2_and_write_nothing() {
    let pim = Pim::new();
    let mut insecure = ADD.to_vec();
    insecure.push("--insecure");
    pim.fails_with(&insecure, "loopback");
    let mut bad_port = ADD.to_vec();
    bad_port[4] = "mail.example.org";
    pim.fails_with(&bad_port, "HOST:PORT");
    let mut bad_ca = ADD.to_vec();
    bad_ca.extend(["--ca-file", "/nonexistent/ca.pem"]);
    pim.fails_with(&bad_ca, "/nonexistent/ca.pem");
    let mut bad_name = ADD.to_vec();
    bad_name[2] = "my account";
    pim.fails_with(&bad_name, "account name");
    assert_eq!(pim.config(), "", "nothing written");
}

#[test]
fn check_logs_in_to_imap_and_smtp() {
    let server = MailServer::shared();
    let pim = Pim::new();
    let imap = format!("127.0.0.1:{}", server.imaps_port);
    let smtp = format!("127.0.0.1:{}", server.smtps_port);
    let ca = server.ca_file.display().to_string();
    pim.ok(&[
        "account",
        "add",
        "t",
        "--imap",
        &imap,
        "--smtp",
        &smtp,
        "--user",
        "test",
        "--email",
        "test@example.test",
        "--password-command",
        "echo pw-test",
        "--ca-file",
        &ca,
    ]);
    let out = pim.ok(&["account", "check", "t"]);
    assert!(
        out.contains("imap") && out.contains("IDLE") && out.contains("smtp"),
        "{out}"
    );

    // Plaintext to loopback is allowed with --insecure.
    let plain = format!("127.0.0.1:{}", server.imap_port);
    let plain_smtp = format!("127.0.0.1:{}", server.submission_port);
    pim.ok(&[
        "account",
        "add",
        "p",
        "--imap",
        &plain,
        "--smtp",
        &plain_smtp,
        "--user",
        "test",
        "--email",
        "test@example.test",
        "--password-command",
        "echo pw-test",
        "--insecure",
    ]);
    assert!(pim.ok(&["account", "check", "p"]).contains("imap"));

    // Without the CA the certificate is not trusted: a clear TLS error.
    pim.ok(&["account", "set", "t", "--no-ca-file"]);
    pim.fails_with(&["account", "check", "t"], "TLS");
    pim.ok(&[
        "account",
        "set",
        "t",
        "--ca-file",
        &ca,
        "--password-command",
        "exit 1",
    ]);
    pim.fails_with(&["account", "check", "t"], "password command failed");
}
