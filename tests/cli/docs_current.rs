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
