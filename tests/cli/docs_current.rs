//! man/ and completions/ are generated from the clap definitions and checked in:
//! this test fails when they are stale. Regenerate with
//! `PIM_UPDATE_DOCS=1 cargo test --test cli docs_current`.

use std::path::Path;

use clap_complete::Shell;

fn check(path: &Path, want: &[u8], stale: &mut Vec<String>) {
    let update = std::env::var_os("PIM_UPDATE_DOCS").is_some();
    let have = std::fs::read(path).unwrap_or_default();
    if have != want {
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, want).unwrap();
        } else {
            stale.push(path.display().to_string());
        }
    }
}

#[test]
fn man_pages_and_completions_are_current() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut stale = Vec::new();
    let pages = pim::cli::render_man();
    for (name, bytes) in &pages {
        check(&root.join("man").join(name), bytes, &mut stale);
    }
    // No leftover pages of removed commands.
    if let Ok(dir) = std::fs::read_dir(root.join("man")) {
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            if !pages.iter().any(|(n, _)| *n == name) {
                if std::env::var_os("PIM_UPDATE_DOCS").is_some() {
                    std::fs::remove_file(entry.path()).unwrap();
                } else {
                    stale.push(format!("man/{name} (no such command)"));
                }
            }
        }
    }
    for (shell, file) in [
        (Shell::Bash, "pim.bash"),
        (Shell::Zsh, "_pim"),
        (Shell::Fish, "pim.fish"),
    ] {
        check(
            &root.join("completions").join(file),
            &pim::cli::render_completions(shell),
            &mut stale,
        );
    }
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}\nregenerate: PIM_UPDATE_DOCS=1 cargo test --test cli docs_current"
    );
}

/// Every option, argument and subcommand of every command says what it is for in
/// `--help` and the man pages (issue 18). Walks the whole command tree, so a
/// command added later is checked too.
#[test]
fn every_option_argument_and_command_has_a_description() {
    fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
        for arg in cmd.get_arguments() {
            let id = arg.get_id().as_str();
            if arg.is_hide_set() || id == "help" || id == "version" {
                continue;
            }
            let described = arg
                .get_help()
                .or(arg.get_long_help())
                .is_some_and(|h| !h.to_string().trim().is_empty());
            if !described {
                let name = arg
                    .get_long()
                    .map(|l| format!("--{l}"))
                    .unwrap_or_else(|| format!("<{}>", id.to_uppercase()));
                missing.push(format!("{path} {name}"));
            }
        }
        for sub in cmd.get_subcommands() {
            if sub.get_name() == "help" || sub.is_hide_set() {
                continue;
            }
            let sub_path = format!("{path} {}", sub.get_name());
            if sub.get_about().is_none() && sub.get_long_about().is_none() {
                missing.push(format!("{sub_path} (the command itself)"));
            }
            walk(sub, &sub_path, missing);
        }
    }
    let mut cmd = pim::cli::command();
    cmd.build();
    let mut missing = Vec::new();
    walk(&cmd, "pim", &mut missing);
    assert!(
        missing.is_empty(),
        "{} without a description:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn help_names_the_app_the_files_and_the_environment() {
    let mut cmd = pim::cli::command();
    let help = cmd.render_long_help().to_string();
    for needle in [
        "Without a subcommand, `pim` opens the full-screen app",
        "PIM_HOME",
        "config.toml",
        "keymap.toml",
        "~/.local/share/pim",
    ] {
        assert!(
            help.contains(needle),
            "pim --help lacks {needle:?}:\n{help}"
        );
    }
    let pages = pim::cli::render_man();
    let root =
        String::from_utf8_lossy(&pages.iter().find(|(n, _)| n == "pim.1").unwrap().1).to_string();
    for section in [
        ".SH FILES",
        ".SH ENVIRONMENT",
        ".SH KEYS",
        "PIM_HOME",
        "keymap.toml",
        "Without a subcommand, pim opens the full\\-screen app",
    ] {
        assert!(root.contains(section), "pim.1 lacks {section:?}");
    }
    for (name, page) in &pages {
        let text = String::from_utf8_lossy(page);
        assert!(
            !text.contains("pim\\-help"),
            "{name} refers to a pim-help(1) that does not exist"
        );
        assert!(text.contains(".SH FILES"), "{name} lacks FILES");
    }
}
