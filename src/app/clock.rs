//! The clock pim runs on: the wall clock, or the one tests and scripts set with
//! `PIM_NOW`. Reminders are computed from it, so tests control time without sleeps.
//!
//! `PIM_NOW=2026-12-01T09:44:59Z` starts the clock there; `PIM_NOW=@FILE` reads the
//! time from FILE (RFC 3339) at every look, so a test can step the clock of a running
//! `pim remind --watch` or TUI (a suspend and resume is a step forward). Either runs on
//! with real time from the moment it was set, so a watcher sleeping until a trigger
//! reaches it.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Datelike as _, Duration, Utc};

#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    #[error("PIM_NOW={value:?}: {reason} (expected RFC 3339, or @FILE holding it)")]
    Invalid { value: String, reason: String },
}

/// Where the time comes from.
#[derive(Debug)]
enum Source {
    Wall,
    /// `PIM_NOW` as a time: that time when pim started.
    Set {
        at: DateTime<Utc>,
        since: Instant,
    },
    /// `PIM_NOW=@FILE`: the time the file holds when it last changed.
    File {
        path: PathBuf,
        last: Mutex<FileTime>,
    },
}

#[derive(Debug)]
struct FileTime {
    text: String,
    at: DateTime<Utc>,
    since: Instant,
}

#[derive(Debug)]
pub struct Clock {
    source: Source,
    /// The time when the clock was made: what a one-shot command calls now.
    start: DateTime<Utc>,
}

/// How often a sleeper on a clock file looks whether the test stepped it.
const FILE_POLL: std::time::Duration = std::time::Duration::from_millis(20);

/// A time on the calendar (the years 1-9999 in UTC: records are stamped with it).
fn parse(value: &str, text: &str) -> Result<DateTime<Utc>, ClockError> {
    let invalid = |reason: String| ClockError::Invalid {
        value: value.to_string(),
        reason,
    };
    let t = DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| invalid(e.to_string()))?;
    if !crate::model::time::YEARS.contains(&t.year()) {
        return Err(invalid("beyond the years 1-9999 in UTC".into()));
    }
    Ok(t)
}

/// A clock file's text: its first bytes (a time is short; `@/dev/zero` is not).
/// Only a regular file: opening a FIFO waits for a writer, at every look.
fn read_clock_file(path: &std::path::Path) -> std::io::Result<String> {
    use std::io::Read as _;
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(256)
        .read_to_string(&mut text)?;
    Ok(text)
}

fn elapsed(since: Instant) -> Duration {
    Duration::from_std(since.elapsed()).unwrap_or(Duration::zero())
}

impl Clock {
    /// The wall clock.
    pub fn wall() -> Clock {
        Clock {
            source: Source::Wall,
            start: Utc::now(),
        }
    }

    /// `PIM_NOW` when set (and not empty), else the wall clock.
    pub fn from_env() -> Result<Clock, ClockError> {
        match std::env::var("PIM_NOW") {
            Ok(v) if !v.is_empty() => Clock::from_value(&v),
            _ => Ok(Clock::wall()),
        }
    }

    /// A clock from a `PIM_NOW` value: a time, or `@FILE`.
    pub fn from_value(value: &str) -> Result<Clock, ClockError> {
        let since = Instant::now();
        match value.strip_prefix('@') {
            Some(path) => {
                let path = PathBuf::from(path);
                let text = read_clock_file(&path).map_err(|e| ClockError::Invalid {
                    value: value.to_string(),
                    reason: e.to_string(),
                })?;
                let at = parse(value, &text)?;
                Ok(Clock {
                    source: Source::File {
                        path,
                        last: Mutex::new(FileTime { text, at, since }),
                    },
                    start: at,
                })
            }
            None => {
                let at = parse(value, value)?;
                Ok(Clock {
                    source: Source::Set { at, since },
                    start: at,
                })
            }
        }
    }

