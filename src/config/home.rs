//! Preparing a profile's home: pim makes it private when it creates it, never
//! changes a directory the user already had (`PIM_HOME=/tmp` must not lock /tmp),
//! refuses a directory every user may write to, and keeps every file it makes
//! there readable by the user only (the database holds the sync key).

use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum HomeError {
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("{0} is not a directory")]
    NotADirectory(PathBuf),
    #[error(
        "{0} is writable by every user: other users could replace the database; \
         use a private directory for --home / PIM_HOME"
    )]
    WorldWritable(PathBuf),
    #[error("cannot make {path} private: {source}")]
    Permissions {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// The files pim keeps in a profile, relative to its home: the database with
/// SQLite's companions, and the config (accounts).
const PROFILE_FILES: &[&str] = &[
    "pim.sqlite3",
    "pim.sqlite3-wal",
    "pim.sqlite3-shm",
    "pim.sqlite3-journal",
    "config.toml",
];

/// The profile file at `path`, if it is one (by any spelling, a symlink or a hard
/// link): the database, its companions, the config or the keymap. Output written
/// there would replace what pim keeps (`export -o ~/.local/share/pim/pim.sqlite3`).
pub fn profile_file_at(home: &Path, path: &Path) -> Option<&'static str> {
    let names = PROFILE_FILES.iter().chain(&["keymap.toml"]);
    // A file that exists: the same file as a profile file, however it is reached.
    if let Ok(m) = std::fs::metadata(path) {
        return names
            .into_iter()
            .find(|name| std::fs::metadata(home.join(name)).is_ok_and(|p| same_file(&m, &p)))
            .copied();
    }
    // One that does not (yet): the same place as a profile file.
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let (Ok(parent), Ok(home)) = (std::fs::canonicalize(parent), std::fs::canonicalize(home))
    else {
        return None;
    };
    let name = path.file_name()?;
    (parent == home)
        .then(|| names.into_iter().find(|n| name == std::ffi::OsStr::new(n)))
        .flatten()
        .copied()
}

#[cfg(unix)]
fn same_file(a: &std::fs::Metadata, b: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    a.dev() == b.dev() && a.ino() == b.ino()
}

#[cfg(not(unix))]
fn same_file(_: &std::fs::Metadata, _: &std::fs::Metadata) -> bool {
    false
}

/// Create `home` (mode 0700) if missing, else check it is not world-writable;
/// then create the database file 0600 if missing (SQLite gives its -wal and
/// -shm files the database's mode) and narrow existing profile files to 0600.
pub fn prepare(home: &Path, database: &Path) -> Result<(), HomeError> {
    let create_err = |source| HomeError::Create {
        path: home.to_path_buf(),
        source,
    };
    match std::fs::metadata(home) {
        Ok(m) if !m.is_dir() => return Err(HomeError::NotADirectory(home.to_path_buf())),
        Ok(m) => check_not_world_writable(home, &m)?,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            if let Some(parent) = home.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent).map_err(create_err)?;
            }
            match private_dir_builder().create(home) {
                Ok(()) => {}
                // Another pim made it meanwhile: the same private directory.
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(create_err(e)),
            }
        }
        Err(e) => return Err(create_err(e)),
    }
    create_private_file(database).map_err(|source| HomeError::Create {
        path: database.to_path_buf(),
        source,
    })?;
    for name in PROFILE_FILES {
        restrict_file(&home.join(name))?;
    }
    Ok(())
}

