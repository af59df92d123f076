//! Issue 19: the output paths of listings and search — a closed pipe is a quiet
//! success, `--version` answers before the command line is built, and search streams
//! its results in the order it always had.

use std::io::Read;
use std::process::Stdio;

use crate::support::pim::Pim;

/// A profile with `n` contacts whose names and notes all hold the word "quokka".
fn contacts(n: usize) -> Pim {
    let pim = Pim::new();
    let mut vcf = String::new();
    for i in 0..n {
        vcf.push_str(&format!(
            "BEGIN:VCARD\r\nVERSION:4.0\r\nUID:c{i}\r\nFN:Quokka {i:05}\r\nN:{i:05};Quokka;;;\r\n\
EMAIL:quokka{i}@example.org\r\nNOTE:a quokka note long enough to make the output grow past one pipe buffer\r\nEND:VCARD\r\n"
        ));
    }
    pim.ok_stdin(&["import", "-"], vcf.as_bytes());
    pim
}

#[test]
fn version_answers_what_clap_answers() {
    let pim = Pim::new();
    let want = pim::cli::command().render_version().to_string();
    for flag in ["--version", "-V"] {
        assert_eq!(pim.ok(&[flag]), want, "{flag}");
    }
    // With other arguments clap answers, as before.
    assert_eq!(pim.ok(&["list", "--version"]), "pim-list 0.1.0\n");
}

#[test]
fn a_closed_pipe_ends_listings_and_search_quietly() {
    let pim = contacts(3000);
    for args in [
        &["list", "contacts", "--json"][..],
        &["list", "contacts"],
        &["search", "quokka", "--json", "--limit", "5000"],
        &["search", "quokka", "--limit", "5000"],
    ] {
        let mut child = pim
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Read a little, then close: the rest (far more than a pipe holds) meets
        // a closed pipe.
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        stdout.read_exact(&mut first).unwrap();
        drop(stdout);
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{args:?}: {:?}", out.status);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{args:?}");
    }
}

#[test]
fn search_streams_every_hit_in_kind_and_title_order() {
    let pim = contacts(300);
    pim.ok(&["add", "note", "--title", "Quokka facts", "--body", "quokka"]);
    pim.ok(&["add", "task", "--summary", "Feed the quokka"]);
    let found = pim.json_list(&["search", "quokka", "--json", "--limit", "1000"]);
    assert_eq!(found.len(), 302);
    let kinds: Vec<&str> = found.iter().map(|v| v["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds[0], "contact");
    assert_eq!(kinds[300], "note");
    assert_eq!(kinds[301], "task");
    let names: Vec<&str> = found[..300]
        .iter()
        .map(|v| v["full_name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    // --limit is honoured; the text table has one row per hit.
    assert_eq!(
        pim.json_list(&["search", "quokka", "--json", "--limit", "7"])
            .len(),
        7
    );
    let text = pim.ok(&["search", "quokka", "--limit", "1000"]);
    assert_eq!(text.lines().count(), 302);
    assert!(
        text.lines().next().unwrap().contains("Quokka 00000"),
        "{text}"
    );
}
