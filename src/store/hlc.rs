//! Hybrid logical clock: wall-clock milliseconds plus a counter, tie-broken by device.
//! Stamps sort as strings: `MMMMMMMMMMMMM-CCCC-device`.
//!
//! The wall clock is a [`Clock`]: the system clock in the product, a manual one in
//! simulations, so that a test's outcome never depends on how fast it ran.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, SecondsFormat, Utc};

/// Where the store (and the sync engine above it) reads the time.
#[derive(Debug, Clone, Default)]
pub enum Clock {
    /// The system's wall clock.
    #[default]
    System,
    /// A clock that only moves when told to (tests and simulations). Clones share
    /// the same time.
    Manual(Arc<AtomicI64>),
}

impl Clock {
    /// A manual clock starting at `millis` since the Unix epoch.
    pub fn manual(millis: i64) -> Clock {
        Clock::Manual(Arc::new(AtomicI64::new(millis)))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_millis(&self) -> i64 {
        match self {
            Clock::System => Utc::now().timestamp_millis(),
            Clock::Manual(t) => t.load(Ordering::SeqCst),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Manual(_) => {
                DateTime::from_timestamp_millis(self.now_millis()).unwrap_or_default()
            }
        }
    }

    /// RFC 3339 with milliseconds, UTC (`2026-11-25T21:45:00.000Z`).
    pub fn now_rfc3339(&self) -> String {
        self.now().to_rfc3339_opts(SecondsFormat::Millis, true)
    }

    /// Move a manual clock forward (no effect on the system clock).
    pub fn advance(&self, millis: i64) {
        if let Clock::Manual(t) = self {
            t.fetch_add(millis, Ordering::SeqCst);
        }
    }
}

#[derive(Debug, Clone)]
pub struct Hlc {
    device: String,
    millis: i64,
    counter: u32,
    clock: Clock,
}

impl Hlc {
    pub fn new(device: String, last: Option<&str>, clock: Clock) -> Hlc {
        let (millis, counter) = last.and_then(parse).unwrap_or((0, 0));
        Hlc {
            device,
            millis,
            counter,
            clock,
        }
    }

    pub fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(super) fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// A new stamp, later than every stamp seen so far.
    pub fn tick(&mut self) -> String {
        let now = self.clock.now_millis();
        if now > self.millis {
            self.millis = now;
            self.counter = 0;
        } else if self.counter >= 9_999 {
            // The counter has four digits to sort as text: the next millisecond
            // instead (a clock that lags our stamps keeps them increasing).
            self.millis += 1;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        stamp(self.millis, self.counter, &self.device)
    }

    /// The latest stamp state, to persist (`millis-counter`).
    pub fn state(&self) -> String {
        format!("{:013}-{:04}", self.millis, self.counter)
    }

    /// Take a stamp from another device into account, so our next stamp is later.
    pub fn observe(&mut self, stamp: &str) {
        if let Some((m, c)) = parse(stamp)
            && (m, c) > (self.millis, self.counter)
        {
            self.millis = m;
            self.counter = c;
        }
    }
}

/// `millis-counter-device`, zero-padded to 13 and 4 digits (so stamps sort as
/// text). Written by hand: `format!` with widths was 1 900 instructions a stamp,
/// a change record of its own in an import.
fn stamp(millis: i64, counter: u32, device: &str) -> String {
    if !(0..10_000_000_000_000).contains(&millis) || counter >= 10_000 {
        return format!("{millis:013}-{counter:04}-{device}");
    }
    let mut s = String::with_capacity(19 + device.len());
    let mut digits = [b'0'; 13];
    let mut m = millis;
    for d in digits.iter_mut().rev() {
        *d = b'0' + (m % 10) as u8;
        m /= 10;
    }
    s.push_str(std::str::from_utf8(&digits).expect("digits"));
    s.push('-');
    let c = counter;
    for div in [1000, 100, 10, 1] {
        s.push(char::from(b'0' + (c / div % 10) as u8));
    }
    s.push('-');
    s.push_str(device);
    s
}

fn parse(s: &str) -> Option<(i64, u32)> {
    let mut it = s.splitn(3, '-');
    let m = it.next()?.parse().ok()?;
    let c = it.next()?.parse().ok()?;
    Some((m, c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_are_written_as_format_writes_them() {
        for millis in [
            0,
            7,
            1_765_000_000_000,
            9_999_999_999_999,
            10_000_000_000_000,
            -1,
            i64::MAX,
            i64::MIN,
        ] {
            for counter in [0, 9, 42, 9_999, 10_000, u32::MAX] {
                assert_eq!(
                    stamp(millis, counter, "dev-1"),
                    format!("{millis:013}-{counter:04}-dev-1"),
                    "{millis} {counter}"
                );
            }
        }
    }

    #[test]
    fn stamps_increase_and_follow_observed() {
        let mut h = Hlc::new("a".into(), None, Clock::System);
        let s1 = h.tick();
        let s2 = h.tick();
        assert!(s2 > s1);
        let far = "9999999999999-0005-b";
        h.observe(far);
        let s3 = h.tick();
        assert!(s3.as_str() > far, "{s3} > {far}");
    }

    /// A device whose clock ran years ahead (or that saw such a device's stamp)
    /// ticks its counter until the wall clock catches up: past 9 999 changes the
    /// counter took a fifth digit and the stamps stopped sorting as text, so a
    /// newer edit lost to an older one.
    #[test]
    fn stamps_keep_sorting_past_ten_thousand_changes_while_the_clock_lags() {
        let clock = Clock::manual(1_000);
        let mut h = Hlc::new("a".into(), None, clock);
        h.observe("0000000005000-0000-b");
        let mut last = h.tick();
        for _ in 0..20_050 {
            let next = h.tick();
            assert!(next > last, "{next} > {last}");
            last = next;
        }
        let mut again = Hlc::new("a".into(), Some(&h.state()), Clock::manual(1_000));
        assert!(again.tick() > last);
    }

    #[test]
    fn a_manual_clock_makes_stamps_reproducible() {
        let clock = Clock::manual(1_000);
        let mut h = Hlc::new("a".into(), None, clock.clone());
        assert_eq!(h.tick(), "0000000001000-0000-a");
        assert_eq!(h.tick(), "0000000001000-0001-a");
        clock.advance(5);
        assert_eq!(h.tick(), "0000000001005-0000-a");
        assert_eq!(clock.now_rfc3339(), "1970-01-01T00:00:01.005Z");
    }
}