#[cfg(unix)]
fn check_not_world_writable(home: &Path, m: &std::fs::Metadata) -> Result<(), HomeError> {
    use std::os::unix::fs::PermissionsExt;
    if m.permissions().mode() & 0o002 != 0 {
        return Err(HomeError::WorldWritable(home.to_path_buf()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_not_world_writable(_: &Path, _: &std::fs::Metadata) -> Result<(), HomeError> {
    Ok(())
}

fn private_dir_builder() -> std::fs::DirBuilder {
    #[allow(unused_mut)]
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b
}

/// Create an empty file readable by the user only, unless it exists.
fn create_private_file(path: &Path) -> io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    match o.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e),
    }
}

/// Write `bytes` to a new file readable by the user only (a leftover file of
/// that name is replaced: it may have a looser mode).
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// Replace `path` with `bytes`, readable by the user only, through a temporary
/// file of this process's own (and
/// call's): a reader sees the old file or the new one, and two
/// processes writing at once never mix their bytes.
pub fn replace_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut name = path.as_os_str().to_owned();
    name.push(format!(".{}-{n}.tmp", std::process::id()));
    let tmp = std::path::PathBuf::from(name);
    let written = write_private(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Narrow a profile file to 0600 (profiles made by older pims had 0644 files).
#[cfg(unix)]
fn restrict_file(path: &Path) -> Result<(), HomeError> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(m) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !m.is_file() || m.permissions().mode() & 0o077 == 0 {
        return Ok(());
    }
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(|source| {
        HomeError::Permissions {
            path: path.to_path_buf(),
            source,
        }
    })
}

#[cfg(not(unix))]
fn restrict_file(_: &Path) -> Result<(), HomeError> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    /// Many writers at once: the file is always one writer's whole bytes, and no
    /// temporary file is left behind.
    #[test]
    fn replacing_at_once_never_mixes_writers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("kept.json");
        std::thread::scope(|s| {
            for w in 0..8u8 {
                let path = &path;
                s.spawn(move || {
                    let bytes = vec![b'a' + w; 64 * 1024];
                    for _ in 0..20 {
                        replace_private(path, &bytes).unwrap();
                        let now = std::fs::read(path).unwrap();
                        assert_eq!(now.len(), 64 * 1024);
                        assert!(now.iter().all(|b| *b == now[0]), "mixed writers");
                    }
                });
            }
        });
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "{left:?}");
    }

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_new_home_is_private_and_an_existing_one_keeps_its_mode() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path().join("a/b/profile");
        prepare(&home, &home.join("pim.sqlite3")).unwrap();
        assert_eq!(mode(&home), 0o700);
        assert_eq!(mode(&home.join("pim.sqlite3")), 0o600);

        let shared = t.path().join("shared");
        std::fs::create_dir(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o755)).unwrap();
        prepare(&shared, &shared.join("pim.sqlite3")).unwrap();
        assert_eq!(mode(&shared), 0o755);
    }

    #[test]
    fn a_world_writable_home_is_refused_and_left_alone() {
        let t = tempfile::tempdir().unwrap();
        let tmp_like = t.path().join("tmp");
        std::fs::create_dir(&tmp_like).unwrap();
        std::fs::set_permissions(&tmp_like, std::fs::Permissions::from_mode(0o1777)).unwrap();
        let err = prepare(&tmp_like, &tmp_like.join("pim.sqlite3")).unwrap_err();
        assert!(matches!(err, HomeError::WorldWritable(_)), "{err}");
        assert!(err.to_string().contains(&tmp_like.display().to_string()));
        assert_eq!(mode(&tmp_like), 0o1777);
        assert!(!tmp_like.join("pim.sqlite3").exists());
    }

    #[test]
    fn older_profile_files_are_narrowed() {
        let t = tempfile::tempdir().unwrap();
        let home = t.path();
        for name in ["pim.sqlite3", "pim.sqlite3-wal", "config.toml"] {
            std::fs::write(home.join(name), "").unwrap();
            std::fs::set_permissions(home.join(name), std::fs::Permissions::from_mode(0o644))
                .unwrap();
        }
        prepare(home, &home.join("pim.sqlite3")).unwrap();
        for name in ["pim.sqlite3", "pim.sqlite3-wal", "config.toml"] {
            assert_eq!(mode(&home.join(name)), 0o600, "{name}");
        }
    }
}
