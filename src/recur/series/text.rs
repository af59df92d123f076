//! An occurrence's dates and instants as text, digit by digit.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, Timelike, Utc};

/// Append `n` as `width` zero-padded digits (`format!` costs ~30× more here).
fn push_num(out: &mut String, n: u32, width: u32) {
    for i in (0..width).rev() {
        out.push(char::from(b'0' + ((n / 10u32.pow(i)) % 10) as u8));
    }
}

fn push_date(out: &mut String, d: NaiveDate) {
    push_num(out, d.year().clamp(0, 9999) as u32, 4);
    out.push('-');
    push_num(out, d.month(), 2);
    out.push('-');
    push_num(out, d.day(), 2);
}

pub(super) fn date_string(d: NaiveDate) -> String {
    let mut s = String::with_capacity(10);
    push_date(&mut s, d);
    s
}

pub(super) fn rfc3339(t: DateTime<Utc>, off: FixedOffset) -> String {
    let secs = off.local_minus_utc();
    let l = t.naive_utc() + Duration::seconds(i64::from(secs));
    let mut s = String::with_capacity(25);
    push_date(&mut s, l.date());
    s.push('T');
    push_num(&mut s, l.hour(), 2);
    s.push(':');
    push_num(&mut s, l.minute(), 2);
    s.push(':');
    push_num(&mut s, l.second(), 2);
    s.push(if secs < 0 { '-' } else { '+' });
    let a = secs.unsigned_abs();
    push_num(&mut s, a / 3600, 2);
    s.push(':');
    push_num(&mut s, a % 3600 / 60, 2);
    s
}
