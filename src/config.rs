//! Where pim keeps its files, and the user's time zone.

use std::path::{Path, PathBuf};

use crate::model::zonedb::Tz;

use crate::model::phone::{PhonePlan, locale_country};

/// A profile's home: database and config together (`--home`, `PIM_HOME`, or the
/// platform data directory).
#[derive(Debug, Clone)]
pub struct Paths {
    pub home: PathBuf,
}

/// Neither `--home`/`PIM_HOME` nor a platform data directory is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot find a home directory: set --home or PIM_HOME")]
pub struct NoHome;

impl Paths {
    /// `explicit` (from `--home` or `PIM_HOME`), else the platform data directory.
    pub fn resolve(explicit: Option<&Path>) -> Result<Paths, NoHome> {
        let home = match explicit {
            Some(p) => p.to_path_buf(),
            None => directories::ProjectDirs::from("org", "pim", "pim")
                .map(|d| d.data_dir().to_path_buf())
                .ok_or(NoHome)?,
        };
        Ok(Paths { home })
    }

    pub fn database(&self) -> PathBuf {
        self.home.join("pim.sqlite3")
    }

    pub fn config_file(&self) -> PathBuf {
        self.home.join("config.toml")
    }

    /// Create the home directory (private to the user) or check the existing
    /// one; the database file is created readable by the user only.
    pub fn ensure(&self) -> Result<(), home::HomeError> {
        home::prepare(&self.home, &self.database())
    }
}

/// The user's zone: `TZ`, then /etc/timezone, then the /etc/localtime link, else UTC.
/// `TZ` may name a zone file as the C library takes it (`TZ=:/etc/localtime`): the
/// zone is then the one that file links to, read at every call, so a long-running
/// watcher follows a zone change (`timedatectl set-timezone` relinks the file).
pub fn local_timezone() -> Tz {
    if let Ok(tz) = std::env::var("TZ") {
        let name = tz.trim_start_matches(':');
        if let Ok(z) = name.parse::<Tz>() {
            return z;
        }
        if name.starts_with('/')
            && let Some(z) = zone_of_file(Path::new(name))
        {
            return z;
        }
    }
    if let Ok(s) = std::fs::read_to_string("/etc/timezone")
        && let Ok(z) = s.trim().parse::<Tz>()
    {
        return z;
    }
    zone_of_file(Path::new("/etc/localtime")).unwrap_or(crate::model::zonedb::UTC)
}

/// The zone a zone file is: the name after `zoneinfo/` in where it links to (through
/// links to links), or in its own path (`/usr/share/zoneinfo/Europe/Berlin`).
fn zone_of_file(path: &Path) -> Option<Tz> {
    let named = |p: &Path| {
        let t = p.to_string_lossy();
        let idx = t.find("zoneinfo/")?;
        t[idx + 9..].parse::<Tz>().ok()
    };
    // Links to links are followed (as far as the kernel would: a loop ends).
    let mut at = path.to_path_buf();
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&at) else {
            return named(&at);
        };
        if let Some(z) = named(&target) {
            return Some(z);
        }
        at = at.parent().unwrap_or(Path::new("/")).join(target);
    }
    None
}

/// The numbering plan phone search assumes for numbers written without a country:
/// `country = "DE"` in config.toml's `[search]` table, else the country of the
/// locale (`LC_ALL`, `LC_TELEPHONE`, `LANG`, the first one set), else none; and
/// what is wrong with the `[search]` the file has, if anything (said, not passed
/// over: the locale's plan is used then).
pub fn phone_plan(config_file: &Path) -> (Option<PhonePlan>, Option<String>) {
    let (configured, problem) = configured_country(config_file);
    if let Some(plan) = configured.as_deref().and_then(PhonePlan::of) {
        return (Some(plan), problem);
    }
    let problem = match (configured, problem) {
        (Some(c), None) => Some(format!(
            "config.toml [search] country = {c:?}: not a country pim knows (use a code such as \"DE\")"
        )),
        (_, problem) => problem,
    };
    let locale = ["LC_ALL", "LC_TELEPHONE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()));
    let plan = locale.and_then(|l| PhonePlan::of(locale_country(&l)?));
    (plan, problem)
}

/// `[search] country` of config.toml, and what keeps it from being read.
fn configured_country(config_file: &Path) -> (Option<String>, Option<String>) {
    // Most profiles have no config.toml: no parse then.
    if !config_file.exists() {
        return (None, None);
    }
    let config = match accounts::ConfigFile::load(config_file) {
        Ok(c) => c,
        Err(e) => return (None, Some(e.to_string())),
    };
    let Some(table) = config.table("search") else {
        return match config.has("search") {
            true => (None, Some("config.toml [search] is not a table".into())),
            false => (None, None),
        };
    };
    if let Some(key) = table.keys().find(|k| *k != "country") {
        return (
            None,
            Some(format!(
                "config.toml [search] {key}: not a setting pim knows (country)"
            )),
        );
    }
    match table.get("country") {
        None => (None, None),
        Some(v) => match v.as_str() {
            Some(c) => (Some(c.to_string()), None),
            None => (
                None,
                Some(format!(
                    "config.toml [search] country = {v}: use a code such as \"DE\""
                )),
            ),
        },
    }
}

pub mod accounts;
pub mod credentials;
pub mod home;

#[cfg(test)]
mod zone_file_tests {
    use super::*;

    #[test]
    fn a_zone_file_is_the_zone_it_links_to_or_is_named_after() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("localtime");
        std::os::unix::fs::symlink("../usr/share/zoneinfo/Asia/Tokyo", &link).unwrap();
        assert_eq!(
            zone_of_file(&link),
            Some(crate::model::zonedb::Tz::known("Asia/Tokyo"))
        );
        assert_eq!(
            zone_of_file(Path::new("/nonexistent/zoneinfo/Europe/Berlin")),
            Some(crate::model::zonedb::Tz::known("Europe/Berlin"))
        );
        // A link to a link (TZ=:~/tz -> ~/tz2 -> zoneinfo/Asia/Tokyo); a loop is none.
        let chained = dir.path().join("chained");
        std::os::unix::fs::symlink(&link, &chained).unwrap();
        assert_eq!(
            zone_of_file(&chained),
            Some(crate::model::zonedb::Tz::known("Asia/Tokyo"))
        );
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        assert_eq!(zone_of_file(&a), None);
        let plain = dir.path().join("plain");
        std::fs::write(&plain, "TZif").unwrap();
        assert_eq!(zone_of_file(&plain), None);
    }
}
