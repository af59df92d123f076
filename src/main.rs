//! The `pim` binary: a subcommand runs through the command line; no subcommand
//! starts the full-screen app. The two front-ends never call each other: this file
//! is the only place that knows both.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    pim::cli::main(tui)
}

/// `pim` with no subcommand: the TUI on the profile's database, with how it syncs
/// (or why it cannot yet) and its mail accounts for the Sync tab.
fn tui(home: Option<&Path>) -> anyhow::Result<()> {
    let cx = pim::cli::Context::open(home)?;
    let db = cx.paths.database();
    let home = cx.paths.home.clone();
    let sync = pim::app::sync_session::setup(&cx.store, &cx.paths.config_file(), None);
    let config = pim::config::accounts::ConfigFile::load(&cx.paths.config_file())?;
    // The TUI's worker and sync thread open their own connections.
    drop(cx);
    Ok(pim::tui::run(&db, &home, sync, &config.accounts)?)
}