    /// The time when the clock was made (exactly `PIM_NOW`, when set).
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The time now.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.source {
            Source::Wall => Utc::now(),
            Source::Set { at, since } => *at + elapsed(*since),
            Source::File { path, last } => {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                Self::reread(path, &mut last);
                last.at + elapsed(last.since)
            }
        }
    }

    /// Take a changed clock file (a file being rewritten, unreadable for a moment,
    /// keeps the time it had). True when the clock was stepped.
    fn reread(path: &std::path::Path, last: &mut FileTime) -> bool {
        let Ok(text) = read_clock_file(path) else {
            return false;
        };
        if text == last.text {
            return false;
        }
        match parse("", &text) {
            Ok(at) => {
                *last = FileTime {
                    text,
                    at,
                    since: Instant::now(),
                };
                true
            }
            Err(_) => false,
        }
    }

    /// Whether a clock file was stepped since the last look (a waiting front-end looks
    /// at the time again then); a time that only runs on is never stepped.
    pub fn stepped(&self) -> bool {
        match &self.source {
            Source::File { path, last } => {
                Self::reread(path, &mut last.lock().unwrap_or_else(|e| e.into_inner()))
            }
            _ => false,
        }
    }

    /// How long a front-end may wait for input before looking at [`Clock::stepped`]:
    /// only a clock file can be stepped.
    pub fn look_every(&self) -> Option<std::time::Duration> {
        matches!(self.source, Source::File { .. }).then_some(FILE_POLL * 5)
    }

    /// Sleep `d` of real time; on a clock file, wake early when it is stepped (as a
    /// real sleeper wakes late after a suspend, and then looks at the clock again).
    pub fn sleep(&self, d: Duration) {
        let d = d.to_std().unwrap_or_default();
        let Source::File { path, last } = &self.source else {
            std::thread::sleep(d);
            return;
        };
        let until = Instant::now() + d;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            std::thread::sleep(left.min(FILE_POLL));
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if Self::reread(path, &mut last) {
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_time_runs_on_from_where_it_was_set() {
        let c = Clock::from_value("2026-12-01T09:00:00Z").unwrap();
        assert_eq!(c.start().to_rfc3339(), "2026-12-01T09:00:00+00:00");
        let now = c.now();
        assert!(now >= c.start() && now - c.start() < Duration::seconds(5));
    }

    #[test]
    fn a_clock_file_is_read_again_and_wakes_a_sleeper_when_stepped() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("now");
        std::fs::write(&path, "2026-12-01T09:00:00Z\n").unwrap();
        let c = Clock::from_value(&format!("@{}", path.display())).unwrap();
        assert_eq!(c.start().to_rfc3339(), "2026-12-01T09:00:00+00:00");
        let stepper = {
            let path = path.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(100));
                std::fs::write(&path, "2026-12-02T10:00:00Z").unwrap();
            })
        };
        let slept = Instant::now();
        c.sleep(Duration::seconds(60));
        assert!(slept.elapsed() < std::time::Duration::from_secs(30));
        stepper.join().unwrap();
        let now = c.now();
        let stepped = parse("", "2026-12-02T10:00:00Z").unwrap();
        assert!(
            now >= stepped && now - stepped < Duration::seconds(5),
            "{now}"
        );
    }

    /// A clock file that is not a regular file: opening a FIFO waits for a writer
    /// forever, and a device never ends; either is refused at once.
    #[test]
    fn a_clock_file_that_is_a_fifo_or_a_device_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for path in [fifo.display().to_string(), "/dev/zero".to_string()] {
            let (tx, rx) = std::sync::mpsc::channel();
            let value = format!("@{path}");
            std::thread::spawn(move || {
                let _ = tx.send(Clock::from_value(&value).map(|c| c.start()));
            });
            let got = rx
                .recv_timeout(std::time::Duration::from_secs(10))
                .unwrap_or_else(|_| panic!("PIM_NOW=@{path} still waits"));
            let e = got.unwrap_err().to_string();
            assert!(e.contains("not a regular file"), "{e}");
        }
    }

    #[test]
    fn unreadable_values_are_named() {
        let e = Clock::from_value("tomorrow").unwrap_err().to_string();
        assert!(e.contains("PIM_NOW=\"tomorrow\""), "{e}");
        let e = Clock::from_value("@/nonexistent/clock")
            .unwrap_err()
            .to_string();
        assert!(e.contains("@/nonexistent/clock"), "{e}");
    }
}
