//! The README's command-line tour, run as a new user would paste it: every code
//! block marked `<!-- tour -->` runs in bash, in order, in one fresh profile and a
//! fresh home directory, with the `pim` under test first on PATH. A command that
//! fails (or a block that no longer parses) fails the test, naming the command.

use std::path::Path;
use std::process::Command;

/// The marked blocks' text, in order.
fn tour_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut lines = readme.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "<!-- tour -->" {
            continue;
        }
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "<!-- tour --> must stand right above a code block, found {fence:?}"
        );
        let body: Vec<&str> = lines
            .by_ref()
            .take_while(|l| !l.starts_with("```"))
            .collect();
        blocks.push(body.join("\n"));
    }
    blocks
}

/// A block's commands: continuation lines joined, comments and blank lines left out.
fn commands(block: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in block.lines() {
        let trimmed = line.trim();
        if current.is_empty() && (trimmed.is_empty() || trimmed.starts_with('#')) {
            continue;
        }
        match line.trim_end().strip_suffix('\\') {
            Some(head) => {
                current.push_str(head);
                current.push(' ');
            }
            None => {
                current.push_str(line);
                out.push(std::mem::take(&mut current));
            }
        }
    }
    out
}

#[test]
fn every_readme_tour_command_runs_in_a_fresh_profile() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let blocks = tour_blocks(&readme);
    assert!(!blocks.is_empty(), "the README marks no tour block");
    let all: Vec<String> = blocks.iter().flat_map(|b| commands(b)).collect();
    assert!(all.len() > 10, "the tour has commands: {all:?}");

    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("home");
    let profile = dir.path().join("profile");
    std::fs::create_dir_all(&home).unwrap();
    let bin = Path::new(env!("CARGO_BIN_EXE_pim")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    // One script, so the variables the tour sets (ids) carry over; each command is
    // announced on stderr first, and the script stops at the first failure.
    let mut script = String::from("set -e -o pipefail\n");
    for c in &all {
        let shown = c.replace('\'', "'\\''");
        script.push_str(&format!("printf '%s\\n' '>>> {shown}' >&2\n{c}\n"));
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(root)
        .env("HOME", &home)
        .env("PIM_HOME", &profile)
        .env("PATH", path)
        .env("TZ", "Europe/Berlin")
        .env_remove("XDG_DATA_HOME")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let failed_at = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with(">>> "))
        .unwrap_or("(before the first command)");
    assert!(
        out.status.success(),
        "README tour failed at {failed_at}\nstderr:\n{stderr}\nstdout:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    for c in &all {
        assert!(
            stderr.contains(&format!(">>> {c}")),
            "{c:?} did not run:\n{stderr}"
        );
    }
    // What the tour promised is there.
    assert!(
        home.join(".local/share/bash-completion/completions/pim")
            .metadata()
            .is_ok_and(|m| m.len() > 1000)
    );
    let notes = Command::new(env!("CARGO_BIN_EXE_pim"))
        .args([
            "--home",
            &profile.display().to_string(),
            "list",
            "notes",
            "--json",
        ])
        .output()
        .unwrap();
    let notes: serde_json::Value = serde_json::from_slice(&notes.stdout).unwrap();
    assert_eq!(
        notes[0]["body"], "- milk\n- bread\n",
        "printf stores two lines, not a literal \\n"
    );
}

#[test]
fn tour_blocks_are_split_into_commands() {
    let readme = "text\n<!-- tour -->\n```sh\n# a comment\npim a \\\n    --b c\n\npim d\n```\n";
    let blocks = tour_blocks(readme);
    assert_eq!(commands(&blocks[0]), ["pim a      --b c", "pim d"]);
}
