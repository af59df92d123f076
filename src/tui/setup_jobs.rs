//! Setting up sync from the Sync tab, off the render loop: each job (check and
//! add an account, start syncing as the first device, join) runs the
//! application's use case on a thread of its own, with its own store
//! connection and Tokio runtime, and reports progress lines and the outcome.
//! The UI keeps drawing (and the progress line moves) while the servers answer.

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use crate::app::accounts;
use crate::app::sync_session::{self as session, EnrolError, Enrolled, NewSecret};
use crate::config::accounts::Account;
use crate::store::Store;

/// What the Sync tab asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupJob {
    /// Log in to IMAP and SMTP; on success store the account in config.toml.
    CheckAndAdd { name: String, account: Box<Account> },
    /// First device: create pim's folders, upload, make a key.
    Init { account: String },
    /// Another device: join with the first device's key (or passphrase).
    Join { account: String, key: String },
    /// Read this profile's key again, to enter it on another device.
    ShowKey,
    /// Forget a device that is gone (by id).
    Forget { device: String },
    /// Replace the sync key.
    Rekey,
    /// Take the newer epoch another device published (replace-local).
    TakeEpoch,
}

/// What a job reports.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupEvent {
    /// A progress line ("logging in to IMAP at …").
    Step(String),
    /// The account answered and was stored.
    Added { name: String, account: Box<Account> },
    /// The profile syncs now.
    Enrolled(Enrolled),
    /// This profile's key (`None`: a passphrase made it).
    Key(Option<String>),
    /// A device was forgotten (its name).
    Forgot(String),
    /// The key was replaced: the new one, shown once.
    Rekeyed(String),
    /// The server's newer data was taken: the round's summary.
    EpochTaken(String),
    /// The job failed; the reason in plain words.
    Failed(String),
}

/// How an enrolment failure reads in the dialog.
fn enrol_words(e: &EnrolError) -> String {
    match e {
        EnrolError::BadKey(k) => format!("{k}: type the key exactly as the first device shows it"),
        other => other.to_string(),
    }
}

