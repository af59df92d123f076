//! `pim demo`: fill a profile with the demo data the TUI offers on first run.

use super::Context;
use crate::model::Kind;
use anyhow::bail;

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Load even if the database already holds records (adds a second copy)
    #[arg(long)]
    pub force: bool,
}

pub fn demo(ctx: &mut Context, a: DemoArgs) -> anyhow::Result<()> {
    let mut existing = 0;
    for k in Kind::ALL {
        existing += ctx.store.count(k)?;
    }
    if existing > 0 && !a.force {
        bail!(
            "{} already holds {existing} records; use --force to add the demo data anyway, or --home DIR for a fresh profile",
            ctx.paths.database().display()
        );
    }
    let today = ctx.now.with_timezone(&ctx.tz).date_naive();
    let n = crate::tui::demo::load(&mut ctx.store, today)?;
    println!("loaded {n} demo records into {}", ctx.paths.home.display());
    Ok(())
}

/// `pim` with no subcommand: the full-screen app.
pub fn tui(home: Option<&std::path::Path>) -> anyhow::Result<()> {
    let ctx = Context::open(home)?;
    let db = ctx.paths.database();
    let home = ctx.paths.home.clone();
    let setup = crate::app::sync_session::setup(&ctx.store, &ctx.paths.config_file(), None);
    let config = crate::config::accounts::ConfigFile::load(&ctx.paths.config_file())
        .map_err(anyhow::Error::msg)?;
    let syncing = setup.as_ref().ok().map(|s| s.account_name.clone());
    let accounts = config
        .accounts
        .iter()
        .map(|(name, a)| {
            crate::tui::sync_pane::AccountLine::new(name, a, syncing.as_deref() == Some(name))
        })
        .collect();
    drop(ctx);
    crate::tui::run(&db, &home, setup, accounts)
}
