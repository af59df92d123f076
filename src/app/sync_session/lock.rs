//! One sync at a time per profile. A round, a rekey, taking a waiting epoch, joining
//! and forgetting a device each hold an advisory lock on a file beside the database
//! for as long as they talk to the server, so `pim sync` from cron, a `--watch`, the
//! TUI's background thread and a TUI job (rekey, take epoch) never interleave their
//! plans. The lock is the kernel's (`flock`): a killed process lets go of it.

use std::fs::{File, OpenOptions, TryLockError};
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

/// Wait until no other sync of this profile runs (in this process or another),
/// then hold the lock. `waiting` is called once if another sync holds it.
pub async fn lock_profile(
    store: &Store,
    waiting: &mut dyn FnMut(),
) -> Result<SyncLock, SessionError> {
    let Some(path) = lock_path(store) else {
        return Ok(SyncLock { _file: None });
    };
    let failed = |e: std::io::Error| SessionError::Lock {
        path: path.display().to_string(),
        source: e,
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(failed)?;
    let mut said = false;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(SyncLock { _file: Some(file) }),
            Err(TryLockError::WouldBlock) => {
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
}