fn run(job: SetupJob, db: &Path, config_file: &Path, send: &dyn Fn(SetupEvent)) -> SetupEvent {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return SetupEvent::Failed(e.to_string()),
    };
    let open = || Store::open(db).map_err(|e| e.to_string());
    match job {
        SetupJob::CheckAndAdd { name, account } => {
            let checked = rt.block_on(accounts::check(&account, &mut |step| {
                send(SetupEvent::Step(step.to_string()))
            }));
            if let Err(e) = checked {
                return SetupEvent::Failed(e.to_string());
            }
            match accounts::add(config_file, &name, (*account).clone()) {
                Ok(()) => SetupEvent::Added { name, account },
                Err(e) => SetupEvent::Failed(e.to_string()),
            }
        }
        SetupJob::Init { account } => {
            let mut store = match open() {
                Ok(s) => s,
                Err(e) => return SetupEvent::Failed(e),
            };
            send(SetupEvent::Step(
                "creating pim's folders on the server and uploading this device's data…".into(),
            ));
            let done = rt.block_on(session::init(
                &mut store,
                config_file,
                Some(&account),
                NewSecret::Generated,
                None,
            ));
            match done {
                Ok(e) => SetupEvent::Enrolled(e),
                Err(e) => SetupEvent::Failed(enrol_words(&e)),
            }
        }
        SetupJob::ShowKey => match open().map(|store| session::key_to_share(&store)) {
            Ok(Ok(key)) => SetupEvent::Key(key),
            Ok(Err(e)) => SetupEvent::Failed(e.to_string()),
            Err(e) => SetupEvent::Failed(e),
        },
        SetupJob::Forget { device } => {
            let mut store = match open() {
                Ok(s) => s,
                Err(e) => return SetupEvent::Failed(e),
            };
            send(SetupEvent::Step(
                "forgetting the device on the server…".into(),
            ));
            match rt.block_on(session::forget_device(
                &mut store,
                config_file,
                None,
                &device,
            )) {
                Ok(gone) => SetupEvent::Forgot(gone.name),
                Err(e) => SetupEvent::Failed(e.to_string()),
            }
        }
        SetupJob::Rekey => {
            let mut store = match open() {
                Ok(s) => s,
                Err(e) => return SetupEvent::Failed(e),
            };
            send(SetupEvent::Step(
                "sealing everything under a new key and replacing the server's messages…".into(),
            ));
            match rt.block_on(session::rekey_now(&mut store, config_file, None)) {
                Ok(done) => SetupEvent::Rekeyed(done.key),
                Err(e) => SetupEvent::Failed(e.to_string()),
            }
        }
        SetupJob::TakeEpoch => {
            let mut store = match open() {
                Ok(s) => s,
                Err(e) => return SetupEvent::Failed(e),
            };
            send(SetupEvent::Step(
                "rebuilding this device's synced data from the server's snapshot…".into(),
            ));
            let setup = match session::setup(&store, config_file, None) {
                Ok(s) => s,
                Err(e) => return SetupEvent::Failed(e.to_string()),
            };
            // The same use case as `pim sync --mode replace-local`.
            let round = rt.block_on(session::take_waiting_epoch(
                &mut store,
                session::ImapConnector::new(&setup),
                &setup.options,
                &mut |_| {},
            ));
            match round {
                Ok(r) => SetupEvent::EpochTaken(crate::sync::progress::summary(&r.sync)),
                Err(e) => SetupEvent::Failed(e.to_string()),
            }
        }
        SetupJob::Join { account, key } => {
            let mut store = match open() {
                Ok(s) => s,
                Err(e) => return SetupEvent::Failed(e),
            };
            send(SetupEvent::Step(
                "checking the key and downloading the other devices' data…".into(),
            ));
            let done = rt.block_on(session::join(
                &mut store,
                config_file,
                Some(&account),
                &key,
                None,
            ));
            match done {
                Ok(e) => SetupEvent::Enrolled(e),
                Err(e) => SetupEvent::Failed(enrol_words(&e)),
            }
        }
    }
}

/// Run `job` on a thread of its own; events go to `out` through `wrap`.
pub fn spawn<E: Send + 'static>(
    job: SetupJob,
    db: PathBuf,
    config_file: PathBuf,
    out: Sender<E>,
    wrap: fn(SetupEvent) -> E,
) {
    std::thread::spawn(move || {
        let send = |ev: SetupEvent| {
            let _ = out.send(wrap(ev));
        };
        let outcome = run(job, &db, &config_file, &send);
        send(outcome);
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server that refuses the connection: the job says so in words and
    /// stores nothing.
    #[test]
    fn a_refused_connection_is_said_plainly_and_nothing_is_saved() {
        let dir = tempfile::tempdir().unwrap();
        let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = format!("127.0.0.1:{}", closed.local_addr().unwrap().port());
        drop(closed);
        let account = Account::new(&addr, &addr, "ada", "ada@example.org", "echo pw");
        let config = dir.path().join("config.toml");
        let mut steps = Vec::new();
        let seen = std::cell::RefCell::new(&mut steps);
        let outcome = run(
            SetupJob::CheckAndAdd {
                name: "mail".into(),
                account: Box::new(account),
            },
            &dir.path().join("pim.sqlite3"),
            &config,
            &|e| seen.borrow_mut().push(e),
        );
        match outcome {
            SetupEvent::Failed(why) => {
                assert!(
                    why.starts_with("cannot connect to the IMAP server"),
                    "{why}"
                );
                assert!(why.contains("check the port"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        assert!(
            steps
                .iter()
                .any(|s| matches!(s, SetupEvent::Step(l) if l.starts_with("logging in to IMAP"))),
            "{steps:?}"
        );
        assert!(!config.exists(), "nothing saved");
    }
}
