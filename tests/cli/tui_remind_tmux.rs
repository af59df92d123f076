//! Issue 17, the reminder popup of the real `pim` TUI driven through tmux: it rings over
//! the tab the user is on, the status line counts what is due, `d` dismisses (written
//! into the record), `s` snoozes, Enter opens the event; and a TUI and `pim remind
//! --watch` on one profile do not both ring one reminder. The clock is `PIM_NOW`, a
//! file the test steps.

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

use crate::support::pim::Pim;
use crate::support::tmux::Tmux;

fn add(pim: &Pim, summary: &str, start: &str, alarm: &str, more: &[&str]) {
    let mut args = vec![
        "add",
        "event",
        "--summary",
        summary,
        "--start",
        start,
        "--alarm",
        alarm,
    ];
    args.extend_from_slice(more);
    pim.ok(&args);
}

/// Step the clock file (written whole, then renamed: never read half-written).
fn set_clock(clock: &Path, now: &str) {
    let tmp = clock.with_extension("tmp");
    std::fs::write(&tmp, now).unwrap();
    std::fs::rename(&tmp, clock).unwrap();
}

/// The same profile with the clock at `now`.
fn at(pim: &Pim, now: &str) -> Pim {
    Pim::at(pim.home()).tz(pim.time_zone()).env("PIM_NOW", now)
}

fn due(pim: &Pim, now: &str) -> Vec<Value> {
    at(pim, now).json_list(&["remind", "--json"])
}

/// The TUI on `pim`'s profile with its clock in the file `clock`.
fn tui(pim: &Pim, clock: &Path, session: &'static str) -> Tmux {
    let tmux = Tmux::new(session);
    let clocked = Pim::at(pim.home())
        .tz(pim.time_zone())
        .env("PIM_NOW", &format!("@{}", clock.display()));
    tmux.start(&format!(
        "env NO_COLOR=1 TERM=xterm-256color {}",
        clocked.shell_line(&[])
    ));
    tmux
}

fn wait_gone(tmux: &Tmux, needle: &str) {
    let start = std::time::Instant::now();
    while tmux.screen().contains(needle) {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "{needle:?} stays:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_popup_rings_over_any_tab_and_dismisses_snoozes_and_opens() {
    let pim = Pim::new();
    add(&pim, "Design review", "2026-12-01 10:00", "-15m", &[]);
    add(
        &pim,
        "Budget call",
        "2026-12-01 10:30",
        "-30m",
        &["--location", "Room 9"],
    );
    pim.ok(&["add", "contact", "--name", "Ada Lovelace"]);
    let clock = pim.path("now");
    set_clock(&clock, "2026-12-01T09:30:00Z");
    let tmux = tui(&pim, &clock, "pim-remind");
    tmux.wait_for("Design review");
    assert!(!tmux.screen().contains(" Reminder "), "{}", tmux.screen());

    // On the Contacts tab when both come due: the popup rings over it, counted.
    tmux.keys(&["2"]);
    tmux.wait_for("Ada Lovelace");
    set_clock(&clock, "2026-12-01T10:05:00Z");
    tmux.wait_for(" Reminder ");
    tmux.wait_for("2 reminders");
    let screen = tmux.screen();
    assert!(screen.contains("Ada Lovelace"), "{screen}");
    assert!(
        screen.contains("Tue 01 Dec 10:00  Design review"),
        "{screen}"
    );
    assert!(
        screen.contains("Tue 01 Dec 10:30  Budget call (Room 9)"),
        "{screen}"
    );

    // d dismisses the first one: written into the record, it is due no more.
    tmux.keys(&["d"]);
    tmux.wait_for("dismissed \"Design review\"");
    tmux.wait_for("1 reminder ");
    wait_gone(&tmux, "10:00  Design review");
    // s snoozes the other for ten minutes: the popup closes.
    tmux.keys(&["s"]);
    tmux.wait_for("snoozed \"Budget call\" for 10 min");
    wait_gone(&tmux, " Reminder ");
    // RFC 9074: the dismissal is the alarm's ACKNOWLEDGED, the snooze an alarm of its own.
    let ics = pim.ok(&["export", "events"]);
    let review_alarm = ics
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("SUMMARY:Design review"))
        .unwrap();
    assert!(
        review_alarm.contains("ACKNOWLEDGED:20261201T100500Z"),
        "{review_alarm}"
    );
    assert!(ics.contains("RELTYPE=SNOOZE"), "{ics}");
    let v = due(&pim, "2026-12-01T10:06:00Z");
    assert!(v.is_empty(), "{v:?}");
    let v = due(&pim, "2026-12-01T10:15:00Z");
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!(v[0]["summary"], "Budget call");
    assert_eq!(v[0]["snoozed"], true);

    // Ten minutes on, the snooze rings again; Enter opens the event: the calendar,
    // the call selected (its details beside the day), not the day's first event.
    set_clock(&clock, "2026-12-01T10:15:00Z");
    tmux.wait_for(" Reminder ");
    tmux.keys(&["Enter"]);
    wait_gone(&tmux, " Reminder ");
    tmux.wait_for("Tue 01 Dec 10:30–11:30");
    let screen = tmux.screen();
    assert!(screen.contains("Where: Room 9"), "{screen}");
    assert!(!screen.contains("Ada Lovelace"), "the calendar: {screen}");
    tmux.keys(&["q"]);
    tmux.wait_exit();
}

#[test]
fn a_reminder_rings_in_the_tui_or_in_the_watcher_never_both() {
    let pim = Pim::new();
    add(&pim, "Standup", "2026-12-01 10:00", "-15m", &[]);
    add(&pim, "Lunch", "2026-12-01 12:00", "-5m", &[]);
    add(&pim, "Tea", "2026-12-01 16:00", "-5m", &[]);

    // The watcher rings the standup first: the TUI counts it as due, never pops it up.
    let o = at(&pim, "2026-12-01T09:46:00Z").run_within(
        &["remind", "--watch", "--max-reminders", "1"],
        Duration::from_secs(30),
    );
    assert!(String::from_utf8_lossy(&o.stdout).contains("Standup"));
    let clock = pim.path("now");
    set_clock(&clock, "2026-12-01T09:47:00Z");
    let tmux = tui(&pim, &clock, "pim-claim");
    tmux.wait_for("1 reminder ");
    assert!(!tmux.screen().contains(" Reminder "), "{}", tmux.screen());

    // The TUI rings lunch first.
    set_clock(&clock, "2026-12-01T11:56:00Z");
    tmux.wait_for(" Reminder ");
    tmux.wait_for("12:00  Lunch");
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.wait_exit();
    // A watcher started later rings tea, not lunch (still due: nobody dismissed it).
    assert_eq!(due(&pim, "2026-12-01T15:54:58Z").len(), 2);
    let o = at(&pim, "2026-12-01T15:54:58Z").run_within(
        &["remind", "--watch", "--json", "--max-reminders", "1"],
        Duration::from_secs(30),
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("\"Tea\""), "{stdout}");
}
