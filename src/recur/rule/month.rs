//! The days of one month a rule picks.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use super::{Freq, Rule, days_in_month};

impl Rule {
    /// Whether BYDAY alone picks the days of a month, its ordinals counted in the
    /// month (as [`Rule::day_matches`] counts them): a monthly rule, or a yearly
    /// one with BYMONTH.
    pub(super) fn byday_in_month(&self) -> bool {
        !self.byday.is_empty()
            && self.bymonthday.is_empty()
            && (self.freq == Freq::Monthly
                || (self.freq == Freq::Yearly && !self.bymonth.is_empty()))
    }

    /// The days of `first`'s month that BYDAY picks, found directly (the days
    /// [`Rule::month_days_tested`] finds when [`Rule::byday_in_month`] holds, in
    /// a few steps instead of a test of every day).
    pub(super) fn month_weekdays(&self, first: NaiveDate, out: &mut Vec<NaiveDateTime>) {
        if !self.bymonth.is_empty() && !self.bymonth.contains(&first.month()) {
            return;
        }
        let len = days_in_month(first) as i32;
        let weekday0 = first.weekday().num_days_from_monday() as i32;
        let mut days: u64 = 0;
        for &(n, wd) in &self.byday {
            // The month's first and last days on this weekday.
            let earliest = 1 + (7 + wd.num_days_from_monday() as i32 - weekday0) % 7;
            let latest = earliest + 7 * ((len - earliest) / 7);
            let mut pick = |d: i32| {
                if (1..=len).contains(&d) {
                    days |= 1 << d;
                }
            };
            match n {
                0 => (earliest..=len).step_by(7).for_each(&mut pick),
                1.. => pick(earliest + 7 * (n - 1)),
                _ => pick(latest + 7 * (n + 1)),
            }
        }
        for d in 1..=len {
            if days & (1 << d) != 0
                && let Some(day) = first.with_day(d as u32)
            {
                self.push_times(day, out);
            }
        }
    }

    /// The days of `first`'s month that [`Rule::day_matches`] accepts, each tested.
    pub(super) fn month_days_tested(&self, first: NaiveDate, out: &mut Vec<NaiveDateTime>) {
        for day in first.iter_days().take_while(|x| x.month() == first.month()) {
            if self.day_matches(day) {
                self.push_times(day, out);
            }
        }
    }
}
