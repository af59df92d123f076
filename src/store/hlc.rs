//! Hybrid logical clock: wall-clock milliseconds plus a counter, tie-broken by device.
//! Stamps sort as strings: `MMMMMMMMMMMMM-CCCC-device`.

use chrono::Utc;

#[derive(Debug, Clone)]
pub struct Hlc {
    device: String,
    millis: i64,
    counter: u32,
}

impl Hlc {
    pub fn new(device: String, last: Option<&str>) -> Hlc {
        let (millis, counter) = last.and_then(parse).unwrap_or((0, 0));
        Hlc {
            device,
            millis,
            counter,
        }
    }

    /// A new stamp, later than every stamp seen so far.
    pub fn tick(&mut self) -> String {
        let now = Utc::now().timestamp_millis();
        if now > self.millis {
            self.millis = now;
            self.counter = 0;
        } else {
            self.counter += 1;
        }
        format!("{:013}-{:04}-{}", self.millis, self.counter, self.device)
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
    fn stamps_increase_and_follow_observed() {
        let mut h = Hlc::new("a".into(), None);
        let s1 = h.tick();
        let s2 = h.tick();
        assert!(s2 > s1);
        let far = "9999999999999-0005-b";
        h.observe(far);
        let s3 = h.tick();
        assert!(s3.as_str() > far, "{s3} > {far}");
    }
}
