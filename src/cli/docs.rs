//! Shell completions and the man page, generated from the clap definitions.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh or fish (also elvish, powershell)
    pub shell: Shell,
}

pub fn command() -> clap::Command {
    Cli::command()
}

pub fn render_completions(shell: Shell) -> Vec<u8> {
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut command(), "pim", &mut out);
    out
}

/// The man pages: `pim.1` and one `pim-SUB.1` per subcommand (nested ones too).
pub fn render_man() -> Vec<(String, Vec<u8>)> {
    let mut pages = Vec::new();
    let mut cmd = command();
    cmd.build();
    collect_pages(&cmd, "pim", &mut pages);
    pages
}

fn collect_pages(cmd: &clap::Command, name: &str, pages: &mut Vec<(String, Vec<u8>)>) {
    let mut out = Vec::new();
    let page_cmd = cmd.clone().name(name.to_string());
    clap_mangen::Man::new(page_cmd)
        .render(&mut out)
        .expect("writing to memory");
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
