//! Bugs the coordinator of session 14 found by playing the user who types the
//! unexpected: each test failed before its fix.

use crate::support::pim::Pim;

/// `pim collections add events "Work "` beside "Work" made a second calendar every
/// listing showed as "Work", told apart by nothing, and `--collection Work` named
/// only one of them. Names beginning or ending with white space are refused (a
/// file's names are trimmed as they are read).
#[test]
fn collection_names_with_spaces_around_them_are_refused() {
    let pim = Pim::new();
    pim.ok(&["collections", "add", "events", "Work"]);
    for name in ["Work ", " Work", "\u{a0}Work", "Work\u{3000}"] {
        let err = pim.fails(&["collections", "add", "events", name]);
        assert!(err.contains("collection name"), "{name:?}: {err}");
        let err = pim.fails(&["collections", "rename", "events", "Work", name]);
        assert!(err.contains("collection name"), "{name:?}: {err}");
    }
    pim.ok(&["collections", "rename", "events", "Work", "Work two"]);
    let names: Vec<String> = pim
        .json_list(&["collections", "list", "--json"])
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.starts_with("Work")).count(),
        1,
        "{names:?}"
    );
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:u\r\n\
        DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\nSUMMARY:S\r\nEND:VEVENT\r\n\
        END:VCALENDAR\r\n";
    let out = pim.run_stdin(
        &["import", "--collection", "Work two ", "-"],
        ics.as_bytes(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("collection name"));
    // A backup naming a collection with spaces around it (made before such names
    // were refused) restores into the trimmed name.
    pim.ok_stdin(&["import", "--collection", "Work two", "-"], ics.as_bytes());
    let backup = pim.ok(&["export", "all"]).replace(
        "\"collection\":\"Work two\"",
        "\"collection\":\"Work two \"",
    );
    let fresh = Pim::new();
    fresh.ok_stdin(&["import", "-"], backup.as_bytes());
    let events = fresh.json_list(&["list", "events", "--json"]);
    assert_eq!(events[0]["collection"], "Work two", "{events:?}");
}

/// A stranger's invitation (or any imported file) whose summary holds terminal
/// controls — OSC 2 retitling the window, CSI 2J clearing the screen, OSC 52
/// writing the clipboard — had them obeyed by the terminal when `pim show`,
/// `list` or `search` printed it. On a terminal they are shown (`␛`), not obeyed;
/// to a pipe the text is left as it is (and `--json` escapes them anyway).
#[test]
fn terminal_controls_in_records_are_shown_not_obeyed() {
    use crate::support::tmux::Tmux;
    let dir = tempfile::tempdir().unwrap();
    let pim = Pim::at(&dir.path().join("profile"));
    let ics = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:x\r\nBEGIN:VEVENT\r\nUID:esc\r\n\
        DTSTAMP:20260101T000000Z\r\nDTSTART:20261201T100000Z\r\n\
        SUMMARY:Hi \u{1b}]2;pwned\u{7}there\u{1b}[2J\r\n\
        DESCRIPTION:clip \u{1b}]52;c;cm0gLXJmIH4K\u{7}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
    pim.ok_stdin(&["import", "-"], ics.as_bytes());
    let raw = pim.ok(&["list", "events"]);
    assert!(
        raw.contains("\u{1b}]2;pwned"),
        "a pipe gets the text as stored"
    );
    let id = pim.json_list(&["list", "events", "--json"])[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tmux = Tmux::new("pim-controls");
    let line = |args: &[&str]| pim.shell_line(args);
    let cmd = format!(
        "sh -c \"{}; {}; {}; echo DONE; sleep 60\"",
        line(&["show", &id]),
        line(&["list", "events"]),
        line(&["search", "there"]),
    );
    tmux.start(&format!("env TERM=xterm-256color {cmd}"));
    tmux.wait_for("DONE");
    let screen = tmux.screen();
    let title = tmux.run(&["display-message", "-p", "-t", tmux.session, "#{pane_title}"]);
    let title = String::from_utf8_lossy(&title.stdout).into_owned();
    tmux.run(&["kill-server"]);
    assert!(!title.contains("pwned"), "the window was retitled: {title}");
    assert_eq!(
        screen.matches("Hi ␛]2;pwned␇there␛[2J").count(),
        3,
        "{screen}"
    );
    assert!(screen.contains("clip ␛]52;c;cm0gLXJmIH4K␇"), "{screen}");
}

/// config.toml `[search] country` of the wrong type (`5`), a country pim does not
/// know, a misspelt key or a file that does not parse were passed over without a
/// word: phone search quietly assumed another country. `pim search` says so (and
/// still searches, with the locale's plan).
#[test]
fn search_settings_that_do_not_read_are_said() {
    let pim = Pim::new();
    pim.ok(&[
        "add",
        "contact",
        "--name",
        "Ada",
        "--phone",
        "+49 30 1234567",
    ]);
    let config = pim.home().join("config.toml");
    for (text, says) in [
        (
            "[search]\ncountry = 5\n",
            "country = 5: use a code such as \"DE\"",
        ),
        (
            "[search]\ncountry = \"XX\"\n",
            "country = \"XX\": not a country pim knows",
        ),
        (
            "[search]\ncontry = \"DE\"\n",
            "contry: not a setting pim knows",
        ),
        ("[search\n", "config.toml"),
    ] {
        std::fs::write(&config, text).unwrap();
        let out = pim.run(&["search", "Ada"]);
        assert_eq!(out.status.code(), Some(0), "{text}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("warning") && err.contains(says),
            "{text}: {err}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).contains("Ada"));
    }
    std::fs::write(&config, "[search]\ncountry = \"DE\"\n").unwrap();
    let out = pim.run(&["search", "030 1234567"]);
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Ada"));
}
