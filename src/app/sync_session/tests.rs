//! The session's loop logic over the in-memory mail server: backoff, error
//! classification, what wakes a watch, and the commands.

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedSender, unbounded_channel};

mod doubles;
mod epoch;

use doubles::MemoryConnector;

use super::*;
use crate::model::{Kind, Record};
use crate::sync::MailboxError;
use crate::sync::crypto::SyncKey;
use crate::sync::engine::{SyncError, SyncOptions};
use crate::sync::memory::MemoryServer;

fn quick() -> Timing {
    Timing {
        inbox_poll: Duration::from_secs(30),
        local_check: Duration::from_millis(5),
        backoff_start: Duration::from_millis(1),
        backoff_cap: Duration::from_millis(4),
    }
}

fn add_contact(store: &mut Store, name: &str) {
    let mut r = Record::new(Kind::Contact, "default-contact");
    r.set_text("FN", name);
    store
        .write(|w| {
            if w.collection("default-contact").is_err() {
                w.put_collection_with_id("default-contact", Kind::Contact, "Contacts")?;
            }
            w.create(&r)
        })
        .unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// What the tests look at in an event.
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Connecting,
    /// The trigger and whether the round moved anything.
    Synced(Trigger, bool),
    Retrying(ErrorKind),
    Watching,
    ServerNews,
    ConnectionLost,
    Idle,
}

fn seen(ev: &SessionEvent) -> Option<Seen> {
    Some(match ev {
        SessionEvent::Connecting => Seen::Connecting,
        SessionEvent::Synced(r) => Seen::Synced(r.trigger, r.is_busy()),
        SessionEvent::Retrying { error, .. } => Seen::Retrying(error.kind()),
        SessionEvent::Watching { .. } => Seen::Watching,
        SessionEvent::ServerNews => Seen::ServerNews,
        SessionEvent::ConnectionLost(_) => Seen::ConnectionLost,
        SessionEvent::Idle => Seen::Idle,
        _ => return None,
    })
}

/// Run `session` until `stop_when` holds for an event (then a Stop is sent),
/// with `act` called on every event to drive the scenario. Returns what was seen.
fn run_until(
    session: &mut Session<MemoryConnector>,
    store: &mut Store,
    schedule: Schedule,
    mut act: impl FnMut(&Seen, &UnboundedSender<Command>),
    stop_when: impl Fn(&Seen) -> bool,
) -> (Vec<Seen>, Result<(), SessionError>) {
    let (tx, mut rx) = unbounded_channel();
    let mut log = Vec::new();
    let ended = runtime().block_on(async {
        let mut stopped = false;
        let mut events = |ev: SessionEvent| {
            if let Some(s) = seen(&ev)
                && !stopped
            {
                act(&s, &tx);
                stopped = stop_when(&s);
                if stopped {
                    tx.send(Command::Stop).unwrap();
                }
                log.push(s);
            }
        };
        let run = session.run(store, schedule, &mut rx, &mut events);
        tokio::time::timeout(Duration::from_secs(20), run)
            .await
            .expect("the session stops in time")
    });
    (log, ended)
}

const WATCH: Schedule = Schedule {
    watch: true,
    sync_first: true,
};

#[test]
fn backoff_doubles_with_jitter_up_to_the_cap() {
    let ms = Duration::from_millis;
    let mut b = Backoff::new(ms(100), ms(1000));
    for base in [100, 200, 400, 800, 1000, 1000] {
        let p = b.next_pause();
        assert!(p >= ms(base) && p <= ms(base * 3 / 2), "{p:?} for {base}");
    }
    b.reset();
    assert!(b.next_pause() <= ms(150));
}

