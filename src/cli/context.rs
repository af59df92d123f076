//! What every command needs: the open store, the user's zone and the clock.

use std::path::Path;

use crate::model::zonedb::Tz;
use chrono::{DateTime, Utc};

use crate::app::clock::Clock;
use crate::app::records::EditContext;
use crate::config::{Paths, local_timezone};
use crate::store::Store;

pub struct Context {
    pub paths: Paths,
    pub store: Store,
    pub tz: Tz,
    pub now: DateTime<Utc>,
}

impl Context {
    pub fn open(home: Option<&Path>) -> anyhow::Result<Context> {
        let paths = Paths::resolve(home).map_err(anyhow::Error::msg)?;
        paths.ensure()?;
        let store = Store::open(&paths.database())?;
        Ok(Context {
            paths,
            store,
            tz: local_timezone(),
            now: clock_now()?,
        })
    }

    pub fn edit_context(&self) -> EditContext {
        EditContext {
            now: self.now,
            tz: self.tz,
        }
    }

    /// Collection id → name, for printing.
    pub fn collection_names(&self) -> anyhow::Result<std::collections::HashMap<String, String>> {
        Ok(self
            .store
            .collections(None)?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect())
    }
}

/// The clock: `PIM_NOW` (RFC 3339, or `@FILE`) when set, so tests and scripts
/// control time (reminders above all); else the wall clock.
fn clock_now() -> anyhow::Result<DateTime<Utc>> {
    Ok(Clock::from_env()?.start())
}

/// Whatever command ran, name the rows it had to skip and how to remove them.
impl Drop for Context {
    fn drop(&mut self) {
        for skipped in self.store.take_undecodable() {
            errln!("pim: warning: {skipped}");
        }
    }
}
