//! OAuth2 logins for real: Dovecot's `oauth2` passdb checks each token against
//! an introspection endpoint (RFC 7662) served on loopback by this test, for
//! IMAP (AUTHENTICATE XOAUTH2 / OAUTHBEARER) and for Postfix submission and
//! SMTPS (AUTH through Dovecot's auth socket). Tokens `good-USER` are valid;
//! tests add and revoke others.

mod support;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use pim::config::credentials::{Credentials, OAuthMechanism, TokenSource};
use pim::mail::{ImapConfig, ImapMailbox, Security, SmtpConfig, SmtpError, smtp};
use pim::sync::{Mailbox, MailboxError};
use support::mailserver::{MailServer, SHARED_USERS};

/// The token introspection endpoint Dovecot asks: token → user.
struct Introspection {
    tokens: Mutex<HashMap<String, String>>,
    url: String,
}

impl Introspection {
    fn start() -> Arc<Introspection> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let tokens = SHARED_USERS
            .iter()
            .map(|u| (format!("good-{u}"), u.to_string()))
            .collect();
        let this = Arc::new(Introspection {
            tokens: Mutex::new(tokens),
            url: format!(
                "http://127.0.0.1:{}/introspect",
                listener.local_addr().unwrap().port()
            ),
        });
        let server = this.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let _ = server.answer(stream);
            }
        });
        this
    }

    fn allow(&self, token: &str, user: &str) {
        self.tokens
            .lock()
            .unwrap()
            .insert(token.into(), user.into());
    }

    fn revoke(&self, token: &str) {
        self.tokens.lock().unwrap().remove(token);
    }

    /// One HTTP/1.1 POST with `token=…` in a form body; one JSON answer.
    fn answer(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(5)))?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut length = 0;
        loop {
            let mut line = String::new();
            if reader.read_line(&mut line)? == 0 || line == "\r\n" {
                break;
            }
            if let Some((name, value)) = line.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body)?;
        let body = String::from_utf8_lossy(&body);
        let token = body
            .split('&')
            .find_map(|kv| kv.strip_prefix("token="))
            .unwrap_or_default();
        let json = match self.tokens.lock().unwrap().get(token) {
            Some(user) => format!(r#"{{"active": true, "username": "{user}"}}"#),
            None => r#"{"active": false}"#.to_string(),
        };
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{json}",
            json.len()
        )
    }
}

/// The shared mail server of this binary with OAuth2 turned on.
fn server() -> &'static (&'static MailServer, Arc<Introspection>) {
    static SERVER: OnceLock<(&'static MailServer, Arc<Introspection>)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = MailServer::shared();
        let introspection = Introspection::start();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/harness/enable-oauth2.sh");
        let out = Command::new(script)
            .arg(&server.workdir)
            .arg(&introspection.url)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "enable-oauth2.sh: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (server, introspection)
    })
}

/// A token helper for tests: prints the contents of a file, counting its runs.
struct TokenHelper {
    dir: tempfile::TempDir,
}

impl TokenHelper {
    fn new(token: &str) -> TokenHelper {
        let helper = TokenHelper {
            dir: tempfile::tempdir().unwrap(),
        };
        helper.set(token);
        helper
    }
    fn set(&self, token: &str) {
        std::fs::write(self.dir.path().join("token"), format!("{token}\n")).unwrap();
    }
    fn command(&self) -> String {
        let d = self.dir.path().display();
        format!("echo run >> {d}/runs; cat {d}/token")
    }
    fn runs(&self) -> usize {
        std::fs::read_to_string(self.dir.path().join("runs"))
            .unwrap_or_default()
            .lines()
            .count()
    }
    fn credentials(&self, mechanism: OAuthMechanism) -> Credentials {
        Credentials::Token(TokenSource::new(mechanism, &self.command()).unwrap())
    }
}

fn imap_config(user: &str, credentials: Credentials) -> ImapConfig {
    let (server, _) = server();
    let mut cfg = ImapConfig::new("127.0.0.1", server.imaps_port, Security::Implicit, user, "");
    cfg.credentials = credentials;
    cfg.ca_file = Some(server.ca_file.clone());
    cfg.timeout = Duration::from_secs(10);
    cfg
}