#[test]
fn failures_are_classified_by_type() {
    let mailbox = |e: MailboxError| SessionError::from(e).kind();
    assert_eq!(
        mailbox(MailboxError::Auth("x".into())),
        ErrorKind::LoginRefused
    );
    assert_eq!(
        mailbox(MailboxError::Tls("x".into())),
        ErrorKind::TlsUntrusted
    );
    assert_eq!(
        mailbox(MailboxError::Unreachable("x".into())),
        ErrorKind::NetworkDown
    );
    assert_eq!(
        mailbox(MailboxError::Disconnected("x".into())),
        ErrorKind::NetworkDown
    );
    assert_eq!(
        mailbox(MailboxError::Timeout("x".into())),
        ErrorKind::Timeout
    );
    assert_eq!(
        mailbox(MailboxError::Busy("x".into())),
        ErrorKind::ServerBusy
    );
    let bad_key = SyncKey::parse_human("not a key").unwrap_err();
    let cases = [
        (
            SessionError::Setup(SetupError::BadKey(bad_key)),
            ErrorKind::WrongKey,
        ),
        (
            SessionError::Setup(SetupError::NotEnrolled),
            ErrorKind::Config,
        ),
        (
            SessionError::Password {
                account: "a".into(),
                reason: crate::config::accounts::PasswordError::Empty,
            },
            ErrorKind::Config,
        ),
        (
            SessionError::Sync(SyncError::Setup("scope with replace".into())),
            ErrorKind::Config,
        ),
    ];
    for (e, kind) in cases {
        assert_eq!(e.kind(), kind, "{e}");
    }
    let fatal: Vec<bool> = [
        ErrorKind::LoginRefused,
        ErrorKind::WrongKey,
        ErrorKind::TlsUntrusted,
        ErrorKind::Config,
        ErrorKind::NetworkDown,
        ErrorKind::Timeout,
        ErrorKind::ServerBusy,
        ErrorKind::ServerRefused,
        ErrorKind::ServerFault,
        ErrorKind::LocalStore,
    ]
    .iter()
    .map(|k| k.is_fatal())
    .collect();
    assert_eq!(
        fatal,
        [
            true, true, true, true, false, false, false, false, false, false
        ]
    );
}

#[test]
fn a_watch_wakes_on_a_local_edit_and_uploads_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pim.db");
    let mut store = Store::open(&db).unwrap();
    let mut editor = Store::open(&db).unwrap();
    let server = MemoryServer::new();
    let mut session = Session::new(
        MemoryConnector::new(&server),
        SyncOptions::new(SyncKey::generate()),
        quick(),
    );
    let mut edited = false;
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |s, _| {
            // The other connection (the TUI's worker, another `pim` command) edits
            // once the watch rests.
            if *s == Seen::Watching && !edited {
                edited = true;
                add_contact(&mut editor, "Ada");
            }
        },
        |s| matches!(s, Seen::Synced(Trigger::LocalEdit, _)),
    );
    ended.unwrap();
    assert_eq!(
        seen,
        [
            Seen::Connecting,
            // A fresh profile's first round publishes its default collections.
            Seen::Synced(Trigger::Start, true),
            Seen::Watching,
            Seen::Synced(Trigger::LocalEdit, true),
        ]
    );
    assert_eq!(session.connector().connects, 1, "the connection stays open");
}

#[test]
fn a_watch_wakes_when_the_server_changes() {
    let server = MemoryServer::new();
    let key = SyncKey::generate();
    let mut store = Store::open_in_memory().unwrap();
    let mut other = Store::open_in_memory().unwrap();
    add_contact(&mut other, "Grace");
    let o = SyncOptions::new(key);
    let mut session = Session::new(MemoryConnector::new(&server), o.clone(), quick());
    let mut other = Some((other, server.clone(), o));
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |s, _| {
            // Another device syncs while the watch is in IDLE.
            if *s == Seen::Watching
                && let Some((mut other, server, o)) = other.take()
            {
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(100));
                    let mut mb = server.connect();
                    futures::executor::block_on(crate::sync::engine::sync_once(
                        &mut other, &mut mb, &o,
                    ))
                    .unwrap();
                });
            }
        },
        |s| matches!(s, Seen::Synced(Trigger::ServerChange, _)),
    );
    ended.unwrap();
    assert_eq!(
        &seen[2..],
        [
            Seen::Watching,
            Seen::ServerNews,
            Seen::Synced(Trigger::ServerChange, true),
        ]
    );
    assert_eq!(store.count(Kind::Contact).unwrap(), 1);
}

