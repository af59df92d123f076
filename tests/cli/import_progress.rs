//! `pim import` shows progress on a terminal (stderr a tty, 1 000+ items) and prints
//! nothing but its summary otherwise. The terminal is a pseudo-terminal from
//! util-linux `script`, which records every byte written to it.

use std::path::Path;
use std::process::Command;

use crate::support::pim::Pim;

fn calendar(events: usize) -> String {
    let mut s = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n");
    for i in 0..events {
        s.push_str(&format!(
            "BEGIN:VEVENT\r\nUID:progress-{i}\r\nDTSTAMP:20260101T000000Z\r\n\
             DTSTART:20260301T{:02}0000Z\r\nSUMMARY:Event {i}\r\nEND:VEVENT\r\n",
            i % 24
        ));
    }
    s.push_str("END:VCALENDAR\r\n");
    s
}

/// A calendar of 1 200 events in `dir`, and a profile next to it.
fn setup(dir: &Path) -> (String, Pim) {
    let file = dir.join("big.ics");
    std::fs::write(&file, calendar(1200)).unwrap();
    (
        file.to_string_lossy().into_owned(),
        Pim::at(&dir.join("home")),
    )
}

#[test]
fn no_progress_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (file, pim) = setup(dir.path());
    let out = pim.run(&["import", &file]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        [format!(
            "{file}: 1200 created, 0 updated, 0 unchanged, 0 skipped, 0 errors"
        )]
    );
}

#[test]
fn progress_on_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (file, pim) = setup(dir.path());
    let log = dir.path().join("tty.log");
    let status = Command::new("script")
        .args(["-q", "-e", "-c"])
        .arg(pim.shell_line(&["import", &file]))
        .arg(&log)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("util-linux `script` is needed (Debian: bsdutils)");
    assert!(status.success());
    let seen = String::from_utf8_lossy(&std::fs::read(&log).unwrap()).into_owned();
    assert!(seen.contains("importing 500/1200"), "{seen:?}");
    assert!(seen.contains("importing 1000/1200"), "{seen:?}");
    // The progress line is erased before the summary.
    assert!(seen.contains("\r\x1b[K"), "{seen:?}");
    assert!(seen.contains("1200 created"), "{seen:?}");
}
