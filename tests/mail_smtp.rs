//! `mail::smtp::send` against a real Postfix (submission with STARTTLS, SMTPS)
//! delivering into Dovecot, started by tests/support/mailserver.rs.

mod support;

use std::time::Duration;

use pim::config::credentials::Credentials;
use pim::mail::{Security, SmtpConfig, SmtpError, smtp};
use support::mailserver::MailServer;

fn config(server: &MailServer, user: &str, security: Security) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port: match security {
            Security::Implicit => server.smtps_port,
            Security::Starttls => server.submission_port,
            Security::Plaintext => server.smtp_port,
        },
        security,
        ca_file: Some(server.ca_file.clone()),
        user: user.into(),
        credentials: Credentials::password(server.password(user)),
        timeout: Duration::from_secs(5),
    }
}

fn mail(subject: &str) -> Vec<u8> {
    format!(
        "From: Alice <alice@example.test>\r\nTo: bob@example.test\r\nSubject: {subject}\r\n\
         Message-ID: <{subject}@pim.test>\r\nDate: Wed, 25 Nov 2026 18:00:00 +0000\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello Bob.\r\n.dot line\r\n"
    )
    .into_bytes()
}

#[tokio::test]
async fn sent_messages_arrive_in_the_recipients_inbox() {
    let server = MailServer::shared();
    for (i, security) in [Security::Starttls, Security::Implicit]
        .into_iter()
        .enumerate()
    {
        let subject = format!("hello-{i}");
        smtp::send(
            &config(server, "alice", security),
            "alice@example.test",
            &["bob@example.test"],
            &mail(&subject),
        )
        .await
        .unwrap_or_else(|e| panic!("{security:?}: {e}"));
        let server2 = MailServer::shared();
        let n = tokio::task::spawn_blocking(move || {
            server2.wait_for_count("bob", "INBOX", i as u32 + 1, Duration::from_secs(10))
        })
        .await
        .unwrap();
        assert_eq!(n, i as u32 + 1, "{security:?}: not delivered");
    }
    let inbox = MailServer::shared().messages("bob", "INBOX");
    let texts: Vec<String> = inbox
        .iter()
        .map(|m| String::from_utf8_lossy(m).into_owned())
        .collect();
    for i in 0..2 {
        let m = texts
            .iter()
            .find(|t| t.contains(&format!("Subject: hello-{i}")))
            .expect("delivered message");
        assert!(m.contains("\r\n.dot line\r\n"), "dot-stuffing undone: {m}");
    }
}

#[tokio::test]
async fn untrusted_certificate_is_a_tls_error() {
    let server = MailServer::shared();
    for security in [Security::Starttls, Security::Implicit] {
        let mut cfg = config(server, "carol", security);
        cfg.ca_file = None;
        let err = smtp::send(
            &cfg,
            "carol@example.test",
            &["bob@example.test"],
            &mail("x"),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, SmtpError::Tls(_)), "{security:?}: {err:?}");
    }
    let mut cfg = config(server, "carol", Security::Plaintext);
    cfg.host = "192.0.2.1".into();
    let err = smtp::send(
        &cfg,
        "carol@example.test",
        &["bob@example.test"],
        &mail("x"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, SmtpError::Tls(ref m) if m.contains("loopback")),
        "{err:?}"
    );
}

#[tokio::test]
async fn wrong_password_and_unreachable_server() {
    let server = tokio::task::spawn_blocking(|| MailServer::start(&[("erin", "right")]))
        .await
        .unwrap();
    let mut cfg = config(&server, "erin", Security::Starttls);
    cfg.credentials = Credentials::password("wrong");
    let err = smtp::send(&cfg, "erin@example.test", &["bob@example.test"], &mail("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, SmtpError::Auth(_)), "{err:?}");
    assert!(!err.is_transient());

    let server = tokio::task::spawn_blocking(move || {
        server.stop();
        server
    })
    .await
    .unwrap();
    let cfg = config(&server, "erin", Security::Implicit);
    let err = smtp::send(&cfg, "erin@example.test", &["bob@example.test"], &mail("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, SmtpError::Unreachable(_)), "{err:?}");
    assert!(err.is_transient());

    let err = smtp::send(&cfg, "not an address", &["bob@example.test"], &mail("x"))
        .await
        .unwrap_err();
    assert!(matches!(err, SmtpError::Address(_)), "{err:?}");
}

#[test]
fn harness_delivers_through_postfix() {
    let server = MailServer::shared();
    let before = server.count("carol", "INBOX");
    server.deliver_smtp(
        "someone@example.test",
        &["carol@example.test"],
        b"Subject: via harness\r\nFrom: someone@example.test\r\n\r\n.leading dot\r\n",
    );
    let n = server.wait_for_count("carol", "INBOX", before + 1, Duration::from_secs(10));
    assert_eq!(n, before + 1);
    let last = server.messages("carol", "INBOX").pop().unwrap();
    assert!(String::from_utf8_lossy(&last).contains("\r\n.leading dot\r\n"));
}
