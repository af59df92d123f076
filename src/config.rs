//! Where pim keeps its files, and the user's time zone.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;

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
pub fn local_timezone() -> Tz {
    if let Ok(tz) = std::env::var("TZ")
        && let Ok(z) = tz.trim_start_matches(':').parse::<Tz>()
    {
        return z;
    }
    if let Ok(s) = std::fs::read_to_string("/etc/timezone")
        && let Ok(z) = s.trim().parse::<Tz>()
    {
        return z;
    }
    if let Ok(target) = std::fs::read_link("/etc/localtime") {
        let t = target.to_string_lossy();
        if let Some(idx) = t.find("zoneinfo/")
            && let Ok(z) = t[idx + 9..].parse::<Tz>()
        {
            return z;
        }
    }
    chrono_tz::UTC
}

/// The numbering plan phone search assumes for numbers written without a country:
/// `country = "DE"` in config.toml's `[search]` table, else the country of the
/// locale (`LC_ALL`, `LC_TELEPHONE`, `LANG`, the first one set), else none.
pub fn phone_plan(config_file: &Path) -> Option<PhonePlan> {
    // Most profiles have no config.toml: no parse then.
    let configured = config_file
        .exists()
        .then(|| accounts::ConfigFile::load(config_file).ok())
        .flatten()
        .and_then(|c| {
            c.table("search")
                .and_then(|t| t.get("country"))
                .and_then(|v| v.as_str().map(str::to_string))
        });
    if let Some(country) = configured {
        return PhonePlan::of(&country);
    }
    let locale = ["LC_ALL", "LC_TELEPHONE", "LANG"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))?;
    PhonePlan::of(locale_country(&locale)?)
}

pub mod accounts;
pub mod credentials;
pub mod home;
