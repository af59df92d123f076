//! The command line: clap definitions, one module per subcommand, table or JSON output.

#[macro_use]
mod visible;
mod account;
mod agenda;
mod attachments;
mod chunks;
mod collections;
mod conflicts;
mod contacts;
mod context;
mod demo;
mod devices;
mod docs;
mod export;
mod export_json;
mod import;
mod invites;
mod log;
mod people;
mod print;
mod records;
mod remind;
mod show;
mod sync;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use context::Context;
pub use docs::{command, render_completions, render_man};
/// Starts the full-screen app for a profile directory (`pim` with no subcommand).
/// `main` passes it in, so the command line never depends on the TUI.
pub type StartTui = fn(Option<&Path>) -> anyhow::Result<()>;

/// pim — contacts, calendars, tasks and notes in your terminal, synced through your mail account.
#[derive(Debug, Parser)]
#[command(
    name = "pim",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = docs::AFTER_HELP
)]
pub struct Cli {
    /// Profile directory holding the database and config (default: the platform data directory).
    #[arg(long, global = true, env = "PIM_HOME", value_name = "DIR")]
    pub home: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add a contact, event, task or note; prints the new id
    #[command(subcommand)]
    Add(records::AddCommand),
    /// List records of one kind
    List(records::ListArgs),
    /// Show one record
    Show(records::ShowArgs),
    /// Change fields of a record
    Edit(records::EditArgs),
    /// Delete a record
    Delete(records::DeleteArgs),
    /// Full-text search over every kind
    Search(records::SearchArgs),
    /// Contacts for mail clients: address completion (mutt, neomutt, aerc)
    #[command(subcommand)]
    Contacts(contacts::ContactsCommand),
    /// What is coming, by day: events, tasks due, birthdays; --next for a status bar
    Agenda(agenda::AgendaArgs),
    /// List change records, newest last
    Log(log::LogArgs),
    /// Manage address books, calendars, task lists and notebooks
    #[command(subcommand)]
    Collections(collections::CollectionsCommand),
    /// Sync with your other devices through the mail account
    Sync(sync::SyncArgs),
    /// Devices that sync through the account
    #[command(subcommand)]
    Devices(devices::DevicesCommand),
    /// Sync conflicts waiting for a decision (conflict policy `ask`)
    #[command(subcommand)]
    Conflicts(conflicts::ConflictsCommand),
    /// A record's changes: device, time, what changed (values that lost a conflict too)
    History(conflicts::HistoryArgs),
    /// Manage mail accounts (IMAP + SMTP) used for sync and invitations
    #[command(subcommand)]
    Account(account::AccountCommand),
    /// Meeting invitations from the mail account: list, answer, apply updates
    #[command(subcommand)]
    Invites(invites::InvitesCommand),
    /// Attachments of answered invitations, parked on the mail server
    #[command(subcommand)]
    Attachments(attachments::AttachmentsCommand),
    /// Print shell completions
    Completions(docs::CompletionsArgs),
    /// Import iCalendar, vCard, vdir, JSON or Markdown (re-import updates by UID)
    Import(import::ImportArgs),
    /// Export to iCalendar, vCard, vdir, JSON, CSV or Markdown
    Export(export::ExportArgs),
    /// Load demo data (collections, contacts, a month of events, tasks, notes)
    Demo(demo::DemoArgs),
    /// Reminders due now; --watch rings them as they come; dismiss, snooze
    Remind(remind::RemindArgs),
}

/// Parse the command line, run it (no subcommand: `start_tui`), and turn errors into
/// a one-line message and exit 2.
pub fn main(start_tui: StartTui) -> ExitCode {
    if is_version_query(std::env::args_os().skip(1)) {
        // What clap prints, without building the whole command tree first.
        outln!("pim {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => {
            // --help and --version
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            errln!("pim: {}", compact_usage_error(&e.to_string()));
            return ExitCode::from(2);
        }
    };
    match run(cli, start_tui) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A closed stdout (e.g. `pim list | head`) is not an error worth shouting about.
            if print::is_broken_pipe(&e) {
                return ExitCode::SUCCESS;
            }
            errln!("pim: {}", one_line(&e));
            ExitCode::from(2)
        }
    }
}

