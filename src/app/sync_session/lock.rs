//! One sync at a time per profile. A round, a rekey, taking a waiting epoch, joining
//! and forgetting a device each hold an advisory lock on a file beside the database
//! for as long as they talk to the server, so `pim sync` from cron, a `--watch`, the
//! TUI's background thread and a TUI job (rekey, take epoch) never interleave their
//! plans. The lock is the kernel's (`flock`): a killed process lets go of it.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read as _, Seek as _, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use super::SessionError;
use crate::store::Store;

/// Held while a sync talks to the server; dropping it lets the next one in.
#[derive(Debug)]
pub struct SyncLock {
    _file: Option<File>,
}

/// The lock file of the profile `store` is in (`None` for an in-memory store).
fn lock_path(store: &Store) -> Option<PathBuf> {
    let db = store.path()?;
    let mut name = db.file_name()?.to_os_string();
    name.push(".sync-lock");
    Some(db.with_file_name(name))
}

/// How long a sync waits for another one of the same profile before giving up. A
/// round that talks to the server gives up on its own well before this (every
/// network step has a time limit), so a holder past it is stopped (a `pim sync`
/// suspended with Ctrl-Z) or stuck; waiting on would pile up every sync started
/// meanwhile (cron).
pub const LOCK_WAIT_LIMIT: Duration = Duration::from_secs(10 * 60);

/// Wait until no other sync of this profile runs (in this process or another),
/// then hold the lock. `waiting` is called once if another sync holds it; past
/// [`LOCK_WAIT_LIMIT`] the wait ends with [`SessionError::Busy`].
pub async fn lock_profile(
    store: &Store,
    waiting: &mut dyn FnMut(),
) -> Result<SyncLock, SessionError> {
    lock_profile_within(store, waiting, LOCK_WAIT_LIMIT).await
}

async fn lock_profile_within(
    store: &Store,
    waiting: &mut dyn FnMut(),
    limit: Duration,
) -> Result<SyncLock, SessionError> {
    let Some(path) = lock_path(store) else {
        return Ok(SyncLock { _file: None });
    };
    let failed = |e: std::io::Error| SessionError::Lock {
        path: path.display().to_string(),
        source: e,
    };
    let mut file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .read(true)
        .write(true)
        .open(&path)
        .map_err(failed)?;
    let started = tokio::time::Instant::now();
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => {
                // Who holds it, for a sync that gives up waiting (only a hint:
                // the lock itself is the kernel's).
                let _ = file.set_len(0).and_then(|()| {
                    file.rewind()?;
                    write!(file, "{}", std::process::id())
                });
                return Ok(SyncLock { _file: Some(file) });
            }
            Err(TryLockError::WouldBlock) => {
                if started.elapsed() >= limit {
                    return Err(SessionError::Busy {
                        path: path.display().to_string(),
                        holder: holder(&mut file),
                        waited: limit,
                    });
                }
                if !said {
                    waiting();
                    said = true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(TryLockError::Error(e)) => return Err(failed(e)),
        }
    }
}

/// The process id the holder of the lock wrote in its file, if it reads as one.
fn holder(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.take(32).read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_sync_waits_for_the_first_and_a_memory_store_never_waits() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pim.sqlite3")).unwrap();
        let first = lock_profile(&store, &mut || panic!("nothing held it"))
            .await
            .unwrap();
        assert!(dir.path().join("pim.sqlite3.sync-lock").exists());
        let mut waited = 0;
        let second = tokio::time::timeout(
            Duration::from_millis(300),
            lock_profile(&store, &mut || waited += 1),
        )
        .await;
        assert!(
            second.is_err(),
            "the second got in while the first held the lock"
        );
        assert_eq!(waited, 1, "the wait is said once");
        drop(first);
        let _second = lock_profile(&store, &mut || panic!("released"))
            .await
            .unwrap();

        let memory = Store::open_in_memory().unwrap();
        let _a = lock_profile(&memory, &mut || panic!("no file"))
            .await
            .unwrap();
        let _b = lock_profile(&memory, &mut || panic!("no file"))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn a_sync_held_up_past_the_limit_gives_up_naming_the_holder() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("pim.sqlite3")).unwrap();
        let _held = lock_profile(&store, &mut || panic!("nothing held it"))
            .await
            .unwrap();
        let mut waited = 0;
        let limit = Duration::from_millis(200);
        let started = tokio::time::Instant::now();
        let err = lock_profile_within(&store, &mut || waited += 1, limit)
            .await
            .unwrap_err();
        assert!(started.elapsed() >= limit, "gave up early");
        assert_eq!(waited, 1);
        match &err {
            SessionError::Busy { holder, .. } => assert_eq!(*holder, Some(std::process::id())),
            other => panic!("{other:?}"),
        }
        let words = err.to_string();
        assert!(words.contains(&std::process::id().to_string()), "{words}");
        assert!(words.contains("pim.sqlite3.sync-lock"), "{words}");
        assert!(words.contains("over 0 seconds"), "{words}");
        assert_eq!(
            err.kind(),
            super::super::ErrorKind::LocalStore,
            "retried by a watch"
        );
    }
}