#[test]
fn transient_failures_back_off_and_retry_until_a_round_goes_through() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    add_contact(&mut store, "Ada");
    let mut connector = MemoryConnector::new(&server);
    connector.refuse = vec![
        MailboxError::Unreachable("network down".into()).into(),
        MailboxError::Timeout("no answer".into()).into(),
        MailboxError::Busy("[UNAVAILABLE] try later".into()).into(),
    ];
    let mut session = Session::new(connector, SyncOptions::new(SyncKey::generate()), quick());
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |_, _| {},
        |s| matches!(s, Seen::Synced(..)),
    );
    ended.unwrap();
    assert_eq!(
        seen,
        [
            Seen::Connecting,
            Seen::Retrying(ErrorKind::NetworkDown),
            Seen::Connecting,
            Seen::Retrying(ErrorKind::Timeout),
            Seen::Connecting,
            Seen::Retrying(ErrorKind::ServerBusy),
            Seen::Connecting,
            Seen::Synced(Trigger::Retry, true),
        ]
    );
}

#[test]
fn a_connection_lost_mid_round_is_retried_on_a_new_connection() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    add_contact(&mut store, "Ada");
    server.fail_after(2, 1);
    let mut session = Session::new(
        MemoryConnector::new(&server),
        SyncOptions::new(SyncKey::generate()),
        quick(),
    );
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |_, _| {},
        |s| matches!(s, Seen::Synced(..)),
    );
    ended.unwrap();
    assert_eq!(
        seen,
        [
            Seen::Connecting,
            Seen::Retrying(ErrorKind::NetworkDown),
            Seen::Connecting,
            Seen::Synced(Trigger::Retry, true),
        ]
    );
}

#[test]
fn a_fatal_failure_ends_the_run_without_retrying() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut connector = MemoryConnector::new(&server);
    connector.refuse = vec![MailboxError::Auth("ada: wrong password".into()).into()];
    let mut session = Session::new(connector, SyncOptions::new(SyncKey::generate()), quick());
    let (seen, ended) = run_until(&mut session, &mut store, WATCH, |_, _| {}, |_| false);
    let err = ended.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LoginRefused);
    assert_eq!(seen, [Seen::Connecting]);
}

#[test]
fn a_password_command_that_fails_ends_the_run_too() {
    // `pim sync --watch` used to retry this forever (the TUI stopped).
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut connector = MemoryConnector::new(&server);
    connector.refuse = vec![SessionError::Password {
        account: "personal".into(),
        reason: crate::config::accounts::PasswordError::Empty,
    }];
    let mut session = Session::new(connector, SyncOptions::new(SyncKey::generate()), quick());
    let (seen, ended) = run_until(&mut session, &mut store, WATCH, |_, _| {}, |_| false);
    assert_eq!(ended.unwrap_err().kind(), ErrorKind::Config);
    assert_eq!(seen, [Seen::Connecting]);
    assert_eq!(session.connector().connects, 1);
}

#[test]
fn a_quiet_watch_still_polls_inbox_on_schedule() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let timing = Timing {
        inbox_poll: Duration::from_millis(50),
        ..quick()
    };
    let mut session = Session::new(
        MemoryConnector::new(&server),
        SyncOptions::new(SyncKey::generate()),
        timing,
    );
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |_, _| {},
        |s| matches!(s, Seen::Synced(Trigger::Poll, _)),
    );
    ended.unwrap();
    assert_eq!(
        &seen[2..],
        [Seen::Watching, Seen::Synced(Trigger::Poll, false)]
    );
    assert_eq!(session.connector().connects, 1);
}

