//! Shell completions and the man page, generated from the clap definitions.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh or fish (also elvish, powershell)
    pub shell: Shell,
}

/// What `pim --help` says after the commands: the app, the files, the environment.
pub const AFTER_HELP: &str = "\
Without a subcommand, `pim` opens the full-screen app (press ? in it for the keys).

Files, in the profile directory (--home DIR, else $PIM_HOME, else the platform data
directory: ~/.local/share/pim on Linux, ~/Library/Application Support/org.pim.pim on macOS):
  pim.sqlite3   the database: records, change log, sync key (readable by you only)
  config.toml   mail accounts (`pim account add`) and [invitations] settings
  keymap.toml   your own keys for the app: copy assets/keymap.toml and change it

Environment: PIM_HOME (the profile directory), NO_COLOR (a colourless app),
VISUAL / EDITOR (notes in an editor), TZ (your time zone), PIM_POLL_INTERVAL
(seconds between polls on servers without IDLE). See man pim.";

/// The FILES section of every man page (roff).
const MAN_FILES: &str = r#".SH FILES
.TP
\fIPROFILE\fR/pim.sqlite3
The database: records, the change log and the sync key (mode 0600).
.TP
\fIPROFILE\fR/config.toml
Mail accounts (\fBpim account add\fR) and the [invitations] settings.
.TP
\fIPROFILE\fR/keymap.toml
Your keys for the app; a section replaces the keys of the actions it names
(the defaults are assets/keymap.toml in the source).
.PP
\fIPROFILE\fR is the profile directory: \fB\-\-home\fR DIR, else $PIM_HOME, else the
platform data directory (~/.local/share/pim on Linux,
~/Library/Application Support/org.pim.pim on macOS).
"#;

/// The ENVIRONMENT section of every man page (roff).
const MAN_ENVIRONMENT: &str = r#".SH ENVIRONMENT
.TP
\fBPIM_HOME\fR
The profile directory, as \fB\-\-home\fR.
.TP
\fBNO_COLOR\fR
Any non-empty value: the app draws without colours.
.TP
\fBVISUAL\fR, \fBEDITOR\fR
The editor the app opens for a note.
.TP
\fBTZ\fR
Your time zone (else the system's).
.TP
\fBPIM_POLL_INTERVAL\fR
Seconds between polls when the IMAP server has no IDLE (default 30).
"#;

/// The KEYS section of pim(1): the app's main keys.
const MAN_KEYS: &str = r#".SH KEYS
\fBpim\fR without a subcommand opens the app. Press \fB?\fR in any tab for every key.
.TP
\fB1\fR\-\fB5\fR, \fBTab\fR, \fBShift\-Tab\fR
Calendar, Contacts, Tasks, Notes, Sync.
.TP
\fBh j k l\fR or arrows
Move (calendar: day, week).
.TP
\fBn\fR, \fBp\fR
Next, previous month (week in the week view).
.TP
\fBt\fR, \fBg\fR
Today; go to a date.
.TP
\fBv\fR (or \fBM W A\fR)
Month grid, week, agenda.
.TP
\fBa\fR, \fBe\fR or \fBEnter\fR, \fBd\fR
Add, edit, delete.
.TP
\fBSpace\fR, \fBx\fR
Task done, not done.
.TP
\fB/\fR
Search everything.
.TP
\fBu\fR
Undo the last edit.
.TP
\fBH\fR
History of the selected record.
.TP
\fBs\fR
Sync tab: sync now.
.TP
\fBy m n\fR
Sync tab: accept, tentative, decline the selected invitation.
.TP
\fBq\fR, \fBCtrl\-C\fR
Quit.
"#;

pub fn command() -> clap::Command {
    Cli::command()
}

/// `cmd` and every command below it without clap's `help` subcommand: the man
/// pages document `--help`, and there is no pim-help(1).
fn without_help_subcommand(cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    let mut cmd = cmd.disable_help_subcommand(true);
    for name in names {
        cmd = cmd.mut_subcommand(name, without_help_subcommand);
    }
    cmd
}

pub fn render_completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "pim", &mut out);
    out
}

/// The man pages: `pim.1` and one `pim-SUB.1` per subcommand (nested ones too).
pub fn render_man() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let mut cmd = without_help_subcommand(command());
    cmd.build();
    collect_pages(&cmd, "pim", &mut pages);
    pages
}

fn collect_pages(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let mut out = Vec::new();
    let mut page_cmd = cmd.clone().name(name.to_string());
    if name == "pim" {
        page_cmd = page_cmd.long_about(
            "Contacts, calendars, tasks and notes in one local database, with a \
             full-screen app and a scriptable command line, synced between your devices \
             through an IMAP folder of your own mail account, end-to-end encrypted.\n\n\
             Without a subcommand, pim opens the full-screen app (see KEYS).",
        );
    }
    let has_args = page_cmd
        .get_arguments()
        .any(|a| !a.is_hide_set() && a.get_id() != "help" && a.get_id() != "version");
    let has_subs = page_cmd.get_subcommands().next().is_some();
    let man = clap_mangen::Man::new(page_cmd);
    // clap_mangen's sections, then pim's own; the root page's after-help text is
    // said by FILES, ENVIRONMENT and KEYS instead of an EXTRA section.
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut out)?;
        man.render_name_section(&mut out)?;
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        if has_args || name == "pim" {
            man.render_options_section(&mut out)?;
        }
        if has_subs {
            man.render_subcommands_section(&mut out)?;
        }
        if name == "pim" {
            out.extend_from_slice(MAN_KEYS.as_bytes());
        }
        out.extend_from_slice(MAN_FILES.as_bytes());
        out.extend_from_slice(MAN_ENVIRONMENT.as_bytes());
        man.render_version_section(&mut out)
    })();
    rendered.expect("writing to memory");
    pages.push((format!("{name}.1"), out));
    for sub in cmd
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        collect_pages(sub, &format!("{name}-{}", sub.get_name()), pages);
    }
}

pub fn completions(a: CompletionsArgs) -> anyhow::Result<()> {
    use std::io::Write;
    std::io::stdout().write_all(&render_completions(a.shell))?;
    Ok(())
}