fn smtp_config(user: &str, security: Security, credentials: Credentials) -> SmtpConfig {
    let (server, _) = server();
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: match security {
            Security::Implicit => server.smtps_port,
            _ => server.submission_port,
        },
        security,
        ca_file: Some(server.ca_file.clone()),
        user: user.into(),
        credentials,
        timeout: Duration::from_secs(10),
    }
}

fn mail(subject: &str) -> Vec<u8> {
    format!(
        "From: test@example.test\r\nTo: test@example.test\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@pim.test>\r\nDate: Wed, 25 Nov 2026 18:00:00 +0000\r\n\r\nhi\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn imap_logs_in_with_either_mechanism() {
    for mechanism in [OAuthMechanism::Xoauth2, OAuthMechanism::Oauthbearer] {
        let helper = TokenHelper::new("good-alice");
        let cfg = imap_config("alice", helper.credentials(mechanism));
        let mut mb = ImapMailbox::connect(cfg).await.unwrap_or_else(|e| {
            panic!("{mechanism}: {e}\n{}", server().0.dovecot_log());
        });
        let state = mb.state("INBOX").await.unwrap();
        assert!(state.uidvalidity > 0, "{mechanism}");
        mb.logout().await;
        assert_eq!(helper.runs(), 1, "{mechanism}: one token, no refresh");
    }
}

#[tokio::test]
async fn an_expired_token_is_replaced_once_at_login() {
    let helper = TokenHelper::new("expired-bob");
    let credentials = helper.credentials(OAuthMechanism::Xoauth2);
    // The helper has refreshed by now; pim still holds the expired token.
    helper.set("good-bob");
    let mut mb = ImapMailbox::connect(imap_config("bob", credentials))
        .await
        .expect("the second token logs in");
    mb.state("INBOX").await.unwrap();
    mb.logout().await;
    assert_eq!(helper.runs(), 2, "the token command ran again once");
}

#[tokio::test]
async fn a_refused_token_fails_naming_user_and_mechanism() {
    for mechanism in [OAuthMechanism::Xoauth2, OAuthMechanism::Oauthbearer] {
        let helper = TokenHelper::new("wrong-token");
        let cfg = imap_config("carol", helper.credentials(mechanism));
        match ImapMailbox::connect(cfg).await {
            Err(MailboxError::Auth(msg)) => {
                assert!(msg.contains("carol"), "{msg}");
                assert!(msg.contains(&format!("{mechanism} login refused")), "{msg}");
                assert!(msg.contains("a fresh token"), "{msg}");
            }
            other => panic!("{mechanism}: a wrong token logged in: {:?}", other.err()),
        }
        assert_eq!(
            helper.runs(),
            2,
            "{mechanism}: asked once more, then gave up"
        );
    }
}

#[tokio::test]
async fn a_token_revoked_mid_session_is_renewed_on_reconnect() {
    let (server, introspection) = server();
    introspection.allow("first-dave", "dave");
    let helper = TokenHelper::new("first-dave");
    let mut mb = ImapMailbox::connect(imap_config(
        "dave",
        helper.credentials(OAuthMechanism::Oauthbearer),
    ))
    .await
    .unwrap();
    mb.state("INBOX").await.unwrap();
    // The token expires and the server ends the session.
    introspection.revoke("first-dave");
    introspection.allow("second-dave", "dave");
    helper.set("second-dave");
    let kick = Command::new("doveadm")
        .args(["-c", &server.workdir.join("dovecot.conf").to_string_lossy()])
        .args(["kick", "dave"])
        .output()
        .unwrap();
    assert!(
        kick.status.success(),
        "{}",
        String::from_utf8_lossy(&kick.stderr)
    );
    // The first command after the kick may see the dropped connection; the
    // next one logs in again, with a fresh token.
    let mut last = mb.state("INBOX").await;
    for _ in 0..3 {
        if last.is_ok() && helper.runs() == 2 {
            break;
        }
        last = mb.state("INBOX").await;
    }
    last.expect("logged in again after the token expired");
    assert_eq!(
        helper.runs(),
        2,
        "one refresh after the expired token was refused"
    );
    mb.logout().await;
}

#[tokio::test]
async fn smtp_sends_with_either_mechanism_and_refreshes_once() {
    let (server, _) = server();
    for (mechanism, security) in [
        (OAuthMechanism::Xoauth2, Security::Starttls),
        (OAuthMechanism::Oauthbearer, Security::Implicit),
    ] {
        let helper = TokenHelper::new("stale-token");
        let credentials = helper.credentials(mechanism);
        helper.set("good-test");
        let cfg = smtp_config("test", security, credentials);
        let subject = format!("oauth-{mechanism}");
        smtp::send(
            &cfg,
            "test@example.test",
            &["test@example.test"],
            &mail(&subject),
        )
        .await
        .unwrap_or_else(|e| panic!("{mechanism}: {e}"));
        assert_eq!(helper.runs(), 2, "{mechanism}: refreshed once");
        smtp::check(&cfg).await.unwrap();
        let found = tokio::task::spawn_blocking(move || {
            server.wait_for_count("test", "INBOX", 1, Duration::from_secs(10));
            server.messages("test", "INBOX")
        })
        .await
        .unwrap();
        assert!(
            found
                .iter()
                .any(|m| String::from_utf8_lossy(m).contains(&subject)),
            "{mechanism}: delivered"
        );

        let wrong = TokenHelper::new("wrong-token");
        let cfg = smtp_config("test", security, wrong.credentials(mechanism));
        let err = smtp::check(&cfg).await.unwrap_err();
        assert!(matches!(err, SmtpError::Auth(_)), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains("test at 127.0.0.1"), "{msg}");
        assert!(msg.contains(&format!("{mechanism} login refused")), "{msg}");
        assert!(!err.is_transient());
        assert_eq!(wrong.runs(), 2, "{mechanism}: gave up after one refresh");
    }
}

fn pim(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_pim"))
        .args(args)
        .env("PIM_HOME", home)
        .output()
        .unwrap()
}

#[test]
fn account_check_logs_in_with_the_token_command() {
    let (server, _) = server();
    let home = tempfile::tempdir().unwrap();
    let helper = TokenHelper::new("good-alice");
    let imap = format!("127.0.0.1:{}", server.imaps_port);
    let smtp = format!("127.0.0.1:{}", server.smtps_port);
    let ca: PathBuf = server.ca_file.clone();
    let add = pim(
        home.path(),
        &[
            "account",
            "add",
            "work",
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--user",
            "alice",
            "--email",
            "alice@example.test",
            "--auth",
            "xoauth2",
            "--token-command",
            &helper.command(),
            "--ca-file",
            &ca.to_string_lossy(),
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let config = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(config.contains("auth = \"xoauth2\""), "{config}");
    let check = pim(home.path(), &["account", "check", "work"]);
    let out = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(out.contains("imap") && out.contains("smtp"), "{out}");

    helper.set("wrong-token");
    let check = pim(home.path(), &["account", "check", "work"]);
    let err = String::from_utf8_lossy(&check.stderr);
    assert!(!check.status.success());
    assert!(
        err.contains("account work") && err.contains("XOAUTH2 login refused"),
        "{err}"
    );

    let json = pim(home.path(), &["account", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(list[0]["auth"], "xoauth2", "{list}");
    assert_eq!(
        list[0]["token_command"],
        helper.command().as_str(),
        "{list}"
    );

    let set = pim(
        home.path(),
        &["account", "set", "work", "--auth", "oauthbearer"],
    );
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let config = std::fs::read_to_string(home.path().join("config.toml")).unwrap();
    assert!(config.contains("auth = \"oauthbearer\""), "{config}");
    let set = pim(
        home.path(),
        &["account", "set", "work", "--auth", "password"],
    );
    let err = String::from_utf8_lossy(&set.stderr);
    assert!(
        !set.status.success() && err.contains("password command"),
        "{err}"
    );

    let token_without_auth = pim(
        home.path(),
        &[
            "account",
            "add",
            "y",
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--user",
            "u",
            "--email",
            "u@example.test",
            "--token-command",
            "echo t",
        ],
    );
    let err = String::from_utf8_lossy(&token_without_auth.stderr);
    assert!(err.contains("--auth xoauth2"), "{err}");

    let no_command = pim(
        home.path(),
        &[
            "account",
            "add",
            "x",
            "--imap",
            &imap,
            "--smtp",
            &smtp,
            "--user",
            "u",
            "--email",
            "u@example.test",
            "--auth",
            "oauthbearer",
        ],
    );
    let err = String::from_utf8_lossy(&no_command.stderr);
    assert!(!no_command.status.success());
    assert!(
        err.contains("--token-command") || err.contains("token"),
        "{err}"
    );
}