#[test]
fn a_watch_tells_how_often_it_polls_a_server_without_idle() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut session = Session::new(
        MemoryConnector::new(&server),
        SyncOptions::new(SyncKey::generate()),
        quick(),
    );
    let mut told = Vec::new();
    let mut run = |store: &mut Store| {
        runtime().block_on(async {
            let (tx, mut rx) = unbounded_channel();
            let mut events = |ev: SessionEvent| {
                if let SessionEvent::Watching { polls_every } = ev {
                    told.push(watch_note(polls_every));
                    tx.send(Command::Stop).unwrap();
                }
            };
            session
                .run(store, WATCH, &mut rx, &mut events)
                .await
                .unwrap();
            session.close().await;
        })
    };
    run(&mut store);
    server.set_polls_every(Some(Duration::from_secs(30)));
    run(&mut store);
    assert_eq!(
        told,
        [
            None,
            Some("server has no IDLE; polling every 30 s".to_string())
        ]
    );
}

#[test]
fn a_connection_lost_while_watching_logs_in_again() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut session = Session::new(
        MemoryConnector::new(&server),
        SyncOptions::new(SyncKey::generate()),
        quick(),
    );
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |s, _| {
            if *s == Seen::Watching {
                server.fail_next(1);
            }
        },
        |s| matches!(s, Seen::Synced(Trigger::Reconnect, _)),
    );
    ended.unwrap();
    assert_eq!(
        &seen[2..],
        [
            Seen::Watching,
            Seen::ConnectionLost,
            Seen::Connecting,
            Seen::Synced(Trigger::Reconnect, false),
        ]
    );
}

#[test]
fn asking_to_sync_cuts_the_backoff_pause_short() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut connector = MemoryConnector::new(&server);
    connector.refuse = vec![MailboxError::Unreachable("network down".into()).into()];
    let timing = Timing {
        backoff_start: Duration::from_secs(600),
        backoff_cap: Duration::from_secs(600),
        ..quick()
    };
    let mut session = Session::new(connector, SyncOptions::new(SyncKey::generate()), timing);
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        WATCH,
        |s, tx| {
            if matches!(s, Seen::Retrying(_)) {
                tx.send(Command::SyncNow).unwrap();
            }
        },
        |s| matches!(s, Seen::Synced(..)),
    );
    ended.unwrap();
    assert_eq!(seen.last(), Some(&Seen::Synced(Trigger::Asked, true)));
}

#[test]
fn without_watch_each_asked_round_logs_out_and_rests() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    let mut session = Session::new(
        MemoryConnector::new(&server),
        SyncOptions::new(SyncKey::generate()),
        quick(),
    );
    let mut rounds = 0;
    let schedule = Schedule {
        watch: false,
        sync_first: false,
    };
    let (seen, ended) = run_until(
        &mut session,
        &mut store,
        schedule,
        |s, tx| {
            if *s == Seen::Idle {
                rounds += 1;
                if rounds <= 2 {
                    tx.send(Command::SyncNow).unwrap();
                } else {
                    tx.send(Command::Stop).unwrap();
                }
            }
        },
        |_| false,
    );
    ended.unwrap();
    let round = |busy| {
        [
            Seen::Connecting,
            Seen::Synced(Trigger::Asked, busy),
            Seen::Idle,
        ]
    };
    let mut expected = vec![Seen::Idle];
    expected.extend(round(true));
    expected.extend(round(false));
    assert_eq!(seen, expected);
    assert_eq!(session.connector().connects, 2);
    assert_eq!(session.connector().closes, 2);
}

#[test]
fn a_dry_run_round_remembers_nothing_and_skips_the_invitations() {
    let server = MemoryServer::new();
    let mut store = Store::open_in_memory().unwrap();
    add_contact(&mut store, "Ada");
    let mut o = SyncOptions::new(SyncKey::generate());
    o.dry_run = true;
    let mut session = Session::new(MemoryConnector::new(&server), o, quick());
    let report = runtime()
        .block_on(session.round(&mut store, Trigger::Start, &mut |_| {}))
        .unwrap();
    assert!(report.sync.plan.is_some());
    assert!(report.invitations.is_none());
    assert!(server.uids("PIM/Changes").is_empty());
}
