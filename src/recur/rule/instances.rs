//! A rule's instances as a stream: one period's candidates in memory at a time,
//! and a work budget so that no rule (FREQ=SECONDLY from 1900, a COUNT of four
//! billion, a year of every second) costs more than a bounded amount of time.

use std::borrow::Cow;

use chrono::{Datelike, NaiveDateTime};

use super::{Rule, select_positions};

/// Periods looked at per expansion before giving up (well under a second).
pub const MAX_PERIODS: u64 = 5_000_000;
/// Candidates kept for one period (a yearly rule with every hour, minute and
/// second would have 31 million).
pub const MAX_PERIOD_CANDIDATES: usize = 1_000_000;

/// Start times in `[lo, hi]`, in order (see [`Rule::instances`]).
pub struct Instances<'r> {
    /// With its defaults from DTSTART ([`Rule::with_defaults`]).
    rule: Cow<'r, Rule>,
    dtstart: NaiveDateTime,
    until: Option<NaiveDateTime>,
    lo: NaiveDateTime,
    hi: NaiveDateTime,
    k: i64,
    started: bool,
    cands: Vec<NaiveDateTime>,
    pos: usize,
    seen: u32,
    empty_run: u32,
    periods: u64,
    done: bool,
    cut_short: bool,
}

impl Rule {
    /// Start times in `[lo, hi]` (wall clock), in order, computed as they are
    /// taken. `until` must already be in DTSTART's wall clock. DTSTART itself is
    /// not added unless the rule yields it.
    pub fn instances(
        &self,
        dtstart: NaiveDateTime,
        until: Option<NaiveDateTime>,
        lo: NaiveDateTime,
        hi: NaiveDateTime,
    ) -> Instances<'static> {
        Instances::of(
            Cow::Owned(self.with_defaults(dtstart)),
            dtstart,
            until,
            lo,
            hi,
        )
    }

    /// [`Rule::instances`] of a rule that already has its defaults from
    /// `dtstart` ([`Rule::with_defaults`]): a series expanded again and again
    /// prepares its rules once.
    pub fn instances_prepared(
        &self,
        dtstart: NaiveDateTime,
        until: Option<NaiveDateTime>,
        lo: NaiveDateTime,
        hi: NaiveDateTime,
    ) -> Instances<'_> {
        debug_assert_eq!(*self, self.with_defaults(dtstart));
        Instances::of(Cow::Borrowed(self), dtstart, until, lo, hi)
    }
}

impl<'r> Instances<'r> {
    fn of(
        rule: Cow<'r, Rule>,
        dtstart: NaiveDateTime,
        until: Option<NaiveDateTime>,
        lo: NaiveDateTime,
        hi: NaiveDateTime,
    ) -> Instances<'r> {
        // Skip ahead to the window when COUNT does not require counting from DTSTART.
        let mut k: i64 = 0;
        if rule.count.is_none() && lo > dtstart {
            let interval = i64::from(rule.interval);
            let periods = rule.period_index(dtstart, lo);
            k = (periods / interval).max(0) * interval;
        }
        Instances {
            rule,
            dtstart,
            until,
            lo,
            hi,
            k,
            started: false,
            cands: Vec::new(),
            pos: 0,
            seen: 0,
            empty_run: 0,
            periods: 0,
            done: false,
            cut_short: false,
        }
    }
}

impl Instances<'_> {
    /// Whether the work budget ended the expansion before the window's end.
    pub fn cut_short(&self) -> bool {
        self.cut_short
    }

    /// Load the next period's candidates; false when there is none.
    fn next_period(&mut self) -> bool {
        let r = &self.rule;
        if self.started {
            self.k += i64::from(r.interval);
        }
        self.started = true;
        self.periods += 1;
        if self.periods > MAX_PERIODS {
            self.cut_short = true;
            return false;
        }
        let Some(first) = r.period_start(self.dtstart, self.k) else {
            return false;
        };
        if first > self.hi || first.year() > 9999 {
            return false;
        }
        self.cands.clear();
        self.pos = 0;
        r.candidates(first, &mut self.cands);
        if self.cands.len() >= MAX_PERIOD_CANDIDATES {
            self.cut_short = true;
        }
        if !r.bysetpos.is_empty() {
            self.cands = select_positions(&self.cands, &r.bysetpos);
        }
        if self.cands.is_empty() {
            self.empty_run += 1;
            // A rule that never matches (BYMONTHDAY=30;BYMONTH=2) must still end.
            if self.empty_run > 20_000 {
                return false;
            }
        } else {
            self.empty_run = 0;
        }
        true
    }
}

impl Iterator for Instances<'_> {
    type Item = NaiveDateTime;

    fn next(&mut self) -> Option<NaiveDateTime> {
        while !self.done {
            while let Some(&c) = self.cands.get(self.pos) {
                self.pos += 1;
                if c < self.dtstart {
                    continue;
                }
                if self.until.is_some_and(|u| c > u) || c > self.hi {
                    self.done = true;
                    return None;
                }
                self.seen += 1;
                let in_window = c >= self.lo;
                if self.rule.count.is_some_and(|n| self.seen >= n) {
                    self.done = true;
                }
                if in_window {
                    return Some(c);
                }
            }
            if !self.done && !self.next_period() {
                self.done = true;
            }
        }
        None
    }
}
