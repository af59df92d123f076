//! `pim demo`: fill a profile with the demo data the TUI offers on first run.

use anyhow::anyhow;

use super::Context;
use crate::app::demo::{self, DemoError, WhenNotEmpty};

#[derive(Debug, clap::Args)]
pub struct DemoArgs {
    /// Load even if the database already holds records (adds a second copy)
    #[arg(long)]
    pub force: bool,
}

pub fn demo(ctx: &mut Context, a: DemoArgs) -> anyhow::Result<()> {
    let today = ctx.now.with_timezone(&ctx.tz).date_naive();
    let not_empty = if a.force {
        WhenNotEmpty::AddCopy
    } else {
        WhenNotEmpty::Refuse
    };
    let n = match demo::load(&mut ctx.store, today, not_empty) {
        Ok(n) => n,
        Err(DemoError::NotEmpty(held)) => {
            return Err(anyhow!(
                "{} already holds {held} records; use --force to add the demo data anyway, or --home DIR for a fresh profile",
                ctx.paths.database().display()
            ));
        }
        Err(e) => return Err(e.into()),
    };
    outln!("loaded {n} demo records into {}", ctx.paths.home.display());
    Ok(())
}
