//! Attacks of session 14 (second helper): the TUI, accounts and config, reminders,
//! notes and tasks. Each test is a bug found by playing a hostile user or file.

use crate::support::pim::Pim;

/// `--start '2026-12-01 10:00:60'` (a leap second, as chrono reads `:60`) was taken
/// and stored as `DTSTART:20261201T100060Z`, a value nothing reads back: the event
/// had no start, left the calendar and the agenda, and its export was invalid
/// (pim's own import refuses it). A time with second 60 is refused by name.
#[test]
fn a_leap_second_is_refused_not_stored_as_an_unreadable_start() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-01T08:00:00Z");
    for when in [
        "2026-12-01 10:00:60",
        "2026-12-01T23:59:60",
        "2026-06-30T23:59:60Z",
    ] {
        let err = pim.fails(&["add", "event", "--summary", "x", "--start", when]);
        assert!(
            err.contains(when) && err.contains("second"),
            "{when}: {err}"
        );
        let err = pim.fails(&["add", "task", "--summary", "t", "--due", when]);
        assert!(err.contains("second"), "{when}: {err}");
    }
    assert!(pim.json_list(&["list", "events", "--json"]).is_empty());
    assert!(pim.json_list(&["list", "tasks", "--json"]).is_empty());
}

/// A note edited in `$EDITOR` (E) whose text pim then refused — the title line left
/// empty, bytes that are not UTF-8, an editor that exited with an error — was lost:
/// the temp file was removed before the text was looked at, and the status line
/// said only why. The file is kept and the status line names it.
#[test]
fn a_note_text_the_tui_refuses_from_the_editor_is_kept() {
    let dir = tempfile::tempdir().unwrap();
    let pim = Pim::at(&dir.path().join("profile"));
    pim.ok(&["add", "note", "--title", "Shopping", "--body", "milk"]);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let cases: [(&str, &[u8]); 3] = [
        ("empty-title", b"\n\nprecious words\n"),
        ("latin1", b"Shopping\n\ncaf\xe9 precious words\n"),
        ("failed", b"Shopping\n\nprecious words\n"),
    ];
    for (name, text) in cases {
        std::fs::write(dir.path().join(name), text).unwrap();
        let script = dir.path().join(format!("{name}.sh"));
        let status = if name == "failed" { 1 } else { 0 };
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\ncat '{}' > \"$1\"\nexit {status}\n",
                dir.path().join(name).display()
            ),
        )
        .unwrap();
        let tmux = crate::support::tmux::Tmux::new("pim-editor");
        let cmd = format!(
            "env NO_COLOR=1 TERM=xterm-256color TMPDIR={} VISUAL='sh {}' {}",
            tmp.display(),
            script.display(),
            pim.shell_line(&[])
        );
        tmux.start(&cmd);
        // Wide enough for the message and the temp path.
        tmux.run(&["resize-window", "-t", tmux.session, "-x", "230"]);
        tmux.keys(&["4"]);
        tmux.wait_for("Shopping");
        tmux.keys(&["E"]);
        tmux.wait_for("kept in");
        tmux.keys(&["q"]);
        tmux.wait_exit();
        let kept: Vec<Vec<u8>> = std::fs::read_dir(&tmp)
            .unwrap()
            .map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        assert!(
            kept.iter().any(|k| k == text),
            "{name}: the editor's text is not kept in {}",
            tmp.display()
        );
        for e in std::fs::read_dir(&tmp).unwrap() {
            std::fs::remove_file(e.unwrap().path()).unwrap();
        }
    }
    let notes = pim.json_list(&["list", "notes", "--json"]);
    assert_eq!(notes.len(), 1, "{notes:?}");
}

