//! Issue 17, `pim remind --watch` while time and place change under it: the clock is
//! a file the test steps (`PIM_NOW=@FILE`), the zone a link the test moves
//! (`TZ=:FILE`, as `timedatectl set-timezone` relinks /etc/localtime). The watcher
//! looks at both on every wake.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::support::pim::Pim;

/// A running `pim remind --watch --json`, its output in a file.
struct Watcher {
    child: Child,
    out: PathBuf,
}

impl Watcher {
    fn start(pim: &Pim, clock: &Path, args: &[&str]) -> Watcher {
        let out = pim.path("watch.out");
        let mut all = vec!["remind", "--watch", "--json"];
        all.extend_from_slice(args);
        let child = pim
            .command(&all)
            .env("PIM_NOW", format!("@{}", clock.display()))
            .stdin(Stdio::null())
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        Watcher { child, out }
    }

    /// What it rang so far, one JSON object each.
    fn rang(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Wait until it has rung `n` reminders (a hang fails the test).
    fn wait_rang(&self, n: usize) -> Vec<Value> {
        let start = Instant::now();
        loop {
            let v = self.rang();
            if v.len() >= n {
                return v;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "rang {} of {n}: {v:?}",
                v.len()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_exit(mut self) {
        let start = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                return;
            }
            assert!(start.elapsed() < Duration::from_secs(20), "did not exit");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Step the clock file (written whole, then renamed: never read half-written).
fn set_clock(clock: &Path, now: &str) {
    let tmp = clock.with_extension("tmp");
    std::fs::write(&tmp, now).unwrap();
    std::fs::rename(&tmp, clock).unwrap();
}

/// Point the zone link at another zone (as `timedatectl set-timezone` does).
fn set_zone(link: &Path, zone: &str) {
    let tmp = link.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    std::os::unix::fs::symlink(format!("/usr/share/zoneinfo/{zone}"), &tmp).unwrap();
    std::fs::rename(&tmp, link).unwrap();
}

fn summaries(v: &[Value]) -> Vec<String> {
    v.iter()
        .map(|r| {
            format!(
                "{} {}",
                r["summary"].as_str().unwrap(),
                r["trigger"].as_str().unwrap()
            )
        })
        .collect()
}

fn add(pim: &Pim, summary: &str, start: &str, more: &[&str]) {
    let mut args = vec!["add", "event", "--summary", summary, "--start", start];
    args.extend_from_slice(more);
    pim.ok(&args);
}

#[test]
fn a_zone_change_while_watching_moves_what_rings_and_when() {
    let pim = Pim::new();
    let link = pim.path("localtime");
    set_zone(&link, "America/New_York");
    let pim = pim.tz(&format!(":{}", link.display()));
    add(
        &pim,
        "Early call",
        "2026-12-01T14:59:30Z",
        &["--alarm", "0m"],
    );
    add(
        &pim,
        "Berlin standup",
        "2026-12-02 09:00",
        &["--tz", "Europe/Berlin", "--alarm", "-5m"],
    );
    // All day on 2 December: it rings at midnight where the user is.
    add(
        &pim,
        "Holiday",
        "2026-12-02",
        &["--all-day", "--alarm", "0m"],
    );
    let out = pim.path("rang.txt");
    let cmd = format!(
        "echo \"$PIM_SUMMARY|$PIM_START|$PIM_TRIGGER\" >> '{}'",
        out.display()
    );

    let clock = pim.path("now");
    set_clock(&clock, "2026-12-01T14:59:28Z");
    let w = Watcher::start(&pim, &clock, &["--command", &cmd, "--max-reminders", "3"]);
    // In New York: the call rings (so the watcher runs), the holiday is hours away.
    w.wait_rang(1);
    // Flown to Tokyo, two seconds before its midnight (15:00Z): the holiday rings then.
    set_zone(&link, "Asia/Tokyo");
    set_clock(&clock, "2026-12-01T14:59:58Z");
    w.wait_rang(2);
    // The Berlin meeting rings five minutes before 09:00 Berlin, said in Tokyo time.
    set_clock(&clock, "2026-12-02T07:54:58Z");
    let v = w.wait_rang(3);
    w.wait_exit();
    assert_eq!(
        summaries(&v),
        [
            "Early call 2026-12-01T14:59:30Z",
            "Holiday 2026-12-01T15:00:00Z",
            "Berlin standup 2026-12-02T07:55:00Z",
        ]
    );
    let commands = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        commands.lines().collect::<Vec<_>>(),
        [
            "Early call|2026-12-01 09:59|2026-12-01T14:59:30Z",
            "Holiday|2026-12-02|2026-12-01T15:00:00Z",
            "Berlin standup|2026-12-02 17:00|2026-12-02T07:55:00Z",
        ]
    );
}

#[test]
fn a_jump_of_the_clock_rings_what_became_due_once() {
    let pim = Pim::new();
    add(&pim, "Awake", "2026-12-01T09:00:02Z", &["--alarm", "0m"]);
    add(&pim, "Half past", "2026-12-01 09:30", &["--alarm", "0m"]);
    add(&pim, "Twenty to", "2026-12-01 09:40", &["--alarm", "0m"]);
    add(&pim, "Eleven", "2026-12-01 11:00", &["--alarm", "0m"]);
    let clock = pim.path("now");
    set_clock(&clock, "2026-12-01T09:00:00Z");
    let w = Watcher::start(&pim, &clock, &["--max-reminders", "4"]);
    w.wait_rang(1);
    // The laptop sleeps from 09:00 to 10:00: both missed reminders ring on waking.
    set_clock(&clock, "2026-12-01T10:00:00Z");
    w.wait_rang(3);
    // Later wakes do not ring them again (a fifth ring would end the watcher before
    // this one, with max 4); the next one rings at its time.
    set_clock(&clock, "2026-12-01T10:59:58Z");
    let v = w.wait_rang(4);
    w.wait_exit();
    assert_eq!(
        summaries(&v),
        [
            "Awake 2026-12-01T09:00:02Z",
            "Half past 2026-12-01T09:30:00Z",
            "Twenty to 2026-12-01T09:40:00Z",
            "Eleven 2026-12-01T11:00:00Z",
        ]
    );
}