/// `pim --version` or `pim -V` alone (scripts ask it often; it should cost no more
/// than starting the process).
fn is_version_query(mut args: impl Iterator<Item = std::ffi::OsString>) -> bool {
    let first = args.next();
    args.next().is_none() && first.is_some_and(|a| a == "--version" || a == "-V")
}

/// clap's multi-line usage error as one line (the tip and usage trailer dropped).
fn compact_usage_error(text: &str) -> String {
    let kept: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .filter(|l| !l.is_empty() && !l.starts_with("tip:"))
        .collect();
    let joined = kept.join(" ");
    let s = joined
        .strip_prefix("error: ")
        .unwrap_or(&joined)
        .to_string();
    format!("{s} (see pim --help)")
}

fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if !parts.iter().any(|p| p.contains(&s)) {
            parts.push(s);
        }
    }
    said_once(&parts.join(": ").replace('\n', " "))
}

/// A message whose layers each named the same thing ("sync key: sync key: bad
/// length") says it once: a `: `-separated piece equal to the one before it goes.
fn said_once(message: &str) -> String {
    let mut kept: Vec<&str> = Vec::new();
    for piece in message.split(": ") {
        if kept.last() != Some(&piece) {
            kept.push(piece);
        }
    }
    kept.join(": ")
}

pub fn run(cli: Cli, start_tui: StartTui) -> anyhow::Result<()> {
    let Some(command) = cli.command else {
        return start_tui(cli.home.as_deref());
    };
    match command {
        Command::Completions(a) => docs::completions(a),
        Command::Demo(a) => demo::demo(&mut Context::open(cli.home.as_deref())?, a),
        Command::Account(c) => account::run(cli.home.as_deref(), c),
        Command::Sync(a) => sync::run(&mut Context::open(cli.home.as_deref())?, a),
        Command::Invites(c) => invites::run(&mut Context::open(cli.home.as_deref())?, c),
        Command::Attachments(c) => attachments::run(&mut Context::open(cli.home.as_deref())?, c),
        Command::Devices(c) => devices::run(&mut Context::open(cli.home.as_deref())?, c),
        Command::Conflicts(c) => conflicts::run(&mut Context::open(cli.home.as_deref())?, c),
        Command::History(a) => conflicts::history(&Context::open(cli.home.as_deref())?, a),
        Command::Add(a) => records::add(&mut Context::open(cli.home.as_deref())?, a),
        Command::List(a) => records::list(&Context::open(cli.home.as_deref())?, a),
        Command::Show(a) => records::show(&Context::open(cli.home.as_deref())?, a),
        Command::Edit(a) => records::edit(&mut Context::open(cli.home.as_deref())?, a),
        Command::Delete(a) => records::delete(&mut Context::open(cli.home.as_deref())?, a),
        Command::Search(a) => records::search(&Context::open(cli.home.as_deref())?, a),
        Command::Contacts(c) => contacts::run(&Context::open(cli.home.as_deref())?, c),
        Command::Agenda(a) => agenda::run(&Context::open(cli.home.as_deref())?, a),
        Command::Log(a) => log::log(&Context::open(cli.home.as_deref())?, a),
        Command::Collections(c) => collections::run(&mut Context::open(cli.home.as_deref())?, c),
        Command::Import(a) => import::import(&mut Context::open(cli.home.as_deref())?, a),
        Command::Export(a) => export::export(&Context::open(cli.home.as_deref())?, a),
        Command::Remind(a) => remind::run(&mut Context::open(cli.home.as_deref())?, a),
    }
}

#[cfg(test)]
mod tests {
    use super::{one_line, said_once};

    #[test]
    fn a_message_says_each_thing_once() {
        assert_eq!(
            said_once("sync key: sync key: bad length"),
            "sync key: bad length"
        );
        assert_eq!(said_once("a: b: a: b"), "a: b: a: b");
        let e = anyhow::anyhow!("inner reason").context("outer: inner reason");
        assert_eq!(one_line(&e), "outer: inner reason");
        let item = crate::formats::ItemError {
            index: 2,
            line: 9,
            reason: "line 9: expected NAME:value".into(),
        };
        assert_eq!(item.to_string(), "item 2 (line 9): expected NAME:value");
    }
}