/// A Markdown note's `created:` of the year 0, past 9999 or with a leap second was
/// taken and stored as `CREATED:00000101T000000Z`, `CREATED;VALUE=DATE:+999991231`,
/// `T235960Z`: values pim's own exports then wrote for other programs to choke on,
/// and its Markdown export dropped without a word. They are refused by name like
/// any `created:` that does not read.
#[test]
fn a_markdown_created_icalendar_cannot_hold_is_refused() {
    let pim = Pim::new();
    for created in [
        "0000-01-01T00:00:00Z",
        "9999-12-31T23:59:60Z",
        "+99999-12-31",
        "2026-06-30 23:59:60",
    ] {
        let md = format!("---\ntitle: T\nuid: u1\ncreated: {created}\n---\nbody\n");
        let path = pim.path("n.md");
        std::fs::write(&path, md).unwrap();
        let out = pim.run(&["import", path.to_str().unwrap()]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{created}: {err}");
        assert!(err.contains("created") && err.contains(created), "{err}");
    }
    assert!(pim.json_list(&["list", "notes", "--json"]).is_empty());
}

/// `pim edit ID --set parent=PREFIX` stored the prefix itself as the parent's UID
/// (`pim add --parent PREFIX` resolves it): the task fell out of its tree, and a
/// parent that exists nowhere (`parent=nonexistent`) was taken as well. A task could
/// also be made its own parent, or its subtask's subtask (a loop). The parent is
/// resolved as `add` does, must be a task, and a loop is refused.
#[test]
fn a_parent_set_by_edit_is_resolved_and_never_a_loop() {
    let pim = Pim::new();
    let a = pim
        .ok(&["add", "task", "--summary", "A"])
        .trim()
        .to_string();
    let b = pim
        .ok(&["add", "task", "--summary", "B"])
        .trim()
        .to_string();
    pim.ok(&["edit", &b, "--set", &format!("parent={}", &a[..8])]);
    let parent_of = |id: &str| pim.json(&["show", id, "--json"])["parent"].clone();
    assert_eq!(parent_of(&b), a.as_str(), "the prefix names A");
    pim.fails_with(&["edit", &b, "--set", "parent=nonexistent"], "nonexistent");
    let note = pim.ok(&["add", "note", "--title", "n"]).trim().to_string();
    pim.fails_with(
        &["edit", &b, "--set", &format!("parent={note}")],
        "not a task",
    );
    pim.fails_with(&["edit", &a, "--set", &format!("parent={a}")], "loop");
    pim.fails_with(&["edit", &a, "--set", &format!("parent={b}")], "loop");
    assert_eq!(parent_of(&a), serde_json::Value::Null);
    assert_eq!(parent_of(&b), a.as_str());
    // Clearing stays possible.
    pim.ok(&["edit", &b, "--set", "parent="]);
    assert_eq!(parent_of(&b), serde_json::Value::Null);
}

/// `pim account add --user $'bob\nx'` (a pasted login with its line break) was
/// saved: the login could never work (the IMAP library refuses a line break in
/// LOGIN only at the first sync, far from the typo). A user name with a control
/// character is refused when added, naming it; a CA path that is a folder is said
/// to be one (it was "does not exist").
#[test]
fn an_account_user_with_a_line_break_is_refused_when_added() {
    let pim = Pim::new();
    let add = |user: &str, ca: Option<&str>| {
        let mut args = vec![
            "account",
            "add",
            "a1",
            "--imap",
            "mail.example.org:993",
            "--smtp",
            "mail.example.org:465",
            "--user",
            user,
            "--email",
            "bob@example.org",
            "--password-command",
            "pass show mail",
        ];
        if let Some(ca) = ca {
            args.extend(["--ca-file", ca]);
        }
        pim.run(&args)
    };
    for user in ["bob\nx", "bob\rx", "\u{1b}[31mbob", "bob\tx"] {
        let out = add(user, None);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{user:?}: {err}");
        assert!(err.contains("user") && err.contains("control"), "{err}");
    }
    assert!(!pim.path("config.toml").exists());
    let dir = pim.path("certs");
    std::fs::create_dir(&dir).unwrap();
    let out = add("bob", Some(dir.to_str().unwrap()));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("is a folder"), "{err}");
}

/// Text pasted into the TUI came as keys: pasting "Pasted\nkdy" into a new task's
/// title saved the form at the line break, then `k`, `d`, `y` deleted the task
/// above it. The terminal's bracketed paste is on: the text is the title.
#[test]
fn a_paste_is_text_not_commands() {
    let dir = tempfile::tempdir().unwrap();
    let pim = Pim::at(&dir.path().join("profile"));
    pim.ok(&["add", "task", "--summary", "Precious task"]);
    let tmux = crate::support::tmux::Tmux::new("pim-paste");
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        pim.shell_line(&[])
    ));
    tmux.keys(&["3"]);
    tmux.wait_for("Precious task");
    tmux.keys(&["a"]);
    tmux.wait_for("New task");
    assert!(
        tmux.run(&["set-buffer", "-b", "p", "Pasted\nkdy"])
            .status
            .success()
    );
    assert!(
        tmux.run(&["paste-buffer", "-p", "-b", "p", "-t", tmux.session])
            .status
            .success()
    );
    tmux.wait_for("Pasted kdy");
    tmux.keys(&["Enter"]);
    tmux.wait_for("created task");
    tmux.keys(&["q"]);
    tmux.wait_exit();
    let tasks = pim.json_list(&["list", "tasks", "--json"]);
    let titles: Vec<&str> = tasks.iter().filter_map(|t| t["summary"].as_str()).collect();
    assert!(titles.contains(&"Precious task"), "{titles:?}");
    assert!(titles.contains(&"Pasted kdy"), "{titles:?}");
}

/// `pim edit TASK --set start=` after the task's due was saved (RFC 5545: a due is
/// at or after the start; an event's end before its start is refused). A start or
/// due that puts the due first is refused, naming the field.
#[test]
fn a_task_due_before_its_start_is_refused() {
    let pim = Pim::new().env("PIM_NOW", "2026-12-01T08:00:00Z");
    let t = pim.ok(&["add", "task", "--summary", "T", "--due", "2026-12-05"]);
    let t = t.trim();
    pim.fails_with(&["edit", t, "--set", "start=2026-12-10"], "start");
    pim.ok(&["edit", t, "--set", "start=2026-12-03"]);
    pim.fails_with(&["edit", t, "--set", "due=2026-12-02"], "due");
    // Both at once, in order, are fine.
    pim.ok(&[
        "edit",
        t,
        "--set",
        "due=2026-12-20",
        "--set",
        "start=2026-12-10",
    ]);
    let shown = pim.json(&["show", t, "--json"]);
    assert!(
        shown["start"].as_str().unwrap().starts_with("2026-12-10"),
        "{shown}"
    );
}
